"""Dates in Vietnamese text: `parse_date` and `find_dates`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.extract.dates import find_dates, parse_date


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("26/12/2024", dt.date(2024, 12, 26)),
        ("26-12-2024", dt.date(2024, 12, 26)),
        ("26.12.2024", dt.date(2024, 12, 26)),
        ("ngày 24 tháng 02 năm 2026", dt.date(2026, 2, 24)),
        ("ngày 24/02/2026", dt.date(2026, 2, 24)),
        ("Ngày 24 tháng 02 năm 2026", dt.date(2026, 2, 24)),
        ("NGÀY 23/7/2025", dt.date(2025, 7, 23)),
        # OCR spacing: doubled, missing or stray spaces, a wrapped line.
        ("ngày  5 tháng 3 năm 2026", dt.date(2026, 3, 5)),
        ("ngày10 /3/2026", dt.date(2026, 3, 10)),
        ("ngày 24 tháng 02 năm\n2026", dt.date(2026, 2, 24)),
        ("ngày 29/02/2024", dt.date(2024, 2, 29)),
        # Without diacritics (raw OCR before restoration).
        ("ngay 24 thang 02 nam 2026", dt.date(2026, 2, 24)),
    ],
)
def test_parse_date_reads_each_form(phrase: str, expected: dt.date) -> None:
    assert parse_date(phrase) == expected


@pytest.mark.parametrize(
    "phrase",
    [
        "31/02/2026",  # no such day
        "29/02/2025",  # not a leap year
        "ngày 32 tháng 1 năm 2026",
        "98/2023/NĐ-CP",
        "24/KH-UBND",
        "01 cá nhân/01 ban",
        "Quý I năm 2026",
        "",
    ],
)
def test_parse_date_rejects_non_dates(phrase: str) -> None:
    assert parse_date(phrase) is None


def test_find_dates_gives_text_iso_and_line() -> None:
    text = (
        "Hải Phòng, ngày 26 tháng 01 năm 2026\n"
        "Thực hiện Chỉ thị số 41-CT/TW ngày 26/12/2024 của Bộ Chính trị,\n"
        "Nghị định số 98/2023/NĐ-CP; Kế hoạch số 24/KH-UBND; hạn 31/02/2026."
    )
    found = find_dates(text)
    assert [(d.text, d.date, d.line) for d in found] == [
        ("ngày 26 tháng 01 năm 2026", dt.date(2026, 1, 26), 0),
        ("ngày 26/12/2024", dt.date(2024, 12, 26), 1),
    ]
    assert found[0].model_dump(mode="json")["date"] == "2026-01-26"


def test_find_dates_reads_a_date_split_across_lines() -> None:
    found = find_dates("ban hành ngày 24 tháng 02\nnăm 2026 như sau")
    assert [(d.text, d.date, d.line) for d in found] == [
        ("ngày 24 tháng 02 năm 2026", dt.date(2026, 2, 24), 0)
    ]


def test_find_dates_skips_numbers_ratios_and_codes() -> None:
    text = "Không quá 01 cá nhân/01 ban; TCVN 14423:2025; Km2+571; 24-48 giờ; 1050/QĐ-SCT"
    assert find_dates(text) == []


def test_find_dates_in_a_table_row() -> None:
    found = find_dates("1 | Công ty cổ phần | Gói thầu số 13 | 23/3/2026 | 02 ngày")
    assert [d.date for d in found] == [dt.date(2026, 3, 23)]


DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


@given(DATES)
def test_dates_round_trip_in_every_spelling(day: dt.date) -> None:
    spellings = [
        f"{day.day}/{day.month}/{day.year}",
        f"{day.day:02d}/{day.month:02d}/{day.year}",
        f"ngày {day.day} tháng {day.month} năm {day.year}",
        f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}",
        f"{day.day:02d}-{day.month:02d}-{day.year}",
    ]
    for spelling in spellings:
        assert parse_date(spelling) == day, spelling


@given(st.text())
def test_find_dates_never_raises(text: str) -> None:
    for mention in find_dates(text):
        assert mention.line is not None
        assert 0 <= mention.line <= text.count("\n")


@given(
    st.lists(st.sampled_from(["ngày ", "12", "/", "-", ".", "2026", " ", "tháng ", "năm ", "\n"]))
)
def test_find_dates_never_raises_on_date_like_noise(parts: list[str]) -> None:
    text = "".join(parts)
    for mention in find_dates(text):
        assert parse_date(mention.text) == mention.date


@pytest.mark.real
def test_real_plans(real_docs: Path) -> None:
    """Each real plan's own issue date is found on its place-and-date line."""
    for path in sorted((real_docs / "plans").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        place_line = next(i for i, line in enumerate(text.split("\n")) if ", ngày" in line)
        mentions = find_dates(text)
        assert any(m.line == place_line for m in mentions), path.name
        assert all(1990 <= m.date.year <= 2030 for m in mentions), path.name
