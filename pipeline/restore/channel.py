"""The OCR noisy channel: how Tesseract's English model misreads Vietnamese letters.

`P(read | true)` is modelled letter by letter: each letter of the true syllable is read as
zero, one or two characters (`ư`→`w`, `ổ`→`6`, `ủ`→`ti`, `Đ`→`P`).  The emission table is
learned by hard EM from the (true, read) token pairs of `ocrpairs.py`; unseen emissions get a
floor that depends on whether the letters at least share a base letter.  Candidates for a
garbled token are lexicon syllables whose skeleton is one edit from a de-garbled reading
(`ctia` → `cua`), ranked by this channel.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from functools import lru_cache

from pipeline.normalize import skeleton

_FLOOR_SAME_BASE = math.log(0.02)
_FLOOR_DROP = math.log(0.002)
_FLOOR_OTHER = math.log(0.0004)
_FLOOR_DOUBLE = math.log(0.00005)
_FLOOR_VOWEL = math.log(0.004)
_VOWELS = frozenset("aeiouy")
_FLOOR_SHAPE = math.log(0.01)
_SHAPES = {"đ": "pbđ", "ư": "wv", "ơ": "d", "ô": "d6", "ộ": "6", "ố": "6", "ồ": "6", "ổ": "6"}
"""Glyph-shape look-alikes a scan blurs together (the crossed `Đ` read as `P`); a prior
for confusions the rendered training pairs show too rarely."""


def _is_vowel(ch: str) -> bool:
    return skeleton(ch) in _VOWELS


MAX_EMIT = 2


@lru_cache(maxsize=65_536)
def _floor(true: str, read: str) -> float:
    if not read:
        return _FLOOR_DROP
    if len(read) == 1:
        if read == true:
            return math.log(0.8)
        if skeleton(read) == skeleton(true):
            return _FLOOR_SAME_BASE
        # Marked vowels are read as almost any vowel (`ặ` → `i`, `ơ` → `e`); consonants
        # are far more stable.
        if read in _SHAPES.get(true, ""):
            return _FLOOR_SHAPE
        return _FLOOR_VOWEL if _is_vowel(true) and _is_vowel(read) else _FLOOR_OTHER
    return _FLOOR_DOUBLE


def _align(
    true: str, read: str, emit: dict[str, dict[str, float]]
) -> tuple[float, list[tuple[str, str]]]:
    """Best alignment of `true` letters to substrings of `read` (log-prob, emissions)."""
    n, m = len(true), len(read)
    neg = -1e18
    best = [[neg] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for i in range(n):
        t = true[i]
        table = emit.get(t, {})
        row, nxt = best[i], best[i + 1]
        for j in range(m + 1):
            base = row[j]
            if base == neg:
                continue
            for k in range(0, min(MAX_EMIT, m - j) + 1):
                piece = read[j : j + k]
                score = base + table.get(piece, _floor(t, piece))
                if score > nxt[j + k]:
                    nxt[j + k] = score
                    back[i + 1][j + k] = (j, k)
    if best[n][m] == neg:
        return neg, []
    pieces = []
    j = m
    for i in range(n, 0, -1):
        step = back[i][j]
        assert step is not None
        pieces.append((true[i - 1], read[step[0] : step[0] + step[1]]))
        j = step[0]
    return best[n][m], pieces[::-1]


def _next_row(
    row: list[float], t: str, read: str, emit: dict[str, dict[str, float]]
) -> list[float]:
    """One DP step: align true letter `t` after the alignments in `row`."""
    m = len(read)
    neg = -1e18
    table = emit.get(t, _EMPTY)
    drop = table.get("")
    if drop is None:
        drop = _FLOOR_DROP
    nxt = [neg] * (m + 1)
    for j in range(m + 1):
        base = row[j]
        if base == neg:
            continue
        v = base + drop
        if v > nxt[j]:
            nxt[j] = v
        if j < m:
            ch = read[j]
            e = table.get(ch)
            v = base + (e if e is not None else _floor(t, ch))
            if v > nxt[j + 1]:
                nxt[j + 1] = v
            if j + 1 < m:
                e = table.get(read[j : j + 2])
                v = base + (e if e is not None else _FLOOR_DOUBLE)
                if v > nxt[j + 2]:
                    nxt[j + 2] = v
    return nxt


_EMPTY: dict[str, float] = {}


def _score(true: str, read: str, emit: dict[str, dict[str, float]]) -> float:
    """Log-probability of the best alignment (`_align` without the back-pointers, faster)."""
    row = [0.0] + [-1e18] * len(read)
    for t in true:
        row = _next_row(row, t, read, emit)
    return row[-1]


class Channel:
    """Letter emission log-probabilities, plus a table of whole-token readings."""

    def __init__(self, emit: dict[str, dict[str, float]], reverse: dict[str, str]) -> None:
        """Wrap `emit[true_letter][read_piece]` and `reverse[read_piece]` → likely letter."""
        self.emit = emit
        self.reverse = reverse
        self._rows: dict[str, dict[str, list[float]]] = {}
        self._scores: dict[tuple[str, str], float] = {}

    def logp(self, read: str, true: str) -> float:
        """ln P(read | true) for lower-case strings (best single alignment).

        DP rows are cached per reading and true-string prefix: candidates share onsets
        and vowels (`đang`, `đảng`, `đăng`), so most of their table is computed once.
        """
        key = (read, true)
        score = self._scores.get(key)
        if score is not None:
            return score
        if len(self._scores) > 500_000:
            self._scores.clear()
            self._rows.clear()
        rows = self._rows.get(read)
        if rows is None:
            rows = self._rows[read] = {"": [0.0] + [-1e18] * len(read)}
        k = len(true)
        while true[:k] not in rows:
            k -= 1
        row = rows[true[:k]]
        for i in range(k, len(true)):
            row = _next_row(row, true[i], read, self.emit)
            rows[true[: i + 1]] = row
        score = self._scores[key] = row[-1]
        return score

    def readings(self, read: str, limit: int = 24) -> set[str]:
        """Skeletons a garbled token may stand for: `ctia` → {`ctia`, `cua`}, `t6` → {`to`}.

        Each character is read as itself (marks stripped) or as the letter it most often
        stands for (`6` → `o`, `w` → `u`); learned two-character pieces (`ti` → `u`) too.
        """
        at: dict[int, set[str]] = {0: {""}}
        for i, ch in enumerate(read):
            prefixes = at.get(i)
            if not prefixes:
                continue
            options = set()
            base = skeleton(ch)
            if base.isalpha():
                options.add(base)
            if ch in self.reverse:
                options.add(self.reverse[ch])
            if not options:
                options.add("")
            two = read[i : i + 2]
            pair = self.reverse.get(two) if len(two) == 2 else None
            for prefix in list(prefixes)[:limit]:
                at.setdefault(i + 1, set()).update(prefix + o for o in options)
                if pair is not None:
                    at.setdefault(i + 2, set()).add(prefix + pair)
        return {v for v in at.get(len(read), ()) if v}

    # --- training and storage ---------------------------------------------------------

    @classmethod
    def train(cls, pairs: Counter[tuple[str, str]], iterations: int = 3) -> Channel:
        """Hard-EM estimate of the emission table from (true, read) token pairs."""
        data = [(t.lower(), r.lower(), n) for (t, r), n in pairs.items() if len(t) <= 8]
        emit: dict[str, dict[str, float]] = {}
        counts: dict[str, Counter[str]] = {}
        for _ in range(iterations):
            counts = defaultdict(Counter)
            for true, read, n in data:
                score, pieces = _align(true, read, emit)
                if not pieces or score < -40:
                    continue  # a misaligned token (split or merged by OCR) teaches nothing
                for t, piece in pieces:
                    counts[t][piece] += n
            emit = {}
            for t, table in counts.items():
                total = sum(table.values()) + 1.0
                emit[t] = {p: math.log(c / total) for p, c in table.items() if c >= 1}
                for look_alike in _SHAPES.get(t, ""):
                    # A rare learned confusion is no less likely than its shape prior.
                    emit[t][look_alike] = max(emit[t].get(look_alike, -99.0), _FLOOR_SHAPE)
        reverse: dict[str, str] = {}
        by_read: dict[str, Counter[str]] = defaultdict(Counter)
        for t, table in counts.items():
            for piece, c in table.items():
                if piece:
                    by_read[piece][skeleton(t)] += c
        for piece, table in by_read.items():
            letter, c = table.most_common(1)[0]
            # Keep confusions that are common and change the reading (`6` → `o`, `ti` → `u`).
            if letter != skeleton(piece) and c >= 3 and c >= 0.3 * sum(table.values()):
                reverse[piece] = letter
        return cls(emit, reverse)

    def to_json(self) -> dict:
        """A JSON-serialisable form (rounded log-probabilities)."""
        return {
            "emit": {t: {p: round(v, 3) for p, v in tab.items()} for t, tab in self.emit.items()},
            "reverse": self.reverse,
        }

    @classmethod
    def from_json(cls, data: dict) -> Channel:
        """Inverse of `to_json`."""
        return cls(data["emit"], data["reverse"])
