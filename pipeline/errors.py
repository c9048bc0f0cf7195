"""The exception tree and the exit codes, in one place.

Every error a user can meet is a `VnplanError`; its message is one readable line that
names the fix where there is one.  Foreign exceptions (pdfplumber, PIL, subprocess) are
translated at the edge where they happen (`raise CorruptPdfError(...) from exc`).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes scripts can rely on (documented in `vnplan --help` and the README)."""

    ok = 0
    """Every file was processed (or was already done)."""
    some_failed = 1
    """Some files failed; the others were processed and written."""
    usage = 2
    """The command line is wrong (click's own convention)."""
    setup = 3
    """vnplan cannot work here: Tesseract, its language data or the model is missing."""
    interrupted = 130
    """Stopped by SIGINT/SIGTERM; what was committed is kept (128 + SIGINT)."""


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


class CorruptImageError(InputError):
    """The image cannot be decoded (truncated, damaged)."""


class CorruptDocxError(InputError):
    """The Word document cannot be parsed (truncated, damaged)."""


class LegacyWordError(UnsupportedFormatError):
    """A binary Word `.doc` that LibreOffice is not there (or failed) to convert."""


class EncryptedPdfError(InputError):
    """The PDF is password-protected."""


class BudgetError(InputError):
    """The file needs more than a budget allows; the message names the option to raise."""


class FileTooLargeError(BudgetError):
    """Too many pages or frames, or too much drawing content on a page (`--max-pages`…)."""


class ImageTooLargeError(BudgetError):
    """The image exceeds the pixel limit (decompression-bomb guard)."""


class TimeBudgetError(BudgetError):
    """The file ran past its wall-time budget (`--file-timeout`, `--page-timeout`)."""


class MemoryBudgetError(BudgetError):
    """The worker processing the file went over its memory budget (`--max-memory`)."""


class NotVietnameseError(InputError):
    """The text does not look like Vietnamese."""


class SetupError(VnplanError):
    """vnplan's own installation is incomplete; no input file is at fault (exit 3)."""


class MissingDependencyError(SetupError):
    """A program or data file vnplan needs is not installed."""


class OcrError(VnplanError):
    """Tesseract failed on a page."""


class ModelError(SetupError):
    """A trained model file is missing or unreadable."""


class CatalogError(VnplanError):
    """The SQLite catalog cannot be opened or migrated."""


class InboxLockedError(VnplanError):
    """Another `vnplan watch` already holds the inbox's lock."""


class WorkerCrashError(VnplanError):
    """A worker process died while processing a file (native crash, out of memory)."""


class InternalError(VnplanError):
    """A bug in vnplan (not the input's fault): the traceback is logged under `-v`."""


def is_setup_error(kind: str) -> bool:
    """Whether an error class name (as recorded in `StageError.kind`) is a `SetupError`."""
    return kind in _SETUP_KINDS


def is_input_error(kind: str) -> bool:
    """Whether an error class name is an `InputError`: the file's own fault, so the same
    pipeline would fail it the same way (a re-run does not retry it without `--retry-failed`)."""
    return kind in _INPUT_KINDS


def one_line(exc: BaseException) -> str:
    """`KindOfError: message` on one line, for summaries and error files."""
    message = " ".join(str(exc).split()) or exc.__class__.__doc__ or ""
    return f"{exc.__class__.__name__}: {message.strip()}"


def _subclass_names(base: type) -> frozenset[str]:
    names = {base.__name__}
    for sub in base.__subclasses__():
        names |= _subclass_names(sub)
    return frozenset(names)


_SETUP_KINDS = _subclass_names(SetupError)
_INPUT_KINDS = _subclass_names(InputError)
