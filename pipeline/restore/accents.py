"""The accent channel: how Tesseract's Vietnamese model misreads a syllable's marks.

With the `vie` model the letters are nearly always right but a mark may be lost or swapped
on a small or blurred glyph: `thẩm` → `thấm`, `phố` → `phô`, `Đồng` → `Đòng`, `cấp` → `câp`.
`P(read | true)` for two spellings of one skeleton is modelled as a tone confusion (6 × 6)
times whether the vowel's shape marks (circumflex, breve, horn) and the `đ` stroke survived.
It is learned from (true, read) pairs that `ocrpairs.py --lang vie` makes by rendering
training text and reading it back with `tesseract -l vie`.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter

from pipeline.vietnamese import TONES, skeleton

_SMOOTHING = 0.5


def _parts(syllable: str) -> tuple[int, str, bool]:
    """(tone index 0-5, the syllable without its tone, has `đ`) of a lower-case syllable."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = 0
    for ch in decomposed:
        k = TONES.find(ch)
        if k >= 0:
            tone = k + 1
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in TONES))
    return tone, bare.replace("đ", "d"), "đ" in syllable


class AccentChannel:
    """log P(read marks | true marks) for spellings that share a skeleton."""

    def __init__(
        self, tone: list[list[float]], shape: tuple[float, float], stroke: tuple[float, float]
    ) -> None:
        """`tone[true][read]`, and (same, changed) log-probabilities of shape marks and `đ`."""
        self.tone = tone
        self.shape = shape
        self.stroke = stroke

    def logp(self, read: str, true: str) -> float:
        """ln P(read | true) for lower-case syllables with the same skeleton."""
        t_tone, t_bare, t_stroke = _parts(true)
        r_tone, r_bare, r_stroke = _parts(read)
        return (
            self.tone[t_tone][r_tone]
            + self.shape[t_bare != r_bare]
            + self.stroke[t_stroke != r_stroke]
        )

    @classmethod
    def train(cls, pairs: Counter[tuple[str, str]]) -> AccentChannel:
        """Estimate the tables from (true, read) token pairs (other pairs are ignored)."""
        tones = [[_SMOOTHING] * 6 for _ in range(6)]
        shape = [_SMOOTHING, _SMOOTHING]
        stroke = [_SMOOTHING, _SMOOTHING]
        for (true, read), n in pairs.items():
            true, read = true.lower(), read.lower()
            if skeleton(true) != skeleton(read):
                continue  # a letter misread: not what this channel models
            t_tone, t_bare, t_stroke = _parts(true)
            r_tone, r_bare, r_stroke = _parts(read)
            tones[t_tone][r_tone] += n
            shape[t_bare != r_bare] += n
            stroke[t_stroke != r_stroke] += n
        tone = [[math.log(c / sum(row)) for c in row] for row in tones]
        return cls(
            tone,
            (math.log(shape[0] / sum(shape)), math.log(shape[1] / sum(shape))),
            (math.log(stroke[0] / sum(stroke)), math.log(stroke[1] / sum(stroke))),
        )

    def to_json(self) -> dict:
        """A JSON-serialisable form (rounded log-probabilities)."""
        return {
            "tone": [[round(v, 3) for v in row] for row in self.tone],
            "shape": [round(v, 3) for v in self.shape],
            "stroke": [round(v, 3) for v in self.stroke],
        }

    @classmethod
    def from_json(cls, data: dict) -> AccentChannel:
        """Inverse of `to_json`."""
        return cls(data["tone"], tuple(data["shape"]), tuple(data["stroke"]))
