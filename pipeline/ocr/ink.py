"""Coloured ink on colour scans: red seals and blue pen, told from black print by hue.

Offices stamp red seals over the signer's position and the issuer, sign in blue, and
write the number and the day of the date by hand, usually in blue.  Black print has
no saturation; these inks have a lot.  `remove_seals` (the `seal` step of
`Config.preprocess`) paints red seal-sized marks and blue pen strokes white before the
page is made gray, so Tesseract reads the print under them; `ink_mask` gives the
pen's pixels of a small crop alone, for `pipeline.ocr.fields` to re-read digits.
Gray and 1-bit pages, and colour pages without such ink, are returned unchanged after
a check on a thumbnail.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np
from PIL import Image

log = logging.getLogger(__name__)

MIN_SATURATION = 90
"""OpenCV saturation (0–255) above which a pixel is coloured ink: JPEG colour fringes
around black print stay below ~60, blue ballpoint and seal red are above 120."""
MAX_GRAY_PAPER = 235
"""Pixels whose gray level (luma) is brighter are paper, whatever their hue (a tinted
sheet).  Luma, not HSV value: value is the largest channel, so a seal's bright red
(240, 90, 90) has value 240 but luma 135; a light stamp's ink measured value 221–255."""
RED_HUES = ((0, 12), (160, 180))
"""OpenCV hues (0–180) of seal red and magenta-ish stamp ink."""
BLUE_HUES = ((90, 140),)
"""OpenCV hues of blue and violet pens."""
MIN_SEAL_SIZE_MM = 12.0
"""A red mark at least this wide and tall is a seal or a stamp box (with all red inside
its box); smaller red marks (a red printed heading is ~5 mm tall) are left as print."""
MIN_INK_SHARE = 0.0004
"""Share of a page's thumbnail pixels that must be coloured ink before the full page is
looked at (a signature alone covers ~0.1 %)."""
_THUMB_WIDTH = 500
"""Width of the thumbnail the colour check runs on."""


def _hsv_gray(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OpenCV HSV and gray (luma) of RGB pixels."""
    return cv2.cvtColor(pixels, cv2.COLOR_RGB2HSV), cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)


def _hue_mask(hsv: np.ndarray, ranges: tuple[tuple[int, int], ...], gray: np.ndarray) -> np.ndarray:
    hue, sat = hsv[..., 0], hsv[..., 1]
    coloured = (sat >= MIN_SATURATION) & (gray < MAX_GRAY_PAPER)
    in_range = np.zeros(hue.shape, dtype=bool)
    for lo, hi in ranges:
        in_range |= (hue >= lo) & (hue <= hi)
    return coloured & in_range


MIN_PEN_VALUE = 80
"""OpenCV value (0–255) below which a pixel's hue and saturation are sensor and JPEG noise,
not ink colour: black print on real colour scans measured value 2–52 and came out `blue`
(its crops' pen masks were nothing but print, a tinted sheet's `K` among them), while blue
ballpoint's pixels measured 136–230 and dark blue pen's saturated edges stay above ~100."""


def ink_mask(image: Image.Image, colour: str) -> np.ndarray:
    """Pixels (True) of `red` or `blue` ink in an RGB image; all False for gray images.

    Pixels darker than `MIN_PEN_VALUE` are never pen ink (see there); the darkest cores of
    dark blue pen come back from the gray crop (`with_cores`)."""
    if image.mode != "RGB":
        return np.zeros((image.height, image.width), dtype=bool)
    pixels = np.asarray(image)
    hsv, gray = _hsv_gray(pixels)
    mask = _hue_mask(hsv, RED_HUES if colour == "red" else BLUE_HUES, gray)
    return mask & (hsv[..., 2] >= MIN_PEN_VALUE)


PEN_CORE_MM = 0.25
"""How far (mm) inside a pen mask's edge pixels the dark core of a stroke may lie: a
ballpoint line is 0.3–0.5 mm wide."""


CORE_SHARE = 0.7
"""A dark stroke of the gray crop is a pen stroke's core when at least this share of it lies
within `PEN_CORE_MM` of pen pixels; print the pen crosses (the slash of `/KH`) lies mostly
farther away and stays out."""


def with_cores(pen: np.ndarray, dark: np.ndarray, dpi: int) -> np.ndarray:
    """Pen ink (True) with the dark strokes it outlines added: dark blue pen is saturated
    only at its strokes' edges, so its colour mask is broken outlines, while the
    binarised gray crop (`dark`, same shape) has the whole strokes (`CORE_SHARE`)."""
    reach = max(1, round(PEN_CORE_MM / 25.4 * dpi))
    near = cv2.dilate(pen.astype(np.uint8), np.ones((2 * reach + 1,) * 2, np.uint8)) > 0
    count, labels = cv2.connectedComponents(dark.astype(np.uint8), connectivity=8)
    if count <= 1:
        return pen
    sizes = np.bincount(labels.ravel(), minlength=count)
    inside = np.bincount(labels[near], minlength=count)
    cores = inside >= CORE_SHARE * np.maximum(sizes, 1)
    cores[0] = False  # the background
    return pen | cores[labels]


def has_ink(image: Image.Image) -> bool:
    """Whether a colour page carries enough red or blue ink to be worth the full pass."""
    if image.mode != "RGB":
        return False
    factor = max(1, image.width // _THUMB_WIDTH)
    small = image.reduce(factor) if factor > 1 else image
    hsv, gray = _hsv_gray(np.asarray(small))
    share = (_hue_mask(hsv, RED_HUES, gray) | _hue_mask(hsv, BLUE_HUES, gray)).mean()
    return bool(share >= MIN_INK_SHARE)


def remove_seals(image: Image.Image, dpi: int = 300) -> Image.Image:
    """Paint red seal-sized marks and all blue pen ink white on a colour page.

    Black print under a seal is not saturated, so it stays.  Returns the image itself
    when it is not RGB or has no coloured ink (see `has_ink`).
    """
    if not has_ink(image):
        return image
    pixels = np.asarray(image)
    hsv, gray = _hsv_gray(pixels)
    blue = _hue_mask(hsv, BLUE_HUES, gray)
    red = _hue_mask(hsv, RED_HUES, gray).astype(np.uint8)
    # Join a seal's rings and letters into one component before judging its size.
    joined = cv2.dilate(red, np.ones((9, 9), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    min_size = MIN_SEAL_SIZE_MM / 25.4 * dpi
    big = [
        k
        for k in range(1, count)
        if stats[k, cv2.CC_STAT_WIDTH] >= min_size and stats[k, cv2.CC_STAT_HEIGHT] >= min_size
    ]
    # Red inside a big mark's box belongs to it: the lettering of a received-document
    # stamp (`UBND TỈNH …`, `ĐẾN`) stands apart from its frame, a seal's star from its rings.
    inside = np.zeros_like(blue)
    for k in big:
        x, y = stats[k, cv2.CC_STAT_LEFT], stats[k, cv2.CC_STAT_TOP]
        inside[y : y + stats[k, cv2.CC_STAT_HEIGHT], x : x + stats[k, cv2.CC_STAT_WIDTH]] = True
    seal = inside & red.astype(bool)
    wipe = seal | blue
    if not wipe.any():
        return image
    # A ring of half-coloured pixels around each stroke: widen the wipe by one pixel.
    wipe = cv2.dilate(wipe.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    wipe &= ~_black(hsv)
    out = pixels.copy()
    out[wipe] = 255
    log.debug("seal: %d seal(s), %d pen pixels painted white", len(big), int(blue.sum()))
    return Image.fromarray(out)


BLACK_VALUE = 110
"""Pixels darker than this are print (black ink under a seal or beside a pen stroke)."""


def _black(hsv: np.ndarray) -> np.ndarray:
    return hsv[..., 2] < BLACK_VALUE
