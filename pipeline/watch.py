"""`vnplan watch`: an inbox that never loses a file.

Scanners and colleagues drop files into INBOX; the watcher takes each one once its size
and modification time have been stable for a settle interval, runs it through the
batch machinery (`pipeline.batch.run_batch`), and only after the catalog commit moves it:

    INBOX/processed/YYYY-MM-DD/<rel>       success, or a duplicate of a done document
    INBOX/failed/<rel> + <rel>.error.txt   failure, with the one-line reason

where `<rel>` is the file's path relative to the inbox (subfolders are kept).

Crash safety comes from that order.  A kill before the commit leaves the file in the
inbox, so the restart processes it; a kill between the commit and the move leaves a file
whose hash the catalog already knows, so the restart just moves it.  Moves never
overwrite other bytes: a taken name gets a ` (1)`, ` (2)`… suffix; only a failed file
dropped again with the same content replaces its old copy and error note.  After a move
the catalog and the JSON give the file's new path (the catalog keeps the old ones as
history).

Every file handled is one timestamped line of the run log (`RunLog`: done, duplicate,
failed with its reason), and every scan that did something ends with a summary line.

The core is `scan_once` with an injectable clock (`Settle`), so tests drive it without
sleeping; `watch_inbox` adds the lock, signals and the waiting loop (watchdog events, or
plain polling for network shares where file events do not arrive).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from pipeline.batch import BatchSummary, FileResult, run_batch, stop_on_signals
from pipeline.config import Config
from pipeline.errors import ExitCode, InboxLockedError, InputError, is_setup_error
from pipeline.inputs import expand_inputs, hash_file
from pipeline.output.atomic import write_text
from pipeline.output.catalog import Catalog
from pipeline.output.export import write_json

log = logging.getLogger(__name__)

PROCESSED = "processed"
FAILED = "failed"
LOCK_NAME = ".vnplan-watch.lock"
"""Hidden, so it is never taken as an input; removed when the watcher exits."""
ERROR_SUFFIX = ".error.txt"
LOCK_TRIES = 5
"""Times to retry taking the lock when its file was removed under us by the watcher that
held it (each try needs the holder to exit again: a few suffice)."""

Clock = Callable[[], float]

RESCAN = 30.0
"""In event mode, seconds between full rescans when no event arrives."""


# --- settling ---------------------------------------------------------------------------


@dataclass
class Settle:
    """Decides when a file is complete: size and mtime unchanged for `seconds`.

    `clock` returns wall-clock seconds (comparable with file mtimes); tests pass a fake.
    A file seen for the first time whose mtime is already `seconds` old is ready at once,
    so `--once` from cron does not wait on files that were dropped hours ago.
    """

    seconds: float
    clock: Clock = time.time
    _seen: dict[Path, tuple[int, int, float]] = field(default_factory=dict)
    """path → (size, mtime_ns, stable since)."""

    def split(self, paths: list[Path]) -> tuple[list[Path], list[Path]]:
        """Partition `paths` into (ready, still settling); forgets paths that vanished."""
        now = self.clock()
        ready, waiting = [], []
        current = {}
        for path in paths:
            try:
                st = path.lstat()
            except FileNotFoundError:
                continue  # moved away or deleted between listing and stat
            signature = (st.st_size, st.st_mtime_ns)
            previous = self._seen.get(path)
            if previous is None:
                since = min(now, st.st_mtime)
            elif previous[:2] != signature:
                since = now  # it changed: a writer is still at work
            else:
                since = previous[2]
            current[path] = (*signature, since)
            (ready if now - since >= self.seconds else waiting).append(path)
        self._seen = current
        return ready, waiting

    def wait_hint(self) -> float:
        """Seconds until the next settling file may be ready (0 when none is settling)."""
        now = self.clock()
        pending = [since + self.seconds - now for *_, since in self._seen.values()]
        pending = [p for p in pending if p > 0]
        return min(pending) if pending else 0.0


# --- the run log ------------------------------------------------------------------------


class RunLog:
    """One timestamped line per file and a summary per scan, for the nightly job's log.

    `stream` is stderr or the `--log-file`; None writes nothing (library use).  Times come
    from `clock` (the watcher's), so tests read exact lines.
    """

    def __init__(self, stream: TextIO | None, clock: Clock = time.time) -> None:
        """Write to `stream` (None: nowhere), stamping lines with `clock`."""
        self.stream = stream
        self.clock = clock

    def stamp(self) -> str:
        """The current time as an ISO timestamp with its UTC offset."""
        when = dt.datetime.fromtimestamp(self.clock()).astimezone()
        return when.isoformat(timespec="seconds")

    def line(self, text: str) -> None:
        """Write one stamped line (flushed: a killed watcher loses no line)."""
        if self.stream is not None:
            self.stream.write(f"{self.stamp()} {text}\n")
            self.stream.flush()

    def file(self, outcome: str, path: Path, detail: str = "") -> None:
        """`2026-09-21T10:00:00+07:00 done      a.pdf → processed/2026-09-21/a.pdf`."""
        self.line(f"{outcome:<9} {path}{detail}")

    def summary(self, counts: Counter, waiting: int) -> None:
        """`… scan: 2 done, 1 duplicate, 1 failed, 0 waiting` (zero counts included)."""
        parts = [f"{counts[k]} {k}" for k in ("done", "duplicate", "failed")]
        extra = [f"{counts[k]} {k}" for k in ("left", "unmoved") if counts[k]]
        self.line("scan: " + ", ".join([*parts, *extra, f"{waiting} waiting"]))


# --- moving -----------------------------------------------------------------------------


def free_name(folder: Path, name: str, companion_suffix: str = "") -> Path:
    """`folder/name`, or `folder/stem (n)suffix` when taken (also checking a companion file)."""
    candidate = folder / name
    stem, suffix = _split_name(name)
    n = 0
    while candidate.exists() or (
        companion_suffix and candidate.with_name(candidate.name + companion_suffix).exists()
    ):
        n += 1
        candidate = folder / f"{stem} ({n}){suffix}"
    return candidate


def _split_name(name: str) -> tuple[str, str]:
    # `scan.tar.gz`-style double suffixes are rare here; keep the last one only.
    path = Path(name)
    return (path.stem, path.suffix) if path.suffix else (name, "")


def move_no_clobber(
    src: Path,
    folder: Path,
    companion_suffix: str = "",
    before: Callable[[Path], None] | None = None,
    same_as: str | None = None,
) -> Path:
    """Move `src` into `folder` under a free name (never overwriting); returns the new path.

    `os.rename` is atomic, so a kill leaves the file either in the inbox or moved, never
    in both places or neither.  We hold the inbox lock, so nobody else picks names there.

    Args:
        src: The file (or directory) to move.
        folder: Where to, created if needed.
        companion_suffix: A name is free only if `name + companion_suffix` is free too.
        before: Called with the destination just before the rename (the catalog records
            the new path first, so a kill right after the rename still finds it there).
        same_as: The SHA-256 of `src`: a file of `folder` under the same name with these
            very bytes is replaced (a failed file dropped again) instead of kept beside.
    """
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / src.name
    if not (same_as and dest.is_file() and src.is_file() and _hash_or_none(dest) == same_as):
        dest = free_name(folder, src.name, companion_suffix)
    if before is not None:
        before(dest)
    src.rename(dest)
    return dest


def _hash_or_none(path: Path) -> str | None:
    try:
        return hash_file(path)
    except OSError:
        return None


# --- one scan ---------------------------------------------------------------------------


@dataclass
class ScanReport:
    """What one `scan_once` did."""

    moved: list[tuple[Path, Path]] = field(default_factory=list)
    """(inbox path, new path) for every file handled."""
    waiting: list[Path] = field(default_factory=list)
    """Files still settling (size or mtime changed recently)."""
    summary: BatchSummary | None = None
    move_errors: list[str] = field(default_factory=list)
    setup_failed: int = 0
    """Files left in the inbox because vnplan's installation failed them (not their
    fault): they are taken again once the setup is fixed."""

    @property
    def failed(self) -> int:
        """Files moved to failed/."""
        return sum(1 for _, new in self.moved if new.parent.name == FAILED)


def candidates(inbox: Path, config: Config) -> list[Path]:
    """Input files in the inbox, excluding processed/, failed/ and the output folder."""
    exclude = [inbox / PROCESSED, inbox / FAILED, Path(config.out_dir).absolute()]
    return [p for p in expand_inputs([inbox], exclude=exclude) if p != inbox]


def scan_once(
    inbox: Path,
    config: Config,
    settle: Settle,
    stop: threading.Event | None = None,
    skip: set[Path] | None = None,
    runlog: RunLog | None = None,
) -> ScanReport:
    """Process and move every settled file in the inbox once.

    Args:
        inbox: The inbox folder (absolute).
        config: Run settings; `config.out_dir` holds the catalog and outputs.
        settle: The settling state, kept between scans.
        stop: When set, files not yet started stay in the inbox for the next run.
        skip: Paths to leave alone (ones this session could not move).
        runlog: Where the per-file and summary lines go (default: nowhere).
    """
    runlog = runlog or RunLog(None, settle.clock)
    report = ScanReport()
    found = [p for p in candidates(inbox, config) if not skip or p not in skip]
    ready, report.waiting = settle.split(found)
    if not ready:
        return report
    today = dt.date.fromtimestamp(settle.clock()).isoformat()
    mover = _Mover(inbox, config, today, report, runlog, skip)
    report.summary = run_batch(
        ready, config, progress=False, stop=stop, on_result=mover.move, settle_failed=True
    )
    for line in report.move_errors:
        log.error("%s", line)
    runlog.summary(mover.counts, len(report.waiting))
    return report


@dataclass
class _Mover:
    """Moves each file out of the inbox right after its result is committed (one scan)."""

    inbox: Path
    config: Config
    today: str
    report: ScanReport
    runlog: RunLog
    skip: set[Path] | None
    counts: Counter = field(default_factory=Counter)

    def move(self, result: FileResult, catalog: Catalog) -> None:
        """Move `result`'s file to processed/ or failed/ and log it (the batch's callback).

        The catalog learns the new path before the rename and forgets the inbox path
        after it, so at every instant it lists wherever the file really is.
        """
        rel = _relative(result.path, self.inbox)
        if result.kind and is_setup_error(result.kind):
            self.report.setup_failed += 1
            self._leave(result, "left", rel, f": {result.error} (left in the inbox)")
            return
        try:
            dest = self._rename(result, rel, catalog)
        except OSError as exc:
            reason = f"cannot move: {exc.strerror or exc}"
            self.report.move_errors.append(f"{result.path}: {reason}")
            self._leave(result, "unmoved", rel, f": {reason}")
            return
        if result.sha256:
            output = catalog.move_path(result.sha256, str(result.path), str(dest))
            if output is not None:
                write_json(output, self.config.out_dir)
        self.report.moved.append((result.path, dest))
        where = f" → {_relative(dest, self.inbox)}"
        if result.error is not None:
            outcome, detail = "failed", f": {result.error}{where}"
        else:
            outcome = "done" if result.outcome == "done" else "duplicate"
            detail = f"{where} (doc {result.doc_id})" if result.doc_id else where
        self.counts[outcome] += 1
        self.runlog.file(outcome, rel, detail)

    def _rename(self, result: FileResult, rel: Path, catalog: Catalog) -> Path:
        """Rename the file into processed/DATE/ or failed/ (with its error note)."""

        def record(dest: Path) -> None:
            if result.sha256:
                catalog.add_path(result.sha256, str(dest))

        if result.error is None:
            folder = self.inbox / PROCESSED / self.today / rel.parent
            return move_no_clobber(result.path, folder, before=record)
        folder = self.inbox / FAILED / rel.parent
        dest = move_no_clobber(result.path, folder, ERROR_SUFFIX, record, result.sha256)
        write_text(dest.with_name(dest.name + ERROR_SUFFIX), _error_text(result))
        return dest

    def _leave(self, result: FileResult, outcome: str, rel: Path, detail: str) -> None:
        """Leave the file in the inbox, untouched for the rest of this session."""
        self.counts[outcome] += 1
        self.runlog.file(outcome, rel, detail)
        if self.skip is not None:
            self.skip.add(result.path)


def _relative(path: Path, inbox: Path) -> Path:
    """`path` relative to the inbox (as it is when outside it)."""
    try:
        return path.relative_to(inbox)
    except ValueError:
        return path


def _error_text(result: FileResult) -> str:
    lines = [result.error or "failed", "", f"file: {result.path.name}"]
    if result.sha256:
        lines.append(f"sha256: {result.sha256}")
    lines.append(f"when: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}")
    return "\n".join(lines) + "\n"


def repair_error_files(inbox: Path, catalog: Catalog) -> list[Path]:
    """Write the `.error.txt` of failed files that lack one; returns the files written.

    A kill right after the move leaves a failed file without it; the reason comes from
    the catalog.
    """
    written = []
    folder = inbox / FAILED
    if not folder.is_dir():
        return written
    for path in _failed_entries(folder):
        companion = path.with_name(path.name + ERROR_SUFFIX)
        if companion.exists():
            continue
        error = None
        if path.is_file():
            with contextlib.suppress(OSError):
                entry = catalog.get(hash_file(path))
                error = entry.error if entry else None
        else:
            error = "InputError: is a directory, not a file"
        result = FileResult(path, "failed", error=error or "failed (reason not recorded)")
        write_text(companion, _error_text(result))
        written.append(companion)
    return written


def remove_stale_temps(folders: list[Path]) -> list[Path]:
    """Remove the hidden temporary files (`.NAME.XXXX.tmp`) a killed writer left in `folders`.

    Called at start-up under the inbox lock: the watcher is the writer of its output
    folder and of INBOX/failed/, so a temp file there belongs to a run that died
    between writing it and renaming it.  Returns the files removed.
    """
    removed = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.glob(".*.tmp"):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
    return removed


def _failed_entries(folder: Path) -> Iterator[Path]:
    """The failed inputs under `folder`, descending into the subfolders kept from the inbox
    but not into a directory that was itself dropped as an input: that one has a note
    beside it, or is empty (a kept subfolder holds at least the failed file)."""
    for path in sorted(folder.iterdir()):
        if path.name.endswith(ERROR_SUFFIX) or path.name.startswith("."):
            continue
        is_input = not path.is_dir() or path.with_name(path.name + ERROR_SUFFIX).exists()
        if is_input or not any(p.is_file() for p in path.rglob("*")):
            yield path
        else:
            yield from _failed_entries(path)


# --- the lock ---------------------------------------------------------------------------


@contextlib.contextmanager
def inbox_lock(inbox: Path) -> Iterator[None]:
    """Hold an exclusive `flock` on INBOX/.vnplan-watch.lock, removed again on exit.

    The kernel releases the lock when the holder dies, however it dies; a clean exit
    also removes the file, so the inbox is left as the watcher found it.  Removing a
    locked file races with a second watcher that opened it just before: that one, once
    it has the lock, sees the path no longer names its file and opens it again.

    Raises:
        InboxLockedError: another watcher holds it.
    """
    path = inbox / LOCK_NAME
    for _ in range(LOCK_TRIES):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            raise InboxLockedError(
                f"another vnplan watch (pid {holder}) is already watching {inbox};"
                " stop it first, or watch another folder"
            ) from exc
        try:
            same = path.stat().st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the previous holder removed it after we opened it: try again
    else:
        raise InboxLockedError(f"cannot take the lock {path}: it keeps being removed")
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # while still holding the lock (see above)
        os.close(fd)  # closing releases the flock


# --- the loop ---------------------------------------------------------------------------


def _start_observer(inbox: Path, wake: threading.Event):
    """A watchdog observer that only wakes the loop; the scan itself lists the folder."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    class _Wake(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            wake.set()

    observer = Observer()
    # Top level only: events from our own moves into processed/ are not needed, and files
    # dropped into subfolders are still found by the periodic rescan.
    observer.schedule(_Wake(), str(inbox), recursive=False)
    observer.start()
    return observer


def watch_inbox(
    inbox: Path,
    config: Config,
    once: bool = False,
    poll: bool = False,
    settle: float = 5.0,
    clock: Clock = time.time,
    stop: threading.Event | None = None,
    poll_interval: float = 2.0,
    once_patience: float | None = None,
    log_stream: TextIO | None = None,
) -> int:
    """Process what is in INBOX, then keep watching it (or exit, with `once`).

    Args:
        inbox: The folder files are dropped into.
        config: Run settings (`out_dir` holds the catalog, JSON and CSV).
        once: Handle what is there now and exit (cron, systemd timer).
        poll: Poll the folder instead of waiting for file events (network shares).
        settle: Seconds a file's size and mtime must stay unchanged before it is taken.
        clock: Wall-clock time source (tests inject one).
        stop: Set it to make the watcher exit after the current file.
        poll_interval: Seconds between scans in poll mode (and the fallback wake-up).
        once_patience: With `once`, how long to wait for files still being written
            (default: three settle intervals); later ones are left for the next run.
        log_stream: Where the run log goes (the CLI passes stderr or `--log-file`).

    Returns:
        The exit code: 0, or with `once` 1 when a file failed or could not be moved out
        of the inbox, 3 when files failed for a setup problem (Tesseract, model).

    Raises:
        InputError: the inbox does not exist.
        InboxLockedError: another watcher holds the inbox.
    """
    inbox = Path(inbox).absolute()
    if not inbox.is_dir():
        raise InputError(f"{inbox}: the inbox folder does not exist")
    stop = stop or threading.Event()
    wake = threading.Event()
    tracker = Settle(settle, clock)
    runlog = RunLog(log_stream, clock)
    skip: set[Path] = set()
    failed = setup = 0
    patience = once_patience if once_patience is not None else max(3 * settle, 1.0)
    started = time.monotonic()
    with inbox_lock(inbox), stop_on_signals(stop, wake):
        observer = None if (once or poll) else _start_observer(inbox, wake)
        try:
            recover_outputs(inbox, config)
            while not stop.is_set():
                wake.clear()
                report = scan_once(inbox, config, tracker, stop=stop, skip=skip, runlog=runlog)
                failed += report.failed + len(report.move_errors)
                setup += report.setup_failed
                if report.moved:
                    continue  # more may have arrived while we worked
                if once and (not report.waiting or time.monotonic() - started > patience):
                    for path in report.waiting:
                        runlog.file("waiting", _relative(path, inbox), ": left for the next run")
                    break
                # With `once` nothing wakes us but time; otherwise a file event does.
                (stop if once else wake).wait(_next_scan_in(tracker, poll or once, poll_interval))
        finally:
            if observer is not None:
                observer.stop()
                observer.join()
    if not once:
        return int(ExitCode.ok)
    if setup:
        return int(ExitCode.setup)
    return int(ExitCode.some_failed if failed else ExitCode.ok)


MIN_WAIT = 0.05
"""Seconds: the shortest sleep between scans, so a due settle hint never spins the CPU."""


def _next_scan_in(tracker: Settle, polling: bool, poll_interval: float) -> float:
    """Seconds until the next scan.

    Polling rescans every `poll_interval`; event mode rescans on events and every RESCAN
    seconds anyway (subfolders, events lost on overflow).  A file settling sooner wins.
    """
    timeout = poll_interval if polling else max(poll_interval, RESCAN)
    hint = tracker.wait_hint()
    if hint:
        timeout = min(timeout, hint)
    return max(timeout, MIN_WAIT)


def recover_outputs(inbox: Path, config: Config) -> None:
    """Repair what a killed watcher may have left: temp files, stale exports, error notes.

    A crash between a catalog commit and the JSON/CSV writes leaves the outputs behind
    the catalog; they are rewritten from it before the first scan.
    """
    from pipeline.output.export import export_catalog  # the output stage, only when needed

    out = Path(config.out_dir)
    remove_stale_temps([out, out / "json", inbox / FAILED])
    with Catalog.in_dir(config.out_dir) as catalog:
        export_catalog(catalog, config.out_dir)
        repair_error_files(inbox, catalog)
