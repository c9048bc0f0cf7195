"""Is this text garbled or diacritic-less Vietnamese?  A cheap, dictionary-free detector.

`garble_score` needs no model: it judges each word by Vietnamese phonotactics
(`syllables.is_syllable`), looks for the tell-tale marks of Tesseract's English model
reading Vietnamese (digits inside words: `t6`, `1ap`, `S6`; impossible letter runs: `ctia`,
`chire`), and measures how many words carry no diacritic at all.  The OCR stage uses it to
reject garbled PDF text layers, the restore stage to decide whether to restore.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.restore.syllables import has_marks, is_syllable, split_token

CLEAN_PLAIN_SHARE = 0.30
"""Share of words without any diacritic in ordinary Vietnamese prose (`cho`, `theo`, `thi`)."""

_DIGIT_IN_WORD = re.compile(r"(?<![\d/])[^\W\d_][0-9]|(?<![\w/-])[0-9][^\W\d_]{1,3}\b")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_CODE = re.compile(r"[/]|\d[-.]\d|^[IVXLC]+\.?$|^[A-ZĐ]{2,}(?:-[A-ZĐ]+)*$")


@dataclass(frozen=True)
class GarbleStats:
    """Counts behind a garble score, for warnings and tuning."""

    words: int
    """Alphabetic words judged (codes, abbreviations and numbers are skipped)."""
    invalid: int
    """Words that are no Vietnamese syllable, or show an OCR confusion (`t6`, `ctia`)."""
    plain: int
    """Valid words without any diacritic."""

    @property
    def score(self) -> float:
        """0 = clean Vietnamese … 1 = garbled or diacritic-less."""
        if not self.words:
            return 0.0
        invalid = self.invalid / self.words
        valid = self.words - self.invalid
        plain = self.plain / valid if valid else 1.0
        # Clean prose has ~30 % unmarked words; only the excess over that signals stripping.
        excess = max(0.0, plain - CLEAN_PLAIN_SHARE) / (1.0 - CLEAN_PLAIN_SHARE)
        return round(min(1.0, invalid + excess * (1.0 - invalid)), 4)


def garble_stats(text: str) -> GarbleStats:
    """Judge every whitespace-separated word of `text` (see `GarbleStats`)."""
    words = invalid = plain = 0
    for token in text.split():
        _, core, _ = split_token(token)
        if not core or not _HAS_LETTER.search(core):
            continue
        if _DIGIT_IN_WORD.search(core):
            # `t6`, `1ap`, `S6:83`: Tesseract-eng reads ổ/ố/ộ as 6 and l as 1.
            words += 1
            invalid += 1
            continue
        if (_CODE.search(core) or len(core) == 1) and not (core.isupper() and is_syllable(core)):
            # Codes (`41-CT/TW`), Roman numerals and all-caps abbreviations (`UBND`) say
            # nothing about diacritics; all-caps syllables (`KẾ HOẠCH`) are judged below.
            continue
        for part in core.split("-"):
            if not part or not part.isalpha():
                continue
            words += 1
            if not is_syllable(part):
                invalid += 1
            elif not has_marks(part):
                plain += 1
    return GarbleStats(words=words, invalid=invalid, plain=plain)


def garble_score(text: str) -> float:
    """Share of words that are not valid accented Vietnamese syllables, plus OCR-confusion signs.

    0 means clean Vietnamese, 1 means garbled (`Trién khai mdt s6`) or diacritic-less
    (`trien khai mot so`) text.  Clean administrative text scores below ~0.1, stripped text
    near 1, Tesseract-eng garble around 0.6-0.9; text with no words scores 0.

    Example:
        >>> garble_score("Triển khai một số nhiệm vụ trọng tâm") < 0.1
        True
        >>> garble_score("Trién khai mdt s6 nhiém vu trong tim") > 0.5
        True
    """
    return garble_stats(text).score
