"""Run every benchmark module (or those named: `python -m benchmarks ocr restore`).

Options after the names go to the benchmarks that take them (`python -m benchmarks scale
--sizes 100,10000 --skip dask`); `python -m benchmarks scale --help` lists them.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> None:
    names = sorted(
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if m.name.startswith("bench_")
    )
    first_option = next((i for i, a in enumerate(argv) if a.startswith("-")), len(argv))
    asked, options = argv[:first_option], argv[first_option:]
    wanted = [n for n in names if not asked or n.removeprefix("bench_") in asked]
    for name in wanted:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        run = importlib.import_module(f"benchmarks.{name}").main
        if inspect.signature(run).parameters:
            run(options)
        elif options:
            raise SystemExit(f"{name} takes no options (given: {' '.join(options)})")
        else:
            run()
        print(f"({name} took {time.perf_counter() - started:.1f} s)", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
