"""Batch throughput (1 vs 2 workers), catalog overhead per document, peak memory per worker.

`python -m benchmarks batch`.  Inputs are variants of the text samples (each with one
extra line so every file is a distinct document); set `VNPLAN_BENCH_INPUTS=DIR` to time a
folder of your own (scans, PDFs) instead.  Each run goes through a fresh Python process
calling `run_batch`; each worker reports its peak RSS (`resource.getrusage`) with every
document, and the summary keeps the largest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
VARIANTS = int(os.environ.get("VNPLAN_BENCH_VARIANTS", "12"))
"""Copies per text sample (distinct by one line)."""

_RUN = """
import json, resource, sys, time
from pathlib import Path
from pipeline.batch import run_batch
from pipeline.inputs import expand_inputs
from pipeline.config import Config
files = expand_inputs([Path(sys.argv[1])])
started = time.perf_counter()
summary = run_batch(files, Config(out_dir=Path(sys.argv[2]), workers=int(sys.argv[3])), False)
seconds = time.perf_counter() - started
print(json.dumps({
    "seconds": seconds,
    "files": len(files),
    "done": len(summary.done),
    "failed": len(summary.failed),
    "pages": summary.pages,
    "main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "worker_mb": summary.peak_rss_mb,
}))
"""


def make_inputs(folder: Path, variants: int = VARIANTS) -> Path:
    """Distinct text documents made from the samples (the text samples only)."""
    folder.mkdir(parents=True, exist_ok=True)
    for sample in sorted(SAMPLES.iterdir()):
        if sample.suffix not in (".md", ".txt") or ".truth." in sample.name:
            continue
        text = sample.read_text(encoding="utf-8")
        for i in range(variants):
            (folder / f"{sample.stem}-{i:03d}{sample.suffix}").write_text(
                f"{text}\nBản số {i + 1}.\n", encoding="utf-8"
            )
    return folder


def timed_run(inputs: Path, out: Path, workers: int) -> dict:
    """Run one batch in a fresh interpreter; returns its JSON report."""
    result = subprocess.run(
        [sys.executable, "-c", _RUN, str(inputs), str(out), str(workers)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def catalog_overhead(out: Path, copies: int = 200) -> tuple[float, float]:
    """(ms per `Catalog.record`, ms per document for regenerating the CSVs)."""
    sys.path.insert(0, str(ROOT))
    from pipeline.output.catalog import Catalog
    from pipeline.output.export import write_tables

    with Catalog.in_dir(out) as source:
        outputs = list(source.outputs())
    if not outputs:
        return float("nan"), float("nan")
    from pipeline.document import Document

    template = Document.model_validate({k: v for k, v in outputs[0].items() if k != "sections"})
    with tempfile.TemporaryDirectory() as tmp, Catalog.in_dir(Path(tmp)) as catalog:
        started = time.perf_counter()
        for i in range(copies):
            doc = template.model_copy(deep=True)
            doc.source.sha256 = f"{i:064x}"
            doc.doc_id = doc.source.sha256[:16]
            catalog.record(doc)
        record_ms = (time.perf_counter() - started) * 1000 / copies
        started = time.perf_counter()
        write_tables(catalog, Path(tmp))
        tables_ms = (time.perf_counter() - started) * 1000 / copies
    return record_ms, tables_ms


def main() -> None:
    """Print the batch figures."""
    given = os.environ.get("VNPLAN_BENCH_INPUTS")
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        inputs = Path(given) if given else make_inputs(tmp_path / "in")
        reports = {}
        for workers in (1, 2):
            reports[workers] = report = timed_run(inputs, tmp_path / f"out{workers}", workers)
            rate = report["files"] / report["seconds"]
            print(
                f"workers={workers}: {report['files']} files ({report['done']} ok,"
                f" {report['failed']} failed), {report['pages']} pages in"
                f" {report['seconds']:.2f} s = {rate:.1f} files/s;"
                f" peak RSS main {report['main_mb']:.0f} MB,"
                f" largest chain process {report['worker_mb']:.0f} MB"
            )
        ratio = reports[1]["seconds"] / reports[2]["seconds"]
        print(f"scaling 1 → 2 workers: {ratio:.2f}x (target ≥ 1.8x on 2 free cores)")
        print(
            f"machine load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        record_ms, tables_ms = catalog_overhead(tmp_path / "out1")
        print(
            f"catalog: {record_ms:.2f} ms per document commit;"
            f" CSV regeneration {tables_ms:.3f} ms per catalogued document"
        )


if __name__ == "__main__":
    main()
