"""The administrative-name gazetteer (`models/places.json`), read once for every stage.

Built by `pipeline/restore/training/gazetteer.py` from underthesea's administrative-unit
data: every province, old district and ward name.  `pipeline.extract.places` puts place
names back to their spelling with it; `pipeline.segment.junk` accepts the syllables of
minority-language place names that are no Vietnamese syllable (`Đắk Lắk`, `Krông Búk`,
`Cư Jút`), which OCR reads confidently but a syllable check would call junk.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache

from pipeline.shipped import shipped_dir
from pipeline.vietnamese import is_syllable

log = logging.getLogger(__name__)

GAZETTEER_FILE = "places.json"
LEVELS = ("provinces", "districts", "wards")
"""The gazetteer's lists of names, by administrative level."""
MIN_FOREIGN_LETTERS = 3
"""Letters a place-name word needs before it vouches for a line of text: a seal's ring
reads as confident pairs of letters (`Ar`, `Al`), which two-letter names (`Ea`) share."""


@lru_cache(maxsize=1)
def _data() -> dict:
    """The gazetteer file's content (empty, with a warning, when the file is missing)."""
    path = shipped_dir() / GAZETTEER_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.warning("no place-name gazetteer at %s: place names are left as read", path)
        return {}


@lru_cache(maxsize=1)
def place_names() -> tuple[str, ...]:
    """Every name of the gazetteer (empty when the file is missing)."""
    return tuple(name for level in LEVELS for name in _data().get(level, []))


@lru_cache(maxsize=1)
def province_names() -> tuple[str, ...]:
    """The provinces and centrally-run cities, those before 2025-07-01 among them."""
    return tuple(_data().get("provinces", []))


@lru_cache(maxsize=1)
def provinces_of() -> dict[str, frozenset[str]]:
    """Per place name, the provinces with a place of that name (a province is its own):
    `Cam Đường` → {`Lào Cai`}.  Empty for a gazetteer built before the field existed."""
    provinces = province_names()
    homes = {name: frozenset((name,)) for name in provinces}
    for name, indices in _data().get("province_of", {}).items():
        homes[name] = homes.get(name, frozenset()) | {provinces[i] for i in indices}
    return homes


@lru_cache(maxsize=1)
def foreign_syllables() -> frozenset[str]:
    """The place names' words, lower-cased, that are no Vietnamese syllable (`đắk`,
    `krông`, `h'leo`), of `MIN_FOREIGN_LETTERS` letters or more."""
    words = set()
    for name in place_names():
        for word in name.replace("-", " ").split():
            word = word.lower()
            letters = word.replace("'", "")
            if len(letters) >= MIN_FOREIGN_LETTERS and letters.isalpha() and not is_syllable(word):
                words.add(word)
    return frozenset(words)
