"""Per-file functions for the Dask tests, importable by the worker processes."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from pipeline.batch import process_file
from pipeline.config import Config


def die_on_kill_files(path: Path, sha256: str | None, config: Config):
    """`process_file`, but a file named kill-once* kills its worker the first time it is
    run, and kill-always* every time (a segfault, the OOM killer, a machine lost)."""
    path = Path(path)
    marker = path.with_name(f".{path.name}.tried")
    if path.name.startswith("kill-always") or (
        path.name.startswith("kill-once") and not marker.exists()
    ):
        marker.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return process_file(path, sha256, config)
