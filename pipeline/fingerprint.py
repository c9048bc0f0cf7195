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


def _digest(paths: list[Path], root: Path, digest: hashlib._Hash) -> None:
    for path in sorted(paths):
        # The relative name goes in too: a moved module is a different pipeline.
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")


@lru_cache(maxsize=1)
def pipeline_fingerprint() -> str:
    """`<version>+<hash of code and model>`, e.g. `0.2.0+3f9a…`, computed once per process."""
    from pipeline import __version__
    from pipeline.restore.model import model_files

    digest = hashlib.sha256()
    code = [
        p
        for p in PACKAGE_DIR.rglob("*")
        if p.suffix in SOURCE_SUFFIXES and "__pycache__" not in p.parts
    ]
    _digest(code, PACKAGE_DIR, digest)
    models = model_files()
    if models:
        _digest(models, models[0].parent, digest)
    return f"{__version__}+{digest.hexdigest()[:DIGITS]}"
