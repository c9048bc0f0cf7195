"""The genre rules of issue #14, each on short inline strings: unit names that run past a
predicate-looking word, leads completed within a plan, time headings, body tables, group
rows, year runs, target headings, appendix pointers, strategy horizons."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.config import Config
from pipeline.document import Document, Page, Source, Task
from pipeline.extract import extract
from pipeline.extract.periods import own_period, parse_period
from pipeline.extract.tasks import cell_period, complete_leads, is_not_row, is_target_heading
from pipeline.extract.units import find_leads, split_units
from pipeline.segment import build_tree, segment
from pipeline.segment.body import is_time_heading
from pipeline.segment.tables import cut_body_tables, group_heading

HEAD = (
    "ỦY BAN NHÂN DÂN\nTỈNH CAO BẰNG\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "Độc lập - Tự do - Hạnh phúc\nSố: 12/KH-UBND\nCao Bằng, ngày 05 tháng 3 năm 2026\n"
    "KẾ HOẠCH\nThử nghiệm\n"
)
TAIL = "Nơi nhận:\n- Lưu: VT.\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nNguyễn Văn An\n"


def _doc(body: str) -> Document:
    text = HEAD + body + TAIL
    doc = Document(source=Source(path="<test>"))
    doc.pages = [Page(number=1, method="text", text=text)]
    doc.text.body = text
    return extract(segment(doc, Config()), Config())


def _tasks(body: str) -> list[Task]:
    return _doc(body).tasks


# --- leads -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "leads"),
    [
        (
            "- Phòng Phổ biến, giáo dục pháp luật chủ trì tham mưu Hội đồng phối hợp",
            ["Phòng Phổ biến, giáo dục pháp luật"],
        ),
        (
            "- Phòng Quản lý xử lý vi phạm hành chính và Theo dõi thi hành pháp luật phối hợp "
            "với Công an tỉnh biên soạn tài liệu",
            ["Phòng Quản lý xử lý vi phạm hành chính và Theo dõi thi hành pháp luật"],
        ),
        (
            "Giao Trung tâm Trợ giúp pháp lý nhà nước chủ trì, phối hợp với các xã",
            ["Trung tâm Trợ giúp pháp lý nhà nước"],
        ),
        (
            "Ban Quản lý các khu công nghệ cao và khu công nghiệp chủ trì tổ chức",
            ["Ban Quản lý các khu công nghệ cao và khu công nghiệp"],
        ),
    ],
)
def test_unit_name_runs_on_to_its_lead_verb(text: str, leads: list[str]) -> None:
    assert find_leads(text) == leads


@pytest.mark.parametrize(
    ("text", "leads"),
    [
        ("Sở Tài chính tham mưu bố trí kinh phí; chủ trì thẩm định", ["Sở Tài chính"]),
        ("Sở Y tế hướng dẫn các đơn vị chủ trì tổ chức", ["Sở Y tế"]),
        (
            "Ủy ban nhân dân phường Yên Bái chủ trì phối hợp với các xã",
            ["Ủy ban nhân dân phường Yên Bái"],
        ),
        ("Ủy ban nhân dân các xã, phường xây dựng kế hoạch", ["Ủy ban nhân dân các xã, phường"]),
    ],
)
def test_unit_name_stops_before_a_duty(text: str, leads: list[str]) -> None:
    assert find_leads(text) == leads


def test_whole_cell_keeps_a_lower_case_tail_but_running_text_does_not() -> None:
    assert split_units("Ban Quản lý các khu công nghệ cao và khu công nghiệp") == [
        "Ban Quản lý các khu công nghệ cao và khu công nghiệp"
    ]
    assert split_units(
        "Sở Văn hóa, Thể thao và Du lịch; Báo và Phát thanh, Truyền hình Cần Thơ"
    ) == [
        "Sở Văn hóa, Thể thao và Du lịch",
        "Báo và Phát thanh, Truyền hình Cần Thơ",
    ]


def test_a_later_paragraph_opening_with_units_gives_the_lead() -> None:
    text = (
        "Tỷ lệ khu công nghiệp có trạm xử lý nước thải đạt 100%.\n"
        "Ban Quản lý Khu kinh tế và Ban Quản lý các Khu công nghiệp tỉnh triển khai xây dựng."
    )
    assert find_leads(text) == ["Ban Quản lý Khu kinh tế", "Ban Quản lý các Khu công nghiệp tỉnh"]
    assert find_leads("Tỷ lệ che phủ rừng đạt 60%.\nPhấn đấu trồng mới 500 ha.") == []


def test_plural_unit_heads_and_party_groups_lead() -> None:
    assert find_leads("Các Trung tâm y tế giám sát tuyến xã và báo cáo hằng ngày.") == [
        "Các Trung tâm y tế"
    ]
    assert split_units("Các cấp ủy, tổ chức đảng") == ["Các cấp ủy, tổ chức đảng"]


def test_leads_cut_short_are_completed_from_the_same_plan() -> None:
    full = Task(
        ref="1",
        text="Giao Trung tâm Trợ giúp pháp lý nhà nước chủ trì",
        leads=["Trung tâm Trợ giúp pháp lý nhà nước"],
    )
    cut = Task(
        ref="2",
        text="Trung tâm Trợ giúp pháp lý nhà nước tổ chức truyền thông",
        leads=["Trung tâm Trợ"],
    )
    other = Task(ref="3", text="Trung tâm Trợ cấp xã hội tổ chức", leads=["Trung tâm Trợ"])
    complete_leads([full, cut, other])
    assert cut.leads == ["Trung tâm Trợ giúp pháp lý nhà nước"]
    assert cut.lead == "Trung tâm Trợ giúp pháp lý nhà nước"
    assert other.leads == ["Trung tâm Trợ"]  # its text goes on with another name


# --- time headings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "line", ["Tháng 3/2026:", "Quý II năm 2026:", "Từ tháng 6 đến tháng 8/2026:", "Tháng 11/2026"]
)
def test_time_headings(line: str) -> None:
    assert is_time_heading(line)


@pytest.mark.parametrize(
    "line",
    [
        "Tháng 3/2026: tổ chức hội nghị sơ kết công tác phổ biến pháp luật",
        "1. Quý I năm 2026",
        "Thời gian: Quý I",
    ],
)
def test_not_time_headings(line: str) -> None:
    assert not is_time_heading(line)


def test_time_heading_nests_the_items_below_it_under_the_numbered_heading() -> None:
    tree = build_tree(
        [
            "1. Quý I năm 2026",
            "- Việc A.",
            "Tháng 3/2026:",
            "- Việc B.",
            "- Việc C.",
            "2. Quý II năm 2026",
            "- Việc D.",
        ]
    )
    first = tree[0]
    assert [c.kind for c in first.children] == ["bullet", "period"]
    period = first.children[1]
    assert period.heading == "Tháng 3/2026:"
    assert [c.heading for c in period.children] == ["Việc B.", "Việc C."]
    assert tree[1].children[0].heading == "Việc D."


def test_time_heading_gives_its_month_to_its_items_and_own_deadlines_win() -> None:
    tasks = _tasks(
        "I. NHIỆM VỤ CỤ THỂ\n1. Quý I năm 2026\n- Rà soát văn bản.\nTháng 3/2026:\n"
        "- Tổ chức hội nghị phổ biến luật.\n- Tổng kết, hoàn thành trước ngày 20/3/2026.\n"
    )
    by_text = {t.text: t for t in tasks}
    assert by_text["Rà soát văn bản."].period.start == dt.date(2026, 1, 1)
    hoi_nghi = by_text["Tổ chức hội nghị phổ biến luật."].period
    assert (hoi_nghi.start, hoi_nghi.end) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert by_text["Tổng kết, hoàn thành trước ngày 20/3/2026."].period.end == dt.date(2026, 3, 20)


# --- tables ------------------------------------------------------------------------------


def test_body_table_rows_are_cut_from_the_body_and_described() -> None:
    lines = [
        "IV. KẾ HOẠCH CỤ THỂ",
        "Thời gian | Nội dung hoạt động | Bộ phận phụ trách",
        "Tháng 9/2026 | Xây dựng kế hoạch | Ban Giám hiệu",
        "Tháng 10/2026 | Tổ chức chuyên đề | Liên đội",
        "V. TỔ CHỨC THỰC HIỆN",
    ]
    kept, tables = cut_body_tables(lines)
    assert kept == ["IV. KẾ HOẠCH CỤ THỂ", "", "", "", "V. TỔ CHỨC THỰC HIỆN"]
    ((offset, table),) = tables
    assert offset == 1
    assert (table.period_column, table.task_column, table.lead_column) == (0, 1, 2)
    assert cut_body_tables(["Một dòng | lạc"])[1] == []


def test_body_table_with_a_two_row_header_gives_assignments_under_its_section() -> None:
    tasks = _tasks(
        "I. NỘI DUNG VÀ PHÂN CÔNG\n"
        "TT | Nội dung | Thời gian | Phụ trách | | Ghi chú\n"
        "| | | Chủ trì | Phối hợp |\n"
        "1 | Xây dựng kế hoạch | Tháng 01/2026 | Phó Hiệu trưởng | Tổ chuyên môn |\n"
        "2 | Sơ kết, khen thưởng | Tháng 5/2026 | Hiệu trưởng | Công đoàn |\n"
    )
    rows = {t.ref: t for t in tasks}
    assert set(rows) == {"I.1", "I.2"}
    assert rows["I.1"].leads == ["Phó Hiệu trưởng"]
    assert rows["I.2"].period.start == dt.date(2026, 5, 1)
    assert all(t.kind == "assignment" and t.source == "table" for t in tasks)


def test_two_cell_group_rows() -> None:
    assert group_heading(["I", "CÔNG TÁC TUYÊN TRUYỀN"]) == "I. CÔNG TÁC TUYÊN TRUYỀN"
    assert group_heading(["II.1", "Hoàn thiện thể chế"], width=5) == "II.1. Hoàn thiện thể chế"
    assert group_heading(["II.1", "Hoàn thiện thể chế"], width=2) is None
    assert group_heading(["3", "Tổ chức hội nghị"], width=5) is None


def test_table_time_cells() -> None:
    assert (cell_period("2030", 2026).start, cell_period("2030", 2026).end) == (
        dt.date(2030, 1, 1),
        dt.date(2030, 12, 31),
    )
    assert cell_period("Thường xuyên", 2026).start is None
    run = parse_period("2026 - 2030")
    assert (run.start, run.end) == (dt.date(2026, 1, 1), dt.date(2030, 12, 31))
    months = parse_period("Tháng 12/2026 - Tháng 01/2027")
    assert (months.start, months.end) == (dt.date(2026, 12, 1), dt.date(2027, 1, 31))
    quarters = parse_period("Quý IV/2026 - Quý I/2027")
    assert (quarters.start, quarters.end) == (dt.date(2026, 10, 1), dt.date(2027, 3, 31))
    assert parse_period("nhiệm kỳ 2025 - 2030") is None


# --- rows that are not work ----------------------------------------------------------------


def test_target_headings_are_not_work_even_with_a_time() -> None:
    assert is_target_heading("II. MỤC TIÊU VÀ CHỈ TIÊU CHỦ YẾU ĐẾN NĂM 2030")
    assert is_target_heading("2. Các chỉ tiêu chủ yếu giai đoạn 2026 - 2030")
    assert not is_target_heading("II. MỤC TIÊU, NHIỆM VỤ VÀ GIẢI PHÁP")
    tasks = _tasks(
        "I. MỤC TIÊU VÀ CHỈ TIÊU ĐẾN NĂM 2030\n1. Tỷ lệ che phủ rừng đạt 60%.\n"
        "2. 100% rác thải được thu gom.\nII. NHIỆM VỤ\n1. Rà soát quy hoạch.\n"
    )
    assert [t.text for t in tasks] == ["Rà soát quy hoạch."]


def test_appendix_pointer_and_description_items_are_not_rows() -> None:
    assert is_not_row(
        "Các nhiệm vụ cần làm ngay trong năm 2026\nCác nhiệm vụ được xác định tại Phụ lục 2 kèm theo."
    )
    assert is_not_row("Phương tiện cho hoạt động kiểm tra: Xe ô tô 7 chỗ do Văn phòng Sở bố trí.")
    assert not is_not_row("Tổ chức hội nghị; chi tiết tại Phụ lục kèm theo.")


# --- periods -----------------------------------------------------------------------------


def test_strategy_horizon_is_not_a_tasks_period() -> None:
    assert (
        own_period("Triển khai theo Quy hoạch tỉnh thời kỳ 2021-2030, tầm nhìn đến năm 2050.")
        is None
    )
    assert own_period("Hoàn thành quy hoạch đến năm 2030.").end == dt.date(2030, 12, 31)


def test_yearly_deadline_with_several_days_has_no_calendar() -> None:
    period = own_period("định kỳ trước ngày 01/6 và 15/11 hằng năm báo cáo kết quả", 2025)
    assert period is not None
    assert (period.start, period.end) == (None, None)
    assert "hằng năm" in period.label


# --- header ------------------------------------------------------------------------------

LETTER = (
    "ỦY BAN NHÂN DÂN\nXÃ TÂN HÒA\nSố: 45/UBND-VP\nV/v tăng cường công tác phòng, chống dịch\n"
    "bệnh trên địa bàn xã\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
    "Kính gửi:\n- Trạm Y tế xã;\n- Công an xã.\nTân Hòa, ngày 12 tháng 4 năm 2026\n"
    "Thực hiện chỉ đạo của cấp trên, Ủy ban nhân dân xã đề nghị:\n"
    "1. Trạm Y tế xã tổ chức giám sát ca bệnh trong tháng 4/2026.\n"
)


def test_letter_date_after_kinh_gui_and_wrapped_subject() -> None:
    doc = _letter(LETTER + TAIL)
    meta = doc.metadata
    assert meta.issue_date == dt.date(2026, 4, 12)
    assert meta.place == "Tân Hòa"
    assert meta.title == "V/v tăng cường công tác phòng, chống dịch bệnh trên địa bàn xã"
    assert meta.doc_type == "Công văn"
    assert not any("ngày 12 tháng 4" in p for p in doc.layout.preamble)
    assert [t.leads for t in doc.tasks] == [["Trạm Y tế xã"]]


def _letter(text: str) -> Document:
    doc = Document(source=Source(path="<test>"))
    doc.pages = [Page(number=1, method="text", text=text)]
    doc.text.body = text
    return extract(segment(doc, Config()), Config())


def test_notice_record_fields_and_result_headings_are_not_rows() -> None:
    for field in (
        "Tên đơn vị: Công ty Cổ phần Xây dựng An Phú.",
        "Địa chỉ trụ sở chính: Số 12 đường Trần Phú, phường Hải Châu.",
        "Điện thoại: 0236.3822.123.",
    ):
        assert is_not_row(field), field
    tasks = _tasks(
        "1. Thời gian tiếp nhận hồ sơ\nTừ ngày 01/7/2026 đến ngày 15/7/2026.\n"
        "2. Kết quả tiếp nhận hồ sơ\n- Tên đơn vị: Công ty Cổ phần An Phú.\n"
        "3. Giao Phòng Kinh tế thẩm định hồ sơ trước ngày 30/7/2026.\n"
    )
    assert [t.leads for t in tasks] == [["Phòng Kinh tế"]]


def test_bare_generic_group_heading() -> None:
    assert split_units("Sở, ban, ngành liên quan") == ["Sở, ban, ngành liên quan"]
    assert find_leads("Sở Y tế, Sở Tài chính chủ trì") == ["Sở Y tế", "Sở Tài chính"]


def test_role_before_a_unit_heading_and_checked_groups() -> None:
    from pipeline.extract.units import is_unit_heading

    assert is_unit_heading("1. Chủ tịch Ủy ban nhân dân các xã, phường:")
    assert not is_unit_heading("1. Chủ tịch Ủy ban nhân dân các xã chỉ đạo sơ tán")
    assert find_leads("Đề nghị các cơ sở được kiểm tra chuẩn bị hồ sơ") == [
        "Các cơ sở được kiểm tra"
    ]


def test_deadline_with_an_hour_keeps_its_day() -> None:
    period = own_period("Sơ tán người dân; hoàn thành trước 17 giờ ngày 23/9/2026.")
    assert (period.start, period.end) == (None, dt.date(2026, 9, 23))


def test_a_parts_time_item_is_the_plan_window_not_its_items_period() -> None:
    tasks = _tasks(
        "I. NỘI DUNG VÀ THỜI GIAN KIỂM TRA\n1. Nội dung kiểm tra\n- Điều kiện kho chứa hóa chất.\n"
        "2. Thời gian kiểm tra: trong tháng 10/2026.\n"
    )
    assert [(t.text, t.period, t.kind) for t in tasks] == [
        ("Điều kiện kho chứa hóa chất.", None, "activity")
    ]


def test_plan_window_is_the_time_the_plan_runs_not_a_later_deadline() -> None:
    doc = _doc(
        "I. ĐỐI TƯỢNG, NỘI DUNG THI ĐUA\n1. Nội dung thi đua\n- Thi đua hoàn thành nhiệm vụ.\n"
        "2. Thời gian tổ chức phong trào thi đua: từ tháng 10 năm 2025 đến hết tháng 3 năm 2026.\n"
        "II. THỦ TỤC VÀ THỜI GIAN KHEN THƯỞNG\n"
        "1. Thời gian trình khen thưởng: hồ sơ gửi Sở Nội vụ trước ngày 31/3/2026.\n"
    )
    window = doc.metadata.plan_period
    assert (window.start, window.end) == (dt.date(2025, 10, 1), dt.date(2026, 3, 31))


def test_a_named_documents_horizon_is_not_the_tasks_period() -> None:
    assert own_period("Thực hiện Chiến lược dân số Việt Nam đến năm 2030; tổ chức sơ kết.") is None
    deadline = own_period("Ban hành Kế hoạch thực hiện trước ngày 30/6/2026.")
    assert deadline.end == dt.date(2026, 6, 30)
    assert own_period("Xây dựng Kế hoạch; hoàn thành đến năm 2030.").end == dt.date(2030, 12, 31)


@pytest.mark.parametrize(
    ("line", "body"),
    [
        ("Sở Y tế nhận được Công văn số 45/UBND-VX ngày 02/3/2026 của Ủy ban nhân dân tỉnh.", True),
        ("Ngày 02/3/2026, Chủ tịch Ủy ban nhân dân xã chủ trì cuộc họp", True),
        ("năm 2026 trên địa bàn xã", False),
        ("Nghị quyết số 12/NQ-HĐND ngày 05/3/2026 của Hội đồng nhân dân tỉnh", False),
        ("NĂM 2026", False),
    ],
)
def test_body_sentences_end_a_title(line: str, body: bool) -> None:
    from pipeline.segment import is_body_sentence

    assert is_body_sentence(line) is body


def test_ban_quan_ly_is_not_a_place_and_gets_its_province() -> None:
    from pipeline.extract.metadata import qualified_issuer

    assert (
        qualified_issuer("BAN QUẢN LÝ CÁC KHU CÔNG NGHIỆP", "UBND TỈNH ĐỒNG NAI", "")
        .casefold()
        .endswith("khu công nghiệp tỉnh đồng nai")
    )
    assert qualified_issuer(
        "ỦY BAN NHÂN DÂN QUẬN 3", "ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH", ""
    ).casefold() == ("ủy ban nhân dân quận 3")


def test_lists_split_before_a_role_and_keep_the_delegation_office_whole() -> None:
    from pipeline.extract.tasks import duty_holder

    holder = duty_holder(
        "Căn cứ kế hoạch này, Giám đốc các Sở, Thủ trưởng các ngành, cơ quan cấp tỉnh, "
        "UBND các xã, phường xây dựng kế hoạch cụ thể"
    )
    assert split_units(holder) == ["Các Sở", "Các ngành, cơ quan cấp tỉnh", "UBND các xã, phường"]
    assert find_leads(
        "Đề nghị Văn phòng Đoàn đại biểu Quốc hội và HĐND tỉnh, Công an tỉnh: phối hợp"
    ) == [
        "Văn phòng Đoàn đại biểu Quốc hội và HĐND tỉnh",
        "Công an tỉnh",
    ]


def test_a_labelled_topic_is_never_a_holder() -> None:
    from pipeline.extract.tasks import duty_holder

    assert (
        duty_holder("Đẩy mạnh truyền thông về chuyển đổi số: các cơ quan báo chí đưa tin") is None
    )
    assert duty_holder("Về tuyên truyền: các cơ quan đẩy mạnh truyền thông") is None
    assert duty_holder("Trưởng đoàn kiểm tra: phân công nhiệm vụ") == "Trưởng đoàn kiểm tra"


def test_references_of_every_kind_the_genre_cites() -> None:
    from pipeline.extract.legal_refs import dedupe_refs, find_legal_refs

    text = (
        "Căn cứ Luật Địa chất và khoáng sản số 72/2025/QH15; Quy định số 296-QĐ/TW ngày "
        "30/5/2025; Tờ trình số 35/TTr-SNNMT ngày 02/3/2026; Báo cáo số 88/BC-UBND; theo quy "
        "định tại Điều 5; Luật số 72/2025/QH15."
    )
    refs = dedupe_refs(find_legal_refs(text))
    assert [(r.kind, r.number) for r in refs] == [
        ("Luật", "72/2025/QH15"),
        ("Quy định", "296-QĐ/TW"),
        ("Tờ trình", "35/TTr-SNNMT"),
        ("Báo cáo", "88/BC-UBND"),
    ]


def test_funding_statements_are_not_rows() -> None:
    assert is_not_row("Ngân sách Thành phố đảm bảo kinh phí theo phân cấp ngân sách hiện hành.")
    assert not is_not_row("Sở Tài chính tham mưu bố trí kinh phí thực hiện Kế hoạch.")


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("Tổ chức lễ ra quân ngày 29/3.", (dt.date(2026, 3, 29), dt.date(2026, 3, 29))),
        ("Tháng 9/2026: tổ chức hội nghị sơ kết.", (dt.date(2026, 9, 1), dt.date(2026, 9, 30))),
        ("Thực hiện Công văn ngày 15/3/2026 của Sở Y tế về phòng dịch.", None),
        ("Hưởng ứng Ngày 26/3 với nhiều hoạt động.", None),
        ("Quý I năm 2026", None),
    ],
)
def test_days_named_with_ngay_and_opening_times(text: str, bounds) -> None:
    period = own_period(text, 2026)
    assert (period.start, period.end) == bounds if bounds else period is None


def test_a_topic_label_gives_the_holder_after_it() -> None:
    from pipeline.extract.tasks import duty_holder

    assert duty_holder("Chế độ báo cáo: Các đơn vị báo cáo kết quả về Sở Nội vụ") == "Các đơn vị"
    assert (
        duty_holder("Các Khối thi đua thuộc đặc khu: triển khai")
        == "Các Khối thi đua thuộc đặc khu"
    )


def test_unit_introducing_its_duties_leads_the_bullets_below() -> None:
    tasks = _tasks(
        "I. TỔ CHỨC THỰC HIỆN\n1. Phòng Kinh tế là cơ quan thường trực, có trách nhiệm:\n"
        "- Tổng hợp tình hình thiệt hại.\n- Hướng dẫn người dân khôi phục sản xuất.\n"
        "2. Sở Y tế có trách nhiệm thực hiện các nhiệm vụ sau:\n- Chuẩn bị cơ số thuốc.\n"
    )
    assert [t.leads for t in tasks] == [["Phòng Kinh tế"], ["Phòng Kinh tế"], ["Sở Y tế"]]


def test_party_bodies_lead() -> None:
    assert find_leads("Ban cán sự đảng Ủy ban nhân dân tỉnh lãnh đạo, chỉ đạo") == [
        "Ban cán sự đảng Ủy ban nhân dân tỉnh"
    ]
    assert find_leads("Đảng đoàn Hội đồng nhân dân tỉnh chỉ đạo rà soát") == [
        "Đảng đoàn Hội đồng nhân dân tỉnh"
    ]
    assert find_leads("Lãnh đạo Sở chỉ đạo các phòng") == []  # a role word alone is no lead


@pytest.mark.parametrize(
    "lead_header", ["Trách nhiệm thực hiện", "Người thực hiện", "Đơn vị", "Cơ quan chủ trì"]
)
def test_lead_column_headers(lead_header: str) -> None:
    from pipeline.document import Table
    from pipeline.segment.tables import describe_columns

    table = describe_columns(
        Table(header=["TT", "Nội dung", "Cơ quan phối hợp", lead_header, "Thời gian thực hiện"])
    )
    assert (table.task_column, table.lead_column, table.period_column) == (1, 3, 4)


def test_investors_and_cooperatives_as_generic_leads() -> None:
    assert find_leads("Các chủ đầu tư tập trung đẩy nhanh tiến độ thi công") == ["Các chủ đầu tư"]
    assert find_leads("Các hợp tác xã chủ động đăng ký tham gia") == ["Các hợp tác xã"]
