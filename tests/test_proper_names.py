"""Names of people and places in Tesseract-vie output keep their marks
(`pipeline.restore.proper_names`)."""

from __future__ import annotations

import pytest

from pipeline.restore import correct_accents
from pipeline.restore.proper_names import name_spans


def _names(line: str) -> list[str]:
    return [line[a:b] for a, b in name_spans(line)]


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("Giao đồng chí Giàng Seo Phử chủ trì", ["Giàng", "Seo", "Phử"]),  # not a family name
        ("Đồng chí Nguyễn Văn A, Phó Chủ tịch", ["Nguyễn", "Văn", "A"]),  # the comma ends it
        ("Ông Hoàng Văn Thuân - Trưởng đoàn", ["Hoàng", "Văn", "Thuân"]),  # `Ông` introduces
        ("Tống Thanh Hải", ["Tống", "Thanh", "Hải"]),  # a signature line
        ("(Đ/c Trần Lan)", ["Trần", "Lan"]),
        ("thành phố Hà Nội", ["Hà", "Nội"]),  # no person: a gazetteer place
        ("thành phố Hà Nôi", []),  # misread: neither
        ("huyện Văn Bàn, tỉnh Lào Cai", ["Văn", "Bàn", "Lào", "Cai"]),
        ("PHÓ CHỦ TỊCH", []),  # capitals are no name syllables
        ("Sở Kế hoạch và Đầu tư", []),
    ],
)
def test_name_spans(line: str, names: list[str]) -> None:
    assert _names(line) == names


@pytest.mark.usefixtures("model")
def test_a_name_keeps_the_marks_tesseract_read() -> None:
    # Without the rule the language model turns the given name into the commoner `Hiến`.
    text = "Giao Đồng chí Nguyễn Văn Hiện, Phó Chủ tịch UBND thành phố Hà Nôi chủ trì"
    assert correct_accents(text).text == (
        "Giao Đồng chí Nguyễn Văn Hiện, Phó Chủ tịch UBND thành phố Hà Nội chủ trì"
    )


@pytest.fixture(scope="module")
def model():
    from pipeline.restore.model import get_model

    return get_model()
