"""Write the sample plan in the formats offices keep: Word, TCVN3 and VNI text and PDFs.

    python samples/make_formats.py          # writes samples/formats/

From `haiphong-24-KH-UBND-2026.md` it makes:
- `haiphong-24-KH-UBND-2026.docx` (python-docx): the two-column header table (issuer |
  motto) without borders, Word's automatic numbering for `I.`, `1.`, `a)` (the Vietnamese
  `đ)`, which Word's letters lack, typed by hand as clerks do), the Nơi nhận | signature
  table, a running footer, and an appendix task table with borders;
- `haiphong-tcvn3.txt`, `haiphong-vni.txt`: the text in the pre-Unicode encodings, as
  bytes (lines typed in capitals in TCVN3 use the small codes, as a `.VnTimeH` file does);
- `haiphong-tcvn3.pdf`, `haiphong-vni.pdf`: one-page text-layer PDFs of the header and
  the first part set in fonts named `.VnTime`/`.VnTimeH` and `VNI-Times` (with a subset
  prefix), whose codes are the legacy ones, as Word prints them.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for extra in (ROOT, ROOT / "tests"):
    if str(extra) not in sys.path:  # run as a script from anywhere
        sys.path.insert(0, str(extra))

from docx import Document  # noqa: E402
from docx.oxml import parse_xml  # noqa: E402
from docx.oxml.ns import nsdecls, qn  # noqa: E402
from docx.shared import Pt  # noqa: E402
from pdfbytes import positioned_pdf  # noqa: E402

from pipeline.ingest import legacy, strip_markdown  # noqa: E402

SOURCE = HERE / "haiphong-24-KH-UBND-2026.md"
OUT = HERE / "formats"
ISSUER = ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ HẢI PHÒNG"]
MOTTO = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
TASK_TABLE = [
    ["STT", "Nội dung công việc", "Cơ quan chủ trì", "Thời gian thực hiện"],
    [
        "1",
        "Tổ chức Hội nghị tổng kết công tác thi đua, khen thưởng năm 2025",
        "Sở Nội vụ",
        "Quý I năm 2026",
    ],
    [
        "2",
        "Kiểm tra công tác thi đua, khen thưởng tại các xã, phường",
        "Sở Nội vụ",
        "Quý III năm 2026",
    ],
    [
        "3",
        "Tuyên truyền gương điển hình tiên tiến",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Thường xuyên",
    ],
]
"""The appendix task table of the DOCX (not in the Markdown: its rows are extra tasks)."""

_ROMAN = re.compile(r"^(?:#+\s*)?\**([IVX]+)\.\s+(.*?)\**$")
_NUMBER = re.compile(r"^(?:#+\s*)?(?:- )?(\**)(\d+)\.\s+(.*)$")
_LETTER = re.compile(r"^(?:- )?([a-zđ])\)\s+(.*)$")

NUMBERING = """
<w:abstractNum {ns} w:abstractNumId="90">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%3)"/></w:lvl>
  <w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="-"/></w:lvl>
</w:abstractNum>
"""
NUM_ID = "90"


def _numbering(document) -> None:
    """Add the plan's multilevel list (I. / 1. / a) / -) to the document's numbering."""
    root = document.part.numbering_part.element
    abstract = parse_xml(NUMBERING.format(ns=nsdecls("w")))
    first_num = root.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        root.append(abstract)
    root.append(
        parse_xml(f'<w:num {nsdecls("w")} w:numId="{NUM_ID}"><w:abstractNumId w:val="90"/></w:num>')
    )


def _numbered(document, text: str, level: int, bold: bool = False):
    paragraph = document.add_paragraph()
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(
        parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/>'
            f'<w:numId w:val="{NUM_ID}"/></w:numPr>'
        )
    )
    _runs(paragraph, text, bold)
    return paragraph


def _runs(paragraph, text: str, bold: bool = False) -> None:
    """`**bold**` spans of the Markdown as bold runs."""
    for k, part in enumerate(re.split(r"\*\*", text)):
        if part:
            run = paragraph.add_run(part.replace("*", "").replace("\\", ""))
            run.bold = bold or k % 2 == 1


def _no_borders(table) -> None:
    borders = "".join(
        f'<w:{edge} w:val="nil"/>'
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    table._tbl.tblPr.append(parse_xml(f"<w:tblBorders {nsdecls('w')}>{borders}</w:tblBorders>"))


def _cell_lines(cell, lines: list[str], bold: bool = False) -> None:
    cell.paragraphs[0].text = ""
    for k, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if k == 0 else cell.add_paragraph()
        run = paragraph.add_run(line)
        run.bold = bold


def make_docx(path: Path) -> None:
    """The Hải Phòng plan as Word writes it (see the module docstring)."""
    lines = SOURCE.read_text(encoding="utf-8").split("\n")
    document = Document()
    document.styles["Normal"].font.name = "Times New Roman"
    document.styles["Normal"].font.size = Pt(14)
    _numbering(document)
    document.sections[0].footer.paragraphs[0].text = "Cổng Thông tin điện tử thành phố Hải Phòng"

    number = next(ln for ln in lines if ln.startswith("Số:"))
    date = next(ln for ln in lines if ", ngày " in ln)
    header = document.add_table(rows=1, cols=2)
    _no_borders(header)
    _cell_lines(header.rows[0].cells[0], [*ISSUER, number])
    _cell_lines(header.rows[0].cells[1], [*MOTTO, date])

    body = lines[lines.index(date) + 1 :]
    receivers = body.index("**Nơi nhận:**")
    signature_end = next(i for i in range(len(body) - 1, 0, -1) if body[i].strip())
    for raw in body[:receivers]:
        line = raw.rstrip()
        if not line.strip():
            continue
        roman = _ROMAN.match(line)
        number_item = _NUMBER.match(line)
        letter = _LETTER.match(line)
        if roman:
            _numbered(document, roman.group(2).strip("*"), 0, bold=True)
        elif number_item:
            _numbered(document, number_item.group(1) + number_item.group(3), 1)
        elif letter and letter.group(1) != "đ":
            _numbered(document, letter.group(2), 2)
        else:  # the title lines, the preamble, and the hand-typed `đ)`
            _runs(document.add_paragraph(), re.sub(r"^- ", "", line).replace("  ", ""))

    receiver_lines = [
        strip_markdown(ln.strip()) for ln in body[receivers : signature_end - 3] if ln.strip()
    ]
    signature = [strip_markdown(ln.strip()) for ln in body[signature_end - 3 : signature_end + 1]]
    end = document.add_table(rows=1, cols=2)
    _no_borders(end)
    _cell_lines(end.rows[0].cells[0], [strip_markdown(ln) for ln in receiver_lines])
    _cell_lines(end.rows[0].cells[1], [ln for ln in signature if ln], bold=True)

    document.add_page_break()
    document.add_paragraph().add_run("PHỤ LỤC").bold = True
    document.add_paragraph().add_run("TIẾN ĐỘ THỰC HIỆN MỘT SỐ NHIỆM VỤ NĂM 2026").bold = True
    table = document.add_table(rows=len(TASK_TABLE), cols=len(TASK_TABLE[0]))
    table.style = "Table Grid"
    for row, cells in zip(table.rows, TASK_TABLE, strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.save(path)


def plain_text() -> str:
    """The Markdown's words as plain lines (the text the legacy samples carry)."""
    return strip_markdown(SOURCE.read_text(encoding="utf-8")).strip() + "\n"


def make_legacy_text(path: Path, encoding: str) -> None:
    path.write_bytes(legacy.encode(plain_text(), encoding).encode("cp1252"))


HEADER_LINES = [
    (60, 60, "ỦY BAN NHÂN DÂN"),
    (310, 60, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    (60, 76, "THÀNH PHỐ HẢI PHÒNG"),
    (330, 76, "Độc lập - Tự do - Hạnh phúc"),
    (60, 100, "Số: 24 /KH-UBND"),
    (310, 100, "Hải Phòng, ngày 26 tháng 01 năm 2026"),
]


PAGE_BOTTOM = 790
"""The last line's top on the A4 page (points)."""


def pdf_lines() -> list[tuple[float, float, str]]:
    """The page of the legacy PDFs in Unicode: the header and the plan's first lines."""
    text = [ln for ln in plain_text().split("\n") if ln.strip()]
    body = text[text.index(HEADER_LINES[-1][2]) + 1 :]
    lines = list(HEADER_LINES)
    top = 140
    for line in body:
        for chunk in _wrap(line, 80):
            if top > PAGE_BOTTOM:
                return lines
            lines.append((60, top, chunk))
            top += 16
    return lines


def make_legacy_pdf(path: Path, encoding: str) -> None:
    """A text-layer page in a legacy font (TCVN3 capitals in `.VnTimeH`)."""
    lines = pdf_lines()
    if encoding == legacy.TCVN3:
        encoded = [piece for x, t, s in lines for piece in _tcvn3_pieces(x, t, s)]
        data = positioned_pdf(
            encoded, size=SIZE, font=b"ABCDEF+.VnTime", capitals_font=b"ABCDEF+.VnTimeH"
        )
    else:
        encoded = [(x, t, legacy.encode(s, encoding)) for x, t, s in lines]
        marks = bytes(ord(ch) for ch in VNI_MARKS)
        data = positioned_pdf(encoded, size=SIZE, font=b"GHIJKL+VNI-Times", zero_width=marks)
    path.write_bytes(data)


SIZE = 11
"""Points: the body size of the legacy PDFs."""
VNI_MARKS = "ùøûõïâáàåãäêéèúüëÙØÛÕÏÂÁÀÅÃÄÊÉÈÚÜË"
"""VNI's mark characters, drawn over the letter before them (no advance of their own)."""


TONED_CAPITALS = "ÀẢÃÁẠẰẲẴẮẶẦẨẪẤẬÈẺẼÉẸỀỂỄẾỆÌỈĨÍỊÒỎÕÓỌỒỔỖỐỘỜỞỠỚỢÙỦŨÚỤỪỬỮỨỰỲỶỸÝỴ"
"""Capitals with a tone: TCVN3 has no codes for them outside the capitals fonts."""


def _tcvn3_pieces(x: float, top: float, text: str) -> list[tuple]:
    """A line in TCVN3: all-capital lines in `.VnTimeH`, and within other lines each
    capital with a tone (which `.VnTime` lacks) in `.VnTimeH` too, as typists did."""
    if text.isupper():
        return [(x, top, legacy.encode_tcvn3(text), True)]
    pieces = []
    for run in re.findall(f"[{TONED_CAPITALS}]+|[^{TONED_CAPITALS}]+", text):
        piece = (x, top, legacy.encode_tcvn3(run))
        pieces.append((*piece, True) if run[0] in TONED_CAPITALS else piece)
        x += 0.5 * SIZE * len(run)
    return pieces


def _wrap(text: str, width: int) -> list[str]:
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*out, line] if line else out


def main() -> None:
    OUT.mkdir(exist_ok=True)
    make_docx(OUT / "haiphong-24-KH-UBND-2026.docx")
    for encoding in (legacy.TCVN3, legacy.VNI):
        make_legacy_text(OUT / f"haiphong-{encoding}.txt", encoding)
        make_legacy_pdf(OUT / f"haiphong-{encoding}.pdf", encoding)
    for path in sorted(OUT.iterdir()):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
