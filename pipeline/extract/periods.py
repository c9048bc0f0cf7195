"""Time spans named in plan text: quarters, months, half-years, school years, ranges.

The parser works in two passes.  First it finds *atoms*, the smallest phrases that name
a time (`Quý I năm 2026`, `tháng 3`, `ngày 31/3/2026`, `năm 2026`, `Thường xuyên`), some
of which still lack a year.  Then it reads the words around them: `từ A đến (hết) B`
makes one span, `trước`/`đến hết` an end-only deadline, `từ A` a start-only span,
`… và các năm tiếp theo` an open end.  A year left out of an atom is taken from the
other end of its range, then from `default_year` (the document's year), else the atom
is dropped.  Runs share a year: `Quý I, II năm 2026`, `tháng 10 - 12/2025`.

`schedule_period` reads only what follows a `Thời gian thực hiện:`-style cue, for callers
that must not mistake a date in a task's wording for its schedule.

Conventions (documented because the text does not settle them):

* A deadline keeps the named day: `trước ngày 31/3/2026` ends on 2026-03-31.  A deadline
  before a coarser period ends the day before it starts: `trước Quý III/2026` ends on
  2026-06-30, while `đến hết Quý III/2026` ends on 2026-09-30.
* `năm học 2025 - 2026` runs from 1 September 2025 to 31 May 2026 (the school calendar set
  each year by the Ministry of Education starts in early September and ends the teaching
  year by the end of May).
* A lone date is not a period in `find_periods` (it is a date mention), but
  `parse_period` on a phrase that is only a date returns that one day.
* `chi thường xuyên` (recurrent spending) is a budget term, not a schedule: skipped, and
  so is the year in a law's name (`Luật Thi đua, khen thưởng năm 2022`).
* `trước ngày 01/6 hằng năm` (a yearly deadline without a year) gets `default_year`; the
  label `hằng năm` that follows is returned too.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import NamedTuple

from pipeline.document import Period
from pipeline.extract.dates import MAX_YEAR, MIN_YEAR, NAM, NGAY, THANG, iter_dates, make_date
from pipeline.extract.legal_refs import law_name_spans
from pipeline.vocabulary import roman_value

__all__ = [
    "LABELS",
    "find_periods",
    "own_period",
    "parse_period",
    "quarter_bounds",
    "schedule_period",
]


def _quarter_number(numeral: str) -> int:
    """1-4 from a quarter numeral as written or as OCR misread it (`Il` → 2, `I'V` → 4)."""
    if numeral.isdigit():
        return int(numeral)
    return roman_value(numeral, ocr=True)


_WORD_NUMBERS = {"ba": 3, "sáu": 6, "chín": 9}

LABELS = (
    "thường xuyên",
    "hằng năm",
    "hàng năm",
    "hằng quý",
    "hàng quý",
    "hằng tháng",
    "hàng tháng",
    "định kỳ",
    "theo tiến độ",
)
"""Schedules without dates, kept as labels."""

_Y = r"(?P<y>\d{4})"
# A year attached to a quarter or month: `năm 2026`, `/2026`, `-2026`, `, năm 2026`.
_YEAR_TAIL = rf"(?:\s*(?:,\s*)?(?:{NAM}\s*|[/\-–]\s*){_Y}(?!\d))?"
# `Quý I, II năm 2026`, `quý III-IV/2026`, `tháng 10 - 12/2025`: a run of quarters or
# months shares one year.  (`đến` is left to the range pass, which also reads `từ`.)
_AND = r"\s*(?:,|-|–|và|&)\s*"
# Quarter numerals, tolerant of OCR: `I` read as `l`, `1`, `|` or `!`, and a stray
# apostrophe inside `IV` (`Quý Il`, `Quý I'V`, `Quý 1V`).
_Q = r"[il1|!]?['’]?v|[il1|!]{1,3}|[2-4]"
_QUARTER = re.compile(
    rf"\bqu[ýíyi]\s*(?P<q>{_Q})(?:{_AND}(?:qu[ýíyi]\s*)?(?P<q2>{_Q}))?(?!\w){_YEAR_TAIL}", re.I
)
_MONTH = re.compile(
    rf"\b{THANG}\s*(?P<m>\d{{1,2}})(?:{_AND}(?:{THANG}\s*)?(?P<m2>\d{{1,2}}))?(?!\d){_YEAR_TAIL}",
    re.I,
)
_PART_OF_YEAR = re.compile(
    rf"(?<![\w])(?P<n>\d{{1,2}}|ba|sáu|chín)\s*{THANG}\s*(?P<side>đầu|cuối)\s*{NAM}"
    rf"(?:\s*{_Y}(?!\d))?",
    re.I,
)
_SCHOOL_YEAR = re.compile(rf"\b{NAM}\s*học\s*(?P<y1>\d{{4}})\s*[-–/]\s*(?P<y2>\d{{4}})", re.I)
_STAGE = re.compile(
    rf"\b(?:giai\s*đoạn|thời\s*kỳ|thời\s*kì)\s*(?:từ\s*(?:{NAM}\s*)?)?(?P<y1>\d{{4}})\s*"
    r"(?:[-–]|đến|tới)\s*(?:năm\s*)?(?P<y2>\d{4})(?!\d)",
    re.I,
)
_YEAR = re.compile(rf"\b{NAM}\s*{_Y}(?!\d|\s*[-–]\s*\d{{4}})", re.I)
# `2026 - 2030`, `Năm 2026 - 2027` (a table's time cell): a run of whole years.
_YEAR_RANGE = re.compile(
    rf"(?<![\d/.])(?:{NAM}\s*)?(?P<y1>\d{{4}})\s*[-–]\s*(?:{NAM}\s*)?(?P<y2>\d{{4}})(?![\d/])", re.I
)
# `nhiệm kỳ 2025 - 2030`: a term of office names a congress, not when work is done.
_TERM = re.compile(r"nhiệm\s+kỳ\s*$", re.I)
# `ngày 15 tháng 11` / `ngày 01/6` with the year left out (deadlines repeated each year).
_DAY_NO_YEAR = re.compile(
    rf"\b{NGAY}\s*(?P<d>\d{{1,2}})\s*(?:{THANG}\s*|/\s*)(?P<m>\d{{1,2}})"
    rf"(?!\s*(?:,\s*)?{NAM}|\s*/\s*\d|\d)",
    re.I,
)
_DAY_ONLY = re.compile(rf"\b{NGAY}\s*(?P<d>\d{{1,2}})(?=\s*(?:đến|tới|-|–)\s)", re.I)
_LABEL = re.compile(
    r"(?<![\w])(?P<label>" + "|".join(label.replace(" ", r"\s+") for label in LABELS) + r")(?!\w)",
    re.I,
)

_CUE = re.compile(r"(?:thời\s+(?:gian|hạn)|tiến\s+độ)(?:\s+[^\W\d_]+){0,3}\s*:", re.IGNORECASE)
_FROM = re.compile(r"(?:^|(?<=\W))(?:kể\s+)?từ\s*$", re.I)
_BEFORE = re.compile(
    r"(?:^|(?<=\W))(?:(?:hoàn\s+thành\s+)?trước|chậm\s+nhất(?:\s+(?:là|vào))?|"
    r"không\s+quá|hạn\s+chót)\s*"
    # `trước 17 giờ ngày 23/9/2026`, `trước 16h00 ngày …`: the hour does not move the day.
    r"(?:\d{1,2}\s*(?:giờ|h)(?:\s*\d{1,2}(?:\s*phút)?)?\s*,?\s*)?$",
    re.I,
)
_UNTIL = re.compile(r"(?:^|(?<=\W))(?:đến|tới)(?:\s+hết)?\s*$", re.I)
_WITHIN = re.compile(r"(?:^|(?<=\W))(?:trong(?:\s+cả)?|vào(?:\s+dịp)?|ngay\s+trong)\s*$", re.I)
# `vào đầu tháng 4/2026`, `trong cuối tháng 9`: a part of a month is still within the month.
_WITHIN_PART = re.compile(r"(?:^|(?<=\W))(?:trong|vào|ngay\s+trong)?\s*(?:đầu|giữa|cuối)\s*$", re.I)
# `từ 15/4 đến 15/5/2026`, `trước 30/6`: a day and month printed without `ngày` after a time
# word (a bare `15/4` elsewhere may be a count or a ratio).
_BARE_DAY = re.compile(
    r"(?:(?<!\w)(?:từ|trước|đến|tới|hết)\s+|(?<![\w/.])(?=\d{1,2}\s*/\s*\d{1,2}\s*[-–]\s*"
    r"(?:ngày\s*)?\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4}))"
    r"(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})(?!\s*/\s*\d|\d|\s*(?:,\s*)?năm)",
    re.I,
)
"""Also a bare day that opens a dashed run closed by a full date (`01/4 - 30/4/2026`)."""
_RANGE_GAP = re.compile(r"^\s*(?:đến|tới|-|–)\s*(?:hết\s*)?$", re.I)
_OPEN_END = re.compile(r"^\s*(?:,\s*)?(?:và|&)\s+(?:các|những)\s+năm\s+(?:tiếp\s+theo|sau)", re.I)
_BUDGET = re.compile(r"\bchi\s+$", re.I)


@dataclass(frozen=True)
class _Atom:
    start: int
    end: int
    kind: str
    """`date`, `day` (no year), `dayonly`, `quarter`, `month`, `part`, `school`, `stage`,
    `year` or `label`."""
    year: int | None = None
    a: int = 0
    """Kind-specific: day, (first) quarter, (first) month or number of months."""
    b: int = 0
    """Kind-specific: month for days, last quarter or month of a run, 1 = `đầu`/2 = `cuối`
    for parts, end year for school years and stages."""
    date: dt.date | None = None

    def bounds(self, year: int | None) -> tuple[dt.date | None, dt.date | None] | None:
        """Start and end of the atom in `year` (when it has none of its own)."""
        y = self.year if self.year is not None else year
        if self.kind == "label":
            return None, None
        if self.kind == "date":
            return self.date, self.date
        if y is None:
            return None
        if self.kind in ("day", "dayonly"):
            day = make_date(y, self.b, self.a)
            return (day, day) if day else None
        if self.kind == "quarter":
            return quarter_bounds(self.a, y)[0], quarter_bounds(max(self.a, self.b), y)[1]
        if self.kind == "month":
            return _month_bounds(y, self.a)[0], _month_bounds(y, max(self.a, self.b))[1]
        if self.kind == "part":
            months = min(self.a, 12)
            if self.b == 1:
                return dt.date(y, 1, 1), _month_bounds(y, months)[1]
            return _month_bounds(y, 13 - months)[0], dt.date(y, 12, 31)
        if self.kind == "school":
            return dt.date(y, 9, 1), dt.date(self.b, 5, 31)
        if self.kind == "stage":
            return dt.date(y, 1, 1), dt.date(self.b, 12, 31)
        return dt.date(y, 1, 1), dt.date(y, 12, 31)


def quarter_bounds(quarter: int, year: int) -> tuple[dt.date, dt.date]:
    """First and last day of quarter 1–4 of `year`."""
    first = _month_bounds(year, 3 * quarter - 2)[0]
    return first, _month_bounds(year, 3 * quarter)[1]


def _month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    year = int(text)
    return year if MIN_YEAR <= year <= MAX_YEAR else None


def _atoms(text: str) -> list[_Atom]:
    """All time atoms, longest first where they overlap, in text order."""
    found: list[_Atom] = []
    for start, end, date in iter_dates(text):
        found.append(_Atom(start, end, "date", date.year, date=date))
    for m in _SCHOOL_YEAR.finditer(text):
        y1, y2 = _year(m["y1"]), _year(m["y2"])
        if y1 and y2 and y1 < y2:
            found.append(_Atom(m.start(), m.end(), "school", y1, b=y2))
    for m in _STAGE.finditer(text):
        y1, y2 = _year(m["y1"]), _year(m["y2"])
        if y1 and y2 and y1 <= y2:
            found.append(_Atom(m.start(), m.end(), "stage", y1, b=y2))
    for m in _YEAR_RANGE.finditer(text):
        y1, y2 = _year(m["y1"]), _year(m["y2"])
        if y1 and y2 and y1 < y2 and not _TERM.search(text[max(0, m.start() - 12) : m.start()]):
            found.append(_Atom(m.start(), m.end(), "stage", y1, b=y2))
    for m in _PART_OF_YEAR.finditer(text):
        n = m["n"].lower()
        months = _WORD_NUMBERS.get(n) or int(n)
        if 1 <= months <= 11:
            side = 1 if m["side"].lower() == "đầu" else 2
            found.append(_Atom(m.start(), m.end(), "part", _year(m["y"]), a=months, b=side))
    for m in _QUARTER.finditer(text):
        first = _quarter_number(m["q"])
        last = _quarter_number(m["q2"]) if m["q2"] else first
        if last > first:
            found.append(_Atom(m.start(), m.end(), "quarter", _year(m["y"]), a=first, b=last))
        else:  # `Quý I - 2` is no run: keep the first quarter alone
            end = m.end() if m["q2"] is None else m.end("q")
            year = _year(m["y"]) if m["q2"] is None else None
            found.append(_Atom(m.start(), end, "quarter", year, a=first, b=first))
    for m in _MONTH.finditer(text):
        first = int(m["m"])
        last = int(m["m2"]) if m["m2"] else first
        if not 1 <= first <= 12:
            continue
        if first < last <= 12:
            found.append(_Atom(m.start(), m.end(), "month", _year(m["y"]), a=first, b=last))
        else:  # `tháng 3, 15 đơn vị`: the second number is not a month
            end = m.end() if m["m2"] is None else m.end("m")
            year = _year(m["y"]) if m["m2"] is None else None
            found.append(_Atom(m.start(), end, "month", year, a=first, b=first))
    for m in _DAY_NO_YEAR.finditer(text):
        if make_date(2000, m["m"], m["d"]):  # 2000 is a leap year: 29/02 stays possible
            found.append(_Atom(m.start(), m.end(), "day", None, a=int(m["d"]), b=int(m["m"])))
    for m in _BARE_DAY.finditer(text):
        if make_date(2000, m["m"], m["d"]):
            found.append(_Atom(m.start("d"), m.end(), "day", None, a=int(m["d"]), b=int(m["m"])))
    for m in _DAY_ONLY.finditer(text):
        found.append(_Atom(m.start(), m.end(), "dayonly", None, a=int(m["d"])))
    laws = law_name_spans(text) if "uật" in text or "UẬT" in text else []
    for m in _YEAR.finditer(text):
        if any(start < m.end() <= end for start, end in laws):
            continue  # `Luật Thi đua, khen thưởng năm 2022` names a law, not a period
        if _year(m["y"]):
            found.append(_Atom(m.start(), m.end(), "year", _year(m["y"])))
    for m in _LABEL.finditer(text):
        if not _BUDGET.search(text[max(0, m.start() - 6) : m.start()]):
            found.append(_Atom(m.start(), m.end(), "label"))
    # Keep the longest of overlapping atoms: `năm 2026` inside `Quý I năm 2026` or inside
    # `ngày 24 tháng 02 năm 2026` is part of them, not a period of its own.
    found.sort(key=lambda a: (a.start, -(a.end - a.start)))
    kept: list[_Atom] = []
    for atom in found:
        if kept and atom.start < kept[-1].end:
            continue
        kept.append(atom)
    return kept


def _label(text: str, start: int, end: int) -> str:
    return " ".join(text[start:end].split())


def _before(text: str, atom: _Atom, floor: int) -> str:
    return text[max(floor, atom.start - 30) : atom.start]


class _Span(NamedTuple):
    """A period read from the text, with where it stands and what it was built from."""

    begin: int
    end: int
    period: Period
    single: bool
    """True for a lone date (`ngày 31/3/2026`): a date mention rather than a period."""
    kind: str
    """The atom's kind (`quarter`, `month`, `date`…), or `range` for `từ A đến B`."""
    cued: bool
    """True when a time word opens it (`trước`, `đến hết`, `từ`, `trong`)."""


def _range(
    text: str, atom: _Atom, nxt: _Atom | None, before: str, default_year: int | None
) -> _Span | None:
    """A range `từ A đến (hết) B` starting at `atom`; between two full dates `A - B` needs
    no `từ`.  None when the two atoms make no range."""
    if (
        nxt is None
        or atom.kind == "label"
        or nxt.kind in ("label", "dayonly")
        or not _RANGE_GAP.match(text[atom.end : nxt.start])
        or not (
            _FROM.search(before) or atom.kind == nxt.kind == "date" or _dash_run(text, atom, nxt)
        )
    ):
        return None
    year_b = nxt.year if nxt.year is not None else default_year
    end_bounds = nxt.bounds(year_b)
    start_atom = atom
    if atom.kind == "dayonly":
        start_atom = replace(atom, b=nxt.b if nxt.kind == "day" else _month_of(nxt))
    start_bounds = start_atom.bounds(year_b)
    if not (start_bounds and end_bounds and start_bounds[0] and end_bounds[1]):
        return None
    if start_bounds[0] > end_bounds[1]:
        return None
    begin = atom.start
    if m := _FROM.search(before):
        begin = atom.start - (len(before) - m.start())
    period = Period(label=_label(text, begin, nxt.end), start=start_bounds[0], end=end_bounds[1])
    return _Span(begin, nxt.end, period, False, "range", True)


def _dash_run(text: str, atom: _Atom, nxt: _Atom) -> bool:
    """`Tháng 12/2026 - Tháng 01/2027`, `Quý IV/2026 - Quý I/2027`: two months or two
    quarters joined by a dash are a run from the first to the second, as in a table's
    time cell (a `từ` is not needed)."""
    dashed = text[atom.end : nxt.start].strip() in ("-", "–")
    if atom.kind == "day" and nxt.kind == "date":
        return dashed  # `01/4 - 30/4/2026`: a day run closed by a full date
    return atom.kind == nxt.kind and atom.kind in ("month", "quarter") and dashed


def _single(text: str, atom: _Atom, before: str, default_year: int | None) -> _Span | None:
    """One atom as a period, bounded by the word before it (`trước`, `đến hết`, `từ`,
    `trong`) and an open end after it (`… và các năm tiếp theo`)."""
    bounds = atom.bounds(default_year)
    if atom.kind == "dayonly" or bounds is None:
        return None
    start, end = bounds
    begin, finish = atom.start, atom.end
    single = atom.kind in ("date", "day")
    cued = False
    if atom.kind != "label":
        if m := _BEFORE.search(before):
            begin = atom.start - (len(before) - m.start())
            if not single and start is not None:
                end = start - dt.timedelta(days=1)
            start, single = None, False
        elif m := _UNTIL.search(before):
            begin = atom.start - (len(before) - m.start())
            start, single = None, False
        elif m := _FROM.search(before):
            begin = atom.start - (len(before) - m.start())
            end, single = None, False
        elif (m := _WITHIN.search(before)) or (
            atom.kind == "month" and (m := _WITHIN_PART.search(before))
        ):
            begin = atom.start - (len(before) - m.start())
        cued = begin != atom.start
        if m := _OPEN_END.match(text[finish:]):
            finish += m.end()
            end, single = None, False
    period = Period(label=_label(text, begin, finish), start=start, end=end)
    return _Span(begin, finish, period, single, atom.kind, cued)


def _build(text: str, atoms: list[_Atom], default_year: int | None) -> list[_Span]:
    """Combine atoms into periods, in text order (ranges first, then single atoms)."""
    if default_year is not None and not MIN_YEAR <= default_year <= MAX_YEAR:
        default_year = None  # a garbled document year must not make nonsense dates
    out: list[_Span] = []
    i = 0
    floor = 0
    while i < len(atoms):
        atom = atoms[i]
        nxt = atoms[i + 1] if i + 1 < len(atoms) else None
        before = _before(text, atom, floor)
        span = _range(text, atom, nxt, before, default_year)
        step = 2
        if span is None:
            span, step = _single(text, atom, before, default_year), 1
        if span is not None:
            out.append(span)
            floor = span.end
        i += step
    return out


def _month_of(atom: _Atom) -> int:
    if atom.kind == "date" and atom.date is not None:
        return atom.date.month
    return atom.b if atom.kind in ("day", "dayonly") else atom.a


def find_periods(text: str, default_year: int | None = None) -> list[Period]:
    """Every period named in `text`, in text order.

    Where phrases overlap the most specific reading wins and its parts are not repeated:
    `từ tháng 10 năm 2025 đến hết tháng 3 năm 2026` is one period, not three.  Quarters and
    months without a year take `default_year`; without one they are left out.  Labels
    without dates (`Thường xuyên`, `hằng năm`, `định kỳ`, `theo tiến độ`) come back with
    `start` and `end` None.  Lone dates are date mentions, not periods, unless a word
    makes them one (`trước ngày 31/3/2026`, `từ 01/7/2025`).

    Example:
        >>> find_periods("Thời gian thực hiện: Quý I năm 2026")[0].end
        datetime.date(2026, 3, 31)
    """
    return [span.period for span in _build(text, _atoms(text), default_year) if not span.single]


def parse_period(text: str, default_year: int | None = None) -> Period | None:
    """The period named by a phrase such as `Quý I năm 2026`, or None.

    Same readings as `find_periods`; the first period wins, except that one stated after
    a `Thời gian …:`/`Thời hạn …:` cue wins over any before it (a task's own schedule
    line beats `Thường xuyên` used as an adverb in its text).  A phrase that is only a
    date (`30/6/2026`, as in a table's deadline column) gives that one day.
    """
    built = _build(text, _atoms(text), default_year)
    cues = list(_CUE.finditer(text))
    groups = [built]
    if cues:
        cut = cues[-1].end()
        groups = [[b for b in built if b.begin >= cut], [b for b in built if b.begin < cut]]
    for group in groups:
        for span in group:
            if not span.single:
                return span.period
        if group:
            return group[0].period
    return None


def schedule_period(text: str, default_year: int | None = None) -> Period | None:
    """The period a task states for itself after a cue, or None when it states none.

    Cues: `Thời gian thực hiện:`, `Thời gian hoàn thành:`, `Thời hạn:`, `Tiến độ:`…  Only
    the words after the last cue are read, so a date elsewhere in the task's text
    (`sơ kết 6 tháng đầu năm 2026`) is not taken for its schedule.

    Example:
        >>> schedule_period("Rà soát văn bản. Thời gian thực hiện: Quý IV năm 2025.").end
        datetime.date(2025, 12, 31)
    """
    cues = list(_CUE.finditer(text))
    if not cues:
        return None
    return parse_period(text[cues[-1].end() :], default_year)


# `… có hiệu lực (thi hành) từ ngày 01/01/2026`: when a law applies, not when the task runs.
_IN_FORCE = re.compile(r"hiệu\s+lực(?:\s+thi\s+hành)?\s*(?:kể\s+)?$", re.I)
# `trước ngày 05/12 hằng năm`, `vào tháng 12 hằng năm`: a yearly deadline has no calendar.
# `trước ngày 01/6 và 15/11 hằng năm`: further days of the same yearly deadline.
_YEARLY = re.compile(
    r"^\s*(?:(?:và|,)\s*(?:ngày\s*)?\d{1,2}\s*/\s*\d{1,2}\s*)*(?:của\s+)?(?:hằng|hàng|mỗi)\s+năm",
    re.I,
)
# `Quy hoạch … thời kỳ 2021-2030, tầm nhìn đến năm 2050`: a strategy's horizon, not a time
# the task runs in.
_VISION = re.compile(r"tầm\s+nhìn\s*$", re.I)

# `… số 12/KH-UBND ngày 15/3/2026`: a date that belongs to a cited document.
_CITED = re.compile(r"\d+\s*[/-]\s*[\w./\-]*[^\W\d_][\w./\-]*\s*,?\s*(?:ngày\s*)?$", re.I)


# `Chiến lược dân số Việt Nam đến năm 2030`, `Quy hoạch chung Thủ đô đến năm 2045`: a
# named document's horizon (a capitalised document word opens the name).
_DOCUMENT_NAME = re.compile(
    r"(?:Quy hoạch|Chiến lược|Chương trình|Đề án|Kế hoạch|Nghị quyết|Kết luận|Chỉ thị|Đề cương)\s"
)
# `tổng kết các chương trình, kế hoạch, đề án … giai đoạn đến năm 2030`, `bổ sung quy hoạch hạ
# tầng viễn thông … đến năm 2030`: a document named in lower case, its horizon just as much.
_DOCUMENT_NOUN = re.compile(
    r"(?<!\w)(?:quy hoạch|chiến lược|chương trình|đề án|kế hoạch|đề cương)\s", re.IGNORECASE
)
# `Hoàn thành quy hoạch đến năm 2030`: a completion verb makes the year the task's deadline.
_COMPLETION = re.compile(r"(?<!\w)(?:hoàn\s+thành|hoàn\s+tất|xong)(?!\w)", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[;:.\n]")


def _names_a_document_horizon(text: str, span: _Span) -> bool:
    """True for `đến năm 2030` closing the name of a document cited in the task, with no
    clause break between the document word and it; a deadline of day or month precision
    (`Ban hành Kế hoạch trước ngày 30/6/2026`) is the task's own."""
    if span.kind not in ("year", "stage") or not span.period.label.lower().startswith(
        ("đến", "tới")
    ):
        return False
    clause = _CLAUSE_BREAK.split(text[: span.begin])[-1]
    if _DOCUMENT_NAME.search(clause) is not None:
        return True
    return _DOCUMENT_NOUN.search(clause) is not None and _COMPLETION.search(clause) is None


_OF_AFTER = re.compile(r"\s*,?\s*(?:của|do)\s", re.I)
"""`… ngày 15/3/2026 của Ủy ban nhân dân tỉnh`: the date of a document or event cited."""
_ITEM_OPENING = re.compile(r"^[\s\-+•*–]*(?:[\dIVXa-zđ]{1,4}[.)]\s*)?$")


def _dated_day(text: str, span: _Span) -> bool:
    """`Tổ chức lễ ra quân ngày 29/3`: a day named with `ngày` (lower case, not an event
    name such as `Ngày Pháp luật`) is when the task happens, unless it dates something
    cited (`… ngày 15/3/2026 của …`)."""
    return (
        span.kind in ("date", "day")
        and text[span.begin : span.begin + 4] == "ngày"
        and not _OF_AFTER.match(text[span.end :])
    )


_OPENING_MIN_WORDS = 2
"""Words the item needs after an opening time phrase: a bare `Quý I năm 2026` left without
its items (a page lost to OCR) is a heading, not a task with a time."""


def _opens_item(text: str, span: _Span) -> bool:
    """`Tháng 9/2026: tổ chức hội nghị …`: a time phrase that opens the item is its time."""
    return (
        span.kind != "label"
        and _ITEM_OPENING.match(text[: span.begin]) is not None
        and len(re.findall(r"\w+", text[span.end :])) >= _OPENING_MIN_WORDS
    )


def own_period(text: str, default_year: int | None = None) -> Period | None:
    """The time a task's own wording names, or None (a deadline or time phrase in it).

    A time phrase counts when a time word opens it: `hoàn thành trước ngày 20/6/2026`,
    `trong tháng 6/2026`, `vào Quý II`, `từ tháng 7 đến tháng 9/2026`, `đến hết năm 2025`;
    so does a day named with `ngày` (`lễ ra quân ngày 29/3`) and a phrase opening the item
    (`Tháng 9/2026: tổ chức …`).
    Without one it names the subject (`sơ kết 6 tháng đầu năm 2026`, `mưa lớn tháng
    5/2026`), and so do the date of a cited document (`Quyết định số 12/QĐ-UBND ngày
    15/3/2026`), a law's entry into force (`có hiệu lực từ ngày 01/01/2026`) and a
    strategy's horizon (`tầm nhìn đến năm 2050`, `Chiến lược … đến năm 2030`).  A yearly
    deadline (`trước ngày 05/12 hằng năm`) keeps its label with no calendar bounds.

    Example:
        >>> own_period("Tổng kết, hoàn thành trước ngày 20/6/2026.").end
        datetime.date(2026, 6, 20)
    """
    for span in _build(text, _atoms(text), default_year):
        period = span.period
        before = text[max(0, span.begin - 40) : span.begin]
        if period.start is None and period.end is None:
            continue
        if _CITED.search(before) or _IN_FORCE.search(before) or _VISION.search(before):
            continue
        if _names_a_document_horizon(text, span):
            continue
        if not (span.cued or _dated_day(text, span) or _opens_item(text, span)):
            continue
        if span.kind in ("day", "month") and (yearly := _YEARLY.match(text[span.end :])):
            label = " ".join(text[span.begin : span.end + yearly.end()].split())
            return Period(label=label)
        return period
    return None
