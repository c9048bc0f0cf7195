"""Stage 2: OCR of the pages that have no usable text layer.

Follow one page: `pdf.page_images` / `images.frames` give its image at native resolution
→ `preprocess.prepare` cleans it (the steps in `Config.preprocess`) → `tesseract.recognise`
returns words with boxes and confidences → `fusion.fuse` mends them from the page's
garbled English-model text layer, if it had one → `reading_order.order_lines` makes
lines, the header and signature columns apart → the page gets `text`, `confidence` and
its `low_confidence_words`, `method="ocr"`.

Parallelism: up to `Config.workers` pages are recognised at once, each by one Tesseract
(a pooled library engine, or the program; `OMP_THREAD_LIMIT=1` either way).  They are
driven from a thread pool: Tesseract runs outside the GIL, the Python side does light
numpy work, and no page image is pickled between processes.  Inside a batch worker
process (`multiprocessing.parent_process()` is set) OCR runs one page at a time: the
batch already spreads documents over the cores, and a caller can force this with
`Config(workers=1)`.
"""

from __future__ import annotations

import logging
import multiprocessing
import re
import statistics
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from pipeline.config import Config
from pipeline.document import Document, PageField
from pipeline.errors import EmptyFileError
from pipeline.ocr import fields, fusion, perspective, preprocess, signature, tables, tesseract
from pipeline.reading_order import Piece, column_groups, drop_page_number, order_lines
from pipeline.segment.junk import is_clean_token
from pipeline.vietnamese import is_syllable

log = logging.getLogger(__name__)

BLANK_INK = 0.001
"""Pages with less dark area than this share are blank (back pages): not sent to Tesseract."""
MIN_DPI = 120
"""Scans below this resolution (phone captures, fax) are upsampled 2×: Tesseract needs
text about 20 pixels high.  Above it the native pixels are kept."""
DOUBTFUL_CONFIDENCE = 55.0
"""Below this mean word confidence the page may be turned: ask OSD and retry."""
MAX_LOW_WORDS = 100
"""Low-confidence words kept per page (the JSON stays readable)."""
NOISE_LEVEL = 30.0
"""Paper gray-level deviation (`preprocess.noise_level`) above which a page is noise, not
a scan: clean scans measure below 5, JPEG-grainy phone captures 10–15, uniform noise ~48.
Such a page is not sent to Tesseract, which spends seconds finding "letters" in it."""
NOISE_CONFIDENCE = 20.0
"""Mean word confidence below which a first pass that found no Vietnamese syllable read
noise: the page is left empty and no later step (OSD, a turned retry) reads it again.
An upside-down text page scores 30–50 and keeps its OSD retry."""

MARK_CONFIDENCE = 60.0
"""A Tesseract line none of whose words is a clean word (`segment.junk.is_clean_token`)
read with at least this confidence is a mark, not text: a seal's remains, an underline or
a signature read as `À .^A .À vé „ d` (such words score 0–60, print 80–97)."""

MIN_WORD_CHARS = 2
"""Letters or digits a word needs to vouch for its line: a seal's ring reads as lone
confident letters (`À` at 86)."""

ImageSource = Iterable[tuple[int, Image.Image, int]]


@dataclass
class PageResult:
    """What OCR made of one page."""

    number: int
    text: str = ""
    confidence: float | None = None
    """Mean word confidence 0–100; None for a blank page."""
    low_confidence_words: list[str] = field(default_factory=list)
    warning: str | None = None
    rotated: int = 0
    """Degrees the page was turned (clockwise) after OSD."""
    dpi: int = 0
    seconds: float = 0.0
    fields: list[fields.Reading] = field(default_factory=list)
    """The number and date re-read as digit fields (`fields` step)."""
    tables: list[list[list[str]]] = field(default_factory=list)
    """Ruled tables found on the page, rows of cells (`tables` step)."""
    fused_words: int = 0
    """Words corrected by the page's garbled text layer (`Config.ocr_fusion`)."""


def page_text(
    words: list[tesseract.Word], width: int, number: int, extra: list[Piece] | None = None
) -> str:
    """The page's lines in reading order from Tesseract's words.

    Tesseract's own lines are kept (they follow skewed text) but cut where a column gap
    runs through them (`column_groups`); `order_lines` then emits two-column stretches
    column by column.  `extra` pieces (a table's rows) are placed among the lines as they are.
    """
    lines: dict[tuple[int, int, int], list[tesseract.Word]] = {}
    for word in words:
        lines.setdefault((word.block, word.par, word.line), []).append(word)
    pieces = []
    for line_words in lines.values():
        if is_mark_line(line_words):
            continue
        line_words.sort(key=lambda w: w.left)
        line = [Piece(w.text, w.left, w.right, w.top, w.bottom) for w in line_words]
        pieces.extend(_piece(group) for group in column_groups(line, width))
    pieces.extend(extra or [])
    text = "\n".join(drop_page_number(order_lines(pieces, width), number))
    return _DOUBLED_ETH.sub("", text).translate(_OCR_LOOKALIKES)


# Tesseract's vie model sometimes answers with look-alikes that Vietnamese text never
# uses: the fraction slash in `24⁄KH-UBND` and the Icelandic eth for Đ.
_OCR_LOOKALIKES = str.maketrans({"\u2044": "/", "\u00d0": "Đ", "\u00f0": "đ"})
# It also doubles a capital Đ with an eth after it (`QĐÐ-SCT`, `HĐÐÐND`): an eth that
# follows a Đ is that echo and goes (a real pair, `ĐĐBQH`, is two Đ, never an eth).
_DOUBLED_ETH = re.compile("(?<=[\u0110\u00d0])\u00d0+")


def is_mark_line(words: list[tesseract.Word]) -> bool:
    """Whether a Tesseract line holds no text: not one clean word read confidently.

    A clean word has `MIN_WORD_CHARS` letters or digits and is a syllable, a number, a
    code or an abbreviation; print reads at 80–97, so one such word keeps the line
    (`BÁO CÁO`, a page number `12`), while a seal's or a signature's strokes, read as
    marks and stray letters (`À`, `Lá` at 59), are dropped before they reach the header
    or the title.
    """
    return not any(
        w.conf >= MARK_CONFIDENCE
        and sum(ch.isalnum() for ch in w.text) >= MIN_WORD_CHARS
        and is_clean_token(w.text)
        for w in words
    )


def _piece(words: list[Piece]) -> Piece:
    # The piece's height is the words' median: a tall first capital or a stamp mark
    # must not make the line look taller than its text.
    return Piece(
        " ".join(w.text for w in words),
        min(w.x0 for w in words),
        max(w.x1 for w in words),
        statistics.median(w.top for w in words),
        statistics.median(w.bottom for w in words),
    )


def _mean_confidence(words: list[tesseract.Word]) -> float | None:
    confs = [w.conf for w in words if w.conf >= 0]
    return round(statistics.fmean(confs), 1) if confs else None


def recognise_page(
    number: int,
    image: Image.Image,
    dpi: int,
    config: Config,
    layer: list[str] | None = None,
) -> PageResult:
    """OCR one page image: blank check, clean-up, Tesseract, orientation retry, layout.

    `layer`: the words of the page's garbled text layer, fused with Tesseract's words
    (`pipeline.ocr.fusion`) when `Config.ocr_fusion` is on.
    """
    started = time.perf_counter()
    result = PageResult(number=number, dpi=dpi)
    small = preprocess.thumbnail(image)  # made once: blank check, skew angle, border
    if preprocess.ink_share(image, small) < BLANK_INK:
        result.seconds = time.perf_counter() - started
        return result  # a blank back page: empty text, no warning
    if preprocess.noise_level(image) > NOISE_LEVEL:
        result.warning = f"page {number}: noise, not a scan of text; left empty"
        result.seconds = time.perf_counter() - started
        return result
    if dpi < MIN_DPI:
        image = image.resize((image.width * 2, image.height * 2), Image.Resampling.LANCZOS)
        dpi *= 2
        small = None
    if "perspective" in config.preprocess:  # before all else: every box is on the flat page
        flat = perspective.flatten(image, small or preprocess.thumbnail(image))
        if flat is not image:
            image, small = flat, None
    colour = image if image.mode == "RGB" else None
    trace: dict = {}
    image = preprocess.prepare(image, config.preprocess, small, dpi=dpi, trace=trace)
    grids: list[tables.Grid] = []
    read = image
    erase = "tables" in config.preprocess and "rules" in config.preprocess
    if erase:
        # Ruling lines are painted out before the page is read (see `tables`); the grid
        # search at 75 dpi is the only cost on a page without a table.
        grids = tables.find_grids(image, dpi)
        read = tables.erase_rules(image, grids) if grids else image
    words = tesseract.recognise(
        read, languages=config.ocr_languages, dpi=dpi, timeout=_page_timeout(config)
    )
    if words is None:
        result.warning = f"page {number}: Tesseract timed out; the page is left empty"
        result.seconds = time.perf_counter() - started
        return result
    confidence = _mean_confidence(words)
    if is_noise(words, confidence):
        result.warning = (
            f"page {number}: no readable text (confidence {confidence or 0:.0f}); left empty"
        )
        result.seconds = time.perf_counter() - started
        return result
    if "orientation" in config.preprocess and (
        len(words) < 10 or (confidence or 0) < DOUBTFUL_CONFIDENCE
    ):
        # Only doubtful pages pay for OSD: on an upright page it would cost a second pass.
        turn, osd_conf = tesseract.orientation(image, dpi=dpi)
        if turn in (90, 180, 270) and osd_conf >= 1.5:
            turned = image.rotate(-turn, expand=True)
            retry = tesseract.recognise(
                turned, languages=config.ocr_languages, dpi=dpi, timeout=_page_timeout(config)
            )
            retry_conf = _mean_confidence(retry or [])
            if retry and (retry_conf or 0) > (confidence or 0):
                image, words, confidence, result.rotated = turned, retry, retry_conf, turn
    if layer and config.ocr_fusion:  # before the fields step: it re-reads digits only
        words, result.fused_words = fusion.fuse(words, layer)
    if colour is not None and {"fields", "signature"} & set(config.preprocess):
        # The colour page turned as the gray one was, for the steps that separate inks.
        if trace.get("skew"):
            colour = colour.rotate(trace["skew"], resample=Image.Resampling.BILINEAR,
                                   fillcolor=(255, 255, 255))  # fmt: skip
        if result.rotated:
            colour = colour.rotate(-result.rotated, expand=True)
    if "fields" in config.preprocess:
        words, result.fields = fields.reread(
            words, image, colour, dpi, config.ocr_languages, hand_digits=config.ocr_handwriting
        )
    table_pieces: list[Piece] = []
    if "tables" in config.preprocess:
        if result.rotated or not erase:  # a turned page: its grids are looked for again
            grids = tables.find_grids(image, dpi)
            if grids and erase:
                again = tables.reread(
                    image, grids, dpi, config.ocr_languages, _page_timeout(config)
                )
                if again is not None:  # else (a timeout) the first reading's words stay
                    words = tables.outside(grids, words) + again
        else:
            words = tables.without_marks(grids, words)
        if erase and grids and not result.rotated:  # the page read with its rules out
            found = tables.find_tables(read, words, dpi, grids, _cell_reader(config, dpi))
        else:
            found = tables.find_tables(image, words, dpi, grids)
        result.tables = [t.rows for t in found]
        words, table_pieces = tables.take_words(found, words)
    column: list[str] = []  # the signature column re-read, after the page's lines
    if "signature" in config.preprocess:
        words, column = signature.reread_column(words, image, colour, dpi, config.ocr_languages)
    result.text = "\n".join([page_text(words, image.width, number, table_pieces), *column])
    result.confidence = confidence if result.text else None
    result.low_confidence_words = [
        w.text for w in words if 0 <= w.conf < config.ocr_low_confidence and w.text.strip()
    ][:MAX_LOW_WORDS]
    result.seconds = time.perf_counter() - started
    return result


CELL_PSM = 6
"""Tesseract's page segmentation for one table cell read alone: a uniform block of text."""


def _cell_reader(config: Config, dpi: int):
    """Reads one table cell's crop (`tables.find_tables`): its words joined, or ""."""

    def read(crop: Image.Image) -> str:
        found = tesseract.recognise(
            crop, languages=config.ocr_languages, dpi=dpi, psm=CELL_PSM,
            timeout=_page_timeout(config),
        )  # fmt: skip
        return " ".join(w.text for w in found or [] if w.text.strip(tables.RULE_MARKS))

    return read


def is_noise(words: list[tesseract.Word], confidence: float | None) -> bool:
    """Whether a first pass read noise: low confidence and not one Vietnamese syllable."""
    if confidence is None or confidence >= NOISE_CONFIDENCE:
        return False
    return not any(len(w.text) > 1 and is_syllable(w.text.lower()) for w in words)


def _page_timeout(config: Config) -> float:
    """Tesseract's limit for one page: the per-page share of the file's time budget."""
    return config.page_timeout or tesseract.PAGE_TIMEOUT


def ocr_workers(config: Config, pages: int) -> int:
    """How many Tesseract processes to run at once for one document (see module doc)."""
    if multiprocessing.parent_process() is not None:
        return 1
    return max(1, min(config.workers, pages))


def recognise_pages(
    images: ImageSource,
    config: Config,
    workers: int = 1,
    layers: dict[int, list[str]] | None = None,
) -> Iterator[PageResult]:
    """Results in page order; at most `workers` pages in Tesseract and 2×workers in memory.

    `layers`: garbled text-layer words by page number (see `recognise_page`).
    """
    layers = layers or {}
    if workers <= 1:
        for number, image, dpi in images:
            yield recognise_page(number, image, dpi, config, layers.get(number))
        return
    pending: deque[Future[PageResult]] = deque()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ocr") as pool:
        # Images are produced here, in the calling thread: pdfium is not thread-safe.
        for number, image, dpi in images:
            pending.append(
                pool.submit(recognise_page, number, image, dpi, config, layers.get(number))
            )
            while len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def page_image_source(
    data: bytes, media_type: str, numbers: list[int], config: Config
) -> ImageSource:
    """Images of the wanted pages of a PDF or an image file."""
    if media_type == "application/pdf":
        from pipeline.ingest.pdf import page_images

        return page_images(data, numbers, config)
    from pipeline.ingest.images import frames

    return frames(data, numbers, config)


def ocr(doc: Document, config: Config) -> Document:
    """Stage: recognise the pages marked `needs_ocr`; a document without such pages is unchanged."""
    numbers = [p.number for p in doc.pages if p.needs_ocr]
    if not numbers:
        return doc
    tesseract.check_languages(config.ocr_languages)
    data = Path(doc.source.path).read_bytes()
    pages = {p.number: p for p in doc.pages}
    source = page_image_source(data, doc.source.media_type, numbers, config)
    workers = ocr_workers(config, len(numbers))
    layers = {p.number: p.layer_words for p in doc.pages if p.needs_ocr and p.layer_words}
    for result in recognise_pages(source, config, workers, layers):
        page = pages[result.number]
        page.fused_words = result.fused_words
        page.text = result.text
        page.method = "ocr"
        page.needs_ocr = False
        page.confidence = result.confidence
        page.low_confidence_words = result.low_confidence_words
        page.fields = [PageField(**vars(r)) for r in result.fields]
        if result.tables:
            page.tables = result.tables
        for reading in result.fields:
            if not reading.complete:
                doc.warn(
                    f"page {result.number}: the digits of the {reading.name} could not be read; "
                    f"the text keeps the printed part only ({reading.text})"
                )
        if result.warning:
            doc.warn(result.warning)
        if result.rotated:
            doc.warn(f"page {result.number}: turned {result.rotated}° to read it")
        if result.confidence is not None and result.confidence < config.ocr_low_confidence:
            doc.warn(
                f"page {result.number}: low OCR confidence {result.confidence:.0f} "
                f"(below {config.ocr_low_confidence:.0f}); check the text"
            )
    doc.collect_pages()
    if not doc.text.body.strip():
        raise EmptyFileError(
            f"no readable text on any of the {len(doc.pages)} pages (blank or noise)"
        )
    return doc
