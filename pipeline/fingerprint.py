"""The pipeline's fingerprint: which code and which model produced a result.

The catalog stores it per document and skips a document only when the same fingerprint
processed it, so an upgrade, a local code change or a retrained model redoes documents on
the next run without anyone remembering to bump a version.  It hashes the package's own
source files and the restoration model files in use: a few MB, a few milliseconds, once
per process.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SOURCE_SUFFIXES = (".py", ".c")
"""What counts as code: the compiled extensions follow from their `.c` files."""
DIGITS = 16
"""Hex digits kept: 64 bits tell any two builds apart."""


def _digest(files: dict[str, Path], digest: hashlib._Hash) -> None:
    for name in sorted(files):
        # The name goes in too: a moved module is a different pipeline.
        digest.update(name.encode() + b"\0")
        digest.update(files[name].read_bytes())
        digest.update(b"\0")


def _trained_files() -> dict[str, Path]:
    """The trained files the stages read: what vnplan ships, and the restoration model in
    use where `train-lm` wrote a user model (it then stands in for the shipped one)."""
    from pipeline.restore.model import model_files
    from pipeline.shipped import RUNTIME_PATTERNS, shipped_dir

    folder = shipped_dir()
    files = {p.name: p for pattern in RUNTIME_PATTERNS for p in folder.glob(pattern)}
    files.update({p.name: p for p in model_files()})
    return {f"models/{name}": path for name, path in files.items()}


@lru_cache(maxsize=1)
def pipeline_fingerprint() -> str:
    """`<version>+<hash of code and model>`, e.g. `0.2.0+3f9a…`, computed once per process."""
    from pipeline import __version__

    digest = hashlib.sha256()
    code = {
        p.relative_to(PACKAGE_DIR).as_posix(): p
        for p in PACKAGE_DIR.rglob("*")
        if p.suffix in SOURCE_SUFFIXES and "__pycache__" not in p.parts
    }
    _digest({**code, **_trained_files()}, digest)
    return f"{__version__}+{digest.hexdigest()[:DIGITS]}"
