"""Output files, written from the catalog: `json/<doc_id>.json` and four CSV tables.

The catalog is the source of truth, so the CSVs are always regenerated from it in full
(a re-run or the watcher keeps complete tables, not just the last batch).  Every file is
written atomically (`pipeline.output.atomic`): a crash leaves the previous version, never half a
file.  CSVs are UTF-8 with a BOM so Excel shows the diacritics; dates are ISO, so

    pd.read_csv("output/tasks.csv", parse_dates=["period_start", "period_end"])

gives datetime columns (`rows.TABLES[name].date_columns` lists them for each table).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from pipeline.document import SCHEMA_VERSION, Document, DocumentOutput, Status
from pipeline.output.atomic import atomic_write
from pipeline.output.catalog import Catalog
from pipeline.output.rows import DOCUMENTS, TABLES, Table

log = logging.getLogger(__name__)

CSV_ENCODING = "utf-8-sig"
"""UTF-8 with a byte-order mark: Excel then reads the file as UTF-8."""

CHUNK_ROWS = 5_000
"""Rows read from the catalog at a time: a large archive's tables are streamed, not held."""


def _query(table: Table) -> str:
    """SQL for one CSV table.  Only current `ok` documents contribute entities (not those
    superseded by a newer version of their file); documents.csv lists every input,
    failed and superseded ones too, so nothing disappears."""
    if table is DOCUMENTS:
        return f"SELECT {', '.join(table.names)} FROM documents ORDER BY path, sha256"
    columns = ", ".join(f"d.{c}" if c == "doc_id" else f"x.{c}" for c in table.names)
    return (
        f"SELECT {columns} FROM {table.name} x JOIN documents d USING (sha256)"
        " WHERE d.status = 'ok' AND d.superseded_by IS NULL ORDER BY d.path, d.sha256, x.seq"
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


def _chunks(catalog: Catalog, table: Table) -> Iterator[pd.DataFrame]:
    """The table's rows as CSV cells, a chunk at a time."""
    chunks = pd.read_sql_query(_query(table), catalog.conn, chunksize=CHUNK_ROWS, dtype=object)
    for chunk in chunks:
        for column in table.columns:
            if column.csv is not None:
                chunk[column.name] = chunk[column.name].map(column.csv)
        yield chunk
    if table is DOCUMENTS:
        # Inputs that could not even be read have no hash, but they belong in the table.
        bad = [dict(r) for r in catalog.unreadable()]
        if bad:
            rows = [
                {"path": b["path"], "status": Status.failed.value, "error": b["error"]} for b in bad
            ]
            yield pd.DataFrame(rows, columns=table.names, dtype=object)


def write_table(catalog: Catalog, table: Table, path: Path) -> Path:
    """Write one table as a UTF-8-with-BOM CSV (pandas, streamed), atomically."""
    with atomic_write(path, encoding=CSV_ENCODING, newline="") as handle:
        header = True
        for chunk in _chunks(catalog, table):
            chunk.to_csv(handle, header=header, index=False, lineterminator="\r\n")
            header = False
        if header:  # no rows at all: the header alone
            pd.DataFrame(columns=table.names).to_csv(handle, index=False, lineterminator="\r\n")
    return path


def write_tables(catalog: Catalog, out_dir: Path) -> list[Path]:
    """Regenerate every CSV table from the whole catalog; returns the paths written."""
    return [
        write_table(catalog, table, Path(out_dir) / f"{name}.csv") for name, table in TABLES.items()
    ]


def export_catalog(catalog: Catalog, out_dir: Path, missing_json_only: bool = True) -> list[Path]:
    """Write the JSON files and CSV tables of `out_dir` from the catalog alone.

    Args:
        catalog: The open catalog.
        out_dir: The output folder.
        missing_json_only: Only write JSON files that do not exist yet (cheap after a
            crash between a catalog commit and its JSON write); False rewrites all.
    """
    written = []
    ok = catalog.rows("SELECT sha256, doc_id FROM documents WHERE status = 'ok' ORDER BY doc_id")
    for row in ok:
        # Checking for the file first keeps this cheap: only missing JSON is parsed.
        if missing_json_only and json_path(out_dir, row["doc_id"]).exists():
            continue
        output = catalog.output(row["sha256"])
        if output is not None:
            written.append(write_json(output, out_dir))
    written += write_tables(catalog, out_dir)
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
