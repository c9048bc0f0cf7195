"""`vnplan export`: the CSV tables as an Excel workbook, Parquet files and calendars."""

from __future__ import annotations

import datetime as dt

import icalendar
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import ok_document

from pipeline.cli import cli
from pipeline.document import Document, Metadata, Period, Task
from pipeline.output import formats
from pipeline.output.catalog import Catalog
from pipeline.output.export import write_tables


def make_doc(name: str, title: str, tasks: list[Task]) -> Document:
    return ok_document(
        name,
        metadata=Metadata(
            doc_type="Kế hoạch", number="24/KH-UBND", issue_date=dt.date(2026, 1, 26), title=title
        ),
        tasks=tasks,
    )


Q1 = Period(label="Quý I năm 2026", start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31))
JUNE = Period(label="tháng 6/2026", start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 30))
PLAN = make_doc(
    "plan.md",
    "=SUM(A1:A3) không phải công thức",
    [
        Task(
            ref="II.1", text="Rà soát thủ tục", lead="Sở Tư pháp", leads=["Sở Tư pháp"], period=Q1
        ),
        Task(
            ref="II.2",
            text="Tổng kết",
            lead="Sở Nội vụ; Sở Tài chính",
            leads=["Sở Nội vụ", "Sở Tài chính"],
            period=JUNE,
        ),
        Task(ref="II.2", text="Tổng kết lần hai", lead="Sở Nội vụ", leads=["Sở Nội vụ"], period=Q1),
        Task(ref="II.3", text="Thường xuyên theo dõi", lead="Sở Nội vụ", leads=["Sở Nội vụ"]),
        Task(ref="III.1", text="Báo cáo kết quả", period=JUNE),
    ],
)


@pytest.fixture
def out(tmp_path):
    with Catalog.in_dir(tmp_path) as catalog:
        catalog.record(PLAN)
        write_tables(catalog, tmp_path)
    return tmp_path


def test_workbook_has_typed_dates_and_formula_text_stays_text(out):
    path = formats.write_xlsx(out)
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == ["documents", "tasks", "legal_refs", "dates"]
    tasks = sheets["tasks"]
    assert pd.api.types.is_datetime64_any_dtype(tasks["period_end"])
    assert tasks["period_end"].iloc[0] == pd.Timestamp("2026-03-31")
    documents = sheets["documents"]
    assert pd.api.types.is_datetime64_any_dtype(documents["issue_date"])
    assert documents["title"].iloc[0] == "=SUM(A1:A3) không phải công thức"
    assert documents["pages"].iloc[0] == 1 and documents["restored"].iloc[0] == False  # noqa: E712
    book = openpyxl.load_workbook(path)
    cell = book["documents"]["L2"]
    assert book["documents"]["L1"].value == "title"
    assert cell.data_type == "s" and cell.value.startswith("=")
    sheet = book["tasks"]
    assert sheet.freeze_panes == "A2"
    assert sheet["G2"].number_format == formats.DATE_FORMAT
    widths = {k: v.width for k, v in sheet.column_dimensions.items()}
    assert min(widths.values()) >= formats.MIN_WIDTH and max(widths.values()) <= formats.MAX_WIDTH
    assert widths["A"] == len(PLAN.doc_id) + 2


def test_parquet_per_table_with_dates(out):
    paths = formats.write_parquet(out)
    assert [p.name for p in paths] == [f"{n}.parquet" for n in formats.TABLES]
    tasks = pq.read_table(out / "parquet" / "tasks.parquet")
    assert str(tasks.schema.field("period_end").type) == "date32[day]"
    assert tasks.column("period_end").to_pylist()[0] == dt.date(2026, 3, 31)
    assert tasks.num_rows == 5


def _events(path) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_calendars_per_lead_with_all_day_deadlines(out):
    stamp = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    paths = formats.write_calendars(out, now=stamp)
    assert sorted(p.name for p in paths) == sorted(
        ["Sở Tư pháp.ics", "Sở Nội vụ.ics", "Sở Tài chính.ics", f"{formats.UNASSIGNED}.ics"]
    )
    noi_vu = _events(out / "calendar" / "Sở Nội vụ.ics")
    doc = PLAN.doc_id
    assert set(noi_vu) == {f"{doc}-II.2@vnplan", f"{doc}-II.2~2@vnplan"}  # II.3 has no end
    event = noi_vu[f"{doc}-II.2@vnplan"]
    assert event.decoded("dtstart") == dt.date(2026, 6, 30)  # a date: all day
    assert event.decoded("dtend") == dt.date(2026, 7, 1)
    assert str(event["summary"]) == "II.2: Tổng kết"
    assert "24/KH-UBND" in str(event["description"])
    assert set(_events(out / "calendar" / "Sở Tài chính.ics")) == {f"{doc}-II.2@vnplan"}
    unassigned = _events(out / "calendar" / f"{formats.UNASSIGNED}.ics")
    assert set(unassigned) == {f"{doc}-III.1@vnplan"}


def test_re_export_keeps_the_uids_and_drops_stale_calendars(out):
    first = {p.name: set(_events(p)) for p in formats.write_calendars(out)}
    (out / "calendar" / "Sở cũ.ics").write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    second = {p.name: set(_events(p)) for p in formats.write_calendars(out)}
    assert first == second
    assert not (out / "calendar" / "Sở cũ.ics").exists()


def test_a_table_from_an_older_vnplan_reads_with_its_new_columns_empty(out):
    path = out / "legal_refs.csv"
    path.write_text("\ufeffdoc_id,kind,number,date,issuer,text,retired\r\nabc,Luật,1,,,x,y\r\n")
    frame = formats.read_table(out, formats.TABLES["legal_refs"])
    assert list(frame.columns) == list(formats.TABLES["legal_refs"].names)
    assert frame["target_doc_id"].isna().all() and frame["kind"].tolist() == ["Luật"]


def test_calendar_names_are_safe_file_names():
    assert formats.calendar_name("Sở Nội vụ") == "Sở Nội vụ.ics"
    assert formats.calendar_name("UBND/xã: A*B") == "UBND-xã- A-B.ics"
    assert formats.calendar_name("../..") == f"{formats.UNASSIGNED}.ics"
    assert len(formats.calendar_name("x" * 300)) == formats.NAME_CHARS + 4


def test_cli_writes_all_three_by_default(out):
    result = CliRunner().invoke(cli, ["export", str(out)])
    assert result.exit_code == 0, result.output
    written = [p for p in result.output.splitlines() if not p.endswith((".csv", ".json"))]
    assert written[0] == str(out / "vnplan.xlsx")
    assert sum(p.endswith(".parquet") for p in written) == 4
    assert sum(p.endswith(".ics") for p in written) == 4


def test_cli_only_what_is_asked_and_a_missing_table(out, tmp_path):
    result = CliRunner().invoke(cli, ["export", str(out), "--ics"])
    assert result.exit_code == 0 and not (out / "vnplan.xlsx").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = CliRunner().invoke(cli, ["export", str(empty), "--xlsx"])
    assert missing.exit_code == 1
    assert "documents.csv: no such table" in missing.output
