"""Administrative place names put back to their one spelling (`Lâm Đông` → `Lâm Đồng`).

OCR and restoration get the letters of a place name right far more often than its marks,
and a province printed in a stamp or a heavy header is where they slip.  The gazetteer
(`models/places.json`, built by `pipeline/restore/training/gazetteer.py` from underthesea's
administrative-unit data) lists every province, old district and ward name; a name that is
not in it but has exactly one gazetteer spelling with the same letters is that place.  A
name already in the gazetteer, or matching none, or several, is left as it is.
"""

from __future__ import annotations

import json
import logging
import re
from functools import lru_cache

from pipeline.shipped import shipped_dir
from pipeline.vietnamese import canonical, skeleton

log = logging.getLogger(__name__)

GAZETTEER_FILE = "places.json"

LEVEL_WORDS = (
    "thành phố",
    "tỉnh",
    "quận",
    "huyện",
    "thị xã",
    "thị trấn",
    "phường",
    "xã",
    "đặc khu",
)
"""Words that introduce a place name in an issuer or a heading (`tỉnh Lâm Đồng`)."""

MAX_NAME_WORDS = 4
"""Syllables a place name takes at most (`Bà Rịa - Vũng Tàu` is four and a dash)."""

_LEVEL = "|".join(sorted((re.escape(w) for w in LEVEL_WORDS), key=len, reverse=True))
_NAME_WORD = r"[A-ZĐÀ-Ỹ][^\W\d_]*"
_PLACE_AFTER_LEVEL = re.compile(
    rf"(?<![^\W\d_])((?i:{_LEVEL}))\s+((?:{_NAME_WORD})(?:\s*-\s*{_NAME_WORD}|\s+{_NAME_WORD}){{0,{MAX_NAME_WORDS - 1}}})"
)


@lru_cache(maxsize=1)
def _spellings() -> dict[str, frozenset[str]]:
    """Skeleton → the gazetteer's spellings with those letters."""
    path = shipped_dir() / GAZETTEER_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.warning("no place-name gazetteer at %s: place names are left as read", path)
        return {}
    index: dict[str, set[str]] = {}
    for key in ("provinces", "districts", "wards"):
        for name in data.get(key, []):
            index.setdefault(skeleton(name), set()).add(name)
    return {k: frozenset(v) for k, v in index.items()}


def correct_place(name: str) -> str:
    """The gazetteer's spelling of a place name whose marks were misread, else `name`.

    Example:
        >>> correct_place("Lâm Đông")
        'Lâm Đồng'
        >>> correct_place("Hà Nội")
        'Hà Nội'
    """
    spelled = canonical(name)
    known = _spellings().get(skeleton(spelled))
    if not known or spelled in known or len(known) != 1:
        return name
    (fixed,) = known
    return fixed


def correct_places(text: str) -> str:
    """Every place name after a level word (`tỉnh Lâm Đông`) in `text`, corrected.

    The capitalised words after the level word may run on past the name (`tỉnh Lâm Đông
    Hội nghị`): the longest leading run that the gazetteer knows by its letters is taken.
    """

    def fix(match: re.Match) -> str:
        words = match.group(2).split(" ")
        index = _spellings()
        for n in range(len(words), 0, -1):
            head = " ".join(words[:n])
            if skeleton(canonical(head)) in index:
                return " ".join([match.group(1), correct_place(head), *words[n:]])
        return match.group(0)

    return _PLACE_AFTER_LEVEL.sub(fix, text)
