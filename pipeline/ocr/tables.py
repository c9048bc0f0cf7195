"""Ruled tables on scanned pages, read cell by cell and row by row.

Appendix task tables (TT | Nội dung | Cơ quan chủ trì | Thời gian) are drawn with ruling
lines.  Page OCR reads their wrapped cells line by line across the page, so one task's
words end up mixed with its neighbours'.  Here the ruling lines are found in the image
(OpenCV morphology: long thin horizontal and vertical strokes), their crossings give
the rows and columns, Tesseract's words are put in the cell their centre falls in, and
each row becomes one text line `cell | cell | …`, as the PDF text layer's tables do
(`pipeline.ingest.pdf`), so the segmenter reads both alike.  The rows also go to
`Page.tables`.
"""

from __future__ import annotations

import bisect
import statistics
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from pipeline.ocr.tesseract import Word
from pipeline.reading_order import Piece

MIN_RULE_MM = 20.0
"""A horizontal ruling line is at least this long (a word's underline is shorter)."""
MIN_VERTICAL_MM = 5.0
"""A vertical ruling segment is at least this tall (a row of one text line is ~7 mm)."""
MIN_TABLE_WIDTH = 0.4
"""A grid narrower than this share of the page is a stamp box or a frame, not a table."""
LINE_COVER = 0.5
"""A row separator runs across at least this share of the grid's width."""
COLUMN_COVER = 0.3
"""A column separator runs down at least this share of the grid's height (merged
cells, such as a group heading spanning the row, interrupt it)."""
MERGE_PX_MM = 1.5
"""Rule positions closer than this are one (a thick or doubled line)."""
WORK_DPI = 75
"""Resolution the ruling lines are looked for at (see `_grids`)."""
MAX_SLANT = 0.02
"""Rules may slope this much (about 1°, what deskew leaves): a rule's profile is summed
over a band this share of the grid's length wide."""


@dataclass
class OcrTable:
    """One ruled table: its box in image pixels, row and column edges, and its cell texts."""

    box: tuple[int, int, int, int]
    ys: list[int]
    xs: list[int]
    rows: list[list[str]]
    row_tops: list[int]


def _positions(profile: np.ndarray, threshold: float, merge: int, band: int) -> list[int]:
    """Centres of runs of the profile at or above `threshold` (runs closer than `merge`
    join), the profile first summed over `band` neighbours (a sloping rule spreads)."""
    if band > 1:
        profile = np.convolve(profile, np.ones(band), mode="same")
    hits = np.nonzero(profile >= threshold)[0]
    out: list[list[int]] = []
    for p in hits:
        if out and p - out[-1][-1] <= merge:
            out[-1].append(int(p))
        else:
            out.append([int(p)])
    return [round(statistics.fmean(run)) for run in out]


def _darkest(pixels: np.ndarray, factor: int) -> np.ndarray:
    """The image `factor` times smaller, each pixel the darkest of its block (a thin rule
    stays black, where averaging would fade it to gray): an erosion, then every
    `factor`-th pixel."""
    eroded = cv2.erode(pixels, np.ones((factor, factor), np.uint8), anchor=(0, 0))
    return np.ascontiguousarray(eroded[::factor, ::factor])


def _grids(gray: Image.Image, dpi: int) -> list[tuple[int, int, int, int, list[int], list[int]]]:
    """The ruled grids of a page in full-size pixels: box, row edges, column edges.

    The rules are looked for on a copy at about `WORK_DPI` (their positions scaled back):
    the morphology with 20 mm kernels costs a tenth of a page's OCR at 300 dpi, a
    sixteenth of that at 75 dpi, and a rule's place is needed to a cell, not a pixel.
    """
    factor = max(1, dpi // WORK_DPI)
    if factor > 1:
        small = _darkest(np.asarray(gray.convert("L")), factor)
        return [
            (x0 * factor, y0 * factor, x1 * factor, y1 * factor,
             [y * factor + factor // 2 for y in ys], [x * factor + factor // 2 for x in xs])
            for x0, y0, x1, y1, ys, xs in _grids_at(small, dpi / factor)
        ]  # fmt: skip
    return _grids_at(np.asarray(gray.convert("L")), dpi)


def _grids_at(
    pixels: np.ndarray, dpi: float
) -> list[tuple[int, int, int, int, list[int], list[int]]]:
    _, dark = cv2.threshold(pixels, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    per_mm = dpi / 25.4
    h_len, v_len = max(int(MIN_RULE_MM * per_mm), 10), max(int(MIN_VERTICAL_MM * per_mm), 5)
    horizontal = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((1, h_len), np.uint8))
    vertical = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((v_len, 1), np.uint8))
    grid = cv2.dilate(horizontal | vertical, np.ones((5, 5), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(grid, connectivity=8)
    merge = max(int(MERGE_PX_MM * per_mm), 2)
    found = []
    for k in range(1, count):
        x, y, w, h = (int(v) for v in stats[k, :4])
        if w < MIN_TABLE_WIDTH * pixels.shape[1] or h < 2 * v_len:
            continue
        hs = horizontal[y : y + h, x : x + w] > 0
        vs = vertical[y : y + h, x : x + w] > 0
        band_h, band_v = int(MAX_SLANT * w) | 1, int(MAX_SLANT * h) | 1
        ys = [y + p for p in _positions(hs.sum(axis=1), LINE_COVER * w, merge, band_h)]
        xs = [x + p for p in _positions(vs.sum(axis=0), COLUMN_COVER * h, merge, band_v)]
        if len(ys) >= 3 and len(xs) >= 3:
            found.append((x, y, x + w, y + h, ys, xs))
    return found


def find_tables(gray: Image.Image, words: list[Word], dpi: int) -> list[OcrTable]:
    """The ruled tables of a page with their cells filled from `words`."""
    tables = []
    for x0, y0, x1, y1, ys, xs in _grids(gray, dpi):
        cells: dict[tuple[int, int], list[Word]] = {}
        for word in words:
            cx, cy = (word.left + word.right) / 2, (word.top + word.bottom) / 2
            if not (xs[0] < cx < xs[-1] and ys[0] < cy < ys[-1]):
                continue
            row, col = bisect.bisect(ys, cy) - 1, bisect.bisect(xs, cx) - 1
            cells.setdefault((row, col), []).append(word)
        rows, tops = [], []
        for r in range(len(ys) - 1):
            row = [_cell_text(cells.get((r, c), [])) for c in range(len(xs) - 1)]
            if any(row):
                rows.append(row)
                tops.append(ys[r])
        if sum(1 for row in rows if sum(1 for c in row if c) >= 2) >= 2:
            tables.append(OcrTable((x0, y0, x1, y1), ys, xs, rows, tops))
    return tables


def _cell_text(words: list[Word]) -> str:
    """A cell's words line by line (a line: words within half a height of each other)."""
    if not words:
        return ""
    height = statistics.median(w.height for w in words)
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: w.top):
        if lines and abs(word.top - lines[-1][0].top) <= 0.5 * height:
            lines[-1].append(word)
        else:
            lines.append([word])
    return " ".join(w.text for line in lines for w in sorted(line, key=lambda w: w.left))


def take_words(tables: list[OcrTable], words: list[Word]) -> tuple[list[Word], list[Piece]]:
    """The words outside the tables, and one `Piece` per table row (`a | b | c`)."""
    if not tables:
        return words, []
    outside, pieces = [], []
    for word in words:
        cx, cy = (word.left + word.right) / 2, (word.top + word.bottom) / 2
        if not any(t.xs[0] < cx < t.xs[-1] and t.ys[0] < cy < t.ys[-1] for t in tables):
            outside.append(word)
    height = statistics.median(w.height for w in words) if words else 20
    for table in tables:
        for row, top in zip(table.rows, table.row_tops, strict=True):
            text = " | ".join(row)
            pieces.append(Piece(text, table.box[0], table.box[2], top + 1, top + 1 + height))
    return outside, pieces
