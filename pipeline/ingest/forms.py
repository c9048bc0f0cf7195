"""Text typed on top of a PDF page: form fields and other annotations.

E-office systems fill the number and the day of a document (`Số: 228 /BC-SNV`, `ngày 28
tháng 11`) into form fields or signature widgets laid over the Word template, and the
digital-signature stamp (`Ký bởi: … Ngày ký: 22.11.2024 15:45:56`) is a widget too.
Their text lives in the annotations' appearance streams, not in the page content, so
pdfplumber does not see it.

`layout_with_annotations` interprets the page as pdfminer does and then draws each
printed annotation's normal appearance (`/AP /N`) into the same layout, placed on its
`/Rect` by the rule of PDF 32000-1 §12.5.5.  pdfplumber then finds the typed text among
the page's own characters, in reading order and inside tables.  A text field that has a
value but no appearance (`/NeedAppearances`) gives its value as a positioned `Piece`.
Page characters that a typed character covers are dropped: the field was typed over the
template's placeholder (`tháng 4` overtyped with `5` reads `tháng 5`, as printed).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from pdfminer.layout import LTChar, LTContainer, LTPage
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psparser import PSLiteral
from pdfminer.utils import Matrix, apply_matrix_pt, mult_matrix
from pdfplumber.utils.pdfinternals import decode_text

from pipeline.reading_order import Piece

log = logging.getLogger(__name__)

PRINTED_SUBTYPES = frozenset({"Widget", "FreeText", "Stamp"})
"""Annotations whose appearance is text put on the page (fields, signature stamps,
typewriter text, stamps).  Links, notes and markup carry no printed text of their own."""
HIDDEN_FLAGS = 0b10 | 0b10_0000
"""Annotation flags Hidden (bit 2) and NoView (bit 6): not shown on the page."""
PARENT_DEPTH = 8
"""Field dictionaries inherit `/FT` and `/V` from parents; real forms nest two or three
levels, and the bound stops a cyclic `/Parent` chain."""
COVER_SHARE = 0.5
"""A page character is hidden when a typed character covers this share of its box
(blank placeholders are dropped at any overlap)."""
TYPED_TAG = "vnplan:typed"
"""The marked-content tag given to characters drawn from annotations, so that a typed
number never merges with the template word it abuts (`ngày15` → `ngày 15`)."""
MAX_VALUE_CHARS = 200
"""A field value longer than this is data (a JSON blob, a signature), not typed text."""


@dataclass
class Annotation:
    """A printed annotation of a page."""

    subtype: str
    rect: tuple[float, float, float, float]
    """`/Rect` in PDF user space (x0, y0, x1, y1), normalised."""
    appearance: PDFStream | None
    """The normal appearance stream, or None when the annotation has none."""
    field_type: str | None = None
    """`Tx`, `Sig`, `Btn`, `Ch` for form fields (inherited from parents), else None."""
    value: str | None = None
    """A text or choice field's value (`/V`), when it is a string."""


def page_annotations(page_obj: PDFPage) -> list[Annotation]:
    """The printed annotations of a page, in their drawing order."""
    found = []
    for raw in resolve1(page_obj.annots) or []:
        annot = resolve1(raw)
        if not isinstance(annot, dict):
            continue
        subtype = _name(annot.get("Subtype"))
        if subtype not in PRINTED_SUBTYPES or _int(annot.get("F")) & HIDDEN_FLAGS:
            continue
        rect = _rect(annot.get("Rect"))
        if rect is None:
            continue
        field_type = _name(_inherited(annot, "FT"))
        value = _inherited(annot, "V") if field_type in ("Tx", "Ch") else None
        found.append(
            Annotation(
                subtype=subtype,
                rect=rect,
                appearance=_normal_appearance(annot),
                field_type=field_type,
                value=_text(value),
            )
        )
    return found


def layout_with_annotations(
    page_obj: PDFPage,
    interpreter: PDFPageInterpreter,
    annotations: list[Annotation],
    default_resources: dict | None = None,
) -> tuple[LTPage, list[Annotation]]:
    """The page's layout with the annotations' appearances drawn over its content.

    Args:
        page_obj: the pdfminer page.
        interpreter: an interpreter whose device is a `PDFLayoutAnalyzer` (pdfplumber's
            aggregator), so that the result is what `pdfplumber.Page.layout` would be.
        annotations: from `page_annotations`.
        default_resources: the AcroForm's `/DR`, for appearances without resources.

    Returns:
        The layout, and the annotations whose appearance drew no text (for
        `value_pieces`).
    """
    device = interpreter.device
    ctm = _page_ctm(page_obj)
    device.begin_page(page_obj, ctm)
    interpreter.render_contents(page_obj.resources, page_obj.contents, ctm=ctm)
    page_item = device.cur_item
    own = len(page_item._objs)
    silent = []
    for number, annot in enumerate(annotations):
        before = len(page_item._objs)
        if annot.appearance is not None:
            _draw(interpreter, annot, ctm, default_resources or page_obj.resources, number)
        if not any(_chars(page_item._objs[before:])):
            silent.append(annot)
    typed = [ch for ch in _chars(page_item._objs[own:]) if ch.get_text().strip()]
    for ch in typed:
        ch.tag = TYPED_TAG
    if typed:
        _drop_covered(page_item, own, typed)
    device.end_page(page_obj)
    return device.get_result(), silent


def value_pieces(annotations: list[Annotation], page_height: float) -> list[Piece]:
    """Field values without an appearance, as pieces on their field's box (y downwards)."""
    pieces = []
    for annot in annotations:
        value = " ".join((annot.value or "").split())
        if not value or len(value) > MAX_VALUE_CHARS:
            continue
        x0, y0, x1, y1 = annot.rect
        pieces.append(Piece(value, x0, x1, page_height - y1, page_height - y0))
    return pieces


def split_typed(word: dict) -> list[dict]:
    """A pdfplumber word (extracted with `return_chars=True`) cut where typed characters
    (`TYPED_TAG`) meet the page's own."""
    chars = word.get("chars") or []
    runs: list[list[dict]] = []
    for ch in chars:
        typed = ch.get("tag") == TYPED_TAG
        if runs and (runs[-1][0].get("tag") == TYPED_TAG) == typed:
            runs[-1].append(ch)
        else:
            runs.append([ch])
    if len(runs) < 2:
        return [word]
    return [
        {
            "text": "".join(ch["text"] for ch in run),
            "x0": min(ch["x0"] for ch in run),
            "x1": max(ch["x1"] for ch in run),
            "top": min(ch["top"] for ch in run),
            "bottom": max(ch["bottom"] for ch in run),
            "chars": run,
        }
        for run in runs
    ]


def fit_typed(words: list[dict]) -> list[dict]:
    """Trim typed words that overlap the page words beside them on their line.

    A field's box rarely lines up with the template's text: its first digit may reach
    into `ngày` by a point or two, and two words that overlap are never one row of a
    reading order.  A typed word is narrowed to the gap it stands in; one that covers
    most of a page word is left as it is (the page word was overtyped, see
    `COVER_SHARE`)."""
    page_words = [w for w in words if not _is_typed(w)]
    for word in words:
        if not _is_typed(word):
            continue
        height = word["bottom"] - word["top"]
        for other in page_words:
            v = min(word["bottom"], other["bottom"]) - max(word["top"], other["top"])
            h = min(word["x1"], other["x1"]) - max(word["x0"], other["x0"])
            if v < 0.5 * height or h <= 0 or h >= COVER_SHARE * (word["x1"] - word["x0"]):
                continue
            if other["x0"] < word["x0"]:
                word["x0"] = other["x1"]
            else:
                word["x1"] = other["x0"]
    return words


def _is_typed(word: dict) -> bool:
    chars = word.get("chars") or []
    return bool(chars) and chars[0].get("tag") == TYPED_TAG


def _draw(
    interpreter: PDFPageInterpreter, annot: Annotation, ctm: Matrix, resources, number: int
) -> None:
    """Render one appearance stream as a figure of the page (PDF 32000-1 §12.5.5)."""
    stream = annot.appearance
    bbox = _rect(stream.get("BBox"))
    if bbox is None or bbox[2] - bbox[0] <= 0 or bbox[3] - bbox[1] <= 0:
        return
    matrix = _matrix(stream.get("Matrix"))
    placed = mult_matrix(matrix, _box_to_rect(_transformed_box(bbox, matrix), annot.rect))
    own_resources = resolve1(stream.get("Resources"))
    device = interpreter.device
    device.set_ctm(ctm)
    name = f"annot{number}"
    device.begin_figure(name, bbox, placed)
    try:
        interpreter.subinterp().render_contents(
            own_resources if isinstance(own_resources, dict) else resources,
            [stream],
            ctm=mult_matrix(placed, ctm),
        )
    except Exception:  # noqa: BLE001 - a broken appearance must not lose the page
        log.debug("annotation appearance %d cannot be drawn", number, exc_info=True)
    finally:
        device.end_figure(name)


def _drop_covered(page_item: LTPage, own: int, typed: list[LTChar]) -> None:
    """Remove the page's characters (the first `own` items) that typed characters cover."""

    def covered(ch: LTChar, share: float) -> bool:
        area = max((ch.x1 - ch.x0) * (ch.y1 - ch.y0), 1e-6)
        for t in typed:
            w = min(ch.x1, t.x1) - max(ch.x0, t.x0)
            h = min(ch.y1, t.y1) - max(ch.y0, t.y0)
            if w > 0 and h > 0 and w * h > share * area:
                return True
        return False

    def prune(items: list) -> list:
        kept = []
        for item in items:
            if isinstance(item, LTChar):
                # A template's blank placeholder under a typed digit would split the
                # typed number into one-digit words: any overlap removes it.
                share = COVER_SHARE if item.get_text().strip() else 0.0
                if covered(item, share):
                    continue
            elif isinstance(item, LTContainer):
                item._objs = prune(item._objs)
            kept.append(item)
        return kept

    page_item._objs = prune(page_item._objs[:own]) + page_item._objs[own:]


def _chars(items: list) -> Iterator[LTChar]:
    for item in items:
        if isinstance(item, LTChar):
            yield item
        elif isinstance(item, LTContainer):
            yield from _chars(item._objs)


def _page_ctm(page_obj: PDFPage) -> Matrix:
    """The device matrix pdfminer's `process_page` uses (rotation and MediaBox origin)."""
    x0, y0, x1, y1 = page_obj.mediabox
    rotate = page_obj.rotate % 360
    if rotate == 90:
        return (0, -1, 1, 0, -y0, x1)
    if rotate == 180:
        return (-1, 0, 0, -1, x1, y1)
    if rotate == 270:
        return (0, 1, -1, 0, y1, -x0)
    return (1, 0, 0, 1, -x0, -y0)


def _transformed_box(bbox, matrix: Matrix) -> tuple[float, float, float, float]:
    """The bounding box of `bbox`'s corners under `matrix`."""
    x0, y0, x1, y1 = bbox
    points = [apply_matrix_pt(matrix, p) for p in ((x0, y0), (x0, y1), (x1, y0), (x1, y1))]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _box_to_rect(box, rect) -> Matrix:
    """The scale-and-translate matrix that maps `box` onto `rect`."""
    bx0, by0, bx1, by1 = box
    rx0, ry0, rx1, ry1 = rect
    sx = (rx1 - rx0) / max(bx1 - bx0, 1e-6)
    sy = (ry1 - ry0) / max(by1 - by0, 1e-6)
    return (sx, 0, 0, sy, rx0 - sx * bx0, ry0 - sy * by0)


def _normal_appearance(annot: dict) -> PDFStream | None:
    """`/AP /N`, choosing the `/AS` state when the appearance has several."""
    ap = resolve1(annot.get("AP"))
    if not isinstance(ap, dict):
        return None
    normal = resolve1(ap.get("N"))
    if isinstance(normal, dict) and not isinstance(normal, PDFStream):
        state = _name(annot.get("AS"))
        normal = resolve1(normal.get(state)) if state else None
    return normal if isinstance(normal, PDFStream) else None


def _inherited(annot: dict, key: str):
    node = annot
    for _ in range(PARENT_DEPTH):
        if key in node:
            return resolve1(node[key])
        parent = resolve1(node.get("Parent"))
        if not isinstance(parent, dict):
            return None
        node = parent
    return None


def _rect(value) -> tuple[float, float, float, float] | None:
    value = resolve1(value)
    if not isinstance(value, list | tuple) or len(value) != 4:
        return None
    try:
        a, b, c, d = (float(resolve1(v)) for v in value)
    except (TypeError, ValueError):
        return None
    return min(a, c), min(b, d), max(a, c), max(b, d)


def _matrix(value) -> Matrix:
    value = resolve1(value)
    if isinstance(value, list | tuple) and len(value) == 6:
        try:
            return tuple(float(resolve1(v)) for v in value)  # type: ignore[return-value]
        except (TypeError, ValueError):
            pass
    return (1, 0, 0, 1, 0, 0)


def _name(value) -> str | None:
    value = resolve1(value)
    if isinstance(value, PSLiteral):
        name = value.name
        return name.decode("latin-1") if isinstance(name, bytes) else str(name)
    return None


def _int(value) -> int:
    value = resolve1(value)
    return value if isinstance(value, int) else 0


def _text(value) -> str | None:
    """A PDF text string (PDFDocEncoding or UTF-16 with BOM) as str."""
    value = resolve1(value)
    if isinstance(value, list):  # a multiple-choice field
        parts = [_text(v) for v in value]
        return ", ".join(p for p in parts if p) or None
    if not isinstance(value, bytes):
        return None
    if value.startswith((b"\xfe\xff", b"\xff\xfe")):
        return value.decode("utf-16", errors="replace")
    if value.startswith(b"\xef\xbb\xbf"):
        return value[3:].decode("utf-8", errors="replace")
    return decode_text(value)
