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


# --- a damaged signer completed from the body; the position above a lone name ----------

from pipeline.segment.closing import position_above, role_in_body  # noqa: E402
from pipeline.segment.names import complete_from_people, people_in  # noqa: E402

BODY = "Thành phần Đoàn kiểm tra:\n4.1. Ông. Hoàng Văn Thuân - Trưởng đoàn: Phụ trách chung;\n"


def test_people_named_in_the_body_are_found() -> None:
    text = BODY + "2. Ông: Đỗ Mạnh Cường - Phó trưởng phòng, Phó Trưởng đoàn;"
    assert people_in(text) == ["Hoàng Văn Thuân", "Đỗ Mạnh Cường"]


def test_a_signer_whose_family_name_the_seal_took_is_completed_from_the_body() -> None:
    assert complete_from_people("lowfg Văn Thuân", people_in(BODY)) == "Hoàng Văn Thuân"


def test_a_damaged_name_two_people_fit_is_left_alone() -> None:
    people = ["Hoàng Văn Thuân", "Trần Văn Thuân"]
    assert complete_from_people("lowfg Văn Thuân", people) is None


def test_a_clean_name_or_a_lone_given_name_is_no_damaged_name() -> None:
    people = people_in(BODY)
    assert complete_from_people("Hoàng Văn Thuân", people) is None  # nothing damaged
    assert complete_from_people("lowfg Thuân", people) is None  # one syllable: too weak
    assert complete_from_people("- Thành viên Đoàn (để thực hiện);", people) is None


def test_the_role_the_body_gives_the_signer_is_a_position() -> None:
    assert role_in_body("Hoàng Văn Thuân", BODY) == "Trưởng đoàn"
    assert role_in_body("Hoàng Văn Thuân", "Ông Hoàng Văn Thuân - đại diện cho đơn vị") is None


def test_the_top_position_line_above_a_lone_name_is_the_signing_capacity() -> None:
    lines = ["- Lưu: VT, P5.", "PHÓ TỔ TRƯỞNG THƯỜNG TRỰC", "| /Z“ ¬", "` .PHÓ CỤC TRƯỞNG",
             "CỤC CẢNH SÁT ĐTTP VỀ MA TÚY", "Đại tá Bùi Duy Hưng"]  # fmt: skip
    assert position_above(lines, "Bùi Duy Hưng") == "PHÓ TỔ TRƯỞNG THƯỜNG TRỰC"
    assert position_above(["- Lưu: VT.", "PHÓ CHỦ TỊCH", "- Như trên;", "Bùi Duy Hưng"],
                          "Bùi Duy Hưng") is None  # fmt: skip


def test_a_segmented_ocr_page_completes_the_signer_from_the_body() -> None:
    from pipeline.config import Config
    from pipeline.document import Document, Page, Source
    from pipeline.segment import segment

    text = (
        "SỞ CÔNG THƯƠNG\nĐOÀN KIỂM TRA\nSố: 12/KH-ĐKT\nLào Cai, ngày 10 tháng 3 năm 2026\n"
        "KẾ HOẠCH\nKiểm tra việc chấp hành pháp luật\nI. THÀNH PHẦN\n"
        + BODY
        + "Trên đây là Kế hoạch kiểm tra của Đoàn./.\nNơi nhận:\n- Giám đốc Sở;\n- Lưu: VT.\n"
        "T/M. ĐOÀN KIỂM TRA\nẦ\nlowfg Văn Thuân\n"
    )
    doc = Document(source=Source(path="<scan>"))
    doc.pages = [Page(number=1, method="ocr", text=text)]
    doc.text.body, doc.text.method = text, "ocr"
    layout = segment(doc, Config()).layout
    assert (layout.signature.name, layout.signature.position) == ("Hoàng Văn Thuân", "Trưởng đoàn")
    assert layout.recipients == ["Giám đốc Sở;", "Lưu: VT."]
    doc.text.method = "text"  # a text layer's names are as printed: nothing is completed
    assert segment(doc, Config()).layout.signature.name is None


def test_capitals_under_the_position_are_the_signature_column_not_recipients() -> None:
    tail = parse_tail([*RECIPIENTS, "KT. TỔ TRƯỞNG", "PHÓ TỔ TRƯỞNG THƯỜNG TRỰC", "` .PHÓ CỤC TRƯỞNG",
                       "CỤC CẢNH SÁT ĐTTP VỀ MA TÚY", "Đại tá Bùi Duy Hưng"])  # fmt: skip
    assert tail.recipients == ["Như trên;", "Sở Tài chính;", "Lưu: VT."]
    assert tail.name == "Bùi Duy Hưng"
