"""Is this text Vietnamese at all?  A cheap check that runs after OCR and restoration.

vnplan is built for Vietnamese documents; an English report fed to it would come out as
an `ok` document with empty metadata, which hides the mistake.  `check_language` turns
that into a clear `NotVietnameseError` instead.

The check must accept garbled OCR and diacritic-less text (the Cát Hải sample reads
`Thuc hién Chi thi sb 41-CT/TW ngay 26/12/2024 ctia B Chinh tri`), so it does not rely
on diacritics alone: it compares very common Vietnamese syllables (compared without
marks) with very common English function words.  Words that are both (`to` = tổ,
`the` = thế, `an`, `at`, `it`) are in neither list.
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.config import Config
from pipeline.document import Document
from pipeline.errors import NotVietnameseError

MIN_WORDS = 20
"""Below this many words there is too little to judge: the text is accepted."""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ENGLISH = _words(
    """the and of is are for that with this be by as from or was were which will have has not
    would their been these those into such shall should"""
)
_VIETNAMESE = _words(
    """cua va cac cong tac thuc hien nam ke hoach nhan dan uy ban thanh pho tinh huyen xa
    trien khai nhiem vu theo doi chuc thi quyet dinh so ngay thang nay nhu sau duoc trong
    voi cho tren ve de nhung mot hoc dua khen thuong quan ly bao cao tai nghi chinh phu
    cau phat kinh te hoi nguoi truong bo nganh don vi dia phuong"""
)
# Letters and marks that only Vietnamese uses among Latin-script languages vnplan meets.
_VIET_LETTERS = frozenset("ăâđêôơưĂÂĐÊÔƠƯ")
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_WORD = re.compile(r"[^\W\d_]+")


def _skeleton(word: str) -> str:
    """Lower case without diacritics (`Thường` → `thuong`, `đ` → `d`)."""
    decomposed = unicodedata.normalize("NFD", word.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _is_marked(word: str) -> bool:
    if any(c in _VIET_LETTERS for c in word):
        return True
    return any(c in _TONE_MARKS for c in unicodedata.normalize("NFD", word))


def looks_vietnamese(text: str) -> bool:
    """False only when the text is clearly in another language (English, in practice).

    Args:
        text: The document body (any spelling, garbled or not).
    """
    words = _WORD.findall(text)
    if len(words) < MIN_WORDS:
        return True
    if sum(map(_is_marked, words)) / len(words) >= 0.15:
        return True  # ordinary Vietnamese prose has diacritics on most words
    skeletons = [_skeleton(w) for w in words]
    vietnamese = sum(s in _VIETNAMESE for s in skeletons)
    english = sum(s in _ENGLISH for s in skeletons)
    # English prose has ~25 % function words from the list; demand a clear majority.
    return not (english >= 0.08 * len(words) and english > 2 * vietnamese)


def check_language(doc: Document, config: Config) -> Document:
    """Stage: refuse a document whose text is clearly not Vietnamese.

    Meant to run after `ocr` and `restore` (so scans are judged on their text) and before
    `segment`.  A document with no text is left to the other stages.
    """
    if doc.text.body.strip() and not looks_vietnamese(doc.text.body):
        raise NotVietnameseError("the text does not look like Vietnamese")
    return doc
