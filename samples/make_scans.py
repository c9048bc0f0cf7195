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
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

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
_RIGHT_START = re.compile(r"(CỘNG HÒA|CỘNG HOÀ|Độc lập)")
_SIGNATURE = re.compile(r"^(TM\.|KT\.|Q\.|TL\.|TUQ\.|(PHÓ )?CHỦ TỊCH|PHÓ CHỦ TỊCH)")
_NAME_TAIL = re.compile(r"((?:[A-ZĐÀ-Ỹ][a-zà-ỹđ]+ ){1,3}[A-ZĐÀ-Ỹ][a-zà-ỹđ]+)$")
_SIGN_TAIL = re.compile(r"((?:TM\.|KT\.) [A-ZĐÀ-Ỹ .]+|(?:PHÓ )?CHỦ TỊCH)$")
_DOC_TYPE = re.compile(r"^(KẾ HOẠCH|QUYẾT ĐỊNH|BÁO CÁO|CHƯƠNG TRÌNH|THÔNG BÁO|TỜ TRÌNH)$")


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
    if not any(r.startswith(("CỘNG", "Độc")) for r in layout.header_right):
        layout.header_right[:0] = [QUOC_HIEU, TIEU_NGU]
    elif QUOC_HIEU not in layout.header_right:
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
    for line in lines[end:]:
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
    return layout


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


def render(layout: Layout) -> list[tuple[Image.Image, str]]:
    """Draw the layout on A4 pages: (grayscale 300 dpi image, reference text) per page."""
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
            page.text_at(text, font, center=left_center, record=False)
            left_lines.append(text)
        if k < len(layout.header_right):
            text = layout.header_right[k]
            font = small_bold if text.isupper() else bold if text == TIEU_NGU else italic
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
    line_step = round(13 * DPI / 72 * 1.45)
    bottom = A4[1] - MARGINS[3]

    def new_page() -> _Page:
        pages.append(_Page(len(pages) + 1))
        return pages[-1]

    for paragraph in layout.body:
        heading = (
            bool(re.match(r"^([IVX]+\.|\d+\.\s*[A-ZĐÀ-Ỹ ]+$)", paragraph)) or paragraph.isupper()
        )
        font = bold if heading else regular
        for k, line in enumerate(wrap_words(paragraph, font, text_width - 150)):
            if page.y + line_step > bottom:
                page = new_page()
            page.text_at(line, font, x=MARGINS[0] + (150 if k == 0 else 0))
            page.y += line_step
        page.y += 12
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
            page.y += 300  # room for the signature and the stamp
        page.text_at(text, bold, center=right_center, record=False)
        right_lines.append(text)
        page.y += round(bold.size * 1.3)
    page.lines += left_lines + right_lines
    return [(p.image, "\n".join(p.lines)) for p in pages]


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
    noise = Image.effect_noise(image.size, 28 if heavy else 12)
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
    args = parser.parse_args(argv)
    if args.test_data:
        write_test_data(args.test_data)
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
