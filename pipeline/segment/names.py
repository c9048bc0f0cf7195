"""Vietnamese personal names as they appear under a signature, clean or OCR-damaged.

A signer's name closes the signature block: 2–5 capitalised syllables (`Vũ Tiến Phụng`),
sometimes after a military rank or an academic title (`Đại tá Lê Minh Khoa`,
`PGS.TS. Lê Văn Minh`).  On scans the seal and the handwritten signature sit right above
it, so OCR often loses or misreads its first letters (`uỳnh Thanh Bình` for *Huỳnh*…).

`parse_name` has two levels.  The lenient one accepts any capitalised syllables and is
meant for lines already placed in the signature column.  The strict one also requires the
first syllable to be a common family name — the evidence needed before trusting a line
found among recipients or in damaged text — and can restore a family name whose first
letters were lost.  A wrong signer is worse than none, so every doubt gives None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pipeline.vietnamese import is_syllable, nfc, skeleton
from pipeline.vocabulary import HONORIFICS, SURNAMES

_SURNAMES_BY_LETTERS: dict[str, list[str]] = {}
for _surname in SURNAMES:
    _SURNAMES_BY_LETTERS.setdefault(skeleton(_surname), []).append(_surname)
# Family names by their letters without marks: OCR and restoration misplace marks on
# print damaged by a seal (`Hoẵng` for `Hoàng`), and a name opens with a family name.


RANKS = (
    "Đại tướng",
    "Thượng tướng",
    "Trung tướng",
    "Thiếu tướng",
    "Đại tá",
    "Thượng tá",
    "Trung tá",
    "Thiếu tá",
    "Đại úy",
    "Thượng úy",
    "Trung úy",
    "Thiếu úy",
    "Phó Đô đốc",
    "Chuẩn Đô đốc",
    "Đô đốc",
)
"""Military and police ranks written before a signer's name."""

# Compared on skeleton() so that OCR's `Thiêu tướng` or `Đại tả` still counts.
_RANK_SK = sorted(((skeleton(r).split(), r) for r in RANKS), key=lambda x: -len(x[0]))

_TITLE_ABBREVIATIONS = {"gs", "pgs", "ts", "tskh", "ths", "bs", "bsck", "bscki", "bsckii", "ks"}
"""Academic and professional titles (`TS.`, `PGS.TS.`, `ThS.`) written before a name."""
_TITLE = re.compile(r"^(?:[A-Za-z]{2,6}\.\s*)+")

_EDGE_JUNK = "*\"'“”‘’:.|_ "

Repair = Literal["none", "suffix", "misread"]

# Lower-case words that start wrapped recipient lines (`huyện Tân Uyên`): never a family
# name that lost its first letter.
_NOT_DAMAGED = {"huyện", "tỉnh", "xã", "phường", "quận", "thành", "phố", "thị", "trấn", "khu"}


_STRUCTURE_WORDS = {"chương", "điều", "phần", "mục", "phụ", "khoản"}
"""Words of a document's structure (`Chương I`, `Phụ lục`): never the first word of a name."""


@dataclass
class PersonName:
    """A recognised name: the name itself, the rank or title before it, whether repaired."""

    name: str
    rank: str | None = None
    repaired: bool = False


def split_rank(text: str) -> tuple[str | None, str]:
    """`Đại tá Lê Minh Khoa` → (`Đại tá`, `Lê Minh Khoa`); `TS. Lê An` → (`TS.`, `Lê An`)."""
    words = text.split()
    sk = skeleton(text).split()
    for rank_sk, rank in _RANK_SK:
        if sk[: len(rank_sk)] == rank_sk and len(words) > len(rank_sk):
            return rank, " ".join(words[len(rank_sk) :])
    match = _TITLE.match(text)
    if match:
        parts = [p.lower() for p in re.split(r"[.\s]+", match.group(0)) if p]
        if parts and all(p in _TITLE_ABBREVIATIONS for p in parts):
            return match.group(0).strip(), text[match.end() :].strip()
    return None, text


def is_name_syllable(word: str) -> bool:
    """A capitalised Vietnamese syllable (`Hưng`, `Nguyễn`): `vietnamese.is_syllable` with
    a capital first letter and the rest in lower case."""
    if not word.isalpha() or not (word[0].isupper() and (len(word) == 1 or word[1:].islower())):
        return False
    return is_syllable(word)


def repair_surname(word: str, repair: Repair) -> str | None:
    """The family name a damaged first syllable stands for, when only one fits.

    `suffix`: the syllable is the end of exactly one family name (`uỳnh` → `Huỳnh`), marks
    included, at least two letters.  `misread` also lets the first letter be a misreading
    (`xrần` → `Trần`), compared without marks on at least three letters.
    """
    if repair == "none" or len(word) < 2 or not word.isalpha() or word in _NOT_DAMAGED:
        return None
    exact = {s for s in SURNAMES if len(s) > len(word) and s.endswith(word)}
    if len(exact) == 1:
        return exact.pop()
    if repair != "misread" or exact or len(word) < 4:
        return None
    tail = skeleton(word)[1:]
    loose = {s for s in SURNAMES if skeleton(s).endswith(tail) and len(s) > len(tail)}
    return loose.pop() if len(loose) == 1 else None


def _surname_by_letters(word: str) -> str | None:
    """The one family name spelt with the letters of `word` but other marks (`Hoẵng` →
    `Hoàng`), or None when `word` is a family name already or the letters fit none or
    several (`La`, `Lã`)."""
    if word in SURNAMES:
        return None
    fits = _SURNAMES_BY_LETTERS.get(skeleton(word), [])
    return fits[0] if len(fits) == 1 else None


def parse_name(line: str, strict: bool = False, repair: Repair = "none") -> PersonName | None:
    """The person named by `line` on its own, or None.

    Lenient (default): 2–5 capitalised syllables, after an optional rank or title.
    `strict`: the first syllable must be a common family name (`repair` may restore one whose
    first letters OCR lost), and without a rank the name needs 3–4 syllables, since
    two-syllable lines (`Hà Nội`, `Thái Bình`) are more often places.
    """
    text = nfc(line).strip(_EDGE_JUNK)
    if not text or len(text) > 48 or not text[0].isalpha():
        return None  # `- Bộ Tư pháp` is a recipient, not a signer
    rank, rest = split_rank(text)
    words = rest.split()
    if words and words[0].lower() in _STRUCTURE_WORDS:
        return None  # `Chương I`, `Điều 5`, `Phần II`: a heading, never a signer
    if not 2 <= len(words) <= 5:
        return None
    repaired = False
    if strict and words[0][:1].islower():
        surname = repair_surname(words[0], repair)
        if surname is None:
            return None
        words, repaired = [surname, *words[1:]], True
    if not all(is_name_syllable(w) for w in words):
        return None
    if (surname := _surname_by_letters(words[0])) is not None:
        words, repaired = [surname, *words[1:]], True
    if strict:
        low, high = (2, 4) if rank else (3, 4)
        if not low <= len(words) <= high or words[0] not in SURNAMES:
            return None
    return PersonName(" ".join(words), rank, repaired)


# --- a signer's name completed from the body -----------------------------------------

MIN_MATCHED_SYLLABLES = 2
"""A damaged name must keep at least its last two syllables (the middle and given names)
before a body mention may complete it: one given name alone is shared by too many people."""

MAX_NAME_SYLLABLES = 4
"""Syllables of a full name the body mentions (`Nguyễn Thị Minh Khai`): family, middle,
given; five-syllable names are rare enough that a fifth capital is the next phrase."""

MAX_DAMAGED_WORDS = 2
"""At most the first two words of a signature line may be OCR damage (`lowfg Văn Thuân`)."""


_HONORIFICS = {h.capitalize() for h in HONORIFICS if " " not in h}
"""`Ông`, `Bà` before a name in running text (`Ông Hoàng Văn Thuân`): `Ông` is also a family
name, so a run that opens with one is read from the next word."""

_WORD_EDGE = ".,:;()“”\"'"


def people_in(text: str) -> list[str]:
    """Full names the text mentions (`Ông: Hoàng Văn Thuân - Trưởng đoàn` → `Hoàng Văn
    Thuân`): three or four capitalised syllables that open with a common family name, not
    broken by punctuation."""
    found: list[str] = []
    for line in nfc(text).split("\n"):
        tokens = line.split()
        i = 0
        while i < len(tokens):
            run: list[str] = []
            for token in tokens[i : i + MAX_NAME_SYLLABLES]:
                word = token.strip(_WORD_EDGE)
                opens = token.lstrip(_WORD_EDGE) != token  # `(Nguyễn`: a new phrase
                if not is_name_syllable(word) or (not run and word in _HONORIFICS):
                    break
                if run and opens:
                    break
                run.append(word)
                if token.rstrip(_WORD_EDGE) != token:
                    break  # `Thuân,`: the name ends here
            if len(run) >= 3 and run[0] in SURNAMES:
                found.append(" ".join(run))
                i += len(run)
            else:
                i += 1
    return found


def complete_from_people(line: str, people: list[str]) -> str | None:
    """The one person of `people` whose last syllables are the clean end of `line`.

    `lowfg Văn Thuân` with `Hoàng Văn Thuân` named in the body → `Hoàng Văn Thuân`: the seal
    or the signature took the family name, the body names the signer in full.  The line's
    clean end must be at least `MIN_MATCHED_SYLLABLES` name syllables after at most
    `MAX_DAMAGED_WORDS` damaged words, and exactly one distinct person must fit.
    """
    words = nfc(line).strip(_EDGE_JUNK).split()
    clean: list[str] = []
    for word in reversed(words):
        if not is_name_syllable(word):
            break
        clean.insert(0, word)
    damaged = len(words) - len(clean)
    if len(clean) < MIN_MATCHED_SYLLABLES or not 1 <= damaged <= MAX_DAMAGED_WORDS:
        return None
    fits = {p for p in people if p.split()[-len(clean) :] == clean and len(p.split()) > len(clean)}
    return fits.pop() if len(fits) == 1 else None
