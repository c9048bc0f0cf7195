"""The inbox watcher: settling, moving after commit, duplicates, crashes, locks, signals.

Synchronisation is by injected clocks and by polling for a condition with a deadline,
never by sleeping for a fixed time and hoping.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from test_batch import make_plans

import pipeline.batch as batch
from pipeline.batch import run_batch
from pipeline.cli import cli
from pipeline.config import Config
from pipeline.errors import InboxLockedError
from pipeline.inputs import expand_inputs, hash_file
from pipeline.output.catalog import Catalog
from pipeline.watch import (
    FAILED,
    LOCK_NAME,
    PROCESSED,
    RunLog,
    Settle,
    inbox_lock,
    repair_error_files,
    scan_once,
    watch_inbox,
)

ROOT = Path(__file__).resolve().parent.parent
START = 1_790_000_000.0  # a fixed "now" for the fake clock (2026-09-21)


class FakeClock:
    """Wall-clock seconds that move only when the test says so."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def drop(path: Path, data: bytes | str, mtime: float) -> Path:
    """Write a file as a scanner would, with a chosen modification time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))
    return path


def wait_for(condition, timeout: float = 30.0, what: str = "condition") -> None:
    """Poll `condition` until true, failing after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """An empty inbox folder."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """Outputs beside the inbox, one worker (in-process)."""
    return Config(out_dir=tmp_path / "out", workers=1, file_timeout=0, max_memory_mb=0)


@pytest.fixture
def processed_calls(monkeypatch) -> list[str]:
    """Names of files actually run through the chain."""
    calls: list[str] = []
    real = batch.process_file

    def counting(path, sha, config):
        calls.append(Path(path).name)
        return real(path, sha, config)

    monkeypatch.setattr(batch, "process_file", counting)
    return calls


def day(clock: FakeClock) -> str:
    return dt.date.fromtimestamp(clock()).isoformat()


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


# --- settling ---------------------------------------------------------------------------


def test_a_file_is_taken_only_after_size_and_mtime_are_stable(tmp_path):
    clock = FakeClock()
    settle = Settle(5.0, clock)
    path = drop(tmp_path / "scan.pdf", b"%PDF-1.4 part", clock.now)
    assert settle.split([path]) == ([], [path])
    clock.now += 3
    with path.open("ab") as handle:  # the scanner is still writing
        handle.write(b" more")
    os.utime(path, (clock.now, clock.now))
    assert settle.split([path]) == ([], [path])
    clock.now += 4.9
    assert settle.split([path]) == ([], [path])  # 4.9 s since the last change
    assert settle.wait_hint() == pytest.approx(0.1)
    clock.now += 0.1
    assert settle.split([path]) == ([path], [])


def test_a_file_already_quiet_for_the_interval_is_taken_at_once(tmp_path):
    clock = FakeClock()
    old = drop(tmp_path / "old.txt", "x", clock.now - 60)
    assert Settle(5.0, clock).split([old]) == ([old], [])


# --- scan_once --------------------------------------------------------------------------


def test_present_files_are_processed_and_moved_by_outcome(inbox, config, processed_calls):
    clock = FakeClock()
    names = ["kế hoạch 1.md", 'it\'s a "plan" $(rm -rf ~); echo `x` & *.md', "with  spaces .md"]
    for path in make_plans(inbox, names):
        os.utime(path, (clock.now - 60, clock.now - 60))
    drop(inbox / "poison.txt", b"", clock.now - 60)
    report = scan_once(inbox, config, Settle(5.0, clock))
    today = day(clock)
    assert listing(inbox) == sorted(
        [f"{PROCESSED}/{today}/{n}" for n in names]
        + [f"{FAILED}/poison.txt", f"{FAILED}/poison.txt.error.txt"]
    )
    error = (inbox / FAILED / "poison.txt.error.txt").read_text(encoding="utf-8")
    assert error.splitlines()[0] == "EmptyFileError: the file is empty"
    assert report.failed == 1 and len(report.moved) == 4
    with Catalog.in_dir(config.out_dir) as catalog:
        assert catalog.count("ok") == 3 and catalog.count("failed") == 1
        paths = {r[0] for r in catalog.rows("SELECT path FROM paths WHERE gone_at IS NULL")}
        gone = {r[0] for r in catalog.rows("SELECT path FROM paths WHERE gone_at IS NOT NULL")}
        current = {r[0] for r in catalog.rows("SELECT path FROM documents")}
    assert paths == current == {str(new) for _, new in report.moved}  # it follows the moves
    assert gone == {str(old) for old, _ in report.moved}  # and keeps the history
    assert len(list((config.out_dir / "json").iterdir())) == 3


def test_a_slowly_written_file_waits_until_complete(inbox, config, processed_calls):
    clock = FakeClock()
    settle = Settle(2.0, clock)
    [plan] = make_plans(inbox, ["slow.md"])
    full = plan.read_bytes()
    drop(plan, full[:100], clock.now)
    assert scan_once(inbox, config, settle).waiting == [plan]
    for end in (3000, 6000, len(full)):
        clock.now += 1.5
        drop(plan, full[:end], clock.now)
        assert scan_once(inbox, config, settle).waiting == [plan]
    assert processed_calls == []
    clock.now += 2.0
    report = scan_once(inbox, config, settle)
    assert processed_calls == ["slow.md"]
    moved = report.moved[0][1]
    assert moved.read_bytes() == full
    with Catalog.in_dir(config.out_dir) as catalog:
        assert catalog.get(hash_file(moved)).status == "ok"


def test_a_duplicate_is_recorded_and_moved_not_processed_twice(inbox, config, processed_calls):
    clock = FakeClock()
    [first] = make_plans(inbox, ["plan.md"])
    os.utime(first, (clock.now - 60, clock.now - 60))
    scan_once(inbox, config, Settle(1.0, clock))
    # the same content dropped again, under another name and under the same name
    data = (inbox / PROCESSED / day(clock) / "plan.md").read_bytes()
    drop(inbox / "bản sao.md", data, clock.now - 60)
    drop(inbox / "plan.md", data, clock.now - 60)
    report = scan_once(inbox, config, Settle(1.0, clock))
    assert processed_calls == ["plan.md"]
    assert sorted(new.name for _, new in report.moved) == ["bản sao.md", "plan (1).md"]
    assert listing(inbox / PROCESSED) == sorted(
        f"{day(clock)}/{n}" for n in ("plan.md", "plan (1).md", "bản sao.md")
    )
    with Catalog.in_dir(config.out_dir) as catalog:
        assert catalog.count() == 1
        [sha] = [r[0] for r in catalog.rows("SELECT sha256 FROM documents")]
        assert len(catalog.get(sha).paths) == 3


def test_failed_names_never_overwrite_other_bytes(inbox, config):
    clock = FakeClock()
    for data in (b"", b"\x00\x01 not a document"):
        drop(inbox / "bad.txt", data, clock.now - 60)
        scan_once(inbox, config, Settle(1.0, clock))
    assert listing(inbox / FAILED) == [
        "bad (1).txt",
        "bad (1).txt.error.txt",
        "bad.txt",
        "bad.txt.error.txt",
    ]
    assert (inbox / FAILED / "bad.txt").read_bytes() == b""


def test_start_up_removes_temp_files_a_killed_writer_left(inbox, config):
    (config.out_dir / "json").mkdir(parents=True)
    stale = [config.out_dir / "json" / ".abc.json.x1y2.tmp", config.out_dir / ".tasks.csv.q.tmp"]
    for path in stale:
        path.write_text("{half")
    kept = config.out_dir / "json" / ".notes"  # hidden but not a temp file of ours
    kept.write_text("mine")
    assert watch_inbox(inbox, config, once=True, settle=0) == 0
    assert not [p for p in stale if p.exists()] and kept.exists()


def test_a_failed_file_dropped_again_replaces_its_old_error_note(inbox, config):
    clock = FakeClock()
    note = inbox / FAILED / "bad.txt.error.txt"
    drop(inbox / "bad.txt", b"", clock.now - 60)
    scan_once(inbox, config, Settle(1.0, clock))
    note.write_text("the old note", encoding="utf-8")
    drop(inbox / "bad.txt", b"", clock.now - 60)  # the same file, dropped again
    scan_once(inbox, config, Settle(1.0, clock))
    assert listing(inbox / FAILED) == ["bad.txt", "bad.txt.error.txt"]
    assert note.read_text(encoding="utf-8").startswith("EmptyFileError: the file is empty")


def test_committed_but_not_moved_files_are_just_moved(inbox, config, processed_calls):
    clock = FakeClock()
    [good] = make_plans(inbox, ["good.md"])
    bad = drop(inbox / "bad.txt", b"", clock.now - 60)
    os.utime(good, (clock.now - 60, clock.now - 60))
    # A watcher killed right after its catalog commits, before moving anything:
    run_batch([good, bad], config, progress=False)
    processed_calls.clear()
    report = scan_once(inbox, config, Settle(1.0, clock))
    assert processed_calls == []  # detected by hash: nothing is processed again
    assert sorted(str(n.relative_to(inbox)) for _, n in report.moved) == [
        f"{FAILED}/bad.txt",
        f"{PROCESSED}/{day(clock)}/good.md",
    ]
    text = (inbox / FAILED / "bad.txt.error.txt").read_text(encoding="utf-8")
    assert text.startswith("EmptyFileError: the file is empty")


def test_a_missing_error_file_is_rewritten_from_the_catalog(inbox, config):
    clock = FakeClock()
    drop(inbox / "bad.txt", b"", clock.now - 60)
    scan_once(inbox, config, Settle(1.0, clock))
    companion = inbox / FAILED / "bad.txt.error.txt"
    companion.unlink()  # as if killed between the move and the error file
    assert watch_inbox(inbox, config, once=True, settle=0) == 0
    assert companion.read_text(encoding="utf-8").startswith("EmptyFileError: the file is empty")


def test_a_directory_named_like_a_file_goes_to_failed(inbox, config):
    clock = FakeClock()
    folder = inbox / "scan.pdf"
    folder.mkdir()
    os.utime(folder, (clock.now - 60, clock.now - 60))
    scan_once(inbox, config, Settle(1.0, clock))
    assert (inbox / FAILED / "scan.pdf").is_dir()
    text = (inbox / FAILED / "scan.pdf.error.txt").read_text(encoding="utf-8")
    assert text.startswith("InputError: is a directory, not a file")


# --- the run log, paths, versions, subfolders --------------------------------------------


def test_each_file_is_one_timestamped_log_line_and_each_scan_a_summary(inbox, config):
    clock = FakeClock()
    [plan] = make_plans(inbox, ["plan.md"])
    os.utime(plan, (clock.now - 60, clock.now - 60))
    drop(inbox / "plan2.md", plan.read_bytes(), clock.now - 60)  # sorts after plan.md
    drop(inbox / "bad.txt", b"", clock.now - 60)
    stream = io.StringIO()
    scan_once(inbox, config, Settle(1.0, clock), runlog=RunLog(stream, clock))
    stamp = RunLog(None, clock).stamp()
    today = day(clock)
    lines = stream.getvalue().splitlines()
    assert all(line.startswith(stamp + " ") for line in lines)
    body = sorted(line[len(stamp) + 1 :] for line in lines)
    doc_id = hash_file(inbox / PROCESSED / today / "plan.md")[:16]
    assert body == [
        f"done      plan.md → {PROCESSED}/{today}/plan.md (doc {doc_id})",
        f"duplicate plan2.md → {PROCESSED}/{today}/plan2.md (doc {doc_id})",
        f"failed    bad.txt: EmptyFileError: the file is empty → {FAILED}/bad.txt",
        "scan: 1 done, 1 duplicate, 1 failed, 0 waiting",
    ]
    assert lines[-1].endswith("0 waiting")  # the summary comes last


def test_the_log_file_option_gets_the_lines(inbox, tmp_path):
    make_plans(inbox, ["a.md"])
    log_file = tmp_path / "nightly.log"
    args = ["watch", str(inbox), "--out", str(tmp_path / "out"), "--once", "--settle", "0"]
    result = CliRunner().invoke(cli, [*args, "--log-file", str(log_file)])
    assert result.exit_code == 0, result.output
    text = log_file.read_text(encoding="utf-8")
    assert " done      a.md → processed/" in text and "scan: 1 done" in text


def test_after_a_move_the_catalog_and_json_give_the_new_path_and_keep_the_old(inbox, config):
    clock = FakeClock()
    [plan] = make_plans(inbox, ["plan.md"])
    os.utime(plan, (clock.now - 60, clock.now - 60))
    [(_, new)] = scan_once(inbox, config, Settle(1.0, clock)).moved
    sha = hash_file(new)
    with Catalog.in_dir(config.out_dir) as catalog:
        assert catalog.get(sha).path == str(new)
        assert catalog.output(sha)["source"]["path"] == str(new)
        history = [(r["path"], r["gone_at"] is not None) for r in catalog.history(sha)]
    assert history == [(str(plan), True), (str(new), False)]
    written = json.loads((config.out_dir / "json" / f"{sha[:16]}.json").read_text("utf-8"))
    assert written["source"]["path"] == str(new)
    documents = pd.read_csv(config.out_dir / "documents.csv")
    assert documents.path.tolist() == [str(new)]


def test_a_file_edited_and_dropped_again_supersedes_its_older_version(inbox, config):
    clock = FakeClock()
    [plan] = make_plans(inbox, ["plan.md"])
    os.utime(plan, (clock.now - 60, clock.now - 60))
    old = hash_file(plan)
    scan_once(inbox, config, Settle(1.0, clock))
    edited = (inbox / PROCESSED / day(clock) / "plan.md").read_text(encoding="utf-8")
    drop(inbox / "plan.md", edited + "\n3. Sở Tài chính bố trí kinh phí.\n", clock.now - 60)
    new = hash_file(inbox / "plan.md")
    scan_once(inbox, config, Settle(1.0, clock))
    with Catalog.in_dir(config.out_dir) as catalog:
        rows = {r["sha256"]: r["superseded_by"] for r in catalog.rows("SELECT * FROM documents")}
    assert rows == {old: new[:16], new: None}  # marked, not duplicated
    documents = pd.read_csv(config.out_dir / "documents.csv", dtype=str, keep_default_na=False)
    assert documents.set_index("doc_id").superseded_by.to_dict() == {
        old[:16]: new[:16],
        new[:16]: "",
    }
    tasks = pd.read_csv(config.out_dir / "tasks.csv", dtype=str)
    assert set(tasks.doc_id) == {new[:16]}  # only the current version's tasks


def test_subfolders_keep_their_relative_path(inbox, config):
    clock = FakeClock()
    [plan] = make_plans(inbox / "2026" / "Sở Nội vụ", ["plan.md"])
    os.utime(plan, (clock.now - 60, clock.now - 60))
    drop(inbox / "2026" / "bad.txt", b"", clock.now - 60)
    scan_once(inbox, config, Settle(1.0, clock))
    assert listing(inbox) == [
        f"{FAILED}/2026/bad.txt",
        f"{FAILED}/2026/bad.txt.error.txt",
        f"{PROCESSED}/{day(clock)}/2026/Sở Nội vụ/plan.md",
    ]
    (inbox / FAILED / "2026" / "bad.txt.error.txt").unlink()
    with Catalog.in_dir(config.out_dir) as catalog:
        assert repair_error_files(inbox, catalog) == [inbox / FAILED / "2026" / "bad.txt.error.txt"]


def test_the_watcher_leaves_no_lock_file_in_the_inbox(inbox, config):
    make_plans(inbox, ["a.md"])
    assert watch_inbox(inbox, config, once=True, settle=0) == 0
    assert sorted(p.name for p in inbox.iterdir()) == [PROCESSED]
    with inbox_lock(inbox):
        assert (inbox / LOCK_NAME).exists()
    assert not (inbox / LOCK_NAME).exists()


# --- watch_inbox ------------------------------------------------------------------------


def test_once_processes_what_is_there_and_exits_with_the_outcome(inbox, config):
    make_plans(inbox, ["a.md", "b.md"])
    assert watch_inbox(inbox, config, once=True, settle=0) == 0
    drop(inbox / "bad.txt", b"", time.time() - 60)
    assert watch_inbox(inbox, config, once=True, settle=0) == 1
    assert (inbox / FAILED / "bad.txt").exists()


def test_a_missing_inbox_is_a_clear_error(tmp_path, config):
    from pipeline.errors import InputError

    with pytest.raises(InputError, match="the inbox folder does not exist"):
        watch_inbox(tmp_path / "nope", config, once=True)


def test_two_watchers_on_one_inbox_are_refused(inbox, config):
    with inbox_lock(inbox), pytest.raises(InboxLockedError, match="already watching"):
        watch_inbox(inbox, config, once=True, settle=0)
    assert watch_inbox(inbox, config, once=True, settle=0) == 0  # released


@pytest.mark.parametrize("poll", [True, False], ids=["poll", "events"])
def test_files_arriving_during_a_watch_are_processed(inbox, config, poll):
    stop = threading.Event()
    codes: list[int] = []
    thread = threading.Thread(
        target=lambda: codes.append(
            watch_inbox(inbox, config, poll=poll, settle=0.05, stop=stop, poll_interval=0.05)
        )
    )
    thread.start()
    try:
        wait_for(lambda: (inbox / ".vnplan-watch.lock").exists(), what="the watcher to start")
        make_plans(inbox, ["arrived.md"])
        wait_for(lambda: list(inbox.glob(f"{PROCESSED}/*/arrived.md")), what="arrived.md moved")
    finally:
        stop.set()
        thread.join(timeout=30)
    assert codes == [0]
    assert not (inbox / "arrived.md").exists()


# --- in a real process: signals and SIGKILL ---------------------------------------------

# Runs `vnplan watch` with each document slowed down, so a kill lands mid-batch.
_SLOW_WATCH = """
import sys, time
import pipeline.batch as batch
real = batch.process_file
delay = float(sys.argv[1])
def slow(path, sha, config):
    time.sleep(delay)
    return real(path, sha, config)
batch.process_file = slow
from pipeline.cli import main
sys.argv = ["vnplan", *sys.argv[2:]]
main()
"""


def _watch_process(inbox: Path, out: Path, delay: float, *args: str) -> subprocess.Popen:
    """A watcher slowed by `delay` s per file, in-process (no budget) so the patch applies."""
    command = [sys.executable, "-c", _SLOW_WATCH, str(delay), "watch", str(inbox), "--out"]
    command += [str(out), "--workers", "1", "--file-timeout", "0", "--max-memory", "0", *args]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _moved(inbox: Path) -> list[Path]:
    return [
        p
        for p in (*inbox.glob(f"{PROCESSED}/*/*"), *inbox.glob(f"{FAILED}/*"))
        if not p.name.endswith(".error.txt")
    ]


def test_sigterm_finishes_the_current_file_and_exits_cleanly(inbox, tmp_path):
    make_plans(inbox, [f"plan {i}.md" for i in range(6)])
    proc = _watch_process(inbox, tmp_path / "out", 0.3, "--poll", "--settle", "0")
    try:
        wait_for(lambda: len(_moved(inbox)) >= 1, what="a first file moved")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
    moved = len(_moved(inbox))
    remaining = sorted(p.name for p in inbox.glob("*.md"))
    assert moved + len(remaining) == 6 and remaining  # stopped early, lost nothing
    with Catalog.in_dir(tmp_path / "out") as catalog:
        assert catalog.count() == moved  # the file in hand was committed and moved


def test_sigkill_mid_batch_then_restart_handles_every_file_exactly_once(inbox, tmp_path):
    names = [f"kế hoạch {i:02d} (bản 'số' {i}).md" for i in range(10)]
    make_plans(inbox, names)
    drop(inbox / "zz hỏng; rỗng.txt", b"", time.time() - 60)
    drop(inbox / "duplicate.md", (inbox / names[0]).read_bytes(), time.time() - 60)
    out = tmp_path / "out"
    proc = _watch_process(inbox, out, 0.25, "--poll", "--settle", "0.1")
    try:
        wait_for(lambda: len(_moved(inbox)) >= 3, what="three files moved")
        proc.kill()  # SIGKILL: no chance to clean up
        proc.wait(timeout=30)
    finally:
        proc.kill()
    assert len(_moved(inbox)) < 12, "the batch finished before the kill; slow it down"
    restart = subprocess.run(
        [sys.executable, "-m", "pipeline", "watch", str(inbox), "--out", str(out), "--once"]
        + ["--settle", "0", "--workers", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert restart.returncode == 1, restart.stderr  # the empty file (sorted last) failed
    moved = sorted(p.name for p in _moved(inbox))
    assert moved == sorted([*names, "zz hỏng; rỗng.txt", "duplicate.md"])  # each exactly once
    assert not [p for p in inbox.iterdir() if p.is_file() and not p.name.startswith(".")]
    # The catalog agrees with the folders.
    with sqlite3.connect(out / "catalog.sqlite") as conn:
        status = dict(conn.execute("SELECT sha256, status FROM documents"))
        paths = dict(conn.execute("SELECT path, sha256 FROM paths"))
    for path in _moved(inbox):
        expected = "failed" if path.parent.name == FAILED else "ok"
        assert status[hash_file(path)] == expected, path
        assert paths[str(path)] == hash_file(path), path
    assert len(status) == 11  # eleven contents: the duplicate is not a new document
    assert len(list((out / "json").iterdir())) == 10
    assert not [p for p in out.rglob(".*")]  # no temp file survived the kill
    for path in inbox.glob(f"{FAILED}/*"):
        if not path.name.endswith(".error.txt"):
            assert path.with_name(path.name + ".error.txt").exists()
    assert set(expand_inputs([inbox], exclude=[inbox / PROCESSED, inbox / FAILED])) == set()
