"""Stage 2: OCR for pages without a usable text layer (filled in by the OCR issue)."""

from __future__ import annotations

from pipeline.config import Config
from pipeline.document import Document
from pipeline.errors import OcrError


def ocr(doc: Document, config: Config) -> Document:
    """Stage: recognise the pages marked `needs_ocr`; a document without such pages is unchanged."""
    if any(p.needs_ocr for p in doc.pages):
        raise OcrError("this build of vnplan cannot OCR scanned pages yet")
    return doc
