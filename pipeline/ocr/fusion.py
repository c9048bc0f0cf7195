"""Fusion of Tesseract-vie words with a PDF's garbled English-model text layer.

Some scanned PDFs carry the hidden layer of an earlier OCR run made without Vietnamese
(`DQc lfl p-Tgdo`).  Ingest sets such a layer aside (`Page.layer_words`) and the page is
read again with `vie`.  The two readings err differently: `vie` keeps the marks but now
and then misreads a letter (`rn` for `m`, `c` for `e`: `nhiệrn`, `cáe`), while the English
model drops every mark yet often has the base letters right (`nhiem`, `cac`).

The two word sequences are aligned by their diacritic-free skeletons
(`pipeline.vietnamese.skeleton`): identical skeletons anchor the alignment, and between
anchors, runs of as many words on both sides are paired one to one.  A pair changes the
`vie` word only when all of these hold:
- the `vie` word has `MIN_LETTERS` letters or more, is no valid syllable as written and
  is not in mixed case (`IoT` is a name); neither word is a Roman numeral (`II`);
- the layer word is plain letters, close to the `vie` word's skeleton (`MAX_EDITS`);
- the layer's letters with the `vie` word's marks (its tone and its hats, breves, horns
  and đ) make exactly one valid syllable.
The `vie` word then takes that syllable, in its own case.  A symbol Vietnamese text does
not print (`€)` for the list marker `c)`) is taken from a layer word that is the same but
for it (`fused_symbols`).  Digits are never taken from the layer: a number stays as `vie`
and the fields step read it.  A `vie` word the layer has as two words that spell it
(`I.MỤC`, `I. MUC`) is cut in two (`split_word`).
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from dataclasses import replace
from functools import lru_cache

from pipeline.editdistance import levenshtein
from pipeline.ocr.tesseract import Word
from pipeline.vietnamese import (
    TONES,
    apply_case,
    case_pattern,
    is_syllable,
    skeleton,
    split_token,
)

MAX_EDITS = 2
"""Letters the layer's skeleton may differ from the `vie` word's by (`rn` → `m` is two):
a pair further apart is two different words that the alignment put side by side."""

MIN_LETTERS = 2
"""Letters a `vie` word needs to be mended: a lone letter is as often a speck of a seal
or a signature (`'r`, read at confidence 0) as a word, and any short layer word fits it."""

_MODIFIERS = {"\u0302", "\u0306", "\u031b"}
"""Combining circumflex, breve and horn: the marks that make â ê ô ă ơ ư of a base vowel."""
_VARIANTS = {
    "a": ("a", "â", "ă"),
    "e": ("e", "ê"),
    "o": ("o", "ô", "ơ"),
    "u": ("u", "ư"),
    "d": ("d", "đ"),
}
"""The letters each plain letter can stand for once marks are added."""


def _marks(word: str) -> tuple[str, tuple[str, ...]]:
    """The word's tone mark ('' for none) and its other marks, sorted (đ counts as one)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tone = next((ch for ch in decomposed if ch in TONES), "")
    others = sorted(ch for ch in decomposed if ch in _MODIFIERS)
    others += ["đ"] * word.lower().count("đ")
    return tone, tuple(sorted(others))


_VOWELS = "aăâeêioôơuưy"


def _tone_at(base: str) -> int:
    """Where the tone goes in `base` (old-style placement, as `canonical_tones`): on the
    hatted or horned vowel (the last one of `ươ`), else on the last vowel before a final
    consonant, else on the second of three vowels or the first of two."""
    start = 0
    if base[:2] in ("qu", "gi") and len(base) > 2 and base[2] in _VOWELS:
        start = 2  # their u and i belong to the onset (`quý`, `giá`)
    vowels = [k for k in range(start, len(base)) if base[k] in _VOWELS]
    if not vowels:
        return -1
    marked = [k for k in vowels if base[k] in "ăâêôơư"]
    if marked:
        return marked[-1]
    if vowels[-1] < len(base) - 1 or len(vowels) == 1:
        return vowels[-1]
    return vowels[1] if len(vowels) == 3 else vowels[0]


@lru_cache(maxsize=1 << 14)
def _with_marks(letters: str, tone: str, others: tuple[str, ...]) -> tuple[str, ...]:
    """The valid syllables spelt `letters` that carry exactly `tone` and `others`."""
    if len(letters) > 8:  # no Vietnamese syllable is longer (`nghiêng` is 7)
        return ()
    found = set()
    for spelling in itertools.product(*(_VARIANTS.get(ch, (ch,)) for ch in letters)):
        base = "".join(spelling)
        if _marks(base)[1] != others:
            continue
        at = _tone_at(base)
        if at < 0:
            continue
        word = unicodedata.normalize("NFC", base[: at + 1] + tone + base[at + 1 :])
        if is_syllable(word, as_written=True):
            found.add(word)
    return tuple(sorted(found))


def fused_word(read: str, layer: str) -> str | None:
    """`read` (a vie word) corrected by `layer` (the layer's word at its place), or None.

    >>> fused_word("nhiệrn", "nhiem")
    'nhiệm'
    >>> fused_word("Lâm", "Lim") is None  # a valid vie word is kept
    True
    """
    lead, core, tail = split_token(read)
    _, layer_core, _ = split_token(layer)
    if len(core) < MIN_LETTERS or not core.isalpha() or _mixed_case(core):
        return None
    if is_syllable(core, as_written=True):
        return None
    letters = layer_core.lower()
    if not (letters.isascii() and letters.isalpha()):
        return None
    if _ROMAN.match(core) or _ROMAN.match(layer_core):
        return None  # a heading's numeral is a number: neither reading is mended
    if levenshtein(skeleton(core), letters) > MAX_EDITS:
        return None
    tone, others = _marks(core)
    found = _with_marks(letters, tone, others)
    if len(found) != 1:
        return None
    return lead + apply_case(found[0], case_pattern(core)) + tail


TEXT_PUNCTUATION = frozenset(".,;:!?()[]{}\"'“”‘’-–—/%…*+=<>&#§°")
"""Punctuation printed in Vietnamese administrative text; any other symbol in a `vie`
word (`€)` for the list marker `c)`, `~` for a dash) is a misread glyph."""


LAYER_SYMBOLS = "-–"
"""Symbols taken from the layer for a misread one (`~` → `-`); any other reading of a
speck (`.`, `>` for a stray backtick) is no better than vie's."""


def fused_symbols(read: str, layer: str) -> str | None:
    """`read` with its misread symbols taken from `layer` (`€)` + `c)` → `c)`), or None.

    Only when both words have the same length and differ only where `read` has a symbol
    outside `TEXT_PUNCTUATION` and the layer a letter or a dash; never a digit, and a
    letter only beside a character both read alike.

    >>> fused_symbols("€)", "c)")
    'c)'
    >>> fused_symbols("€5", "55") is None
    True
    """
    if len(read) != len(layer) or read == layer:
        return None
    if not any(a == b for a, b in zip(read, layer, strict=True)) and layer not in LAYER_SYMBOLS:
        return None  # a lone speck (`„`) read as a letter (`t`) by the layer is no word
    out = []
    for ours, theirs in zip(read, layer, strict=True):
        if ours == theirs:
            out.append(ours)
        elif _is_odd_symbol(ours) and (theirs.isalpha() or theirs in LAYER_SYMBOLS):
            out.append(theirs)
        else:
            return None
    return "".join(out)


def _is_odd_symbol(ch: str) -> bool:
    return not ch.isalnum() and not ch.isspace() and ch not in TEXT_PUNCTUATION


SPLIT_AFTER = ".,;:)"
"""Punctuation after which `vie` loses a space (`I.MỤC`, `a)Tổ`): a word is cut only
there, since the English model itself splits words too (`t hao` for `thao`)."""


def split_word(word: Word, first: str, second: str) -> list[Word] | None:
    """`word` cut in two where the layer has a space (`I.MỤC` + `I.` `MUC` → `I.` `MỤC`),
    or None.  Only after `SPLIT_AFTER` punctuation, and when the layer's two words spell
    `word` but for its marks; the box is shared by the letters' counts."""
    if not first or first[-1] not in SPLIT_AFTER or not second[:1].isalnum():
        return None
    if skeleton(word.text) != skeleton(first + second):
        return None
    cut = len(first)  # a skeleton has one letter per letter of NFC text
    width = max(1, round(word.width * cut / len(word.text)))
    return [
        replace(word, text=word.text[:cut], width=width),
        replace(word, text=word.text[cut:], left=word.left + width, width=word.width - width),
    ]


_ROMAN = re.compile(r"^[IVXLC]+$")


def _mixed_case(core: str) -> bool:
    """A capital after a small letter (`IoT`, `eKYC`): a name or a code, not a misread."""
    return any(a.islower() and b.isupper() for a, b in itertools.pairwise(core))


def _key(text: str) -> str:
    """What the alignment compares: the skeleton of the word's letters, or the word
    itself when it has none (`-` and `~` must not look alike)."""
    core = split_token(text)[1]
    return skeleton(core) if core else text


def fuse(words: list[Word], layer: list[str]) -> tuple[list[Word], int]:
    """`words` (Tesseract-vie, in its order) corrected by the layer's words (in its order).

    Returns the words and how many of them changed (see the module doc for the rules).
    """
    if not words or not layer:
        return words, 0
    ours = [_key(w.text) for w in words]
    theirs = [_key(t) for t in layer]
    matcher = difflib.SequenceMatcher(None, ours, theirs, autojunk=False)
    out: list[Word] = []
    changed = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "replace" and i2 - i1 == 1 and j2 - j1 == 2:
            halves = split_word(words[i1], layer[j1], layer[j1 + 1])
            if halves is not None:
                out.extend(halves)
                changed += 1
                continue
        if op != "replace" or i2 - i1 != j2 - j1:
            out.extend(words[i1:i2])
            continue
        for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
            better = fused_word(words[i].text, layer[j]) or fused_symbols(words[i].text, layer[j])
            if better is not None and better != words[i].text:
                out.append(replace(words[i], text=better))
                changed += 1
            else:
                out.append(words[i])
    return out, changed
