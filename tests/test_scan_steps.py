"""The OCR steps for real scans, on generated pages: seals and pen ink painted out
(`seal`), the number and date re-read as digits (`fields`), ruled tables (`tables`),
marks left out of the text, pages turned 90°/180° or laid crooked."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import has_tesseract
from PIL import Image, ImageDraw

from pipeline.chain import run_stages
from pipeline.config import Config
from pipeline.ingest import new_document
from pipeline.ocr import fields, ink, is_mark_line, page_text, recognise_page
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
