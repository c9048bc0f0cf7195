"""The OCR noisy channel: how Tesseract's English model misreads Vietnamese letters.

`P(read | true)` is modelled letter by letter: each letter of the true syllable is read as
zero, one or two characters (`ư`→`w`, `ổ`→`6`, `ủ`→`ti`, `Đ`→`P`).  The emission table is
learned by hard EM from the (true, read) token pairs of `ocrpairs.py`; unseen emissions get a
floor that depends on whether the letters at least share a base letter.  Candidates for a
garbled token are lexicon syllables whose skeleton is one edit from a de-garbled reading
(`ctia` → `cua`), ranked by this channel.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import Counter, defaultdict
from functools import lru_cache

from pipeline.native import extension
from pipeline.vietnamese import word_skeleton as skeleton

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


_NEG = -1e18
"""Log-probability of an unreachable DP cell (adding a log-probability leaves it as is)."""
_EMPTY: dict[str, float] = {}

Emissions = tuple[float, tuple[float, ...], tuple[float, ...], float]
"""How one true letter may be read at each DP column of a reading (see `_emissions`)."""
_SLACK = 1e-9
"""Bounds are sums in another order than the DP's: prune only clearly below a threshold."""


FAMILY_WEIGHT = 0.1
"""Share of its siblings' rate that an emission a marked vowel never showed in training
gets (`ủ` → `ii`, seen for `ũ`, `ú`, `ữ`): the rendered pairs are too few to show every
letter every misreading, and the marks of one vowel blur alike.  Cát Hải garble: 96.41 %
without, 96.66 % with 0.03 or 0.1, 96.57 % with 0.3; the rendered texts did not move."""


def _families(emit: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Per vowel skeleton, ln(FAMILY_WEIGHT × the mean rate of each piece over its marked
    letters): `u` → the pieces of ú ù ủ ũ ụ ư ứ ừ ử ữ ự."""
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    members: Counter[str] = Counter()
    for t, table in emit.items():
        base = skeleton(t)
        if len(t) != 1 or t == base or base not in _VOWELS:
            continue
        members[base] += 1
        for piece, logp in table.items():
            sums[base][piece] += math.exp(logp)
    return {
        base: {p: math.log(FAMILY_WEIGHT * v / members[base]) for p, v in pieces.items()}
        for base, pieces in sums.items()
    }


class _Pieces(dict[str, float]):
    """ln P(piece | true letter `t`) for every piece met so far, floors included: an
    emission is a dictionary look-up whatever its source."""

    def __init__(self, t: str, table: dict[str, float], family: dict[str, float]) -> None:
        super().__init__()
        self.t, self.table, self.family = t, table, family

    def __missing__(self, piece: str) -> float:
        e = self.table.get(piece)
        if e is None:
            e = _FLOOR_DOUBLE if len(piece) == 2 else _floor(self.t, piece)
            e = max(e, self.family.get(piece, e))  # what its marked siblings were read as
        self[piece] = e
        return e


def _emissions(read: str, pairs: list[str], pieces: _Pieces) -> Emissions:
    """Log-probabilities of a true letter read as nothing, as the one character ending at
    column j of `read` (`one[j]`), as the two characters `pairs[j-2]` ending there
    (`two[j]`), and the best of them all (a bound for branch and bound).

    Computed once per reading and letter, so a DP step is additions only.
    """
    get = pieces.__getitem__
    drop = get("")
    one = (_NEG, *map(get, read))
    two = (_NEG, _NEG, *map(get, pairs))
    return drop, one, two, max(drop, max(one), max(two))


def _step(row: tuple[float, ...], em: Emissions) -> tuple[float, ...]:
    """One DP step: align one more true letter after the alignments in `row`.

    Column j takes the best of the letter dropped, read as `read[j-1]` or as
    `read[j-2:j]`; unreachable cells stay at `_NEG` (it absorbs any log-probability).
    """
    drop, one, two, _ = em
    p2 = p1 = _NEG
    nxt = []
    append = nxt.append
    for r, o, w in zip(row, one, two, strict=True):
        v = r + drop
        x = p1 + o
        if x > v:
            v = x
        x = p2 + w
        if x > v:
            v = x
        append(v)
        p2, p1 = p1, r
    return tuple(nxt)


class _Reading:
    """The DP of one reading: rows by true-string prefix, emissions by true letter.

    Candidates share onsets and vowels (`đang`, `đảng`, `đăng`), so most of their table
    is computed once.  Rows are tuples: the garbage collector stops tracking them, and
    long inputs keep many.
    """

    __slots__ = ("best", "codes", "coded", "flat", "letters", "pairs", "read", "rows", "scores")

    def __init__(self, read: str) -> None:
        self.read = read
        self.pairs = [read[j : j + 2] for j in range(len(read) - 1)]
        self.rows: dict[str, tuple[float, ...]] = {"": (0.0,) + (_NEG,) * len(read)}
        self.scores: dict[str, float] = {}
        self.letters: dict[str, Emissions] = {}
        self.best: dict[str, float] = {}
        """Each letter's best emission anywhere in the reading (`Emissions[3]`)."""
        self.codes = ""
        self.coded: set[str] = set()
        self.flat = array("d")
        """The C core's emission table: the letters in `codes` (also the set `coded`) and
        a row of float64 each, drop, one[0..m], two[0..m], best (see `_emissions`)."""

    def letter(self, t: str, pieces: _Pieces) -> Emissions:
        """The emissions of true letter `t` (computed on first use from its `pieces`)."""
        em = self.letters.get(t)
        if em is None:
            em = self.letters[t] = _emissions(self.read, self.pairs, pieces)
            self.best[t] = em[3]
        return em


class Channel:
    """Letter emission log-probabilities, plus a table of whole-token readings."""

    def __init__(self, emit: dict[str, dict[str, float]], reverse: dict[str, str]) -> None:
        """Wrap `emit[true_letter][read_piece]` and `reverse[read_piece]` → likely letter."""
        self.emit = emit
        self.reverse = reverse
        self._readings: dict[str, _Reading] = {}
        self._rows = 0
        self._pieces: dict[str, _Pieces] = {}
        self._families = _families(emit)

    def _pieces_of(self, t: str) -> _Pieces:
        pieces = self._pieces.get(t)
        if pieces is None:
            base = skeleton(t)
            family = self._families.get(base, _EMPTY) if t != base else _EMPTY
            pieces = self._pieces[t] = _Pieces(t, self.emit.get(t, _EMPTY), family)
        return pieces

    def _reading(self, read: str) -> _Reading:
        table = self._readings.get(read)
        if table is None:
            if self._rows > 300_000:
                self._readings.clear()  # bound the memory of very long inputs
                self._rows = 0
            table = self._readings[read] = _Reading(read)
        return table

    def logp(self, read: str, true: str) -> float:
        """ln P(read | true) for lower-case strings (best single alignment)."""
        table = self._reading(read)
        score = table.scores.get(true)
        if score is None:
            score = self._bounded(table, true)
            assert score is not None
        return score

    def _bounded(
        self, table: _Reading, true: str, floor: float | None = None, bound: float = 0.0
    ) -> float | None:
        """`logp(table.read, true)`, or None once it is sure to be below `floor`.

        `bound` is the sum of the best emissions of the letters of `true`.  Every emission
        log-probability is ≤ 0, so the final score is at most the best cell of a row that
        can still reach the end plus the best emissions of the letters still to align.
        """
        score = table.scores.get(true)
        if score is not None:
            return score
        rows, n = table.rows, len(true)
        k = n
        while true[:k] not in rows:
            k -= 1
        row = rows[true[:k]]
        if k < n:
            m, letters, pieces = len(table.read), table.letters, self._pieces_of
            if floor is not None and k:
                bound -= sum(map(table.best.__getitem__, true[:k]))
            self._rows += n - k
            for i in range(k, n):
                t = true[i]
                em = letters.get(t) or table.letter(t, pieces(t))
                row = rows[true[: i + 1]] = _step(row, em)
                left = n - i - 1
                if floor is not None and left:
                    bound -= em[3]
                    lo = m - 2 * left  # columns the letters left can still reach the end from
                    if max(row[lo:] if lo > 0 else row) + bound < floor:
                        return None
        if floor is not None and row[-1] < floor:
            return None
        score = table.scores[true] = row[-1]
        return score

    def any_above(self, read: str, trues: list[str], floor: float) -> bool:
        """Whether `logp(read, true) >= floor` for any of `trues` (most DPs abandoned early)."""
        lattice = extension("lattice")
        if lattice is not None:
            table = self._reading(read)
            found = self._core_top_k(lattice, table, trues, [0.0] * len(trues), 1, floor)
            if found is not None:
                return bool(found) and found[0][1] >= floor
        return self._python_any_above(read, trues, floor)

    def _python_any_above(self, read: str, trues: list[str], floor: float) -> bool:
        """`any_above` without the C core."""
        table = self._reading(read)
        bounds = self._bounds(table, trues)
        for i in sorted(range(len(trues)), key=bounds.__getitem__, reverse=True):
            if bounds[i] < floor - _SLACK:
                break
            score = self._bounded(table, trues[i], floor - _SLACK, bounds[i])
            if score is not None and score >= floor:
                return True
        return False

    def _bounds(self, table: _Reading, trues: list[str]) -> list[float]:
        """Each true string's bound: the sum of its letters' best emissions."""
        for t in set("".join(trues)).difference(table.best):
            table.letter(t, self._pieces_of(t))
        best = table.best.__getitem__
        return [sum(map(best, true)) for true in trues]

    def top_k(self, read: str, trues: list[str], bonus: list[float], k: int) -> list[int]:
        """Indices of the `k` trues with the highest `logp(read, true) + bonus`, best first
        (ties: the earlier index first) — `sorted(...)[:k]`, by branch and bound.

        Candidates are tried by an optimistic bound (each letter's best emission), and a DP
        is abandoned once it cannot reach the k-th best score so far: most of a large
        candidate pool is never aligned in full.
        """
        lattice = extension("lattice")
        if lattice is not None and k > 0:
            found = self._core_top_k(lattice, self._reading(read), trues, bonus, k, None)
            if found is not None:
                return [i for i, _ in found]
        return self._python_top_k(read, trues, bonus, k)

    def _python_top_k(self, read: str, trues: list[str], bonus: list[float], k: int) -> list[int]:
        """`top_k` without the C core."""
        if k <= 0:
            return []
        table = self._reading(read)
        bounds = self._bounds(table, trues)
        heap: list[tuple[float, int]] = []  # the k best so far as (score, -index), worst first
        keys = [b + p for b, p in zip(bounds, bonus, strict=True)]
        order = sorted(range(len(trues)), key=keys.__getitem__, reverse=True)
        for i in order:
            if len(heap) < k:
                floor = None
            else:
                floor = heap[0][0] - _SLACK - bonus[i]
                if bounds[i] < floor:
                    break
            score = self._bounded(table, trues[i], floor, bounds[i])
            if score is None:
                continue
            item = (score + bonus[i], -i)
            if len(heap) < k:
                heapq.heappush(heap, item)
            elif item > heap[0]:
                heapq.heapreplace(heap, item)
        return [-i for _, i in sorted(heap, reverse=True)]

    def _core_top_k(
        self,
        lattice,
        table: _Reading,
        trues: list[str],
        bonus: list[float],
        k: int,
        floor: float | None,
    ) -> list[tuple[int, float]] | None:
        """`top_k` in the C core (the same DP and bounds), as (index, logp) best first; the
        scores are kept, so `logp` of a candidate found here is a look-up.  None for strings
        too long for the core."""
        new = "".join(set("".join(trues)).difference(table.coded))
        if new:
            read = table.read
            rows = lattice.emission_rows(read, table.pairs, [self._pieces_of(t) for t in new])
            table.flat.frombytes(rows)
            table.codes += new
            table.coded.update(new)
            self._rows += 2 * len(new)  # a letter's row is about two DP rows (`_reading`)
        found = lattice.align_top_k(
            table.codes, table.flat, len(table.read), trues, bonus, k, floor
        )
        for i, score in found or ():
            table.scores[trues[i]] = score
        return found

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
