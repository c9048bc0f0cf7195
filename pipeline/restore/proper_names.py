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
gazetteer (`Văn Bàn`, which the model made `Văn Bản`); a misread one (`Hà Nôi`) matches
none and has its marks checked like any word.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.gazetteer import place_names
from pipeline.vietnamese import is_syllable, nfc
from pipeline.vocabulary import HONORIFICS, SURNAMES

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


@lru_cache(maxsize=1)
def _places() -> frozenset[tuple[str, ...]]:
    """The gazetteer's names of `MIN_PLACE` to `MAX_NAME` syllables, as word tuples."""
    names = (tuple(nfc(name).split()) for name in place_names())
    return frozenset(n for n in names if MIN_PLACE <= len(n) <= MAX_NAME)


def _name_syllable(word: str) -> bool:
    """A capitalised syllable (`Giàng`, `Hải`); the rest of the word in lower case."""
    return (
        word.isalpha()
        and word[0].isupper()
        and (len(word) == 1 or word[1:].islower())
        and is_syllable(word)
    )


def _introduced(words: list[str], i: int) -> bool:
    """Whether the words before position `i` end with an honorific (`đồng chí`, `Ông`)."""
    for phrase in _INTRODUCERS:
        before = words[max(0, i - len(phrase)) : i]
        if len(before) == len(phrase) and [w.lower() for w in before] == list(phrase):
            return True
    return False


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
    line = nfc(line)
    tokens = [(m.start(), m.group(0)) for m in _TOKEN.finditer(line)]
    words = [token.strip(_EDGE) for _, token in tokens]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        run: list[int] = []
        for k in range(i, min(i + MAX_NAME, len(tokens))):
            token, word = tokens[k][1], words[k]
            if not _name_syllable(word) or (run and token.lstrip(_EDGE) != token):
                break
            if not run and word.lower() in HONORIFICS:
                break  # `Ông Hoàng …`: the name is read from the next word
            run.append(k)
            if token.rstrip(_EDGE) != token:
                break  # `Thuân,`: the name ends here
        if run and not _person(words, run):
            run = _place(words, run)
        if run:
            for k in run:
                start = tokens[k][0] + len(tokens[k][1]) - len(tokens[k][1].lstrip(_EDGE))
                spans.append((start, start + len(words[k])))
            i = run[-1] + 1
        else:
            i += 1
    return spans


def _person(words: list[str], run: list[int]) -> bool:
    """Whether the capitals at `run` are a person's name (see the module's docstring)."""
    return _introduced(words, run[0]) or (len(run) >= MIN_BARE_NAME and words[run[0]] in _FAMILY)


def _place(words: list[str], run: list[int]) -> list[int]:
    """The longest opening part of `run` spelled as a gazetteer name; [] for none."""
    places = _places()
    for end in range(len(run), MIN_PLACE - 1, -1):
        if tuple(words[k] for k in run[:end]) in places:
            return run[:end]
    return []
