"""Where the trained files that come with vnplan are: inside the installed package, or the
repository's top-level `models/` in a source checkout (editable installs included).

setup.py copies the run-time files (`RUNTIME_PATTERNS`) from `models/` into
`pipeline/_models/` when it builds a wheel, so an installed vnplan carries them.
"""

from __future__ import annotations

from pathlib import Path

PACKAGED_DIR = Path(__file__).resolve().parent / "_models"
"""Where a wheel carries the files."""
REPO_DIR = Path(__file__).resolve().parents[1] / "models"
"""The repository's `models/`."""
RUNTIME_PATTERNS = ("restore-*", "places.json", "digits-*")
"""What the stages read at run time (the rest of `models/` is training data); setup.py
keeps its own copy of this list, since it cannot import the package it builds."""


def shipped_dir(packaged: Path = PACKAGED_DIR, repo: Path = REPO_DIR) -> Path:
    """The installed package's copy when there is one, else the repository's `models/`."""
    return packaged if packaged.is_dir() and any(packaged.iterdir()) else repo
