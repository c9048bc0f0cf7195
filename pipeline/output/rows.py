"""Document → table rows, defined once.

Every table that the catalog stores and the export writes as CSV is a `Table` here: its
columns in order, each with its SQL type, a one-line description and how its value is
read off the document.  The SQLite schema (`catalog.sync_tables`), the catalog's inserts
(`Catalog.record`), the CSV files and their `parse_dates` (`export`) and the README's
column lists (checked by `tests/test_docs.py`) all come from `TABLES`.

To add a column: add a `Column` to its table below (columns are a contract like the JSON
keys: add, never rename).  The catalog gains it on its next open; old rows read NULL
until their documents are processed again, which a new pipeline fingerprint makes happen.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pipeline.document import Document
from pipeline.vietnamese import canonical, skeleton

LIST_SEPARATOR = " | "
"""Joins warnings in documents.csv (` | ` does not occur in vnplan's warnings)."""

DATE_SEPARATOR = ";"
"""Joins a task's own dates in tasks.csv."""


@dataclass(frozen=True)
class Column:
    """One column of a table."""

    name: str
    get: Callable[[Document, Any], Any]
    """The catalog value, from the document and the row's item (the document itself for
    `documents`, a `Task`, `LegalRef` or `DateMention` for the others)."""
    description: str
    sql: str = "TEXT"
    date: bool = False
    """ISO dates: what to pass to `pandas.read_csv(parse_dates=…)`."""
    csv: Callable[[Any], Any] | None = None
    """Turns the catalog value into the CSV cell, where the two differ."""


@dataclass(frozen=True)
class Table:
    """A table: one row per item of a document."""

    name: str
    columns: tuple[Column, ...]
    items: Callable[[Document], Iterable[Any]]
    description: str

    @property
    def names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(c.name for c in self.columns)

    @property
    def date_columns(self) -> tuple[str, ...]:
        """Columns holding ISO dates."""
        return tuple(c.name for c in self.columns if c.date)

    def rows(self, doc: Document) -> list[tuple]:
        """The catalog values of every row this document gives, in column order."""
        return [tuple(c.get(doc, item) for c in self.columns) for item in self.items(doc)]


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _doc_id(doc: Document, _item: Any) -> str:
    return doc.doc_id or doc.source.sha256[:16]


def _error(doc: Document) -> str | None:
    return "; ".join(f"{e.kind}: {e.message}" for e in doc.errors) or None


def _period(attr: str) -> Callable[[Document, Any], Any]:
    def get(_doc: Document, task: Any) -> Any:
        if task.period is None:
            return None
        value = getattr(task.period, attr)
        return value if attr == "label" else _iso(value)

    return get


def _bool(value: Any) -> str:
    return "true" if value else "false"


def _plan(attr: str) -> Callable[[Document, Any], Any]:
    def get(doc: Document, _item: Any) -> Any:
        window = doc.metadata.plan_period
        if window is None:
            return None
        value = getattr(window, attr)
        return value if attr == "label" else _iso(value)

    return get


def _meta(attr: str, description: str, date: bool = False) -> Column:
    def get(doc: Document, _item: Any) -> Any:
        value = getattr(doc.metadata, attr)
        return _iso(value) if date else value

    return Column(attr, get, description, date=date)


def _of(attr: str, description: str, sql: str = "TEXT", date: bool = False) -> Column:
    """A column read straight off the row's item."""

    def get(_doc: Document, item: Any) -> Any:
        value = getattr(item, attr)
        return _iso(value) if date else value

    return Column(attr, get, description, sql=sql, date=date)


DOC_ID = Column("doc_id", _doc_id, "the document's id (first 16 hex digits of its SHA-256)")

DOCUMENTS = Table(
    "documents",
    (
        DOC_ID,
        Column("path", lambda d, _: d.source.path, "the file's path when it was processed"),
        Column("sha256", lambda d, _: d.source.sha256, "SHA-256 of the file's bytes"),
        Column("media_type", lambda d, _: d.source.media_type, "sniffed from the content"),
        Column("pages", lambda d, _: d.source.pages, "number of pages", sql="INTEGER"),
        Column("status", lambda d, _: d.status.value, "`ok` or `failed`"),
        _meta("doc_type", "the printed type heading (`Kế hoạch`…)"),
        _meta("number", "as printed after `Số:`, spaces removed"),
        _meta("issuer", "the issuing body"),
        _meta("place", "from the place-and-date line"),
        _meta("issue_date", "ISO date", date=True),
        _meta("title", "the title lines, joined"),
        _meta("signer", "the name under the signature"),
        _meta("signer_position", "the signer's position (`Phó Chủ tịch`)"),
        Column("text_method", lambda d, _: d.text.method, "`text`, `pdf-text`, `ocr` or `mixed`"),
        Column(
            "restored",
            lambda d, _: int(d.text.restored),
            "`true` when diacritic restoration changed the text",
            sql="INTEGER",
            csv=_bool,
        ),
        Column("n_tasks", lambda d, _: len(d.tasks), "number of task rows", sql="INTEGER"),
        Column(
            "n_legal_refs", lambda d, _: len(d.legal_refs), "number of references", sql="INTEGER"
        ),
        Column(
            "warnings",
            lambda d, _: json.dumps(d.warnings, ensure_ascii=False),
            "warnings, ` | `-separated",
            csv=lambda v: LIST_SEPARATOR.join(json.loads(v or "[]")),
        ),
        Column("error", lambda d, _: _error(d), "`KindOfError: reason` for a failed document"),
        _meta("issuer_parent", "the line above the issuer in its block"),
        _meta("signer_authority", "the signing prefix lines (`TM. ỦY BAN NHÂN DÂN`, `KT.`)"),
        Column(
            "number_complete",
            lambda d, _: int(d.metadata.number_complete),
            "`false` when the number's digits could not be read (only the code is given)",
            sql="INTEGER",
            csv=_bool,
        ),
        Column("plan_period_label", _plan("label"), "the window the whole plan covers"),
        Column("plan_period_start", _plan("start"), "ISO start of that window", date=True),
        Column("plan_period_end", _plan("end"), "ISO end of that window", date=True),
        Column(
            "restore_confidence",
            lambda d, _: d.text.restore_confidence,
            "mean confidence of the restored words (empty when restoration did not run)",
            sql="REAL",
        ),
        Column(
            "superseded_by",
            lambda _d, _: None,
            "doc_id of a newer version of the same file (edited, dropped again); empty if current",
        ),
        Column(
            "same_as",
            lambda _d, _: None,
            "doc_ids of other files holding the same document (same number, issuer and date:"
            " Markdown, scan, PDF), ` | `-separated",
        ),
        Column(
            "canonical_doc_id",
            _doc_id,
            "the version to use among those (most reliable text); the document's own doc_id"
            " when it is that version or has no other",
        ),
    ),
    lambda doc: [doc],
    "one row per input file, failed ones included",
)

TASKS = Table(
    "tasks",
    (
        DOC_ID,
        _of("ref", "path of numbering markers (`II.1.a`, `PL.3`)"),
        _of("part", "heading of the part the task sits in"),
        _of("text", "the task as printed"),
        Column("period_label", _period("label"), "the time phrase as printed"),
        Column("period_start", _period("start"), "ISO start of the period", date=True),
        Column("period_end", _period("end"), "ISO end of the period", date=True),
        _of("lead", "the unit in charge"),
        Column(
            "dates",
            lambda _d, t: DATE_SEPARATOR.join(x.isoformat() for x in t.dates),
            "the task's own dates, `;`-separated",
        ),
        _of("source", "`body`, `table` or `organisation`"),
        _of("kind", "`assignment` (work given to someone) or `activity` (content, measure)"),
        Column(
            "leads",
            lambda _d, t: LIST_SEPARATOR.join(t.leads),
            "every lead unit, ` | `-separated (`lead` joins them with `; `)",
        ),
    ),
    lambda doc: doc.tasks,
    "one row per task of an `ok` document",
)

LEGAL_REFS = Table(
    "legal_refs",
    (
        DOC_ID,
        _of("kind", "`Nghị định`, `Chỉ thị`, `Kế hoạch`…"),
        _of("number", "as printed (`41-CT/TW`)"),
        _of("date", "ISO date of the referenced document", date=True),
        _of("issuer", "`Bộ Chính trị` from `… của Bộ Chính trị`"),
        _of("text", "the whole mention"),
        Column(
            "target_doc_id",
            lambda _d, _: None,
            "canonical doc_id of the catalog's document with this number (and issuer, date);"
            " empty when it is not in the catalog or the number is ambiguous",
        ),
    ),
    lambda doc: doc.legal_refs,
    "one row per distinct reference of an `ok` document",
)

DATES = Table(
    "dates",
    (
        DOC_ID,
        _of("text", "the date as written"),
        _of("date", "ISO date", date=True),
        _of("line", "0-based line in the body", sql="INTEGER"),
    ),
    lambda doc: doc.dates,
    "one row per full date in the body of an `ok` document",
)


@dataclass(frozen=True)
class Passage:
    """One searchable text of a document: its title, a task, or its body."""

    kind: str
    ref: str | None
    text: str


def passages(doc: Document) -> list[Passage]:
    """What `vnplan search` looks through: the title, each task, the whole body."""
    found = []
    if doc.metadata.title:
        found.append(Passage("title", None, doc.metadata.title))
    found += [Passage("task", t.ref, t.text) for t in doc.tasks if t.text]
    if doc.text.body:
        found.append(Passage("body", None, doc.text.body))
    return found


def fold(text: str | None) -> str:
    """The accent-free, lower-case twin of a text that search matches against (`Định` →
    `dinh`, đ included; FTS5's own `remove_diacritics` leaves đ alone)."""
    return skeleton(canonical(text or ""))


SEARCH_TEXT = Table(
    "search_text",
    (
        DOC_ID,
        _of("kind", "`title`, `task` or `body`"),
        _of("ref", "the task's ref (tasks only)"),
        Column("text", lambda _d, p: canonical(p.text), "the text, in canonical spelling"),
        Column("folded", lambda _d, p: fold(p.text), "the text without diacritics, lower-case"),
    ),
    passages,
    "the full-text index: one row per title, task and body (not exported)",
)
"""Indexed by FTS5 (`search_text_fts`, see `pipeline.output.search`); kept in the catalog only."""

TABLES: dict[str, Table] = {t.name: t for t in (DOCUMENTS, TASKS, LEGAL_REFS, DATES)}
"""Every table, in the order they are written; `documents` first."""

ENTITY_TABLES = tuple(t for t in TABLES.values() if t is not DOCUMENTS)
"""Tables with many rows per document (keyed by `sha256, seq` in the catalog)."""

CATALOG_TABLES: dict[str, Table] = {**TABLES, SEARCH_TEXT.name: SEARCH_TEXT}
"""Every table the catalog stores from a document: the exported ones and the search index."""
