"""Run-time settings shared by the stages."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

RestoreMode = Literal["auto", "always", "never"]


@dataclass(frozen=True)
class Config:
    """Settings for one run; stages read them, never change them."""

    out_dir: Path = Path("output")
    restore: RestoreMode = "auto"
    ocr_languages: str = "vie"
    ocr_dpi: int = 300
    """Resolution for rendering vector PDF pages (scanned pages keep their native dpi)."""
    ocr_low_confidence: float = 70.0
    """Pages whose mean word confidence is below this get a warning."""
    preprocess: tuple[str, ...] = (
        "perspective", "seal", "grayscale", "orientation", "denoise", "deskew", "fields",
        "tables", "rules", "signature",
    )  # fmt: skip
    """Image clean-up steps applied before OCR, in order (`denoise` and `deskew` together
    run as one step: a page that gets turned is not filtered too; see `preprocess.prepare`),
    and the steps after it (`fields`, `tables`, `rules`, `signature`).  `perspective` (a
    phone photo's sheet flattened) is on because section 6 measures it making the photo
    of a sheet on a desk readable (CER 100 % → 0.5 %) for ≈ 3 ms on any other page.
    `seal`, `fields`, `tables` and `signature` are on because `benchmarks/bench_ocr.py`
    section 6 measures them helping on hard pages at no measurable cost on pages that need
    none (see the README's OCR figures); `rules` (a page's ruling lines painted out before it is read)
    because section 7 measures it on renders of real plans with appendix tables (the grid
    search costs ≈ 20 ms a page)."""
    ocr_handwriting: bool = True
    """Hand-written digits of the number and date fields read by the digit model
    (`pipeline.ocr.handwriting`) inside the `fields` step; False: Tesseract alone.  On
    because `python -m benchmarks digits` measures it reading pen digits on generated
    pages with no wrong reading."""
    ocr_fusion: bool = True
    """A scanned page whose hidden text layer is an English-model OCR run (garbled) has
    its Tesseract-vie words corrected by that layer (`pipeline.ocr.fusion`); False: vie
    alone.  On because `python -m benchmarks ocr` section 8 measures it lowering CER on
    such pages."""
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    max_image_pixels: int = 200_000_000
    """Decompression-bomb guard: larger images are refused (`--max-pixels`).  An A0 sheet
    at 400 dpi is 290 M pixels in 1 bit, A3 at 600 dpi 70 M: 200 M admits real scans."""
    max_pages: int = 2000
    """Pages (PDF) or frames (TIFF) per file (`--max-pages`).  The longest plans and
    reports run to a few hundred pages; a file beyond this is an archive to split."""
    max_page_content_mb: float = 32.0
    """Megabytes of decoded drawing operators per PDF page (`--max-page-content`).  A dense
    vector map is 2–8 MB; 200 MB from a 300 KB file is a flate bomb that pdfminer would
    spend minutes and gigabytes interpreting."""
    file_timeout: float = 120.0
    """Seconds of wall time a file may take besides its pages (`--file-timeout`, 0: no
    limit).  Reading, restoration and extraction of a long plan take 5–30 s on one core."""
    page_timeout: float = 30.0
    """Seconds added to a file's budget per page (`--page-timeout`), also Tesseract's limit
    for one page.  OCR of an A4 page takes 1–5 s on one core, 10 s with OSD and a retry."""
    max_memory_mb: int = 2048
    """Resident memory a worker process may reach, Tesseract children included
    (`--max-memory`, 0: no limit).  A worker peaks at 300–600 MB on a 600 dpi A4 scan."""
    retry_failed: bool = False
    """Process again files the catalog has as failed by their own fault (`--retry-failed`)."""
    force: bool = False
    """Redo documents the catalog already has."""
    scheduler: str | None = None
    """A dask.distributed scheduler address (`--scheduler`); None: the local workers."""

    def file_budget(self, pages: int) -> float | None:
        """Wall seconds a file of `pages` pages may take, None without a time budget."""
        if not self.file_timeout:
            return None
        return self.file_timeout + self.page_timeout * max(pages, 0)

    @property
    def isolated(self) -> bool:
        """Whether files must run in worker processes (so a time or memory budget can stop them)."""
        return self.workers > 1 or bool(self.file_timeout) or bool(self.max_memory_mb)
