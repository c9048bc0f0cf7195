"""Shared fixtures, named for their contents."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pipeline.document import Document, Source, Status

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SHARED = ROOT.parent / "shared"
REAL = SHARED / "real"


def ok_document(name: str, **fields: object) -> Document:
    """An `ok` text document named `name` (its hash and id derived from the name), with
    `fields` (metadata, tasks, text …) as the chain would leave them."""
    sha = hashlib.sha256(name.encode()).hexdigest()
    return Document(
        doc_id=sha[:16],
        status=Status.ok,
        source=Source(path=f"/in/{name}", sha256=sha, media_type="text/plain", pages=1),
        **fields,
    )


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
