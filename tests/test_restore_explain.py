"""Per-token confidence, the review list per page, and `explain` (`restore/explain.py`)."""

from __future__ import annotations

import pytest

from pipeline.config import Config
from pipeline.document import Document, Page, Source
from pipeline.restore import LOW_CONFIDENCE, explain, explain_text, restore, restore_result
from pipeline.restore.model import RestoreModel, get_model

TEXT = "To chuc hoi nghi so ket cong tac thi dua\nChi thi so 41-CT/TW\ntheo Chi thi ve viec"


@pytest.fixture(scope="module")
def model() -> RestoreModel:
    return get_model()


def _doc(*pages: str) -> Document:
    doc = Document(source=Source(path="plan.txt"))
    doc.pages = [Page(number=n, method="text", text=t) for n, t in enumerate(pages, 1)]
    doc.collect_pages()
    return doc


def test_tokens_carry_their_place_in_the_restored_text(model: RestoreModel) -> None:
    result = restore_result("Ctia Uy ban nhan dan tinh ve viéc trién khai", model)
    line = result.text.split("\n")[0]
    assert result.tokens and len(result.tokens) == len(result.confidences)
    for token in result.tokens:
        assert line[token.column : token.column + len(token.out)] == token.out


def test_explain_lists_each_changed_token_with_its_alternatives(model: RestoreModel) -> None:
    result, explanations = explain(TEXT, model=model)
    changed = sum(
        a != b
        for old, new in zip(TEXT.split("\n"), result.text.split("\n"), strict=True)
        for a, b in zip(old.split(), new.split(), strict=True)
    )
    assert len(explanations) == changed
    for e in explanations:
        best = e.alternatives[0]
        assert best.word == e.written.lower()
        if e.rescored:
            assert e.confidence <= best.posterior + 1e-9
        else:
            assert best.posterior == pytest.approx(e.confidence, abs=1e-6)
        assert sum(a.posterior for a in e.alternatives) <= 1 + 1e-9


def test_explain_text_prints_one_line_per_changed_token(model: RestoreModel) -> None:
    out = explain_text("Ke hoach so 12/KH-UBND", model=model)
    assert out.splitlines()[0].startswith("1:1 Ke → Kế ")
    assert "12/KH-UBND" not in out
    assert explain_text("", model=model) == ""


def test_unsure_tokens_are_listed_on_their_page() -> None:
    # `ban` (ban, bản, bàn, bạn) stays unsure at the end of `tổ chức ban`.
    doc = _doc("KE HOACH\nTo chuc hoi nghi so ket", "Chi thi so 41-CT/TW\nto chuc ban")
    restore(doc, Config(restore="always"))
    first, second = doc.pages
    listed = first.low_confidence_tokens + second.low_confidence_tokens
    assert doc.text.restore_low_confidence_tokens == len(listed) > 0
    body = doc.text.body.split("\n")
    for page, lines in ((first, range(0, 2)), (second, range(3, 5))):
        for token in page.low_confidence_tokens:
            assert token.line in lines
            assert token.confidence < LOW_CONFIDENCE
            assert body[token.line][token.column :].startswith(token.text)
    assert 0 < (doc.text.restore_confidence or 0) < 1


def test_a_body_that_does_not_match_its_pages_lists_nothing_per_page() -> None:
    doc = _doc("To chuc hoi nghi so ket")
    doc.text.body = "To chuc hoi nghi so ket\nChi thi so 41-CT/TW cua ban"  # `ban`: unsure
    restore(doc, Config(restore="always"))
    assert doc.text.restore_low_confidence_tokens > 0
    assert doc.pages[0].low_confidence_tokens == []


def test_a_document_never_restored_has_empty_review_fields() -> None:
    """The JSON always holds every key (its schema requires them); here they are empty."""
    doc = _doc("Kế hoạch tổ chức hội nghị")
    restore(doc, Config(restore="never"))
    data = doc.to_output()
    assert data["text"]["restore_low_confidence_tokens"] is None
    assert data["pages"][0]["low_confidence_tokens"] == []
