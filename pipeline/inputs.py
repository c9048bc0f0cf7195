"""Inputs of a batch: the command line's files and folders as a sorted list of files, and
their content hashes (what the catalog keys documents by)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from pipeline.output.catalog import CATALOG_NAME
from pipeline.output.rows import TABLES

DOCUMENT_SUFFIXES = frozenset(
    {".pdf", ".txt", ".md", ".markdown", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}
)
"""A directory with one of these names is reported as a bad input, not walked into: it is
almost always a mistake (a tool that made a folder where a file was expected)."""

OWN_NAMES = frozenset({CATALOG_NAME, *(f"{name}.csv" for name in TABLES)})
"""Files vnplan writes; never taken as inputs even outside an `--out` folder."""

WALK_SKIP_SUFFIXES = frozenset(
    {".py", ".pyc", ".sh", ".json", ".csv", ".sqlite", ".sqlite-wal", ".sqlite-shm", ".log"}
    | {".part", ".crdownload", ".partial", ".tmp", ".swp"}
)
"""When walking a folder, files with these endings are not documents (scripts, vnplan's
own outputs) or are still being downloaded; a file named on the command line is always
taken, since the reader goes by content."""


def expand_inputs(paths: Iterable[Path], exclude: Iterable[Path] = ()) -> list[Path]:
    """Files under `paths` (folders walked recursively), absolute, sorted, without duplicates.

    Skipped: hidden files and folders (editors' and our own temporary files start with a
    dot), anything under `exclude` (the output folder, the inbox's processed/ and failed/),
    and vnplan's own output files.  A directory named like a document (`x.pdf/`) is
    returned as an input so the batch reports it instead of silently ignoring it.
    """
    excluded = {Path(p).absolute() for p in exclude}
    found: dict[Path, None] = {}  # ordered set keyed by the resolved path (dedup)
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            found[path] = None

    def is_excluded(path: Path) -> bool:
        return any(path == e or e in path.parents for e in excluded)

    for given in paths:
        root = Path(given).absolute()
        if is_excluded(root):
            continue
        if not root.is_dir() or _is_document_named_dir(root):
            add(root)
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            here = Path(dirpath)
            keep = []
            for name in sorted(dirnames):
                sub = here / name
                if name.startswith(".") or is_excluded(sub):
                    continue
                if _is_document_named_dir(sub):
                    add(sub)
                else:
                    keep.append(name)
            dirnames[:] = keep  # prune in place: os.walk then skips the rest
            for name in filenames:
                if (
                    name.startswith(".")
                    or name in OWN_NAMES
                    or Path(name).suffix.lower() in WALK_SKIP_SUFFIXES
                ):
                    continue
                add(here / name)
    return sorted(found)


def _is_document_named_dir(path: Path) -> bool:
    return path.is_dir() and path.suffix.lower() in DOCUMENT_SUFFIXES


def hash_file(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, read in chunks (a 1 GB scan does not need 1 GB of RAM)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()
