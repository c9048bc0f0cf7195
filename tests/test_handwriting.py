"""The hand-written digit reader (`pipeline.ocr.handwriting`) and its place in the number
and date re-read (`pipeline.ocr.fields`), on generated crops and pages: right readings,
unreadable ink left incomplete, wrong-looking ink refused."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import has_tesseract
from PIL import Image, ImageDraw, ImageFont

from pipeline.errors import ModelError
from pipeline.ocr import fields, handwriting

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "samples"))
sys.path.insert(0, str(ROOT))

import make_scans  # noqa: E402

from benchmarks import bench_digits  # noqa: E402

LINE = bench_digits.LINE


def _read(mask: np.ndarray, top: float, bottom: float, kind: str = "number"):
    return handwriting.read(mask, top, bottom, fields._MAX_DIGITS[kind])


def test_pen_digits_are_read_right_or_left_out_never_wrong() -> None:
    rng = random.Random(5)
    right = wrong = 0
    for _ in range(60):
        truth = bench_digits._digits(rng, "day")
        got = _read(*bench_digits._crop(rng, truth, rng.random() < 0.3), "day")
        if got is not None:
            right += got.digits.lstrip("0") == truth.lstrip("0")
            wrong += got.digits.lstrip("0") != truth.lstrip("0")
    assert wrong == 0
    assert right >= 20  # the benchmark reads about 60 % of day fields (README)


def test_a_reading_carries_the_weakest_glyph_probability() -> None:
    rng = random.Random(5)
    readings = [_read(*bench_digits._crop(rng, "20", False), "day") for _ in range(20)]
    got = next(r for r in readings if r is not None)
    assert got.digits == "20"
    assert handwriting.load_model().threshold <= got.confidence <= 1.0


def test_a_scribble_or_an_empty_crop_gives_no_reading() -> None:
    rng = random.Random(3)
    for k in range(20):
        mask, top, bottom = bench_digits._crop(rng, "", False)
        image = Image.fromarray(np.where(mask, 0, 255).astype(np.uint8))
        box = (LINE * 0.3, top - LINE * 0.1, LINE * 2.5, top + LINE * 0.9)
        make_scans._scribble(ImageDraw.Draw(image), rng, box, 0, 5, 2 + k % 3)
        assert _read(np.asarray(image) < 128, top, bottom) is None
    assert _read(mask, top, bottom) is None  # nothing written at all


def test_print_letters_are_not_digits() -> None:
    font = ImageFont.truetype(
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf", LINE
    )
    height = round(LINE * 2.5)
    image = Image.new("L", (LINE * 4, height), 255)
    top = fields.CROP_ABOVE * LINE
    ImageDraw.Draw(image).text((LINE * 0.3, top - LINE * 0.2), "KH", font=font, fill=0)
    assert _read(np.asarray(image) < 128, top, top + LINE) is None


def test_a_digit_cut_by_the_crop_edge_refuses_the_reading() -> None:
    rng = random.Random(1)
    mask, top, bottom = bench_digits._crop(rng, "246", False)
    glyphs = handwriting.segment(mask, top, bottom)
    assert glyphs is not None and len(glyphs) == 3
    cut = mask[:, : glyphs[-1].left + glyphs[-1].width // 2]  # the `6` cut in half
    assert handwriting.segment(cut, top, bottom) is None
    assert _read(cut, top, bottom) is None  # never `24`


def test_digits_run_together_are_cut_apart() -> None:
    glyph = np.zeros((60, 80), dtype=bool)
    glyph[5:55, 5:35] = True  # two blocks joined by a thin bridge: 80 wide, 60 tall
    glyph[5:55, 45:75] = True
    glyph[28:31, 35:45] = True
    pieces = handwriting._split(handwriting._components(glyph)[0])
    assert len(pieces) == 2
    assert pieces[0].right <= 46 and pieces[1].left >= 34


def test_the_pieces_of_one_digit_are_joined() -> None:
    mask = np.zeros((100, 80), dtype=bool)
    mask[30:75, 20:26] = True  # the body of a `5`
    mask[30:34, 26:50] = True
    mask[26:30, 22:55] = False
    mask[22:26, 24:56] = True  # its flag, drawn apart above, overlapping in columns
    glyphs = handwriting.segment(mask, 30.0, 75.0)
    assert glyphs is not None and len(glyphs) == 1


def test_tesseract_and_the_model_disagreeing_keep_neither() -> None:
    rng = random.Random(5)
    for _ in range(20):
        mask, top, bottom = bench_digits._crop(rng, "20", False)
        hand = _read(mask, top, bottom, "day")
        if hand is not None:
            break
    reader = fields._Reader(Image.new("L", (10, 10), 255), None, 300, "vie")
    assert reader._checked((None, 0.0), mask, mask, (top, bottom), "day")[0] == "20"
    assert reader._checked(("20", 70.0), mask, mask, (top, bottom), "day")[0] == "20"
    assert reader._checked(("26", 95.0), mask, mask, (top, bottom), "day")[0] is None
    assert reader._checked(("8", 95.0), mask, mask, (top, bottom), "day")[0] is None  # 2 glyphs
    off = fields._Reader(Image.new("L", (10, 10), 255), None, 300, "vie", hand=False)
    assert off._checked(("26", 95.0), mask, mask, (top, bottom), "day")[0] == "26"


def test_features_fit_the_model_and_ignore_position() -> None:
    glyph = np.zeros((40, 30), dtype=bool)
    glyph[5:35, 12:18] = True
    moved = np.zeros((60, 60), dtype=bool)
    moved[20:50, 40:46] = True
    a, b = handwriting.glyph_features(glyph), handwriting.glyph_features(moved)
    assert a.shape == (handwriting.FEATURES,) == handwriting.load_model().mean.shape
    np.testing.assert_allclose(a, b, atol=1e-5)
    assert not handwriting.glyph_features(np.zeros((5, 5), bool)).any()


def test_a_missing_model_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="make models"):
        handwriting.load_model(tmp_path / "none.npz")


def test_the_model_round_trips(tmp_path: Path) -> None:
    model = handwriting.load_model()
    handwriting.save_model(tmp_path / "m.npz", model)
    again = handwriting.load_model(tmp_path / "m.npz")
    features = np.random.default_rng(0).random((3, handwriting.FEATURES), dtype=np.float32)
    np.testing.assert_allclose(model.probabilities(features), again.probabilities(features))
    assert again.threshold == model.threshold


@pytest.mark.tesseract
@pytest.mark.skipif(not has_tesseract(), reason="needs tesseract with vie data")
def test_a_page_with_pen_digits_gets_them_from_the_model_only() -> None:
    from pipeline.ocr import preprocess, tesseract

    image, truth = bench_digits._page(random.Random(0), "haiphong", make_scans.BLUE_INK)
    gray = preprocess.prepare(image, bench_digits.PREPARE, dpi=make_scans.DPI)
    words = tesseract.recognise(gray, languages="vie", dpi=make_scans.DPI) or []
    _, without = fields.reread(words, gray, image, make_scans.DPI, hand_digits=False)
    _, with_model = fields.reread(words, gray, image, make_scans.DPI)
    date_without = next(r for r in without if r.name == "date")
    date_with = next(r for r in with_model if r.name == "date")
    assert truth["day"] not in date_without.text.split(" tháng")[0]
    assert date_with.text.startswith(f"ngày {truth['day']} tháng")
    for scores in (bench_digits._score(without, truth), bench_digits._score(with_model, truth)):
        assert "wrong" not in scores.values()


def test_the_gate_is_calibrated_to_the_lowest_threshold_without_held_out_errors() -> None:
    from pipeline.ocr.training import digits

    classes = handwriting.REJECT + 1
    weights = np.zeros((handwriting.FEATURES, classes), dtype=np.float32)
    weights[:classes, :classes] = np.eye(classes)  # feature k is the logit of class k
    ones = np.ones(handwriting.FEATURES, dtype=np.float32)
    model = handwriting.DigitModel(
        [[(weights, np.zeros(classes, np.float32))]], 0 * ones, ones, 0.0
    )
    features = np.zeros((101, handwriting.FEATURES), dtype=np.float32)
    labels = np.arange(101) % 10
    features[np.arange(100), labels[:100]] = 10.0  # sure and right: p = 0.99955
    features[100, 5], labels[100] = 6.0, 3  # fairly sure and wrong: p = 0.9758
    threshold, figures = digits.calibrate(model, features, labels)
    assert threshold == pytest.approx(0.976)
    assert figures["accepted wrong"] == 0.0 and figures["digits accepted"] == pytest.approx(
        100 / 101
    )
    features[:100] = 0.0
    features[np.arange(100), (labels[:100] + 1) % 10] = 10.0  # all sure and all wrong
    assert digits.calibrate(model, features, labels)[0] == 1.0  # nothing gets through


def test_training_strokes_make_digit_sized_glyphs() -> None:
    from pipeline.ocr.training import digits

    rng = np.random.default_rng(0)
    for styles in digits.STROKES.values():
        for style in styles:
            glyph = digits.distort(digits._stroked(style, rng), rng)
            h, w = glyph.shape
            assert h >= 20 and 0.1 < w / h < 1.6
            assert handwriting.glyph_features(glyph).any()
