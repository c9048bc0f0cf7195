"""Marks OCR drops from capital letters in the header's metadata lines.

A capital vowel with two marks stacked above it (`Ồ`, `Ổ`, `Ấ`) has no room under the line
above, and Tesseract often reads only one of them: `ĐỒNG THỜI` → `ĐÔNG THỜI`, `TỔ TRƯỞNG` →
`TỎ TRƯỞNG`, `HÓA CHẤT` → `HÓA CHÁT`.  Both readings are words, so no word list can tell;
the restoration language model can, from the line's context.  A word is changed only when
the model's reading of the whole line *adds one stacked mark* to a vowel of it — the slip
OCR makes — never when it would change a letter, a mark below, or a mark OCR did read.
A word that is no syllable as OCR wrote it (`BẸNH`, `TRUYEN`: its marks lost or put
wrong) takes the model's marks outright, as long as the letters stay.
"""

from __future__ import annotations

import logging
import unicodedata

from pipeline.errors import ModelError
from pipeline.vietnamese import (
    apply_case,
    case_pattern,
    is_syllable,
    is_upper_line,
    nfc,
    skeleton,
    split_token,
)
from pipeline.vocabulary import ADMIN_LEVELS

log = logging.getLogger(__name__)

_SHAPES = {"\u0302", "\u0306"}
"""Circumflex and breve: the vowel-shape marks written above `â ê ô ă`."""
_TONES_ABOVE = {"\u0300", "\u0301", "\u0303", "\u0309"}
"""Grave, acute, tilde, hook above: the tone marks written above the vowel."""


def _marks(char: str) -> tuple[str, frozenset[str]]:
    decomposed = unicodedata.normalize("NFD", char)
    return decomposed[0], frozenset(decomposed[1:])


def _adds_stacked_mark(read: str, model: str) -> bool:
    """True when `model` is `read` with one mark more above one vowel, making it a
    stacked pair (shape + tone); every other character is the same."""
    if len(read) != len(model) or read == model:
        return False
    diffs = [(a, b) for a, b in zip(read, model, strict=True) if a != b]
    if len(diffs) != 1:
        return False
    (base_a, marks_a), (base_b, marks_b) = _marks(diffs[0][0]), _marks(diffs[0][1])
    added = marks_b - marks_a
    if base_a != base_b or not marks_a < marks_b or len(added) != 1:
        return False
    return bool(marks_b & _SHAPES) and bool(marks_b & _TONES_ABOVE)


def _model_reading(text: str) -> str | None:
    """The language model's marks for the line's letters, or None without a model."""
    from pipeline.restore import restore_text  # the public face of the restore stage

    try:
        return restore_text(skeleton(text), mode="always")
    except ModelError as exc:  # no model shipped: the line stays as OCR read it
        log.info("capital marks not checked: %s", exc)
        return None


def repair_capitals(line: str) -> str:
    """An upper-case OCR line with the stacked marks OCR dropped restored.

    Lines with lower-case letters are returned as they are: the slip is one of capitals.

    Example (needs the shipped model):
        repair_capitals("ĐẦU TƯ ĐÔNG THỜI") → "ĐẦU TƯ ĐỒNG THỜI"
    """
    line = nfc(line)
    if not line.strip() or not is_upper_line(line):
        return line
    reading = _model_reading(line.lower())
    if reading is None:
        return line
    read_words, model_words = line.split(" "), reading.split(" ")
    if len(read_words) != len(model_words):
        return line
    out = []
    for word, proposed in zip(read_words, model_words, strict=True):
        lower = word.lower()
        if _adds_stacked_mark(lower, proposed) or _mends_a_non_word(lower, proposed):
            word = apply_case(proposed, case_pattern(word))
        out.append(word)
    return " ".join(out)


def _mends_a_non_word(read: str, model: str) -> bool:
    """True when OCR's word is no syllable as written (`bẹnh`, `truyen`: marks lost or
    put wrong) and the model's is one with the same letters (`bệnh`, `truyền`): then no
    mark OCR read can be right, so the model's are taken whatever they are."""
    lead, core, tail = split_token(read)
    m_lead, m_core, m_tail = split_token(model)
    if (lead, tail) != (m_lead, m_tail) or not core.isalpha() or core == m_core:
        return False
    return (
        skeleton(core) == skeleton(m_core)
        and not is_syllable(core, as_written=True)
        and is_syllable(m_core, as_written=True)
    )


_ONE_WORD_LEVELS = tuple(level.upper() for level in ADMIN_LEVELS if " " not in level)
"""`TỈNH`, `HUYỆN`, `XÃ`…: the level words OCR glues to the place after them."""


def split_glued_levels(line: str) -> str:
    """`UBND TỈNHLÂM ĐÔNG` → `UBND TỈNH LÂM ĐÔNG`: OCR lost the space after a level word.

    Only a capitalised token that is no syllable, opens with a level word and leaves a
    syllable of at least two letters after it is split: no Vietnamese syllable continues
    after `TỈNH`, so the split cannot cut a real word.
    """
    out = []
    for token in nfc(line).split(" "):
        for level in _ONE_WORD_LEVELS:
            rest = token[len(level) :]
            if (
                token.startswith(level)
                and len(rest) >= 2
                and rest.isupper()
                and not is_syllable(token.lower())
                and is_syllable(rest.lower())
            ):
                token = f"{level} {rest}"
                break
        out.append(token)
    return " ".join(out)
