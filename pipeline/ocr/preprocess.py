"""Image clean-up before OCR, each step switchable through `Config.preprocess`.

Steps (applied in the order given by the config):
- `grayscale`: colour → 8-bit gray (Tesseract binarises gray itself; colour only costs time);
- `denoise`: separable 3×3 median against speckle and JPEG grain, on noisy pages only;
- `deskew`: straighten angles between 1° and 10° found from the horizontal projection
  profile (with `denoise` also on, a page that is turned is not filtered as well: the
  rotation's interpolation smooths the grain, see `deskew_or_denoise`);
- `binarise`: global Otsu threshold;
- `border`: paint dark scanner borders along the edges white.
`orientation` (90°/180° turns) needs Tesseract's OSD and is decided in `pipeline.ocr`;
`perspective` (a photographed sheet warped upright, `pipeline.ocr.perspective`) runs there
before every other step.

Which steps are on by default is decided by `benchmarks/bench_ocr.py`: a step stays only
when it lowers the character error rate on degraded pages and does not raise it on clean
ones.  Every decision (blank, noisy, skewed) is measured on a box-reduced thumbnail or a
small crop, so a page that needs nothing costs a few milliseconds next to Tesseract's
second; the full-size work (filter, rotation) is done only on pages that gain from it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

import numpy as np
from PIL import Image

from pipeline.native import extension

log = logging.getLogger(__name__)

STEPS = (
    "perspective", "seal", "grayscale", "orientation", "deskew", "denoise", "binarise", "border",
    "fields", "tables", "rules", "signature",
)  # fmt: skip
"""Every step name `Config.preprocess` may list.  `perspective` (a photographed sheet
warped upright, `pipeline.ocr.perspective`) runs first, in `pipeline.ocr`; `seal` (red
seals and blue pen painted white, `pipeline.ocr.ink`) must come before `grayscale`; `fields` (the number and date
re-read, `pipeline.ocr.fields`) and `tables` (ruled tables read cell by cell,
`pipeline.ocr.tables`) run after Tesseract and are decided in `pipeline.ocr`; `rules`
(with `tables`: ruled grids found first and their lines painted out before the page is
read) and `signature` (a last page's lost signature column read again,
`pipeline.ocr.signature`) too."""
MAX_SKEW = 10.0
"""Degrees; larger angles are left to OSD (90° turns) or to Tesseract.  Phone photos and
pages laid crooked on the glass reach 5–10°; the search up to 10° costs ≈ 12 ms a page
(8 ms up to 5°) and finds generated pages turned by 3, 7, 8 and 9.5° to within 0.1°."""
MIN_SKEW = 1.0
"""Degrees; below this Tesseract's own line finding copes.  CER of clean pages turned by
0.5° / 0.75° / 1° / 1.5° / 3° and not straightened: 0.07 / 0.15 / 0.15 / 0.89 / 6.6 %.
A rotation costs 60–90 ms with Pillow on an A4 page at 200 dpi (30–45 ms in C), and
Tesseract does ≈ 4 % more work on the resampled page (instructions, one page), so smaller
angles are left alone."""
NOISE_STD = 5.5
"""Paper gray-level deviation above which `denoise` filters the page."""
_WORK_WIDTH = 600
"""Least width of the thumbnail the ink, angle and border are measured on."""


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


def thumbnail(image: Image.Image) -> Image.Image:
    """A gray copy at least `_WORK_WIDTH` wide, box-averaged by an integer factor.

    `reduce` averages blocks in one pass (~2 ms for an A4 page, where a bicubic `resize`
    takes ~30 ms) and its averaging keeps thin strokes visible.  The blank check, the
    skew angle and the border are all measured on it: a caller that has one for the
    page passes it on (`small=`) so it is built once; see `prepare`.  The thumbnail of
    an image and of its `grayscale` are the same.
    """
    gray = grayscale(image)
    factor = max(1, gray.width // _WORK_WIDTH)
    return gray.reduce(factor) if factor > 1 else gray


def _dark(image: Image.Image, small: Image.Image | None = None) -> np.ndarray:
    """Dark pixels (True) of the image's thumbnail (`small`, when given, is that thumbnail)."""
    pixels = np.asarray(small if small is not None else thumbnail(image), dtype=np.uint8)
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


def ink_share(image: Image.Image, small: Image.Image | None = None) -> float:
    """Share of clearly dark area inside the margins; a blank back page has almost none.

    Measured on the ~600 px wide box-averaged `thumbnail` (`small`, when given) against
    the paper's own level, leaving out a 4 % margin where scanner edges and shadows lie.
    """
    pixels = np.asarray(small if small is not None else thumbnail(image), dtype=np.int16)
    height, width = pixels.shape
    inner = pixels[int(height * 0.04) : int(height * 0.96), int(width * 0.04) : int(width * 0.96)]
    if inner.size == 0:
        return 0.0
    paper = float(np.median(inner))
    return float((inner < paper - 60).mean())


def skew_angle(image: Image.Image, small: Image.Image | None = None) -> float:
    """Degrees to rotate counter-clockwise to level the text lines (0 when unsure).

    The angle maximises the sharpness of the horizontal projection profile.  A small
    rotation is taken as a shear of the dark pixels' coordinates, so each trial angle
    is one `bincount`, not an image rotation.  `small`: the image's `thumbnail`, if made.
    """
    dark = _dark(image, small)
    if dark.mean() < 0.002:
        return 0.0
    ys, xs = np.nonzero(dark)
    # ~40k dark pixels (a text page's thumbnail has 40–80k) are plenty for the profile.
    step = -(-ys.size // 40_000)
    ys, xs = ys[::step], xs[::step] - dark.shape[1] / 2.0

    def score(angle: float) -> float:
        shifted = np.rint(ys - xs * np.tan(np.radians(angle))).astype(np.int64)
        rows = np.bincount(shifted - shifted.min())
        return float(np.square(np.diff(rows.astype(np.float64))).sum())

    # Coarse 0.5° steps, then 0.05° steps around the best (the peak lies within ±0.25°).
    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5), key=score)
    best = max(np.arange(best - 0.25, best + 0.26, 0.05), key=score)
    # A flat score curve means no text lines to level: leave the page alone.
    if score(best) <= score(0.0) * 1.02:
        return 0.0
    return round(float(best), 2)


def rotation_matrix(width: int, height: int, angle: float) -> tuple[float, ...]:
    """The affine map (a, b, c, d, e, f) from an output pixel's centre (x, y) to its
    source point (a·x + b·y + c, d·x + e·y + f) when the image is turned `angle` degrees
    counter-clockwise about its centre (y grows downwards)."""
    t = math.radians(angle)
    cos, sin = math.cos(t), math.sin(t)
    cx, cy = width / 2, height / 2
    return (cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy)


def _rotate(image: Image.Image, angle: float) -> Image.Image:
    """Turn counter-clockwise by `angle` degrees, same size, new corners white.

    Bilinear, not bicubic: half the time, and on the benchmark's pages the CER is the
    same or lower (its slight smoothing suits noisy scans).  A gray page is turned by
    `pipeline.ocr._imaging` when it is built (fixed-point, 2-3 × faster than Pillow, pixels
    within two gray levels of Pillow's), else by Pillow.
    """
    log.debug("deskew by %.2f°", angle)
    imaging = extension("imaging")
    if imaging is not None and image.mode == "L":
        matrix = rotation_matrix(image.width, image.height, angle)
        turned = imaging.rotate_gray(image.tobytes(), image.width, image.height, matrix, 255)
        return Image.frombytes("L", image.size, turned)
    fill = 255 if image.mode in ("L", "1") else (255, 255, 255)
    return image.rotate(angle, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=fill)


def deskew(
    image: Image.Image, small: Image.Image | None = None, angle: float | None = None
) -> Image.Image:
    """Rotate by the measured skew angle (or `angle`) when it is between MIN_SKEW and MAX_SKEW."""
    angle = skew_angle(image, small) if angle is None else angle
    return _rotate(image, angle) if abs(angle) >= MIN_SKEW else image


def deskew_or_denoise(
    image: Image.Image, small: Image.Image | None = None, angle: float | None = None
) -> Image.Image:
    """`deskew` when the page is skewed, else `denoise`: a turned page is not filtered too.

    The bilinear rotation averages neighbouring pixels, which takes out the grain as
    well: on the benchmark's heavily degraded pages (noisy and 1.5° skewed), with Pillow's
    rotation, the rotation alone gave a CER of 0.51 %, filter then rotation 0.53 %, and the
    filter would cost ~20 ms plus ~10 ms of Tesseract time per page (the C rotation, a
    gray level or two apart: 0.44 %).
    """
    angle = skew_angle(image, small) if angle is None else angle
    return _rotate(image, angle) if abs(angle) >= MIN_SKEW else denoise(image)


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


def _median3(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Element-wise median of three arrays (four min/max passes)."""
    return np.maximum(np.minimum(a, b), np.minimum(np.maximum(a, b), c))


def separable_median(image: Image.Image) -> Image.Image:
    """3-point median along the rows, then along the columns, of a gray image.

    Removes grain, single-pixel specks and one-pixel-thin scratches, keeps strokes and
    edges (a true 3×3 median also clears 2×2 specks, which Tesseract ignores anyway);
    eight numpy passes cost ~40 ms on an A4 page where Pillow's `MedianFilter` takes
    100–250 ms.  Edge rows and columns are kept as they are.
    """
    pixels = np.asarray(grayscale(image))
    rows = pixels.copy()
    rows[:, 1:-1] = _median3(pixels[:, :-2], pixels[:, 1:-1], pixels[:, 2:])
    out = rows.copy()
    out[1:-1] = _median3(rows[:-2], rows[1:-1], rows[2:])
    return Image.fromarray(out)


def denoise(image: Image.Image) -> Image.Image:
    """Separable 3×3 median on noisy pages only: removes specks and grain, keeps strokes.

    Clean and lightly noisy pages do not gain from it, so pages whose paper is smooth
    (`NOISE_STD`) are left alone.  On the benchmark's heavily degraded pages it lowers
    the CER at least as much as a true 3×3 median did, and Tesseract is faster on the result.
    """
    gray = grayscale(image)
    if noise_level(gray) < NOISE_STD:
        return gray
    return separable_median(gray)


def binarise(image: Image.Image) -> Image.Image:
    """Black and white at Otsu's threshold."""
    gray = grayscale(image)
    threshold = otsu_threshold(np.asarray(gray, dtype=np.uint8))
    return gray.point(lambda v: 255 if v >= threshold else 0, mode="L")


def border(image: Image.Image, small: Image.Image | None = None) -> Image.Image:
    """Paint dark bands along the edges (scanner lid, photocopy margins) white."""
    gray = grayscale(image)
    dark = _dark(gray, small)
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


STEP_FUNCTIONS: dict[str, Callable[..., Image.Image]] = {
    "grayscale": grayscale,
    "deskew": deskew,
    "denoise": denoise,
    "deskew_or_denoise": deskew_or_denoise,
    "binarise": binarise,
    "border": border,
}
_MEASURED_ON_THUMBNAIL = frozenset({"deskew", "deskew_or_denoise", "border"})
"""Steps that take the page's `thumbnail` as `small=`."""


def prepare(
    image: Image.Image,
    steps: tuple[str, ...],
    small: Image.Image | None = None,
    *,
    dpi: int = 300,
    trace: dict | None = None,
) -> Image.Image:
    """Apply the listed steps in order (unknown names are ignored with a log line).

    When both `denoise` and `deskew` are listed they run as one `deskew_or_denoise`, at
    the place of the first of them.  `small` is the image's `thumbnail` when the caller
    has made it (the blank check): the steps measure on it as long as the image is
    unchanged (`grayscale` keeps it valid), then on a new one.  `dpi` sizes the seals
    of the `seal` step; `trace`, when given, receives `skew`: the degrees the page was
    turned by (0 when it was not), so a caller can map boxes back to the original.
    """
    from pipeline.ocr import ink

    if trace is not None:
        trace["skew"] = 0.0
    if "denoise" in steps and "deskew" in steps:
        first = min(steps.index("denoise"), steps.index("deskew"))
        rest = tuple(name for name in steps[first:] if name not in ("denoise", "deskew"))
        steps = (*steps[:first], "deskew_or_denoise", *rest)
    for step in steps:
        func = STEP_FUNCTIONS.get(step)
        if step == "seal":
            done = ink.remove_seals(image, dpi)
            if done is not image:
                small = None
            image = done
        elif step in ("deskew", "deskew_or_denoise"):
            angle = skew_angle(image, small)
            done = func(image, small=small, angle=angle)
            if trace is not None and abs(angle) >= MIN_SKEW:
                trace["skew"] = angle
            if done is not image:
                small = None
            image = done
        elif func is not None:
            done = func(image, small=small) if step in _MEASURED_ON_THUMBNAIL else func(image)
            if done is not image and step != "grayscale":
                small = None
            image = done
        elif step not in STEPS:
            log.warning("unknown preprocessing step %r ignored", step)
    return image
