"""Names of people and places in Tesseract-vie output keep their marks
(`pipeline.restore.proper_names`)."""

from __future__ import annotations

import pytest

from pipeline.restore import correct_accents, restore_result
from pipeline.restore.proper_names import (
    document_provinces,
    name_spans,
    name_spellings,
    place_spellings,
)


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


def _places(lines: list[str]) -> dict[str, str]:
    """The spellings `place_spellings` gives the words of the last line."""
    last = len(lines) - 1
    return {
        lines[n][k : k + len(v)]: v for (n, k), v in place_spellings(lines).items() if n == last
    }


def test_document_provinces_are_read_without_marks_and_in_any_case() -> None:
    lines = ["UBND TINH LAO CAI", "Sở Nội vụ thành phố Hà Nội", "tinh than trach nhiem"]
    assert document_provinces(lines) == {"Lào Cai", "Hà Nội"}


@pytest.mark.parametrize(
    ("lines", "spellings"),
    [
        # three places share the letters; the document's province has one of them
        (["UBND tinh Lao Cai", "phuong Cam Duong"], {"Cam": "Cam", "Duong": "Đường"}),
        (["UBND tinh Ha Tinh", "xa Cam Duong"], {"Cam": "Cẩm", "Duong": "Dương"}),
        (["xa Cam Duong"], {}),  # no province named: the language model decides
        (["UBND tinh Lao Cai", "Cam Duong"], {}),  # no level word: no place to trust
        (["tinh Lam Dong"], {"Lam": "Lâm", "Dong": "Đồng"}),  # letters of one name only
        (["tinh Ngan Hang"], {}),  # letters of no name
    ],
)
def test_place_spellings_of_text_without_marks(lines: list[str], spellings: dict) -> None:
    assert _places(lines) == spellings


@pytest.mark.usefixtures("model")
def test_a_place_of_the_documents_province_is_restored_as_it_is_spelled_there() -> None:
    # Without the rule the model writes `Cẩm Dương` (Hà Tĩnh) for Lào Cai's ward.
    text = "UBND tinh Lao Cai\nphuong Cam Duong, thanh pho Lao Cai"
    assert restore_result(text).text.split("\n")[1] == "phường Cam Đường, thành phố Lào Cai"


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
