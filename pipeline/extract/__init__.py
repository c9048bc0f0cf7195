"""Stage 6: metadata, legal references, dates, periods and tasks.

The extractors read `doc.layout` (filled by `segment`) and the body text:
`metadata.extract_metadata` interprets the header and signature, `legal_refs` and `dates`
scan the text, and `tasks.find_tasks` walks the body tree and the appendix tables.
"""

from __future__ import annotations

from pipeline.config import Config
from pipeline.document import DateMention, Document
from pipeline.extract.dates import find_dates
from pipeline.extract.legal_refs import dedupe_refs, find_legal_refs
from pipeline.extract.metadata import _read_signature_stamp, document_year, extract_metadata
from pipeline.extract.tasks import find_tasks
from pipeline.vietnamese import skeleton


def _unsure_name_words(doc: Document, name: str | None) -> list[str]:
    """The words of `name` that restoration rebuilt from OCR garble and was unsure of
    (`Page.low_confidence_tokens` on a body line holding the name): a name's letters
    misread (`Phan Viet Dlgn` for *Phan Viết Điện*) come back as other real names
    (`Phan Việt Dân`), and a wrong signer is worse than none.  Text that only lost its
    marks keeps its letters, so its names stay."""
    if not name or doc.text.restore_kind != "garble":
        return []
    lines = doc.text.body.split("\n")
    words = {skeleton(w) for w in name.split()}
    full = skeleton(name)
    return [
        token.text
        for page in doc.pages
        for token in page.low_confidence_tokens
        if skeleton(token.text) in words
        and 0 <= token.line < len(lines)
        and full in skeleton(lines[token.line])
    ]


def _body_dates(body: str, place_date_line: str | None) -> list[DateMention]:
    """The body's dates without the header's issue date (that one is metadata)."""
    mentions = find_dates(body)
    if not place_date_line:
        return mentions
    header = find_dates(place_date_line)
    if header and mentions and mentions[0].date == header[0].date:
        line = body.split("\n")[mentions[0].line or 0] if mentions[0].line is not None else ""
        if place_date_line.strip() in line or line.strip() in place_date_line:
            return mentions[1:]
    return mentions


def extract(doc: Document, config: Config) -> Document:
    """Stage: fill metadata, legal_refs, dates and tasks from `doc.layout`."""
    body = doc.text.body
    ocr = any(page.method == "ocr" for page in doc.pages)
    metadata, warnings = extract_metadata(doc.layout, body, ocr=ocr)
    furniture = "\n".join(line for page in doc.pages for line in page.furniture)
    if metadata.signed_at is None and furniture:  # a scan's e-office stamp (ingest.pdf)
        _read_signature_stamp(furniture, metadata, warnings, doc.layout.place_date_line)
    unsure = _unsure_name_words(doc, metadata.signer)
    if unsure:
        warnings.append(
            f"signer {metadata.signer!r} left out: restored from garbled text with low"
            f" confidence ({', '.join(unsure)})"
        )
        metadata.signer = None
    doc.metadata = metadata
    for message in warnings:
        doc.warn(message)
    # The document's own number is cited by its appendices (`Kèm theo Kế hoạch số …`).
    refs = [r for r in find_legal_refs(body) if not r.number or r.number != metadata.number]
    doc.legal_refs = dedupe_refs(refs)
    doc.dates = _body_dates(body, doc.layout.place_date_line)
    doc.tasks = find_tasks(doc.layout, document_year(metadata))
    if doc.layout.sections and not doc.tasks:
        doc.warn("no tasks found: no part of the body reads as work items (NHIỆM VỤ, NỘI DUNG…)")
    return doc
