"""Image inputs (PNG, JPEG, TIFF): one page per frame, all needing OCR."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import Config
from pipeline.document import Page


def read_image(data: bytes, path: Path, config: Config) -> list[Page]:
    """Pages for each frame of the image, to be recognised by the OCR stage."""
    return [Page(number=1, method="none", needs_ocr=True)]
