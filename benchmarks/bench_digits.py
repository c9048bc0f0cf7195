"""Hand-written digits of the number and date fields: right, left incomplete, wrong.

    python -m benchmarks digits [--crops N] [--pages N]

1. Crops: digit fields written by `make_scans._pen_digits` (a stroke hand the digit
   model never saw in training) on a blank crop, some over a dotted leader, read by
   `pipeline.ocr.handwriting.read` alone; and pen scribbles, which must give nothing.
2. Pages: generated first pages (random number, day and month written in blue or black
   pen, light colour scan) through the page's OCR and `fields.reread`, with Tesseract
   alone and with the digit model (`hand_digits`): per field right / incomplete / wrong,
   and the seconds the model adds per page.

A wrong reading is a failure of the gate: the target is 0 in every row.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "samples"))

import make_scans  # noqa: E402

from pipeline.ocr import fields, handwriting, preprocess, tesseract  # noqa: E402

LINE = 54
"""The printed line's height in pixels at 300 dpi (13 pt), as `make_scans` draws it."""
PREPARE = ("seal", "grayscale", "orientation", "denoise", "deskew")
"""The page steps before Tesseract, as `Config.preprocess` has them."""
KINDS = {"number": (1, 9999), "day": (1, 31), "month": (1, 12)}


def _crop(rng: random.Random, digits: str, leader: bool) -> tuple[np.ndarray, float, float]:
    """An ink mask of pen digits in a crop the size `fields._zone` cuts, and its band."""
    height = round(LINE * (1 + fields.CROP_ABOVE + fields.CROP_BELOW))
    width = round(LINE * (0.9 * len(digits) + 1.2))
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    top = fields.CROP_ABOVE * LINE
    if leader:
        for x in range(4, width - 4, 9):
            draw.ellipse((x, top + LINE - 3, x + 3, top + LINE), fill=0)
    make_scans._pen_digits(draw, rng, digits, LINE * 0.3, top, LINE, 0)
    return np.asarray(image) < 128, top, top + LINE


def _digits(rng: random.Random, kind: str) -> str:
    lo, hi = KINDS[kind]
    value = rng.randint(lo, hi)
    return f"{value:02d}" if kind != "number" and rng.random() < 0.5 else str(value)


def bench_crops(count: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    model = handwriting.load_model()
    print(f"1. Pen digit crops ({count} per field; stroke hand unseen in training)")
    print(f"   {'field':<9} {'right':>6} {'incomplete':>11} {'wrong':>6}   ms/crop")
    for kind in (*KINDS, "scribble"):
        right = incomplete = wrong = 0
        started = time.perf_counter()
        for _ in range(count):
            if kind == "scribble":
                mask, top, bottom = _crop(rng, "", False)
                image = Image.fromarray(np.where(mask, 0, 255).astype(np.uint8))
                draw = ImageDraw.Draw(image)
                box = (LINE * 0.3, top - LINE * 0.1, LINE * 2.5, top + LINE * 0.9)
                make_scans._scribble(draw, rng, box, 0, 5, rng.randint(2, 4))
                mask, truth = np.asarray(image) < 128, None
            else:
                truth = _digits(rng, kind)
                mask, top, bottom = _crop(rng, truth, rng.random() < 0.3)
            field = "number" if kind == "scribble" else kind
            got = handwriting.read(mask, top, bottom, fields._MAX_DIGITS[field], model,
                                   date=field != "number")  # fmt: skip
            if got is None:
                incomplete += 1
            elif truth is not None and got.digits.lstrip("0") == truth.lstrip("0"):
                right += 1
            else:
                wrong += 1
        ms = (time.perf_counter() - started) / count * 1000
        print(f"   {kind:<9} {right:>6} {incomplete:>11} {wrong:>6}   {ms:.1f}")


def _page(rng: random.Random, name: str, colour) -> tuple[Image.Image, dict]:
    """A first page with random digits written by pen, scanned; and its true digits."""
    layout = make_scans.load_layout(name)
    truth = {k: _digits(rng, k) for k in KINDS}
    layout.header_left = [
        re.sub(r"^Số:\s*\d+\s*/", f"Số: {truth['number']}/", t) for t in layout.header_left
    ]
    layout.header_right = [
        re.sub(r"ngày \d+ tháng \d+", f"ngày {truth['day']} tháng {truth['month']}", t)
        for t in layout.header_right
    ]
    page = make_scans.render_pages(layout, hand=True)[0]
    image, _ = make_scans.scan_colour(make_scans.decorate_pen(page, rng.randint(0, 999), colour),
                                      seed=rng.randint(0, 999))  # fmt: skip
    return image, truth


def _score(readings: list[fields.Reading], truth: dict) -> dict[str, str]:
    """Per field `right`, `incomplete` or `wrong`."""
    out = dict.fromkeys(KINDS, "incomplete")
    for r in readings:
        if r.name == "number":
            digits = r.text.split("/")[0]
            if digits:
                out["number"] = "right" if digits == truth["number"] else "wrong"
        else:
            m = re.match(r"ngày (\d*) ?tháng (\d*)", r.text)
            for kind, got in zip(("day", "month"), m.groups() if m else ("", ""), strict=True):
                if got:
                    out[kind] = "right" if int(got) == int(truth[kind]) else "wrong"
    return out


def bench_pages(count: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    tally = {mode: {k: {"right": 0, "incomplete": 0, "wrong": 0} for k in KINDS}
             for mode in ("Tesseract alone", "+ digit model")}  # fmt: skip
    added = 0.0
    for k in range(count):
        name = ("haiphong", "cathai")[k % 2]
        colour = (make_scans.BLUE_INK, make_scans.PEN_BLACK)[(k // 2) % 2]
        image, truth = _page(rng, name, colour)
        gray = preprocess.prepare(image, PREPARE, dpi=make_scans.DPI)
        words = tesseract.recognise(gray, languages="vie", dpi=make_scans.DPI) or []
        for mode, hand in (("Tesseract alone", False), ("+ digit model", True)):
            started = time.perf_counter()
            _, readings = fields.reread(words, gray, image, make_scans.DPI, hand_digits=hand)
            if hand:
                added += time.perf_counter() - started
            for kind, verdict in _score(readings, truth).items():
                tally[mode][kind][verdict] += 1
    print(f"\n2. Generated pages with pen digits ({count}: blue and black pen, light scan)")
    print(f"   {'':<16} {'number r/i/w':>13} {'day r/i/w':>10} {'month r/i/w':>12}")
    for mode, by_kind in tally.items():
        cells = ["/".join(str(by_kind[k][v]) for v in ("right", "incomplete", "wrong"))
                 for k in KINDS]  # fmt: skip
        print(f"   {mode:<16} {cells[0]:>13} {cells[1]:>10} {cells[2]:>12}")
    print(f"   reread time, Tesseract + digit model: {added / max(count, 1):.2f} s/page")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crops", type=int, default=200)
    parser.add_argument("--pages", type=int, default=8)
    args = parser.parse_args(argv or [])
    if args.crops:
        bench_crops(args.crops)
    if args.pages:
        bench_pages(args.pages)


if __name__ == "__main__":
    main(sys.argv[1:])
