"""Stage: Unicode normalisation of the body (NFC, line endings, trailing spaces).

The spelling itself is kept: the body stays in the document's own tone placement; the
canonical form for matching lives in `pipeline.vietnamese`.
"""

from __future__ import annotations

from pipeline.document import Document
from pipeline.vietnamese import nfc


def normalize(doc: Document, config: object | None = None) -> Document:
    """Stage: NFC-compose the body and tidy whitespace (the spelling itself is kept)."""
    body = nfc(doc.text.body)
    lines = [line.rstrip() for line in body.split("\n")]
    doc.text.body = "\n".join(lines).strip("\n")
    return doc
