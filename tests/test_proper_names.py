"""Names of people and places in Tesseract-vie output keep their marks
(`pipeline.restore.proper_names`)."""

from __future__ import annotations

import pytest

from pipeline.restore import correct_accents
from pipeline.restore.proper_names import name_spans, name_spellings


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


@pytest.mark.parametrize(
    ("line", "spellings"),
    [
        ("tỉnh Lâm Đông", {"Lâm": "Lâm", "Đông": "Đồng"}),  # marks only: the gazetteer's
        ("UBND Tỉnh Lâm Đông", {"Lâm": "Lâm", "Đông": "Đồng"}),
        # every place of the line, not only the first one after a level word
        (
            "tỉnh Lào Cai và tỉnh Lâm Đông",
            {"Lào": "Lào", "Cai": "Cai", "Lâm": "Lâm", "Đông": "Đồng"},
        ),
        ("Sở Lâm Đông", {}),  # no level word before it: no place to trust
        ("xã Cam Duong", {}),  # `Cam Đường`, `Cẩm Dương`, `Cẩm Đường`: which one?
        ("Bộ Công an", {}),
    ],
)
def test_name_spellings(line: str, spellings: dict[str, str]) -> None:
    got = {line[k : k + len(v)]: v for k, v in name_spellings(line).items()}
    assert got == spellings


@pytest.mark.usefixtures("model")
def test_a_place_misread_in_its_marks_takes_the_gazetteer_spelling() -> None:
    # The model alone keeps `Đông`: a capital `Đồng` is rare in its case statistics.
    text = "Câu lạc bộ Mô tô Thể thao tỉnh Lâm Đông và phê duyệt Điều lệ"
    assert correct_accents(text).text == text.replace("Lâm Đông", "Lâm Đồng")


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
