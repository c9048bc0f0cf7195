"""Links between documents: references get `target_doc_id`, versions of one document `same_as`."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from conftest import ok_document

from pipeline.document import Document, LegalRef, Metadata, TextInfo
from pipeline.output import links
from pipeline.output.catalog import Catalog
from pipeline.output.export import CSV_ENCODING, write_tables

HAI_PHONG = "Ủy ban nhân dân thành phố Hải Phòng"


def make_doc(
    name: str,
    number: str,
    issuer: str = HAI_PHONG,
    date: dt.date | None = dt.date(2026, 1, 26),
    method: str = "text",
    refs: tuple[LegalRef, ...] = (),
    warnings: tuple[str, ...] = (),
) -> Document:
    return ok_document(
        name,
        text=TextInfo(method=method),
        metadata=Metadata(number=number, issuer=issuer, issue_date=date, title=f"Kế hoạch {name}"),
        legal_refs=list(refs),
        warnings=list(warnings),
    )


def ref(number: str, issuer: str | None = None, date: dt.date | None = None) -> LegalRef:
    return LegalRef(kind="Kế hoạch", number=number, issuer=issuer, date=date, text=f"số {number}")


PLAN_MD = make_doc("plan.md", "24/KH-UBND")
PLAN_SCAN = make_doc("plan-scan.png", "24 /KH-UBND", method="ocr", warnings=("faint",))
PLAN_PDF = make_doc("plan.pdf", "24/KH-UBND", method="pdf-text")
ELSEWHERE = make_doc("lai-chau.md", "24/KH-UBND", issuer="Ủy ban nhân dân tỉnh Lai Châu")
CITING = make_doc(
    "report.md",
    "7/BC-UBND",
    date=dt.date(2026, 4, 1),
    refs=(
        ref("24/KH-UBND", "UBND thành phố Hải Phòng"),  # the issuer settles it
        ref("24/KH-UBND"),  # two issuers have a 24/KH-UBND: ambiguous
        ref("24/KH-UBND", date=dt.date(2026, 1, 26)),  # the date does not settle it either
        ref("99/QĐ-TTg"),  # not in the catalog
    ),
)


def targets(catalog: Catalog, doc: Document) -> list[str | None]:
    rows = catalog.rows(
        "SELECT target_doc_id FROM legal_refs WHERE sha256 = ? ORDER BY seq", (doc.source.sha256,)
    )
    return [r[0] for r in rows]


def versions(catalog: Catalog) -> dict[str, tuple[str | None, str]]:
    rows = catalog.rows("SELECT doc_id, same_as, canonical_doc_id FROM documents")
    return {r[0]: (r[1], r[2]) for r in rows}


def test_number_keys_and_issuers():
    assert links.number_key(" 24 /KH-UBND ") == links.number_key("24/kh-ubnd") == "24/kh-ubnd"
    assert links.number_key("41–CT/TW") == "41-ct/tw" and links.number_key("") is None
    assert links.issuers_agree("UBND thành phố Hải Phòng", HAI_PHONG)
    assert links.issuers_agree(
        "Hội đồng nhân dân thành phố", "Hội đồng nhân dân thành phố Hải Phòng"
    )
    assert links.issuers_agree(None, HAI_PHONG)
    assert not links.issuers_agree("Bộ Chính trị", HAI_PHONG)


def test_a_reference_to_a_catalog_document_gets_its_doc_id(tmp_path):
    with Catalog.in_dir(tmp_path) as catalog:
        catalog.record(CITING)  # the target comes later: the link is made when it arrives
        assert targets(catalog, CITING) == [None] * 4
        catalog.record(PLAN_MD)
        assert targets(catalog, CITING) == [PLAN_MD.doc_id, PLAN_MD.doc_id, PLAN_MD.doc_id, None]
        catalog.record(ELSEWHERE)
        assert targets(catalog, CITING) == [PLAN_MD.doc_id, None, None, None]


def test_three_formats_of_one_document_are_one_with_the_text_version_canonical(tmp_path):
    with Catalog.in_dir(tmp_path) as catalog:
        for doc in (PLAN_SCAN, CITING, PLAN_PDF, ELSEWHERE, PLAN_MD):
            catalog.record(doc)
        found = versions(catalog)
        md, scan, pdf = PLAN_MD.doc_id, PLAN_SCAN.doc_id, PLAN_PDF.doc_id
        assert found[md] == (" | ".join(sorted([scan, pdf])), md)
        assert found[scan] == (" | ".join(sorted([md, pdf])), md)
        assert found[pdf][1] == md
        assert found[ELSEWHERE.doc_id] == (None, ELSEWHERE.doc_id)  # another issuer: its own
        assert targets(catalog, CITING)[0] == md  # references point at the canonical version
        write_tables(catalog, tmp_path)
    table = pd.read_csv(tmp_path / "documents.csv", encoding=CSV_ENCODING, dtype=str)
    canonical = table[table["doc_id"] == table["canonical_doc_id"]]["doc_id"]
    assert set(canonical) == {md, ELSEWHERE.doc_id, CITING.doc_id}
    refs = pd.read_csv(tmp_path / "legal_refs.csv", encoding=CSV_ENCODING, dtype=str)
    assert refs["target_doc_id"].tolist()[0] == md


def test_without_its_text_version_the_pdf_is_canonical(tmp_path):
    with Catalog.in_dir(tmp_path) as catalog:
        for doc in (PLAN_SCAN, PLAN_PDF):
            catalog.record(doc)
        assert versions(catalog)[PLAN_SCAN.doc_id] == (PLAN_PDF.doc_id, PLAN_PDF.doc_id)


def test_documents_without_a_date_are_never_merged(tmp_path):
    undated = [make_doc(f"u{i}.md", "5/TB-UBND", date=None) for i in range(2)]
    with Catalog.in_dir(tmp_path) as catalog:
        for doc in undated:
            catalog.record(doc)
        assert all(same is None for same, _ in versions(catalog).values())


def test_the_migration_links_what_an_old_catalog_holds(tmp_path, monkeypatch):
    import pipeline.output.catalog as catalog_module

    monkeypatch.setattr(links, "update_links", lambda conn, sha: None)  # an older vnplan
    with Catalog.in_dir(tmp_path) as catalog:
        for doc in (CITING, PLAN_MD, PLAN_SCAN):
            catalog.record(doc)
        assert targets(catalog, CITING)[0] is None
        catalog.conn.execute("DELETE FROM _migrations WHERE name = 'm007_links'")
        for table in ("documents", "legal_refs"):
            catalog.conn.execute(f"DROP INDEX {table}_number_key")
            catalog.conn.execute(f"ALTER TABLE {table} DROP COLUMN number_key")
        catalog.conn.commit()
    monkeypatch.undo()
    assert "_m007_links" in [m.__name__ for m in catalog_module.MIGRATIONS]
    with Catalog.in_dir(tmp_path) as catalog:
        assert targets(catalog, CITING)[0] == PLAN_MD.doc_id
        assert versions(catalog)[PLAN_SCAN.doc_id] == (PLAN_MD.doc_id, PLAN_MD.doc_id)
        rows = catalog.rows(
            "SELECT target_doc_id FROM reference_list WHERE doc_id = ?", (CITING.doc_id,)
        )
        assert rows[0][0] == PLAN_MD.doc_id
