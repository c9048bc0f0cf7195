"""A page photographed on a desk, flattened: its four corners found and pulled square.

A phone photo shows the sheet as a bright quadrilateral on a darker surface, its edges
converging (the camera was not straight above it) and turned.  Tesseract reads such a
page line by line at a slant that changes across the page, and the desk around it gives
it dark blocks to misread.  `flatten` finds the sheet on the page's thumbnail (Otsu's
threshold, the largest bright region, its outline simplified to four corners) and warps
it to an upright rectangle with OpenCV (a sheet lying square is only cut out); a scan (the sheet fills the image, or lies square
in it) is returned unchanged after ≈ 3 ms of looking.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np
from PIL import Image

log = logging.getLogger(__name__)

MIN_PAGE_SHARE = 0.25
"""The sheet covers at least this share of a photo: a smaller bright region is a white
box or a blank margin of a page that fills the frame, not the page."""
MIN_DESK_SHARE = 0.04
"""At least this share of the image lies outside the sheet (the desk): less, and the
sheet fills the frame as in a scan, where `deskew` and Tesseract cope."""
MIN_CONTRAST = 40
"""Gray levels by which the sheet's paper outshines the desk around it (paper ≈ 200–240
in a phone photo, wood or cloth ≈ 60–150); a lower contrast gives no reliable outline."""
CORNER_TOLERANCE = 0.02
"""The outline is simplified to within this share of its perimeter: four corners stay,
a dog-eared corner or a thumb over the edge is smoothed away."""
MIN_TILT_DEGREES = 1.0
"""A sheet whose four sides all lie within this angle of the image's axes is square on
(as `preprocess.MIN_SKEW`, below which Tesseract's own line finding copes): it is cut out
of the desk, not warped (a crop is exact and costs nothing)."""
MIN_CORNER_ANGLE, MAX_CORNER_ANGLE = 60.0, 120.0
"""Degrees; a photographed rectangle keeps its corners within these (a camera at up to
≈ 40° off the vertical).  Other quadrilaterals are not sheets (a folded or torn page)."""


def _ordered(corners: np.ndarray) -> np.ndarray:
    """Four (x, y) corners as top-left, top-right, bottom-right, bottom-left."""
    total, diff = corners.sum(axis=1), np.diff(corners, axis=1).ravel()
    return np.array(
        [
            corners[np.argmin(total)],
            corners[np.argmin(diff)],
            corners[np.argmax(total)],
            corners[np.argmax(diff)],
        ],
        dtype=np.float32,
    )


def _side_tilts(quad: np.ndarray) -> list[float]:
    """Degrees by which each side departs from the image axis it runs along."""
    tilts = []
    for k in range(4):
        dx, dy = quad[(k + 1) % 4] - quad[k]
        angle = abs(np.degrees(np.arctan2(dy, dx))) % 90
        tilts.append(min(angle, 90 - angle))
    return tilts


def _corner_angles(quad: np.ndarray) -> list[float]:
    angles = []
    for k in range(4):
        a, b = quad[k - 1] - quad[k], quad[(k + 1) % 4] - quad[k]
        cos = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-9))
        angles.append(float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))))
    return angles


def find_sheet(small: np.ndarray) -> np.ndarray | None:
    """The sheet's corners (top-left, top-right, bottom-right, bottom-left) in a gray
    thumbnail (uint8), or None when the image is no photo of a sheet on a darker desk
    (a scan: the paper fills the frame)."""
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    hull = cv2.convexHull(max(contours, key=cv2.contourArea))
    area, frame = cv2.contourArea(hull), small.shape[0] * small.shape[1]
    if not MIN_PAGE_SHARE <= area / frame <= 1 - MIN_DESK_SHARE:
        return None
    outline = cv2.approxPolyDP(hull, CORNER_TOLERANCE * cv2.arcLength(hull, True), True)
    if len(outline) != 4:
        return None
    quad = _ordered(outline.reshape(4, 2).astype(np.float32))
    if not all(MIN_CORNER_ANGLE <= a <= MAX_CORNER_ANGLE for a in _corner_angles(quad)):
        return None
    inside = np.zeros_like(small)
    cv2.fillConvexPoly(inside, quad.astype(np.int32), 255)
    paper, desk = small[inside > 0], small[inside == 0]
    if desk.size < MIN_DESK_SHARE * frame or np.median(paper) - np.median(desk) < MIN_CONTRAST:
        return None
    return quad


def flatten(image: Image.Image, small: Image.Image) -> Image.Image:
    """The sheet of a photographed page warped upright, or cut out when it lies square
    (`find_sheet` on the thumbnail `small`, the corners scaled to the image), in the
    image's mode (a warped 1-bit page comes back gray); any other page unchanged (the same
    object)."""
    quad = find_sheet(np.asarray(small.convert("L"), dtype=np.uint8))
    if quad is None:
        return image
    quad = quad * np.array([image.width / small.width, image.height / small.height],
                           dtype=np.float32)  # fmt: skip
    if max(_side_tilts(quad)) < MIN_TILT_DEGREES:
        x0, y0 = np.floor(quad.min(axis=0)).astype(int)
        x1, y1 = np.ceil(quad.max(axis=0)).astype(int)
        return image.crop((max(0, x0), max(0, y0), min(image.width, x1), min(image.height, y1)))
    tl, tr, br, bl = quad
    width = round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]],
                      dtype=np.float32)  # fmt: skip
    matrix = cv2.getPerspectiveTransform(quad, target)
    mode = "L" if image.mode in ("1", "L") else "RGB"
    pixels = np.asarray(image.convert(mode))
    white = 255 if mode == "L" else (255, 255, 255)
    flat = cv2.warpPerspective(pixels, matrix, (width, height), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=white)  # fmt: skip
    log.debug("perspective: sheet %s flattened to %d × %d", quad.round().tolist(), width, height)
    return Image.fromarray(flat, mode)
