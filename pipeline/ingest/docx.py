"""Word documents: DOCX read with python-docx, legacy `.doc` converted by LibreOffice.

A DOCX becomes one page whose lines are what the printed document shows, so that the
rest of the chain sees the same text as for the PDF of the same document:
- paragraphs and tables in document order; a paragraph's line breaks part lines;
- Word's automatic numbering recovered as the printed markers (`1.`, `a)`, `-`), from
  `numbering.xml` with its levels, start values, overrides and restarts;
- tables with borders (or many columns) as data tables: one ` | `-joined line per row
  and the rows in `Page.tables`; a merged cell's text stands in its first row only, as
  in a PDF's table;
- borderless tables of a few columns are layout, such as the header (issuer | motto)
  and the end (Nơi nhận | signature): read column by column, as the PDF reading order
  reads the two columns of a page;
- running headers and footers go to `Page.furniture`, footnotes after the body;
- runs set in TCVN3 (`.VnTime`) or VNI (`VNI-Times`) fonts are converted to Unicode by
  their font name, each run on its own, so a Unicode body with a TCVN3 table converts
  only the table.

Text boxes, comments and tracked deletions are not read.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Config
from pipeline.document import Page
from pipeline.errors import CorruptDocxError, EmptyFileError, LegacyWordError
from pipeline.ingest import legacy
from pipeline.vietnamese import nfc

log = logging.getLogger(__name__)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LAYOUT_MAX_COLUMNS = 3
"""A borderless table of at most this many columns is page layout (header, signature
block); wider ones are data even without borders."""
CONVERT_TIMEOUT = 120
"""Seconds LibreOffice may take to convert one `.doc` (large files take ~10 s)."""
MAX_LEVELS = 9
"""Word's list levels are 0-8."""
SYMBOL_BULLETS = {"\uf02d": "-", "\uf0b7": "•", "\uf0a7": "•", "\uf0d8": "•", "\uf076": "•"}
"""Bullets drawn from the Symbol and Wingdings fonts (private-use code points) as the
marks they print."""
DASH_BULLETS = frozenset("-–—+")


def read_docx(data: bytes, path: Path, config: Config) -> list[Page]:
    """A Word document as one page (see the module docstring)."""
    import docx  # python-docx; imported here so that other inputs never load lxml

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise CorruptDocxError(f"cannot read the Word document (damaged?): {exc}") from exc
    except Exception as exc:  # lxml's XMLSyntaxError and python-docx's own errors
        if type(exc).__module__.startswith(("lxml", "docx")):
            raise CorruptDocxError(f"cannot read the Word document (damaged?): {exc}") from exc
        raise
    reader = _Reader(document)
    lines, tables = reader.body()
    furniture = reader.furniture()
    encoding = legacy.UNICODE
    if reader.encodings:
        encoding = reader.encodings.pop() if len(reader.encodings) == 1 else "mixed"
    text = "\n".join(lines)
    if encoding == legacy.UNICODE:
        guess = legacy.detect(text)
        if guess != legacy.UNICODE:  # legacy text in a Unicode-named font
            encoding = guess
            text = legacy.decode(text, guess)
            tables = [[[legacy.decode(c, guess) for c in row] for row in t] for t in tables]
    if not text.strip():
        raise EmptyFileError("the Word document has no text")
    return [
        Page(
            number=1,
            method="docx",
            text=nfc(text),
            tables=tables,
            encoding=encoding,
            furniture=furniture,
        )
    ]


def read_doc(data: bytes, path: Path, config: Config) -> list[Page]:
    """A legacy binary `.doc`: converted to DOCX by LibreOffice when it is installed."""
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        raise LegacyWordError(
            "a legacy Word .doc (binary format): convert it with "
            "`soffice --headless --convert-to docx FILE` (LibreOffice) and retry"
        )
    with tempfile.TemporaryDirectory(prefix="vnplan-doc-") as work:
        source = Path(work) / "input.doc"
        source.write_bytes(data)
        try:
            subprocess.run(
                [program, "--headless", "--convert-to", "docx", "--outdir", work, str(source)],
                check=True,
                capture_output=True,
                timeout=CONVERT_TIMEOUT,
            )
            converted = (Path(work) / "input.docx").read_bytes()
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            raise LegacyWordError(
                f"LibreOffice could not convert the .doc ({type(exc).__name__}); "
                "convert it by hand with `soffice --headless --convert-to docx FILE`"
            ) from exc
    log.info("%s: converted from .doc with LibreOffice", path.name)
    return read_docx(converted, path, config)


# ---------------------------------------------------------------------------------------


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    restart: int | None = None
    """Restart after this (0-based) level; None: after any higher level."""
    legal: bool = False


@dataclass
class _List:
    levels: dict[int, _Level] = field(default_factory=dict)
    counters: list[int | None] = field(default_factory=lambda: [None] * MAX_LEVELS)


class _Numbering:
    """Word's list numbering: the printed marker of each numbered paragraph in turn."""

    def __init__(self, document) -> None:
        self._lists: dict[str, _List] = {}
        self._style_numbering: dict[str, tuple[str, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {a.get(f"{W}abstractNumId"): a for a in root.iterchildren(f"{W}abstractNum")}
        for num in root.iterchildren(f"{W}num"):
            num_id = num.get(f"{W}numId")
            ref = num.find(f"{W}abstractNumId")
            base = abstract.get(ref.get(f"{W}val")) if ref is not None else None
            levels = _levels(base) if base is not None else {}
            for override in num.iterchildren(f"{W}lvlOverride"):
                ilvl = _int(override.get(f"{W}ilvl"), 0)
                redefined = override.find(f"{W}lvl")
                if redefined is not None:
                    levels[ilvl] = _level(redefined)
                start = override.find(f"{W}startOverride")
                if start is not None:
                    levels.setdefault(ilvl, _Level()).start = _int(start.get(f"{W}val"), 1)
            self._lists[num_id] = _List(levels)
            if base is not None:
                for lvl in base.iterchildren(f"{W}lvl"):
                    style = lvl.find(f"{W}pStyle")
                    if style is not None:
                        ilvl = _int(lvl.get(f"{W}ilvl"), 0)
                        self._style_numbering.setdefault(style.get(f"{W}val"), (num_id, ilvl))

    def marker(self, paragraph_element, styles: _Styles) -> str:
        """The marker Word prints before this paragraph, `""` when it is not numbered."""
        found = _paragraph_numbering(paragraph_element)
        if found is None:
            style = _paragraph_style(paragraph_element)
            found = styles.numbering(style)
            if found is None and style in self._style_numbering:
                found = self._style_numbering[style]
        if found is None:
            return ""
        num_id, ilvl = found
        numbered = self._lists.get(num_id)
        if numbered is None or num_id == "0":
            return ""
        ilvl = min(max(ilvl, 0), MAX_LEVELS - 1)
        level = numbered.levels.get(ilvl, _Level())
        counters = numbered.counters
        counters[ilvl] = level.start if counters[ilvl] is None else counters[ilvl] + 1
        for deeper in range(ilvl + 1, MAX_LEVELS):
            restart = numbered.levels.get(deeper, _Level()).restart
            if restart is None or restart > ilvl:
                counters[deeper] = None
        if level.fmt == "bullet":
            return _bullet(level.text)
        if level.fmt == "none":
            return ""
        out = level.text
        for k in range(MAX_LEVELS):
            if f"%{k + 1}" not in out:
                continue
            other = numbered.levels.get(k, _Level())
            value = counters[k] if counters[k] is not None else other.start
            fmt = "decimal" if level.legal else other.fmt
            out = out.replace(f"%{k + 1}", _format(value, fmt))
        return out.strip()


def _levels(abstract) -> dict[int, _Level]:
    return {_int(lvl.get(f"{W}ilvl"), 0): _level(lvl) for lvl in abstract.iterchildren(f"{W}lvl")}


def _level(lvl) -> _Level:
    def val(tag: str) -> str | None:
        node = lvl.find(f"{W}{tag}")
        return node.get(f"{W}val") if node is not None else None

    restart = val("lvlRestart")
    return _Level(
        fmt=val("numFmt") or "decimal",
        text=val("lvlText") if val("lvlText") is not None else "",
        start=_int(val("start"), 1),
        restart=None if restart is None else _int(restart, 0) - 1,
        legal=lvl.find(f"{W}isLgl") is not None,
    )


def _paragraph_numbering(p) -> tuple[str, int] | None:
    num_pr = p.find(f"{W}pPr/{W}numPr")
    if num_pr is None:
        return None
    num_id = num_pr.find(f"{W}numId")
    if num_id is None:
        return None
    ilvl = num_pr.find(f"{W}ilvl")
    return num_id.get(f"{W}val"), _int(ilvl.get(f"{W}val") if ilvl is not None else None, 0)


def _paragraph_style(p) -> str | None:
    style = p.find(f"{W}pPr/{W}pStyle")
    return style.get(f"{W}val") if style is not None else None


def _format(value: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letters = ""
        n = value
        while n > 0:
            n, rest = divmod(n - 1, 26)
            letters = chr(ord("a") + rest) + letters
        letters = letters or "a"
        return letters.upper() if fmt == "upperLetter" else letters
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman.lower() if fmt == "lowerRoman" else roman
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


def _roman(value: int) -> str:
    out = ""
    for number, letters in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while value >= number:
            out += letters
            value -= number
    return out


def _bullet(text: str) -> str:
    mark = (text or "").strip()
    mark = SYMBOL_BULLETS.get(mark, mark)
    return mark if mark in DASH_BULLETS or mark == "•" else "•"


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class _Styles:
    """Fonts and numbering that paragraphs and runs inherit from their styles."""

    def __init__(self, document) -> None:
        self._styles = {}
        self._default_font = None
        try:
            root = document.styles.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for style in root.iterchildren(f"{W}style"):
            self._styles[style.get(f"{W}styleId")] = style
        defaults = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        self._default_font = _font_of(defaults)
        self._fonts: dict[str | None, str | None] = {}

    def _chain(self, style_id: str | None):
        seen = set()
        while style_id and style_id in self._styles and style_id not in seen:
            seen.add(style_id)
            style = self._styles[style_id]
            yield style
            based = style.find(f"{W}basedOn")
            style_id = based.get(f"{W}val") if based is not None else None

    def font(self, style_id: str | None) -> str | None:
        """The Latin font a style gives its text (through `basedOn`), else the default."""
        if style_id not in self._fonts:
            found = None
            for style in self._chain(style_id):
                found = _font_of(style.find(f"{W}rPr"))
                if found:
                    break
            self._fonts[style_id] = found or self._default_font
        return self._fonts[style_id]

    def numbering(self, style_id: str | None) -> tuple[str, int] | None:
        for style in self._chain(style_id):
            num_pr = style.find(f"{W}pPr/{W}numPr")
            if num_pr is not None:
                num_id = num_pr.find(f"{W}numId")
                ilvl = num_pr.find(f"{W}ilvl")
                if num_id is not None:
                    level = _int(ilvl.get(f"{W}val") if ilvl is not None else None, 0)
                    return num_id.get(f"{W}val"), level
        return None


def _font_of(rpr) -> str | None:
    """The font of high-ANSI text (where legacy code points fall), else the ASCII font."""
    if rpr is None:
        return None
    fonts = rpr.find(f"{W}rFonts")
    if fonts is None:
        return None
    return fonts.get(f"{W}hAnsi") or fonts.get(f"{W}ascii")


class _Reader:
    """Walks a python-docx document into lines and tables."""

    def __init__(self, document) -> None:
        self.document = document
        self.styles = _Styles(document)
        self.numbering = _Numbering(document)
        self.encodings: set[str] = set()

    def body(self) -> tuple[list[str], list[list[list[str]]]]:
        lines: list[str] = []
        tables: list[list[list[str]]] = []
        self._blocks(self.document.element.body, lines, tables)
        lines.extend(self._footnotes())
        return lines, tables

    def _blocks(self, parent, lines: list[str], tables: list) -> None:
        for child in parent.iterchildren():
            if child.tag == f"{W}p":
                lines.extend(self._paragraph(child, numbered=True))
            elif child.tag == f"{W}tbl":
                self._table(child, lines, tables)
            elif child.tag == f"{W}sdt":
                content = child.find(f"{W}sdtContent")
                if content is not None:
                    self._blocks(content, lines, tables)

    def _paragraph(self, p, numbered: bool) -> list[str]:
        """The paragraph's printed lines: marker and text, split at line breaks."""
        style_font = self.styles.font(_paragraph_style(p))
        parts = []
        for r in p.iter(f"{W}r"):
            if _owner_paragraph(r) is not p:
                continue  # a text box's paragraph inside a drawing
            text = _run_text(r)
            if not text:
                continue
            rpr = r.find(f"{W}rPr")
            font = _font_of(rpr)
            if font is None and rpr is not None:
                run_style = rpr.find(f"{W}rStyle")
                if run_style is not None:
                    font = self.styles.font(run_style.get(f"{W}val"))
            known = legacy.font_encoding(font or style_font)
            if known is not None:
                self.encodings.add(known.encoding)
                text = legacy.decode(text, known.encoding, known.capitals)
            parts.append(text)
        text = "".join(parts).replace("\t", " ")
        marker = self.numbering.marker(p, self.styles) if numbered else ""
        lines = [" ".join(line.split()) for line in text.split("\n")]
        lines = [line for line in lines if line]
        if marker:
            lines = [f"{marker} {lines[0]}" if lines else marker, *lines[1:]]
        return lines

    def _cell_lines(self, tc) -> list[str]:
        lines: list[str] = []
        for child in tc.iterchildren():
            if child.tag == f"{W}p":
                lines.extend(self._paragraph(child, numbered=True))
            elif child.tag == f"{W}tbl":  # a table inside a cell: its rows as lines
                rows = self._rows(child)
                lines.extend(" ".join(c for c in row if c) for row in rows)
        return lines

    def _rows(self, tbl) -> list[list[str]]:
        rows = []
        for tr in tbl.iterchildren(f"{W}tr"):
            row: list[str] = []
            for tc in tr.iterchildren(f"{W}tc"):
                props = tc.find(f"{W}tcPr")
                span = 1
                continued = False
                if props is not None:
                    grid = props.find(f"{W}gridSpan")
                    span = max(1, _int(grid.get(f"{W}val") if grid is not None else None, 1))
                    merge = props.find(f"{W}vMerge")
                    continued = merge is not None and merge.get(f"{W}val") != "restart"
                text = "" if continued else " ".join(self._cell_lines(tc))
                row.extend([text] + [""] * (span - 1))
            rows.append(row)
        return rows

    def _table(self, tbl, lines: list[str], tables: list) -> None:
        columns = max((len(tr.findall(f"{W}tc")) for tr in tbl.iterchildren(f"{W}tr")), default=0)
        if columns <= LAYOUT_MAX_COLUMNS and not self._has_borders(tbl):
            # Layout: each column top to bottom, as a page's two columns are read.
            cells: dict[int, list[str]] = {}
            for tr in tbl.iterchildren(f"{W}tr"):
                for k, tc in enumerate(tr.iterchildren(f"{W}tc")):
                    cells.setdefault(k, []).extend(self._cell_lines(tc))
            for k in sorted(cells):
                lines.extend(cells[k])
            return
        rows = [row for row in self._rows(tbl) if any(row)]
        if rows:
            tables.append(rows)
            lines.extend(" | ".join(row) for row in rows)

    def _has_borders(self, tbl) -> bool:
        """Borders set on the table, its style (or a base style), or its cells."""
        props = tbl.find(f"{W}tblPr")
        candidates = [props.find(f"{W}tblBorders")] if props is not None else []
        style = props.find(f"{W}tblStyle") if props is not None else None
        if style is not None:
            for s in self.styles._chain(style.get(f"{W}val")):
                candidates.append(s.find(f"{W}tblPr/{W}tblBorders"))
        candidates.extend(tbl.iter(f"{W}tcBorders"))
        for borders in candidates:
            if borders is None:
                continue
            for edge in borders.iterchildren():
                if edge.get(f"{W}val") not in (None, "nil", "none"):
                    return True
        return False

    def _footnotes(self) -> list[str]:
        """Footnote texts (they carry legal references), after the body."""
        from lxml import etree

        lines = []
        for rel in self.document.part.rels.values():
            if rel.is_external or not rel.reltype.endswith("/footnotes"):
                continue
            root = etree.fromstring(rel.target_part.blob)
            for note in root.iterchildren(f"{W}footnote"):
                if _int(note.get(f"{W}id"), 0) <= 0:
                    continue  # the separator and continuation notes
                for p in note.iter(f"{W}p"):
                    lines.extend(self._paragraph(p, numbered=False))
        return lines

    def furniture(self) -> list[str]:
        """Running header and footer lines of every section, once each."""
        seen: list[str] = []
        for section in self.document.sections:
            for part in (
                section.header,
                section.first_page_header,
                section.footer,
                section.first_page_footer,
            ):
                try:
                    if part.is_linked_to_previous:
                        continue
                    elements = part._element
                except (KeyError, AttributeError, NotImplementedError):
                    continue
                for p in elements.iter(f"{W}p"):
                    for line in self._paragraph(p, numbered=False):
                        if line not in seen:
                            seen.append(line)
        return seen


_RUN_TEXT = {
    f"{W}tab": "\t",
    f"{W}br": "\n",
    f"{W}cr": "\n",
    f"{W}noBreakHyphen": "-",
    f"{W}softHyphen": "\u00ad",
}
"""Run children that print a character.  The soft hyphen is kept: in a TCVN3 run it is
the code of `ư` (0xAD); `nfc` removes it from Unicode text."""


def _run_text(r) -> str:
    """The characters of a run, in order (`w:t`, tabs, breaks, hyphens)."""
    out = []
    for child in r.iterchildren():
        if child.tag == f"{W}t":
            out.append(child.text or "")
        elif child.tag in _RUN_TEXT:
            out.append(_RUN_TEXT[child.tag])
    return "".join(out)


def _owner_paragraph(r):
    node = r.getparent()
    while node is not None and node.tag != f"{W}p":
        node = node.getparent()
    return node
