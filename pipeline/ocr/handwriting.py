"""Hand-written digits of the number and date fields, read glyph by glyph.

Tesseract reads print, not pen: a written `996` comes back as `9`, `280` as `240`.  For a
digit crop of `pipeline.ocr.fields` (pen ink alone, or the binarised gray crop for black
pen) this module cuts the ink into glyphs and classifies each with small networks trained
by `pipeline.ocr.training.digits` (the model is `models/digits-hand.npz`):

1. connected components of the ink; dots (a dotted leader, JPEG specks) dropped; pieces
   of one written digit joined (the flag of a `5`); a component as wide as two digits cut
   along the paths through it that cross the least ink (`_cut_path`);
2. each glyph scaled into a 32 × 32 box (`glyph_box`);
3. every network of the ensemble classifies it (ten digits and `not a digit`): the shipped
   model's are small CNNs over the box (`pipeline.ocr.convnet`); MLPs over the box's
   8 × 8 cells, aspect ratio and orientation histograms (`glyph_features`) are supported
   too.

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
from pipeline.ocr.convnet import ConvNet
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
MIN_GLYPH_HEIGHT = 0.65
"""A glyph lower than this share of the tallest glyph is no digit of the same hand (a
comma, a stray tick, the print slash of `/KH` reaching into the field, which the CNNs
read as a `1`): the reading is refused rather than the mark dropped.  0.55 let that slash
through on generated pages (`1501` read `15011`)."""
JOIN_OVERLAP = 0.5
"""Components whose column ranges overlap by this share of the narrower one are pieces of
one digit (the flag of a `5`, a `4` written in two strokes)."""
MAX_STROKE_PIECE = 0.8
"""A component lower than a dot (`MIN_DOT_HEIGHT`) but at least as wide, and at most this
× the line height, is a piece of a pen stroke whose line broke (the foot of a `3` apart
from its bowl), not a dot of a leader: under a glyph (`JOIN_OVERLAP` of its columns) it
leaves the glyph incomplete, and the reading is refused.  Longer strokes are rules and
underlines, dropped as before."""
SPLIT_ASPECT = 1.15
"""A glyph wider than this × its height holds two digits run together (a written digit's
width is 0.4–0.9 × its height)."""
DIGIT_ASPECT = 0.72
"""The width of one digit in a run-together glyph, as a share of its height, for the
number of pieces it is cut into."""
CUT_REACH = 1 / 3
"""A cut between run-together digits stays within this share of a digit's width of the
even cut: far enough to go round an overhanging stroke, not into the next digit."""
SIDE_STEP = 1.0
"""The cost of a cut path's move one column aside, in ink pixels crossed: a straight cut
wins unless going round saves ink."""
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


def glyph_box(pixels: np.ndarray) -> tuple[np.ndarray, float]:
    """A glyph (a 2-D bool or 0–1 array) scaled to fit `GLYPH_BOX` (float32 ink shares 0–1,
    centred, aspect kept, 2 pixels margin), and its width / height; zeros and 0 when it has
    no ink.  What both kinds of network see: the MLPs its cells, the CNNs its pixels."""
    ys, xs = np.nonzero(pixels > 0.5)
    box = np.zeros((GLYPH_BOX, GLYPH_BOX), dtype=np.float32)
    if len(ys) == 0:
        return box, 0.0
    glyph = (pixels[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1] > 0.5).astype(np.float32)
    h, w = glyph.shape
    scale = (GLYPH_BOX - 4) / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(glyph, size, interpolation=cv2.INTER_AREA)
    y0, x0 = (GLYPH_BOX - size[1]) // 2, (GLYPH_BOX - size[0]) // 2
    box[y0 : y0 + size[1], x0 : x0 + size[0]] = small
    return box, w / h


def box_features(box: np.ndarray, aspect: float) -> np.ndarray:
    """The MLPs' features of a glyph box (`glyph_box`): its 8 × 8 cell ink shares, its
    width / height, and its orientation histograms (`_orientations`)."""
    out = np.zeros(FEATURES, dtype=np.float32)
    if aspect <= 0:
        return out
    cells = box.reshape(GLYPH_BOX // CELL, CELL, GLYPH_BOX // CELL, CELL).mean(axis=(1, 3))
    n = cells.size
    out[:n] = cells.ravel()
    out[n] = min(aspect, 3.0) / 3.0
    out[n + 1 :] = _orientations(box)
    return out


def glyph_features(pixels: np.ndarray) -> np.ndarray:
    """The MLPs' features of a glyph (a 2-D bool or 0–1 array): `box_features` of its
    `glyph_box`."""
    return box_features(*glyph_box(pixels))


def glyph_inputs(glyphs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(features, boxes) of glyph pixel arrays: the MLPs' rows and the CNNs' 32 × 32 boxes."""
    boxes = [glyph_box(g) for g in glyphs]
    features = np.stack([box_features(b, a) for b, a in boxes])
    return features, np.stack([b for b, _ in boxes])


# --- the model ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigitModel:
    """An ensemble of small networks and its calibrated gate: MLPs (`FEATURES` → hidden →
    ReLU → 11) and CNNs over the 32 × 32 glyph box (`pipeline.ocr.convnet`); either list
    may be empty."""

    layers: list[list[tuple[np.ndarray, np.ndarray]]]
    """Per MLP, its (weights, bias) pairs."""
    mean: np.ndarray
    scale: np.ndarray
    threshold: float
    """The least probability a glyph of a number needs (calibrated on held-out glyphs at
    training)."""
    convnets: tuple[ConvNet, ...] = ()
    """The CNNs of the ensemble."""
    date_threshold: float | None = None
    """The least probability a glyph of a day or month needs, calibrated to a looser error
    (`pipeline.ocr.training.digits.DATE_TARGET_ERROR`); None: `threshold`."""

    def gate(self, date: bool = False) -> float:
        """The least probability a glyph needs in a date field (`date`) or a number."""
        if date and self.date_threshold is not None:
            return self.date_threshold
        return self.threshold

    def probabilities(self, features: np.ndarray, boxes: np.ndarray | None = None) -> np.ndarray:
        """(networks, glyphs, 11) class probabilities of feature rows (the MLPs) and
        glyph boxes (the CNNs; `glyph_inputs` gives both)."""
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
        if self.convnets:
            if boxes is None:
                raise ValueError("the digit model's CNNs need the glyph boxes")
            out.extend(net.probabilities(boxes) for net in self.convnets)
        return np.stack(out)

    def classify(
        self, features: np.ndarray, boxes: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Per glyph (class, probability): the class every network gives and the least
        probability among them, or (REJECT, 0) when the networks disagree."""
        probs = self.probabilities(features, boxes)
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
        "date_threshold": np.array(
            model.threshold if model.date_threshold is None else model.date_threshold
        ),
        "depths": np.array([len(net) for net in model.layers], dtype=int),
        "conv_depths": np.array(
            [(len(n.convs), len(n.dense)) for n in model.convnets], dtype=int
        ).reshape(-1, 2),
    }
    for n, net in enumerate(model.layers):
        for k, (w, b) in enumerate(net):
            arrays[f"w{n}_{k}"] = w.astype(np.float32)
            arrays[f"b{n}_{k}"] = b.astype(np.float32)
    for n, cnn in enumerate(model.convnets):
        for part, pairs in (("conv", cnn.convs), ("dense", cnn.dense)):
            for k, (w, b) in enumerate(pairs):
                arrays[f"c{n}_{part}{k}_w"] = w.astype(np.float32)
                arrays[f"c{n}_{part}{k}_b"] = b.astype(np.float32)
    np.savez_compressed(path, **arrays)


def _convnets(data) -> tuple[ConvNet, ...]:
    """The CNNs of a model file (none in a file of MLPs alone)."""
    if "conv_depths" not in data:
        return ()
    out = []
    for n, (convs, dense) in enumerate(data["conv_depths"]):
        pairs = {
            part: [(data[f"c{n}_{part}{k}_w"], data[f"c{n}_{part}{k}_b"]) for k in range(count)]
            for part, count in (("conv", int(convs)), ("dense", int(dense)))
        }
        out.append(ConvNet(pairs["conv"], pairs["dense"]))
    return tuple(out)


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
            date = float(data["date_threshold"]) if "date_threshold" in data else None
            return DigitModel(
                layers, data["mean"], data["scale"], float(data["threshold"]), _convnets(data),
                date,
            )  # fmt: skip
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


def _overlap(a: Glyph, b: Glyph) -> int:
    """The columns two glyphs share (negative: the gap between them)."""
    return min(a.right, b.right) - max(a.left, b.left)


def _join(glyphs: list[Glyph]) -> list[Glyph]:
    """Pieces of one digit (column ranges overlapping by `JOIN_OVERLAP`) made one."""
    glyphs = sorted(glyphs, key=lambda g: g.left)
    out: list[Glyph] = []
    for g in glyphs:
        if out:
            last = out[-1]
            if _overlap(last, g) >= JOIN_OVERLAP * min(last.width, g.width):
                out[-1] = _merge(last, g)
                continue
        out.append(g)
    return out


def _cut_path(pixels: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Per row, the column of a top-to-bottom cut through columns lo–hi that crosses the
    least ink, moving at most one column a row (`SIDE_STEP` per move): where one digit's
    stroke overhangs the next (the hook of a `2` over a `0`), the cut goes round it
    rather than leaving its tip with the neighbour."""
    ink = pixels[:, lo:hi].astype(np.float32)
    rows, cols = ink.shape
    cost = ink[0].copy()
    back = np.zeros((rows, cols), dtype=np.int64)
    steps = np.arange(cols)
    for y in range(1, rows):
        options = np.stack([np.r_[np.inf, cost[:-1]] + SIDE_STEP, cost,
                            np.r_[cost[1:], np.inf] + SIDE_STEP])  # fmt: skip
        move = options.argmin(axis=0)
        back[y] = steps + move - 1
        cost = options[move, steps] + ink[y]
    path = np.empty(rows, dtype=np.int64)
    path[-1] = int(np.argmin(cost))
    for y in range(rows - 1, 0, -1):
        path[y - 1] = back[y, path[y]]
    return path + lo


def _split(glyph: Glyph) -> list[Glyph]:
    """A glyph of digits run together cut along the least-ink paths (`_cut_path`) near
    the even cuts."""
    if glyph.width <= SPLIT_ASPECT * glyph.height:
        return [glyph]
    pieces = max(2, round(glyph.width / (DIGIT_ASPECT * glyph.height)))
    columns = np.arange(glyph.width)
    cuts = [np.zeros(glyph.height, dtype=np.int64)]
    for k in range(1, pieces):
        centre = round(glyph.width * k / pieces)
        reach = max(1, round(glyph.width * CUT_REACH / pieces))
        lo = max(int(cuts[-1].max()) + 1, centre - reach)
        hi = min(glyph.width - 1, centre + reach)
        if lo >= hi:
            return [glyph]
        cuts.append(_cut_path(glyph.pixels, lo, hi))
    cuts.append(np.full(glyph.height, glyph.width, dtype=np.int64))
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        part = glyph.pixels & (columns >= a[:, None]) & (columns < b[:, None])
        rows, cols = np.nonzero(part.any(axis=1))[0], np.nonzero(part.any(axis=0))[0]
        if len(rows) == 0:
            continue
        y0, y1, x0, x1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
        out.append(Glyph(glyph.left + int(x0), glyph.top + int(y0), int(x1 - x0), int(y1 - y0),
                         part[y0:y1, x0:x1]))  # fmt: skip
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
    the crop's edge may be a cut digit or a broken-off piece of stroke lies within a
    glyph's columns (`MAX_STROKE_PIECE`; with `cut`, such ink is kept as a glyph or
    ignored: to count the marks, not to read them).

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
    kept, strokes = [], []
    for g in _components(mask):
        if g.top + g.height < line_top + ABOVE_LINE * line:
            continue  # print of the line above, caught by the crop's head room
        if g.right <= lo or g.left >= hi:
            continue
        if g.height < MIN_DOT_HEIGHT * line:
            if MIN_DOT_HEIGHT * line <= g.width <= MAX_STROKE_PIECE * line:
                strokes.append(g)  # not a dot: a piece of a stroke, its line broken
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
    if not cut and any(
        _overlap(piece, g) >= JOIN_OVERLAP * piece.width for piece in strokes for g in kept
    ):
        # A broken-off piece of stroke within a glyph's columns: the glyph is not all
        # there (a `3` without its foot read as `2`).  Joined to it instead, it read one more page
        # right of 24 in `benchmarks digits`, but a joined shape may be another digit's.
        return None
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
    date: bool = False,
) -> HandReading | None:
    """The digits written in an ink crop, or None unless every check passes (see the
    module's docstring).  `max_digits` is the field's longest digit count; `inner` the
    field's columns when the crop reaches beyond them, `pen` whether the mask is pen ink
    (see `segment`); `date` whether the field is a day or month (`DigitModel.gate`)."""
    glyphs = segment(mask, line_top, line_bottom, inner=inner, pen=pen)
    if not glyphs or len(glyphs) > max_digits:
        return None
    tallest = max(g.height for g in glyphs)
    if any(g.height < MIN_GLYPH_HEIGHT * tallest for g in glyphs):
        return None
    model = model or load_model()
    classes = model.classify(*glyph_inputs([g.pixels for g in glyphs]))
    if any(cls == REJECT or p < model.gate(date) for cls, p in classes):
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
    probs = model.probabilities(*glyph_inputs([g.pixels for g in glyphs]))
    classes = probs.mean(axis=0).argmax(axis=1)
    return any(
        int(c) != int(d) and (strict or c != REJECT) for c, d in zip(classes, digits, strict=True)
    )
