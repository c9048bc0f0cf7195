"""SQL views of the catalog for people: entities joined to their document's number and title.

The tables key rows by `sha256` (the content) and carry `doc_id` (the id people see);
these views join the extracted rows of each current document — `ok` and not superseded —
to its number and title, so an analyst (or Datasette, `vnplan serve`) reads a task next to
the plan it belongs to without writing the join.  `document_review` says which documents
a person should check first (warnings, low OCR or restoration confidence); `vnplan review`
sorts its index by it.

`create_views` drops and recreates them: the catalog's migrations call it whenever a view
changes, so an old catalog gets the new definitions.
"""

from __future__ import annotations

import sqlite3

REVIEW_PAGE_CONFIDENCE = 70.0
"""Mean Tesseract word confidence below which a page is worth a look: clean 300 dpi scans
read 90+, pages whose text needed restoration or lost words fall under 70."""
REVIEW_RESTORE_CONFIDENCE = 0.9
"""Mean restoration confidence below which restored text is worth a look (restoration's own
LOW_CONFIDENCE, 0.8, is per token; a document mean under 0.9 has many such tokens)."""

CURRENT = "d.status = 'ok' AND d.superseded_by IS NULL"
"""Documents whose entities count: processed, and not replaced by a newer version."""

VIEWS: dict[str, str] = {
    "document_list": """
        SELECT d.doc_id, d.number, d.title, d.doc_type, d.issuer, d.issue_date, d.signer,
               d.status, d.n_tasks, d.n_legal_refs, d.path, d.superseded_by, d.same_as,
               d.canonical_doc_id
        FROM documents d
    """,
    "task_list": f"""
        SELECT t.doc_id, d.number, d.title, d.issuer, d.issue_date, t.ref, t.kind, t.text,
               t.period_label, t.period_start, t.period_end, t.lead, t.leads, t.part
        FROM tasks t JOIN documents d USING (sha256)
        WHERE {CURRENT}
    """,
    "reference_list": f"""
        SELECT r.doc_id, d.number, d.title, r.kind, r.number AS ref_number, r.date AS ref_date,
               r.issuer AS ref_issuer, r.text, r.target_doc_id
        FROM legal_refs r JOIN documents d USING (sha256)
        WHERE {CURRENT}
    """,
    "date_list": f"""
        SELECT x.doc_id, d.number, d.title, x.text, x.date, x.line
        FROM dates x JOIN documents d USING (sha256)
        WHERE {CURRENT}
    """,
    "document_review": f"""
        SELECT d.doc_id, d.number, d.title, d.status, d.path, d.error,
               json_array_length(coalesce(d.warnings, '[]')) AS n_warnings, d.warnings,
               (SELECT min(p.confidence) FROM pages p WHERE p.sha256 = d.sha256)
                   AS min_page_confidence,
               d.restore_confidence,
               (d.status != 'ok'
                OR json_array_length(coalesce(d.warnings, '[]')) > 0
                OR (SELECT min(p.confidence) FROM pages p WHERE p.sha256 = d.sha256)
                   < {REVIEW_PAGE_CONFIDENCE}
                OR d.restore_confidence < {REVIEW_RESTORE_CONFIDENCE}) AS needs_review
        FROM documents d
        WHERE d.superseded_by IS NULL
    """,
}
"""Each view's SELECT, by name."""

DESCRIPTIONS = {
    "document_list": "Every input with its number, title and status (no stored JSON).",
    "task_list": "Tasks of current documents with their document's number and title.",
    "reference_list": "Legal references of current documents, with the citing document.",
    "date_list": "Dates in the body of current documents, with their document.",
    "document_review": "Documents to check first: failed, with warnings, or low confidence"
    f" (a page under {REVIEW_PAGE_CONFIDENCE:g}, restoration under"
    f" {REVIEW_RESTORE_CONFIDENCE:g}).",
}
"""One line per view, for Datasette and the README."""


def create_views(conn: sqlite3.Connection) -> None:
    """(Re)create every view of `VIEWS` (inside the caller's transaction)."""
    for name, select in VIEWS.items():
        conn.execute(f"DROP VIEW IF EXISTS {name}")
        conn.execute(f"CREATE VIEW {name} AS {select}")
