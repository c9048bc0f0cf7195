"""The OCR steps for real scans, on generated pages: seals and pen ink painted out
(`seal`), the number and date re-read as digits (`fields`), ruled tables (`tables`),
marks left out of the text, pages turned 90°/180° or laid crooked."""

from __future__ import annotations

import sys
from dataclasses import replace
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np
import pytest
from conftest import has_tesseract
from PIL import Image, ImageDraw

from pipeline.chain import run_stages
from pipeline.config import Config
from pipeline.ingest import new_document
from pipeline.ocr import (
    _cell_reader,
    fields,
    ink,
    is_mark_line,
    page_text,
    recognise_page,
    tables,
    tesseract,
)
from pipeline.ocr.tesseract import Word

ROOT = Path(__file__).resolve().parent.parent


def test_a_red_seal_is_painted_white_and_black_print_is_kept() -> None:
    page = Image.new("RGB", (1200, 800), "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle((100, 380, 1100, 420), fill=(20, 20, 20))  # a line of print
    draw.ellipse((400, 250, 700, 550), outline=(210, 30, 40), width=14)  # a seal, 25 mm
    cleaned = np.asarray(ink.remove_seals(page, dpi=300).convert("L"))
    assert cleaned[255:265, 545:555].min() > 200  # the seal's ring is gone
    assert cleaned[395:405, 150:160].max() < 80  # the print outside it stays
    assert cleaned[395:405, 545:555].max() < 80  # and so does the print under it


def test_a_page_without_coloured_ink_is_returned_unchanged() -> None:
    page = Image.new("RGB", (600, 400), "white")
    ImageDraw.Draw(page).rectangle((50, 50, 550, 80), fill=(0, 0, 0))
    assert ink.remove_seals(page, dpi=300) is page


@pytest.fixture(scope="module")
def feature_pages(tmp_path_factory) -> dict[str, dict]:
    if not has_tesseract():
        pytest.skip("tesseract with vie data is not installed")
    sys.path.insert(0, str(ROOT / "samples"))
    import make_scans

    out = tmp_path_factory.mktemp("features")
    return {m["kind"]: m for m in make_scans.generate_features(out)}


STEPS = ("seal", "grayscale", "orientation", "denoise", "deskew", "fields")


@pytest.mark.tesseract
@pytest.mark.parametrize(("kind", "complete"), [("hand", True), ("scribble", False)])
def test_handwritten_digits_are_read_or_left_out_never_invented(
    feature_pages, kind: str, complete: bool
) -> None:
    page = feature_pages[kind]
    image = Image.open(page["path"])
    result = recognise_page(1, image, page["dpi"], Config(preprocess=STEPS, workers=1))
    number = next(f for f in result.fields if f.name == "number")
    assert number.complete is complete
    assert " ".join(number.text.split()).replace(" ", "").endswith(page["gold"]["number"])
    if not complete:
        assert not any(ch.isdigit() for ch in number.text)  # the printed part only


def _line(*words: tuple[str, float], top: int = 100) -> list[Word]:
    """One Tesseract line of (text, confidence) words, 30 px apart."""
    out, left = [], 50
    for text, conf in words:
        width = 30 * max(len(text), 1)
        out.append(Word(text, conf, left, top, width, 40, 1, 1, 1))
        left += width + 30
    return out


def test_confident_print_digits_are_kept_whatever_the_suffix_word_scored() -> None:
    # `/KH-UBND` read at 48 says nothing of the `24` before it (read at 95).
    line = _line(("Số:", 97), ("24", 95), ("/KH-UBND", 48))
    _, readings = fields.reread(line, Image.new("L", (1000, 1000), 255), None, 300)
    assert [(r.text, r.complete, r.source) for r in readings] == [("24/KH-UBND", True, "print")]


def test_digits_glued_to_so_are_the_number() -> None:
    line = _line(("Số:83", 92), ("/KH-UBND", 90))
    _, readings = fields.reread(line, Image.new("L", (1000, 1000), 255), None, 300)
    assert readings[0].text == "83/KH-UBND" and readings[0].complete


def test_a_party_number_keeps_its_type_code_in_the_suffix() -> None:
    line = _line(("Số", 95), ("05-HD/VPTW", 91))
    _, readings = fields.reread(line, Image.new("L", (1000, 1000), 255), None, 300)
    assert readings[0].text == "05-HD/VPTW" and readings[0].complete


def test_lines_of_marks_are_left_out_and_text_lines_kept() -> None:
    seal = _line(("À", 86), (".^A", 33), ("vé", 0), ("Lá", 59), ("`-4", 66))
    assert is_mark_line(seal)
    assert not is_mark_line(_line(("BÁO", 92), ("CÁO", 96)))
    assert not is_mark_line(_line(("12", 90)))  # a page number is text
    words = [*_line(("Về", 84), ("việc", 97), top=640), *[
        replace(w, line=2) for w in _line(("À", 86), (".^A", 33), top=600)
    ]]  # fmt: skip
    assert page_text(words, 2000, 1) == "Về việc"


def _read(page: dict, steps: tuple[str, ...] | None = None):
    config = Config(workers=1) if steps is None else Config(workers=1, preprocess=steps)
    return run_stages(new_document(Path(page["path"])), config)


@pytest.mark.tesseract
@pytest.mark.parametrize("kind", ["turn90", "turn180", "skew"])
def test_turned_and_crooked_pages_give_number_date_and_title(feature_pages, kind: str) -> None:
    doc = _read(feature_pages[kind])
    meta = doc.metadata
    assert (meta.number, meta.number_complete) == ("24/KH-UBND", True)
    assert meta.issue_date.isoformat() == "2026-01-26"
    assert meta.title.startswith("Triển khai một số nhiệm vụ trọng tâm")
    if kind != "skew":
        assert any("turned" in w for w in doc.warnings)


@pytest.mark.tesseract
def test_a_sealed_signature_block_gives_signer_and_position(feature_pages) -> None:
    """The default steps paint the seal out; without `seal` the position is lost."""
    meta = _read(feature_pages["seal"]).metadata
    assert (meta.signer, meta.signer_position) == ("Vũ Tiến Phụng", "Phó Chủ tịch")
    assert "KT." in meta.signer_authority
    plain = tuple(s for s in Config().preprocess if s != "seal")
    assert _read(feature_pages["seal"], plain).metadata.signer_position is None


@pytest.mark.tesseract
def test_a_one_bit_scan_gives_its_date(feature_pages) -> None:
    meta = _read(feature_pages["bilevel"]).metadata
    assert meta.issue_date.isoformat() == "2026-01-26"
    assert (meta.number, meta.number_complete) == ("24/KH-UBND", True)


@pytest.mark.tesseract
def test_a_ruled_table_is_read_row_by_row(feature_pages) -> None:
    page = feature_pages["table"]
    doc = _read(page)
    text = "\n".join(p.text for p in doc.pages)
    # Each task's wording and its lead stand on one line, in table order.
    rows = [line for line in text.splitlines() if "Sở Nội vụ" in line]
    assert len(rows) == 2 and "phát động phong trào" in rows[0]
    assert text.index("phát động") < text.index("Tuyên truyền") < text.index("Kiểm tra")


def test_an_upper_case_so_in_the_issuer_block_is_not_the_number_line() -> None:
    # `THEO QUYẾT ĐỊNH SỐ 1050/QĐ-SCT` names another decision; the number comes below.
    heading = _line(("SỐ", 93), ("1050/QĐ-SCT", 76), top=446)
    number = _line(("Số:", 93), ("1105/KH-ĐKT", 91), top=574)
    words = [*heading, *[replace(w, line=2) for w in number]]
    out, readings = fields.reread(words, Image.new("L", (2000, 3000), 255), None, 300)
    assert [r.text for r in readings] == ["1105/KH-ĐKT"]
    assert "SỐ 1050/QĐ-SCT" in page_text(out, 2000, 1)


def test_an_eth_echoing_a_capital_d_is_dropped() -> None:
    words = _line(("Số:", 93), ("1050/QĐÐ-SCT", 80), ("ĐĐBQH", 90))
    assert page_text(words, 3000, 1) == "Số: 1050/QĐ-SCT ĐĐBQH"


def test_the_lettering_inside_a_red_stamp_box_goes_with_its_frame() -> None:
    page = Image.new("RGB", (1200, 800), "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle((100, 100, 700, 450), outline=(235, 120, 140), width=4)  # 50 mm box
    draw.rectangle((160, 160, 400, 200), fill=(240, 110, 145))  # `UBND TỈNH …`, bright red
    draw.rectangle((100, 600, 1100, 640), fill=(20, 20, 20))  # print below the stamp
    draw.rectangle((900, 150, 940, 190), fill=(240, 110, 145))  # a small red mark outside
    cleaned = np.asarray(ink.remove_seals(page, dpi=300).convert("L"))
    assert cleaned[170:190, 200:380].min() > 200  # the lettering is gone
    assert cleaned[610:630, 150:160].max() < 80  # the print stays
    assert cleaned[160:180, 910:930].max() < 200  # red print outside a stamp stays


def test_words_run_together_in_the_fields_are_taken_apart() -> None:
    number = _line(("Số:", 95), ("24KH-UBND", 90))
    date = [
        replace(w, line=2)
        for w in _line(("ngày", 95), ("26tháng", 90), ("01", 92), ("]năm", 90), ("2026", 96))
    ]
    _, readings = fields.reread([*number, *date], Image.new("L", (2000, 3000), 255), None, 300)
    assert [(r.text, r.complete) for r in readings] == [
        ("24/KH-UBND", True),
        ("ngày 26 tháng 01 năm 2026", True),
    ]


def test_a_digit_read_as_a_slash_leaves_the_number_unread_not_wrong() -> None:
    line = _line(("Số:", 95), ("2/94/KH-UBND", 90))
    _, readings = fields.reread(line, Image.new("L", (2000, 3000), 255), None, 300)
    assert [(r.text, r.complete) for r in readings] == [("/KH-UBND", False)]
    dated = _line(("Số:", 95), ("12/2024/NĐ-CP", 92))
    _, readings = fields.reread(dated, Image.new("L", (2000, 3000), 255), None, 300)
    assert [(r.text, r.complete) for r in readings] == [("12/2024/NĐ-CP", True)]


def test_a_code_that_lost_its_slash_gets_it_back() -> None:
    line = _line(("Số:", 95), ("996", 91), ("KH-TCTLNTW-C04", 89))
    _, readings = fields.reread(line, Image.new("L", (2000, 3000), 255), None, 300)
    assert readings[0].text == "996/KH-TCTLNTW-C04"


@pytest.mark.tesseract
@pytest.mark.parametrize("kind", ["hand", "scribble", "bilevel", "phone"])
@pytest.mark.parametrize("seal", [True, False])
def test_a_number_is_right_or_marked_incomplete_never_wrong(feature_pages, kind, seal) -> None:
    steps = Config().preprocess if seal else tuple(s for s in Config().preprocess if s != "seal")
    meta = _read(feature_pages[kind], steps).metadata
    printed = feature_pages[kind]["gold"]["number"].split("/", 1)[1]
    assert meta.number is not None
    if meta.number_complete:
        assert meta.number == "24/KH-UBND"
    else:
        assert meta.number == f"/{printed}"


def test_junk_run_into_the_day_label_is_re_read_not_kept() -> None:
    # `ngày,#3`: a hand-written 23 read as `,#3` glued to its label; never the day 3.
    date = _line(("ngày,#3", 80), ("tháng", 95), ("12", 95), ("năm", 95), ("2025", 96))
    out, readings = fields.reread(date, Image.new("L", (2000, 3000), 255), None, 300)
    assert [(r.text, r.complete) for r in readings] == [("ngày tháng 12 năm 2025", False)]
    assert "#3" not in page_text(out, 3000, 1)


def test_digits_under_a_label_boxed_over_them_are_read_in_their_place() -> None:
    # Tesseract boxed `ngày` over the written day and past `tháng` (a real scan): the day
    # must still come before `tháng` in the page's text.
    words = [
        Word("ngày", 95, 1585, 100, 296, 40, 1, 1, 1),
        Word("20", 95, 1706, 100, 35, 40, 1, 1, 1),
        Word("tháng", 95, 1763, 100, 110, 40, 1, 1, 1),
        Word("3", 95, 1894, 100, 24, 40, 1, 1, 1),
        Word("năm", 95, 1947, 100, 90, 40, 1, 1, 1),
        Word("2018", 96, 2053, 100, 106, 40, 1, 1, 1),
    ]
    out, readings = fields.reread(words, Image.new("L", (2400, 3000), 255), None, 300)
    assert [(r.text, r.complete) for r in readings] == [("ngày 20 tháng 3 năm 2018", True)]
    assert "ngày 20 tháng 3 năm 2018" in page_text(out, 3000, 1)


PLAN_WITH_TABLE = """ỦY BAN NHÂN DÂN
TỈNH LAI CHÂU
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 12/KH-UBND
Lai Châu, ngày 3 tháng 2 năm 2026
KẾ HOẠCH
TRIỂN KHAI CÔNG TÁC THI ĐUA NĂM 2026
Thực hiện Chỉ thị số 41-CT/TW ngày 26/12/2024 của Bộ Chính trị.
I. NHIỆM VỤ
1. Sở Nội vụ tổ chức phát động phong trào thi đua.
Nơi nhận:
- Như trên;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Lê Văn Lương
PHỤ LỤC
DANH MỤC NHIỆM VỤ
TT | Nội dung nhiệm vụ | Cơ quan chủ trì | Thời gian
I. TUYÊN TRUYỀN VÀ PHÁT ĐỘNG
1 | Tổ chức phát động phong trào thi đua yêu nước năm 2026 | Sở Nội vụ | Quý I năm 2026
2 | Tuyên truyền các điển hình tiên tiến trên báo chí | Sở Văn hóa và Thể thao | Thường xuyên
II. KIỂM TRA VÀ TỔNG KẾT
3 | Kiểm tra công tác thi đua, khen thưởng tại các đơn vị | Ban Thi đua - Khen thưởng | Tháng 9 năm 2026
"""
"""A plan written one paragraph per line, its appendix table as ` | ` rows with group
headings between them, as `../shared/real/plans/*.txt` are."""


@pytest.fixture(scope="module")
def make_scans_module():
    sys.path.insert(0, str(ROOT / "samples"))
    import make_scans

    return make_scans


def test_a_plan_in_lines_is_drawn_with_its_appendix_table_ruled(make_scans_module) -> None:
    layout = make_scans_module.parse_plan(PLAN_WITH_TABLE)
    assert layout.title == ["KẾ HOẠCH", "TRIỂN KHAI CÔNG TÁC THI ĐUA NĂM 2026"]
    assert layout.signature == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Lê Văn Lương"]
    assert layout.appendix[0] == "PHỤ LỤC"
    pages = make_scans_module.render_pages(layout)
    assert len(pages) == 2  # the appendix starts a page of its own
    lines = pages[1].lines
    # The rows in order, cells joined as the text gives them; a group heading one line.
    assert lines[2:4] == ["TT | Nội dung nhiệm vụ | Cơ quan chủ trì | Thời gian",
                          "I. TUYÊN TRUYỀN VÀ PHÁT ĐỘNG"]  # fmt: skip
    assert lines[4].startswith("1 | Tổ chức phát động") and lines[4].endswith("| Quý I năm 2026")
    ink = np.asarray(pages[1].image) < 128
    assert (ink.sum(axis=1) > 0.6 * ink.shape[1] * 0.8).sum() >= 6  # the row rules are drawn


def _grid_page(merged_row: int) -> Image.Image:
    """A 4-column ruled grid of 4 rows at 300 dpi whose row `merged_row` has no inner rules."""
    page = Image.new("L", (2000, 1400), 255)
    draw = ImageDraw.Draw(page)
    xs, ys = (200, 400, 1100, 1500, 1900), (200, 400, 600, 800, 1000)
    for y in ys:
        draw.line((xs[0], y, xs[-1], y), fill=0, width=3)
    for r in range(len(ys) - 1):
        for k, x in enumerate(xs):
            if r == merged_row and 0 < k < len(xs) - 1:
                continue
            draw.line((x, ys[r], x, ys[r + 1]), fill=0, width=3)
    return page


def _word(text: str, left: int, top: int) -> Word:
    return Word(text, 95.0, left, top, 30 * len(text), 40, 1, 1, 1)


def test_a_merged_row_is_one_cell_and_other_rows_keep_their_columns() -> None:
    page = _grid_page(merged_row=1)
    words = [
        _word("TT", 220, 280), _word("Nội", 420, 280), _word("dung", 560, 280),
        _word("Chủ", 1120, 280), _word("trì", 1520, 280),
        # the merged heading runs across the column rules of the rows above and below
        _word("I.", 220, 480), _word("TUYÊN", 300, 480), _word("TRUYỀN", 1150, 480),
        _word("CHUNG", 1600, 480),
        _word("1", 220, 680), _word("Phát", 420, 680), _word("động", 560, 680),
        _word("Sở", 1120, 680), _word("Quý", 1520, 680),
    ]  # fmt: skip
    (table,) = tables.find_tables(page, words, 300)
    assert table.lines == ["TT | Nội dung | Chủ | trì", "I. TUYÊN TRUYỀN CHUNG",
                           "1 | Phát động | Sở | Quý"]  # fmt: skip
    # `Page.tables` keeps the grid's columns: the merged text in its first one.
    assert table.rows[1] == ["I. TUYÊN TRUYỀN CHUNG", "", "", ""]
    # Without the per-row rules (every rule present) the heading would be cut apart.
    (grid,) = tables.find_grids(page, 300)
    assert grid.present[1] == [False, False, False] and all(grid.present[0])


def test_ruling_lines_are_painted_white_and_the_text_between_them_kept() -> None:
    page = _grid_page(merged_row=-1)
    ImageDraw.Draw(page).rectangle((450, 280, 900, 320), fill=0)  # a word inside a cell
    grids = tables.find_grids(page, 300)
    clean = np.asarray(tables.erase_rules(page, grids))
    assert clean[195:206, 600].min() == 255 and clean[500, 395:406].min() == 255  # rules gone
    assert clean[300, 460:890].max() == 0  # the word stays whole
    assert tables.erase_rules(page, []).tobytes() == page.tobytes()


@pytest.mark.tesseract
def test_a_table_page_is_read_row_by_row_without_rule_marks(make_scans_module) -> None:
    """The appendix page of `PLAN_WITH_TABLE`, lightly scanned: with the default steps
    (`tables` and `rules`) each row reads as its reference line; without `rules` the
    vertical rules come back as `|` marks glued to the words beside them."""
    if not has_tesseract():
        pytest.skip("tesseract with vie data is not installed")
    page = make_scans_module.render_pages(make_scans_module.parse_plan(PLAN_WITH_TABLE))[1]
    image, dpi = make_scans_module.degrade(page.image, "light", seed=3)
    assert "rules" in Config().preprocess
    text = recognise_page(1, image, dpi, Config(workers=1)).text.splitlines()
    rows = [line for line in page.lines if " | " in line]
    read = [line for line in text if "|" in line]
    # One line per row, as many cells as printed, each row's words close to its reference.
    assert [line.count("|") for line in read] == [line.count("|") for line in rows]
    for want, got in zip(rows, read, strict=True):
        assert SequenceMatcher(None, want, got).ratio() > 0.95, (want, got)
    assert "I. TUYÊN TRUYỀN VÀ PHÁT ĐỘNG" in text and "II. KIỂM TRA VÀ TỔNG KẾT" in text
    without = tuple(s for s in Config().preprocess if s != "rules")
    marked = recognise_page(1, image, dpi, Config(workers=1, preprocess=without)).text
    assert marked.count("|") > sum(line.count("|") for line in rows)


@pytest.mark.tesseract
def test_a_turned_page_reads_its_tables_again_without_their_rules(make_scans_module) -> None:
    """`reread` (a page turned by OSD has its grids found after it was read): the grid's
    box read again with its rules painted out gives the cells' words and no rule marks."""
    if not has_tesseract():
        pytest.skip("tesseract with vie data is not installed")
    page = make_scans_module.render_pages(make_scans_module.parse_plan(PLAN_WITH_TABLE))[1]
    image, dpi = make_scans_module.degrade(page.image, "light", seed=3)
    grids = tables.find_grids(image, dpi)
    assert len(grids) == 1
    words = tables.reread(image, grids, dpi, "vie", 60.0)
    assert words and not any(set(w.text) <= set(tables.RULE_MARKS + "[]!") for w in words)
    (table,) = tables.find_tables(image, words, dpi, grids)
    assert table.lines[1] == "I. TUYÊN TRUYỀN VÀ PHÁT ĐỘNG"
    assert table.lines[2].endswith("| Sở Nội vụ | Quý I năm 2026")


@pytest.mark.tesseract
def test_a_cell_left_without_words_but_with_ink_is_read_alone(make_scans_module) -> None:
    """Tesseract's page layout can drop a column of lone row numbers as noise: a cell of
    a row with text that got no word but holds ink is read from its own crop."""
    if not has_tesseract():
        pytest.skip("tesseract with vie data is not installed")
    page = make_scans_module.render_pages(make_scans_module.parse_plan(PLAN_WITH_TABLE))[1]
    image = page.image
    grids = tables.find_grids(image, 300)
    words = tesseract.recognise(tables.erase_rules(image, grids), dpi=300)
    numbers = [
        w for w in words if w.text.rstrip(".") in {"1", "2", "3"} and w.left < grids[0].xs[1]
    ]
    assert numbers  # the TT column was read on the page
    # as if the page layout had dropped them (and a rule's remains with them)
    lost = tables.without_marks(grids, [w for w in words if w not in numbers])
    reader = _cell_reader(Config(workers=1), 300)
    (table,) = tables.find_tables(image, lost, 300, grids, reader)
    firsts = [line.split(" | ")[0] for line in table.lines if line.count("|") == 3]
    assert [cell.rstrip(".") for cell in firsts] == ["TT", "1", "2", "3"]
    (bare,) = tables.find_tables(image, lost, 300, grids)  # without a reader they stay empty
    assert [line.split(" | ")[0] for line in bare.lines if line.count("|") == 3] == [
        "TT",
        "",
        "",
        "",
    ]
