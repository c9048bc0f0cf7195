"""Stage 5: section segmentation (header, title, body tree, appendices, Nơi nhận, signature).

The layout follows Nghị định 30/2020/NĐ-CP: header → document type and title → preamble
(*Căn cứ…*, *Thực hiện…*) → body → closing paragraph → *Nơi nhận* and signature →
appendices.  `segment` cuts `doc.text.body` into those parts in that order and builds the
body tree from numbering markers.

Body tree conventions (`Section.ref` is the path of markers joined by dots):

- `Phần I` / `PHẦN THỨ NHẤT` → marker `P1`; roman `II.` → `II`; a decision's `Điều 2.` →
  `Đ2`; `1.` → `1`; `1.2.` under
  `1` → `…1.2` (the sub-number's last component is appended); `a)` → `a`;
- bullets are numbered among their siblings: the second `-` bullet under `II.1.a` is
  `II.1.a.-2`, a `+` bullet under it `II.1.a.-2.+1`;
- appendix table rows are `PL.1`, `PL.2` … when the document has one appendix, and
  `PL1.1`, `PL2.3` … (appendix number, row number) when it has several.

Lines without a marker continue the current item: wrapped lines are joined into the
paragraph they belong to (`heading` for the marker's paragraph, further paragraphs in
`text`).  Numbering is repaired from the sequence: an upper-case heading read as `1.` or
`IL.` where the sequence expects the next roman numeral becomes that numeral, and `¢)` is
read as `c)`.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from pipeline.config import Config
from pipeline.document import Appendix, Document, Section, Signature, Table
from pipeline.segment import header as lh
from pipeline.vietnamese import skeleton

VN_LETTERS = "abcdđeghiklmnopqrstuvxy"
"""Vietnamese list-letter order (no f, j, w, z)."""

_ROMAN = {
    r: i
    for i, r in enumerate(
        [
            "I",
            "II",
            "III",
            "IV",
            "V",
            "VI",
            "VII",
            "VIII",
            "IX",
            "X",
            "XI",
            "XII",
            "XIII",
            "XIV",
            "XV",
            "XVI",
            "XVII",
            "XVIII",
            "XIX",
            "XX",
        ],
        1,
    )
}
_ROMAN_OF = {v: k for k, v in _ROMAN.items()}
_PART_WORDS = {
    "nhat": 1,
    "hai": 2,
    "ba": 3,
    "tu": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "muoi": 10,
}

_PART = re.compile(
    r"^(?:PHẦN|Phần)\s+(?P<m>THỨ\s+\w+|Thứ\s+\w+|[IVXLC]+|\d+)\s*[.:\-–]?\s*(?P<h>.*)$"
)
_ARTICLE = re.compile(r"^Điều\s+(?P<m>\d{1,3})\s*[.:]\s*(?P<h>.*)$")
_ROMAN_MARK = re.compile(r"^(?P<m>[IVXLl1|]{1,5})\s*[.)/:]\s*(?P<h>\S.*)$")
_SUBNUMBER = re.compile(r"^(?P<m>\d{1,2}(?:\.\d{1,2})+)\s*[.)]?\s+(?P<h>\S.*)$")
_NUMBER = re.compile(r"^(?P<m>\d{1,2})\s*[.)](?:\s+(?P<h>\S.*)|(?P<h2>[^\d\s./].*))$")
_LETTER = re.compile(r"^(?P<m>c¢|¢|[a-zđ])\s*(?:\)|/\.?|\.)\s*(?P<h>\S.*)$")
_BULLET = re.compile(r"^(?P<m>[-–—+•*])\s*(?P<h>\S.*)$")
_PREAMBLE_OPENERS = re.compile(r"^(Căn cứ|Thực hiện|Theo đề nghị|Xét đề nghị|Để|Nhằm|Do )")
_SUBJECT = re.compile(r"^V/v\b", re.IGNORECASE)
_ADDRESSEE = re.compile(r"^Kính\s+gửi\b")
_SENTENCE_END = (".", ";", ":", "!", "?", "./.", "/.")

_RANK = {"part": 0, "roman": 1, "article": 1, "number": 2, "letter": 6, "-": 7, "+": 8}


@dataclass
class Marker:
    """A numbering marker found at the start of a line."""

    kind: str
    """`part`, `roman`, `number`, `subnumber`, `letter` or `bullet`."""
    marker: str
    heading: str
    value: int = 0
    """Position in its sequence (roman 3 for `III`, letter 2 for `b`)."""

    @property
    def rank(self) -> int:
        """Nesting depth implied by the marker: a higher rank nests under a lower one."""
        if self.kind == "subnumber":
            return 2 + self.marker.count(".")
        if self.kind == "bullet":
            return _RANK["+" if self.marker == "+" else "-"]
        return _RANK[self.kind]


def parse_marker(line: str) -> Marker | None:
    """The numbering marker that opens `line`, read at face value (no sequence repair)."""
    text = line.strip()
    if m := _PART.match(text):
        token = m.group("m")
        value = _part_value(token)
        if value:
            return Marker("part", f"P{value}", m.group("h").strip(), value)
    if m := _ARTICLE.match(text):
        value = int(m.group("m"))
        return Marker("article", f"Điều {value}", m.group("h").strip(), value)
    if m := _ROMAN_MARK.match(text):
        token = m.group("m")
        if any(ch in "IVXL" for ch in token):
            return Marker("roman", token, m.group("h").strip(), _ROMAN.get(token, 0))
    if m := _SUBNUMBER.match(text):
        return Marker("subnumber", m.group("m"), m.group("h").strip())
    if m := _NUMBER.match(text):
        heading = (m.group("h") or m.group("h2") or "").strip()
        return Marker("number", m.group("m"), heading, int(m.group("m")))
    if m := _LETTER.match(text):
        letter = "c" if "¢" in m.group("m") else m.group("m")
        if letter in VN_LETTERS:
            return Marker("letter", letter, m.group("h").strip(), VN_LETTERS.index(letter) + 1)
    if m := _BULLET.match(text):
        mark = "+" if m.group("m") == "+" else "-"
        return Marker("bullet", mark, m.group("h").strip())
    return None


def _part_value(token: str) -> int:
    if token.isdigit():
        return int(token)
    if token in _ROMAN:
        return _ROMAN[token]
    word = skeleton(token).split()[-1]
    return _PART_WORDS.get(word, 0)


# --- the body tree ----------------------------------------------------------------------


@dataclass
class _Node:
    kind: str
    marker: str
    ref: str
    line: int
    rank: int
    paragraphs: list[str]
    value: int = 0
    children: list[_Node] = field(default_factory=list)

    def to_section(self) -> Section:
        kind = "number" if self.kind == "number" else self.kind
        return Section(
            ref=self.ref,
            marker=self.marker,
            kind=kind,  # type: ignore[arg-type]
            heading=self.paragraphs[0] if self.paragraphs else "",
            text="\n".join(p for p in self.paragraphs[1:] if p),
            line=self.line,
            children=[c.to_section() for c in self.children],
        )


def _wrap_width(lines: list[str]) -> float | None:
    """The line width of OCR-style wrapped text, or None when lines are paragraphs.

    Text that wraps paragraphs over several lines has many lines followed by a line that
    starts in lower case; text with one paragraph per line has almost none.
    """
    texts = [ln.strip() for ln in lines if ln.strip()]
    if len(texts) < 6:
        return None
    follow = sum(
        1
        for a, b in zip(texts, texts[1:], strict=False)
        if b[0].islower() and parse_marker(b) is None and not a.endswith(_SENTENCE_END)
    )
    if follow / len(texts) < 0.12:
        return None
    return statistics.quantiles([len(t) for t in texts], n=10)[7]


def _is_upper_heading(text: str) -> bool:
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    return len(words) >= 2 and lh.is_upper_line(text)


class _TreeBuilder:
    """Builds the body tree line by line, repairing numbering from the sequence."""

    def __init__(self, wrap_width: float | None) -> None:
        self.roots: list[_Node] = []
        self.stack: list[_Node] = []
        self.refs: set[str] = set()
        self.last_roman = 0
        self.wrap_width = wrap_width
        self.blank_before = False
        self.previous_line = ""

    # markers -------------------------------------------------------------------------
    def _repair(self, mk: Marker) -> Marker:
        if mk.kind == "roman" and mk.value == 0:
            # Glyphs that are not a valid numeral (`IL.`, `Il.`): trust the sequence.
            mk = Marker("roman", _ROMAN_OF.get(self.last_roman + 1, mk.marker), mk.heading)
            mk.value = self.last_roman + 1
        elif mk.kind == "number" and self.last_roman and _is_upper_heading(mk.heading):
            parent = self._open_of_rank_below(_RANK["number"])
            siblings = [c for c in parent.children if c.kind == "number"] if parent else []
            lower_siblings = any(not _is_upper_heading(c.paragraphs[0]) for c in siblings)
            expected = (siblings[-1].value + 1) if siblings else 1
            if siblings and lower_siblings and mk.value != expected:
                # An upper-case heading read as `1.` after mixed-case items: the next part.
                value = self.last_roman + 1
                mk = Marker("roman", _ROMAN_OF.get(value, str(value)), mk.heading, value)
        elif mk.kind == "letter":
            parent = self._open_of_rank_below(_RANK["letter"])
            siblings = [c for c in parent.children if c.kind == "letter"] if parent else []
            if siblings and mk.value <= siblings[-1].value and mk.value != 1:
                value = siblings[-1].value + 1  # a repeated/misread letter: the next one
                if value <= len(VN_LETTERS):
                    mk = Marker("letter", VN_LETTERS[value - 1], mk.heading, value)
        return mk

    def _open_of_rank_below(self, rank: int) -> _Node | None:
        for node in reversed(self.stack):
            if node.rank < rank:
                return node
        return None

    def _accept_letter(self, mk: Marker) -> bool:
        """A letter marker only counts when it starts (`a`) or continues a sequence."""
        if mk.value == 1:
            return True
        parent = self._open_of_rank_below(_RANK["letter"])
        siblings = [c for c in parent.children if c.kind == "letter"] if parent else []
        return bool(siblings)

    def _is_wrapped_continuation(self, line: str, mk: Marker | None) -> bool:
        """A line that continues the previous line's paragraph (OCR wrapping)."""
        prev = self.previous_line
        if not prev or self.blank_before:
            return False
        if mk is not None:
            # A bullet-looking dash that only continues a wrapped sentence (`Thi đua\n- Khen`).
            return (
                mk.kind == "bullet"
                and self.wrap_width is not None
                and not prev.endswith(_SENTENCE_END)
                and len(prev) >= 0.8 * self.wrap_width
                and mk.heading[:1].isupper() is False
            )
        if line[:1].islower() or line[:1] in "(“\"'":
            return True
        if self.wrap_width is None:
            return False
        return not prev.endswith(_SENTENCE_END) and len(prev) >= 0.7 * self.wrap_width

    # lines ---------------------------------------------------------------------------
    def add(self, index: int, raw: str) -> None:
        line = raw.strip()
        if not line:
            self.blank_before = True
            return
        mk = parse_marker(line)
        if mk is not None and mk.kind == "letter" and not self._accept_letter(mk):
            mk = None
        if mk is not None and self.stack and self._is_wrapped_continuation(line, mk):
            mk = None
        if mk is None:
            self._continue(line)
        else:
            self._open(self._repair(mk), index)
        self.previous_line = line
        self.blank_before = False

    def _continue(self, line: str) -> None:
        if not self.stack:
            return
        node = self.stack[-1]
        if self._is_wrapped_continuation(line, None) and node.paragraphs:
            node.paragraphs[-1] = f"{node.paragraphs[-1]} {line}".strip()
        else:
            node.paragraphs.append(line)

    def _open(self, mk: Marker, index: int) -> None:
        rank = mk.rank
        while self.stack and self.stack[-1].rank >= rank:
            self.stack.pop()
        parent = self.stack[-1] if self.stack else None
        siblings = parent.children if parent else self.roots
        segment = mk.marker
        if mk.kind == "subnumber" and parent and mk.marker.startswith(parent.marker + "."):
            segment = mk.marker[len(parent.marker) + 1 :]
        elif mk.kind == "bullet":
            segment = f"{mk.marker}{sum(1 for s in siblings if s.marker == mk.marker) + 1}"
        elif mk.kind == "article":
            segment = f"Đ{mk.value}"
        ref = f"{parent.ref}.{segment}" if parent else segment
        base, n = ref, 2
        while ref in self.refs:  # a repeated marker; keep refs unique and stable
            ref, n = f"{base}_{n}", n + 1
        self.refs.add(ref)
        if mk.kind == "roman":
            self.last_roman = mk.value or self.last_roman + 1
        node = _Node(mk.kind, mk.marker, ref, index, rank, [mk.heading] if mk.heading else [])
        node.value = mk.value
        siblings.append(node)
        self.stack.append(node)


def build_tree(lines: list[str], first_line: int = 0) -> list[Section]:
    """The body tree of `lines` (numbered from `first_line` in the document body)."""
    builder = _TreeBuilder(_wrap_width(lines))
    for offset, line in enumerate(lines):
        builder.add(first_line + offset, line)
    return [node.to_section() for node in builder.roots]


# --- appendices ------------------------------------------------------------------------

_APPENDIX = re.compile(r"^\W*(PHỤ LỤC|Phụ lục|PHU LUC)\b", re.IGNORECASE)


def is_appendix_heading(line: str) -> bool:
    """`PHỤ LỤC I`, `Phụ lục 02` on a line of its own (not a mention inside a sentence)."""
    text = line.strip().strip("*")
    if not _APPENDIX.match(text):
        return False
    return lh.is_upper_line(text.split(":")[0]) or len(text) <= 30


_GAP = re.compile(r"(?<=\S)\s{3,}(?=\S)")
"""Three or more spaces between words: a column gap in text laid out as aligned columns."""


def _cells(line: str) -> list[str]:
    text = line.strip()
    if "|" in text:
        return [c.strip() for c in text.strip("|").split("|")]
    return [c.strip() for c in _GAP.split(text)]


def _is_table_row(line: str, in_table: bool = False) -> bool:
    """A ` | `-separated row, or an aligned-columns row (two gaps; one inside a table)."""
    if line.count(" | ") >= 1 or (line.strip().startswith("|") and line.count("|") >= 3):
        return True
    gaps = len(_GAP.findall(line.strip()))
    return gaps >= 2 or (in_table and gaps >= 1)


def _is_header_row(cells: list[str]) -> bool:
    first = cells[0] if cells else ""
    return not re.fullmatch(r"[\dIVX.]+", first) and not any(re.search(r"\d{3,}", c) for c in cells)


def parse_appendix(lines: list[str]) -> Appendix:
    """An appendix from its lines: title, free text and ` | `-separated tables.

    Lines such as `I. NÂNG CAO NHẬN THỨC` between rows are group headings; each row keeps
    the one it sits under in `Table.groups`.
    """
    title = lines[0].strip().strip("*") if lines else ""
    rest = [ln for ln in lines[1:] if ln.strip()]
    if rest and lh.is_upper_line(rest[0]) and not _is_table_row(rest[0]):
        # `PHỤ LỤC` / `DANH MỤC CÁC NHIỆM VỤ TRỌNG TÂM`: the name line belongs to the title.
        title = (
            f"{title}: {rest[0].strip()}" if title.rstrip(":") == title else f"{title} {rest[0]}"
        )
        lines = [lines[0], *lines[lines.index(rest[0]) + 1 :]]
    text: list[str] = []
    tables: list[Table] = []
    table: Table | None = None
    group = ""
    for raw in lines[1:]:
        line = raw.strip()
        if not line or set(line) <= set("|-: "):  # blank or a Markdown rule row
            continue
        if _is_table_row(line, table is not None):
            cells = _cells(line)
            if table is None:
                table = Table(title=" ".join(text[:2]))
                tables.append(table)
                group = ""
                if _is_header_row(cells):
                    table.header = cells
                    continue
            table.rows.append(cells)
            table.groups.append(group)
            continue
        if table is not None and (parse_marker(line) is not None or lh.is_upper_line(line)):
            group = line
            continue
        text.append(line)
        table = None
    return Appendix(title=title, text="\n".join(text), tables=tables)


def table_from_cells(rows: list[list[str]], title: str = "") -> Table:
    """A `Table` from a PDF table: the first row is the header when it looks like one, and
    a row with a single filled cell (`I. GIÁM SÁT DỊCH BỆNH` spanning the table) is the group
    heading of the rows below it."""
    clean = [[" ".join((c or "").split()) for c in row] for row in rows if any(row)]
    table = Table(title=title)
    if clean and _is_header_row(clean[0]):
        table.header, clean = clean[0], clean[1:]
    group = ""
    for row in clean:
        filled = [c for c in row if c]
        if len(filled) == 1 and len(row) > 2:
            group = filled[0]
            continue
        table.rows.append(row)
        table.groups.append(group)
    return table


def task_column(header: list[str]) -> int:
    """Index of the column that names the work (`Tên nhiệm vụ`, `Nội dung`…)."""
    for i, cell in enumerate(header):
        sk = skeleton(cell)
        if any(k in sk for k in ("nhiem vu", "noi dung", "cong viec", "hoat dong", "ten ")):
            return i
    return 1 if len(header) > 1 else 0


def appendix_prefixes(appendices: list[Appendix]) -> list[str | None]:
    """Ref prefix per appendix: `PL` when one appendix has table rows, else `PL1`, `PL2`…

    Appendices without table rows get None (they add no sections).
    """
    with_rows = [i for i, a in enumerate(appendices) if any(t.rows for t in a.tables)]
    return [
        None if i not in with_rows else ("PL" if len(with_rows) == 1 else f"PL{i + 1}")
        for i in range(len(appendices))
    ]


def table_rows(appendix: Appendix, prefix: str):  # noqa: ANN201 - a simple generator
    """Yield `(ref, table, row, group)` for every data row of the appendix's tables."""
    n = 0
    for table in appendix.tables:
        for r, row in enumerate(table.rows):
            n += 1
            group = table.groups[r] if r < len(table.groups) else ""
            yield f"{prefix}.{n}", table, row, group


def _is_marker_column(header: str) -> bool:
    return skeleton(header).strip(" .") in ("stt", "tt", "so tt", "so thu tu")


def table_sections(appendix: Appendix, prefix: str) -> list[Section]:
    """One Section per data row of the appendix's tables (`PL.1`, `PL.2`…)."""
    sections: list[Section] = []
    for ref, table, row, group in table_rows(appendix, prefix):
        col = task_column(table.header)
        heading = row[col] if col < len(row) else " ".join(row)
        details = [
            f"{table.header[i]}: {cell}"
            for i, cell in enumerate(row)
            if i != col
            and i < len(table.header)
            and cell
            and not _is_marker_column(table.header[i])
        ]
        if group:
            details.insert(0, f"Nhóm: {group}")
        number = ref.rsplit(".", 1)[1]
        marker = row[0].rstrip(".") if row and re.fullmatch(r"\d{1,3}\.?", row[0]) else number
        sections.append(
            Section(
                ref=ref, marker=marker, kind="appendix", heading=heading, text="\n".join(details)
            )
        )
    return sections


# --- the stage -------------------------------------------------------------------------


def _header_end(lines: list[str]) -> tuple[int, int | None]:
    """(index of the doc-type line or -1, index of the first body/preamble line)."""
    limit = min(len(lines), 40)
    for i in range(limit):
        if lh.doc_type_of(lines[i]):
            return i, None
    for i in range(limit):
        text = lines[i].strip()
        if _SUBJECT.match(text):
            continue  # a letter's `V/v …` subject under its number, not the roman `V.`
        if (
            _PREAMBLE_OPENERS.match(text)
            or _ADDRESSEE.match(text)
            or ((mk := parse_marker(text)) is not None and mk.kind in ("part", "roman"))
        ):
            return -1, i
    return -1, 0


def _title_end(lines: list[str], start: int) -> int:
    """Index just past the title lines that follow the doc-type line at `start - 1`."""
    i = start
    while i < len(lines) and not lines[i].strip():
        i += 1
    first = i
    upper_title = i < len(lines) and lh.is_upper_line(lines[i])
    while i < len(lines):
        text = lines[i].strip()
        if not text:
            break
        if _PREAMBLE_OPENERS.match(text) or (i > first and parse_marker(text) is not None):
            break
        if i > first and upper_title != lh.is_upper_line(text):
            break
        i += 1
    return i


def _body_start(lines: list[str], start: int, end: int) -> int:
    """First line of the body tree: the first part/roman/number marker after the preamble."""
    for i in range(start, end):
        mk = parse_marker(lines[i].strip())
        if mk is not None and mk.kind in ("part", "roman", "article", "number", "subnumber"):
            return i
    return end


def _tail_start(lines: list[str], start: int, end: int) -> int:
    """First line of the Nơi nhận / signature area (or `end`)."""
    for i in range(end - 1, start - 1, -1):
        if lh.is_recipients_line(lines[i]):
            return _signature_above(lines, start, i)
    for i in range(max(start, end - 15), end):
        if lh.is_authority(lines[i]):
            return i
    return end


def _signature_above(lines: list[str], start: int, recipients: int) -> int:
    """Where the tail starts when the signature block sits above `Nơi nhận` (PDF columns
    read right column first): the authority/position/name lines just before it."""
    i, seen = recipients, False
    while i - 1 > start:
        text = lines[i - 1].strip()
        if lh.is_authority(text) or lh.is_position(text):
            seen = True
        elif text and not lh.is_person_name(text):
            break
        i -= 1
    return i if seen else recipients


def _closing_start(lines: list[str], body_start: int, tail: int) -> int:
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
            and not lines[j - 1].strip().endswith(_SENTENCE_END)
            and parse_marker(lines[j].strip()) is None
        ):
            j -= 1
        paragraph = " ".join(ln.strip() for ln in lines[j : i + 1])
        if parse_marker(lines[j].strip()) is not None or not lh.is_closing_paragraph(paragraph):
            break
        start, i = j, j - 1
    return start


def segment(doc: Document, config: Config) -> Document:
    """Stage: fill `doc.layout` from `doc.text.body`."""
    lines = doc.text.body.split("\n")
    layout = doc.layout.__class__()
    type_at, body_from = _header_end(lines)
    header_lines = lines[: type_at if type_at >= 0 else body_from or 0]
    org_lines: list[str] = []
    for raw in header_lines:
        for piece in lh.split_header_line(raw):
            if lh.is_national_line(piece):
                layout.national_title = True
            elif lh.is_number_line(piece) and layout.number_line is None:
                layout.number_line = piece
            elif lh.is_place_date_line(piece) and layout.place_date_line is None:
                layout.place_date_line = piece
            elif lh.is_upper_line(piece) and not layout.number_line:
                org_lines.append(piece)
    layout.parent_body, layout.issuing_body = lh.split_bodies(org_lines)

    cursor = body_from or 0
    if type_at >= 0:
        layout.doc_type = lh.doc_type_of(lines[type_at])
        title_end = _title_end(lines, type_at + 1)
        title = " ".join(ln.strip() for ln in lines[type_at + 1 : title_end] if ln.strip())
        layout.title = title.strip("*").strip() or None
        cursor = title_end

    appendix_at = [i for i in range(cursor, len(lines)) if is_appendix_heading(lines[i])]
    main_end = appendix_at[0] if appendix_at else len(lines)
    tail = _tail_start(lines, cursor, main_end)
    body_start = _body_start(lines, cursor, tail)
    layout.preamble = _paragraphs(lines[cursor:body_start])
    closing = _closing_start(lines, body_start, tail)
    layout.sections = build_tree(lines[body_start:closing], body_start)
    layout.closing = _paragraphs(lines[closing:tail])
    parsed = lh.parse_tail(lines[tail:main_end])
    layout.recipients = parsed.recipients
    layout.signature = Signature(
        authority=parsed.authority, position=parsed.position, name=parsed.name
    )
    for note in parsed.notes:
        doc.warn(note)
    if parsed.name is None:
        _signer_without_tail(doc, layout.signature, lines[cursor:main_end])

    bounds = [*appendix_at, len(lines)]
    layout.appendices = [
        parse_appendix(lines[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)
    ]
    _attach_pdf_tables(doc, layout.appendices)
    for appendix, prefix in zip(
        layout.appendices, appendix_prefixes(layout.appendices), strict=True
    ):
        if prefix is None:
            continue
        layout.sections.append(
            Section(
                ref=prefix,
                marker=prefix,
                kind="appendix",
                heading=appendix.title,
                children=table_sections(appendix, prefix),
            )
        )
    doc.layout = layout
    if doc.text.body.strip() and not any(s.kind != "appendix" for s in layout.sections):
        doc.warn("no numbered sections (I., 1., a) …) found in the body")
    return doc


def _signer_without_tail(doc: Document, signature: Signature, lines: list[str]) -> None:
    """Fill the signer's name from the last lines when OCR lost the signature block's frame
    (no `Nơi nhận`, no `TM.`/`KT.` line) but kept a ranked name such as `Đại tá …`."""
    found = lh.find_signer(lines)
    if found is None:
        return
    signature.name = found.name
    doc.warn(f"signer read from the last lines without a signature block: {found.name}")


def _attach_pdf_tables(doc: Document, appendices: list[Appendix]) -> None:
    """Give appendices without text tables the tables pdfplumber found on their pages."""
    page_tables = [(p.number, p.text, p.tables) for p in doc.pages if p.tables]
    if not page_tables:
        return
    for appendix in appendices:
        if appendix.tables:
            continue
        start = next((n for n, text, _ in page_tables if appendix.title in text), None)
        if start is None:
            start = next((p.number for p in doc.pages if appendix.title in p.text), None)
        if start is None:
            continue
        for number, _, tables in page_tables:
            if number >= start:
                appendix.tables.extend(table_from_cells(t) for t in tables)


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines grouped into paragraphs: wrapped lines joined, blank lines and sentence ends split."""
    out: list[str] = []
    current = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            if current:
                out.append(current)
            current = ""
            continue
        starts_new = (current.endswith(_SENTENCE_END) and line[:1].isupper()) or bool(
            _PREAMBLE_OPENERS.match(line) or lh.is_upper_line(line) != lh.is_upper_line(current)
        )
        if current and starts_new:
            out.append(current)
            current = line
        else:
            current = f"{current} {line}".strip()
    if current:
        out.append(current)
    return out
