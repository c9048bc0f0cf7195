"""Hostile files: the wall time and peak memory each one costs a `vnplan run`.

Each case of `tests/hostile.py` is built at the size its issue reported (a 200 MB flate
bomb, 3 000 pages, 100 noise frames…) and run alone through `vnplan run` in its own
process group; the peak resident memory of any process of the group is sampled from
/proc.  A run past `CAP` seconds is stopped and reported as `>CAP`.

    python -m benchmarks hostile                    # this tree, default budgets
    VNPLAN_BENCH_TREE=/tmp/vnplan-base python -m benchmarks hostile   # an older checkout
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hostile import (  # noqa: E402 - tests/ is put on the path just above
    blank_tiff,
    flate_bomb_pdf,
    huge_image_pdf,
    lying_jpeg,
    many_pages_pdf,
    noise_tiff,
    recursive_page_tree_pdf,
)

CAP = float(os.environ.get("VNPLAN_BENCH_CAP", "120"))
"""Seconds after which a run is stopped (the old code never finishes some files)."""
SAMPLE = 0.05
"""Seconds between memory samples (a bomb allocates hundreds of MB per second)."""

CASES = {
    "flate-bomb.pdf": lambda: flate_bomb_pdf(200.0),
    "many-pages.pdf": lambda: many_pages_pdf(3000),
    "noise-100.tiff": lambda: noise_tiff(100, (827, 1169)),
    "blank-40.tiff": lambda: blank_tiff(40),
    "recursive-tree.pdf": recursive_page_tree_pdf,
    "huge-image.pdf": lambda: huge_image_pdf(60_000),
    "lying.jpg": lying_jpeg,
}


def _group_rss_mb(pgid: int) -> float:
    """The largest resident memory (MB) of one process in the group `pgid`."""
    peak = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:  # field 5 of stat: the process group
                continue
            pages = int((entry / "statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        peak = max(peak, pages * os.sysconf("SC_PAGE_SIZE") / 2**20)
    return peak


def measure(path: Path, out: Path, tree: Path) -> tuple[float, float, str]:
    """(seconds, peak MB, last stderr line) of `vnplan run path`."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, "-m", "pipeline", "run", str(path), "--out", str(out), "-q"]
    started = time.perf_counter()
    proc = subprocess.Popen(
        command,
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    peak = 0.0
    capped = False
    while proc.poll() is None:
        peak = max(peak, _group_rss_mb(proc.pid))
        if time.perf_counter() - started > CAP:
            capped = True
            os.killpg(proc.pid, signal.SIGKILL)
            break
        time.sleep(SAMPLE)
    _, err = proc.communicate()
    with_leftovers = _group_rss_mb(proc.pid)
    if with_leftovers:  # the old code leaves workers behind: stop them too
        os.killpg(proc.pid, signal.SIGKILL)
    seconds = time.perf_counter() - started
    lines = [line for line in err.decode(errors="replace").splitlines() if line.strip()]
    verdict = f">{CAP:.0f} s, stopped" if capped else (lines[-1] if lines else "done")
    return seconds, peak, verdict


def main() -> None:
    tree = Path(os.environ.get("VNPLAN_BENCH_TREE", ROOT))
    print(f"tree {tree}; cap {CAP:.0f} s per file")
    print(f"{'file':20}{'size':>10}{'seconds':>9}{'peak MB':>9}  verdict")
    with tempfile.TemporaryDirectory(prefix="vnplan-hostile-") as tmp:
        for name, make in CASES.items():
            path = Path(tmp) / name
            path.write_bytes(make())
            seconds, peak, verdict = measure(path, Path(tmp) / f"out-{name}", tree)
            size = f"{path.stat().st_size / 1e6:.1f} MB"
            print(f"{name:20}{size:>10}{seconds:>9.1f}{peak:>9.0f}  {verdict[:110]}", flush=True)
            path.unlink()


if __name__ == "__main__":
    main()
