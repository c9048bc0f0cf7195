"""The `signature` OCR step: a signature column the first pass lost to a seal and a
signature is re-read alone; pages that show their signature block are left as they are."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import has_tesseract
from PIL import Image, ImageDraw

from pipeline.chain import run_stages
from pipeline.config import Config
from pipeline.ingest import new_document
from pipeline.ocr import signature, tesseract
from pipeline.ocr.tesseract import Word

ROOT = Path(__file__).resolve().parent.parent
WITHOUT = tuple(s for s in Config().preprocess if s != "signature")


def _line(texts: list[str], top: int, left: int, line: int, conf: float = 95.0) -> list[Word]:
    words, x = [], left
    for text in texts:
        width = 30 * len(text)
        words.append(Word(text, conf, x, top, width, 40, 1, 1, line))
        x += width + 20
    return words


def _page_words(signature_lines: list[list[str]]) -> list[Word]:
    """A last page's first pass: a body line, the recipients left, maybe a column right."""
    words = _line(["Ủy", "ban", "nhân", "dân", "thành", "phố", "yêu", "cầu", "thực", "hiện./."],
                  400, 200, 1)  # fmt: skip
    words += _line(["Nơi", "nhận:"], 600, 200, 2)
    words += _line(["-", "Như", "trên;"], 660, 200, 3)
    words += _line(["-", "Lưu:", "VT."], 720, 200, 4)
    for k, texts in enumerate(signature_lines):
        words += _line(texts, 600 + 60 * k, 1500, 5 + k)
    return words


def _no_tesseract(*args, **kwargs):
    raise AssertionError("the step must not run Tesseract here")


def test_a_page_with_its_signature_block_costs_no_reading(monkeypatch) -> None:
    monkeypatch.setattr(tesseract, "recognise", _no_tesseract)
    words = _page_words([["KT.", "CHỦ", "TỊCH"], ["PHÓ", "CHỦ", "TỊCH"], ["Vũ", "Tiến", "Phụng"]])
    page = Image.new("L", (2480, 3508), 255)
    assert signature.reread_column(words, page, None, 300) == (words, [])


def test_a_page_that_shows_no_document_end_is_left_alone(monkeypatch) -> None:
    monkeypatch.setattr(tesseract, "recognise", _no_tesseract)
    words = _line(["Tổ", "chức", "thực", "hiện", "các", "nhiệm", "vụ", "sau"], 400, 200, 1)
    page = Image.new("L", (2480, 3508), 255)
    assert signature.reread_column(words, page, None, 300) == (words, [])


def test_the_column_box_lies_below_the_body_and_right_of_the_recipients() -> None:
    lines = signature._lines(_page_words([]), 2480)
    end = signature._end_line(lines)
    assert lines[end].text == "Nơi nhận:"
    x0, y0, x1, y1 = signature.column_box(lines, end, 2480, 3508)
    assert x0 > 200 + 30 * len("trên;") + 200  # right of the widest recipient line
    assert 440 <= y0 < 600  # below the body line, above the label's row
    assert x1 == 2480 and y1 > 3000


def test_a_re_read_line_keeps_print_and_drops_strokes() -> None:
    def words(*pairs: tuple[str, float]) -> list[Word]:
        return [Word(t, c, 100 * k, 0, 80, 40, 1, 1, 1) for k, (t, c) in enumerate(pairs)]

    kept = signature._text_words(words(("KT,", 93), ("CỤC", 87), ("TRƯỜNG", 96), ("'", 10)))
    assert [w.text for w in kept] == ["KT.", "CỤC", "TRƯỜNG"]
    kept = signature._text_words(words(("*s*Phạm", 44), ("Huy", 96), ("Nam", 96), ("Sơn", 97)))
    assert [w.text for w in kept] == ["Phạm", "Huy", "Nam", "Sơn"]
    # A name's syllable the pen crossed stays for the segment stage to complete.
    kept = signature._text_words(words(("Hơãñg", 24), ("Chí", 97), ("Hiện", 82)))
    assert [w.text for w in kept] == ["Hơãñg", "Chí", "Hiện"]
    # A seal's ring and strokes: no syllables, or syllables read without confidence.
    assert signature._text_words(words(("Ñ", 30), ("|", 60), ("'ƒ", 12))) == []
    assert signature._text_words(words(("VÀ,", 46), ("MÀ", 66))) == []


def test_dark_print_is_kept_and_seal_ink_goes_even_where_dark() -> None:
    page = Image.new("RGB", (800, 300), "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle((100, 100, 700, 130), fill=(20, 20, 20))  # print
    draw.rectangle((100, 200, 700, 230), fill=(105, 22, 25))  # a dark seal's stroke
    crop = np.asarray(signature.dark_crops(page.convert("L"), page, (0, 0, 800, 300))[-1])
    pad = signature.PAD
    assert crop[pad + 115, pad + 400] == 0
    assert crop[pad + 215, pad + 400] == 255


@pytest.fixture(scope="module")
def dark_column_page(tmp_path_factory) -> Path:
    """The Hải Phòng plan's last page with a dark seal and pen over its signature column."""
    if not has_tesseract():
        pytest.skip("tesseract with vie data is not installed")
    sys.path.insert(0, str(ROOT / "samples"))
    import make_scans

    last = make_scans.render_pages(make_scans.load_layout("haiphong"), hand=True)[-1]
    image, dpi = make_scans.scan_colour(make_scans.decorate_dark_column(last, seed=1), seed=1)
    path = tmp_path_factory.mktemp("column") / "haiphong-dark-column.png"
    image.save(path, dpi=(dpi, dpi))
    return path


@pytest.mark.tesseract
def test_a_signature_column_the_first_pass_lost_is_read_again(dark_column_page: Path) -> None:
    without = run_stages(new_document(dark_column_page), Config(workers=1, preprocess=WITHOUT))
    assert without.metadata.signer_position is None  # the first pass lost the column
    doc = run_stages(new_document(dark_column_page), Config(workers=1))
    assert doc.metadata.signer == "Vũ Tiến Phụng"
    assert doc.metadata.signer_position == "Phó Chủ tịch"
    assert (doc.metadata.signer_authority or "").startswith("TM.")


@pytest.mark.tesseract
def test_the_step_leaves_a_page_with_its_signature_block_as_it_was(tmp_path: Path) -> None:
    if not has_tesseract():
        pytest.skip("tesseract with vie data is not installed")
    sys.path.insert(0, str(ROOT / "samples"))
    import make_scans

    last = make_scans.render_pages(make_scans.load_layout("haiphong"), hand=True)[-1]
    image, dpi = make_scans.scan_colour(make_scans.decorate(last, {"seal"}, seed=3), seed=3)
    path = tmp_path / "sealed.png"
    image.save(path, dpi=(dpi, dpi))
    texts = [
        run_stages(new_document(path), Config(workers=1, preprocess=steps)).pages[0].text
        for steps in (WITHOUT, Config().preprocess)
    ]
    assert texts[0] == texts[1]
    assert "PHÓ CHỦ TỊCH" in texts[1]


def test_a_re_read_with_less_text_than_the_first_pass_changes_nothing(monkeypatch) -> None:
    # The first pass read the column but for its position line (`TIC`: no syllable).
    words = _page_words([["PHÓ", "CHỦ", "TIC"], ["Vũ", "Tiến", "Phụng"]])
    monkeypatch.setattr(
        tesseract, "recognise", lambda *a, **k: [Word("Phụng", 90, 300, 300, 150, 40, 1, 1, 1)]
    )
    page = Image.new("L", (2480, 3508), 255)
    assert signature.reread_column(words, page, None, 300) == (words, [])
