"""Stage 3: diacritic restoration of garbled or diacritic-less text."""

from __future__ import annotations

from pipeline.config import Config
from pipeline.document import Document


def restore(doc: Document, config: Config) -> Document:
    """Stage: restore Vietnamese diacritics where the text is garbled (not built yet)."""
    return doc
