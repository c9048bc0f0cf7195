"""Calendar dates in Vietnamese administrative text.

Two spellings are common: numeric (`26/12/2024`, `26-12-2024`, `26.12.2024`, often after
`ngày`) and written out (`ngày 24 tháng 02 năm 2026`).  OCR adds or drops spaces
(`ngày10 /3/2026`, `ngày  5 tháng 3 năm 2026`) and wrapped lines split a phrase, so every
gap inside a pattern accepts any whitespace, newlines included.

Document numbers look like dates to a naive pattern (`98/2023/NĐ-CP`, `24/KH-UBND`,
`01 cá nhân/01 ban`): a numeric date needs exactly three parts with a four-digit year and
must not continue with another `/` or code, which rules those out.
"""

from __future__ import annotations

import datetime as dt
import re

from pipeline.document import DateMention

__all__ = ["DATE_PATTERN", "find_dates", "iter_dates", "make_date", "parse_date"]

MIN_YEAR = 1900
MAX_YEAR = 2100

# Diacritic-tolerant spellings of the three calendar words: restored text has the marks,
# raw OCR sometimes loses them.
NGAY = r"ng[àảáạa]y"
THANG = r"th[áàảạa]ng"
NAM = r"n[ăaắ]m"

_NUMERIC = (
    rf"(?:(?P<n_kw>{NGAY})\s*)?"
    r"(?<![\d/.\-])(?P<nd>\d{1,2})[ \t]?(?P<sep>[/.\-])[ \t]?(?P<nm>\d{1,2})"
    r"[ \t]?(?P=sep)[ \t]?(?P<ny>\d{4})"
    # A fourth part or a code after the year means a document number, not a date.
    r"(?![\d/]|\.\d|-[^\W\d_])"
)
_WRITTEN = (
    rf"(?:(?P<w_kw>{NGAY})\s*)?(?<!\d)(?P<wd>\d{{1,2}})\s*{THANG}\s*(?P<wm>\d{{1,2}})"
    rf"\s*,?\s*{NAM}\s*(?P<wy>\d{{4}})(?!\d)"
)
DATE_PATTERN = re.compile(rf"{_NUMERIC}|{_WRITTEN}", re.IGNORECASE)
"""One date, numeric or written out, with an optional leading `ngày`."""


def make_date(year: int | str, month: int | str, day: int | str) -> dt.date | None:
    """A `date` from parts, or None when they name no real day (31/02) or a silly year."""
    try:
        y, m, d = int(year), int(month), int(day)
    except (TypeError, ValueError):
        return None
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _date_of(match: re.Match[str]) -> dt.date | None:
    if match.group("ny") is not None:
        return make_date(match.group("ny"), match.group("nm"), match.group("nd"))
    return make_date(match.group("wy"), match.group("wm"), match.group("wd"))


def iter_dates(text: str) -> list[tuple[int, int, dt.date]]:
    """Every valid date as `(start, end, date)` character spans, in text order."""
    found = []
    for match in DATE_PATTERN.finditer(text):
        date = _date_of(match)
        if date is not None:
            found.append((match.start(), match.end(), date))
    return found


def parse_date(text: str) -> dt.date | None:
    """The date named by one phrase, or None.

    Accepts `26/12/2024`, `26-12-2024`, `26.12.2024`, `ngày 24/02/2026` and
    `ngày 24 tháng 02 năm 2026` with any spacing; the first valid date in `text` wins.

    Example:
        >>> parse_date("ngày 24 tháng 02 năm 2026")
        datetime.date(2026, 2, 24)
    """
    found = iter_dates(text)
    return found[0][2] if found else None


def find_dates(text: str) -> list[DateMention]:
    """Every date mentioned in `text`, in order, with its wording and 0-based line.

    Invalid dates (`31/02/2026`) are skipped; document numbers (`98/2023/NĐ-CP`) and
    ratios (`01 cá nhân/01 ban`) are not dates.  The mention keeps its leading `ngày`
    when there is one, and its inner whitespace is collapsed to single spaces.
    """
    mentions = []
    for start, end, date in iter_dates(text):
        wording = " ".join(text[start:end].split())
        mentions.append(DateMention(text=wording, date=date, line=text.count("\n", 0, start)))
    return mentions
