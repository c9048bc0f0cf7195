"""The signature column of a scanned last page, read again when the first pass lost it.

Nghị định 30/2020/NĐ-CP puts the signature block (authority `KT. CỤC TRƯỞNG`, position,
seal and signature, name) bottom right, beside the *Nơi nhận* list.  A red seal and a blue
signature over that block make Tesseract's page segmentation drop it whole, print and
all, so the page text ends with the recipients and no signer.  Read alone, as one block
(`--psm 6`) with only the dark print kept, the column comes back.

`reread_column` (the `signature` step of `Config.preprocess`) does that on a page that
shows a document's end (a `Nơi nhận` or `Lưu:` line, or a closing `./.`) and has no
authority or position line: it places the column from the first pass's word boxes
(below the last body line, right of the recipients), keeps the dark pixels, reads the
crop and returns its lines of Vietnamese syllables, top to bottom, to follow the page's
lines (after the recipients, as reading order gives a two-column tail), where the
segment stage's signature finder looks.  A page with a signature block, or without
an end, costs one pass over its words (under a millisecond).
"""

from __future__ import annotations

import logging
import re
import statistics
from dataclasses import replace

import cv2
import numpy as np
from PIL import Image

from pipeline.ocr import ink, tesseract
from pipeline.reading_order import Piece, column_groups
from pipeline.segment.closing import (
    ends_with_closing_mark,
    is_authority,
    is_filed_line,
    is_position,
    is_recipients_line,
)
from pipeline.vietnamese import is_syllable, split_token

log = logging.getLogger(__name__)

DARK_LEVEL = 120
"""Gray level below which a crop pixel is print: black type scans at 0–90, a seal's red
(luma ~135) and its pink fringes, and the paper, lie above; blue pen the `seal` step left
(luma ~60–90 where dense) is thin and stays under the syllable filter."""
MIN_SYLLABLE_SHARE = 0.6
"""Share of a re-read line's words (its end strokes cut off) that must be Vietnamese
syllables or an authority prefix (`KT.`): a seal's ring and a signature read as
`Ñ | 'ƒ` score near 0, a name 1."""
MIN_LINE_CONFIDENCE = 60.0
"""Mean word confidence a re-read line needs: stamp strokes that happen to spell
syllables (`VÀ, MÀ` at 46 and 66, `À`, `ố`) read at 10–66, print in the crop at 75–97."""
MIN_LETTERS = 4
"""Letters a re-read line needs: a lone short syllable (`Ủ`, `ơi`) is a stroke's echo."""
COLUMN_LEFT_SHARE = 0.40
"""The column never starts left of this share of the page width: the recipients take
the left ~45 %, the block is centred at ~70 %."""
RECIPIENT_GAP_HEIGHTS = 1.5
"""Text heights between the widest recipient line and the column's left edge."""
ABOVE_HEIGHTS = 3.0
"""Text heights above the `Nơi nhận` line the column may start: the authority line
often stands a line higher than the label."""
BOTTOM_MARGIN_SHARE = 0.04
"""Share of the page height left off at the bottom (a page number, the scanner's edge)."""
MIN_DAMAGED_LETTERS = 3
"""Letters a non-syllable word needs to be a damaged syllable rather than a stroke (`px`)."""
FRINGE = 3
"""Pixels (a square's side) around coloured ink where a stroke's blurred edge lies."""
CORE_LEVEL = 70
"""Gray level below which a pixel near coloured ink is still black type: the core of
printed strokes scans at 0–60, a seal stroke's blurred edge at 80–200."""
PAD = 20
"""Paper pixels added around the crop: Tesseract misreads glyphs touching the edge."""

# An authority prefix as a word of its own, also with the comma OCR reads for its dot
# (`KT,`); `segment.closing.is_authority` judges whole lines.
_AUTHORITY_WORD = re.compile(r"^(TM|T/M|KT|K/T|TL|T/L|TUQ|Q)[.,:]?$")
_LETTER_TAIL = re.compile(r"[^\W\d_]+(?=[.,;:]?$)")


def _lines(words: list[tesseract.Word], width: int) -> list[Piece]:
    """Tesseract's lines as pieces, cut at column gaps (as `page_text` cuts them)."""
    grouped: dict[tuple[int, int, int], list[tesseract.Word]] = {}
    for word in words:
        if word.text.strip():
            grouped.setdefault((word.block, word.par, word.line), []).append(word)
    out = []
    for line in grouped.values():
        line.sort(key=lambda w: w.left)
        pieces = [Piece(w.text, w.left, w.right, w.top, w.bottom) for w in line]
        for group in column_groups(pieces, width):
            out.append(
                Piece(
                    " ".join(p.text for p in group),
                    min(p.x0 for p in group),
                    max(p.x1 for p in group),
                    statistics.median(p.top for p in group),
                    statistics.median(p.bottom for p in group),
                )
            )
    out.sort(key=lambda p: (p.top, p.x0))
    return out


def has_signature(lines: list[Piece]) -> bool:
    """Whether the page already shows an authority or position line (a signature block)."""
    return any(is_authority(p.text) or is_position(p.text) for p in lines)


def _end_line(lines: list[Piece]) -> int | None:
    """Index of the line where the document's end shows: the `Nơi nhận` label, else the
    first `Lưu: VT` line, else the last line ending `./.`; None when the page has none."""
    for i, p in enumerate(lines):
        if is_recipients_line(p.text):
            return i
    for i, p in enumerate(lines):
        if is_filed_line(p.text):
            return i
    closing = [i for i, p in enumerate(lines) if ends_with_closing_mark(p.text)]
    return closing[-1] if closing else None


def column_box(
    lines: list[Piece], end: int, width: int, height: int
) -> tuple[int, int, int, int] | None:
    """The signature column's box (x0, y0, x1, y1) on the page, from the first pass's lines."""
    text_height = statistics.median(p.height for p in lines)
    anchor = lines[end]
    middle = width / 2
    left = [p for p in lines[end:] if p.x0 < middle]
    x0 = width * COLUMN_LEFT_SHARE
    if left:
        x0 = max(x0, max(p.x1 for p in left) + RECIPIENT_GAP_HEIGHTS * text_height)
    # Never above a line that runs from the left into the column: that is the body.
    y0 = anchor.top - ABOVE_HEIGHTS * text_height
    for p in lines[:end]:
        if p.x0 < x0 < p.x1 and p.bottom < anchor.top + text_height:
            y0 = max(y0, p.bottom + text_height * 0.3)
    y1 = height * (1 - BOTTOM_MARGIN_SHARE)
    if x0 >= width - text_height * 4 or y1 - y0 < text_height * 3:
        return None
    return round(x0), round(max(0, y0)), width, round(y1)


def _padded(dark: np.ndarray) -> Image.Image:
    """Dark pixels as black print on white paper, `PAD` pixels of paper around."""
    height, width = dark.shape
    padded = np.full((height + 2 * PAD, width + 2 * PAD), 255, np.uint8)
    padded[PAD:-PAD, PAD:-PAD] = np.where(dark, 0, 255).astype(np.uint8)
    return Image.fromarray(padded)


def dark_crops(
    image: Image.Image, colour: Image.Image | None, box: tuple[int, int, int, int]
) -> list[Image.Image]:
    """The box with only its dark print kept: from the page as read, and, on a colour
    page, with the dark unsaturated pixels only.

    The colour one also drops a seal's and a pen's darkest strokes, which the `seal`
    step keeps as print (`ink.BLACK_VALUE`), but thins print the pen crosses; which
    reads better differs from page to page, so both are read (see `reread_column`).
    """
    crops = [_padded(np.asarray(image.crop(box).convert("L")) < DARK_LEVEL)]
    if colour is not None and colour.mode == "RGB" and colour.size == image.size:
        hsv = cv2.cvtColor(np.asarray(colour.crop(box)), cv2.COLOR_RGB2HSV)
        gray = np.asarray(colour.crop(box).convert("L"))
        coloured = (hsv[..., 1] >= ink.MIN_SATURATION) & (gray < ink.MAX_GRAY_PAPER)
        # A stroke's blurred edge is half paper, half ink: unsaturated enough to pass for
        # print.  Near coloured ink only the core of black type counts as print.
        near = cv2.dilate(coloured.astype(np.uint8), np.ones((FRINGE, FRINGE), np.uint8))
        crops.append(
            _padded((gray < DARK_LEVEL) & ~coloured & ~(near.astype(bool) & (gray >= CORE_LEVEL)))
        )
    return crops


def _clean_word(word: tesseract.Word) -> tesseract.Word | None:
    """The word as print, or None for a stroke: `KT,` is the authority `KT.`; a signature
    stroke glued before a syllable (`*s*Phạm`, `s—:PHO`) is cut off."""
    if _AUTHORITY_WORD.match(word.text):
        return replace(word, text=re.sub(r"[.,:]?$", ".", word.text, count=1))
    core = split_token(word.text)[1]
    if core and is_syllable(core.lower()):
        return word
    tail = _LETTER_TAIL.search(word.text)
    if tail and len(tail.group()) >= 2 and is_syllable(tail.group().lower()):
        return replace(word, text=tail.group() + word.text[tail.end() :])
    return None


def _damaged(word: tesseract.Word) -> bool:
    """A word of letters only that is no syllable (`Hơãñg`): a name's syllable the pen
    crossed, kept for the segment stage to complete from the body, not a stroke."""
    return word.text.isalpha() and len(word.text) >= MIN_DAMAGED_LETTERS


def _text_words(line: list[tesseract.Word]) -> list[tesseract.Word]:
    """A re-read line's words without the strokes at its ends; [] when what is left is not
    text: mostly syllables, read confidently, letters enough."""
    cleaned = [_clean_word(w) for w in line]
    kept = [
        w if w is not None else (o if _damaged(o) else None)
        for w, o in zip(cleaned, line, strict=True)
    ]
    inside = [i for i, w in enumerate(kept) if w is not None]
    if not inside:
        return []
    span = kept[inside[0] : inside[-1] + 1]
    good = sum(1 for w in cleaned[inside[0] : inside[-1] + 1] if w is not None)
    words = [w for w in span if w is not None]
    letters = sum(ch.isalpha() for w in words for ch in w.text)
    confs = [w.conf for w in words if w.conf >= 0]
    if (
        good < MIN_SYLLABLE_SHARE * len(span)
        or letters < MIN_LETTERS
        or not confs
        or statistics.fmean(confs) < MIN_LINE_CONFIDENCE
    ):
        return []
    if inside[0] > 0 and is_position(" ".join(w.text for w in words)):
        # A stroke where the line starts may hide its first word: `~ CHỦ TỊCH` is what
        # is left of `PHÓ CHỦ TỊCH`, and a wrong position is worse than none.
        return []
    return words


def _read(crop: Image.Image, dpi: int, languages: str) -> list[tuple[float, list[tesseract.Word]]]:
    """A crop's lines of text (`_text_words`), top to bottom, each with its top."""
    found = tesseract.recognise(crop, languages=languages, dpi=dpi, psm=6)
    grouped: dict[tuple[int, int, int], list[tesseract.Word]] = {}
    for word in found or []:
        if word.text.strip():
            grouped.setdefault((word.block, word.par, word.line), []).append(word)
    column = []
    for line in grouped.values():
        line.sort(key=lambda w: w.left)
        kept = _text_words(line)
        if kept:
            column.append((statistics.median(w.top for w in kept), kept))
    return sorted(column, key=lambda item: item[0])


def reread_column(
    words: list[tesseract.Word],
    image: Image.Image,
    colour: Image.Image | None,
    dpi: int,
    languages: str = "vie",
) -> tuple[list[tesseract.Word], list[str]]:
    """The page's words without the first pass's remains of the signature column, and the
    column's lines re-read, top to bottom, to follow the page text.

    `image` is the page the words were read on; `colour` the same page in colour (same
    size and orientation) when the scan has colour, else None.  Of the crops of
    `dark_crops`, the reading with the most words of text wins.

    The words come back unchanged with no lines when the page has a signature block,
    shows no document end, or the re-read finds no text.
    """
    lines = _lines(words, image.width)
    if not lines or has_signature(lines):
        return words, []
    end = _end_line(lines)
    if end is None:
        return words, []
    box = column_box(lines, end, image.width, image.height)
    if box is None:
        return words, []
    column = max(
        (_read(crop, dpi, languages) for crop in dark_crops(image, colour, box)),
        key=lambda lines: sum(len(kept) for _, kept in lines),
    )
    x0, y0, x1, y1 = box
    inside = [
        w
        for w in words
        if x0 <= (w.left + w.right) / 2 <= x1 and y0 <= (w.top + w.bottom) / 2 <= y1
    ]
    read = sum(len(kept) for _, kept in column)
    log.debug("signature column %s: %d word(s) re-read", box, read)
    # The first pass's pieces of the column (`hạm Trường Thọ`, a seal's `À`) give way
    # to the re-read, which read the whole box, when it found more words of text.
    if read <= sum(_clean_word(w) is not None for w in inside):
        return words, []
    taken = {id(w) for w in inside}
    rest = [w for w in words if id(w) not in taken]
    return rest, [" ".join(w.text for w in kept) for _, kept in column]
