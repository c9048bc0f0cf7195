"""The syllable lexicon: which accented syllables share a skeleton, and the abbreviations.

`tang` may be tang, táng, tăng, tầng, tặng…: the candidates for a diacritic-less syllable
are every lexicon syllable with its skeleton.  For OCR garble, `neighbours` finds skeletons
within a small edit distance through a deletion index (SymSpell's trick), so a look-up
costs a few dictionary probes instead of a scan of the lexicon.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

from pipeline.normalize import skeleton
from pipeline.restore.syllables import is_syllable

ABBREVIATIONS = frozenset(
    """
    UBND HĐND MTTQ MTTQVN TĐKT BCH BTV BCĐ BQL CAND QĐND QLNN KT-XH KTXH NQ QĐ CT TW TU KH
    TB BC CV TT ND NĐ CP QH TTg BNV BTC BKHĐT VPCP TAND VKSND THCS THPT UBMTTQ UBMTTQVN CCHC
    CNTT CĐS ĐTN ĐVTN LĐLĐ HLHPN HCCB HND CCB KHCN GD-ĐT GDĐT LĐTBXH TN-MT TNMT VHXH VH-XH
    VH-TT-DL VHTTDL NN-PTNT NNPTNT KT-HT QLDA BHXH BHYT BHTN ATGT ATTP PCCC PCTT TKCN HĐTĐKT
    ANTT ANQP QP-AN HTX DNNVV KCN CCN OCOP TP TX TT.
    """.split()  # noqa: SIM905 - a word list reads best as text
)
"""Upper-case abbreviations of administrative text; kept as written, and restored from
their diacritic-less form (`HDND` → `HĐND`)."""

# Entries that are also syllables (`TU` could be a stripped `TỪ`) are left to the model.
_ABBREVIATION_BY_SKELETON = {
    skeleton(a).upper(): a for a in ABBREVIATIONS if not is_syllable(a.replace(".", ""))
}


def abbreviation(token: str) -> str | None:
    """The abbreviation a token stands for (`HDND` → `HĐND`, `UBND` → `UBND`), else None."""
    if len(token) < 2 or not token.isupper():
        return None
    return _ABBREVIATION_BY_SKELETON.get(skeleton(token).upper())


def _deletes(word: str, depth: int) -> set[str]:
    out = {word}
    for k in range(1, min(depth, len(word)) + 1):
        for drop in combinations(range(len(word)), k):
            out.add("".join(ch for i, ch in enumerate(word) if i not in drop))
    return out


class Lexicon:
    """Syllables by skeleton, and a deletion index over skeletons for near misses."""

    def __init__(self, vocab: list[str], first_word: int, max_distance: int = 2) -> None:
        """Index `vocab[first_word:]` (lower-case, canonical tones)."""
        self.by_skeleton: dict[str, list[int]] = defaultdict(list)
        for i in range(first_word, len(vocab)):
            self.by_skeleton[skeleton(vocab[i])].append(i)
        self.max_distance = max_distance
        self._deletion_index: dict[str, list[str]] | None = None

    def same_skeleton(self, skel: str) -> list[int]:
        """Ids of syllables whose skeleton is `skel`."""
        return self.by_skeleton.get(skel, [])

    def _index(self) -> dict[str, list[str]]:
        # Built on first use: only garbled text needs it.
        if self._deletion_index is None:
            index: dict[str, list[str]] = defaultdict(list)
            for skel in self.by_skeleton:
                for d in _deletes(skel, self.max_distance):
                    index[d].append(skel)
            self._deletion_index = dict(index)
        return self._deletion_index

    def neighbours(self, skel: str, distance: int) -> set[str]:
        """Lexicon skeletons within `distance` deletions-on-both-sides of `skel`."""
        index = self._index()
        found: set[str] = set()
        for d in _deletes(skel, min(distance, self.max_distance)):
            for cand in index.get(d, ()):
                if abs(len(cand) - len(skel)) <= distance:
                    found.add(cand)
        return found
