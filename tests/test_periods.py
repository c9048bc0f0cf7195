"""Periods in plan text: `parse_period` and `find_periods`."""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.extract.periods import find_periods, parse_period, quarter_bounds, schedule_period

D = dt.date
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@pytest.mark.parametrize(
    ("phrase", "start", "end"),
    [
        ("Quý I năm 2026", D(2026, 1, 1), D(2026, 3, 31)),
        ("Quí IV-2025", D(2025, 10, 1), D(2025, 12, 31)),
        ("quý 2/2026", D(2026, 4, 1), D(2026, 6, 30)),
        ("QUÝ III NĂM 2026", D(2026, 7, 1), D(2026, 9, 30)),
        ("tháng 02 năm 2027", D(2027, 2, 1), D(2027, 2, 28)),
        ("Tháng 12/2025", D(2025, 12, 1), D(2025, 12, 31)),
        ("tháng 2 năm 2028", D(2028, 2, 1), D(2028, 2, 29)),
        ("6 tháng đầu năm 2026", D(2026, 1, 1), D(2026, 6, 30)),
        ("6 tháng cuối năm 2026", D(2026, 7, 1), D(2026, 12, 31)),
        ("9 tháng đầu năm 2026", D(2026, 1, 1), D(2026, 9, 30)),
        ("năm học 2025 - 2026", D(2025, 9, 1), D(2026, 5, 31)),
        ("năm học 2025-2026", D(2025, 9, 1), D(2026, 5, 31)),
        (
            "từ tháng 10 năm 2025 đến hết tháng 3 năm 2026",
            D(2025, 10, 1),
            D(2026, 3, 31),
        ),
        ("từ ngày 01/3/2026 đến ngày 15/4/2026", D(2026, 3, 1), D(2026, 4, 15)),
        ("từ ngày 17 đến ngày 20 tháng 11 năm 2025", D(2025, 11, 17), D(2025, 11, 20)),
        ("từ tháng 10 đến tháng 12 năm 2025", D(2025, 10, 1), D(2025, 12, 31)),
        ("năm 2026", D(2026, 1, 1), D(2026, 12, 31)),
        ("trong năm 2026", D(2026, 1, 1), D(2026, 12, 31)),
        ("Hoàn thành trong năm 2025", D(2025, 1, 1), D(2025, 12, 31)),
        ("giai đoạn 2026 - 2030", D(2026, 1, 1), D(2030, 12, 31)),
        ("thời kỳ 2021 - 2030", D(2021, 1, 1), D(2030, 12, 31)),
    ],
)
def test_parse_period_bounds(phrase: str, start: dt.date, end: dt.date) -> None:
    period = parse_period(phrase)
    assert period is not None
    assert (period.start, period.end) == (start, end)
    assert period.label == phrase.replace("Hoàn thành ", "")


@pytest.mark.parametrize(
    ("phrase", "start", "end"),
    [
        ("Quý III", D(2026, 7, 1), D(2026, 9, 30)),
        ("tháng 3", D(2026, 3, 1), D(2026, 3, 31)),
        ("6 tháng cuối năm", D(2026, 7, 1), D(2026, 12, 31)),
        ("9 tháng đầu năm", D(2026, 1, 1), D(2026, 9, 30)),
        ("trước ngày 15 tháng 11", None, D(2026, 11, 15)),
    ],
)
def test_parse_period_takes_the_default_year(
    phrase: str, start: dt.date | None, end: dt.date
) -> None:
    period = parse_period(phrase, default_year=2026)
    assert period is not None
    assert (period.label, period.start, period.end) == (phrase, start, end)


@pytest.mark.parametrize("phrase", ["Quý III", "tháng 3", "6 tháng đầu năm"])
def test_parse_period_without_any_year_is_none(phrase: str) -> None:
    assert parse_period(phrase) is None


@pytest.mark.parametrize(
    ("phrase", "label", "end"),
    [
        ("trước ngày 31/3/2026", "trước ngày 31/3/2026", D(2026, 3, 31)),
        ("hoàn thành trước 30/6/2026", "hoàn thành trước 30/6/2026", D(2026, 6, 30)),
        ("Đến hết năm 2025: có 30% doanh nghiệp", "Đến hết năm 2025", D(2025, 12, 31)),
        ("chậm nhất ngày 15/4/2026", "chậm nhất ngày 15/4/2026", D(2026, 4, 15)),
        # Before a quarter means by the end of the previous one; `đến hết` includes it.
        ("trước Quý III/2026", "trước Quý III/2026", D(2026, 6, 30)),
        ("đến hết Quý III/2026", "đến hết Quý III/2026", D(2026, 9, 30)),
    ],
)
def test_deadlines_have_an_end_only(phrase: str, label: str, end: dt.date) -> None:
    period = parse_period(phrase)
    assert period is not None
    assert (period.label, period.start, period.end) == (label, None, end)


@pytest.mark.parametrize(
    ("phrase", "label", "start"),
    [
        ("Từ 01/7/2025.", "Từ 01/7/2025", D(2025, 7, 1)),
        ("Năm 2026 và các năm tiếp theo.", "Năm 2026 và các năm tiếp theo", D(2026, 1, 1)),
        (
            "Quý IV năm 2025 và các năm tiếp theo.",
            "Quý IV năm 2025 và các năm tiếp theo",
            D(2025, 10, 1),
        ),
        (
            "Giai đoạn 2026-2030 và những năm tiếp theo.",
            "Giai đoạn 2026-2030 và những năm tiếp theo",
            D(2026, 1, 1),
        ),
    ],
)
def test_open_ended_periods_have_a_start_only(phrase: str, label: str, start: dt.date) -> None:
    period = parse_period(phrase)
    assert period is not None
    assert (period.label, period.start, period.end) == (label, start, None)


@pytest.mark.parametrize(
    "label", ["Thường xuyên", "hằng năm", "hàng năm", "Định kỳ", "theo tiến độ", "Hằng quý"]
)
def test_labels_without_dates(label: str) -> None:
    period = parse_period(f"Thời gian thực hiện: {label}.")
    assert period is not None
    assert (period.label, period.start, period.end) == (label, None, None)


def test_budget_term_is_not_a_schedule() -> None:
    assert find_periods("bố trí kinh phí chi thường xuyên theo quy định") == []


def test_a_lone_date_is_a_day_for_parse_period_only() -> None:
    assert find_periods("Quyết định ngày 24/02/2026 của UBND") == []
    period = parse_period("30/6/2026")
    assert period is not None
    assert (period.start, period.end) == (D(2026, 6, 30), D(2026, 6, 30))


def test_find_periods_in_text_order_without_repeating_parts() -> None:
    text = (
        "Thời gian: Phong trào thi đua cao điểm từ tháng 10 năm 2025 đến hết tháng 3 năm 2026."
        " Tổng kết vào tháng 4 năm 2026; sơ kết 6 tháng đầu năm 2026; ngày 24 tháng 02 năm 2026"
        " ban hành; báo cáo thường xuyên."
    )
    found = find_periods(text)
    assert [(p.label, p.start, p.end) for p in found] == [
        ("từ tháng 10 năm 2025 đến hết tháng 3 năm 2026", D(2025, 10, 1), D(2026, 3, 31)),
        ("vào tháng 4 năm 2026", D(2026, 4, 1), D(2026, 4, 30)),
        ("6 tháng đầu năm 2026", D(2026, 1, 1), D(2026, 6, 30)),
        ("thường xuyên", None, None),
    ]


def test_find_periods_across_a_wrapped_line() -> None:
    found = find_periods("sơ kết giao ước thi đua 6 tháng đầu năm\n2026 của Cụm thi đua")
    assert [(p.label, p.start, p.end) for p in found] == [
        ("6 tháng đầu năm 2026", D(2026, 1, 1), D(2026, 6, 30))
    ]


def test_school_year_is_not_two_years() -> None:
    found = find_periods("khen thưởng ngành giáo dục năm học 2025 - 2026.")
    assert [(p.start, p.end) for p in found] == [(D(2025, 9, 1), D(2026, 5, 31))]


def test_quarter_heading_with_default_year() -> None:
    found = find_periods("1. Quý I", default_year=2026)
    assert [(p.label, p.start, p.end) for p in found] == [("Quý I", D(2026, 1, 1), D(2026, 3, 31))]


def test_no_period_in_plain_text() -> None:
    assert find_periods("Tổ chức tổng kết công tác thi đua, khen thưởng.") == []
    assert parse_period("Sau khi Nghị định được ban hành") is None


YEARS = st.integers(min_value=1900, max_value=2100)


@given(st.integers(min_value=1, max_value=4), YEARS)
def test_quarters_round_trip(quarter: int, year: int) -> None:
    period = parse_period(f"Quý {ROMAN[quarter]} năm {year}")
    assert period is not None
    first_month = 3 * quarter - 2
    last_month = 3 * quarter
    assert period.start == D(year, first_month, 1)
    assert period.end == D(year, last_month, calendar.monthrange(year, last_month)[1])
    assert (period.start, period.end) == quarter_bounds(quarter, year)


@given(
    st.integers(min_value=1, max_value=12),
    YEARS,
    st.sampled_from(["tháng {m} năm {y}", "Tháng {m}/{y}", "tháng {m:02d}-{y}"]),
)
def test_months_end_on_their_last_day(month: int, year: int, template: str) -> None:
    period = parse_period(template.format(m=month, y=year))
    assert period is not None
    assert period.start == D(year, month, 1)
    assert period.end is not None
    assert (period.end + dt.timedelta(days=1)).day == 1
    assert period.end.month == month
    if month == 2:
        assert period.end.day == (29 if calendar.isleap(year) else 28)


@given(st.integers(min_value=1, max_value=11), YEARS, st.sampled_from(["đầu", "cuối"]))
def test_parts_of_a_year_cover_n_months(months: int, year: int, side: str) -> None:
    period = parse_period(f"{months} tháng {side} năm {year}")
    assert period is not None
    assert period.start is not None and period.end is not None
    span = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1
    assert span == months
    assert (period.start == D(year, 1, 1)) == (side == "đầu")
    assert (period.end == D(year, 12, 31)) == (side == "cuối")


@given(st.text())
def test_find_periods_never_raises(text: str) -> None:
    for period in find_periods(text, default_year=2026):
        assert period.label
        if period.start and period.end:
            assert period.start <= period.end


@pytest.mark.parametrize(
    ("phrase", "start", "end"),
    [
        ("Quý I, II năm 2026", D(2026, 1, 1), D(2026, 6, 30)),
        ("quý III-IV/2026", D(2026, 7, 1), D(2026, 12, 31)),
        ("Quý I và Quý II năm 2026", D(2026, 1, 1), D(2026, 6, 30)),
        ("tháng 10 - 12/2025", D(2025, 10, 1), D(2025, 12, 31)),
        ("từ Quý I đến Quý III năm 2026", D(2026, 1, 1), D(2026, 9, 30)),
    ],
)
def test_runs_of_quarters_and_months(phrase: str, start: dt.date, end: dt.date) -> None:
    period = parse_period(phrase)
    assert period is not None
    assert (period.label, period.start, period.end) == (phrase, start, end)


def test_a_second_number_that_is_no_month_is_left_alone() -> None:
    period = parse_period("trong tháng 3, 15 đơn vị báo cáo", default_year=2026)
    assert period is not None
    assert (period.label, period.start, period.end) == (
        "trong tháng 3",
        D(2026, 3, 1),
        D(2026, 3, 31),
    )


def test_a_law_year_is_not_a_period() -> None:
    text = "theo Luật Thi đua, khen thưởng năm\n2022 và kế hoạch năm 2026"
    assert [p.label for p in find_periods(text)] == ["năm 2026"]


def test_a_range_running_backwards_is_not_one_period() -> None:
    found = find_periods("từ tháng 12 năm 2026 đến tháng 1 năm 2025")
    assert all(p.start is None or p.end is None for p in found)


def test_the_schedule_line_wins_over_an_adverb() -> None:
    text = "- Thường xuyên rà soát, kiện toàn đội ngũ.\nThời gian thực hiện: Quý I năm 2026."
    period = parse_period(text)
    assert period is not None
    assert period.label == "Quý I năm 2026"
    assert [p.label for p in find_periods(text)] == ["Thường xuyên", "Quý I năm 2026"]


@pytest.mark.real
def test_real_plans(real_docs: Path) -> None:
    """Schedules written in the real plans' `Thời gian …` lines and tables are read."""
    found = {
        path.name: find_periods(path.read_text(encoding="utf-8"), default_year=2025)
        for path in sorted((real_docs / "plans").glob("*.txt"))
    }
    labels = {p.label: (p.start, p.end) for periods in found.values() for p in periods}
    assert labels["Quí IV-2025"] == (D(2025, 10, 1), D(2025, 12, 31))
    assert labels["từ tháng 10 năm 2025 đến hết tháng 3 năm 2026"] == (
        D(2025, 10, 1),
        D(2026, 3, 31),
    )
    assert labels["trước ngày 31/3/2026"] == (None, D(2026, 3, 31))
    assert labels["Năm 2026 và các năm tiếp theo"] == (D(2026, 1, 1), None)
    assert labels["Tháng 12/2025"] == (D(2025, 12, 1), D(2025, 12, 31))
    assert labels["Thường xuyên"] == (None, None)
    for periods in found.values():
        for period in periods:
            if period.start and period.end:
                assert period.start <= period.end


def test_schedule_period_reads_only_the_stated_schedule() -> None:
    text = "c) Chuẩn bị sơ kết 6 tháng đầu năm 2026.\n- Thời gian thực hiện: Quý IV năm 2025."
    period = schedule_period(text)
    assert period is not None
    assert (period.label, period.start, period.end) == (
        "Quý IV năm 2025",
        D(2025, 10, 1),
        D(2025, 12, 31),
    )
    assert schedule_period("c) Chuẩn bị sơ kết 6 tháng đầu năm 2026.") is None
    period = schedule_period("Thời hạn hoàn thành: trước ngày 30/6/2026")
    assert period is not None
    assert (period.start, period.end) == (None, D(2026, 6, 30))
    period = schedule_period("Thời gian thực hiện: Thường xuyên, theo yêu cầu nhiệm vụ.")
    assert period is not None
    assert (period.label, period.start, period.end) == ("Thường xuyên", None, None)


@pytest.mark.parametrize(
    ("text", "quarter"),
    [("Quý Il năm 2026", 2), ("Quý I'V năm 2026", 4), ("Quý 1V/2026", 4), ("Quý lII năm 2026", 3)],
)
def test_quarter_numerals_misread_by_ocr(text: str, quarter: int) -> None:
    period = parse_period(text)
    assert period is not None
    assert (period.start, period.end) == quarter_bounds(quarter, 2026)
