"""Administrative place names put back to their one spelling (`Lâm Đông` → `Lâm Đồng`).

OCR and restoration get the letters of a place name right far more often than its marks,
and a province printed in a stamp or a heavy header is where they slip.  The gazetteer
(`models/places.json`, built by `pipeline/restore/training/gazetteer.py` from underthesea's
administrative-unit data) lists every province, old district and ward name; a name that is
not in it but has one gazetteer spelling with the same letters nearer than any other (fewest
characters apart) is that place.  A name already in the gazetteer, or matching none, or
several equally near, is left as it is.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.gazetteer import place_names
from pipeline.vietnamese import canonical, skeleton
from pipeline.vocabulary import FIELD_NAMES

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
    index: dict[str, set[str]] = {}
    for name in place_names():
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
    if not known or spelled in known:
        return name
    return _nearest(spelled, known) or name


def _nearest(spelled: str, known: frozenset[str]) -> str | None:
    """The one spelling of `known` (same letters) that differs from `spelled` in the fewest
    characters: `Hài Phòng` is `Hải Phòng` (one mark), not the ward `Hải Phong` (two).
    None when two are equally near."""
    distance = {k: sum(a != b for a, b in zip(k, spelled, strict=False)) for k in known}
    best = min(distance.values())
    nearest = [k for k, d in distance.items() if d == best]
    return nearest[0] if len(nearest) == 1 else None


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


UNIT_NOUNS = (
    "Ủy ban", "Hội đồng", "Văn phòng", "Sở", "Bộ", "Cục", "Chi cục", "Tổng cục", "Vụ",
    "Tổ", "Ban", "Đoàn", "Viện", "Trường", "Trung tâm", "Công an", "Tòa án", "Học viện",
    "Tỉnh ủy", "Thành ủy", "Huyện ủy", "Đảng ủy", "Kho bạc", "Thanh tra", "Bảo hiểm",
)  # fmt: skip
"""The nouns an issuing unit's name opens with (`Tổ công tác…`, `Cục Hóa chất`), as the
issuer is written in running text."""
ABBREVIATIONS = ("TW", "UBND", "HĐND", "MTTQ", "TP")
"""Abbreviations that stay in capitals inside a unit's name (`liên ngành TW`)."""

_UNITS_BY_SKELETON: dict[str, str] = {}
for _noun in UNIT_NOUNS:
    _UNITS_BY_SKELETON.setdefault(skeleton(_noun), _noun)
_ABBREVIATION_WORD = re.compile(
    r"(?<![^\W_])(" + "|".join(re.escape(a.lower()) for a in ABBREVIATIONS) + r")(?![^\W_])"
)


def correct_issuer(issuer: str) -> str:
    """An issuer with its unit noun and places spelt as they are (`Tỏ công tác liên ngành
    tw` → `Tổ công tác liên ngành TW`, `Sở Nội vụ tỉnh Lâm Đông` → `… Lâm Đồng`).

    The opening one or two words are put back to the unit noun with the same letters when
    there is one (OCR misreads a mark far more often than a letter; an issuer never opens
    with another word of those letters, such as `Tờ`); a known
    abbreviation written in lower case goes back to capitals; places as `correct_places`.

    Example:
        >>> correct_issuer("Tỏ công tác liên ngành tw")
        'Tổ công tác liên ngành TW'
        >>> correct_issuer("Bỏ Công an")
        'Bộ Công an'
    """
    words = canonical(issuer).split(" ")
    for n in (2, 1):
        noun = _UNITS_BY_SKELETON.get(skeleton(" ".join(words[:n])))
        if noun and len(words) > n:
            words = [*noun.split(" "), *words[n:]]
            break
    words = _correct_field(words)
    text = _ABBREVIATION_WORD.sub(lambda m: m.group(1).upper(), " ".join(words))
    return correct_places(text)


_FIELDS_BY_SKELETON = {skeleton(f).lower(): f for f in FIELD_NAMES}
_FIELD_WORDS = max(len(f.split()) for f in FIELD_NAMES)


FIELD_UNIT_NOUNS = ("Sở", "Cục", "Chi cục", "Tổng cục", "Phòng", "Bộ", "Vụ")
"""Units named for their field right after the noun (`Sở Y tế`, `Cục Hóa chất`)."""
_FIELD_UNIT_NOUNS_LONGEST_FIRST = sorted(FIELD_UNIT_NOUNS, key=len, reverse=True)


def _correct_field(words: list[str]) -> list[str]:
    """The field a unit is named for, spelt as it is (`Cục hóa chát` → `Cục Hóa chất`).

    Right after a noun of FIELD_UNIT_NOUNS, a run of words with a field's letters but
    other marks is that field misread (OCR loses or swaps a mark far more often than a
    letter); the longest run wins.  Elsewhere the words are left alone (`Ban Chỉ đạo xây
    dựng …` names no field).
    """
    for noun in _FIELD_UNIT_NOUNS_LONGEST_FIRST:
        at = len(noun.split(" "))
        if " ".join(words[:at]) != noun:
            continue
        for size in range(min(_FIELD_WORDS, len(words) - at), 0, -1):
            run = skeleton(" ".join(words[at : at + size])).lower()
            field = _FIELDS_BY_SKELETON.get(run)
            if field:
                return [*words[:at], *field.split(" "), *words[at + size :]]
        break
    return words
