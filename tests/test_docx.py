"""Word documents: order, numbering, tables, furniture, legacy fonts, sniffing, errors."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from pipeline import process_file
from pipeline.config import Config
from pipeline.errors import CorruptDocxError, LegacyWordError, UnsupportedFormatError
from pipeline.ingest import DOC_TYPE, DOCX_TYPE, ingest, new_document, sniff_media_type
from pipeline.ingest.legacy import TCVN3, UNICODE, VNI, encode

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

LIST = """
<w:abstractNum {ns} w:abstractNumId="77">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%3)"/></w:lvl>
  <w:lvl w:ilvl="3"><w:numFmt w:val="bullet"/><w:lvlText w:val="\uf02d"/></w:lvl>
  <w:lvl w:ilvl="4"><w:numFmt w:val="bullet"/><w:lvlText w:val="\uf0b7"/></w:lvl>
  <w:lvl w:ilvl="5"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2.%6."/></w:lvl>
</w:abstractNum>
"""


def _list(document, num_id: str = "77", start_override: int | None = None) -> str:
    """Add the test list definition (once) and a `w:num` instance of it."""
    root = document.part.numbering_part.element
    if root.find(qn("w:abstractNum") + "[@" + qn("w:abstractNumId") + "='77']") is None:
        first = root.find(qn("w:num"))
        abstract = parse_xml(LIST.format(ns=nsdecls("w")))
        if first is not None:
            first.addprevious(abstract)
        else:
            root.append(abstract)
    override = (
        f'<w:lvlOverride w:ilvl="1"><w:startOverride w:val="{start_override}"/></w:lvlOverride>'
        if start_override
        else ""
    )
    root.append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="77"/>'
            f"{override}</w:num>"
        )
    )
    return num_id


def _item(document, text: str, level: int, num_id: str = "77"):
    paragraph = document.add_paragraph(text)
    paragraph._p.get_or_add_pPr().append(
        parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/>'
            "</w:numPr>"
        )
    )
    return paragraph


def _lines(document, tmp_path: Path, name: str = "x.docx"):
    path = tmp_path / name
    document.save(path)
    doc = ingest(new_document(path), Config())
    return doc, doc.pages[0].text.split("\n")


def test_numbering_is_printed_as_markers(tmp_path):
    document = docx.Document()
    _list(document)
    _item(document, "MỤC ĐÍCH", 0)
    _item(document, "Đẩy mạnh thi đua", 1)
    _item(document, "Nâng cao chất lượng", 1)
    _item(document, "NHIỆM VỤ", 0)
    _item(document, "Quý I năm 2026", 1)  # restarts under the new part
    _item(document, "Ban hành kế hoạch", 2)
    _item(document, "Tổng kết", 2)
    _item(document, "gạch đầu dòng", 3)
    _item(document, "chấm tròn", 4)
    _item(document, "Quý II năm 2026", 1)
    _item(document, "Họp hội đồng", 2)  # letters restart under 2.
    _item(document, "mục con", 5)
    _, lines = _lines(document, tmp_path)
    assert lines == [
        "I. MỤC ĐÍCH",
        "1. Đẩy mạnh thi đua",
        "2. Nâng cao chất lượng",
        "II. NHIỆM VỤ",
        "1. Quý I năm 2026",
        "a) Ban hành kế hoạch",
        "b) Tổng kết",
        "- gạch đầu dòng",
        "• chấm tròn",
        "2. Quý II năm 2026",
        "a) Họp hội đồng",
        "2.1. mục con",
    ]


def test_start_override_and_separate_lists(tmp_path):
    document = docx.Document()
    _list(document)
    second = _list(document, num_id="78", start_override=5)
    _item(document, "một", 1)
    _item(document, "năm", 1, num_id=second)
    _item(document, "hai", 1)
    _, lines = _lines(document, tmp_path)
    assert lines == ["1. một", "5. năm", "2. hai"]


def test_style_numbering_of_the_default_template(tmp_path):
    document = docx.Document()
    document.add_paragraph("Thứ nhất", style="List Number")
    document.add_paragraph("Thứ hai", style="List Number")
    document.add_paragraph("ý", style="List Bullet")
    _, lines = _lines(document, tmp_path)
    assert lines == ["1. Thứ nhất", "2. Thứ hai", "• ý"]


def _no_borders(table) -> None:
    edges = "".join(f'<w:{e} w:val="nil"/>' for e in ("top", "left", "bottom", "right"))
    table._tbl.tblPr.append(parse_xml(f"<w:tblBorders {nsdecls('w')}>{edges}</w:tblBorders>"))


def test_header_table_reads_column_by_column(tmp_path):
    document = docx.Document()
    header = document.add_table(rows=2, cols=2)
    _no_borders(header)
    header.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HẢI PHÒNG"
    header.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    header.cell(1, 0).text = "Số: 24 /KH-UBND"
    header.cell(1, 1).text = "Hải Phòng, ngày 26 tháng 01 năm 2026"
    document.add_paragraph("KẾ HOẠCH")
    doc, lines = _lines(document, tmp_path)
    assert lines == [
        "ỦY BAN NHÂN DÂN",
        "THÀNH PHỐ HẢI PHÒNG",
        "Số: 24 /KH-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Hải Phòng, ngày 26 tháng 01 năm 2026",
        "KẾ HOẠCH",
    ]
    assert doc.pages[0].tables == []


def test_bordered_table_is_data_with_merged_cells_once(tmp_path):
    document = docx.Document()
    document.add_paragraph("Trước bảng")
    table = document.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    for k, text in enumerate(["STT", "Nội dung", "Chủ trì"]):
        table.cell(0, k).text = text
    table.cell(1, 0).text, table.cell(1, 1).text = "1", "Tổng kết"
    table.cell(2, 0).text, table.cell(2, 1).text = "2", "Kiểm tra"
    merged = table.cell(1, 2).merge(table.cell(2, 2))
    merged.text = "Sở Nội vụ"
    document.add_paragraph("Sau bảng")
    doc, lines = _lines(document, tmp_path)
    assert lines == [
        "Trước bảng",
        "STT | Nội dung | Chủ trì",
        "1 | Tổng kết | Sở Nội vụ",
        "2 | Kiểm tra | ",
        "Sau bảng",
    ]
    assert doc.pages[0].tables == [
        [["STT", "Nội dung", "Chủ trì"], ["1", "Tổng kết", "Sở Nội vụ"], ["2", "Kiểm tra", ""]]
    ]


def test_headers_and_footers_are_kept_apart(tmp_path):
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "CÔNG BÁO"
    document.sections[0].footer.paragraphs[0].text = "Trang 1"
    document.add_paragraph("Nội dung")
    doc, lines = _lines(document, tmp_path)
    assert lines == ["Nội dung"]
    assert doc.pages[0].furniture == ["CÔNG BÁO", "Trang 1"]
    assert doc.pages[0].method == "docx"


def _run(paragraph, text: str, font: str | None):
    run = paragraph.add_run(text)
    if font:
        run.font.name = font  # sets w:ascii and w:hAnsi
    return run


def test_legacy_runs_convert_by_font_and_unicode_runs_stay(tmp_path):
    """A Unicode body with a TCVN3 heading, a VNI line and a TCVN3 table."""
    document = docx.Document()
    _run(document.add_paragraph(), encode("kế hoạch", TCVN3), ".VnTimeH")
    paragraph = document.add_paragraph()
    _run(paragraph, "Tòa án: ", "Times New Roman")  # ò à á are TCVN3 codes as well
    _run(paragraph, encode("thưởng năm 2026", TCVN3), ".VnTime")
    _run(document.add_paragraph(), encode("Việt Nam", VNI), "VNI-Times")
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for k, text in enumerate(["1", "Tổng kết", "Sở Nội vụ", "Quý I"]):
        table.cell(0, k).text = ""
        _run(table.cell(0, k).paragraphs[0], encode(text, TCVN3), ".VnTime")
    doc, lines = _lines(document, tmp_path)
    assert lines == [
        "KẾ HOẠCH",
        "Tòa án: thưởng năm 2026",
        "Việt Nam",
        "1 | Tổng kết | Sở Nội vụ | Quý I",
    ]
    assert doc.source.encoding == "mixed"


def test_font_inherited_from_the_paragraph_style(tmp_path):
    document = docx.Document()
    document.styles["Normal"].font.name = ".VnTime"
    document.add_paragraph(encode("Ủy ban nhân dân thành phố", TCVN3))
    doc, lines = _lines(document, tmp_path)
    assert doc.source.encoding == TCVN3
    assert lines == ["ủy ban nhân dân thành phố"]  # TCVN3 has no code for Ủ outside .VnTimeH


def test_soft_hyphen_element_in_a_tcvn3_run_is_u_horn(tmp_path):
    """Word may store TCVN3's `ư` (0xAD, a soft hyphen) as `<w:softHyphen/>`."""
    document = docx.Document()
    run = _run(document.add_paragraph(), "th", ".VnTime")
    run._r.append(parse_xml(f"<w:softHyphen {nsdecls('w')}/>"))
    run._r.append(parse_xml(f"<w:t {nsdecls('w')}>ëng</w:t>"))
    _, lines = _lines(document, tmp_path)
    assert lines == ["thưởng"]


def test_unicode_document_is_unicode(tmp_path):
    document = docx.Document()
    document.add_paragraph("Kế hoạch triển khai nhiệm vụ")
    doc, _ = _lines(document, tmp_path)
    assert doc.source.encoding == UNICODE


# --- sniffing and errors ------------------------------------------------------------------


def _docx_bytes(text: str = "Kế hoạch") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("name", ["plan.docx", "plan.doc", "plan.bin", "plan"])
def test_docx_is_sniffed_by_content(tmp_path, name):
    data = _docx_bytes()
    assert sniff_media_type(data, name) == DOCX_TYPE
    path = tmp_path / name
    path.write_bytes(data)
    assert ingest(new_document(path), Config()).text.body == "Kế hoạch"


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buf.getvalue()


def test_other_zip_files_are_unsupported(tmp_path):
    path = tmp_path / "x.docx"
    path.write_bytes(_zip({"xl/workbook.xml": b"<workbook/>"}))
    with pytest.raises(UnsupportedFormatError, match="spreadsheetml"):
        ingest(new_document(path), Config())


def test_damaged_docx_is_a_corrupt_docx_error(tmp_path):
    path = tmp_path / "x.docx"
    path.write_bytes(_zip({"word/document.xml": b"<w:document", "[Content_Types].xml": b"<"}))
    with pytest.raises(CorruptDocxError, match="cannot read the Word document"):
        ingest(new_document(path), Config())


OLE_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "WordDocument".encode("utf-16-le")


def test_legacy_doc_names_the_conversion_when_libreoffice_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr("pipeline.ingest.docx.shutil.which", lambda name: None)
    assert sniff_media_type(OLE_DOC, "old.doc") == DOC_TYPE
    path = tmp_path / "old.doc"
    path.write_bytes(OLE_DOC)
    doc = process_file(path)
    assert doc.status == "failed"
    assert doc.errors[0].kind == "LegacyWordError"
    assert "soffice --headless --convert-to docx" in doc.errors[0].message


def test_legacy_doc_is_converted_when_libreoffice_is_there(tmp_path, monkeypatch):
    calls = []

    def fake_run(args, **kwargs):
        calls.append(args)
        outdir = Path(args[args.index("--outdir") + 1])
        (outdir / "input.docx").write_bytes(_docx_bytes("Quyết định"))
        return subprocess.CompletedProcess(args, 0)

    monkeypatch.setattr("pipeline.ingest.docx.shutil.which", lambda name: "/usr/bin/soffice")
    monkeypatch.setattr("pipeline.ingest.docx.subprocess.run", fake_run)
    path = tmp_path / "old.doc"
    path.write_bytes(OLE_DOC)
    doc = ingest(new_document(path), Config())
    assert doc.text.body == "Quyết định"
    assert calls[0][:4] == ["/usr/bin/soffice", "--headless", "--convert-to", "docx"]


def test_libreoffice_failure_is_a_legacy_word_error(tmp_path, monkeypatch):
    def failing_run(args, **kwargs):
        raise subprocess.CalledProcessError(1, args)

    monkeypatch.setattr("pipeline.ingest.docx.shutil.which", lambda name: "/usr/bin/soffice")
    monkeypatch.setattr("pipeline.ingest.docx.subprocess.run", failing_run)
    path = tmp_path / "old.doc"
    path.write_bytes(OLE_DOC)
    with pytest.raises(LegacyWordError, match="could not convert"):
        ingest(new_document(path), Config())


def test_empty_docx_is_an_empty_file(tmp_path):
    path = tmp_path / "x.docx"
    docx.Document().save(path)
    doc = process_file(path)
    assert doc.errors[0].kind == "EmptyFileError"


# --- the sample -------------------------------------------------------------------------


def test_haiphong_docx_gives_what_its_markdown_gives():
    doc = process_file(SAMPLES / "formats" / "haiphong-24-KH-UBND-2026.docx")
    plan = process_file(SAMPLES / "haiphong-24-KH-UBND-2026.md")
    assert doc.status == "ok", doc.errors
    # The DOCX prints its issuer block; the Markdown has none, so there it is inferred.
    assert doc.metadata.model_dump(exclude={"issuer_inferred"}) == plan.metadata.model_dump(
        exclude={"issuer_inferred"}
    )
    assert doc.legal_refs == plan.legal_refs
    assert [t for t in doc.tasks if t.source != "table"] == plan.tasks
    table = {t.ref: t for t in doc.tasks if t.source == "table"}
    assert sorted(table) == ["PL.1", "PL.2", "PL.3"]
    assert table["PL.1"].lead == "Sở Nội vụ"
    assert table["PL.1"].period.label == "Quý I năm 2026"
    assert doc.pages[0].furniture == ["Cổng Thông tin điện tử thành phố Hải Phòng"]
