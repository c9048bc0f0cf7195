"""Stage 5: section segmentation (header, title, body tree, Nơi nhận, signature)."""

from __future__ import annotations

from pipeline.config import Config
from pipeline.document import Document


def segment(doc: Document, config: Config) -> Document:
    """Stage: fill `doc.layout` from `doc.text.body`."""
    return doc
