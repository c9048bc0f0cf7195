"""The optional OCR steps for real scans, on generated pages: seals and pen ink painted
out (`seal`), the number and date re-read as digits (`fields`)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import has_tesseract
from PIL import Image, ImageDraw

from pipeline.config import Config
from pipeline.ocr import ink, recognise_page

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
