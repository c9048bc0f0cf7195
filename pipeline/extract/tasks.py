"""Tasks: the actionable items of a plan, with their period, lead unit and dates.

A task is
- a lowest-level item under a part that assigns work (`NHIỆM VỤ`, `GIẢI PHÁP`, `NỘI DUNG`,
  `PHÂN CÔNG`…, and parts whose heading names nothing else) — items under
  `MỤC ĐÍCH`, `YÊU CẦU`, `MỤC TIÊU`, `QUAN ĐIỂM`, `ĐỐI TƯỢNG`, `KINH PHÍ` are not tasks;
- an item of `TỔ CHỨC THỰC HIỆN` that gives a named unit a duty (`source="organisation"`);
- a row of an appendix task table (`source="table"`).

Items that only describe their parent (`- Cơ quan chủ trì: …`, `c) Thời gian thực hiện: …`,
`a) Nhiệm vụ:`) are attributes of the parent, which is then the task.  A task's period is
its own time phrase (`Thời gian thực hiện: …`, the table's deadline column, `… hoàn thành
trong tháng 6`), else the nearest period named by an ancestor (heading or time phrase; the
document's title is the outermost heading), with the document's year for headings such as
`Quý II`.  Its lead is its own `Cơ quan chủ trì`/`Đơn vị chủ trì` (or the
table column), a unit named in its text, the nearest ancestor's, or the unit heading it
sits under (`1. Sở Nội vụ`).  Matching is on `skeleton()`, so either tone spelling works.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.document import Layout, Period, Section, Task
from pipeline.extract.dates import find_dates
from pipeline.extract.periods import find_periods, parse_period
from pipeline.extract.units import find_lead, is_unit_heading
from pipeline.segment import appendix_prefixes, table_rows, task_column
from pipeline.vietnamese import skeleton

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
ORG_WORDS = ("to chuc thuc hien", "trach nhiem thuc hien", "phan cong trach nhiem")
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
)
_STRONG_NOT_TASK = ("muc dich", "yeu cau", "muc tieu", "quan diem", "doi tuong")

# `Cơ quan chủ trì: …`, `Đơn vị chủ trì tham mưu thực hiện: …`, `c) Thời gian thực hiện: …`
_ATTRIBUTE = re.compile(
    r"^(?P<label>(noi dung|nhiem vu|co quan|don vi|chu tri|phoi hop|thoi gian|thoi han|"
    r"tien do|san pham|ket qua|kinh phi)[a-z ]{0,40}?)\s*:\s*(?P<value>.*)$",
)
_LEAD_LABEL = re.compile(r"^(co quan|don vi)\s+(chu tri|thuc hien)|^chu tri")
_TIME_LABEL = re.compile(r"^(thoi gian|thoi han|tien do)")
_CONTENT_LABEL = re.compile(r"^(noi dung|nhiem vu)")
# `Thời gian thực hiện sau khi …` written without a colon.
_TIME_SENTENCE = re.compile(r"^(thoi gian (thuc hien|hoan thanh)|thoi han)\b")


@dataclass(frozen=True)
class _Context:
    """What a node inherits from its ancestors."""

    part: str | None = None
    period: Period | None = None
    lead: str | None = None
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
    return match.group("label"), text[match.start("value") :].strip()


def _is_attribute(section: Section) -> bool:
    return section.kind != "appendix" and _attribute(section.heading) is not None


def _classify(heading: str, strict: bool = False) -> str:
    """`organisation`, `task`, `mixed`, `skip` or `unknown` for a part heading.

    `strict` (items under a mixed part) needs the heading to start with the work word:
    `2. Nội dung thi đua` is work, `5.2. Phương tiện cho hoạt động kiểm tra` is not.
    """
    sk = _sk(heading)
    if any(sk.startswith(w) if strict else w in sk for w in ORG_WORDS):
        return "organisation"
    if strict:
        return "task" if sk.startswith(TASK_WORDS) else "unknown"
    task = any(w in sk for w in TASK_WORDS) or bool(find_periods(heading))
    other = any(w in sk for w in NOT_TASK_WORDS)
    if task and other:
        return "mixed"
    if task:
        return "task"
    return "skip" if other else "unknown"


def _unit_of_heading(heading: str) -> str | None:
    """The unit a heading names when the heading is only a unit (`1. Sở Nội vụ:`)."""
    if not heading.strip() or not is_unit_heading(heading):
        return None
    text = re.sub(r"^(Giao|Đề nghị:?)\s+", "", heading.strip()).rstrip(":.").strip()
    return text or None


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


def _lead_from_attrs(attrs: list[tuple[str, str, Section | None]]) -> str | None:
    for label, value, node in attrs:
        if not _LEAD_LABEL.match(label):
            continue
        if not value and node is not None:
            # `b) Cơ quan thực hiện:` with `- Đơn vị chủ trì: …` below it
            inner = _lead_from_attrs(_attributes(node))
            if inner:
                return inner
            continue
        return find_lead(f"Cơ quan chủ trì: {value}") or _trim_unit(value)
    return None


def _trim_unit(value: str) -> str | None:
    value = value.split(";")[0].strip().rstrip(".,").strip()
    return value or None


# `…; hoàn thành trong tháng 6 năm 2026`, `… xong trước ngày 30/6/2026`: a deadline in the text.
_INLINE_DEADLINE = re.compile(r"\b(hoan thanh|xong)\s+(trong|truoc)\b")


def _inline_period(text: str, year: int | None) -> Period | None:
    match = _INLINE_DEADLINE.search(skeleton(text))
    if not match:
        return None
    return parse_period(text[match.start(2) :], year)


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
    r"dinh huong|quan triet|ban hanh|chuan bi|can cu)\b"
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
    label, colon, _ = first.partition(":")
    if colon and 1 < len(label.split()) <= 12 and label[:1].isupper():
        return _strip_request(label.strip())
    sk = skeleton(first)  # same length as `first` for NFC Vietnamese text
    start = _HOLDER_START.search(sk)
    if not start or len(sk) != len(first):
        return None
    verb = _DUTY_VERBS.search(sk, start.end(1))
    if not verb or verb.start() - start.start(1) > 120:
        return None
    return first[start.start(1) : verb.start()].strip(" ,;") or None


def _strip_request(label: str) -> str:
    for prefix in ("Đề nghị ", "Giao ", "Yêu cầu "):
        if label.startswith(prefix):
            return label[len(prefix) :].strip()
    return label


def _make_task(section: Section, ctx: _Context, year: int | None, unit: str | None) -> Task | None:
    attrs = _attributes(section)
    text = _task_text(section, attrs)
    if not text.strip():
        return None
    own_lead = _lead_from_attrs(attrs) or find_lead(text)
    if ctx.mode == "organisation" and not own_lead:
        own_lead = duty_holder(section.heading or text)
    lead = own_lead or unit or ctx.lead
    if ctx.mode == "organisation" and not (own_lead or unit or ctx.lead):
        return None  # an organisation item that names no unit gives no one a duty
    period = _period_from_attrs(attrs, year) or _inline_period(text, year) or ctx.period
    all_text = "\n".join(_flatten(section))
    dates = list(dict.fromkeys(m.date for m in find_dates(all_text)))
    return Task(
        ref=section.ref,
        text=text,
        period=period,
        lead=lead,
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


def _walk(section: Section, ctx: _Context, year: int | None, mixed: bool, out: list[Task]) -> None:
    heading_class = _classify(section.heading, strict=mixed)
    if mixed:
        # Under a part such as `ĐỐI TƯỢNG, NỘI DUNG THI ĐUA` only the work items count.
        if heading_class not in ("task", "organisation"):
            return
        if heading_class == "organisation":
            ctx = _Context(ctx.part, ctx.period, ctx.lead, "organisation")
    elif _sk(section.heading).startswith(_STRONG_NOT_TASK):
        return  # `1. Mục đích`, `2. Đối tượng áp dụng` inside a work part
    attrs = _attributes(section)
    content = [c for c in section.children if not _is_attribute(c)]
    unit = _unit_of_heading(section.heading)
    if not content:
        task = _make_task(section, ctx, year, unit)
        if task is not None:
            out.append(task)
        return
    period = _period_from_attrs(attrs, year) or _heading_period(section.heading, year) or ctx.period
    lead = _lead_from_attrs(attrs) or unit or ctx.lead
    child_ctx = _Context(ctx.part, period, lead, ctx.mode)
    borrowed = _borrowed_attributes(content)
    for i, child in enumerate(content):
        extra = borrowed.get(i)
        if extra:
            child_ctx_i = _Context(
                ctx.part,
                _period_from_attrs(extra, year) or period,
                _lead_from_attrs(extra) or lead,
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
        if (
            section.kind == "part"
            and any(c.kind == "roman" for c in section.children)
            and _classify(section.heading) == "unknown"
        ):
            out += _top_parts(section.children)
        else:
            out.append(section)
    return out


def body_tasks(sections: list[Section], year: int | None, root: Period | None = None) -> list[Task]:
    """Tasks from the body tree (see the module docstring for the rules).

    `root` is the period the document's title names (`… năm 2026`): the outermost heading.
    """
    tasks: list[Task] = []
    for part in _top_parts(sections):
        kind = _classify(part.heading)
        if kind == "skip" or (kind == "unknown" and part.kind == "article"):
            continue  # a decision's articles are tasks only when they say so (`Điều 2. Nhiệm vụ`)
        ctx = _Context(
            part=part.heading,
            period=_heading_period(part.heading, year) or root,
            mode="organisation" if kind == "organisation" else "task",
        )
        children = [c for c in part.children if not _is_attribute(c)]
        if not children:
            continue  # a part with only a paragraph: nothing itemised to extract
        attrs = _attributes(part)
        ctx = _Context(ctx.part, _period_from_attrs(attrs, year) or ctx.period, None, ctx.mode)
        for child in children:
            _walk(child, ctx, year, kind == "mixed", tasks)
    return tasks


_LEAD_COLUMN = re.compile(r"chu tri|don vi thuc hien|co quan thuc hien|phu trach")
_TIME_COLUMN = re.compile(r"thoi gian|thoi han|tien do|hoan thanh")


def _is_task_table(header: list[str]) -> bool:
    sk = " | ".join(_sk(h) for h in header)
    return bool(_LEAD_COLUMN.search(sk)) or any(
        w in sk for w in ("nhiem vu", "noi dung", "cong viec", "hoat dong")
    )


def table_tasks(layout: Layout, year: int | None, root: Period | None = None) -> list[Task]:
    """One task per row of the appendices' task tables."""
    tasks: list[Task] = []
    prefixes = appendix_prefixes(layout.appendices)
    for appendix, prefix in zip(layout.appendices, prefixes, strict=True):
        if prefix is None:
            continue
        for ref, table, row, group in table_rows(appendix, prefix):
            if not _is_task_table(table.header):
                continue
            header = [_sk(h) for h in table.header]
            col = task_column(table.header)
            text = row[col] if col < len(row) else " ".join(row)
            cell = {h: row[i] for i, h in enumerate(header) if i < len(row)}
            lead_cell = next((v for h, v in cell.items() if _LEAD_COLUMN.search(h) and v), None)
            time_cell = next((v for h, v in cell.items() if _TIME_COLUMN.search(h) and v), None)
            period = None
            if time_cell:
                period = parse_period(time_cell, year) or Period(label=time_cell)
            else:
                period = (_heading_period(group, year) if group else None) or root
            tasks.append(
                Task(
                    ref=ref,
                    text=text,
                    period=period,
                    lead=lead_cell,
                    dates=list(dict.fromkeys(m.date for m in find_dates(" ".join(row)))),
                    part=appendix.title,
                    source="table",
                )
            )
    return tasks


def find_tasks(layout: Layout, year: int | None) -> list[Task]:
    """Every task of the document: body items, organisation duties, then table rows.

    Args:
        layout: the segmented document.
        year: the plan's year, for periods that name no year (`Quý II`).

    Returns:
        Tasks in document order of their parts.
    """
    root = _heading_period(layout.title or "", year)
    return body_tasks(layout.sections, year, root) + table_tasks(layout, year, root)
