"""A signer whose name restoration rebuilt from OCR garble, unsure, is left out."""

from __future__ import annotations

import pytest

from pipeline.config import Config
from pipeline.document import Document, Page, RestoredToken, Source
from pipeline.extract import extract
from pipeline.segment import segment

TEXT = (
    "ỦY BAN NHÂN DÂN\nTỈNH CAO BẰNG\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "Độc lập - Tự do - Hạnh phúc\nSố: 12/KH-UBND\nCao Bằng, ngày 05 tháng 3 năm 2026\n"
    "KẾ HOẠCH\nThử nghiệm\nI. NHIỆM VỤ\n1. Sở Nội vụ tổ chức thực hiện.\n"
    "Nơi nhận:\n- Lưu: VT.\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nPhan Việt Dân\n"
)
NAME_LINE = TEXT.split("\n").index("Phan Việt Dân")


def _doc(kind: str, unsure: list[str]) -> Document:
    doc = Document(source=Source(path="<test>"))
    page = Page(number=1, method="text", text=TEXT)
    page.low_confidence_tokens = [
        RestoredToken(
            line=NAME_LINE,
            column=TEXT.split("\n")[NAME_LINE].index(w),
            read=w,
            text=w,
            confidence=0.4,
        )
        for w in unsure
    ]
    doc.pages = [page]
    doc.text.body = TEXT
    doc.text.restored = bool(kind)
    doc.text.restore_kind = kind
    return extract(segment(doc, Config()), Config())


def test_a_signer_rebuilt_unsure_from_garble_is_left_out_with_a_warning() -> None:
    doc = _doc("garble", ["Việt", "Dân"])
    assert doc.metadata.signer is None
    assert any("signer 'Phan Việt Dân' left out" in w and "Việt, Dân" in w for w in doc.warnings)


@pytest.mark.parametrize(
    ("kind", "unsure"),
    [
        ("garble", []),  # restored from garble, but sure of the name
        ("diacritics", ["Việt"]),  # only marks were missing: the letters are the name's
        ("", []),  # never restored
    ],
)
def test_a_signer_restoration_was_sure_of_or_only_marked_stays(
    kind: str, unsure: list[str]
) -> None:
    assert _doc(kind, unsure).metadata.signer == "Phan Việt Dân"


def test_an_unsure_word_on_another_line_leaves_the_signer_alone() -> None:
    doc = _doc("garble", [])
    doc.pages[0].low_confidence_tokens = [
        RestoredToken(line=NAME_LINE - 1, column=0, read="CHU", text="Dân", confidence=0.4)
    ]
    assert extract(doc, Config()).metadata.signer == "Phan Việt Dân"
