"""The `perspective` step: a photographed sheet found on its desk and flattened."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import has_tesseract
from PIL import Image, ImageDraw

from pipeline.config import Config
from pipeline.ocr import perspective, preprocess, recognise_page

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "samples"))
import make_scans  # noqa: E402

PAGE = (620, 877)  # an A4 sheet at 75 dpi


def _page() -> Image.Image:
    """A sheet with a black block in its top-left corner and ruled lines of 'text'."""
    page = Image.new("RGB", PAGE, "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle((40, 40, 140, 90), fill="black")
    for y in range(150, 820, 40):
        draw.rectangle((60, y, 560, y + 6), fill=(30, 30, 30))
    return page


def _flattened(image: Image.Image) -> Image.Image:
    return perspective.flatten(image, preprocess.thumbnail(image))


def test_a_photographed_sheet_is_warped_back_to_its_shape() -> None:
    photo = make_scans.photograph(_page(), seed=3)
    flat = _flattened(photo)
    assert flat is not photo and flat.mode == "RGB"
    # The sheet's size comes back (the near edge keeps the full width and height) …
    assert abs(flat.width - PAGE[0]) < 0.04 * PAGE[0]
    assert abs(flat.height - PAGE[1]) < 0.04 * PAGE[1]
    gray = np.asarray(flat.convert("L"))
    # … the corner block lands in the corner, the desk is gone …
    assert gray[int(0.05 * flat.height) : int(0.09 * flat.height), 50:130].mean() < 90
    assert np.median(gray[: flat.height // 2, flat.width - 20 :]) > 200
    # … and every ruled line is level again: one row of the sheet holds all its ink.
    rows = (gray[int(0.2 * flat.height) : int(0.9 * flat.height)] < 128).sum(axis=1)
    assert rows.max() > 0.75 * 500


def test_a_sheet_lying_square_on_the_desk_is_cut_out() -> None:
    desk = Image.new("RGB", (800, 1050), make_scans.DESK)
    desk.paste(_page(), (90, 80))
    flat = _flattened(desk)
    assert abs(flat.width - PAGE[0]) <= 8 and abs(flat.height - PAGE[1]) <= 8
    assert np.asarray(flat.convert("L"))[:, -3:].min() > 200  # no desk left at the edge


@pytest.mark.parametrize(
    "image",
    [
        _page(),  # a scan: the paper fills the frame
        _page().convert("L"),
        make_scans.photograph(_page(), seed=1).point(lambda v: max(v, 225)),  # pale desk
    ],
    ids=["scan", "gray scan", "no contrast"],
)
def test_pages_that_are_no_photo_are_returned_unchanged(image: Image.Image) -> None:
    assert _flattened(image) is image


def test_a_quadrilateral_that_is_no_sheet_is_left_alone() -> None:
    # A bright triangle-like shape on a dark ground: four corners, but one angle ≈ 30°.
    image = Image.new("L", (800, 800), 60)
    ImageDraw.Draw(image).polygon([(100, 700), (700, 700), (700, 600), (150, 100)], fill=235)
    assert perspective.find_sheet(np.asarray(image)) is None


@pytest.mark.tesseract
def test_a_phone_photo_of_a_plan_is_read(tmp_path) -> None:
    if not has_tesseract():
        pytest.skip("tesseract with vie data is not installed")
    page = next(m for m in make_scans.generate_features(tmp_path) if m["kind"] == "photo")
    image = Image.open(page["path"])
    steps = Config().preprocess
    without = tuple(s for s in steps if s != "perspective")
    read = recognise_page(1, image, page["dpi"], Config(preprocess=steps, workers=1))
    assert "KẾ HOẠCH" in read.text and "II. NHIỆM VỤ CỤ THỂ" in read.text
    number = next(f for f in read.fields if f.name == "number")
    assert (number.text, number.complete) == ("24/KH-UBND", True)
    flat_less = recognise_page(1, image, page["dpi"], Config(preprocess=without, workers=1))
    assert "KẾ HOẠCH" not in flat_less.text  # the step is what makes the page readable
