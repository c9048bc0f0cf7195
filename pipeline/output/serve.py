"""The catalog in a browser: Datasette over `catalog.sqlite`, read-only (`vnplan serve`).

Datasette opens the catalog in immutable mode (SQLite takes no lock and no write can
happen; its SQL box accepts only SELECT), on 127.0.0.1 unless told otherwise.  The
metadata it is given comes from the definitions in vnplan: each column's description from
`rows.py`, each view's from `views.py`, plus canned queries for what analysts ask most
(tasks due in a quarter by lead unit, documents citing a reference, failed files, documents
to review).  The full-text table `search_text` is searchable from its page, with or
without diacritics (its `folded` column).

Immutable mode reads the main database file only, so the write-ahead log is checkpointed
into it first; the server then shows the catalog as it was when it started.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
import tempfile
from pathlib import Path

from datasette import hookimpl
from datasette.plugins import pm

from pipeline.errors import InputError
from pipeline.output.rows import CATALOG_TABLES
from pipeline.output.search import FOLD_FUNCTION, add_fold_function
from pipeline.output.views import DESCRIPTIONS, REVIEW_PAGE_CONFIDENCE, REVIEW_RESTORE_CONFIDENCE

DEFAULT_HOST = "127.0.0.1"
"""Only this machine: the catalog may hold unpublished documents."""
DEFAULT_PORT = 8001
"""Datasette's own default, so its documentation's links work."""
DATABASE = "catalog"
"""Datasette names a database after its file's stem."""

INTERNAL_TABLES = ("_migrations", "export_marks")
"""The catalog's own bookkeeping (schema versions, what the exports hold): hidden."""

BOOKKEEPING = {
    "sha256": "SHA-256 of the file's bytes (the catalog's key)",
    "seq": "position of the row within its document",
    "size": "file size in bytes",
    "timings": "seconds per stage (JSON)",
    "seconds": "seconds to process the file",
    "pipeline_version": "fingerprint of vnplan's code that processed it",
    "model_version": "fingerprint of the model files that processed it",
    "processed_at": "when it was processed (UTC)",
    "output": "the full per-document JSON (ok documents)",
}
"""Descriptions of the catalog's own columns, which are not in the CSV tables."""

QUERIES: dict[str, dict[str, str]] = {
    "tasks_due_in_quarter": {
        "title": "Tasks due in a quarter, by lead unit",
        "description": "Tasks whose deadline (end of their period) falls in the quarter;"
        " lead matches part of the unit's name, with or without diacritics (empty: all).",
        "sql": """
            SELECT lead, period_end AS deadline, number, title, ref, text, period_label, doc_id
            FROM task_list
            WHERE period_end BETWEEN
                    date(printf('%04d-%02d-01', :year, (:quarter - 1) * 3 + 1))
                AND date(printf('%04d-%02d-01', :year, (:quarter - 1) * 3 + 1),
                         '+3 months', '-1 day')
              AND (:lead = '' OR vnplan_fold(lead) LIKE '%' || vnplan_fold(:lead) || '%')
            ORDER BY lead IS NULL, lead, period_end, number, ref
        """,
    },
    "documents_citing": {
        "title": "Documents citing a reference",
        "description": "Documents whose legal references contain this number (e.g. 41-CT/TW).",
        "sql": """
            SELECT DISTINCT doc_id, number, title, kind, ref_number, ref_date, ref_issuer,
                   target_doc_id
            FROM reference_list
            WHERE vnplan_fold(ref_number) LIKE '%' || vnplan_fold(:reference) || '%'
            ORDER BY number, doc_id
        """,
    },
    "failed_files": {
        "title": "Failed files and why",
        "description": "Inputs that failed, with their error; unreadable paths included.",
        "sql": """
            SELECT path, error, doc_id, processed_at FROM documents WHERE status = 'failed'
            UNION ALL
            SELECT path, error, NULL, seen_at FROM unreadable
            ORDER BY path
        """,
    },
    "documents_to_review": {
        "title": "Documents with warnings or low confidence",
        "description": f"Failed, with warnings, a page under {REVIEW_PAGE_CONFIDENCE:g} OCR"
        f" confidence or restoration under {REVIEW_RESTORE_CONFIDENCE:g}; most warnings first.",
        "sql": """
            SELECT doc_id, number, title, status, n_warnings, warnings, min_page_confidence,
                   restore_confidence, path
            FROM document_review
            WHERE needs_review
            ORDER BY n_warnings DESC, coalesce(min_page_confidence, 100), doc_id
        """,
    },
}
"""Canned queries (Datasette shows a form for their `:parameters`)."""


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    """Datasette's hook for each new connection: `vnplan_fold`, which the canned queries use."""
    add_fold_function(conn)


def _register_plugin() -> None:
    """This module is its own Datasette plugin (the hook above), registered once."""
    if pm.get_plugin(FOLD_FUNCTION) is None:
        pm.register(sys.modules[__name__], name=FOLD_FUNCTION)


def metadata() -> dict:
    """Datasette metadata: described tables, views and columns, the canned queries."""
    tables: dict[str, dict] = {}
    for table in CATALOG_TABLES.values():
        columns = {c.name: c.description for c in table.columns}
        tables[table.name] = {"description": table.description, "columns": columns}
        for name, description in BOOKKEEPING.items():
            columns.setdefault(name, description)
    tables["documents"]["label_column"] = "title"  # a sha256 link reads as the title
    tables["search_text"]["description"] += "; search it with or without diacritics"
    for internal in INTERNAL_TABLES:
        tables[internal] = {"hidden": True}
    for name, description in DESCRIPTIONS.items():
        tables[name] = {"description": description}
    return {
        "title": "vnplan catalog",
        "description": "Documents, tasks, legal references and dates extracted by vnplan"
        " (read-only).",
        "databases": {DATABASE: {"tables": tables, "queries": QUERIES}},
    }


def checkpoint(catalog: Path) -> None:
    """Fold the write-ahead log into the database file, which immutable mode reads alone.

    Raises:
        InputError: there is no catalog at that path.
    """
    if not catalog.is_file():
        raise InputError(f"{catalog}: no catalog here (run `vnplan run … --out` first)")
    with contextlib.closing(sqlite3.connect(catalog, timeout=30)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def serve(out_dir: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve `out_dir/catalog.sqlite` with Datasette until interrupted.

    Raises:
        InputError: there is no catalog in `out_dir`.
    """
    from datasette.cli import serve as datasette_serve

    catalog = Path(out_dir) / f"{DATABASE}.sqlite"
    checkpoint(catalog)
    _register_plugin()
    with tempfile.TemporaryDirectory(prefix="vnplan-serve-") as work:
        meta = Path(work) / "metadata.json"
        meta.write_text(json.dumps(metadata(), ensure_ascii=False), encoding="utf-8")
        args = ["-i", str(catalog), "--metadata", str(meta), "--host", host, "--port", str(port)]
        datasette_serve.main(args, prog_name="vnplan serve", standalone_mode=False)
