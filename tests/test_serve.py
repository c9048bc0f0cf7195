"""`vnplan serve`: Datasette over the catalog, read-only, on 127.0.0.1, with canned queries."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from test_formats import PLAN
from test_watch import wait_for

from pipeline.document import Document, LegalRef, Metadata, Source, StageError, Status
from pipeline.output import serve, views
from pipeline.output.catalog import Catalog

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, dict | list]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _answers(url: str) -> bool:
    try:
        return get(url)[0] == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


BROKEN = Document(
    doc_id="f" * 16,
    status=Status.failed,
    source=Source(path="/in/broken.pdf", sha256="f" * 64),
    errors=[StageError(stage="ingest", kind="CorruptPdfError", message="no xref table")],
)


REPORT = Document(
    doc_id="e" * 16,
    status=Status.ok,
    source=Source(path="/in/report.md", sha256="e" * 64),
    metadata=Metadata(number="7/BC-UBND", title="Báo cáo kết quả"),
    legal_refs=[LegalRef(kind="Kế hoạch", number="24/KH-UBND", text="Kế hoạch số 24/KH-UBND")],
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A running `vnplan serve` on a free port, over a catalog with a plan and a failure."""
    out = tmp_path_factory.mktemp("out")
    with Catalog.in_dir(out) as catalog:
        catalog.record(PLAN)
        catalog.record(BROKEN)
        catalog.record(REPORT)
    port = free_port()
    command = [sys.executable, "-m", "pipeline", "serve", "--out", str(out), "--port", str(port)]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: proc.poll() is not None or _answers(f"{base}/-/versions.json"), 60)
        assert proc.poll() is None, proc.stderr.read().decode()
        yield base, out
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def query(base: str, name: str, **params) -> list[dict]:
    params["_shape"] = "array"
    status, rows = get(f"{base}/{serve.DATABASE}/{name}.json?{urllib.parse.urlencode(params)}")
    assert status == 200, rows
    return rows


def test_tasks_due_in_a_quarter_by_lead(server):
    base, _ = server
    rows = query(base, "tasks_due_in_quarter", year=2026, quarter=1, lead="")
    assert [(r["lead"], r["ref"], r["deadline"]) for r in rows] == [
        ("Sở Nội vụ", "II.2", "2026-03-31"),
        ("Sở Tư pháp", "II.1", "2026-03-31"),
    ]
    assert rows[0]["number"] == "24/KH-UBND" and rows[0]["doc_id"] == PLAN.doc_id
    june = query(base, "tasks_due_in_quarter", year=2026, quarter=2, lead="TAI CHINH")
    assert [r["ref"] for r in june] == ["II.2"]  # any case, with or without diacritics
    assert (
        query(base, "tasks_due_in_quarter", year=2026, quarter=1, lead="sở nội")[0]["ref"] == "II.2"
    )


def test_documents_citing_a_reference_with_its_link(server):
    base, _ = server
    rows = query(base, "documents_citing", reference="24/kh-ubnd")
    assert [(r["doc_id"], r["ref_number"], r["target_doc_id"]) for r in rows] == [
        (REPORT.doc_id, "24/KH-UBND", PLAN.doc_id)
    ]
    assert query(base, "documents_citing", reference="41-CT/TW") == []


def test_failed_files_and_documents_to_review(server):
    base, _ = server
    failed = query(base, "failed_files")
    assert [(r["path"], r["error"]) for r in failed] == [
        ("/in/broken.pdf", "CorruptPdfError: no xref table")
    ]
    review = query(base, "documents_to_review")
    assert [r["doc_id"] for r in review] == [BROKEN.doc_id]  # the plan has no warning


def test_writes_are_refused(server):
    base, out = server
    sql = urllib.parse.quote("DELETE FROM documents")
    status, body = get(f"{base}/{serve.DATABASE}.json?sql={sql}")
    assert status == 400 and "SELECT" in body["error"]
    sneaky = urllib.parse.quote("SELECT 1; DELETE FROM documents")
    assert get(f"{base}/{serve.DATABASE}.json?sql={sneaky}")[0] == 400
    status, databases = get(f"{base}/-/databases.json")
    assert [(d["name"], d["is_mutable"]) for d in databases] == [(serve.DATABASE, False)]
    with sqlite3.connect(out / "catalog.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 3


def test_columns_are_described_and_search_works_without_diacritics(server):
    base, _ = server
    status, meta = get(f"{base}/-/metadata.json")
    assert status == 200
    tables = meta["databases"]["catalog"]["tables"]
    assert tables["tasks"]["columns"]["lead"] == "the unit in charge"
    assert tables["task_list"]["description"] == views.DESCRIPTIONS["task_list"]
    rows = query(base, "search_text", _search="tong ket")
    assert {r["doc_id"] for r in rows} == {PLAN.doc_id}


def test_every_table_and_view_has_doc_id(tmp_path):
    with Catalog.in_dir(tmp_path) as catalog:
        names = [
            r[0]
            for r in catalog.rows(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
                " AND name NOT LIKE '%_fts%' AND name NOT IN ('_migrations', 'export_marks', 'unreadable')"
            )
        ]
        for name in names:
            columns = {r[1] for r in catalog.rows(f"PRAGMA table_info({name})")}
            assert "doc_id" in columns, name
    assert set(views.VIEWS) <= set(names)


def test_default_host_is_loopback_and_a_missing_catalog_fails(tmp_path):
    assert serve.DEFAULT_HOST == "127.0.0.1"
    with pytest.raises(serve.InputError, match="no catalog here"):
        serve.serve(tmp_path)
