"""The unit in charge of a task: `find_lead` and `is_unit_heading`."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.extract.units import find_lead, is_unit_heading


@pytest.mark.parametrize(
    ("item", "lead"),
    [
        ("4. Giao Sở Nội vụ: Chỉ đạo Ban Thi đua - Khen thưởng thành phố tham mưu", "Sở Nội vụ"),
        ("**4. Giao Sở Nội vụ:** Chỉ đạo Ban Thi đua - Khen thưởng", "Sở Nội vụ"),
        ("Giao Sở Nội vụ chủ trì, phối hợp với các đơn vị", "Sở Nội vụ"),
        ("2. Phòng Văn hóa - Xã hội: theo dõi, đôn đốc các cơ quan", "Phòng Văn hóa - Xã hội"),
        (
            "3. Sở Văn hóa, Thể thao và Du lịch chỉ đạo các cơ quan báo chí",
            "Sở Văn hóa, Thể thao và Du lịch",
        ),
        ("- Cơ quan chủ trì: Sở Tư pháp.", "Sở Tư pháp"),
        ("Đơn vị chủ trì: Sở Khoa học và Công nghệ.", "Sở Khoa học và Công nghệ"),
        ("Đơn vị chủ trì tham mưu thực hiện: Sở Nội vụ.", "Sở Nội vụ"),
        (
            "- Cơ quan thực hiện: Sở Khoa học và Công nghệ; Sở Tư pháp; Báo và Phát thanh",
            "Sở Khoa học và Công nghệ",
        ),
        (
            "- Cơ quan thực hiện: Sở Nội vụ chủ trì tham mưu Ủy ban nhân dân Thành phố",
            "Sở Nội vụ",
        ),
        (
            "4. Đề nghị Ban Tuyên giáo và Dân vận Đảng ủy đặc khu: định hướng, phối hợp",
            "Ban Tuyên giáo và Dân vận Đảng ủy đặc khu",
        ),
        (
            "Ủy ban nhân dân các xã, phường, đặc khu xây dựng kế hoạch",
            "Ủy ban nhân dân các xã, phường, đặc khu",
        ),
        ("Uỷ ban nhân dân các xã, phường: triển khai", "Uỷ ban nhân dân các xã, phường"),
        ("Công an tỉnh chủ trì bảo đảm an ninh", "Công an tỉnh"),
        ("Bộ Chỉ huy Quân sự tỉnh phối hợp", "Bộ Chỉ huy Quân sự tỉnh"),
        ("Ban Thi đua - Khen thưởng tỉnh tham mưu", "Ban Thi đua - Khen thưởng tỉnh"),
        (
            "- Trung tâm Kiểm soát bệnh tật tỉnh chủ trì chủ động điều phối",
            "Trung tâm Kiểm soát bệnh tật tỉnh",
        ),
        ("b) UBND huyện Tiên Lãng báo cáo kết quả", "UBND huyện Tiên Lãng"),
        ("6. Giao Sở Tư pháp theo dõi, đôn đốc", "Sở Tư pháp"),
        ("Sở Khoa học và Công nghệ có trách nhiệm giúp Chủ tịch", "Sở Khoa học và Công nghệ"),
        ("2. Sở Tài chính, trên cơ sở đề xuất của các cơ quan", "Sở Tài chính"),
        ("Sở Tư pháp và các sở, ngành liên quan rà soát", "Sở Tư pháp"),
        ("Ban TĐ-KT Trung ương hướng dẫn", "Ban TĐ-KT Trung ương"),
        ("Tỉnh đoàn tổ chức ra quân", "Tỉnh đoàn"),
        ("Kho bạc Nhà nước khu vực VII kiểm soát chi", "Kho bạc Nhà nước khu vực VII"),
        ("Bảo hiểm xã hội tỉnh phối hợp", "Bảo hiểm xã hội tỉnh"),
        ("Thực hiện báo cáo định kỳ; giao Sở Y tế chủ trì tổng hợp", "Sở Y tế"),
        # A labelled lead is what the plan calls the lead, even when it is generic.
        ("Đơn vị chủ trì: Các Sở, ban, ngành.", "Các Sở, ban, ngành"),
        (
            "- Cơ quan thực hiện: Các sở, ngành có liên quan theo chức năng, nhiệm vụ được giao.",
            "Các sở, ngành có liên quan",
        ),
        ("Giao cho Sở Xây dựng chủ trì", "Sở Xây dựng"),
        ("Sở Giao thông vận tải chủ trì", "Sở Giao thông vận tải"),
    ],
)
def test_find_lead(item: str, lead: str) -> None:
    assert find_lead(item) == lead


@pytest.mark.parametrize(
    "item",
    [
        "a) Tổ chức tổng kết công tác thi đua, khen thưởng năm 2026.",
        "1. Căn cứ Kế hoạch này, Thủ trưởng các cơ quan, đơn vị trên địa bàn xây dựng kế hoạch",
        "Thủ trưởng các cơ quan, đơn vị nghiêm túc triển khai",
        "Các sở, ban, ngành tổ chức thực hiện",
        "Ban hành Chỉ thị, Kế hoạch triển khai nhiệm vụ",
        "Báo cáo tổng kết công tác thi đua",
        "Hội nghị sơ kết 6 tháng đầu năm",
        "Phòng chống dịch bệnh sau lũ",
        "Trường hợp thay đổi thời gian sẽ có thông báo",
        "Giao thông nông thôn được nâng cấp",
        "IV. TỔ CHỨC THỰC HIỆN",
        "Đơn vị phối hợp: Sở Tư pháp.",
        "Sở, ban, ngành thuộc Ủy ban nhân dân Thành phố có trách nhiệm rà soát",
        "",
    ],
)
def test_no_lead(item: str) -> None:
    assert find_lead(item) is None


@pytest.mark.parametrize(
    "line",
    [
        "1. Sở Nội vụ",
        "2. Công an tỉnh",
        "1. Sở Y tế:",
        "4. Sở Văn hoá, Thể thao và Du lịch",
        "5. Ủy ban nhân dân các xã, phường",
        "4. UBND các xã, phường:",
        "6. Đề nghị: Hiệp hội Doanh nghiệp tỉnh, Hội Nông dân tỉnh, Liên minh Hợp tác xã Tỉnh",
        "7. Các sở, ban, ngành tỉnh, Ủy ban nhân dân các xã, phường",
        "5. Các đoàn thể, tổ chức xã hội:",
        "a) Bộ Chỉ huy Quân sự tỉnh",
        "2. SỞ TÀI CHÍNH",
    ],
)
def test_unit_headings(line: str) -> None:
    assert is_unit_heading(line)


@pytest.mark.parametrize(
    "line",
    [
        "1. Mục đích",
        "1. Quý I năm 2026",
        "III. TỔ CHỨC THỰC HIỆN",
        "BÁO CÁO",
        "ỦY BAN NHÂN DÂN",
        "SỞ CÔNG THƯƠNG",
        "1. Sở Khoa học và Công nghệ có trách nhiệm giúp Chủ tịch",
        "2. Phòng Văn hóa - Xã hội: theo dõi, đôn đốc",
        "- Bộ Nội vụ;",
        "- UBND các xã, phường;",
        "Các cơ quan, đơn vị, địa phương xây dựng Kế hoạch",
        "",
    ],
)
def test_not_unit_headings(line: str) -> None:
    assert not is_unit_heading(line)


@given(st.text())
def test_never_raise(text: str) -> None:
    lead = find_lead(text)
    assert lead is None or lead.strip() == lead
    is_unit_heading(text)


@pytest.mark.real
def test_real_plans(real_docs: Path) -> None:
    """The unit headings of a real plan's TỔ CHỨC THỰC HIỆN and its labelled leads."""
    lines = (real_docs / "plans" / "04.txt").read_text(encoding="utf-8").split("\n")
    body = lines[lines.index("IV. TỔ CHỨC THỰC HIỆN") : lines.index("Nơi nhận:")]
    headings = [line for line in body if is_unit_heading(line)]
    assert [find_lead(line) for line in headings] == [
        "Sở Khoa học và Công nghệ",
        "Sở Tài chính",
        "Sở Công Thương",
        "Sở Văn hoá, Thể thao và Du lịch",
        "Ủy ban nhân dân các xã, phường",
        "Hiệp hội Doanh nghiệp tỉnh",
        None,
    ]
    text = (real_docs / "plans" / "03.txt").read_text(encoding="utf-8")
    leads = [find_lead(line) for line in text.split("\n") if "Đơn vị chủ trì:" in line]
    assert leads[:4] == [
        "Sở Khoa học và Công nghệ",
        "Các Sở, ban, ngành",
        "Các Sở, ban, ngành Thành phố",
        "Công an Thành phố",
    ]
