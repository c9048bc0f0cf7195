"""The exception tree and the exit codes, in one place.

Every error a user can meet is a `VnplanError`; its message is one readable line that
names the fix where there is one.  Foreign exceptions (pdfplumber, PIL, subprocess) are
translated at the edge where they happen (`raise CorruptPdfError(...) from exc`).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes scripts can rely on."""

    ok = 0
    some_failed = 1
    usage = 2


class VnplanError(Exception):
    """Base of every error vnplan reports to the user."""


class InputError(VnplanError):
    """The input file cannot be read as a document."""


class EmptyFileError(InputError):
    """The file has no bytes or no text."""


class UnsupportedFormatError(InputError):
    """The content is not text, PDF or a supported image."""


class CorruptPdfError(InputError):
    """The PDF cannot be parsed (truncated, damaged)."""


class CorruptDocxError(InputError):
    """The Word document cannot be parsed (truncated, damaged)."""


class LegacyWordError(UnsupportedFormatError):
    """A binary Word `.doc` that LibreOffice is not there (or failed) to convert."""


class EncryptedPdfError(InputError):
    """The PDF is password-protected."""


class ImageTooLargeError(InputError):
    """The image exceeds the pixel limit (decompression-bomb guard)."""


class NotVietnameseError(InputError):
    """The text does not look like Vietnamese."""


class MissingDependencyError(VnplanError):
    """A program or data file vnplan needs is not installed."""


class OcrError(VnplanError):
    """Tesseract failed on a page."""


class ModelError(VnplanError):
    """A trained model file is missing or unreadable."""


class CatalogError(VnplanError):
    """The SQLite catalog cannot be opened or migrated."""


class InboxLockedError(VnplanError):
    """Another `vnplan watch` already holds the inbox's lock."""


class WorkerCrashError(VnplanError):
    """A worker process died while processing a file (native crash, out of memory)."""


def one_line(exc: BaseException) -> str:
    """`KindOfError: message` on one line, for summaries and error files."""
    message = " ".join(str(exc).split()) or exc.__class__.__doc__ or ""
    return f"{exc.__class__.__name__}: {message.strip()}"


class CorruptImageError(InputError):
    """The image cannot be decoded (truncated, damaged)."""
