"""Metadata: number, date, place, issuer (given or inferred), signer, position."""

from __future__ import annotations

import datetime as dt

from pipeline.document import Layout, Signature
from pipeline.extract.metadata import (
    damaged_header_date,
    deputy_position,
    document_year,
    extract_metadata,
    header_date,
    normal_case,
    number_state,
)
from pipeline.segment import header as lh


def _layout(**kwargs: object) -> Layout:
    base = {
        "number_line": "Số: 24 /KH-UBND",
        "place_date_line": "Hải Phòng, ngày 26 tháng 01 năm 2026",
        "doc_type": "KẾ HOẠCH",
        "title": "Triển khai nhiệm vụ năm 2026",
        "signature": Signature(
            authority=["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"],
            position="PHÓ CHỦ TỊCH",
            name="Vũ Tiến Phụng",
        ),
    }
    base.update(kwargs)
    return Layout(**base)


def test_header_fields() -> None:
    meta, _ = extract_metadata(_layout(issuing_body="ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG"), "")
    assert meta.number == "24/KH-UBND"
    assert meta.issue_date == dt.date(2026, 1, 26)
    assert meta.place == "Hải Phòng"
    assert meta.doc_type == "Kế hoạch"
    assert meta.signer == "Vũ Tiến Phụng"
    assert meta.signer_position == "Phó Chủ tịch"
    assert meta.issuer == "Ủy ban nhân dân thành phố Hải Phòng"
    assert not meta.issuer_inferred


def test_issuer_inferred_from_authority_and_place() -> None:
    body = "Chủ đề năm 2026 của thành phố Hải Phòng; thành phố Hải Phòng phát triển."
    meta, warnings = extract_metadata(_layout(), body)
    assert meta.issuer == "Ủy ban nhân dân thành phố Hải Phòng"
    assert meta.issuer_inferred
    assert any("issuer inferred" in w for w in warnings)


def test_issuer_inferred_from_number_suffix_and_province() -> None:
    layout = _layout(
        place_date_line="Lai Châu, ngày 05 tháng 3 năm 2026",
        signature=Signature(position="CHỦ TỊCH", name="Nguyễn Văn An"),
    )
    meta, warnings = extract_metadata(layout, "")
    assert meta.issuer == "Ủy ban nhân dân tỉnh Lai Châu"
    assert "the number's suffix" in warnings[0]


def test_issuer_from_locality_line_and_signature() -> None:
    meta, _ = extract_metadata(_layout(issuing_body="ĐẶC KHU CÁT HẢI"), "")
    assert meta.issuer == "Ủy ban nhân dân đặc khu Cát Hải"
    assert meta.issuer_inferred


def test_issuer_uses_the_document_spelling() -> None:
    body = "Sở Y tế ban hành Kế hoạch; Uỷ ban nhân dân tỉnh Bắc Ninh chỉ đạo."
    assert normal_case("SỞ Y TẾ", body) == "Sở Y tế"
    assert normal_case("ỦY BAN NHÂN DÂN TỈNH BẮC NINH", body) == "Uỷ ban nhân dân tỉnh Bắc Ninh"
    assert normal_case("ỦY BAN NHÂN DÂN TỈNH ĐỒNG THÁP") == "Ủy ban nhân dân tỉnh Đồng Tháp"
    assert normal_case("ĐOÀN KIỂM TRA SỐ 1050/QĐ-SCT") == "Đoàn kiểm tra số 1050/QĐ-SCT"


def test_missing_header_is_a_warning_not_an_error() -> None:
    meta, warnings = extract_metadata(Layout(), "")
    assert meta.number is None and meta.issue_date is None
    assert len(warnings) == 2


def test_document_year_prefers_the_title() -> None:
    meta, _ = extract_metadata(
        _layout(place_date_line="Hà Nội, ngày 20 tháng 12 năm 2025", title="Kế hoạch năm 2026"), ""
    )
    assert document_year(meta) == 2026
    meta.title = "Chuyển đổi số"
    assert document_year(meta) == 2025


def test_number_variants() -> None:
    assert extract_metadata(_layout(number_line="Số: 1105⁄KH-ĐKT"), "")[0].number == "1105/KH-ĐKT"
    meta, warnings = extract_metadata(_layout(number_line="Số:      /BC-SNV"), "")
    assert (meta.number, meta.number_complete) == ("/BC-SNV", False)  # the printed part
    assert any("blank" in w for w in warnings)


def test_place_with_its_level_written_out() -> None:
    layout = _layout(place_date_line="TP. Hồ Chí Minh, ngày 18 tháng 11 năm 2025")
    meta, _ = extract_metadata(layout, "")
    assert meta.place == "TP. Hồ Chí Minh"
    assert meta.issuer == "Ủy ban nhân dân thành phố Hồ Chí Minh"


def test_unreadable_number_is_left_empty_with_a_warning() -> None:
    # Handwritten digits OCR'd as letters or symbols: a half-read number would point at
    # another document, so it is not emitted; the raw line goes into the warning.
    for line in ("Số:ỗ7 /BC-UBND", "Số: 31 ŵ§ /QĐ-UBND", "Số:e41 /TTr-SNV", "Số: // /TTr-CAT"):
        meta, warnings = extract_metadata(_layout(number_line=line), "")
        assert not meta.number_complete, line
        assert meta.number is None or not any(ch.isdigit() for ch in meta.number), line
        assert any("unreadable" in w and line in w for w in warnings), line


def test_number_shapes_kept_whole() -> None:
    for line, number in (
        ("Số 12-HD/BTGTW", "12-HD/BTGTW"),
        ("Số: 05/2026/QĐ-UBND", "05/2026/QĐ-UBND"),
        ("Số: 88/TTr-CAT(PC06)", "88/TTr-CAT(PC06)"),
        ("Số: ..312../TB-ĐHĐL", "312/TB-ĐHĐL"),
    ):
        assert extract_metadata(_layout(number_line=line), "")[0].number == number, line


def test_number_lines_with_ocr_damage_are_still_number_lines() -> None:
    assert lh.is_number_line("Só: 5# /KH-BCA")
    assert lh.is_number_line("Số: @# /CT-UBND")
    assert not lh.is_number_line("Sở Y tế tỉnh")
    assert number_state("Số:    /BC-SNV") == "blank"
    assert number_state("Số: @# /CT-UBND") == "unreadable"


def test_issue_date_from_damaged_digits_only_when_valid() -> None:
    meta, warnings = extract_metadata(
        _layout(place_date_line="Hà Nội, ngày l6 tháng O3 năm 2026"), ""
    )
    assert meta.issue_date == dt.date(2026, 3, 16)
    assert any("damaged digits" in w for w in warnings)
    assert damaged_header_date("Huế, ngày(4 tháng 10 năm 2025") == dt.date(2025, 10, 4)
    # a pen's or stamp's marks read as punctuation of their own, around the digits
    assert header_date("Huế, ngày - 15 tháng 3 năm 2026") == dt.date(2026, 3, 15)
    assert damaged_header_date("Hà Nội, ngày.) 27 {tháng 8 năm 2025") == dt.date(2025, 8, 27)
    for line in (
        "Huế, ngày 70 tháng 3 năm 2018",  # no 70th day: the date is unreadable, not guessed
        "Huế, ngày Ŵ@ tháng 11 năm 2024",
        "Huế, ngày 7Ŕ tháng ‡ năm 2026",
        "Huế, ngày4#4 tháng năm 2026",
        "Huế, ngày 2 7 tháng 8 năm 2025",  # two readings, not the day 27
        "Huế, ngày ( ) tháng 8 năm 2025",
    ):
        meta, warnings = extract_metadata(_layout(place_date_line=line), "")
        assert meta.issue_date is None, line
        assert any("issue date is unreadable" in w for w in warnings), line


def test_deputy_position_inferred_from_kt() -> None:
    def position(authority: list[str]) -> str | None:
        layout = _layout(signature=Signature(authority=authority, name="Lê Văn Hải"))
        return extract_metadata(layout, "")[0].signer_position

    assert position(["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"]) == "Phó Chủ tịch"
    assert position(["KT. BỘ TRƯỞNG"]) == "Thứ trưởng"
    assert position(["KT. CỤC TRƯỞNG -"]) == "Phó Cục trưởng"
    assert position(["TM. ỦY BAN NHÂN DÂN"]) is None  # the head signs: no rule says who
    assert deputy_position(["KT. GIÁM ĐỐC"]) == "Phó Giám đốc"


def test_a_bare_party_organ_is_named_as_the_body_names_it() -> None:
    from pipeline.extract.metadata import party_organ_name, qualified_issuer

    body = "Văn phòng Trung ương Đảng hướng dẫn thể thức và kỹ thuật trình bày văn bản"
    assert qualified_issuer("VĂN PHÒNG", "BAN CHẤP HÀNH TRUNG ƯƠNG", body) == (
        "Văn phòng Trung ương Đảng"
    )
    body = "Ban Tổ chức Tỉnh ủy đề nghị; Ban Tổ chức Tỉnh ủy Lào Cai tổng hợp."
    assert party_organ_name("BAN TỔ CHỨC", "TỈNH ỦY LÀO CAI", body) == "Ban Tổ chức Tỉnh ủy Lào Cai"
    # Not under a Party committee, or words that are not the committee's: no such name.
    assert party_organ_name("VĂN PHÒNG", "ỦY BAN NHÂN DÂN TỈNH LÀO CAI", body) is None
    assert party_organ_name("VĂN PHÒNG", "TỈNH ỦY LÀO CAI", "Văn phòng phẩm và thiết bị") is None


def test_a_standing_body_line_is_named_before_its_unit() -> None:
    from pipeline.extract.metadata import body_name

    assert body_name("BAN CHẤP HÀNH TRUNG ƯƠNG") == "Ban Chấp hành Trung ương"


def test_metadata_text_fields_take_the_canonical_spelling() -> None:
    layout = _layout(title="Triển khai Chương trình  phòng, chống ma tuý", doc_type="KẾ HOẠCH")
    layout.signature.position = "PHÓ CHỦ TỊCH THƯỜNG TRỰC UỶ BAN"
    meta, _ = extract_metadata(layout, "")
    assert meta.title == "Triển khai Chương trình phòng, chống ma túy"
    assert meta.signer_position == "Phó Chủ tịch thường trực ủy ban"
