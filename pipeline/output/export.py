"""Output files, written from the catalog: `json/<doc_id>.json` and four CSV tables.

The catalog is the source of truth; the CSVs hold every document it has (a re-run or
the watcher keeps complete tables, not just the last batch).  Rows are ordered by batch
(`Catalog.batch`), then path, so a batch's rows all come after the earlier ones:
`export_catalog` appends them to each CSV, and rewrites a file in full only when a row
it already holds was replaced or removed (a document processed again), or the file is
not what the last export left (deleted, edited).  Both ways give the same bytes.  Rows
are streamed from SQLite to the file, never all held in memory.

A full rewrite is written atomically (`pipeline.output.atomic`); an append first cuts
the file back to the size the last export recorded (a crash mid-append leaves a tail
that is dropped), then records the new size.  CSVs are UTF-8 with a BOM so Excel shows
the diacritics; dates are ISO, so

    pd.read_csv("output/tasks.csv", parse_dates=["period_start", "period_end"])

gives datetime columns (`rows.TABLES[name].date_columns` lists them for each table).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.document import SCHEMA_VERSION, Document, DocumentOutput, Status
from pipeline.output.atomic import atomic_write
from pipeline.output.catalog import JSON_MARK, Catalog
from pipeline.output.rows import DOCUMENTS, TABLES, Table

log = logging.getLogger(__name__)

CSV_ENCODING = "utf-8-sig"
"""UTF-8 with a byte-order mark: Excel then reads the file as UTF-8."""

LINE_END = "\r\n"
"""CSV line ends (RFC 4180, and what Excel writes)."""

FETCH_ROWS = 2_000
"""Rows fetched from SQLite at a time: a large archive's tables are streamed, not held."""


def _query(table: Table, after: int | None) -> tuple[str, tuple]:
    """SQL for one CSV table's rows of the batches after `after` (all with None).

    Only current `ok` documents contribute entities (not those superseded by a newer
    version of their file); documents.csv lists every input, superseded ones too, failed
    ones with their error and unreadable ones last in their batch, so nothing disappears.
    Both follow the `documents_batch` index (a NULL batch, from before batches, sorts
    first like batch 0): only the new rows are read, and nothing is sorted.
    """
    since = "" if after is None else " AND batch > ?"
    if table is DOCUMENTS:
        unread = {"path": "path", "status": f"'{Status.failed.value}'", "error": "error"}
        # A compound select ordered by its result columns: SQLite merges the two arms,
        # each read in index order (the two trailing columns are dropped by `_rows`).
        return (
            f"SELECT {', '.join(table.names)}, batch, 0 AS unread FROM documents"
            f" WHERE 1{since} UNION ALL"
            f" SELECT {', '.join(unread.get(c, 'NULL') + ' AS ' + c for c in table.names)},"
            f" batch, 1 AS unread FROM unreadable WHERE 1{since}"
            " ORDER BY batch, unread, path, sha256",
            () if after is None else (after, after),
        )
    columns = ", ".join(f"d.{c}" if c == "doc_id" else f"x.{c}" for c in table.names)
    return (
        f"SELECT {columns} FROM documents d JOIN {table.name} x USING (sha256)"
        f" WHERE d.status = 'ok' AND d.superseded_by IS NULL{since.replace('batch', 'd.batch')}"
        " ORDER BY d.batch, d.path, d.sha256, x.seq",
        () if after is None else (after,),
    )


def json_path(out_dir: Path, doc_id: str) -> Path:
    """Where the JSON of a document goes."""
    return Path(out_dir) / "json" / f"{doc_id}.json"


def write_json(output: dict, out_dir: Path) -> Path:
    """Write one document's JSON (`Document.to_output()`) atomically; returns its path."""
    path = json_path(out_dir, output["doc_id"])
    with atomic_write(path) as handle:
        json.dump(output, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    return path


def write_document_json(doc: Document, out_dir: Path) -> Path | None:
    """JSON for an `ok` document; failed documents get none (their error is in the CSV)."""
    if doc.status != Status.ok:
        return None
    return write_json(doc.to_output(), out_dir)


def _rows(catalog: Catalog, table: Table, after: int | None) -> Iterator[list]:
    """The table's rows as CSV cells, streamed (`FETCH_ROWS` at a time)."""
    convert = [column.csv for column in table.columns]
    sql, params = _query(table, after)
    cursor = catalog.conn.execute(sql, params)
    cursor.arraysize = FETCH_ROWS
    while batch := cursor.fetchmany():
        for row in batch:
            yield [
                "" if value is None else (conv(value) if conv else value)
                for value, conv in zip(row[: len(convert)], convert, strict=True)
            ]


def _write_rows(handle: io.TextIOBase, rows: Iterable[list]) -> None:
    csv.writer(handle, lineterminator=LINE_END).writerows(rows)


def write_table(catalog: Catalog, table: Table, path: Path, upto: int | None = None) -> Path:
    """Write one table in full as a UTF-8-with-BOM CSV (streamed), atomically.

    With `upto` (the catalog's top batch when the export started), the file's mark is
    recorded so the next export can append to it.
    """
    with atomic_write(path, encoding=CSV_ENCODING, newline="") as handle:
        _write_rows(handle, [table.names])
        _write_rows(handle, _rows(catalog, table, None))
    if upto is not None:
        _set_mark(catalog, path, upto)
    return path


def _set_mark(catalog: Catalog, path: Path, upto: int) -> None:
    stat = path.stat()
    catalog.set_mark(path.name, upto, stat.st_size, stat.st_mtime_ns)


def append_table(catalog: Catalog, table: Table, path: Path, upto: int) -> bool:
    """Append the rows of the batches the file's mark does not cover; False if it cannot.

    It cannot when there is no mark (a row it held was replaced or removed, or no export
    recorded one) or the file is not the one the mark describes (gone, shorter, touched
    since): then the caller rewrites it in full.
    """
    mark = catalog.mark(path.name)
    try:
        stat = path.stat()
    except OSError:
        return False
    if mark is None or mark["bytes"] is None or stat.st_size < mark["bytes"]:
        return False
    if stat.st_size == mark["bytes"] and stat.st_mtime_ns != mark["mtime_ns"]:
        return False  # same size, yet written since: edited by someone else
    if mark["upto"] >= upto and stat.st_size == mark["bytes"]:
        return True  # nothing new
    with path.open("r+b") as raw:
        raw.truncate(mark["bytes"])  # a tail a crash left mid-append, if any
        raw.seek(mark["bytes"])
        with io.TextIOWrapper(raw, encoding="utf-8", newline="") as handle:
            _write_rows(handle, _rows(catalog, table, mark["upto"]))
            handle.flush()
            os.fsync(handle.fileno())
    _set_mark(catalog, path, upto)
    return True


def _own(catalog: Catalog, out_dir: Path) -> bool:
    """Whether `out_dir` is the catalog's own folder (the only one whose files it marks)."""
    return Path(out_dir).resolve() == catalog.path.parent.resolve()


def write_tables(catalog: Catalog, out_dir: Path) -> list[Path]:
    """Regenerate every CSV table from the whole catalog; returns the paths written.

    Written into the catalog's own folder, the files are marked for later appends.
    """
    upto = catalog.top_batch() if _own(catalog, out_dir) else None
    return [
        write_table(catalog, table, Path(out_dir) / f"{name}.csv", upto)
        for name, table in TABLES.items()
    ]


def update_tables(catalog: Catalog, out_dir: Path) -> list[Path]:
    """Bring every CSV table up to date: appended where possible, else rewritten in full."""
    if not _own(catalog, out_dir):
        return write_tables(catalog, out_dir)
    upto = catalog.top_batch()
    written = []
    for name, table in TABLES.items():
        path = Path(out_dir) / f"{name}.csv"
        if not append_table(catalog, table, path, upto):
            log.info("%s: written in full", path)
            write_table(catalog, table, path, upto)
        written.append(path)
    return written


def _missing_json(catalog: Catalog, out_dir: Path, after: int | None) -> list[Path]:
    """Write the JSON of `ok` documents (of batches after `after`) whose file is missing."""
    since = "" if after is None else " AND batch > ?"
    cursor = catalog.conn.execute(
        f"SELECT sha256, doc_id FROM documents WHERE status = 'ok'{since}",
        () if after is None else (after,),
    )
    cursor.arraysize = FETCH_ROWS
    missing = [
        row["sha256"]
        for rows in iter(cursor.fetchmany, [])
        for row in rows
        if not json_path(out_dir, row["doc_id"]).exists()
    ]
    # Checking for the file first keeps this cheap: only missing JSON is parsed.
    written = []
    for sha in missing:
        output = catalog.output(sha)
        if output is not None:
            written.append(write_json(output, out_dir))
    return written


def export_catalog(
    catalog: Catalog, out_dir: Path, missing_json_only: bool = True, full: bool = False
) -> list[Path]:
    """Write the JSON files and CSV tables of `out_dir` from the catalog alone.

    By default only what the last export did not cover is written: the JSON files of
    newer batches that are missing (a crash between a catalog commit and its JSON
    write) and the CSV rows of newer batches, appended.  The cost is that of the new
    documents, whatever the size of the archive.

    Args:
        catalog: The open catalog.
        out_dir: The output folder.
        missing_json_only: Only write JSON files that do not exist yet; False rewrites all.
        full: Check every document's JSON and rewrite every CSV (`vnplan export`).
    """
    upto = catalog.top_batch()
    own = _own(catalog, out_dir)
    mark = None if full or not own or not missing_json_only else catalog.mark(JSON_MARK)
    if missing_json_only:
        written = _missing_json(catalog, out_dir, mark["upto"] if mark else None)
    else:
        written = [
            write_json(output, out_dir) for output in catalog.outputs() if output is not None
        ]
    if own:
        catalog.set_mark(JSON_MARK, upto)
    written += write_tables(catalog, out_dir) if full else update_tables(catalog, out_dir)
    return written


# --- JSON Schema ------------------------------------------------------------------------


def output_schema() -> dict:
    """JSON Schema (draft 2020-12) of the per-document JSON, generated from `DocumentOutput`.

    Every field is required: the written JSON always holds them all (defaults included).
    """
    schema = DocumentOutput.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://vnplan.invalid/schema/document-{SCHEMA_VERSION}.json",
        **schema,
        "description": "One document as written to OUT/json/<doc_id>.json by vnplan.",
    }
