"""Decode the most likely Vietnamese syllables for diacritic-less or garbled text.

The text is cut into *slots* (one per syllable; `Rịa-Vũng` gives two) and *runs* of
slots between punctuation, numbers and codes — the same cuts `train.word_runs` makes
(`slots.py`).
Each slot gets candidates: the lexicon syllables with its skeleton (stripped text), or
for OCR garble the channel's candidates plus the raw token.  A beam search over trigram
states picks `LM + weight × channel`; every other character of the input is kept, so the
output has exactly the input's lines, whitespace and tokens.  The slots of stripped text
it stays unsure of are then rescored by the neural scorer (`neural.py`) and the backward
LM, the same counts read right to left (`_rescore`).
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from pipeline.restore.lexicon import abbreviation, expansion
from pipeline.restore.lm import _BITS, _MASK, BOS, COMMA, EOS, NUM, UNK, TrigramLM
from pipeline.restore.memory import DocumentCache, stroked_markers
from pipeline.restore.model import RestoreModel
from pipeline.restore.neural import BOUNDARY, NeuralScorer, windows
from pipeline.restore.proper_names import name_spellings, place_spellings
from pipeline.restore.slots import Slot, slots_of_line
from pipeline.vietnamese import (
    apply_case,
    canonical_syllable,
    case_pattern,
    has_marks,
    is_syllable,
    word_skeleton,
)

BEAM = 12
"""Trigram states kept per position (8 → 12 gained ~0.5 point on OCR garble)."""
BEAM_STRIPPED = 6
"""… for diacritic-less text, whose lattices are narrower (6, 8 and 12 scored the same)."""
BEAM_DELTA = 7.0
"""Log-probability gap beyond which a state is dropped from the beam (no accuracy cost)."""
MAX_STRIPPED = 18
"""Candidates per diacritic-less syllable (the commonest readings of its skeleton): every
tone of every vowel shape (`nang` → năng … nẵng), so that a spelling rare on its own but
certain in context (`Đà Nẵng`) is not cut off by a unigram tie; `PRUNE_NATS` still drops
the hopeless ones.  A garbled reading that is a clean skeleton keeps them too (`doi`: the
channel's best 14 lacked `dõi`; Cát Hải +1, rendered Hải Phòng +1, same speed)."""
PRUNE_NATS = 9.0
"""Stripped candidates this far below the commonest reading (unigram) are dropped."""
MAX_ACCENTED = 12
"""Spellings per skeleton tried for a Tesseract-vie reading (the commonest ones)."""
MAX_CANDIDATES = 14
"""Channel candidates per garbled token kept for the search."""
PRIOR_WEIGHT = 1.0
"""How much the unigram prior counts when pruning channel candidates before the search."""
NEAR_SKELETONS = 8
"""Skeletons one edit away whose syllables are scored by the channel (twice as many for
a reading that is no known skeleton)."""
NEAR_POOL = 200
"""Cap on the near skeletons ranked by the channel (smaller caps lost accuracy)."""
NEAR_SYLLABLES = 8
"""Commonest syllables taken from each near skeleton."""
FAR_THRESHOLD = -7.0
"""When no candidate scores above this, skeletons two edits away are searched too."""
CHANNEL_WEIGHT = 1.0
"""Weight of the OCR channel against the LM (1 = plain noisy-channel Bayes)."""
CASE_WEIGHT = 0.5
"""Weight of log P(Title or lower case | syllable) for words inside a run."""
RAW_PENALTY = math.log(1e-4)
"""Channel log-probability of keeping a letters-only garbled token as it is (names)."""
OOV_PENALTY = math.log(1e-2)
"""Tesseract-vie reading that the lexicon never saw (`câp`), on top of the accent channel."""
RAW_GARBLE_PENALTY = math.log(1e-7)
"""… and of keeping a token that mixes letters with digits or symbols (`vo1`)."""
NEURAL_UNCERTAIN = 0.8
"""Slots whose local posterior is below this are rescored by the neural scorer
(`neural.py`); above it the LM is sure enough.  The scorer learnt mostly from law codes:
on documents of other topics its pull is less often right, so only the slots the LM
really doubts get it (0.8 against 0.9: held-out lines +2, real plans and texts +54
syllables, 12 of 16 documents better; dev lines −7 of ~52 k; `models/README.md`)."""
NEURAL_WEIGHT = 0.5
"""Weight of the neural scorer's log-probability, added to a rescored slot's channel
score before the run is decoded again (chosen on the dev split: `training.neural`)."""
BACKWARD_UNCERTAIN = 0.98
"""Slots whose local posterior is below this also get the backward LM's opinion
(`Decoder._rescore`): the same counts read right to left back off differently
(`luôn lắng nghe`: forward, `lắng` after `luôn` was never seen and falls to its unigram,
which `làng` beats; backward, `lắng` before `nghe` is seen).  Dev split, errors of 40,032
genre / 51,357 law syllables with the neural scorer, at `BACKWARD_WEIGHT` 2: none 518 /
276; 0.8: 492 / 268; 0.95: 485 / 262; 0.98: 482 / 261; every ambiguous slot: 481 / 259
(and slower).  `models/README.md` has the held-out split's figures."""
BACKWARD_WEIGHT = 2.0
"""Weight of the backward LM's log-probability (relative to the slot's best candidate)
added to the channel score; the forward LM keeps its own weight of 1 in the search.  Dev
split at 0.98: 1.5 484 / 266, 2 482 / 261, 2.5 482 / 263, 3 488 / 265.  The forward LM
itself in that place (its own opinion again, at 2) gives 492 / 266: most of the gain is the
other direction's back-off."""
NEURAL_RELATIVE = True
"""Add what the context changes of the scorer's prior, not its whole log-probability: the
LM has its own prior, and the scorer's comes from the law codes."""

_SCORE = operator.itemgetter(1)
"""The score of a (state, score) beam item."""
_WORD_CAPITALS = frozenset({"Y"})
"""Single capitals that are words (`Sở Y tế`, `ngành Y`); other single capitals are
initials (`Nguyễn Văn A`) or item letters, unknown context to the LM."""


@dataclass
class Result:
    """Restored text and what changed."""

    text: str
    changed_tokens: int = 0
    slots: int = 0
    confidence: float | None = None
    confidences: list[float] = field(default_factory=list)
    garbled: bool = False
    """Decoded as OCR garble (the channel), not as text that only lost its marks."""
    tokens: list[Slot] = field(default_factory=list)
    """Every decoded syllable in text order: its line, its columns in the input (`start`,
    `end`) and in the restored line (`column`), what was read, what was written and its
    confidence (`confidences` in the same order)."""


class Lattice(NamedTuple):
    """One decoded run: candidates per lattice position, the slot each position writes
    (-1: context only), the chosen candidate per position and its confidence."""

    cand_lists: list[list[tuple[int, str, float]]]
    owner: list[int]
    path: tuple[int, ...]
    confidences: list[float]


@dataclass
class Trace:
    """One decoded run's lattice, kept for `explain`."""

    run: list[Slot]
    owner: list[int]
    """The slot of `run` each lattice position writes (-1: context only)."""
    cand_lists: list[list[tuple[int, str, float]]]
    """Per lattice position: (word id, spelling, channel log-probability) candidates."""
    path: tuple[int, ...]
    """The chosen candidate per position."""
    remembered: frozenset[int]
    """Slots (indices into `run`) whose channel scores had the document memory's bonus."""
    rescored: dict[int, str] = field(default_factory=dict)
    """Slots whose channel scores had the second pass's bonus (`Decoder._rescore`), and
    whose opinions it held (`neural scorer`, `backward LM` or both)."""


def _key_of(slot: Slot) -> str | tuple[str, str]:
    """A slot's part of a run's cache key: numbers alike, fixed slots with what they write."""
    if not slot.fixed:
        return slot.read
    return "<num>" if slot.read[:1].isdigit() else (slot.read, slot.out)


class Decoder:
    """Beam search over candidate lattices with a trigram LM and the OCR channel."""

    def __init__(self, model: RestoreModel) -> None:
        """Bind to a loaded model; candidate lists are cached per reading."""
        self.model = model
        self._stripped: dict[tuple[str, float], list[tuple[int, str, float]]] = {}
        self.keep_bonus = 0.0
        """Channel bonus for keeping an unmarked word as written (set per text)."""
        self._garbled: dict[str, list[tuple[int, str, float]]] = {}
        self._accented: dict[str, list[tuple[int, str, float]]] = {}
        self.accents = False
        """Correct Tesseract-vie marks (set per text, see `restore`)."""
        self._priors: dict[str, float] = {}
        self._tops: dict[str, str] = {}
        self._frequent: dict[str, list[int]] = {}
        self._cased: dict[tuple[str, bool], list[tuple[int, str, float]]] = {}
        self._runs: dict[tuple, tuple[tuple[int, ...], list[float]]] = {}
        self._names: dict[tuple[int, int], str] = {}
        """(line, column) → spelling of the name syllables of the text being checked
        (`restore`, marks mode)."""
        vocab = model.vocab
        self.name_skeletons = frozenset(
            word_skeleton(w) for w in vocab if w.isalpha() and not is_syllable(w)
        )
        """Skeletons of the place-name syllables the vocabulary has beyond the spelling
        rules (`dak` of `Đắk`): capitals reading so are words (`slots.kept_as_written`)."""
        self.trace: dict[int, Trace] | None = None
        """When a dict, every decoded run's lattice is kept there by `id(run)` (for
        `explain`); None (the default) keeps nothing."""

    # --- candidates ---------------------------------------------------------------------

    def stripped_candidates(self, read: str) -> list[tuple[int, str, float]]:
        """Candidates for a syllable that may only lack its diacritics."""
        bonus = self.keep_bonus
        cached = self._stripped.get((read, bonus))
        if cached is not None:
            return cached
        lower = canonical_syllable(read.lower())
        model = self.model
        if has_marks(lower) and is_syllable(lower):
            # Partly restored input: an accented, valid syllable is taken as written.
            cands = [(model.word_id(lower), lower, 0.0)]
        else:
            ids = self._by_frequency(lower)[:MAX_STRIPPED] if lower.isascii() else []
            if ids:
                uni = model.lm.uni
                # Syllables far rarer than the commonest reading never win in context.
                floor = uni[ids[0]] - PRUNE_NATS
                ids = [i for i in ids if uni[i] >= floor]
                # In mostly accented text an unmarked word is usually meant as written.
                cands = [
                    (i, model.vocab[i], bonus if model.vocab[i] == lower else 0.0) for i in ids
                ]
            else:
                cands = [(model.word_id(lower), lower, 0.0)]
        self._stripped[(read, bonus)] = cands
        return cands

    def garbled_candidates(self, read: str) -> list[tuple[int, str, float]]:
        """Candidates for an OCR reading, with channel log-probabilities."""
        cached = self._garbled.get(read)
        if cached is not None:
            return cached
        model = self.model
        lower = read.lower()
        channel, lexicon = model.channel, model.lexicon
        readings = channel.readings(lower)
        uni = model.lm.uni
        ids: set[int] = set()
        near: set[str] = set()
        for reading in readings:
            ids.update(lexicon.same_skeleton(reading))
            near.update(lexicon.neighbours(reading, 1))
        near.difference_update(readings)
        # Rank near skeletons by the channel on their commonest syllable (a cheap proxy for
        # all of them) plus its prior, then score the syllables of the best ones.
        for skel in near.difference(self._priors):
            self._skeleton_prior(skel)  # fills `_priors` and `_tops`
        priors, tops = self._priors, self._tops
        # A reading that is itself a known skeleton (`cong`) mostly only lost its marks:
        # search its neighbourhood less widely than an impossible one (`ctia`).
        pool = NEAR_POOL if ids else 2 * NEAR_POOL
        if len(near) > pool:
            near = set(sorted(near, key=priors.__getitem__, reverse=True)[:pool])
        pooled = list(near)
        limit = NEAR_SKELETONS if ids else 2 * NEAR_SKELETONS
        ranked = channel.top_k(
            lower,
            list(map(tops.__getitem__, pooled)),
            [PRIOR_WEIGHT * priors[k] for k in pooled],
            limit,
        )
        for skel in (pooled[k] for k in ranked):
            ids.update(self._by_frequency(skel)[:NEAR_SYLLABLES])
        vocab = model.vocab
        scored = list(ids)
        if len(lower) >= 4 and not channel.any_above(
            lower, [vocab[i] for i in scored], FAR_THRESHOLD
        ):
            # Nothing plausible one edit away (`nudce`): look two edits away.
            for reading in readings:
                for skel in lexicon.neighbours(reading, 2):
                    for i in lexicon.same_skeleton(skel):
                        if i not in ids:
                            ids.add(i)
                            scored.append(i)
        # Only the best candidates' channel scores are needed in full (branch and bound).
        best = channel.top_k(
            lower,
            [vocab[i] for i in scored],
            [PRIOR_WEIGHT * uni[i] for i in scored],
            MAX_CANDIDATES,
        )
        cands = [(scored[k], vocab[scored[k]], channel.logp(lower, vocab[scored[k]])) for k in best]
        if lower.isascii() and lower.isalpha():
            # A reading that is a clean skeleton (`doi`) may only have lost its marks: keep
            # its spellings as stripped text does (`dõi`, rare alone, certain after `theo`).
            chosen = {c[0] for c in cands}
            same = self._by_frequency(lower)[:MAX_STRIPPED]
            floor = uni[same[0]] - PRUNE_NATS if same else 0.0
            cands += [
                (i, vocab[i], channel.logp(lower, vocab[i]))
                for i in same
                if i not in chosen and uni[i] >= floor
            ]
        own = canonical_syllable(lower)
        if not any(c[1] == own for c in cands):
            known = model.word_id(own) if is_syllable(own) else UNK
            if known != UNK:
                penalty = channel.logp(lower, own)
            elif own.isalpha():
                penalty = RAW_PENALTY  # a name or foreign word, perhaps
            else:
                penalty = RAW_GARBLE_PENALTY  # `vo1`, `7kh6i`: surely not meant as read
            cands.append((known, own, penalty))
        self._garbled[read] = cands
        return cands

    def _by_frequency(self, skel: str) -> list[int]:
        """The syllables with this skeleton, commonest first (ties in lexicon order;
        memoised): every candidate list takes the head of it."""
        found = self._frequent.get(skel)
        if found is None:
            ids = self.model.lexicon.same_skeleton(skel)
            if not ids:
                return []
            uni = self.model.lm.uni
            found = self._frequent[skel] = sorted(ids, key=lambda i: -uni[i])
        return found

    def _skeleton_top(self, skel: str) -> str:
        """The commonest syllable with this skeleton (`dang` → `đang`)."""
        if skel not in self._tops:
            self._skeleton_prior(skel)
        return self._tops[skel]

    def _skeleton_prior(self, skel: str) -> float:
        """Unigram log-probability of the commonest syllable with this skeleton (noting the
        syllable for `_skeleton_top`)."""
        prior = self._priors.get(skel)
        if prior is None:
            ids = self._by_frequency(skel)
            top = ids[0] if ids else None
            prior = self._priors[skel] = self.model.lm.uni[top] if top is not None else -99.0
            self._tops[skel] = self.model.vocab[top] if top is not None else skel
        return prior

    def _with_case(
        self, read: str, cands: list[tuple[int, str, float]], garbled: bool
    ) -> list[tuple[int, str, float]]:
        """Add log P(case | syllable) for a word inside a sentence (`Dang` → `Đảng`)."""
        if read.islower():
            table = self.model.case_lower
        elif read[0].isupper() and (len(read) == 1 or read[1:].islower()):
            table = self.model.case_title
        else:
            return cands
        key = (read, garbled)
        cached = self._cased.get(key)
        if cached is None:
            cached = [(i, w, ch + CASE_WEIGHT * table[i]) for i, w, ch in cands]
            self._cased[key] = cached
        return cached

    def accent_candidates(self, read: str) -> list[tuple[int, str, float]]:
        """Candidates for a syllable read by Tesseract-vie, whose letters are right but
        whose marks may not be (`phô` → phố, `Đòng` → Đồng): the spellings with its
        skeleton, scored by the accent channel, which makes keeping the reading cheap."""
        cached = self._accented.get(read)
        if cached is not None:
            return cached
        model, accents = self.model, self.model.accents
        lower = canonical_syllable(read.lower())
        ids = self._by_frequency(word_skeleton(lower))[:MAX_ACCENTED] if accents is not None else []
        if not ids:
            cands = [(model.word_id(lower), lower, 0.0)]
        else:
            cands = [(i, model.vocab[i], accents.logp(lower, model.vocab[i])) for i in ids]
            if is_syllable(lower) and all(w != lower for _, w, _ in cands):
                # A spelling the lexicon never saw (`câp`) is likelier a misread mark than a
                # word: as `<unk>` the LM would score it like any name.
                cands.append((UNK, lower, accents.logp(lower, lower) + OOV_PENALTY))
        self._accented[read] = cands
        return cands

    def _context_ids(self, read: str) -> tuple[int, ...]:
        """LM ids of a fixed slot: `<num>`, the comma, what an abbreviation stands for
        (`UBND` → ủy ban nhân dân), `Y` as the syllable `y` (`Sở Y tế`), else `<unk>`."""
        if read[:1].isdigit():
            return (NUM,)
        index = self.model.index
        if read == COMMA:
            return (index.get(COMMA, UNK),)
        if read in _WORD_CAPITALS:
            return (index.get(read.lower(), UNK),)
        abbr = abbreviation(read)
        words = expansion(abbr) if abbr is not None else ()
        return tuple(index.get(w, UNK) for w in words) or (UNK,)

    # --- search -------------------------------------------------------------------------

    def decode_run(
        self,
        run: list[Slot],
        garbled: bool,
        bonuses: dict[int, dict[str, float]] | None = None,
        rescored: dict[int, str] | None = None,
        remembered: frozenset[int] | None = None,
    ) -> Lattice:
        """Fill `out` and `confidence` of each slot of one run; return its lattice (for
        the second pass, `_rescore`).

        `bonuses` (slot index → word → log-odds) favours what the document chose elsewhere
        (`memory.DocumentCache`) or what the second pass's opinions prefer; runs with
        bonuses are not memoised.  `rescored` (slot index → whose opinions) and
        `remembered` (default: every slot with a bonus) say which the bonuses hold, for
        `explain`.
        """
        cand_lists: list[list[tuple[int, str, float]]] = []
        owner: list[int] = []  # the slot each lattice position writes (-1: context only)
        for n, slot in enumerate(run):
            if not slot.fixed:
                abbr = abbreviation(slot.read) if len(slot.read) > 1 else None
                if abbr is not None:
                    slot.fixed, slot.out = True, abbr
            if slot.fixed:
                ids = self._context_ids(slot.read)
                for i in ids[:-1]:
                    cand_lists.append([(i, "", 0.0)])
                    owner.append(-1)
                cand_lists.append([(ids[-1], slot.out, 0.0)])
                owner.append(n)
                continue
            if (slot.line, slot.start) in self._names:
                name = self._names[slot.line, slot.start].lower()
                cands = [(self.model.word_id(name), name, 0.0)]
            elif garbled:
                cands = self.garbled_candidates(slot.read)
            elif self.accents:
                cands = self.accent_candidates(slot.read)
            else:
                cands = self.stripped_candidates(slot.read)
            if len(cands) > 1 and n > 0:
                cands = self._with_case(slot.read, cands, garbled)
            if bonuses and n in bonuses:
                extra = bonuses[n]
                cands = [(i, w, ch + extra.get(w, 0.0)) for i, w, ch in cands]
            cand_lists.append(cands)
            owner.append(n)
        key = (
            garbled,
            self.accents,
            self.keep_bonus,
            # A fixed slot is keyed apart from the same word decoded (`(DANG)`, an acronym
            # kept, against `DANG`): their candidate lists differ, so must their paths.
            *(_key_of(s) for s in run),
            *(
                (n, self._names[s.line, s.start])
                for n, s in enumerate(run)
                if (s.line, s.start) in self._names
            ),
        )
        cached = None if bonuses else self._runs.get(key)
        if cached is None:
            cached = self._search(cand_lists, BEAM if garbled else BEAM_STRIPPED)
            if len(self._runs) > 50_000:
                self._runs.clear()
            if not bonuses:
                self._runs[key] = cached
        path, confidences = cached
        if self.trace is not None:
            if remembered is None:
                remembered = frozenset(bonuses or ())
            self.trace[id(run)] = Trace(
                run, owner, cand_lists, path, remembered, dict(rescored or {})
            )
        for n, cands, k, conf in zip(owner, cand_lists, path, confidences, strict=True):
            if n >= 0:
                run[n].out = cands[k][1]
                run[n].confidence = conf
        return Lattice(cand_lists, owner, path, confidences)

    def _search(
        self, cand_lists: list[list[tuple[int, str, float]]], width: int
    ) -> tuple[tuple[int, ...], list[float]]:
        """Beam search; the chosen candidate index and its local posterior per slot.

        In the C core when it is built (`pipeline/native.py`), which returns what
        `_search_python` returns, several times faster.
        """
        core = self.model.lm.compiled()
        if core is None:
            return self._search_python(cand_lists, width)
        return core.search(
            [[c for c, _, _ in cands] for cands in cand_lists],
            [[CHANNEL_WEIGHT * ch for _, _, ch in cands] for cands in cand_lists],
            width,
            BEAM_DELTA,
        )

    def _search_python(
        self, cand_lists: list[list[tuple[int, str, float]]], width: int
    ) -> tuple[tuple[int, ...], list[float]]:
        """Beam search in Python; the chosen candidate index and its local posterior.

        A state (a, b) is packed as `a << 21 | b`, the LM's own key layout: the next state
        is a bit operation, not a tuple, and each state's LM scores come in one call.
        """
        logps = self.model.lm.logps
        # beam: state -> score; back[t]: state -> (previous state, candidate index);
        # rows[t]: state -> its LM scores of the candidates at t (reused for confidences)
        beam: dict[int, float] = {(BOS << _BITS) | BOS: 0.0}
        back: list[dict[int, tuple[int, int]]] = []
        rows: list[dict[int, list[float]]] = []
        for cands in cand_lists:
            cids = tuple([c for c, _, _ in cands])
            chans = [CHANNEL_WEIGHT * ch for _, _, ch in cands]
            ks = range(len(cids))
            nxt: dict[int, float] = {}
            ptr: dict[int, tuple[int, int]] = {}
            seen: dict[int, list[float]] = {}
            get = nxt.get
            for state, score in beam.items():
                b = state & _MASK
                b21 = b << _BITS
                lps = seen[state] = logps(state >> _BITS, b, cids)
                for k in ks:
                    s = score + lps[k] + chans[k]
                    key = b21 | cids[k]
                    old = get(key)
                    if old is None or s > old:
                        nxt[key] = s
                        ptr[key] = (state, k)
            if len(nxt) > width:
                # Stable on ties, as `heapq.nlargest` is, and faster for a few dozen states.
                nxt = dict(sorted(nxt.items(), key=_SCORE, reverse=True)[:width])
            if len(nxt) > 1:
                # States far behind the best one never recover: drop them early.
                floor = max(nxt.values()) - BEAM_DELTA
                nxt = {st: sc for st, sc in nxt.items() if sc >= floor}
            beam = nxt
            back.append(ptr)
            rows.append(seen)
        logp = self.model.lm.logp
        state = max(beam, key=lambda st: beam[st] + logp(st >> _BITS, st & _MASK, EOS))
        picks = []
        for ptr in reversed(back):
            state, k = ptr[state]
            picks.append(k)
        path = tuple(reversed(picks))
        return path, self._confidences(cand_lists, path, rows)

    def _confidences(
        self,
        cand_lists: list[list[tuple[int, str, float]]],
        path: tuple[int, ...],
        rows: list[dict[int, list[float]]],
    ) -> list[float]:
        """Local posterior of each pick: its candidates with the decoded neighbours fixed.

        Each candidate needs three trigrams; `rows` (the search's LM scores per position
        and state) has most of them already.
        """
        ids = [BOS, BOS] + [cands[k][0] for cands, k in zip(cand_lists, path, strict=True)]
        ids += [EOS, EOS]
        picks = [*path, -1, -1]
        rows = [*rows, {}, {}]
        confidences = []
        for pos, cands in enumerate(cand_lists):
            if len(cands) == 1:
                confidences.append(1.0)
                continue
            p2, p1, n1, n2 = ids[pos], ids[pos + 1], ids[pos + 3], ids[pos + 4]
            firsts = rows[pos][(p2 << _BITS) | p1]  # the decoded path's own state
            seconds = self._after(
                [(p1 << _BITS) | c for c, _, _ in cands], n1, rows[pos + 1], picks[pos + 1]
            )
            thirds = self._after(
                [(c << _BITS) | n1 for c, _, _ in cands], n2, rows[pos + 2], picks[pos + 2]
            )
            scores = [
                first + second + third + CHANNEL_WEIGHT * ch
                for (_, _, ch), first, second, third in zip(
                    cands, firsts, seconds, thirds, strict=True
                )
            ]
            top = max(scores)
            total = sum(math.exp(s - top) for s in scores)
            confidences.append(math.exp(scores[path[pos]] - top) / total)
        return confidences

    def _after(
        self, states: list[int], c: int, rows: dict[int, list[float]], k: int
    ) -> list[float]:
        """ln P(c | state) for each state: from the search's `rows` (c is candidate `k`
        there) where it kept the state, else from the LM."""
        missing = [st for st in states if st not in rows]
        computed = iter(self.model.lm.logps_to(missing, c))
        return [rows[st][k] if st in rows else next(computed) for st in states]

    def restore(
        self,
        text: str,
        garbled: bool,
        keep_bonus: float = 0.0,
        accents: bool = False,
        memory: bool = True,
        neural: bool = True,
    ) -> Result:
        """Restore every slot of `text`; all other characters are copied unchanged.

        `keep_bonus` (log scale) favours unmarked words as written: for text that is mostly
        accented already, where an unmarked `do`, `qua` is far likelier meant than stripped.
        `accents` corrects the marks of Tesseract-vie output instead (`accent_candidates`).
        `memory` lets the document's confident decisions inform its uncertain ones
        (`memory.DocumentCache`); off, every run is decoded on its own.  `neural` lets the
        model's neural scorer and backward LM, when it has them, rescore the uncertain
        slots (`_rescore`).
        """
        self.keep_bonus = keep_bonus
        if self.accents != (accents and not garbled):
            self._cased.clear()  # case-scored lists are cached per reading, not per mode
        self.accents = accents and not garbled
        lines = text.split("\n")
        # Names keep the marks Tesseract read, a place misread in its marks takes the
        # gazetteer's, a place without marks the spelling of the document's province
        # (`proper_names`): the LM knows few names.
        if self.accents:
            self._names = {
                (n, start): spelling
                for n, line in enumerate(lines)
                for start, spelling in name_spellings(line).items()
            }
        else:
            self._names = place_spellings(lines)
        fixed: list[Slot] = []
        runs = self._runs_of(lines, garbled, fixed)
        lattices = [self.decode_run(run, garbled) for run in runs]
        remembered: dict[int, dict[int, dict[str, float]]] = {}
        if memory and not self.accents:
            remembered = self._remember(runs, lattices, garbled)
        second = neural and not self.accents and not garbled
        scorer = self.model.neural if second else None
        backward = self.model.backward if second else None
        if scorer is not None or backward is not None:
            self._rescore(runs, lattices, garbled, scorer, backward, remembered)
        all_slots: list[Slot] = []
        for run in runs:
            all_slots.extend(s for s in run if not s.fixed)
            fixed.extend(s for s in run if s.fixed)
        if not self.accents:
            for n, col in stroked_markers(lines):
                letter = lines[n][col]
                fixed.append(
                    Slot(n, col, col + 1, letter, "Đ" if letter == "D" else "đ", fixed=True)
                )
        _recase_slots(all_slots, garbled)
        changed = _write_lines(lines, all_slots + fixed)
        confidences = [s.confidence for s in all_slots]
        mean = round(sum(confidences) / len(confidences), 4) if confidences else None
        return Result(
            "\n".join(lines), changed, len(all_slots), mean, confidences, garbled, all_slots
        )

    def _runs_of(self, lines: list[str], garbled: bool, fixed: list[Slot]) -> list[list[Slot]]:
        """The runs of every line, a sentence wrapped over lines (`thành` / `phố`) joined
        into one run; the fixed slots inside codes are added to `fixed`."""
        commas = COMMA in self.model.index  # models before the comma token cut at commas
        pending: list[Slot] = []  # a run open at the end of the previous line
        runs_all: list[list[Slot]] = []
        for n, line in enumerate(lines):
            runs, in_codes = slots_of_line(n, line, garbled, commas, self.name_skeletons)
            fixed.extend(in_codes)
            if pending and runs and runs[0][0].start == len(line) - len(line.lstrip()):
                runs[0] = pending + runs[0]
            elif pending:
                runs_all.append(pending)
            pending = []
            if runs and not line[runs[-1][-1].end :].strip():
                pending = runs.pop()
            runs_all.extend(runs)
        if pending:
            runs_all.append(pending)
        return runs_all

    def _remember(
        self, runs: list[list[Slot]], lattices: list[Lattice], garbled: bool
    ) -> dict[int, dict[int, dict[str, float]]]:
        """Second pass: what the document decided with certainty informs its uncertain
        slots (`memory.DocumentCache`); only runs the memory has something for, whose
        `lattices` are replaced.  Returns the bonuses given, per run index."""
        cache = DocumentCache(garbled)
        cache.learn(runs)
        given = {}
        for r, run in enumerate(runs):
            bonuses = cache.bonuses(run)
            if bonuses:
                lattices[r] = self.decode_run(run, garbled, bonuses)
                given[r] = bonuses
        return given

    def _rescore(
        self,
        runs: list[list[Slot]],
        lattices: list[Lattice],
        garbled: bool,
        scorer: NeuralScorer | None,
        backward: TrigramLM | None,
        remembered: dict[int, dict[int, dict[str, float]]],
    ) -> None:
        """Last pass: second opinions on the uncertain slots, added to their channel scores
        before their run is decoded again.  A slot less sure than `NEURAL_UNCERTAIN` gets
        the neural scorer's log-probabilities of its candidates (× `NEURAL_WEIGHT`), one
        less sure than `BACKWARD_UNCERTAIN` the backward LM's (`_backward_scores`, ×
        `BACKWARD_WEIGHT`).  A run is decoded again only where the opinions prefer another
        candidate in some slot (else they would only confirm the path).  Syllables inside a
        name are left to the LM (`_inside_name`).  The scorer reads the decoded words of
        the whole text, run after run, as its context."""
        second = [
            (name, below, source)
            for name, below, source in (
                ("neural scorer", NEURAL_UNCERTAIN, scorer),
                ("backward LM", BACKWARD_UNCERTAIN, backward),
            )
            if source is not None
        ]
        threshold = max(below for _, below, _ in second)
        stream: list[int] = []
        positions: list[int] = []
        where: list[tuple[int, int, int, int, float]] = []  # run, slot, choice, position, conf
        for r, (cand_lists, owner, path, confidences) in enumerate(lattices):
            run = runs[r]
            for p, (cands, n, k, conf) in enumerate(
                zip(cand_lists, owner, path, confidences, strict=True)
            ):
                if n >= 0 and len(cands) > 1 and conf < threshold and not _inside_name(run, n):
                    positions.append(len(stream))
                    where.append((r, n, k, p, conf))
                stream.append(cands[k][0])
            stream.append(BOUNDARY)
        if not positions:
            return
        opinions = [np.zeros(len(lattices[r].cand_lists[p])) for r, _, _, p, _ in where]
        neural_at = [i for i, w in enumerate(where) if w[4] < NEURAL_UNCERTAIN]
        if scorer is not None and neural_at:
            to_scorer = scorer.mapping(self.model.vocab)
            at = np.asarray([positions[i] for i in neural_at], np.int64)
            contexts = to_scorer[windows(np.asarray(stream, np.int32), at)]
            ids = [
                to_scorer[[c for c, _, _ in lattices[where[i][0]].cand_lists[where[i][3]]]]
                for i in neural_at
            ]
            for i, logps in zip(
                neural_at, scorer.log_probs(contexts, ids, NEURAL_RELATIVE), strict=True
            ):
                opinions[i] += NEURAL_WEIGHT * logps
        if backward is not None:
            read_back: dict[int, list[int]] = {}  # each run's decoded ids, right to left
            for i, (r, _, _, p, conf) in enumerate(where):
                if conf < BACKWARD_UNCERTAIN:
                    if r not in read_back:
                        read_back[r] = _read_backward(lattices[r])
                    cands = lattices[r].cand_lists[p]
                    opinions[i] += BACKWARD_WEIGHT * _backward_scores(
                        backward, read_back[r], cands, p
                    )
        by_run: dict[int, dict[int, dict[str, float]]] = {}
        heard: dict[int, dict[int, str]] = {}
        changing: set[int] = set()
        for (r, n, k, p, conf), opinion in zip(where, opinions, strict=True):
            heard.setdefault(r, {})[n] = " + ".join(
                name for name, below, _ in second if conf < below
            )
            if int(opinion.argmax()) != k:
                changing.add(r)
            extra = dict(remembered.get(r, {}).get(n, {}))
            for (_, w, _), lp in zip(lattices[r].cand_lists[p], opinion.tolist(), strict=True):
                extra[w] = extra.get(w, 0.0) + lp
            by_run.setdefault(r, {})[n] = extra
        for r, bonuses in by_run.items():
            if r not in changing:
                continue
            run = runs[r]
            before = {n: run[n].confidence for n in bonuses}
            for n, extra in remembered.get(r, {}).items():
                bonuses.setdefault(n, extra)
            memory = frozenset(remembered.get(r, {}))
            self.decode_run(run, garbled, bonuses, heard[r], memory)
            for n, confidence in before.items():
                # The second opinions may change a choice, not make the token look surer
                # than the LM found it: unsure tokens stay listed for review (`LOW_CONFIDENCE`).
                run[n].confidence = min(confidence, run[n].confidence)


def _read_backward(lattice: Lattice) -> list[int]:
    """A decoded run's word ids right to left, padded as the backward LM counted runs."""
    ids = [cands[k][0] for cands, k in zip(lattice.cand_lists, lattice.path, strict=True)]
    return [BOS, BOS, *reversed(ids), EOS]


def _backward_scores(
    backward: TrigramLM, seq: list[int], cands: list[tuple[int, str, float]], p: int
) -> np.ndarray:
    """The backward LM's log-probability of the run read right to left (`seq`, from
    `_read_backward`) with each of `cands` at lattice position `p`, the other positions as
    decoded, relative to the best candidate (only the three trigrams that hold `p` differ).
    `seq` is left as it was given."""
    at = len(seq) - 2 - p
    ends = range(at, min(at + 3, len(seq)))
    decoded = seq[at]
    scores = []
    for c, _, _ in cands:
        seq[at] = c
        scores.append(sum(backward.logp(seq[j - 2], seq[j - 1], seq[j]) for j in ends))
    seq[at] = decoded
    out = np.asarray(scores)
    return out - out.max()


def _inside_name(run: list[Slot], n: int) -> bool:
    """Whether slot `n` is a Title-case syllable right after another capitalised one of
    its run: inside a name (`Sơn La`, `Cam Đường`, `Vũ Việt Linh`), where the neural
    scorer, which reads no case and learnt from law codes, would pull the name towards
    common words (`Sơn Là`, `Việt Lĩnh`); there the LM's name bigrams decide."""
    read = run[n].read
    return n > 0 and read[:1].isupper() and read[1:].islower() and run[n - 1].read[:1].isupper()


def _recase_slots(slots: list[Slot], garbled: bool) -> None:
    """Give each decoded slot the case of what was read; a word left as it was keeps the
    document's own spelling (its tone placement: `Uỷ`)."""
    for k, slot in enumerate(slots):
        read = slot.read
        if garbled and read.isupper() and len(read) <= 3 and _lower_context(slots, k):
            read = read.title()  # OCR capitals mid-sentence: `ctia BO Chinh` → `Bộ`
        if slot.out == canonical_syllable(slot.read.lower()):
            slot.out = slot.read
        else:
            slot.out = _recase(read, slot.out)


def _write_lines(lines: list[str], slots: list[Slot]) -> int:
    """Write every slot's `out` into `lines` (in place), noting each slot's `column` in
    its restored line; returns how many tokens changed."""
    by_line: dict[int, list[Slot]] = {}
    for slot in sorted(slots, key=lambda s: (s.line, s.start)):
        by_line.setdefault(slot.line, []).append(slot)
    changed = 0
    for n, on_line in by_line.items():
        shift = 0
        for slot in on_line:
            slot.column = slot.start + shift
            shift += len(slot.out) - (slot.end - slot.start)
        line = lines[n]
        new = line
        for slot in reversed(on_line):
            new = new[: slot.start] + slot.out + new[slot.end :]
        if new != line:
            changed += sum(a != b for a, b in zip(line.split(), new.split(), strict=True))
        lines[n] = new
    return changed


@lru_cache(maxsize=1 << 16)
def _recase(read: str, out: str) -> str:
    """`out` cased like `read` (memoised: a document repeats its words)."""
    if out.isupper() and len(out) > 1:
        return out  # abbreviations are written as the lexicon has them
    pattern = case_pattern(read)
    return canonical_syllable(apply_case(out, pattern))


def _lower_context(slots: list[Slot], k: int) -> bool:
    """True when a neighbour of slot `k` (same line) is lower-case and none is upper-case."""
    sides = [slots[i] for i in (k - 1, k + 1) if 0 <= i < len(slots)]
    sides = [s.read for s in sides if s.line == slots[k].line and s.read[:1].isalpha()]
    return any(r[0].islower() for r in sides) and not any(r.isupper() for r in sides)
