"""Document metadata from the layout: type, number, issuer, place, date, title, signer.

Segmentation hands over raw header strings (`Số: 24 /KH-UBND`, `ỦY BAN NHÂN DÂN` /
`THÀNH PHỐ HẢI PHÒNG`); this module interprets them.  Upper-case header words are given in
normal case, using the document's own spelling where the body spells the same name.  Where
the header names no issuing body (the Hải Phòng sample has none), the issuer is inferred
from the number's suffix (`KH-UBND`), the signature authority (`TM. ỦY BAN NHÂN DÂN`) and
the place, and a warning says so.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter

from pipeline.document import Layout, Metadata, Period
from pipeline.extract.capitals import repair_capitals, split_glued_levels
from pipeline.extract.dates import NGAY, iter_dates, make_date
from pipeline.extract.periods import find_periods, parse_period
from pipeline.extract.places import correct_issuer, correct_place, correct_places
from pipeline.extract.signing import find_signature_stamp
from pipeline.vietnamese import (
    canonical_tones,
    compact_number,
    is_syllable,
    is_upper_line,
    nfc,
    skeleton,
)
from pipeline.vocabulary import (
    ADMIN_LEVEL_SK,
    ADMIN_LEVELS,
    CENTRAL_CITIES,
    FIELD_NAMES,
    LETTER_TYPE,
    NUMBER_LABEL,
    ORGANISATION_NAMES,
    PARTY_ORGANS,
    PARTY_WORD,
    PLACE_DATE,
    POSITION_WORDS,
    SLASHES,
    starts_with_level,
)

LEVELS = ADMIN_LEVELS
"""Administrative levels that precede a place name (`thành phố Hải Phòng`)."""

# The number field and the code after it: `24 /KH-UBND`, `98/2023/NĐ-CP`, `12-HD/BTGTW`; the
# field is whatever stands before the code, so that junk OCR made of it can be seen.
_NUMBER_PARTS = re.compile(
    rf"^\s*{NUMBER_LABEL}\s*[:.]?\s*(?P<field>.*?)\s*"
    r"(?P<code>(?:/\s*\d{4}\s*)?[/\-–]\s*[^\W\d_][\w\-–./()&]*)"
)


def _number_field(line: str) -> tuple[str, str] | None:
    """(number field, code) of a number line, the field stripped of dotted leaders."""
    match = _NUMBER_PARTS.match(line.translate(SLASHES))
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


def printed_number(line: str) -> str | None:
    """The part of a number that is printed when its digits are not (`/BC-SNV`)."""
    parts = _number_field(line)
    return compact_number(parts[1]) if parts else None


def place_of(line: str) -> str | None:
    """`Hải Phòng, ngày 26 tháng 01 năm 2026` → `Hải Phòng`."""
    match = PLACE_DATE.fullmatch(line.strip())
    return match.group("place").strip() if match else None


def title_case_position(text: str) -> str:
    """`PHÓ CHỦ TỊCH` → `Phó Chủ tịch`; `GIÁM ĐỐC` → `Giám đốc` (administrative style).

    An abbreviation (`TRƯỞNG PHÒNG CTSV`: a word that is no Vietnamese syllable) keeps its
    capitals.
    """
    printed = " ".join(text.split()).split()
    words = [w.lower() for w in printed]
    if not words:
        return text
    out: list[str] = []
    capitalise_next = True
    for w, raw in zip(words, printed, strict=True):
        if raw.isupper() and len(raw) > 1 and not is_syllable(w):
            out.append(raw)
        else:
            out.append(w[:1].upper() + w[1:] if capitalise_next else w)
        # `Phó` is followed by the office, which is capitalised in turn (Phó Chủ tịch).
        capitalise_next = w == "phó"
    return " ".join(out)


def _is_position(text: str) -> bool:
    return is_upper_line(text) and skeleton(text).startswith(POSITION_WORDS)


SUFFIX_BODIES = {"UBND": "Ủy ban nhân dân", "HĐND": "Hội đồng nhân dân"}
"""Issuing-body codes at the end of a document number (`24/KH-UBND`)."""

_AUTHORITY_PREFIX = re.compile(r"^(?:TM|T/M|T\.M)\s*[./\s]\s*", re.IGNORECASE)


def normal_case(phrase: str, body: str = "") -> str:
    """An upper-case name in normal case: `ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG` →
    `Ủy ban nhân dân thành phố Hải Phòng`.

    The body's own spelling is used when it writes the same words with a capital first
    letter (`Sở Y tế`); otherwise the words are lower-cased, the first one capitalised and
    the words after a level word (`tỉnh`, `thành phố`…) capitalised as a place name.
    """
    phrase = " ".join(phrase.split())
    if not phrase:
        return phrase
    if body:
        words = canonical_tones(nfc(phrase)).split()
        pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)", re.I)
        haystack = canonical_tones(nfc(body))
        for match in pattern.finditer(haystack):
            found = " ".join(nfc(body)[match.start() : match.end()].split())
            if found[:1].isupper() and not is_upper_line(found):
                return found
    return _rule_case(phrase)


def _rule_case(phrase: str) -> str:
    original = phrase.split()
    # Codes keep their case (`1050/QĐ-SCT`); everything else is lower-cased first.
    words = [w if any(ch.isdigit() for ch in w) else w.lower() for w in original]
    out: list[str] = []
    place = False
    i = 0
    while i < len(words):
        two = " ".join(words[i : i + 2])
        if not place and two in LEVELS and i > 0:
            out.extend(words[i : i + 2])
            i, place = i + 2, True
            continue
        if not place and words[i] in LEVELS and i > 0:
            out.append(words[i])
            i, place = i + 1, True
            continue
        word = words[i]
        out.append(word[:1].upper() + word[1:] if place or i == 0 else word)
        i += 1
    return " ".join(out)


def _level_of(place: str, body: str) -> str:
    """The level the body gives `place` (`thành phố Hải Phòng`), most frequent first."""
    counts: Counter[str] = Counter()
    haystack = canonical_tones(nfc(body)).lower()
    target = canonical_tones(nfc(place)).lower()
    for level in LEVELS:
        counts[level] = len(re.findall(rf"(?<!\w){level}\s+{re.escape(target)}(?!\w)", haystack))
    level, count = counts.most_common(1)[0]
    if count:
        return level
    return "thành phố" if target in CENTRAL_CITIES else "tỉnh"


_PLACE_LEVEL = re.compile(
    r"^(?P<level>TP\.?|Thành phố|Tỉnh|Đặc khu|Xã|Phường|Huyện|Quận|Thị xã)\s+(?P<name>\S.*)$",
    re.IGNORECASE,
)


def _locality_of(place: str, body: str) -> str:
    """`Hải Phòng` → `thành phố Hải Phòng`; `TP. Hồ Chí Minh` → `thành phố Hồ Chí Minh`."""
    match = _PLACE_LEVEL.match(place.strip())
    if match:
        level = match.group("level").lower()
        level = "thành phố" if level.startswith("tp") else level
        return f"{level} {match.group('name').strip()}"
    return f"{_level_of(place, body)} {place}"


def _org_from_authority(authority: list[str]) -> str | None:
    """`TM. ỦY BAN NHÂN DÂN` → `ỦY BAN NHÂN DÂN` (the collective the signer acts for)."""
    for line in authority:
        if _AUTHORITY_PREFIX.match(line):
            return _AUTHORITY_PREFIX.sub("", line).strip() or None
    return None


def _org_from_number(number: str | None) -> str | None:
    if not number or "-" not in number:
        return None
    suffix = number.rsplit("-", 1)[-1].upper()
    return SUFFIX_BODIES.get(suffix)


def _doc_year_hint(title: str | None) -> int | None:
    match = re.search(r"năm\s+(\d{4})", title or "", re.IGNORECASE)
    return int(match.group(1)) if match else None


def document_year(meta: Metadata) -> int | None:
    """The year a plan is about: `năm 2026` in its title, else the year it was issued."""
    hint = _doc_year_hint(meta.title)
    if hint:
        return hint
    return meta.issue_date.year if meta.issue_date else None


_DEPUTY = re.compile(r"^(?:KT|K/T)\s*[./]\s*(?P<head>.+)$")


def deputy_position(authority: list[str]) -> str | None:
    """The signer's position implied by a `KT.` (ký thay) line when the position line itself
    was lost: the deputy signs for the head, so `KT. CHỦ TỊCH` → `Phó Chủ tịch` and
    `KT. BỘ TRƯỞNG` → `Thứ trưởng` (Nghị định 30/2020/NĐ-CP, the deputy's title)."""
    for line in reversed(authority):
        match = _DEPUTY.match(line.strip())
        if not match:
            continue
        head = match.group("head").strip(" -–.:;,")
        if not _is_position(head) or skeleton(head).startswith("pho"):
            return None
        if skeleton(head) == "bo truong":
            return "Thứ trưởng"
        return title_case_position(f"PHÓ {head}")
    return None


# `ngày(4 tháng 10 năm 2025`, `ngày l6 tháng O3 …`: the day and month as OCR left them.
MAX_DATE_PART_TOKENS = 3
"""Tokens a day or month may span in a damaged header date: the digits with a stray mark
standing alone on each side (`.) 27 {`); more is a line that is not a date."""
_PART = rf"[^\s]{{1,4}}?(?:\s+[^\s]{{1,4}}?){{0,{MAX_DATE_PART_TOKENS - 1}}}"
_HEADER_DATE = re.compile(
    rf"ngày\s*(?P<d>{_PART})\s*tháng\s*(?P<m>{_PART})\s*năm\s*(?P<y>\d{{4}})(?!\d)",
    re.IGNORECASE,
)
# Letters that OCR reads for printed digits; a handwritten digit read as junk (`Ê@`, `7Ŕ`,
# `¥%`) maps to nothing and the date is left empty.
_DIGIT_LOOKALIKES = str.maketrans({"l": "1", "I": "1", "|": "1", "O": "0", "o": "0"})
_STRAY = "()[]{},.;:'\"‘’“”`"


_DAY_WORD = re.compile(rf"\b{NGAY}", re.IGNORECASE)


def header_date(line: str) -> dt.date | None:
    """The date of a `<Place>, ngày … tháng … năm …` line, or None.

    The day is the one right after `ngày` (marks between them aside): in `ngày 2 7 tháng 8
    năm 2025` (a written 27 read as two digits) the date phrase `7 tháng 8 năm 2025` is not
    the document's date."""
    found = iter_dates(line)
    if not found:
        return None
    start, _end, date = found[0]
    words = [w for w in _DAY_WORD.finditer(line) if w.start() <= start]
    gap = line[words[-1].end() : start] if words else ""
    return None if any(ch.isalnum() for ch in gap) else date


def damaged_header_date(line: str) -> dt.date | None:
    """The issue date of a header line whose day or month digits OCR damaged, or None.

    A part counts only when, once stray punctuation is dropped (also punctuation standing
    alone, as a stamp's or a pen's marks read: `ngày.) 27 {tháng 8`) and look-alike letters
    are read as digits, it is one token of one or two digits — and the three parts must
    form a real date.
    """
    match = _HEADER_DATE.search(line)
    if not match:
        return None
    parts = []
    for key in ("d", "m"):
        tokens = [t.strip(_STRAY) for t in match.group(key).split()]
        tokens = [t.translate(_DIGIT_LOOKALIKES) for t in tokens if t]
        if len(tokens) != 1 or not re.fullmatch(r"\d{1,2}", tokens[0]):
            return None  # `2 7` is two readings, not the day 27
        parts.append(tokens[0])
    return make_date(match.group("y"), parts[1], parts[0])


_AUTHORITY_CODE = re.compile(r"^(?P<code>T\s*/?\s*M|K\s*/?\s*T|TUQ|T\s*/?\s*L|Q)\s*[./\s]", re.I)
_COMMITTEE = re.compile(
    r"^(?P<head>(?:tỉnh|thành|huyện|quận|thị|đảng)\s+(?:ủy|uỷ))(?:\s+(?P<place>.+))?$", re.I
)
_ABBREVIATED_BODIES = {"UBND": "Ủy ban nhân dân", "HĐND": "Hội đồng nhân dân"}


def signer_authority(authority: list[str]) -> str | None:
    """The authority lines above the position, as printed, joined with `; `:
    `TM. ỦY BAN NHÂN DÂN; KT. CHỦ TỊCH`, `T/M BAN CHẤP HÀNH`."""
    lines = [" ".join(line.split()) for line in authority if _AUTHORITY_CODE.match(line.strip())]
    return "; ".join(lines) or None


def _expand_abbreviation(name: str) -> str:
    """`UBND tỉnh Đồng Tháp` → `Ủy ban nhân dân tỉnh Đồng Tháp` (as in running text)."""
    head, _, rest = name.partition(" ")
    full = _ABBREVIATED_BODIES.get(head.upper())
    return f"{full} {rest}".strip() if full else name


_FIELD_HEAD = re.compile(r"^(?P<head>Sở|Phòng|Chi cục|Cục|Ban)\s+(?P<rest>\S.*)$")
_FIELD_NAMES = sorted(FIELD_NAMES, key=len, reverse=True)
_EXECUTIVE = re.compile(
    r"^(?:BCH|Ban chấp hành)\s+(?P<org>đoàn|hội|công đoàn)(?P<rest>\s.*|)$", re.I
)
"""`BCH ĐOÀN XÃ NAM ĐÀN`: the executive committee of a Youth Union, an association."""


def _field_case(name: str) -> str:
    """`Sở nông nghiệp và môi trường` → `Sở Nông nghiệp và Môi trường` (`FIELD_NAMES`);
    `Bch đoàn xã Nam Đàn` → `Ban Chấp hành Đoàn xã Nam Đàn`.  Other names are unchanged."""
    if m := _EXECUTIVE.match(name):
        return f"Ban Chấp hành {m['org'][:1].upper()}{m['org'][1:].lower()}{m['rest']}"
    name = _MTTQ.sub("Mặt trận Tổ quốc", name)
    for org in ORGANISATION_NAMES:
        if _starts_with(name, org):
            return org + name[len(org) :]
    m = _FIELD_HEAD.match(name)
    if m is None:
        return name
    rest = canonical_tones(m["rest"])
    for field in _FIELD_NAMES:
        if _starts_with(rest, field):
            return f"{m['head']} {field}{rest[len(field) :]}"
    return name


_MTTQ = re.compile(r"(?<!\w)MTTQ(?!\w)", re.I)


def _starts_with(text: str, name: str) -> bool:
    """`text` opens with the words of `name` (any case), a whole word at its end."""
    return text.lower().startswith(name.lower()) and (
        len(text) == len(name) or not text[len(name)].isalnum()
    )


def body_name(upper: str, body: str = "") -> str:
    """An issuer-block line as written in running text, in the canonical spelling.

    `TỈNH UỶ LÀO CAI` → `Tỉnh ủy Lào Cai` (a Party committee and its place);
    `UBND TỈNH ĐỒNG THÁP` → `Ủy ban nhân dân tỉnh Đồng Tháp`; `BAN CHẤP HÀNH TRUNG ƯƠNG` →
    `Ban Chấp hành Trung ương` (a standing body before the unit it belongs to); otherwise
    `normal_case`.
    """
    text = " ".join(upper.split())
    words = text.split()
    for size in (3, 2):
        if len(words) > size and (standing := _standing_body(" ".join(words[:size]))):
            return f"{standing} {body_name(' '.join(words[size:]), body)}"
    if match := _COMMITTEE.match(canonical_tones(text)):
        head = match.group("head").lower()
        place = match.group("place")
        name = head[:1].upper() + head[1:]
        if place:
            # `ĐẢNG ỦY XÃ BẢO THẮNG` → `Đảng ủy xã Bảo Thắng`: the level word stays lower case.
            words = place.split()
            if (
                skeleton(words[0].lower()) in ADMIN_LEVEL_SK
                or skeleton(" ".join(words[:2]).lower()) in ADMIN_LEVEL_SK
            ):
                name += " " + _rule_case("X " + place).split(" ", 1)[1]
            else:
                name += " " + " ".join(w[:1].upper() + w[1:].lower() for w in words)
        return canonical_tones(name)
    return _field_case(canonical_tones(_expand_abbreviation(normal_case(text, body))))


def _block_locality(parent: str | None) -> str | None:
    """The place a block's parent line names from its level word: `UBND TỈNH TUYÊN QUANG`
    → `tỉnh Tuyên Quang`; `ĐẢNG BỘ TỈNH LÀO CAI` → `tỉnh Lào Cai`."""
    if not parent:
        return None
    words = parent.split()
    sk = [skeleton(w) for w in words]
    for i in range(1, len(words)):
        for level in LEVELS:
            size = len(level.split())
            if " ".join(sk[i : i + size]) == skeleton(level) and len(words) > i + size:
                return _rule_case("X " + " ".join(words[i:])).split(" ", 1)[1]
    return None


_QUALIFYING_LEVELS = ("tinh", "thanh")
"""Only a province or a city qualifies an issuer (`Sở Y tế tỉnh Quảng Trị`)."""


_STANDING_BODIES = {
    "ban thuong vu": "Ban Thường vụ",
    "ban thuong truc": "Ban Thường trực",
    "ban chap hanh": "Ban Chấp hành",
    "thuong truc": "Thường trực",
}
"""`BAN THƯỜNG VỤ` under `HỘI NÔNG DÂN TỈNH AN GIANG`: a standing body that names no
organisation of its own — it is the parent's (`Ban Thường vụ Hội Nông dân tỉnh An Giang`)."""


def _standing_body(issuing: str) -> str | None:
    """The running-text name of a bare standing-body line, or None for any other line."""
    return _STANDING_BODIES.get(" ".join(skeleton(issuing).lower().split()))


MAX_COMMITTEE_WORDS = 5
"""Words after a Party organ's name that may still name its committee (`Văn phòng Tỉnh ủy
Lào Cai`); longer runs are a sentence."""

_PARTY_COMMITTEE_SK = ("ban chap hanh", "tinh uy", "thanh uy", "huyen uy", "quan uy", "dang uy")
"""Skeletons of a Party committee line (`BAN CHẤP HÀNH TRUNG ƯƠNG`, `TỈNH ỦY LÀO CAI`)."""


def party_organ_name(issuing: str, parent: str | None, body: str) -> str | None:
    """A bare Party organ under its committee, named as the body names it: `VĂN PHÒNG`
    under `BAN CHẤP HÀNH TRUNG ƯƠNG` with `Văn phòng Trung ương Đảng` in the body → that.

    The words after the organ must all be the committee's own (or `Đảng`): the longest such
    run the body writes, most frequent first.  None when the line is no bare organ, the
    parent no Party committee, or the body never names the organ in full.
    """
    if not parent or not any(c in skeleton(parent) for c in _PARTY_COMMITTEE_SK):
        return None
    organ = next(
        (o for o in PARTY_ORGANS if skeleton(o) == " ".join(skeleton(issuing).split())), None
    )
    if organ is None:
        return None
    allowed = set(skeleton(parent).split()) | {skeleton(PARTY_WORD)}
    runs: Counter[str] = Counter()
    text = canonical_tones(nfc(body))
    for match in re.finditer(r"(?<!\w)" + re.escape(organ) + r"\s+", text):
        words: list[str] = []
        for token in text[match.end() :].split()[:MAX_COMMITTEE_WORDS]:
            word = token.strip(".,;:()")
            if not word or skeleton(word) not in allowed or not (words or word[0].isupper()):
                break
            words.append(word)
            if word != token:
                break  # punctuation ends the name
        if words:
            runs[" ".join(words)] += 1
    if not runs:
        return None
    best = max(runs, key=lambda run: (len(run.split()), runs[run]))
    return f"{organ} {best}"


def qualified_issuer(issuing: str, parent: str | None, body: str) -> str:
    """The issuer qualified by the province or city its block gives: `SỞ NÔNG NGHIỆP VÀ MÔI
    TRƯỜNG` under `UBND TỈNH TUYÊN QUANG` → `Sở Nông nghiệp và Môi trường tỉnh Tuyên
    Quang`; `TỈNH ỦY` under `ĐẢNG BỘ TỈNH LÀO CAI` → `Tỉnh ủy Lào Cai`; a Party organ as the
    body names it (`party_organ_name`).  An issuer that names a place of its own keeps it
    alone."""
    if parent and (standing := _standing_body(issuing)):
        return f"{standing} {body_name(parent, body)}"
    if organ := party_organ_name(issuing, parent, body):
        return organ
    name = body_name(issuing, body)
    locality = _block_locality(parent)
    if locality and skeleton(locality).split()[0] not in _QUALIFYING_LEVELS:
        locality = None  # a school under `UBND PHƯỜNG X` is not `Trường … phường X`
    if not locality or _names_a_place(name):
        return name
    if _COMMITTEE.match(name):
        return f"{name} {locality.split(' ', 1)[1] if ' ' in locality else locality}"
    return f"{name} {locality[:1].lower()}{locality[1:]}"


def _names_a_place(name: str) -> bool:
    """True when the name holds a level word (`… tỉnh Tuyên Quang`, `Đảng ủy xã Bảo Hà`).

    Compared with tone marks: `quản` in `Ban Quản lý` is not the level `quận`."""
    marked = " " + " ".join(unicodedata.normalize("NFC", name).lower().split()) + " "
    committee = _COMMITTEE.match(name)
    return any(f" {level} " in marked for level in LEVELS) and not (
        committee and not committee.group("place")
    )


def _read_number(layout: Layout, meta: Metadata, warnings: list[str]) -> None:
    """`number` and `number_complete` from the number line (the printed part when the
    digits are blank or unreadable, never a guess)."""
    line = layout.number_line
    code = number_code(line) if line else None
    meta.number = compact_number(code) if code else None
    if meta.number is not None:
        return
    if line is None:
        warnings.append("no document number (Số: …) found in the header")
        return
    meta.number = printed_number(line)
    meta.number_complete = False
    if number_state(line) == "blank":
        warnings.append(f"the document number is blank: {line!r}")
    else:
        warnings.append(
            "the document number is unreadable (handwritten or damaged digits), "
            f"only its printed part kept: {line!r}"
        )


def _read_place_date(layout: Layout, meta: Metadata, warnings: list[str]) -> None:
    """`place` and `issue_date` from the `<Place>, ngày … tháng … năm …` line."""
    line = layout.place_date_line
    if not line:
        warnings.append("no issue date (<Place>, ngày … tháng … năm …) found in the header")
        return
    meta.place = place_of(line)
    meta.issue_date = header_date(line)
    if meta.issue_date is None:
        meta.issue_date = damaged_header_date(line)
        if meta.issue_date is not None:
            warnings.append(
                f"issue date read from OCR-damaged digits: {line!r} → {meta.issue_date.isoformat()}"
            )
    if meta.issue_date is None:
        warnings.append(
            "the issue date is unreadable (handwritten or damaged day or month), left empty: "
            f"{line!r}"
        )


def _read_signer(layout: Layout, meta: Metadata, warnings: list[str]) -> None:
    """`signer`, `signer_position` and `signer_authority` from the signature block."""
    meta.signer = layout.signature.name
    meta.signer_authority = signer_authority(layout.signature.authority)
    if layout.signature.position:
        meta.signer_position = title_case_position(layout.signature.position)
    elif deputy := deputy_position(layout.signature.authority):
        meta.signer_position = deputy
        warnings.append(f"signer position inferred from the `KT.` line: {deputy}")


def _infer_issuer(layout: Layout, meta: Metadata, body: str, warnings: list[str]) -> None:
    """The issuer when the block names only a place (`ĐẶC KHU CÁT HẢI`) or nothing: the
    signature authority or the number's suffix names the body, the block or place line
    its locality; a warning says so."""
    issuing = layout.issuing_body
    org_upper = _org_from_authority(layout.signature.authority)
    org = normal_case(org_upper) if org_upper else _org_from_number(meta.number)
    if issuing:  # `ĐẶC KHU CÁT HẢI`: the header names the place, the signature the body
        locality = _rule_case(f"X {issuing}").split(" ", 1)[1]
        locality = locality[:1].lower() + locality[1:]
    elif meta.place:
        locality = _locality_of(meta.place, body)
    else:
        locality = ""
    if not org:
        return
    meta.issuer = canonical_tones(f"{org} {locality}".strip())
    meta.issuer_inferred = True
    sources = [
        s
        for s, used in (
            ("the number's suffix", _org_from_number(meta.number) is not None),
            ("the signature authority", bool(org_upper)),
            ("the header's place line" if issuing else "the place", bool(locality)),
        )
        if used
    ]
    warnings.append(f"issuer inferred from {', '.join(sources)}: {meta.issuer}")


PLAN_TYPES = ("Kế hoạch", "Chương trình hành động", "Chương trình", "Đề án", "Phương án")
"""Types whose title names the window they cover (`Kế hoạch … năm 2026`)."""

_TIME_HEADING = re.compile(r"^thoi gian( thuc hien| trien khai)?\b")
_RUN_TIME_HEADING = re.compile(r"^thoi gian (thuc hien|trien khai|to chuc)\b")
"""`Thời gian thực hiện`, `Thời gian tổ chức phong trào thi đua`: the time the plan itself
runs, wherever its item stands; other `Thời gian …` items (`Thời gian trình khen thưởng`)
count only under a part about purposes or time, and after these."""
_WINDOW_PARENT = re.compile(r"thoi gian|^(muc dich|muc tieu|yeu cau)")
_FROM_NOW = re.compile(r"(?:kể\s+)?từ\s+(?:nay|ngày\s+(?:ban\s+hành|ký))\s+(?=đến|tới)", re.I)
_MARKER = re.compile(r"^\s*(?:[\dIVXLC]+(?:\.\d+)*[.)]|[a-zđ]\)|[-+•])\s*")


def _window_texts(layout: Layout, plan: bool = True) -> list[str]:
    """Texts that may state the plan's window, in order: a `THỜI GIAN THỰC HIỆN` part, a
    `Thời gian thực hiện: …` item under a part about purposes or time, a preamble line.

    Not a plan (`plan=False`: a notice, report, letter): only the time the document's own
    work runs (`Thời gian thực hiện`, `… triển khai`, `… tổ chức`); `1. Thời gian tiếp nhận hồ
    sơ` in a notice is what it reports on, not a window it covers."""
    found: list[str] = []
    weaker: list[str] = []
    for part in layout.sections:
        if part.kind == "appendix":
            continue
        candidates = [(part, None), *((child, part) for child in part.children)]
        for node, parent in candidates:
            heading = _MARKER.sub("", node.heading)
            if not _TIME_HEADING.match(skeleton(heading)):
                continue
            runs = _RUN_TIME_HEADING.match(skeleton(heading)) is not None
            if not plan and not runs:
                continue
            strong = parent is None or runs
            if not strong and not _WINDOW_PARENT.search(skeleton(_MARKER.sub("", parent.heading))):
                continue
            value = heading.partition(":")[2].strip() or node.text
            if not value and node.children:
                value = node.children[0].heading
            (found if strong else weaker).append(value)
    found += weaker
    found += [p.partition(":")[2] for p in layout.preamble if _TIME_HEADING.match(skeleton(p))]
    return [text for text in found if text.strip()]


def plan_period(layout: Layout, meta: Metadata, year: int | None) -> Period | None:
    """The window the whole plan covers (CONVENTIONS.md, Metadata `plan_period`).

    A printed `Thời gian thực hiện: …` at plan level wins (`từ nay đến hết năm 2026` starts
    on the issue date); else, for a plan, the period its title names (`… năm 2026`, `giai
    đoạn 2026 - 2030`, `năm học 2026 - 2027`); else None.
    """
    for text in _window_texts(layout, plan=meta.doc_type in PLAN_TYPES):
        period = parse_period(text, year)
        if period is None or not (period.start or period.end):
            continue
        if (now := _FROM_NOW.search(text)) and period.start is None and meta.issue_date:
            end = text.find(period.label, now.start())
            label = text[now.start() : end + len(period.label)] if end >= 0 else period.label
            return Period(label=" ".join(label.split()), start=meta.issue_date, end=period.end)
        return period
    if meta.doc_type in PLAN_TYPES and layout.title:
        found = [p for p in find_periods(layout.title, year) if p.start and p.end]
        if found and not _HORIZON.search(skeleton(found[0].label)):
            return found[0]
    return None


_HORIZON = re.compile(r"^(den|toi) ")
"""`… đến năm 2030` in a title is a target horizon, not the window the plan runs."""


def _ocr_capitals_repaired(layout: Layout, warnings: list[str]) -> Layout:
    """A copy of `layout` whose upper-case header and signature lines have the stacked
    marks OCR dropped restored (`capitals.repair_capitals`: `ĐÔNG THỜI` → `ĐỒNG THỜI`)."""
    fields = {name: getattr(layout, name) for name in ("issuing_body", "parent_body", "title")}
    fields["position"] = layout.signature.position
    fixed = {
        name: repair_capitals(split_glued_levels(value)) if value else value
        for name, value in fields.items()
    }
    for name, value in fields.items():
        if fixed[name] != value:
            warnings.append(
                f"OCR slips in capitals repaired (a dropped mark or space): {value!r} → {fixed[name]!r}"
            )
    signature = layout.signature.model_copy(update={"position": fixed.pop("position")})
    return layout.model_copy(update={**fixed, "signature": signature})


def extract_metadata(layout: Layout, body: str, ocr: bool = False) -> tuple[Metadata, list[str]]:
    """Metadata and warnings from the layout (`body` supplies the document's spellings;
    `ocr`: the text was read from images, so capitals may have lost stacked marks)."""
    warnings: list[str] = []
    if ocr:
        layout = _ocr_capitals_repaired(layout, warnings)
    meta = Metadata()
    if layout.doc_type:
        meta.doc_type = layout.doc_type[:1] + layout.doc_type[1:].lower()
    elif layout.subject_line and layout.number_line:
        meta.doc_type = LETTER_TYPE  # `Số: …/UBND-VX` and `V/v …` without a type heading
    _read_number(layout, meta, warnings)
    _read_place_date(layout, meta, warnings)
    if meta.place:  # before an issuer is inferred from it (`Hài Phòng` → thành phố Hải Phòng)
        meta.place = correct_place(meta.place)
    meta.title = layout.title
    _read_signer(layout, meta, warnings)
    issuing = layout.issuing_body
    if issuing and not starts_with_level(issuing):
        meta.issuer = qualified_issuer(issuing, layout.parent_body, body)
        if layout.parent_body:
            meta.issuer_parent = body_name(layout.parent_body, body)
    else:
        _infer_issuer(layout, meta, body, warnings)
    _correct_place_names(meta)
    _canonical_spelling(meta)
    _read_signature_stamp(body, meta, warnings, layout.place_date_line)
    meta.plan_period = plan_period(layout, meta, document_year(meta))
    return meta, warnings


SPELLED_FIELDS = ("title", "issuer", "issuer_parent", "place", "signer", "signer_position")
"""Metadata text fields written in the one canonical spelling (CONVENTIONS.md: `Ủy`,
`hóa`, single spaces), so that they group in a table; the body keeps the document's own."""


def _canonical_spelling(meta: Metadata) -> None:
    """`SPELLED_FIELDS` in NFC, old-style tone placement and single spaces."""
    for name in SPELLED_FIELDS:
        value = getattr(meta, name)
        if value:
            setattr(meta, name, canonical_tones(nfc(" ".join(value.split()))))


def _correct_place_names(meta: Metadata) -> None:
    """Place names in metadata spelt as the gazetteer spells them (`Lâm Đông` → `Lâm Đồng`)."""
    if meta.place:
        meta.place = correct_place(meta.place)
    if meta.issuer:
        meta.issuer = correct_issuer(meta.issuer)
    if meta.issuer_parent:
        meta.issuer_parent = correct_places(meta.issuer_parent)


_PRINTED_MONTH = re.compile(r"tháng\s*(?P<m>\d{1,2})\b", re.I)
_PRINTED_YEAR = re.compile(r"năm\s*(?P<y>\d{4})\b", re.I)


def stamp_agrees(printed: str | None, signed: dt.date) -> bool:
    """Whether a stamp's date agrees with what the printed date line still shows: the month
    and year that can be read must be the stamp's (`ngày … tháng 11 năm 2024` and a stamp of
    26/11/2024 agree; a stamp of 02/12/2024 does not — it signed a later copy)."""
    if not printed:
        return True
    month, year = _PRINTED_MONTH.search(printed), _PRINTED_YEAR.search(printed)
    if month and int(month.group("m")) != signed.month:
        return False
    return not (year and int(year.group("y")) != signed.year)


def _read_signature_stamp(
    body: str, meta: Metadata, warnings: list[str], printed: str | None = None
) -> None:
    """`signed_at`/`signed_by` from an e-office stamp; the issue date's fallback only, and
    only when it agrees with the printed line's readable month and year (`printed`)."""
    stamp = find_signature_stamp(body)
    if stamp is None:
        return
    meta.signed_at, meta.signed_by = stamp.signed_at, stamp.signed_by
    if meta.issue_date is not None:
        return
    if not stamp_agrees(printed, stamp.signed_at.date()):
        warnings.append(
            f"the digital signature stamp ({stamp.signed_at.isoformat()}) disagrees with the "
            f"printed date {printed!r}: not taken as the issue date"
        )
        return
    meta.issue_date = stamp.signed_at.date()
    warnings.append(
        "the printed issue date could not be read; taken from the digital signature"
        f" stamp ({stamp.signed_at.isoformat()})"
    )
