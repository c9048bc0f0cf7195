"""The one module that runs Tesseract; its failure modes are decided here.

Pages go to a pooled libtesseract engine (`pipeline.ocr.libtesseract`) when the library can be
loaded: the model stays loaded between pages (the program loads it on every call, about
0.2 s for `vie`) and the pixels go in as they are.  Otherwise, or with
`VNPLAN_TESSERACT=program`, the `tesseract` program runs through pytesseract: the page
goes in as an uncompressed TIFF temp file and the TSV word table comes back.  Uncompressed TIFF is the cheapest format on both sides: Pillow writes it
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
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytesseract
from PIL import Image

from pipeline.errors import MissingDependencyError, OcrError
from pipeline.ocr import libtesseract

log = logging.getLogger(__name__)

TESSERACT = "tesseract"
PAGE_TIMEOUT = 600.0
"""Seconds one page may take before it is given up (a pathological image, not a slow machine)."""

# Inherited by the program (pytesseract starts it with this process's environment).
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def _program_args(include_stdout: bool = True) -> dict:
    """pytesseract's `Popen` arguments, plus: the program dies with the process that runs it.

    A worker killed for its budget (or with vnplan) must not leave a `tesseract` running
    at full CPU; `PR_SET_PDEATHSIG` makes the kernel kill it.
    """
    from pipeline.executors import die_with_parent

    return {**_pytesseract_args(include_stdout), "preexec_fn": die_with_parent}


_pytesseract_args = pytesseract.pytesseract.subprocess_args
pytesseract.pytesseract.subprocess_args = _program_args

T = TypeVar("T")


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


_TIMEOUT_MESSAGE = "Tesseract process timeout"
"""What pytesseract's RuntimeError says when it killed the program for taking too long."""


def run(function: Callable[..., T], *args: object, **kwargs: object) -> T:
    """Call a pytesseract function with vnplan's `tesseract`; translate a missing binary.

    Raises `TimeoutError` when the program ran past its timeout (pytesseract kills it),
    `pytesseract.TesseractError` when it failed (the caller judges the message).
    """
    pytesseract.pytesseract.tesseract_cmd = TESSERACT
    try:
        return function(*args, **kwargs)
    except (pytesseract.TesseractNotFoundError, PermissionError, FileNotFoundError) as exc:
        raise _missing_tesseract() from exc
    except RuntimeError as exc:
        if str(exc) == _TIMEOUT_MESSAGE:
            raise TimeoutError(str(exc)) from exc
        raise


@functools.cache
def installed_languages() -> frozenset[str]:
    """Languages Tesseract has data for (cached for the process)."""
    try:
        languages = run(pytesseract.get_languages, config="")
    except pytesseract.TesseractError as exc:
        raise _missing_tesseract() from exc
    return frozenset(lang.strip() for lang in languages if lang.strip())


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


@contextmanager
def _page_file(image: Image.Image) -> Iterator[str]:
    """The page as a temporary uncompressed TIFF (see the module doc), for the program."""
    with tempfile.TemporaryDirectory(prefix="vnplan-ocr-") as tmp:
        path = Path(tmp) / "page.tif"
        write_tiff(image, path)
        yield str(path)


def _unloadable_data(languages: str) -> MissingDependencyError:
    packages = " ".join(debian_package(lang) for lang in languages.split("+"))
    return MissingDependencyError(
        f"Tesseract cannot load {languages} data: apt-get install tesseract-ocr {packages}"
    )


def _failure(exc: pytesseract.TesseractError, languages: str) -> Exception:
    message = str(exc.message)
    if re.search(r"Failed loading language|Error opening data file", message):
        return _unloadable_data(languages)
    lines = [line for line in message.splitlines() if line.strip()]
    last = lines[-1].strip() if lines else f"exit status {exc.status}"
    return OcrError(f"tesseract failed: {last}")


def recognise(
    image: Image.Image,
    *,
    languages: str = "vie",
    dpi: int = 300,
    psm: int = 3,
    timeout: float = PAGE_TIMEOUT,
    variables: tuple[tuple[str, str], ...] = (),
) -> list[Word] | None:
    """Words of one page image (TSV output), or None when Tesseract timed out.

    The page goes to a pooled libtesseract engine when the library is there
    (`pipeline.ocr.libtesseract`: no model load per page), else to the program.
    `variables` are Tesseract parameters such as `(("tessedit_char_whitelist", "0123456789"),)`.
    """
    if libtesseract.enabled():
        return _recognise_in_library(image, languages, dpi, psm, timeout, variables)
    options = f"--dpi {int(dpi)} --psm {psm}" + "".join(f" -c {n}={v}" for n, v in variables)
    try:
        with _page_file(image) as path:
            tsv = run(
                pytesseract.image_to_data, path, lang=languages, config=options, timeout=timeout
            )
    except TimeoutError:
        log.warning("tesseract timed out after %.0f s", timeout)
        return None
    except pytesseract.TesseractError as exc:
        raise _failure(exc, languages) from exc
    return parse_tsv(tsv)


def _recognise_in_library(
    image: Image.Image,
    languages: str,
    dpi: int,
    psm: int,
    timeout: float,
    variables: tuple[tuple[str, str], ...] = (),
) -> list[Word] | None:
    try:
        pooled = (
            libtesseract.engine(languages, variables)
            if variables
            else libtesseract.engine(languages)
        )
        with pooled as engine:
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


def orientation(image: Image.Image, *, dpi: int = 300, timeout: float = 120.0) -> tuple[int, float]:
    """Tesseract OSD: (degrees to rotate clockwise to make the page upright, confidence).

    Returns (0, 0.0) when OSD cannot decide (too little text, no `osd` data, timeout).
    """
    try:
        with _page_file(image) as path:
            osd = run(
                pytesseract.image_to_osd,
                path,
                config=f"--dpi {int(dpi)} --psm 0",
                timeout=timeout,
                output_type=pytesseract.Output.DICT,
            )
    except (TimeoutError, pytesseract.TesseractError):
        return 0, 0.0
    return int(osd.get("rotate", 0)) % 360, float(osd.get("orientation_conf", 0.0))
