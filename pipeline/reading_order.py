"""Lines of a page in reading order from positioned pieces of text (PDF words or OCR lines).

Vietnamese administrative documents put two columns side by side in two places: the
header (issuing body and *Số* on the left; Quốc hiệu, Tiêu ngữ, place and date on the
right) and the end (*Nơi nhận* on the left, the signature on the right).  Reading the
page row by row merges them (`ĐẶC KHU CÁT HẢI Độc lập - Tự do - Hạnh phúc`), which the
segmenter cannot parse.  Here a row is cut where a wide gap crosses the middle of the
page, and a run of such rows is emitted column by column: left lines, then right lines.

The same code orders pdfplumber words and Tesseract lines, so digital and scanned
pages come out alike.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

GUTTER_BAND = (0.36, 0.58)
"""A column gap must overlap this band of the page width (as fractions): the gutter
between the header's or the signature's columns, not a blank left for a handwritten
number or date inside one column (`Số:      /QĐ-UBND`)."""
MIN_GAP_HEIGHTS = 1.4
"""A column gap is at least this many text heights wide (word spaces are ~0.3)."""
NARROW_GAP_HEIGHTS = 0.8
WORD_GAP_FACTOR = 3.0
"""A narrower gap still parts columns when it is this many times the row's word space."""
RUN_GAP_HEIGHTS = 2.5
"""A column run ends at a vertical gap wider than this many text heights."""
SEED_LOOKAHEAD = 5
"""One-column rows just above a two-column row may start its run (skewed scans)."""


@dataclass
class Piece:
    """A piece of text with its box (any unit, y growing downwards)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1e-6)


@dataclass
class _Row:
    pieces: list[Piece] = field(default_factory=list)

    @property
    def top(self) -> float:
        return min(p.top for p in self.pieces)

    @property
    def bottom(self) -> float:
        return max(p.bottom for p in self.pieces)

    def accepts(self, piece: Piece) -> bool:
        """Same visual row: overlapping vertically by half a height, never horizontally."""
        overlap = min(self.bottom, piece.bottom) - max(self.top, piece.top)
        if overlap < 0.5 * min(piece.height, self.bottom - self.top):
            return False
        return all(piece.x1 <= p.x0 or piece.x0 >= p.x1 for p in self.pieces)


def _rows(pieces: list[Piece]) -> list[_Row]:
    """Group pieces into visual rows, top to bottom; each row's pieces sorted by x."""
    rows: list[_Row] = []
    for piece in sorted(pieces, key=lambda p: (p.top, p.x0)):
        # Only recent rows can take the piece: rows are built top-down.
        for row in reversed(rows[-4:]):
            if row.accepts(piece):
                row.pieces.append(piece)
                break
        else:
            rows.append(_Row([piece]))
    for row in rows:
        row.pieces.sort(key=lambda p: p.x0)
    rows.sort(key=lambda r: r.top)
    return rows


def is_column_gap(
    left: Piece, right: Piece, page_width: float, height: float, word_gap: float | None = None
) -> bool:
    """A gap between two pieces of a row that separates two columns (not a word space).

    It must reach into the gutter band, and be wide: `MIN_GAP_HEIGHTS` text heights, or,
    in a row whose other word spaces are known (`word_gap`, their median), at least
    `NARROW_GAP_HEIGHTS` heights and `WORD_GAP_FACTOR` times a word space (tightly set
    headers such as `VĂN PHÒNG CHÍNH PHỦ   CỘNG HÒA…`).
    """
    gap = right.x0 - left.x1
    lo, hi = GUTTER_BAND[0] * page_width, GUTTER_BAND[1] * page_width
    if not (left.x1 < hi and right.x0 > lo):
        return False
    if gap >= MIN_GAP_HEIGHTS * height:
        return True
    return (
        word_gap is not None
        and gap >= NARROW_GAP_HEIGHTS * height
        and gap >= WORD_GAP_FACTOR * max(word_gap, 0.05 * height)
    )


def column_groups(pieces: list[Piece], page_width: float) -> list[list[Piece]]:
    """Cut one line's pieces (sorted left to right) wherever a column gap runs between two.

    The text height is the pieces' median, and the word space their gaps' median when
    there are enough gaps to tell (see `is_column_gap`).  PDF rows (`order_lines`) and
    Tesseract's lines (`pipeline.ocr.page_text`) are both cut here.
    """
    height = statistics.median(p.height for p in pieces)
    gaps = [b.x0 - a.x1 for a, b in zip(pieces, pieces[1:], strict=False)]
    word_gap = statistics.median(gaps) if len(gaps) >= 3 else None
    groups = [[pieces[0]]]
    for prev, piece in zip(pieces, pieces[1:], strict=False):
        if is_column_gap(prev, piece, page_width, height, word_gap):
            groups.append([])
        groups[-1].append(piece)
    return groups


def _segments(row: _Row, page_width: float) -> list[Piece]:
    """Join a row's pieces with spaces, cutting only at column gaps."""
    return [
        Piece(
            " ".join(p.text for p in group),
            group[0].x0,
            group[-1].x1,
            min(p.top for p in group),
            max(p.bottom for p in group),
        )
        for group in column_groups(row.pieces, page_width)
    ]


def order_lines(pieces: list[Piece], page_width: float) -> list[str]:
    """Text lines of a page in reading order, two-column stretches column by column."""
    if not pieces:
        return []
    rows = [_segments(row, page_width) for row in _rows(pieces)]
    heights = [p.height for p in pieces]
    run_gap = RUN_GAP_HEIGHTS * statistics.median(heights)
    out: list[str] = []
    i = 0
    while i < len(rows):
        seed = _run_seed(rows, i, run_gap)
        if seed is None:
            out.extend(p.text for p in rows[i])
            i += 1
            continue
        # The gutter is the gap between what is known to be left and right; it narrows
        # as lines are assigned (centred lines of one column differ in width).
        lo, hi, tolerance = _gutter(rows[seed])
        left: list[str] = []
        right: list[str] = []
        bottom = min(p.top for p in rows[i])
        j = i
        while j < len(rows):
            current = rows[j]
            top = min(p.top for p in current)
            if j > seed and (top - bottom > run_gap or _crosses(current, lo, hi, tolerance)):
                break
            for piece in current:
                if piece.x1 <= hi + tolerance:
                    left.append(piece.text)
                    lo = max(lo, min(piece.x1, hi))
                else:
                    right.append(piece.text)
                    hi = min(hi, max(piece.x0, lo))
            bottom = max(bottom, max(p.bottom for p in current))
            j += 1
        out.extend(left + right)
        i = j
    return out


def _gutter(row: list[Piece]) -> tuple[float, float, float]:
    """(left column's right edge, right column's left edge, tolerance) of a 2-column row."""
    tolerance = statistics.median(p.height for p in row)
    return row[0].x1, row[1].x0, tolerance


def _crosses(row: list[Piece], lo: float, hi: float, tolerance: float) -> bool:
    return any(p.x0 < lo - tolerance and p.x1 > hi + tolerance for p in row)


def _run_seed(rows: list[list[Piece]], i: int, run_gap: float) -> int | None:
    """The row (i or one of the next few) whose column gap starts a two-column run at i.

    On a skewed scan the first line of one column can sit just above the row where both
    columns meet (`TM. ỦY BAN NHÂN DÂN` above `Nơi nhận:`); such rows join the run.
    """
    for k in range(i, min(i + SEED_LOOKAHEAD + 1, len(rows))):
        if len(rows[k]) >= 2:
            lo, hi, tolerance = _gutter(rows[k])
            between = rows[i:k]
            if all(not _crosses(r, lo, hi, tolerance) for r in between) and all(
                min(p.top for p in rows[n + 1]) - max(p.bottom for p in rows[n]) <= run_gap
                for n in range(i, k)
            ):
                return k
            return None
    return None


_PAGE_NUMBER = re.compile(r"^[-–—(\s]*\d{1,3}[-–—)\s]*$")


def drop_page_number(lines: list[str], number: int) -> list[str]:
    """Drop a bare page number heading pages ≥ 2 (`2`, `- 2 -`)."""
    if number >= 2 and lines and _PAGE_NUMBER.match(lines[0]):
        return lines[1:]
    return lines
