"""Rules from the audit of extraction on documents nobody tuned for (issue #14, round 3).

Each test is a short inline string written for the test that shows one pattern."""

from __future__ import annotations

import datetime as dt

from pipeline.config import Config
from pipeline.document import Document, Page, Source, Task
from pipeline.extract import extract
from pipeline.extract.periods import own_period
from pipeline.extract.tasks import addressed_holder
from pipeline.extract.units import find_leads, is_unit_heading, split_units
from pipeline.segment import segment

HEAD = (
    "ỦY BAN NHÂN DÂN\nTỈNH HÀ GIANG\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "Độc lập - Tự do - Hạnh phúc\nSố: 40/KH-UBND\nHà Giang, ngày 02 tháng 4 năm 2026\n"
    "KẾ HOẠCH\nThử nghiệm\n"
)
TAIL = "Nơi nhận:\n- Lưu: VT.\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nTrần Văn Bình\n"


def _tasks(body: str) -> list[Task]:
    text = HEAD + body + TAIL
    doc = Document(source=Source(path="<test>"))
    doc.pages = [Page(number=1, method="text", text=text)]
    doc.text.body = text
    return extract(segment(doc, Config()), Config()).tasks


# --- unit headings and leads -------------------------------------------------------------


def test_unit_heading_with_a_lower_case_tail_and_no_colon() -> None:
    assert is_unit_heading("1. Ban Quản lý các khu công nghệ cao và khu công nghiệp")
    assert not is_unit_heading("1. Ban Quản lý các khu công nghệ cao tổ chức hội nghị")
    tasks = _tasks(
        "III. TỔ CHỨC THỰC HIỆN\n1. Ban Quản lý các khu kinh tế và khu chế xuất\n"
        "- Rà soát quỹ đất sạch trong các khu chế xuất.\n- Tổ chức đối thoại với doanh nghiệp.\n"
        "2. Sở Xây dựng\n- Hướng dẫn cấp phép xây dựng.\n"
    )
    assert [t.leads for t in tasks] == [
        ["Ban Quản lý các khu kinh tế và khu chế xuất"],
        ["Ban Quản lý các khu kinh tế và khu chế xuất"],
        ["Sở Xây dựng"],
    ]


def test_khu_cum_pair_does_not_cut_a_unit_name_at_its_comma() -> None:
    assert find_leads(
        "- Chủ đầu tư dự án hạ tầng khu, cụm công nghiệp san lấp mặt bằng, bàn giao đất."
    ) == ["Chủ đầu tư dự án hạ tầng khu, cụm công nghiệp"]
    assert find_leads("Ban Quản lý các khu, cụm công nghiệp tỉnh chủ trì thẩm định") == [
        "Ban Quản lý các khu, cụm công nghiệp tỉnh"
    ]
    # Any other comma still ends a name in running text.
    assert find_leads("Sở Công Thương, Sở Xây dựng chủ trì") == ["Sở Công Thương", "Sở Xây dựng"]


def test_responsibility_line_after_bullets_leads_them() -> None:
    tasks = _tasks(
        "II. NHIỆM VỤ VÀ GIẢI PHÁP\n1. Nâng cao nhận thức về bảo vệ môi trường\n"
        "- Tuyên truyền phân loại rác tại nguồn.\n- Nhân rộng mô hình xanh - sạch - đẹp.\n"
        "Trách nhiệm chỉ đạo thực hiện: Đảng ủy Ủy ban nhân dân tỉnh; các cấp ủy, tổ chức đảng.\n"
        "2. Giải pháp về nguồn lực\n- Ưu tiên bố trí vốn cho xử lý chất thải.\n"
    )
    assert [(t.kind, t.leads) for t in tasks] == [
        ("assignment", ["Đảng ủy Ủy ban nhân dân tỉnh", "Các cấp ủy, tổ chức đảng"]),
        ("assignment", ["Đảng ủy Ủy ban nhân dân tỉnh", "Các cấp ủy, tổ chức đảng"]),
        ("activity", []),
    ]
    assert "Trách nhiệm" not in tasks[1].text


def test_responsibility_heading_with_nothing_after_its_colon_is_no_label() -> None:
    tasks = _tasks(
        "III. TỔ CHỨC THỰC HIỆN\n1. Trách nhiệm thực hiện:\n"
        "- Sở Tài chính bố trí kinh phí.\n- Sở Nội vụ theo dõi, đôn đốc.\n"
    )
    assert [t.leads for t in tasks] == [["Sở Tài chính"], ["Sở Nội vụ"]]


# --- periods -----------------------------------------------------------------------------


def test_horizon_of_a_document_named_in_lower_case_is_not_the_tasks_period() -> None:
    assert (
        own_period(
            "Sơ kết các chương trình, đề án về phát triển thanh niên giai đoạn đến năm 2030."
        )
        is None
    )
    assert own_period("Rà soát, bổ sung quy hoạch mạng lưới chợ trên địa bàn đến năm 2030.") is None
    # A completion verb makes the year a deadline, a capital-less document word or not.
    period = own_period("Xây dựng đề án và hoàn thành đến năm 2027.")
    assert period is not None and period.end is not None and period.end.year == 2027


def test_a_duty_holding_position_opening_an_item_is_its_lead() -> None:
    assert find_leads("- Phó Hiệu trưởng chỉ đạo tổ chuyên môn rà soát chương trình.") == [
        "Phó Hiệu trưởng"
    ]
    assert find_leads("Tổ trưởng các tổ chuyên môn tổ chức sinh hoạt chuyên đề.") == [
        "Tổ trưởng các tổ chuyên môn"
    ]
    assert find_leads("Hiệu trưởng nhà trường chịu trách nhiệm chung.") == [
        "Hiệu trưởng nhà trường"
    ]
    # A bare role word is no lead, and a role before a unit gives the unit.
    assert find_leads("- Lãnh đạo chỉ đạo sát sao.") == []
    assert find_leads("Giám đốc Sở Y tế chỉ đạo các bệnh viện.") == ["Sở Y tế"]
    assert is_unit_heading("2. Tổng phụ trách Đội:")
    assert not is_unit_heading("2. Tổng phụ trách Đội tổ chức kết nạp đội viên")


DECISION = (
    "ỦY BAN NHÂN DÂN\nTỈNH HÀ GIANG\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "Độc lập - Tự do - Hạnh phúc\nSố: 77/QĐ-UBND\nHà Giang, ngày 02 tháng 4 năm 2026\n"
    "QUYẾT ĐỊNH\nBan hành Quy chế thử nghiệm\nỦY BAN NHÂN DÂN TỈNH HÀ GIANG\n"
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;\nQUYẾT ĐỊNH:\n"
    "Điều 1. Ban hành kèm theo Quyết định này Quy chế thử nghiệm.\n"
    "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.\n"
    "Điều 3. Giám đốc Sở Tư pháp có trách nhiệm hướng dẫn, kiểm tra việc thực hiện Quy chế.\n"
    "Điều 4. Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc các sở chịu trách nhiệm thi hành "
    "Quyết định này.\n"
)


def test_decision_article_charging_a_unit_in_its_own_sentence_is_a_row() -> None:
    doc = Document(source=Source(path="<test>"))
    text = DECISION + TAIL
    doc.pages = [Page(number=1, method="text", text=text)]
    doc.text.body = text
    tasks = extract(segment(doc, Config()), Config()).tasks
    assert [(t.ref, t.leads) for t in tasks] == [("Đ3", ["Sở Tư pháp"])]


def test_an_item_addressing_its_holder_by_a_label_is_led_by_it() -> None:
    assert addressed_holder("Đối với cơ sở được kiểm tra: Chuẩn bị hồ sơ.") == (
        "Cơ sở được kiểm tra"
    )
    assert addressed_holder("Đối với các công trình chậm tiến độ: kiên quyết thu hồi.") is None
    tasks = _tasks(
        "II. NHỮNG VẤN ĐỀ KHÁC\n1. Đối với thành viên Đoàn: Thực hiện đúng nhiệm vụ được giao.\n"
        "2. Đối với đơn vị được kiểm tra: Cung cấp hồ sơ trước buổi làm việc.\n"
    )
    assert [(t.kind, t.leads) for t in tasks] == [
        ("assignment", ["Thành viên Đoàn"]),
        ("assignment", ["Đơn vị được kiểm tra"]),
    ]


NOTICE = (
    "ỦY BAN NHÂN DÂN\nXÃ AN PHÚ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "Độc lập - Tự do - Hạnh phúc\nSố: 15/TB-UBND\nAn Phú, ngày 10 tháng 8 năm 2026\n"
    "THÔNG BÁO\nKết quả tiếp nhận hồ sơ đăng ký kinh doanh chợ đêm\n"
    "1. Thời gian tiếp nhận hồ sơ\nTừ ngày 01/7/2026 đến ngày 31/7/2026.\n"
    "2. Kết quả tiếp nhận hồ sơ\nỦy ban nhân dân xã đã nhận 03 hồ sơ.\n"
)


def _metadata(text: str):
    doc = Document(source=Source(path="<test>"))
    doc.pages = [Page(number=1, method="text", text=text)]
    doc.text.body = text
    return extract(segment(doc, Config()), Config()).metadata


def test_a_notices_reported_time_is_no_plan_period_but_a_plans_is() -> None:
    assert _metadata(NOTICE + TAIL).plan_period is None
    plan = NOTICE.replace("THÔNG BÁO", "KẾ HOẠCH").replace(
        "1. Thời gian tiếp nhận hồ sơ", "1. Thời gian thực hiện"
    )
    period = _metadata(plan + TAIL).plan_period
    assert period is not None and period.end is not None and period.end.day == 31


def test_reporting_part_gives_units_their_reporting_duties() -> None:
    tasks = _tasks(
        "IV. CHẾ ĐỘ BÁO CÁO\n"
        "1. Các sở, ban, ngành; cơ quan, đơn vị tiến hành đánh giá, gửi báo cáo về Sở Tài chính "
        "trước ngày 15/12/2026.\n"
        "2. Trong quá trình thực hiện, nếu có vướng mắc, các đơn vị phản ánh về Sở Tài chính.\n"
    )
    assert [(t.kind, t.leads) for t in tasks] == [
        ("assignment", ["Các sở, ban, ngành", "Cơ quan, đơn vị"])
    ]
    assert tasks[0].period is not None and tasks[0].period.end is not None


def test_labelled_value_of_only_units_keeps_a_lower_case_tail() -> None:
    tasks = _tasks(
        "II. NHIỆM VỤ\n1. Xúc tiến đầu tư\n- Tổ chức hội nghị xúc tiến đầu tư.\n"
        "Trách nhiệm chủ trì thực hiện: Sở Công Thương; Ban Quản lý các khu công nghiệp và "
        "khu chế xuất.\n"
    )
    assert tasks[0].leads == ["Sở Công Thương", "Ban Quản lý các khu công nghiệp và khu chế xuất"]


def test_an_addressed_position_is_the_lead() -> None:
    assert addressed_holder("Đối với giáo viên chủ nhiệm: Hướng dẫn học sinh.") == (
        "Giáo viên chủ nhiệm"
    )


def test_day_and_month_without_ngay_after_a_time_word_and_part_of_a_month() -> None:
    period = own_period("Ra quân đợt cao điểm từ 15/4 đến 15/5/2026.", 2026)
    assert period is not None and (period.start, period.end) == (
        dt.date(2026, 4, 15),
        dt.date(2026, 5, 15),
    )
    period = own_period("Tổ chức lễ phát động vào đầu tháng 4/2026.", 2026)
    assert period is not None and (period.start, period.end) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 4, 30),
    )
    # A bare fraction is no day: only the dated deadline counts.
    period = own_period("Đạt 15/20 xã đạt chuẩn trước ngày 30/6/2026.", 2026)
    assert period is not None and (period.start, period.end) == (None, dt.date(2026, 6, 30))


def test_more_unit_heads_and_position_lists() -> None:
    assert find_leads("Ngân hàng Chính sách xã hội chi nhánh tỉnh giải ngân vốn vay.") == [
        "Ngân hàng Chính sách xã hội chi nhánh tỉnh"
    ]
    assert find_leads("Điện lực huyện bảo đảm cấp điện an toàn.") == ["Điện lực huyện"]
    assert find_leads("Ủy ban nhân dân xã tổ chức hội nghị.") == ["Ủy ban nhân dân xã"]
    assert find_leads("Trưởng thôn, tổ trưởng tổ dân phố thông báo đến từng hộ.") == [
        "Trưởng thôn",
        "Tổ trưởng tổ dân phố",
    ]
    assert find_leads("Thành viên Ban Chỉ đạo theo dõi địa bàn được phân công.") == [
        "Thành viên Ban Chỉ đạo"
    ]


def test_shortcomings_are_no_rows_and_a_commune_officer_heads_duties() -> None:
    tasks = _tasks(
        "I. TỒN TẠI, HẠN CHẾ\n1. Một số thôn triển khai còn chậm.\n"
        "II. TỔ CHỨC THỰC HIỆN\n1. Công chức Văn hóa - Xã hội\n- Tham mưu triển khai Kế hoạch.\n"
    )
    assert [(t.kind, t.leads) for t in tasks] == [("assignment", ["Công chức Văn hóa - Xã hội"])]
    assert find_leads("Công chức, viên chức tham gia đầy đủ.") == []


def test_an_attachment_that_numbers_afresh_gets_prefixed_refs() -> None:
    text = (
        HEAD + "I. MỤC ĐÍCH\n1. Nâng cao nhận thức.\n" + TAIL + "KẾ HOẠCH\nChi tiết triển khai\n"
        "I. NHIỆM VỤ\n1. Sở Tư pháp tổ chức tập huấn trong tháng 6/2026.\n"
    )
    doc = Document(source=Source(path="<test>"))
    doc.pages = [Page(number=1, method="text", text=text)]
    doc.text.body = text
    doc = extract(segment(doc, Config()), Config())
    refs = [s.ref for s in doc.layout.sections]
    assert len(refs) == len(set(refs))
    assert [(t.ref, t.leads) for t in doc.tasks] == [("KT.I.1", ["Sở Tư pháp"])]


def test_party_committee_of_the_front_and_mass_organisations_is_one_unit() -> None:
    assert split_units(
        "Đảng ủy Mặt trận Tổ quốc, các đoàn thể tỉnh; Đảng ủy Ủy ban nhân dân tỉnh"
    ) == [
        "Đảng ủy Mặt trận Tổ quốc, các đoàn thể tỉnh",
        "Đảng ủy Ủy ban nhân dân tỉnh",
    ]
    # The Front's committee itself and the organisations are two units.
    assert find_leads("Ủy ban Mặt trận Tổ quốc, các đoàn thể xã tuyên truyền.") == [
        "Ủy ban Mặt trận Tổ quốc",
        "Các đoàn thể xã",
    ]


def test_units_assigned_to_lead_keep_chu_tri_in_their_name() -> None:
    assert find_leads("Các cơ quan, đơn vị được giao chủ trì có trách nhiệm báo cáo kết quả.") == [
        "Các cơ quan, đơn vị được giao chủ trì"
    ]


def test_table_cell_day_run_closed_by_a_full_date() -> None:
    from pipeline.extract.tasks import cell_period

    period = cell_period("01/4 - 30/4/2026", 2026)
    assert (period.start, period.end) == (dt.date(2026, 4, 1), dt.date(2026, 4, 30))


def test_starred_time_heading_and_a_generic_group_opening_the_paragraph() -> None:
    tasks = _tasks(
        "II. NHIỆM VỤ CỤ THỂ\n1. Quý II năm 2026\n- Tổ chức tập huấn cho cán bộ cơ sở.\n"
        "* Quý III:\n- Sơ kết 9 tháng.\n"
        "2. Tăng cường sự lãnh đạo của cấp ủy\nCác chi bộ tổ chức quán triệt Nghị quyết.\n"
    )
    periods = [(t.period.start, t.period.end) if t.period else None for t in tasks]
    assert periods[:2] == [
        (dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        (dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
    ]
    assert tasks[2].leads == ["Các chi bộ"]


def test_project_board_name_runs_to_its_place_word() -> None:
    assert find_leads(
        "Ban Quản lý dự án đầu tư xây dựng các công trình giao thông tỉnh khẩn trương thi công."
    ) == ["Ban Quản lý dự án đầu tư xây dựng các công trình giao thông tỉnh"]
    assert find_leads("Ban Quản lý dự án tổ chức thi công.") == ["Ban Quản lý dự án"]


def test_title_stops_before_an_issued_with_note() -> None:
    text = HEAD.replace("Thử nghiệm\n", "") + (
        "Tổ chức Ngày hội Đại đoàn kết toàn dân tộc năm 2026\n"
        "(Ban hành kèm theo Quyết định số 12/QĐ-UBND ngày 01/3/2026 của UBND tỉnh)\n"
        "I. MỤC ĐÍCH\n1. Phát huy sức mạnh khối đại đoàn kết.\n"
    )
    assert _metadata(text + TAIL).title == "Tổ chức Ngày hội Đại đoàn kết toàn dân tộc năm 2026"


def test_issuer_lines_in_capitals_get_running_text_case() -> None:
    from pipeline.extract.metadata import body_name

    assert body_name("SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG") == "Sở Nông nghiệp và Môi trường"
    assert body_name("PHÒNG KINH TẾ, HẠ TẦNG VÀ ĐÔ THỊ") == "Phòng Kinh tế, Hạ tầng và Đô thị"
    assert body_name("ĐẢNG ỦY XÃ BẢO THẮNG") == "Đảng ủy xã Bảo Thắng"
    assert body_name("TỈNH ỦY LÀO CAI") == "Tỉnh ủy Lào Cai"
    assert body_name("BCH ĐOÀN XÃ HÒA AN") == "Ban Chấp hành Đoàn xã Hòa An"
    assert body_name("HỘI NÔNG DÂN XÃ AN PHÚ") == "Hội Nông dân xã An Phú"
    assert body_name("ỦY BAN MTTQ VIỆT NAM XÃ TÂN PHÚ") == (
        "Ủy ban Mặt trận Tổ quốc Việt Nam xã Tân Phú"
    )


def test_a_bare_standing_body_line_issues_for_its_parent() -> None:
    text = (
        "HỘI NÔNG DÂN TỈNH AN GIANG\nBAN THƯỜNG VỤ\nSố: 12-KH/HNDT\nHỘI NÔNG DÂN VIỆT NAM\n"
        "An Giang, ngày 03 tháng 3 năm 2026\nKẾ HOẠCH\nTriển khai nhiệm vụ năm 2026\n"
        "I. NHIỆM VỤ\n1. Tổ chức tập huấn cho hội viên.\n"
        "Nơi nhận:\n- Lưu: VP.\nT/M BAN THƯỜNG VỤ\nCHỦ TỊCH\nLê Văn Nam\n"
    )
    meta = _metadata(text)
    assert meta.issuer == "Ban Thường vụ Hội Nông dân tỉnh An Giang"
    assert meta.issuer_parent == "Hội Nông dân tỉnh An Giang"


def test_heads_of_all_villages_lead() -> None:
    assert find_leads("Giao Trưởng các khu phố tổng hợp kết quả gửi Ủy ban nhân dân phường.") == [
        "Trưởng các khu phố"
    ]
    assert find_leads("Trưởng các thôn, tổ dân phố thông báo đến từng hộ.") == [
        "Trưởng các thôn, tổ dân phố"
    ]
