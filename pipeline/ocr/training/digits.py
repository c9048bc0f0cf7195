"""Train the hand-written digit model (`models/digits-hand.npz`) from packaged data.

`python -m pipeline.ocr.training.digits` (what `make models` runs) builds glyphs of
four kinds, passes each through the same 32 × 32 box as at run time
(`pipeline.ocr.handwriting.glyph_box`) and trains an ensemble of small CNNs on the boxes
(`CONVNETS`, numpy, `pipeline.ocr.training.convnet`; MLPs on the box's features,
`NETWORKS`, are possible too):

- the UCI handwritten digits that scikit-learn ships (`load_digits`, 1 797 digits by
  43 writers, CC BY 4.0), each 8 × 8 image scaled up, thresholded and distorted;
- the 5 000 MNIST digits that mlxtend ships (`mlxtend.data.mnist_data`, 28 × 28, CC BY-SA
  3.0): real pen hands (looped `2`, slanted `1`, `9` like `g`), distorted and broken like a
  ballpoint's line (`broken`), some drawn small and scaled up as on a low-resolution scan;
- digits rendered from the handwriting-style fonts of `FONTS` (Debian packages, SIL OFL),
  distorted the same way;
- digits drawn from pen-stroke skeletons (`STROKES`) in the styles Vietnamese offices
  write and the fonts lack: a `1` with a long up-stroke, a `7` with a bar, a `2` with a
  loop, an open `4`, a flat-topped `3`;
- `not a digit` glyphs: printed letters and punctuation of the template (Liberation,
  DejaVu), two digits run together narrowly, random pen loops and smudges.

Distortion: slant, rotation, width, stroke thickness and an elastic warp.  One part of
the data is held out (a fifth of the UCI digits by writer order, a fifth of the MNIST
digits, and whole fonts, `HELD_OUT_FONTS`): on it the gate's probability threshold is set (`calibrate`), so the
reported error is that of glyphs the networks never saw.  Training is deterministic for
given packages (seeded generators); it takes about ten minutes on one core (the glyphs
half a minute, each CNN three).  scikit-learn and
mlxtend are training extras (`pip install -e '.[train]'`), not run-time dependencies.
"""

from __future__ import annotations

import argparse
import logging
import math
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pipeline.errors import MissingDependencyError
from pipeline.ocr import handwriting
from pipeline.ocr.handwriting import REJECT, DigitModel, box_features, glyph_box
from pipeline.ocr.training import convnet

log = logging.getLogger(__name__)

FONTS = (
    "/usr/share/fonts/truetype/humor-sans/Humor-Sans.ttf",
    "/usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf",
    "/usr/share/fonts/opentype/comic-neue/ComicNeue-BoldItalic.otf",
    "/usr/share/fonts/truetype/breip/Breip.ttf",
    "/usr/share/fonts/opentype/bwht/BecauseWeBuild-Regular.otf",
    "/usr/share/fonts/opentype/bwht/BecauseWeConnect-Regular.otf",
    "/usr/share/fonts/opentype/bwht/BecauseWeCreate-Regular.otf",
    "/usr/share/fonts/opentype/bwht/BecauseWeLearn-Regular.otf",
    "/usr/share/fonts/opentype/bwht/BecauseWeMentor-Regular.otf",
    "/usr/share/fonts/opentype/bwht/BecauseWeOrganize-Regular.otf",
    "/usr/share/fonts/truetype/kristi/Kristi.ttf",
    "/usr/share/fonts/opentype/dancingscript/DancingScript-Regular.otf",
    "/usr/share/fonts/opentype/dancingscript/DancingScript-Bold.otf",
)
"""Handwriting-style fonts (Debian fonts-humor-sans, fonts-comic-neue, fonts-breip,
fonts-bwht, fonts-kristi, fonts-dancingscript; all SIL OFL), which `make digit-fonts`
installs (the Makefile's `DIGIT_FONT_PACKAGES`)."""
HELD_OUT_FONTS = (
    "/usr/share/fonts/opentype/bwht/BecauseWeMentor-Regular.otf",
    "/usr/share/fonts/truetype/kristi/Kristi.ttf",
)
"""Fonts kept out of training: the gate is calibrated on hands the networks never saw."""
PRINT_FONTS = (
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Italic.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
"""The template's print, for `not a digit` glyphs (fonts-liberation2, fonts-dejavu-core)."""
NOT_DIGITS = "KHĐCEFNMWAURPXVYhkmnwuvxyaerc:()-%&#@ốàạ"
"""Printed characters a digit crop may catch.  Letters shaped like digits (`I l O o S Z
B g q T t f /`) are left out: teaching them as `not a digit` would teach the networks to doubt
real `1 0 5 2 8 9 7`."""
UCI_HELD_OUT = 0.2
"""Share of the UCI digits (the last ones, other writers) held out for calibration."""
UCI_COPIES, FONT_COPIES, REJECT_COPIES = 6, 40, 6
"""Distorted copies per UCI digit, per font digit, and per printed non-digit and font."""
MNIST_HELD_OUT = 5
"""Every fifth MNIST digit is held out for calibration (the file is sorted by class)."""
MNIST_COPIES = 6
"""Distorted copies per MNIST digit (of them, `BROKEN_SHARE` with a broken line)."""
BROKEN_SHARE = 0.3
"""Share of MNIST copies whose line is broken as a dry ballpoint's or dark blue pen's is
after colour separation: short gaps cut across the stroke."""
LOW_RES_SHARE = 0.25
"""Share of MNIST copies drawn 18–30 pixels tall and scaled back up: a pen digit on a
150–200 dpi scan, its strokes blocky and merged."""
NETWORKS: tuple[tuple[int, ...], ...] = ()
"""Hidden layers of the ensemble's MLPs (over `glyph_features`), none now: the five MLPs
of before (256, 192, 128-64, 256-128, 96 hidden) accept 55.7 % of the held-out digits at
the target error, one CNN 72 %, and the MLPs beside one CNN lowered the real scans'
numbers read (2 of 10 against 3 with the CNN alone)."""
CONVNETS = ((16, 32, 32), (16, 32, 32), (16, 32, 32))
"""Channels of the ensemble's CNNs (three 3 × 3 conv → ReLU → 2 × 2 pool blocks each,
`pipeline.ocr.convnet`), trained from different seeds: CNNs that must agree err on fewer
glyphs, so the gate's threshold falls and more right glyphs pass (held-out digits
accepted: one 72 %, two 77.2 %, three 77.7 %; real scans' numbers 3, 3, 5 of 10)."""
CONV_HIDDEN = 64
"""Units of the CNNs' dense layer between the last pool (4 × 4 × 32) and the 11 classes."""
CONV_EPOCHS = 6
"""Passes over the training glyphs per CNN (~30 s each on one core); the loss still
falls a little after six, the held-out acceptance no more."""
TARGET_ERROR = 0.002
"""The gate's threshold is the lowest at which at most this share of the held-out glyphs
it accepts are wrong (a four-digit number then errs at most ~1 % before the other checks)."""
MIN_THRESHOLD = 0.9
"""The gate never accepts a glyph below this probability, whatever the calibration says."""
DATE_TARGET_ERROR = 0.01
"""The day's and month's gate errs at most this share of held-out glyphs: looser than a
number's, since a day or month is one of 31 or 12 values, must make a real date with the
printed year, and no document is filed under it, while the number is the document's key
and is never guessed.  Held out: 0.674, 90.3 % of digits accepted against 77.7 % at the
number gate; at 0.005 (0.882, 83.9 %) real scans' hand-written days at 0.84 were refused
though right, and no generated page's day or month came out wrong at either."""
MIN_DATE_THRESHOLD = 0.6
"""The date gate's floor, as `MIN_THRESHOLD` is the number gate's."""
PAIR_COUNT = 1500
"""Training glyphs of two digits run together, and as many pen loops (a quarter of each
held out): enough `not a digit` beside the 40 000 digit glyphs that the gate refuses them."""
CANVAS = 64
"""Glyphs are drawn and distorted at this height in pixels (a pen digit at 300 dpi is 40–90)."""


STROKES: dict[int, list[list[list[tuple[float, float]]]]] = {
    0: [[[(0.3, 0.0), (0.05, 0.3), (0.1, 0.85), (0.32, 1.0), (0.52, 0.7), (0.5, 0.15), (0.25, 0.02)]],
        [[(0.45, 0.1), (0.25, 0.0), (0.08, 0.4), (0.15, 0.9), (0.4, 0.95), (0.55, 0.5), (0.45, 0.1)]]],
    1: [[[(0.3, 0.0), (0.28, 1.0)]],
        [[(0.12, 0.22), (0.34, 0.0), (0.3, 1.0)]],
        [[(0.02, 0.4), (0.42, 0.0), (0.22, 1.0)]],
        [[(0.08, 0.3), (0.45, 0.0), (0.4, 0.5), (0.3, 1.0)]],
        [[(0.12, 0.2), (0.32, 0.0), (0.3, 1.0)], [(0.1, 1.0), (0.5, 1.0)]]],
    2: [[[(0.05, 0.2), (0.3, 0.0), (0.52, 0.2), (0.45, 0.45), (0.04, 1.0), (0.56, 1.0)]],
        [[(0.04, 0.22), (0.3, 0.0), (0.52, 0.18), (0.44, 0.5), (0.12, 0.86), (0.02, 0.98),
          (0.14, 1.0), (0.26, 0.9), (0.4, 0.98), (0.58, 0.96)]],
        [[(0.08, 0.12), (0.35, 0.0), (0.5, 0.25), (0.2, 0.75), (0.05, 1.0), (0.3, 0.92),
          (0.58, 1.0)]]],
    3: [[[(0.05, 0.12), (0.3, 0.0), (0.52, 0.18), (0.26, 0.48), (0.54, 0.68), (0.45, 0.95),
          (0.2, 1.0), (0.03, 0.85)]],
        [[(0.05, 0.0), (0.55, 0.02), (0.24, 0.4), (0.52, 0.58), (0.52, 0.88), (0.26, 1.0),
          (0.02, 0.88)]]],
    4: [[[(0.45, 1.0), (0.45, 0.0), (0.0, 0.7), (0.6, 0.7)]],
        [[(0.12, 0.0), (0.05, 0.62), (0.58, 0.6)], [(0.44, 0.2), (0.42, 1.0)]],
        [[(0.3, 0.0), (0.02, 0.68), (0.6, 0.66)], [(0.46, 0.35), (0.44, 1.0)]]],
    5: [[[(0.12, 0.0), (0.08, 0.45), (0.38, 0.38), (0.56, 0.62), (0.45, 0.95), (0.2, 1.0),
          (0.02, 0.9)], [(0.14, 0.0), (0.55, 0.02)]],
        [[(0.56, 0.0), (0.14, 0.02), (0.06, 0.48), (0.42, 0.42), (0.55, 0.7), (0.35, 1.0),
          (0.03, 0.92)]]],
    6: [[[(0.5, 0.0), (0.15, 0.35), (0.06, 0.8), (0.28, 1.0), (0.52, 0.82), (0.4, 0.55),
          (0.08, 0.68)]],
        [[(0.45, 0.0), (0.12, 0.5), (0.12, 0.9), (0.35, 1.0), (0.55, 0.78), (0.3, 0.58),
          (0.12, 0.75)]]],
    7: [[[(0.02, 0.04), (0.58, 0.02), (0.22, 1.0)]],
        [[(0.02, 0.04), (0.58, 0.02), (0.26, 1.0)], [(0.14, 0.52), (0.52, 0.48)]],
        [[(0.02, 0.22), (0.06, 0.02), (0.56, 0.04), (0.3, 1.0)]],
        [[(0.0, 0.1), (0.2, 0.0), (0.4, 0.08), (0.58, 0.0), (0.3, 1.0)], [(0.18, 0.5),
          (0.56, 0.5)]]],
    8: [[[(0.3, 0.46), (0.06, 0.26), (0.3, 0.0), (0.52, 0.24), (0.3, 0.46), (0.04, 0.74),
          (0.3, 1.0), (0.56, 0.74), (0.3, 0.46)]],
        [[(0.5, 0.1), (0.28, 0.0), (0.08, 0.2), (0.52, 0.7), (0.3, 1.0), (0.06, 0.75),
          (0.5, 0.3), (0.5, 0.1)]]],
    9: [[[(0.5, 0.2), (0.3, 0.0), (0.06, 0.18), (0.2, 0.45), (0.5, 0.3), (0.46, 1.0)]],
        [[(0.52, 0.1), (0.28, 0.0), (0.05, 0.25), (0.3, 0.48), (0.52, 0.2), (0.5, 0.7),
          (0.3, 1.0), (0.08, 0.9)]]],
}  # fmt: skip
"""Pen-stroke skeletons of each digit (x 0–0.6 across, y 0–1 down), several styles each."""
STROKE_COPIES = 200
"""Drawn copies per style of `STROKES` (each jittered, then distorted)."""


def _smooth(points: np.ndarray, rounds: int = 3) -> np.ndarray:
    """Chaikin's corner cutting: a polyline as the rounded line a pen draws."""
    for _ in range(rounds):
        if len(points) < 3:
            return points
        a, b = points[:-1], points[1:]
        cut = np.empty((2 * len(a), 2))
        cut[0::2], cut[1::2] = 0.75 * a + 0.25 * b, 0.25 * a + 0.75 * b
        points = np.vstack([points[:1], cut, points[-1:]])
    return points


def _stroked(style: list[list[tuple[float, float]]], rng: np.random.Generator) -> np.ndarray:
    """One digit drawn from a style of `STROKES`, its points jittered."""
    canvas = np.zeros((CANVAS + 16, CANVAS + 16), np.uint8)
    for stroke in style:
        points = np.array(stroke) + rng.normal(0, 0.025, (len(stroke), 2))
        line = _smooth(points) * CANVAS + 8
        cv2.polylines(canvas, [line.round().astype(np.int32)], False, 1,
                      int(rng.integers(3, 7)), cv2.LINE_AA)  # fmt: skip
    return _bitmap(canvas.astype(np.float32))


def _bitmap(image: np.ndarray) -> np.ndarray:
    """The ink of a gray 0–1 image (True where above one half), cut to its box."""
    ink = image > 0.5
    ys, xs = np.nonzero(ink)
    if len(ys) == 0:
        return ink
    return ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def distort(glyph: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A glyph (bool) as another hand might write it: slanted, turned, wider or narrower,
    thinner or thicker, warped."""
    h, w = glyph.shape
    scale = CANVAS / max(h, 1)
    image = cv2.resize(glyph.astype(np.float32), (max(1, round(w * scale)), CANVAS),
                       interpolation=cv2.INTER_LINEAR)  # fmt: skip
    pad = CANVAS // 2
    image = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    rows, cols = image.shape
    shear = rng.uniform(-0.35, 0.25)
    angle = math.radians(rng.uniform(-12, 12))
    sx = rng.uniform(0.7, 1.3)
    cos, sin = math.cos(angle), math.sin(angle)
    a = np.array([[cos * sx, -sin + shear], [sin * sx, cos]], dtype=np.float32)
    centre = np.array([cols / 2, rows / 2], dtype=np.float32)
    matrix = np.hstack([a, (centre - a @ centre)[:, None]])
    image = cv2.warpAffine(image, matrix, (cols, rows), flags=cv2.INTER_LINEAR)
    if rng.random() < 0.6:  # elastic: a smooth random displacement of a few pixels
        dx = cv2.GaussianBlur(rng.uniform(-1, 1, image.shape).astype(np.float32), (0, 0), 6)
        dy = cv2.GaussianBlur(rng.uniform(-1, 1, image.shape).astype(np.float32), (0, 0), 6)
        strength = rng.uniform(10, 40)
        gx, gy = np.meshgrid(np.arange(cols, dtype=np.float32), np.arange(rows, dtype=np.float32))
        image = cv2.remap(image, gx + dx * strength, gy + dy * strength, cv2.INTER_LINEAR)
    ink = (image > 0.5).astype(np.uint8)
    thickness = int(rng.integers(-1, 3))  # pen strokes from hairline to felt-tip
    if thickness < 0:
        thinner = cv2.erode(ink, np.ones((3, 3), np.uint8))
        ink = thinner if thinner.sum() > 0.4 * ink.sum() else ink
    elif thickness > 0:
        ink = cv2.dilate(ink, np.ones((thickness * 2 + 1,) * 2, np.uint8))
    return _bitmap(ink.astype(np.float32))


def _uci() -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:  # a training extra
        raise MissingDependencyError(
            "training the digit model needs scikit-learn: pip install -e '.[train]'"
        ) from exc
    data = load_digits()
    glyphs = []
    for image in data.images:
        big = cv2.resize((image / 16).astype(np.float32), (CANVAS // 2, CANVAS // 2),
                         interpolation=cv2.INTER_CUBIC)  # fmt: skip
        glyphs.append(_bitmap(big))
    return np.array(glyphs, dtype=object), data.target


def _mnist() -> tuple[np.ndarray, np.ndarray]:
    """The MNIST digits mlxtend ships, each as a bitmap cut to its ink (2× scaled up first,
    so the threshold keeps the stroke's smooth edge)."""
    try:
        from mlxtend.data import mnist_data
    except ImportError as exc:  # a training extra
        raise MissingDependencyError(
            "training the digit model needs mlxtend: pip install -e '.[train]'"
        ) from exc
    images, labels = mnist_data()
    glyphs = []
    for row in images:
        big = cv2.resize((row.reshape(28, 28) / 255).astype(np.float32), (56, 56),
                         interpolation=cv2.INTER_CUBIC)  # fmt: skip
        glyphs.append(_bitmap(big))
    return np.array(glyphs, dtype=object), labels.astype(int)


def broken(glyph: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The glyph with 1–4 short gaps cut across its line (a ballpoint skipping)."""
    ink = glyph.astype(np.uint8)
    ys, xs = np.nonzero(ink)
    if len(ys) == 0:
        return glyph
    out = ink.copy()
    for _ in range(int(rng.integers(1, 5))):
        k = int(rng.integers(len(ys)))
        radius = max(1, round(glyph.shape[0] * rng.uniform(0.03, 0.07)))
        cv2.circle(out, (int(xs[k]), int(ys[k])), radius, 0, -1)
    # A cut that takes most of the ink leaves no digit: keep the glyph whole then.
    return out.astype(bool) if out.sum() > 0.75 * ink.sum() else glyph


def low_res(glyph: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The glyph drawn small (18–30 pixels tall) and scaled back up, as a low-dpi scan has it."""
    h, w = glyph.shape
    height = int(rng.integers(18, 31))
    size = (max(1, round(w * height / max(h, 1))), height)
    small = cv2.resize(glyph.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    small = (small > rng.uniform(0.35, 0.6)).astype(np.float32)
    return _bitmap(cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST))


def _rendered(font_path: str, text: str, size: int = CANVAS) -> np.ndarray:
    font = ImageFont.truetype(font_path, size)
    image = Image.new("L", (size * 2 * max(1, len(text)), size * 2), 0)
    ImageDraw.Draw(image).text((size // 2, size // 2), text, font=font, fill=255)
    return _bitmap(np.asarray(image, dtype=np.float32) / 255)


def _loop(rng: np.random.Generator) -> np.ndarray:
    """A random pen loop or smudge: what a scribble or a seal's edge leaves in a crop."""
    canvas = np.zeros((CANVAS, CANVAS), np.uint8)
    if rng.random() < 0.3:
        centre = (int(rng.integers(20, 44)), int(rng.integers(20, 44)))
        axes = (int(rng.integers(6, 30)), int(rng.integers(6, 30)))
        cv2.ellipse(canvas, centre, axes, float(rng.uniform(0, 180)), 0, 360, 1, -1)
    else:
        points = np.cumsum(rng.normal(0, 9, (int(rng.integers(4, 12)), 2)), axis=0) + 32
        cv2.polylines(canvas, [points.astype(np.int32)], False, 1, int(rng.integers(2, 7)))
    return _bitmap(canvas.astype(np.float32))


def _pair(a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Two digits run together and squeezed to one digit's width (an uncut pair)."""
    h = max(a.shape[0], b.shape[0])
    a = cv2.resize(a.astype(np.float32), (max(1, a.shape[1] * h // a.shape[0]), h))
    b = cv2.resize(b.astype(np.float32), (max(1, b.shape[1] * h // b.shape[0]), h))
    joined = np.hstack([a, b])
    width = max(2, round(h * rng.uniform(0.85, 1.15)))
    return _bitmap(cv2.resize(joined, (width, h)))


def build(seed: int = 0) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Feature rows, labels and glyph boxes (float16): `train` and `held` (calibration)
    sets."""
    rng = np.random.default_rng(seed)
    sets: dict[str, tuple[list, list, list]] = {"train": ([], [], []), "held": ([], [], [])}

    def add(part: str, glyph: np.ndarray, label: int) -> None:
        box, aspect = glyph_box(glyph)
        sets[part][0].append(box_features(box, aspect))
        sets[part][1].append(label)
        sets[part][2].append(box.astype(np.float16))

    glyphs, labels = _uci()
    cut = round(len(glyphs) * (1 - UCI_HELD_OUT))
    for i, (glyph, label) in enumerate(zip(glyphs, labels, strict=True)):
        part = "train" if i < cut else "held"
        for _ in range(UCI_COPIES):
            add(part, distort(glyph, rng), int(label))
    mnist, mnist_labels = _mnist()
    for i, (glyph, label) in enumerate(zip(mnist, mnist_labels, strict=True)):
        part = "held" if i % MNIST_HELD_OUT == 0 else "train"
        for _ in range(MNIST_COPIES):
            copy = distort(glyph, rng)
            if rng.random() < BROKEN_SHARE:
                copy = broken(copy, rng)
            if rng.random() < LOW_RES_SHARE:
                copy = low_res(copy, rng)
            add(part, copy, int(label))
    fonts = [f for f in FONTS if Path(f).exists()]
    if len(fonts) < len(FONTS) // 2:
        raise MissingDependencyError("handwriting fonts missing: run `make digit-fonts`")
    font_digits = {}
    for font in fonts:
        part = "held" if font in HELD_OUT_FONTS else "train"
        for d in range(10):
            base = _rendered(font, str(d))
            font_digits.setdefault(part, []).append((base, d))
            for _ in range(FONT_COPIES):
                add(part, distort(base, rng), d)
    for digit, styles in STROKES.items():
        for style in styles:
            for k in range(STROKE_COPIES):
                add("held" if k % 5 == 0 else "train", distort(_stroked(style, rng), rng), digit)
    for font in PRINT_FONTS:
        if not Path(font).exists():
            continue
        for ch in NOT_DIGITS:
            base = _rendered(font, ch)
            for k in range(REJECT_COPIES):
                add("held" if k == 0 else "train", distort(base, rng), REJECT)
    for part, digits in font_digits.items():
        pool = [g for g, _ in digits] + list(glyphs[: cut if part == "train" else None])
        pool += [g for i, g in enumerate(mnist) if (i % MNIST_HELD_OUT == 0) == (part == "held")]
        count = PAIR_COUNT if part == "train" else PAIR_COUNT // 4
        for _ in range(count):
            a, b = pool[rng.integers(len(pool))], pool[rng.integers(len(pool))]
            add(part, distort(_pair(a, b, rng), rng), REJECT)
        for _ in range(count):
            add(part, _loop(rng), REJECT)
    return {k: (np.stack(v[0]), np.array(v[1]), np.stack(v[2])) for k, v in sets.items()}


def _thresholds(floor: float = MIN_THRESHOLD) -> np.ndarray:
    """The thresholds `calibrate` tries, lowest first: steps of 0.002 from `floor`, then
    1 − 10⁻³ … 1 − 10⁻⁵ (networks trained on many clean digits are sure of most)."""
    fine = 1 - np.logspace(-3, -5, 9)
    return np.concatenate([np.round(np.arange(floor, 0.999, 0.002), 3), fine])


def calibrate(
    model: DigitModel,
    features: np.ndarray,
    labels: np.ndarray,
    boxes: np.ndarray | None = None,
    target: float = TARGET_ERROR,
    floor: float = MIN_THRESHOLD,
) -> tuple[float, dict]:
    """The lowest threshold from `floor` whose accepted held-out digits err at most
    `target`, and the figures at it (accepted share of digits, error rate, rejects let
    through)."""
    return _calibrate(*_ungated(model, features, boxes), labels, target, floor)


def _ungated(
    model: DigitModel, features: np.ndarray, boxes: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Per glyph the ensemble's class and least probability, with no gate applied."""
    plain = DigitModel(model.layers, model.mean, model.scale, 0.0, model.convnets)
    results = plain.classify(features, boxes)
    return np.array([c for c, _ in results]), np.array([p for _, p in results])


def _calibrate(
    classes: np.ndarray, probs: np.ndarray, labels: np.ndarray, target: float, floor: float
) -> tuple[float, dict]:
    """`calibrate` of glyphs already classified (`_ungated`)."""
    digit = labels != REJECT
    chosen, figures = 1.0, {}
    for t in _thresholds(floor):
        accepted = (probs >= t) & (classes != REJECT)
        wrong = accepted & (classes != labels)
        rate = wrong.sum() / max(accepted.sum(), 1)
        if rate <= target and accepted.any():  # a gate passing nothing is no gate
            chosen = float(t)
            figures = {
                "threshold": chosen,
                "digits accepted": float((accepted & digit).sum() / digit.sum()),
                "accepted wrong": float(rate),
                "non-digits accepted": int((accepted & ~digit).sum()),
            }
            break
    return chosen, figures


def calibrated(
    model: DigitModel, features: np.ndarray, labels: np.ndarray, boxes: np.ndarray | None
) -> tuple[DigitModel, dict]:
    """The model with both gates calibrated on held-out glyphs, and the figures at each
    (the date gate's prefixed `date `)."""
    classes, probs = _ungated(model, features, boxes)  # the ensemble run once for both
    threshold, figures = _calibrate(classes, probs, labels, TARGET_ERROR, MIN_THRESHOLD)
    date, date_figures = _calibrate(classes, probs, labels, DATE_TARGET_ERROR,
                                    MIN_DATE_THRESHOLD)  # fmt: skip
    figures.update({f"date {key}": value for key, value in date_figures.items()})
    model = DigitModel(model.layers, model.mean, model.scale, threshold, model.convnets, date)
    return model, figures


def train(out: Path = handwriting.MODEL_FILE, seed: int = 0) -> dict:
    """Build the data, train the ensemble, calibrate, write `out`; the held-out figures."""
    from sklearn.neural_network import MLPClassifier

    started = time.perf_counter()
    data = build(seed)
    x, y, boxes = data["train"]
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-3
    layers = []
    for k, hidden in enumerate(NETWORKS):
        net = MLPClassifier(hidden, alpha=1e-3, max_iter=300, early_stopping=True,
                            random_state=seed + k)  # fmt: skip
        net.fit((x - mean) / scale, y)
        layers.append([(w, b) for w, b in zip(net.coefs_, net.intercepts_, strict=True)])
    boxes = boxes.astype(np.float32)
    convnets = tuple(
        convnet.train(boxes, y, channels, CONV_HIDDEN, CONV_EPOCHS, seed + k)
        for k, channels in enumerate(CONVNETS)
    )
    model = DigitModel(layers, mean.astype(np.float32), scale.astype(np.float32), 1.0, convnets)
    held_x, held_y, held_boxes = data["held"]
    model, figures = calibrated(model, held_x, held_y, held_boxes.astype(np.float32))
    handwriting.save_model(out, model)
    figures.update(train_glyphs=len(y), held_glyphs=len(data["held"][1]),
                   seconds=round(time.perf_counter() - started, 1))  # fmt: skip
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=handwriting.MODEL_FILE)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    figures = train(args.out, args.seed)
    for key, value in figures.items():
        print(f"{key}: {value}")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} kB)")


if __name__ == "__main__":
    main()
