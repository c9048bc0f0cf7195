"""Image clean-up steps: each does what it says on a small synthetic page."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from pipeline.native import extension
from pipeline.ocr import preprocess

SCANS = Path(__file__).parent / "data" / "scans"


@pytest.fixture
def lines_page() -> Image.Image:
    """A white page with dark horizontal text-like bars (fast to measure)."""
    image = Image.new("L", (1200, 900), 255)
    draw = ImageDraw.Draw(image)
    for k in range(12):
        y = 100 + 60 * k
        for x in range(100, 1100, 60):
            draw.rectangle((x, y, x + 45, y + 18), fill=20)
    return image


def test_grayscale_of_colour_and_transparent_images():
    rgba = Image.new("RGBA", (10, 10), (0, 0, 0, 0))  # fully transparent = paper
    assert preprocess.grayscale(rgba).mode == "L"
    assert preprocess.grayscale(rgba).getpixel((5, 5)) == 255
    assert preprocess.grayscale(Image.new("1", (4, 4), 1)).mode == "L"


@pytest.mark.parametrize("angle", [-2.0, 1.3, 3.0])
def test_skew_angle_is_measured(lines_page, angle):
    skewed = lines_page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    assert preprocess.skew_angle(skewed) == pytest.approx(-angle, abs=0.25)


def test_deskew_levels_the_lines(lines_page):
    skewed = lines_page.rotate(2.0, resample=Image.Resampling.BICUBIC, fillcolor=255)
    assert abs(preprocess.skew_angle(preprocess.deskew(skewed))) <= 0.2


def test_straight_or_blank_pages_are_left_alone(lines_page):
    assert abs(preprocess.skew_angle(lines_page)) < preprocess.MIN_SKEW
    assert preprocess.deskew(lines_page) is lines_page
    blank = Image.new("L", (800, 1000), 255)
    assert preprocess.deskew(blank) is blank


def test_ink_share_tells_blank_from_text(lines_page):
    assert preprocess.ink_share(Image.new("L", (2480, 3508), 250)) < 0.001
    assert preprocess.ink_share(lines_page) > 0.05
    body = Image.open(SCANS / "body.png")
    assert preprocess.ink_share(body) > 0.01


def test_blank_page_with_dark_scanner_edges_is_blank():
    page = Image.new("L", (2480, 3508), 245)
    ImageDraw.Draw(page).rectangle((0, 0, 2479, 40), fill=30)
    assert preprocess.ink_share(page) < 0.001


def test_binarise_gives_two_levels(lines_page):
    noisy = Image.blend(lines_page, Image.effect_noise(lines_page.size, 30), 0.2)
    assert set(np.unique(np.asarray(preprocess.binarise(noisy)))) <= {0, 255}


def test_small_angles_are_left_to_tesseract(lines_page):
    # Below MIN_SKEW Tesseract copies with the slope; a rotation would only cost time.
    slight = lines_page.rotate(0.5, resample=Image.Resampling.BICUBIC, fillcolor=255)
    assert abs(preprocess.skew_angle(slight)) == pytest.approx(0.5, abs=0.15)
    assert preprocess.deskew(slight) is slight


def test_separable_median_removes_specks_and_keeps_strokes():
    page = Image.new("L", (60, 40), 230)
    draw = ImageDraw.Draw(page)
    draw.rectangle((10, 10, 12, 30), fill=20)  # a 3-pixel-wide stroke
    page.putpixel((40, 20), 0)  # a one-pixel speck
    draw.line((50, 5, 52, 5), fill=0)  # a one-pixel-thin scratch
    out = preprocess.separable_median(page)
    assert out.mode == "L" and out.size == page.size
    assert out.getpixel((40, 20)) == 230
    assert out.getpixel((51, 5)) == 230
    assert out.getpixel((11, 20)) == 20
    assert out.getpixel((10, 10)) < 128  # the stroke's corner stays dark


def test_denoise_filters_noisy_pages_only():
    clean = Image.new("L", (1200, 1200), 255)
    clean.putpixel((600, 500), 0)
    assert preprocess.noise_level(clean) < preprocess.NOISE_STD
    assert preprocess.denoise(clean).getpixel((600, 500)) == 0  # smooth paper: untouched
    grain = Image.effect_noise(clean.size, 40).point(lambda v: 180 + v // 4)
    noisy = grain.copy()
    noisy.putpixel((600, 500), 0)
    assert preprocess.noise_level(noisy) > preprocess.NOISE_STD
    assert preprocess.denoise(noisy).getpixel((600, 500)) > 150  # the speck is gone


def _noisy(image: Image.Image) -> Image.Image:
    return Image.blend(image, Image.effect_noise(image.size, 40), 0.2)


def test_deskew_or_denoise_turns_a_skewed_page_without_filtering_it(lines_page, monkeypatch):
    noisy = _noisy(lines_page)
    assert preprocess.noise_level(noisy) > preprocess.NOISE_STD

    def no_filter(image):
        raise AssertionError("a page that is turned must not be filtered as well")

    monkeypatch.setattr(preprocess, "separable_median", no_filter)
    skewed = noisy.rotate(2.0, resample=Image.Resampling.BICUBIC, fillcolor=255)
    turned = preprocess.deskew_or_denoise(skewed)
    assert abs(preprocess.skew_angle(turned)) <= 0.2


def test_deskew_or_denoise_filters_a_level_noisy_page(lines_page, monkeypatch):
    filtered = []
    monkeypatch.setattr(preprocess, "separable_median", lambda image: filtered.append(1) or image)
    preprocess.deskew_or_denoise(_noisy(lines_page))
    assert filtered == [1]


def test_prepare_runs_denoise_and_deskew_as_one_step(lines_page, monkeypatch):
    calls = []
    for name in ("grayscale", "deskew", "denoise", "deskew_or_denoise", "binarise"):
        monkeypatch.setitem(
            preprocess.STEP_FUNCTIONS,
            name,
            lambda image, name=name, **_: calls.append(name) or image,
        )
    preprocess.prepare(lines_page, ("grayscale", "denoise", "binarise", "deskew"))
    assert calls == ["grayscale", "deskew_or_denoise", "binarise"]
    calls.clear()
    preprocess.prepare(lines_page, ("deskew", "binarise"))
    assert calls == ["deskew", "binarise"]


def _counting_thumbnails(monkeypatch) -> list[int]:
    made: list[int] = []
    real = preprocess.thumbnail
    monkeypatch.setattr(preprocess, "thumbnail", lambda image: made.append(1) or real(image))
    return made


def test_prepare_measures_an_unchanged_page_on_the_given_thumbnail(lines_page, monkeypatch):
    steps = ("grayscale", "orientation", "denoise", "deskew", "border")
    colour = lines_page.convert("RGB")
    expected = preprocess.prepare(colour, steps)
    small = preprocess.thumbnail(colour)
    made = _counting_thumbnails(monkeypatch)
    out = preprocess.prepare(colour, steps, small)
    assert made == []  # the skew angle and the border are measured on `small`
    assert out.tobytes() == expected.tobytes()


def test_prepare_makes_a_new_thumbnail_once_the_page_is_turned(lines_page, monkeypatch):
    steps = ("grayscale", "deskew", "border")
    skewed = lines_page.rotate(2.0, resample=Image.Resampling.BICUBIC, fillcolor=255)
    expected = preprocess.prepare(skewed, steps)
    small = preprocess.thumbnail(skewed)
    made = _counting_thumbnails(monkeypatch)
    out = preprocess.prepare(skewed, steps, small)
    assert made == [1]  # the border is looked for on the turned page, not the old thumbnail
    assert out.tobytes() == expected.tobytes()


def test_border_paints_dark_edges_white(lines_page):
    framed = lines_page.copy()
    ImageDraw.Draw(framed).rectangle((0, 0, 1199, 30), fill=0)
    cleaned = preprocess.border(framed)
    assert cleaned.getpixel((600, 10)) == 255
    assert cleaned.getpixel((120, 105)) < 128  # text stays


def test_prepare_runs_steps_in_order_and_ignores_unknown(lines_page, monkeypatch, caplog):
    colour = lines_page.convert("RGB")
    ran = []
    functions = dict(preprocess.STEP_FUNCTIONS)
    for name, func in functions.items():
        if name in preprocess._MEASURED_ON_THUMBNAIL:
            continue

        def record(image, _name=name, _func=func):
            ran.append(_name)
            return _func(image)

        functions[name] = record
    monkeypatch.setattr(preprocess, "STEP_FUNCTIONS", functions)
    out = preprocess.prepare(colour, ("binarise", "nonsense", "grayscale"))
    assert ran == ["binarise", "grayscale"]
    assert "nonsense" in caplog.text
    assert out.mode == "L"
    assert {value for _, value in out.getcolors()} <= {0, 255}  # binarised first, then gray
    ran.clear()
    assert preprocess.prepare(colour, ()) is colour
    assert ran == []


# --- the C rotation (`pipeline.ocr._imaging`) against Pillow's --------------------------------

imaging = extension("imaging")
needs_imaging = pytest.mark.skipif(imaging is None, reason="the C extension is not built")


@needs_imaging
@pytest.mark.parametrize("angle", [1.5, -2.3, 4.9, 0.0])
def test_c_rotation_matches_pillow(lines_page, angle):
    rng = np.random.default_rng(3)
    noisy = np.clip(np.asarray(lines_page, dtype=np.int16) + rng.normal(0, 25, (900, 1200)), 0, 255)
    page = Image.fromarray(noisy.astype(np.uint8))
    want = page.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
    got = preprocess._rotate(page, angle)
    diff = np.abs(np.asarray(got, dtype=np.int16) - np.asarray(want, dtype=np.int16))
    assert got.size == page.size and got.mode == "L"
    assert diff.max() <= 2 and diff.mean() < 0.05
    if angle:
        assert got.getpixel((0, 0)) == 255 and got.getpixel((1199, 899)) == 255  # new corners


@needs_imaging
def test_c_rotation_is_used_and_switchable(lines_page, monkeypatch):
    calls = []
    real = imaging.rotate_gray
    monkeypatch.setattr(imaging, "rotate_gray", lambda *a: calls.append(a) or real(*a))
    preprocess._rotate(lines_page, 2.0)
    assert len(calls) == 1
    monkeypatch.setenv("VNPLAN_PURE_PYTHON", "1")
    preprocess._rotate(lines_page, 2.0)
    preprocess._rotate(lines_page.convert("RGB"), 2.0)  # colour pages: Pillow
    assert len(calls) == 1


@needs_imaging
def test_c_rotation_checks_its_input():
    matrix = preprocess.rotation_matrix(4, 3, 2.0)
    with pytest.raises(ValueError):
        imaging.rotate_gray(bytes(11), 4, 3, matrix, 255)  # 12 bytes expected
    with pytest.raises(ValueError):
        imaging.rotate_gray(bytes(12), 4, 3, matrix, 300)
    assert imaging.rotate_gray(
        bytes(12), 4, 3, preprocess.rotation_matrix(4, 3, 0.0), 255
    ) == bytes(12)
