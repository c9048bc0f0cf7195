"""Vietnamese syllable anatomy: validity, tone, case transfer, token splitting.

A syllable is onset + rhyme + tone.  The rules here are phonotactic (which rhymes exist,
which tones a checked rhyme takes), so they judge a syllable without a dictionary; the
lexicon (`lexicon.py`) narrows this down to syllables seen in real text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pipeline.normalize import canonical_tones, skeleton

TONES = "\u0300\u0301\u0303\u0309\u0323"
"""Combining grave, acute, tilde, hook above, dot below (huyền, sắc, ngã, hỏi, nặng)."""

ONSETS = """
ngh ng gh gi kh ph th tr ch nh qu b c d đ g h k l m n p r s t v x
""".split()  # noqa: SIM905 - a word list reads best as text
# Rhymes without tone.  `gi` and `qu` onsets absorb their i/u, so `gì`, `quý` use these too.
_RHYMES = """
a ai ao au ay ac ach am an ang anh ap at ăc ăm ăn ăng ăp ăt âc âm ân âng âp ât âu ây e
eo ec em en eng ep et ê êu êch êm ên ênh êp êt i ia iu ich im in inh ip it iêc iêm iên
iêng iêp iêt iêu yê yêm yên yêng yêt yêu o oa oai oao oay oac oach oam oan oang oanh oap
oat oăc oăm oăn oăng oăp oăt oe oeo oen oet oi oc om on ong op ot ooc oong ô ôi ôc ôm ôn
ông ôp ôt ơ ơi ơm ơn ơp ơt u ua uân uâng uât uây uê uêch uênh ui uy uya uych uyn uynh
uyp uyt uyu uyên uyêt uc um un ung up ut uôc uôi uôm uôn uông uôt uơ uâ ư ưa ưi ưu ưc
ưng ưm ưn ươc ươi ươm ươn ương ươp ươt ươu ưt y yt
""".split()  # noqa: SIM905 - a word list reads best as text
RHYMES = frozenset(_RHYMES)
SKELETON_RHYMES = frozenset(skeleton(r) for r in _RHYMES)
"""Rhymes as they look with every mark stripped (`iêng` → `ieng`)."""
_CHECKED = ("p", "t", "c", "ch")
_OPEN_ONLY = ("\u0300", "\u0303", "\u0309")
"""Rhymes ending in a stop take only sắc or nặng, never these three tones."""

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_EDGE = re.compile(r"^([^\w]*)(.*?)([^\w]*)$", re.UNICODE | re.DOTALL)


def split_tone(syllable: str) -> tuple[str, str]:
    """`Trường` → (`trương`, `\u0300`): lower-case toneless base and the tone mark ('' = ngang)."""
    decomposed = unicodedata.normalize("NFD", syllable.lower())
    tone = ""
    kept = []
    for ch in decomposed:
        if ch in TONES:
            tone = ch
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)), tone


@lru_cache(maxsize=1 << 16)
def word_skeleton(word: str) -> str:
    """`normalize.skeleton` of one word, memoised: the decoder asks for the same words'
    skeletons again and again (never pass it whole texts)."""
    return skeleton(word)


@lru_cache(maxsize=100_000)
def is_syllable(word: str) -> bool:
    """True when `word` (any case, any tone placement) is a well-formed Vietnamese syllable.

    Toneless checked syllables (`tat`) are accepted: they are the skeletons of diacritic-less
    text, which `has_marks` tells apart.
    """
    if not word or not word.isalpha():
        return False
    base, tone = split_tone(word)
    rhymes = SKELETON_RHYMES if word.isascii() else RHYMES
    for onset in ("", *ONSETS):
        if not base.startswith(onset):
            continue
        rhyme = base[len(onset) :]
        if rhyme in rhymes and not (rhyme.endswith(_CHECKED) and tone in _OPEN_ONLY):
            return True
    return False


def has_marks(word: str) -> bool:
    """True when the word carries any Vietnamese diacritic (tone, hat, breve, horn, đ)."""
    return any(not ch.isascii() for ch in word)


def split_token(token: str) -> tuple[str, str, str]:
    """`“Chủ` → (`“`, `Chủ`, ``): leading punctuation, core, trailing punctuation."""
    match = _EDGE.match(token)
    assert match is not None  # the pattern matches every string
    return match.group(1), match.group(2), match.group(3)


_NUMBERED_CODE = re.compile(r"^\d+[-/.]\S+$")


def is_numbered_code(core: str) -> bool:
    """Document numbers and codes that open with a digit (`41-CT/TW`, `2138/QĐ-TTg`): to
    the LM they are numbers, so `Quyết định số 2138/QĐ-TTg ngày` stays one context."""
    return bool(_NUMBERED_CODE.match(core))


def case_pattern(word: str) -> str:
    """`upper`, `title` or `lower` — how to re-case a restored syllable like the input."""
    letters = [ch for ch in word if ch.isalpha()]
    if not letters:
        # A digit-led garble (`6`) carries no case; treat as lower.
        return "lower"
    upper = sum(ch.isupper() for ch in letters)
    if len(letters) > 1 and (
        upper == len(letters) or (upper >= 3 and upper * 3 >= len(letters) * 2)
    ):
        # Mostly capitals (`PiCH` read for `ĐÍCH`): OCR lost the case of a letter or two.
        return "upper"
    first = word[0]
    if first.isupper() or (first.isdigit() and word[1:2].isupper()):
        return "title"
    if len(letters) == 1 and letters[0].isupper():
        return "title" if word[0] == letters[0] else "upper"
    return "lower"


def apply_case(word: str, pattern: str) -> str:
    """Re-case a lower-case restored syllable to `pattern` (see `case_pattern`)."""
    if pattern == "upper":
        return word.upper()
    if pattern == "title":
        return word[:1].upper() + word[1:]
    return word


@lru_cache(maxsize=1 << 16)
def canonical_syllable(word: str) -> str:
    """NFC with old-style tone placement (`hoá` → `hóa`), as `normalize.canonical_tones`."""
    return canonical_tones(unicodedata.normalize("NFC", word))


def is_alpha_word(word: str) -> bool:
    """True for a core made only of letters (the kind restoration works on)."""
    return bool(word) and all(_LETTER.match(ch) for ch in word)
