"""Budgets: hostile files fail fast with their reason, the batch goes on, nothing is orphaned.

The hostile files come from `tests/hostile.py` at small sizes, under small budgets, so
every test here is bounded in time and memory.  Waits poll with a deadline; nothing
sleeps to synchronise.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile import HOSTILE, flate_bomb_pdf, write_hostile
from test_batch import make_plans
from test_watch import wait_for

from pipeline.batch import run_batch
from pipeline.config import Config
from pipeline.inputs import expand_inputs
from pipeline.output.catalog import Catalog

ROOT = Path(__file__).resolve().parent.parent

SMALL_BUDGETS = {"max_pages": 50, "max_page_content_mb": 4.0, "max_memory_mb": 1024}
"""The budgets `hostile.HOSTILE`'s verdicts are written for."""
GOOD = ["kế hoạch 1.md", "kế hoạch 2.md"]


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory):
    """One two-worker batch over every hostile case and two good plans."""
    root = tmp_path_factory.mktemp("hostile")
    paths = write_hostile(root / "in")
    make_plans(root / "in", GOOD)
    config = Config(out_dir=root / "out", workers=2, **SMALL_BUDGETS)
    started = time.monotonic()
    summary = run_batch(expand_inputs([root / "in"]), config, progress=False)
    return paths, summary, root / "out", time.monotonic() - started


@pytest.mark.parametrize("case", HOSTILE, ids=lambda case: case.name)
def test_each_hostile_file_fails_with_its_reason(hostile_batch, case):
    paths, summary, _, _ = hostile_batch
    [result] = [r for r in summary.results if r.path == paths[case.name]]
    assert result.outcome == "failed"
    assert result.error.startswith(case.expected), result.error
    assert "\n" not in result.error


def test_the_good_files_are_done_quickly_and_memory_stays_in_budget(hostile_batch):
    _, summary, _, seconds = hostile_batch
    assert sorted(r.path.name for r in summary.done) == sorted(GOOD)
    assert seconds < 60  # the old code spent minutes on the noise TIFF alone
    assert 0 < summary.peak_rss_mb < SMALL_BUDGETS["max_memory_mb"]


def test_a_rerun_does_not_retry_bad_files_unless_asked(hostile_batch, tmp_path):
    paths, first, out, _ = hostile_batch
    files = expand_inputs([paths["lying.jpg"].parent])
    config = Config(out_dir=out, workers=2, **SMALL_BUDGETS)
    again = run_batch(files, config, progress=False)
    assert {r.path for r in again.failed if r.earlier} == {r.path for r in first.failed}
    assert len(again.skipped) == len(GOOD)
    with Catalog.in_dir(out) as catalog:
        entry = catalog.failure(first.failed[0].sha256)
    assert entry is not None and entry.error == first.failed[0].error


def slow_or_hungry(path, sha, config):
    """A per-file function for the pool: sleeps on `slow…` files, eats memory on `hungry…`."""
    from pipeline import batch

    name = Path(path).name
    if name.startswith("slow"):
        time.sleep(60)
    if name.startswith("hungry"):
        hoard = []
        while True:
            hoard.append(bytearray(32 * 2**20))  # touched: resident, not just reserved
    return batch.process_file(path, sha, config)


def test_a_file_over_its_time_budget_is_stopped_and_the_batch_goes_on(tmp_path):
    make_plans(tmp_path / "in", ["slow.md", *GOOD])
    config = Config(out_dir=tmp_path / "out", workers=2, file_timeout=1.0, page_timeout=0.5)
    started = time.monotonic()
    summary = run_batch(expand_inputs([tmp_path / "in"]), config, False, work=slow_or_hungry)
    assert time.monotonic() - started < 20
    [failed] = summary.failed
    assert failed.path.name == "slow.md"
    assert failed.error.startswith("TimeBudgetError: stopped after 1 s")
    assert "(--file-timeout, --page-timeout)" in failed.error
    assert sorted(r.path.name for r in summary.done) == sorted(GOOD)


def test_a_file_over_its_memory_budget_is_stopped_and_the_batch_goes_on(tmp_path):
    make_plans(tmp_path / "in", ["hungry.md", *GOOD])
    config = Config(out_dir=tmp_path / "out", workers=2, max_memory_mb=400)
    summary = run_batch(expand_inputs([tmp_path / "in"]), config, False, work=slow_or_hungry)
    [failed] = summary.failed
    assert failed.path.name == "hungry.md"
    assert failed.error.startswith("MemoryBudgetError: ")
    assert "the limit of 400 MB (--max-memory)" in failed.error
    assert sorted(r.path.name for r in summary.done) == sorted(GOOD)


# --- no orphans -------------------------------------------------------------------------


def _group(pgid: int) -> list[int]:
    """Processes of the process group `pgid` (zombies excluded)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


@pytest.fixture
def busy_run(tmp_path):
    """`vnplan run` in its own process group, both workers chewing on flate bombs."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i in range(3):
        (inbox / f"bomb {i}.pdf").write_bytes(flate_bomb_pdf(30.0 + i))
    command = [sys.executable, "-m", "pipeline", "run", str(inbox), "--out", str(tmp_path / "out")]
    command += ["-q", "--workers", "2", "--max-page-content", "1000", "--max-memory", "1500"]
    proc = subprocess.Popen(
        command, cwd=ROOT, start_new_session=True, stderr=subprocess.PIPE, text=True
    )
    try:
        # main + forkserver + two workers
        wait_for(lambda: len(_group(proc.pid)) >= 4, 60, "the workers started")
        yield proc
    finally:
        if _group(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def test_sigterm_to_the_group_exits_130_and_leaves_no_process(busy_run, tmp_path):
    os.killpg(busy_run.pid, signal.SIGTERM)
    assert busy_run.wait(30) == 130, busy_run.stderr.read()
    wait_for(lambda: not _group(busy_run.pid), 5, "every vnplan process ended")
    assert (tmp_path / "out" / "documents.csv").exists()  # the tables were written
    assert not list((tmp_path / "out").rglob(".*"))  # no half-written file


def test_sigkill_of_the_main_process_leaves_no_worker(busy_run):
    os.kill(busy_run.pid, signal.SIGKILL)
    busy_run.wait(10)
    wait_for(lambda: not _group(busy_run.pid), 5, "the workers died with their parent")


def test_the_watcher_removes_its_lock_file(tmp_path):
    from pipeline.watch import LOCK_NAME, watch_inbox

    inbox = tmp_path / "inbox"
    make_plans(inbox, ["kế hoạch.md"])
    config = Config(out_dir=tmp_path / "out", workers=1)
    assert watch_inbox(inbox, config, once=True, settle=0) == 0
    assert not (inbox / LOCK_NAME).exists()


def test_noise_and_blank_pages_skip_tesseract(monkeypatch):
    from hostile import blank_tiff, noise_tiff

    from pipeline.ingest.images import frames
    from pipeline.ocr import recognise_page, tesseract

    def no_tesseract(*args, **kwargs):
        raise AssertionError("Tesseract was called")

    monkeypatch.setattr(tesseract, "recognise", no_tesseract)
    config = Config()
    for data, warned in ((noise_tiff(2, (827, 1169)), True), (blank_tiff(2), False)):
        for number, image, dpi in frames(data, [1, 2], config):
            result = recognise_page(number, image, dpi, config)
            assert result.text == "" and bool(result.warning) is warned
