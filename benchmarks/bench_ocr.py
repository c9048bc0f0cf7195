"""OCR benchmark: accuracy, speed against plain Tesseract, scaling, memory, real scans.

    python -m benchmarks ocr                      # everything (a few minutes on 2 cores)
    VNPLAN_BENCH_PAGES=2 python -m benchmarks ocr # first 2 pages per sample (quick look)
    VNPLAN_BENCH_SKIP=ablation,real python -m benchmarks ocr
    VNPLAN_BENCH_SPEED=plain-default ...          # also time Tesseract with its own threads
    VNPLAN_BENCH_REPEAT=3 ...                     # repeat the speed section: median, range

Sections:
1. CER (character error rate, whitespace-normalised) on pages rendered by
   `samples/make_scans.py` from the sample texts: clean, lightly and heavily degraded,
   with the default preprocessing and with each step toggled (the ablation that decides
   the defaults in `Config.preprocess`).
2. Pages per second of the vnplan OCR path vs plain `tesseract FILE stdout -l vie` on the
   same PNG files in the same run, interleaved, both with OMP_THREAD_LIMIT=1 (ratio;
   target ≥ 0.95).  vnplan runs with its pooled libtesseract engine (the model loaded
   once, as in a batch) and, for comparison, with the program per page
   (`VNPLAN_TESSERACT=program`, the model loaded per page like plain tesseract).  The
   wall-clock ratio is the target; the CPU-time ratio (this process and its children)
   beside it is less disturbed by other load on a shared machine.
3. 1 vs 2 workers on one multi-page PDF (target ≥ 1.8×).
4. Peak memory: of the tesseract program on one page, and of a vnplan process OCRing with
   two workers (with the library, both engines are in that process).
5. `../shared/real/scans` when present: pages, OCR pages, mean confidence, seconds.
6. The optional steps (`seal`, `fields`, `tables`) on the hard pages of
   `make_scans.generate_features` (hand-written and unreadable digits, a red seal and a
   blue signature, a 1-bit scan, a phone photo, a ruled table, pages turned 90°/180°
   and laid 8° crooked): CER, the archivists' fields (number, date, issuer, title,
   signer) through the whole chain, wrong numbers, and seconds per page, each step
   toggled against the default (the ablation that decides which of them are on).
7. Renders of real plans (`../shared/real/plans/*.txt`, `texts/*.txt`, read at run time,
   skipped when absent): each drawn by `make_scans.parse_plan`/`render_pages` (` | ` rows
   as ruled tables), lightly degraded, and read by vnplan (the whole chain, default
   steps) and by plain `tesseract -l vie`: CER on plain-text pages and on pages with a
   table apart, seconds per page, task F1 of the scan's extraction against the same
   plan read as text (tasks matched as in `benchmarks.extract_score`; 1.0 = the same
   rows), and how many of its number, date, issuer, title and signer the scan gives as
   the text does (VNPLAN_BENCH_VERBOSE=1 prints those that differ).  VNPLAN_BENCH_PLANS=N reads the first N documents (=04,B5: those), VNPLAN_BENCH_PLAN_PAGES=N
   their first N pages (task F1 then covers only documents read whole);
   VNPLAN_BENCH_PLAN_STEPS=a,b,… runs vnplan with those steps instead of the default;
   VNPLAN_BENCH_DUMP=DIR writes each page's reference and both readings there (for diffs).
8. Fusion with a garbled English-model layer (`pipeline.ocr.fusion`): the first
   VNPLAN_BENCH_FUSION_PAGES (default 2) pages of each real plan rendered, degraded
   (light, heavy, poor), read by `tesseract -l eng` (the layer a scan made without Vietnamese
   carries) and by vnplan with `vie` alone and fused: CER of each, after OCR and after the
   restore stage's mark check (`correct_accents`), and the words fusion changed.
   `plans/` is where the rules were looked at, `texts/` is held out.
Sections can be left out with VNPLAN_BENCH_SKIP (cer, ablation, speed, workers, memory,
real, steps, plans, fusion).
Targets: CER ≤ 0.5 % clean, ≤ 1.5 % heavily degraded; on real-plan renders (light) ≤ 1.0 %
on plain pages, ≤ 2.0 % on table pages, task F1 of the scan ≥ 0.95 of the text's.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
REAL_SCANS = ROOT.parent / "shared" / "real" / "scans"
REAL_PLANS = (ROOT.parent / "shared" / "real" / "plans", ROOT.parent / "shared" / "real" / "texts")
sys.path.insert(0, str(ROOT / "samples"))

import make_scans  # noqa: E402

from benchmarks.bench_real import comparable  # noqa: E402
from benchmarks.extract_score import score_tasks  # noqa: E402
from pipeline.chain import process_text, run_stages  # noqa: E402
from pipeline.config import Config  # noqa: E402
from pipeline.editdistance import levenshtein  # noqa: E402
from pipeline.ingest import ingest, new_document  # noqa: E402
from pipeline.ocr import libtesseract, ocr, recognise_page, tesseract  # noqa: E402


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def cer(reference: str, hypothesis: str) -> float:
    ref, hyp = normalise(reference), normalise(hypothesis)
    return levenshtein(ref, hyp) / max(len(ref), 1)


def _pages(workdir: Path) -> list[dict]:
    limit = int(os.environ.get("VNPLAN_BENCH_PAGES", "0") or 0)
    manifest = make_scans.generate_all(workdir / "pages")
    if limit:
        manifest = [m for m in manifest if m["page"] <= limit]
    return manifest


def _cer_table(manifest: list[dict], config: Config) -> dict[str, float]:
    by_level: dict[str, list[tuple[int, int]]] = {}
    for item in manifest:
        with Image.open(item["path"]) as image:
            result = recognise_page(item["page"], image.copy(), item["dpi"], config)
        ref = normalise(item["reference"])
        errors = levenshtein(ref, normalise(result.text))
        by_level.setdefault(item["level"], []).append((errors, len(ref)))
    return {
        level: sum(e for e, _ in rows) / max(sum(n for _, n in rows), 1)
        for level, rows in by_level.items()
    }


def section_cer(manifest: list[dict]) -> None:
    print("\n1. Character error rate (lower is better; targets 0.5 % clean, 1.5 % heavy)")
    default = Config(workers=1).preprocess
    print(f"   {'preprocessing':<44} {'clean':>7} {'light':>7} {'heavy':>7}  pages")

    def row(name: str, steps: tuple[str, ...], items: list[dict]) -> None:
        rates = _cer_table(items, Config(workers=1, preprocess=steps))
        cells = " ".join(f"{100 * rates.get(level, 0):6.2f}%" for level in make_scans.LEVELS)
        print(f"   {name:<44} {cells}  {len(items) // len(make_scans.LEVELS)}", flush=True)

    row("default: " + "+".join(default), default, manifest)
    if "ablation" in os.environ.get("VNPLAN_BENCH_SKIP", ""):
        return
    # The ablation runs on the first two pages of each sample (header, body, lists).
    items = [m for m in manifest if m["page"] <= 2]
    variants = {
        "grayscale only": ("grayscale",),
        "grayscale+orientation+deskew": ("grayscale", "orientation", "deskew"),
        "grayscale+orientation+denoise": ("grayscale", "orientation", "denoise"),
    }
    for step in ("deskew", "binarise", "border"):
        if step not in default:
            variants[f"default + {step}"] = (*default, step)
    for step in default:
        if step != "grayscale":
            variants[f"default without {step}"] = tuple(s for s in default if s != step)
    row("default (same pages as below)", default, items)
    for name, steps in variants.items():
        if steps != default:
            row(name, steps, items)


def _plain_tesseract(path: Path, threads_one: bool) -> None:
    env = dict(os.environ)
    if threads_one:
        env["OMP_THREAD_LIMIT"] = "1"
    subprocess.run(
        ["tesseract", str(path), "stdout", "-l", "vie"], env=env, capture_output=True, check=True
    )


def _vnplan(path: Path, config: Config) -> None:
    ocr(ingest(new_document(path), config), config)


def _vnplan_program(path: Path, config: Config) -> None:
    """vnplan with the `tesseract` program per page instead of the pooled library."""
    os.environ[libtesseract.MODE_ENV] = "program"
    try:
        _vnplan(path, config)
    finally:
        del os.environ[libtesseract.MODE_ENV]


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (Tesseract runs)."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _time_runs(manifest: list[dict], runs: dict) -> tuple[dict, dict]:
    """Wall and CPU seconds per run name and level, pages interleaved.

    The order of the runs rotates from page to page, so none is always first (a warm
    cache or a neighbour's burst of load does not always favour the same one).
    """
    wall: dict[str, dict[str, float]] = {name: {} for name in runs}
    cpu: dict[str, dict[str, float]] = {name: {} for name in runs}
    names = list(runs)
    for k, item in enumerate(manifest):
        for name in names[k % len(names) :] + names[: k % len(names)]:
            started, cpu_started = time.perf_counter(), _cpu_seconds()
            runs[name](item["path"])
            level = item["level"]
            wall[name][level] = wall[name].get(level, 0.0) + time.perf_counter() - started
            cpu[name][level] = cpu[name].get(level, 0.0) + _cpu_seconds() - cpu_started
    return wall, cpu


def _ratios(times: dict, plain: str, name: str) -> list[float]:
    """Per-level and overall throughput ratio of `name` to `plain` (same pages)."""
    cells = [times[plain][lvl] / times[name][lvl] for lvl in make_scans.LEVELS]
    return [*cells, sum(times[plain].values()) / sum(times[name].values())]


UNTOUCHED_LEVELS = ("clean", "light")
"""Generated pages that need none of the steps: the throughput target (≥ 0.95× plain
Tesseract on such pages) is read on these together; heavy pages are turned 1.5° and must
be straightened, work plain Tesseract does not do."""


def _plain_ratio(times: dict, plain: str, name: str) -> float:
    """Throughput ratio of `name` to `plain` over the `UNTOUCHED_LEVELS` pages together."""
    return sum(times[plain][lvl] for lvl in UNTOUCHED_LEVELS) / sum(
        times[name][lvl] for lvl in UNTOUCHED_LEVELS
    )


def section_speed(manifest: list[dict]) -> None:
    repeats = int(os.environ.get("VNPLAN_BENCH_REPEAT", "1") or 1)
    print(f"\n2. Throughput on the same PNG pages, one page at a time, interleaved (×{repeats})")
    default = Config(workers=1)
    bare = Config(workers=1, preprocess=("grayscale",))
    without = Config(
        workers=1, preprocess=tuple(s for s in default.preprocess if s not in OPTIONAL_STEPS)
    )
    plain = "plain tesseract -l vie (OMP_THREAD_LIMIT=1)"
    runs = {
        plain: lambda p: _plain_tesseract(p, True),
        "vnplan, default preprocessing": lambda p: _vnplan(p, default),
        "vnplan, default without seal/fields/tables/rules": lambda p: _vnplan(p, without),
        "vnplan, grayscale only": lambda p: _vnplan(p, bare),
        "vnplan, default, tesseract program": lambda p: _vnplan_program(p, default),
    }
    if "plain-default" in os.environ.get("VNPLAN_BENCH_SPEED", ""):
        runs["plain tesseract -l vie (default threads)"] = lambda p: _plain_tesseract(p, False)
    counts = {lvl: sum(1 for m in manifest if m["level"] == lvl) for lvl in make_scans.LEVELS}
    header = f"{'clean':>7} {'light':>7} {'heavy':>7} {'all':>7}"
    compared = [name for name in runs if name.startswith("vnplan")]
    walls: dict[str, list[list[float]]] = {name: [] for name in compared}
    for repeat in range(repeats):
        wall, cpu = _time_runs(manifest, runs)
        if repeat == 0:
            print(f"   {'pages/s (wall clock)':<46} {header}")
            for name, level in wall.items():
                cells = " ".join(f"{counts[lvl] / level[lvl]:7.3f}" for lvl in make_scans.LEVELS)
                print(f"   {name:<46} {cells} {len(manifest) / sum(level.values()):7.3f}")
            print(f"   {'ratio to plain tesseract':<46} {header}")
        for name in compared:
            walls[name].append(_ratios(wall, plain, name))
            cells = " ".join(f"{r:7.2f}" for r in walls[name][-1])
            cpu_all = _ratios(cpu, plain, name)[-1]
            print(f"   {name:<40} wall {cells}   (CPU time: {cpu_all:.2f})", flush=True)
        print(
            f"   {compared[0]}, clean and light pages together: "
            f"{_plain_ratio(wall, plain, compared[0]):.2f} (≥ 0.95)"
        )
    if repeats > 1:
        for name in compared:
            columns = list(zip(*walls[name], strict=True))
            cells = " ".join(f"{statistics.median(c):7.2f}" for c in columns)
            spread = " ".join(f"{min(c):.2f}–{max(c):.2f}" for c in columns)
            print(f"   median {name:<33} {cells}   range {spread}")


def section_workers(manifest: list[dict], workdir: Path) -> None:
    print("\n3. Workers: one multi-page PDF")
    items = [m for m in manifest if m["level"] != "heavy"][:8]
    pdf = workdir / "multi.pdf"
    make_scans.save_pdf([(Image.open(m["path"]), m["dpi"]) for m in items], pdf)
    seconds = {}
    for workers in (1, 2, 1, 2):
        config = Config(workers=workers)
        started = time.perf_counter()
        doc = ocr(ingest(new_document(pdf), config), config)
        elapsed = time.perf_counter() - started
        seconds[workers] = min(seconds.get(workers, elapsed), elapsed)
        assert all(p.method == "ocr" for p in doc.pages)
    for workers, elapsed in seconds.items():
        print(
            f"   {workers} worker(s): {len(items) / elapsed:6.3f} pages/s ({elapsed:.1f} s, best of 2)"
        )
    print(f"   speed-up 1 → 2 workers: {seconds[1] / seconds[2]:.2f}× (cores: {os.cpu_count()})")


def section_memory(manifest: list[dict], workdir: Path) -> None:
    print("\n4. Peak memory (resident set)")
    # Tesseract: our exact call on the largest page, measured by GNU time (a child's
    # ru_maxrss seen from Python would include the parent's pages at fork time).
    item = max(
        manifest, key=lambda m: Image.open(m["path"]).size[0] * Image.open(m["path"]).size[1]
    )
    page = workdir / "page.tif"
    tesseract.write_tiff(Image.open(item["path"]).convert("L"), page)
    args = [str(page), "stdout", "-l", "vie", "--dpi", str(item["dpi"]), "--psm", "3", "tsv"]
    timed = subprocess.run(
        ["/usr/bin/time", "-f", "%M", "tesseract", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    if timed.returncode == 0:
        kb = int(timed.stderr.strip().splitlines()[-1])
        print(f"   the tesseract program on one A4 page:      {kb / 1024:6.0f} MB")
    # vnplan: a fresh process OCRing the multi-page PDF with 2 workers (with the library,
    # its two Tesseract engines live in this process).
    pdf = workdir / "multi.pdf"
    if pdf.exists():
        code = (
            "import resource, sys; from pathlib import Path; from pipeline.config import Config;"
            "from pipeline.ingest import ingest, new_document; from pipeline.ocr import ocr;"
            "c = Config(workers=2); ocr(ingest(new_document(Path(sys.argv[1])), c), c);"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, str(pdf)], capture_output=True, text=True, cwd=ROOT
        )
        if out.returncode == 0:
            mode = "2 library engines" if libtesseract.enabled() else "2 tesseract programs"
            print(f"   vnplan process, 2 workers ({mode}): {int(out.stdout) / 1024:6.0f} MB")


def section_real() -> None:
    if "real" in os.environ.get("VNPLAN_BENCH_SKIP", "") or not REAL_SCANS.is_dir():
        print("\n5. Real scans: skipped (../shared/real/scans absent or skipped)")
        return
    print(f"\n5. Real scans in {REAL_SCANS} (2 workers)")
    print(f"   {'file':<8} {'pages':>5} {'ocr':>4} {'blank':>5} {'conf':>6} {'chars':>7} {'s':>6}")
    config = Config(workers=2)
    total_pages, total_time = 0, 0.0
    for path in sorted(REAL_SCANS.iterdir()):
        started = time.perf_counter()
        try:
            doc = ocr(ingest(new_document(path), config), config)
        except Exception as exc:  # noqa: BLE001 - report and go on with the next file
            print(f"   {path.name:<8} failed: {type(exc).__name__}: {exc}")
            continue
        elapsed = time.perf_counter() - started
        ocr_pages = [p for p in doc.pages if p.method == "ocr"]
        confs = [p.confidence for p in ocr_pages if p.confidence is not None]
        blank = sum(1 for p in ocr_pages if not p.text)
        mean = f"{statistics.fmean(confs):6.1f}" if confs else "     -"
        chars = sum(len(p.text) for p in doc.pages)
        print(
            f"   {path.name:<8} {len(doc.pages):5d} {len(ocr_pages):4d} {blank:5d} {mean} "
            f"{chars:7d} {elapsed:6.1f}",
            flush=True,
        )
        total_pages += len(doc.pages)
        total_time += elapsed
    if total_time:
        print(
            f"   total: {total_pages} pages in {total_time:.1f} s ({total_pages / total_time:.2f} pages/s)"
        )


GOLDEN = ROOT / "tests" / "data" / "golden" / "haiphong.json"
FIELDS = ("number", "date", "issuer", "title", "signer")
"""The fields archivists check first, scored on the hard pages that carry them."""
OPTIONAL_STEPS = ("perspective", "seal", "fields", "tables", "rules", "signature")
"""The steps past plain clean-up; `rules` works inside `tables` (alone it does nothing)."""


def _field_gold(item: dict) -> dict[str, object]:
    """What each archivists' field should be on a hard page (absent: not on that page)."""
    import json

    meta = json.loads(GOLDEN.read_text(encoding="utf-8"))["metadata"]
    gold = item["gold"]
    if not gold:  # the last page (signature) or the table page
        return {"signer": meta["signer"]} if item["kind"] == "seal" else {}
    readable = gold["readable"]
    return {
        "number": (gold["number"], readable),
        "date": meta["issue_date"] if readable else None,
        "issuer": meta["issuer"],
        "title": meta["title"],
    }


def _field_hits(doc, gold: dict[str, object]) -> dict[str, bool | None]:
    """Per field: right (True), wrong (False); `wrong_number` when a number is given as
    complete and differs from the printed one (the one error that must never happen)."""
    meta = doc.metadata
    hits: dict[str, bool | None] = {}
    if "number" in gold:
        number, readable = gold["number"]
        hits["number"] = meta.number == number and meta.number_complete is readable
        hits["wrong_number"] = bool(meta.number) and meta.number_complete and meta.number != number
    if "date" in gold:
        date = meta.issue_date.isoformat() if meta.issue_date else None
        hits["date"] = date == gold["date"]
    for name in ("issuer", "title", "signer"):
        if name in gold:
            hits[name] = normalise(getattr(meta, name) or "") == normalise(str(gold[name]))
    return hits


def _steps_row(items: list[dict], steps: tuple[str, ...]) -> tuple[float, dict, float]:
    """CER over the pages, field hits summed per field, mean seconds per page."""
    config = Config(workers=1, preprocess=steps)
    errors = chars = 0
    hits: dict[str, list[int]] = {}
    seconds = 0.0
    for item in items:
        started = time.perf_counter()
        doc = run_stages(new_document(item["path"]), config)
        seconds += time.perf_counter() - started
        ref = normalise(item["reference"])
        errors += levenshtein(ref, normalise("\n".join(p.text for p in doc.pages)))
        chars += len(ref)
        for name, hit in _field_hits(doc, _field_gold(item)).items():
            right, total = hits.get(name, [0, 0])
            hits[name] = [right + int(bool(hit)), total + 1]
    return errors / max(chars, 1), hits, seconds / max(len(items), 1)


def section_steps(workdir: Path) -> None:
    """Section 6: each optional step toggled on the hard pages (see the module doc)."""
    print("\n6. Optional steps on the hard pages (CER; fields right of pages; wrong numbers)")
    items = make_scans.generate_features(workdir / "features")
    default = Config().preprocess
    base = tuple(s for s in default if s not in OPTIONAL_STEPS)
    variants = {"without the optional steps": base}
    for step in ("perspective", "seal", "fields", "tables"):
        with_step = (step, *base) if step in ("perspective", "seal") else (*base, step)
        variants[f"+ {step}"] = with_step
    variants["+ tables + rules"] = (*base, "tables", "rules")
    variants["+ seal + fields + tables"] = ("seal", *base, "fields", "tables")
    variants[f"default: {'+'.join(default)}"] = default
    print(f"   {'steps':<34} {'CER':>6} " + " ".join(f"{f:>7}" for f in FIELDS)
          + f" {'wrong':>6} {'s/page':>7}")  # fmt: skip
    for name, steps in variants.items():
        rate, hits, seconds = _steps_row(items, steps)
        cells = " ".join(
            f"{hits[f][0]:>3}/{hits[f][1]:<3}" if f in hits else f"{'-':>7}" for f in FIELDS
        )
        wrong = hits.get("wrong_number", [0, 0])[0]
        print(f"   {name:<34} {100 * rate:5.2f}% {cells} {wrong:>6} {seconds:7.2f}", flush=True)
    if os.environ.get("VNPLAN_BENCH_VERBOSE"):
        for item in items:
            doc = run_stages(new_document(item["path"]), Config(workers=1, preprocess=default))
            meta = doc.metadata
            print(f"   {item['kind']:<9} number={meta.number!r} complete={meta.number_complete} "
                  f"date={meta.issue_date} issuer={meta.issuer!r} title={meta.title!r} "
                  f"signer={meta.signer!r} position={meta.signer_position!r}")  # fmt: skip


def _plan_sources() -> list[Path]:
    """The real plans' texts, in name order: VNPLAN_BENCH_PLANS=N keeps the first N,
    VNPLAN_BENCH_PLANS=04,B5 the ones named."""
    paths = sorted(p for folder in REAL_PLANS if folder.is_dir() for p in folder.glob("*.txt"))
    wanted = os.environ.get("VNPLAN_BENCH_PLANS", "")
    if wanted.isdigit():
        return paths[: int(wanted)] if int(wanted) else paths
    names = {name.strip() for name in wanted.split(",") if name.strip()}
    return [p for p in paths if p.stem in names] if names else paths


def _plain_text(path: Path, language: str = "vie") -> str:
    """What plain `tesseract FILE stdout -l LANGUAGE` reads (one thread, like vnplan)."""
    out = subprocess.run(
        ["tesseract", str(path), "stdout", "-l", language],
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


class _Tally:
    """Edit operations and reference characters, summed per kind of page."""

    def __init__(self) -> None:
        self.errors: dict[str, int] = {}
        self.chars: dict[str, int] = {}

    def add(self, kind: str, reference: str, hypothesis: str) -> None:
        ref = normalise(reference)
        self.errors[kind] = self.errors.get(kind, 0) + levenshtein(ref, normalise(hypothesis))
        self.chars[kind] = self.chars.get(kind, 0) + len(ref)

    def rate(self, kind: str) -> str:
        if not self.chars.get(kind):
            return f"{'-':>7}"
        return f"{100 * self.errors[kind] / self.chars[kind]:6.2f}%"


def _plan_steps() -> tuple[str, ...]:
    steps = os.environ.get("VNPLAN_BENCH_PLAN_STEPS", "")
    return tuple(s for s in steps.split(",") if s) if steps else Config().preprocess


def _dump(name: str, rendered: list, doc, folder: Path) -> None:
    """With VNPLAN_BENCH_DUMP=DIR: each page's reference, vnplan's and plain Tesseract's text."""
    out = os.environ.get("VNPLAN_BENCH_DUMP")
    if not out:
        return
    Path(out).mkdir(parents=True, exist_ok=True)
    for k, ((_, reference), page) in enumerate(zip(rendered, doc.pages, strict=True), start=1):
        stem = Path(out) / f"{name}-p{k}"
        stem.with_suffix(".ref.txt").write_text(reference, encoding="utf-8")
        stem.with_suffix(".vnplan.txt").write_text(page.text, encoding="utf-8")
        stem.with_suffix(".plain.txt").write_text(
            _plain_text(folder / f"p{k}.png"), encoding="utf-8"
        )


META_FIELDS = ("number", "issue_date", "issuer", "title", "signer")
"""The archivists' fields compared between a render's scan and the same plan as text
(each side's value canonicalised as `benchmarks real` does)."""


def _sources_unless_skipped(key: str, title: str) -> list[Path]:
    """The real plans for a section, or [] (said so) when absent or skipped by name."""
    sources = _plan_sources()
    if key in os.environ.get("VNPLAN_BENCH_SKIP", "") or not sources:
        print(f"\n{title}: skipped (../shared/real/plans and texts absent or skipped)")
        return []
    return sources


def section_plans(workdir: Path) -> None:
    """Section 7: renders of real plans, light scan, vnplan against plain Tesseract."""
    sources = _sources_unless_skipped("plans", "7. Real-plan renders")
    if not sources:
        return
    page_limit = int(os.environ.get("VNPLAN_BENCH_PLAN_PAGES", "0") or 0)
    steps = _plan_steps()
    config = Config(workers=1, preprocess=steps)
    print(
        f"\n7. Real-plan renders, light scan ({len(sources)} documents; vnplan: {'+'.join(steps)})"
    )
    print(
        f"   {'doc':<8} {'pages':>5} {'table':>5} {'vnplan':>7} {'plain':>7} {'task F1':>7} {'s/page':>7}"
    )
    ours, plain = _Tally(), _Tally()
    tasks = None
    agree = dict.fromkeys(META_FIELDS, 0)
    compared = 0
    seconds = plain_seconds = 0.0
    pages_read = 0
    for number, source in enumerate(sources, start=1):
        text = source.read_text(encoding="utf-8")
        rendered = make_scans.render(make_scans.parse_plan(text))
        whole = not page_limit or len(rendered) <= page_limit
        rendered = rendered[:page_limit] if page_limit else rendered
        images, kinds = [], []
        doc_ours, doc_plain = _Tally(), _Tally()
        folder = workdir / "plans" / source.stem
        folder.mkdir(parents=True, exist_ok=True)
        for k, (image, reference) in enumerate(rendered, start=1):
            light, dpi = make_scans.degrade(image, "light", seed=100 * number + k)
            images.append(light)
            kinds.append("table" if make_scans.TABLE_CELL in reference else "plain")
            png = folder / f"p{k}.png"
            light.copy().save(png, dpi=(dpi, dpi))  # a copy: save() leaves its options on the image
            started = time.perf_counter()
            read = _plain_text(png)
            plain_seconds += time.perf_counter() - started
            plain.add(kinds[-1], reference, read)
            doc_plain.add("all", reference, read)
        scan = folder / "scan.tif"
        images[0].save(
            scan, save_all=True, append_images=images[1:], dpi=(dpi, dpi), compression="tiff_lzw"
        )
        started = time.perf_counter()
        doc = run_stages(new_document(scan), config)
        elapsed = time.perf_counter() - started
        seconds += elapsed
        pages_read += len(images)
        for page, (_, reference), kind in zip(doc.pages, rendered, kinds, strict=True):
            ours.add(kind, reference, page.text)
            doc_ours.add("all", reference, page.text)
        _dump(source.stem, rendered, doc, folder)
        f1 = "-"
        if whole:
            as_text = process_text(text, Config(workers=1), name=source.name)
            score = score_tasks(as_text.to_output().get("tasks") or [],
                                doc.to_output().get("tasks") or [])  # fmt: skip
            tasks = score if tasks is None else tasks + score
            f1 = f"{score.rows.f1:.3f}" if score.rows.f1 is not None else "-"
            for name in META_FIELDS:
                want, got = getattr(as_text.metadata, name), getattr(doc.metadata, name)
                agree[name] += int(comparable(want) == comparable(got))
                if want != got and os.environ.get("VNPLAN_BENCH_VERBOSE"):
                    print(f"   {source.stem:<8} {name}: text {want!r}, scan {got!r}")
            compared += 1
        print(f"   {source.stem:<8} {len(images):5d} {kinds.count('table'):5d} "
              f"{doc_ours.rate('all')} {doc_plain.rate('all')} {f1:>7} "
              f"{elapsed / len(images):7.2f}", flush=True)  # fmt: skip
    print(f"   {'':<20} {'plain pages':>12} {'table pages':>12} {'s/page':>7}")
    print(f"   {'vnplan (whole chain)':<20} {ours.rate('plain'):>12} {ours.rate('table'):>12} "
          f"{seconds / max(pages_read, 1):7.2f}")  # fmt: skip
    print(f"   {'plain tesseract -l vie':<20} {plain.rate('plain'):>12} {plain.rate('table'):>12} "
          f"{plain_seconds / max(pages_read, 1):7.2f}")  # fmt: skip
    if compared:
        cells = "  ".join(f"{name} {agree[name]}/{compared}" for name in META_FIELDS)
        print(f"   metadata of the scan as of the text: {cells}")
    if tasks is not None:
        print(f"   task F1, scan against text: all rows {tasks.rows.f1:.3f} "
              f"(P {tasks.rows.precision:.3f} R {tasks.rows.recall:.3f}), "
              f"assignments {tasks.assignments.f1:.3f}; leads matched "
              f"{tasks.lead_ok}/{tasks.matched}")  # fmt: skip


FUSION_LEVELS = ("light", "heavy", "poor")
"""Degradations the fusion section renders: `make_scans.degrade`'s, and `poor` (heavy,
then 150 dpi and blurred again: an archive photocopy, where vie misreads most)."""
POOR_DPI = 150
"""Resolution of the `poor` level: the low end of archive scans."""


def _fusion_scan(image: Image.Image, level: str, seed: int) -> tuple[Image.Image, int]:
    """A degraded copy of a rendered page at `level` (see `FUSION_LEVELS`)."""
    from PIL import ImageFilter

    if level != "poor":
        return make_scans.degrade(image, level, seed=seed)
    scan, dpi = make_scans.degrade(image, "heavy", seed=seed)
    size = (scan.width * POOR_DPI // dpi, scan.height * POOR_DPI // dpi)
    return scan.resize(size, Image.Resampling.BILINEAR).filter(
        ImageFilter.GaussianBlur(0.6)
    ), POOR_DPI


def _eng_layer(png: Path) -> list[str]:
    """The words `tesseract -l eng` reads on the page: a garbled layer's words."""
    return _plain_text(png, "eng").split()


def section_fusion(workdir: Path) -> None:
    """Section 8: vie alone against vie fused with an eng layer, on real-plan renders."""
    sources = _sources_unless_skipped("fusion", "8. Fusion with an eng layer")
    if not sources:
        return
    from pipeline.restore import correct_accents

    pages = int(os.environ.get("VNPLAN_BENCH_FUSION_PAGES", "2") or 2)
    print(f"\n8. Fusion of vie with a tesseract-eng layer ({pages} pages per real plan)")
    print(f"   {'split':<9} {'level':<6} {'pages':>5} {'eng':>7} {'vie':>7} {'fused':>7} "
          f"{'vie+marks':>9} {'fused+marks':>11} {'words':>6}")  # fmt: skip
    alone, fused = Config(workers=1, ocr_fusion=False), Config(workers=1)
    for split in ("plans", "texts"):
        chosen = [p for p in sources if p.parent.name == split]
        for level in FUSION_LEVELS:
            tally, count, changed = _Tally(), 0, 0
            for number, source in enumerate(chosen, start=1):
                layout = make_scans.parse_plan(source.read_text(encoding="utf-8"))
                for k, (image, reference) in enumerate(make_scans.render(layout)[:pages], 1):
                    scan, dpi = _fusion_scan(image, level, seed=300 * number + k)
                    png = workdir / f"fusion-{split}-{number}-{k}.png"
                    scan.copy().save(png, dpi=(dpi, dpi))
                    layer = _eng_layer(png)
                    one = recognise_page(k, scan.copy(), dpi, alone)
                    two = recognise_page(k, scan.copy(), dpi, fused, layer)
                    tally.add("eng", reference, " ".join(layer))
                    tally.add("vie", reference, one.text)
                    tally.add("fused", reference, two.text)
                    tally.add("vie+marks", reference, correct_accents(one.text).text)
                    tally.add("fused+marks", reference, correct_accents(two.text).text)
                    count += 1
                    changed += two.fused_words
            print(f"   {split:<9} {level:<6} {count:5d} {tally.rate('eng')} {tally.rate('vie')} "
                  f"{tally.rate('fused')} {tally.rate('vie+marks'):>9} "
                  f"{tally.rate('fused+marks'):>11} {changed:6d}", flush=True)  # fmt: skip


def main() -> None:
    """Run every section and print the numbers."""
    config = Config()
    print(f"preprocess default: {'+'.join(config.preprocess)}; languages: {config.ocr_languages}")
    with tempfile.TemporaryDirectory(prefix="vnplan-bench-ocr-") as tmp:
        workdir = Path(tmp)
        manifest = _pages(workdir)
        print(
            f"{len(manifest)} rendered pages ({len({(m['source'], m['page']) for m in manifest})} × levels)"
        )
        skip = os.environ.get("VNPLAN_BENCH_SKIP", "")
        if "cer" not in skip:
            section_cer(manifest)
        if "speed" not in skip:
            section_speed(manifest)
        if "workers" not in skip:
            section_workers(manifest, workdir)
        if "memory" not in skip:
            section_memory(manifest, workdir)
        section_real()
        if "steps" not in skip:
            section_steps(workdir)
        section_plans(workdir)
        section_fusion(workdir)


if __name__ == "__main__":
    main()
