"""Hand-written digits of the number and date fields, read glyph by glyph.

Tesseract reads print, not pen: a written `996` comes back as `9`, `280` as `240`.  For a
digit crop of `pipeline.ocr.fields` (pen ink alone, or the binarised gray crop for black
pen) this module cuts the ink into glyphs and classifies each with a small network trained
by `pipeline.ocr.training.digits` (the model is `models/digits-hand.npz`):

1. connected components of the ink; dots (a dotted leader, JPEG specks) dropped; pieces
   of one written digit joined (the flag of a `5`); a component as wide as two digits cut
   at its thinnest columns;
2. each glyph scaled into a 32 × 32 box and summed into 8 × 8 cells (the UCI digits'
   features, `glyph_features`), with its aspect ratio;
3. every network of the ensemble classifies it (ten digits and `not a digit`).

A reading is returned only when it passes a strict gate: every network agrees on every
glyph, each glyph's probability reaches the calibrated threshold stored with the model,
no ink is left unexplained at the crop's edges, and the glyph count fits the field.
Anything else is None, and the field keeps its printed part: a number is right or
marked incomplete, never guessed.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from pipeline.errors import ModelError
from pipeline.shipped import REPO_DIR, shipped_dir

log = logging.getLogger(__name__)

MODEL_NAME = "digits-hand.npz"
"""The digit classifier's file name, in `models/` (or a wheel's copy of it)."""
MODEL_FILE = REPO_DIR / MODEL_NAME
"""Where `python -m pipeline.ocr.training.digits` writes the classifier."""
GLYPH_BOX = 32
"""Glyphs are scaled to fit a box this many pixels square (as the UCI digits were)."""
CELL = 4
"""Pixels summed into one feature cell: 32 / 4 = 8 × 8 cells, the UCI digits' grid."""
REJECT = 10
"""The class index of `not a digit` (print, scribble, two digits run together)."""
MIN_DOT_HEIGHT = 0.3
"""A component lower than this share of the printed line's height is a dot or a speck,
not a digit (a written digit stands at least as tall as lower-case print)."""
MIN_GLYPH_HEIGHT = 0.55
"""A glyph lower than this share of the tallest glyph is no digit of the same hand (a
comma, a stray tick): the reading is refused rather than the mark dropped."""
JOIN_OVERLAP = 0.5
"""Components whose column ranges overlap by this share of the narrower one are pieces of
one digit (the flag of a `5`, a `4` written in two strokes)."""
SPLIT_ASPECT = 1.15
"""A glyph wider than this × its height holds two digits run together (a written digit's
width is 0.4–0.9 × its height)."""
DIGIT_ASPECT = 0.72
"""The width of one digit in a run-together glyph, as a share of its height, for the
number of pieces it is cut into."""
ABOVE_LINE = 0.3
"""Ink ending above the printed line's top + this × its height belongs to the line above
(a written digit reaches down to the line's middle at least)."""
PEN_RISE = 0.25
"""Ink beside the field whose top is this × the line height above the print's top is pen
writing: print of the template (`/KH-UBND`, `tháng`) stays within its line."""
RUN_ON = 0.4
"""Line heights of ink past the field's end that make a digit written beyond it, not a
digit the crop clipped (a written `4` reaching 0.1 past the slash's place)."""
MAX_EDGE_SPECK = 0.35
"""Ink touching the crop's left or right edge lower than this × the line height (the colon
of `Số:`, a comma) is dropped; taller ink there may be a cut digit: no reading (half a
`6` cut off is as narrow as the slash of `/KH`, so neither is dropped)."""
FIELD_SHARE = 0.5
"""Ink crossing the field's columns (`inner`, inside a wider crop that sees it whole) with
less than this share of its width inside is print of the words beside the field (the slash
of `/KH`, the `y` of `ngày`); with more, it is a digit written across the word's box.  A
digit written past the field rises above the print and refuses the reading (`runs_on`)."""


@dataclass(frozen=True)
class Glyph:
    """One cut-out glyph: its box in the crop and its pixels (True = ink)."""

    left: int
    top: int
    width: int
    height: int
    pixels: np.ndarray

    @property
    def right(self) -> int:
        return self.left + self.width


@dataclass(frozen=True)
class HandReading:
    """Digits read from pen ink and the least probability among their glyphs."""

    digits: str
    confidence: float
    """The weakest glyph's probability (0–1), after every network agreed."""


# --- features (the training script uses these too) ----------------------------------------


HOG_CELL, HOG_BINS = 8, 8
"""Orientation histograms over 8 × 8-pixel cells of the 32 × 32 glyph, 8 directions each:
the stroke directions that tell a `1` from a `7`, a `3` from an `8`."""
FEATURES = (GLYPH_BOX // CELL) ** 2 + 1 + (GLYPH_BOX // HOG_CELL) ** 2 * HOG_BINS
"""Cells, aspect ratio and orientation histograms of one glyph."""


def _orientations(box: np.ndarray) -> np.ndarray:
    """Per cell, the gradient magnitude by direction (0–180°), each cell scaled to sum 1."""
    gx = cv2.Sobel(box, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(box, cv2.CV_32F, 0, 1, ksize=3)
    magnitude = np.hypot(gx, gy)
    bins = ((np.arctan2(gy, gx) % np.pi) / np.pi * HOG_BINS).astype(int) % HOG_BINS
    n = GLYPH_BOX // HOG_CELL
    hist = np.zeros((n, n, HOG_BINS), dtype=np.float32)
    cell_y, cell_x = np.indices(box.shape) // HOG_CELL
    np.add.at(hist, (cell_y, cell_x, bins), magnitude)
    hist /= hist.sum(axis=2, keepdims=True) + 1e-3
    return hist.ravel()


def glyph_features(pixels: np.ndarray) -> np.ndarray:
    """The features of a glyph (a 2-D bool or 0–1 array): the 8 × 8 cell ink shares of the
    glyph scaled to fit `GLYPH_BOX` (centred, aspect kept), its width / height, and its
    orientation histograms (`_orientations`)."""
    ys, xs = np.nonzero(pixels > 0.5)
    out = np.zeros(FEATURES, dtype=np.float32)
    if len(ys) == 0:
        return out
    glyph = (pixels[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1] > 0.5).astype(np.float32)
    h, w = glyph.shape
    scale = (GLYPH_BOX - 4) / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(glyph, size, interpolation=cv2.INTER_AREA)
    box = np.zeros((GLYPH_BOX, GLYPH_BOX), dtype=np.float32)
    y0, x0 = (GLYPH_BOX - size[1]) // 2, (GLYPH_BOX - size[0]) // 2
    box[y0 : y0 + size[1], x0 : x0 + size[0]] = small
    cells = box.reshape(GLYPH_BOX // CELL, CELL, GLYPH_BOX // CELL, CELL).mean(axis=(1, 3))
    n = cells.size
    out[:n] = cells.ravel()
    out[n] = min(w / h, 3.0) / 3.0
    out[n + 1 :] = _orientations(box)
    return out


# --- the model ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigitModel:
    """An ensemble of small networks (`FEATURES` → hidden → ReLU → 11) and its calibrated gate."""

    layers: list[list[tuple[np.ndarray, np.ndarray]]]
    """Per network, its (weights, bias) pairs."""
    mean: np.ndarray
    scale: np.ndarray
    threshold: float
    """The least probability a glyph needs (calibrated on held-out glyphs at training)."""

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """(networks, glyphs, 11) class probabilities of feature rows."""
        x0 = (features - self.mean) / self.scale
        out = []
        for net in self.layers:
            x = x0
            for k, (w, b) in enumerate(net):
                x = x @ w + b
                if k < len(net) - 1:
                    x = np.maximum(x, 0.0)
            x = np.exp(x - x.max(axis=1, keepdims=True))
            out.append(x / x.sum(axis=1, keepdims=True))
        return np.stack(out)

    def classify(self, features: np.ndarray) -> list[tuple[int, float]]:
        """Per glyph (class, probability): the class every network gives and the least
        probability among them, or (REJECT, 0) when the networks disagree."""
        probs = self.probabilities(features)
        winners = probs.argmax(axis=2)
        out = []
        for g in range(features.shape[0]):
            classes = set(winners[:, g].tolist())
            if len(classes) != 1:
                out.append((REJECT, 0.0))
                continue
            cls = classes.pop()
            out.append((cls, float(probs[:, g, cls].min())))
        return out


def save_model(path: Path, model: DigitModel) -> None:
    """Write the model as a flat .npz (no pickles)."""
    arrays: dict[str, np.ndarray] = {
        "mean": model.mean,
        "scale": model.scale,
        "threshold": np.array(model.threshold),
        "depths": np.array([len(net) for net in model.layers]),
    }
    for n, net in enumerate(model.layers):
        for k, (w, b) in enumerate(net):
            arrays[f"w{n}_{k}"] = w.astype(np.float32)
            arrays[f"b{n}_{k}"] = b.astype(np.float32)
    np.savez_compressed(path, **arrays)


@functools.cache
def load_model(path: Path | None = None) -> DigitModel:
    """The digit model (by default the shipped one); `ModelError` when it is missing or
    damaged."""
    path = path or shipped_dir() / MODEL_NAME
    try:
        with np.load(path, allow_pickle=False) as data:
            layers = [
                [(data[f"w{n}_{k}"], data[f"b{n}_{k}"]) for k in range(int(depth))]
                for n, depth in enumerate(data["depths"])
            ]
            return DigitModel(layers, data["mean"], data["scale"], float(data["threshold"]))
    except (OSError, KeyError, ValueError) as exc:
        raise ModelError(
            f"the hand-written digit model {path} cannot be read ({exc}); run `make models`"
        ) from exc


# --- segmentation ---------------------------------------------------------------------------


def _components(mask: np.ndarray) -> list[Glyph]:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), 8)
    out = []
    for k in range(1, count):
        x, y, w, h = (int(v) for v in stats[k, :4])
        out.append(Glyph(x, y, w, h, labels[y : y + h, x : x + w] == k))
    return out


def _merge(a: Glyph, b: Glyph) -> Glyph:
    left, top = min(a.left, b.left), min(a.top, b.top)
    right, bottom = max(a.right, b.right), max(a.top + a.height, b.top + b.height)
    pixels = np.zeros((bottom - top, right - left), dtype=bool)
    for g in (a, b):
        pixels[g.top - top : g.top - top + g.height, g.left - left : g.right - left] |= g.pixels
    return Glyph(left, top, right - left, bottom - top, pixels)


def _join(glyphs: list[Glyph]) -> list[Glyph]:
    """Pieces of one digit (column ranges overlapping by `JOIN_OVERLAP`) made one."""
    glyphs = sorted(glyphs, key=lambda g: g.left)
    out: list[Glyph] = []
    for g in glyphs:
        if out:
            last = out[-1]
            overlap = min(last.right, g.right) - max(last.left, g.left)
            if overlap >= JOIN_OVERLAP * min(last.width, g.width):
                out[-1] = _merge(last, g)
                continue
        out.append(g)
    return out


def _split(glyph: Glyph) -> list[Glyph]:
    """A glyph of digits run together cut at its thinnest columns near the even cuts."""
    if glyph.width <= SPLIT_ASPECT * glyph.height:
        return [glyph]
    pieces = max(2, round(glyph.width / (DIGIT_ASPECT * glyph.height)))
    profile = glyph.pixels.sum(axis=0)
    cuts = [0]
    for k in range(1, pieces):
        centre = round(glyph.width * k / pieces)
        reach = max(1, glyph.width // (pieces * 3))
        lo, hi = max(cuts[-1] + 1, centre - reach), min(glyph.width - 1, centre + reach)
        if lo >= hi:
            return [glyph]
        cuts.append(lo + int(np.argmin(profile[lo:hi])))
    cuts.append(glyph.width)
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        part = glyph.pixels[:, a:b]
        rows = np.nonzero(part.any(axis=1))[0]
        if len(rows) == 0:
            continue
        part = part[rows.min() : rows.max() + 1]
        out.append(Glyph(glyph.left + a, glyph.top + int(rows.min()), b - a, part.shape[0], part))
    return out


def runs_on(
    mask: np.ndarray, line_top: float, line_bottom: float, end: int, pen: bool = False
) -> bool:
    """Whether pen writing goes on past column `end` of the mask: ink reaching `RUN_ON`
    line heights beyond it that crosses the end (a digit over the slash of `/KH`) or rises
    `PEN_RISE` above the print's top (print of the template, `/KH-UBND` or `tháng`, lies
    apart and within its line); in a mask of pen ink alone (`pen`), any such ink (a
    tinted scan's print in the pen mask refuses the reading too: never a digit dropped)."""
    if mask.shape[1] <= end:
        return False
    line = max(line_bottom - line_top, 4.0)
    offset = max(0, end - round(line))
    for g in _components(mask[:, offset:]):
        left, right = g.left + offset, g.right + offset
        if g.height < MIN_DOT_HEIGHT * line or right <= end + RUN_ON * line:
            continue
        if pen or left < end or g.top < line_top - PEN_RISE * line:
            return True
    return False


def segment(
    mask: np.ndarray,
    line_top: float,
    line_bottom: float,
    cut: bool = False,
    inner: tuple[int, int] | None = None,
    pen: bool = False,
) -> list[Glyph] | None:
    """The digit glyphs of an ink crop (True = ink), left to right, or None when ink at
    the crop's edge may be a cut digit (with `cut`, such ink is kept as a glyph: to count
    the marks, not to read them).

    `line_top`/`line_bottom` are the printed line's top and bottom in the crop (its
    height sets what is a dot and what is print of the line above).  `inner` are the
    columns of the field when `mask` reaches beyond them: ink wholly or mostly outside
    (`FIELD_SHARE`) is print of the template unless writing runs on past the field's
    end (then None, see `runs_on`; `pen`: the mask is pen ink).
    """
    line = max(line_bottom - line_top, 4.0)
    lo, hi = inner or (0, mask.shape[1])
    if not cut and runs_on(mask, line_top, line_bottom, hi, pen):
        return None
    kept = []
    for g in _components(mask):
        if g.height < MIN_DOT_HEIGHT * line:
            continue
        if g.top + g.height < line_top + ABOVE_LINE * line:
            continue  # print of the line above, caught by the crop's head room
        if g.right <= lo or g.left >= hi:
            continue
        inside = min(g.right, hi) - max(g.left, lo)
        if inside < FIELD_SHARE * g.width:
            continue  # print of the template reaching in (the slash of `/KH`, a `y`)
        if g.left <= 0 or g.right >= mask.shape[1]:
            if g.height < MAX_EDGE_SPECK * line:
                continue
            if not cut:
                return None  # the crop itself cuts it: a digit may be half seen
        kept.append(g)
    glyphs = [part for g in _join(kept) for part in _split(g)]
    return glyphs


# --- reading --------------------------------------------------------------------------------


def read(
    mask: np.ndarray,
    line_top: float,
    line_bottom: float,
    max_digits: int,
    model: DigitModel | None = None,
    inner: tuple[int, int] | None = None,
    pen: bool = False,
) -> HandReading | None:
    """The digits written in an ink crop, or None unless every check passes (see the
    module's docstring).  `max_digits` is the field's longest digit count; `inner` the
    field's columns when the crop reaches beyond them, `pen` whether the mask is pen ink
    (see `segment`)."""
    glyphs = segment(mask, line_top, line_bottom, inner=inner, pen=pen)
    if not glyphs or len(glyphs) > max_digits:
        return None
    tallest = max(g.height for g in glyphs)
    if any(g.height < MIN_GLYPH_HEIGHT * tallest for g in glyphs):
        return None
    model = model or load_model()
    features = np.stack([glyph_features(g.pixels) for g in glyphs])
    classes = model.classify(features)
    if any(cls == REJECT or p < model.threshold for cls, p in classes):
        log.debug("handwriting: refused %s", classes)
        return None
    return HandReading("".join(str(c) for c, _ in classes), min(p for _, p in classes))


def contradicts(
    mask: np.ndarray,
    line_top: float,
    line_bottom: float,
    digits: str,
    inner: tuple[int, int] | None = None,
    strict: bool = True,
    model: DigitModel | None = None,
) -> bool:
    """Whether the digit model, sure or not, names other digits in this ink than `digits`
    (another reader's, or the digit model's of another view of the same writing: the
    gray crop of pen ink): the ink cuts into as many glyphs as `digits` has and the
    ensemble's mean probabilities give a glyph another digit (with `strict`, also `not a
    digit`).  Ink that cuts differently, or not at all (light pen vanishes from the gray),
    has no say."""
    glyphs = segment(mask, line_top, line_bottom, inner=inner)
    if not glyphs or len(glyphs) != len(digits):
        return False
    model = model or load_model()
    features = np.stack([glyph_features(g.pixels) for g in glyphs])
    classes = model.probabilities(features).mean(axis=0).argmax(axis=1)
    return any(
        int(c) != int(d) and (strict or c != REJECT) for c, d in zip(classes, digits, strict=True)
    )
