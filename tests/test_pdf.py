"""PDF text layers: reading order, columns, unusable layers, encrypted and corrupt files."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import has_tesseract
from pdfbytes import encrypted_pdf
from PIL import Image

from pipeline.config import Config
from pipeline.errors import CorruptPdfError, EncryptedPdfError, ImageTooLargeError
from pipeline.ingest.pdf import garble_score, junk_ratio, layer_problem, page_images, read_pdf
from pipeline.reading_order import Piece, drop_page_number, order_lines

SCANS = Path(__file__).parent / "data" / "scans"
needs_tesseract = pytest.mark.skipif(not has_tesseract(), reason="tesseract with vie missing")

CLEAN = (
    "Ủy ban nhân dân thành phố ban hành Kế hoạch triển khai một số nhiệm vụ trọng tâm "
    "công tác thi đua, khen thưởng năm 2026 như sau: đẩy mạnh triển khai thực hiện Chỉ thị."
)


def _words(text: str, x0: float, top: float, height: float = 10.0) -> list[Piece]:
    """Pieces for the words of `text` set at 5 units per character."""
    pieces, x = [], x0
    for word in text.split():
        width = 5.0 * len(word)
        pieces.append(Piece(word, x, x + width, top, top + height))
        x += width + 3
    return pieces


def test_header_columns_come_out_column_by_column():
    pieces = (
        _words("ỦY BAN NHÂN DÂN", 60, 50)
        + _words("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 300, 50)
        + _words("ĐẶC KHU CÁT HẢI", 65, 64)
        + _words("Độc lập - Tự do - Hạnh phúc", 320, 64)
        + _words("Số: 83/KH-UBND", 70, 84)
        + _words("Cát Hải, ngày 24 tháng 02 năm 2026", 310, 84)
        + _words("KẾ HOẠCH", 260, 120)
        + _words("Thực hiện Chỉ thị số 41-CT/TW ngày 26/12/2024 của Bộ Chính trị, Chỉ thị", 60, 150)
    )
    lines = order_lines(pieces, page_width=595)
    assert lines == [
        "ỦY BAN NHÂN DÂN",
        "ĐẶC KHU CÁT HẢI",
        "Số: 83/KH-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Cát Hải, ngày 24 tháng 02 năm 2026",
        "KẾ HOẠCH",
        "Thực hiện Chỉ thị số 41-CT/TW ngày 26/12/2024 của Bộ Chính trị, Chỉ thị",
    ]


def test_tightly_set_header_is_still_split():
    # `VĂN PHÒNG CHÍNH PHỦ` and `CỘNG HÒA…` only 1.4 text heights apart, word spaces 3.
    words, x = [], 95.0
    left = "VĂN PHÒNG CHÍNH PHỦ"
    for word in left.split(" "):
        words.append(Piece(word, x, x + 28, 58, 71))
        x += 31
    x += 15
    right = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    for word in right.split(" "):
        words.append(Piece(word, x, x + 30, 58, 71))
        x += 33
    assert order_lines(words, page_width=595) == [
        "VĂN PHÒNG CHÍNH PHỦ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    ]


def test_justified_body_line_is_not_split():
    words, x = [], 60.0
    line = "đối với công tác thi đua, khen thưởng trong tình hình mới; tổ"
    for word in line.split(" "):
        words.append(Piece(word, x, x + 25, 100, 113))
        x += 25 + 8  # wide, but every space is as wide
    assert len(order_lines(words, page_width=595)) == 1


def test_blank_for_a_handwritten_number_does_not_split_the_line():
    pieces = _words("Số:", 70, 84) + _words("/QĐ-UBND", 130, 84)
    assert order_lines(pieces, page_width=595) == ["Số: /QĐ-UBND"]


def test_recipients_and_signature_are_kept_apart():
    pieces = (
        _words("Nơi nhận:", 60, 500)
        + _words("TM. ỦY BAN NHÂN DÂN", 340, 500)
        + _words("- Như trên;", 60, 512)
        + _words("CHỦ TỊCH", 370, 514)
        + _words("- Lưu: VT.", 60, 524)
        + _words("Phan Viết Điện", 360, 580)
    )
    lines = order_lines(pieces, page_width=595)
    assert lines[:3] == ["Nơi nhận:", "- Như trên;", "- Lưu: VT."]
    assert lines[3:5] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert "Nơi nhận: TM. ỦY BAN NHÂN DÂN" not in lines


def test_page_number_dropped_from_page_two_only():
    assert drop_page_number(["2", "tiếp theo"], 2) == ["tiếp theo"]
    assert drop_page_number(["- 3 -", "x"], 3) == ["x"]
    assert drop_page_number(["1", "x"], 1) == ["1", "x"]


def test_mojibake_layer_is_glyph_junk():
    mojibake = "6Ӣ CÔNG 7+ѬѪ1* Ĉ2¬1 .,ӆ0 TRA THEO 48<ӂ7 Ĉӎ1+ &Ӝ1* HÒA XÃ +Ӝ, &+Ӫ 1*+Ƭ$ 9,ӊ7 NAM"
    assert junk_ratio(mojibake) > 0.1
    assert layer_problem(mojibake) == "glyph junk"
    assert layer_problem("(cid:12)(cid:13)(cid:14) abc") == "glyph junk"


def test_english_ocr_of_vietnamese_is_garbled():
    garbled = (
        "r.rBND TiNH r-Av ooNc cqNG noA rA ngt cnt xcui,l IET NAM DQc lfl p-Tgdo-H4 nh phtc "
        "TO TRiNH ve vlec cho ph6p a5i tan Ciu l4c bO M6 t6 Th6 thao tinh Binh Thuin thirnh"
    )
    assert garble_score(garbled) > 0.5
    assert layer_problem(garbled) == "garbled"
    assert garble_score(CLEAN) < 0.3
    assert layer_problem(CLEAN) is None


def test_empty_and_stamp_only_layers():
    assert layer_problem("  \n ") == "empty"
    assert layer_problem("Ký bởi: Sở Nội vụ", scanned=True) == "stamp only"
    assert layer_problem(CLEAN * 3, scanned=True) is None


def _image_pdf(images: list[Image.Image], dpi: int = 300) -> bytes:
    buf = io.BytesIO()
    images[0].save(buf, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return buf.getvalue()


def test_image_only_pdf_needs_ocr_and_yields_native_pixels():
    page = Image.open(SCANS / "body.png").convert("L")
    data = _image_pdf([page, page], dpi=200)
    pages = read_pdf(data, Path("scan.pdf"), Config())
    assert [(p.method, p.needs_ocr) for p in pages] == [("none", True), ("none", True)]
    found = list(page_images(data, [2], Config()))
    assert len(found) == 1
    number, image, dpi = found[0]
    assert number == 2
    assert image.size == page.size  # the embedded pixels, not a 300 dpi rendering
    assert dpi == 200


def test_page_image_bomb_guard():
    page = Image.open(SCANS / "body.png").convert("L")
    data = _image_pdf([page])
    with pytest.raises(ImageTooLargeError):
        list(page_images(data, [1], Config(max_image_pixels=1000)))


def test_corrupt_pdf():
    with pytest.raises(CorruptPdfError):
        read_pdf(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", Path("x.pdf"), Config())


def test_truncated_pdf():
    data = _image_pdf([Image.open(SCANS / "body.png").convert("L")])
    with pytest.raises(CorruptPdfError):
        read_pdf(data[: len(data) // 3], Path("x.pdf"), Config())


def testencrypted_pdf():
    with pytest.raises(EncryptedPdfError, match="password"):
        read_pdf(encrypted_pdf(), Path("locked.pdf"), Config())


def _tesseract_pdf(tmp_path: Path, image: Path, text_only: bool) -> bytes:
    """A PDF with Tesseract's text layer (and the image, unless `text_only`)."""
    import subprocess

    args = ["tesseract", str(image), str(tmp_path / "out"), "-l", "vie"]
    if text_only:
        args += ["-c", "textonly_pdf=1"]
    subprocess.run([*args, "pdf"], check=True, capture_output=True)
    return (tmp_path / "out.pdf").read_bytes()


@pytest.mark.tesseract
@needs_tesseract
def test_text_layer_pdf_is_read_without_ocr(tmp_path):
    data = _tesseract_pdf(tmp_path, SCANS / "body.png", text_only=True)
    pages = read_pdf(data, Path("digital.pdf"), Config())
    assert pages[0].method == "pdf-text"
    assert not pages[0].needs_ocr
    assert "Chỉ thị số 41-CT/TW" in pages[0].text
    assert "khen thưởng" in pages[0].text


@pytest.mark.tesseract
@needs_tesseract
def test_mixed_pdf_marks_only_the_scanned_page(tmp_path):
    text_pdf = pdfium.PdfDocument(_tesseract_pdf(tmp_path, SCANS / "body.png", text_only=True))
    scan_pdf = pdfium.PdfDocument(_image_pdf([Image.open(SCANS / "header.png").convert("L")]))
    text_pdf.import_pages(scan_pdf)
    buf = io.BytesIO()
    text_pdf.save(buf)
    pages = read_pdf(buf.getvalue(), Path("mixed.pdf"), Config())
    assert [p.method for p in pages] == ["pdf-text", "none"]
    assert [p.needs_ocr for p in pages] == [False, True]


REAL_PDFS = Path(__file__).resolve().parents[2] / "shared" / "real" / "pdfs"


@pytest.mark.real
@pytest.mark.skipif(not REAL_PDFS.is_dir(), reason="../shared/real/pdfs absent")
def test_real_pdfs_header_and_broken_layers():
    pages = read_pdf((REAL_PDFS / "03.pdf").read_bytes(), Path("03.pdf"), Config())
    lines = pages[0].text.split("\n")
    assert lines.index("SỞ NỘI VỤ") < lines.index("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert not any("Độc lập" in line and "SỞ" in line for line in lines)
    broken = read_pdf((REAL_PDFS / "01.pdf").read_bytes(), Path("01.pdf"), Config())
    assert all(p.needs_ocr for p in broken)


def test_a_scans_stamp_only_layer_is_kept_beside_the_page(tmp_path) -> None:
    from pdfbytes import stamped_scan_pdf

    stamp = ["Ký bởi: Sở Nội vụ", "Thời gian ký: 26/11/2024 10:40:48"]
    data = stamped_scan_pdf(stamp)
    (page,) = read_pdf(data, tmp_path / "scan.pdf", Config())
    assert page.needs_ocr and not page.text
    assert page.furniture == stamp
