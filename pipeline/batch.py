"""Batches: many files through the chain in parallel, into the catalog and OUT/.

`vnplan run` and `vnplan watch` both come through here:

1. `expand_inputs` turns the command line into a sorted list of files.
2. `plan` hashes each file (cheap) and asks the catalog what is already done, so a
   re-run skips finished documents without reading them, and the same content under two
   names is processed once (both paths are recorded).
3. `process_jobs` runs `pipeline.chain.process_path` in worker processes (or in-process
   with one worker).  Workers only compute: they return `Document`s, and the main process
   alone writes to the catalog, so SQLite never sees two writers.
4. `commit` stores each document in one catalog transaction, then writes its JSON; at
   the end the batch's rows are appended to the CSV tables (`pipeline.output.export`).

With `Config.scheduler` step 3 runs on a Dask cluster (`pipeline.cluster`) instead; the
commits stay here.
"""

from __future__ import annotations

import contextlib
import logging
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from pipeline.config import Config
from pipeline.document import Document, StageError, Status
from pipeline.errors import ExitCode, InternalError, is_input_error, is_setup_error
from pipeline.inputs import hash_file
from pipeline.output.catalog import Catalog
from pipeline.output.export import export_catalog, write_document_json

log = logging.getLogger(__name__)

# --- results ----------------------------------------------------------------------------


@dataclass
class FileResult:
    """What happened to one input file."""

    path: Path
    outcome: str
    """`done`, `skipped` (already in the catalog), `duplicate` (same content as another
    file of this batch) or `failed`."""
    doc_id: str = ""
    pages: int = 0
    error: str | None = None
    """`KindError: message` for failures."""
    detail: str | None = None
    """The traceback of an internal error (a bug of ours), shown under `-v`."""
    seconds: float = 0.0
    sha256: str | None = None
    earlier: bool = False
    """A failure recorded by an earlier run and not retried (see `plan`)."""

    @property
    def kind(self) -> str | None:
        """The error's class name (`CorruptPdfError`), None when the file did not fail."""
        return self.error.split(":", 1)[0] if self.error else None


@dataclass
class BatchSummary:
    """The outcome of a batch, for the summary table and the exit code."""

    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False
    inputs: int = 0
    """Files the batch was given (those not in `results` were never reached)."""
    peak_rss_mb: float = 0.0
    """Highest peak resident memory of a process that ran the chain (a worker, or this
    process with one worker)."""

    def _with(self, *outcomes: str) -> list[FileResult]:
        return [r for r in self.results if r.outcome in outcomes]

    @property
    def done(self) -> list[FileResult]:
        """Files processed successfully in this batch."""
        return self._with("done")

    @property
    def skipped(self) -> list[FileResult]:
        """Files not processed: already in the catalog, or duplicates within the batch."""
        return self._with("skipped", "duplicate")

    @property
    def failed(self) -> list[FileResult]:
        """Files that failed (with their one-line error)."""
        return self._with("failed")

    @property
    def pages(self) -> int:
        """Pages processed in this batch."""
        return sum(r.pages for r in self.results if r.outcome in ("done", "failed"))

    @property
    def not_reached(self) -> int:
        """Inputs an interruption left unprocessed (a re-run takes them)."""
        return max(0, self.inputs - len(self.results))

    @property
    def setup_failed(self) -> list[FileResult]:
        """Failures of vnplan's installation (Tesseract, language data, model)."""
        return [r for r in self.failed if r.kind and is_setup_error(r.kind)]

    @property
    def exit_code(self) -> ExitCode:
        """What `vnplan run` exits with: interrupted, then setup problems, then failures."""
        if self.interrupted:
            return ExitCode.interrupted
        if self.setup_failed:
            return ExitCode.setup
        return ExitCode.some_failed if self.failed else ExitCode.ok


# --- planning ---------------------------------------------------------------------------


@dataclass
class Job:
    """One file to process, with its content hash (None when it cannot be read)."""

    path: Path
    sha256: str | None
    duplicates: list[Path] = field(default_factory=list)
    """Other paths of this batch with the same content: recorded, not processed."""


def plan(
    files: Iterable[Path],
    catalog: Catalog,
    force: bool = False,
    settle_failed: bool = False,
    retry_failed: bool = False,
) -> tuple[list[Job], list[FileResult]]:
    """Hash the files and decide what needs processing.

    Returns the jobs and the results already known: skipped files (done by this pipeline
    version; their path is recorded), files this pipeline already failed for their own
    fault (an `InputError`: damaged, over a budget…; they would fail the same way, and a
    time bomb would cost its whole budget again every night), and in-batch duplicates
    of those.  Failures that were not the file's fault (setup, a crash, a bug of ours)
    are retried.

    Args:
        files: The inputs.
        catalog: The open catalog.
        force: Process everything, even documents already done.
        retry_failed: Process again the files failed for their own fault.
        settle_failed: The watcher's rule: a file whose failure is already committed under
            this very path (a kill came between the commit and the move) is reported
            failed again without reprocessing.  `vnplan run` retries failures instead.
    """
    jobs: list[Job] = []
    by_sha: dict[str, Job] = {}
    known: list[FileResult] = []
    for path in files:
        try:
            sha = hash_file(path)
        except OSError:
            # A directory or an unreadable file: the chain itself produces the clear error.
            jobs.append(Job(path, None))
            continue
        if sha in by_sha:
            by_sha[sha].duplicates.append(path)
            continue
        if settle_failed and not force:
            entry = catalog.get(sha)
            if entry and entry.status == Status.failed.value and str(path) in entry.paths:
                known.append(
                    FileResult(path, "failed", entry.doc_id, error=entry.error, sha256=sha)
                )
                by_sha[sha] = Job(path, sha)
                continue
        if not (force or retry_failed):
            entry = catalog.failure(sha)
            if entry and entry.error and is_input_error(entry.error.split(":", 1)[0]):
                catalog.add_path(sha, str(path))
                known.append(
                    FileResult(
                        path, "failed", entry.doc_id, error=entry.error, sha256=sha, earlier=True
                    )
                )
                by_sha[sha] = Job(path, sha)
                continue
        if not force and catalog.is_done(sha):
            catalog.add_path(sha, str(path))
            entry = catalog.get(sha)
            known.append(
                FileResult(path, "skipped", doc_id=entry.doc_id if entry else "", sha256=sha)
            )
            by_sha[sha] = Job(path, sha)  # later duplicates attach here, then are skipped
            continue
        job = Job(path, sha)
        by_sha[sha] = job
        jobs.append(job)
    # Duplicates of skipped files are settled now; duplicates of jobs wait for the commit.
    for result in list(known):
        for dup in by_sha[result.sha256].duplicates:
            catalog.add_path(result.sha256, str(dup))
            known.append(
                FileResult(
                    dup, "duplicate", result.doc_id, error=result.error, sha256=result.sha256
                )
            )
    return jobs, known


# --- processing -------------------------------------------------------------------------


def process_file(
    path: Path,
    sha256: str | None,
    config: Config,
    on_pages: Callable[[int], None] | None = None,
) -> tuple[Document, float, float]:
    """Run the chain on one file (in a worker).

    Args:
        path: The file.
        sha256: Its content hash from `plan` (keys the failure when ingest cannot hash).
        config: Run settings.
        on_pages: Called with the page count once ingest knows it (the pool grows the
            file's time budget with it).

    Returns:
        The document, wall seconds, and the peak resident memory of the process so far
        in MB (a worker's high-water mark, for the summary and the benchmark).
    """
    from pipeline.chain import process_path  # imported here: cheap for the planning process

    def after(stage: str, doc: Document) -> None:
        if stage == "ingest" and on_pages is not None:
            on_pages(doc.source.pages)

    started = time.perf_counter()
    doc = process_path(path, config, after=after)
    if sha256 and not doc.source.sha256:
        # Ingest failed before hashing (empty file…): key the failure by our hash.
        doc.source.sha256 = sha256
        doc.doc_id = doc.doc_id or sha256[:16]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    return doc, round(time.perf_counter() - started, 4), round(peak_mb, 1)


process_file.reports_pages = True  # type: ignore[attr-defined] - see executors._serve


Work = Callable[..., tuple[Document, float, float]]
"""`work(path, sha256, config)` → (document, seconds, peak MB); tests inject faults."""


def process_jobs(
    jobs: list[Job],
    config: Config,
    stop: threading.Event | None = None,
    work: Work | None = None,
) -> Iterator[tuple[Job, Document, float, float]]:
    """Process `jobs`, yielding each as it finishes (completion order).

    With `config.scheduler` the files go to that Dask cluster (`pipeline.cluster`).
    Otherwise files run in worker processes (`pipeline.executors.run_pool`) whenever a budget must
    be able to stop them or there is more than one worker (`Config.isolated`); with one
    worker and no time or memory budget they run here, in this process.  When `stop` is
    set no new file starts; in the pool, files in flight are abandoned (a re-run takes
    them), here the current one finishes.  A file over a budget or whose worker died
    comes back as a failed document with that reason; the others go on.

    Args:
        jobs: What to process.
        config: Run settings (`workers`, the budgets).
        stop: Set to stop starting new files.
        work: The function run per file (default `process_file`; tests inject faults).
    """
    from pipeline.executors import run_pool

    if config.scheduler:
        from pipeline.cluster import run_dask

        outcomes = run_dask(jobs, config, work, stop)
    else:
        work = work or process_file
        if not config.isolated:
            for job in jobs:
                if stop is not None and stop.is_set():
                    return
                yield job, *work(job.path, job.sha256, config)
            return
        outcomes = run_pool(jobs, config, work, stop)
    for job, outcome in outcomes:
        if isinstance(outcome, BaseException):
            yield job, _failed_doc(job, "worker", outcome), 0.0, 0.0
        else:
            yield job, *outcome


def _failed_doc(job: Job, stage: str, exc: BaseException) -> Document:
    from pipeline.ingest import new_document

    doc = new_document(job.path)
    if job.sha256:
        doc.source.sha256 = job.sha256
        doc.doc_id = job.sha256[:16]
    detail = getattr(exc, "detail", None)
    kind = InternalError.__name__ if detail else type(exc).__name__
    doc.errors.append(StageError(stage=stage, kind=kind, message=str(exc), detail=detail))
    doc.status = Status.failed
    return doc


def error_line(doc: Document) -> str | None:
    """`KindError: message` for a failed document (the first error; one line)."""
    if not doc.errors:
        return None
    first = doc.errors[0]
    return f"{first.kind}: {' '.join(first.message.split())}"


def commit(job: Job, doc: Document, seconds: float, catalog: Catalog, out_dir: Path) -> FileResult:
    """Store a processed document (one transaction), then write its JSON; record duplicates."""
    error = error_line(doc)
    if doc.source.sha256:
        catalog.record(doc, seconds)
        for dup in job.duplicates:
            catalog.add_path(doc.source.sha256, str(dup))
        write_document_json(doc, out_dir)
    else:
        catalog.record_unreadable(str(job.path), error or "InputError: cannot read the file")
    outcome = "done" if doc.status == Status.ok else "failed"
    return FileResult(
        job.path,
        outcome,
        doc_id=doc.doc_id,
        pages=doc.source.pages,
        error=error,
        detail=doc.errors[0].detail if doc.errors else None,
        seconds=seconds,
        sha256=doc.source.sha256 or None,
    )


def run_batch(
    files: list[Path],
    config: Config,
    progress: bool = True,
    stop: threading.Event | None = None,
    on_result: Callable[[FileResult, Catalog], None] | None = None,
    settle_failed: bool = False,
    work: Work | None = None,
) -> BatchSummary:
    """Process `files` into `config.out_dir` (catalog, JSON, CSV); never raises for bad input.

    Args:
        files: Input files (from `expand_inputs`).
        config: Run settings (`out_dir`, `workers`, `force`…).
        progress: Show a progress bar on stderr (only when stderr is a terminal).
        stop: When set (SIGTERM), running files finish and are committed; no new file starts.
        on_result: Called with each file's result (and the open catalog) right after its
            catalog commit: the watcher moves the file there.
        settle_failed: See `plan` (the watcher sets it).
        work: The per-file function (see `process_jobs`).
    """
    started = time.perf_counter()
    summary = BatchSummary(inputs=len(files))
    out_dir = Path(config.out_dir)
    with Catalog.in_dir(out_dir) as catalog:
        jobs, known = plan(
            files,
            catalog,
            force=config.force,
            settle_failed=settle_failed,
            retry_failed=config.retry_failed,
        )
        summary.results.extend(known)
        if on_result:
            for result in known:
                on_result(result, catalog)
        bar = Progress(len(jobs), enabled=progress)
        try:
            for job, doc, seconds, peak_mb in process_jobs(jobs, config, stop, work):
                result = commit(job, doc, seconds, catalog, out_dir)
                summary.peak_rss_mb = max(summary.peak_rss_mb, peak_mb)
                dups = [
                    FileResult(
                        dup, "duplicate", doc.doc_id, error=result.error, sha256=result.sha256
                    )
                    for dup in job.duplicates
                ]
                bar.update(result)
                for each in (result, *dups):
                    summary.results.append(each)
                    if on_result:
                        on_result(each, catalog)
        except KeyboardInterrupt:
            summary.interrupted = True
        finally:
            bar.close()
            # Complete tables (and any JSON missing from out/) even after an interruption:
            # the batch's rows are appended, whatever the size of the catalog.
            export_catalog(catalog, out_dir)
    summary.interrupted = summary.interrupted or bool(stop and stop.is_set())
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event, wake: threading.Event) -> Iterator[None]:
    """SIGTERM/SIGINT set `stop` and `wake`; a second one kills at once.

    `vnplan run` and `vnplan watch` stop alike on either signal, from a terminal or a
    service manager (which sends SIGTERM to the whole process group): committed work is
    kept, files in flight are abandoned (`process_jobs`), the tables are written, and
    the exit status is 130.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be installed from the main thread (tests)
        return

    def handler(signum: int, frame: object) -> None:
        log.warning("%s: finishing the current file, then exiting", signal.Signals(signum).name)
        stop.set()
        wake.set()
        # A second signal gets the default behaviour (immediate exit).
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


# --- reporting --------------------------------------------------------------------------


class Progress:
    """A one-line progress display on stderr: files, pages, pages/s and ETA."""

    def __init__(self, total: int, enabled: bool = True, stream: TextIO | None = None) -> None:
        """Show progress for `total` files; silent unless enabled and stderr is a terminal."""
        self.stream = stream or sys.stderr
        self.enabled = enabled and total > 0 and self.stream.isatty()
        self.total = total
        self.files = 0
        self.pages = 0
        self.started = time.perf_counter()
        self._width = 0

    def update(self, result: FileResult) -> None:
        """Count one finished file and redraw."""
        self.files += 1
        self.pages += result.pages
        if self.enabled:
            line = self.line()
            # Pad over the previous line's tail (the ETA can get shorter).
            self.stream.write("\r" + line.ljust(self._width))
            self._width = len(line)
            self.stream.flush()

    def line(self) -> str:
        """The text of the progress line."""
        elapsed = max(time.perf_counter() - self.started, 1e-6)
        rate = self.pages / elapsed
        eta = elapsed / self.files * (self.total - self.files) if self.files else 0.0
        width = 24
        filled = int(width * self.files / self.total) if self.total else width
        return (
            f"[{'#' * filled}{'.' * (width - filled)}] {self.files}/{self.total} files"
            f"  {self.pages} pages  {rate:.1f} pages/s  ETA {_clock(eta)}"
        )

    def close(self) -> None:
        """End the progress line."""
        if self.enabled and self.files:
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _display(path: Path) -> str:
    """A path relative to the working folder when it is under it (shorter lines)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def print_summary(
    summary: BatchSummary,
    out: TextIO | None = None,
    err: TextIO | None = None,
    verbose: bool = False,
) -> None:
    """The summary table on stdout, then one line per failed file on stderr.

    With `verbose`, an internal error's traceback follows its line.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    pages = summary.pages
    rate = f"  ({pages / summary.seconds:.1f} pages/s)" if summary.seconds and pages else ""
    rows = [
        ("done", len(summary.done), sum(r.pages for r in summary.done)),
        ("skipped", len(summary.skipped), None),
        ("failed", len(summary.failed), sum(r.pages for r in summary.failed)),
    ]
    print(f"{'':9}{'files':>7}{'pages':>8}", file=out)
    for name, files, npages in rows:
        print(f"{name:9}{files:>7}{'' if npages is None else npages:>8}", file=out)
    print(f"{'time':9}{summary.seconds:>7.1f} s{rate}", file=out)
    if summary.interrupted:
        print(
            f"interrupted: {summary.not_reached} of {summary.inputs} files not processed"
            " (run the same command again to finish them)",
            file=out,
        )
    earlier = [r for r in summary.failed if r.earlier]
    if earlier:
        print(
            f"{len(earlier)} of the failed files failed in an earlier run and were not tried"
            " again (--retry-failed tries them)",
            file=out,
        )
    for result in summary.failed:
        print(f"{_display(result.path)}: {result.error}", file=err)
        if verbose and result.detail:
            print(result.detail.rstrip(), file=err)
    if summary.setup_failed:
        print(
            f"vnplan: {len(summary.setup_failed)} files failed because of the installation,"
            " not the files: fix the setup (see the messages above) and run again",
            file=err,
        )
