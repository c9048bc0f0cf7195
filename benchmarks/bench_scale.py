"""Archive scale: adding one document to big catalogs, a batch of many small documents,
and the Dask executor against the local process pool.

`python -m benchmarks scale` (or `python -m benchmarks.bench_scale --n 2000 --sizes 100,10000`
for a quick run).  Every measurement runs in a fresh Python process, so its peak
resident memory (`ru_maxrss`) is that measurement's alone:

- **add one document**: a catalog of N synthetic documents (rows inserted directly,
  then exported once, as a long-lived output folder would be), then `run_batch` on one
  new text file: wall time of the batch (commit, JSON, CSV exports) and peak memory of
  the process;
- **batch**: N small generated text plans through `run_batch` with two workers;
- **Dask**: a `LocalCluster` of 1 then 2 workers on generated scanned pages, and the
  process pool with 2 workers on the same pages.  The cluster is started and its workers
  prepared (`VnplanPlugin`) before the clock starts, as a standing cluster would be; the
  pool's time includes starting its workers, as every `vnplan run` does.  "Files in
  progress on average" (the files' own seconds over the wall time) shows whether the
  workers really ran side by side, even when neighbours slow them all down.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SIZES = (100, 10_000, 100_000)
"""Catalog sizes for the add-one-document figure (the issue's 100 → 100 000)."""
BATCH_DOCS = 10_000
"""Small text documents in the batch figure."""
SCAN_PAGES = 6
"""Scanned pages for the Dask figures: enough for 2 workers to share, short enough to run."""
FLAT = 1.2
"""The add-one-document target: time and memory at the largest size over the smallest."""

UNITS = ("Sở Nội vụ", "Sở Tài chính", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Công an thành phố")


def small_plan(i: int) -> str:
    """A short generated plan (number, date, title, three tasks), distinct for each `i`."""
    unit = UNITS[i % len(UNITS)]
    day = 1 + i % 28
    return (
        "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ MẪU\n\n"
        f"Số: {i + 1}/KH-UBND\n\nThành phố Mẫu, ngày {day} tháng 3 năm 2026\n\n"
        f"KẾ HOẠCH\nThực hiện nhiệm vụ số {i + 1} năm 2026\n\n"
        "I. NHIỆM VỤ\n"
        f"1. {unit} chủ trì rà soát hồ sơ, hoàn thành trước ngày 30/6/2026.\n"
        "2. Các phòng ban phối hợp tổng hợp báo cáo hằng quý.\n"
        f"3. Tổ chức sơ kết trong Quý IV năm 2026 (lần {i + 1}).\n\n"
        "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nNguyễn Văn Mẫu\n"
    )


def write_plans(folder: Path, n: int, start: int = 0) -> Path:
    """`n` small plans as .txt files in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n):
        (folder / f"plan-{i:06d}.txt").write_text(small_plan(i), encoding="utf-8")
    return folder


def _fresh(code: str, *args: str) -> dict:
    """Run `code` in a fresh interpreter; its last stdout line is a JSON report."""
    result = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- add one document to a catalog of N ------------------------------------------------

_BUILD = """
import json, sys
from pathlib import Path
from benchmarks.bench_scale import build_catalog
print(json.dumps(build_catalog(Path(sys.argv[1]), int(sys.argv[2]))))
"""

_ADD_ONE = """
import json, resource, sys, time
from pathlib import Path
from pipeline.batch import run_batch
from pipeline.config import Config
started = time.perf_counter()
config = Config(out_dir=Path(sys.argv[2]), workers=1, file_timeout=0, max_memory_mb=0)
summary = run_batch([Path(sys.argv[1])], config, progress=False)
assert len(summary.done) == 1, summary.results
print(json.dumps({
    "seconds": time.perf_counter() - started,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def build_catalog(out: Path, n: int) -> dict:
    """An output folder whose catalog holds `n` synthetic documents, exported once.

    One real document (a small plan through the chain) is the template; its rows are
    copied `n` times under new hashes with plain INSERTs, which is much faster than the
    chain and gives the catalog the same shape.  The stored JSON is cut to a stub: what
    is measured is the catalog and the exports, not the disk.
    """
    import time

    from pipeline.chain import process_path
    from pipeline.config import Config
    from pipeline.output import links
    from pipeline.output.catalog import CHILD_TABLES, Catalog
    from pipeline.output.export import export_catalog

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        source = write_plans(Path(tmp), 1, start=10**6)
        doc = process_path(next(source.iterdir()), Config(out_dir=out))
    with Catalog.in_dir(out) as catalog:
        catalog.record(doc)
        conn = catalog.conn
        template = dict(
            conn.execute(
                "SELECT * FROM documents WHERE sha256 = ?", (doc.source.sha256,)
            ).fetchone()
        )
        children = {
            t.name: [
                dict(r)
                for r in conn.execute(
                    f"SELECT * FROM {t.name} WHERE sha256 = ?", (template["sha256"],)
                )
            ]
            for t in (*CHILD_TABLES, type("P", (), {"name": "pages"}))
        }
        paths = dict(
            conn.execute("SELECT * FROM paths WHERE sha256 = ?", (template["sha256"],)).fetchone()
        )
        for table in (*children, "paths", "documents"):  # children first (foreign keys)
            conn.execute(f"DELETE FROM {table} WHERE sha256 = ?", (template["sha256"],))
        columns = list(template)
        with conn:
            for i in range(n):
                sha = f"{i:064x}"
                number = f"{i}/KH-UBND"  # one number each: no document is another's version
                row = {
                    **template,
                    "sha256": sha,
                    "doc_id": sha[:16],
                    "canonical_doc_id": sha[:16],
                    "number": number,
                    "number_key": links.number_key(number),
                    "path": f"/archive/{i // 1000:03d}/plan-{i:06d}.txt",
                    "output": json.dumps({"doc_id": sha[:16]}),
                }
                conn.execute(
                    f"INSERT INTO documents ({', '.join(columns)}) VALUES"
                    f" ({', '.join('?' * len(columns))})",
                    [row[c] for c in columns],
                )
                path_row = {**paths, "path": row["path"], "sha256": sha, "doc_id": sha[:16]}
                conn.execute(
                    f"INSERT INTO paths ({', '.join(path_row)}) VALUES"
                    f" ({', '.join('?' * len(path_row))})",
                    list(path_row.values()),
                )
                for table, rows in children.items():
                    for child in rows:
                        values = {**child, "sha256": sha}
                        if "doc_id" in values:
                            values["doc_id"] = sha[:16]
                        conn.execute(
                            f"INSERT INTO {table} ({', '.join(values)}) VALUES"
                            f" ({', '.join('?' * len(values))})",
                            list(values.values()),
                        )
        export_catalog(catalog, out, missing_json_only=True)
    return {"n": n, "seconds": time.perf_counter() - started}


def add_one(n: int, tmp: Path) -> dict:
    """Time and peak memory of adding one new document to a catalog of `n`."""
    out = tmp / f"catalog-{n}"
    _fresh(_BUILD, str(out), str(n))
    new = write_plans(tmp / f"new-{n}", 1, start=2 * 10**6)
    return _fresh(_ADD_ONE, str(next(new.iterdir())), str(out))


# --- a batch of many small documents ----------------------------------------------------

_BATCH = """
import json, resource, sys, time
from pathlib import Path
from pipeline.batch import run_batch
from pipeline.config import Config
from pipeline.inputs import expand_inputs
files = expand_inputs([Path(sys.argv[1])])
started = time.perf_counter()
summary = run_batch(files, Config(out_dir=Path(sys.argv[2]), workers=2), progress=False)
print(json.dumps({
    "seconds": time.perf_counter() - started, "files": len(files), "done": len(summary.done),
    "main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "worker_mb": summary.peak_rss_mb,
}))
"""


def batch(n: int, tmp: Path) -> dict:
    """`n` small text plans through a two-worker batch."""
    inputs = write_plans(tmp / "batch-in", n)
    return _fresh(_BATCH, str(inputs), str(tmp / "batch-out"))


# --- Dask ---------------------------------------------------------------------------------

_DASK = """
import json, sys, time
from pathlib import Path
from pipeline.config import Config
from pipeline.inputs import expand_inputs
from pipeline.batch import run_batch
files = expand_inputs([Path(sys.argv[1])])
workers = int(sys.argv[3])
mode = sys.argv[4]
if mode == "dask":
    from pipeline.cluster import connect, local_cluster
    with local_cluster(workers) as address:
        connect(address).close()  # a cluster is long-lived: its workers are prepared already
        config = Config(out_dir=Path(sys.argv[2]), scheduler=address, workers=workers)
        started = time.perf_counter()
        summary = run_batch(files, config, progress=False)
        seconds = time.perf_counter() - started
else:
    config = Config(out_dir=Path(sys.argv[2]), workers=workers)
    started = time.perf_counter()
    summary = run_batch(files, config, progress=False)
    seconds = time.perf_counter() - started
work = sum(r.seconds for r in summary.results)
print(json.dumps({"seconds": seconds, "pages": summary.pages, "done": len(summary.done), "work": work}))
"""


def scanned_pages(folder: Path, pages: int) -> Path:
    """`pages` one-page scans (PNG, 300 dpi) of generated plans, drawn by samples/make_scans.py."""
    sys.path.insert(0, str(ROOT / "samples"))
    from make_scans import parse_layout, render  # type: ignore[import-not-found]

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(pages):
        image, _text = render(parse_layout(small_plan(i)))[0]
        image.save(folder / f"scan-{i:03d}.png", dpi=(300, 300))
    return folder


REPEATS = 2
"""Interleaved repeats of the Dask figures; the fastest of each is kept (on a shared machine
the slow ones measure the neighbours, not vnplan)."""


def dask_figures(tmp: Path, pages: int, repeats: int = REPEATS) -> dict:
    """Seconds for `pages` scans: Dask with 1 and 2 workers, the process pool with 2."""
    inputs = scanned_pages(tmp / "scans", pages)
    runs: dict[str, dict] = {}
    for repeat in range(repeats):
        for name, workers, mode in (
            ("dask1", 1, "dask"),
            ("dask2", 2, "dask"),
            ("pool2", 2, "pool"),
        ):
            out = tmp / f"out-{name}-{repeat}"
            fig = _fresh(_DASK, str(inputs), str(out), str(workers), mode)
            if name not in runs or fig["seconds"] < runs[name]["seconds"]:
                runs[name] = fig
    return runs


# --- main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """Print the scale figures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks scale")
    parser.add_argument("--n", type=int, default=BATCH_DOCS, help="documents in the batch figure")
    parser.add_argument(
        "--sizes", default=",".join(map(str, SIZES)), help="catalog sizes, comma-separated"
    )
    parser.add_argument("--pages", type=int, default=SCAN_PAGES, help="scanned pages for Dask")
    parser.add_argument("--repeats", type=int, default=REPEATS, help="repeats of the Dask runs")
    parser.add_argument("--skip", default="", help="parts to skip: add,batch,dask")
    args = parser.parse_args(argv if argv is not None else [])
    skip = set(filter(None, args.skip.split(",")))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if "add" not in skip:
            sizes = [int(s) for s in args.sizes.split(",")]
            figures = {n: add_one(n, tmp) for n in sizes}
            for n, fig in figures.items():
                print(
                    f"add one document to a catalog of {n:>7}: {fig['seconds']:.3f} s,"
                    f" peak memory {fig['peak_mb']:.0f} MB"
                )
            small, large = figures[sizes[0]], figures[sizes[-1]]
            print(
                f"add one document {sizes[0]} → {sizes[-1]}:"
                f" time {large['seconds'] / small['seconds']:.2f}x,"
                f" memory {large['peak_mb'] / small['peak_mb']:.2f}x (target ≤ {FLAT}x)"
            )
        if "batch" not in skip:
            fig = batch(args.n, tmp)
            print(
                f"batch of {fig['files']} small text documents, 2 workers:"
                f" {fig['files'] / fig['seconds']:.1f} documents/s ({fig['done']} ok);"
                f" peak memory main {fig['main_mb']:.0f} MB, largest worker {fig['worker_mb']:.0f} MB"
            )
        if "dask" not in skip:
            runs = dask_figures(tmp, args.pages, args.repeats)
            for name, fig in runs.items():
                print(
                    f"{name} (best of {args.repeats}): {fig['pages']} pages in {fig['seconds']:.2f} s"
                    f" = {fig['pages'] / fig['seconds']:.2f} pages/s;"
                    f" files in progress on average {fig['work'] / fig['seconds']:.2f}"
                )
            print(
                f"Dask 1 → 2 workers: {runs['dask1']['seconds'] / runs['dask2']['seconds']:.2f}x"
                " (target ≥ 1.8x on 2 free cores)"
            )
            print(
                f"Dask vs process pool (2 workers): "
                f"{runs['pool2']['seconds'] / runs['dask2']['seconds']:.2f}x (target ≥ 0.9x)"
            )
    print(f"machine load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main(sys.argv[1:])
