"""The syllable lexicon: which accented syllables share a skeleton, and the abbreviations.

`tang` may be tang, táng, tăng, tầng, tặng…: the candidates for a diacritic-less syllable
are every lexicon syllable with its skeleton.  For OCR garble, `neighbours` finds skeletons
within a small edit distance through a deletion index (SymSpell's trick), so a look-up
costs a few dictionary probes instead of a scan of the lexicon.
"""

from __future__ import annotations

from collections import defaultdict

from pipeline.vietnamese import canonical_syllable, is_syllable, skeleton, word_skeleton

ABBREVIATIONS = frozenset(
    """
    UBND HĐND MTTQ MTTQVN TĐKT BCH BTV BCĐ BQL CAND QĐND QLNN KT-XH KTXH NQ QĐ CT TW TU KH
    TB BC CV TT NĐ CP QH TTg BNV BTC BKHĐT VPCP TAND VKSND THCS THPT UBMTTQ UBMTTQVN CCHC
    CNTT CĐS ĐTN ĐVTN LĐLĐ HLHPN HCCB HND CCB KHCN GD-ĐT GDĐT LĐTBXH TN-MT TNMT VHXH VH-XH
    VH-TT-DL VHTTDL NN-PTNT NNPTNT KT-HT QLDA BHXH BHYT BHTN ATGT ATTP PCCC PCTT TKCN HĐTĐKT
    ANTT ANQP QP-AN HTX DNNVV KCN CCN OCOP TP TX TT.
    KH&CN KH&ĐT GD&ĐT TN&MT NN&PTNT NN&MT TT&TT LĐ-TB&XH VHTT&DL
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
    return _ABBREVIATION_BY_SKELETON.get(word_skeleton(token).upper())


_EXPANSIONS = {
    "UBND": "ủy ban nhân dân",
    "HĐND": "hội đồng nhân dân",
    "MTTQ": "mặt trận tổ quốc",
    "MTTQVN": "mặt trận tổ quốc việt nam",
    "UBMTTQ": "ủy ban mặt trận tổ quốc",
    "UBMTTQVN": "ủy ban mặt trận tổ quốc việt nam",
    "TĐKT": "thi đua khen thưởng",
    "HĐTĐKT": "hội đồng thi đua khen thưởng",
    "BCH": "ban chấp hành",
    "BTV": "ban thường vụ",
    "BCĐ": "ban chỉ đạo",
    "BQL": "ban quản lý",
    "CAND": "công an nhân dân",
    "QĐND": "quân đội nhân dân",
    "TAND": "tòa án nhân dân",
    "VKSND": "viện kiểm sát nhân dân",
    "QLNN": "quản lý nhà nước",
    "KTXH": "kinh tế xã hội",
    "NQ": "nghị quyết",
    "QĐ": "quyết định",
    "CT": "chỉ thị",
    "TW": "trung ương",
    "KH": "kế hoạch",
    "TB": "thông báo",
    "BC": "báo cáo",
    "CV": "công văn",
    "NĐ": "nghị định",
    "CP": "chính phủ",
    "QH": "quốc hội",
    "TTg": "thủ tướng",
    "BNV": "bộ nội vụ",
    "BTC": "bộ tài chính",
    "VPCP": "văn phòng chính phủ",
    "THCS": "trung học cơ sở",
    "THPT": "trung học phổ thông",
    "CCHC": "cải cách hành chính",
    "CNTT": "công nghệ thông tin",
    "CĐS": "chuyển đổi số",
    "ĐTN": "đoàn thanh niên",
    "ĐVTN": "đoàn viên thanh niên",
    "LĐLĐ": "liên đoàn lao động",
    "HLHPN": "hội liên hiệp phụ nữ",
    "HCCB": "hội cựu chiến binh",
    "HND": "hội nông dân",
    "CCB": "cựu chiến binh",
    "KHCN": "khoa học công nghệ",
    "GDĐT": "giáo dục đào tạo",
    "TNMT": "tài nguyên môi trường",
    "VHXH": "văn hóa xã hội",
    "QLDA": "quản lý dự án",
    "BHXH": "bảo hiểm xã hội",
    "BHYT": "bảo hiểm y tế",
    "BHTN": "bảo hiểm thất nghiệp",
    "ATGT": "an toàn giao thông",
    "ATTP": "an toàn thực phẩm",
    "PCCC": "phòng cháy chữa cháy",
    "PCTT": "phòng chống thiên tai",
    "TKCN": "tìm kiếm cứu nạn",
    "ANTT": "an ninh trật tự",
    "ANQP": "an ninh quốc phòng",
    "HTX": "hợp tác xã",
    "KCN": "khu công nghiệp",
    "CCN": "cụm công nghiệp",
    "TP": "thành phố",
    "TX": "thị xã",
    # Department names joined by `&` (`Sở KH&CN`): one token, read as the whole name.
    "KH&CN": "khoa học và công nghệ",
    "KH&ĐT": "kế hoạch và đầu tư",
    "GD&ĐT": "giáo dục và đào tạo",
    "TN&MT": "tài nguyên và môi trường",
    "NN&PTNT": "nông nghiệp và phát triển nông thôn",
    "NN&MT": "nông nghiệp và môi trường",
    "TT&TT": "thông tin và truyền thông",
    "LĐ-TB&XH": "lao động thương binh và xã hội",
    "VHTT&DL": "văn hóa thể thao và du lịch",
}
"""What an abbreviation reads as: the LM sees `UBND tỉnh` as `ủy ban nhân dân tỉnh`, the
context a plan's text spells out as often as it abbreviates.  Ambiguous ones (`TT`:
thông tư or thị trấn) have none and are `<unk>` to the LM."""


def joined_abbreviation(token: str) -> str | None:
    """A department name joined by `&` (`KH&CN`, `GD&DT` → `GD&ĐT`), else None.  Training
    and decoding both read such a token as one abbreviation, never as its pieces."""
    return abbreviation(token) if "&" in token else None


def expansion(abbr: str) -> tuple[str, ...]:
    """The syllables an abbreviation stands for (canonical tones), or () when unknown."""
    return tuple(canonical_syllable(w) for w in _EXPANSIONS.get(abbr, "").split())


def _deletes(word: str, depth: int) -> set[str]:
    """`word` with up to `depth` characters deleted (one deletion at a time, so each string
    is made once however many ways lead to it)."""
    out = {word}
    layer = {word}
    for _ in range(min(depth, len(word))):
        layer = {w[:i] + w[i + 1 :] for w in layer for i in range(len(w))}
        out |= layer
    return out


class Lexicon:
    """Syllables by skeleton, and a deletion index over skeletons for near misses."""

    def __init__(self, vocab: list[str], first_word: int, max_distance: int = 2) -> None:
        """Index `vocab[first_word:]` (lower-case, canonical tones)."""
        self.by_skeleton: dict[str, list[int]] = defaultdict(list)
        for i in range(first_word, len(vocab)):
            if not vocab[i][:1].isalpha():
                continue  # `,` is a context token, never a candidate
            self.by_skeleton[skeleton(vocab[i])].append(i)
        self.max_distance = max_distance
        self._deletion_index: dict[str, list[str]] | None = None
        self._neighbours: dict[tuple[str, int], frozenset[str]] = {}

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

    def neighbours(self, skel: str, distance: int) -> frozenset[str]:
        """Lexicon skeletons within `distance` deletions-on-both-sides of `skel` (memoised:
        the readings of different garbled tokens overlap)."""
        cached = self._neighbours.get((skel, distance))
        if cached is not None:
            return cached
        index = self._index()
        found: set[str] = set()
        for d in _deletes(skel, min(distance, self.max_distance)):
            for cand in index.get(d, ()):
                if abs(len(cand) - len(skel)) <= distance:
                    found.add(cand)
        if len(self._neighbours) > 100_000:
            self._neighbours.clear()  # bound the memory of very long inputs
        cached = self._neighbours[(skel, distance)] = frozenset(found)
        return cached
