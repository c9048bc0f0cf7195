"""vnplan: Vietnamese government plan documents → structured data.

The public API, in three lines::

    from pipeline import process_file
    doc = process_file("samples/haiphong-24-KH-UBND-2026.md")
    print(doc.metadata.number, len(doc.tasks))

`process_file` and `process_text` never raise for bad input: a document that could not
be read comes back with `status == "failed"` and the reason in `doc.errors`.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from pipeline.config import Config
from pipeline.document import Document
from pipeline.errors import (
    CorruptImageError,
    CorruptPdfError,
    EmptyFileError,
    EncryptedPdfError,
    FileTooLargeError,
    ImageTooLargeError,
    InputError,
    MemoryBudgetError,
    MissingDependencyError,
    ModelError,
    NotVietnameseError,
    OcrError,
    TimeBudgetError,
    UnsupportedFormatError,
    VnplanError,
)

try:
    __version__ = version("vnplan")  # one definition: pyproject.toml
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "Config",
    "CorruptImageError",
    "CorruptPdfError",
    "Document",
    "EmptyFileError",
    "EncryptedPdfError",
    "FileTooLargeError",
    "ImageTooLargeError",
    "InputError",
    "MemoryBudgetError",
    "MissingDependencyError",
    "ModelError",
    "NotVietnameseError",
    "OcrError",
    "TimeBudgetError",
    "UnsupportedFormatError",
    "VnplanError",
    "process_file",
    "process_text",
]


def process_file(path: str | Path, config: Config | None = None) -> Document:
    """Read one file (text, Markdown, PDF or image) and run every stage over it."""
    from pipeline.chain import process_path  # the chain imports every stage: load on use

    return process_path(Path(path), config or Config())


def process_text(text: str, config: Config | None = None, name: str = "<text>") -> Document:
    """Run the chain on a string: the same result as `process_file` on a UTF-8 file of it.

    `name` stands in for the file's path (`plan.md` reads the text as Markdown).
    """
    from pipeline.chain import process_text as _process_text

    return _process_text(text, config or Config(), name)
