"""Image clean-up before OCR, each step switchable through `Config.preprocess`.

Steps (applied in the order given by the config):
- `grayscale`: colour → 8-bit gray (Tesseract binarises gray itself; colour only costs time);
- `deskew`: straighten small angles (±5°) found from the horizontal projection profile;
- `denoise`: 3×3 median filter against speckle and JPEG grain, on noisy pages only;
- `binarise`: global Otsu threshold;
- `border`: paint dark scanner borders along the edges white.
`orientation` (90°/180° turns) needs Tesseract's OSD and is decided in `pipeline.ocr`.

Which steps are on by default is decided by `benchmarks/bench_ocr.py`: a step stays only
when it lowers the character error rate on degraded pages and does not raise it on clean
ones.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageFilter

log = logging.getLogger(__name__)

STEPS = ("grayscale", "orientation", "deskew", "denoise", "binarise", "border")
"""Every step name `Config.preprocess` may list."""
MAX_SKEW = 5.0
"""Degrees; larger angles are left to OSD (90° turns) or to Tesseract."""
MIN_SKEW = 0.3
"""Degrees; straightening less than this costs time and blurs the glyphs for nothing."""
NOISE_STD = 5.5
"""Paper gray-level deviation above which `denoise` filters the page."""
_WORK_WIDTH = 700
"""Width of the thumbnail the angle and border are measured on."""


def grayscale(image: Image.Image) -> Image.Image:
    """8-bit gray (1-bit scans too, so the later steps can interpolate)."""
    if image.mode == "L":
        return image
    if image.mode in ("RGBA", "LA", "P"):
        # Transparent areas of a PNG are paper, not black.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    return image.convert("L")


def _thumbnail(image: Image.Image) -> np.ndarray:
    """Dark pixels (True) of a small gray copy of the image."""
    gray = grayscale(image)
    scale = min(1.0, _WORK_WIDTH / max(gray.width, 1))
    small = gray.resize((max(1, int(gray.width * scale)), max(1, int(gray.height * scale))))
    pixels = np.asarray(small, dtype=np.uint8)
    return pixels < otsu_threshold(pixels)


def otsu_threshold(pixels: np.ndarray) -> int:
    """Otsu's global threshold of an 8-bit array."""
    hist = np.bincount(pixels.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    if total == 0:
        return 128
    levels = np.arange(256)
    weight_bg = np.cumsum(hist)
    weight_fg = total - weight_bg
    cum_mean = np.cumsum(hist * levels)
    mean_bg = cum_mean / np.maximum(weight_bg, 1)
    mean_fg = (cum_mean[-1] - cum_mean) / np.maximum(weight_fg, 1)
    between = weight_bg * weight_fg * (mean_bg - mean_fg) ** 2
    return int(np.argmax(between)) + 1


def ink_share(image: Image.Image) -> float:
    """Share of clearly dark area inside the margins; a blank back page has almost none.

    Measured on a ~600 px wide box-averaged copy against the paper's own level, leaving
    out a 4 % margin where scanner edges and shadows lie.
    """
    gray = grayscale(image)
    factor = max(1, round(gray.width / 600))
    small = gray.reduce(factor) if factor > 1 else gray
    pixels = np.asarray(small, dtype=np.int16)
    height, width = pixels.shape
    inner = pixels[int(height * 0.04) : int(height * 0.96), int(width * 0.04) : int(width * 0.96)]
    if inner.size == 0:
        return 0.0
    paper = float(np.median(inner))
    return float((inner < paper - 60).mean())


def skew_angle(image: Image.Image) -> float:
    """Degrees to rotate counter-clockwise to level the text lines (0 when unsure).

    The angle maximises the sharpness of the horizontal projection profile.  A small
    rotation is taken as a shear of the dark pixels' coordinates, so each trial angle
    is one `bincount`, not an image rotation.
    """
    dark = _thumbnail(image)
    if dark.mean() < 0.002:
        return 0.0
    ys, xs = np.nonzero(dark)
    if ys.size > 300_000:  # a dense page: every other dark pixel is plenty
        ys, xs = ys[::2], xs[::2]
    xs = xs - dark.shape[1] / 2.0

    def score(angle: float) -> float:
        shifted = np.rint(ys - xs * np.tan(np.radians(angle))).astype(np.int64)
        rows = np.bincount(shifted - shifted.min())
        return float(np.square(np.diff(rows.astype(np.float64))).sum())

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5), key=score)
    best = max(np.arange(best - 0.5, best + 0.51, 0.05), key=score)
    # A flat score curve means no text lines to level: leave the page alone.
    if score(best) <= score(0.0) * 1.02:
        return 0.0
    return round(float(best), 2)


def deskew(image: Image.Image) -> Image.Image:
    """Rotate by the measured skew angle when it is between MIN_SKEW and MAX_SKEW."""
    angle = skew_angle(image)
    if abs(angle) < MIN_SKEW:
        return image
    log.debug("deskew by %.2f°", angle)
    fill = 255 if image.mode in ("L", "1") else (255, 255, 255)
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=fill)


def noise_level(image: Image.Image) -> float:
    """Standard deviation of the paper's gray level in a full-resolution sample of the page.

    Clean scans and renderings stay below ~5; JPEG-noisy or speckled scans go above.
    """
    gray = grayscale(image)
    width, height = gray.size
    box = (width // 4, height // 3, min(width, width // 4 + 800), min(height, height // 3 + 500))
    pixels = np.asarray(gray.crop(box), dtype=np.int16)
    if pixels.size == 0:
        return 0.0
    paper = pixels[pixels > np.median(pixels) - 40]
    return float(paper.std()) if paper.size else 0.0


def denoise(image: Image.Image) -> Image.Image:
    """3×3 median filter on noisy pages only: removes specks and grain, keeps strokes.

    The filter costs about a fifth of Tesseract's time on an A4 page, and clean pages do
    not gain from it, so pages whose paper is smooth (`NOISE_STD`) are left alone.
    """
    gray = grayscale(image)
    if noise_level(gray) < NOISE_STD:
        return gray
    return gray.filter(ImageFilter.MedianFilter(3))


def binarise(image: Image.Image) -> Image.Image:
    """Black and white at Otsu's threshold."""
    gray = grayscale(image)
    threshold = otsu_threshold(np.asarray(gray, dtype=np.uint8))
    return gray.point(lambda v: 255 if v >= threshold else 0, mode="L")


def border(image: Image.Image) -> Image.Image:
    """Paint dark bands along the edges (scanner lid, photocopy margins) white."""
    gray = grayscale(image)
    dark = _thumbnail(gray)
    height, width = dark.shape
    rows, cols = dark.mean(axis=1), dark.mean(axis=0)

    def band(profile: np.ndarray, limit: int) -> int:
        n = 0
        while n < limit and profile[n] > 0.5:
            n += 1
        return n

    top, bottom = band(rows, height // 8), band(rows[::-1], height // 8)
    left, right = band(cols, width // 8), band(cols[::-1], width // 8)
    if not (top or bottom or left or right):
        return gray
    sx, sy = gray.width / width, gray.height / height
    out = gray.copy()
    margin = 2  # a little more than the band, for the ragged edge of the shadow
    for box in (
        (0, 0, gray.width, int((top + margin) * sy) if top else 0),
        (0, gray.height - (int((bottom + margin) * sy) if bottom else 0), gray.width, gray.height),
        (0, 0, int((left + margin) * sx) if left else 0, gray.height),
        (gray.width - (int((right + margin) * sx) if right else 0), 0, gray.width, gray.height),
    ):
        if box[2] > box[0] and box[3] > box[1]:
            out.paste(255, box)
    return out


STEP_FUNCTIONS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "grayscale": grayscale,
    "deskew": deskew,
    "denoise": denoise,
    "binarise": binarise,
    "border": border,
}


def prepare(image: Image.Image, steps: tuple[str, ...]) -> Image.Image:
    """Apply the listed steps in order (unknown names are ignored with a log line)."""
    for step in steps:
        func = STEP_FUNCTIONS.get(step)
        if func is not None:
            image = func(image)
        elif step not in STEPS:
            log.warning("unknown preprocessing step %r ignored", step)
    return image
