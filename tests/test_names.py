"""Signers' names: ranks and titles, family names, OCR-damaged first syllables."""

from __future__ import annotations

from pipeline.segment.names import parse_name, repair_surname, split_rank


def test_plain_names_and_what_is_not_one() -> None:
    assert parse_name("Nguyễn Văn An").name == "Nguyễn Văn An"
    assert parse_name("Đào Mỹ").name == "Đào Mỹ"
    for line in ("- Sở Y tế;", "Bộ Tư pháp;", "CỤC HÓA CHẤT", ": Sự TH: :", "Lưu: VT, KT."):
        assert parse_name(line) is None, line


def test_ranks_and_titles_are_split_off() -> None:
    name = parse_name("Thượng tá Lê Minh Khoa")
    assert (name.name, name.rank) == ("Lê Minh Khoa", "Thượng tá")
    # OCR drops a mark from the rank: it is still recognised, and given correctly.
    name = parse_name("Thiêu tá Hồ Văn Sơn")
    assert (name.name, name.rank) == ("Hồ Văn Sơn", "Thiếu tá")
    assert split_rank("PGS.TS. Đặng Thu Hà") == ("PGS.TS.", "Đặng Thu Hà")
    assert split_rank("Đại tá") == (None, "Đại tá")  # a rank alone names nobody


def test_strict_names_need_a_family_name_and_three_syllables() -> None:
    assert parse_name("Hà Nội") is not None
    assert parse_name("Hà Nội", strict=True) is None
    assert parse_name("Bình Minh Xanh", strict=True) is None
    assert parse_name("Trần Thu Hương", strict=True).name == "Trần Thu Hương"
    assert parse_name("Đại úy Lý Bình", strict=True).name == "Lý Bình"


def test_family_name_restored_only_when_one_fits() -> None:
    assert repair_surname("uỳnh", "suffix") == "Huỳnh"
    assert repair_surname("ương", "suffix") is None  # Dương, Trương, Lương… all fit
    assert repair_surname("xrần", "suffix") is None  # a misread letter needs `misread`
    assert repair_surname("xrần", "misread") == "Trần"
    assert repair_surname("huyện", "misread") is None  # a wrapped `huyện …` line
    name = parse_name("uỳnh Thanh Bình", strict=True, repair="suffix")
    assert (name.name, name.repaired) == ("Huỳnh Thanh Bình", True)
    assert parse_name("uỳnh Thanh Bình", strict=True) is None
    assert parse_name("uỳnh Thanh Bình") is None


def test_family_name_with_misplaced_marks_takes_the_one_that_fits() -> None:
    # A seal over the signature: OCR and restoration put the wrong marks on `Hoàng`.
    name = parse_name("Hoẵng Chí Hiện")
    assert (name.name, name.repaired) == ("Hoàng Chí Hiện", True)
    assert parse_name("Nguyên Văn An", strict=True).name == "Nguyễn Văn An"
    # Letters that fit two family names (`La`, `Lã`) or a family name already: unchanged.
    assert parse_name("Lạ Văn Sơn").name == "Lạ Văn Sơn"
    assert parse_name("Hạ Thị Lan").repaired is False
