"""Tesseract as a library: libtesseract's C API through ctypes, the model loaded once.

Why: the `tesseract` program loads its language model on every call, about 0.2 s for
`vie`, which is 8–11 % of a page's time.  An `Engine` keeps the model loaded between
pages and takes the page's pixels as they are (no TIFF file written and decoded).  The
words are the program's: the same library, image and parameters give the same TSV
(`tests/test_libtesseract.py` compares them).  Tesseract's and Leptonica's notes go to
the log at debug level, as the program's stderr does, not through the progress bar.

Engines are pooled per process and per language string: a thread takes a free engine or
makes one, and gives it back, so `Config.workers` threads hold at most that many models.
ctypes releases the GIL during the C calls, so two threads recognise two pages at once.
After a fork the parent's engines are left alone and the child makes its own.

`OMP_THREAD_LIMIT=1` is set before the library (and its OpenMP runtime) is loaded, and
`omp_set_num_threads(1)` in each recognising thread: Tesseract's own threads make it
several times slower on small machines (see `pipeline.ocr.tesseract`).

Where the library cannot be loaded (another platform, an unusual install) or
`VNPLAN_TESSERACT=program` is set, `enabled()` is false and `pipeline.ocr.tesseract` runs
the program instead.  Failures are reported here as `EngineInitError` (the language data
cannot be loaded) and `EngineError`; `pipeline.ocr.tesseract` turns them into vnplan's errors.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image

log = logging.getLogger(__name__)

MODE_ENV = "VNPLAN_TESSERACT"
"""`program` runs the `tesseract` program for every page instead of the library."""

_LIBRARY_NAMES = ("libtesseract.so.5", "libtesseract.so.4")
_TSV_HEADER = (
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\t"
    "left\ttop\twidth\theight\tconf\ttext\n"
)
"""The header the program writes above its TSV rows; `GetTsvText` returns only the rows."""


class EngineError(Exception):
    """libtesseract failed on a page."""


class EngineInitError(EngineError):
    """libtesseract could not load the language data."""


_P = ctypes.c_void_p
_SIGNATURES = {
    "TessBaseAPICreate": ([], _P),
    "TessBaseAPIDelete": ([_P], None),
    "TessBaseAPIInit3": ([_P, ctypes.c_char_p, ctypes.c_char_p], ctypes.c_int),
    "TessBaseAPISetVariable": ([_P, ctypes.c_char_p, ctypes.c_char_p], ctypes.c_int),
    "TessBaseAPISetPageSegMode": ([_P, ctypes.c_int], None),
    "TessBaseAPISetImage": (
        [_P, ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int],
        None,
    ),
    "TessBaseAPISetSourceResolution": ([_P, ctypes.c_int], None),
    "TessBaseAPIRecognize": ([_P, _P], ctypes.c_int),
    "TessBaseAPIGetTsvText": ([_P, ctypes.c_int], _P),
    "TessBaseAPIClear": ([_P], None),
    "TessBaseAPIClearAdaptiveClassifier": ([_P], None),
    "TessBaseAPIEnd": ([_P], None),
    "TessDeleteText": ([_P], None),
    "TessMonitorCreate": ([], _P),
    "TessMonitorDelete": ([_P], None),
    "TessMonitorSetDeadlineMSecs": ([_P, ctypes.c_int], None),
}

_lock = threading.Lock()
_init_lock = threading.Lock()
_library: ctypes.CDLL | None = None
_library_tried = False
_omp_set_num_threads = None
_quiet = False
_pool_pid = os.getpid()
_idle: dict[str, list[Engine]] = {}


def _load() -> ctypes.CDLL | None:
    """libtesseract with its functions typed, or None when it cannot be loaded (cached)."""
    global _library, _library_tried, _omp_set_num_threads
    with _lock:
        if _library_tried:
            return _library
        _library_tried = True
        # Read by libgomp when it is loaded with the library (see module doc).
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        names = [*_LIBRARY_NAMES, ctypes.util.find_library("tesseract")]
        for name in filter(None, names):
            try:
                library = ctypes.CDLL(name)
                for function, (argtypes, restype) in _SIGNATURES.items():
                    getattr(library, function).argtypes = argtypes
                    getattr(library, function).restype = restype
            except (OSError, AttributeError):
                continue
            _library = library
            break
        if _library is not None:
            _quiet_leptonica()
            try:
                gomp = ctypes.CDLL("libgomp.so.1", mode=os.RTLD_NOLOAD)
                _omp_set_num_threads = gomp.omp_set_num_threads
                _omp_set_num_threads.argtypes = [ctypes.c_int]
            except (OSError, AttributeError):  # no OpenMP in this build: nothing to limit
                _omp_set_num_threads = None
        return _library


_LEPTONICA_NAMES = ("liblept.so.5", "libleptonica.so.6", "liblept.so.4")


@ctypes.CFUNCTYPE(None, ctypes.c_char_p)
def _leptonica_message(message: bytes) -> None:
    log.debug("leptonica: %s", message.decode(errors="replace").rstrip())


def _quiet_leptonica() -> None:
    """Send Leptonica's messages (loaded with libtesseract) to the log, not to stderr.

    Leptonica prints its own notes ("Error in pixScanForForeground: invalid box") on
    stderr, where they would cut through the progress bar; the program's stderr is only
    logged at debug level, and so are these.
    """
    for name in _LEPTONICA_NAMES:
        try:
            leptonica = ctypes.CDLL(name, mode=os.RTLD_NOLOAD)  # the copy already loaded
            leptonica.leptSetStderrHandler.argtypes = [ctypes.c_void_p]
            leptonica.leptSetStderrHandler(ctypes.cast(_leptonica_message, ctypes.c_void_p))
        except (OSError, AttributeError):
            continue
        return


def enabled() -> bool:
    """True when pages go to the library (loadable and not switched off by `VNPLAN_TESSERACT`)."""
    if os.environ.get(MODE_ENV, "").strip().lower() == "program":
        return False
    return _load() is not None


class Engine:
    """One loaded Tesseract model; used by one thread at a time (take it with `engine()`)."""

    def __init__(self, languages: str, variables: tuple[tuple[str, str], ...] = ()) -> None:
        library = _load()
        if library is None:
            raise EngineError("libtesseract cannot be loaded")
        self._lib = library
        self._handle = library.TessBaseAPICreate()
        if not self._handle:
            raise EngineError("libtesseract could not create an engine")
        # Tesseract's notes ("Estimating resolution…") would go to our stderr, through
        # the progress bar; the program's stderr is only logged at debug level.  The
        # setting is global to the library: set once, before any engine recognises.
        global _quiet
        if not _quiet:
            library.TessBaseAPISetVariable(self._handle, b"debug_file", os.devnull.encode())
            _quiet = True
        if library.TessBaseAPIInit3(self._handle, None, languages.encode()) != 0:
            self.close()
            raise EngineInitError(f"libtesseract cannot load the {languages} data")
        for name, value in variables:  # e.g. a digit whitelist, kept for the engine's life
            library.TessBaseAPISetVariable(self._handle, name.encode(), value.encode())

    def recognise_tsv(
        self, image: Image.Image, *, dpi: int, psm: int, timeout: float
    ) -> str | None:
        """Tesseract's TSV for `image` (with the program's header line), None on timeout."""
        if image.mode == "1":
            image = image.convert("L")
        elif image.mode not in ("L", "RGB"):
            image = image.convert("RGB")  # as `tesseract.write_tiff` hands it to the program
        depth = 1 if image.mode == "L" else 3
        lib, handle = self._lib, self._handle
        if _omp_set_num_threads is not None:
            _omp_set_num_threads(1)
        monitor = lib.TessMonitorCreate()
        try:
            lib.TessBaseAPISetPageSegMode(handle, int(psm))
            data = image.tobytes()
            lib.TessBaseAPISetImage(
                handle, data, image.width, image.height, depth, image.width * depth
            )
            lib.TessBaseAPISetSourceResolution(handle, int(dpi))
            lib.TessMonitorSetDeadlineMSecs(monitor, int(min(timeout, 2e6) * 1000))
            started = time.monotonic()
            status = lib.TessBaseAPIRecognize(handle, monitor)
            if status != 0:
                if time.monotonic() - started >= timeout:
                    return None
                raise EngineError(f"libtesseract could not recognise the page (status {status})")
            text = lib.TessBaseAPIGetTsvText(handle, 0)
            if not text:
                raise EngineError("libtesseract returned no TSV for the page")
            try:
                return _TSV_HEADER + ctypes.string_at(text).decode("utf-8", errors="replace")
            finally:
                lib.TessDeleteText(text)
        finally:
            lib.TessMonitorDelete(monitor)
            # Each page on its own: no image and no adaptation carried to the next page.
            lib.TessBaseAPIClear(handle)
            lib.TessBaseAPIClearAdaptiveClassifier(handle)

    def close(self) -> None:
        """Free the model (an engine is not used after this)."""
        if self._handle:
            self._lib.TessBaseAPIEnd(self._handle)
            self._lib.TessBaseAPIDelete(self._handle)
            self._handle = None


@contextmanager
def engine(languages: str, variables: tuple[tuple[str, str], ...] = ()) -> Iterator[Engine]:
    """A free engine for `languages` (and Tesseract `variables`) from this process's pool,
    made when none is free.

    An engine whose page raised is closed, not returned to the pool.
    """
    global _pool_pid
    with _lock:
        if _pool_pid != os.getpid():  # forked: the parent's engines are not ours to use
            _pool_pid = os.getpid()
            _idle.clear()
        key = languages + "".join(f"|{n}={v}" for n, v in variables)
        free = _idle.get(key)
        taken = free.pop() if free else None
    if taken is None:
        with _init_lock:  # Tesseract's start-up touches global state: one at a time
            taken = Engine(languages, variables)
    try:
        yield taken
    except BaseException:
        taken.close()
        raise
    with _lock:
        if _pool_pid == os.getpid():
            _idle.setdefault(key, []).append(taken)


def close_all() -> None:
    """Free every pooled engine of this process (tests; a long-lived caller changing languages)."""
    with _lock:
        engines = [e for free in _idle.values() for e in free] if _pool_pid == os.getpid() else []
        _idle.clear()
    for e in engines:
        e.close()


def pooled() -> int:
    """How many engines are idle in this process's pool."""
    with _lock:
        return sum(len(free) for free in _idle.values()) if _pool_pid == os.getpid() else 0
