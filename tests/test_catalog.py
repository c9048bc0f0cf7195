"""The SQLite catalog: keyed by content hash, one transaction per document, migrations."""

from __future__ import annotations

import sqlite3

import pytest

import pipeline.output.catalog as catalog_module
from pipeline.document import Document, Page, Source, StageError, Status, Task
from pipeline.errors import CatalogError
from pipeline.fingerprint import pipeline_fingerprint
from pipeline.output.catalog import Catalog, migrate, model_version, sync_tables
from pipeline.output.rows import TABLES


def make_doc(sha: str = "a1" * 32, path: str = "/in/a.txt", tasks: int = 2) -> Document:
    doc = Document(
        doc_id=sha[:16],
        status=Status.ok,
        source=Source(path=path, sha256=sha, media_type="text/plain", pages=2),
        pages=[Page(number=1, method="pdf-text"), Page(number=2, method="ocr", confidence=81.5)],
        tasks=[Task(ref=f"II.{i}", text=f"Nhiệm vụ {i}") for i in range(1, tasks + 1)],
    )
    doc.timings = {"ingest": 0.01}
    return doc


@pytest.fixture
def catalog(tmp_path):
    """A fresh catalog in a temporary folder."""
    with Catalog.in_dir(tmp_path) as opened:
        yield opened


def test_opening_applies_migrations_once_and_uses_wal(tmp_path):
    with Catalog.in_dir(tmp_path) as first:
        names = [r[0] for r in first.rows("SELECT name FROM _migrations ORDER BY name")]
        assert names == [
            "m001_initial",
            "m002_unreadable",
            "m003_doc_id_index",
            "m004_search",
            "m005_path_history_and_doc_ids",
            "m006_views",
            "m007_links",
            "m008_export_batches",
            "m009_superseded_index",
        ]
        assert first.rows("PRAGMA journal_mode")[0][0] == "wal"
    with Catalog.in_dir(tmp_path) as again:
        assert migrate(again.conn) == []


def test_a_new_migration_is_applied_to_an_old_catalog(tmp_path, monkeypatch):
    Catalog.in_dir(tmp_path).close()

    def _m003_notes(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE documents ADD COLUMN notes TEXT")

    monkeypatch.setattr(catalog_module, "MIGRATIONS", (*catalog_module.MIGRATIONS, _m003_notes))
    with Catalog.in_dir(tmp_path) as upgraded:
        assert upgraded.rows("SELECT name FROM _migrations WHERE name = 'm003_notes'")
        upgraded.rows("SELECT notes FROM documents")


def test_every_table_has_the_columns_rows_defines(catalog):
    for table in TABLES.values():
        have = [r[1] for r in catalog.rows(f"PRAGMA table_info({table.name})")]
        assert set(table.names) <= set(have), table.name
    assert sync_tables(catalog.conn) == []  # nothing left to add


def test_a_column_added_to_rows_reaches_an_old_catalog(tmp_path, monkeypatch):
    from pipeline.output import rows

    Catalog.in_dir(tmp_path).close()
    extra = rows.Column("kind", lambda _d, t: "assignment", "what the row is")
    tasks = rows.Table("tasks", (*rows.TASKS.columns, extra), rows.TASKS.items, "")
    monkeypatch.setattr(catalog_module, "CATALOG_TABLES", {**rows.CATALOG_TABLES, "tasks": tasks})
    children = tuple(tasks if t.name == "tasks" else t for t in catalog_module.CHILD_TABLES)
    monkeypatch.setattr(catalog_module, "CHILD_TABLES", children)
    with Catalog.in_dir(tmp_path) as upgraded:
        upgraded.record(make_doc())
        kinds = upgraded.rows("SELECT kind FROM tasks")
    assert [k[0] for k in kinds] == ["assignment", "assignment"]


def test_record_stores_document_paths_pages_and_tasks(catalog):
    doc = make_doc()
    catalog.record(doc)
    entry = catalog.get(doc.source.sha256)
    assert entry.status == "ok"
    assert entry.pipeline_version == pipeline_fingerprint()
    assert entry.paths == ("/in/a.txt",)
    pages = catalog.rows("SELECT number, method, confidence FROM pages ORDER BY number")
    assert [tuple(p) for p in pages] == [(1, "pdf-text", None), (2, "ocr", 81.5)]
    assert catalog.output(doc.source.sha256) == doc.to_output()
    row = catalog.rows("SELECT model_version, timings FROM documents")[0]
    assert row["model_version"] == model_version()


def test_rerecording_replaces_entities_and_keeps_every_path(catalog):
    catalog.record(make_doc(tasks=3))
    catalog.record(make_doc(path="/in/copy of a.txt", tasks=1))
    assert catalog.count() == 1
    assert len(catalog.rows("SELECT * FROM tasks")) == 1
    assert set(catalog.get("a1" * 32).paths) == {"/in/a.txt", "/in/copy of a.txt"}


def test_is_done_needs_ok_status_and_the_same_pipeline_version(catalog):
    sha = "a1" * 32
    assert not catalog.is_done(sha)
    catalog.record(make_doc())
    assert catalog.is_done(sha)
    assert not catalog.is_done(sha, fingerprint="0.0.0+older")
    failed = make_doc()
    failed.status = Status.failed
    failed.errors.append(StageError(stage="ocr", kind="OcrError", message="no tesseract"))
    catalog.record(failed)
    assert not catalog.is_done(sha)  # failures are retried
    assert catalog.get(sha).error == "OcrError: no tesseract"
    assert catalog.output(sha) is None


def test_a_document_is_one_transaction(catalog):
    catalog.record(make_doc(sha="b2" * 32))
    # Make the last insert of a record fail: nothing of that document may remain.
    catalog.conn.execute(
        "CREATE TRIGGER boom BEFORE INSERT ON tasks WHEN NEW.ref = 'II.2'"
        " BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    with pytest.raises(CatalogError, match="disk full"):
        catalog.record(make_doc(sha="c3" * 32))
    assert catalog.get("c3" * 32) is None
    assert catalog.rows("SELECT count(*) FROM pages WHERE sha256 = ?", ("c3" * 32,))[0][0] == 0
    assert catalog.get("b2" * 32).status == "ok"


def test_model_version_comes_from_the_restore_package(monkeypatch):
    import pipeline.restore

    monkeypatch.setattr(pipeline.restore, "MODEL_VERSION", "lm-2026.1", raising=False)
    assert model_version() == "lm-2026.1"
    monkeypatch.delattr(pipeline.restore, "MODEL_VERSION")
    assert model_version() == "none"


def test_a_damaged_catalog_is_a_clear_error(tmp_path):
    (tmp_path / "catalog.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(CatalogError, match="cannot open the catalog"):
        Catalog.in_dir(tmp_path)


def test_unreadable_inputs_are_kept_by_path(catalog):
    catalog.record_unreadable("/in/x.pdf", "InputError: is a directory, not a file")
    catalog.record_unreadable("/in/x.pdf", "InputError: is a directory, not a file")
    assert [tuple(r)[:2] for r in catalog.unreadable()] == [
        ("/in/x.pdf", "InputError: is a directory, not a file")
    ]
