"""Output files, written from the catalog: `json/<doc_id>.json` and four CSV tables.

The catalog is the source of truth, so the CSVs are always regenerated from it in full
(a re-run or the watcher keeps complete tables, not just the last batch).  Every file is
written atomically (`pipeline.output.atomic`): a crash leaves the previous version, never half a
file.  CSVs are UTF-8 with a BOM so Excel shows the diacritics; dates are ISO, so

    pd.read_csv("output/tasks.csv", parse_dates=["period_start", "period_end"])

gives datetime columns (see `CSV_DATE_COLUMNS`).
"""

from __future__ import annotations

import copy
import csv
import json
import logging
from pathlib import Path

from pipeline.document import OUTPUT_CONTRACT_KEYS, SCHEMA_VERSION, Document, Status
from pipeline.output.atomic import atomic_write
from pipeline.output.catalog import Catalog

log = logging.getLogger(__name__)

CSV_ENCODING = "utf-8-sig"
"""UTF-8 with a byte-order mark: Excel then reads the file as UTF-8."""

LIST_SEPARATOR = " | "
"""Joins warnings in documents.csv (` | ` does not occur in vnplan's warnings)."""

CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": (
        "doc_id",
        "path",
        "sha256",
        "media_type",
        "pages",
        "status",
        "doc_type",
        "number",
        "issuer",
        "place",
        "issue_date",
        "title",
        "signer",
        "signer_position",
        "text_method",
        "restored",
        "n_tasks",
        "n_legal_refs",
        "warnings",
        "error",
    ),
    "tasks": (
        "doc_id",
        "ref",
        "part",
        "text",
        "period_label",
        "period_start",
        "period_end",
        "lead",
        "dates",
        "source",
    ),
    "legal_refs": ("doc_id", "kind", "number", "date", "issuer", "text"),
    "dates": ("doc_id", "text", "date", "line"),
}
"""Columns of each CSV table, in order (a contract like the JSON keys: add, never rename)."""

CSV_DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("issue_date",),
    "tasks": ("period_start", "period_end"),
    "legal_refs": ("date",),
    "dates": ("date",),
}
"""What to pass as `parse_dates=` to `pandas.read_csv` for each table."""

# SQL per table over the catalog.  Only `ok` documents contribute entities; documents.csv
# lists every input, failed ones with their error, so nothing disappears from the tables.
_QUERIES = {
    "documents": """
        SELECT doc_id, path, sha256, media_type, pages, status, doc_type, number, issuer,
               place, issue_date, title, signer, signer_position, text_method,
               CASE restored WHEN 1 THEN 'true' ELSE 'false' END AS restored,
               n_tasks, n_legal_refs, warnings, error
        FROM documents ORDER BY path, sha256""",
    "tasks": """
        SELECT d.doc_id, t.ref, t.part, t.text, t.period_label, t.period_start, t.period_end,
               t.lead, t.dates, t.source
        FROM tasks t JOIN documents d USING (sha256)
        WHERE d.status = 'ok' ORDER BY d.path, d.sha256, t.seq""",
    "legal_refs": """
        SELECT d.doc_id, r.kind, r.number, r.date, r.issuer, r.text
        FROM legal_refs r JOIN documents d USING (sha256)
        WHERE d.status = 'ok' ORDER BY d.path, d.sha256, r.seq""",
    "dates": """
        SELECT d.doc_id, x.text, x.date, x.line
        FROM dates x JOIN documents d USING (sha256)
        WHERE d.status = 'ok' ORDER BY d.path, d.sha256, x.seq""",
}


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


def _table_rows(catalog: Catalog, table: str) -> list[dict]:
    rows = [dict(r) for r in catalog.rows(_QUERIES[table])]
    if table == "documents":
        for row in rows:
            row["warnings"] = LIST_SEPARATOR.join(json.loads(row["warnings"] or "[]"))
        # Inputs that could not even be read have no hash, but they belong in the table.
        for bad in catalog.unreadable():
            rows.append({"path": bad["path"], "status": Status.failed.value, "error": bad["error"]})
    return rows


def write_csv(rows: list[dict], columns: tuple[str, ...], path: Path) -> Path:
    """Write `rows` (dicts) as a UTF-8-with-BOM CSV, atomically."""
    with atomic_write(path, encoding=CSV_ENCODING, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_tables(catalog: Catalog, out_dir: Path) -> list[Path]:
    """Regenerate every CSV table from the whole catalog; returns the paths written."""
    return [
        write_csv(_table_rows(catalog, table), columns, Path(out_dir) / f"{table}.csv")
        for table, columns in CSV_COLUMNS.items()
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
    """JSON Schema (draft 2020-12) of the per-document JSON (`Document.to_output()`).

    Built from the pydantic model, then adapted to the output's shape: the body tree is
    lifted out of `layout` into top-level `sections`, `schema_version` is added, and the
    contract keys (`OUTPUT_CONTRACT_KEYS`) are required.
    """
    schema = Document.model_json_schema(mode="serialization")
    defs = schema.setdefault("$defs", {})
    props = schema["properties"]

    # `layout` in the output has no `sections` (they are top-level): give it its own def.
    layout = copy.deepcopy(defs["Layout"])
    layout["properties"].pop("sections", None)
    layout["title"] = "LayoutOutput"
    if "required" in layout:
        layout["required"] = [k for k in layout["required"] if k != "sections"]
    defs["LayoutOutput"] = layout
    props["layout"] = {"$ref": "#/$defs/LayoutOutput"}
    props["sections"] = {
        "type": "array",
        "items": {"$ref": "#/$defs/Section"},
        "title": "Sections",
        "description": "The body tree (parts, numbered sections, lettered items).",
    }
    props["schema_version"] = {
        "type": "string",
        "const": SCHEMA_VERSION,
        "title": "Schema Version",
        "description": "Version of this output format; bumped when a key changes meaning.",
    }
    # The output always holds every field (model_dump includes defaults).
    schema["required"] = sorted(set(OUTPUT_CONTRACT_KEYS) | set(props))
    # Contract keys inside nested objects, as promised in the README.
    for name, keys in _NESTED_CONTRACT.items():
        definition = defs[name]
        definition["required"] = sorted(set(definition.get("required", [])) | set(keys))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://vnplan.invalid/schema/document-{SCHEMA_VERSION}.json",
        **schema,
        "title": "vnplan document",
        "description": "One document as written to OUT/json/<doc_id>.json by vnplan.",
    }


_NESTED_CONTRACT: dict[str, tuple[str, ...]] = {
    "Source": ("path", "sha256", "media_type", "pages"),
    "TextInfo": ("method", "restored", "body"),
    "Metadata": (
        "doc_type",
        "number",
        "issuer",
        "place",
        "issue_date",
        "title",
        "signer",
        "signer_position",
    ),
    "LegalRef": ("kind", "number", "date", "issuer"),
    "Section": ("ref", "heading", "children"),
    "Task": ("ref", "text", "period", "lead", "dates"),
    "Period": ("label", "start", "end"),
    "DateMention": ("text", "date"),
}
"""Keys inside the contract's objects that other tools read (issue 2's contract)."""
