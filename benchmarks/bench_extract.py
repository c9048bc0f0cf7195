"""Extraction accuracy on the genre gold, and task-row counts on the real documents.

    python -m benchmarks extract
    VNPLAN_BENCH_DOCS=1 python -m benchmarks extract   # also one line per document

1. Every split folder under `tests/data/genre/` (`dev`, `heldout`; any other folder that
   holds `*.gold.json`) is scored separately: each `<name>.txt` goes through
   `pipeline.process_file`, its `to_output()` dict is compared with `<name>.gold.json` by
   `benchmarks.extract_score` (metadata per field and their mean, title similarity,
   legal-reference F1 by number, dates F1, task P/R/F1 over assignments and over all
   rows, period bounds, lead and kind over the matched rows).  The loose `*.txt` files at
   the top of `tests/data/genre/` have no gold and are not scored.
2. `../shared/real/{plans,texts}/*.txt`, when present: task rows per file by `kind`
   (`-` counts rows that carry no kind).

Nobody tunes against `heldout`: its numbers say how the dev improvements generalise.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import extract_score as es  # noqa: E402

GENRE = ROOT / "tests" / "data" / "genre"
REAL = ROOT.parent / "shared" / "real"
SPLIT_ORDER = ("dev", "heldout")
"""Splits printed first, in this order; other gold folders follow alphabetically."""
HELDOUT_PREFIX = "heldout"
"""Gold folders named so are all kept out of development (`heldout`, `heldout2`, …)."""
HELDOUT_ALL = "all-held"
"""The extra column that pools every held-out folder when there are several."""
KINDS = ("assignment", "activity")


def splits(folder: Path = GENRE) -> dict[str, list[tuple[Path, Path]]]:
    """Split name → (text, gold) pairs, for each subfolder holding gold files."""
    found: dict[str, list[tuple[Path, Path]]] = {}
    if not folder.is_dir():
        return found
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        pairs = []
        for gold in sorted(sub.glob("*.gold.json")):
            text = gold.with_name(gold.name.removesuffix(".gold.json") + ".txt")
            if text.is_file():
                pairs.append((text, gold))
        if pairs:
            found[sub.name] = pairs
    order = [s for s in SPLIT_ORDER if s in found] + sorted(set(found) - set(SPLIT_ORDER))
    return {name: found[name] for name in order}


def predict(path: Path) -> tuple[dict, str | None]:
    """The pipeline's output dict for one file, or ({}, reason) when it could not run."""
    from pipeline import process_file

    try:
        doc = process_file(path)
    except Exception as exc:  # noqa: BLE001 - a crash scores as an empty prediction
        return {}, f"{type(exc).__name__}: {exc}"
    failed = getattr(doc, "status", "") == "failed"
    return doc.to_output(), ("status failed" if failed else None)


def _cell(value: float | None) -> str:
    return "     -" if value is None else f"{100 * value:5.1f}%"


def score_split(pairs: list[tuple[Path, Path]]) -> tuple[list[es.DocScore], list[str]]:
    """Score every document of a split; also the problems met (crashes, failed runs)."""
    scores, problems = [], []
    for text, gold_path in pairs:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        pred, problem = predict(text)
        if problem:
            problems.append(f"{text.name}: {problem}")
        scores.append(es.score_document(text.stem, gold, pred))
    return scores, problems


def pool_heldout(results: dict[str, list[es.DocScore]]) -> dict[str, list[es.DocScore]]:
    """`results` plus a `HELDOUT_ALL` column pooling the held-out splits, when there are
    several of them (each folder is a batch written at another time; the pool is the
    figure over all documents nobody tuned on)."""
    held = [name for name in results if name.startswith(HELDOUT_PREFIX)]
    if len(held) < 2:
        return results
    return {**results, HELDOUT_ALL: [s for name in held for s in results[name]]}


def print_summary(results: dict[str, list[es.DocScore]]) -> None:
    """One row per metric, one column per split."""
    names = list(results)
    summaries = {name: es.summarise(scores) for name, scores in results.items()}
    metrics = list(next(iter(summaries.values())))
    width = max(len(m) for m in metrics)
    print(f"{'metric':<{width}}  " + "  ".join(f"{n:>9}" for n in names))
    counts = "  ".join(f"{f'{len(results[n])} docs':>9}" for n in names)
    print(f"{'':<{width}}  {counts}")
    for metric in metrics:
        cells = "  ".join(f"{_cell(summaries[n].get(metric)):>9}" for n in names)
        print(f"{metric:<{width}}  {cells}")


def print_documents(name: str, scores: list[es.DocScore]) -> None:
    """One line per document (VNPLAN_BENCH_DOCS=1)."""
    print(f"\n{name}: per document")
    width = max(len(s.name) for s in scores)
    print(
        f"  {'document':<{width}}  {'meta':>6} {'refs':>6} {'dates':>6} {'assgn':>6}"
        f" {'rows':>6} {'start':>6} {'end':>6} {'lead':>6}"
    )
    for s in scores:
        t = s.tasks
        meta = sum(s.metadata.values()) / len(s.metadata)
        cells = [
            meta,
            s.refs.f1,
            s.dates.f1,
            t.assignments.f1,
            t.rows.f1,
            es.ratio(t.start_ok, t.matched),
            es.ratio(t.end_ok, t.matched),
            es.ratio(t.lead_ok, t.matched),
        ]
        print(f"  {s.name:<{width}}  " + " ".join(f"{_cell(c):>6}" for c in cells))


def real_kind_counts(folder: Path = REAL) -> list[tuple[str, Counter]]:
    """(plans/01.txt, Counter of kinds) for each real document."""
    rows = []
    for sub in ("plans", "texts"):
        for path in sorted((folder / sub).glob("*.txt")) if (folder / sub).is_dir() else []:
            pred, problem = predict(path)
            kinds = Counter(t.get("kind") or "-" for t in pred.get("tasks") or [])
            if problem:
                kinds["failed"] += 1
            rows.append((f"{sub}/{path.name}", kinds))
    return rows


def print_real(rows: list[tuple[str, Counter]]) -> None:
    """Task rows by kind per real file, then the totals."""
    columns = (*KINDS, "-", "total")
    print(f"{'file':<13}" + "".join(f"{c:>12}" for c in columns))
    total: Counter = Counter()
    for name, kinds in rows:
        total.update(kinds)
        cells = [kinds.get(c, 0) for c in columns[:-1]] + [sum(kinds.values())]
        print(f"{name:<13}" + "".join(f"{c:>12}" for c in cells))
    cells = [total.get(c, 0) for c in columns[:-1]] + [sum(total.values())]
    print(f"{'all':<13}" + "".join(f"{c:>12}" for c in cells))


def main() -> None:
    """Print the accuracy tables and the real-document counts."""
    found = splits()
    if not found:
        print(f"no gold under {GENRE}: nothing to score")
    else:
        started = time.perf_counter()
        results, problems = {}, []
        for name, pairs in found.items():
            results[name], split_problems = score_split(pairs)
            problems += [f"{name}/{p}" for p in split_problems]
        print(f"1. Genre gold ({time.perf_counter() - started:.1f} s); metadata per field:")
        print_summary(pool_heldout(results))
        for problem in problems:
            print(f"   problem: {problem}")
        if os.environ.get("VNPLAN_BENCH_DOCS"):
            for name, scores in results.items():
                print_documents(name, scores)
    if not REAL.is_dir():
        print(f"\n2. Real documents: {REAL} absent, skipped")
        return
    print(f"\n2. Task rows by kind in {REAL}:")
    print_real(real_kind_counts())


if __name__ == "__main__":
    main()
