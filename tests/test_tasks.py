"""Tasks: which items are tasks, their periods (own or inherited), leads and dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.document import Document, Page, Source, Task
from pipeline.extract import extract
from pipeline.segment import segment

GENRE = Path(__file__).parent / "data" / "genre"


def _tasks(text: str) -> dict[str, Task]:
    doc = Document(source=Source(path="<test>"))
    doc.pages = [Page(number=1, method="text", text=text)]
    doc.text.body = text
    doc = extract(segment(doc, Config()), Config())
    return {t.ref: t for t in doc.tasks}


def _genre(name: str) -> Document:
    from pipeline.chain import process_path

    doc = process_path(GENRE / name, Config())
    assert doc.status == "ok", doc.errors
    return doc


def test_time_headings_give_quarters_and_purpose_items_are_not_tasks() -> None:
    tasks = _tasks(
        "KẾ HOẠCH\nThi đua năm 2026\nI. MỤC ĐÍCH, YÊU CẦU\n1. Nâng cao chất lượng.\n"
        "II. NHIỆM VỤ CỤ THỂ\n1. Quý I năm 2026\na) Ban hành Kế hoạch.\nb) Tổ chức hội nghị vào tháng 02 năm 2027.\n"
        "2. Quý II\na) Sơ kết.\n3. Nhiệm vụ khác trong năm 2026\na) Tuyên truyền.\n"
    )
    assert list(tasks) == ["II.1.a", "II.1.b", "II.2.a", "II.3.a"]
    q1 = tasks["II.1.a"].period
    assert (q1.start, q1.end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    # the task's own time phrase wins over its heading's
    assert tasks["II.1.b"].period.label == "vào tháng 02 năm 2027"
    q2 = tasks["II.2.a"].period  # `Quý II` takes the year of the document
    assert (q2.start, q2.end) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    year = tasks["II.3.a"].period
    assert (year.start, year.end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert all(t.part == "NHIỆM VỤ CỤ THỂ" for t in tasks.values())


def test_own_time_line_wins_and_attributes_are_not_tasks() -> None:
    tasks = _tasks(
        "II. NỘI DUNG\n1. Quý I năm 2026\n"
        "1.1. Tập huấn nghiệp vụ\n- Cơ quan chủ trì: Sở Nội vụ.\n- Thời gian thực hiện: Tháng 5/2026.\n"
        "1.2. Kiểm tra\n- Cơ quan chủ trì: Sở Tư pháp.\n"
    )
    assert list(tasks) == ["II.1.1", "II.1.2"]
    own = tasks["II.1.1"]
    assert own.lead == "Sở Nội vụ"
    assert (own.period.start, own.period.end) == (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert tasks["II.1.2"].period.label == "Quý I năm 2026"
    assert tasks["II.1.2"].lead == "Sở Tư pháp"


def test_nested_attribute_block_gives_the_lead() -> None:
    tasks = _tasks(
        "II. NHIỆM VỤ\n1. Về dữ liệu\n1.1. Xây dựng chiến lược dữ liệu:\n"
        "a) Nhiệm vụ: Rà soát, hoàn thiện Chiến lược dữ liệu.\nb) Cơ quan thực hiện:\n"
        "- Đơn vị chủ trì: Sở Khoa học và Công nghệ.\n- Đơn vị phối hợp: Các Sở, ban, ngành.\n"
        "c) Thời gian thực hiện: Hoàn thành trong năm 2025.\n"
    )
    (task,) = tasks.values()
    assert task.ref == "II.1.1"
    assert task.lead == "Sở Khoa học và Công nghệ"
    assert "Rà soát, hoàn thiện Chiến lược dữ liệu." in task.text
    assert task.period.end == dt.date(2025, 12, 31)


def test_attribute_lines_after_a_run_of_bullets_apply_to_the_run() -> None:
    tasks = _tasks(
        "III. NHIỆM VỤ, GIẢI PHÁP\n1. Nâng cao năng lực\n- Tăng cường giáo dục.\n- Nâng cao ý thức.\n"
        "Đơn vị thực hiện: Các Sở, ngành.\nThời gian thực hiện: Thường xuyên.\n"
        "- Tổ chức tập huấn.\nĐơn vị chủ trì: Sở Tư pháp.\nThời gian thực hiện: Hằng năm.\n"
    )
    assert [t.period.label for t in tasks.values()] == ["Thường xuyên", "Thường xuyên", "Hằng năm"]
    assert tasks["III.1.-3"].lead == "Sở Tư pháp"
    assert tasks["III.1.-1"].lead == tasks["III.1.-2"].lead


def test_organisation_items_need_a_duty_holder() -> None:
    tasks = _tasks(
        "III. TỔ CHỨC THỰC HIỆN\n1. Thủ trưởng các cơ quan, đơn vị căn cứ Kế hoạch này triển khai thực hiện.\n"
        "2. Phòng Văn hóa - Xã hội: theo dõi, đôn đốc thực hiện Kế hoạch.\n"
        "3. Sở Tài chính\na) Bố trí kinh phí.\nb) Hướng dẫn thanh quyết toán.\n"
        "4. Kinh phí thực hiện Kế hoạch được bố trí từ ngân sách nhà nước.\n"
    )
    assert list(tasks) == ["III.1", "III.2", "III.3.a", "III.3.b"]
    assert tasks["III.1"].lead == "Các cơ quan, đơn vị"  # the units lead, not their heads
    assert tasks["III.2"].lead == "Phòng Văn hóa - Xã hội"
    assert tasks["III.3.b"].lead == "Sở Tài chính"
    assert {t.source for t in tasks.values()} == {"organisation"}


def test_tone_spellings_do_not_matter() -> None:
    text = "II. NHIỆM VỤ, GIẢI PHÁP\n1. Họp.\nIII. TỔ CHỨC THỰC HIỆN\n1. {} ban nhân dân các xã\na) Tuyên truyền.\n"
    old, new = _tasks(text.format("Ủy")), _tasks(text.format("Uỷ"))
    assert list(old) == list(new) == ["II.1", "III.1.a"]
    assert (old["III.1.a"].lead, new["III.1.a"].lead) == (
        "Ủy ban nhân dân các xã",
        "Uỷ ban nhân dân các xã",
    )
    # `Quí`/`Quý` read alike
    tasks = _tasks("II. NHIỆM VỤ\n1. Quí II năm 2026\na) Số hoá hồ sơ.\n")
    assert tasks["II.1.a"].period.start == dt.date(2026, 4, 1)


def test_task_dates() -> None:
    tasks = _tasks("II. NHIỆM VỤ\n1. Báo cáo trước ngày 15/12/2026 và ngày 20 tháng 12 năm 2026.\n")
    assert tasks["II.1"].dates == [dt.date(2026, 12, 15), dt.date(2026, 12, 20)]


def test_genre_department_plan_with_appendix_table() -> None:
    doc = _genre("so-y-te-phu-luc.txt")
    assert doc.metadata.issuer == "Sở Y tế tỉnh Quảng Trị"  # qualified by its block's province
    assert doc.metadata.issuer_parent == "Ủy ban nhân dân tỉnh Quảng Trị"
    assert doc.layout.parent_body == "UBND TỈNH QUẢNG TRỊ"
    assert doc.metadata.signer_position == "Giám đốc"
    rows = {t.ref: t for t in doc.tasks if t.source == "table"}
    assert list(rows) == ["PL.1", "PL.2", "PL.3", "PL.4"]
    assert rows["PL.1"].lead == "Trung tâm Kiểm soát bệnh tật tỉnh"
    assert rows["PL.1"].period.end == dt.date(2026, 6, 30)
    assert rows["PL.2"].period.label == "Thường xuyên" and rows["PL.2"].period.start is None
    assert (rows["PL.3"].period.start, rows["PL.3"].period.end) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 4, 30),
    )
    assert rows["PL.4"].period.start is None and rows["PL.4"].period.end == dt.date(2026, 12, 15)
    assert rows["PL.4"].lead == "Văn phòng Sở"
    org = [t for t in doc.tasks if t.source == "organisation"]
    assert [t.lead for t in org] == ["Trung tâm Kiểm soát bệnh tật tỉnh"]


def test_genre_tasks_under_unit_headings() -> None:
    doc = _genre("ubnd-xa-don-vi.txt")
    assert doc.metadata.issuer == "Ủy ban nhân dân xã Tân Hòa"
    body = {t.ref: t for t in doc.tasks if t.source == "body"}
    assert list(body) == ["II.1.a", "II.1.b", "II.2.a", "II.2.b", "II.3"]
    assert body["II.1.a"].lead == body["II.1.b"].lead == "Văn phòng HĐND và UBND xã"
    assert body["II.2.b"].lead == "Phòng Kinh tế"
    assert body["II.3"].lead == "Công an xã"
    # `hoàn thành trong tháng 6 năm 2026` in the item's own text
    assert (body["II.3"].period.start, body["II.3"].period.end) == (
        dt.date(2026, 6, 1),
        dt.date(2026, 6, 30),
    )
    # no period of its own nor from its headings: none (the title's year is not its period)
    assert body["II.2.a"].period is None
    assert body["II.2.a"].kind == "assignment"  # its unit heading names the lead


def test_genre_thoi_gian_thuc_hien_lines() -> None:
    doc = _genre("thoi-gian-thuc-hien.txt")
    tasks = {t.ref: t for t in doc.tasks}
    assert [r for r, t in tasks.items() if t.source == "body"] == [
        "II.1",
        "II.2",
        "II.3.1",
        "II.3.2",
        "II.4",
    ]
    assert tasks["II.1"].period.end == dt.date(2026, 6, 30)
    assert tasks["II.2"].period.start is None and tasks["II.2"].period.end == dt.date(2026, 6, 30)
    assert tasks["II.3.1"].period.start == dt.date(2026, 12, 1)
    span = tasks["II.3.2"].period
    assert (span.start, span.end) == (dt.date(2026, 7, 1), dt.date(2027, 3, 31))
    assert tasks["II.3.2"].lead == "Công an thành phố"
    assert tasks["II.4"].period.label == "Hằng năm"
    assert tasks["III.1"].source == "organisation"
    assert tasks["III.1"].dates == [dt.date(2026, 12, 15)]


@pytest.mark.parametrize("name", sorted(p.name for p in GENRE.glob("*.txt")))
def test_genre_documents_have_their_header(name: str) -> None:
    doc = _genre(name)
    assert doc.metadata.number and doc.metadata.issue_date and doc.metadata.signer
    assert doc.tasks


def test_parts_named_by_phan_headings() -> None:
    tasks = _tasks(
        "PHẦN THỨ NHẤT\nKẾT QUẢ THỰC HIỆN NĂM 2025\nI. CÔNG TÁC CHỈ ĐẠO\n1. Đã ban hành kế hoạch.\n"
        "PHẦN THỨ HAI\nPHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2026\nI. NHIỆM VỤ TRỌNG TÂM\n1. Hoàn thành số hóa hồ sơ.\n"
    )
    assert list(tasks) == ["P2.I.1"]
    assert tasks["P2.I.1"].period.end == dt.date(2026, 12, 31)


def test_table_tasks_need_a_task_table() -> None:
    tasks = _tasks(
        "KẾ HOẠCH\nThử\nI. MỤC ĐÍCH\n1. Một.\nPHỤ LỤC I\nTT | Tên đơn vị | Địa chỉ\n1 | Công ty A | Hà Nội\n"
        "PHỤ LỤC II\nSTT | Nhiệm vụ | Đơn vị chủ trì | Thời gian\n1 | Tập huấn | Sở Nội vụ | Quý I/2026\n"
    )
    assert list(tasks) == ["PL2.1"]
    assert tasks["PL2.1"].lead == "Sở Nội vụ"
    assert tasks["PL2.1"].source == "table"


def test_decision_articles_are_tasks_only_when_they_assign_work() -> None:
    tasks = _tasks(
        "QUYẾT ĐỊNH:\nĐiều 1. Thành lập Ban Chỉ đạo gồm:\n1. Ông A, Trưởng ban.\n"
        "Điều 2. Nhiệm vụ của Ban Chỉ đạo\n1. Chỉ đạo triển khai Đề án.\n2. Kiểm tra, đôn đốc.\n"
        "Điều 3. Quyết định này có hiệu lực kể từ ngày ký.\n"
    )
    assert list(tasks) == ["Đ2.1", "Đ2.2"]


def test_duty_holder_names_generic_and_labelled_holders() -> None:
    from pipeline.extract.tasks import duty_holder

    assert duty_holder("Các Khối thi đua thuộc đặc khu: triển khai thực hiện") == (
        "Các Khối thi đua thuộc đặc khu"
    )
    assert duty_holder(
        "Căn cứ Kế hoạch này, Thủ trưởng các cơ quan, đơn vị trên địa bàn xây dựng kế hoạch"
    ) == ("Thủ trưởng các cơ quan, đơn vị trên địa bàn")
    assert duty_holder("Kinh phí thực hiện từ ngân sách nhà nước") is None
