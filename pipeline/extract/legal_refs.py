"""References to other legal and administrative documents.

A reference reads `<kind> [số] <number> [ngày <date>] [của <issuer>]`, e.g.
`Chỉ thị số 41-CT/TW ngày 26/12/2024 của Bộ Chính trị`; laws are also cited by name
(`Luật Thi đua, khen thưởng năm 2022`).

Matching runs on two views of the text that have the same length as the (NFC) input, so a
span found in either cuts the words as written from the original: `canonical_tones()`
(`hoá`/`hóa`, `Uỷ`/`Ủy` alike) for issuers and law names, and `skeleton()` (no marks) for
the kind before a number, which also survives OCR without diacritics (`Chi thi sb 41-CT/TW`).
Whitespace inside a mention may include line breaks: plans wrap long sentences.

A number must contain a letter (`41-CT/TW`, `197/2025/QH15`): `Kế hoạch 2026-2030` names
a span of years, not a document.
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.document import LegalRef
from pipeline.extract.dates import DATE_PATTERN, iter_dates
from pipeline.vietnamese import canonical_tones, compact_number, skeleton

__all__ = ["KINDS", "dedupe_refs", "find_legal_refs", "law_name_spans"]

KINDS = {
    "thông tư liên tịch": "Thông tư liên tịch",
    "bộ luật": "Bộ luật",
    "nghị định": "Nghị định",
    "nghị quyết": "Nghị quyết",
    "chỉ thị": "Chỉ thị",
    "kế hoạch": "Kế hoạch",
    "quyết định": "Quyết định",
    "thông tư": "Thông tư",
    "chương trình hành động": "Chương trình",
    "chương trình": "Chương trình",
    "kết luận": "Kết luận",
    "công văn": "Công văn",
    "hướng dẫn": "Hướng dẫn",
    "thông báo": "Thông báo",
    "công điện": "Công điện",
    "quy định": "Quy định",
    "quy chế": "Quy chế",
    "tờ trình": "Tờ trình",
    "báo cáo": "Báo cáo",
    "đề án": "Đề án",
    "pháp lệnh": "Pháp lệnh",
    "luật": "Luật",
    "hiến pháp": "Hiến pháp",
}
"""Spelling in the text (lower case, canonical tones) → the kind reported."""

_KIND_RE = "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in KINDS)
_KIND_AT = re.compile(rf"(?:{_KIND_RE})(?!\w)", re.IGNORECASE)
_TOKEN = r"[^\W_](?:[\w&]*[^\W_])?"
# Separators inside a number: OCR puts stray spaces around `/` and after `-` (`27/NQ- TW`,
# `1105 /KH-ĐKT`), but ` - ` with spaces on both sides is a dash in a sentence.
_SEP = r"(?:[ \t]?/[ \t]?|[-–][ \t]?|[ \t][-–](?=[^\W_]))"
_NUMBER = rf"\d{{1,6}}(?:{_SEP}{_TOKEN})+"
# Kinds followed by a number are matched on the skeleton (no diacritics, lower case): a
# number such as `41-CT/TW` is evidence enough, and OCR or a failed restoration often
# leaves `Chi thi sb 41-CT/TW` or `Ké hoach s6 24/KH-UBND`.
_SKELETON_KINDS = {skeleton(k): v for k, v in KINDS.items()}
_SKELETON_KIND_RE = "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in _SKELETON_KINDS)
_NUMBERED = re.compile(
    rf"(?<!\w)(?P<kind>{_SKELETON_KIND_RE})\s+(?:s\w?\s*:?\s*)?(?P<number>{_NUMBER})(?![\w/])"
)
_BY_NAME = re.compile(r"(?<!\w)(?P<kind>bộ\s+luật|luật|pháp\s+lệnh)\s+(?=\S)", re.IGNORECASE)
_MORE_NUMBER = re.compile(rf"\s*(?:,|;|va)\s*(?:so\s*:?\s*)(?P<number>{_NUMBER})(?![\w/])")
_LAW_NUMBER = re.compile(rf"\s*,?\s*(?:số|so)\s*:?\s*(?P<number>{_NUMBER})(?![\w/])", re.I)
_GAP_DATE = re.compile(r"\s*,?\s*(?:ban\s+hành\s+|ký\s+)?", re.IGNORECASE)
_GAP_ISSUER = re.compile(r"\s*,?\s*(?:cua|do)\s+")  # on the skeleton

# Where an issuer's name ends: punctuation, a list marker after a line break, or a word
# that starts the next clause.
_ISSUER_STOP = re.compile(
    r"\s*(?:[,;:.()\[\]“”\"!?]|\n\s*(?:[-+•*]|\d+[.)]|[a-zđ]\)|[IVXLC]+\.)|"
    r"\s(?:về|ban\s+hành|quy\s+định|phê\s+duyệt|thực\s+hiện|hướng\s+dẫn|triển\s+khai|"
    r"trên\s+địa\s+bàn|đối\s+với|với|tại|theo|nhằm|để|như\s+sau|trong|đã|được|và\s+(?:các|"
    rf"những|{_KIND_RE})|kèm\s+theo|gửi|sau\s+đây|thì)(?!\w)|$)",
    re.IGNORECASE,
)
# Commas that belong to a name rather than ending it.
_ISSUER_COMMA_OK = re.compile(r",\s*(?:Thể\s+thao|Gia\s+đình)", re.IGNORECASE)
_MAX_ISSUER_WORDS = 14

# Words that end a law's name when written in lower case (`Luật Việc làm bảo đảm …`).
_NAME_STOP_TEXT = """các những này số ngày của về trên theo tại trong thì đã được có để nhằm cho là với vào
    đến từ khi sẽ đang phải thuộc năm do sau trước hoặc gồm như mà nên"""
_NAME_STOPS = frozenset(_NAME_STOP_TEXT.split())
_NAME_STOP_PHRASES = re.compile(
    r"(?:quy\s+định|ban\s+hành|hướng\s+dẫn|thi\s+hành|bảo\s+đảm|đảm\s+bảo|áp\s+dụng|"
    r"hiện\s+hành|sau\s+đây|tổ\s+chức|triển\s+khai|sửa\s+đổi|có\s+hiệu)(?!\w)",
    re.IGNORECASE,
)
_MAX_NAME_WORDS = 20
_YEAR_AFTER = re.compile(r"\s+\d{4}(?!\d)")
# `Luật Đầu tư công và pháp luật có liên quan`: `và` then a common noun ends the name.
_NOT_A_NAME_AFTER_AND = re.compile(r"pháp\s+luật|quy\s+định", re.IGNORECASE)
_NAME_WORD = re.compile(r"\s*(?P<sep>,?)\s*(?P<word>[^\W_][\w&]*(?:-[^\W_][\w&]*)?)")


def _matchable(text: str) -> tuple[str, str, str]:
    """`(as_written, canonical, skeleton)` of equal length, so that spans found in one cut
    the same words from the others."""
    written = unicodedata.normalize("NFC", text)
    canon = canonical_tones(written)
    if len(canon) != len(written):  # cannot happen for NFC input; keep spans aligned anyway
        written = canon
    skel = skeleton(written)
    if len(skel) != len(written):  # a character without a one-letter base form
        skel = written.lower()
    return written, canon, skel


def _squash(text: str) -> str:
    return " ".join(text.split())


def _read_issuer(canon: str, pos: int) -> int:
    """End of the issuer's name that starts at `pos`."""
    end = pos
    while True:
        # A window bounds the search: an issuer is a few words, never a page.
        stop = _ISSUER_STOP.search(canon, end, min(len(canon), pos + 200))
        if stop is None:  # pragma: no cover - `$` always matches
            return len(canon)
        if _ISSUER_COMMA_OK.match(canon, stop.start()):
            end = stop.start() + 1
            continue
        end = stop.start()
        break
    words = canon[pos:end].split()
    if len(words) > _MAX_ISSUER_WORDS:
        return pos  # too long to be a name: a clause, not an issuer
    return end


def _is_kind_at(canon: str, pos: int) -> bool:
    return _KIND_AT.match(canon, pos) is not None


def _read_law_name(canon: str, pos: int) -> int:
    """End of a law's name starting at `pos` (`pos` itself when no name follows)."""
    end = pos
    upper_name = False
    words = 0
    prev = ""
    while words < _MAX_NAME_WORDS:
        m = _NAME_WORD.match(canon, end)
        if m is None:
            break
        word, lower = m["word"], m["word"].lower()
        if words == 0:
            if not (word[0].isupper() or lower == "sửa") or lower in _NAME_STOPS:
                return pos
            if _NAME_STOP_PHRASES.match(canon, m.start("word")) and lower not in ("ban", "sửa"):
                return pos
            upper_name = word.isupper() and len(word) > 1
            end, prev, words = m.end(), word, 1
            continue
        gap = canon[end : m.start("word")]
        if "\n" in gap and (m["sep"] or word[0].isupper()):
            break  # a new line that starts with a capital is a new sentence or item
        if lower.isdigit():
            if prev.lower() == "năm" and len(word) == 4:
                end = m.end()  # `… năm 2022` closes the name
            break
        # In an all-capitals title every word is upper case: compare case-insensitively.
        plain = word.islower() or (upper_name and word.isupper())
        # After a comma only a short head goes on (`Thi đua, khen thưởng`, `Phòng, chống`);
        # `Luật Ngân sách nhà nước, nguồn chi …` or `…, Luật Đầu tư công` end the name.
        if m["sep"] and (not plain or words > 2):
            break
        if (
            not plain
            and _is_kind_at(canon, m.start("word"))
            and prev.lower() not in ("của", "điều")
        ):
            break
        if plain:
            if lower == "năm" and _YEAR_AFTER.match(canon, m.end()):
                end, prev, words = m.end(), word, words + 1
                continue
            keep = (lower == "của" and prev.lower() == "điều") or (
                lower == "số" and prev.lower() == "một"
            )
            if not keep and (
                lower in _NAME_STOPS
                or (_NAME_STOP_PHRASES.match(canon, m.start("word")) and words > 1)
            ):
                break
            if lower == "và":
                nxt = _NAME_WORD.match(canon, m.end())
                if (
                    nxt is None
                    or nxt["word"].lower() in _NAME_STOPS
                    or nxt["sep"]
                    or _NOT_A_NAME_AFTER_AND.match(canon, nxt.start("word"))
                    or (not nxt["word"].islower() and _is_kind_at(canon, nxt.start("word")))
                ):
                    break
        end, prev, words = m.end(), word, words + 1
    return end


def _law_names(canon: str, taken: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Laws cited by name outside the `taken` spans: `(start, end, kind)`."""
    names: list[tuple[int, int, str]] = []
    for m in _BY_NAME.finditer(canon):
        if any(s <= m.start() < e for s, e in taken) or (names and m.start() < names[-1][1]):
            continue  # inside a ref already read (`… một số điều của Luật X`)
        if not canon[m.start()].isupper() or re.search(
            r"pháp\s*$", canon[max(0, m.start() - 8) : m.start()], re.I
        ):
            continue  # `luật` in lower case and `pháp luật` mean the law in general
        name_end = _read_law_name(canon, m.end())
        if name_end > m.end():
            names.append((m.start(), name_end, KINDS[" ".join(m["kind"].lower().split())]))
    return names


def law_name_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of laws cited by name (`Luật Thi đua, khen thưởng năm 2022`).

    Other parsers use them to tell a law's year from a period (`năm 2022`).
    """
    _, canon, _ = _matchable(text)
    return [(start, end) for start, end, _ in _law_names(canon, [])]


def find_legal_refs(text: str) -> list[LegalRef]:
    """Every reference to another document in `text`, in order of appearance.

    Each mention gives one `LegalRef`: `kind` in its usual spelling (`Chỉ thị`), `number`
    compacted (`27/NQ- TW` → `27/NQ-TW`), `date` from `ngày …` after the number, `issuer`
    from `của …` up to the next clause (`về`, `,`, `;`, `ban hành`, `quy định`…) and `text`
    the whole mention with whitespace collapsed.  Laws cited by name have no number.
    Repeated mentions are all returned; see `dedupe_refs`.

    Example:
        >>> find_legal_refs("Chỉ thị số 41-CT/TW ngày 26/12/2024 của Bộ Chính trị")[0].number
        '41-CT/TW'
    """
    written, canon, skel = _matchable(text)
    found: list[tuple[int, LegalRef]] = []
    taken_until = -1
    spans: list[tuple[int, int]] = []
    for m in _NUMBERED.finditer(skel):
        if m.start() < taken_until or not _has_letter(m["number"]):
            continue  # `Kế hoạch 2026-2030` is a span of years, not a document number
        kind = _SKELETON_KINDS[" ".join(m["kind"].split())]
        start, end = m.start(), m.end()
        number = written[m.start("number") : m.end("number")]
        group_start = len(found)
        while True:
            ref, ref_end = _complete(written, canon, skel, kind, number, start, end)
            found.append((start, ref))
            spans.append((start, ref_end))
            taken_until = max(taken_until, ref_end)
            # `Nghị quyết số 27/NQ-TW …, số 66-NQ/TW …`: more numbers of the same kind.
            more = _MORE_NUMBER.match(skel, ref_end)
            if more is None or not _has_letter(more["number"]):
                break
            start, end = more.start("number"), more.end()
            number = written[more.start("number") : more.end("number")]
        # A shared issuer (`số 27/NQ-TW và số 66-NQ/TW của Bộ Chính trị`) applies to all.
        group = [ref for _, ref in found[group_start:]]
        issuer = next((ref.issuer for ref in reversed(group) if ref.issuer), None)
        for ref in group:
            ref.issuer = ref.issuer or issuer
    for start, name_end, kind in _law_names(canon, spans):
        ref = LegalRef(kind=kind, text=_squash(written[start:name_end]))
        # `Luật Ngân sách nhà nước số 83/2015/QH13 ngày …`: a numbered law cited by name.
        if (more := _LAW_NUMBER.match(canon, name_end)) and _has_letter(more["number"]):
            ref, _ = _complete(written, canon, skel, kind, more["number"], start, more.end())
        found.append((start, ref))
    found.sort(key=lambda item: item[0])
    return [ref for _, ref in found]


def _has_letter(number: str) -> bool:
    return re.search(r"[^\W\d_]", number) is not None


def _complete(
    written: str, canon: str, skel: str, kind: str, number: str, start: int, end: int
) -> tuple[LegalRef, int]:
    """Read the date and issuer that follow a number; return the ref and where it ends."""
    date = None
    gap = _GAP_DATE.match(canon, end)
    pos = gap.end() if gap else end
    date_match = DATE_PATTERN.match(canon, pos)
    if date_match:
        dates = iter_dates(canon[date_match.start() : date_match.end()])
        if dates:
            date = dates[0][2]
            end = date_match.end()
    issuer = None
    if gap := _GAP_ISSUER.match(skel, end):
        issuer_end = _read_issuer(canon, gap.end())
        if issuer_end > gap.end():
            issuer = _squash(written[gap.end() : issuer_end])
            end = issuer_end
    ref = LegalRef(
        kind=kind,
        number=compact_number(_squash(number)),
        date=date,
        issuer=issuer,
        text=_squash(written[start:end]),
    )
    return ref, end


def dedupe_refs(refs: list[LegalRef]) -> list[LegalRef]:
    """One ref per document: the first mention of each `(kind, number)` (laws: name),
    completed with a date or issuer given only by a later mention."""
    merged: dict[tuple[str, str], LegalRef] = {}
    for ref in refs:
        key = (ref.kind, ref.number or " ".join(canonical_tones(ref.text).lower().split()))
        if key not in merged:
            merged[key] = ref.model_copy()
            continue
        first = merged[key]
        if first.date is None and ref.date is not None:
            first.date = ref.date
        if first.issuer is None and ref.issuer is not None:
            first.issuer = ref.issuer
    return list(merged.values())
