"""Why a word came out as it did: low-confidence tokens and per-token alternatives.

`low_confidence(result)` lists the restored tokens the model was unsure of (the review
page's list, `Page.low_confidence_tokens`); `explain(text)` gives, per changed token, the
candidates it was chosen from and their scores; `explain_text(text)` is what
`vnplan restore --explain` prints.

A token's confidence is its local posterior: the candidates of its slot scored with the
decoded neighbours held fixed (three trigrams each, plus the channel), normalised.  On the
held-out split and the real plans (stripped) it is calibrated within ~3 points per band:
tokens at 0.5-0.7 were right 71 % of the time, 0.7-0.8 81 %, 0.8-0.9 88 %, 0.9-0.95 93 %,
0.95-0.99 97 %, above 0.99 99.9 % (`benchmarks/bench_restore.py` prints the split at
`LOW_CONFIDENCE`), so it is used as it is, without rescaling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from pipeline.restore.decoder import CHANNEL_WEIGHT, Decoder, Result, Slot, Trace
from pipeline.restore.lm import BOS, EOS
from pipeline.restore.model import RestoreModel, get_model

LOW_CONFIDENCE = 0.8
"""Tokens below this confidence are listed for review.  On the dev sample (Hải Phòng,
stripped) and the held-out split, 2 % of the tokens fall below it and hold about 60 % of
the errors; tokens above it are 99.7 % right."""
ALTERNATIVES = 4
"""Candidates shown per explained token (the chosen one included)."""


@dataclass
class Alternative:
    """One candidate of a slot and how it scored."""

    word: str
    posterior: float
    """Share of the slot's probability with the decoded neighbours fixed."""
    lm: float
    """ln P of the three trigrams that contain the word."""
    channel: float
    """ln P(reading | word): the OCR channel, the skeleton prior or the keep bonus, plus
    the document memory's and the second pass's bonuses where they applied."""


@dataclass
class Explanation:
    """A changed token, where it is, and the candidates it was chosen from."""

    line: int
    column: int
    read: str
    written: str
    confidence: float
    remembered: bool = False
    """The document memory's bonus took part (a confident use elsewhere in the text)."""
    rescored: str = ""
    """Whose second opinions took part (`neural scorer`, `backward LM`, or both joined by
    ` + `; empty: none); `confidence` is then the lower of the LM's alone and the rescored
    one, so it may be below the chosen alternative's posterior."""
    alternatives: list[Alternative] = field(default_factory=list)


def low_confidence(result: Result, threshold: float = LOW_CONFIDENCE) -> list[Slot]:
    """The restored tokens of `result` whose confidence is below `threshold`."""
    return [t for t in result.tokens if t.confidence < threshold]


def explain(
    text: str, mode: str = "always", model: RestoreModel | None = None
) -> tuple[Result, list[Explanation]]:
    """Restore `text` (`mode` as in `restore_text`) and explain every changed token."""
    from pipeline.restore import correct_accents, restore_result

    model = model or get_model()
    decoder = Decoder(model)  # a private decoder: tracing must not touch the shared one
    decoder.trace = {}
    if mode == "marks":
        result = correct_accents(text, model, decoder=decoder)
    else:
        result = restore_result(text, model, decoder=decoder)
    explanations = []
    for trace in decoder.trace.values():
        for pos, n in enumerate(trace.owner):
            slot = trace.run[n] if n >= 0 else None
            if slot is None or slot.fixed or slot.out == slot.read:
                continue
            explanations.append(
                Explanation(
                    slot.line,
                    slot.column,
                    slot.read,
                    slot.out,
                    slot.confidence,
                    n in trace.remembered,
                    trace.rescored.get(n, ""),
                    _alternatives(model, trace, pos),
                )
            )
    explanations.sort(key=lambda e: (e.line, e.column))
    return result, explanations


def _alternatives(model: RestoreModel, trace: Trace, pos: int) -> list[Alternative]:
    """Every candidate at lattice position `pos`, scored like `Decoder._confidences`."""
    ids = [BOS, BOS] + [c[k][0] for c, k in zip(trace.cand_lists, trace.path, strict=True)]
    ids += [EOS, EOS]
    logp = model.lm.logp
    p2, p1, n1, n2 = ids[pos], ids[pos + 1], ids[pos + 3], ids[pos + 4]
    scored = []
    for wid, word, channel in trace.cand_lists[pos]:
        lm = logp(p2, p1, wid) + logp(p1, wid, n1) + logp(wid, n1, n2)
        scored.append((word, lm, channel, lm + CHANNEL_WEIGHT * channel))
    top = max(s for *_, s in scored)
    total = sum(math.exp(s - top) for *_, s in scored)
    out = [Alternative(w, math.exp(s - top) / total, lm, ch) for w, lm, ch, s in scored]
    out.sort(key=lambda a: -a.posterior)
    return out[:ALTERNATIVES]


def explain_text(text: str, mode: str = "always", model: RestoreModel | None = None) -> str:
    """What `vnplan restore --explain` prints: one line per changed token.

    Example:
        >>> print(explain_text("Chi thi so 41-CT/TW"))  # doctest: +SKIP
        1:1 Chi → Chỉ 0.92 (chỉ 0.92 lm -9.1 ch 0.0 | chi 0.07 lm -11.7 ch 0.0 | ...)
    """
    _, explanations = explain(text, mode, model)
    lines = []
    for e in explanations:
        alts = " | ".join(
            f"{a.word} {a.posterior:.2f} lm {a.lm:.1f} ch {a.channel:.1f}" for a in e.alternatives
        )
        memo = " [document memory]" if e.remembered else ""
        memo += f" [{e.rescored}]" if e.rescored else ""
        lines.append(
            f"{e.line + 1}:{e.column + 1} {e.read} → {e.written} {e.confidence:.2f}{memo} ({alts})"
        )
    return "\n".join(lines) + ("\n" if lines else "")
