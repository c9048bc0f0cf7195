"""Is this text Vietnamese at all?  A cheap check that runs after OCR, before restoration.

vnplan is built for Vietnamese documents; an English report fed to it would come out as
an `ok` document with empty metadata, which hides the mistake, and the restorer would
"repair" it into Vietnamese-looking syllables.  `check_language` turns that into a clear
`NotVietnameseError` instead.

The check must accept garbled OCR and diacritic-less text (the Cát Hải sample reads
`Thuc hién Chi thi sb 41-CT/TW ngay 26/12/2024 ctia B Chinh tri`), so it judges words by
their skeleton (marks removed): Vietnamese words are single syllables that obey Vietnamese
phonotactics (`thuong`, `nghiem`), while most English or French words do not (`report`,
`committee`, `département`).  Measured shares of such words: Vietnamese plans ≥ 0.9,
Tesseract-eng garble of Vietnamese ≈ 0.84, English and French prose ≈ 0.25.
"""

from __future__ import annotations

import re

from pipeline.config import Config
from pipeline.document import Document
from pipeline.errors import NotVietnameseError
from pipeline.vietnamese import is_syllable, skeleton

MIN_WORDS = 20
"""Below this many words there is too little to judge: the text is accepted."""
MIN_SYLLABLE_SHARE = 0.6
"""Texts where fewer words than this are possible Vietnamese syllables are refused."""

_WORD = re.compile(r"[^\W\d_]+")


def syllable_share(text: str) -> float:
    """Share of the text's words whose skeleton is a well-formed Vietnamese syllable."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    return sum(is_syllable(skeleton(w)) for w in words) / len(words)


def looks_vietnamese(text: str) -> bool:
    """False only when the text is clearly in another language.

    Args:
        text: The document body (any spelling, garbled or not).
    """
    if len(_WORD.findall(text)) < MIN_WORDS:
        return True
    return syllable_share(text) >= MIN_SYLLABLE_SHARE


def check_language(doc: Document, config: Config) -> Document:
    """Stage: refuse a document whose text is clearly not Vietnamese.

    Runs after `ocr` (so scans are judged on their text) and before `restore`.  A
    document with no text is left to the other stages.
    """
    if doc.text.body.strip() and not looks_vietnamese(doc.text.body):
        share = syllable_share(doc.text.body)
        raise NotVietnameseError(
            f"the text does not look like Vietnamese ({share:.0%} of words are Vietnamese syllables)"
        )
    return doc
