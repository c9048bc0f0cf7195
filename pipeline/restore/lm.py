"""A syllable trigram language model with interpolated modified Kneser-Ney smoothing.

Training keeps raw trigram counts so `vnplan train-lm --add` can add an archive's text and
re-estimate.  Estimated log-probabilities are stored the way ARPA files store them
(probability of seen n-grams + back-off weight of their context), so scoring an n-gram at
run time is one to three dictionary look-ups on packed integer keys.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np

from pipeline.native import extension

BOS, EOS, UNK, NUM = 0, 1, 2, 3
SPECIALS = ("<s>", "</s>", "<unk>", "<num>")
"""Sentence bounds, unknown words, and numbers/dates (`năm <num>` is strong context)."""
COMMA = ","
"""The comma is an ordinary vocabulary token (not a special): runs go on across it."""
_BITS = 21
_MASK = (1 << _BITS) - 1
MIN_BACKOFF = 0.1


def pack(*ids: int) -> int:
    """Pack 1-3 word ids into one int key (21 bits each)."""
    key = 0
    for i in ids:
        key = (key << _BITS) | i
    return key


def count_trigrams(
    runs: Iterable[list[int]],
    weight: int = 1,
    counts: Counter[int] | None = None,
    boundary: int | None = None,
) -> Counter[int]:
    """Add the padded trigrams of each run of word ids to `counts` (packed keys).

    Runs are padded with `<s> <s>` … `</s>`, or with the word id `boundary` on both sides
    for runs that are no sentences (word-list entries, see `train.ENTRY`).
    """
    counts = Counter() if counts is None else counts
    for run in runs:
        seq = [BOS, BOS, *run, EOS] if boundary is None else [boundary, boundary, *run, boundary]
        for i in range(2, len(seq)):
            counts[(seq[i - 2] << 42) | (seq[i - 1] << 21) | seq[i]] += weight
    return counts


def reversed_counts(counts: Counter[int] | dict[int, int], boundary: int) -> Counter[int]:
    """The trigram counts of the same runs read right to left (`count_trigrams` of each
    run reversed), derived from `counts` alone, so a model with counts (`train-lm --add`)
    needs nothing else to rebuild its backward LM.

    Each trigram is reversed with `<s>` and `</s>` swapped (`<s> a b` → `b a </s>`); the
    two-boundary openings (`<s> <s> a`, `<w> <w> a`) are dropped, and each run's last word,
    which closes it forward (`y z </s>`), opens it backward (`<s> <s> z`).  `boundary` is
    the padding word of runs that are no sentences (`train.ENTRY`).
    """
    swap = {BOS: EOS, EOS: BOS}
    out: Counter[int] = Counter()
    for key, n in counts.items():
        a, b, c = key >> 42, (key >> 21) & _MASK, key & _MASK
        if a == b and a in (BOS, boundary):
            continue
        if c in (EOS, boundary):
            pad = BOS if c == EOS else boundary
            out[(pad << 42) | (pad << 21) | b] += n
        out[(swap.get(c, c) << 42) | (b << 21) | swap.get(a, a)] += n
    return out


class TrigramLM:
    """Backoff tables of an interpolated Kneser-Ney trigram model over word ids."""

    def __init__(
        self,
        vocab_size: int,
        uni: np.ndarray,
        uni_bow: np.ndarray,
        bi: dict[int, float],
        tri: dict[int, float],
        tri_bow: dict[int, float],
        unseen_bow: float = 0.0,
    ) -> None:
        """Wrap estimated tables (natural-log probabilities and back-off weights).

        `unseen_bow` is the back-off weight of a two-word context the corpus never showed.
        """
        self.vocab_size = vocab_size
        self.uni = uni.tolist()
        self.uni_bow = uni_bow.tolist()
        self.bi = bi
        self.tri = tri
        self.tri_bow = tri_bow
        self.unseen_bow = unseen_bow
        self.cache: dict[int, float] = dict(tri)
        """Trigram log-probabilities plus every backed-off one computed so far: the
        decoder's hot loop does one look-up here and calls `logp` only on a miss."""
        self._bigram_rows: dict[tuple[int, tuple[int, ...]], tuple[float, ...]] = {}
        self._compiled: Any = None
        self._arrays: dict[str, np.ndarray] | None = None
        """The tables as loaded (`from_arrays`), until the C core is built from them."""

    def compiled(self) -> Any:
        """The tables in the C core's hash tables (a `_lattice.Lattice`, with `logp` and the
        decoder's `search`), built on first use; None without the C core (see
        `pipeline/native.py`).  `RestoreModel.load` builds them, so that loading pays for
        it, not the first text."""
        lattice = extension("lattice")
        if lattice is None:
            return None
        if self._compiled is None:
            arrays = self._arrays or self.to_arrays(float64=True)
            self._arrays = None
            self._compiled = lattice.Lattice(
                *(arrays[k] for k in ("uni", "uni_bow", "bi_keys", "bi_logp")),
                *(arrays[k] for k in ("tri_keys", "tri_logp", "tribow_keys", "tribow")),
                float(self.unseen_bow),
            )
        return self._compiled

    def logp(self, a: int, b: int, c: int) -> float:
        """ln P(c | a b), backing off to the bigram and unigram tables."""
        key = (a << 42) | (b << 21) | c
        v = self.cache.get(key)
        if v is not None:
            return v
        w = self.bi.get((b << 21) | c)
        if w is None:
            w = self.uni_bow[b] + self.uni[c]
        v = self.tri_bow.get((a << 21) | b, self.unseen_bow) + w
        if len(self.cache) > len(self.tri) + 2_000_000:
            self.cache = dict(self.tri)  # bound the memory of very long inputs
        self.cache[key] = v
        return v

    def logps(self, a: int, b: int, cs: tuple[int, ...]) -> list[float]:
        """`[logp(a, b, c) for c in cs]`: the decoder's hot loop, one context at a time.

        Most of its trigrams are unseen, so the context's back-off weight is looked up once
        and the bigram row is shared by every context ending in `b`.  A context without a
        back-off weight has no trigram either (estimation gives one to every trigram's
        context), so its row is the bigram row alone.
        """
        bigrams = self._bigram_row(b, cs)
        bow = self.tri_bow.get((a << 21) | b)
        if bow is None:
            unseen = self.unseen_bow
            return [unseen + w for w in bigrams]
        get, ab = self.cache.get, (a << 42) | (b << 21)
        out = []
        for c, w in zip(cs, bigrams, strict=True):
            v = get(ab | c)
            out.append(bow + w if v is None else v)
        return out

    def logps_to(self, ctxs: list[int], c: int) -> list[float]:
        """`[logp(x >> 21, x & mask, c) for x in ctxs]`: one word after many packed contexts
        (`a << 21 | b`), looked up as `logps` does; a bigram shared by consecutive contexts
        (same `b`) is looked up once."""
        bows, cache, bi, unseen = self.tri_bow.get, self.cache.get, self.bi.get, self.unseen_bow
        out = []
        last, w = -1, 0.0
        for ctx in ctxs:
            bow = bows(ctx)
            if bow is not None:
                v = cache((ctx << 21) | c)
                if v is not None:
                    out.append(v)
                    continue
            b = ctx & _MASK
            if b != last:
                last, w = b, bi((b << 21) | c)
                if w is None:
                    w = self.uni_bow[b] + self.uni[c]
            out.append((unseen if bow is None else bow) + w)
        return out

    def _bigram_row(self, b: int, cs: tuple[int, ...]) -> tuple[float, ...]:
        """Backed-off bigram log-probabilities ln P(c | b) for each c, memoised (as tuples,
        which the garbage collector stops tracking)."""
        key = (b, cs)
        row = self._bigram_rows.get(key)
        if row is None:
            get, b21, bow, uni = self.bi.get, b << 21, self.uni_bow[b], self.uni
            ws = [get(b21 | c) for c in cs]
            row = tuple(bow + uni[c] if w is None else w for c, w in zip(cs, ws, strict=True))
            if len(self._bigram_rows) > 100_000:
                self._bigram_rows.clear()  # bound the memory of very long inputs
            self._bigram_rows[key] = row
        return row

    # --- estimation -------------------------------------------------------------------

    @classmethod
    def estimate(
        cls,
        vocab_size: int,
        tri_counts: Counter[int] | dict[int, int],
        min_backoff: float = MIN_BACKOFF,
    ) -> TrigramLM:
        """Interpolated modified Kneser-Ney estimate from packed trigram counts.

        `min_backoff` floors the back-off weight of each context: the law codes make some
        contexts look closed (`<num> của` → `bộ`) that are open in plans, so the lower
        orders always keep a say.  A context never seen at all is treated like one seen
        once: it passes D(1) of the mass to the lower order, not all of it, so a rare
        syllable (`ngảnh`) gains nothing from having no statistics after it.  The model is
        then slightly unnormalised, which only matters for perplexity, not for decoding.
        """
        # Modified Kneser-Ney: three discounts per order, estimated from the data.
        ctx2_total: Counter[int] = Counter()  # c(ab·)
        ctx2_mass: Counter[int] = Counter()  # Σ D(c(abc)) over the words after ab
        cont_bi: Counter[int] = Counter()  # N1+(·bc)
        d3 = _discounts(tri_counts.values())
        for key, n in tri_counts.items():
            ab = key >> 21
            ctx2_total[ab] += n
            ctx2_mass[ab] += d3[min(n, 3)]
            cont_bi[key & ((1 << 42) - 1)] += 1
        d2 = _discounts(cont_bi.values())
        ctx1_total: Counter[int] = Counter()  # N1+(·b·)
        ctx1_mass: Counter[int] = Counter()
        cont_uni = np.zeros(vocab_size, dtype=np.float64)  # N1+(·c)
        for bc, n in cont_bi.items():
            b = bc >> 21
            ctx1_total[b] += n
            ctx1_mass[b] += d2[min(n, 3)]
            cont_uni[bc & _MASK] += 1
        total = cont_uni.sum() or 1.0
        eps = 0.02  # mass for syllables the lexicon knows but the corpus never showed
        p1 = (1 - eps) * cont_uni / total + eps / vocab_size
        p1[BOS] = 1e-12
        uni = np.log(p1)
        uni_bow = np.full(vocab_size, math.log(d2[1]), dtype=np.float64)
        gamma1 = {}
        for b, tot in ctx1_total.items():
            gamma1[b] = max(ctx1_mass[b] / tot, min_backoff)
            uni_bow[b] = math.log(gamma1[b])
        bi: dict[int, float] = {}
        for bc, n in cont_bi.items():
            b, c = bc >> 21, bc & _MASK
            p = max(n - d2[min(n, 3)], 0.0) / ctx1_total[b] + gamma1[b] * p1[c]
            bi[bc] = math.log(p)
        tri: dict[int, float] = {}
        tri_bow: dict[int, float] = {}
        for ab, tot in ctx2_total.items():
            tri_bow[ab] = math.log(max(ctx2_mass[ab] / tot, min_backoff))
        for key, n in tri_counts.items():
            ab, bc = key >> 21, key & ((1 << 42) - 1)
            b, c = (key >> 21) & _MASK, key & _MASK
            lower = math.exp(bi[bc]) if bc in bi else gamma1.get(b, 1.0) * p1[c]
            p = max(n - d3[min(n, 3)], 0.0) / ctx2_total[ab] + math.exp(tri_bow[ab]) * lower
            tri[key] = math.log(p)
        return cls(vocab_size, uni, uni_bow, bi, tri, tri_bow, math.log(d3[1]))

    # --- storage ------------------------------------------------------------------------

    def to_arrays(self, float64: bool = False) -> dict[str, np.ndarray]:
        """Arrays for `np.savez` (float32 log-probabilities, int64 keys); with `float64`,
        the exact values the look-up tables hold (for the C core)."""
        real = np.float64 if float64 else np.float32

        def keys(table: dict[int, float]) -> np.ndarray:
            return np.fromiter(table.keys(), dtype=np.int64, count=len(table))

        def values(table: dict[int, float]) -> np.ndarray:
            return np.fromiter(table.values(), dtype=real, count=len(table))

        return {
            "uni": np.asarray(self.uni, dtype=real),
            "uni_bow": np.asarray(self.uni_bow, dtype=real),
            "bi_keys": keys(self.bi),
            "bi_logp": values(self.bi),
            "tri_keys": keys(self.tri),
            "tri_logp": values(self.tri),
            "tribow_keys": keys(self.tri_bow),
            "tribow": values(self.tri_bow),
            "unseen_bow": np.asarray([self.unseen_bow], dtype=real),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], native: bool = True) -> TrigramLM:
        """Rebuild the look-up tables from `to_arrays` output (`native`: keep them for the C
        core's search too, which only the forward LM runs)."""

        def table(keys: str, values: str) -> dict[int, float]:
            return dict(zip(arrays[keys].tolist(), arrays[values].tolist(), strict=True))

        uni = arrays["uni"].astype(np.float64)
        lm = cls(
            len(uni),
            uni,
            arrays["uni_bow"].astype(np.float64),
            table("bi_keys", "bi_logp"),
            table("tri_keys", "tri_logp"),
            table("tribow_keys", "tribow"),
            float(arrays["unseen_bow"][0]) if "unseen_bow" in arrays else 0.0,
        )
        if native and extension("lattice") is not None:
            # Float32 widened to float64: the very values the dictionaries hold.
            lm._arrays = {
                k: np.ascontiguousarray(arrays[k], np.int64 if k.endswith("keys") else np.float64)
                for k in ("uni", "uni_bow", "bi_keys", "bi_logp", "tri_keys", "tri_logp")
                + ("tribow_keys", "tribow")
            }
        return lm


def _discounts(counts: Iterable[int]) -> tuple[float, float, float, float]:
    """Modified Kneser-Ney discounts D(0)=0, D(1), D(2), D(3+) from counts of counts
    (Chen and Goodman's estimates), clipped to a sane range."""
    n = Counter(min(c, 4) for c in counts)
    n1, n2, n3, n4 = (max(n[k], 1) for k in (1, 2, 3, 4))
    y = n1 / (n1 + 2 * n2)
    d1 = 1 - 2 * y * n2 / n1
    d2 = 2 - 3 * y * n3 / n2
    d3 = 3 - 4 * y * n4 / n3
    return (0.0, min(max(d1, 0.1), 0.95), min(max(d2, 0.2), 1.9), min(max(d3, 0.3), 2.9))
