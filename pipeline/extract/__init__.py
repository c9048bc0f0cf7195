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
