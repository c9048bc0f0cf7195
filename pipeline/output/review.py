"""Review pages: each document's extraction beside its page images (`vnplan review`).

One self-contained HTML file per document (`review/<doc_id>.html`, images embedded as
base64 PNG, no script, no link out) and `review/index.html` listing the documents most in
need of a look first (`views.document_review`: failed, warnings, low confidence).

A page shows the warnings on top, then the page images beside the document's text, in
which every extracted field — number, date, issuer, title, signer, each task with its
period and lead, each legal reference — is highlighted where it was read, next to a table
of the fields that links to each highlight.  Restored words the restorer was unsure of and
words Tesseract read with low confidence are marked too.  Fields are found in the text
by their folded spelling (`rows.fold`), so a field written in canonical spelling still
finds the line that printed it; a field the text does not contain (an inferred issuer)
is listed as not found.  Templates are Jinja2 with autoescaping: document text can never
inject markup.
"""

from __future__ import annotations

import base64
import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from PIL.Image import DecompressionBombError as _DecompressionBomb

from pipeline.output.atomic import write_text
from pipeline.output.catalog import Catalog
from pipeline.vietnamese import skeleton

log = logging.getLogger(__name__)

REVIEW_DIR = "review"
IMAGE_WIDTH = 900
"""Pixels across an embedded page image: legible beside the text, small enough to embed."""
MAX_IMAGE_PAGES = 30
"""Pages embedded per document; a longer file's later pages are only named (size stays sane)."""
LOCATE_CHARS = 80
"""Characters of a long field (a task, a reference) matched against the text: enough to be
unique, short enough to survive a line break the extraction joined differently."""
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".gif"}

_ENV = Environment(
    loader=PackageLoader("pipeline.output", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


# --- where a field is in the text -------------------------------------------------------


class FoldedText:
    """A text folded for matching (`skeleton`, whitespace runs as one space), with the
    offset in the original of every folded character."""

    def __init__(self, text: str) -> None:
        """Fold `text` once; `find` then maps matches back to it."""
        chars: list[str] = []
        offsets: list[int] = []
        for index, char in enumerate(text):
            if char.isspace():
                if chars and chars[-1] == " ":
                    continue
                chars.append(" ")
                offsets.append(index)
                continue
            for folded in skeleton(char):
                chars.append(folded)
                offsets.append(index)
        self.folded = "".join(chars)
        self.offsets = offsets

    def find(self, needle: str, start: int = 0) -> tuple[int, int] | None:
        """The span in the original text of the first match of `needle` at or after the
        original offset `start`, or None."""
        key = " ".join(skeleton(needle).split())
        if not key:
            return None
        from_folded = next((i for i, o in enumerate(self.offsets) if o >= start), None)
        if from_folded is None:
            return None
        at = self.folded.find(key, from_folded)
        if at < 0:
            return None
        return self.offsets[at], self.offsets[at + len(key) - 1] + 1


@dataclass
class Mark:
    """A highlighted span of the text."""

    kind: str
    """`field`, `restored` (an unsure restoration) or `low` (a low-confidence OCR word)."""
    label: str
    start: int
    end: int
    ident: str = ""
    note: str = ""


@dataclass
class FieldRow:
    """One extracted field in the page's table."""

    name: str
    value: str
    mark: Mark | None = None
    children: list[FieldRow] = field(default_factory=list)


def _locate(text: FoldedText, value: str | None, start: int = 0) -> tuple[int, int] | None:
    """The span of `value` (whole, else its first `LOCATE_CHARS`) at or after `start`,
    else anywhere."""
    if not value:
        return None
    for needle in dict.fromkeys((value, value[:LOCATE_CHARS])):
        for at in dict.fromkeys((start, 0)):
            span = text.find(needle, at)
            if span:
                return span
    return None


def _fields(output: dict, text: FoldedText) -> list[FieldRow]:
    """Every extracted field with the span it was read from (None when not found)."""
    meta, layout = output["metadata"], output["layout"]
    rows: list[FieldRow] = []

    def add(name: str, value: object, *needles: str | None, into=rows, start: int = 0):
        shown = "" if value is None else str(value)
        span = None
        for needle in (*needles, shown):
            span = _locate(text, needle, start)
            if span:
                break
        row = FieldRow(name, shown, Mark("field", name, *span) if span else None)
        into.append(row)
        return row

    number_line = layout.get("number_line") or ""
    add("number", meta.get("number"), re.sub(r"^\s*Số\s*:?\s*", "", number_line))
    add("issue date", meta.get("issue_date"), layout.get("place_date_line"))
    add("issuer", meta.get("issuer"), layout.get("issuing_body"))
    add("type", meta.get("doc_type"), layout.get("doc_type"))
    add("title", meta.get("title"), layout.get("title"), layout.get("subject_line"))
    add("signer", meta.get("signer"), (layout.get("signature") or {}).get("name"))
    add("signer position", meta.get("signer_position"))
    for task in output["tasks"]:
        row = add(f"task {task['ref']}", task["text"])
        at = row.mark.start if row.mark else 0
        period = task.get("period") or {}
        if period.get("label"):
            add("period", period["label"], into=row.children, start=at)
        if task.get("lead"):
            add("lead", task["lead"], *task.get("leads", []), into=row.children, start=at)
    for ref in output["legal_refs"]:
        name = f"{ref['kind']} {ref.get('number') or ''}".strip()
        add(name, ref.get("text"), ref.get("text"), ref.get("number"))  # the whole mention first
    return rows


def _confidence_marks(output: dict, body: str) -> list[Mark]:
    """Unsure restorations (line/column offsets) and low-confidence OCR words (every
    whole-word occurrence, as Tesseract gives them without positions)."""
    marks = []
    starts = [0]
    for line in body.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    for page in output["pages"]:
        for token in page.get("low_confidence_tokens", []):
            if token["line"] < len(starts) - 1:
                at = starts[token["line"]] + token["column"]
                note = f"read {token['read']!r}, restored {token['text']!r}"
                note += f" ({token['confidence']:.2f})"
                marks.append(Mark("restored", "unsure restoration", at, at + len(token["text"])))
                marks[-1].note = note
        for word in set(page.get("low_confidence_words", [])):
            pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
            for match in pattern.finditer(body):
                marks.append(
                    Mark("low", "low OCR confidence", *match.span(), note=f"page {page['number']}")
                )
    return marks


@dataclass(frozen=True)
class Piece:
    """A run of text under the same marks (marks may overlap: a field holds a low word)."""

    text: str
    kinds: str
    labels: str
    ident: str


def pieces(body: str, marks: list[Mark]) -> list[Piece]:
    """Cut `body` where marks begin and end; the first piece of each mark carries its id."""
    cuts = sorted({0, len(body), *(m.start for m in marks), *(m.end for m in marks)})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        active = [m for m in marks if m.start <= a and b <= m.end]
        kinds = " ".join(sorted({m.kind for m in active}))
        labels = "; ".join(
            dict.fromkeys(m.label + (f": {m.note}" if m.note else "") for m in active)
        )
        ident = next((m.ident for m in active if m.start == a and m.ident), "")
        out.append(Piece(body[a:b], kinds, labels, ident))
    return out


# --- page images ------------------------------------------------------------------------


def _png(image) -> str:
    image = image.convert("RGB") if image.mode not in ("RGB", "L") else image
    if image.width > IMAGE_WIDTH:
        image = image.resize((IMAGE_WIDTH, round(image.height * IMAGE_WIDTH / image.width)))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def page_images(path: Path) -> tuple[list[str], str]:
    """The file's pages as base64 PNG, and a note when there are none (text, missing file)."""
    suffix = path.suffix.lower()
    if suffix != ".pdf" and suffix not in IMAGE_SUFFIXES:
        return [], "a text file: no page image"
    if not path.is_file():
        return [], f"the file is no longer at {path}"
    images = []
    try:
        if suffix == ".pdf":
            import pypdfium2

            pdf = pypdfium2.PdfDocument(path)
            try:
                for index in range(min(len(pdf), MAX_IMAGE_PAGES)):
                    page = pdf[index]
                    scale = IMAGE_WIDTH / max(page.get_width(), 1)
                    images.append(_png(page.render(scale=scale).to_pil()))
            finally:
                pdf.close()
        else:
            from PIL import Image, ImageSequence

            with Image.open(path) as image:
                for index, frame in enumerate(ImageSequence.Iterator(image)):
                    if index >= MAX_IMAGE_PAGES:
                        break
                    images.append(_png(frame.copy()))
    except (OSError, ValueError, RuntimeError, _DecompressionBomb) as exc:
        # A page image is a courtesy (pdfium errors are RuntimeErrors, PIL's mostly OSErrors):
        # the review page still helps without it.
        log.warning("%s: no page image: %s", path, exc)
        return images, f"page images could not be rendered: {exc}"
    return images, ""


# --- pages ------------------------------------------------------------------------------


def _page_context(output: dict | None, row: dict) -> dict:
    if output is None:
        return {"row": row, "output": None, "pieces": [], "fields": [], "images": [], "note": ""}
    body = output["text"]["body"]
    text = FoldedText(body)
    fields = _fields(output, text)
    marks = _confidence_marks(output, body)
    count = 0
    for top in fields:
        for item in (top, *top.children):
            if item.mark:
                count += 1
                item.mark.ident = f"f{count}"
                marks.append(item.mark)
    images, note = page_images(Path(row["path"]))
    return {
        "row": row,
        "output": output,
        "pieces": pieces(body, marks),
        "fields": fields,
        "images": images,
        "note": note,
        "found": count,
    }


def render_page(output: dict | None, row: dict) -> str:
    """The HTML of one document's review page (`row`: its `document_review` row)."""
    return _ENV.get_template("review_page.html.j2").render(**_page_context(output, row))


def render_index(rows: list[dict]) -> str:
    """The HTML of the index, rows in the order given."""
    return _ENV.get_template("review_index.html.j2").render(rows=rows)


INDEX_ORDER = (
    "ORDER BY status != 'ok' DESC, needs_review DESC, n_warnings DESC,"
    " coalesce(min_page_confidence, 100), coalesce(restore_confidence, 1), number, doc_id"
)
"""Most in need of a look first: failed, then flagged, most warnings, lowest confidence."""


def write_review(out_dir: Path, doc_ids: list[str] | None = None) -> list[Path]:
    """Write `review/<doc_id>.html` for the documents asked (all by default) and the index.

    Returns the paths written, the index first.
    """
    out_dir = Path(out_dir)
    folder = out_dir / REVIEW_DIR
    with Catalog.in_dir(out_dir) as catalog:
        rows = [dict(r) for r in catalog.rows(f"SELECT * FROM document_review {INDEX_ORDER}")]
        wanted = rows if not doc_ids else [r for r in rows if r["doc_id"] in set(doc_ids)]
        missing = set(doc_ids or ()) - {r["doc_id"] for r in wanted}
        if missing:
            from pipeline.errors import InputError

            raise InputError(f"not in the catalog: {', '.join(sorted(missing))}")
        written = []
        for row in wanted:
            output = None
            if row["status"] == "ok":
                stored = catalog.rows(
                    "SELECT sha256 FROM documents WHERE doc_id = ?", (row["doc_id"],)
                )
                output = catalog.output(stored[0]["sha256"]) if stored else None
            path = folder / f"{row['doc_id']}.html"
            write_text(path, render_page(output, row))
            written.append(path)
    index = folder / "index.html"
    write_text(index, render_index(rows))
    return [index, *written]
