"""Unicode and spelling normalisation shared by every stage.

Two spellings of the same word are common in Vietnamese administrative text:
NFC vs NFD encodings, and "new" (`hoá`, `thuỷ`) vs "old" (`hóa`, `thủy`) tone placement.
The body keeps the document's own spelling; `canonical()` gives the one form used for
matching (old-style tones, NFC), and `skeleton()` strips all marks (`Đảng` → `dang`).
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.document import Document

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
"""Combining grave, acute, tilde, hook above, dot below."""

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Icelandic eth looks like Đ/đ and some PDF fonts map the glyph to it; Vietnamese never uses it.
_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})
# oa/oe/uy without a final consonant: old style puts the tone on the first vowel.
# "qu" + y is excluded because the u belongs to the consonant (quý, never qúy).
_NEW_STYLE = re.compile(
    rf"(?<![\wÀ-ỹ])([^\W\d_]*?)(?<![qQ])([oO][aAeE]|[uU][yY])([{TONE_MARKS}])(?![\wÀ-ỹ\u0300-\u036f])",
)


def nfc(text: str) -> str:
    """NFC-compose, drop zero-width characters, map look-alikes (Ð→Đ), unify line endings."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_LOOKALIKES)
    return unicodedata.normalize("NFC", _ZERO_WIDTH.sub("", text))


def _old_style_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    match = _NEW_STYLE.fullmatch(decomposed)
    if not match:
        return word
    prefix, pair, tone = match.groups()
    return unicodedata.normalize("NFC", prefix + pair[0] + tone + pair[1])


def canonical_tones(text: str) -> str:
    """Move tone marks to the old-style position: `hoá`→`hóa`, `thuỷ`→`thủy`, `Uỷ`→`Ủy`."""
    return re.sub(r"[^\W\d_]+", lambda m: _old_style_word(m.group(0)), text)


def canonical(text: str) -> str:
    """The form used for matching: NFC, old-style tones, single spaces."""
    return " ".join(canonical_tones(nfc(text)).split())


def skeleton(text: str) -> str:
    """Lower-case text with every diacritic removed (`Đảng Ủy` → `dang uy`)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def compact_number(number: str) -> str:
    """`24 /KH-UBND` → `24/KH-UBND`: drop spaces around the slashes and dashes of a code."""
    number = re.sub(r"\s*([/–-])\s*", r"\1", number.strip())
    return number.replace("–", "-")


def normalize(doc: Document, config: object | None = None) -> Document:
    """Stage: NFC-compose the body and tidy whitespace (the spelling itself is kept)."""
    body = nfc(doc.text.body)
    lines = [line.rstrip() for line in body.split("\n")]
    doc.text.body = "\n".join(lines).strip("\n")
    return doc
