"""Ruled tables on scanned pages, read cell by cell and row by row.

Appendix task tables (TT | Nội dung | Cơ quan chủ trì | Thời gian) are drawn with ruling
lines.  Page OCR reads their wrapped cells line by line across the page, so one task's
words end up mixed with its neighbours'.  Here the ruling lines are found in the image
(OpenCV morphology: long thin horizontal and vertical strokes), their crossings give
the rows and columns, Tesseract's words are put in the cell their centre falls in, and
each row becomes one text line `cell | cell | …`, as the PDF text layer's tables do
(`pipeline.ingest.pdf`), so the segmenter reads both alike.  The rows also go to
`Page.tables`.

Two things the page's first OCR pass gets wrong inside a grid are put right here:
- Tesseract reads the vertical rules as `|` and glues them to the words beside them
  (`|tỉnh`, `cung |`), and a word box that takes in a rule can cross into the next
  cell.  So with the `rules` step the grids are looked for before the page is read
  (`find_grids`, at 75 dpi) and their rules painted out (`erase_rules`): the page is
  still read once.  Only a page turned after OSD has its grids found afterwards and
  its tables read again (`reread`);
- a merged cell (a group heading `II. HOÀN THIỆN …` across the table) has no column
  rules: a row's cells are bounded by the separators present in that row only, so
  the heading stays one cell (it goes to `Page.tables` in its first column, the rest
  empty, as the PDF reader gives merged cells).
"""

from __future__ import annotations

import bisect
import functools
import statistics
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from pipeline.ocr import tesseract
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
SEPARATOR_COVER = 0.6
"""A column rule is present in a row when it runs down this share of the row's height
(the rest is the crossings' blur and a slant); a merged cell has none."""
ERASE_GROW = 1
"""Work-resolution pixels the ruling mask is grown by before it is painted white: the
blur of a scanned rule reaches a pixel beyond its dark core."""
CELL_INSET = 6
"""Pixels a blank cell's crop stays inside its rules (their painted band and blur)."""
INK_LEVEL = 128
"""Gray level below which a pixel is ink, for the blank-cell check."""
CELL_INK = 0.004
"""Share of ink pixels above which a cell that got no word is read on its own: a lone
digit `1` covers about 2 % of a TT cell, a light scan's speckle far less than 0.4 %."""
RULE_MARKS = "|_¦"
"""What Tesseract makes of a rule's remains (a blur pixel beside the painted core, or
nothing at all: it has answered `__` on blank paper where a rule was); a word of only
these is dropped.  A lone `-` stays: tables print it for "none"."""
REREAD_MARGIN_MM = 1.0
"""The table's box is cut this much larger for its second reading (the outer rules are
white by then; the margin keeps Tesseract off the crop's edge)."""


@dataclass
class Grid:
    """A ruled grid found on a page, in full-size pixels."""

    box: tuple[int, int, int, int]
    ys: list[int]
    """Row edges, top to bottom."""
    xs: list[int]
    """Column edges, left to right."""
    present: list[list[bool]]
    """Per row, whether each inner column rule (`xs[1:-1]`) runs through it."""
    rules: np.ndarray | None = None
    """The ruling lines' mask at full size (nonzero on a rule), for `erase_rules`."""

    @functools.cached_property
    def spans(self) -> list[list[int]]:
        """Per row, the first column of each of its cells (`_span_starts`); computed once:
        `present` and the number of columns never change after a grid is found."""
        return [_span_starts(present, len(self.xs) - 1) for present in self.present]


@dataclass
class OcrTable:
    """One ruled table: its grid (box, row and column edges in image pixels) and its cell
    texts."""

    grid: Grid
    rows: list[list[str]]
    row_tops: list[int]
    lines: list[str]
    """Each row's text line: its cells (a merged cell once) joined by ` | `."""


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


def _grids(gray: Image.Image, dpi: int) -> list[Grid]:
    """The ruled grids of a page in full-size pixels (rows, columns, rules per row, mask).

    The rules are looked for on a copy at about `WORK_DPI` (their positions scaled back):
    the morphology with 20 mm kernels costs a tenth of a page's OCR at 300 dpi, a
    sixteenth of that at 75 dpi, and a rule's place is needed to a cell, not a pixel.
    """
    pixels = np.asarray(gray.convert("L"))
    factor = max(1, dpi // WORK_DPI)
    small = _darkest(pixels, factor) if factor > 1 else pixels
    grids = []
    for grid in _grids_at(small, dpi / factor):
        if factor > 1:
            x0, y0, x1, y1 = grid.box
            grid.box = (x0 * factor, y0 * factor, x1 * factor, y1 * factor)
            grid.ys = [y * factor + factor // 2 for y in grid.ys]
            grid.xs = [x * factor + factor // 2 for x in grid.xs]
        if grid.rules is not None:
            grown = cv2.dilate(grid.rules, np.ones((2 * ERASE_GROW + 1,) * 2, np.uint8))
            grid.rules = np.kron(grown, np.ones((factor, factor), np.uint8))[
                : pixels.shape[0], : pixels.shape[1]
            ]
        grids.append(grid)
    return grids


def _grids_at(pixels: np.ndarray, dpi: float) -> list[Grid]:
    _, dark = cv2.threshold(pixels, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    per_mm = dpi / 25.4
    h_len, v_len = max(int(MIN_RULE_MM * per_mm), 10), max(int(MIN_VERTICAL_MM * per_mm), 5)
    horizontal = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((1, h_len), np.uint8))
    vertical = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((v_len, 1), np.uint8))
    grid = cv2.dilate(horizontal | vertical, np.ones((5, 5), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(grid, connectivity=8)
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
            present = _rules_per_row(vertical, ys, xs, band_v, merge)
            rules = ((horizontal | vertical) > 0) & (labels == k)
            found.append(Grid((x, y, x + w, y + h), ys, xs, present, rules.astype(np.uint8)))
    return found


def _rules_per_row(
    vertical: np.ndarray, ys: list[int], xs: list[int], band: int, merge: int
) -> list[list[bool]]:
    """For each row, whether each inner column rule runs down it (`SEPARATOR_COVER`)."""
    present = []
    for top, bottom in zip(ys, ys[1:], strict=False):
        inner_top, inner_bottom = top + merge, bottom - merge
        row = []
        for x in xs[1:-1]:
            if inner_bottom <= inner_top:
                row.append(True)
                continue
            strip = vertical[inner_top:inner_bottom, max(x - band, 0) : x + band + 1] > 0
            row.append(bool(strip.any(axis=1).mean() >= SEPARATOR_COVER))
        present.append(row)
    return present


def erase_rules(gray: Image.Image, grids: list[Grid]) -> Image.Image:
    """The page with the grids' ruling lines painted in the paper's shade (the text
    between them kept).  Pure white on a grey scanned page would leave the rules' edges
    as faint lines of their own (read as `__`); the paper is the grid box's median, since
    print covers far less than half of a cell."""
    pixels = np.array(gray.convert("L"))
    for grid in grids:
        if grid.rules is not None:
            x0, y0, x1, y1 = grid.box
            paper = int(np.median(pixels[y0:y1, x0:x1]))
            pixels[grid.rules > 0] = paper
    return Image.fromarray(pixels, "L")


def reread(
    gray: Image.Image, grids: list[Grid], dpi: int, languages: str, timeout: float
) -> list[Word] | None:
    """The grids' words read again with their rules painted white (see the module doc),
    in page coordinates; None when Tesseract timed out."""
    clean = erase_rules(gray, grids)
    margin = round(REREAD_MARGIN_MM * dpi / 25.4)
    words: list[Word] = []
    for grid in grids:
        x0, y0 = max(grid.box[0] - margin, 0), max(grid.box[1] - margin, 0)
        x1, y1 = min(grid.box[2] + margin, gray.width), min(grid.box[3] + margin, gray.height)
        read = tesseract.recognise(
            clean.crop((x0, y0, x1, y1)), languages=languages, dpi=dpi, timeout=timeout
        )
        if read is None:
            return None
        words.extend(_moved(w, x0, y0) for w in read if w.text.strip(RULE_MARKS))
    return words


def _moved(word: Word, dx: int, dy: int) -> Word:
    return Word(word.text, word.conf, word.left + dx, word.top + dy, word.width, word.height,
                word.block, word.par, word.line)  # fmt: skip


def outside(grids: list[Grid], words: list[Word]) -> list[Word]:
    """The words whose centre lies outside every grid."""
    return [w for w in words if not any(_inside(w, g.xs, g.ys) for g in grids)]


def without_marks(grids: list[Grid], words: list[Word]) -> list[Word]:
    """The words, less those inside a grid made only of `RULE_MARKS` (a rule's remains)."""
    return [
        w
        for w in words
        if w.text.strip(RULE_MARKS) or not any(_inside(w, g.xs, g.ys) for g in grids)
    ]


def _inside(word: Word, xs: list[int], ys: list[int]) -> bool:
    cx, cy = (word.left + word.right) / 2, (word.top + word.bottom) / 2
    return xs[0] < cx < xs[-1] and ys[0] < cy < ys[-1]


def find_grids(gray: Image.Image, dpi: int) -> list[Grid]:
    """The ruled grids of a page (none on most pages: a few milliseconds then)."""
    return _grids(gray, dpi)


def find_tables(
    gray: Image.Image,
    words: list[Word],
    dpi: int,
    grids: list[Grid] | None = None,
    read_cell: Callable[[Image.Image], str] | None = None,
) -> list[OcrTable]:
    """The ruled tables of a page with their cells filled from `words`.

    A row's cells are bounded by the column rules present in it (`Grid.present`): the
    words of a merged cell stay together, its text goes to the first column it spans.
    With `read_cell` (the cell's crop of `gray` → its text), a cell that got no word but
    holds ink is read on its own: Tesseract's page layout drops a column of lone row
    numbers (`1`, `2`, … down a TT column) as noise.
    """
    pixels = np.asarray(gray.convert("L")) if read_cell is not None else None
    tables = []
    for grid in _grids(gray, dpi) if grids is None else grids:
        ys, xs = grid.ys, grid.xs
        cells: dict[tuple[int, int], list[Word]] = {}
        for word in words:
            cx, cy = (word.left + word.right) / 2, (word.top + word.bottom) / 2
            if not (xs[0] < cx < xs[-1] and ys[0] < cy < ys[-1]):
                continue
            row, col = bisect.bisect(ys, cy) - 1, bisect.bisect(xs, cx) - 1
            starts = grid.spans[row]
            col = starts[bisect.bisect(starts, col) - 1]
            cells.setdefault((row, col), []).append(word)
        if pixels is not None and read_cell is not None:
            _read_blank_cells(grid, cells, pixels, gray, read_cell)
        rows, tops, lines = [], [], []
        for r in range(len(ys) - 1):
            starts = grid.spans[r]
            row = [_cell_text(cells.get((r, c), [])) if c in starts else "" for c in range(len(xs) - 1)]  # fmt: skip
            if any(row):
                rows.append(row)
                tops.append(ys[r])
                lines.append(" | ".join(row[c] for c in starts))
        if sum(1 for row in rows if sum(1 for c in row if c) >= 2) >= 2:
            tables.append(OcrTable(grid, rows, tops, lines))
    return tables


def _read_blank_cells(
    grid: Grid,
    cells: dict[tuple[int, int], list[Word]],
    pixels: np.ndarray,
    gray: Image.Image,
    read_cell: Callable[[Image.Image], str],
) -> None:
    """Fill `cells` for the cells of rows with text that got no word but hold ink."""
    ys, xs = grid.ys, grid.xs
    for r in range(len(ys) - 1):
        if not any(row == r for row, _ in cells):
            continue  # an empty row (the space under a table) is not read cell by cell
        starts = grid.spans[r]
        for k, c in enumerate(starts):
            if (r, c) in cells:
                continue
            right = xs[starts[k + 1]] if k + 1 < len(starts) else xs[-1]
            box = (
                xs[c] + CELL_INSET,
                ys[r] + CELL_INSET,
                right - CELL_INSET,
                ys[r + 1] - CELL_INSET,
            )
            if box[2] <= box[0] or box[3] <= box[1]:
                continue
            inner = pixels[box[1] : box[3], box[0] : box[2]]
            if (inner < INK_LEVEL).mean() < CELL_INK:
                continue
            text = read_cell(gray.crop(box)).strip()
            if text:
                cells[(r, c)] = [
                    Word(text, 0.0, box[0], box[1], box[2] - box[0], box[3] - box[1], 0, 0, 0)
                ]


def _span_starts(present: list[bool], columns: int) -> list[int]:
    """The first column of each cell of a row: column 0, and each column whose left rule
    is present (a missing rule merges a column into the cell on its left)."""
    return [0] + [c for c in range(1, columns) if present[c - 1]]


def _cell_text(words: list[Word]) -> str:
    """A cell's words line by line.

    Tesseract's own lines are the start (cut at the cell's rules, they are the cell's
    lines); lines whose middles lie within half a word height are one line (two pieces
    Tesseract kept apart).  Words are not grouped by their own tops or middles: a
    Vietnamese word's box grows with its marks (`Nội` stands taller than `cao`), and a
    hyphen sits at mid-height, so either would start a line of its own.
    """
    if not words:
        return ""
    height = statistics.median(w.height for w in words)
    pieces: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        pieces.setdefault((word.block, word.par, word.line), []).append(word)
    lines: list[tuple[float, list[Word]]] = []
    for piece in sorted(pieces.values(), key=lambda p: statistics.median(map(_middle, p))):
        middle = statistics.median(map(_middle, piece))
        if lines and abs(middle - lines[-1][0]) <= 0.5 * height:
            lines[-1][1].extend(piece)
        else:
            lines.append((middle, list(piece)))
    return " ".join(w.text for _, line in lines for w in sorted(line, key=lambda w: w.left))


def _middle(word: Word) -> float:
    return (word.top + word.bottom) / 2


def take_words(tables: list[OcrTable], words: list[Word]) -> tuple[list[Word], list[Piece]]:
    """The words outside the tables, and one `Piece` per table row (`a | b | c`)."""
    if not tables:
        return words, []
    rest = [w for w in words if not any(_inside(w, t.grid.xs, t.grid.ys) for t in tables)]
    pieces = []
    height = statistics.median(w.height for w in words) if words else 20
    for table in tables:
        for text, top in zip(table.lines, table.row_tops, strict=True):
            pieces.append(
                Piece(text, table.grid.box[0], table.grid.box[2], top + 1, top + 1 + height)
            )
    return rest, pieces
