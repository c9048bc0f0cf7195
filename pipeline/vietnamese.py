"""Shared Vietnamese text helpers: Unicode forms, tone placement, syllables, garble.

Every stage that looks at Vietnamese words uses these, and only these:
- **Spelling forms.** Two spellings of one word are common in administrative text: NFC vs
  NFD encodings, and "new" (`hoá`, `thuỷ`) vs "old" (`hóa`, `thủy`) tone placement.  The
  body keeps the document's own spelling; `canonical()` gives the one form used for
  matching and for metadata, `skeleton()` strips every mark (`Đảng` → `dang`).
- **Syllable anatomy.** A syllable is onset + rhyme + tone.  The rules are phonotactic
  (which rhymes exist, which tones a checked rhyme takes), so `is_syllable` judges a word
  without a dictionary; restoration's lexicon narrows this to syllables seen in real text.
- **Garble.** `garble_score` tells clean Vietnamese from text OCR'd without a Vietnamese
  model or stripped of its marks; ingest uses it to reject garbled PDF text layers, the
  restore stage to decide whether to restore.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

TONES = "\u0300\u0301\u0303\u0309\u0323"
"""Combining grave, acute, tilde, hook above, dot below (huyền, sắc, ngã, hỏi, nặng)."""

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Icelandic eth looks like Đ/đ and some PDF fonts map the glyph to it; Vietnamese never uses it.
_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})
# oa/oe/uy without a final consonant: old style puts the tone on the first vowel.
# "qu" + y is excluded because the u belongs to the consonant (quý, never qúy).
_NEW_STYLE = re.compile(
    rf"(?<![\wÀ-ỹ])([^\W\d_]*?)(?<![qQ])([oO][aAeE]|[uU][yY])([{TONES}])(?![\wÀ-ỹ\u0300-\u036f])",
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


ONSETS = """
ngh ng gh gi kh ph th tr ch nh qu b c d đ g h k l m n p r s t v x
""".split()  # noqa: SIM905 - a word list reads best as text
# Rhymes without tone.  `gi` and `qu` onsets absorb their i/u, so `gì`, `quý`, `quýt`, `quỳnh` use these too.
_RHYMES = """
a ai ao au ay ac ach am an ang anh ap at ăc ăm ăn ăng ăp ăt âc âm ân âng âp ât âu ây e
eo ec em en eng ep et ê êu êch êm ên ênh êp êt i ia iu ich im in inh ip it iêc iêm iên
iêng iêp iêt iêu yê yêm yên yêng yêt yêu o oa oai oao oay oac oach oam oan oang oanh oap
oat oăc oăm oăn oăng oăp oăt oe oeo oen oet oi oc om on ong op ot ooc oong ô ôi ôc ôm ôn
ông ôp ôt ơ ơi ơm ơn ơp ơt u ua uân uâng uât uây uê uêch uênh ui uy uya uych uyn uynh
uyp uyt uyu uyên uyêt uc um un ung up ut uôc uôi uôm uôn uông uôt uơ uâ ư ưa ưi ưu ưc
ưng ưm ưn ươc ươi ươm ươn ương ươp ươt ươu ưt y yt ynh
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
def is_syllable(word: str, *, as_written: bool = False) -> bool:
    """True when `word` (any case, any tone placement) is a well-formed Vietnamese syllable.

    Toneless checked syllables (`tat`) are accepted: they are the skeletons of diacritic-less
    text, which `has_marks` tells apart.  `as_written`: a word without marks must be a
    syllable without them too (`thi`, `cao`; not `truyen`, the skeleton of `truyền`).
    """
    if not word or not word.isalpha():
        return False
    base, tone = split_tone(word)
    rhymes = SKELETON_RHYMES if word.isascii() and not as_written else RHYMES
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


# --- garble detection ------------------------------------------------------------

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


def is_upper_line(line: str) -> bool:
    """True when every cased letter of the line is upper case (and it has some).

    The letters of a document code (a word with a digit or a slash: `27/CT-TTg`) do not
    count: a code keeps its own case inside a title in capitals.
    """
    words = [w for w in line.split() if not any(ch.isdigit() or ch == "/" for ch in w)]
    letters = [ch for w in words for ch in w if ch.isalpha()]
    return bool(letters) and all(not ch.islower() for ch in letters)
