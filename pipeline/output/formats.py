"""Other formats of the CSV tables: an Excel workbook, Parquet files, calendars (`vnplan export`).

Each is made from the CSV tables of an output folder (the export contract, regenerated
from the catalog on every run), read with the types `rows.TABLES` gives their columns:
ISO dates become dates, INTEGER and REAL columns numbers, everything else text.

- `write_xlsx`: `vnplan.xlsx`, one sheet per table (documents, tasks, legal_refs, dates),
  dates typed, the header row frozen, columns sized to their content, and no text cell ever
  read as a formula (a title starting with `=` stays that text).
- `write_parquet`: `parquet/<table>.parquet` (pyarrow), dates as `date32`.
- `write_calendars`: `calendar/<lead unit>.ics`, an all-day event per task deadline (the end
  of its period), with a UID made from the document and the task ref, so importing a new
  export updates the events instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.errors import InputError
from pipeline.output.atomic import atomic_write
from pipeline.output.export import CSV_ENCODING
from pipeline.output.rows import LIST_SEPARATOR, TABLES, Table

XLSX_NAME = "vnplan.xlsx"
PARQUET_DIR = "parquet"
CALENDAR_DIR = "calendar"

EXCEL_MAX_ROWS = 1_048_576
"""Rows of an Excel sheet, header included: a larger table cannot go into a workbook."""
EXCEL_CELL_CHARS = 32_767
"""Characters Excel keeps in one cell; longer texts are cut (the CSV keeps them whole)."""
MIN_WIDTH, MAX_WIDTH = 6, 60
"""Column widths in characters: wide enough for a short code, never wider than a screen."""
DATE_FORMAT = "YYYY-MM-DD"
"""Dates shown as in the CSVs (ISO), while Excel still sorts and filters them as dates."""

SUMMARY_CHARS = 120
"""Characters of a task's text in an event title (calendar apps show one line)."""
UID_DOMAIN = "vnplan"
"""Right-hand part of every event UID (RFC 5545 asks for a globally unique id)."""
UNASSIGNED = "_chưa giao đơn vị"
"""Calendar of tasks whose lead unit the text does not name (sorted before the units)."""
_UNSAFE = re.compile(r'[\x00-\x1f/\\:*?"<>|]+')
NAME_CHARS = 100
"""Characters of a lead unit kept in its calendar's file name (file systems allow 255 bytes)."""


_BOOLEANS = {"true": True, "false": False}
"""How the CSVs write a flag stored as INTEGER (`restored`, `number_complete`)."""


class ExportInputError(InputError):
    """The output folder has no CSV tables to export (run `vnplan run` first)."""


# --- the tables, typed ------------------------------------------------------------------


def read_table(out_dir: Path, table: Table) -> pd.DataFrame:
    """One CSV table of `out_dir` with typed columns (dates, numbers, text).

    Raises:
        ExportInputError: the CSV is not there.
    """
    path = Path(out_dir) / f"{table.name}.csv"
    if not path.is_file():
        raise ExportInputError(f"{path}: no such table (run `vnplan run … --out {out_dir}` first)")
    frame = pd.read_csv(path, encoding=CSV_ENCODING, dtype=str, keep_default_na=False)
    for column in table.columns:
        if column.name not in frame:  # a folder written by an older vnplan
            frame[column.name] = ""
        raw = frame[column.name].astype(object)
        values = raw.where(raw != "", None)
        if column.date:
            frame[column.name] = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
        elif column.sql == "INTEGER" and set(values.dropna()) <= _BOOLEANS.keys():
            frame[column.name] = values.map(_BOOLEANS.get, na_action="ignore").astype("boolean")
        elif column.sql == "INTEGER":
            frame[column.name] = pd.to_numeric(values, errors="coerce").astype("Int64")
        elif column.sql == "REAL":
            frame[column.name] = pd.to_numeric(values, errors="coerce").astype("Float64")
        else:
            frame[column.name] = values.astype(object)
    return frame[list(table.names)]


def read_tables(out_dir: Path) -> dict[str, pd.DataFrame]:
    """Every CSV table of `out_dir`, typed, in `rows.TABLES` order."""
    return {name: read_table(out_dir, table) for name, table in TABLES.items()}


# --- Excel ------------------------------------------------------------------------------


def _width(series: pd.Series, header: str) -> int:
    longest = max([len(header), *(len(str(v)) for v in series.dropna())], default=len(header))
    return max(MIN_WIDTH, min(MAX_WIDTH, longest + 2))


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells cut to what Excel keeps."""
    frame = frame.copy()
    for name in frame.columns:
        if frame[name].dtype == object:
            frame[name] = frame[name].map(
                lambda v: (
                    v[: EXCEL_CELL_CHARS - 1] + "…"
                    if isinstance(v, str) and len(v) > EXCEL_CELL_CHARS
                    else v
                )
            )
    return frame


def write_xlsx(out_dir: Path, tables: dict[str, pd.DataFrame] | None = None) -> Path:
    """Write `vnplan.xlsx` into `out_dir`: one sheet per table; returns its path.

    Raises:
        ExportInputError: a table has more rows than an Excel sheet holds (use Parquet).
    """
    tables = tables if tables is not None else read_tables(out_dir)
    path = Path(out_dir) / XLSX_NAME
    for name, frame in tables.items():
        if len(frame) + 1 > EXCEL_MAX_ROWS:
            raise ExportInputError(
                f"{name}: {len(frame)} rows do not fit an Excel sheet; use --parquet"
            )
    with (
        atomic_write(path, encoding=None) as handle,
        pd.ExcelWriter(handle, engine="openpyxl") as writer,
    ):
        for name, frame in tables.items():
            _as_text(frame).to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            for cells in sheet.iter_rows(min_row=2):
                for cell in cells:
                    # openpyxl reads any string starting with `=` as a formula: keep it text.
                    if cell.data_type == "f":
                        cell.data_type = "s"
                        cell.quotePrefix = True
            dates = set(TABLES[name].date_columns) if name in TABLES else set()
            for index, column in enumerate(frame.columns):
                letter = sheet.cell(row=1, column=index + 1).column_letter
                sheet.column_dimensions[letter].width = _width(frame[column], column)
                if column in dates:  # pandas gives dates a time of day; they have none
                    for (cell,) in sheet.iter_rows(min_row=2, min_col=index + 1, max_col=index + 1):
                        cell.number_format = DATE_FORMAT
    return path


# --- Parquet ----------------------------------------------------------------------------


def write_parquet(out_dir: Path, tables: dict[str, pd.DataFrame] | None = None) -> list[Path]:
    """Write `parquet/<table>.parquet` for every table (pyarrow); returns the paths."""
    tables = tables if tables is not None else read_tables(out_dir)
    written = []
    for name, frame in tables.items():
        frame = frame.copy()
        for column in TABLES[name].date_columns:
            frame[column] = frame[column].dt.date  # date32, not a timestamp at midnight
        path = Path(out_dir) / PARQUET_DIR / f"{name}.parquet"
        with atomic_write(path, encoding=None) as handle:
            frame.to_parquet(handle, engine="pyarrow", index=False)
        written.append(path)
    return written


# --- calendars --------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """One task's deadline, as a calendar event."""

    uid: str
    day: dt.date
    summary: str
    description: str
    leads: tuple[str, ...]


def _s(value: object) -> str:
    """A text cell, empty for a missing one."""
    return "" if value is None or pd.isna(value) else str(value)


def _leads(row: pd.Series) -> tuple[str, ...]:
    leads = [x.strip() for x in _s(row["leads"]).split(LIST_SEPARATOR.strip()) if x.strip()]
    if not leads and _s(row["lead"]):
        leads = [_s(row["lead"])]
    return tuple(leads) or (UNASSIGNED,)


def deadlines(tables: dict[str, pd.DataFrame]) -> list[Deadline]:
    """The deadline of every task whose period has an end, with a stable UID.

    The UID is `<doc_id>-<ref>@vnplan`; a ref printed twice in one document gets `~2`,
    `~3` in the order of the table, which a re-export of the same document keeps.
    """
    documents = tables["documents"].dropna(subset=["doc_id"]).drop_duplicates("doc_id")
    documents = documents.set_index("doc_id")
    seen: dict[str, int] = defaultdict(int)
    found = []
    for _, row in tables["tasks"].iterrows():
        key = f"{row['doc_id']}-{row['ref']}"
        seen[key] += 1
        if pd.isna(row["period_end"]):
            continue
        uid = key if seen[key] == 1 else f"{key}~{seen[key]}"
        doc = documents.loc[row["doc_id"]] if row["doc_id"] in documents.index else None
        number = (_s(doc["number"]) if doc is not None else "") or "(no number)"
        title = _s(doc["title"]) if doc is not None else ""
        text = _s(row["text"])
        summary = f"{row['ref']}: {text}"
        if len(summary) > SUMMARY_CHARS:
            summary = summary[: SUMMARY_CHARS - 1] + "…"
        description = "\n".join(
            x
            for x in (
                text,
                f"Thời gian: {_s(row['period_label'])}" if _s(row["period_label"]) else "",
                f"Đơn vị chủ trì: {_s(row['lead'])}" if _s(row["lead"]) else "",
                f"{number} {title}".strip(),
                f"doc_id {row['doc_id']}, task {row['ref']}",
            )
            if x
        )
        found.append(
            Deadline(
                f"{uid}@{UID_DOMAIN}",
                row["period_end"].date(),
                summary,
                description,
                _leads(row),
            )
        )
    return found


def calendar_name(lead: str) -> str:
    """The file name of a lead unit's calendar (`Sở Nội vụ` → `Sở Nội vụ.ics`)."""
    name = " ".join(_UNSAFE.sub("-", lead).split()).strip(" .-")[:NAME_CHARS]
    return f"{name or UNASSIGNED}.ics"


def _calendar(lead: str, events: list[Deadline], stamp: dt.datetime) -> bytes:
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//vnplan//task deadlines//VI")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", lead)
    for item in sorted(events, key=lambda e: (e.day, e.uid)):
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)  # a date, not a datetime: an all-day event
        event.add("dtend", item.day + dt.timedelta(days=1))
        event.add("summary", item.summary)
        event.add("description", item.description)
        event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
        cal.add_component(event)
    return cal.to_ical()


def write_calendars(
    out_dir: Path,
    tables: dict[str, pd.DataFrame] | None = None,
    now: dt.datetime | None = None,
) -> list[Path]:
    """Write `calendar/<lead unit>.ics` per lead unit; returns the paths written.

    Calendars of units that no longer have a deadline are removed, so the folder always
    matches the tables.
    """
    tables = tables if tables is not None else read_tables(out_dir)
    stamp = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    by_file: dict[str, tuple[str, list[Deadline]]] = {}
    for item in deadlines(tables):
        for lead in item.leads:
            name = calendar_name(lead)
            by_file.setdefault(name, (lead, []))[1].append(item)
    folder = Path(out_dir) / CALENDAR_DIR
    written = []
    for name, (lead, events) in sorted(by_file.items()):
        path = folder / name
        with atomic_write(path, encoding=None) as handle:
            handle.write(_calendar(lead, events, stamp))
        written.append(path)
    if folder.is_dir():
        for stale in set(folder.glob("*.ics")) - set(written):
            stale.unlink()
    return written
