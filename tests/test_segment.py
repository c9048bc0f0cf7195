"""Segmentation: header, title, body tree with numbering repair, appendices, tail."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import Config
from pipeline.document import Document, Page, Section, Source
from pipeline.extract import extract
from pipeline.extract.metadata import title_case_position
from pipeline.segment import build_tree, parse_marker, segment
from pipeline.segment import closing as cl
from pipeline.segment import header as lh


def _segment(text: str, tables: list | None = None) -> Document:
    doc = Document(source=Source(path="<test>"))
    doc.pages = [Page(number=1, method="text", text=text, tables=tables or [])]
    doc.text.body = text
    return segment(doc, Config())


def _refs(sections: list[Section]) -> list[str]:
    out: list[str] = []
    for s in sections:
        out.append(s.ref)
        out += _refs(s.children)
    return out


def _find(sections: list[Section], ref: str) -> Section:
    for s in sections:
        if s.ref == ref:
            return s
        try:
            return _find(s.children, ref)
        except KeyError:
            pass
    raise KeyError(ref)


HEADER = """ỦY BAN NHÂN DÂN
TỈNH LAI CHÂU
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 15 /KH-UBND
Lai Châu, ngày 05 tháng 3 năm 2026
KẾ HOẠCH
Tuyên truyền pháp luật
năm 2026
Căn cứ Luật Phổ biến, giáo dục pháp luật năm 2012;
Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:
I. MỤC ĐÍCH
1. Nâng cao nhận thức.
II. NHIỆM VỤ
1. Tổ chức hội nghị.
Trên đây là Kế hoạch của Ủy ban nhân dân tỉnh./.
Nơi nhận:
- Sở Tư pháp;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Văn An
"""


def test_parse_marker_kinds() -> None:
    assert parse_marker("II. NHIỆM VỤ").kind == "roman"
    assert parse_marker("1. Quý I năm 2026").marker == "1"
    assert parse_marker("1.2. Rà soát").kind == "subnumber"
    assert parse_marker("đ) Hoàn chỉnh hồ sơ").marker == "đ"
    assert parse_marker("¢) Tổng hợp").marker == "c"
    assert parse_marker("c¢) Tổng hợp").marker == "c"
    assert parse_marker("- Bộ Nội vụ;").kind == "bullet"
    assert parse_marker("+ Hướng dẫn").marker == "+"
    assert parse_marker("PHẦN THỨ HAI. NHIỆM VỤ").marker == "P2"
    assert parse_marker("2022 và các văn bản hướng dẫn") is None
    assert parse_marker("f) not a Vietnamese list letter") is None


def test_header_title_preamble_and_tail() -> None:
    layout = _segment(HEADER).layout
    assert layout.parent_body is None
    assert layout.issuing_body == "ỦY BAN NHÂN DÂN TỈNH LAI CHÂU"
    assert layout.national_title
    assert layout.number_line == "Số: 15 /KH-UBND"
    assert layout.place_date_line == "Lai Châu, ngày 05 tháng 3 năm 2026"
    assert layout.doc_type == "KẾ HOẠCH"
    assert layout.title == "Tuyên truyền pháp luật năm 2026"
    assert layout.preamble[0].startswith("Căn cứ Luật")
    assert len(layout.preamble) == 2
    assert _refs(layout.sections) == ["I", "I.1", "II", "II.1"]
    assert layout.closing == ["Trên đây là Kế hoạch của Ủy ban nhân dân tỉnh./."]
    assert layout.recipients == ["Sở Tư pháp;", "Lưu: VT."]
    assert layout.signature.authority == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"]
    assert layout.signature.position == "PHÓ CHỦ TỊCH"
    assert layout.signature.name == "Nguyễn Văn An"


def test_parent_and_issuing_body() -> None:
    assert lh.split_bodies(["UBND TỈNH ĐỒNG THÁP", "SỞ Y TẾ"]) == ("UBND TỈNH ĐỒNG THÁP", "SỞ Y TẾ")
    assert lh.split_bodies(["ỦY BAN NHÂN DÂN", "THÀNH PHỐ HẢI PHÒNG"]) == (
        None,
        "ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG",
    )


def test_merged_header_columns_are_split() -> None:
    assert lh.split_header_line("ĐẶC KHU CÁT HẢI Độc lập - Tự do - Hạnh phúc") == [
        "ĐẶC KHU CÁT HẢI",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    assert lh.split_header_line("Số:83 /KH-UBND Cát Hải, ngày 24 tháng 02 năm 2026") == [
        "Số:83 /KH-UBND",
        "Cát Hải, ngày 24 tháng 02 năm 2026",
    ]
    layout = _segment(
        "ĐẶC KHU CÁT HẢI Độc lập - Tự do - Hạnh phúc\n"
        "Số:83 /KH-UBND Cát Hải, ngày 24 tháng 02 năm 2026\nKẾ HOẠCH\n\nThi đua năm 2026\n\n"
        "I. NHIỆM VỤ\n1. Họp.\n"
    ).layout
    assert layout.issuing_body == "ĐẶC KHU CÁT HẢI"
    assert layout.national_title
    assert layout.number_line == "Số:83 /KH-UBND"
    assert layout.place_date_line == "Cát Hải, ngày 24 tháng 02 năm 2026"
    assert layout.title == "Thi đua năm 2026"


def test_wrapped_lines_join_their_item() -> None:
    text = (
        "I. NHIỆM VỤ CỤ THỂ\n1. Quý I năm 2026\n\n"
        "a) Ban hành Chỉ thị, Kế hoạch triển khai nhiệm vụ công tác thi đua, khen\n"
        "thưởng năm 2026 của thành phố và các cơ quan, đơn vị trực thuộc trên địa bàn.\n\n"
        "b) Tổ chức Hội nghị tổng kết thi đua, khen thưởng năm 2025, ký kết giao\n"
        "ước thi đua, phát động phong trào thi đua yêu nước năm 2026 trong toàn đặc khu.\n"
        "c) Kiểm tra, giám sát công tác thi đua, khen thưởng.\n"
    )
    tree = build_tree(text.split("\n"))
    a = _find(tree, "I.1.a")
    assert a.heading.endswith(
        "khen thưởng năm 2026 của thành phố và các cơ quan, đơn vị trực thuộc trên địa bàn."
    )
    assert a.text == ""
    assert _find(tree, "I.1.b").heading.endswith("yêu nước năm 2026 trong toàn đặc khu.")
    assert _refs(tree) == ["I", "I.1", "I.1.a", "I.1.b", "I.1.c"]


def test_roman_repaired_from_sequence() -> None:
    text = (
        "I. MỤC ĐÍCH\n1. Nâng cao.\nII. NHIỆM VỤ CỤ THỂ\n1. Quý I năm 2026\na) Họp.\n"
        "2. Quý II năm 2026\na) Họp.\n1. TỔ CHỨC THỰC HIỆN\n1. Phòng Văn hóa - Xã hội: theo dõi.\n"
        "IL. KINH PHÍ\n1. Ngân sách.\n"
    )
    tree = build_tree(text.split("\n"))
    assert [s.ref for s in tree] == ["I", "II", "III", "IV"]
    assert tree[2].heading == "TỔ CHỨC THỰC HIỆN"
    assert tree[2].kind == "roman"
    assert _refs(tree[2].children) == ["III.1"]


def test_letters_follow_vietnamese_order_and_repair() -> None:
    text = "1. Nhiệm vụ\na) Một.\nb) Hai.\n¢) Ba.\nd) Bốn.\nđ) Năm.\ne) Sáu.\ng) Bảy.\nb) Tám (misread).\n"
    tree = build_tree(text.split("\n"))
    assert [c.marker for c in tree[0].children] == ["a", "b", "c", "d", "đ", "e", "g", "h"]


def test_bullets_and_plus_refs() -> None:
    text = "II. NỘI DUNG\n1. Tuyên truyền\n- Một;\n+ Một một;\n+ Một hai;\n- Hai.\n2. Kiểm tra\n"
    tree = build_tree(text.split("\n"))
    assert _refs(tree) == ["II", "II.1", "II.1.-1", "II.1.-1.+1", "II.1.-1.+2", "II.1.-2", "II.2"]


def test_subnumbers_append_last_component() -> None:
    tree = build_tree(
        [
            "II. NHIỆM VỤ",
            "1. Về dữ liệu",
            "1.1. Xây dựng",
            "a) Nhiệm vụ: Rà soát.",
            "1.2. Triển khai",
            "",
        ]
    )
    assert _refs(tree) == ["II", "II.1", "II.1.1", "II.1.1.a", "II.1.2"]


def test_unmarked_lines_are_paragraphs_of_the_current_item() -> None:
    text = "IV. TỔ CHỨC THỰC HIỆN\n1. Sở Công Thương\nHỗ trợ doanh nghiệp.\n2. Sở Tài chính:\nBố trí kinh phí.\n"
    tree = build_tree(text.split("\n"))
    first = _find(tree, "IV.1")
    assert first.heading == "Sở Công Thương"
    assert first.text == "Hỗ trợ doanh nghiệp."


def test_interleaved_recipients_and_signature() -> None:
    tail = cl.parse_tail(
        [
            "Nơi nhận: TM. ỦY BAN NHÂN DÂN",
            "- Thường trực Đảng ủy đặc khu; [’",
            "- Thường trực HĐND đặc khu; CHỦ TỊCH",
            "- Các cơ quan, đơn vị LLVT đóng",
            "trên địa bàn đặc khu; o K . A",
            "- Trung tâm Phục vụ HCC đặc khu; Phan Viết Điện",
            "- Lưu: VT, VHXH.",
        ]
    )
    assert tail.authority == ["TM. ỦY BAN NHÂN DÂN"]
    assert tail.position == "CHỦ TỊCH"
    assert tail.name == "Phan Viết Điện"
    assert tail.recipients == [
        "Thường trực Đảng ủy đặc khu;",
        "Thường trực HĐND đặc khu;",
        "Các cơ quan, đơn vị LLVT đóng trên địa bàn đặc khu;",
        "Trung tâm Phục vụ HCC đặc khu;",
        "Lưu: VT, VHXH.",
    ]


def test_position_and_name_checks() -> None:
    assert cl.is_position("PHÓ CHỦ TỊCH")
    assert cl.is_position("TRƯỞNG ĐOÀN")
    assert not cl.is_position("SỞ CÔNG THƯƠNG LÀO CAI")
    assert cl.is_person_name("Vũ Tiến Phụng")
    assert not cl.is_person_name("Bộ Nội vụ;")
    assert not cl.is_person_name("- Bộ Tư Pháp")
    assert title_case_position("PHÓ CHỦ TỊCH") == "Phó Chủ tịch"
    assert title_case_position("GIÁM ĐỐC") == "Giám đốc"
    assert title_case_position("TRƯỞNG PHÒNG CTSV") == "Trưởng phòng CTSV"  # an abbreviation


def test_ranked_signer_after_the_position() -> None:
    tail = cl.parse_tail(
        ["Nơi nhận:", "- Như trên;", "- Lưu: VT.", "GIÁM ĐỐC", "Đại tá Lê Minh Khoa"]
    )
    assert (tail.position, tail.name) == ("GIÁM ĐỐC", "Lê Minh Khoa")
    assert tail.recipients == ["Như trên;", "Lưu: VT."]


def test_signer_merged_into_the_recipients_with_a_lost_letter() -> None:
    # The signature column sits beside the list; OCR put the name between two items and
    # lost its first letter under the signature.
    tail = cl.parse_tail(["Nơi nhận:", "- Sở Tư pháp;", "uỳnh Thanh Bình", "- Lưu: VT."])
    assert tail.name == "Huỳnh Thanh Bình"
    assert tail.recipients == ["Sở Tư pháp;", "Lưu: VT."]
    assert "uỳnh Thanh Bình" in tail.notes[0]


def test_wrapped_recipient_is_not_a_damaged_name() -> None:
    # `ạm Xuân Hòa Bình` could be a damaged `Phạm …`, but it continues an unfinished item.
    tail = cl.parse_tail(["Nơi nhận:", "- Công ty cổ phần", "ạm Xuân Hòa Bình;", "- Lưu: VT."])
    assert tail.name is None
    tail = cl.parse_tail(["Nơi nhận:", "- Công ty cổ phần", "ạm Xuân Hòa Bình", "- Lưu: VT."])
    assert tail.name is None
    assert tail.recipients == ["Công ty cổ phần ạm Xuân Hòa Bình", "Lưu: VT."]


def test_signature_noise_is_dropped_and_a_misread_letter_repaired() -> None:
    tail = cl.parse_tail(
        ["Nơi nhận:", "- Lưu: VT.", "CHỦ TỊCH", ": % i", "TRƯỞNG", "xrần Minh Đức"]
    )
    assert (tail.position, tail.name) == ("CHỦ TỊCH", "Trần Minh Đức")
    assert tail.recipients == ["Lưu: VT."]


def test_half_a_position_is_not_a_position() -> None:
    assert not cl.is_position("TRƯỞNG")
    assert cl.is_position("“GIÁM ĐỐC")
    tail = cl.parse_tail(["Nơi nhận:", "- Lưu: VT.", "TRƯỞNG", "ĐẠI tr"])
    assert tail.position is None and tail.name is None


def test_ranked_name_found_when_the_signature_block_is_lost() -> None:
    text = (
        HEADER.split("Nơi nhận:")[0]
        + "- Bộ Công an;\n- Lưu: VT.\nN *# ct € TRƯ\nThiếu tá Vũ Đức Long\n"
    )
    doc = _segment(text)
    assert doc.layout.signature.name == "Vũ Đức Long"
    assert any("without a signature block" in w for w in doc.warnings)
    # Without a rank or a position line above it, a name-like last line is not a signer.
    assert _segment(text.replace("Thiếu tá ", "")).layout.signature.name is None


APPENDIX = """KẾ HOẠCH
Chuyển đổi số
I. NHIỆM VỤ
1. Triển khai.
Nơi nhận:
- Lưu: VT.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Trần Văn Bình
PHỤ LỤC
DANH MỤC NHIỆM VỤ
STT | Tên nhiệm vụ | Cơ quan chủ trì | Thời gian hoàn thành
I. NÂNG CAO NHẬN THỨC
1 | Tập huấn kỹ năng số. | Sở KH&CN | Quý II/2026
2 | Đánh giá mức độ chuyển đổi số. | Sở Công Thương | Thường xuyên
"""


def test_appendix_table_rows_become_sections() -> None:
    layout = _segment(APPENDIX).layout
    assert layout.signature.name == "Trần Văn Bình"
    (appendix,) = layout.appendices
    (table,) = appendix.tables
    assert table.header == ["STT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Thời gian hoàn thành"]
    assert len(table.rows) == 2
    assert table.groups == ["I. NÂNG CAO NHẬN THỨC"] * 2
    assert appendix.title == "PHỤ LỤC: DANH MỤC NHIỆM VỤ"
    pl = layout.sections[-1]
    assert pl.ref == "PL" and pl.kind == "appendix"
    assert [r.ref for r in pl.children] == ["PL.1", "PL.2"]
    assert pl.children[0].heading == "Tập huấn kỹ năng số."
    assert "Cơ quan chủ trì: Sở KH&CN" in pl.children[0].text


def test_several_appendices_number_their_rows() -> None:
    text = (
        APPENDIX + "PHỤ LỤC II\nBẢNG HAI\nSTT | Nội dung | Đơn vị chủ trì\n1 | Họp. | Sở Nội vụ\n"
    )
    layout = _segment(text).layout
    assert [s.ref for s in layout.sections if s.kind == "appendix"] == ["PL1", "PL2"]
    assert layout.sections[-1].children[0].ref == "PL2.1"


def test_pdf_tables_attach_to_their_appendix() -> None:
    text = "KẾ HOẠCH\nThử\nI. NHIỆM VỤ\n1. Họp.\nPHỤ LỤC\n"
    tables = [
        [
            ["STT", "Nội dung", "Cơ quan chủ trì"],
            ["", "I. GIÁM SÁT", ""],
            ["1", "Kiểm tra", "Sở Y tế"],
        ]
    ]
    layout = _segment(text, tables).layout
    assert layout.appendices[0].tables[0].rows == [["1", "Kiểm tra", "Sở Y tế"]]
    assert layout.appendices[0].tables[0].groups == ["I. GIÁM SÁT"]
    assert layout.sections[-1].children[0].heading == "Kiểm tra"


def test_empty_body_gives_empty_layout() -> None:
    layout = _segment("").layout
    assert layout.sections == [] and layout.doc_type is None


def test_text_without_numbering_is_flagged() -> None:
    doc = _segment("KẾ HOẠCH\nThử\nMột đoạn văn không có đánh số.\n")
    assert any("no numbered sections" in w for w in doc.warnings)


def test_aligned_column_tables() -> None:
    text = (
        "KẾ HOẠCH\nThử\nI. NHIỆM VỤ\n1. Họp.\nPHỤ LỤC\n"
        "STT   Nội dung              Cơ quan chủ trì   Thời hạn\n"
        "1     Tập huấn cán bộ       Sở Nội vụ         Quý III/2026\n"
        "2     Kiểm tra cơ sở        Sở Y tế           Tháng 10/2026\n"
    )
    (table,) = _segment(text).layout.appendices[0].tables
    assert table.header == ["STT", "Nội dung", "Cơ quan chủ trì", "Thời hạn"]
    assert table.rows[1] == ["2", "Kiểm tra cơ sở", "Sở Y tế", "Tháng 10/2026"]


def test_recipient_trailing_marks_are_dropped() -> None:
    tail = cl.parse_tail(["Nơi nhận:", "Bộ Nội vụ;", "Lưu: VT, N.T.P.Thảo. #"])
    assert tail.recipients == ["Bộ Nội vụ;", "Lưu: VT, N.T.P.Thảo."]


def test_decision_articles() -> None:
    text = (
        "QUYẾT ĐỊNH\nVề việc kiểm tra\nGIÁM ĐỐC SỞ CÔNG THƯƠNG\nCăn cứ Luật số 42/2024/QH15;\n"
        "QUYẾT ĐỊNH:\nĐiều 1. Kiểm tra các đơn vị sau:\n1. Công ty A.\n2. Công ty B.\n"
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.\n"
    )
    layout = _segment(text).layout
    assert layout.title == "Về việc kiểm tra"
    assert layout.preamble[0] == "GIÁM ĐỐC SỞ CÔNG THƯƠNG"
    assert _refs(layout.sections) == ["Đ1", "Đ1.1", "Đ1.2", "Đ2"]
    assert layout.sections[0].kind == "article"


def test_signature_above_the_recipients() -> None:
    text = HEADER.replace(
        "Nơi nhận:\n- Sở Tư pháp;\n- Lưu: VT.\nTM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn An\n",
        "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn An\nNơi nhận:\n- Sở Tư pháp;\n- Lưu: VT.\n",
    )
    layout = _segment(text).layout
    assert layout.signature.name == "Nguyễn Văn An"
    assert layout.signature.position == "PHÓ CHỦ TỊCH"
    assert layout.recipients == ["Sở Tư pháp;", "Lưu: VT."]
    assert layout.closing == ["Trên đây là Kế hoạch của Ủy ban nhân dân tỉnh./."]


def test_fully_merged_header_lines() -> None:
    layout = _segment(
        "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "TỈNH LAI CHÂU Độc lập - Tự do - Hạnh phúc\n"
        "Số: 7360/KH-UBND Lai Châu, ngày 19 tháng 11 năm 2025\nKẾ HOẠCH\nThử\nI. NHIỆM VỤ\n1. Họp.\n"
    ).layout
    assert layout.issuing_body == "ỦY BAN NHÂN DÂN TỈNH LAI CHÂU"
    assert layout.number_line == "Số: 7360/KH-UBND"
    assert layout.place_date_line == "Lai Châu, ngày 19 tháng 11 năm 2025"


def test_letter_without_a_type_line_keeps_its_header() -> None:
    # A công văn has no `KẾ HOẠCH` line: its `V/v …` subject is not a roman `V.` and the
    # header runs down to `Kính gửi`.
    layout = _segment(
        "SỞ Y TẾ\nSố: 210/SYT-NVY\nV/v tăng cường phòng bệnh\nmùa mưa\n"
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        "Huế, ngày 14 tháng 4 năm 2026\nKính gửi: Các bệnh viện\n1. Rà soát.\n"
    ).layout
    assert layout.number_line == "Số: 210/SYT-NVY"
    assert layout.place_date_line == "Huế, ngày 14 tháng 4 năm 2026"
    assert layout.issuing_body == "SỞ Y TẾ"
    assert layout.subject_line == "V/v tăng cường phòng bệnh mùa mưa"


def test_wrapped_subject_ends_at_a_capital_heading() -> None:
    layout = _segment(
        "SỞ Y TẾ\nSố: 210/SYT-NVY\nV/v góp ý dự thảo\nQuy chế phối hợp\n"
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        "BAN QUẢN LÝ DỰ ÁN\nHuế, ngày 14 tháng 4 năm 2026\nKính gửi: Các bệnh viện\n"
    ).layout
    assert layout.subject_line == "V/v góp ý dự thảo Quy chế phối hợp"


def test_place_date_after_the_addressee_is_still_the_header_date() -> None:
    # An e-office letter read column by column: number, V/v and Kính gửi first, then the
    # motto, place and date.
    layout = _segment(
        "SỞ Y TẾ\nSố: 210/SYT-NVY\nV/v tăng cường phòng bệnh\nKính gửi:\n"
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        "Huế, ngày 14 tháng 4 năm 2026\n- Các bệnh viện;\nThời gian qua, dịch bệnh tăng.\n"
    ).layout
    assert layout.place_date_line == "Huế, ngày 14 tháng 4 năm 2026"


def test_title_stops_at_a_sentence_that_opens_with_its_date() -> None:
    layout = _segment(
        "ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU\nSố: 5/TB-UBND\nTHÔNG BÁO\n"
        "Kết luận của Chủ tịch tại cuộc họp\nvề tiến độ dự án ngày 10/3/2026\n"
        "Ngày 10/3/2026, tại trụ sở UBND tỉnh, Chủ tịch chủ trì cuộc họp.\n"
    ).layout
    assert layout.title == "Kết luận của Chủ tịch tại cuộc họp về tiến độ dự án ngày 10/3/2026"


_FRAGMENTS = [
    "I. MỤC ĐÍCH",
    "II. NHIỆM VỤ",
    "IL. TỔ CHỨC THỰC HIỆN",
    "1. TỔ CHỨC THỰC HIỆN",
    "1. Quý I năm 2026",
    "2. Sở Nội vụ:",
    "1.1. Rà soát",
    "a) Tập huấn.",
    "¢) Kiểm tra.",
    "b) Báo cáo",
    "- Cơ quan chủ trì: Sở Y tế.",
    "+ Hướng dẫn;",
    "thưởng năm 2026 của thành phố.",
    "Thời gian thực hiện: Quý II năm 2026.",
    "",
    "Nơi nhận: TM. ỦY BAN NHÂN DÂN",
    "- Lưu: VT; Phan Viết Điện",
    "PHỤ LỤC",
    "STT | Nội dung | Cơ quan chủ trì",
    "1 | Họp | Sở Nội vụ",
    "Số:83 /KH-UBND Cát Hải, ngày 24 tháng 02 năm 2026",
    "KẾ HOẠCH",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=40))
def test_segment_never_raises_and_refs_are_unique(lines: list[str]) -> None:
    text = "\n".join(lines)
    doc = extract(_segment(text), Config())
    refs = _refs(doc.layout.sections)
    assert len(refs) == len(set(refs))
    n = len(text.split("\n"))
    for section in _walk(doc.layout.sections):
        assert section.line is None or 0 <= section.line < n
    assert len({t.ref for t in doc.tasks}) == len(doc.tasks)


def _walk(sections: list[Section]) -> list[Section]:
    out: list[Section] = []
    for s in sections:
        out += [s, *_walk(s.children)]
    return out


def test_type_and_title_printed_on_one_line() -> None:
    # An investment decision prints its type and title as one capital line; the enacting
    # `QUYẾT ĐỊNH:` above Điều 1 is never the type heading.
    layout = _segment(
        "ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU\nSố: 12/QĐ-UBND\nLai Châu, ngày 2 tháng 7 năm 2026\n"
        "QUYẾT ĐỊNH CHẤP THUẬN CHỦ TRƯƠNG ĐẦU TƯ\nĐỒNG THỜI CHẤP THUẬN NHÀ ĐẦU TƯ\n"
        "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LAI CHÂU\nCăn cứ Luật Đầu tư;\nQUYẾT ĐỊNH:\n"
        "Điều 1. Chấp thuận chủ trương đầu tư.\n"
    ).layout
    assert layout.doc_type == "QUYẾT ĐỊNH"
    assert layout.title == "CHẤP THUẬN CHỦ TRƯƠNG ĐẦU TƯ ĐỒNG THỜI CHẤP THUẬN NHÀ ĐẦU TƯ"


def test_title_on_the_type_line_does_not_take_the_preamble() -> None:
    layout = _segment(
        "ỦY BAN NHÂN DÂN\nXÃ AN BÌNH\nSố: 3/KH-UBND\nAn Bình, ngày 2 tháng 3 năm 2026\n"
        "KẾ HOẠCH TUYÊN TRUYỀN PHÁP LUẬT NĂM 2026\nThực hiện Kế hoạch số 9/KH-UBND của huyện;\n"
        "I. MỤC ĐÍCH\n1. Nâng cao nhận thức.\n"
    ).layout
    assert layout.title == "TUYÊN TRUYỀN PHÁP LUẬT NĂM 2026"
    assert lh.type_heading("QUYẾT ĐỊNH:") is None
    assert lh.type_heading("CHƯƠNG TRÌNH HÀNH ĐỘNG") == ("CHƯƠNG TRÌNH HÀNH ĐỘNG", "")
    assert lh.type_heading("KẾ HOẠCH |") is None


def test_a_preamble_behind_stray_ocr_marks_still_ends_the_title() -> None:
    layout = _segment(
        "BỘ CÔNG AN\nSố: 12/KH-BCA\nHà Nội, ngày 2 tháng 10 năm 2025\nKẾ HOẠCH\n"
        "Tổ chức Hội nghị triển khai Chương trình\nphòng, chống ma túy\n"
        ": Thực hiện Nghị quyết số 163/2024/QH15 của Quốc hội,\nI. MỤC ĐÍCH\n"
    ).layout
    assert layout.title == "Tổ chức Hội nghị triển khai Chương trình phòng, chống ma túy"


_SCANNED_DIRECTIVE = (
    "ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU\nSố: /CT-UBND\nLai Châu, ngày tháng 3 năm 2026\nCHỈ THỊ\n"
    "Về việc tăng cường công tác thi hành án hành chính\ntrên địa bàn tỉnh Lai Châu\n"
    "ĐẾN | Chuyển: Thời gian qua, công tác triển khai thi hành Luật tố tụng hành chính\n"
    "đã đạt những kết quả tích cực; việc theo dõi thi hành án của các cơ quan đã có\n"
    "chuyển biến rõ rệt, song vẫn còn một số bản án chưa được các cơ quan thi hành\n"
    "đầy đủ, kịp thời, dẫn đến vụ việc kéo dài; nhận thức của một số cơ quan còn\n"
    "hạn chế, nên kết quả chưa cao. Để khắc phục, Chủ tịch Ủy ban nhân dân tỉnh yêu\n"
    "cầu các cơ quan thực hiện tốt các nội dung sau:\n1. Các sở, ngành rà soát các bản án.\n"
)


def test_a_scanned_title_ends_where_a_paragraph_runs_margin_to_margin() -> None:
    # A stamp over the first body line hides its opener; the lines' width still shows it.
    doc = Document(source=Source(path="<scan>"))
    doc.pages = [Page(number=1, method="ocr", text=_SCANNED_DIRECTIVE)]
    doc.text.body = _SCANNED_DIRECTIVE
    doc.text.method = "ocr"
    layout = segment(doc, Config()).layout
    assert layout.title == (
        "Về việc tăng cường công tác thi hành án hành chính trên địa bàn tỉnh Lai Châu"
    )


def test_a_scanned_title_opener_misread_as_va_viec_is_ve_viec() -> None:
    text = (
        "CÔNG AN TỈNH LAI CHÂU\nSố: /TTr-CAT\nLai Châu, ngày tháng 12 năm 2025\nTỜ TRÌNH\n"
        "và việc đề nghị phê duyệt danh sách địa bàn trọng điểm\nKính gửi: Chủ tịch UBND tỉnh\n"
    )
    doc = Document(source=Source(path="<scan>"))
    doc.pages = [Page(number=1, method="ocr", text=text)]
    doc.text.body = text
    doc.text.method = "ocr"
    assert segment(doc, Config()).layout.title == (
        "Về việc đề nghị phê duyệt danh sách địa bàn trọng điểm"
    )


def test_a_place_date_line_with_an_ocr_damaged_ngay_is_still_one() -> None:
    assert lh.is_place_date_line("Hà Nội, ngàu — tháng 10 năm 2025")
    assert lh.is_place_date_line("Lào Cai, ngay 02 tháng 7 năm 2026")
    assert not lh.is_place_date_line("Hà Nội, nguyên tắc chung của tháng")


def test_a_recipients_list_whose_label_was_lost_is_no_body_text() -> None:
    # The seal took `Nơi nhận:`; its `Lưu: VT` line still marks the list, which runs up
    # to the body's last sentence.
    text = (
        HEADER.split("Nơi nhận:")[0].rstrip("\n")
        + "\nMọi thông tin cần trao đổi, đề nghị liên hệ Phòng 5 (điện thoại: 0988.688.580).\n"
        "TQe Te AIDS, MT, MD (để b\n- Bộ Công an, Bộ Y\ntế (để báo cáo);\n"
        "- Các đơn vị thuộc C04 (để thực hiện);\n- Lưu: VT, P5.\n"
        "PHÓ TỔ TRƯỞNG THƯỜNG TRỰC\nĐại tá Bùi Duy Hưng\n"
    )
    doc = _segment(text)
    assert doc.layout.recipients[-2:] == ["Các đơn vị thuộc C04 (để thực hiện);", "Lưu: VT, P5."]
    body = [s.heading + s.text for s in doc.layout.sections for s in [s, *s.children]]
    assert not any("C04" in b or "Lưu" in b for b in body)
    assert (doc.layout.signature.position, doc.layout.signature.name) == (
        "PHÓ TỔ TRƯỞNG THƯỜNG TRỰC",
        "Bùi Duy Hưng",
    )
    assert cl.unlabelled_recipients(["1. Tổ chức hội nghị.", "- Bộ Công an;"], 0, 2) is None


def test_a_sentence_cut_by_a_page_break_goes_on_in_its_item() -> None:
    # Pages are joined by a blank line; the next page opens in lower case mid-sentence.
    tree = build_tree(
        [
            "1. Sở Tài chính chủ trì, phối hợp với các đơn vị liên quan bố trí",
            "",
            "kinh phí thực hiện Kế hoạch.",
            "2. Sở Nội vụ theo dõi.",
        ]
    )
    assert [s.heading for s in tree] == [
        "Sở Tài chính chủ trì, phối hợp với các đơn vị liên quan bố trí kinh phí thực hiện"
        " Kế hoạch.",
        "Sở Nội vụ theo dõi.",
    ]


def test_a_finished_sentence_before_a_blank_line_is_not_continued() -> None:
    tree = build_tree(["1. Sở Tài chính bố trí kinh phí.", "", "ghi chú của trang sau", "2. Khác."])
    assert tree[0].heading == "Sở Tài chính bố trí kinh phí."
    assert tree[0].text == "ghi chú của trang sau"


def test_part_numerals_ocr_misread_follow_the_sequence() -> None:
    # `II.` read as `H.`, then `III.` read as `II.`: the parts keep their order.
    tree = build_tree(
        [
            "I. MỤC ĐÍCH, YÊU CẦU",
            "1. Mục đích.",
            "H. NỘI DUNG KẾ HOẠCH",
            "1. Sở Tư pháp tuyên truyền Luật.",
            "II. KINH PHÍ BẢO ĐẢM",
            "Kinh phí do ngân sách bảo đảm.",
        ]
    )
    assert [(s.marker, s.heading) for s in tree] == [
        ("I", "MỤC ĐÍCH, YÊU CẦU"),
        ("II", "NỘI DUNG KẾ HOẠCH"),
        ("III", "KINH PHÍ BẢO ĐẢM"),
    ]


def test_an_h_before_a_mixed_case_heading_is_no_part() -> None:
    assert parse_marker("H. Nguyễn Văn A phụ trách") is None


def _scanned(text: str) -> Document:
    doc = Document(source=Source(path="<scan>"))
    doc.pages = [Page(number=1, method="ocr", text=text)]
    doc.text.body = text
    doc.text.method = "ocr"
    return segment(doc, Config())


def test_a_scanned_title_in_capitals_keeps_its_lines_past_a_code_and_a_minority_place() -> None:
    # `27/CT-TTg` keeps its small `g` inside a title in capitals; `ĐẮK LẮK` is no
    # Vietnamese syllable, but a province's name; both lines are long, yet no paragraph.
    text = (
        "ỦY BAN NHÂN DÂN\nTỈNH ĐẮK LẮK\nSố: 12/KH-UBND\nĐắk Lắk, ngày 3 tháng 2 năm 2026\n"
        "KẾ HOẠCH\nTHỰC HIỆN CHỈ THỊ SỐ 27/CT-TTg NGÀY 15 THÁNG 8 NĂM 2024 CỦA THỦ TƯỚNG\n"
        "CHÍNH PHỦ VỀ VIỆC TĂNG CƯỜNG CÔNG TÁC DÂN SỐ TRONG TÌNH HÌNH MỚI TRÊN ĐỊA BÀN TỈNH\n"
        "ĐẮK LẮK\n"
        "Thực hiện Chỉ thị số 27/CT-TTg ngày 15 tháng 8 năm 2024 của Thủ tướng Chính phủ về\n"
        "việc tăng cường thực hiện công tác dân số, Ủy ban nhân dân tỉnh ban hành Kế hoạch.\n"
    )
    assert _scanned(text).layout.title == (
        "THỰC HIỆN CHỈ THỊ SỐ 27/CT-TTg NGÀY 15 THÁNG 8 NĂM 2024 CỦA THỦ TƯỚNG CHÍNH PHỦ VỀ "
        "VIỆC TĂNG CƯỜNG CÔNG TÁC DÂN SỐ TRONG TÌNH HÌNH MỚI TRÊN ĐỊA BÀN TỈNH ĐẮK LẮK"
    )
