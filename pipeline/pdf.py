"""PDF text layers via pdfplumber (reading order, columns, composed marks)."""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber

from pipeline.config import Config
from pipeline.document import Page
from pipeline.errors import CorruptPdfError
from pipeline.normalize import nfc


def read_pdf(data: bytes, path: Path, config: Config) -> list[Page]:
    """One `Page` per PDF page; pages without text are marked `needs_ocr`."""
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = []
            for number, page in enumerate(pdf.pages, start=1):
                text = nfc(page.extract_text() or "")
                method = "pdf-text" if text.strip() else "none"
                pages.append(
                    Page(number=number, method=method, text=text, needs_ocr=not text.strip())
                )
            return pages
    except Exception as exc:
        raise CorruptPdfError(f"cannot parse the PDF: {exc}") from exc
