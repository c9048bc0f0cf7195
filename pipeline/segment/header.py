"""The parts of a document around its body: header, title, closing, Nơi nhận and signature.

Nghị định 30/2020/NĐ-CP fixes where these sit: the issuing body top left, Quốc hiệu and Tiêu
ngữ top right, then `Số: …` and `<Place>, ngày … tháng … năm …` on one row; the document
type and title centred; at the end the *Nơi nhận* list bottom left and the signature block
bottom right.  Text extraction (OCR in particular) often merges the two columns of a row
into one line, so the helpers here split such lines before classifying them.

Everything works on plain strings; `pipeline.segment` wires the pieces together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.segment import names
from pipeline.vietnamese import skeleton

# --- header ---------------------------------------------------------------------------

_NATIONAL_SK = "cong hoa xa hoi chu nghia viet nam"
_MOTTO_SK = "doc lap - tu do - hanh phuc"

DOC_TYPES = (
    "KẾ HOẠCH",
    "QUYẾT ĐỊNH",
    "BÁO CÁO",
    "CHƯƠNG TRÌNH",
    "CHỈ THỊ",
    "HƯỚNG DẪN",
    "THÔNG BÁO",
    "TỜ TRÌNH",
    "NGHỊ QUYẾT",
    "KẾT LUẬN",
    "ĐỀ ÁN",
    "QUY CHẾ",
    "QUY ĐỊNH",
    "CÔNG VĂN",
    "GIẤY MỜI",
    "BIÊN BẢN",
    "PHƯƠNG ÁN",
    "THÔNG TƯ",
    "NGHỊ ĐỊNH",
)
_DOC_TYPE_SK = {skeleton(t): t for t in DOC_TYPES}

# `Số: 24 /KH-UBND`, `Số:83 /KH-UBND`; case-sensitive so that an issuing body such as
# `SỐ 1050/QĐ-SCT` (a team named after a decision) is not taken for the number line.  OCR
# misreads the `ố` (`Só:`, `Sô:`) or the capital (`số:`); those count only before a colon
# or a dot.
_SO = r"(?:Số|số(?=\s*:)|S[óôồổỏ](?=\s*[:.]))"
# Digits, a blank before the code, or junk where handwriting was (`Số: @# /CT-UBND`).
_NUMBER_LINE = re.compile(rf"^\s*{_SO}\s*[:.]?\s*(?=\S*\d|\s*[/⁄]|\S{{1,8}}\s*[/⁄]\s*[A-ZĐ])")
# The code itself: digits (possibly blank for a handwritten number) then /CODE-CODE, or a
# Party-style `12-HD/BTGTW`.
_NUMBER_CODE = re.compile(
    rf"^\s*{_SO}\s*[:.]?\s*(?P<code>[\w.]*\s*/\s*[\w\-–./Đđ&()]+|\d+[\w\-–]*(?:/[\w\-–()]+)*)",
)
# The number field and the code after it: `24 /KH-UBND`, `98/2023/NĐ-CP`, `12-HD/BTGTW`; the
# field is whatever stands before the code, so that junk OCR made of it can be seen.
_NUMBER_PARTS = re.compile(
    rf"^\s*{_SO}\s*[:.]?\s*(?P<field>.*?)\s*"
    r"(?P<code>(?:/\s*\d{4}\s*)?[/\-–]\s*[^\W\d_][\w\-–./()&]*)"
)
_PLACE_DATE = re.compile(
    r"(?P<place>[^\W\d_][^,\d]{1,50}),\s*ngày\b.*",
    re.IGNORECASE,
)
_LEVEL_WORDS = (
    "TỈNH",
    "THÀNH PHỐ",
    "HUYỆN",
    "QUẬN",
    "THỊ XÃ",
    "THỊ TRẤN",
    "XÃ",
    "PHƯỜNG",
    "ĐẶC KHU",
)
_LEVEL_SK = tuple(skeleton(w) for w in _LEVEL_WORDS)


def is_upper_line(line: str) -> bool:
    """True when every cased letter of the line is upper case (and it has some)."""
    letters = [ch for ch in line if ch.isalpha()]
    return bool(letters) and all(not ch.islower() for ch in letters)


def doc_type_of(line: str) -> str | None:
    """The document type named by a title line such as `KẾ HOẠCH` (None otherwise)."""
    bare = line.strip().strip("*:").strip()
    if not bare or not is_upper_line(bare):
        return None
    return _DOC_TYPE_SK.get(" ".join(skeleton(bare).split()))


def split_header_line(line: str) -> list[str]:
    """Split a line where OCR merged the header's left and right columns.

    `ĐẶC KHU CÁT HẢI Độc lập - Tự do - Hạnh phúc` → [`ĐẶC KHU CÁT HẢI`, `Độc lập - …`];
    `Số:83 /KH-UBND Cát Hải, ngày 24 …` → [`Số:83 /KH-UBND`, `Cát Hải, ngày 24 …`].
    """
    text = line.strip()
    if not text:
        return []
    sk = skeleton(text)
    for marker in (_MOTTO_SK, _NATIONAL_SK):
        pos = sk.find(marker)
        if pos > 0:
            # skeleton() keeps one character per base letter, so offsets line up with NFC text
            # unless the line holds decomposed characters; normalise defensively.
            head, tail = text[:pos].strip(), text[pos:].strip()
            return [*split_header_line(head), tail] if head else [tail]
    number = _NUMBER_CODE.match(text.translate(_SLASHES))
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


def is_number_line(line: str) -> bool:
    """`Số: 24 /KH-UBND` (also with the number left blank: `Số:    /BC-SNV`)."""
    return bool(_NUMBER_LINE.match(line))


def is_place_date_line(line: str) -> bool:
    """`Hải Phòng, ngày 26 tháng 01 năm 2026` (the day may be blank or handwritten)."""
    return bool(_PLACE_DATE.fullmatch(line.strip())) and "tháng" in line.lower()


_SLASHES = str.maketrans({"⁄": "/", "∕": "/", "／": "/"})


def _number_field(line: str) -> tuple[str, str] | None:
    """(number field, code) of a number line, the field stripped of dotted leaders."""
    match = _NUMBER_PARTS.match(line.translate(_SLASHES))
    if not match:
        return None
    return match.group("field").strip(" .…_"), match.group("code").strip().rstrip(".")


def number_code(line: str) -> str | None:
    """`Số: 24 /KH-UBND` → `24/KH-UBND` (spacing around the code kept; see `compact_number`).

    None when the number was left blank for a handwritten one (`Số:     /BC-SNV`) or when
    its digits are unreadable (`Số:ỗ7 /BC-UBND`, `Số: 31 ŵ§ /QĐ-UBND`): a number is an
    identifier, and a half-read one would silently point at another document.
    """
    parts = _number_field(line)
    if parts is None:
        return None
    field, code = parts
    if not re.fullmatch(r"\d{1,6}", field):
        return None
    return f"{field}{code}"


def number_state(line: str) -> str:
    """`ok`, `blank` (left for a handwritten number) or `unreadable` for a number line."""
    if number_code(line):
        return "ok"
    parts = _number_field(line)
    if parts is not None and not parts[0]:
        return "blank"
    return "unreadable"


def place_of(line: str) -> str | None:
    """`Hải Phòng, ngày 26 tháng 01 năm 2026` → `Hải Phòng`."""
    match = _PLACE_DATE.fullmatch(line.strip())
    return match.group("place").strip() if match else None


def starts_with_level(line: str) -> bool:
    """True for `THÀNH PHỐ HẢI PHÒNG`, `ĐẶC KHU CÁT HẢI` (a unit's level and name)."""
    sk = skeleton(line.strip())
    return any(sk == lv or sk.startswith(lv + " ") for lv in _LEVEL_SK)


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


# --- closing, Nơi nhận, signature ------------------------------------------------------

# Matched on skeleton() so that OCR'd `Noi nhén:` still counts (same length as the text).
_RECIPIENTS = re.compile(r"^\W*noi\s+nh[a-z]{1,2}n\b\s*[:.]?\s*")
_AUTHORITY = re.compile(r"^(?:TM|T/M|T\.M|KT|K/T|Q|TL|T/L|TUQ|Q\.\s*CHỦ)\s*[./]\s*\S", re.UNICODE)
_AUTHORITY_ANYWHERE = re.compile(r"(?:(?<=\s)|^)(?:TM|T/M|KT|TL|TUQ)\.\s*[A-ZĐÀ-Ỹ]")
_POSITION_WORDS = (
    "chu tich",
    "giam doc",
    "truong",
    "pho",
    "bi thu",
    "chanh",
    "thu truong",
    "tong",
    "cuc truong",
    "vu truong",
    "hieu truong",
    "thu tuong",
    "bo truong",
)
_CLOSING_OPENERS = re.compile(
    r"^(Trên đây|Trong quá trình|Quá trình|Để |Căn cứ nội dung|Nhận được|Yêu cầu|Đề nghị các|"
    r"(Ủy|Uỷ) ban nhân dân .{0,40}(yêu cầu|đề nghị)|UBND .{0,40}(yêu cầu|đề nghị))",
)
_SLASH_END = re.compile(r"(\./\.|/\.|\.\s*/|\s/)\s*[#.]*\s*$")


def is_recipients_line(line: str) -> bool:
    """`Nơi nhận:` (also OCR'd without diacritics, and with the signature column after it)."""
    return bool(_RECIPIENTS.match(skeleton(line.strip())))


def _strip_recipients_label(line: str) -> str:
    match = _RECIPIENTS.match(skeleton(line))
    return line[match.end() :] if match else line


def is_authority(line: str) -> bool:
    """`TM. ỦY BAN NHÂN DÂN`, `KT. CHỦ TỊCH`, `T/M. ĐOÀN KIỂM TRA`…"""
    return bool(_AUTHORITY.match(line.strip()))


_QUOTES = "*“”\"'‘’"


def _position_text(line: str) -> str | None:
    """The upper-case line when it starts with a position word (any number of words)."""
    text = line.strip().strip(_QUOTES).strip()
    if not text or not is_upper_line(text) or len(text.split()) > 6:
        return None
    return text if skeleton(text).startswith(_POSITION_WORDS) else None


def is_position(line: str) -> bool:
    """An upper-case position line such as `PHÓ CHỦ TỊCH` or `TRƯỞNG ĐOÀN`.

    A lone `TRƯỞNG` or `PHÓ` is the visible half of a position the seal covers: no position
    has a single word, so it is not taken for one.
    """
    text = _position_text(line)
    return text is not None and len(text.split()) >= 2


def is_person_name(line: str) -> bool:
    """A proper name on its own line: 2–5 capitalised syllables (`Vũ Tiến Phụng`), maybe
    after a rank (`Đại tá Lê Minh Khoa`)."""
    return names.parse_name(line) is not None


def is_closing_paragraph(text: str) -> bool:
    """A paragraph after the body that closes the document (`Trên đây là…`, `… ./.`)."""
    text = text.strip()
    return bool(_CLOSING_OPENERS.match(text)) or bool(_SLASH_END.search(text))


@dataclass
class Tail:
    """What follows the body: recipients and the signature column."""

    recipients: list[str] = field(default_factory=list)
    authority: list[str] = field(default_factory=list)
    position: str | None = None
    name: str | None = None
    notes: list[str] = field(default_factory=list)
    """Doubts worth a warning (a family name restored from OCR damage)."""


@dataclass
class _Candidate:
    name: names.PersonName
    position: str | None
    source: str
    """The line the name was read from."""


def _signature_fragment(piece: str, tail: Tail, found: list[_Candidate]) -> bool:
    """Classify one signature-column fragment; False when it is not one (junk is True)."""
    piece = piece.strip().strip("*").strip()
    if not piece:
        return True
    if is_authority(piece):
        tail.authority.append(" ".join(piece.split()))
        return True
    if is_position(piece):
        tail.position = " ".join(piece.split())
        return True
    if _position_text(piece):
        return True  # half a position (`TRƯỞNG`): signature noise, not a recipient
    name = names.parse_name(piece)
    if name is not None:
        found.append(_Candidate(name, tail.position, piece))
        return True
    return False


def _damaged_name(piece: str, tail: Tail, found: list[_Candidate], after_item: bool) -> bool:
    """A signer's name among the recipients, which OCR may have damaged (`uỳnh Thanh Bình`).

    Only a line that is not a `- ` item and follows a finished recipient (`…;`) counts, and
    only with a common family name first: wrapped recipient lines look like names too.  A
    misread first letter is repaired only once the signature column has begun.
    """
    text = piece.strip()
    if not text or text[0] in "-–+•" or not after_item:
        return False
    repair: names.Repair = "misread" if (tail.position or tail.authority) else "suffix"
    name = names.parse_name(text, strict=True, repair=repair)
    if name is None:
        return False
    found.append(_Candidate(name, tail.position, text))
    return True


def _is_junk(piece: str) -> bool:
    """Stamp and signature noise from scans: `o K . A`, `[’`."""
    letters = sum(ch.isalpha() for ch in piece)
    words = piece.split()
    return letters < 4 or (len(words) >= 2 and all(len(w) <= 2 for w in words))


def _after_item(recipients: list[str]) -> bool:
    return not recipients or recipients[-1].endswith((";", ".", ":", ")"))


def parse_tail(lines: list[str]) -> Tail:
    """Recipients and signature from the lines that follow the body.

    Scanned pages interleave both columns (`Nơi nhận: TM. ỦY BAN NHÂN DÂN`,
    `- Thường trực HĐND đặc khu; CHỦ TỊCH`): the text after a recipient's closing `;` is
    the signature column's fragment of that row.
    """
    tail = Tail()
    found: list[_Candidate] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if is_recipients_line(line):
            line = _strip_recipients_label(line)
            if not line:
                continue
        if _signature_fragment(line, tail, found) or _damaged_name(
            line, tail, found, _after_item(tail.recipients)
        ):
            continue
        if (tail.position or tail.authority) and line[0] not in "-–+•" and _is_junk(line):
            continue  # seal and signature strokes read as text (`: % i`), not a recipient
        recipient, fragment = line, ""
        match = _AUTHORITY_ANYWHERE.search(line)
        if match and match.start() > 0:
            recipient, fragment = line[: match.start()], line[match.start() :]
        elif ";" in line:
            head, _, rest = line.rpartition(";")
            if rest.strip():
                recipient, fragment = head + ";", rest
        if (
            fragment
            and not _signature_fragment(fragment, tail, found)
            and not _damaged_name(fragment, tail, found, True)
            and not _is_junk(fragment)
        ):
            recipient = line  # not a signature fragment after all: keep the line whole
        _add_recipient(tail.recipients, recipient.strip())
    _choose_name(tail, found)
    return tail


def _choose_name(tail: Tail, found: list[_Candidate]) -> None:
    """The last clean name wins; a repaired one only when there is no other."""
    clean = [c for c in found if not c.name.repaired]
    if not found:
        return
    best = (clean or found)[-1]
    tail.name = best.name.name
    tail.position = best.position or tail.position
    if best.name.repaired:
        tail.notes.append(
            f"signer's family name restored from OCR damage: {best.source!r} → {tail.name}"
        )


def find_signer(lines: list[str], window: int = 6) -> names.PersonName | None:
    """A signer's name among the last `window` non-blank lines when no signature block was
    recognised (the `Nơi nhận` label and the authority lines lost to OCR).

    Only strong evidence counts: a rank before a common family name (`Đại tá Lê Minh Khoa`),
    or a three- or four-syllable name right under a position line.
    """
    texts = [ln.strip() for ln in lines if ln.strip()][-window:]
    for i in range(len(texts) - 1, -1, -1):
        name = names.parse_name(texts[i], strict=True)
        if name is None:
            continue
        if name.rank or (i > 0 and (is_position(texts[i - 1]) or is_authority(texts[i - 1]))):
            return name
    return None


def _add_recipient(recipients: list[str], line: str) -> None:
    if not line:
        return
    bulleted = line[0] in "-–+•"
    # `Lưu: VT, N.T.P.Thảo. #`: a stray mark left by conversion at the end of the line.
    item = re.sub(r"\s+[#*]+$", "", line.lstrip("-–+• ").strip())
    if not any(ch.isalnum() for ch in item):
        return  # a rule or a stroke (`—`, `_`) left by the scan
    previous = recipients[-1] if recipients else ""
    if not bulleted and previous and not previous.endswith((";", ".", ":", ")")):
        recipients[-1] = f"{previous} {item}"  # a wrapped recipient line
    else:
        recipients.append(item)


def title_case_position(text: str) -> str:
    """`PHÓ CHỦ TỊCH` → `Phó Chủ tịch`; `GIÁM ĐỐC` → `Giám đốc` (administrative style)."""
    words = " ".join(text.split()).lower().split()
    if not words:
        return text
    out: list[str] = []
    capitalise_next = True
    for w in words:
        out.append(w[:1].upper() + w[1:] if capitalise_next else w)
        # `Phó` is followed by the office, which is capitalised in turn (Phó Chủ tịch).
        capitalise_next = w == "phó"
    return " ".join(out)
