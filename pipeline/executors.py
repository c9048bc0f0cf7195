"""The local process pool: files run in worker processes that the budgets can stop.

`run_pool` hands one file at a time to each of N worker processes over a pipe and
watches them from the main process:

- **time**: a file's budget is `Config.file_budget(pages)` (a base plus seconds per page,
  extended when the worker reports the page count after ingest); past it the worker is
  killed and the file fails with `TimeBudgetError`;
- **memory**: every `WATCH_INTERVAL` the resident memory of each worker and its children
  (the `tesseract` program) is read from /proc; over `Config.max_memory_mb` the worker
  is killed and the file fails with `MemoryBudgetError`.  `RLIMIT_DATA` at the same
  limit stops allocations the sampling would be too slow to see (a flate bomb inflates
  hundreds of MB a second): Python raises `MemoryError`, which the chain reports as
  `MemoryBudgetError`;
- **crashes**: a worker that dies on its own (a segfault in a native library, the OOM
  killer) is replaced and its file retried `CRASH_RETRIES` times, then failed with
  `WorkerCrashError`.  Only the file that worker held is affected.

A killed or dead worker is replaced; the batch goes on.  Workers die with vnplan:
each sets `PR_SET_PDEATHSIG` (SIGKILL when its parent, the forkserver, exits, and the
forkserver exits when the main process does, however it ends), and so does each
`tesseract` program they start (`pipeline.ocr.tesseract`).  When `stop` is set (SIGTERM,
SIGINT) no file starts and those in flight are abandoned at once: their workers are
killed, nothing of them is committed, and a re-run takes them.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import resource
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from pipeline.config import Config
from pipeline.errors import MemoryBudgetError, TimeBudgetError, WorkerCrashError

log = logging.getLogger(__name__)

WATCH_INTERVAL = 0.2
"""Seconds between checks of the workers' memory, deadlines and the stop flag: a stop is
seen within this, and a worker allocating 1 GB/s overshoots its budget by 200 MB at most
before `RLIMIT_DATA` (which has no delay) stops it anyway."""
CRASH_RETRIES = 1
"""Times a file whose worker died is tried again in a fresh worker: the OOM killer may
have picked the wrong process once; a file that kills two workers is the cause."""
NEAR_LIMIT = 0.8
"""A worker that dies above this share of its memory budget died of the budget (a native
allocation failing under `RLIMIT_DATA` aborts the process instead of raising)."""
KILL_WAIT = 5.0
"""Seconds to wait for a killed worker to be reaped (SIGKILL cannot be ignored)."""
PR_SET_PDEATHSIG = 1
"""prctl option: the signal the kernel sends a process when its parent exits."""

_libc = ctypes.CDLL(None, use_errno=True)


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent exits (Linux; no-op elsewhere).

    Safe between fork and exec (one system call), so `subprocess.Popen(preexec_fn=…)`
    can use it for the `tesseract` program.
    """
    with contextlib.suppress(AttributeError, OSError):
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


# --- the worker side --------------------------------------------------------------------


def _release_forkserver() -> None:
    """Close this worker's copy of the pipe by which the forkserver sees vnplan alive.

    The forkserver exits when every write end of that pipe is closed, and it hands one to
    each worker it forks: left open, a worker would keep the forkserver alive after
    vnplan died, and the forkserver would keep the worker alive (its death signal comes
    when the forkserver exits).  Closed here, vnplan's death ends the forkserver, and
    that ends every worker.  (CPython keeps the fd in a private attribute.)
    """
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    fd = getattr(server, "_forkserver_alive_fd", None)
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)
        server._forkserver_alive_fd = None


Work = Callable[..., tuple]
"""`work(path, sha256, config)` → (document, seconds, peak MB), run in a worker."""


def _serve(conn: Connection, work: Work, config: Config, main_pid: int) -> None:
    """A worker's life: take (path, sha256) from `conn`, send back the result, repeat.

    Messages to the main process: `("pages", n)` once ingest knows the page count (so the
    time budget grows with it), then `("done", result)` or `("raised", text)`.
    """
    _release_forkserver()
    die_with_parent()
    try:  # vnplan may have ended before the death signal was armed
        os.kill(main_pid, 0)
    except ProcessLookupError:
        os._exit(1)
    # The main process alone decides when to stop (and commits); see the module doc.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if config.max_memory_mb:
        limit = config.max_memory_mb * 2**20
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))

    def report_pages(pages: int) -> None:
        conn.send(("pages", pages))

    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        path, sha256 = message
        try:
            if getattr(work, "reports_pages", False):
                result = work(path, sha256, config, on_pages=report_pages)
            else:
                result = work(path, sha256, config)
        except BaseException as exc:  # noqa: BLE001 - the main process records it
            conn.send(("raised", f"{type(exc).__name__}: {exc}", traceback.format_exc()))
            if isinstance(exc, MemoryError):
                return  # a process that ran out of memory is not trusted with another file
            continue
        conn.send(("done", result))
        doc = result[0]
        if any(e.kind == MemoryBudgetError.__name__ for e in doc.errors):
            return


# --- the main side ----------------------------------------------------------------------


@dataclass
class _Worker:
    """One worker process and the file it holds."""

    process: multiprocessing.process.BaseProcess
    conn: Connection
    job: object | None = None
    started: float = 0.0
    deadline: float | None = None
    peak_mb: float = 0.0

    def kill(self) -> None:
        """SIGKILL the worker (its `tesseract` children follow by their death signal)."""
        with contextlib.suppress(ProcessLookupError, AttributeError):
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.join(KILL_WAIT)
        self.conn.close()


def rss_mb(pid: int) -> float:
    """Resident memory of `pid` and its descendants in MB (0 when it is gone)."""
    total = 0.0
    page = os.sysconf("SC_PAGE_SIZE")
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * page
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, IndexError, ValueError):
            continue
        stack.extend(int(child) for child in children)
    return total / 2**20


Outcome = tuple[object, "tuple | BaseException"]
"""(job, result) or (job, the exception that stands for its failure)."""


def run_pool(
    jobs: list,
    config: Config,
    work: Work,
    stop: threading.Event | None = None,
    workers: int | None = None,
) -> Iterator[Outcome]:
    """Run `work` on each job (`job.path`, `job.sha256`) in worker processes.

    Yields (job, result tuple) for files that finished, and (job, exception) for files
    stopped by a budget or whose worker died (`TimeBudgetError`, `MemoryBudgetError`,
    `WorkerCrashError`, or `_Raised` when `work` itself raised).  Abandoned files (stop)
    are not yielded.

    Args:
        jobs: Objects with `path` and `sha256`.
        config: Budgets and `workers`.
        work: The per-file function (picklable: a module-level function).
        stop: When set, running files are abandoned and no new one starts.
        workers: Pool size (default `config.workers`, at most one per job).
    """
    size = max(1, min(workers or config.workers, len(jobs)))
    # forkserver: workers fork from a clean server process (never from this one, which
    # may hold threads such as the watchdog observer), with the chain and the
    # restoration model preloaded.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipeline.chain", "pipeline.restore.preload"])
    queue: deque = deque(jobs)
    attempts: dict[int, int] = {}
    pool: list[_Worker] = []

    def start() -> _Worker:
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_serve, args=(theirs, work, config, os.getpid()), daemon=True
        )
        process.start()
        theirs.close()
        return _Worker(process, ours)

    try:
        while queue or any(w.job is not None for w in pool):
            if stop is not None and stop.is_set():
                return
            pool = [w for w in pool if w.process.is_alive() or w.job is not None]
            while queue and len(pool) < size:
                try:
                    pool.append(start())
                except (EOFError, OSError):
                    # SIGTERM to the group also ends the forkserver: starting a worker can
                    # fail between the stop check above and here.  Only then is it no bug.
                    if stop is not None and stop.is_set():
                        return
                    raise
            for worker in pool:
                if worker.job is None and queue and worker.process.is_alive():
                    job = queue.popleft()
                    worker.job, worker.started, worker.peak_mb = job, time.monotonic(), 0.0
                    worker.deadline = _deadline(worker.started, config, 0)
                    worker.conn.send((job.path, job.sha256))
            busy = [w for w in pool if w.job is not None]
            now = time.monotonic()
            timeout = min([WATCH_INTERVAL, *(w.deadline - now for w in busy if w.deadline)])
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy],
                             max(timeout, 0.0)))  # fmt: skip
            for worker in busy:
                outcome = _check(worker, ready, config, attempts, queue)
                if outcome is not None:
                    yield outcome
    finally:
        for worker in pool:
            if worker.job is not None or not _retire(worker):
                worker.kill()


def _deadline(started: float, config: Config, pages: int) -> float | None:
    budget = config.file_budget(pages)
    return None if budget is None else started + budget


def _retire(worker: _Worker) -> bool:
    """Ask an idle worker to exit; False when it does not in time (then it is killed)."""
    with contextlib.suppress(OSError, ValueError):
        worker.conn.send(None)
        worker.process.join(KILL_WAIT)
        worker.conn.close()
    return not worker.process.is_alive()


class _Raised(Exception):
    """`work` raised in the worker (a bug of ours, or a result that would not pickle)."""

    def __init__(self, line: str, detail: str) -> None:
        super().__init__(line)
        self.detail = detail


def _check(worker: _Worker, ready: set, config: Config, attempts: dict, queue: deque):
    """Handle what one busy worker did since the last look; an outcome when its file ended."""
    job = worker.job
    if worker.conn in ready:
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            message = None
        if message is not None:
            kind = message[0]
            if kind == "pages":
                worker.deadline = _deadline(worker.started, config, message[1])
                return None
            worker.job = None
            if kind == "done":
                return job, message[1]
            if message[1].startswith(f"{MemoryError.__name__}:"):  # RLIMIT_DATA said no
                return job, MemoryBudgetError(
                    f"ran out of the limit of {config.max_memory_mb} MB (--max-memory)"
                )
            return job, _Raised(f"{message[1]} (a bug in vnplan; -v shows where)", message[2])
    if not worker.process.is_alive() or worker.process.sentinel in ready:
        worker.process.join(KILL_WAIT)
        worker.job = None
        return _died(worker, job, config, attempts, queue)
    now = time.monotonic()
    if worker.deadline is not None and now > worker.deadline:
        worker.kill()
        worker.job = None
        seconds = now - worker.started
        return job, TimeBudgetError(
            f"stopped after {seconds:.0f} s, over the budget of {config.file_timeout:g} s"
            f" + {config.page_timeout:g} s per page (--file-timeout, --page-timeout)"
        )
    if config.max_memory_mb:
        used = rss_mb(worker.process.pid)
        worker.peak_mb = max(worker.peak_mb, used)
        if used > config.max_memory_mb:
            worker.kill()
            worker.job = None
            return job, _memory_error(used, config)
    return None


def _memory_error(used: float, config: Config, died: bool = False) -> MemoryBudgetError:
    limit = f"the limit of {config.max_memory_mb} MB (--max-memory)"
    if died:  # a native allocation refused under RLIMIT_DATA ended the worker
        return MemoryBudgetError(f"the worker died at {used:.0f} MB, near {limit}")
    return MemoryBudgetError(f"stopped at {used:.0f} MB, over {limit}")


def _died(worker: _Worker, job, config: Config, attempts: dict, queue: deque):
    """A worker died holding `job`: retry it, or fail it with the likely reason."""
    code = worker.process.exitcode
    worker.conn.close()
    if config.max_memory_mb and worker.peak_mb >= NEAR_LIMIT * config.max_memory_mb:
        return job, _memory_error(worker.peak_mb, config, died=True)
    tries = attempts.get(id(job), 0)
    if tries < CRASH_RETRIES:
        attempts[id(job)] = tries + 1
        log.warning("%s: worker died (exit %s); trying the file again", job.path, code)
        queue.appendleft(job)
        return None
    how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
    return job, WorkerCrashError(
        f"the worker process died ({how}) while reading this file, {tries + 1} times"
        " (a crash in a native library, or out of memory)"
    )
