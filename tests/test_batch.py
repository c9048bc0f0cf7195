"""Batches: input expansion, skipping what is done, duplicates, workers, the summary."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest

import pipeline.batch as batch
from pipeline.batch import (
    BatchSummary,
    FileResult,
    Progress,
    print_summary,
    run_batch,
)
from pipeline.config import Config
from pipeline.inputs import expand_inputs
from pipeline.output.catalog import Catalog

PLAN = Path(__file__).resolve().parent.parent / "samples" / "haiphong-24-KH-UBND-2026.md"


def make_plans(folder: Path, names: list[str]) -> list[Path]:
    """Distinct clean plans (the Hải Phòng sample plus a numbered line), one per name.

    The clean sample is used rather than every sample so these tests do not depend on
    the state of the OCR and restoration stages being built alongside.
    """
    text = PLAN.read_text(encoding="utf-8")
    paths = []
    for i, name in enumerate(names):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{text}\nBản số {i + 1}.\n", encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def sample_folder(tmp_path: Path) -> Path:
    """A folder with two distinct plans, one in a subfolder."""
    folder = tmp_path / "in"
    make_plans(folder, ["kế hoạch 24.md", "2026/kế hoạch 25.md"])
    return folder


@pytest.fixture
def count_processing(monkeypatch) -> list[Path]:
    """Record every file actually run through the chain (in-process, one worker)."""
    calls: list[Path] = []
    real = batch.process_file

    def counting(path, sha, config):
        calls.append(path)
        return real(path, sha, config)

    monkeypatch.setattr(batch, "process_file", counting)
    return calls


def one_worker(out: Path, **kwargs) -> Config:
    """In this process (no time or memory budget to enforce), so tests can patch the chain."""
    return Config(out_dir=out, workers=1, file_timeout=0, max_memory_mb=0, **kwargs)


def test_expand_inputs_walks_sorts_and_skips_hidden_and_output(tmp_path):
    root = tmp_path / "in"
    (root / "b").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "out" / "json").mkdir(parents=True)
    skipped = (".hidden.txt", ".git/x.txt", "out/json/x.json", "catalog.sqlite", "make.py")
    for name in ("b/2.txt", "a.md", "scan.pdf.part", *skipped):
        (root / name).write_text("x")
    (root / "scan.pdf").mkdir()  # a directory named like a file: reported, not walked
    (root / "scan.pdf" / "inner.txt").write_text("x")
    got = expand_inputs([root, root / "a.md", root / "b" / ".." / "a.md"], exclude=[root / "out"])
    assert got == [root / "a.md", root / "b" / "2.txt", root / "scan.pdf"]
    assert expand_inputs([root / "make.py"]) == [root / "make.py"]  # named: always taken


def test_a_second_run_does_no_work_and_reports_all_skipped(
    sample_folder, out_dir, count_processing
):
    files = expand_inputs([sample_folder])
    first = run_batch(files, one_worker(out_dir), progress=False)
    assert len(first.done) == 2 and not first.failed
    count_processing.clear()
    second = run_batch(files, one_worker(out_dir), progress=False)
    assert count_processing == []
    assert [r.outcome for r in second.results] == ["skipped", "skipped"]
    assert (len(second.done), len(second.skipped), len(second.failed)) == (0, 2, 0)
    forced = run_batch(files, one_worker(out_dir, force=True), progress=False)
    assert len(forced.done) == 2 and len(count_processing) == 2


def test_duplicate_content_is_processed_once_and_both_paths_recorded(
    sample_folder, out_dir, count_processing
):
    original = next(sample_folder.glob("*.md"))
    copy = sample_folder / "bản sao (copy).md"
    shutil.copy(original, copy)
    summary = run_batch(expand_inputs([sample_folder]), one_worker(out_dir), progress=False)
    assert len(count_processing) == 2  # three files, two contents
    assert [r.path for r in summary.skipped] == [original] or [r.path for r in summary.skipped] == [
        copy
    ]
    sha = summary.skipped[0].sha256
    with Catalog.in_dir(out_dir) as catalog:
        assert set(catalog.get(sha).paths) == {str(original), str(copy)}
        assert catalog.count() == 2


def test_bad_files_are_not_retried_unless_asked_and_the_rest_go_on(
    sample_folder, out_dir, count_processing
):
    bad = sample_folder / "empty.txt"
    bad.write_bytes(b"")
    files = expand_inputs([sample_folder])
    first = run_batch(files, one_worker(out_dir), progress=False)
    assert [r.path for r in first.failed] == [bad]
    assert first.failed[0].error == "EmptyFileError: the file is empty"
    assert len(first.done) == 2
    count_processing.clear()
    second = run_batch(files, one_worker(out_dir), progress=False)
    assert count_processing == []  # the same pipeline would fail it the same way
    assert [(r.path, r.error, r.earlier) for r in second.failed] == [
        (bad, "EmptyFileError: the file is empty", True)
    ]
    assert len(second.skipped) == 2
    third = run_batch(files, one_worker(out_dir, retry_failed=True), progress=False)
    assert count_processing == [bad]  # only the failure is retried
    assert len(third.failed) == 1 and len(third.skipped) == 2 and not third.failed[0].earlier


def test_failures_not_of_the_files_making_are_retried(sample_folder, out_dir, count_processing):
    bad = sample_folder / "poison.md"
    bad.write_text("Kế hoạch\n", encoding="utf-8")
    files = expand_inputs([sample_folder])
    config = Config(out_dir=out_dir, workers=2, file_timeout=0, max_memory_mb=0)
    first = run_batch(files, config, progress=False, work=crash_on_poison)
    assert first.failed[0].kind == "WorkerCrashError"
    second = run_batch(files, one_worker(out_dir), progress=False)
    assert count_processing == [bad]  # a crash may be the machine's: tried again
    assert not [r for r in second.results if r.earlier]


def test_two_workers_give_the_same_catalog_as_one(sample_folder, tmp_path):
    files = expand_inputs([sample_folder])
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    run_batch(files, Config(out_dir=tmp_path / "a", workers=1), progress=False)
    summary = run_batch(files, Config(out_dir=tmp_path / "b", workers=2), progress=False)
    assert len(summary.done) == 2

    def outputs(catalog: Catalog) -> list[dict]:
        # The document's identity and what was extracted (timings differ run to run).
        keys = ("doc_id", "status", "source", "metadata", "legal_refs", "tasks", "dates")
        return [{k: o[k] for k in keys} for o in catalog.outputs()]

    with Catalog.in_dir(tmp_path / "a") as one, Catalog.in_dir(tmp_path / "b") as two:
        assert outputs(one) == outputs(two)
        assert len(outputs(one)) == 2
    assert (tmp_path / "a" / "tasks.csv").read_bytes() == (
        tmp_path / "b" / "tasks.csv"
    ).read_bytes()


def test_stop_finishes_the_current_file_and_starts_no_other(sample_folder, out_dir, monkeypatch):
    import threading

    stop = threading.Event()
    real = batch.process_file

    def stop_after_first(path, sha, config):
        stop.set()  # as SIGTERM would, while the first file is being processed
        return real(path, sha, config)

    monkeypatch.setattr(batch, "process_file", stop_after_first)
    summary = run_batch(expand_inputs([sample_folder]), one_worker(out_dir), False, stop=stop)
    assert len(summary.done) == 1 and summary.interrupted
    with Catalog.in_dir(out_dir) as catalog:
        assert catalog.count() == 1


def test_summary_table_and_one_line_per_failure(tmp_path):
    summary = BatchSummary(
        results=[
            FileResult(tmp_path / "a.pdf", "done", pages=3),
            FileResult(tmp_path / "b.txt", "skipped"),
            FileResult(tmp_path / "c d.pdf", "failed", pages=1, error="CorruptPdfError: damaged"),
        ],
        seconds=2.0,
    )
    out, err = io.StringIO(), io.StringIO()
    print_summary(summary, out, err)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["files", "pages"]
    assert lines[1].split() == ["done", "1", "3"]
    assert lines[2].split() == ["skipped", "1"]
    assert lines[3].split() == ["failed", "1", "1"]
    assert lines[4].split()[:3] == ["time", "2.0", "s"]
    assert err.getvalue() == f"{tmp_path / 'c d.pdf'}: CorruptPdfError: damaged\n"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_pages_rate_and_eta_only_on_a_terminal(tmp_path):
    quiet = io.StringIO()
    bar = Progress(2, stream=quiet)
    bar.update(FileResult(tmp_path / "a", "done", pages=4))
    bar.close()
    assert quiet.getvalue() == ""
    terminal = _Terminal()
    bar = Progress(2, stream=terminal)
    bar.update(FileResult(tmp_path / "a", "done", pages=4))
    assert "1/2 files" in terminal.getvalue() and "4 pages" in terminal.getvalue()
    assert "pages/s" in terminal.getvalue() and "ETA" in terminal.getvalue()
    disabled = _Terminal()
    Progress(2, enabled=False, stream=disabled).update(FileResult(tmp_path / "a", "done"))
    assert disabled.getvalue() == ""


def crash_on_poison(path, sha, config):
    """A worker that dies like a segfaulting native library on files named `poison…`."""
    if Path(path).name.startswith("poison"):
        os._exit(139)
    return batch.process_file(path, sha, config)


def test_a_dying_worker_fails_its_file_and_the_batch_goes_on(sample_folder, out_dir):
    poison = sample_folder / "poison.md"
    poison.write_text("Kế hoạch\n", encoding="utf-8")
    files = expand_inputs([sample_folder])
    config = Config(out_dir=out_dir, workers=2)
    summary = run_batch(files, config, progress=False, work=crash_on_poison)
    assert [r.path for r in summary.failed] == [poison]
    assert summary.failed[0].error.startswith("WorkerCrashError: the worker process died")
    assert len(summary.done) == 2
