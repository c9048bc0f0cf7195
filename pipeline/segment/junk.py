"""OCR junk on scans: stamp and signature marks read as text.

A received-document stamp (`ĐẾN Số: … Ngày: … Chuyển: …`) or a seal over the header
comes out of OCR as tokens that are no Vietnamese words (`j\\yB(L2J-toA6`, `Só:ØÓ6``,
`90040005`), sometimes on a line of its own, sometimes glued to the start of a real title
line.  Titles and issuers are built from header lines, so these rules keep the junk out:
`is_junk_line` drops a line that is mostly junk, `strip_junk` cuts junk off a line's start
and drops `|`-separated pieces that hold junk.  Clean text passes unchanged: every token of
a typed document is a syllable, a number, a code or an abbreviation.
"""

from __future__ import annotations

import re

from pipeline.gazetteer import foreign_syllables
from pipeline.vietnamese import is_syllable, skeleton, split_token

MIN_CLEAN_SHARE = 0.6
"""A line with fewer clean tokens than this share is junk (real header lines are ~1.0;
stamp lines measured on real scans 0-0.4)."""
MIN_REST = 3
"""Clean tokens that must follow a junk start before it is cut off (a title is longer)."""
MAX_DIGIT_RUN = 8
"""A number longer than this without separators is a stamp's texture, not a number."""

_NUMBER = re.compile(rf"^\d{{1,{MAX_DIGIT_RUN}}}(?:[./,:-]\d+)*[.,:;)]?$")
_CODE = re.compile(r"^[\dA-ZĐ]+[a-zđ]{0,2}(?:[-/.][\dA-ZĐ]+[a-zđ]{0,2})+$")
"""A document code: capitals and digits in parts, a part maybe ending in one or two small
letters (`31-CTr/TW`, `27/CT-TTg`, `TTr`: chương trình, Thủ tướng, tờ trình)."""
_ABBREVIATION = re.compile(r"^[A-ZĐ]{2,8}$")
_PUNCTUATION = re.compile(r"^[-–—&|/.,:;()\"“”'‘’]+$")
_COLUMN_BREAK = " | "
_OPENING_QUOTES = "\"“‘'"
_QUOTES = "\"“”‘’'"


def is_clean_token(token: str) -> bool:
    """A word of typed Vietnamese text: a syllable (maybe with marks OCR put wrong), a
    number, a code, an abbreviation, or a word of a minority-language place name (`Đắk`,
    `Krông`; `gazetteer.foreign_syllables`).

    Example:
        >>> [is_clean_token(t) for t in ("hoạt", "41-CT/TW", "UBND", "j\\\\yB(L2J", "Ng:", "LẮK")]
        [True, True, True, False, False, True]
    """
    _, core, _ = split_token(token)
    if not core:
        return bool(_PUNCTUATION.match(token))
    if _NUMBER.match(core) or _CODE.match(core) or _ABBREVIATION.match(core):
        return True
    parts = core.split("-")
    return all(part and (_syllable_letters(part) or part.lower() in foreign_syllables())
               for part in parts)  # fmt: skip


def _syllable_letters(word: str) -> bool:
    """A syllable, or the letters of one under marks OCR put wrong (`BẸNH` for `BỆNH`,
    `Hơãñg`): print damaged in its marks only, which restoration mends, not junk."""
    return is_syllable(word) or is_syllable(skeleton(word))


def clean_share(line: str) -> float:
    """Share of the line's tokens that are clean (1.0 for an empty line)."""
    tokens = line.split()
    return sum(is_clean_token(t) for t in tokens) / len(tokens) if tokens else 1.0


def is_junk_line(line: str) -> bool:
    """Whether a line is mostly OCR junk (a stamp's text, a seal's texture).

    Example:
        >>> is_junk_line("90040005 09000090060000000000090066")
        True
        >>> is_junk_line("Phối hợp kiểm soát các hoạt động hợp pháp")
        False
    """
    return clean_share(line) < MIN_CLEAN_SHARE


def strip_junk(line: str) -> str:
    """The line without junk at its start and without `|`-pieces that hold junk (an
    opening quote that nothing closes is junk too).

    Example:
        >>> strip_junk("ĐỀN) Ng: j\\\\yB(L2J-toA6, Phối hợp kiểm soát các hoạt động")
        'Phối hợp kiểm soát các hoạt động'
    """
    if line[:1] in _OPENING_QUOTES and not any(q in line[1:] for q in _QUOTES):
        line = line[1:].lstrip()  # a quote nothing closes: a mark OCR read before the line
    if _COLUMN_BREAK in line:
        pieces = [p for p in line.split(_COLUMN_BREAK) if all(map(is_clean_token, p.split()))]
        if pieces:
            line = _COLUMN_BREAK.join(pieces)
    tokens = line.split()
    junk = [i for i, token in enumerate(tokens) if not is_clean_token(token)]
    if not junk:
        return line
    # The junk run must open the line and be mostly junk itself: `… PAR Index, SIPAS …`
    # in a typed title has one odd word among many clean ones and stays whole.
    cut = junk[-1] + 1
    rest = tokens[cut:]
    if len(rest) >= MIN_REST and len(junk) / cut >= 1 - MIN_CLEAN_SHARE:
        return " ".join(rest)
    return line
