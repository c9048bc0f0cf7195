"""Decode the most likely Vietnamese syllables for diacritic-less or garbled text.

The text is cut into *slots* (one per syllable; `Rịa-Vũng` gives two) and *runs* of
slots between punctuation, numbers and codes — the same cuts `train.word_runs` makes.
Each slot gets candidates: the lexicon syllables with its skeleton (stripped text), or
for OCR garble the channel's candidates plus the raw token.  A beam search over trigram
states picks `LM + weight × channel`; every other character of the input is kept, so the
output has exactly the input's lines, whitespace and tokens.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from pipeline.restore.lexicon import abbreviation
from pipeline.restore.lm import BOS, EOS, NUM, UNK
from pipeline.restore.model import RestoreModel
from pipeline.restore.syllables import (
    apply_case,
    canonical_syllable,
    case_pattern,
    has_marks,
    is_syllable,
    split_token,
)

BEAM = 6
"""States kept per position; wider beams gained nothing measurable on held-out text."""
MAX_CANDIDATES = 8
MAX_STRIPPED = 12
NEAR_SKELETONS = 16
NEAR_SYLLABLES = 4
PRUNE_NATS = 9.0
CHANNEL_WEIGHT = 1.0
RAW_PENALTY = math.log(1e-4)
"""Channel log-probability of keeping a garbled token as it is (names, foreign words)."""

_TOKEN = re.compile(r"\S+")
_PIECE = re.compile(r"[^\W_]+|[\W_]+")
_CODE = re.compile(r"/|\d[-.]\d|^\d+[-/.]|@|://")
_NUMBER = re.compile(r"^\d+(?:[/.,-]\d+)*$")
_ROMAN = re.compile(r"^[IVXLC]+$")
_GARBLE_CORE = re.compile(r"^(?=.*[^\W\d_])(?=.*[^\w\s])[^\s/\-.,;:]{2,10}$")
_GARBLED_ROMAN = re.compile(r"^[IVX][IVXil1]{0,4}$")
_GARBLE_WORD = re.compile(r"^(?=.*[^\W\d_])[^\W_]{1,9}$")


@dataclass
class Slot:
    """One syllable position: where it is, what was read, what to write."""

    line: int
    start: int
    end: int
    read: str
    out: str = ""
    confidence: float = 1.0
    fixed: bool = False
    """Numbers and abbreviations: context for the LM, written back unchanged."""


@dataclass
class Result:
    """Restored text and what changed."""

    text: str
    changed_tokens: int = 0
    slots: int = 0
    confidence: float | None = None
    confidences: list[float] = field(default_factory=list)


def _slots_of_line(line_no: int, line: str, garbled: bool) -> tuple[list[list[Slot]], list[Slot]]:
    """Runs of slots in one line, and abbreviations restored inside codes.

    Text outside slots is never touched.
    """
    runs: list[list[Slot]] = []
    in_codes: list[Slot] = []
    run: list[Slot] = []

    def cut() -> None:
        nonlocal run
        if run:
            runs.append(run)
        run = []

    for match in _TOKEN.finditer(line):
        token, offset = match.group(0), match.start()
        lead, core, trail = split_token(token)
        if _NUMBER.match(core):
            if lead:
                cut()
            start = offset + len(lead)
            run.append(Slot(line_no, start, start + len(core), core, core, fixed=True))
            if trail and trail not in "/-":
                cut()
            continue
        if garbled and _GARBLE_CORE.match(core) and not core.isdigit():
            # OCR noise inside a word (`nhi€êm`, `gà‘in`) belongs to the word.
            if lead:
                cut()
            start = offset + len(lead)
            run.append(Slot(line_no, start, start + len(core), core))
            if trail:
                cut()
            continue
        pieces = list(_PIECE.finditer(token))
        if _CODE.search(token):
            # Document codes, dates, URLs are kept; only a stripped abbreviation inside
            # is restored (`74/NQ-HDND` → `74/NQ-HĐND`).
            cut()
            for piece in pieces:
                abbr = abbreviation(piece.group(0))
                if abbr is not None and abbr != piece.group(0):
                    start = offset + piece.start()
                    in_codes.append(
                        Slot(line_no, start, offset + piece.end(), piece.group(0), abbr, fixed=True)
                    )
            continue
        for k, piece in enumerate(pieces):
            text = piece.group(0)
            start, end = offset + piece.start(), offset + piece.end()
            if not text[0].isalnum():
                # Hyphens inside a word (`Rịa-Vũng`) keep the run; other marks cut it.
                if not (text == "-" and 0 < k < len(pieces) - 1):
                    cut()
                continue
            after = pieces[k + 1].group(0) if k + 1 < len(pieces) else ""
            if text.isdigit():
                run.append(Slot(line_no, start, end, text, text, fixed=True))
            elif garbled and after[:1] == "." and _GARBLED_ROMAN.match(text):
                # `Il.`, `Iii.`: Tesseract reads the I of a heading numeral as l, i or 1.
                cut()
                roman = text.upper().replace("L", "I").replace("1", "I")
                if roman != text:
                    in_codes.append(Slot(line_no, start, end, text, roman, fixed=True))
            elif (_ROMAN.match(text) and after[:1] in (".", ")")) or (
                len(text) == 1 and after[:1] == ")"
            ):
                cut()  # headings `II.` and list markers `a)`
            elif text.isalpha() or (garbled and _GARBLE_WORD.match(text)):
                run.append(Slot(line_no, start, end, text))
            else:
                cut()
    cut()
    return runs, in_codes


class Decoder:
    """Beam search over candidate lattices with a trigram LM and the OCR channel."""

    def __init__(self, model: RestoreModel) -> None:
        """Bind to a loaded model; candidate lists are cached per reading."""
        self.model = model
        self._stripped: dict[str, list[tuple[int, str, float]]] = {}
        self._garbled: dict[str, list[tuple[int, str, float]]] = {}

    # --- candidates ---------------------------------------------------------------------

    def stripped_candidates(self, read: str) -> list[tuple[int, str, float]]:
        """Candidates for a syllable that may only lack its diacritics."""
        cached = self._stripped.get(read)
        if cached is not None:
            return cached
        lower = canonical_syllable(read.lower())
        model = self.model
        if has_marks(lower) and is_syllable(lower):
            # Partly restored input: an accented, valid syllable is taken as written.
            cands = [(model.word_id(lower), lower, 0.0)]
        else:
            ids = model.lexicon.same_skeleton(lower) if lower.isascii() else []
            if ids:
                uni = model.lm.uni
                ids = sorted(ids, key=lambda i: -uni[i])[:MAX_STRIPPED]
                # Syllables far rarer than the commonest reading never win in context.
                floor = uni[ids[0]] - PRUNE_NATS
                ids = [i for i in ids if uni[i] >= floor]
                cands = [(i, model.vocab[i], 0.0) for i in ids]
            else:
                cands = [(model.word_id(lower), lower, 0.0)]
        self._stripped[read] = cands
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
        # Rank near skeletons cheaply (same first letter, same length first) and score
        # only the likeliest few syllables of the best ones: the channel DP is the cost.
        first = {r[:1] for r in readings}
        lengths = {len(r) for r in readings}
        ranked = sorted(
            near, key=lambda k: (k[:1] not in first, min(abs(len(k) - n) for n in lengths), k)
        )
        limit = NEAR_SKELETONS if ids else 2 * NEAR_SKELETONS
        for skel in ranked[:limit]:
            syllables = lexicon.same_skeleton(skel)
            ids.update(sorted(syllables, key=lambda i: -uni[i])[:NEAR_SYLLABLES])
        scored = {i: channel.logp(lower, model.vocab[i]) for i in ids}
        best = sorted(scored, key=lambda i: -(scored[i] + 0.3 * uni[i]))[:MAX_CANDIDATES]
        cands = [(i, model.vocab[i], scored[i]) for i in best]
        own = canonical_syllable(lower)
        if not any(c[1] == own for c in cands):
            known = model.word_id(own) if is_syllable(own) else UNK
            cands.append((known, own, RAW_PENALTY if known == UNK else channel.logp(lower, own)))
        self._garbled[read] = cands
        return cands

    # --- search -------------------------------------------------------------------------

    def decode_run(self, run: list[Slot], garbled: bool) -> None:
        """Fill `out` and `confidence` of each slot of one run."""
        cand_lists = []
        for slot in run:
            if slot.fixed:
                cand_lists.append([(NUM, slot.read, 0.0)])
                continue
            abbr = abbreviation(slot.read) if len(slot.read) > 1 else None
            if abbr is not None:
                slot.fixed = True
                cand_lists.append([(UNK, abbr, 0.0)])
            elif garbled:
                cand_lists.append(self.garbled_candidates(slot.read))
            else:
                cand_lists.append(self.stripped_candidates(slot.read))
        logp = self.model.lm.logp
        weight = CHANNEL_WEIGHT
        # beam: (a, b) -> (score, back-pointer chain as tuple of candidate indices)
        beam: dict[tuple[int, int], tuple[float, tuple[int, ...]]] = {(BOS, BOS): (0.0, ())}
        for cands in cand_lists:
            nxt: dict[tuple[int, int], tuple[float, tuple[int, ...]]] = {}
            for (a, b), (score, path) in beam.items():
                for k, (c, _, ch) in enumerate(cands):
                    s = score + logp(a, b, c) + weight * ch
                    key = (b, c)
                    old = nxt.get(key)
                    if old is None or s > old[0]:
                        nxt[key] = (s, (*path, k))
            if len(nxt) > BEAM:
                nxt = dict(sorted(nxt.items(), key=lambda kv: -kv[1][0])[:BEAM])
            beam = nxt
        (_, _), (_, path) = max(
            beam.items(), key=lambda kv: kv[1][0] + logp(kv[0][0], kv[0][1], EOS)
        )
        chosen = [cands[k] for cands, k in zip(cand_lists, path, strict=True)]
        ids = [BOS, BOS] + [c[0] for c in chosen] + [EOS, EOS]
        for pos, (slot, cands) in enumerate(zip(run, cand_lists, strict=True)):
            slot.out = chosen[pos][1]
            if len(cands) == 1:
                continue
            # Local posterior: each candidate with the decoded neighbours held fixed.
            p2, p1, n1, n2 = ids[pos], ids[pos + 1], ids[pos + 3], ids[pos + 4]
            scores = [
                logp(p2, p1, c) + logp(p1, c, n1) + logp(c, n1, n2) + weight * ch
                for c, _, ch in cands
            ]
            top = max(scores)
            total = sum(math.exp(s - top) for s in scores)
            slot.confidence = math.exp(scores[path[pos]] - top) / total

    def restore(self, text: str, garbled: bool) -> Result:
        """Restore every slot of `text`; all other characters are copied unchanged."""
        lines = text.split("\n")
        all_slots: list[Slot] = []
        fixed: list[Slot] = []
        for n, line in enumerate(lines):
            runs, in_codes = _slots_of_line(n, line, garbled)
            for run in runs:
                self.decode_run(run, garbled)
                all_slots.extend(s for s in run if not s.fixed)
                fixed.extend(s for s in run if s.fixed)
            fixed.extend(in_codes)
        by_line: dict[int, list[Slot]] = {}
        for k, slot in enumerate(all_slots):
            read = slot.read
            if garbled and read.isupper() and len(read) <= 3 and _lower_context(all_slots, k):
                read = read.title()  # OCR capitals mid-sentence: `ctia BO Chinh` → `Bộ`
            slot.out = _recase(read, slot.out)
        for slot in sorted(all_slots + fixed, key=lambda s: (s.line, s.start)):
            by_line.setdefault(slot.line, []).append(slot)
        changed = 0
        for n, slots in by_line.items():
            line = lines[n]
            new = line
            for slot in reversed(slots):
                new = new[: slot.start] + slot.out + new[slot.end :]
            if new != line:
                changed += sum(a != b for a, b in zip(line.split(), new.split(), strict=True))
            lines[n] = new
        confidences = [s.confidence for s in all_slots]
        mean = round(sum(confidences) / len(confidences), 4) if confidences else None
        return Result("\n".join(lines), changed, len(all_slots), mean, confidences)


def _recase(read: str, out: str) -> str:
    if out.isupper() and len(out) > 1:
        return out  # abbreviations are written as the lexicon has them
    pattern = case_pattern(read)
    return canonical_syllable(apply_case(out, pattern))


def _lower_context(slots: list[Slot], k: int) -> bool:
    """True when a neighbour of slot `k` (same line) is lower-case and none is upper-case."""
    sides = [slots[i] for i in (k - 1, k + 1) if 0 <= i < len(slots)]
    sides = [s.read for s in sides if s.line == slots[k].line and s.read[:1].isalpha()]
    return any(r[0].islower() for r in sides) and not any(r.isupper() for r in sides)
