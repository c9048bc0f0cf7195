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
    preprocess: tuple[str, ...] = ("grayscale", "orientation", "denoise", "deskew")
    """Image clean-up steps applied before OCR, in order (`denoise` and `deskew` together
    run as one step: a page that gets turned is not filtered too; see `preprocess.prepare`)."""
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    max_image_pixels: int = 200_000_000
    """Decompression-bomb guard: larger images are refused."""
    force: bool = False
    """Redo documents the catalog already has."""
