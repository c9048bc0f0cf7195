"""Appendices and their tables: rows of cells, group headings, and what each column means.

Tables come as ` | `-separated lines (Markdown, DOCX), as aligned columns (three or more
spaces between cells) or from pdfplumber.  Segmentation records in each `Table` which
column names the work, the lead unit and the period, and the ref of every row, so that
extraction reads the Document alone.

Refs: appendix table rows are `PL.1`, `PL.2` … when the document has one appendix with
rows, and `PL1.1`, `PL2.3` … (appendix number, row number) when it has several.
"""

from __future__ import annotations

import re

from pipeline.document import Appendix, Document, Section, Table
from pipeline.segment.body import parse_marker
from pipeline.vietnamese import is_upper_line, skeleton

_APPENDIX = re.compile(r"^\W*(PHỤ LỤC|Phụ lục|PHU LUC)\b", re.IGNORECASE)

_GAP = re.compile(r"(?<=\S)\s{3,}(?=\S)")
"""Three or more spaces between words: a column gap in text laid out as aligned columns."""

APPENDIX_HEADING_MAX = 30
"""A mixed-case `Phụ lục …` line this short is a heading (a longer one is a sentence)."""

HEADER_CELL_MAX_WORDS = 6
"""A header cell is a short label; a longer cell is a row's content."""

_TASK_COLUMN = re.compile(r"nhiem vu|noi dung|cong viec|hoat dong|giai phap")
_NAME_COLUMN = re.compile(r"^ten ")
_LEAD_COLUMN = re.compile(
    r"chu tri|don vi thuc hien|co quan thuc hien|phu trach|don vi thuc|trach nhiem|"
    r"nguoi thuc hien|bo phan thuc hien|^(co quan|don vi)$"
)
_NOT_LEAD_COLUMN = re.compile(r"phoi hop")
_PERIOD_COLUMN = re.compile(r"thoi gian|thoi han|tien do|hoan thanh|thoi diem")
_MARKER_COLUMN = ("stt", "tt", "so tt", "so thu tu")
_INDICATOR_COLUMN = re.compile(r"^(chi tieu|muc tieu|gia tri|ty le)")
"""An indicator table's column (`Chỉ tiêu`, `Mục tiêu`): its rows are targets, not work."""
_INDICATOR_TITLE = re.compile(r"\bchi tieu\b")


def _sk(text: str) -> str:
    return " ".join(skeleton(text).split())


def is_appendix_heading(line: str) -> bool:
    """`PHỤ LỤC I`, `Phụ lục 02` on a line of its own (not a mention inside a sentence)."""
    text = line.strip().strip("*")
    if not _APPENDIX.match(text):
        return False
    return is_upper_line(text.split(":")[0]) or len(text) <= APPENDIX_HEADING_MAX


def _cells(line: str, bordered: bool = True) -> list[str]:
    """The cells of a row.  `bordered`: the table's rows open with `|` (Markdown), so a
    leading `|` is a border; in a table whose header does not, a row's leading `|` stands
    for an empty first cell (`| | Chủ trì | Phối hợp |` under `STT | Nhiệm vụ | Phân công`)."""
    text = line.strip()
    if "|" in text:
        inner = text.strip("|") if bordered else text.rstrip("|")
        return [c.strip() for c in inner.split("|")]
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


def is_header_continuation(cells: list[str], header: list[str]) -> bool:
    """The second row of a header that spans two rows (`Chủ trì | Phối hợp` under a merged
    `Phân công` cell): no row number, some cell left empty by the merge, only short labels,
    and at least one label that names a column kind."""
    if not header or not cells or (cells[0] and re.fullmatch(r"[\dIVX.]+", cells[0])):
        return False
    filled = [c for c in cells if c]
    if not filled or len(filled) == len(cells) and len(cells) == len(header):
        return False
    if any(len(c.split()) > HEADER_CELL_MAX_WORDS or re.search(r"\d", c) for c in filled):
        return False
    return any(
        _LEAD_COLUMN.search(_sk(c))
        or _NOT_LEAD_COLUMN.search(_sk(c))
        or _PERIOD_COLUMN.search(_sk(c))
        for c in filled
    )


def merge_header(header: list[str], second: list[str]) -> list[str]:
    """One header from two rows: a cell under a merged one is named `<upper> <lower>`
    (`Phân công Chủ trì`); an empty upper cell inherits the last filled one to its left."""
    out: list[str] = []
    upper = ""
    for i in range(max(len(header), len(second))):
        top = header[i] if i < len(header) else ""
        bottom = second[i] if i < len(second) else ""
        if top:
            upper = top
        elif bottom:
            top = upper
        out.append(f"{top} {bottom}".strip() if bottom else top)
    return out


_GROUP_MARK = re.compile(r"[IVXLC]+\.?|[A-ZĐ]\.?|[IVXLC]+\.\d{1,2}\.?")
"""A group row's marker cell: `II`, `B.`, `II.1` (a data row's is a plain number)."""


GROUP_ROW_MIN_WIDTH = 4
"""A two-cell row is a group row only in a table this wide: in a narrow one two cells can
be all of a data row."""


def _is_short_group_row(cells: list[str], width: int) -> bool:
    """`I | CÔNG TÁC TUYÊN TRUYỀN`, `II.1 | Hoàn thiện thể chế, chính sách`: a group row
    printed with only its two cells (the merged rest left out): a group marker (roman,
    capital letter, `II.1`) then a name, upper-case or in a table of `GROUP_ROW_MIN_WIDTH`
    columns or more."""
    mark, name = cells
    if not name or not _GROUP_MARK.fullmatch(mark):
        return False
    return is_upper_line(name) or width >= GROUP_ROW_MIN_WIDTH


def group_heading(cells: list[str], width: int = 0) -> str | None:
    """A row that only names a group (`| II | NÂNG CAO NĂNG LỰC | | |`), as `II. NÂNG CAO…`;
    `width` is the header's number of columns (0 when unknown)."""
    filled = [c for c in cells if c]
    if len(cells) == 2 and _is_short_group_row(cells, width):
        return f"{cells[0].rstrip('.')}. {cells[1]}"
    if len(cells) <= 2 or not filled or len(filled) > 2:
        return None
    if len(filled) == 2 and not (filled[0] == cells[0] and _GROUP_MARK.fullmatch(filled[0])):
        return None
    name = filled[-1]
    if len(filled) == 1 and not (is_upper_line(name) or parse_marker(name) is not None):
        return None
    return f"{filled[0].rstrip('.')}. {name}" if len(filled) == 2 else name


def describe_columns(table: Table) -> Table:
    """Record which column is the task, the lead and the period (from the header)."""
    header = [_sk(h) for h in table.header]
    table.task_column = next((i for i, h in enumerate(header) if _TASK_COLUMN.search(h)), None)
    leads = [
        i for i, h in enumerate(header) if _LEAD_COLUMN.search(h) and not _NOT_LEAD_COLUMN.search(h)
    ]
    table.lead_column = next(
        (i for i in leads if "chu tri" in header[i]), leads[0] if leads else None
    )
    table.period_column = next(
        (i for i, h in enumerate(header) if _PERIOD_COLUMN.search(h) and i != table.task_column),
        None,
    )
    indicator = any(_INDICATOR_COLUMN.search(h) for h in header) or bool(
        _INDICATOR_TITLE.search(_sk(table.title))
    )
    table.is_task_table = not indicator and (
        table.task_column is not None or table.lead_column is not None
    )
    if table.task_column is None and header:
        named = next((i for i, h in enumerate(header) if _NAME_COLUMN.search(h)), None)
        table.task_column = named if named is not None else (1 if len(header) > 1 else 0)
    return table


def read_tables(lines: list[str]) -> tuple[list[Table], list[str]]:
    """The ` | `-separated tables among `lines`, and the lines that are not table rows.

    Lines such as `I. NÂNG CAO NHẬN THỨC` between rows, and rows that only name a group,
    are group headings; each row keeps the one it sits under in `Table.groups`.  A header
    that spans two rows is merged into one (`merge_header`).  Columns are not described.
    """
    text: list[str] = []
    tables: list[Table] = []
    table: Table | None = None
    group = ""
    bordered = True
    for raw in lines:
        line = raw.strip()
        if not line or set(line) <= set("|-: "):  # blank or a Markdown rule row
            continue
        if _is_table_row(line, table is not None):
            if table is None:
                bordered = line.startswith("|")
            # Only a header's second row is read against an unbordered header's columns.
            cells = _cells(line, bordered or table is None or bool(table.rows))
            if table is None:
                table = Table(title=" ".join(text[:2]))
                tables.append(table)
                group = ""
                if _is_header_row(cells):
                    table.header = cells
                    continue
            if not table.rows and is_header_continuation(cells, table.header):
                table.header = merge_header(table.header, cells)
                continue
            if table.header and cells == table.header:
                continue  # the header again, as a table that runs over pages repeats it
            if (name := group_heading(cells, len(table.header))) is not None:
                group = name
                continue
            table.rows.append(cells)
            table.groups.append(group)
            continue
        if table is not None and (parse_marker(line) is not None or is_upper_line(line)):
            group = line
            continue
        text.append(line)
        table = None
    return tables, text


BODY_TABLE_MIN_ROWS = 2
"""A header and one row: fewer ` | ` lines in the body are a stray separator, not a table."""


def cut_body_tables(lines: list[str]) -> tuple[list[str], list[tuple[int, Table]]]:
    """Tables printed inside the body (a school plan's `Thời gian | Nội dung | Phụ trách`).

    Returns the lines with every table row blanked (so the body tree does not read the
    rows as the paragraphs of the item above), and (index of the table's first line,
    described table) for each run of at least `BODY_TABLE_MIN_ROWS` ` | ` rows.
    """
    out = list(lines)
    found: list[tuple[int, Table]] = []
    i = 0
    while i < len(lines):
        if " | " not in lines[i]:
            i += 1
            continue
        j = i
        while j < len(lines) and (" | " in lines[j] or lines[j].strip().startswith("|")):
            j += 1
        if j - i >= BODY_TABLE_MIN_ROWS:
            tables, _ = read_tables(lines[i:j])
            for table in tables:
                found.append((i, describe_columns(table)))
            out[i:j] = [""] * (j - i)
        i = j
    return out, found


def parse_appendix(lines: list[str]) -> Appendix:
    """An appendix from its lines: title, free text and ` | `-separated tables.

    Lines such as `I. NÂNG CAO NHẬN THỨC` between rows, and rows that only name a group,
    are group headings; each row keeps the one it sits under in `Table.groups`.
    """
    title = lines[0].strip().strip("*") if lines else ""
    rest = [ln for ln in lines[1:] if ln.strip()]
    if rest and is_upper_line(rest[0]) and not _is_table_row(rest[0]):
        # `PHỤ LỤC` / `DANH MỤC CÁC NHIỆM VỤ TRỌNG TÂM`: the name line belongs to the title.
        title = (
            f"{title}: {rest[0].strip()}" if title.rstrip(":") == title else f"{title} {rest[0]}"
        )
        lines = [lines[0], *lines[lines.index(rest[0]) + 1 :]]
    tables, text = read_tables(lines[1:])
    for t in tables:
        if _INDICATOR_TITLE.search(_sk(title)) and not t.title:
            t.title = title  # `PHỤ LỤC 1: CÁC CHỈ TIÊU CHỦ YẾU`: the appendix names the table
        describe_columns(t)
    return Appendix(title=title, text="\n".join(text), tables=tables)


def table_from_cells(rows: list[list[str]], title: str = "") -> Table:
    """A `Table` from a PDF table: the first row (or two) is the header when it looks like
    one, and a row with a single filled cell (`I. GIÁM SÁT DỊCH BỆNH` spanning the table)
    is the group heading of the rows below it."""
    clean = [[" ".join((c or "").split()) for c in row] for row in rows if any(row)]
    table = Table(title=title)
    if clean and _is_header_row(clean[0]):
        table.header, clean = clean[0], clean[1:]
        if clean and is_header_continuation(clean[0], table.header):
            table.header, clean = merge_header(table.header, clean[0]), clean[1:]
    group = ""
    for row in clean:
        if table.header and row == table.header:
            continue  # the header repeated on the table's next page
        if (name := group_heading(row, len(table.header))) is not None:
            group = name
            continue
        table.rows.append(row)
        table.groups.append(group)
    return describe_columns(table)


def appendix_prefixes(appendices: list[Appendix]) -> list[str | None]:
    """Ref prefix per appendix: `PL` when one appendix has table rows, else `PL1`, `PL2`…

    Appendices without table rows get None (they add no sections).
    """
    with_rows = [i for i, a in enumerate(appendices) if any(t.rows for t in a.tables)]
    return [
        None if i not in with_rows else ("PL" if len(with_rows) == 1 else f"PL{i + 1}")
        for i in range(len(appendices))
    ]


def _is_marker_column(header: str) -> bool:
    return _sk(header).strip(" .") in _MARKER_COLUMN


def number_rows(appendix: Appendix, prefix: str) -> None:
    """Give every data row of the appendix's tables its ref (`PL.1`, `PL.2`…)."""
    n = 0
    for table in appendix.tables:
        table.refs = []
        for _ in table.rows:
            n += 1
            table.refs.append(f"{prefix}.{n}")


def table_sections(appendix: Appendix) -> list[Section]:
    """One Section per numbered data row of the appendix's tables."""
    sections: list[Section] = []
    for table in appendix.tables:
        col = table.task_column if table.task_column is not None else 0
        for ref, row, group in zip(table.refs, table.rows, table.groups, strict=False):
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
                    ref=ref,
                    marker=marker,
                    kind="appendix",
                    heading=heading,
                    text="\n".join(details),
                )
            )
    return sections


def attach_pdf_tables(doc: Document, appendices: list[Appendix]) -> None:
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
