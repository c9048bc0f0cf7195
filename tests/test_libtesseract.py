"""Tesseract as a library: the program's words, the engine pool, the switch, the failures."""

from __future__ import annotations

import ctypes
import logging
import os
import threading
from pathlib import Path

import pytest
from conftest import has_tesseract
from PIL import Image, ImageFilter

from pipeline.errors import MissingDependencyError, OcrError
from pipeline.ocr import libtesseract, tesseract

SCANS = Path(__file__).parent / "data" / "scans"
_skip_without_library = pytest.mark.skipif(
    not (has_tesseract() and libtesseract.enabled()),
    reason="no libtesseract with vie data, or VNPLAN_TESSERACT=program",
)


def needs_library(test):
    """Marked `tesseract`, and skipped where libtesseract or the vie data is missing."""
    return pytest.mark.tesseract(_skip_without_library(test))


@pytest.fixture
def fresh_pool():
    """An empty engine pool before and after the test."""
    libtesseract.close_all()
    yield
    libtesseract.close_all()


def _words_both_ways(image: Image.Image, monkeypatch, dpi: int = 300):
    library = tesseract.recognise(image, dpi=dpi)
    monkeypatch.setenv(libtesseract.MODE_ENV, "program")
    program = tesseract.recognise(image, dpi=dpi)
    monkeypatch.delenv(libtesseract.MODE_ENV)
    return library, program


@needs_library
@pytest.mark.parametrize("mode", ["1", "L", "RGB"])
def test_library_gives_the_programs_words(monkeypatch, mode):
    # Same library, same pixels, same parameters: the same TSV, boxes and confidences.
    image = Image.open(SCANS / "body.png").convert(mode)
    library, program = _words_both_ways(image, monkeypatch)
    assert len(library) > 20
    assert library == program


@needs_library
def test_library_gives_the_programs_words_on_a_degraded_page(monkeypatch):
    page = Image.open(SCANS / "header.png").convert("L").rotate(1.2, fillcolor=255)
    page = page.filter(ImageFilter.GaussianBlur(1.2)).reduce(2)  # 150 dpi, soft edges
    library, program = _words_both_ways(page, monkeypatch, dpi=150)
    assert library
    assert library == program


@needs_library
def test_engines_are_reused_and_one_per_concurrent_thread(fresh_pool):
    image = Image.open(SCANS / "header.png").convert("L")
    first = tesseract.recognise(image)
    assert libtesseract.pooled() == 1
    assert tesseract.recognise(image) == first  # the pooled engine, no state carried over
    assert libtesseract.pooled() == 1
    results, barrier = [], threading.Barrier(2)

    def work():
        with libtesseract.engine("vie") as engine:
            barrier.wait()  # both hold an engine at once: the pool must make a second
            results.append(engine.recognise_tsv(image, dpi=300, psm=3, timeout=60))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert libtesseract.pooled() == 2
    assert len(results) == 2
    assert tesseract.parse_tsv(results[0]) == tesseract.parse_tsv(results[1]) == first


@needs_library
def test_an_engine_that_failed_is_not_pooled(fresh_pool):
    with pytest.raises(RuntimeError), libtesseract.engine("vie"):
        raise RuntimeError("a page failed")
    assert libtesseract.pooled() == 0


@needs_library
def test_a_forked_child_does_not_use_its_parents_engines(fresh_pool, monkeypatch):
    tesseract.recognise(Image.open(SCANS / "header.png").convert("L"))
    assert libtesseract.pooled() == 1
    monkeypatch.setattr(libtesseract, "_pool_pid", -1)  # as seen from a child after fork
    assert libtesseract.pooled() == 0
    with libtesseract.engine("vie") as engine:
        assert engine._handle
    assert libtesseract.pooled() == 1


@needs_library
def test_library_timeout_is_none_and_the_engine_survives(fresh_pool):
    image = Image.open(SCANS / "body.png").convert("L")
    assert tesseract.recognise(image, timeout=0.001) is None
    assert libtesseract.pooled() == 1
    assert tesseract.recognise(image)  # the same engine reads the next page


@needs_library
def test_library_without_the_language_data_names_the_package(fresh_pool):
    with pytest.raises(MissingDependencyError, match="tesseract-ocr-xyz"):
        tesseract.recognise(Image.new("L", (40, 30), 255), languages="xyz")
    assert libtesseract.pooled() == 0


def test_library_errors_become_ocr_errors(monkeypatch):
    class Failing:
        def recognise_tsv(self, *args, **kwargs):
            raise libtesseract.EngineError("status -1")

    monkeypatch.setattr(libtesseract, "enabled", lambda: True)

    def failing_engine(languages):
        from contextlib import nullcontext

        return nullcontext(Failing())

    monkeypatch.setattr(libtesseract, "engine", failing_engine)
    with pytest.raises(OcrError, match="status -1"):
        tesseract.recognise(Image.new("L", (10, 10), 255))


def test_program_switch_sends_pages_to_the_program(monkeypatch):
    monkeypatch.setenv(libtesseract.MODE_ENV, "program")
    assert not libtesseract.enabled()
    ran = []

    def fake_image_to_data(path, **kwargs):
        ran.append(path)
        return "level\tpage_num\n"

    monkeypatch.setattr(tesseract.pytesseract, "image_to_data", fake_image_to_data)
    assert tesseract.recognise(Image.new("L", (40, 30), 255)) == []
    assert len(ran) == 1


def test_without_the_library_pages_go_to_the_program(monkeypatch):
    monkeypatch.setattr(libtesseract, "_LIBRARY_NAMES", ("libtesseract-not-here.so",))
    monkeypatch.setattr(libtesseract.ctypes.util, "find_library", lambda name: None)
    monkeypatch.setattr(libtesseract, "_library", None)
    monkeypatch.setattr(libtesseract, "_library_tried", False)
    assert not libtesseract.enabled()
    with pytest.raises(libtesseract.EngineError, match="cannot be loaded"):
        libtesseract.Engine("vie")


@needs_library
def test_leptonica_messages_go_to_the_log_not_through_stderr(caplog, capfd):
    assert libtesseract.enabled()  # loads the library, which hands Leptonica our handler
    for name in libtesseract._LEPTONICA_NAMES:
        try:
            leptonica = ctypes.CDLL(name, mode=os.RTLD_NOLOAD)
            break
        except OSError:
            continue
    else:
        pytest.skip("no Leptonica library under a known name")
    leptonica.boxClipToRectangle.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    leptonica.boxClipToRectangle.restype = ctypes.c_void_p
    with caplog.at_level(logging.DEBUG, logger="pipeline.ocr.libtesseract"):
        assert leptonica.boxClipToRectangle(None, 10, 10) is None  # "box not defined"
    assert "boxClipToRectangle" in caplog.text
    assert "boxClipToRectangle" not in capfd.readouterr().err
