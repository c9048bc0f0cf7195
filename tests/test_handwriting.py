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
    return handwriting.read(mask, top, bottom, fields._MAX_DIGITS[kind], date=kind != "number")


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
    assert right >= 15  # the benchmark reads about 40 % of day fields (with the variant styles)


def test_a_reading_carries_the_weakest_glyph_probability() -> None:
    rng = random.Random(5)
    readings = [_read(*bench_digits._crop(rng, "20", False), "day") for _ in range(20)]
    got = next(r for r in readings if r is not None)
    assert got.digits == "20"
    assert handwriting.load_model().gate(date=True) <= got.confidence <= 1.0


def test_a_day_or_month_passes_the_date_gate_a_number_the_number_gate() -> None:
    shipped = handwriting.load_model()
    assert shipped.gate(date=True) < shipped.gate() == shipped.threshold
    # The same ink, a gate no glyph reaches for numbers and an open one for dates.
    model = handwriting.DigitModel([], shipped.mean, shipped.scale, 1.01, shipped.convnets, 0.5)
    rng = random.Random(5)
    crops = [bench_digits._crop(rng, "20", False) for _ in range(5)]
    size = fields._MAX_DIGITS["day"]
    assert all(handwriting.read(*crop, size, model) is None for crop in crops)
    dates = [handwriting.read(*crop, size, model, date=True) for crop in crops]
    assert any(r is not None and r.digits == "20" for r in dates)


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
    inner = (0, mask.shape[1])

    def checked(tess, r=reader):
        return r._checked(tess, mask, mask, inner, (top, bottom), "day")[0]

    assert checked((None, 0.0)) == "20"
    assert checked(("20", 70.0)) == "20"
    assert checked(("26", 95.0)) is None
    assert checked(("8", 95.0)) is None  # 2 glyphs
    off = fields._Reader(Image.new("L", (10, 10), 255), None, 300, "vie", hand=False)
    assert checked(("26", 95.0), off) == "26"


def test_black_digits_taller_than_print_need_the_pen_confidence() -> None:
    line = 40
    height = round(line * (1 + fields.CROP_ABOVE + fields.CROP_BELOW))
    band = (fields.CROP_ABOVE * line, (fields.CROP_ABOVE + 1) * line)

    def gray(top: int, bottom: int) -> Image.Image:
        image = Image.new("L", (120, height), 255)
        draw = ImageDraw.Draw(image)
        for x in (20, 50, 80):  # three strokes of a number, `111`
            draw.rectangle((x, top, x + 7, bottom), fill=0)
        return image

    asked = []

    def digits(crop, kind, least):
        asked.append(least)
        return None, 0.0

    for top, bottom, least in (
        (round(band[0]) + 2, round(band[1]) - 2, fields.MIN_DIGIT_CONFIDENCE),  # print's size
        (round(band[0]) - 20, round(band[1]) + 4, fields.HAND_CONFIDENCE),  # 1.6 × the line
    ):
        image = gray(top, bottom)
        dark = np.asarray(image) < 128
        marks = handwriting.segment(dark, *band, cut=True)
        assert fields._hand_sized(marks, band) == (least == fields.HAND_CONFIDENCE)
        reader = fields._Reader(image, None, 300, "vie")
        reader._digits = digits
        reader.read((0, 0, image.width, image.height), "number")
        assert asked.pop() == least


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
    rng = np.random.default_rng(0)
    features = rng.random((3, handwriting.FEATURES), dtype=np.float32)
    boxes = rng.random((3, handwriting.GLYPH_BOX, handwriting.GLYPH_BOX), dtype=np.float32)
    np.testing.assert_allclose(
        model.probabilities(features, boxes), again.probabilities(features, boxes)
    )
    assert again.threshold == model.threshold
    assert again.date_threshold == model.date_threshold


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


def test_the_date_gate_is_calibrated_looser_than_the_number_gate() -> None:
    from pipeline.ocr.training import digits

    classes = handwriting.REJECT + 1
    weights = np.zeros((handwriting.FEATURES, classes), dtype=np.float32)
    weights[:classes, :classes] = np.eye(classes)
    ones = np.ones(handwriting.FEATURES, dtype=np.float32)
    model = handwriting.DigitModel(
        [[(weights, np.zeros(classes, np.float32))]], 0 * ones, ones, 0.0
    )
    count = 400
    labels = np.arange(count) % 10
    features = np.zeros((count, handwriting.FEATURES), dtype=np.float32)
    features[np.arange(count), labels] = 10.0  # sure and right
    features[np.arange(100), labels[:100]] = 4.0  # unsure and right: p = 0.845
    features[0, [0, 3]], labels[0] = (0.0, 5.0), 4  # fairly sure and wrong: p = 0.937
    gated, figures = digits.calibrated(model, features, labels, None)
    assert gated.threshold == pytest.approx(0.938)  # the number gate lets no error through
    assert gated.date_threshold == pytest.approx(digits.MIN_DATE_THRESHOLD)  # 1 of 400 wrong
    assert figures["date accepted wrong"] <= digits.DATE_TARGET_ERROR


def test_training_strokes_make_digit_sized_glyphs() -> None:
    from pipeline.ocr.training import digits

    rng = np.random.default_rng(0)
    for styles in digits.STROKES.values():
        for style in styles:
            glyph = digits.distort(digits._stroked(style, rng), rng)
            h, w = glyph.shape
            assert h >= 20 and 0.1 < w / h < 1.6
            assert handwriting.glyph_features(glyph).any()


def _field(rng: random.Random, digits: str) -> tuple[np.ndarray, float, float]:
    """A readable pen crop of `digits` (of the first seeds that the model reads)."""
    for _ in range(30):
        mask, top, bottom = bench_digits._crop(rng, digits, False)
        got = _read(mask, top, bottom)
        if got is not None and got.digits == digits:
            return mask, top, bottom
    raise AssertionError(f"no readable crop of {digits}")


def _widened(mask: np.ndarray, before: int, after: int) -> np.ndarray:
    return np.pad(mask, ((0, 0), (before, after)))


def test_print_beside_the_field_is_dropped_and_digits_across_its_end_kept() -> None:
    mask, top, bottom = _field(random.Random(2), "24")
    glyphs = handwriting.segment(mask, top, bottom)
    end = glyphs[-1].right - 3  # the field ends inside the `4`: it crosses, mostly inside
    wide = _widened(mask, 30, 60)
    slash = end + 30 + 6  # a print slash starting 2 px before the end, within the line
    for k in range(round(bottom - top - 10)):
        x = slash + 10 - k // 4
        wide[round(top) + 5 + k, x - 2 : x + 2] = True
    got = handwriting.read(wide, top, bottom, 5, inner=(30, end + 30))
    assert got is not None and got.digits == "24"
    # The field ending before the `4`'s middle: the `4` is no glyph of the field (it
    # refuses the reading where it rises above the print past the end, see below).
    short = handwriting.segment(wide, top, bottom, inner=(30, glyphs[-1].left + 30 + 2))
    assert short is None or [g.left for g in short] == [glyphs[0].left + 30]


def test_a_digit_cut_by_the_wide_crop_refuses_the_reading() -> None:
    mask, top, bottom = _field(random.Random(2), "24")
    glyphs = handwriting.segment(mask, top, bottom)
    cut = mask[:, glyphs[0].left + glyphs[0].width // 3 :]  # the `2` cut by the crop itself
    assert handwriting.segment(cut, top, bottom, inner=(0, cut.shape[1])) is None


def test_writing_past_the_field_that_rises_above_the_print_runs_on() -> None:
    mask, top, bottom = _field(random.Random(2), "24")
    line = bottom - top
    wide = _widened(mask, 0, round(2 * line))
    end = mask.shape[1]
    print_like = wide.copy()
    print_like[round(top) : round(bottom), end + 20 : end + 26] = True  # within the line
    assert not handwriting.runs_on(print_like, top, bottom, end)
    assert handwriting.read(print_like, top, bottom, 5, inner=(0, end)).digits == "24"
    pen = wide.copy()
    pen[round(top - 0.5 * line) : round(bottom), end + 20 : end + 26] = True  # rises above
    assert handwriting.runs_on(pen, top, bottom, end)
    assert handwriting.read(pen, top, bottom, 5, inner=(0, end)) is None


def test_a_second_view_naming_other_digits_contradicts_a_reading() -> None:
    mask, top, bottom = _field(random.Random(2), "24")
    assert not handwriting.contradicts(mask, top, bottom, "24")
    assert handwriting.contradicts(mask, top, bottom, "27")
    # A view that cuts into another count of glyphs (or none) has no say.
    assert not handwriting.contradicts(mask, top, bottom, "240")
    assert not handwriting.contradicts(np.zeros_like(mask), top, bottom, "24")


def test_a_wide_date_label_gives_the_digits_its_extra_width() -> None:
    from pipeline.ocr.tesseract import Word

    def word(text: str, left: int, width: int) -> Word:
        return Word(text, 90.0, left, 100, width, 40, 1, 1, 1)

    normal, wide = word("tháng", 500, 110), word("năm", 700, 200)  # `02năm` boxed as `năm`
    assert fields._label_end(normal, 22.0) == normal.right
    assert fields._label_start(normal, 22.0) == normal.left
    assert fields._label_start(wide, 22.0) == wide.right - 66
    assert fields._label_end(word("ngày", 100, 300), 22.0) == 100 + 88
    assert fields._label_start(wide, None) == wide.left  # nothing to measure print by


def test_marks_glued_to_a_date_label_are_the_writing_beside_it() -> None:
    from pipeline.ocr.tesseract import Word

    def word(text: str, left: int, width: int) -> Word:
        return Word(text, 80.0, left, 100, width, 40, 1, 1, 1)

    # `ngày 27 tháng` read `ngày.) {tháng`: the digits are in the labels' boxes
    day, month = word("ngày.)", 1507, 140), word("{tháng", 1664, 141)
    assert fields._label_end(day, 23.5) == 1507 + 4 * 23.5  # after the four letters
    assert fields._label_start(month, 23.5) == month.right - 5 * 23.5
    # marks on a label's other side leave the field's side of it as it is
    assert fields._label_end(month, 23.5) == month.right
    assert fields._label_start(day, 23.5) == day.left
    line = [word("Hà", 1313, 65), day, month, word("8", 1830, 30), word("năm", 1892, 90),
            word("2025", 1998, 108)]  # fmt: skip
    assert fields._date(line, _NoDigits()) is not None  # `{tháng` is the month's label


class _NoDigits:
    """A reader that reads nothing (for the parsing of a date line alone)."""

    def read(self, box, kind):
        return None, "none", 0.0


def test_broken_and_low_resolution_copies_stay_one_digit() -> None:
    from pipeline.ocr.training import digits

    rng = np.random.default_rng(0)
    glyph = digits._stroked(digits.STROKES[8][0], rng)
    broken = digits.broken(glyph, rng)
    assert broken.shape == glyph.shape and 0.75 * glyph.sum() < broken.sum() <= glyph.sum()
    blocky = digits.low_res(glyph, rng)
    assert blocky.shape[0] >= 0.8 * glyph.shape[0] and handwriting.glyph_features(blocky).any()


def test_dark_pen_outlines_get_their_cores_and_crossed_print_stays_out() -> None:
    from pipeline.ocr import ink

    dark = np.zeros((60, 120), dtype=bool)
    dark[10:50, 20:28] = True  # a dark blue stroke: the gray crop has it whole
    dark[10:50, 80:84] = True  # a print slash the pen's tail touches at its foot
    pen = np.zeros_like(dark)
    pen[9:51, 18:20] = pen[9:51, 28:30] = True  # the colour mask: the stroke's edges only
    pen[48:52, 30:80] = True  # the pen's tail running to the slash
    out = ink.with_cores(pen, dark, 300)
    assert out[10:50, 20:28].all()  # the core filled in
    assert not out[10:40, 80:84].any()  # the slash, mostly far from the pen, left out
    assert not ink.with_cores(pen, np.zeros_like(dark), 300)[20, 24]  # light pen: unchanged


def test_black_print_on_a_colour_scan_is_no_pen_ink() -> None:
    from pipeline.ocr import ink

    pixels = np.full((40, 120, 3), 250, dtype=np.uint8)
    pixels[:, :, 2] = 255  # a faintly blue-tinted sheet
    pixels[10:30, 10:14] = (35, 55, 170)  # a blue ballpoint stroke
    pixels[10:30, 20:24] = (25, 35, 105)  # the saturated edge of a dark blue pen's stroke
    pixels[10:30, 40:44] = (8, 10, 30)  # black print: as dark as this, its hue is noise
    pixels[10:30, 70:74] = (30, 32, 45)  # black ballpoint
    mask = ink.ink_mask(Image.fromarray(pixels), "blue")
    assert mask[10:30, 10:14].all() and mask[10:30, 20:24].all()
    assert not mask[:, 30:].any()


def test_the_generated_pen_writes_the_variant_styles_too() -> None:
    class Strokes:
        """A stand-in for ImageDraw that counts the lines drawn."""

        def __init__(self) -> None:
            self.lines = 0

        def line(self, *args, **kwargs) -> None:
            self.lines += 1

    rng = random.Random(0)
    counts = set()
    for _ in range(20):
        draw = Strokes()
        make_scans._pen_digits(draw, rng, "7", 0, 0, LINE)
        counts.add(draw.lines)
    assert counts == {1, 2}  # the plain `7` and the crossed one
