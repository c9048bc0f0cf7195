"""The end of a document: closing paragraph, *Nơi nhận* and the signature block.

Nghị định 30/2020/NĐ-CP puts the *Nơi nhận* list bottom left and the signature block
(authority `TM.`/`KT.` lines, position, name) bottom right.  Text extraction (OCR in
particular) often merges the two columns of a row into one line, so the parsers here split
such lines before classifying them.  Everything works on plain strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.document import Document, Signature
from pipeline.segment import names
from pipeline.segment.body import SENTENCE_END, parse_marker
from pipeline.vietnamese import is_syllable, is_upper_line, skeleton
from pipeline.vocabulary import POSITION_WORDS

# Matched on skeleton() so that OCR'd `Noi nhén:` still counts (same length as the text).
_RECIPIENTS = re.compile(r"^\W*noi\s+nh[a-z]{1,2}n\b\s*[:.]?\s*")
_AUTHORITY = re.compile(
    r"^(?:(?:TM|T\.M|KT|Q|TL|TUQ|Q\.\s*CHỦ)\s*[./]|(?:T/M|K/T|T/L)[.\s])\s*\S", re.UNICODE
)
_AUTHORITY_ANYWHERE = re.compile(r"(?:(?<=\s)|^)(?:TM|T/M|KT|TL|TUQ)\.\s*[A-ZĐÀ-Ỹ]")
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
    return text if skeleton(text).startswith(POSITION_WORDS) else None


def is_position(line: str) -> bool:
    """An upper-case position line such as `PHÓ CHỦ TỊCH` or `TRƯỞNG ĐOÀN`.

    A lone `TRƯỞNG` or `PHÓ` is the visible half of a position the seal covers: no position
    has a single word, so it is not taken for one; nor is a line with a word that is no
    syllable (`PHÓ CHỦ TIC`, the signature's stroke through `TỊCH`): the authority line
    above gives the position then (`KT. CHỦ TỊCH` → `Phó Chủ tịch`).
    """
    text = _position_text(line)
    if text is None or len(text.split()) < 2:
        return False
    return all(_position_word(word.strip(",.")) for word in text.split())


_ABBREVIATION = re.compile(r"[BCDĐGHKLMNPQRSTVX]{3}")
"""Three consonant letters in a row: an abbreviation (`CTSV`, `HĐND`); a syllable has at
most `ngh`, and is checked first."""


def _position_word(word: str) -> bool:
    """A syllable, or an abbreviation (`TRƯỞNG PHÒNG CTSV`), not an OCR fragment (`TIC`)."""
    return is_syllable(word.lower()) or bool(_ABBREVIATION.search(word.upper()))


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


_STROKES = "-–—_~.=:;,'`\"|/\\ "
"""Marks a signature's pen stroke leaves before the name it crosses (`-- Trần Phước Hiên`)."""


def _struck_name(line: str, tail: Tail, found: list[_Candidate]) -> bool:
    """A signer's name under the signature with the pen's stroke read before it.

    Only below an authority or position line, and only a name that opens with a common
    family name (`names.parse_name(strict=True)`): `- Như trên;` stays a recipient.
    """
    stripped = line.lstrip(_STROKES)
    if stripped == line or not stripped:
        return False
    name = names.parse_name(stripped, strict=True)
    if name is None:
        return False
    found.append(_Candidate(name, tail.position, stripped))
    return True


def _is_junk(piece: str) -> bool:
    """Stamp and signature noise from scans: `o K . A`, `[’`."""
    letters = sum(ch.isalpha() for ch in piece)
    words = piece.split()
    return letters < 4 or (len(words) >= 2 and all(len(w) <= 2 for w in words))


def _signature_capitals(line: str) -> bool:
    """A line of capitals in the signature column (`PHÓ CỤC TRƯỞNG`, `CỤC CẢNH SÁT …`,
    behind a seal's stray marks): recipients are `- ` items in running-text case."""
    text = line.lstrip(_NOISE_EDGE)
    return bool(text) and text[0] not in "-–+•" and is_upper_line(text) and len(text.split()) >= 2


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
        if (tail.position or tail.authority) and _struck_name(line, tail, found):
            continue
        if (tail.position or tail.authority) and line[0] not in "-–+•" and _is_junk(line):
            continue  # seal and signature strokes read as text (`: % i`), not a recipient
        if (tail.position or tail.authority) and _signature_capitals(line):
            continue  # the signer's office or unit under the position, not a recipient
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


def drop_unframed_name(tail: Tail, lines: list[str]) -> None:
    """Forget a name that no frame vouches for: without a `Nơi nhận` label, an authority
    or a position line, any capitalised last line would read as a signer (`Vũ Đức Long`
    under a list found from its `Lưu: VT` line); `find_signer`'s stricter evidence decides
    then."""
    if tail.authority or tail.position or any(is_recipients_line(ln) for ln in lines):
        return
    tail.name, tail.notes = None, []


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


# --- where the tail starts --------------------------------------------------------------


def tail_start(lines: list[str], start: int, end: int) -> int:
    """First line of the Nơi nhận / signature area (or `end`)."""
    for i in range(end - 1, start - 1, -1):
        if is_recipients_line(lines[i]):
            return _signature_above(lines, start, i)
    authority = next((i for i in range(max(start, end - 15), end) if is_authority(lines[i])), end)
    unlabelled = unlabelled_recipients(lines, start, end)
    return min(authority, unlabelled if unlabelled is not None else end)


_FILED = re.compile(r"^\W*luu\s*[:.]?\s*(?:vt|van thu)\b")
"""`- Lưu: VT, …` (matched on skeleton): the copy kept by the office, always the last
recipient, so it marks a Nơi nhận list whose label the seal or the scan lost."""


def is_filed_line(line: str) -> bool:
    """`- Lưu: VT, …`: the office's copy, the last recipient (also OCR'd without marks)."""
    return bool(_FILED.match(skeleton(line.strip().lstrip("-–+•~ "))))


def ends_with_closing_mark(line: str) -> bool:
    """A line ending with the closing mark `./.` (or OCR's `/.`, `. /`) of the main text."""
    return bool(_SLASH_END.search(line.strip()))


FILED_WINDOW = 30
"""Lines before the end of the main text in which a `Lưu: VT` line may stand: the list
and the signature block below it take fewer."""

MAX_RECIPIENT_LINES = 25
"""Lines a Nơi nhận list may take above its `Lưu: VT` line (long lists wrap)."""


def unlabelled_recipients(lines: list[str], start: int, end: int) -> int | None:
    """First line of a Nơi nhận list without its label, found from its `Lưu: VT` line.

    The list runs up from that line to the body's last sentence: a line that is not a `-`
    item and ends a sentence (`… điện thoại: 0988.688.580).`, `… Lâm Đồng...`) ends the
    body; items end with `;` and wrapped items run on.  None without a `Lưu: VT` line.
    """
    filed = next(
        (
            i
            for i in range(end - 1, max(start, end - FILED_WINDOW) - 1, -1)
            if _FILED.match(skeleton(lines[i].strip()))
        ),
        None,
    )
    if filed is None:
        return None
    first = filed
    while first - 1 > start and filed - first < MAX_RECIPIENT_LINES:
        text = lines[first - 1].strip()
        bulleted = bool(text) and text[0] in "-–+•"
        if text and not bulleted and (text.endswith((".", "!", "?")) or parse_marker(text)):
            break
        first -= 1
    return first


def _signature_above(lines: list[str], start: int, recipients: int) -> int:
    """Where the tail starts when the signature block sits above `Nơi nhận` (PDF columns
    read right column first): the authority/position/name lines just before it."""
    i, seen = recipients, False
    while i - 1 > start:
        text = lines[i - 1].strip()
        if is_authority(text) or is_position(text):
            seen = True
        elif text and not is_person_name(text):
            break
        i -= 1
    return i if seen else recipients


def closing_start(lines: list[str], body_start: int, tail: int) -> int:
    """First line of the closing paragraph(s) between the body tree and the tail."""
    start = tail
    i = tail - 1
    while i > body_start:
        # Gather the paragraph that ends at line i (blank lines or sentence ends delimit it).
        while i > body_start and not lines[i].strip():
            i -= 1
        j = i
        while (
            j - 1 > body_start
            and lines[j - 1].strip()
            and not lines[j - 1].strip().endswith(SENTENCE_END)
            and parse_marker(lines[j].strip()) is None
        ):
            j -= 1
        paragraph = " ".join(ln.strip() for ln in lines[j : i + 1])
        if parse_marker(lines[j].strip()) is not None or not is_closing_paragraph(paragraph):
            break
        start, i = j, j - 1
    return start


def signer_without_tail(doc: Document, signature: Signature, lines: list[str]) -> None:
    """Fill the signer's name from the last lines when OCR lost the signature block's frame
    (no `Nơi nhận`, no `TM.`/`KT.` line) but kept a ranked name such as `Đại tá …`; the
    position is the block's top position line above it (`position_above`)."""
    found = find_signer(lines)
    if found is None:
        return
    signature.name = found.name
    doc.warn(f"signer read from the last lines without a signature block: {found.name}")
    if signature.position is None and (position := position_above(lines, found.name)):
        signature.position = position


POSITION_WINDOW = 8
"""Non-blank lines above a signer's name that may still belong to the signature block: the
position, a second office, and the seal's and signature's noise between them."""

_NOISE_EDGE = "`'\".,:;|_~ "
"""Marks a seal or pen stroke leaves at the start of a position line (`` ` .PHÓ CỤC TRƯỞNG``)."""


def position_above(lines: list[str], name: str) -> str | None:
    """The top position line of the block above the last line naming `name`.

    A block may print two (`PHÓ TỔ TRƯỞNG THƯỜNG TRỰC` under the authority, then the
    signer's office `PHÓ CỤC TRƯỞNG …`): the first one, under the authority, is the capacity
    the document is signed in.  The search stops at a recipient item (`- Lưu: VT`).
    """
    texts = [ln.strip() for ln in lines if ln.strip()]
    at = next((i for i in range(len(texts) - 1, -1, -1) if name in texts[i]), None)
    if at is None:
        return None
    top = None
    for text in reversed(texts[max(0, at - POSITION_WINDOW) : at]):
        if text[0] in "-–+•":
            break
        candidate = text.lstrip(_NOISE_EDGE)
        if is_position(candidate):
            top = " ".join(candidate.split())
    return top


def _signature_begun(lines: list[str]) -> int | None:
    """Index of the first authority or position line, or None."""
    return next(
        (i for i, ln in enumerate(lines) if is_authority(ln.strip()) or is_position(ln.strip())),
        None,
    )


_ROLE_SEPARATOR = r"\s*[-–:,(]\s*"
_ROLE_END = re.compile(r"[:;,()\n]")

ROLE_LOOKAHEAD = 80
"""Characters after a name that may hold the role the body gives it (`- Phó Giám đốc Sở`)."""

MAX_ROLE_WORDS = 6
"""A role the body gives a person (`Trưởng đoàn`, `Phó Giám đốc Sở`) is a few words; more
is a sentence."""


def role_in_body(name: str, body: str) -> str | None:
    """The first role the body gives `name` right after it (`Ông: Hoàng Văn Thuân - Trưởng
    đoàn: phụ trách chung` → `Trưởng đoàn`), when it reads as a position."""
    for match in re.finditer(re.escape(name) + _ROLE_SEPARATOR, body):
        rest = body[match.end() : match.end() + ROLE_LOOKAHEAD]
        role = " ".join(_ROLE_END.split(rest, maxsplit=1)[0].split())
        if (
            role
            and role[0].isupper()
            and len(role.split()) <= MAX_ROLE_WORDS
            and skeleton(role).startswith(POSITION_WORDS)
        ):
            return role
    return None


def signer_from_body(
    doc: Document, signature: Signature, tail: list[str], body: str, recipients: list[str]
) -> None:
    """Complete a signer's name the seal or signature damaged (`lowfg Văn Thuân`) from the
    one person the body names with the same last syllables; without a position line, the
    role the body gives that person (`… - Trưởng đoàn`) is the position.

    Only below an authority or position line: above it the lines are recipients.  The
    damaged line, which `parse_tail` could not place, leaves `recipients`.
    """
    begun = _signature_begun(tail)
    if signature.name is not None or begun is None:
        return
    people = names.people_in(body)
    for line in tail[begun + 1 :]:
        text = line.strip()
        if not text or text[0] in "-–+•":
            continue
        full = names.complete_from_people(text, people)
        if full is None:
            continue
        signature.name = full
        if text in recipients:
            recipients.remove(text)
        doc.warn(f"signer's name completed from the body: {text!r} → {full}")
        if signature.position is None and (role := role_in_body(full, body)):
            signature.position = role
            doc.warn(f"signer position taken from the body's mention of {full}: {role}")
        return
