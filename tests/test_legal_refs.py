"""References to other documents: `find_legal_refs` and `dedupe_refs`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.extract.legal_refs import dedupe_refs, find_legal_refs

D = dt.date


def _rows(text: str) -> list[tuple]:
    return [(r.kind, r.number, r.date, r.issuer) for r in find_legal_refs(text)]


def test_a_list_of_two_directives() -> None:
    text = (
        "Thực hiện Chỉ thị số 41-CT/TW ngày 26/12/2024 của Bộ Chính trị, Chỉ thị số 46-CT/TU "
        "ngày 26/6/2025 của Ban Thường vụ Thành ủy về tăng cường sự lãnh đạo của Đảng;"
    )
    refs = find_legal_refs(text)
    assert _rows(text) == [
        ("Chỉ thị", "41-CT/TW", D(2024, 12, 26), "Bộ Chính trị"),
        ("Chỉ thị", "46-CT/TU", D(2025, 6, 26), "Ban Thường vụ Thành ủy"),
    ]
    assert refs[0].text == "Chỉ thị số 41-CT/TW ngày 26/12/2024 của Bộ Chính trị"


@pytest.mark.parametrize(
    ("text", "row"),
    [
        (
            "Căn cứ Nghị quyết số 74/NQ-HĐND ngày 11/12/2025 của Hội đồng nhân dân thành phố về "
            "kế hoạch phát triển",
            ("Nghị quyết", "74/NQ-HĐND", D(2025, 12, 11), "Hội đồng nhân dân thành phố"),
        ),
        (
            "Thực hiện Quyết định số 2138/QĐ-TTg ngày 27 tháng 9 năm 2025 của Thủ tướng Chính phủ "
            "ban hành Kế hoạch triển khai",
            ("Quyết định", "2138/QĐ-TTg", D(2025, 9, 27), "Thủ tướng Chính phủ"),
        ),
        (
            "theo Nghị định số 98/2023/NĐ-CP ngày 31/12/2023 của Chính phủ quy định chi tiết",
            ("Nghị định", "98/2023/NĐ-CP", D(2023, 12, 31), "Chính phủ"),
        ),
        (
            "Kế hoạch số 283/KH-UBND ngày 24/9/2025 của UBND tỉnh, ",
            ("Kế hoạch", "283/KH-UBND", D(2025, 9, 24), "UBND tỉnh"),
        ),
        (
            "Quyết định số 12/2025/QĐ-UBND ngày 24 tháng 02 năm 2026 của Ủy ban nhân dân tỉnh;",
            ("Quyết định", "12/2025/QĐ-UBND", D(2026, 2, 24), "Ủy ban nhân dân tỉnh"),
        ),
        (
            "Thông tư liên tịch số 01/2016/TTLT-BNV-BTC của Bộ Nội vụ.",
            ("Thông tư liên tịch", "01/2016/TTLT-BNV-BTC", None, "Bộ Nội vụ"),
        ),
        (
            "Thông tư số 05/2025/TT-BVHTTDL của Bộ Văn hóa, Thể thao và Du lịch về",
            ("Thông tư", "05/2025/TT-BVHTTDL", None, "Bộ Văn hóa, Thể thao và Du lịch"),
        ),
        (
            "Kết luận số 12-KL/TW ngày 05/3/2025 của Bộ Chính trị",
            ("Kết luận", "12-KL/TW", D(2025, 3, 5), "Bộ Chính trị"),
        ),
        (
            "Công văn số 7886/HD-BNV ngày 14/9/2025 của Bộ Nội vụ.",
            ("Công văn", "7886/HD-BNV", D(2025, 9, 14), "Bộ Nội vụ"),
        ),
        (
            "Hướng dẫn 7886/HD-BNV ngày 14/9/2025 của Bộ Nội vụ)",
            ("Hướng dẫn", "7886/HD-BNV", D(2025, 9, 14), "Bộ Nội vụ"),
        ),
        (
            "Chương trình hành động số 10-CTr/TU ngày 13/8/2025 của Ban Thường vụ Tỉnh uỷ về",
            ("Chương trình", "10-CTr/TU", D(2025, 8, 13), "Ban Thường vụ Tỉnh uỷ"),
        ),
        (
            "Thông báo số 15/TB-UBND; Công điện số 3/CĐ-TTg",
            ("Thông báo", "15/TB-UBND", None, None),
        ),
        (
            "Pháp lệnh số 02/2022/UBTVQH15 của Ủy ban Thường vụ Quốc hội",
            ("Pháp lệnh", "02/2022/UBTVQH15", None, "Ủy ban Thường vụ Quốc hội"),
        ),
        (
            "Nghị quyết số 197/2025/QH15 của Quốc hội về một số cơ chế",
            ("Nghị quyết", "197/2025/QH15", None, "Quốc hội"),
        ),
    ],
)
def test_each_kind_number_date_and_issuer(text: str, row: tuple) -> None:
    assert _rows(text)[0] == row


def test_numbers_are_compacted() -> None:
    text = "Nghị quyết số 27/NQ- TW ngày 09/11/2022; Kế hoạch số 1105 /KH-ĐKT ngày10 /3/2026"
    assert _rows(text) == [
        ("Nghị quyết", "27/NQ-TW", D(2022, 11, 9), None),
        ("Kế hoạch", "1105/KH-ĐKT", D(2026, 3, 10), None),
    ]


def test_a_mention_across_wrapped_lines() -> None:
    text = "Thực hiện Chỉ thị\nsố 46-CT/TU ngày 26/6/2025 của Ban Thường vụ\nThành ủy về tăng cường"
    refs = find_legal_refs(text)
    assert _rows(text) == [("Chỉ thị", "46-CT/TU", D(2025, 6, 26), "Ban Thường vụ Thành ủy")]
    assert refs[0].text == "Chỉ thị số 46-CT/TU ngày 26/6/2025 của Ban Thường vụ Thành ủy"


def test_capitals_and_new_style_tones() -> None:
    text = "THỰC HIỆN NGHỊ QUYẾT SỐ 214/NQ-CP NGÀY 23/7/2025 CỦA CHÍNH PHỦ BAN HÀNH KẾ HOẠCH"
    assert _rows(text) == [("Nghị quyết", "214/NQ-CP", D(2025, 7, 23), "CHÍNH PHỦ")]
    text = "Kế hoạch số 283/KH-UBND của Uỷ ban nhân dân Tỉnh về thực hiện"
    assert _rows(text) == [("Kế hoạch", "283/KH-UBND", None, "Uỷ ban nhân dân Tỉnh")]


def test_issuer_stops_at_the_next_clause() -> None:
    text = (
        "Quyết định số 142/QĐ-TTg của Thủ tướng Chính phủ phê duyệt Chiến lược; "
        "Nghị định số 217/2025/NĐ-CP ngày 05/8/2025 của Chính phủ Quy định về hoạt động; "
        "Nghị quyết số 71/NQ-CP ngày 01/5/2025 của Chính phủ và Chương trình hành động số "
        "10-CTr/TU của Ban Thường vụ Tỉnh ủy trên địa bàn tỉnh"
    )
    assert [r.issuer for r in find_legal_refs(text)] == [
        "Thủ tướng Chính phủ",
        "Chính phủ",
        "Chính phủ",
        "Ban Thường vụ Tỉnh ủy",
    ]


def test_numbers_sharing_a_kind_and_issuer() -> None:
    text = "Nghị quyết số 27/NQ-TW và số 66-NQ/TW của Bộ Chính trị"
    assert _rows(text) == [
        ("Nghị quyết", "27/NQ-TW", None, "Bộ Chính trị"),
        ("Nghị quyết", "66-NQ/TW", None, "Bộ Chính trị"),
    ]


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        (
            "Thực hiện nghiêm các quy định của Luật Thi đua, khen thưởng năm 2022 và các văn bản",
            "Luật Thi đua, khen thưởng năm 2022",
        ),
        (
            "triển khai thi hành Luật sửa đổi, bổ sung một số điều của Luật Tiêu chuẩn và quy "
            "chuẩn kỹ thuật.",
            "Luật sửa đổi, bổ sung một số điều của Luật Tiêu chuẩn và quy chuẩn kỹ thuật",
        ),
        ("theo quy định của Luật Ngân sách nhà nước, nguồn chi", "Luật Ngân sách nhà nước"),
        ("Tổ chức thi hành Luật Việc làm bảo đảm kịp thời", "Luật Việc làm"),
        ("Luật Phòng, chống tham nhũng năm 2018;", "Luật Phòng, chống tham nhũng năm 2018"),
        ("TRIỂN KHAI THI HÀNH LUẬT VIỆC LÀM TRÊN ĐỊA BÀN THÀNH PHỐ", "LUẬT VIỆC LÀM"),
        ("Bộ luật Lao động năm 2019", "Bộ luật Lao động năm 2019"),
    ],
)
def test_laws_by_name(text: str, mention: str) -> None:
    refs = find_legal_refs(text)
    assert [(r.kind in ("Luật", "Bộ luật"), r.number, r.text) for r in refs] == [
        (True, None, mention)
    ]


def test_law_names_in_a_list() -> None:
    text = "theo Luật Ngân sách nhà nước, Luật Đầu tư công và pháp luật có liên quan."
    assert [r.text for r in find_legal_refs(text)] == [
        "Luật Ngân sách nhà nước",
        "Luật Đầu tư công",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "nâng cao hiệu quả thi hành Luật.",
        "có trình độ đại học Luật hoặc chuyên ngành luật trở lên",
        "xây dựng chính sách, pháp luật Tham mưu, đề xuất",
        "XÂY DỰNG CHÍNH SÁCH, PHÁP LUẬT TRÊN ĐỊA BÀN TỈNH",
        "Ủy ban nhân dân tỉnh ban hành Kế hoạch này với các nội dung sau",
        "các văn bản hướng dẫn thi hành; Quyết định kiểm tra",
        "Ban hành Chỉ thị, Kế hoạch triển khai nhiệm vụ",
    ],
)
def test_no_reference(text: str) -> None:
    assert find_legal_refs(text) == []


def test_dedupe_keeps_first_mention_and_fills_gaps() -> None:
    text = (
        "Nghị quyết 214/NQ-CP của Chính phủ; Nghị quyết số 214/NQ-CP ngày 23/7/2025; "
        "Luật Việc làm; Luật Việc làm; Nghị định số 80/2025/NĐ-CP"
    )
    refs = dedupe_refs(find_legal_refs(text))
    assert [(r.kind, r.number, r.date, r.issuer) for r in refs] == [
        ("Nghị quyết", "214/NQ-CP", D(2025, 7, 23), "Chính phủ"),
        ("Luật", None, None, None),
        ("Nghị định", "80/2025/NĐ-CP", None, None),
    ]


@given(st.text())
def test_find_legal_refs_never_raises(text: str) -> None:
    for ref in find_legal_refs(text):
        assert ref.kind
        assert ref.text


def test_a_numbered_law_cited_by_name() -> None:
    text = "theo Luật Ngân sách nhà nước số 83/2015/QH13 ngày 25/6/2015 của Quốc hội; Luật số 57/2024/QH15"
    assert _rows(text) == [
        ("Luật", "83/2015/QH13", D(2015, 6, 25), "Quốc hội"),
        ("Luật", "57/2024/QH15", None, None),
    ]
    assert find_legal_refs(text)[0].text.startswith("Luật Ngân sách nhà nước số")


@pytest.mark.real
def test_real_plans(real_docs: Path) -> None:
    """Every numbered reference in the real plans' preambles is found with its date."""
    refs = {
        path.name: find_legal_refs(path.read_text(encoding="utf-8"))
        for path in sorted((real_docs / "plans").glob("*.txt"))
    }
    numbered = {(r.number, r.date) for found in refs.values() for r in found if r.number}
    assert {
        ("2138/QĐ-TTg", D(2025, 9, 27)),
        ("214/NQ-CP", D(2025, 7, 23)),
        ("278/2025/NĐ-CP", D(2025, 10, 22)),
        ("10-CTr/TU", D(2025, 8, 13)),
        ("27/NQ-TW", D(2022, 11, 9)),
        ("7886/HD-BNV", D(2025, 9, 14)),
        ("1105/KH-ĐKT", D(2026, 3, 10)),
    } <= numbered
    assert all(r.issuer for found in refs.values() for r in found if r.date)
    names = {r.text for found in refs.values() for r in found if r.number is None}
    assert "Luật Việc làm" in names
    # `pháp luật` (law in general) is no law's name: `… CHÍNH SÁCH, PHÁP LUẬT TRÊN ĐỊA BÀN`.
    assert all(name.startswith(("Luật ", "LUẬT ", "Bộ luật ")) for name in names)
    assert not any(name.upper().startswith("LUẬT TRÊN") for name in names)


def test_kinds_without_diacritics_as_left_by_ocr() -> None:
    text = "Thuc hien Chi thi sb 41-CT/TW ngay 26/12/2024 cua Bo Chinh tri, Ké hoach s6 24/KH-UBND"
    assert _rows(text) == [
        ("Chỉ thị", "41-CT/TW", D(2024, 12, 26), "Bo Chinh tri"),
        ("Kế hoạch", "24/KH-UBND", None, None),
    ]


def test_a_span_of_years_is_no_number() -> None:
    assert find_legal_refs("Kế hoạch 2026-2030 của tỉnh; Chương trình 2021 - 2025") == []
