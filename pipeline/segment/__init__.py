"""Stage 5: section segmentation (header, title, body tree, appendices, Nơi nhận, signature).

The layout follows Nghị định 30/2020/NĐ-CP: header → document type and title → preamble
(*Căn cứ…*, *Thực hiện…*) → body → closing paragraph → *Nơi nhận* and signature →
appendices.  `segment` cuts `doc.text.body` into those parts in that order; the modules
each do one job:

- `header`: which header line is the issuing body, the number, the place and date;
- `body`: numbering markers and the body tree (`Section.ref` conventions are there);
- `tables`: appendices, their tables and what each column means;
- `closing`: the closing paragraph, *Nơi nhận* and the signature block;
- `names`: signers' names, clean or OCR-damaged.

Segmentation only says which line is which; extraction interprets the strings.
"""

from __future__ import annotations

import re

from pipeline.config import Config
from pipeline.document import Document, Layout, Section, Signature, Table
from pipeline.segment import closing as cl
from pipeline.segment import header as lh
from pipeline.segment.body import (
    BODY_OPENING_KINDS,
    PREAMBLE_OPENERS,
    build_tree,
    paragraphs,
    parse_marker,
)
from pipeline.segment.junk import is_junk_line, strip_junk
from pipeline.segment.tables import (
    appendix_prefixes,
    attach_pdf_tables,
    cut_body_tables,
    is_appendix_heading,
    number_rows,
    parse_appendix,
    table_sections,
)
from pipeline.vietnamese import is_upper_line, skeleton

__all__ = ["build_tree", "parse_marker", "segment"]

HEADER_SEARCH_LINES = 40
"""The type heading stands within the first lines; further down `KẾ HOẠCH` is a mention."""

_SUBJECT = re.compile(r"^V/v\b", re.IGNORECASE)
_ADDRESSEE = re.compile(r"^Kính\s+gửi\b")
_RULE = re.compile(r"^[\s_\-–—=*.·]{3,}$")
"""A rule line under the title (`________`, `-----`)."""
# The enacting body printed between a decision's title and its `Căn cứ` lines
# (`ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ`, `CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH …`).
_ENACTING = re.compile(
    r"^(uy ban nhan dan|chu tich|giam doc|hoi dong nhan dan|ban thuong vu|ban chap hanh|"
    r"truong ban|thuong truc|bo truong|tong cuc truong|cuc truong|hieu truong)\b"
)
# Lines that may open a title although a preamble starts the same way (`Thực hiện Nghị
# quyết số 34-NQ/TU …` right under `KẾ HOẠCH` names the plan); `Căn cứ` never does.
_NEVER_TITLE = re.compile(r"^(Căn cứ|Kính\s+gửi|Xét đề nghị|Theo đề nghị)")


def _header_end(lines: list[str]) -> tuple[int, int | None, tuple[str, str] | None]:
    """(index of the doc-type line or -1, index of the first body/preamble line, the
    doc-type line's (type, title on the same line) when there is one)."""
    limit = min(len(lines), HEADER_SEARCH_LINES)
    for i in range(limit):
        if heading := lh.type_heading(lines[i]):
            return i, None, heading
    for i in range(limit):
        text = lines[i].strip()
        if _SUBJECT.match(text):
            continue  # a letter's `V/v …` subject under its number, not the roman `V.`
        if (
            PREAMBLE_OPENERS.match(text)
            or _ADDRESSEE.match(text)
            or ((mk := parse_marker(text)) is not None and mk.kind in ("part", "roman"))
        ):
            return -1, i, None
    return -1, 0, None


_LEADING_MARKS = re.compile(r"^[:;,.|\]\[¡!'\"`~•·\s]+(?=\w)")
"""Stray marks OCR puts before a line's first word (`: Thực hiện …`, `| Căn cứ …`)."""


def _is_title_stop(text: str, first: bool) -> bool:
    """A line that cannot belong to the title: a preamble opener, an addressee, a marker,
    a rule, or a decision's enacting body (stray leading marks aside)."""
    if not _RULE.match(text):
        text = _LEADING_MARKS.sub("", text)
    if _RULE.match(text) or _NEVER_TITLE.match(text) or _ENACTING.match(skeleton(text)):
        return True
    return not first and (
        PREAMBLE_OPENERS.match(text) is not None
        or parse_marker(text) is not None
        or is_body_sentence(text)
        or _ATTACHED_NOTE.match(text) is not None  # `(Ban hành kèm theo Quyết định số …)`
    )


_DATE_OPENER = re.compile(r"^(Ngày|Vào ngày|Hôm nay)\s*\d")
"""`Ngày 02/3/2026, Chủ tịch … chủ trì cuộc họp`: a notice's first body sentence."""


def is_body_sentence(text: str) -> bool:
    """A mixed-case line that is a body paragraph, not a wrapped title line: it opens with
    a date (`Ngày 02/3/2026, …`), or opens with a capital and ends like a sentence (`Sở Y
    tế nhận được Công văn số … của Ủy ban nhân dân tỉnh.`).  A wrapped title goes on
    without a sentence end (`… năm 2026 trên địa bàn xã`)."""
    if is_upper_line(text):
        return False
    return bool(_DATE_OPENER.match(text)) or (
        text[:1].isupper() and text.rstrip().endswith((".", ":", ";"))
    )


def _title_end(lines: list[str], start: int, begun: str = "") -> int:
    """Index just past the title lines that follow the doc-type line at `start - 1`.

    The first line is the title even when it opens like a preamble (`Thực hiện Nghị quyết
    số 34-NQ/TU …`); following lines join it while they keep its case and open no
    preamble, marker, addressee or rule.  `begun` is the title's start printed on the type
    line itself: then every line below is a continuation.
    """
    i = start
    while i < len(lines) and not lines[i].strip():
        i += 1
    first = -1 if begun else i
    upper_title = is_upper_line(begun) if begun else i < len(lines) and is_upper_line(lines[i])
    while i < len(lines):
        text = lines[i].strip()
        if not text or _is_title_stop(text, i == first):
            break
        if i > first and upper_title != is_upper_line(text):
            break
        i += 1
    return i


def _body_start(lines: list[str], start: int, end: int) -> int:
    """First line of the body tree: the first part/roman/number marker after the preamble."""
    for i in range(start, end):
        mk = parse_marker(lines[i].strip())
        if mk is not None and mk.kind in BODY_OPENING_KINDS:
            return i
    return end


_ATTACHED_NOTE = re.compile(r"^\(?\s*(Ban hành )?[Kk]èm theo\b")
"""`(Kèm theo Quyết định số … )` under an attached document's title."""


def _attachment_start(lines: list[str], tail: int, end: int) -> int:
    """Where a document attached after the signature begins (a decision's `QUY ĐỊNH`,
    `QUY CHẾ` or `KẾ HOẠCH` printed after its signer), or `end` when there is none."""
    for i in range(tail + 1, end):
        if lh.doc_type_of(lines[i]):
            return i
    return end


def _read_attachment(lines: list[str], first_line: int, layout: Layout) -> None:
    """Add an attached document's sections (`Chương I`, `Điều 1.` …) to the layout."""
    title_end = _title_end(lines, 1)
    title = " ".join(ln.strip() for ln in lines[1:title_end] if ln.strip())
    layout.attachment = f"{lh.doc_type_of(lines[0])}: {title}".strip(": ")
    start = title_end
    while start < len(lines) and (
        not lines[start].strip() or _ATTACHED_NOTE.match(lines[start].strip())
    ):
        start += 1
    body = _body_start(lines, start, len(lines))
    attached = build_tree(lines[body:], first_line + body)
    taken = {x.ref for x in _flat(layout.sections)}
    if any(x.ref in taken for x in _flat(attached)):
        # The attachment numbers its parts afresh (`I.` again): its refs take a prefix so
        # every ref of the document stays unique.
        attached = [_prefixed(x, ATTACHMENT_REF_PREFIX) for x in attached]
    layout.sections += attached


ATTACHMENT_REF_PREFIX = "KT"
"""Ref prefix of an attached document's sections when its numbering repeats the main
document's (`KT.I.1`; `KT` for `kèm theo`)."""


def _prefixed(section: Section, prefix: str) -> Section:
    """`section` and its subtree with `prefix.` before every ref."""
    return section.model_copy(
        update={
            "ref": f"{prefix}.{section.ref}",
            "children": [_prefixed(c, prefix) for c in section.children],
        }
    )


def _flat(sections: list[Section]) -> list[Section]:
    return [x for s in sections for x in (s, *_flat(s.children))]


def place_body_tables(
    sections: list[Section], tables: list[tuple[int, Table]], first_line: int
) -> list[Table]:
    """Each body table under the section it is printed in: the last section that starts
    above it names it (`title`) and prefixes its row refs (`IV.1`, `IV.2`, …)."""
    flat = [s for s in _flat(sections) if s.line is not None]
    placed: list[Table] = []
    for offset, table in tables:
        above = [s for s in flat if s.line is not None and s.line < first_line + offset]
        owner = max(above, key=lambda s: s.line or 0) if above else None
        prefix = owner.ref if owner else "B"
        table.title = owner.heading if owner else table.title
        table.refs = [f"{prefix}.{n}" for n in range(1, len(table.rows) + 1)]
        placed.append(table)
    return placed


def _late_place_date(lines: list[str], start: int, end: int) -> int | None:
    """Index of a place-and-date line printed below the header block, between `start`
    and `end` (a letter's `Tân Phú, ngày 03 tháng 02 năm 2026` under its `Kính gửi:`
    list, where the text layer put the right column's last line), or None."""
    for i in range(start, min(end, len(lines), HEADER_SEARCH_LINES)):
        if lh.is_place_date_line(lines[i]):
            return i
    return None


def _read_header(lines: list[str], layout: Layout) -> None:
    """Fill the header fields of `layout` from the lines above the type heading.

    A letter's `V/v …` subject may wrap: the lines that follow it continue it (see
    `_continues_subject`).
    """
    org_lines: list[str] = []
    in_subject = False
    for raw in lines:
        for piece in lh.split_header_line(raw):
            if in_subject and _continues_subject(piece):
                layout.subject_line = f"{layout.subject_line} {piece.strip()}"
                continue
            in_subject = False
            if lh.is_national_line(piece):
                layout.national_title = True
            elif lh.is_party_motto(piece):
                continue  # `ĐẢNG CỘNG SẢN VIỆT NAM` is never part of the issuer
            elif lh.is_number_line(piece) and layout.number_line is None:
                layout.number_line = piece
            elif lh.is_place_date_line(piece) and layout.place_date_line is None:
                layout.place_date_line = piece
            elif _SUBJECT.match(piece.strip()) and layout.subject_line is None:
                layout.subject_line = piece.strip()
                in_subject = True
            elif is_upper_line(piece) and not layout.number_line and piece.strip(" *"):
                org_lines.append(piece)
    layout.parent_body, layout.issuing_body = lh.split_bodies(org_lines)


def _continues_subject(piece: str) -> bool:
    """A line that carries a letter's `V/v …` subject on: wrapped text, not a header line.

    The subject is typed in sentence case under the number, so its wrapped lines may open
    with a capital (`Quy chế phối hợp`, `TCTN trên địa bàn`); a line in capitals (an issuer
    or type heading), the motto, number or place-date line, a rule or `Kính gửi` ends it.
    """
    text = piece.strip()
    return bool(text) and not (
        is_upper_line(text)
        or _RULE.match(text)
        or _NEVER_TITLE.match(text)
        or lh.is_national_line(text)
        or lh.is_party_motto(text)
        or lh.is_number_line(text)
        or lh.is_place_date_line(text)
    )


_VE_VIEC_MISREAD = re.compile(r"^(?:[Vv](?:à|a|ê|e|ẻ|ẽ|é|è|ệ|ễ)|về)\s+việc\b")
"""A title's `Về việc` opener as OCR misreads it (`và việc`, `Vê việc`, lower case): a
title never opens with the conjunction, so it is the set phrase."""

FULL_LINE_SHARE = 0.85
"""A scanned line this share of the page's usual line length or longer runs margin to
margin: body text.  A title is centred, so its lines stop short of the margins."""
FULL_LINE_QUANTILE = 0.8
"""Where in the sorted lengths of a scan's long lines its usual full line length is read."""
FULL_LINE_MIN_CHARS = 40
"""Lines shorter than this (headings, list items, header pieces) say nothing of the width."""


def _full_line_chars(lines: list[str]) -> int | None:
    """The usual length of a scan's full line (None for too little text to tell)."""
    lengths = sorted(n for ln in lines if (n := len(ln.strip())) >= FULL_LINE_MIN_CHARS)
    if len(lengths) < 5:
        return None
    return lengths[int(FULL_LINE_QUANTILE * (len(lengths) - 1))]


def _paragraph_cut(lines: list[str], start: int, end: int, begun: bool) -> int:
    """End a scanned title where two full lines in a row begin: a body paragraph.

    A stamp over the title's last line (`ĐẾN | Chuyển: …`) hides the opener that would
    end the title, but the paragraph still runs margin to margin, which a centred title
    does not; nor is it in capitals, as a long title line may be.  The title keeps at least
    its first line.
    """
    full = _full_line_chars(lines)
    if full is None:
        return end
    # A line in capitals is a title's however long: a paragraph is in sentence case.
    is_full = [
        len(ln.strip()) >= FULL_LINE_SHARE * full and not is_upper_line(ln)
        for ln in lines[start : end + 1]
    ]
    first = start if begun else start + 1
    for i in range(first, end):
        if is_full[i - start] and is_full[i - start + 1]:
            return i
    return end


OCR_METHODS = ("ocr", "mixed")
"""Text methods whose header may carry stamp junk (`segment.junk`); typed text never does."""


def segment(doc: Document, config: Config) -> Document:
    """Stage: fill `doc.layout` from `doc.text.body`."""
    lines = doc.text.body.split("\n")
    layout = Layout()
    type_at, body_from, heading = _header_end(lines)
    _read_header(lines[: type_at if type_at >= 0 else body_from or 0], layout)

    cursor = body_from or 0
    if heading is not None:
        layout.doc_type, same_line = heading
        title_end = _title_end(lines, type_at + 1, same_line)
        if doc.text.method in OCR_METHODS:
            title_end = _paragraph_cut(lines, type_at + 1, title_end, bool(same_line))
        title_lines = [same_line] if same_line else []
        title_lines += [ln.strip() for ln in lines[type_at + 1 : title_end] if ln.strip()]
        if doc.text.method in OCR_METHODS:  # stamps read as text sit over scanned titles
            title_lines = [strip_junk(ln) for ln in title_lines if not is_junk_line(ln)]
        layout.title = " ".join(title_lines).strip("*").strip() or None
        if layout.title and doc.text.method in OCR_METHODS:
            layout.title = _VE_VIEC_MISREAD.sub("Về việc", layout.title, count=1)
        cursor = title_end
    elif layout.subject_line:
        layout.title = layout.subject_line

    appendix_at = [i for i in range(cursor, len(lines)) if is_appendix_heading(lines[i])]
    main_end = appendix_at[0] if appendix_at else len(lines)
    tail = cl.tail_start(lines, cursor, main_end)
    attached = _attachment_start(lines, tail, main_end)
    body_start = _body_start(lines, cursor, tail)
    if layout.place_date_line is None and (late := _late_place_date(lines, cursor, body_start)):
        layout.place_date_line = lines[late].strip()
        lines[late] = ""  # header furniture, not a preamble paragraph
    layout.preamble = paragraphs(lines[cursor:body_start])
    closing = cl.closing_start(lines, body_start, tail)
    body_lines, body_tables = cut_body_tables(lines[body_start:closing])
    layout.sections = build_tree(body_lines, body_start)
    layout.body_tables = place_body_tables(layout.sections, body_tables, body_start)
    layout.closing = paragraphs(lines[closing:tail])
    parsed = cl.parse_tail(lines[tail:attached])
    cl.drop_unframed_name(parsed, lines[tail:attached])
    layout.recipients = parsed.recipients
    layout.signature = Signature(
        authority=parsed.authority, position=parsed.position, name=parsed.name
    )
    for note in parsed.notes:
        doc.warn(note)
    if parsed.name is None and doc.text.method in OCR_METHODS:
        cl.signer_from_body(
            doc, layout.signature, lines[tail:attached], "\n".join(lines[:tail]), layout.recipients
        )
    if layout.signature.name is None:
        cl.signer_without_tail(doc, layout.signature, lines[cursor:attached])
    if attached < main_end:
        _read_attachment(lines[attached:main_end], attached, layout)

    bounds = [*appendix_at, len(lines)]
    layout.appendices = [
        parse_appendix(lines[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)
    ]
    attach_pdf_tables(doc, layout.appendices)
    for appendix, prefix in zip(
        layout.appendices, appendix_prefixes(layout.appendices), strict=True
    ):
        if prefix is None:
            continue
        number_rows(appendix, prefix)
        layout.sections.append(
            Section(
                ref=prefix,
                marker=prefix,
                kind="appendix",
                heading=appendix.title,
                children=table_sections(appendix),
            )
        )
    doc.layout = layout
    if doc.text.body.strip() and not any(s.kind != "appendix" for s in layout.sections):
        doc.warn("no numbered sections (I., 1., a) …) found in the body")
    return doc
