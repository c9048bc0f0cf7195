"""OCR junk from stamps and seals is kept out of header fields; typed text passes."""

from __future__ import annotations

import pytest

from pipeline.segment.junk import clean_share, is_clean_token, is_junk_line, strip_junk

TYPED = [
    "Phối hợp kiểm soát các hoạt động hợp pháp liên quan đến ma túy năm 2026",
    "Thực hiện Chỉ thị số 41-CT/TW ngày 26/12/2024 của Bộ Chính trị;",
    "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI",
    "Triển khai Nghị định số 105/2021/NĐ-CP (sửa đổi, bổ sung) – UBND tỉnh",
    "Về việc tăng cường công tác thi hành án hành chính",
]


@pytest.mark.parametrize("line", TYPED)
def test_typed_lines_are_clean_and_kept_whole(line: str) -> None:
    assert clean_share(line) == 1.0
    assert not is_junk_line(line)
    assert strip_junk(line) == line


@pytest.mark.parametrize(
    "line", ["90040005 09000090060000000000090066", "99900009000090090909g0g", "CV T86: .J}LŸ-2 ị"]
)
def test_stamp_texture_is_junk(line: str) -> None:
    assert is_junk_line(line)


def test_a_stamp_glued_to_the_start_of_a_title_line_is_cut_off() -> None:
    line = "ĐỀN) Ng: j\\yB(L2J-toA6, Phối hợp kiểm soát các hoạt động hợp pháp"
    assert strip_junk(line) == "Phối hợp kiểm soát các hoạt động hợp pháp"


def test_a_piece_with_junk_beside_a_column_break_is_dropped() -> None:
    line = "[:RuN6 TÊM-CÔNG BẢO & TÍN HỌC Ó. NGÃI | Về việc tăng cường công tác thi hành án"
    assert strip_junk(line) == "Về việc tăng cường công tác thi hành án"


def test_junk_late_in_a_line_is_not_a_reason_to_cut_the_title() -> None:
    line = "Kế hoạch kiểm tra năm 2026 của các đơn vị trực thuộc x£q"
    assert strip_junk(line) == line
    typed = "Tình hình thực hiện các chỉ số PAR Index, SIPAS, PCI năm 2025 của tỉnh"
    assert strip_junk(typed) == typed


def test_an_opening_quote_nothing_closes_is_cut_and_a_quoted_title_kept() -> None:
    assert (
        strip_junk('"Triển khai một số nhiệm vụ trọng tâm')
        == "Triển khai một số nhiệm vụ trọng tâm"
    )
    quoted = "“Tháng hành động vì an toàn thực phẩm” năm 2026"
    assert strip_junk(quoted) == quoted


@pytest.mark.parametrize(
    "token",
    ["31-CTr/TW", "27/CT-TTg", "ĐẮK", "Lắk", "Krông", "BẸNH", "TRUYEN"],
    ids=["CTr code", "TTg code", "Đắk", "Lắk", "Krông", "marks put wrong", "marks lost"],
)
def test_codes_minority_place_names_and_damaged_marks_are_no_junk(token: str) -> None:
    assert is_clean_token(token)


@pytest.mark.parametrize("token", ["toA6", "Ng:", "A-b", "xyz", "j\\yB(L2J"])
def test_what_no_letters_of_a_syllable_make_stays_junk(token: str) -> None:
    assert not is_clean_token(token)
