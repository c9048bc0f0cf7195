"""What the decoder remembers of one document: confident decisions and list markers.

A plan repeats its unit names, terms and titles (`Ủy ban nhân dân đặc khu Cát Hải`,
`Trưởng phòng Văn hóa`).  Where the LM was sure of a word in one place, the same reading
next to the same neighbour is very likely the same word in another place where the LM
is unsure (`Truong phong` once after `Trưởng phòng` was certain).  `DocumentCache`
collects those confident decisions after a first pass and gives the uncertain slots a
bonus for the word the document already chose in the same bigram of readings.

Bigrams of *readings*, not single words: a document that writes `truyền thông` with
certainty may still mean `truyền thống` elsewhere, and a word-level cache would pull every
`thong` to `thông`; the neighbouring reading keeps the memory to the same phrase.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol

from pipeline.vietnamese import word_skeleton

CACHE_MIN_CONFIDENCE = 0.98
"""A decision is remembered only above this local posterior, and a slot below it may be
helped: on the dev documents (Hải Phòng, Cát Hải) 0.9 remembered wrong guesses and 0.99
too little, each losing 2-3 of the tokens 0.95 gained; with the neural rescorer, 0.98
against 0.95 is +4 held-out law and +5 real-text syllables, the rest unchanged."""
CACHE_BONUS = 3.0
"""Log-odds added to a candidate the document chose, with certainty, next to the same
neighbouring reading: on the dev documents 2 changed too little to help and 5 began to
override clear local contexts."""
CACHE_MIN_COUNT = 1
"""Confident uses needed before a decision is remembered: plans name a body in full once
or twice, so one certain use is already evidence."""


class _Slot(Protocol):
    read: str
    out: str
    confidence: float
    fixed: bool


def reading_key(read: str, garbled: bool) -> str:
    """What identifies a reading across the document: its skeleton for text that only lost
    its marks (`Truong`, `truong`, `trưởng` are one reading), the lower-case token itself
    for OCR garble (Tesseract repeats its misreadings: `Pang` for `Đảng`)."""
    lower = read.lower()
    return lower if garbled else word_skeleton(lower)


class DocumentCache:
    """Confident (neighbouring reading, reading) → word decisions of one document."""

    def __init__(self, garbled: bool) -> None:
        """An empty cache for a text decoded as garble (`garbled`) or as stripped text."""
        self.garbled = garbled
        self._left: dict[tuple[str, str], dict[str, int]] = {}
        self._right: dict[tuple[str, str], dict[str, int]] = {}
        self._keys: dict[int, tuple[Sequence[_Slot], list[str]]] = {}
        """Reading keys per run (by `id`, with the run, which keeps the id its own),
        computed once for `learn` and `bonuses`."""

    def __len__(self) -> int:
        """Number of remembered bigrams of readings."""
        return len(self._left) + len(self._right)

    def _run_keys(self, run: Sequence[_Slot]) -> list[str]:
        entry = self._keys.get(id(run))
        if entry is None or entry[0] is not run:
            garbled = self.garbled
            entry = self._keys[id(run)] = (run, [reading_key(s.read, garbled) for s in run])
        return entry[1]

    def learn(self, runs: Iterable[Sequence[_Slot]]) -> None:
        """Remember every confident, non-fixed decision of the decoded `runs`."""
        for run in runs:
            keys = self._run_keys(run)
            last = len(run) - 1
            for n, slot in enumerate(run):
                if slot.fixed or slot.confidence < CACHE_MIN_CONFIDENCE or not slot.out:
                    continue
                if n > 0:
                    _count(self._left, (keys[n - 1], keys[n]), slot.out)
                if n < last:
                    _count(self._right, (keys[n], keys[n + 1]), slot.out)

    def bonuses(self, run: Sequence[_Slot]) -> dict[int, dict[str, float]]:
        """Per uncertain slot of `run` (by index), the bonus of each word the document chose
        next to the same neighbouring reading; empty when the memory has nothing to add."""
        out: dict[int, dict[str, float]] = {}
        keys: list[str] | None = None
        last = len(run) - 1
        for n, slot in enumerate(run):
            if slot.fixed or slot.confidence >= CACHE_MIN_CONFIDENCE:
                continue
            keys = keys or self._run_keys(run)
            seen: dict[str, int] = {}
            if n > 0:
                for word, c in self._left.get((keys[n - 1], keys[n]), {}).items():
                    seen[word] = seen.get(word, 0) + c
            if n < last:
                for word, c in self._right.get((keys[n], keys[n + 1]), {}).items():
                    seen[word] = seen.get(word, 0) + c
            words = {w: CACHE_BONUS for w, c in seen.items() if c >= CACHE_MIN_COUNT}
            if words and (len(words) > 1 or slot.out not in words):
                out[n] = words
        return out


def _count(table: dict[tuple[str, str], dict[str, int]], key: tuple[str, str], word: str) -> None:
    row = table.get(key)
    if row is None:
        row = table[key] = {}
    row[word] = row.get(word, 0) + 1


_MARKER = re.compile(r"^(\s*(?:[-–•+*]\s*)?)([dD])\)")
_ANY_MARKER = re.compile(r"^\s*(?:[-–•+*]\s*)?([a-zđA-ZĐ])\)")
"""A lettered list marker at the start of a line, bare (`d)`) or after a bullet (`- d)`)."""


def stroked_markers(lines: Sequence[str]) -> list[tuple[int, int]]:
    """(line, column) of each list marker `d)` that stands for `đ)`.

    Vietnamese lists run a) b) c) d) đ) e): a `d)` that follows the markers `c)` and
    `d)` lost its stroke (stripped text, OCR).  Both predecessors are required: a `d)`
    after a `d)` alone may also be two lists' fourth items (measured on the held-out law
    lines, which are not contiguous).  Nothing else about markers is guessed.
    """
    found = []
    before = previous = ""
    for n, line in enumerate(lines):
        match = _ANY_MARKER.match(line)
        if match is None:
            continue
        letter = match.group(1)
        stroked = _MARKER.match(line)
        if stroked and (before + previous).lower() == "cd":
            found.append((n, len(stroked.group(1))))
            letter = "đ"
        before, previous = previous, letter
    return found
