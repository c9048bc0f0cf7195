"""The header of a document: issuing body, Quốc hiệu, number line, place and date line.

Nghị định 30/2020/NĐ-CP fixes where these sit: the issuing body top left, Quốc hiệu and Tiêu
ngữ top right, then `Số: …` and `<Place>, ngày … tháng … năm …` on one row; the document
type and title centred; at the end the *Nơi nhận* list bottom left and the signature block
bottom right (see `closing`).  Text extraction (OCR in particular) often merges the
two columns of a row into one line, so the helpers here split such lines before
classifying them.

Everything works on plain strings and only tells which line is which; interpreting a line
(the number's code, the place) is extraction's job.
"""

from __future__ import annotations

import re

from pipeline.vietnamese import is_upper_line, skeleton
from pipeline.vocabulary import (
    DOC_TYPES,
    MOTTO_SKS,
    NUMBER_LABEL,
    PLACE_DATE,
    SLASHES,
    starts_with_level,
)

# --- header ---------------------------------------------------------------------------

_NATIONAL_SK = "cong hoa xa hoi chu nghia viet nam"
_MOTTO_SK = "doc lap - tu do - hanh phuc"

_DOC_TYPE_SK = {skeleton(t): t for t in DOC_TYPES}

_SO = NUMBER_LABEL
# Digits, a blank before the code, or junk where handwriting was (`Số: @# /CT-UBND`).
_NUMBER_LINE = re.compile(rf"^\s*{_SO}\s*[:.]?\s*(?=\S*\d|\s*[/⁄]|\S{{1,8}}\s*[/⁄]\s*[A-ZĐ])")
# The code itself: digits (possibly blank for a handwritten number) then /CODE-CODE, or a
# Party-style `12-HD/BTGTW`.
_NUMBER_CODE = re.compile(
    rf"^\s*{_SO}\s*[:.]?\s*(?P<code>[\w.]*\s*/\s*[\w\-–./Đđ&()]+|\d+[\w\-–]*(?:/[\w\-–()]+)*)",
)
_PLACE_DATE = PLACE_DATE


def doc_type_of(line: str) -> str | None:
    """The document type named by a title line such as `KẾ HOẠCH` (None otherwise).

    `QUYẾT ĐỊNH:` (with its colon) is a decision's enacting formula above `Điều 1`, not
    its type heading.
    """
    bare = line.strip().strip("*").strip()
    if not bare or bare.endswith(":") or not is_upper_line(bare):
        return None
    return _DOC_TYPE_SK.get(" ".join(skeleton(bare).split()))


TITLE_ON_TYPE_LINE_WORDS = 2
"""Words a type heading must carry after its type to be read as type and title on one
line (`QUYẾT ĐỊNH CHẤP THUẬN CHỦ TRƯƠNG ĐẦU TƯ`); fewer is more likely OCR noise."""


def type_heading(line: str) -> tuple[str, str] | None:
    """(type, title printed on the same line) for a type heading, else None.

    `KẾ HOẠCH` → (`Kế hoạch`, ``); `QUYẾT ĐỊNH CHẤP THUẬN CHỦ TRƯƠNG ĐẦU TƯ` → (`Quyết
    định`, `CHẤP THUẬN CHỦ TRƯƠNG ĐẦU TƯ`).  The longest type name wins (`CHƯƠNG TRÌNH
    HÀNH ĐỘNG` over `CHƯƠNG TRÌNH`).
    """
    whole = doc_type_of(line)
    if whole:
        return whole, ""
    bare = line.strip().strip("*").strip()
    if bare.endswith(":") or not is_upper_line(bare):
        return None
    words = bare.split()
    for n in range(len(words) - TITLE_ON_TYPE_LINE_WORDS, 0, -1):
        name = _DOC_TYPE_SK.get(skeleton(" ".join(words[:n])))
        if name:
            return name, " ".join(words[n:])
    return None


def split_header_line(line: str) -> list[str]:
    """Split a line where OCR merged the header's left and right columns.

    `ĐẶC KHU CÁT HẢI Độc lập - Tự do - Hạnh phúc` → [`ĐẶC KHU CÁT HẢI`, `Độc lập - …`];
    `Số:83 /KH-UBND Cát Hải, ngày 24 …` → [`Số:83 /KH-UBND`, `Cát Hải, ngày 24 …`].
    """
    text = line.strip()
    if not text:
        return []
    sk = skeleton(text)
    for marker in (_MOTTO_SK, _NATIONAL_SK, *MOTTO_SKS):
        pos = sk.find(marker)
        if pos > 0:
            # skeleton() keeps one character per base letter, so offsets line up with NFC text
            # unless the line holds decomposed characters; normalise defensively.
            head, tail = text[:pos].strip(), text[pos:].strip()
            return [*split_header_line(head), tail] if head else [tail]
    number = _NUMBER_CODE.match(text.translate(SLASHES))
    if number and "ngày" in text.lower():
        rest = text[number.end() :].strip()
        if _PLACE_DATE.match(rest):
            return [text[: number.end()].strip(), rest]
    return [text]


def is_national_line(line: str) -> bool:
    """Quốc hiệu or Tiêu ngữ (any case, tolerant of spacing)."""
    sk = " ".join(skeleton(line).replace("–", "-").split())
    return sk.startswith((_NATIONAL_SK, _MOTTO_SK)) or sk.replace(" ", "") in (
        _NATIONAL_SK.replace(" ", ""),
        _MOTTO_SK.replace(" ", ""),
    )


def is_party_motto(line: str) -> bool:
    """`ĐẢNG CỘNG SẢN VIỆT NAM` or `ĐOÀN TNCS HỒ CHÍ MINH`, printed top right of Party and
    Youth Union documents in place of the Quốc hiệu."""
    return " ".join(skeleton(line).split()).strip(" *") in MOTTO_SKS


def is_number_line(line: str) -> bool:
    """`Số: 24 /KH-UBND` (also with the number left blank: `Số:    /BC-SNV`)."""
    return bool(_NUMBER_LINE.match(line))


def is_place_date_line(line: str) -> bool:
    """`Hải Phòng, ngày 26 tháng 01 năm 2026` (the day may be blank or handwritten)."""
    return bool(_PLACE_DATE.fullmatch(line.strip())) and "tháng" in line.lower()


def split_bodies(org_lines: list[str]) -> tuple[str | None, str | None]:
    """(parent body, issuing body) from the upper-case lines at the top left.

    A line that starts with a level word (`TỈNH LAI CHÂU`) continues the line above it
    (`ỦY BAN NHÂN DÂN`): together they name one body.  Otherwise the first line is the
    parent body (`UBND TỈNH X`) and the rest the issuing body (`SỞ Y`).
    """
    lines = [ln.strip() for ln in org_lines if ln.strip()]
    if not lines:
        return None, None
    groups: list[str] = []
    for ln in lines:
        if groups and starts_with_level(ln) and not starts_with_level(groups[-1]):
            groups[-1] = f"{groups[-1]} {ln}"
        else:
            groups.append(ln)
    if len(groups) == 1:
        return None, groups[0]
    return groups[0], " ".join(groups[1:])
