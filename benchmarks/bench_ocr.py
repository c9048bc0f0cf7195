"""OCR benchmark: accuracy, speed against plain Tesseract, scaling, memory, real scans.

    python -m benchmarks ocr                      # everything (a few minutes on 2 cores)
    VNPLAN_BENCH_PAGES=2 python -m benchmarks ocr # first 2 pages per sample (quick look)
    VNPLAN_BENCH_SKIP=ablation,real python -m benchmarks ocr

Sections:
1. CER (character error rate, whitespace-normalised) on pages rendered by
   `samples/make_scans.py` from the sample texts: clean, lightly and heavily degraded,
   with the default preprocessing and with each step toggled (the ablation that decides
   the defaults in `Config.preprocess`).
2. Pages per second of the vnplan OCR path vs plain `tesseract FILE stdout -l vie` on the
   same PNG files in the same run, interleaved (ratio; target ≥ 0.95).
3. 1 vs 2 workers on one multi-page PDF (target ≥ 1.8×).
4. Peak memory: of a Tesseract worker process and of the Python process.
5. `../shared/real/scans` when present: pages, OCR pages, mean confidence, seconds.
Targets: CER ≤ 0.5 % clean, ≤ 1.5 % heavily degraded.
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
sys.path.insert(0, str(ROOT / "samples"))

import make_scans  # noqa: E402

from pipeline.config import Config  # noqa: E402
from pipeline.ingest import ingest, new_document  # noqa: E402
from pipeline.ocr import ocr, recognise_page  # noqa: E402


def levenshtein(a: str, b: str) -> int:
    """Edit distance (Myers/Hyyrö bit-parallel: one big-int pass per character of b)."""
    if not a:
        return len(b)
    if not b:
        return len(a)
    peq: dict[str, int] = {}
    for i, ch in enumerate(a):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    mask = (1 << len(a)) - 1
    high = 1 << (len(a) - 1)
    pv, mv, score = mask, 0, len(a)
    for ch in b:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
    return score


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


def section_speed(manifest: list[dict]) -> None:
    print("\n2. Throughput on the same PNG pages, one page at a time, interleaved")
    config = Config(workers=1)
    paths = [m["path"] for m in manifest]
    times = {"vnplan": 0.0, "plain (OMP_THREAD_LIMIT=1)": 0.0, "plain (default threads)": 0.0}
    for path in paths:
        for name, call in (
            ("plain (OMP_THREAD_LIMIT=1)", lambda p: _plain_tesseract(p, True)),
            ("vnplan", lambda p: _vnplan(p, config)),
            ("plain (default threads)", lambda p: _plain_tesseract(p, False)),
        ):
            started = time.perf_counter()
            call(path)
            times[name] += time.perf_counter() - started
    for name, seconds in times.items():
        print(f"   {name:<30} {len(paths) / seconds:6.3f} pages/s  ({seconds:.1f} s)")
    ratio = times["plain (OMP_THREAD_LIMIT=1)"] / times["vnplan"]
    ratio_default = times["plain (default threads)"] / times["vnplan"]
    print(
        f"   vnplan / plain tesseract throughput: {ratio:.2f} (OMP 1), {ratio_default:.2f} (default)"
    )


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


def section_memory() -> None:
    print("\n4. Peak memory (resident set)")
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"   largest Tesseract worker process: {children:6.0f} MB")
    print(f"   this Python process (all sections): {own:6.0f} MB")


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
        section_memory()
        section_real()


if __name__ == "__main__":
    main()
