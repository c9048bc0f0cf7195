"""The OCR stage: each input kind, header columns, confidence, failures of Tesseract."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytesseract
import pytest
from conftest import has_tesseract
from PIL import Image

from pipeline import ocr as ocr_module
from pipeline.chain import ocr_file_text, process_path
from pipeline.config import Config
from pipeline.document import Document, Page, Source
from pipeline.errors import MissingDependencyError, OcrError
from pipeline.ocr import libtesseract, ocr, page_text, preprocess, recognise_page, tesseract

SCANS = Path(__file__).parent / "data" / "scans"
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
needs_tesseract = pytest.mark.skipif(not has_tesseract(), reason="tesseract with vie missing")
FAST = Config(workers=1)


def _word(text, left, top, block=1, line=1, conf=95.0, width=None):
    return tesseract.Word(text, conf, left, top, width or 30 * len(text), 50, block, 1, line)


def test_page_text_splits_a_merged_header_line():
    # Tesseract put both header columns in one line: the gap in the middle cuts it.
    words = [
        _word("ĐẶC", 300, 100),
        _word("KHU", 420, 100),
        _word("Độc", 1300, 100),
        _word("lập", 1420, 100),
        _word("Số:", 300, 170, line=2),
        _word("83/KH-UBND", 420, 170, line=2),
        _word("Cát", 1250, 170, line=2),
        _word("Hải", 1370, 170, line=2),
    ]
    assert page_text(words, width=2480, number=1).split("\n") == [
        "ĐẶC KHU",
        "Số: 83/KH-UBND",
        "Độc lập",
        "Cát Hải",
    ]


def test_page_text_drops_the_page_number_of_page_two():
    words = [_word("2", 1200, 80, block=1), _word("tiếp", 300, 300, block=2, line=1)]
    assert page_text(words, width=2480, number=2) == "tiếp"


def test_parse_tsv_keeps_words_with_boxes():
    tsv = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
        "1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t10\t20\t30\t40\t91.5\tSố:\n"
        "5\t1\t1\t1\t1\t2\t50\t20\t30\t40\t-1\t \n"
    )
    [word] = tesseract.parse_tsv(tsv)
    assert (word.text, word.conf, word.left, word.right, word.bottom) == ("Số:", 91.5, 10, 40, 60)


def test_parse_tsv_reads_columns_by_name_and_skips_short_rows():
    tsv = (
        "text\tconf\tlevel\tleft\ttop\twidth\theight\tblock_num\tpar_num\tline_num\r\n"
        "Kế\t88\t5\t1\t2\t3\t4\t2\t3\t4\r\n"
        "\t-1\t4\r\n"
        '"hoạch\t70\t5\t9\t2\t3\t4\t2\t3\t4\n'
    )
    words = tesseract.parse_tsv(tsv)
    assert [(w.text, w.conf, w.left, w.block, w.line) for w in words] == [
        ("Kế", 88.0, 1, 2, 4),
        ('"hoạch', 70.0, 9, 2, 4),  # no quoting in Tesseract's TSV
    ]
    assert tesseract.parse_tsv("") == []


@pytest.mark.parametrize(
    ("mode", "stored"), [("L", "L"), ("1", "1"), ("RGBA", "RGB"), ("P", "RGB")]
)
def test_page_is_written_as_uncompressed_tiff(tmp_path, mode, stored):
    # Leptonica reads raw TIFF in milliseconds; its PNM reader goes byte by byte.
    path = tmp_path / "page.tif"
    tesseract.write_tiff(Image.new(mode, (8, 4)), path)
    with Image.open(path) as back:
        assert (back.format, back.mode, back.info.get("compression")) == ("TIFF", stored, "raw")


def test_recognise_hands_tesseract_a_tiff_and_the_dpi(monkeypatch):
    monkeypatch.setenv(libtesseract.MODE_ENV, "program")
    seen = {}

    def fake_image_to_data(path, lang, config, timeout):
        with Image.open(path) as page:
            seen["format"], seen["size"] = page.format, page.size
        seen["lang"], seen["config"] = lang, config
        return "level\tpage_num\n"

    monkeypatch.setattr(pytesseract, "image_to_data", fake_image_to_data)
    assert tesseract.recognise(Image.new("L", (40, 30), 255), languages="vie", dpi=200) == []
    assert (seen["format"], seen["size"]) == ("TIFF", (40, 30))
    assert seen["config"].split() == ["--dpi", "200", "--psm", "3"]
    assert seen["lang"] == "vie"


def _doc(path: Path, media_type: str, pages: int = 1) -> Document:
    doc = Document(source=Source(path=str(path), media_type=media_type, pages=pages))
    doc.pages = [Page(number=n, needs_ocr=True) for n in range(1, pages + 1)]
    return doc


def test_missing_tesseract_names_the_debian_packages(monkeypatch):
    monkeypatch.setattr(tesseract, "TESSERACT", "tesseract-not-installed-here")
    tesseract.installed_languages.cache_clear()
    try:
        with pytest.raises(MissingDependencyError) as info:
            ocr(_doc(SCANS / "body.png", "image/png"), FAST)
    finally:
        tesseract.installed_languages.cache_clear()
    assert "tesseract-ocr" in str(info.value)
    assert "tesseract-ocr-vie" in str(info.value)


def test_missing_tesseract_fails_the_document_not_the_batch(monkeypatch, tmp_path):
    def missing(*args, **kwargs):
        raise FileNotFoundError("tesseract")

    monkeypatch.setattr(subprocess, "Popen", missing)
    tesseract.installed_languages.cache_clear()
    try:
        doc = process_path(SCANS / "body.png", FAST)
    finally:
        tesseract.installed_languages.cache_clear()
    assert doc.status == "failed"
    assert doc.errors[0].kind == "MissingDependencyError"
    assert "tesseract-ocr-vie" in doc.errors[0].message


@needs_tesseract
@pytest.mark.tesseract
def test_missing_language_data_names_its_package():
    with pytest.raises(MissingDependencyError, match="tesseract-ocr-xyz"):
        tesseract.check_languages("vie+xyz")


def test_tesseract_crash_is_an_ocr_error(monkeypatch):
    monkeypatch.setenv(libtesseract.MODE_ENV, "program")

    def crash(*args, **kwargs):
        raise pytesseract.TesseractError(-11, "Segmentation fault")

    monkeypatch.setattr(pytesseract, "image_to_data", crash)
    with pytest.raises(OcrError, match="Segmentation fault"):
        tesseract.recognise(Image.new("L", (10, 10), 255))


def test_tesseract_timeout_leaves_the_page_empty_with_a_warning(monkeypatch):
    monkeypatch.setenv(libtesseract.MODE_ENV, "program")

    def slow(*args, **kwargs):
        raise RuntimeError("Tesseract process timeout")  # what pytesseract raises

    monkeypatch.setattr(pytesseract, "image_to_data", slow)
    result = recognise_page(1, Image.open(SCANS / "body.png"), 300, FAST)
    assert result.text == ""
    assert "timed out" in result.warning


def test_blank_page_is_empty_without_tesseract(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("Tesseract must not run on a blank page")

    monkeypatch.setattr(tesseract, "recognise", never)
    result = recognise_page(2, Image.new("L", (2480, 3508), 250), 300, FAST)
    assert (result.text, result.confidence, result.warning) == ("", None, None)


def test_a_page_thumbnail_is_made_once(monkeypatch):
    made = []
    real = preprocess.thumbnail
    monkeypatch.setattr(preprocess, "thumbnail", lambda image: made.append(1) or real(image))
    monkeypatch.setattr(tesseract, "recognise", lambda image, **kwargs: [])
    config = Config(workers=1, preprocess=("grayscale", "denoise", "deskew", "border"))
    recognise_page(1, Image.open(SCANS / "body.png"), 300, config)
    assert made == [1]  # blank check, skew angle and border share it


def test_batch_workers_run_ocr_single_process(monkeypatch):
    assert ocr_module.ocr_workers(Config(workers=4), pages=10) == 4
    assert ocr_module.ocr_workers(Config(workers=4), pages=2) == 2
    monkeypatch.setattr(ocr_module.multiprocessing, "parent_process", lambda: object())
    assert ocr_module.ocr_workers(Config(workers=4), pages=10) == 1


# --- with Tesseract ----------------------------------------------------------------------


@pytest.fixture
def header_png() -> Path:
    """A rendered two-column header strip (1-bit, 300 dpi)."""
    return SCANS / "header.png"


@needs_tesseract
@pytest.mark.tesseract
def test_png_header_columns_come_out_as_separate_lines(header_png):
    text = ocr_file_text(header_png, FAST)
    lines = text.split("\n")
    assert lines[:3] == ["ỦY BAN NHÂN DÂN", "ĐẶC KHU CÁT HẢI", "Số: 83/KH-UBND"]
    assert "Độc lập - Tự do - Hạnh phúc" in lines
    assert any(line.startswith("Cát Hải, ngày 24 tháng 02 năm 2026") for line in lines)
    assert not any("HẢI" in line and "Độc lập" in line for line in lines)


def _save(image: Image.Image, path: Path, fmt: str, **params) -> Path:
    image.save(path, format=fmt, **params)
    return path


@needs_tesseract
@pytest.mark.tesseract
def test_jpeg_page_gets_text_confidence_and_method(tmp_path):
    path = _save(Image.open(SCANS / "body.png").convert("L"), tmp_path / "p.jpg", "JPEG")
    doc = ocr(_doc(path, "image/jpeg"), FAST)
    [page] = doc.pages
    assert page.method == "ocr" and not page.needs_ocr
    assert "Chỉ thị số 41-CT/TW" in page.text
    assert page.confidence is not None and page.confidence > 70
    assert doc.text.method == "ocr"
    assert "41-CT/TW" in doc.text.body


@needs_tesseract
@pytest.mark.tesseract
def test_multipage_tiff_with_a_blank_back_page(tmp_path):
    body = Image.open(SCANS / "body.png").convert("L")
    blank = Image.new("L", body.size, 255)
    path = tmp_path / "scan.tif"
    body.save(path, format="TIFF", save_all=True, append_images=[blank])
    doc = ocr(_doc(path, "image/tiff", pages=2), Config(workers=2))
    assert [p.method for p in doc.pages] == ["ocr", "ocr"]
    assert "khen thưởng" in doc.pages[0].text
    assert doc.pages[1].text == ""
    assert ocr_file_text(path, FAST).count("\f") == 1


@needs_tesseract
@pytest.mark.tesseract
def test_image_only_pdf_in_the_chain(tmp_path):
    buf = io.BytesIO()
    Image.open(SCANS / "header.png").convert("L").save(buf, format="PDF", resolution=300)
    path = tmp_path / "scan.pdf"
    path.write_bytes(buf.getvalue())
    text = ocr_file_text(path, FAST)
    assert "Số: 83/KH-UBND" in text.split("\n")


@needs_tesseract
@pytest.mark.tesseract
def test_low_confidence_page_gets_a_warning(tmp_path):
    path = _save(Image.open(SCANS / "body.png").convert("L"), tmp_path / "p.png", "PNG")
    doc = ocr(_doc(path, "image/png"), Config(workers=1, ocr_low_confidence=99.9))
    assert any("low OCR confidence" in w for w in doc.warnings)
    assert doc.pages[0].low_confidence_words


@needs_tesseract
@pytest.mark.tesseract
def test_sideways_page_is_turned_upright(tmp_path):
    page = Image.open(SAMPLES / "scans" / "haiphong-p1.png").convert("L")
    result = recognise_page(1, page.rotate(90, expand=True), 300, FAST)
    assert result.rotated == 90
    assert "Số: 24/KH-UBND" in result.text


@needs_tesseract
@pytest.mark.tesseract
@pytest.mark.slow
def test_sample_scan_gives_the_metadata_of_the_text_version():
    scan = process_path(SAMPLES / "scans" / "haiphong-scan.pdf", Config(workers=2))
    text = process_path(SAMPLES / "haiphong-24-KH-UBND-2026.md", FAST)
    assert scan.status == "ok", scan.errors
    assert [p.method for p in scan.pages] == ["ocr", "ocr"]
    assert all(p.confidence and p.confidence > 80 for p in scan.pages)
    lines = scan.text.body.split("\n")
    assert "Số: 24/KH-UBND" in lines or "Số: 24 /KH-UBND" in lines
    assert "Hải Phòng, ngày 26 tháng 01 năm 2026" in lines
    assert text.metadata.number == "24/KH-UBND"
    assert scan.metadata.number == text.metadata.number
    assert scan.metadata.issue_date == text.metadata.issue_date
    assert scan.metadata.signer == text.metadata.signer
