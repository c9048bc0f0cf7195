"""The unit in charge of a task: `Giao Sở Nội vụ: …`, `Cơ quan chủ trì: Sở Tư pháp`.

Unit names start with a head word from a curated list (`Sở`, `Ban`, `Ủy ban nhân dân`,
`Công an`, `Trung tâm`…) and run until the predicate begins: punctuation, a verb such as
`chủ trì`, `chỉ đạo`, `theo dõi`, or a preposition.  Lower-case syllables belong to the
name (`Ban Tuyên giáo và Dân vận`, `Công an tỉnh`) unless they are such a stop word.  A
comma continues the name only before a capitalised word that is not a new head
(`Sở Văn hóa, Thể thao và Du lịch`) or before a commune-level word (`các xã, phường`).

Single-syllable heads that are also ordinary words (`Sở hữu`, `Ban hành`, `Phòng chống`,
`Báo cáo`, `Hội nghị`) count only when a capitalised word follows them.

Generic subjects (`Thủ trưởng các cơ quan, đơn vị`, `Các sở, ban, ngành`) name no unit,
so `find_lead` returns None for them in running text.  When a plan states the lead in a
labelled line (`Đơn vị chủ trì: Các Sở, ban, ngành.`) that wording is returned as written:
the plan itself calls it the lead.

Matching runs on `canonical_tones()` of the text (same length as NFC input), so `Uỷ ban`
and `Ủy ban` match alike while the returned name keeps the document's spelling.
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.vietnamese import canonical_tones
from pipeline.vocabulary import ADMIN_LEVEL_PATTERN, DUTY_POSITIONS

__all__ = ["find_lead", "find_leads", "is_unit_heading", "opens_with_predicate", "split_units"]

# Heads that make a unit whatever follows (`Công an tỉnh`, `Ủy ban nhân dân các xã`).
_LOOSE_HEADS = """
Văn phòng HĐND và UBND|Văn phòng Hội đồng nhân dân và Ủy ban nhân dân
Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân|Văn phòng Đoàn đại biểu Quốc hội và HĐND
Văn phòng Đoàn ĐBQH và HĐND
Ban cán sự đảng|Ban Cán sự đảng|Đảng đoàn|Ban Thường vụ|Ban thường vụ
Ủy ban nhân dân|Ủy ban Mặt trận|Ủy ban|UBND|HĐND|UBMTTQ|MTTQ|BCHQS|Hội đồng nhân dân|Hội đồng
Công an|Bộ Chỉ huy|Ban Chỉ huy|Bộ đội Biên phòng|Bộ Tư lệnh|Trung tâm|Văn phòng|Thanh tra
Kho bạc|Mặt trận|Bảo hiểm xã hội|Bệnh viện|Liên đoàn|Liên minh|Hiệp hội|Tỉnh đoàn|Thành đoàn
Báo và Phát thanh, Truyền hình|Báo và Phát thanh - Truyền hình|Báo và Phát thanh Truyền hình
Huyện đoàn|Đoàn Thanh niên|Chủ đầu tư|Nhà trường|Liên đội|Chi đoàn|Chi bộ|Chi hội|Chi cục|Tổng cục|Cục|Học viện|Tòa án|Viện Kiểm sát|Viện kiểm sát
Ngân hàng|Chi nhánh|Cảnh sát|Đảng ủy|Thành ủy|Tỉnh ủy|Huyện ủy|Quận ủy|Cổng Thông tin
Cổng thông tin|Đài Phát thanh|Ban Quản lý|Ban quản lý|Ban Chỉ đạo|Ban chỉ đạo|Tổng công ty
Công ty|Đoàn kiểm tra|Đoàn Kiểm tra|Tổ công tác|Hội Liên hiệp|Hội Nông dân|Hội Cựu chiến binh
Hội Phụ nữ|Hội Chữ thập đỏ|Ban Giám hiệu|Ban giám hiệu|Ban đại diện cha mẹ học sinh|Bộ phận
Tổ tư vấn|Tổ chuyên môn|Báo và Đài Phát thanh - Truyền hình|Báo và Đài Phát thanh, Truyền hình
Sở KH&CN|Sở GD&ĐT|Sở TN&MT|Sở VHTTDL|Sở NN&MT|Sở LĐTBXH|Điện lực|Bưu điện|Hạt Kiểm lâm
Hạt kiểm lâm
"""
# Heads that are also ordinary words: a capitalised word must follow.
_STRICT_HEADS = (
    "Sở|Ban|Phòng|Bộ|Hội|Đoàn|Viện|Báo|Đài|Đội|Tổ|Khối|Cụm|Trường|Trạm|Nhà|Chi|Công chức"
)
"""`Công chức Văn hóa - Xã hội`: a commune's officer named by field leads like a unit."""

_LOOSE = "|".join(
    sorted((h.strip() for h in re.split(r"[|\n]", _LOOSE_HEADS) if h.strip()), key=len)[::-1]
)
# Head + next word pairs that are ordinary words, for text in capitals where case cannot
# tell `SỞ NỘI VỤ` from `TỔ CHỨC THỰC HIỆN`.
_COMMON_PAIRS = re.compile(
    r"(?:sở\s+hữu|ban\s+hành|ban\s+đầu|phòng\s+chống|phòng\s+ngừa|phòng\s+cháy|báo\s+cáo|"
    r"báo\s+chí|hội\s+nghị|hội\s+thảo|hội\s+viên|đoàn\s+kết|đoàn\s+viên|bộ\s+máy|"
    r"bộ\s+phận|đội\s+ngũ|tổ\s+chức|tổ\s+dân|trường\s+hợp|khối\s+lượng|cụm\s+từ|viện\s+dẫn|"
    r"đài\s+truyền)(?!\w)",
    re.IGNORECASE,
)
_HEAD = re.compile(rf"(?:{_LOOSE})(?![\w&])|(?P<strict>{_STRICT_HEADS})(?!\w)")
_HEAD_I = re.compile(_HEAD.pattern, re.IGNORECASE)

# Words that begin the predicate after a unit's name (lower case, canonical tones).
_STOP_WORDS = """
chủ trì|phối hợp|có trách nhiệm|có|chịu|chỉ đạo|theo dõi|tham mưu|thực hiện|triển khai|tổ chức
hướng dẫn|xây dựng|là|được|căn cứ|trên|tại|với|để|đôn đốc|định hướng|giúp|tiếp tục|kiểm tra
rà soát|bố trí|báo cáo|tăng cường|cung cấp|thẩm định|lập|xem xét|quản lý|ban hành|gửi|hỗ trợ
tiến hành|nghiên cứu|đề xuất|phát động|vận động|tuyên truyền|khẩn trương|nghiêm túc|chủ động
trực tiếp|thường xuyên|cập nhật|giám sát|phụ trách|đảm bảo|bảo đảm|sử dụng|tập trung|quán triệt
theo|thuộc|trong|về|cho|nhằm|đến|từ|khi|phải|cần|sẽ|đã|đang|làm|mở|đẩy mạnh|đánh giá
phát hiện|tích cực|kịp thời|lấy|điều phối|xử lý|tiếp nhận|công bố|trình|phê duyệt|quyết định
yêu cầu|đề nghị|giao|phân công|kết hợp|lồng ghép|duy trì|soạn thảo|nâng cao|hoàn thành
hoàn thiện|tổng hợp|thông báo|phổ biến|mời|bồi dưỡng|tập huấn|đào tạo|thẩm tra|huy động
kiện toàn|phát huy|thống kê|ứng dụng|chuẩn bị|họp|xét|ký|thành lập|khảo sát|điều tra|tham gia
tham dự|chia sẻ|điều chỉnh|bổ sung|sửa đổi|nộp|quảng bá|hoặc|nếu|của
đồng thời|ưu tiên|tổng kết|sơ kết|biểu dương|khen thưởng|tôn vinh|xác định
đưa|mở rộng|chịu trách nhiệm|quan tâm|tăng|giảm|gồm|bao gồm|lãnh đạo
"""
_STOP = re.compile(
    r"(?:"
    + "|".join(
        sorted((w.strip() for w in re.split(r"[|\n]", _STOP_WORDS) if w.strip()), key=len)[::-1]
    )
    + r")(?!\w)"
)
_STOP_I = re.compile(_STOP.pattern, re.IGNORECASE)
# Lower-case words after a comma that continue a list of communes (`các xã, phường`).
_LOCALITY = re.compile(rf"(?:{ADMIN_LEVEL_PATTERN})(?!\w)")

_PLACE = re.compile(rf"(?<!\w)(?:{ADMIN_LEVEL_PATTERN})$")
_TOKEN = re.compile(
    r"(?P<gap>[ \t]*(?P<punct>[,;:.()\[\]/]|[-–](?=\s)|\n)?\s*)"
    r"(?P<tok>[^\W_][\w&]*(?:-[^\W_][\w&]*)*)"
)
_SHARED_NOUN = re.compile(
    r"(?<!\w)(?:khu|cụm)\s*,\s*(?P<second>khu|cụm)\s+(?:công\s+nghiệp|kinh\s+tế|chế\s+xuất)",
    re.IGNORECASE,
)
"""`khu, cụm công nghiệp`: two kinds sharing one noun — the comma does not end the name
(`Chủ đầu tư dự án hạ tầng kỹ thuật khu, cụm công nghiệp`)."""


_FRONT_COMMITTEE = re.compile(r"Đảng\s+[uủ][yỷ]\s+(?:Ủy\s+ban\s+)?Mặt\s+trận\s+Tổ\s+quốc", re.I)
_FRONT_GROUPS = re.compile(r"(?:và\s+)?các\s+đoàn\s+thể(?:\s+chính\s+trị\s*-\s*xã\s+hội)?", re.I)
"""`Đảng ủy Mặt trận Tổ quốc, các đoàn thể tỉnh`: one Party committee, whose name has a comma."""


def _front_committee_end(canon: str, start: int, at: int) -> int | None:
    """The end of `… các đoàn thể` at `at` (after the comma) when the name from `start` is
    the Party committee of the Front and mass organisations, or None."""
    if not _FRONT_COMMITTEE.match(canon, start):
        return None
    m = _FRONT_GROUPS.match(canon, at)
    return m.end() if m else None


def _shared_noun_end(canon: str, at: int) -> int | None:
    """The end of a `khu, cụm công nghiệp` pair whose second kind starts at `at` (after the
    comma), or None; the pair closes the name it ends."""
    m = _SHARED_NOUN.search(canon, max(0, at - 8), at + 40)
    return m.end() if m is not None and m.start("second") == at else None


_POSITION = re.compile(
    r"(?:"
    + "|".join(w.replace(" ", r"\s+") for w in sorted(DUTY_POSITIONS, key=len, reverse=True))
    + r")(?:\s+nhà\s+trường|\s+(?:các|từng)\s+(?:tổ|lớp|khối)(?:\s+chuyên\s+môn)?)?"
    + r"(?:\s+phụ\s+trách\s+(?:chuyên\s+môn|cơ\s+sở\s+vật\s+chất|hoạt\s+động\s+giáo\s+dục))?"
    + r"(?!\w)",
    re.IGNORECASE,
)
"""A duty-holding position (`vocabulary.DUTY_POSITIONS`) with its scope (`Tổ trưởng các tổ
chuyên môn`, `Phó Hiệu trưởng phụ trách chuyên môn`)."""

_SOCIAL = re.compile(r"\s+hội(?!\w)(?!\s+viên)", re.IGNORECASE)
"""`xã hội` after `xã` (`Ngân hàng Chính sách xã hội …`): a word, not the commune level
that would close the name."""

_PROJECT_BOARD = re.compile(
    r"Ban\s+[Qq]uản\s+lý\s+(?:các\s+)?dự\s+án\s+[^,;:.()\n]{3,90}?\s"
    + rf"(?:{ADMIN_LEVEL_PATTERN})(?:\s+[A-ZĐ]\w*)*(?=\s+(?:{_STOP.pattern})|\s*[:;,.]|$)"
)
"""`Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp tỉnh`: a project
board's name holds verbs and `các`; it runs to the place word before the duty."""

_MAX_TOKENS = 18

_MARKERS = re.compile(
    r"\s*(?:\*+\s*|#+\s*|[-+•*]\s+|\(?\d+(?:\.\d+)*[.)]?\s+|[a-zđ][).]\s+|[IVXLC]+[.)]\s+)*"
)
_ADDRESS = re.compile(
    r"(?:giao(?:\s+cho)?|đề\s+nghị|đối\s+với|yêu\s+cầu)(?!\w)(?:\s*:)?\s*", re.IGNORECASE
)
_LABELLED = re.compile(
    r"(?<!\w)(?:cơ\s+quan|đơn\s+vị)\s+(?:được\s+giao\s+)?(?P<role>chủ\s+trì|thực\s+hiện|"
    r"chịu\s+trách\s+nhiệm)[^:\n]{0,40}?:\s*",
    re.IGNORECASE,
)
_QUALIFIER = re.compile(r"\s(?:theo|trong|thuộc|để|nhằm|về|căn\s+cứ|tùy|tuỳ)(?!\w)")
_ANYWHERE_ADDRESS = re.compile(r"(?<!\w)(?:giao(?:\s+cho)?|đề\s+nghị)\s+", re.IGNORECASE)
_LEADS_VERB = re.compile(
    r"\s*(?:chủ\s+trì|là\s+cơ\s+quan\s+(?:đầu\s+mối|chủ\s+trì)|có\s+trách\s+nhiệm)(?!\w)"
)
_GENERIC = re.compile(
    r"sở(?=,\s*(?:ban|ngành)(?!\w))|"  # `Sở, ban, ngành liên quan` printed without `Các`
    # `…; cơ quan, đơn vị, địa phương báo cáo …`: the same group printed without `Các`
    r"cơ\s+quan(?=,\s*(?:đơn\s+vị|địa\s+phương)(?!\w))|"
    r"(?:các|mỗi|toàn\s+thể)\s+(?:sở|cơ\s+quan|đơn\s+vị|ban|ngành|đoàn\s+thể|hội|tổ\s+chức|"
    r"địa\s+phương|xã|phường|doanh\s+nghiệp|trường(?!\s+hợp)|phòng|khối|cụm|chi\s+bộ|chi\s+đoàn|"
    r"chi\s+hội|tổ\s+chức\s+(?:cơ\s+sở\s+)?đảng|tổ(?!\s+chức)|thôn|tổ\s+dân\s+phố|"
    r"hội\s+đoàn\s+thể|ngành|cấp\s+ủy|cấp\s+uỷ|đảng\s+ủy|đảng\s+uỷ|chi\s+ủy|cơ\s+sở|"
    r"huyện\s+ủy|thành\s+ủy|đảng\s+bộ|chủ\s+đầu\s+tư|nhà\s+đầu\s+tư|hợp\s+tác\s+xã)(?!\w)",
    re.IGNORECASE,
)


_WORD = re.compile(r"[^\W_][\w&]*")


def _matchable(text: str) -> tuple[str, str]:
    written = unicodedata.normalize("NFC", text)
    canon = canonical_tones(written)
    return (written, canon) if len(canon) == len(written) else (canon, canon)


def _is_upper_word(word: str) -> bool:
    return word.isupper() and len(word) > 1


def _head_at(canon: str, pos: int) -> int | None:
    """End of a head word starting at `pos`, or None."""
    first = _WORD.match(canon, pos)
    if first is None:
        return None
    upper = _is_upper_word(first.group())
    m = (_HEAD_I if upper else _HEAD).match(canon, pos)
    if m is None:
        return None
    if m["strict"] is not None:
        nxt = _TOKEN.match(canon, m.end())
        if nxt is None or nxt["punct"] or not nxt["tok"][0].isupper():
            return None
        if upper and _COMMON_PAIRS.match(canon, pos):
            return None
    return m.end()


def _read_unit(canon: str, pos: int, whole: bool = False) -> int | None:
    """End of the unit's name starting at `pos`, or None when no unit starts there.

    `whole`: the text is only a lead phrase (a table cell, a labelled value), so its end
    also closes a name's tail (`_name_tail`)."""
    head_end = _head_at(canon, pos)
    if head_end is None:
        return None
    if board := _PROJECT_BOARD.match(canon, pos):
        return board.end()
    upper = _is_upper_word(canon[pos:head_end].split()[0])
    stop = _STOP_I if upper else _STOP
    end = head_end
    tokens = 0
    cut = None
    """Why the name stopped on a lower-case word (`stop`, `comma`, `and`), if it did: then
    the name may still run on to a lead verb (`_name_tail`)."""
    closed = False
    """True after a place word or an acronym (`… tỉnh`, `… khu vực VII`): the name may go on
    only with a proper name or another place word, a lower-case word starts the predicate."""
    while tokens < _MAX_TOKENS:
        m = _TOKEN.match(canon, end)
        if m is None:
            break
        punct, tok, at = m["punct"], m["tok"], m.start("tok")
        capital = tok[0].isupper() and not upper
        if closed and not punct and not capital and not _LOCALITY.match(canon, at):
            cut = "stop"
            break
        if punct == "/" and _LOCALITY.match(canon, at):  # `UBND các xã/phường`
            pass
        elif punct in (";", ":", ".", "(", ")", "[", "]", "/", "\n"):
            break
        elif punct == ",":
            if (pair_end := _shared_noun_end(canon, at)) is not None or (
                pair_end := _front_committee_end(canon, pos, at)
            ) is not None:
                # `… hạ tầng kỹ thuật khu, cụm công nghiệp`: one name over two kinds; only a
                # place word may follow it (`… khu, cụm công nghiệp tỉnh`).
                end, closed = pair_end, True
                tokens += 1
                continue
            elif not ((capital and _head_at(canon, at) is None) or _LOCALITY.match(canon, at)):
                cut = "comma" if not capital and not upper else None
                break
        elif punct in ("-", "–"):
            if not (tok[0].isupper() or tok.isdigit()):
                break
        elif not capital and stop.match(canon, at):
            cut = "stop" if not upper else None
            break
        elif tok.lower() == "và":
            nxt = _TOKEN.match(canon, m.end())
            if (
                nxt is None
                or nxt["punct"]
                or not nxt["tok"][0].isupper()
                or _head_at(canon, nxt.start("tok")) is not None
            ):
                cut = "and" if nxt is not None and not nxt["punct"] and not upper else None
                break
        elif tok.isdigit():
            break
        end = m.end()
        tokens += 1
        closed = not upper and (
            (
                _PLACE.search(canon, max(0, end - 12), end) is not None
                and not _SOCIAL.match(canon, end)
            )
            or (_is_upper_word(tok) and tok.isalpha())
        )
    if cut is not None and (tail := _name_tail(canon, end, whole)) is not None:
        return tail
    return end


_MAX_TAIL_TOKENS = 14
"""A name's lower-case tail (`… xử lý vi phạm hành chính và Theo dõi thi hành pháp luật`)
rarely runs longer; beyond this the words are a predicate, not part of the name."""

_TAIL_END = re.compile(
    r"\s*(?:chủ\s+trì|là\s+cơ\s+quan|có\s+trách\s+nhiệm|chịu\s+trách\s+nhiệm|phối\s+hợp\s+với|:)"
)
"""What closes a unit's name for certain: its lead verb or the colon of `X: …`."""

_TAIL_BREAKERS = re.compile(
    r"(?:tham\s+mưu|chỉ\s+đạo|triển\s+khai|tổ\s+chức|theo\s+dõi|hướng\s+dẫn|đôn\s+đốc|"
    r"thực\s+hiện|báo\s+cáo|tổng\s+hợp|ban\s+hành|rà\s+soát|tuyên\s+truyền|phối\s+hợp|"
    r"trên|theo|căn\s+cứ|nếu|khi|để|nhằm|với|cho|đến|từ|trong|tại|được|đã|sẽ|cần|phải|có|"
    r"các|của|là|đề\s+nghị|giao|chủ\s+trì|chịu)(?!\w)"
)
"""Lower-case words that never sit inside a unit's name: the main verbs of a duty,
prepositions, `các` (a new group) and `của`."""


def _name_tail(canon: str, end: int, whole: bool) -> int | None:
    """The end of a unit name that goes on past a word that usually starts the predicate.

    `Phòng Phổ biến, giáo dục pháp luật chủ trì…`, `Trung tâm Trợ giúp pháp lý nhà nước
    chủ trì…`, `Phòng Quản lý xử lý vi phạm hành chính và Theo dõi thi hành pháp luật phối
    hợp với…`: the words up to a lead verb, a colon, `; <unit>` or (`whole`) the end of the
    text are the name when they are few and hold no duty verb, preposition, `các` or other unit.
    Returns None when no such end is in reach (the name stops where it stopped).
    """
    if _TAIL_END.match(canon, end):
        return None  # the lead verb follows at once: the name is already whole
    pos = end
    commas = 0
    for _ in range(_MAX_TAIL_TOKENS + 1):
        if pos > end and (_TAIL_END.match(canon, pos) or (whole and not canon[pos:].strip())):
            return pos
        m = _TOKEN.match(canon, pos)
        if m is None:
            return None
        punct, at = m["punct"], m.start("tok")
        if pos > end and punct == ";" and _head_at(canon, at) is not None:
            return pos
        if punct == ",":
            commas += 1
        elif punct:
            return None
        if commas > 1 or _head_at(canon, at) is not None or _GENERIC.match(canon, at):
            return None
        if not m["tok"][0].isupper() and _TAIL_BREAKERS.match(canon, at):
            return None
        pos = m.end()
    return None


def _clean(written: str, start: int, end: int) -> str:
    return " ".join(written[start:end].split()).rstrip(" ,;:-–")


def _after_markers(canon: str) -> int:
    m = _MARKERS.match(canon)
    return m.end() if m else 0


def find_lead(text: str) -> str | None:
    """The unit in charge of one task item, as written, or None.

    Reads, in order: a labelled line (`Cơ quan chủ trì: Sở Tư pháp`, `Đơn vị chủ trì: …`,
    `Cơ quan thực hiện: …`; the first unit listed); a unit opening the item after its
    marker, with or without `Giao`/`Đề nghị` (`Giao Sở Nội vụ: …`,
    `Phòng Văn hóa - Xã hội: theo dõi…`, `Sở Văn hóa, Thể thao và Du lịch chỉ đạo…`);
    `giao`/`đề nghị <unit>` or `<unit> chủ trì` further in.  Items that name no unit
    (`Tổ chức tổng kết…`) or only a generic subject (`Thủ trưởng các cơ quan, đơn vị`)
    give None.

    Example:
        >>> find_lead("4. Giao Sở Nội vụ: Chỉ đạo Ban Thi đua - Khen thưởng thành phố")
        'Sở Nội vụ'
    """
    written, canon = _matchable(text)
    labelled = sorted(
        _LABELLED.finditer(canon), key=lambda m: 0 if "chủ" in m["role"].lower() else 1
    )
    for m in labelled:
        pos = m.end()
        end = _read_unit(canon, pos)
        if end is not None:
            return _clean(written, pos, end)
        # No named unit: the plan's own wording is the lead, up to the end of the item or a
        # qualifying clause (`Các sở, ngành có liên quan theo chức năng, nhiệm vụ …`).
        item = re.match(r"[^;.\n(]{2,120}", canon[pos:])
        if item:
            end = pos + item.end()
            if cut := _QUALIFIER.search(canon, pos, end):
                end = cut.start()
            if len(canon[pos:end].split()) <= 12:
                return _clean(written, pos, end) or None
    pos = _after_markers(canon)
    if address := _ADDRESS.match(canon, pos):
        pos = address.end()
    end = _read_unit(canon, pos)
    if end is not None:
        return _clean(written, pos, end)
    for m in _ANYWHERE_ADDRESS.finditer(canon):
        end = _read_unit(canon, m.end())
        if end is not None:
            return _clean(written, m.end(), end)
    for m in _HEAD.finditer(canon):
        # Only a unit that opens a clause is its subject (not `… thuộc Ủy ban nhân dân …`).
        if canon[: m.start()].rstrip()[-1:] not in ("", ";", ":", ".", ",", "("):
            continue
        end = _read_unit(canon, m.start())
        if end is not None and _LEADS_VERB.match(canon, end):
            return _clean(written, m.start(), end)
    return None


def is_unit_heading(line: str) -> bool:
    """True for a heading that only names units, under which a plan groups their duties.

    `1. Sở Nội vụ`, `2. Công an tỉnh:`, `6. Đề nghị: Hiệp hội Doanh nghiệp tỉnh, Hội Nông
    dân tỉnh`, `5. Các đoàn thể, tổ chức xã hội:`.  Not headings: items that go on with a
    duty (`1. Sở Nội vụ chủ trì…`, `Sở Y tế: Chủ trì…`) and headings without a unit
    (`1. Mục đích`).
    """
    written, canon = _matchable(line.strip())
    if re.match(r"[-+•*]\s", canon) or canon.endswith((";", ",", ".")):
        return False  # bullets and list entries (`- Bộ Nội vụ;` in Nơi nhận) are not headings
    canon = canon.rstrip().rstrip(":").rstrip()
    pos = _after_markers(canon)
    if pos == 0 and canon.isupper():
        return False  # the header's issuing body (`ỦY BAN NHÂN DÂN`), not a numbered heading
    if address := _ADDRESS.match(canon, pos):
        pos = address.end()
    if (role := _ROLE.match(canon, pos)) and (
        _read_unit(canon, role.end()) is not None or _GENERIC.match(canon, role.end())
    ):
        pos = role.end()  # `1. Chủ tịch Ủy ban nhân dân các xã, phường:` heads the unit's duties
    rest = canon[pos:]
    if not rest or len(rest.split()) > 24 or "\n" in rest:
        return False
    found_unit = False
    while pos < len(canon):
        # The heading is only a lead phrase: its end closes the last name's lower-case tail
        # (`1. Ban Quản lý các khu công nghệ cao và khu công nghiệp`).
        end = _read_unit(canon, pos, whole=True)
        if end is None:
            generic = _GENERIC.match(canon, pos)
            position = _POSITION.match(canon, pos)
            if generic is not None:
                end = _read_generic(canon, generic.end())
            elif position is not None:
                end = position.end()  # `2. Tổng phụ trách Đội:` heads the holder's duties
            else:
                return False
        else:
            found_unit = True
        sep = re.compile(r"\s*(?:[,;]\s*|\s(?:và|cùng)\s+)").match(canon, end)
        if end >= len(canon):
            return True
        if sep is None:
            return False
        pos = sep.end()
    return found_unit


_RELATED = re.compile(
    rf"\s+(?:có\s+)?liên\s+quan|\s+khác(?!\w)|"
    r"\s+được\s+(?:kiểm\s+tra|thanh\s+tra|khảo\s+sát|đánh\s+giá|"
    # `Các cơ quan, đơn vị được giao chủ trì có trách nhiệm …`: `chủ trì` is in the name
    r"giao(?:\s+chủ\s+trì(?=\s+(?:có|chịu)\s+trách\s+nhiệm))?)(?!\w)|"
    rf"\s+(?:thuộc|trên\s+địa\s+bàn)\s+(?:{ADMIN_LEVEL_PATTERN})(?:\s+[A-ZĐ]\w*)*|"
    rf"\s+(?:trực\s+)?thuộc(?:\s+(?:Ủy\s+ban\s+nhân\s+dân|UBND|Sở|Ban|[A-ZĐ]\w*)"
    rf"(?:\s+(?:{ADMIN_LEVEL_PATTERN})(?:\s+[A-ZĐ]\w*)*)?)?"
)
"""`… có liên quan`, `… khác`, `… được kiểm tra`, `… thuộc tỉnh`, `… trên địa bàn thành
phố` close a generic group as part of it."""


def _read_generic(canon: str, pos: int) -> int:
    """End of a generic group (`Các sở, ban, ngành tỉnh`) that starts before `pos`."""
    end = pos
    while m := _TOKEN.match(canon, end):
        if m["punct"] in (";", ":", ".", "(", ")", "\n"):
            break
        if m["punct"] == "," and _ROLE.match(canon, m.start("tok")):
            break  # `Giám đốc các Sở, Thủ trưởng các ngành …`: the next holder of the list
        if m["tok"][0].isupper() and _head_at(canon, m.start("tok")) is not None:
            break
        if not m["punct"] and _STOP.match(canon, m.start("tok")) and m["tok"] != "của":
            if related := _RELATED.match(canon, end):
                end = related.end()
            break
        if m["tok"].lower() == "và":
            break
        end = m.end()
    return end


_LIST_SEP = re.compile(r"(?:\s*[,;]\s*(?:và\s+)?|\s+(?:và|cùng)\s+)")
_ROLE = re.compile(
    r"(?:thủ\s+trưởng|lãnh\s+đạo|người\s+đứng\s+đầu|chủ\s+tịch|giám\s+đốc)\s+(?=các\s|\S)",
    re.IGNORECASE,
)
"""Role words before a unit (`Thủ trưởng các sở, ban, ngành`): the unit leads, not the role."""


_PLURAL = re.compile(r"(?:các|Các|những|Những|CÁC)\s+")
"""`Các` before a unit's head word: the unit in the plural (`Các Trung tâm Y tế`)."""


def _unit_list(canon: str, pos: int, whole: bool = False) -> list[tuple[int, int]]:
    """Spans of the units listed from `pos` (`Sở A; Sở B và các sở, ngành có liên quan`);
    `whole` as for `_read_unit`."""
    spans: list[tuple[int, int]] = []
    while pos < len(canon):
        start = pos
        role = _ROLE.match(canon, pos)
        if role and (
            _read_unit(canon, role.end()) is not None or _GENERIC.match(canon, role.end())
        ):
            start = role.end()
        end = _read_unit(canon, start, whole)
        if end is None and (plural := _PLURAL.match(canon, start)):
            end = _read_unit(canon, plural.end(), whole)  # `Các Trung tâm Y tế khu vực`
        if end is None:
            generic = _GENERIC.match(canon, start)
            if generic is None:
                break
            end = _read_generic(canon, generic.end())
        spans.append((start, end))
        sep = _LIST_SEP.match(canon, end)
        if sep is None:
            break
        pos = sep.end()
    return spans


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def split_units(text: str) -> list[str]:
    """The units of a lead phrase as printed: `Sở A; Sở B và các sở, ngành` → three units.

    A phrase that lists no recognised unit is returned whole (the plan's own wording).
    """
    written, canon = _matchable(text.strip().rstrip(".;,"))
    spans = _unit_list(canon, 0, whole=True)
    if not spans:
        value = _clean(written, 0, len(written))
        return [value] if value else []
    return [_capitalised(_clean(written, a, b)) for a, b in spans if _clean(written, a, b)]


def find_leads(text: str) -> list[str]:
    """All units in charge of one task item, as printed, in order (see `find_lead`).

    A labelled line or an opening list gives every unit it names: `Cơ quan chủ trì: Sở Y
    tế; Sở Tài chính` → two; `Đề nghị Ủy ban Mặt trận Tổ quốc tỉnh và các tổ chức chính
    trị - xã hội tỉnh: …` → two.  Role words (`Thủ trưởng các cơ quan`) are dropped.
    """
    written, canon = _matchable(text)
    labelled = sorted(
        _LABELLED.finditer(canon), key=lambda m: 0 if "chủ" in m["role"].lower() else 1
    )
    for m in labelled:
        spans = _unit_list(canon, m.end())
        if spans:
            return [_capitalised(_clean(written, a, b)) for a, b in spans]
    pos = _after_markers(canon)
    if address := _ADDRESS.match(canon, pos):
        pos = address.end()
    spans = _unit_list(canon, pos)
    if spans and (_read_unit(canon, spans[0][0]) is not None or _opens_duty(canon, spans[-1][1])):
        return [_capitalised(_clean(written, a, b)) for a, b in spans]
    if positions := _position_list(canon, pos):
        # `Phó Hiệu trưởng chỉ đạo tổ chuyên môn …`, `Trưởng thôn, tổ trưởng tổ dân phố
        # thông báo …`: the position holders are given the duty.
        return [_capitalised(_clean(written, a, b)) for a, b in positions]
    lead = find_lead(text)
    if lead:
        return [lead]
    return _paragraph_subjects(written, canon)


_LINE_START = re.compile(r"\n[ \t]*")


def _paragraph_subjects(written: str, canon: str) -> list[str]:
    """The units that open a later paragraph of the item and go on with its duty.

    `6. Tỷ lệ … đạt chuẩn 100%.` / `Ban Quản lý Khu kinh tế và Ban Quản lý các Khu công
    nghiệp tỉnh triển khai xây dựng…`: the heading states a target, the paragraph under
    it says who does the work.  The first such paragraph wins.
    """
    for line in _LINE_START.finditer(canon):
        spans = _unit_list(canon, line.end())
        # A generic group counts too (`Các chi bộ tổ chức quán triệt …`): the duty follows it.
        if spans and _opens_duty(canon, spans[-1][1]):
            return [_capitalised(_clean(written, a, b)) for a, b in spans]
    return []


_DUTY_OPENING = re.compile(r"\s*(?::|có\s+trách\s+nhiệm|chủ\s+trì|chịu\s+trách\s+nhiệm|phối\s+hợp)")


def _opens_duty(canon: str, pos: int) -> bool:
    """A generic subject (`Các sở, ban, ngành`) leads only when its duty follows at once:
    a colon, `chủ trì`, or a verb that opens the predicate (`… căn cứ`, `… tổ chức`)."""
    if _DUTY_OPENING.match(canon, pos) is not None:
        return True
    word = _TOKEN.match(canon, pos)
    return (
        word is not None and not word["punct"] and _STOP.match(canon, word.start("tok")) is not None
    )


_MEMBER = re.compile(r"thành\s+viên\s+(?=\S)", re.IGNORECASE)
_IN_CHARGE_OF = re.compile(r"\s+phụ\s+trách(?!\w)", re.IGNORECASE)


def _position_at(canon: str, pos: int) -> int | None:
    """End of a duty-holding position starting at `pos`: one of `DUTY_POSITIONS`, or a
    member of a named body (`Thành viên Ban Chỉ đạo`, `thành viên Tổ công tác`)."""
    if m := _POSITION.match(canon, pos):
        return m.end()
    if (m := _MEMBER.match(canon, pos)) and (end := _read_unit(canon, m.end())) is not None:
        return end
    return None


def _position_list(canon: str, pos: int) -> list[tuple[int, int]]:
    """Spans of the positions listed from `pos` when their duty follows at once, else []."""
    spans: list[tuple[int, int]] = []
    while (end := _position_at(canon, pos)) is not None:
        spans.append((pos, end))
        sep = _LIST_SEP.match(canon, end)
        if sep is None or _position_at(canon, sep.end()) is None:
            break
        pos = sep.end()
    if not spans or _IN_CHARGE_OF.match(canon, spans[-1][1]):
        return []  # `thành viên Hội đồng … phụ trách các cụm, khối …`: the holder runs on
    return spans if _opens_duty(canon, spans[-1][1]) else []


def is_duty_position(text: str) -> bool:
    """True when `text` is a duty-holding position and nothing else (`Giáo viên chủ nhiệm`,
    `Tổ trưởng các tổ chuyên môn`; `vocabulary.DUTY_POSITIONS`)."""
    _, canon = _matchable(text.strip())
    m = _POSITION.match(canon)
    return m is not None and not canon[m.end() :].strip()


def opens_with_predicate(text: str) -> bool:
    """True when `text` opens with a verb or preposition that starts a duty or a topic
    (`Đẩy mạnh truyền thông …`, `Tổ chức tập huấn`, `Về tuyên truyền`): such a phrase is
    never a holder, whatever follows it."""
    _, canon = _matchable(text.strip())
    lowered = canon[:1].lower() + canon[1:]
    return _STOP.match(lowered) is not None
