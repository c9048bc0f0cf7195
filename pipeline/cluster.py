"""The Dask executor: files sent to a `dask.distributed` cluster instead of local workers.

`vnplan run PATHS --scheduler tcp://HOST:8786` (or `VNPLAN_SCHEDULER`) comes here from
`batch.process_jobs`.  The division of work is the local pool's:

- **workers compute**: each task reads one file (by a path every worker can see), runs
  the chain and returns the document as plain data (`Document.model_dump`, JSON types),
  its seconds and the worker's peak memory.  A worker never touches the output folder;
- **the driver commits**: results come back here and `batch.run_batch` stores them, the
  catalog's upsert by content hash makes a result delivered twice one row, and this
  module drops a second delivery of a file before it gets there;
- **lost workers**: the scheduler re-runs the task of a worker that died (its
  `allowed-failures`, 3 by default, bounds it); past that the file is submitted again
  `RESUBMITS` times, then fails with `WorkerCrashError`, and the batch goes on;
- **stop**: when `stop` is set (SIGINT, SIGTERM) the pending tasks are cancelled and
  nothing more is yielded; what was committed stays.

At most `IN_FLIGHT_PER_THREAD` tasks per worker thread are submitted at a time, so the
driver's memory and a cancellation stay small whatever the size of the archive.
`VnplanPlugin` prepares each worker process once: `OMP_THREAD_LIMIT=1` (Tesseract's
OpenMP threads would fight the worker's own) and the restoration model loaded.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from pipeline.config import Config
from pipeline.errors import SetupError, WorkerCrashError

log = logging.getLogger(__name__)

WATCH_INTERVAL = 0.2
"""Seconds between looks at the stop flag while waiting for results (as in the pool)."""
IN_FLIGHT_PER_THREAD = 1
"""Tasks submitted per worker thread.  One: a worker then holds only the file it runs, so
when a file kills its worker no innocent file queued behind it is counted against (the
scheduler counts every task a dead worker held); the driver's round trip (milliseconds)
is small beside a page of OCR."""
RESUBMITS = 1
"""Times a file the scheduler gave up on (`KilledWorker`: its workers died past the
scheduler's `allowed-failures`) is submitted again: a file that was only queued beside
the culprit gets another chance; the culprit fails once more and is recorded."""
CONNECT_TIMEOUT = 30.0
"""Seconds to reach the scheduler before giving up with a SetupError."""
PLUGIN_NAME = "vnplan"


class RemoteError(Exception):
    """The per-file function raised on a worker (a bug of ours)."""

    def __init__(self, line: str, detail: str | None = None) -> None:
        super().__init__(line)
        self.detail = detail


def _import_distributed():
    try:
        import distributed
    except ImportError as exc:  # an optional extra of vnplan
        raise SetupError(
            "--scheduler needs dask.distributed, a dependency of vnplan: reinstall vnplan"
        ) from exc
    return distributed


def prepare_worker() -> None:
    """What each worker process does once: one OpenMP thread, the chain and model loaded."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    import pipeline.chain  # noqa: F401 - imported for its side effect: loaded once
    import pipeline.restore.preload  # noqa: F401


def _plugin_class():
    distributed = _import_distributed()

    class VnplanPlugin(distributed.WorkerPlugin):
        """Runs `prepare_worker` in every worker process, those started later included."""

        name = PLUGIN_NAME

        def setup(self, worker) -> None:  # noqa: ARG002 - the WorkerPlugin signature
            prepare_worker()

    return VnplanPlugin


def remote_file(
    path: str, sha256: str | None, config: Config, work: Callable | None = None
) -> tuple[dict, float, float]:
    """The task run on a worker: the chain on one file, the document as plain data."""
    from pipeline.batch import process_file

    doc, seconds, peak_mb = (work or process_file)(Path(path), sha256, config)
    return doc.model_dump(mode="json"), seconds, peak_mb


def connect(address: str):
    """A `distributed.Client` of the scheduler at `address`, with the worker plugin."""
    distributed = _import_distributed()
    try:
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except OSError as exc:
        raise SetupError(f"cannot reach the Dask scheduler {address}: {exc}") from exc
    client.register_plugin(_plugin_class()(), name=PLUGIN_NAME)
    return client


def run_dask(
    jobs: list,
    config: Config,
    work: Callable | None = None,
    stop: threading.Event | None = None,
) -> Iterator[tuple[object, tuple | BaseException]]:
    """Run each job (`job.path`, `job.sha256`) on the cluster at `config.scheduler`.

    Yields (job, (document, seconds, peak MB)) for files that finished and (job,
    exception) for files whose task failed (`WorkerCrashError` for a lost worker,
    `RemoteError` when the task raised), each job at most once, in completion order.

    Args:
        jobs: What to process.
        config: Run settings; `scheduler` is the address.
        work: The per-file function run on the workers (default `process_file`; tests
            inject faults).  Module-level, so that workers can import it.
        stop: When set, pending tasks are cancelled and nothing more is yielded.
    """
    from pipeline.document import Document

    distributed = _import_distributed()
    client = connect(config.scheduler)
    pending: dict = {}
    queue = list(reversed(jobs))
    delivered: set[int] = set()
    resubmitted: dict[int, int] = {}
    try:
        threads = sum(client.nthreads().values()) or 1
        limit = max(1, IN_FLIGHT_PER_THREAD * threads)
        while queue or pending:
            if stop is not None and stop.is_set():
                return
            while queue and len(pending) < limit:
                job = queue.pop()
                sha = (job.sha256 or "nohash")[:16]
                future = client.submit(
                    remote_file,
                    str(Path(job.path).absolute()),
                    job.sha256,
                    config,
                    work,
                    pure=False,
                    key=f"vnplan-{sha}-{uuid.uuid4().hex}",
                )
                pending[future] = job
            try:
                # `distributed.wait` without its look-up of a default client: ours is not one.
                done = client.sync(
                    distributed.client._wait,
                    list(pending),
                    timeout=WATCH_INTERVAL,
                    return_when="FIRST_COMPLETED",
                ).done
            except TimeoutError:  # nothing finished yet: look at the stop flag again
                continue
            for future in done:
                job = pending.pop(future)
                if id(job) in delivered:  # a result delivered twice is committed once
                    continue
                outcome = _outcome(future, job, Document, distributed)
                tries = resubmitted.get(id(job), 0)
                if isinstance(outcome, WorkerCrashError) and tries < RESUBMITS:
                    resubmitted[id(job)] = tries + 1
                    log.warning("%s: its Dask workers died; submitting it again", job.path)
                    queue.append(job)
                    continue
                delivered.add(id(job))
                yield job, outcome
    finally:
        if pending:
            with contextlib.suppress(Exception):
                client.cancel(list(pending), force=True)
        client.close()


def _outcome(future, job, document_class, distributed) -> tuple | BaseException:
    """A finished future as (document, seconds, peak MB), or the exception standing for it."""
    try:
        data, seconds, peak_mb = future.result()
    except distributed.KilledWorker as exc:
        return WorkerCrashError(
            f"the Dask worker running this file was lost, every time it was tried ({exc})"
            " (a crash in a native library, out of memory, or the machine went away)"
        )
    except Exception as exc:  # noqa: BLE001 - the task raised: recorded as that file's failure
        import traceback

        return RemoteError(
            f"{type(exc).__name__}: {exc} (a bug in vnplan; -v shows where)",
            "".join(traceback.format_exception(exc)),
        )
    doc = document_class.model_validate(data)
    doc.source.path = str(job.path)  # as given on the command line, like the local pool
    return doc, seconds, peak_mb


@contextlib.contextmanager
def local_cluster(workers: int = 2) -> Iterator[str]:
    """A loopback `LocalCluster` (one thread per worker process, no dashboard); its address.

    For tests and the benchmark; `dask scheduler` and `dask worker` make a real one.
    """
    distributed = _import_distributed()
    with distributed.LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster.scheduler_address
