"""Incremental CSV exports: appended per batch, rewritten only when a row changed, and
always the same bytes as a full regeneration."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pipeline.document import Document, Source, StageError, Status
from pipeline.output.catalog import Catalog
from pipeline.output.export import export_catalog, write_tables
from pipeline.output.rows import TABLES
from tests.test_export import planned_document


def _sha(i: int) -> str:
    return f"{i:02x}" * 32  # doc_id, its first 16 digits, differs too


def _doc(i: int, path: str) -> Document:
    doc = planned_document(sha=_sha(i), path=path)
    doc.tasks[0].text += f" (lần {i})"  # distinct rows, so a duplicate would show
    # Distinct numbers: one number, issuer and date would make the documents versions of
    # one another (`same_as`), which rewrites their rows (tested below).
    doc.metadata.number = f"{i}/KH-UBND"
    return doc


def _failed(i: int, path: str) -> Document:
    doc = Document(
        doc_id=_sha(i)[:16], status=Status.failed, source=Source(path=path, sha256=_sha(i))
    )
    doc.errors.append(StageError(stage="ingest", kind="CorruptPdfError", message=f"bad {i}"))
    return doc


def _batch(out: Path, docs: list[Document], unreadable: tuple[str, ...] = ()) -> None:
    """One batch as `run_batch` makes it: one Catalog, records, then the export."""
    with Catalog.in_dir(out) as catalog:
        for doc in docs:
            catalog.record(doc)
        for path in unreadable:
            catalog.record_unreadable(path, "InputError: is a directory")
        export_catalog(catalog, out)


def _tables(out: Path) -> dict[str, bytes]:
    return {name: (out / f"{name}.csv").read_bytes() for name in TABLES}


def _full(out: Path, tmp: Path) -> dict[str, bytes]:
    """The tables regenerated from scratch from `out`'s catalog, in another folder."""
    fresh = tmp / "full"
    fresh.mkdir(exist_ok=True)
    with Catalog.in_dir(out) as catalog:
        write_tables(catalog, fresh)
    return _tables(fresh)


def _inodes(out: Path) -> dict[str, int]:
    return {name: (out / f"{name}.csv").stat().st_ino for name in TABLES}


def test_appended_batches_equal_a_full_regeneration_byte_for_byte(tmp_path):
    out = tmp_path / "out"
    _batch(out, [_doc(1, "/in/m.md"), _failed(2, "/in/k.pdf")], unreadable=("/in/thư mục",))
    inodes = _inodes(out)
    # Later batches hold paths that sort before the earlier ones: order is by batch.
    _batch(out, [_doc(3, "/in/a.md"), _doc(4, "/in/z.md")])
    _batch(out, [_failed(5, "/in/b.pdf")], unreadable=("/in/khác",))
    _batch(out, [])  # an empty batch changes nothing
    assert _inodes(out) == inodes  # appended in place, never rewritten
    assert _tables(out) == _full(out, tmp_path)
    lines = (out / "documents.csv").read_text(encoding="utf-8-sig").splitlines()
    assert [line.split(",")[1] for line in lines[1:]] == [
        "/in/k.pdf", "/in/m.md", "/in/thư mục", "/in/a.md", "/in/z.md", "/in/b.pdf", "/in/khác",
    ]  # fmt: skip


def test_a_replaced_document_rewrites_the_tables_once(tmp_path):
    out = tmp_path / "out"
    _batch(out, [_doc(1, "/in/a.md"), _doc(2, "/in/b.md")])
    inodes = _inodes(out)
    again = _doc(1, "/in/a.md")
    again.tasks[0].text = "Nội dung mới"
    _batch(out, [again])  # processed again (a new pipeline, --force)
    assert all(_inodes(out)[n] != inodes[n] for n in TABLES)  # rewritten
    tasks = (out / "tasks.csv").read_text(encoding="utf-8-sig")
    assert "Nội dung mới" in tasks and "(lần 1)" not in tasks
    assert _tables(out) == _full(out, tmp_path)
    inodes = _inodes(out)
    _batch(out, [_doc(3, "/in/c.md")])  # marks written again: back to appending
    assert _inodes(out) == inodes
    assert _tables(out) == _full(out, tmp_path)


def test_an_unreadable_path_that_becomes_readable_leaves_the_table(tmp_path):
    out = tmp_path / "out"
    _batch(out, [_doc(1, "/in/a.md")], unreadable=("/in/x.md",))
    _batch(out, [], unreadable=("/in/x.md",))  # the same error again: no rewrite needed
    assert (out / "documents.csv").read_text(encoding="utf-8-sig").count("/in/x.md") == 1
    _batch(out, [_doc(2, "/in/x.md")])
    text = (out / "documents.csv").read_text(encoding="utf-8-sig")
    assert "is a directory" not in text and text.count("/in/x.md") == 1
    assert _tables(out) == _full(out, tmp_path)


def test_a_tail_left_by_a_crash_mid_append_is_cut_off(tmp_path):
    out = tmp_path / "out"
    _batch(out, [_doc(1, "/in/a.md")])
    with (out / "tasks.csv").open("ab") as handle:
        handle.write(b"half a ro")  # killed while appending, before the mark moved
    _batch(out, [_doc(2, "/in/b.md")])
    assert _tables(out) == _full(out, tmp_path)


def test_a_deleted_or_edited_csv_is_written_again_in_full(tmp_path):
    out = tmp_path / "out"
    _batch(out, [_doc(1, "/in/a.md")])
    (out / "dates.csv").unlink()
    path = out / "tasks.csv"
    data = path.read_bytes()
    path.write_bytes(data.replace(b"II.1.a", b"II.1.b"))  # same size, someone's edit
    _batch(out, [_doc(2, "/in/b.md")])
    assert _tables(out) == _full(out, tmp_path)


def test_missing_json_of_an_earlier_batch_is_written_again(tmp_path):
    out = tmp_path / "out"
    with Catalog.in_dir(out) as catalog:
        catalog.record(_doc(1, "/in/a.md"))  # killed before its JSON and the export
    _batch(out, [_doc(2, "/in/b.md")])
    assert sorted(p.name for p in (out / "json").iterdir()) == [
        _sha(1)[:16] + ".json",
        _sha(2)[:16] + ".json",
    ]


def test_a_catalog_from_before_batches_is_upgraded_and_its_rows_come_first(tmp_path):
    out = tmp_path / "out"
    _batch(out, [_doc(1, "/in/z.md")])
    conn = sqlite3.connect(out / "catalog.sqlite")
    with conn:  # as an old catalog reads after the migration: no batch, no marks
        conn.execute("UPDATE documents SET batch = NULL")
        conn.execute("DELETE FROM export_marks")
    conn.close()
    _batch(out, [_doc(2, "/in/a.md")])
    lines = (out / "documents.csv").read_text(encoding="utf-8-sig").splitlines()
    assert [line.split(",")[1] for line in lines[1:]] == ["/in/z.md", "/in/a.md"]
    assert _tables(out) == _full(out, tmp_path)


def test_vnplan_export_writes_everything_again_on_demand(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import cli

    out = tmp_path / "out"
    _batch(out, [_doc(1, "/in/a.md")])
    _batch(out, [_doc(2, "/in/b.md")])
    with Catalog.in_dir(out) as catalog:
        export_catalog(catalog, out, missing_json_only=False)  # every JSON file too
    before = {p.relative_to(out): p.read_bytes() for p in out.glob("*.csv")}
    before |= {p.relative_to(out): p.read_bytes() for p in (out / "json").iterdir()}
    for path in before:
        (out / path).unlink()
    result = CliRunner().invoke(cli, ["export", str(out), "--csv"])
    assert result.exit_code == 0, result.output
    assert {p: (out / p).read_bytes() for p in before} == before
    missing = CliRunner().invoke(cli, ["export", str(tmp_path / "nothing"), "--csv"])
    assert missing.exit_code == 2 and "catalog.sqlite not found" in missing.output


def test_a_later_version_of_an_exported_document_rewrites_its_row(tmp_path):
    # The same plan as text, then as a scan: the second commit links both (`same_as`,
    # `canonical_doc_id`), which changes the first one's row already in documents.csv.
    out = tmp_path / "out"
    first = _doc(1, "/in/a.md")
    _batch(out, [first])
    later = _doc(2, "/in/a-scan.pdf")
    later.metadata.number = first.metadata.number
    _batch(out, [later])
    assert _tables(out) == _full(out, tmp_path)
    rows = (out / "documents.csv").read_text(encoding="utf-8-sig")
    assert later.doc_id in rows.splitlines()[1]  # the first row names its other version
