"""The body tree: numbering markers and the nesting they imply.

Body tree conventions (`Section.ref` is the path of markers joined by dots):

- `Phần I` / `PHẦN THỨ NHẤT` → marker `P1`; a decision's or regulation's `Chương II` →
  `C2`; roman `II.` → `II`; `Điều 2.` → `Đ2`; `1.` → `1`; `1.2.` under `1` → `…1.2` (the
  sub-number's last component is appended); `a)` → `a`;
- bullets are numbered among their siblings: the second `-` bullet under `II.1.a` is
  `II.1.a.-2`, a `+` bullet under it `II.1.a.-2.+1`.

Lines without a marker continue the current item: wrapped lines are joined into the
paragraph they belong to (`heading` for the marker's paragraph, further paragraphs in
`text`).  Numbering is repaired from the sequence: an upper-case heading read as `1.` or
`IL.` where the sequence expects the next roman numeral becomes that numeral, and `¢)` is
read as `c)`.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from pipeline.document import Section
from pipeline.vietnamese import is_upper_line, skeleton
from pipeline.vocabulary import roman_numeral, roman_value

VN_LETTERS = "abcdđeghiklmnopqrstuvxy"
"""Vietnamese list-letter order (no f, j, w, z)."""

_PART_WORDS = {
    "nhat": 1,
    "hai": 2,
    "ba": 3,
    "tu": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "muoi": 10,
}

_PART = re.compile(
    r"^(?:PHẦN|Phần)\s+(?P<m>THỨ\s+\w+|Thứ\s+\w+|[IVXLC]+|\d+)\s*[.:\-–]?\s*(?P<h>.*)$"
)
_CHAPTER = re.compile(r"^(?:CHƯƠNG|Chương)\s+(?P<m>[IVXLC]+|\d{1,2})\s*[.:\-–]?\s*(?P<h>.*)$")
_ARTICLE = re.compile(r"^Điều\s+(?P<m>\d{1,3})\s*[.:]\s*(?P<h>.*)$")
_ROMAN_AS_H = re.compile(r"^H\s*[.)]\s*(?P<h>\S.*)$")
"""`H. NỘI DUNG KẾ HOẠCH`: `II.` as OCR reads it (only with a heading in capitals)."""
_ROMAN_MARK = re.compile(r"^(?P<m>[IVXLl1|]{1,5})\s*[.)/:]\s*(?P<h>\S.*)$")
_SUBNUMBER = re.compile(r"^(?P<m>\d{1,2}(?:\.\d{1,2})+)\s*[.)]?\s+(?P<h>\S.*)$")
_NUMBER = re.compile(r"^(?P<m>\d{1,2})\s*[.)](?:\s+(?P<h>\S.*)|(?P<h2>[^\d\s./].*))$")
_LETTER = re.compile(r"^(?P<m>c¢|¢|[a-zđ])\s*(?:\)|/\.?|\.)\s*(?P<h>\S.*)$")
_BULLET = re.compile(r"^(?P<m>[-–—+•*])\s*(?P<h>\S.*)$")
TIME_HEADING = re.compile(
    r"^(?:(?:Từ|Trong)\s+)?(?:[Tt]háng|[Qq]uý|[Nn]ăm|[Đđ]ợt|[Tt]uần|\d+\s+tháng\s+(?:đầu|cuối))"
    r"\s+[\dIVX][^:.;]{0,40}:$"
    r"|^(?:Tháng|Quý)\s+(?:\d{1,2}|[IVX]{1,3})(?:\s*/\s*\d{4}|\s+năm\s+\d{4})?$"
)
"""An unnumbered line that only names a time and heads the items below it (`Tháng 3/2026:`,
`Quý II năm 2026:`, `Từ tháng 6 đến tháng 8/2026:`, a bare `Tháng 3/2026`)."""
TIME_HEADING_MAX_WORDS = 8
_STAR = re.compile(r"^\*+\s*")
"""Longer lines that open with `Tháng …` are sentences (`Tháng 3/2026: tổ chức …` is not)."""
PREAMBLE_OPENERS = re.compile(r"^(Căn cứ|Thực hiện|Theo đề nghị|Xét đề nghị|Để|Nhằm|Do )")
"""Words that open a preamble paragraph (and so end the title above it)."""
SENTENCE_END = (".", ";", ":", "!", "?", "./.", "/.")

_RANK = {
    "part": 0,
    "chapter": 0,
    "roman": 1,
    "article": 1,
    "number": 2,
    "letter": 6,
    "-": 7,
    "+": 8,
}

BODY_OPENING_KINDS = frozenset({"part", "chapter", "roman", "article", "number", "subnumber"})
"""Markers that can open the body tree after the preamble: a lettered item or a bullet
there still belongs to the preamble's own list (`Căn cứ: - Luật …`)."""


@dataclass
class Marker:
    """A numbering marker found at the start of a line."""

    kind: str
    """`part`, `chapter`, `article`, `roman`, `number`, `subnumber`, `letter` or `bullet`."""
    marker: str
    heading: str
    value: int = 0
    """Position in its sequence (roman 3 for `III`, letter 2 for `b`)."""

    @property
    def rank(self) -> int:
        """Nesting depth implied by the marker: a higher rank nests under a lower one."""
        if self.kind == "subnumber":
            return 2 + self.marker.count(".")
        if self.kind == "bullet":
            return _RANK["+" if self.marker == "+" else "-"]
        return _RANK[self.kind]


def parse_marker(line: str) -> Marker | None:
    """The numbering marker that opens `line`, read at face value (no sequence repair)."""
    text = line.strip()
    if m := _PART.match(text):
        token = m.group("m")
        value = _part_value(token)
        if value:
            return Marker("part", f"P{value}", m.group("h").strip(), value)
    if m := _CHAPTER.match(text):
        value = _part_value(m.group("m"))
        if value:
            return Marker("chapter", f"Chương {roman_numeral(value)}", m.group("h").strip(), value)
    if m := _ARTICLE.match(text):
        value = int(m.group("m"))
        return Marker("article", f"Điều {value}", m.group("h").strip(), value)
    if m := _ROMAN_MARK.match(text):
        token = m.group("m")
        if any(ch in "IVXL" for ch in token):
            return Marker("roman", token, m.group("h").strip(), roman_value(token))
    if (m := _ROMAN_AS_H.match(text)) and _is_upper_heading(m.group("h")):
        # OCR reads the two strokes of `II` as one `H`: a part heading in capitals.
        return Marker("roman", "H", m.group("h").strip(), 0)
    if m := _SUBNUMBER.match(text):
        return Marker("subnumber", m.group("m"), m.group("h").strip())
    if m := _NUMBER.match(text):
        heading = (m.group("h") or m.group("h2") or "").strip()
        return Marker("number", m.group("m"), heading, int(m.group("m")))
    if m := _LETTER.match(text):
        letter = "c" if "¢" in m.group("m") else m.group("m")
        if letter in VN_LETTERS:
            return Marker("letter", letter, m.group("h").strip(), VN_LETTERS.index(letter) + 1)
    if m := _BULLET.match(text):
        mark = "+" if m.group("m") == "+" else "-"
        return Marker("bullet", mark, m.group("h").strip())
    return None


def _part_value(token: str) -> int:
    if token.isdigit():
        return int(token)
    if roman_value(token):
        return roman_value(token)
    word = skeleton(token).split()[-1]
    return _PART_WORDS.get(word, 0)


@dataclass
class _Node:
    kind: str
    marker: str
    ref: str
    line: int
    rank: float
    paragraphs: list[str]
    value: int = 0
    children: list[_Node] = field(default_factory=list)

    def to_section(self) -> Section:
        kind = "number" if self.kind == "number" else self.kind
        return Section(
            ref=self.ref,
            marker=self.marker,
            kind=kind,  # type: ignore[arg-type]
            heading=self.paragraphs[0] if self.paragraphs else "",
            text="\n".join(p for p in self.paragraphs[1:] if p),
            line=self.line,
            children=[c.to_section() for c in self.children],
        )


def _wrap_width(lines: list[str]) -> float | None:
    """The line width of OCR-style wrapped text, or None when lines are paragraphs.

    Text that wraps paragraphs over several lines has many lines followed by a line that
    starts in lower case; text with one paragraph per line has almost none.
    """
    texts = [ln.strip() for ln in lines if ln.strip()]
    if len(texts) < 6:
        return None
    follow = sum(
        1
        for a, b in zip(texts, texts[1:], strict=False)
        if b[0].islower() and parse_marker(b) is None and not a.endswith(SENTENCE_END)
    )
    if follow / len(texts) < 0.12:
        return None
    return statistics.quantiles([len(t) for t in texts], n=10)[7]


def _is_upper_heading(text: str) -> bool:
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    return len(words) >= 2 and is_upper_line(text)


def is_time_heading(line: str) -> bool:
    """True for a time heading (`TIME_HEADING`): short, unnumbered, only a time; a star
    before it is a sub-heading mark, not a bullet (`* Quý III:`)."""
    text = _STAR.sub("", line.strip())
    return (
        len(text.split()) <= TIME_HEADING_MAX_WORDS
        and parse_marker(text) is None
        and TIME_HEADING.match(text) is not None
    )


def _next_rank(lines: list[str], start: int) -> float:
    """The rank of the first numbered line from `start` (a bullet's when there is none)."""
    for line in lines[start:]:
        if is_time_heading(line):
            continue
        mk = parse_marker(line)
        if mk is not None:
            return mk.rank
    return _RANK["-"]


class _TreeBuilder:
    """Builds the body tree line by line, repairing numbering from the sequence."""

    def __init__(self, wrap_width: float | None) -> None:
        self.roots: list[_Node] = []
        self.stack: list[_Node] = []
        self.refs: set[str] = set()
        self.last_roman = 0
        self.wrap_width = wrap_width
        self.blank_before = False
        self.previous_line = ""

    # markers -------------------------------------------------------------------------
    def _repair(self, mk: Marker) -> Marker:
        if mk.kind == "roman" and (mk.value == 0 or (mk.value > 1 and mk.value == self.last_roman)):
            # Glyphs that are not a valid numeral (`IL.`, `Il.`, `H.`), or the numeral just
            # used again (`III` read as `II`): trust the sequence.
            mk = Marker("roman", roman_numeral(self.last_roman + 1), mk.heading)
            mk.value = self.last_roman + 1
        elif mk.kind == "number" and self.last_roman and _is_upper_heading(mk.heading):
            parent = self._open_of_rank_below(_RANK["number"])
            siblings = [c for c in parent.children if c.kind == "number"] if parent else []
            lower_siblings = any(not _is_upper_heading(c.paragraphs[0]) for c in siblings)
            expected = (siblings[-1].value + 1) if siblings else 1
            if siblings and lower_siblings and mk.value != expected:
                # An upper-case heading read as `1.` after mixed-case items: the next part.
                value = self.last_roman + 1
                mk = Marker("roman", roman_numeral(value), mk.heading, value)
        elif mk.kind == "letter":
            parent = self._open_of_rank_below(_RANK["letter"])
            siblings = [c for c in parent.children if c.kind == "letter"] if parent else []
            if siblings and mk.value <= siblings[-1].value and mk.value != 1:
                value = siblings[-1].value + 1  # a repeated/misread letter: the next one
                if value <= len(VN_LETTERS):
                    mk = Marker("letter", VN_LETTERS[value - 1], mk.heading, value)
        return mk

    def _open_of_rank_below(self, rank: int) -> _Node | None:
        for node in reversed(self.stack):
            if node.rank < rank:
                return node
        return None

    def _accept_letter(self, mk: Marker) -> bool:
        """A letter marker only counts when it starts (`a`) or continues a sequence."""
        if mk.value == 1:
            return True
        parent = self._open_of_rank_below(_RANK["letter"])
        siblings = [c for c in parent.children if c.kind == "letter"] if parent else []
        return bool(siblings)

    def _is_wrapped_continuation(self, line: str, mk: Marker | None) -> bool:
        """A line that continues the previous line's paragraph (OCR wrapping)."""
        prev = self.previous_line
        if not prev:
            return False
        if self.blank_before:
            # Pages are joined by a blank line: a sentence the page break cut goes on in
            # lower case at the top of the next page (never a new item or paragraph).
            return mk is None and line[:1].islower() and not prev.endswith(SENTENCE_END)
        if mk is not None:
            # A bullet-looking dash that only continues a wrapped sentence (`Thi đua\n- Khen`).
            return (
                mk.kind == "bullet"
                and self.wrap_width is not None
                and not prev.endswith(SENTENCE_END)
                and len(prev) >= 0.8 * self.wrap_width
                and mk.heading[:1].isupper() is False
            )
        if line[:1].islower() or line[:1] in "(“\"'":
            return True
        if self.wrap_width is None:
            return False
        return not prev.endswith(SENTENCE_END) and len(prev) >= 0.7 * self.wrap_width

    # lines ---------------------------------------------------------------------------
    def add(self, index: int, raw: str) -> None:
        line = raw.strip()
        if not line:
            self.blank_before = True
            return
        mk = parse_marker(line)
        if mk is not None and mk.kind == "letter" and not self._accept_letter(mk):
            mk = None
        if mk is not None and self.stack and self._is_wrapped_continuation(line, mk):
            mk = None
        if mk is None:
            self._continue(line)
        else:
            self._open(self._repair(mk), index)
        self.previous_line = line
        self.blank_before = False

    def add_time_heading(self, index: int, line: str, items_rank: float) -> None:
        """Open a `period` node for `Tháng 3/2026:` just above the items that follow it.

        It closes the open items at or below that level (the previous month's bullets and
        the previous time heading) and nests under the numbered heading above (`1. Quý I`).
        """
        rank = items_rank - 0.5
        while self.stack and self.stack[-1].rank >= rank:
            self.stack.pop()
        parent = self.stack[-1] if self.stack else None
        siblings = parent.children if parent else self.roots
        segment = f"T{sum(1 for s in siblings if s.kind == 'period') + 1}"
        ref = f"{parent.ref}.{segment}" if parent else segment
        self.refs.add(ref)
        node = _Node("period", "", ref, index, rank, [line.strip()])
        siblings.append(node)
        self.stack.append(node)
        self.previous_line = line.strip()
        self.blank_before = False

    def _continue(self, line: str) -> None:
        if not self.stack:
            return
        node = self.stack[-1]
        if self._is_wrapped_continuation(line, None) and node.paragraphs:
            node.paragraphs[-1] = f"{node.paragraphs[-1]} {line}".strip()
        else:
            node.paragraphs.append(line)

    def _open(self, mk: Marker, index: int) -> None:
        rank = mk.rank
        while self.stack and self.stack[-1].rank >= rank:
            self.stack.pop()
        parent = self.stack[-1] if self.stack else None
        siblings = parent.children if parent else self.roots
        segment = mk.marker
        if mk.kind == "subnumber" and parent and mk.marker.startswith(parent.marker + "."):
            segment = mk.marker[len(parent.marker) + 1 :]
        elif mk.kind == "bullet":
            segment = f"{mk.marker}{sum(1 for s in siblings if s.marker == mk.marker) + 1}"
        elif mk.kind == "article":
            segment = f"Đ{mk.value}"
        elif mk.kind == "chapter":
            segment = f"C{mk.value}"
        ref = f"{parent.ref}.{segment}" if parent else segment
        base, n = ref, 2
        while ref in self.refs:  # a repeated marker; keep refs unique and stable
            ref, n = f"{base}_{n}", n + 1
        self.refs.add(ref)
        if mk.kind == "roman":
            self.last_roman = mk.value or self.last_roman + 1
        node = _Node(mk.kind, mk.marker, ref, index, rank, [mk.heading] if mk.heading else [])
        node.value = mk.value
        siblings.append(node)
        self.stack.append(node)


def build_tree(lines: list[str], first_line: int = 0) -> list[Section]:
    """The body tree of `lines` (numbered from `first_line` in the document body)."""
    builder = _TreeBuilder(_wrap_width(lines))
    for offset, line in enumerate(lines):
        if is_time_heading(line):
            builder.add_time_heading(first_line + offset, line, _next_rank(lines, offset + 1))
        else:
            builder.add(first_line + offset, line)
    return [node.to_section() for node in builder.roots]


def paragraphs(lines: list[str]) -> list[str]:
    """Lines grouped into paragraphs: wrapped lines joined, blank lines and sentence ends split."""
    out: list[str] = []
    current = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            if current:
                out.append(current)
            current = ""
            continue
        starts_new = (current.endswith(SENTENCE_END) and line[:1].isupper()) or bool(
            PREAMBLE_OPENERS.match(line) or is_upper_line(line) != is_upper_line(current)
        )
        if current and starts_new:
            out.append(current)
            current = line
        else:
            current = f"{current} {line}".strip()
    if current:
        out.append(current)
    return out
