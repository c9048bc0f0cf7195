"""Render sample plan texts into scan-like pages (A4, 300 dpi) for tests and benchmarks.

    python samples/make_scans.py            # writes the small committed set into samples/scans/
    python samples/make_scans.py --all DIR  # every page, clean / light / heavy, into DIR
    python samples/make_scans.py --test-data tests/data/scans   # the tests' tiny images

Pages look like the genre: Times-like serif with every Vietnamese glyph (Liberation
Serif 2 or DejaVu Serif; Debian's fonts-liberation 1.07 draws boxes for half of them),
the two-column header (issuing body and *Số* left; Quốc hiệu, Tiêu ngữ, place and date
right), justified body, page numbers at the top of pages ≥ 2, and *Nơi nhận* beside the
signature.  Degradation adds rotation, blur, noise, speckle, a lower resolution and JPEG
artefacts.  Each page comes with its reference text in the reading order vnplan emits
(left column lines, then right column lines), for character error rates.
"""

from __future__ import annotations

import argparse
import io
import math
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from pipeline.ingest import strip_markdown  # noqa: E402
from pipeline.restore.training.ocrpairs import wrap_words  # noqa: E402

SOURCES = {
    "haiphong": HERE / "haiphong-24-KH-UBND-2026.md",
    # the hand-checked reading of the Cát Hải scan (../shared/dev-eval), kept with the tests
    "cathai": HERE.parent / "tests" / "data" / "golden" / "cathai-83-KH-UBND-2026.truth.txt",
}
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/dejavu"),
)
FONT_FILES = {
    "regular": ("LiberationSerif-Regular.ttf", "DejaVuSerif.ttf"),
    "bold": ("LiberationSerif-Bold.ttf", "DejaVuSerif-Bold.ttf"),
    "italic": ("LiberationSerif-Italic.ttf", "DejaVuSerif-Italic.ttf"),
}
DPI = 300
A4 = (2480, 3508)
MARGINS = (354, 236, 177, 236)  # left 3 cm, top 2 cm, right 1.5 cm, bottom 2 cm
LEVELS = ("clean", "light", "heavy")

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
_PLACE_DATE = re.compile(r"(?:^|\s)((?:[A-ZĐÀ-Ỹ][\wÀ-ỹ]*\s?)+, ngày\b.*)$")
_RIGHT_START = re.compile(r"(CỘNG HÒA|CỘNG HOÀ|Độc lập|ĐẢNG CỘNG SẢN)")
_SIGNATURE = re.compile(r"^(TM\.|KT\.|Q\.|TL\.|TUQ\.|(PHÓ )?CHỦ TỊCH|PHÓ CHỦ TỊCH)")
_NAME_TAIL = re.compile(r"((?:[A-ZĐÀ-Ỹ][a-zà-ỹđ]+ ){1,3}[A-ZĐÀ-Ỹ][a-zà-ỹđ]+)$")
_SIGN_TAIL = re.compile(r"((?:TM\.|KT\.) [A-ZĐÀ-Ỹ .]+|(?:PHÓ )?CHỦ TỊCH)$")
_DOC_TYPE = re.compile(
    r"^(KẾ HOẠCH|QUYẾT ĐỊNH|BÁO CÁO|CHƯƠNG TRÌNH( HÀNH ĐỘNG)?|THÔNG BÁO|TỜ TRÌNH|CHỈ THỊ|HƯỚNG DẪN)$"
)


@dataclass
class Layout:
    """A document split into the parts that are drawn differently."""

    header_left: list[str] = field(default_factory=list)
    header_right: list[str] = field(default_factory=list)
    title: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    """Paragraphs (one string each)."""
    recipients: list[str] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)
    appendix: list[str] = field(default_factory=list)
    """Paragraphs after the signature (`PHỤ LỤC`, its title and table), on pages of their own."""


def _clean_tail(line: str) -> str:
    """Drop trailing OCR junk of one-letter tokens (`… đặc khu; o K . A`)."""
    tokens = line.split()
    while tokens and (len(tokens[-1]) <= 1 or not re.search(r"\w{2}", tokens[-1])):
        tokens.pop()
    return " ".join(tokens)


def parse_layout(text: str) -> Layout:
    """Header, title, body paragraphs, recipients and signature of a plan's plain text."""
    lines = [line.replace("**", "").strip() for line in text.split("\n")]
    layout = Layout()
    i = 0
    while i < len(lines) and not _DOC_TYPE.match(lines[i]):
        line = lines[i]
        i += 1
        if not line:
            continue
        right = _RIGHT_START.search(line) or _PLACE_DATE.search(line)
        cut = right.start(1) if right else len(line)
        if line[:cut].strip():
            layout.header_left.append(line[:cut].strip())
        if right:
            layout.header_right.append(line[cut:].strip())
    if not any(r.startswith(("CỘNG", "Độc", "ĐẢNG")) for r in layout.header_right):
        layout.header_right[:0] = [QUOC_HIEU, TIEU_NGU]
    elif QUOC_HIEU not in layout.header_right and not layout.header_right[0].startswith("ĐẢNG"):
        layout.header_right.insert(0, QUOC_HIEU)
    if i < len(lines):
        layout.title.append(lines[i])
        i += 1
    while i < len(lines) and (not lines[i] or not re.match(r"^(Thực hiện|Căn cứ|Để)", lines[i])):
        if lines[i]:
            layout.title.append(lines[i])
        i += 1
    end = next((k for k in range(i, len(lines)) if lines[k].startswith("Nơi nhận")), len(lines))
    paragraph: list[str] = []
    for line in lines[i:end]:
        if not line:
            if paragraph:
                layout.body.append(" ".join(paragraph))
                paragraph = []
            continue
        paragraph.append(line)
    if paragraph:
        layout.body.append(" ".join(paragraph))
    _parse_closing(lines[end:], layout)
    return layout


def _parse_closing(lines: list[str], layout: Layout) -> None:
    """Nơi nhận lines into `layout.recipients`, the signature block into `layout.signature`."""
    for line in lines:
        line = _clean_tail(line)
        if not line:
            continue
        if line.startswith("Nơi nhận"):
            rest = line[len("Nơi nhận:") :].strip()
            layout.recipients.append("Nơi nhận:")
            line = rest
            if not line:
                continue
        if _SIGNATURE.match(line) or (_NAME_TAIL.fullmatch(line) and not line.startswith("-")):
            layout.signature.append(line)
            continue
        tail = _SIGN_TAIL.search(line) or (_NAME_TAIL.search(line) if ";" in line else None)
        if tail and tail.start() > 0:
            layout.signature.append(tail.group(1))
            line = line[: tail.start()].strip()
        wrapped = layout.recipients[1:] and not layout.recipients[-1].endswith((";", "."))
        if not line.startswith(("-", "(")) and wrapped:
            layout.recipients[-1] += " " + line  # a wrapped recipient line
        else:
            layout.recipients.append(line if line.startswith(("-", "(")) else f"- {line}")


_BODY_START = re.compile(
    r"^(Thực hiện|Căn cứ|Để|Triển khai|Do |Sau |Trên cơ sở|Theo |Nhằm|Ủy ban|UBND|[IVX]+\.|\d+\.)"
)
"""A line that opens the body: it ends the title (`parse_plan`)."""
TITLE_WIDTH = 0.8
"""Share of the text width a title line may take before it wraps (titles are centred)."""


def parse_plan(text: str) -> Layout:
    """The layout of a plan written one paragraph per line (`../shared/real/plans/*.txt`):
    header lines, the type heading and one title line, body lines (` | ` rows are table
    rows), Nơi nhận and the signature, then an appendix (`PHỤ LỤC` …) after the name."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    start = next((k for k, line in enumerate(lines) if _DOC_TYPE.match(line)), None)
    if start is None:
        raise ValueError("no type heading (KẾ HOẠCH, QUYẾT ĐỊNH …) in the text")
    layout = parse_layout("\n".join(lines[: start + 1]))
    body_at = start + 1
    if body_at < len(lines) and not _BODY_START.match(lines[body_at]):
        width = (A4[0] - MARGINS[0] - MARGINS[2]) * TITLE_WIDTH
        layout.title += wrap_words(lines[body_at], _font("bold", 13), width)
        body_at += 1
    end = next(
        (k for k in range(body_at, len(lines)) if lines[k].startswith("Nơi nhận")), len(lines)
    )
    layout.body = lines[body_at:end]
    closing = lines[end:]
    annex = next((k for k, line in enumerate(closing) if _ANNEX.match(line)), None)
    if annex is None:  # the appendix, if any, follows the signer's name
        signed = next((k for k, line in enumerate(closing) if _is_signature(line)), len(closing))
        annex = next(
            (k + 1 for k in range(signed, len(closing)) if _NAME_TAIL.fullmatch(closing[k])),
            len(closing),
        )
    layout.appendix = closing[annex:]
    closing = closing[:annex]
    signed = next((k for k, line in enumerate(closing) if _is_signature(line)), len(closing))
    _parse_closing(closing[:signed], layout)
    layout.signature += closing[signed:]
    return layout


_ANNEX = re.compile(r"^(PHỤ LỤC|Phụ lục)\b")
"""The first line of an appendix."""


def _is_signature(line: str) -> bool:
    """Whether a closing line opens the signature block (`TM.`, `T/M.`, a position in
    capitals); a Nơi nhận line starts with `-` or is the label."""
    return bool(_SIGNATURE.match(line) or line.startswith("T/M")) or (
        line.isupper() and not line.startswith(("-", "Nơi", "NƠI")) and not line[0].isdigit()
    )


def load_layout(name: str) -> Layout:
    """The layout of one of the `SOURCES` (Markdown is stripped the way ingest does)."""
    text = SOURCES[name].read_text(encoding="utf-8")
    if SOURCES[name].suffix == ".md":
        text = strip_markdown(text)
    return parse_layout(text)


def _font(style: str, size_pt: float) -> ImageFont.FreeTypeFont:
    px = round(size_pt * DPI / 72)
    for directory in FONT_DIRS:
        for name in FONT_FILES[style]:
            if (directory / name).exists():
                return ImageFont.truetype(str(directory / name), px)
    raise SystemExit(
        "no Vietnamese serif font: apt-get install fonts-liberation2 fonts-dejavu-core"
    )


class _Page:
    """One page being drawn, with the reference lines in vnplan's reading order."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.image = Image.new("L", A4, 255)
        self.draw = ImageDraw.Draw(self.image)
        self.y = MARGINS[1]
        self.lines: list[str] = []
        self.marks: dict[str, tuple] = {}
        """Where `decorate` draws: blank digit fields (`digits:N`) and the signature block."""
        if number >= 2:  # page number at the top, as Nghị định 30 asks
            font = _font("regular", 13)
            self.text_at(str(number), font, center=A4[0] / 2, y=MARGINS[1] // 2, record=False)

    def text_at(self, text, font, *, x=None, center=None, y=None, record=True) -> int:
        width = self.draw.textlength(text, font=font)
        left = center - width / 2 if center is not None else x
        self.draw.text((left, self.y if y is None else y), text, font=font, fill=0)
        if record:
            self.lines.append(text)
        return round(font.size * 1.3)


def render(layout: Layout, hand: bool = False) -> list[tuple[Image.Image, str]]:
    """Draw the layout on A4 pages: (grayscale 300 dpi image, reference text) per page."""
    return [(p.image, "\n".join(p.lines)) for p in render_pages(layout, hand)]


_HAND_FIELDS = re.compile(
    r"(?<=Số: )(\d+)(?= ?/)|(?<=ngày )(\d+)(?= tháng)|(?<=tháng )(\d+)(?= năm)"
)
"""The digits an office writes by hand: the number and the day and month of the date."""


def _draw_with_blanks(page: _Page, text: str, font, center: float) -> None:
    """Draw `text` centred with its hand-written digits left blank; record the blanks."""
    width = page.draw.textlength(text, font=font)
    x = center - width / 2
    pos = 0
    for match in _HAND_FIELDS.finditer(text):
        printed = text[pos : match.start()]
        page.draw.text((x, page.y), printed, font=font, fill=0)
        x += page.draw.textlength(printed, font=font)
        blank = page.draw.textlength(match.group(0), font=font) + font.size * 0.6
        page.marks[f"digits:{len(page.marks)}"] = (match.group(0), x, page.y, blank, font.size)
        x += blank
        pos = match.end()
    page.draw.text((x, page.y), text[pos:], font=font, fill=0)


def render_pages(layout: Layout, hand: bool = False) -> list[_Page]:
    """The pages of `render`; with `hand`, the number's and date's digits are left blank
    (their places in `marks`, for `decorate`) and the signature block's place is marked."""
    regular, bold, italic = _font("regular", 13), _font("bold", 13), _font("italic", 13)
    small, small_bold = _font("regular", 11), _font("bold", 12)
    text_width = A4[0] - MARGINS[0] - MARGINS[2]
    left_center = MARGINS[0] + text_width * 0.2
    right_center = MARGINS[0] + text_width * 0.68
    pages = [_Page(1)]
    page = pages[0]
    # Header: two columns drawn row by row; the reference lists the left column first.
    rows = max(len(layout.header_left), len(layout.header_right))
    left_lines, right_lines = [], []
    for k in range(rows):
        step = round(13 * DPI / 72 * 1.3)
        if k < len(layout.header_left):
            text = layout.header_left[k]
            font = regular if text.startswith("Số") else small_bold
            if hand and text.startswith("Số"):
                _draw_with_blanks(page, text, font, left_center)
            else:
                page.text_at(text, font, center=left_center, record=False)
            left_lines.append(text)
        if k < len(layout.header_right):
            text = layout.header_right[k]
            font = small_bold if text.isupper() else bold if text == TIEU_NGU else italic
            if hand and "ngày" in text:
                _draw_with_blanks(page, text, font, right_center)
            else:
                page.text_at(text, font, center=right_center, record=False)
            right_lines.append(text)
        page.y += step
    page.lines += left_lines + right_lines
    page.y += 60
    for k, text in enumerate(layout.title):
        page.y += page.text_at(text, bold, center=MARGINS[0] + text_width / 2)
        if k == 0:
            page.y += 10
    page.y += 50
    bottom = A4[1] - MARGINS[3]

    def new_page() -> _Page:
        pages.append(_Page(len(pages) + 1))
        return pages[-1]

    page = _draw_body(layout.body, page, new_page)
    # Closing: Nơi nhận on the left beside the signature on the right.
    needed = max(len(layout.recipients) * 50, 600)
    if page.y + needed > bottom:
        page = new_page()
    page.y += 30
    top = page.y
    left_lines = []
    for k, text in enumerate(layout.recipients):
        font = _font("bold", 12) if k == 0 else small
        for piece in wrap_words(text, font, text_width * 0.45):
            page.text_at(piece, font, x=MARGINS[0], record=False)
            left_lines.append(piece)
            page.y += round(font.size * 1.25)
    page.y = top
    right_lines = []
    for k, text in enumerate(layout.signature):
        is_name = k == len(layout.signature) - 1 and not text.isupper()
        if is_name:
            page.marks["signature"] = (right_center, page.y, bold.size)
            page.y += 300  # room for the signature and the stamp
        page.text_at(text, bold, center=right_center, record=False)
        right_lines.append(text)
        page.y += round(bold.size * 1.3)
    page.lines += left_lines + right_lines
    if layout.appendix:  # an appendix starts a page of its own
        _draw_body(layout.appendix, new_page(), new_page, centred=True)
    return pages


_HEADING = re.compile(r"^([IVX]+\.|\d+\.\s*[A-ZĐÀ-Ỹ ]+$)")
"""A body paragraph drawn bold: a part (`II.`) or a numbered heading in capitals."""


def _draw_body(paragraphs: list[str], page: _Page, new_page, centred: bool = False) -> _Page:
    """Draw body paragraphs from `page.y` on, breaking pages; returns the last page.

    Runs of table rows (paragraphs with ` | ` cells) are drawn as ruled tables
    (`_draw_table`).  With `centred`, the capitalised lines before the first table (an
    appendix's `PHỤ LỤC` and title) and a `(Kèm theo …)` line are centred, as printed.
    """
    regular, bold, italic = _font("regular", 13), _font("bold", 13), _font("italic", 13)
    text_width = A4[0] - MARGINS[0] - MARGINS[2]
    line_step = round(13 * DPI / 72 * 1.45)
    bottom = A4[1] - MARGINS[3]
    k = 0
    while k < len(paragraphs):
        if _is_row(paragraphs, k):
            end = k
            while end < len(paragraphs) and _is_row(paragraphs, end):
                end += 1
            page = _draw_table(paragraphs[k:end], page, new_page)
            k = end
            continue
        paragraph = paragraphs[k]
        k += 1
        heading = bool(_HEADING.match(paragraph)) or paragraph.isupper()
        annex = centred and (paragraph.isupper() or paragraph.startswith("(Kèm theo"))
        font = italic if annex and not paragraph.isupper() else bold if heading else regular
        indent = 0 if annex else 150
        for n, line in enumerate(wrap_words(paragraph, font, text_width - indent)):
            if page.y + line_step > bottom:
                page = new_page()
            if annex:
                page.text_at(line, font, center=MARGINS[0] + text_width / 2)
            else:
                page.text_at(line, font, x=MARGINS[0] + (indent if n == 0 else 0))
            page.y += line_step
        page.y += 12
    return page


TABLE_CELL = " | "
"""How a plain-text plan writes the cells of one table row (`plans/*.txt`, text layers)."""


def _is_row(paragraphs: list[str], k: int) -> bool:
    """Whether paragraph `k` is a table row: it has cells, or it is a group heading (`II.
    HOÀN THIỆN …`) printed as one merged row between rows that have them."""
    if TABLE_CELL in paragraphs[k]:
        return True
    before = k > 0 and TABLE_CELL in paragraphs[k - 1]
    after = next((p for p in paragraphs[k + 1 :] if TABLE_CELL in p or not _HEADING.match(p)), "")
    return before and TABLE_CELL in after and bool(_HEADING.match(paragraphs[k]))


TABLE_FONT_PT = 12
"""Appendix tables are set a size smaller than the body (13 pt), as printed plans do."""
MIN_COLUMN_SHARE = 0.06
"""The narrowest column (`TT`, a number) still holds three digits at `TABLE_FONT_PT`."""
CELL_PAD = 15
"""Pixels between a cell's ruling lines and its text (about 1.3 mm at 300 dpi)."""


def _column_edges(rows: list[list[str]], width: int, font) -> list[int]:
    """Left edges of the columns and the table's right edge.  Each column holds its
    longest word; the rest of the width follows the mean length of its cells (a TT
    column narrow, a task column wide)."""
    count = max(len(r) for r in rows)
    full = [r for r in rows if len(r) == count]
    least = [
        max((font.getlength(w) for r in full for w in r[c].split()), default=0) + 2 * CELL_PAD + 4
        for c in range(count)
    ]
    means = [max(sum(len(r[c]) for r in full) / len(full), 1.0) ** 0.8 for c in range(count)]
    shares = [max(m / sum(means), MIN_COLUMN_SHARE) for m in means]
    widths = [max(least[c], shares[c] / sum(shares) * width) for c in range(count)]
    spare = width - sum(widths)
    if spare < 0:  # the longest words forced some columns wider: narrow the others
        free = [c for c in range(count) if widths[c] > least[c]]
        give = sum(widths[c] - least[c] for c in free)
        for c in free:
            widths[c] += spare * (widths[c] - least[c]) / give
    edges = [MARGINS[0]]
    for w in widths:
        edges.append(edges[-1] + round(w))
    return edges


def _draw_table(lines: list[str], page: _Page, new_page) -> _Page:
    """A ruled table (3 px rules, wrapped cells) from `lines`, page breaks between rows.

    A row with fewer cells than the table lets its last cell span the rest (a group
    heading row).  Each row's reference is one line, its cells' texts joined by ` | `,
    as the PDF text layer and the OCR `tables` step give it.
    """
    regular, bold = _font("regular", TABLE_FONT_PT), _font("bold", TABLE_FONT_PT)
    rows = [[c.strip() for c in line.split("|")] for line in lines]
    edges = _column_edges(rows, A4[0] - MARGINS[0] - MARGINS[2], bold)
    count = len(edges) - 1
    step = round(regular.size * 1.3)
    bottom = A4[1] - MARGINS[3]
    for k, row in enumerate(rows):
        font = bold if k == 0 or len(row) < count else regular
        spans = [(edges[c], edges[c + 1]) for c in range(len(row) - 1)]
        spans.append((edges[len(row) - 1], edges[-1]))
        cells = [wrap_words(cell, font, x1 - x0 - 2 * CELL_PAD) for cell, (x0, x1) in zip(row, spans, strict=True)]  # fmt: skip
        height = max(len(c) for c in cells) * step + 2 * CELL_PAD
        if page.y + height > bottom:
            page.draw.line((edges[0], page.y, edges[-1], page.y), fill=0, width=3)
            page = new_page()
        page.draw.line((edges[0], page.y, edges[-1], page.y), fill=0, width=3)
        for (x0, _), pieces in zip(spans, cells, strict=True):
            page.draw.line((x0, page.y, x0, page.y + height), fill=0, width=3)
            for n, piece in enumerate(pieces):
                page.draw.text((x0 + CELL_PAD, page.y + CELL_PAD + n * step), piece, font=font, fill=0)  # fmt: skip
        page.draw.line((edges[-1], page.y, edges[-1], page.y + height), fill=0, width=3)
        page.y += height
        page.lines.append(TABLE_CELL.join(" ".join(p) for p in cells))
    page.draw.line((edges[0], page.y, edges[-1], page.y), fill=0, width=3)
    page.y += 40
    return page


def degrade(image: Image.Image, level: str, seed: int = 0) -> tuple[Image.Image, int]:
    """A scan-like copy of a clean page: (image, dpi).  `clean` returns it unchanged.

    light: 0.5° skew, slight blur, noise, JPEG q70.  heavy: 1.5° skew, 200 dpi, blur,
    strong noise and speckle, uneven paper, JPEG q40 (like the worst of our test scans).
    """
    if level == "clean":
        return image, DPI
    rng = random.Random(seed)
    heavy = level == "heavy"
    angle = (1.5 if heavy else 0.5) * rng.choice((-1, 1))
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    dpi = DPI
    if heavy:
        dpi = 200
        size = (round(image.width * dpi / DPI), round(image.height * dpi / DPI))
        image = image.resize(size, Image.Resampling.BILINEAR)
    image = image.filter(ImageFilter.GaussianBlur(0.9 if heavy else 0.5))
    noise = _noise(image.size, 28 if heavy else 12, rng)
    image = Image.blend(image, noise, 0.18 if heavy else 0.08)
    if heavy:
        # Uneven paper: a darker band, and speckle.
        shade = Image.linear_gradient("L").resize(image.size).point(lambda v: 255 - v // 6)
        image = Image.composite(image, shade, image.point(lambda v: 255 if v < 200 else 0))
        draw = ImageDraw.Draw(image)
        for _ in range(1500):
            x, y = rng.randrange(image.width), rng.randrange(image.height)
            draw.point((x, y), fill=rng.choice((0, 60)))
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=40 if heavy else 70)
    return Image.open(io.BytesIO(buf.getvalue())).convert("L"), dpi


BLUE_INK = (35, 55, 170)
RED_INK = (215, 45, 50)
KINDS = ("hand", "scribble", "seal", "bilevel", "phone", "photo", "table", "turn90", "turn180",
         "skew")  # fmt: skip
"""The kinds of hard page `generate_features` writes (see `FEATURE_PAGES`)."""


def _hand_font(size: float) -> ImageFont.FreeTypeFont:
    for directory in FONT_DIRS:
        path = directory / "DejaVuSans-Oblique.ttf"
        if path.exists():
            return ImageFont.truetype(str(path), round(size))
    return _font("italic", size * 72 / DPI)


def _ink_layer(size: tuple[int, int]) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    layer = Image.new("RGB", size, (255, 255, 255))
    return layer, ImageDraw.Draw(layer)


def _scribble(draw, rng: random.Random, box, colour, width: int, turns: int) -> None:
    """A pen line wandering through `box` (a signature, or digits nobody can read)."""
    x0, y0, x1, y1 = box
    points = []
    for k in range(turns * 8 + 1):
        t = k / (turns * 8)
        x = x0 + (x1 - x0) * t + rng.uniform(-8, 8)
        y = (y0 + y1) / 2 + (y1 - y0) / 2 * math.sin(t * turns * 2 * math.pi) * rng.uniform(0.5, 1)
        points.append((x, y))
    draw.line(points, fill=colour, width=width, joint="curve")


def _hand_digits(draw, rng: random.Random, digits: str, x: float, y: float, size: float) -> None:
    """Digits as a pen writes them: a sloped sans, each a little turned and shifted."""
    font = _hand_font(size * 1.25)
    for ch in digits:
        glyph = Image.new("L", (round(size * 1.6), round(size * 1.8)), 0)
        ImageDraw.Draw(glyph).text((size * 0.2, size * 0.1), ch, font=font, fill=255)
        glyph = glyph.rotate(rng.uniform(-10, 10), resample=Image.Resampling.BICUBIC)
        top = round(y - size * 0.35 + rng.uniform(-4, 4))
        draw.bitmap((round(x), top), glyph, fill=BLUE_INK)
        x += font.getlength(ch) * rng.uniform(0.95, 1.15)


PEN_STROKES = {
    "0": [[(0.3, 0.0), (0.08, 0.2), (0.05, 0.7), (0.3, 1.0), (0.55, 0.75), (0.52, 0.2), (0.3, 0.0)]],
    "1": [[(0.12, 0.25), (0.38, 0.0), (0.36, 1.0)]],
    "2": [[(0.05, 0.25), (0.22, 0.02), (0.47, 0.06), (0.52, 0.3), (0.38, 0.56), (0.03, 1.0),
           (0.58, 0.97)]],
    "3": [[(0.05, 0.1), (0.3, 0.0), (0.5, 0.14), (0.45, 0.38), (0.22, 0.48), (0.5, 0.6),
           (0.55, 0.82), (0.3, 1.0), (0.02, 0.9)]],
    "4": [[(0.42, 1.0), (0.42, 0.0), (0.02, 0.66), (0.6, 0.66)]],
    "5": [[(0.1, 0.02), (0.06, 0.44), (0.35, 0.36), (0.56, 0.56), (0.54, 0.82), (0.32, 1.0),
           (0.02, 0.9)], [(0.1, 0.02), (0.56, 0.0)]],
    "6": [[(0.5, 0.02), (0.2, 0.25), (0.05, 0.62), (0.12, 0.92), (0.32, 1.0), (0.52, 0.85),
           (0.5, 0.6), (0.3, 0.5), (0.07, 0.64)]],
    "7": [[(0.02, 0.06), (0.58, 0.0), (0.24, 1.0)]],
    "8": [[(0.3, 0.47), (0.08, 0.3), (0.12, 0.05), (0.3, 0.0), (0.5, 0.07), (0.5, 0.3),
           (0.3, 0.47), (0.05, 0.7), (0.1, 0.95), (0.3, 1.0), (0.53, 0.92), (0.55, 0.7),
           (0.3, 0.47)]],
    "9": [[(0.52, 0.18), (0.35, 0.0), (0.1, 0.07), (0.05, 0.3), (0.25, 0.45), (0.5, 0.35),
           (0.52, 0.12), (0.5, 0.55), (0.4, 1.0)]],
}  # fmt: skip
"""Pen strokes of each digit (x 0–0.6 across, y 0–1 down), drawn by `_pen_digits`: a hand
that owes nothing to a font, unlike `_hand_digits` and the digit model's training data."""
PEN_VARIANTS = {
    "2": [[(0.12, 0.34), (0.02, 0.2), (0.14, 0.02), (0.4, 0.0), (0.52, 0.2), (0.4, 0.46),
           (0.08, 0.88), (0.04, 1.0), (0.18, 0.96), (0.24, 0.86), (0.3, 0.97), (0.58, 0.95)]],
    "3": [[(0.04, 0.04), (0.54, 0.02), (0.28, 0.38), (0.5, 0.52), (0.56, 0.76), (0.4, 0.97),
           (0.16, 1.0), (0.02, 0.88)]],
    "7": [[(0.03, 0.2), (0.1, 0.03), (0.56, 0.02), (0.32, 0.48), (0.2, 1.0)],
          [(0.06, 0.54), (0.58, 0.5)]],
}  # fmt: skip
"""Other styles of a digit `_pen_digits` writes now and then (`VARIANT_SHARE`): the `2`
that closes on a loop before its base, the flat-topped `3`, the crossed `7` of offices'
hands."""
VARIANT_SHARE = 0.4
"""Share of a digit's strokes written in its `PEN_VARIANTS` style when it has one."""
PEN_BLACK = (30, 32, 45)
"""Black ballpoint: not saturated, so only the gray crop sees it."""


def _spline(points: list[tuple[float, float]], steps: int = 8) -> list[tuple[float, float]]:
    """A Catmull-Rom curve through the points: a pen's line is smooth, not a polygon."""
    if len(points) < 3:
        return points
    padded = [points[0], *points, points[-1]]
    out = []
    for k in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[k - 1 : k + 3]
        for i in range(steps):
            t = i / steps
            out.append(tuple(
                0.5 * (2 * p1[d] + (p2[d] - p0[d]) * t
                       + (2 * p0[d] - 5 * p1[d] + 4 * p2[d] - p3[d]) * t * t
                       + (3 * p1[d] - p0[d] - 3 * p2[d] + p3[d]) * t ** 3)
                for d in (0, 1)
            ))  # fmt: skip
    out.append(points[-1])
    return out


def _pen_digits(draw, rng: random.Random, digits: str, x: float, y: float, size: float,
                colour=BLUE_INK) -> None:  # fmt: skip
    """Digits written with a pen: stroke skeletons (`PEN_STROKES`, now and then
    `PEN_VARIANTS`) jittered, slanted, scaled and drawn as smooth lines of a ballpoint's
    width, larger than the print."""
    height = size * rng.uniform(1.0, 1.35)
    slant = rng.uniform(0.0, 0.3)
    width = max(2, round(size * rng.uniform(0.07, 0.12)))
    top = y - (height - size) * 0.7
    for ch in digits:
        stretch = rng.uniform(0.75, 1.0)
        strokes = PEN_STROKES[ch]
        if ch in PEN_VARIANTS and rng.random() < VARIANT_SHARE:
            strokes = PEN_VARIANTS[ch]
        for stroke in strokes:
            points = [(px + rng.uniform(-0.035, 0.035), py + rng.uniform(-0.03, 0.03))
                      for px, py in stroke]  # fmt: skip
            line = [
                (x + (px * stretch + (1 - py) * slant) * height, top + py * height)
                for px, py in _spline(points)
            ]
            draw.line(line, fill=colour, width=width, joint="curve")
        x += (0.6 * stretch + rng.uniform(0.05, 0.15)) * height


def decorate_pen(page: _Page, seed: int = 0, colour=BLUE_INK) -> Image.Image:
    """A colour copy of a page drawn with `hand=True`, its blank digits written by
    `_pen_digits` in `colour` (blue, or `PEN_BLACK`)."""
    rng = random.Random(seed)
    image = page.image.convert("RGB")
    layer, draw = _ink_layer(image.size)
    for key, (digits, x, y, _width, size) in page.marks.items():
        if key.startswith("digits:"):
            _pen_digits(draw, rng, digits, x + size * 0.1, y, size, colour)
    return ImageChops.multiply(image, layer)


def _seal(draw, rng: random.Random, cx: float, cy: float, radius: float) -> None:
    """A round red office seal: two rings, a ring of lettering, a star in the middle."""
    for r, w in ((radius, 10), (radius * 0.72, 6)):
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=RED_INK, width=w)
    for k in range(26):  # letters of the seal's ring text, as short strokes
        a = 2 * math.pi * k / 26
        r0, r1 = radius * 0.78, radius * 0.93
        draw.line(
            (cx + r0 * math.cos(a), cy + r0 * math.sin(a), cx + r1 * math.cos(a + 0.05),
             cy + r1 * math.sin(a + 0.05)),
            fill=RED_INK, width=7,
        )  # fmt: skip
    star = [
        (cx + (radius * (0.3 if k % 2 == 0 else 0.12)) * math.cos(math.pi * k / 5 - math.pi / 2),
         cy + (radius * (0.3 if k % 2 == 0 else 0.12)) * math.sin(math.pi * k / 5 - math.pi / 2))
        for k in range(10)
    ]  # fmt: skip
    draw.polygon(star, fill=RED_INK)


def decorate(page: _Page, kinds: set[str], seed: int = 0) -> Image.Image:
    """A colour copy of a page drawn with `hand=True`, with what an office adds by hand.

    `hand`: the blank digits written in blue; `scribble`: an unreadable pen mark there
    instead; `seal`: a red seal over the signer's position and a blue signature.
    """
    rng = random.Random(seed)
    image = page.image.convert("RGB")
    layer, draw = _ink_layer(image.size)
    for key, mark in page.marks.items():
        if not key.startswith("digits:"):
            continue
        digits, x, y, width, size = mark
        if "scribble" in kinds:
            _scribble(draw, rng, (x, y - size * 0.1, x + width, y + size * 0.9), BLUE_INK, 5, 3)
        elif "hand" in kinds:
            _hand_digits(draw, rng, digits, x + size * 0.15, y, size)
    if "seal" in kinds and "signature" in page.marks:
        cx, y, size = page.marks["signature"]
        _scribble(draw, rng, (cx - 180, y + 80, cx + 200, y + 230), BLUE_INK, 6, 4)
        _seal(draw, rng, cx - 230, y - 20, 230)
    return ImageChops.multiply(image, layer)


DARK_INK_FACTOR = 0.5
"""How much darker `decorate_dark_column` makes the seal and pen: seal red at half value
(~107) is below `pipeline.ocr.ink.BLACK_VALUE`, so the `seal` step keeps it as print, as
it keeps the darkest seal strokes of real dark scans."""


def decorate_dark_column(page: _Page, seed: int = 0) -> Image.Image:
    """A colour copy of the last page with a dark seal over the signer's authority and
    position lines and a heavy pen stroke through them, as a dark scan gives them: the
    case where Tesseract's first pass drops the whole signature column."""
    rng = random.Random(seed)
    image = page.image.convert("RGB")
    layer, draw = _ink_layer(image.size)
    cx, y, size = page.marks["signature"]
    block_top = y - 300 - 3 * round(size * 1.3)  # the authority line (see `render_pages`)
    _seal(draw, rng, cx - 150 + 40 * (seed % 3), block_top + 150, 260)
    _scribble(draw, rng, (cx - 220, y - 120, cx + 240, y + 60), BLUE_INK, 8, 5)
    layer = layer.point(lambda v: v if v == 255 else round(v * DARK_INK_FACTOR))
    return ImageChops.multiply(image, layer)


TABLE_TITLE = ["PHỤ LỤC", "DANH MỤC NHIỆM VỤ TRỌNG TÂM NĂM 2026"]
TABLE_ROWS = [
    ["TT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Thời gian hoàn thành"],
    ["1", "Tổ chức phát động phong trào thi đua yêu nước năm 2026", "Sở Nội vụ", "Quý I năm 2026"],
    ["2", "Tuyên truyền các điển hình tiên tiến trên báo chí", "Sở Văn hóa và Thể thao", "Thường xuyên"],
    ["3", "Kiểm tra công tác thi đua, khen thưởng tại các đơn vị", "Ban Thi đua - Khen thưởng", "Tháng 9 năm 2026"],
    ["4", "Tổng kết phong trào thi đua và đề nghị khen thưởng", "Ủy ban nhân dân các xã", "Quý IV năm 2026"],
    ["5", "Rà soát hồ sơ đề nghị khen thưởng cấp Nhà nước", "Sở Nội vụ", "Tháng 11 năm 2026"],
]  # fmt: skip
"""A ruled task table as appendices have them; the reference reads it row by row."""
TABLE_WIDTHS = (0.07, 0.45, 0.26, 0.22)


def render_table() -> tuple[Image.Image, str]:
    """A page with a ruled task table (wrapped cells): (gray 300 dpi image, reference)."""
    page = _Page(1)
    bold, regular = _font("bold", 13), _font("regular", 12)
    text_width = A4[0] - MARGINS[0] - MARGINS[2]
    for text in TABLE_TITLE:
        page.y += page.text_at(text, bold, center=MARGINS[0] + text_width / 2)
    page.y += 60
    edges = [MARGINS[0]]
    for share in TABLE_WIDTHS:
        edges.append(edges[-1] + round(share * text_width))
    line = round(regular.size * 1.3)
    for k, row in enumerate(TABLE_ROWS):
        font = bold if k == 0 else regular
        cells = [wrap_words(cell, font, edges[c + 1] - edges[c] - 30) for c, cell in enumerate(row)]
        height = max(len(c) for c in cells) * line + 30
        for c, pieces in enumerate(cells):
            for n, piece in enumerate(pieces):
                page.draw.text((edges[c] + 15, page.y + 15 + n * line), piece, font=font, fill=0)
        page.draw.line((edges[0], page.y, edges[-1], page.y), fill=0, width=3)
        for x in edges:
            page.draw.line((x, page.y, x, page.y + height), fill=0, width=3)
        page.y += height
        page.lines.append(" | ".join(" ".join(p) for p in cells))
    page.draw.line((edges[0], page.y, edges[-1], page.y), fill=0, width=3)
    return page.image, "\n".join(page.lines)


def _noise(size: tuple[int, int], sigma: float, rng: random.Random) -> Image.Image:
    """Gaussian grey noise around 128, seeded (PIL's `effect_noise` is not), so that a
    generated page and what the tests read from it are the same on every run."""
    import numpy as np

    values = np.random.default_rng(rng.randrange(2**32)).normal(128, sigma, (size[1], size[0]))
    return Image.fromarray(values.clip(0, 255).astype(np.uint8), "L")


def scan_colour(image: Image.Image, *, dpi: int = DPI, angle: float = 0.5, seed: int = 0,
                noise: float = 0.08, quality: int = 70) -> tuple[Image.Image, int]:  # fmt: skip
    """A light colour scan (or, at a low `dpi`, a phone photo) of an RGB page."""
    rng = random.Random(seed)
    image = image.rotate(angle * rng.choice((-1, 1)), resample=Image.Resampling.BICUBIC,
                         fillcolor=(255, 255, 255))  # fmt: skip
    if dpi != DPI:
        size = (round(image.width * dpi / DPI), round(image.height * dpi / DPI))
        image = image.resize(size, Image.Resampling.LANCZOS)
    image = image.filter(ImageFilter.GaussianBlur(0.5))
    bands = [Image.blend(b, _noise(image.size, 12, rng), noise) for b in image.split()]
    image = Image.merge("RGB", bands)
    if dpi < 150:  # a phone's light: warm paper, darker towards one corner
        shade = (
            Image.linear_gradient("L").rotate(45).resize(image.size).point(lambda v: 255 - v // 8)
        )
        image = ImageChops.multiply(
            image, Image.merge("RGB", (shade, shade, shade.point(lambda v: v * 0.93)))
        )
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB"), dpi


DESK = (92, 70, 52)
"""The colour of the desk a photographed sheet lies on (dark wood)."""
PHOTO_MARGIN = 0.14
"""The desk around the sheet in a photo, as a share of the sheet's width and height."""


def photograph(image: Image.Image, seed: int = 0) -> Image.Image:
    """An RGB page as a phone photographs it on a desk: the sheet a quadrilateral whose
    far edge is shorter (the camera tilted towards the reader), turned a few degrees, on
    a dark desk around it; `scan_colour` then adds the photo's blur, noise and light."""
    import cv2
    import numpy as np

    rng = random.Random(seed)
    w, h = image.size
    mx, my = round(w * PHOTO_MARGIN), round(h * PHOTO_MARGIN)
    size = (w + 2 * mx, h + 2 * my)
    pinch, lean = w * rng.uniform(0.05, 0.08), h * rng.uniform(0.02, 0.04)
    source = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    target = np.array(
        [[mx + pinch, my + lean], [mx + w - pinch, my], [mx + w, my + h], [mx, my + h - lean]],
        dtype=np.float32,
    )
    matrix = cv2.getPerspectiveTransform(source, target)
    sheet = cv2.warpPerspective(np.asarray(image.convert("RGB")), matrix, size,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))  # fmt: skip
    inside = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, size)
    desk = np.full((size[1], size[0], 3), DESK, dtype=np.uint8)
    photo = np.where(inside[..., None] > 127, sheet, desk)
    turned = Image.fromarray(photo).rotate(rng.uniform(2.0, 4.0) * rng.choice((-1, 1)),
                                           resample=Image.Resampling.BICUBIC, fillcolor=DESK)  # fmt: skip
    return turned


NUMBER_DIGITS = re.compile(r"Số:\s*(\d+)\s*(/[^\s]+)")
DATE_DIGITS = re.compile(r"ngày (\d+) tháng (\d+) năm (\d{4})")


def field_gold(reference: str, readable: bool) -> dict:
    """What the number and date fields should give: printed parts only when not `readable`."""
    number, date = NUMBER_DIGITS.search(reference), DATE_DIGITS.search(reference)
    gold = {"readable": readable}
    if number:
        gold["number"] = (number.group(1) if readable else "") + number.group(2)
    if date:
        day, month = (int(date.group(1)), int(date.group(2))) if readable else (None, None)
        gold["date"] = (day, month, int(date.group(3)))
    return gold


SKEW_DEGREES = 8.0
"""The crooked page's angle: well past the light scan's 0.5°, inside `preprocess.MAX_SKEW`."""


def generate_features(out: Path, name: str = "haiphong") -> list[dict]:
    """One page of each hard kind (`KINDS`) into `out`, with its reference and field gold."""
    out.mkdir(parents=True, exist_ok=True)
    pages = render_pages(load_layout(name), hand=True)
    first, last = pages[0], pages[-1]
    ref_first, ref_last = "\n".join(first.lines), "\n".join(last.lines)
    made: list[tuple[str, Image.Image, int, str, dict]] = []
    hand = decorate(first, {"hand"}, seed=1)
    made.append(("hand", *scan_colour(hand, seed=1), ref_first, field_gold(ref_first, True)))
    scribble = decorate(first, {"scribble"}, seed=2)
    ref_printed = NUMBER_DIGITS.sub(lambda m: f"Số: {m.group(2)}", ref_first)
    ref_printed = DATE_DIGITS.sub(lambda m: f"ngày tháng năm {m.group(3)}", ref_printed)
    made.append(
        ("scribble", *scan_colour(scribble, seed=2), ref_printed, field_gold(ref_first, False))
    )
    sealed = decorate(last, {"seal"}, seed=3)
    made.append(("seal", *scan_colour(sealed, seed=3), ref_last, {}))
    light, _ = degrade(render(load_layout(name))[0][0], "light", seed=4)
    made.append(("bilevel", light.point(lambda v: 255 if v > 150 else 0).convert("1"), DPI,
                 ref_first, field_gold(ref_first, True)))  # fmt: skip
    made.append(("phone", *scan_colour(hand, dpi=100, angle=2.0, seed=5, quality=60), ref_first,
                 field_gold(ref_first, True)))  # fmt: skip
    photo = photograph(render(load_layout(name))[0][0], seed=10)
    made.append(("photo", *scan_colour(photo, dpi=150, angle=0.0, seed=10), ref_first,
                 field_gold(ref_first, True)))  # fmt: skip
    table, ref_table = render_table()
    made.append(("table", *degrade(table, "light", seed=6), ref_table, {}))
    # A page fed sideways or upside down, and one laid crooked on the glass (8°).
    printed = render(load_layout(name))[0][0]
    for kind, turn, seed in (("turn90", 90, 7), ("turn180", 180, 8)):
        turned, dpi = degrade(printed.rotate(turn, expand=True), "light", seed=seed)
        made.append((kind, turned, dpi, ref_first, field_gold(ref_first, True)))
    crooked = printed.rotate(SKEW_DEGREES, resample=Image.Resampling.BICUBIC, fillcolor=255)
    made.append(("skew", *degrade(crooked, "light", seed=9), ref_first,
                 field_gold(ref_first, True)))  # fmt: skip
    manifest = []
    for kind, image, dpi, reference, gold in made:
        path = out / f"{name}-{kind}.png"
        image.save(path, dpi=(dpi, dpi))
        manifest.append({"kind": kind, "path": path, "dpi": dpi, "reference": reference,
                         "gold": gold, "page": 1})  # fmt: skip
    return manifest


def save_pdf(pages: list[tuple[Image.Image, int]], path: Path, quality: int = 75) -> None:
    """An image-only PDF (JPEG pages at their dpi), like a scanner writes."""
    images = [im.convert("L") for im, _ in pages]
    images[0].save(
        path,
        format="PDF",
        save_all=True,
        append_images=images[1:],
        resolution=pages[0][1],
        quality=quality,
    )


def generate_all(out: Path, names: tuple[str, ...] = ("haiphong", "cathai")) -> list[dict]:
    """Every page of every source at every level into `out`; returns the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for name in names:
        for number, (image, reference) in enumerate(render(load_layout(name)), start=1):
            for level in LEVELS:
                degraded, dpi = degrade(image, level, seed=number)
                path = out / f"{name}-p{number}-{level}.png"
                degraded.save(path, dpi=(dpi, dpi))
                manifest.append(
                    {
                        "source": name,
                        "page": number,
                        "level": level,
                        "path": path,
                        "dpi": dpi,
                        "reference": reference,
                    }
                )
    return manifest


TEST_HEADER = (
    ["ỦY BAN NHÂN DÂN", "ĐẶC KHU CÁT HẢI", "Số: 83/KH-UBND"],
    [QUOC_HIEU, TIEU_NGU, "Cát Hải, ngày 24 tháng 02 năm 2026"],
)
TEST_BODY = [
    "Thực hiện Chỉ thị số 41-CT/TW ngày 26/12/2024 của Bộ Chính trị về tăng",
    "cường sự lãnh đạo của Đảng đối với công tác thi đua, khen thưởng trong tình",
    "hình mới, Ủy ban nhân dân đặc khu ban hành Kế hoạch triển khai như sau:",
    "1. Tổ chức phát động phong trào thi đua yêu nước năm 2026.",
]


def write_test_data(out: Path) -> None:
    """The tiny 1-bit images the test suite reads (`tests/data/scans/`)."""
    out.mkdir(parents=True, exist_ok=True)
    bold, regular, italic = _font("bold", 12), _font("regular", 13), _font("italic", 13)
    header = Image.new("L", (A4[0], 260), 255)
    draw = ImageDraw.Draw(header)
    text_width = A4[0] - MARGINS[0] - MARGINS[2]
    centers = (MARGINS[0] + text_width * 0.2, MARGINS[0] + text_width * 0.68)
    for column, lines in enumerate(TEST_HEADER):
        for k, text in enumerate(lines):
            font = bold if text.isupper() or text == TIEU_NGU else regular
            if "ngày" in text:
                font = italic
            x = centers[column] - draw.textlength(text, font=font) / 2
            draw.text((x, 30 + 70 * k), text, font=font, fill=0)
    header.convert("1").save(out / "header.png", optimize=True, dpi=(DPI, DPI))
    body = Image.new("L", (A4[0], 80 + 78 * len(TEST_BODY)), 255)
    draw = ImageDraw.Draw(body)
    for k, text in enumerate(TEST_BODY):
        draw.text((MARGINS[0], 40 + 78 * k), text, font=regular, fill=0)
    body.convert("1").save(out / "body.png", optimize=True, dpi=(DPI, DPI))


def main(argv: list[str] | None = None) -> None:
    """Write the committed sample scans, or (`--all DIR`) every page and level."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--all", type=Path, help="write every page at every level here")
    parser.add_argument("--test-data", type=Path, help="write the test suite's tiny images here")
    parser.add_argument("--features", type=Path, help="write one page of each hard kind here")
    args = parser.parse_args(argv)
    if args.test_data:
        write_test_data(args.test_data)
        return
    if args.features:
        for item in generate_features(args.features):
            print(item["path"], item["gold"])
        return
    if args.all:
        manifest = generate_all(args.all)
        print(f"{len(manifest)} pages written to {args.all}")
        return
    out = HERE / "scans"
    out.mkdir(exist_ok=True)
    pages = render(load_layout("haiphong"))
    first, last = pages[0], pages[-1]
    # 1-bit keeps the committed files small; the benchmark regenerates gray pages.
    first[0].convert("1").save(out / "haiphong-p1.png", optimize=True, dpi=(DPI, DPI))
    # A 200 dpi scan of the first and last pages (header, Nơi nhận and signature):
    # lightly degraded, then stored at 200 dpi as office scanners do.
    degraded = []
    for image, seed in ((first[0], 1), (last[0], len(pages))):
        noisy, _ = degrade(image, "light", seed)
        size = (round(noisy.width * 200 / DPI), round(noisy.height * 200 / DPI))
        degraded.append((noisy.resize(size, Image.Resampling.LANCZOS), 200))
    save_pdf(degraded, out / "haiphong-scan.pdf", quality=35)
    for path in sorted(out.iterdir()):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
