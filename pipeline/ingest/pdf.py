"""PDFs: the text layer via pdfplumber, and page images for OCR via pypdfium2.

`read_pdf` gives one `Page` per PDF page.  A page's text layer is used when it is
usable; otherwise the page is marked `needs_ocr` (method `none`).  Unusable layers are:
- empty, or only a few words over a full-page scan (a digital-signature stamp, whose
  lines are kept in `Page.furniture` for the signing time);
- glyph junk: fonts without a Unicode map give mojibake (`6Ӣ CÔNG 7+ѬѪ1*`) or `(cid:12)`;
- garbled: the hidden layer of an earlier OCR run without Vietnamese (`DQc lfl p-Tgdo`);
  its words stay on the page (`Page.layer_words`) for the OCR stage's fusion.

Text typed into form fields and signature widgets on top of the page (an e-office
system's number and day, the signature stamp) is drawn into the layout first
(`pipeline.ingest.forms`), so it stands at its place in reading order.

Characters in fonts of the pre-Unicode TCVN3 (`.VnTime`) and VNI (`VNI-Times`) sets are
converted to Unicode by their font name (subset prefix and style suffix allowed); a page
whose layer reads as garbled is tried in those sets by content (`pipeline.ingest.legacy`).

`page_images` yields the images the OCR stage recognises: a scanned page's own embedded
image at its native resolution (upsampling a 200 dpi scan to 300 dpi doubles Tesseract's
errors), else the page rendered at `config.ocr_dpi`.
"""

from __future__ import annotations

import io
import logging
import re
import traceback
import unicodedata
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.layout import LTChar, LTContainer
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdftypes import resolve1
from pdfplumber.page import PDFPageAggregatorWithMarkedContent
from PIL import Image, ImageOps

from pipeline.config import Config
from pipeline.document import Page
from pipeline.errors import (
    BudgetError,
    CorruptPdfError,
    EncryptedPdfError,
    FileTooLargeError,
    ImageTooLargeError,
)
from pipeline.ingest import legacy
from pipeline.ingest.forms import (
    fit_typed,
    layout_with_annotations,
    page_annotations,
    split_typed,
    value_pieces,
)
from pipeline.reading_order import Piece, drop_page_number, order_lines
from pipeline.vietnamese import garble_score, nfc

log = logging.getLogger(__name__)

X_TOLERANCE = 1.5
"""Points between two glyphs that still belong to one word (pdfplumber's default is 3,
which glues words of tightly set Vietnamese text together)."""
SCAN_COVERAGE = 0.7
"""An image covering this share of the page makes it a scanned page."""
STAMP_CHARS = 200
"""A scanned page with fewer text-layer characters than this carries only a stamp."""
MAX_TABLE_COLUMNS = 25
"""More columns than this is a grid of ruling lines over text, not a table."""
JUNK_RATIO = 0.03
GARBLED_SCORE = 0.5
FORM_DEPTH = 8
"""Nesting of form XObjects followed when measuring a page's content; deeper is a loop
in all but name (real files nest two or three)."""
_INFLATE_CHUNK = 1 << 20
"""Bytes inflated at a time while measuring a stream: memory stays at this, not the stream."""


_PARSER_PACKAGES = ("pdfminer", "pdfplumber", "pypdfium2")
"""Libraries whose exceptions mean a damaged PDF: on malformed input they raise anything
(`KeyError`, `TypeError`, `struct.error`…), so the type alone cannot tell."""


def raised_by_parser(exc: BaseException) -> bool:
    """Whether `exc` was raised inside a PDF library (the input's fault), not in our code.

    The innermost frame decides: pdfminer's `KeyError` on a damaged xref is bad input, our
    own `AttributeError` is a bug that must surface as an internal error.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return False
    parts = Path(frames[-1].filename).parts
    return any(package in parts for package in _PARSER_PACKAGES)


@contextmanager
def _map_pdf_errors(what: str = "the PDF"):
    """Translate pdfplumber/pdfminer/pdfium exceptions into vnplan's input errors.

    Exceptions raised in vnplan's own code pass through unchanged (`raised_by_parser`).
    """
    try:
        yield
    except (CorruptPdfError, EncryptedPdfError, BudgetError):
        raise
    except Exception as exc:
        if not raised_by_parser(exc):
            raise
        name = type(exc).__name__
        text = str(exc)
        if "PDFPasswordIncorrect" in name or "password" in text.lower() or "Encrypt" in name:
            raise EncryptedPdfError(
                "the PDF is password-protected: remove the password (e.g. qpdf --decrypt) and retry"
            ) from exc
        detail = " ".join(text.split())[:120] or name
        raise CorruptPdfError(f"cannot parse {what} (truncated or damaged?): {detail}") from exc


def read_pdf(data: bytes, path: Path, config: Config) -> list[Page]:
    """One `Page` per PDF page; pages without a usable text layer are marked `needs_ocr`."""
    _check_pdfium(data, config)
    pages = []
    limit = int(config.max_page_content_mb * 1e6)
    with _map_pdf_errors(), pdfplumber.open(io.BytesIO(data)) as pdf:
        if not pdf.pages:
            raise CorruptPdfError("the PDF has no pages")
        default_resources = _form_resources(pdf)
        for number, page in enumerate(pdf.pages, start=1):
            if content_bytes(page.page_obj, limit) > limit:
                raise FileTooLargeError(
                    f"page {number} has more than {config.max_page_content_mb:g} MB of drawing"
                    " content (--max-page-content)"
                )
            try:
                extra = _typed_layer(pdf, page, default_resources)
                encoding = _convert_legacy_fonts(page)
                lines, tables, scanned = _page_text(page, number, extra)
            except Exception as exc:  # one odd page (fonts, operators) goes to OCR
                if not raised_by_parser(exc):
                    raise
                log.warning("%s page %d: unreadable text layer, needs OCR", path.name, number)
                log.debug("text layer error", exc_info=True)
                pages.append(Page(number=number, method="none", needs_ocr=True))
                continue
            text = "\n".join(lines)
            problem = layer_problem(text, scanned=scanned)
            if problem in ("garbled", "glyph junk") and encoding == legacy.UNICODE:
                guess = legacy.detect(text)
                if guess != legacy.UNICODE:
                    text = legacy.decode(text, guess)
                    tables = [[[legacy.decode(c, guess) for c in row] for row in t] for t in tables]
                    encoding, problem = guess, layer_problem(text, scanned=scanned)
            if problem == "empty" and page.chars and not page.images:
                problem = None  # only a page number: a blank page, nothing to OCR
            if problem:
                log.info("%s page %d: text layer %s, needs OCR", path.name, number, problem)
                # A scan's stamp-only layer is the e-office signature box (`Thời gian ký:
                # …`): kept beside the page for `signed_at`, out of the OCR'd text.
                kept = [ln for ln in lines if ln.strip()] if problem == "stamp only" else []
                # A garbled layer's words go along for `pipeline.ocr.fusion`.
                layer = text.split() if problem == "garbled" else []
                pages.append(
                    Page(
                        number=number,
                        method="none",
                        needs_ocr=True,
                        furniture=kept,
                        layer_words=layer,
                    )
                )
            else:
                pages.append(
                    Page(
                        number=number,
                        method="pdf-text",
                        text=text,
                        tables=tables,
                        encoding=encoding,
                    )
                )
            page.flush_cache()  # pdfplumber keeps every page's objects otherwise
    return pages


def _form_resources(pdf: pdfplumber.PDF) -> dict | None:
    """The AcroForm's default resources (`/DR`): fonts of appearances that name none."""
    try:
        form = resolve1(pdf.doc.catalog.get("AcroForm"))
        resources = resolve1(form.get("DR")) if isinstance(form, dict) else None
    except Exception:  # noqa: BLE001 - a damaged AcroForm only loses its fonts
        log.debug("unreadable AcroForm", exc_info=True)
        return None
    return resources if isinstance(resources, dict) else None


def _typed_layer(pdf: pdfplumber.PDF, page, default_resources: dict | None) -> list[Piece]:
    """Draw the page's form fields and stamps into its layout (see `pipeline.ingest.forms`).

    Returns the values of fields that have no appearance, as pieces to place.
    """
    annotations = page_annotations(page.page_obj)
    if not annotations:
        return []
    device = PDFPageAggregatorWithMarkedContent(
        pdf.rsrcmgr, pageno=page.page_number, laparams=pdf.laparams
    )
    interpreter = PDFPageInterpreter(pdf.rsrcmgr, device)
    layout, silent = layout_with_annotations(
        page.page_obj, interpreter, annotations, default_resources
    )
    page._layout = layout  # what `page.layout` computes, plus the annotations' text
    return value_pieces(silent, float(page.height))


def _convert_legacy_fonts(page) -> str:
    """Convert the page's characters set in TCVN3 or VNI fonts to Unicode, in its layout.

    TCVN3 is one code per letter; a VNI mark character joins the letter before it (same
    font) and is removed.  Returns the page's encoding (`unicode`, `tcvn3`, `vni`,
    `mixed`)."""
    found: set[str] = set()

    def convert(items: list) -> list:
        kept: list = []
        previous = None
        for item in items:
            if isinstance(item, LTChar):
                known = legacy.font_encoding(item.fontname)
                if known is None:
                    previous = None
                    kept.append(item)
                    continue
                found.add(known.encoding)
                text = item.get_text()
                if known.encoding == legacy.TCVN3:
                    item._text = legacy.decode_tcvn3(text, known.capitals)
                else:
                    joined = None
                    if previous is not None and previous.fontname == item.fontname:
                        joined = legacy.decode_vni(previous.get_text() + text)
                    if joined is not None and len(joined) == 1:
                        # The mark's glyph sits over or just after its letter: the letter
                        # takes its box, so no gap is left where it was.
                        previous._text = joined
                        previous.set_bbox(
                            (
                                previous.x0,
                                min(previous.y0, item.y0),
                                max(previous.x1, item.x1),
                                max(previous.y1, item.y1),
                            )
                        )
                        continue
                    item._text = legacy.decode_vni(text)
                previous = item
                kept.append(item)
                continue
            previous = None
            if isinstance(item, LTContainer):
                item._objs = convert(item._objs)
            kept.append(item)
        return kept

    layout = page.layout
    layout._objs = convert(layout._objs)
    return legacy.UNICODE if not found else found.pop() if len(found) == 1 else "mixed"


def _check_pdfium(data: bytes, config: Config) -> None:
    """Open with pdfium first: it tells encrypted from damaged files reliably, and counts
    the pages (following the page tree without loops) before pdfminer reads any."""
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise EncryptedPdfError(
                "the PDF is password-protected: remove the password (e.g. qpdf --decrypt) and retry"
            ) from exc
        raise CorruptPdfError(f"cannot parse the PDF (truncated or damaged?): {exc}") from exc
    try:
        count = len(pdf)
    finally:
        pdf.close()
    if count == 0:
        raise CorruptPdfError("the PDF has no pages (an empty or looping page tree)")
    if count > config.max_pages:
        raise FileTooLargeError(
            f"{count} pages, more than the limit of {config.max_pages} (--max-pages)"
        )


def content_bytes(page_obj, limit: int) -> int:
    """Decoded bytes of a page's drawing operators (contents and form XObjects), up to
    just past `limit`: counting stops there, so a bomb costs `limit` bytes of work, not its size.

    Flate streams are inflated a chunk at a time and thrown away; other filters (rare in
    content streams) are decoded by pdfminer.  A stream that cannot be decoded counts its
    raw length: the text-layer reader then meets it and reports it as it does today.
    """
    from pdfminer.pdftypes import PDFStream, resolve1

    seen: set[int] = set()
    total = 0

    def measure(stream) -> int:
        filters = stream.get_filters()
        names = [str(getattr(f, "name", f)) for f, _ in filters]
        raw = stream.rawdata if stream.rawdata is not None else (stream.data or b"")
        if names in (["FlateDecode"], ["Fl"]) and stream.decipher is None:
            return _inflated_size(raw, limit - total + 1)
        if not names:
            return len(raw)
        try:
            return len(stream.get_data())
        except Exception:  # noqa: BLE001 - the reader proper reports damaged streams
            return len(raw)

    def walk(obj, depth: int) -> None:
        nonlocal total
        obj = resolve1(obj)
        if isinstance(obj, list):
            for item in obj:
                walk(item, depth)
            return
        if not isinstance(obj, PDFStream) or id(obj) in seen or total > limit:
            return
        seen.add(id(obj))
        total += measure(obj)
        if depth < FORM_DEPTH:
            walk_forms(obj.attrs.get("Resources"), depth + 1)

    def walk_forms(resources, depth: int) -> None:
        resources = resolve1(resources)
        xobjects = resolve1(resources.get("XObject")) if isinstance(resources, dict) else None
        if not isinstance(xobjects, dict):
            return
        for ref in xobjects.values():
            xobject = resolve1(ref)
            subtype = (
                resolve1(xobject.attrs.get("Subtype")) if isinstance(xobject, PDFStream) else None
            )
            if getattr(subtype, "name", None) == "Form":  # images are the pixel guard's
                walk(xobject, depth)

    walk(page_obj.contents, 0)
    walk_forms(page_obj.resources, 1)
    return total


def _inflated_size(raw: bytes, cap: int) -> int:
    """Size of `raw` inflated, counting at most a little past `cap` bytes."""
    inflater = zlib.decompressobj()
    size = 0
    data = raw
    try:
        while data and size <= cap:
            size += len(inflater.decompress(data, _INFLATE_CHUNK))
            data = inflater.unconsumed_tail
    except zlib.error:
        return max(size, len(raw))
    return size


def _page_text(
    page, number: int, extra: list[Piece] = ()
) -> tuple[list[str], list[list[list[str]]], bool]:
    """Lines in reading order, tables as rows of cells, and whether the page is a scan.

    `extra` pieces (field values) join the page's words before ordering."""
    area = float(page.width * page.height) or 1.0
    scanned = any(
        (min(im["x1"], page.width) - max(im["x0"], 0))
        * (min(im["bottom"], page.height) - max(im["top"], 0))
        >= SCAN_COVERAGE * area
        for im in page.images
    )
    tables = []
    boxes = []
    try:
        found = page.find_tables()
    except Exception:  # noqa: BLE001 - a table finder failure must not lose the page's text
        log.debug("page %d: table detection failed", number, exc_info=True)
        found = []
    words = fit_typed(
        [
            part
            for word in page.extract_words(
                x_tolerance=X_TOLERANCE, y_tolerance=3, keep_blank_chars=False, return_chars=True
            )
            for part in split_typed(word)
        ]
    )
    for table in found:
        rows = [[nfc(" ".join((cell or "").split())) for cell in row] for row in table.extract()]
        rows = [row for row in rows if any(row)]
        if _is_real_table(rows, table.bbox, words):
            tables.append(rows)
            boxes.append((table.bbox, rows, table))
    pieces = list(extra)
    for word in words:
        cx, cy = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
        if any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b, _, _ in boxes):
            continue
        text = nfc(word["text"])
        if text.strip():
            pieces.append(Piece(text, word["x0"], word["x1"], word["top"], word["bottom"]))
    for (x0, top, x1, bottom), rows, table in boxes:
        # Table rows go into the text as ` | `-separated lines, spanning the table's width.
        row_tops = [r.bbox[1] for r in table.rows] if len(table.rows) == len(rows) else None
        height = (bottom - top) / max(len(rows), 1)
        for k, row in enumerate(rows):
            row_top = row_tops[k] if row_tops else top + k * height
            cells = " | ".join(cell for cell in row)
            pieces.append(Piece(cells, x0, x1, row_top, row_top + min(height, 12)))
    lines = drop_page_number(order_lines(pieces, float(page.width)), number)
    return lines, tables, scanned


def _is_real_table(rows: list[list[str]], bbox, words: list[dict]) -> bool:
    """Reject "tables" that ruling lines around ordinary text make pdfplumber find.

    A real table has two or more filled columns in most rows, and its cells do not cut
    words apart (`c` | `ác` for `các`)."""
    if len(rows) < 2 or max(len(row) for row in rows) > MAX_TABLE_COLUMNS:
        return False
    filled_rows = sum(1 for row in rows if sum(1 for cell in row if cell) >= 2)
    if filled_rows < max(2, len(rows) // 2):
        return False
    x0, top, x1, bottom = bbox
    inside = {
        nfc(w["text"])
        for w in words
        if x0 <= (w["x0"] + w["x1"]) / 2 <= x1 and top <= (w["top"] + w["bottom"]) / 2 <= bottom
    }
    tokens = [token for row in rows for cell in row for token in cell.split()]
    fragments = sum(1 for token in tokens if token not in inside)
    return fragments <= 0.04 * max(len(tokens), 1)


_VN_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")


def _is_vietnamese_letter(ch: str) -> bool:
    """A letter of the Vietnamese (or plain Latin) alphabet, with any Vietnamese marks."""
    if ch in "đĐ":
        return True
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    return base.isascii() and base.isalpha() and all(m in _VN_MARKS for m in marks)


def junk_ratio(text: str) -> float:
    """Share of letters that no Vietnamese text contains (mojibake, private-use glyphs)."""
    letters = 0
    bad = 5 * text.count("(cid:")
    for ch in text:
        if ch.isalpha():
            letters += 1
            if not _is_vietnamese_letter(ch):
                bad += 1
        elif ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cc") and ch not in "\n\t":
            bad += 1
    return bad / max(letters, 1)


_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def layer_problem(text: str, *, scanned: bool = False) -> str | None:
    """Why a page's text layer cannot be used (`empty`, `stamp only`, `glyph junk`,
    `garbled`), or None when it is usable."""
    stripped = "".join(text.split())
    if not stripped:
        return "empty"
    if scanned and len(stripped) < STAMP_CHARS:
        return "stamp only"
    if junk_ratio(text) > JUNK_RATIO:
        return "glyph junk"
    words = _TOKEN.findall(text)
    if len(words) >= 15 and garble_score(text) > GARBLED_SCORE:
        return "garbled"
    return None


# ---------------------------------------------------------------------------------------
# Page images for OCR


def page_images(
    data: bytes, numbers: list[int], config: Config
) -> Iterator[tuple[int, Image.Image, int]]:
    """(page number, image, dpi) for each page in `numbers`, one page at a time.

    pdfium is not thread-safe: call this from one thread and hand the images on.
    """
    with _map_pdf_errors():
        pdf = pdfium.PdfDocument(data)
    try:
        for number in numbers:
            with _map_pdf_errors(f"page {number}"):
                page = pdf[number - 1]
                found = _native_image(page, config)
                if found is None:
                    found = _render(page, config)
                page.close()
            yield number, *found
    finally:
        pdf.close()


def _native_image(page, config: Config) -> tuple[Image.Image, int] | None:
    """The page's own scan: the largest image covering most of the page, upright."""
    width, height = page.get_size()
    best, best_area = None, 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
        left, bottom, right, top = obj.get_bounds()
        area = max(0.0, min(right, width) - max(left, 0)) * max(
            0.0, min(top, height) - max(bottom, 0)
        )
        if area > best_area:
            best, best_area = obj, area
    if best is None or best_area < SCAN_COVERAGE * width * height:
        return None
    meta = best.get_metadata()
    if meta.width * meta.height > config.max_image_pixels:
        raise ImageTooLargeError(
            f"page image of {meta.width}×{meta.height} pixels exceeds the limit of "
            f"{config.max_image_pixels} (--max-pixels)"
        )
    a, b, c, d, _, _ = best.get_matrix().get()
    # Which way the image is drawn: only axis-aligned placements are taken as they are.
    if abs(b) < 1e-6 and abs(c) < 1e-6 and a > 0 and d > 0:
        turn = None
    elif abs(b) < 1e-6 and abs(c) < 1e-6 and a < 0 and d < 0:
        turn = Image.Transpose.ROTATE_180
    elif abs(a) < 1e-6 and abs(d) < 1e-6 and b < 0 < c:
        turn = Image.Transpose.ROTATE_270  # drawn turned 90° clockwise
    elif abs(a) < 1e-6 and abs(d) < 1e-6 and c < 0 < b:
        turn = Image.Transpose.ROTATE_90
    else:
        return None
    try:
        image = best.get_bitmap(render=False).to_pil()
    except Exception:  # noqa: BLE001 - unusual encodings: rendering still works
        log.debug("cannot extract the page image; rendering instead", exc_info=True)
        return None
    if meta.bits_per_pixel == 1 and image.mode != "1":
        image = image.convert("L")
        # pdfium returns some 1-bit images with inverted /Decode; a scan is mostly paper.
        if _mean(image) < 96:
            image = ImageOps.invert(image)
    if turn is not None:
        image = image.transpose(turn)
    rotation = page.get_rotation()
    if rotation:
        image = image.rotate(-rotation, expand=True)  # /Rotate turns clockwise
    page_width_pt = width if rotation in (0, 180) else height
    left, _, right, _ = best.get_bounds()
    shown_width_pt = min(right - left, page_width_pt) if turn is None else page_width_pt
    dpi = round(image.width / max(shown_width_pt / 72.0, 1e-3))
    return image, max(30, min(dpi, 1200))


def _mean(image: Image.Image) -> float:
    small = image.resize((max(1, image.width // 8), max(1, image.height // 8)))
    hist = small.histogram()
    total = sum(hist) or 1
    return sum(i * n for i, n in enumerate(hist[:256])) / total


def _render(page, config: Config) -> tuple[Image.Image, int]:
    """The page drawn at `config.ocr_dpi` in grayscale."""
    width, height = page.get_size()
    scale = config.ocr_dpi / 72.0
    pixels = int(width * scale) * int(height * scale)
    if pixels > config.max_image_pixels:
        raise ImageTooLargeError(
            f"page of {width:.0f}×{height:.0f} pt at {config.ocr_dpi} dpi exceeds the limit of "
            f"{config.max_image_pixels} pixels (--max-pixels)"
        )
    bitmap = page.render(scale=scale, grayscale=True, rotation=0)
    return bitmap.to_pil(), config.ocr_dpi
