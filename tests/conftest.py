"""Shared fixtures, named for their contents."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SHARED = ROOT.parent / "shared"
REAL = SHARED / "real"


@pytest.fixture
def samples() -> Path:
    """The repo's sample inputs."""
    return SAMPLES


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """An empty output folder."""
    out = tmp_path / "out"
    out.mkdir()
    return out


@pytest.fixture
def real_docs() -> Path:
    """`../shared/real/` (tests using it are skipped where it is absent)."""
    if not REAL.is_dir():
        pytest.skip("../shared/real/ is not present")
    return REAL


def has_tesseract(lang: str = "vie") -> bool:
    """Tesseract is installed with data for `lang` (the package's own check)."""
    from pipeline.errors import MissingDependencyError
    from pipeline.ocr.tesseract import check_languages

    try:
        check_languages(lang)
    except MissingDependencyError:
        return False
    return True
