"""Text typed on top of PDF pages: form fields, signature widgets, their values."""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
from pdfbytes import Field, positioned_pdf, text_width

from pipeline import process_file
from pipeline.config import Config
from pipeline.ingest.forms import TYPED_TAG
from pipeline.ingest.pdf import _typed_layer, read_pdf

LEFT, RIGHT = 60, 320
"""x of the header's two columns."""


def _header(number_gap: str = "      ", day_gap: str = "     ", month: str = "01") -> list:
    """An e-office template: the number and the day are blanks left for fields."""
    return [
        (LEFT, 60, "ỦY BAN NHÂN DÂN"),
        (RIGHT, 60, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        (LEFT, 76, "THÀNH PHỐ HẢI PHÒNG"),
        (RIGHT + 20, 76, "Độc lập - Tự do - Hạnh phúc"),
        (LEFT, 100, f"Số:{number_gap}/KH-UBND"),
        (RIGHT, 100, f"Hải Phòng, ngày{day_gap}tháng {month} năm 2026"),
        (250, 150, "KẾ HOẠCH"),
        (150, 166, "Triển khai nhiệm vụ công tác thi đua năm 2026"),
        (LEFT, 200, "Ủy ban nhân dân thành phố ban hành Kế hoạch như sau:"),
        (LEFT, 220, "I. MỤC ĐÍCH, YÊU CẦU"),
        (LEFT, 236, "1. Đẩy mạnh phong trào thi đua yêu nước trong toàn thành phố."),
        (LEFT, 260, "II. NHIỆM VỤ CỤ THỂ"),
        (
            LEFT,
            276,
            "1. Sở Nội vụ chủ trì tổ chức hội nghị tổng kết, hoàn thành trong Quý I năm 2026.",
        ),
    ]


def _number_field(text: str = "24", **kw) -> Field:
    x = LEFT + text_width("Số:")
    return Field(rect=(x, 98, x + text_width("      "), 114), text=text, **kw)


def _day_field(text: str = "26", **kw) -> Field:
    x = RIGHT + text_width("Hải Phòng, ngày")
    return Field(rect=(x, 98, x + text_width("     "), 114), text=text, **kw)


def _lines(data: bytes, tmp_path: Path) -> list[str]:
    pages = read_pdf(data, tmp_path / "form.pdf", Config())
    assert pages[0].method == "pdf-text"
    return pages[0].text.split("\n")


def test_typed_number_and_day_stand_in_their_template_lines(tmp_path):
    lines = _lines(positioned_pdf(_header(), [_number_field(), _day_field()]), tmp_path)
    assert "Số: 24 /KH-UBND" in lines
    assert "Hải Phòng, ngày 26 tháng 01 năm 2026" in lines


def test_without_the_fields_the_blanks_stay_blank(tmp_path):
    lines = _lines(positioned_pdf(_header()), tmp_path)
    assert "Số: /KH-UBND" in lines


def test_metadata_from_an_e_office_plan(tmp_path):
    path = tmp_path / "plan.pdf"
    path.write_bytes(positioned_pdf(_header(), [_number_field(), _day_field()]))
    doc = process_file(path)
    assert doc.status == "ok", doc.errors
    assert doc.metadata.number == "24/KH-UBND"
    assert str(doc.metadata.issue_date) == "2026-01-26"


def test_overtyped_template_digit_reads_as_typed(tmp_path):
    """The template kept `tháng 4`; the field typed `5` over the `4`."""
    header = _header(month="4")
    x = RIGHT + text_width("Hải Phòng, ngày     tháng ")
    month = Field(rect=(x - 1, 98, x + text_width("5") + 1, 114), text="5")
    lines = _lines(positioned_pdf(header, [_day_field(), month]), tmp_path)
    assert "Hải Phòng, ngày 26 tháng 5 năm 2026" in lines


def test_typed_digits_never_merge_with_the_word_they_abut(tmp_path):
    x = RIGHT + text_width("Hải Phòng, ngày")
    field = Field(rect=(x - 2, 98, x + text_width("26") - 2, 114), text="26")
    lines = _lines(positioned_pdf(_header(day_gap="    "), [field]), tmp_path)
    assert any(line.startswith("Hải Phòng, ngày 26 tháng 01") for line in lines), lines


def test_field_value_without_appearance_is_placed_on_its_box(tmp_path):
    field = _number_field(text=None, value="24")
    lines = _lines(positioned_pdf(_header(), [field]), tmp_path)
    assert "Số: 24 /KH-UBND" in lines


def test_hidden_fields_are_not_read(tmp_path):
    lines = _lines(positioned_pdf(_header(), [_number_field(flags=2)]), tmp_path)
    assert "Số: /KH-UBND" in lines


def test_appearance_bbox_need_not_start_at_the_origin(tmp_path):
    field = _number_field(bbox_origin=(100, 40))
    lines = _lines(positioned_pdf(_header(), [field]), tmp_path)
    assert "Số: 24 /KH-UBND" in lines


def test_broken_appearance_keeps_the_page(tmp_path):
    field = _number_field(text=None)
    field.raw_appearance = b"BT /F9 12 Tf (24) Tj ET q 1 0 0 cm /Missing Do Q ) ] >> <<"
    lines = _lines(positioned_pdf(_header(), [field]), tmp_path)
    assert "KẾ HOẠCH" in lines


def test_signature_stamp_lines_survive(tmp_path):
    stamp = Field(
        rect=(360, 700, 560, 740),
        text="Ký bởi: Sở Nội vụ\nNgày ký: 22.11.2024 15:45:56",
        field_type=b"Sig",
        size=9,
    )
    lines = _lines(positioned_pdf(_header(), [stamp]), tmp_path)
    assert "Ký bởi: Sở Nội vụ" in lines
    assert "Ngày ký: 22.11.2024 15:45:56" in lines


def test_signature_value_dictionary_is_not_text(tmp_path):
    """A signature's `/V` is a dictionary (the signature itself), never a line."""
    stamp = Field(rect=(360, 700, 560, 740), field_type=b"Sig", value="MIIC…")
    lines = _lines(positioned_pdf(_header(), [stamp]), tmp_path)
    assert not any("MIIC" in line for line in lines)


def test_rotated_page_draws_typed_text_where_the_template_has_its_blank():
    """Rotation (`/Rotate 90`) turns the typed characters with the page's own."""
    data = positioned_pdf(_header(), [_number_field()], rotate=90)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        _typed_layer(pdf, page, None)
        chars = page.chars
    label = next(c for c in chars if c["text"] == "S")
    slash = next(c for c in chars if c["text"] == "/")
    typed = [c for c in chars if c.get("tag") == TYPED_TAG]
    assert [c["text"] for c in typed] == ["2", "4"]
    for c in typed:  # the same rotated line, between `Số:` and `/KH-UBND`
        assert abs(c["x0"] - label["x0"]) < 1
        assert label["top"] < c["top"] < slash["top"]
