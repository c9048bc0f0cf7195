"""Tasks: the rows of a plan's work, with their kind, period, leads and dates.

Which items are rows (see CONVENTIONS.md, *Tasks*):
- the lowest-level items under a part that gives work (`NHIỆM VỤ`, `GIẢI PHÁP`, `NỘI
  DUNG`, `PHÂN CÔNG`…, and parts whose heading names nothing else); items under `MỤC ĐÍCH`,
  `YÊU CẦU`, `MỤC TIÊU`, `QUAN ĐIỂM`, `ĐỐI TƯỢNG`, `KINH PHÍ` are not rows;
- the items of `TỔ CHỨC THỰC HIỆN` that give a named unit a duty (`source="organisation"`);
- the rows of an appendix task table (`source="table"`).
Not rows either: members of an inspection team (`Ông Nguyễn Văn A - Trưởng đoàn`), a
closing sentence numbered as an item (`Trong quá trình thực hiện, nếu có khó khăn…`).

Granularity: an item that carries its own assignment block (`Cơ quan chủ trì: …`,
`Thời gian thực hiện: …` among its lines) is one row, its bullets part of its text; a unit
heading (`1. Sở Nội vụ:`) with bullets gives one row per bullet, led by the unit.

`kind`: `assignment` when the row has a lead (its own, its unit heading's or an ancestor's
assignment block), a time (its own or its heading's), is a table row or a duty in
`TỔ CHỨC THỰC HIỆN`; otherwise `activity`.

A row's period is its own (`Thời gian thực hiện: …`, the table's time column, a time
phrase in its wording such as `hoàn thành trước ngày 20/6/2026`), else the nearest
heading's above it; never the title's or the document's year, which only completes phrases
that omit the year (`Quý II`).  Matching is on `skeleton()`, so either tone spelling works.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.document import Layout, Period, Section, Table, Task
from pipeline.extract.dates import find_dates
from pipeline.extract.periods import find_periods, own_period, parse_period
from pipeline.extract.units import (
    find_leads,
    is_duty_position,
    is_unit_heading,
    opens_with_predicate,
    split_units,
)
from pipeline.vietnamese import is_upper_line, skeleton

TASK_WORDS = (
    "nhiem vu",
    "giai phap",
    "noi dung",
    "phan cong",
    "cong viec",
    "bien phap",
    "chuong trinh",
    "lo trinh",
    "phuong huong",
)
ORG_WORDS = (
    "to chuc thuc hien",
    "trach nhiem thuc hien",
    "phan cong trach nhiem",
    "che do bao cao",
)
"""Parts that distribute work; `CHẾ ĐỘ BÁO CÁO` gives units their reporting duties."""
NOT_TASK_WORDS = (
    "muc dich",
    "yeu cau",
    "muc tieu",
    "quan diem",
    "doi tuong",
    "kinh phi",
    "danh gia",
    "nguyen tac",
    "tieu chuan",
    "nguon luc",
    "pham vi",
    "tinh hinh",
    "can cu",
    "hinh thuc",
    "so luong",
    "thu tuc",
    "ket qua",
    "chi tieu",
    "thoi gian",
    "luc luong",
    "von dau tu",
    "ton tai",
    "han che",
    "nguyen nhan",
    "bai hoc",
)
_STRONG_NOT_TASK = (
    "muc dich",
    "yeu cau",
    "muc tieu",
    "quan diem",
    "doi tuong",
    "chi tieu",
    "ket qua",
    "thoi gian",
    "tinh hinh",
)
"""Headings that are never work wherever they stand, even as an item among work items or
in a notice without parts (`2. Kết quả tiếp nhận hồ sơ`, `1. Thời gian tiếp nhận hồ sơ`)."""

# `Ông Hoàng Văn Thuân - Trưởng đoàn`, `Đ/c Lê An - Phó Chủ tịch`: a team's member list.
_TEAM_MEMBER = re.compile(r"^(?:ông|bà|đồng\s+chí|đ/c)\.?\s+\w", re.IGNORECASE)
# A closing sentence numbered as the last item (`3. Trong quá trình thực hiện, nếu có…`).
_CLOSING_ITEM = re.compile(
    r"^(trong qua trinh (to chuc )?(trien khai )?thuc hien|qua trinh thuc hien|tren day la|"
    r"neu co kho khan)"
)
# `Kinh phí: …`, `Nguồn kinh phí …`, `Ngân sách Thành phố bảo đảm kinh phí …`: funding.
_FUNDING_ITEM = re.compile(
    r"^(nguon )?kinh phi\b|^(ngan sach|nguon von|von ngan sach)\b.{0,60}\b(bao dam|dam bao|bo tri)\b"
)
# `Lực lượng: đoàn viên…`, `Thành phần: …`, `Địa điểm: …`, a notice's record fields
# (`Tên đơn vị: …`, `Địa chỉ trụ sở chính: …`, `Điện thoại: …`): a description, not work.
_DESCRIPTION_ITEM = re.compile(
    r"^(luc luong|thanh phan|dia diem|doi tuong|quy mo|phuong tien|ten don vi|ten doanh nghiep|"
    r"dia chi|dien thoai|so dien thoai|email|fax|website|giay chung nhan|nganh nghe|"
    r"nguoi dai dien|ma so thue|von dieu le)( [a-z]+){0,5}\s*:"
)
# `2. Nhiệm vụ thực hiện theo lộ trình đến năm 2030` / `Các nhiệm vụ … được xác định tại Phụ
# lục 2 kèm theo`: a heading that only points to the appendix table holding the rows.
_CATEGORY_HEADING = re.compile(r"^(cac )?nhiem vu\b")
_APPENDIX_POINTER = re.compile(r"\b(tai|theo|o) (bieu )?phu luc\b")
# `Chánh Văn phòng …; Giám đốc các sở … chịu trách nhiệm thi hành Quyết định này`.
_ENFORCEMENT_CLAUSE = re.compile(r"chiu trach nhiem thi hanh (quyet dinh|van ban|ke hoach)")

# `Cơ quan chủ trì: …`, `Đơn vị chủ trì tham mưu thực hiện: …`, `c) Thời gian thực hiện: …`
_ATTRIBUTE = re.compile(
    r"^(?P<label>(noi dung|nhiem vu|co quan|don vi|chu tri|phoi hop|thoi gian|thoi han|"
    r"tien do|san pham|ket qua|kinh phi|trach nhiem (?:chi dao|chu tri|thuc hien))[a-z ]{0,40}?)"
    r"\s*:\s*(?P<value>.*)$",
)
_LEAD_LABEL = re.compile(r"^(co quan|don vi)\s+(chu tri|thuc hien)|^chu tri|^trach nhiem")
# `Trách nhiệm chỉ đạo thực hiện: Đảng ủy Ủy ban nhân dân tỉnh.` after a run of bullets names
# their leads; with nothing after its colon it is a heading (`3. Trách nhiệm thực hiện:`).
_HEADING_LABEL = re.compile(r"^trach nhiem")
_TIME_LABEL = re.compile(r"^(thoi gian|thoi han|tien do)")
_CONTENT_LABEL = re.compile(r"^(noi dung|nhiem vu)")
# `Thời gian thực hiện sau khi …` written without a colon.
_TIME_SENTENCE = re.compile(r"^(thoi gian (thuc hien|hoan thanh)|thoi han)\b")


@dataclass(frozen=True)
class _Context:
    """What a node inherits from its ancestors."""

    part: str | None = None
    period: Period | None = None
    """The nearest heading's (or ancestor assignment block's) period."""
    leads: tuple[str, ...] = ()
    """Leads given above: a unit heading or an ancestor's assignment block."""
    mode: str = "task"
    """`task` or `organisation`."""


def _sk(text: str) -> str:
    return " ".join(skeleton(text).split())


def _attribute(text: str) -> tuple[str, str] | None:
    """(label skeleton, value as written) for `Cơ quan chủ trì: Sở Y tế` (None otherwise)."""
    match = _ATTRIBUTE.match(skeleton(text))
    if not match:
        if _TIME_SENTENCE.match(skeleton(text)):
            return "thoi gian", text
        return None
    # skeleton() keeps one character per character, so the offset maps back to `text`.
    value = text[match.start("value") :].strip()
    if not value and _HEADING_LABEL.match(match.group("label")):
        return None
    return match.group("label"), value


def _is_attribute(section: Section) -> bool:
    return section.kind != "appendix" and _attribute(section.heading) is not None


def _strip_marker(heading: str) -> str:
    return re.sub(r"^\s*[\dIVXLC]+(?:\.\d+)*[.)]\s*", "", heading)


_TARGET_OPENING = re.compile(r"^(cac\s+)?(muc tieu|chi tieu|muc dich|yeu cau|quan diem)\b")


def is_target_heading(heading: str) -> bool:
    """A heading that opens with targets, purposes or requirements and names no work:
    `II. MỤC TIÊU VÀ CHỈ TIÊU CHỦ YẾU ĐẾN NĂM 2030`, `2. Các chỉ tiêu chủ yếu giai đoạn
    2026 - 2030`.  Its own time (`đến năm 2030`) does not make its items work;
    `MỤC TIÊU, NHIỆM VỤ VÀ GIẢI PHÁP` names work and is not one."""
    sk = _sk(_strip_marker(heading))
    return bool(_TARGET_OPENING.match(sk)) and not any(w in sk for w in TASK_WORDS)


def _classify(heading: str, strict: bool = False) -> str:
    """`organisation`, `task`, `mixed`, `skip` or `unknown` for a part heading.

    `strict` (items under a mixed part) needs the heading to start with the work word:
    `2. Nội dung thi đua` is work, `5.2. Phương tiện cho hoạt động kiểm tra` is not.
    """
    sk = _sk(heading)
    if any(sk.startswith(w) if strict else w in sk for w in ORG_WORDS):
        return "organisation"
    if is_target_heading(heading):
        return "skip"
    timed = any(p.start or p.end for p in find_periods(heading))
    if strict:
        return "task" if sk.startswith(TASK_WORDS) or timed else "unknown"
    task = any(w in sk for w in TASK_WORDS) or timed
    other = any(w in sk for w in NOT_TASK_WORDS)
    if task and other:
        # `NỘI DUNG, HÌNH THỨC`, `NHIỆM VỤ CỤ THỂ VÀ THỜI GIAN THỰC HIỆN`: work comes first.
        return "task" if _sk(_strip_marker(heading)).startswith(TASK_WORDS) else "mixed"
    if task:
        return "task"
    return "skip" if other else "unknown"


# `2. Trách nhiệm của Sở Nội vụ`, `Nhiệm vụ của các xã`: the heading names the unit.
_DUTY_OF = re.compile(r"^(?:[\dIVX.]+\s+)?(?:Trách nhiệm|Nhiệm vụ)(?:\s+của)?\s+(?=\S)", re.I)


# `… là cơ quan thường trực, có trách nhiệm:`, `… có trách nhiệm thực hiện các nhiệm vụ sau:`
_DUTY_INTRO = re.compile(
    r"^[\s,]*(?:(?:là|làm)\s+cơ\s+quan\s+(?:thường\s+trực|đầu\s+mối|chủ\s+trì)[\s,]*)?"
    r"(?:(?:có|chịu)\s+trách\s+nhiệm|có\s+nhiệm\s+vụ|chủ\s+trì|thực\s+hiện)?"
    r"(?:\s+(?:thực\s+hiện\s+)?(?:các|những)\s+nhiệm\s+vụ(?:\s+(?:sau|cụ\s+thể))?(?:\s+đây)?)?"
    r"\s*:\s*$",
    re.IGNORECASE,
)


def _unit_introducing_duties(heading: str) -> tuple[str, ...]:
    """`2. Phòng Kinh tế là cơ quan thường trực, có trách nhiệm:` above bullets: the unit
    the bullets are duties of, when nothing but a duty introduction follows its name."""
    if not heading.rstrip().endswith(":"):
        return ()
    leads = find_leads(heading)
    if not leads:
        return ()
    tail = heading[heading.find(leads[-1]) + len(leads[-1]) :] if leads[-1] in heading else ""
    return tuple(leads) if tail and _DUTY_INTRO.match(tail) else ()


def _unit_of_heading(heading: str) -> tuple[str, ...]:
    """The units a heading names when the heading is only units (`1. Sở Nội vụ:`) or
    units and a duty introduction (`… là cơ quan thường trực, có trách nhiệm:`)."""
    heading = _DUTY_OF.sub("", heading.strip())
    if heading and not is_unit_heading(heading):
        return _unit_introducing_duties(heading)
    if not heading:
        return ()
    text = re.sub(r"^[\dIVX.)\s]*(Giao|Đề nghị:?)\s+", "", heading.strip()).rstrip(":.").strip()
    text = re.sub(r"^[\dIVXa-zđ]{1,4}[.)]\s+", "", text)
    return tuple(split_units(text))


def _attributes(section: Section) -> list[tuple[str, str, Section | None]]:
    """(label, value, node) for attribute children and attribute lines of `text`."""
    found: list[tuple[str, str, Section | None]] = []
    for paragraph in section.text.split("\n"):
        attr = _attribute(paragraph.strip()) if paragraph.strip() else None
        if attr:
            found.append((attr[0], attr[1], None))
    for child in section.children:
        attr = _attribute(child.heading)
        if attr:
            found.append((attr[0], attr[1], child))
    return found


def _flatten(section: Section) -> list[str]:
    out = [section.heading] if section.heading else []
    out += [p for p in section.text.split("\n") if p]
    for child in section.children:
        out += _flatten(child)
    return out


def _leads_from_attrs(attrs: list[tuple[str, str, Section | None]]) -> tuple[str, ...]:
    """The units of a `Cơ quan chủ trì: …` / `Đơn vị thực hiện: …` line, in order."""
    for label, value, node in attrs:
        if not _LEAD_LABEL.match(label):
            continue
        if not value and node is not None:
            # `b) Cơ quan thực hiện:` with `- Đơn vị chủ trì: …` below it
            inner = _leads_from_attrs(_attributes(node))
            if inner:
                return inner
            continue
        clause = value.strip().rstrip(".;,").strip()
        if is_unit_heading(clause):
            # The value is only units (`Sở A; Ban Quản lý các khu công nghiệp và khu chế
            # xuất`): read as a whole lead phrase, a lower-case tail stays in its name.
            units = split_units(clause)
        else:
            units = find_leads(f"Cơ quan chủ trì: {value}") or split_units(_first_clause(value))
        if units:
            return tuple(units)
    return ()


def _first_clause(value: str) -> str:
    return value.split(";")[0].strip().rstrip(".,").strip()


def _period_from_attrs(
    attrs: list[tuple[str, str, Section | None]], year: int | None
) -> Period | None:
    for label, value, _ in attrs:
        if _TIME_LABEL.match(label) and value:
            return parse_period(value, year) or Period(label=value.rstrip(". "))
    return None


def _heading_period(heading: str, year: int | None) -> Period | None:
    periods = [p for p in find_periods(heading, year) if p.start or p.end]
    return periods[0] if periods else None


def _task_text(section: Section, attrs: list[tuple[str, str, Section | None]]) -> str:
    parts = [section.heading] if section.heading else []
    attr_nodes = {id(node) for _, _, node in attrs if node is not None}
    parts += [p for p in section.text.split("\n") if p and _attribute(p) is None]
    for label, value, node in attrs:
        if _CONTENT_LABEL.match(label):
            if value:
                parts.append(value)
            if node is not None:
                for child in node.children:
                    parts += _flatten(child)
    for child in section.children:
        if id(child) not in attr_nodes:
            parts += _flatten(child)
    return "\n".join(parts)


# Verbs that open the duty after its holder (skeletons): `… xây dựng chương trình`.
_DUTY_VERBS = re.compile(
    r"\s(xay dung|don doc|chi dao|trien khai|to chuc|theo doi|chu dong|phoi hop|thuc hien|"
    r"co trach nhiem|tham muu|huong dan|kiem tra|bao cao|tong hop|tuyen truyen|"
    r"dinh huong|quan triet|ban hanh|chuan bi|can cu|tien hanh|danh gia|gui)\b"
)
_HOLDER_START = re.compile(
    r"(?:^|,\s*|\b(?:de nghi|giao|yeu cau)\s+)((?:cac\s+)?(?:thu truong|lanh dao|thanh vien|chu tich|"
    r"giam doc|truong|khoi|cum|don vi|co quan)\b)"
)


def duty_holder(text: str) -> str | None:
    """Who a `TỔ CHỨC THỰC HIỆN` item charges when no unit name is recognised.

    A labelled holder (`Các Khối thi đua thuộc đặc khu: triển khai…`) or a holder named as
    the subject before the duty's verb (`Thủ trưởng các cơ quan, đơn vị … xây dựng…`,
    `Đề nghị thành viên Hội đồng Thi đua - Khen thưởng … đôn đốc…`).
    """
    first = text.split("\n")[0].strip()
    label, colon, rest = first.partition(":")
    if colon and 1 < len(label.split()) <= 12 and label[:1].isupper():
        holder = _strip_request(label.strip())
        if opens_with_predicate(holder):
            return None
        if _names_holder(holder):
            return holder
        # `Chế độ báo cáo: Các đơn vị báo cáo …`: a topic label; the holder follows it.
        leads = find_leads(rest.strip())
        return "; ".join(leads) if leads else None
    sk = skeleton(first)  # same length as `first` for NFC Vietnamese text
    start = _HOLDER_START.search(sk)
    if not start or len(sk) != len(first):
        return None
    verb = _DUTY_VERBS.search(sk, start.end(1))
    if not verb or verb.start() - start.start(1) > 120:
        return None
    return first[start.start(1) : verb.start()].strip(" ,;") or None


# `Đối với đơn vị được kiểm tra: Chuẩn bị báo cáo …`: the item addresses its holder by a label.
_ADDRESSED = re.compile(r"^(?:Đối với|Đề nghị|Giao|Yêu cầu)\s+(?P<holder>[^:;.\n]{3,80}):", re.I)
# Who else an item may address (skeletons): `cơ sở được kiểm tra`, `các doanh nghiệp`.
_ADDRESSED_NOUN = re.compile(
    r"(?:cac |moi )?(?:co so|doanh nghiep|to chuc|ca nhan|ho gia dinh|thanh vien|doan)\b"
)
_MAX_HOLDER_WORDS = 10
"""A holder's label is a short noun phrase; a longer one before the colon is a sentence."""


def addressed_holder(text: str) -> str | None:
    """The holder an item addresses by a label when no unit name is recognised in it:
    `Đối với đơn vị được kiểm tra: …` → `Đơn vị được kiểm tra`.  A topic label (`Đối với các
    dự án chậm tiến độ: …`) names no holder word and gives None."""
    m = _ADDRESSED.match(text.strip())
    if m is None:
        return None
    holder = m["holder"].strip()
    if len(holder.split()) > _MAX_HOLDER_WORDS or opens_with_predicate(holder):
        return None
    sk = skeleton(holder)
    if (
        _HOLDER_START.match(sk) is None
        and _ADDRESSED_NOUN.match(sk) is None
        and not is_duty_position(holder)
    ):
        return None
    return holder[:1].upper() + holder[1:]


def _names_holder(label: str) -> bool:
    """True when a label names who acts: a unit or group (`Các cơ quan thông tin, truyền
    thông của tỉnh`) or a holder word (`Trưởng đoàn kiểm tra`, `Thủ trưởng các đơn vị`),
    not a topic (`Chế độ báo cáo`)."""
    return (
        bool(find_leads(f"{label}: thực hiện")) or _HOLDER_START.match(skeleton(label)) is not None
    )


def _strip_request(label: str) -> str:
    for prefix in ("Đề nghị ", "Giao ", "Yêu cầu "):
        if label.startswith(prefix):
            return label[len(prefix) :].strip()
    return label


def is_not_row(text: str) -> bool:
    """Items that are not work though they stand among work items: an inspection team's
    member (`Ông Hoàng Văn Thuân - Trưởng đoàn: …`), a closing sentence numbered as an item
    (`Trong quá trình thực hiện, nếu có khó khăn…`), a funding line (`Kinh phí: …`), a
    description (`Lực lượng: …`, `Địa điểm: …`), a decision's enforcement clause (`…
    chịu trách nhiệm thi hành Quyết định này`) and a category heading that points to the
    appendix listing its tasks (`Các nhiệm vụ cần làm ngay … được xác định tại Phụ lục 2`)."""
    first = text.strip()
    sk = _sk(first)
    return bool(
        (_CATEGORY_HEADING.match(sk) and _APPENDIX_POINTER.search(sk))
        or _TEAM_MEMBER.match(first)
        or _CLOSING_ITEM.match(sk)
        or _FUNDING_ITEM.match(sk)
        or _DESCRIPTION_ITEM.match(sk)
        or _ENFORCEMENT_CLAUSE.search(sk)
    )


def _own_text(section: Section) -> str:
    """The item's own wording: its heading and paragraphs, without its children."""
    parts = [section.heading, *section.text.split("\n")]
    return "\n".join(p for p in parts if p and _attribute(p) is None)


def _make_task(
    section: Section, ctx: _Context, year: int | None, unit: tuple[str, ...]
) -> Task | None:
    attrs = _attributes(section)
    text = _task_text(section, attrs)
    if unit and section.text.strip() and not section.children:
        text = section.text  # `3. Sở Khoa học và Công nghệ` / its duty below: the duty is the text
    if not text.strip() or is_not_row(text):
        return None
    own_leads = _leads_from_attrs(attrs) or tuple(find_leads(text))
    if not own_leads and (holder := addressed_holder(text)):
        own_leads = (holder,)
    leads = own_leads or unit or ctx.leads
    if ctx.mode == "organisation" and not leads:
        holder = duty_holder(section.heading or text)
        leads = tuple(split_units(holder)) if holder else ()
    if ctx.mode == "organisation" and not leads:
        return None  # an organisation item that names no unit gives no one a duty
    own = _period_from_attrs(attrs, year) or own_period(_own_text(section), year)
    period = own or ctx.period
    assignment = bool(leads) or period is not None or ctx.mode == "organisation"
    all_text = "\n".join(_flatten(section))
    dates = list(dict.fromkeys(m.date for m in find_dates(all_text)))
    return Task(
        ref=section.ref,
        text=text,
        kind="assignment" if assignment else "activity",
        period=period,
        lead="; ".join(leads) or None,
        leads=list(leads),
        dates=dates,
        part=ctx.part,
        source="organisation" if ctx.mode == "organisation" else "body",
    )


def _borrowed_attributes(content: list[Section]) -> dict[int, list]:
    """Attribute lines that close a run of items and describe the whole run.

    `- item` / `- item` / `Đơn vị chủ trì: …` (no marker): the unmarked lines land in the
    last bullet's text, yet they give the lead and time of every item since the previous
    attribute block.  Returns, per index in `content`, the attributes it borrows.
    """
    borrowed: dict[int, list] = {}
    pending: list[int] = []
    for i, child in enumerate(content):
        own = [a for a in _attributes(child) if a[2] is None]
        if own and not child.children:
            for j in pending:
                borrowed[j] = own
            pending = []
        elif not _attributes(child):
            pending.append(i)
        else:
            pending = []
    return borrowed


def _has_assignment_block(attrs: list[tuple[str, str, Section | None]]) -> bool:
    """True when an item states its own lead or time among its lines."""
    return any(_LEAD_LABEL.match(label) or _TIME_LABEL.match(label) for label, _, _ in attrs)


def _walk(section: Section, ctx: _Context, year: int | None, mixed: bool, out: list[Task]) -> None:
    heading_class = _classify(section.heading, strict=mixed)
    if mixed:
        # Under a part such as `ĐỐI TƯỢNG, NỘI DUNG THI ĐUA` only the work items count.
        if heading_class not in ("task", "organisation"):
            return
        if heading_class == "organisation":
            ctx = _Context(ctx.part, ctx.period, ctx.leads, "organisation")
    elif _sk(section.heading).startswith(_STRONG_NOT_TASK):
        return  # `1. Mục đích`, `2. Đối tượng áp dụng` inside a work part
    attrs = _attributes(section)
    content = [c for c in section.children if not _is_attribute(c)]
    unit = _unit_of_heading(section.heading)
    own_block = _has_assignment_block(attrs) and not any(_attributes(c) for c in content)
    if not content or own_block:
        task = _make_task(section, ctx, year, unit)
        if task is not None:
            out.append(task)
        return
    period = _period_from_attrs(attrs, year) or _heading_period(section.heading, year) or ctx.period
    leads = _leads_from_attrs(attrs) or unit or ctx.leads
    child_ctx = _Context(ctx.part, period, leads, ctx.mode)
    borrowed = _borrowed_attributes(content)
    for i, child in enumerate(content):
        extra = borrowed.get(i)
        if extra:
            child_ctx_i = _Context(
                ctx.part,
                _period_from_attrs(extra, year) or period,
                _leads_from_attrs(extra) or leads,
                ctx.mode,
            )
            _walk(child, child_ctx_i, year, False, out)
        else:
            _walk(child, child_ctx, year, False, out)


def _top_parts(sections: list[Section]) -> list[Section]:
    """The parts whose headings are classified.

    A `Phần` that holds roman sections is itself the part when its heading says what it is
    (`PHẦN THỨ HAI: NHIỆM VỤ NĂM 2026`, `PHẦN THỨ NHẤT: KẾT QUẢ…`); otherwise its romans are.
    """
    out: list[Section] = []
    for section in sections:
        if section.kind == "appendix":
            continue
        if section.kind == "chapter":
            out += _top_parts(section.children)  # a regulation's articles are its parts
            continue
        if (
            section.kind == "part"
            and any(c.kind == "roman" for c in section.children)
            and _classify(section.heading) == "unknown"
        ):
            out += _top_parts(section.children)
        else:
            out.append(section)
    return out


def _items_without_parts(sections: list[Section]) -> bool:
    """True when the body is a list of items with no part headings above them: a letter's
    `1. Đề nghị Phòng Văn hóa - Xã hội: …` (numbered items in running case, no roman or
    upper-case parts)."""
    body = [s for s in sections if s.kind != "appendix"]
    return bool(body) and all(
        s.kind in ("number", "subnumber", "letter", "bullet") and not is_upper_line(s.heading)
        for s in body
    )


# A decision's article that gives work itself: `Điều 3. Giao Sở Khoa học và Công nghệ chủ trì…`.
_ASSIGNING_ARTICLE = re.compile(r"^(giao|de nghi|yeu cau)\s")


# `Điều 3. Giám đốc Sở Nội vụ có trách nhiệm hướng dẫn …`: a unit (or its head) charged in the
# article's own sentence; the subject must come first, within a unit name's reach.
_CHARGED_SUBJECT = re.compile(r"^.{3,160}?\s(co trach nhiem|chu tri)\b")


def _article_task(article: Section, year: int | None) -> Task | None:
    """The row of an article that assigns work in its own sentence (`Điều 3. Giao …`,
    `Điều 3. Giám đốc Sở Nội vụ có trách nhiệm …`)."""
    sk = _sk(article.heading)
    if is_not_row(article.heading):
        return None
    charged = _CHARGED_SUBJECT.match(sk) is not None and bool(find_leads(article.heading))
    if not (_ASSIGNING_ARTICLE.match(sk) or charged):
        return None
    return _make_task(article, _Context(part=None, mode="task"), year, ())


def body_tasks(sections: list[Section], year: int | None) -> list[Task]:
    """Tasks from the body tree (see the module docstring for the rules)."""
    tasks: list[Task] = []
    # Appendix table rows are sections too, but their tasks come from `table_tasks`.
    sections = [s for s in sections if s.kind != "appendix"]
    if _items_without_parts(sections):
        sections = [Section(ref="", marker="", kind="part", heading="", children=sections)]
    for part in _top_parts(sections):
        kind = _classify(part.heading)
        unit = _unit_of_heading(part.heading) if part.kind == "article" else ()
        if part.kind == "article" and (kind == "unknown" or not part.children):
            # A decision's articles are rows only when they say so: `Điều 3. Giao X chủ trì…`,
            # or a regulation's `Điều 6. Trách nhiệm của Sở X` (its items are X's duties).
            if unit:
                kind = "organisation"
            elif (task := _article_task(part, year)) is not None:
                tasks.append(task)
                continue
        if kind == "skip" or (kind == "unknown" and part.kind == "article"):
            continue
        if unit and not part.children:
            task = _make_task(part, _Context(part.heading, None, unit, "organisation"), year, unit)
            if task is not None:
                tasks.append(task)
            continue
        children = [c for c in part.children if not _is_attribute(c)]
        if not children:
            continue  # a part with only a paragraph: nothing itemised to extract
        # A part's own `Thời gian …:` item is the plan's window (`plan_period`), recorded once:
        # its items keep their own time or the heading's, never inherit the window.
        ctx = _Context(
            part=part.heading,
            period=_heading_period(part.heading, year),
            leads=unit,
            mode="organisation" if kind == "organisation" else "task",
        )
        for child in children:
            _walk(child, ctx, year, kind == "mixed", tasks)
    return tasks


def _cell(row: list[str], column: int | None) -> str:
    return row[column].strip() if column is not None and column < len(row) else ""


_BARE_YEAR = re.compile(r"\d{4}")


def cell_period(cell: str, year: int | None) -> Period:
    """The period of a table's time cell; a bare year (`2030`) is that whole year, and a
    cell that names no calendar time (`Thường xuyên`) keeps its label without bounds."""
    if _BARE_YEAR.fullmatch(cell.strip()):
        found = parse_period(f"năm {cell.strip()}", year)
        if found is not None:
            return found.model_copy(update={"label": cell.strip()})
    return parse_period(cell, year) or Period(label=cell)


def _table_rows(table: Table, part: str | None, year: int | None) -> list[Task]:
    """One assignment per row of a task table (columns as segment found them)."""
    tasks: list[Task] = []
    for r, (ref, row) in enumerate(zip(table.refs, table.rows, strict=False)):
        text = _cell(row, table.task_column) or " ".join(row)
        group = table.groups[r] if r < len(table.groups) else ""
        time_cell = _cell(row, table.period_column)
        if time_cell:
            period = cell_period(time_cell, year)
        else:
            period = _heading_period(group, year) if group else None
        leads = split_units(_cell(row, table.lead_column))
        tasks.append(
            Task(
                ref=ref,
                text=text,
                kind="assignment",
                period=period,
                lead="; ".join(leads) or None,
                leads=leads,
                dates=list(dict.fromkeys(m.date for m in find_dates(" ".join(row)))),
                part=part,
                source="table",
            )
        )
    return tasks


def table_tasks(layout: Layout, year: int | None) -> list[Task]:
    """The rows of the task tables: those printed in the body, then the appendices'."""
    tasks: list[Task] = []
    for table in layout.body_tables:
        if table.is_task_table:
            tasks += _table_rows(table, table.title or None, year)
    for appendix in layout.appendices:
        for table in appendix.tables:
            if table.is_task_table:
                tasks += _table_rows(table, appendix.title, year)
    return tasks


def complete_leads(tasks: list[Task]) -> list[Task]:
    """Leads cut short in one item are completed from a fuller name read in another.

    A name read in full where its end is certain (`Giao Trung tâm Trợ giúp pháp lý nhà
    nước chủ trì…`) completes the same name cut before a word that often starts the
    predicate elsewhere in the plan (`… Trung tâm Trợ giúp pháp lý nhà nước tổ chức…` read
    as `Trung tâm Trợ`), when the task's text goes on with the fuller name.
    """
    known = sorted({lead for t in tasks for lead in t.leads}, key=len, reverse=True)
    for task in tasks:
        if not task.leads:
            continue
        text = " ".join(task.text.split())
        leads = []
        for lead in task.leads:
            fuller = next(
                (
                    name
                    for name in known
                    if len(name) > len(lead)
                    and name.startswith(lead)
                    and name[len(lead)] in " ,"
                    and text.find(name) == text.find(lead) >= 0  # where the lead is read
                ),
                lead,
            )
            leads.append(fuller)
        if leads != task.leads:
            task.leads = leads
            task.lead = "; ".join(leads)
    return tasks


def find_tasks(layout: Layout, year: int | None) -> list[Task]:
    """Every task of the document: body items, organisation duties, then table rows.

    Args:
        layout: the segmented document.
        year: the plan's year, only to complete phrases that omit it (`Quý II`).

    Returns:
        Tasks in document order of their parts.
    """
    return _unique_refs(
        complete_leads(body_tasks(layout.sections, year) + table_tasks(layout, year))
    )


def _unique_refs(tasks: list[Task]) -> list[Task]:
    """Each ref once: a body table's row that repeats a section's ref (`1.1` of a table
    under `1.` after a stray `1.1.` item) gets `_2`, as repeated markers do in the tree."""
    seen: set[str] = set()
    for task in tasks:
        ref, n = task.ref, 2
        while ref in seen:
            ref, n = f"{task.ref}_{n}", n + 1
        task.ref = ref
        seen.add(ref)
    return tasks
