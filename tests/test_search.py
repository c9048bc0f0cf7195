"""`vnplan search`: FTS5 over titles, tasks and bodies, with or without diacritics (đ too)."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3

import pytest
from click.testing import CliRunner
from conftest import ok_document

from pipeline.cli import cli
from pipeline.document import Document, Metadata, Task, TextInfo
from pipeline.output import search
from pipeline.output.catalog import Catalog
from pipeline.output.search import Filters, SearchError, match_expression, snippet


def make_doc(
    name: str,
    title: str,
    body: str = "",
    tasks: tuple[tuple[str, str, str | None], ...] = (),
    issuer: str = "Ủy ban nhân dân tỉnh Lai Châu",
    year: int = 2026,
) -> Document:
    """An `ok` document as the chain leaves it, with the fields search reads."""
    return ok_document(
        name,
        text=TextInfo(body=body),
        metadata=Metadata(
            doc_type="Kế hoạch",
            number=f"{len(name)}/KH-UBND",
            issuer=issuer,
            issue_date=dt.date(year, 3, 2),
            title=title,
        ),
        tasks=[Task(ref=ref, text=text, lead=lead) for ref, text, lead in tasks],
    )


EXACT = make_doc("exact.md", "Tăng cường công tác phòng cháy", year=2026)
UNMARKED = make_doc(  # a text typed without its marks (old fonts, phone keyboards)
    "unmarked.txt", "Ke hoach tang cuong cong tac phong chay", issuer="Sở Nội vụ", year=2025
)
OTHER = make_doc(
    "other.md",
    "Kế hoạch cải cách hành chính",
    body="Quyết định số 12/QĐ-UBND về thi đua.\nGiao Sở Nội vụ chủ trì.",
    tasks=(
        ("II.1", "Rà soát thủ tục hành chính", "Sở Tư pháp"),
        ("II.2", "Tăng cường kỷ luật hành chính", "Sở Nội vụ"),
    ),
)


@pytest.fixture
def catalog(tmp_path):
    with Catalog.in_dir(tmp_path) as opened:
        for doc in (EXACT, UNMARKED, OTHER):
            opened.record(doc)
        yield opened


def ids(hits) -> list[str]:
    return [h.doc_id for h in hits]


def test_tang_cuong_finds_tang_cuong_with_its_marks(catalog):
    hits = search.search(catalog.conn, "tang cuong")
    assert set(ids(hits)) == {EXACT.doc_id, UNMARKED.doc_id, OTHER.doc_id}
    exact = next(h for h in hits if h.doc_id == EXACT.doc_id)
    assert exact.kind == "title" and "[Tăng cường]" in exact.snippet


def test_dinh_finds_dinh_with_d_stroke_and_case(catalog):
    hits = search.search(catalog.conn, "dinh")
    assert ids(hits) == [OTHER.doc_id]
    assert "[Quyết định]" not in hits[0].snippet and "định]" in hits[0].snippet
    assert ids(search.search(catalog.conn, "QUYET DINH")) == [OTHER.doc_id]
    assert ids(search.search(catalog.conn, "Định")) == [OTHER.doc_id]  # đ typed: still found


def test_an_exact_diacritics_match_ranks_first(catalog):
    hits = search.search(catalog.conn, "tăng cường")
    assert ids(hits)[0] in {EXACT.doc_id, OTHER.doc_id}  # both spell it with its marks
    assert ids(hits)[-1] == UNMARKED.doc_id  # found, but only through the folded copy
    unmarked = search.search(catalog.conn, "tang cuong phong chay")
    assert ids(unmarked) == [UNMARKED.doc_id, EXACT.doc_id]  # typed bare: the bare one first


def test_filters_narrow_by_year_issuer_type_and_lead(catalog):
    assert ids(search.search(catalog.conn, "tang cuong", Filters(year=2025))) == [UNMARKED.doc_id]
    assert ids(search.search(catalog.conn, "tang cuong", Filters(issuer="so noi vu"))) == [
        UNMARKED.doc_id
    ]
    assert search.search(catalog.conn, "tang cuong", Filters(doc_type="quyet dinh")) == []
    led = search.search(catalog.conn, "hanh chinh", Filters(lead="nội vụ"))
    assert [(h.doc_id, h.kind, h.ref) for h in led] == [(OTHER.doc_id, "task", "II.2")]


def test_limit_and_one_hit_per_document(catalog):
    hits = search.search(catalog.conn, "hanh chinh")  # title and two tasks of one document
    assert ids(hits) == [OTHER.doc_id]
    assert len(search.search(catalog.conn, "tang cuong", limit=2)) == 2


def test_fts_operators_in_a_query_are_plain_words(catalog):
    assert match_expression('tăng -cường "x" OR *') == (
        '(text : ("tăng" "cường" "x" "or")) OR (folded : ("tang" "cuong" "x" "or"))'
    )
    with pytest.raises(SearchError):
        match_expression(" -- * ")


def test_snippet_marks_the_original_spelling_and_trims():
    text = "Mở đầu. " * 30 + "Giao Sở Nội vụ tăng cường kiểm tra. " + "Kết thúc. " * 30
    out = snippet(text, "tang cuong", width=20)
    assert out.startswith("…") and out.endswith("…")
    assert "[tăng cường]" in out and len(out) < 80


def test_the_index_follows_every_commit(catalog):
    """Re-recording a document replaces its passages; a superseding version hides the old."""
    edited = make_doc("exact.md", "Đẩy mạnh chuyển đổi số")  # same path, new bytes
    edited.source.sha256 = hashlib.sha256(b"edited").hexdigest()
    edited.doc_id = edited.source.sha256[:16]
    catalog.record(edited)
    assert EXACT.doc_id not in ids(search.search(catalog.conn, "tang cuong"))
    assert ids(search.search(catalog.conn, "chuyen doi so")) == [edited.doc_id]
    rows = catalog.rows("SELECT count(*) FROM search_text WHERE sha256 = ?", (EXACT.source.sha256,))
    assert rows[0][0] == 1  # its old row is still there, marked superseded, not duplicated


def test_reindex_rebuilds_a_lost_index(catalog):
    catalog.conn.execute("DELETE FROM search_text")
    catalog.conn.commit()
    assert search.search(catalog.conn, "tang cuong") == []
    assert search.reindex(catalog.conn) == 1 + 1 + 4  # titles, and one body and two tasks
    assert len(search.search(catalog.conn, "tang cuong")) == 3


def test_the_migration_fills_the_index_once(tmp_path):
    with Catalog.in_dir(tmp_path) as opened:
        opened.record(OTHER)
        (applied,) = opened.rows("SELECT applied_at FROM _migrations WHERE name = 'm004_search'")
    with Catalog.in_dir(tmp_path) as again:  # reopening does not rebuild it
        assert again.rows("SELECT applied_at FROM _migrations WHERE name = 'm004_search'") == [
            applied
        ]
    with sqlite3.connect(tmp_path / "catalog.sqlite") as conn:
        fts = conn.execute("SELECT count(*) FROM search_text_fts").fetchone()[0]
    assert fts == 4


def test_cli_prints_number_title_and_snippet(catalog, tmp_path):
    result = CliRunner().invoke(cli, ["search", "Phòng Cháy", "--out", str(tmp_path), "-n", "5"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 4  # two documents, two lines each
    assert lines[0] == f"{EXACT.metadata.number}  Tăng cường công tác phòng cháy  [{EXACT.doc_id}]"
    assert lines[1] == "    title: Tăng cường công tác [phòng cháy]"
    assert lines[2].startswith(f"{UNMARKED.metadata.number}  Ke hoach tang cuong")


def test_cli_nothing_found_exits_1(catalog, tmp_path):
    result = CliRunner().invoke(cli, ["search", "xyzzy", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "no document matches 'xyzzy'" in result.output


def test_cli_reindex_and_usage(catalog, tmp_path):
    result = CliRunner().invoke(cli, ["search", "--reindex", "--out", str(tmp_path)])
    assert result.exit_code == 0 and "indexed 6 passages" in result.output
    assert CliRunner().invoke(cli, ["search", "--out", str(tmp_path)]).exit_code == 2
    missing = CliRunner().invoke(cli, ["search", "x", "--out", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "no catalog.sqlite" in missing.output
