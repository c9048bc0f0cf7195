"""Stage 6: metadata, legal references, dates, periods and tasks."""

from __future__ import annotations

from pipeline.config import Config
from pipeline.document import Document


def extract(doc: Document, config: Config) -> Document:
    """Stage: fill metadata, legal_refs, dates and tasks from `doc.layout`."""
    return doc
