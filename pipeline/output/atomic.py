"""Atomic file writes: a reader (or a crash) never sees a half-written file.

Everything vnplan writes into `--out` goes through `atomic_write`: the content is
written to a hidden temporary file in the destination folder (same file system, so the
rename is atomic), flushed to disk, then moved over the destination with `os.replace`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_write(
    path: Path, encoding: str | None = "utf-8", newline: str | None = None
) -> Iterator[IO]:
    """Open a temporary file next to `path`; on a clean exit it replaces `path`.

    On an exception the temporary file is removed and `path` keeps its old content.
    `encoding=None` opens the file in binary mode.

    Args:
        path: The final destination.
        encoding: Text encoding, or None for bytes.
        newline: Passed to `open` (use `""` for the csv module).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Hidden prefix: batch inputs and the watcher skip dot-files, so a temp file left by a
    # SIGKILL is never mistaken for an input or an output.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        mode = "wb" if encoding is None else "w"
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(0o644)  # mkstemp creates 0600; outputs are meant to be shared
        tmp.replace(path)  # os.replace: atomic on one file system
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write `text` to `path` atomically."""
    with atomic_write(path, encoding=encoding) as handle:
        handle.write(text)
