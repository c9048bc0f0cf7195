"""Stacked marks OCR drops from capitals in metadata lines (`ĐÔNG THỜI` → `ĐỒNG THỜI`)."""

from __future__ import annotations

from pipeline.document import Layout, Signature
from pipeline.extract.capitals import _adds_stacked_mark, repair_capitals
from pipeline.extract.metadata import extract_metadata


def test_only_one_more_mark_stacked_above_a_vowel_counts_as_the_ocr_slip() -> None:
    assert _adds_stacked_mark("đông", "đồng")  # circumflex read, grave lost
    assert _adds_stacked_mark("tỏ", "tổ")  # hook read, circumflex lost
    assert _adds_stacked_mark("chát", "chất")
    assert not _adds_stacked_mark("cục", "cực")  # a horn and a dot below: not stacked above
    assert not _adds_stacked_mark("vẻ", "về")  # a different tone, not a dropped one
    assert not _adds_stacked_mark("đông", "đông")
    assert not _adds_stacked_mark("đông", "động")  # a mark below is never lost this way


def test_a_capitalised_title_gets_back_the_marks_ocr_dropped() -> None:
    title = "CHẤP THUẬN CHỦ TRƯƠNG ĐẦU TƯ ĐÔNG THỜI CHẤP THUẬN NHÀ ĐẦU TƯ"
    assert repair_capitals(title) == title.replace("ĐÔNG", "ĐỒNG")
    assert repair_capitals("PHÓ TỎ TRƯỞNG THƯỜNG TRỰC") == "PHÓ TỔ TRƯỞNG THƯỜNG TRỰC"


def test_correct_capitals_and_mixed_case_lines_are_left_alone() -> None:
    for line in ("ỦY BAN NHÂN DÂN TỈNH LÀO CAI", "CỤC HẢI QUAN", "về việc đông thời"):
        assert repair_capitals(line) == line


def test_metadata_of_an_ocr_page_repairs_capitals_and_says_so() -> None:
    layout = Layout(
        doc_type="QUYẾT ĐỊNH",
        title="CHẤP THUẬN ĐẦU TƯ ĐÔNG THỜI",
        issuing_body="CỤC HÓA CHÁT",
        signature=Signature(position="PHÓ TỎ TRƯỞNG"),
    )
    meta, warnings = extract_metadata(layout, "", ocr=True)
    assert (meta.title, meta.issuer, meta.signer_position) == (
        "CHẤP THUẬN ĐẦU TƯ ĐỒNG THỜI",
        "Cục Hóa chất",
        "Phó Tổ trưởng",
    )
    assert sum("OCR slips in capitals" in w for w in warnings) == 3
    text_layer, _ = extract_metadata(layout, "")  # a text layer is as printed
    assert text_layer.title == "CHẤP THUẬN ĐẦU TƯ ĐÔNG THỜI"


def test_a_level_word_glued_to_its_place_is_split() -> None:
    from pipeline.extract.capitals import split_glued_levels

    assert split_glued_levels("UBND TỈNHLÂM ĐÔNG") == "UBND TỈNH LÂM ĐÔNG"
    assert split_glued_levels("PHƯỜNGBẾN NGHÉ") == "PHƯỜNG BẾN NGHÉ"
    for line in ("UBND TỈNH LÂM ĐỒNG", "XÃ", "THÀNH PHỐ HUẾ", "Tỉnhlâm"):
        assert split_glued_levels(line) == line


def test_a_glued_parent_line_qualifies_the_issuer_with_the_gazetteer_place() -> None:
    layout = Layout(parent_body="UBND TỈNHLÂM ĐÔNG", issuing_body="SỞ NỘI VỤ")
    meta, _ = extract_metadata(layout, "", ocr=True)
    assert (meta.issuer, meta.issuer_parent) == (
        "Sở Nội vụ tỉnh Lâm Đồng",
        "Ủy ban nhân dân tỉnh Lâm Đồng",
    )


def test_a_word_ocr_left_no_syllable_takes_the_models_marks() -> None:
    line = "CHỐNG DỊCH BẸNH TRUYEN NHIEM SAU LỤT BÃO TRÊN ĐỊA BÀN TỈNH ĐẮK LẮK"
    assert repair_capitals(line) == (
        "CHỐNG DỊCH BỆNH TRUYỀN NHIỄM SAU LỤT BÃO TRÊN ĐỊA BÀN TỈNH ĐẮK LẮK"
    )
    # A word that is one as OCR wrote it keeps its marks (`THI` could be `THỊ`).
    assert repair_capitals("TRIỂN KHAI THI HÀNH LUẬT") == "TRIỂN KHAI THI HÀNH LUẬT"
