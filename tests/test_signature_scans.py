"""The signature block of scanned pages: the signer's name under a pen stroke or a seal."""

from __future__ import annotations

from pipeline.segment.closing import parse_tail

RECIPIENTS = ["Nơi nhận:", "- Như trên;", "- Sở Tài chính;", "- Lưu: VT."]


def test_a_name_crossed_by_the_signature_stroke_is_the_signer() -> None:
    tail = parse_tail([*RECIPIENTS, "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "Ầ Ƒ",
                       "-- Trần Phước Hiên"])  # fmt: skip
    assert tail.name == "Trần Phước Hiên"
    assert tail.authority == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"]
    assert tail.recipients == ["Như trên;", "Sở Tài chính;", "Lưu: VT."]


def test_a_bulleted_name_below_the_authority_is_the_signer() -> None:
    tail = parse_tail([*RECIPIENTS, "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "- Nguyễn Đức Vũ"])
    assert (tail.name, tail.position) == ("Nguyễn Đức Vũ", "PHÓ GIÁM ĐỐC")


def test_a_person_among_the_recipients_is_no_signer() -> None:
    # No authority or position line yet: `- Nguyễn Văn An;` is a recipient.
    tail = parse_tail(["Nơi nhận:", "- Như trên;", "- Nguyễn Văn An;"])
    assert tail.name is None
    assert tail.recipients == ["Như trên;", "Nguyễn Văn An;"]


def test_a_position_crossed_by_the_signature_is_not_taken_as_printed() -> None:
    # `TỊCH` under the pen stroke reads `TIC`, no Vietnamese syllable.
    tail = parse_tail([*RECIPIENTS, "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TIC",
                       "Trần Phước Hiên"])  # fmt: skip
    assert tail.position is None
    assert tail.name == "Trần Phước Hiên"


def test_a_position_with_an_abbreviation_is_a_position() -> None:
    tail = parse_tail([*RECIPIENTS, "TL. HIỆU TRƯỞNG", "TRƯỞNG PHÒNG CTSV", "Phùng Thị Xuân Bình"])
    assert tail.position == "TRƯỞNG PHÒNG CTSV"
