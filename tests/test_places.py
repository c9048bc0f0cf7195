"""The administrative-name gazetteer: OCR's misread marks on place names put back."""

from __future__ import annotations

import pytest

from pipeline.extract import places
from pipeline.restore.training.gazetteer import build


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        ("Lâm Đông", "Lâm Đồng"),  # a mark misread
        ("Quảng Ngai", "Quảng Ngãi"),  # a tone lost
        ("Lâm Đồng", "Lâm Đồng"),  # already right
        ("Lào Cai", "Lào Cai"),
        ("Thanh Hoá", "Thanh Hoá"),  # another tone placement of a known name: kept as printed
        ("Ngân Hàng", "Ngân Hàng"),  # no place with these letters
    ],
)
def test_correct_place(read: str, expected: str) -> None:
    assert places.correct_place(read) == expected


def test_correct_places_after_level_words() -> None:
    text = "Ủy ban nhân dân tỉnh Lâm Đông Hội nghị; Sở Nội vụ tỉnh Quảng Ngai; xã Tân Hòa"
    assert places.correct_places(text) == (
        "Ủy ban nhân dân tỉnh Lâm Đồng Hội nghị; Sở Nội vụ tỉnh Quảng Ngãi; xã Tân Hòa"
    )
    assert places.correct_places("Thành phố Hà Nội") == "Thành phố Hà Nội"
    assert places.correct_places("phòng họp số 2") == "phòng họp số 2"


def test_a_name_with_two_spellings_of_its_letters_is_left_alone(monkeypatch) -> None:
    monkeypatch.setattr(
        places, "_spellings", lambda: {"an binh": frozenset({"An Bình", "Ân Bình"})}
    )
    assert places.correct_place("Án Bình") == "Án Bình"
    assert places.correct_place("Ân Bình") == "Ân Bình"


def test_build_keeps_names_without_level_words_or_numbers() -> None:
    mapping = {
        "metadata": {"version": "1.0.4", "effective_date": "2025-07-01"},
        "province_names": {"tinhlamdong": {"name": "Tỉnh Lâm Đồng"}},
        "old_province_names": {"tinhdaknong": {"name": "Tỉnh Đắk Nông"}},
        "ward_mapping": [
            {
                "old_ward": "Phường 12",
                "new_ward": "Phường Xuân Hương",
                "old_district": "Thành phố Đà Lạt",
            },
            {
                "old_ward": "Xã Tà Nung",
                "new_ward": "Phường Xuân Hương",
                "old_district": "Huyện Lạc Dương",
                "old_province": "Tỉnh Đắk Nông",
                "new_province": "Tỉnh Lâm Đồng",
            },
        ],
    }
    gazetteer = build(mapping)
    assert gazetteer["provinces"] == ["Lâm Đồng", "Đắk Nông"]
    assert gazetteer["wards"] == ["Tà Nung", "Xuân Hương"]
    assert gazetteer["districts"] == ["Lạc Dương", "Đà Lạt"]
    assert "1.0.4" in gazetteer["source"]
    # An old ward lies in its old province and in the new one; a new ward in the new one.
    assert gazetteer["province_of"]["Tà Nung"] == [0, 1]
    assert gazetteer["province_of"]["Xuân Hương"] == [0]
    assert gazetteer["province_of"]["Đà Lạt"] == []  # that row gave no province


def test_an_issuer_gets_its_unit_noun_and_abbreviations_back() -> None:
    from pipeline.extract.places import correct_issuer

    assert correct_issuer("Tỏ công tác liên ngành tw") == "Tổ công tác liên ngành TW"
    assert correct_issuer("Uỷ ban nhân dân tỉnh Lâm Đông") == "Ủy ban nhân dân tỉnh Lâm Đồng"
    assert correct_issuer("Trường Đại học Điện lực") == "Trường Đại học Điện lực"
    assert correct_issuer("Sở") == "Sở"  # a lone noun is no issuer to correct


def test_an_issuer_gets_its_field_spelt_as_it_is_after_the_unit_noun() -> None:
    from pipeline.extract.places import correct_issuer

    assert correct_issuer("Cục hóa chát") == "Cục Hóa chất"
    assert correct_issuer("Sở Tài chinh tỉnh Lào Cai") == "Sở Tài chính tỉnh Lào Cai"
    # Only right after a unit noun named for its field: a verb elsewhere stays a verb.
    assert correct_issuer("Ban Chỉ đạo xây dựng nông thôn mới") == (
        "Ban Chỉ đạo xây dựng nông thôn mới"
    )


def test_of_several_spellings_with_the_same_letters_the_nearest_is_taken() -> None:
    from pipeline.extract.places import correct_place

    # `Hải Phòng` (one mark away) and the ward `Hải Phong` (two) share their letters.
    assert correct_place("Hài Phòng") == "Hải Phòng"
    assert correct_place("Hải Phong") == "Hải Phong"  # a gazetteer name stays


def test_an_issuer_inferred_from_a_misread_place_has_the_places_level() -> None:
    from pipeline.document import Layout
    from pipeline.extract.metadata import extract_metadata

    layout = Layout(number_line="Số: /KH-UBND", place_date_line="Hài Phòng, ngày tháng năm 2026")
    meta, _ = extract_metadata(layout, "")
    assert (meta.place, meta.issuer) == ("Hải Phòng", "Ủy ban nhân dân thành phố Hải Phòng")
