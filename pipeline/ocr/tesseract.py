"""The one module that runs Tesseract; its failure modes are decided here.

Pages go to a pooled libtesseract engine (`pipeline.ocr.libtesseract`) when the library can be
loaded: the model stays loaded between pages (the program loads it on every call, about
0.2 s for `vie`) and the pixels go in as they are.  Otherwise, or with
`VNPLAN_TESSERACT=program`, the `tesseract` program runs as a subprocess (as pytesseract
does): the page goes in as an uncompressed TIFF temp file and the TSV word table comes
back on stdout.  Uncompressed TIFF is the cheapest format on both sides: Pillow writes it
as one copy and Leptonica reads an A4 page in ~4 ms, where its PNM reader takes ~150 ms
(byte by byte) and a PNG costs a zlib round trip; stdin is slower still (Tesseract reads
it byte by byte).  Both ways give the same words.  The program still answers
`--list-langs` (`check_languages`) and OSD (`orientation`, only for doubtful pages).
`OMP_THREAD_LIMIT=1` is always set: Tesseract's own OpenMP threads make it several times
slower on small machines, and vnplan parallelises over pages instead.

Failure modes:
- `tesseract` not on PATH, or a language's data missing → `MissingDependencyError` naming
  the Debian packages;
- a timeout → `None` (the caller records an empty page and a warning, not a crash);
- any other failure → `OcrError` with Tesseract's last stderr line (the program) or the
  library's status.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from pipeline.errors import MissingDependencyError, OcrError
from pipeline.ocr import libtesseract

log = logging.getLogger(__name__)

TESSERACT = "tesseract"
PAGE_TIMEOUT = 600.0
"""Seconds one page may take before it is given up (a pathological image, not a slow machine)."""

_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


@dataclass(frozen=True)
class Word:
    """One recognised word with its box in image pixels and Tesseract's confidence 0–100."""

    text: str
    conf: float
    left: int
    top: int
    width: int
    height: int
    block: int
    par: int
    line: int

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height


def debian_package(lang: str) -> str:
    """`vie` → `tesseract-ocr-vie` (Debian's naming for traineddata packages)."""
    return f"tesseract-ocr-{lang.lower().replace('_', '-')}"


def _missing_tesseract() -> MissingDependencyError:
    return MissingDependencyError(
        "tesseract is not installed: apt-get install tesseract-ocr tesseract-ocr-vie"
    )


def run(args: list[str], *, input: bytes | None = None, timeout: float | None = None):
    """Run tesseract with `args`; log its stderr; translate a missing binary.

    Returns the `CompletedProcess` (the caller judges the exit status).  Raises
    `subprocess.TimeoutExpired` on timeout.
    """
    try:
        proc = subprocess.run(
            [TESSERACT, *args], input=input, capture_output=True, timeout=timeout, env=_ENV
        )
    except FileNotFoundError as exc:
        raise _missing_tesseract() from exc
    except PermissionError as exc:
        raise _missing_tesseract() from exc
    if proc.stderr:
        log.debug("tesseract %s: %s", " ".join(args[:3]), proc.stderr.decode(errors="replace"))
    return proc


@functools.cache
def installed_languages() -> frozenset[str]:
    """Languages Tesseract has data for (cached for the process)."""
    proc = run(["--list-langs"], timeout=60)
    if proc.returncode != 0:
        raise _missing_tesseract()
    lines = proc.stdout.decode(errors="replace").splitlines()
    return frozenset(line.strip() for line in lines[1:] if line.strip())


def check_languages(languages: str) -> None:
    """Raise `MissingDependencyError` unless tesseract and every language in `vie+eng` exist."""
    have = installed_languages()
    missing = [lang for lang in languages.split("+") if lang and lang not in have]
    if missing:
        packages = " ".join(debian_package(lang) for lang in missing)
        raise MissingDependencyError(
            f"Tesseract has no data for {'+'.join(missing)}: apt-get install tesseract-ocr {packages}"
        )


def write_tiff(image: Image.Image, path: Path) -> None:
    """Save `image` as an uncompressed TIFF, the format Leptonica reads fastest (module doc)."""
    if image.mode not in ("1", "L", "RGB"):
        image = image.convert("RGB")
    image.save(path, format="TIFF", compression="raw")


def _run_on_image(image: Image.Image, args: list[str], timeout: float):
    """Run tesseract on `image` (written to a temp TIFF file) with the output `args`."""
    with tempfile.TemporaryDirectory(prefix="vnplan-ocr-") as tmp:
        path = Path(tmp) / "page.tif"
        write_tiff(image, path)
        return run([str(path), *args], timeout=timeout)


def _unloadable_data(languages: str) -> MissingDependencyError:
    packages = " ".join(debian_package(lang) for lang in languages.split("+"))
    return MissingDependencyError(
        f"Tesseract cannot load {languages} data: apt-get install tesseract-ocr {packages}"
    )


def _failure(proc: subprocess.CompletedProcess, languages: str) -> Exception:
    stderr = proc.stderr.decode(errors="replace")
    if re.search(r"Failed loading language|Error opening data file", stderr):
        return _unloadable_data(languages)
    lines = [line for line in stderr.splitlines() if line.strip()]
    last = lines[-1].strip() if lines else f"exit status {proc.returncode}"
    return OcrError(f"tesseract failed: {last}")


def recognise(
    image: Image.Image,
    *,
    languages: str = "vie",
    dpi: int = 300,
    psm: int = 3,
    timeout: float = PAGE_TIMEOUT,
) -> list[Word] | None:
    """Words of one page image (TSV output), or None when Tesseract timed out.

    The page goes to a pooled libtesseract engine when the library is there
    (`pipeline.ocr.libtesseract`: no model load per page), else to the program.
    """
    if libtesseract.enabled():
        return _recognise_in_library(image, languages, dpi, psm, timeout)
    args = ["stdout", "-l", languages, "--dpi", str(int(dpi)), "--psm", str(psm), "tsv"]
    try:
        proc = _run_on_image(image, args, timeout)
    except subprocess.TimeoutExpired:
        log.warning("tesseract timed out after %.0f s", timeout)
        return None
    if proc.returncode != 0:
        raise _failure(proc, languages)
    return parse_tsv(proc.stdout.decode("utf-8", errors="replace"))


def _recognise_in_library(
    image: Image.Image, languages: str, dpi: int, psm: int, timeout: float
) -> list[Word] | None:
    try:
        with libtesseract.engine(languages) as engine:
            tsv = engine.recognise_tsv(image, dpi=dpi, psm=psm, timeout=timeout)
    except libtesseract.EngineInitError as exc:
        raise _unloadable_data(languages) from exc
    except libtesseract.EngineError as exc:
        raise OcrError(f"tesseract failed: {exc}") from exc
    if tsv is None:
        log.warning("tesseract timed out after %.0f s", timeout)
        return None
    return parse_tsv(tsv)


_TSV_COLUMNS = (
    "level", "text", "conf", "left", "top", "width", "height", "block_num", "par_num", "line_num"
)  # fmt: skip


def parse_tsv(tsv: str) -> list[Word]:
    """Word rows (level 5, non-empty text) of Tesseract's TSV output.

    Split by hand: Tesseract writes no quoting, and `csv.DictReader` (a dict per row)
    takes about three times as long as this loop (~6 ms against ~2 ms on a full page).
    """
    lines = tsv.split("\n")
    header = lines[0].rstrip("\r").split("\t")
    if not all(name in header for name in _TSV_COLUMNS):
        return []
    level, text_at, conf, left, top, width, height, block, par, line = (
        header.index(name) for name in _TSV_COLUMNS
    )
    words = []
    for row in lines[1:]:
        cells = row.split("\t")
        if len(cells) < len(header) or cells[level] != "5":  # a short or empty line
            continue
        text = cells[text_at].strip()
        if not text:
            continue
        words.append(
            Word(
                text=text,
                conf=float(cells[conf]),
                left=int(cells[left]),
                top=int(cells[top]),
                width=int(cells[width]),
                height=int(cells[height]),
                block=int(cells[block]),
                par=int(cells[par]),
                line=int(cells[line]),
            )
        )
    return words


_ROTATE = re.compile(r"Rotate:\s*(\d+)")
_ORIENT_CONF = re.compile(r"Orientation confidence:\s*([\d.]+)")


def orientation(image: Image.Image, *, dpi: int = 300, timeout: float = 120.0) -> tuple[int, float]:
    """Tesseract OSD: (degrees to rotate clockwise to make the page upright, confidence).

    Returns (0, 0.0) when OSD cannot decide (too little text, no `osd` data, timeout).
    """
    args = ["stdout", "--dpi", str(int(dpi)), "--psm", "0"]
    try:
        proc = _run_on_image(image, args, timeout)
    except subprocess.TimeoutExpired:
        return 0, 0.0
    out = proc.stdout.decode(errors="replace")
    rotate, conf = _ROTATE.search(out), _ORIENT_CONF.search(out)
    if proc.returncode != 0 or not rotate:
        return 0, 0.0
    return int(rotate.group(1)) % 360, float(conf.group(1)) if conf else 0.0
