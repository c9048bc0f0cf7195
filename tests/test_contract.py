"""What scripts and library users rely on: the public API, exit codes, deterministic output,
reprocessing that follows the code and the model, bugs never passed off as bad input."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_batch import make_plans
from test_watch import drop

import pipeline
from pipeline import process_file, process_text
from pipeline.batch import BatchSummary, FileResult, print_summary
from pipeline.cli import cli
from pipeline.config import Config
from pipeline.errors import ExitCode, is_setup_error
from pipeline.fingerprint import pipeline_fingerprint
from pipeline.restore import model as model_module
from pipeline.watch import watch_inbox

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TEXT_SAMPLES = ("haiphong-24-KH-UBND-2026.md", "cathai-83-KH-UBND-2026.ocr.txt")


def test_public_api_is_pinned() -> None:
    assert pipeline.__all__ == [
        "Config",
        "CorruptImageError",
        "CorruptPdfError",
        "Document",
        "EmptyFileError",
        "EncryptedPdfError",
        "FileTooLargeError",
        "ImageTooLargeError",
        "InputError",
        "MemoryBudgetError",
        "MissingDependencyError",
        "ModelError",
        "NotVietnameseError",
        "OcrError",
        "TimeBudgetError",
        "UnsupportedFormatError",
        "VnplanError",
        "process_file",
        "process_text",
    ]
    for name in pipeline.__all__:
        assert getattr(pipeline, name) is not None


@pytest.mark.parametrize("name", TEXT_SAMPLES)
def test_process_text_and_process_file_agree(name: str) -> None:
    by_file = process_file(SAMPLES / name).to_output()
    text = (SAMPLES / name).read_text(encoding="utf-8")
    for by_text in (process_text(text).to_output(), process_text(text, name=name).to_output()):
        assert by_text["source"].pop("path") != by_file["source"]["path"]
        assert {**by_file, "source": {**by_file["source"], "path": None}} == {
            **by_text,
            "source": {**by_text["source"], "path": None},
        }
    assert by_file["metadata"]["number"] in ("24/KH-UBND", "83/KH-UBND")


def test_bad_input_through_the_api_is_a_failed_document_not_an_exception(tmp_path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    doc = process_file(empty)
    assert doc.status == "failed"
    assert doc.errors[0].kind == "EmptyFileError"
    assert process_text("").errors[0].kind == "EmptyFileError"


# --- exit codes --------------------------------------------------------------------------


def _summary(*results: FileResult, interrupted: bool = False, inputs: int = 0) -> BatchSummary:
    return BatchSummary(results=list(results), interrupted=interrupted, inputs=inputs)


def test_exit_codes_follow_the_documented_order(tmp_path) -> None:
    done = FileResult(tmp_path / "a.md", "done")
    bad = FileResult(tmp_path / "b.pdf", "failed", error="CorruptPdfError: damaged")
    setup = FileResult(tmp_path / "c.png", "failed", error="MissingDependencyError: no vie")
    assert _summary(done).exit_code == ExitCode.ok == 0
    assert _summary(done, bad).exit_code == ExitCode.some_failed == 1
    assert _summary(done, bad, setup).exit_code == ExitCode.setup == 3
    assert _summary(done, interrupted=True, inputs=5).exit_code == ExitCode.interrupted == 130
    assert is_setup_error("ModelError") and not is_setup_error("CorruptPdfError")


def test_an_interruption_says_how_many_files_were_not_processed(tmp_path, capsys) -> None:
    summary = _summary(FileResult(tmp_path / "a.md", "done"), interrupted=True, inputs=4)
    print_summary(summary)
    assert "interrupted: 3 of 4 files not processed" in capsys.readouterr().out


@pytest.fixture
def no_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """No restoration model anywhere (as in a broken install)."""
    monkeypatch.setattr(model_module, "PACKAGED_DIR", tmp_path / "packaged")
    monkeypatch.setattr(model_module, "REPO_DIR", tmp_path / "repo")
    monkeypatch.setenv("VNPLAN_MODEL_DIR", str(tmp_path / "user"))
    model_module.clear_cache()
    yield
    model_module.clear_cache()


def test_garbled_text_without_a_model_exits_3_not_ok(no_model, tmp_path: Path) -> None:
    garbled = tmp_path / "in" / "cathai.txt"
    garbled.parent.mkdir()
    shutil.copy(SAMPLES / "cathai-83-KH-UBND-2026.ocr.txt", garbled)
    out = tmp_path / "out"
    # In-process (no time or memory budget): the patched model paths apply to the chain.
    in_process = ["-j", "1", "--file-timeout", "0", "--max-memory", "0"]
    result = CliRunner().invoke(cli, ["run", str(garbled.parent), "--out", str(out), *in_process])
    assert result.exit_code == ExitCode.setup, result.output
    assert "ModelError: no restoration model" in result.stderr
    assert "fix the setup" in result.stderr
    assert not list((out / "json").glob("*.json"))  # nothing written as if it were fine


def test_watch_once_leaves_setup_failures_in_the_inbox_and_exits_3(no_model, tmp_path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLES / "cathai-83-KH-UBND-2026.ocr.txt", inbox / "cathai.txt")
    config = Config(out_dir=tmp_path / "out", workers=1, file_timeout=0, max_memory_mb=0)
    code = watch_inbox(inbox, config, once=True, settle=0)  # in-process: the patch applies
    assert code == ExitCode.setup
    assert (inbox / "cathai.txt").exists()


def test_watch_once_fails_when_a_file_cannot_be_moved(tmp_path, monkeypatch) -> None:
    import pipeline.watch as watch_module

    inbox = tmp_path / "inbox"
    make_plans(inbox, ["a.md"])

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(watch_module, "move_no_clobber", refuse)
    code = watch_inbox(inbox, Config(out_dir=tmp_path / "out", workers=1), once=True, settle=0)
    assert code == ExitCode.some_failed
    assert (inbox / "a.md").exists()


def test_watch_once_counts_a_bad_file(tmp_path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    drop(inbox / "empty.txt", b"", time.time() - 60)
    code = watch_inbox(inbox, Config(out_dir=tmp_path / "out", workers=1), once=True, settle=0)
    assert code == ExitCode.some_failed


# --- deterministic output, reprocessing ---------------------------------------------------


def _run(inputs: Path, out: Path) -> None:
    result = CliRunner().invoke(cli, ["run", str(inputs), "--out", str(out), "-j", "1", "-q"])
    assert result.exit_code == 0, result.output


def _outputs(out: Path) -> dict[str, bytes]:
    files = sorted([*out.glob("json/*.json"), *out.glob("*.csv")])
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in files}


@pytest.fixture
def text_inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in TEXT_SAMPLES:
        shutil.copy(SAMPLES / name, folder / name)
    return folder


def test_two_runs_into_two_folders_give_identical_files(text_inputs, tmp_path) -> None:
    _run(text_inputs, tmp_path / "one")
    _run(text_inputs, tmp_path / "two")
    one, two = _outputs(tmp_path / "one"), _outputs(tmp_path / "two")
    assert len(one) == 2 + 4
    assert one == two
    assert b"timings" not in one[next(k for k in one if k.startswith("json/"))]


def test_a_changed_model_file_redoes_the_documents(text_inputs, tmp_path, monkeypatch) -> None:
    model = tmp_path / "model"
    shutil.copytree(model_module.shipped_dir(), model)
    monkeypatch.setenv("VNPLAN_MODEL_DIR", str(model))
    model_module.clear_cache()
    pipeline_fingerprint.cache_clear()
    out = tmp_path / "out"
    try:
        _run(text_inputs, out)
        before = pipeline_fingerprint()
        again = CliRunner().invoke(cli, ["run", str(text_inputs), "--out", str(out), "-q"])
        assert again.stdout.splitlines()[2].split() == ["skipped", "2"]
        channel = model / model_module.CHANNEL_FILE
        channel.write_text(channel.read_text("utf-8") + "\n", "utf-8")
        pipeline_fingerprint.cache_clear()
        assert pipeline_fingerprint() != before
        redo = CliRunner().invoke(cli, ["run", str(text_inputs), "--out", str(out), "-q"])
        assert redo.stdout.splitlines()[1].split()[:2] == ["done", "2"]
    finally:
        pipeline_fingerprint.cache_clear()
        model_module.clear_cache()


def test_the_fingerprint_names_the_version_and_is_computed_once() -> None:
    first = pipeline_fingerprint()
    assert first.startswith(pipeline.__version__ + "+")
    assert pipeline_fingerprint() is first


# --- bugs are internal errors --------------------------------------------------------------


def test_a_bug_in_the_pdf_reader_is_an_internal_error_not_a_damaged_pdf(monkeypatch) -> None:
    import pipeline.ingest.pdf as pdf_module

    def broken(page, number, *args):
        return page.no_such_attribute  # a bug of ours

    monkeypatch.setattr(pdf_module, "_page_text", broken)
    doc = process_file(SAMPLES / "scans" / "haiphong-scan.pdf", Config(workers=1))
    assert doc.status == "failed"
    error = doc.errors[0]
    assert error.kind == "InternalError"
    assert "AttributeError" in error.message and "bug in vnplan" in error.message
    assert "no_such_attribute" in error.detail  # the traceback, for -v


def test_a_damaged_pdf_is_still_bad_input(tmp_path) -> None:
    data = (SAMPLES / "scans" / "haiphong-scan.pdf").read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) // 3])
    doc = process_file(cut)
    assert doc.errors[0].kind == "CorruptPdfError"


def test_an_internal_error_shows_its_traceback_under_verbose(tmp_path, capsys) -> None:
    bug = FileResult(
        tmp_path / "a.pdf",
        "failed",
        error="InternalError: KeyError: 'x'",
        detail="Traceback (most recent call last):\n  ...\nKeyError: 'x'\n",
    )
    print_summary(_summary(bug))
    assert "Traceback" not in capsys.readouterr().err
    print_summary(_summary(bug), verbose=True)
    assert "Traceback (most recent call last)" in capsys.readouterr().err
