"""Names of people and places in text read by Tesseract-vie keep the marks as read.

Checking the marks of OCR output (`Decoder.restore(accents=True)`) lets the language model
overrule a mark it finds unlikely in context.  For words that is right (`phân bố` read for
*phân bổ*), for a person's name it is not: a name is no phrase the model knows, so
`Đồng chí Giàng` came out `Giang` and a signer `Tống Thanh Hải` came out `Tổng`, while
Tesseract had read both right.  The syllables of a name found here are kept as read, and
still serve as context for their neighbours.

A person's name is a run of capitalised syllables, not broken by punctuation, that either
follows a word introducing a person (`vocabulary.HONORIFICS`: `đồng chí`, `Ông`) or opens
with a common family name and has at least `MIN_BARE_NAME` syllables (`Hà Nội`, two
syllables opening with the family name `Hà`, is no person).  A place's name is a run of
two or more capitalised syllables spelled exactly as a name of the administrative
gazetteer (`Văn Bàn`, which the model made `Văn Bản`).  A run right after a level word
(`vocabulary.ADMIN_LEVELS`: `tỉnh`, `xã` …) that differs from one gazetteer name by its
marks only, and from no other, takes that name's spelling (`tỉnh Lâm Đông` → `Lâm Đồng`):
the model's case statistics of a rare capital can outweigh its context there.  Without
the level word the letters say too little (`Bộ Công an` has the letters of a ward).

Text without marks and Tesseract-eng garble (`Decoder.restore`) get the same help for places
(`place_spellings`): a run after a level word whose letters are those of one gazetteer name
takes its spelling, and where places of several provinces share the letters (`phuong Cam
Duong`), the one in a province the document names takes it (`tinh Lao Cai`: *Cam Đường*,
not Hà Tĩnh's *Cẩm Dương*): a plan names its own province's wards again and again.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.gazetteer import place_names, province_names, provinces_of
from pipeline.vietnamese import is_syllable, nfc, skeleton
from pipeline.vocabulary import ADMIN_LEVEL_SK, ADMIN_LEVELS, HONORIFICS, SURNAMES

MIN_BARE_NAME = 3
"""Syllables a run needs to count as a name without an honorific before it: family,
middle and given name (`Tống Thanh Hải`); two capitals after a family name are as often
a place (`Hà Nội`, `Lâm Đồng`)."""
MAX_NAME = 4
"""Syllables of a full name (`Nguyễn Thị Minh Khai`); capitals beyond are the next phrase."""
MIN_PLACE = 2
"""Syllables a gazetteer name needs to be kept: one capital alone (`Tân`, `Hòa`) is as
often the first word of a sentence or a heading as a place."""

_TOKEN = re.compile(r"\S+")
_EDGE = ".,:;()“”\"'‘’"
_FAMILY = frozenset(SURNAMES)
_INTRODUCERS = tuple(tuple(h.split()) for h in HONORIFICS)
_LEVELS = tuple(tuple(level.split()) for level in ADMIN_LEVELS)
_LEVELS_BARE = tuple(tuple(level.split()) for level in ADMIN_LEVEL_SK)
_PROVINCE_LEVELS = (("tinh",), ("thanh", "pho"))
"""The level words before a province's or centrally-run city's name, without marks."""


def _words_pattern(phrases: tuple[tuple[str, ...], ...]) -> re.Pattern[str]:
    """A regex finding any of `phrases` as whole words, spaces between their words."""
    return re.compile(r"\b(?:" + "|".join(r"\s+".join(p) for p in phrases) + r")\b")


_LEVEL_WORD = _words_pattern(_LEVELS_BARE)
"""A quick test that a line without its marks has a level word at all."""
_PROVINCE_WORD = _words_pattern(_PROVINCE_LEVELS)


@lru_cache(maxsize=1)
def _places() -> frozenset[tuple[str, ...]]:
    """The gazetteer's names of `MIN_PLACE` to `MAX_NAME` syllables, as word tuples."""
    names = (tuple(nfc(name).split()) for name in place_names())
    return frozenset(n for n in names if MIN_PLACE <= len(n) <= MAX_NAME)


@lru_cache(maxsize=1)
def _places_by_skeleton() -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """The gazetteer's names by their syllables' skeletons (`(cam, duong)` → `Cam Đường`,
    `Cẩm Dương`)."""
    found: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for name in _places():
        found.setdefault(tuple(skeleton(w) for w in name), set()).add(name)
    return {key: tuple(sorted(names)) for key, names in found.items()}


@lru_cache(maxsize=1)
def _places_by_letters() -> dict[tuple[str, ...], tuple[str, ...] | None]:
    """The gazetteer's names by their syllables' skeletons; None where two names share
    them (`Cam Đường`, `Cẩm Dương`: the letters alone do not say which)."""
    return {
        key: names[0] if len(names) == 1 else None for key, names in _places_by_skeleton().items()
    }


def _name_syllable(word: str) -> bool:
    """A capitalised syllable (`Giàng`, `Hải`); the rest of the word in lower case.
    Lines are read as given (their columns are the decoder's): NFC, as OCR and ingest
    write text."""
    return (
        word.isalpha()
        and word[0].isupper()
        and (len(word) == 1 or word[1:].islower())
        and is_syllable(word)
    )


def _introduced(words: list[str], i: int, phrases=_INTRODUCERS) -> bool:
    """Whether the words before position `i` end with one of `phrases` (by default the
    honorifics: `đồng chí`, `Ông`), in any case."""
    for phrase in phrases:
        before = words[max(0, i - len(phrase)) : i]
        if len(before) == len(phrase) and [w.lower() for w in before] == list(phrase):
            return True
    return False


def name_spellings(line: str) -> dict[int, str]:
    """The names of one line as {column of a syllable: how to write it}: the syllables of
    `name_spans` as written, and of a place misread in its marks as the gazetteer spells it.

    Example:
        >>> name_spellings("tỉnh Lâm Đông và Văn Bàn, Bộ Công an")
        {5: 'Lâm', 9: 'Đồng', 17: 'Văn', 21: 'Bàn'}
    """
    spellings = {start: line[start:end] for start, end in name_spans(line)}
    tokens = [(m.start(), m.group(0)) for m in _TOKEN.finditer(line)]
    words = [token.strip(_EDGE) for _, token in tokens]
    by_letters = _places_by_letters()
    i = 0
    while i < len(tokens):
        run = _capitals(tokens, i) if _introduced(words, i, _LEVELS) else []
        place = None
        for end in range(len(run), MIN_PLACE - 1, -1):
            read = tuple(word for _, word in run[:end])
            place = by_letters.get(tuple(skeleton(w) for w in read))
            if place is not None and place != read:
                break
            place = None
        if place is None or any(start in spellings for start, _ in run[: len(place)]):
            i += 1
            continue
        for (start, _), syllable in zip(run, place, strict=False):
            spellings[start] = syllable
        i += len(place)
    return dict(sorted(spellings.items()))


def _capitals(tokens: list[tuple[int, str]], i: int) -> list[tuple[int, str]]:
    """(column, word) of the capitalised syllables from token `i` on, at most `MAX_NAME`,
    not broken by punctuation (a comma after a word ends the run there)."""
    run: list[tuple[int, str]] = []
    for start, token in tokens[i : i + MAX_NAME]:
        word = token.strip(_EDGE)
        if not _name_syllable(word) or (run and token.lstrip(_EDGE) != token):
            break
        run.append((start + len(token) - len(token.lstrip(_EDGE)), word))
        if token.rstrip(_EDGE) != token:
            break
    return run


def name_spans(line: str) -> list[tuple[int, int]]:
    """Character spans of the syllables of people's and places' names in one line.

    Example:
        >>> line = "Giao đồng chí Giàng Seo Phử chủ trì"
        >>> [line[a:b] for a, b in name_spans(line)]
        ['Giàng', 'Seo', 'Phử']
        >>> line = "huyện Văn Bàn, thành phố Hà Nôi"
        >>> [line[a:b] for a, b in name_spans(line)]
        ['Văn', 'Bàn']
    """
    tokens = [(m.start(), m.group(0)) for m in _TOKEN.finditer(line)]
    words = [token.strip(_EDGE) for _, token in tokens]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        run = _capitals(tokens, i)
        if run and run[0][1].lower() in HONORIFICS:
            run = []  # `Ông Hoàng …`: the name is read from the next word
        if run and not _person(words, i, len(run)):
            run = run[: _place(run)]
        if run:
            spans.extend((start, start + len(word)) for start, word in run)
            i += len(run)
        else:
            i += 1
    return spans


def _person(words: list[str], i: int, length: int) -> bool:
    """Whether the `length` capitals from word `i` on are a person's name (see the
    module's docstring)."""
    return _introduced(words, i) or (length >= MIN_BARE_NAME and words[i] in _FAMILY)


def _place(run: list[tuple[int, str]]) -> int:
    """How many of the opening syllables of `run` are spelled as a gazetteer name; 0
    for none (the longest such name counts)."""
    places = _places()
    for end in range(len(run), MIN_PLACE - 1, -1):
        if tuple(word for _, word in run[:end]) in places:
            return end
    return 0


def place_spellings(lines: list[str]) -> dict[tuple[int, int], str]:
    """For text without its marks, or garbled: the places named after a level word (`xa
    Tan Lap`), as the gazetteer spells them, where the letters leave one name.  When places
    of several provinces share the letters (`Cam Duong`: *Cam Đường* of Lào Cai, *Cẩm
    Dương* of Hà Tĩnh), the one in a province the document names (`tinh Lao Cai`) is
    taken; with none or several there, the language model decides.  {(line, column of a
    syllable): syllable}.

    Example:
        >>> place_spellings(["UBND tinh Lao Cai", "phuong Cam Duong"])[1, 7]
        'Cam'
    """
    bare_lines = [skeleton(line) for line in lines]
    provinces = _provinces_named(bare_lines)
    homes = provinces_of()
    by_skeleton = _places_by_skeleton()
    found: dict[tuple[int, int], str] = {}
    for n, (line, bare_line) in enumerate(zip(lines, bare_lines, strict=True)):
        if not _LEVEL_WORD.search(bare_line):
            continue  # most lines name no place: skip them cheaply
        tokens = [(m.start(), m.group(0)) for m in _TOKEN.finditer(line)]
        bare = _bare_words(bare_line)
        if len(tokens) != len(bare):
            continue  # a token of marks alone: the words' positions would not match
        starts = _after(bare, _LEVELS_BARE)
        i = 0
        while i < len(tokens):
            run = _capitals(tokens, i) if i in starts else []
            place = None
            for end in range(len(run), MIN_PLACE - 1, -1):
                names = by_skeleton.get(tuple(skeleton(w) for _, w in run[:end]))
                if names:
                    local = [name for name in names if homes.get(" ".join(name), set()) & provinces]
                    place = names[0] if len(names) == 1 else local[0] if len(local) == 1 else None
                    break
            if place is None:
                i += 1
                continue
            for (start, _), syllable in zip(run, place, strict=False):
                found[n, start] = syllable
            i += len(place)
    return found


def _bare_words(bare_line: str) -> list[str]:
    """The words of a line without marks (`skeleton`), punctuation at their edges dropped:
    one per token of the line as written."""
    return [token.strip(_EDGE) for token in bare_line.split()]


def _after(bare: list[str], phrases: tuple[tuple[str, ...], ...]) -> set[int]:
    """The indices of the words `bare` (`_bare_words`) that follow one of `phrases`: the
    check of `_introduced`, made only where the word before ends a phrase."""
    lasts = {phrase[-1] for phrase in phrases}
    return {
        i for i in range(1, len(bare)) if bare[i - 1] in lasts and _introduced(bare, i, phrases)
    }


def document_provinces(lines: list[str]) -> frozenset[str]:
    """The provinces a text names after `tỉnh` or `thành phố`, marks or none, in any case
    (`UBND TINH LAO CAI`, `thành phố Hà Nội`)."""
    return _provinces_named([skeleton(line) for line in lines])


@lru_cache(maxsize=1)
def _provinces_by_skeleton() -> dict[tuple[str, ...], str]:
    """The provinces by the words of their names without marks (`(lao, cai)` → `Lào Cai`)."""
    return {tuple(skeleton(p).split()): p for p in province_names()}


def _provinces_named(bare_lines: list[str]) -> frozenset[str]:
    """`document_provinces` of lines already without their marks (`skeleton`)."""
    by_bare = _provinces_by_skeleton()
    longest = max((len(key) for key in by_bare), default=0)
    found = set()
    for bare_line in bare_lines:
        if not _PROVINCE_WORD.search(bare_line):
            continue
        bare = _bare_words(bare_line)
        for i in _after(bare, _PROVINCE_LEVELS):
            for end in range(min(len(bare), i + longest), i, -1):
                if tuple(bare[i:end]) in by_bare:
                    found.add(by_bare[tuple(bare[i:end])])
                    break
    return frozenset(found)
