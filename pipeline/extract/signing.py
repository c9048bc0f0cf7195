"""The digital-signature stamp of e-office documents: who signed, and when.

Signing software prints a box over or beside the signature:

    Ký bởi: Ủy ban nhân dân tỉnh Quảng Ngãi
    Cơ quan: Tỉnh Quảng Ngãi
    Thời gian ký: 26/11/2024 10:40:48

(also `Ngày ký: 22.11.2024 15:45:56`, `Thời gian ký: 2025-10-02T16:24:01+07:00`).  The
time goes to `metadata.signed_at`; it is the fallback for the issue date only where the
printed `ngày … tháng … năm …` cannot be read, since the two differ (a document is often
signed days after the date typed on it).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipeline.vietnamese import skeleton

_LABEL = re.compile(
    r"(?i)\b(?:thoi gian ky|ngay ky|ngay gio ky|ky ngay|signing time|signed on)\b\s*(?P<colon>:?)\s*"
)
_SIGNED_BY = re.compile(r"(?i)^\s*(?:ky boi|signed by|nguoi ky)\s*:\s*")
_DMY = re.compile(
    r"(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>\d{4})"
    r"(?:[ ,T]+(?P<H>\d{1,2})[:h](?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)
_ISO = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
    r"(?:[ T](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)
LOOKAHEAD = 40
"""Characters after the label that may hold the time (OCR puts line breaks and junk in)."""


@dataclass(frozen=True)
class SignatureStamp:
    """What a digital-signature stamp says."""

    signed_at: dt.datetime
    """As printed; with its UTC offset where the stamp gives one."""
    signed_by: str | None = None


def parse_stamp_time(text: str) -> dt.datetime | None:
    """The first stamp date-time in `text` (`26/11/2024 10:40:48`, `2025-10-02T16:24:01+07:00`).

    Example:
        >>> parse_stamp_time("22.11.2024 15:45:56")
        datetime.datetime(2024, 11, 22, 15, 45, 56)
    """
    for pattern in (_ISO, _DMY):
        match = pattern.search(text)
        if match is None:
            continue
        parts = match.groupdict()
        try:
            value = dt.datetime(
                int(parts["y"]),
                int(parts["m"]),
                int(parts["d"]),
                int(parts["H"] or 0),
                int(parts["M"] or 0),
                int(parts["S"] or 0),
            )
        except ValueError:  # 31/02, 25:00: not a time
            continue
        tz = parts.get("tz")
        if tz:
            value = value.replace(tzinfo=_offset(tz))
        return value
    return None


def _offset(tz: str) -> dt.tzinfo:
    if tz == "Z":
        return dt.UTC
    sign = 1 if tz[0] == "+" else -1
    digits = tz[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def find_signature_stamp(text: str) -> SignatureStamp | None:
    """The document's digital-signature stamp, or None when it has none.

    Labels are matched on the skeleton (`Thoi gian ky` from a stripped or OCR'd stamp
    counts), the time is read from the text that follows the label.

    Example:
        >>> find_signature_stamp("Ngày ký: 22.11.2024 15:45:56").signed_at.year
        2024
        >>> find_signature_stamp("có hiệu lực kể từ ngày ký 01/01/2025") is None
        True
    """
    folded = skeleton(text)  # one character per character of `text`, so offsets agree
    if len(folded) != len(text):
        folded = text.lower()
    for label in _LABEL.finditer(folded):
        value = parse_stamp_time(text[label.end() : label.end() + LOOKAHEAD])
        # A stamp prints a time of day or a colon after its label; the body's `kể từ
        # ngày ký 01/01/2025` ("from the day of signing") has neither.
        if value is not None and (label.group("colon") or value.time() != dt.time()):
            return SignatureStamp(value, _signed_by(text, folded))
    return None


def _signed_by(text: str, folded: str) -> str | None:
    lines, offset = [], 0
    for line in text.split("\n"):
        lines.append((line, folded[offset : offset + len(line)]))
        offset += len(line) + 1
    for line, fold in lines:
        match = _SIGNED_BY.match(fold)
        if match:
            return line[match.end() :].strip() or None
    return None
