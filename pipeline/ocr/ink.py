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
MAX_VALUE_PAPER = 235
"""Brighter pixels are paper, whatever their hue (a tinted sheet)."""
RED_HUES = ((0, 12), (160, 180))
"""OpenCV hues (0–180) of seal red and magenta-ish stamp ink."""
BLUE_HUES = ((90, 140),)
"""OpenCV hues of blue and violet pens."""
MIN_SEAL_SIZE_MM = 12.0
"""A red mark at least this wide and tall is a seal or a stamp box; smaller red marks
(a red printed heading is ~5 mm tall) are left as print."""
MIN_INK_SHARE = 0.0004
"""Share of a page's thumbnail pixels that must be coloured ink before the full page is
looked at (a signature alone covers ~0.1 %)."""
_THUMB_WIDTH = 500
"""Width of the thumbnail the colour check runs on."""


def _hue_mask(hsv: np.ndarray, ranges: tuple[tuple[int, int], ...]) -> np.ndarray:
    hue, sat, val = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    coloured = (sat >= MIN_SATURATION) & (val < MAX_VALUE_PAPER)
    in_range = np.zeros(hue.shape, dtype=bool)
    for lo, hi in ranges:
        in_range |= (hue >= lo) & (hue <= hi)
    return coloured & in_range


def ink_mask(image: Image.Image, colour: str) -> np.ndarray:
    """Pixels (True) of `red` or `blue` ink in an RGB image; all False for gray images."""
    if image.mode != "RGB":
        return np.zeros((image.height, image.width), dtype=bool)
    hsv = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2HSV)
    return _hue_mask(hsv, RED_HUES if colour == "red" else BLUE_HUES)


def has_ink(image: Image.Image) -> bool:
    """Whether a colour page carries enough red or blue ink to be worth the full pass."""
    if image.mode != "RGB":
        return False
    factor = max(1, image.width // _THUMB_WIDTH)
    small = image.reduce(factor) if factor > 1 else image
    hsv = cv2.cvtColor(np.asarray(small), cv2.COLOR_RGB2HSV)
    share = (_hue_mask(hsv, RED_HUES) | _hue_mask(hsv, BLUE_HUES)).mean()
    return bool(share >= MIN_INK_SHARE)


def remove_seals(image: Image.Image, dpi: int = 300) -> Image.Image:
    """Paint red seal-sized marks and all blue pen ink white on a colour page.

    Black print under a seal is not saturated, so it stays.  Returns the image itself
    when it is not RGB or has no coloured ink (see `has_ink`).
    """
    if not has_ink(image):
        return image
    pixels = np.asarray(image)
    hsv = cv2.cvtColor(pixels, cv2.COLOR_RGB2HSV)
    blue = _hue_mask(hsv, BLUE_HUES)
    red = _hue_mask(hsv, RED_HUES).astype(np.uint8)
    # Join a seal's rings and letters into one component before judging its size.
    joined = cv2.dilate(red, np.ones((9, 9), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    min_size = MIN_SEAL_SIZE_MM / 25.4 * dpi
    big = [
        k
        for k in range(1, count)
        if stats[k, cv2.CC_STAT_WIDTH] >= min_size and stats[k, cv2.CC_STAT_HEIGHT] >= min_size
    ]
    seal = np.isin(labels, big) & red.astype(bool) if big else np.zeros_like(blue)
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
