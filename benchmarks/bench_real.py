"""The archivists' first fields on the real scans and e-office PDFs of `../shared/real/`.

    python -m benchmarks real                  # run vnplan on both folders, then score
    python -m benchmarks real --out DIR        # score an output folder of `vnplan run`

vnplan runs (`vnplan run`, in a temporary folder) over `../shared/real/scans` and
`../shared/real/pdfs`, and each document's number, issue date, issuer, title and signer
is compared with `benchmarks/data/real_fields.json`, read by eye off the pages (issuer,
title and signer kept there only as digests, so no text of the documents is in the repo;
a miss prints what vnplan gave, not what was wanted).  Printed
per set: each field's hits, the mean over the five fields (`meta`, the measure of issue
#15), numbers given complete but wrong (must be 0: a number is right or marked
incomplete), numbers marked incomplete, and one line per missed field.

Values are compared after `pipeline.vietnamese.canonical` (NFC, old-style tones, single
spaces), case-folded, without end punctuation: a title printed in capitals matches its
running-text form.  Skipped when `../shared/real` is absent.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.vietnamese import canonical  # noqa: E402

REAL = ROOT.parent / "shared" / "real"
EXPECTED = ROOT / "benchmarks" / "data" / "real_fields.json"
SETS = ("scans", "pdfs")
END_MARKS = " .;:,"
"""Trailing marks a title or name may carry or not, without being a different value."""
DIGEST_HEX = 16
"""Hex digits of SHA-256 kept per digested value: far from any collision among 60 values."""


def comparable(value: object) -> str:
    """The form values are compared in: canonical spelling, no end marks, case-folded."""
    return canonical(str(value)).strip(END_MARKS).casefold()


def digest(value: object) -> str:
    """How `real_fields.json` keeps a digested field's value."""
    return hashlib.sha256(comparable(value).encode("utf-8")).hexdigest()[:DIGEST_HEX]


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value))


def same(expected: str | None, found: object, digested: bool) -> bool:
    """Whether an output value matches the expected one (see the module docstring)."""
    if expected is None or _missing(found):
        return expected is None and _missing(found)
    if digested:
        return digest(found) == expected
    return comparable(expected) == comparable(found)


def run_vnplan(out: Path) -> None:
    """`vnplan run` over each real set into `out/<set>`."""
    for name in SETS:
        subprocess.run(
            [sys.executable, "-m", "pipeline", "run", str(REAL / name), "--out", str(out / name)],
            check=True,
            stdout=subprocess.DEVNULL,
        )


def documents_table(out: Path) -> pd.DataFrame:
    """documents.csv of `out/<set>` (or of `out` itself), indexed by `set/file`."""
    frames = []
    for name in SETS:
        csv = out / name / "documents.csv"
        if not csv.exists():
            csv = out / "documents.csv"
        rows = pd.read_csv(csv, dtype=str, encoding="utf-8-sig")
        rows["key"] = [f"{Path(p).parent.name}/{Path(p).name}" for p in rows["path"]]
        frames.append(rows[rows["key"].str.startswith(name + "/")])
    return pd.concat(frames).drop_duplicates("key").set_index("key")


def score(table: pd.DataFrame, expected: dict) -> None:
    """Print the per-set field table and the misses."""
    fields = expected["fields"]
    digested = set(expected["digested"])
    for name in SETS:
        files = {k: v for k, v in expected["files"].items() if k.startswith(name + "/")}
        hits = dict.fromkeys(fields, 0)
        wrong_numbers, incomplete, misses = 0, 0, []
        for key, gold in files.items():
            row = table.loc[key] if key in table.index else pd.Series(dtype=str)
            for field in fields:
                found = row.get(field)
                if same(gold[field], found, field in digested):
                    hits[field] += 1
                else:
                    want = "(digest)" if field in digested else repr(gold[field])
                    misses.append(f"  {key:14} {field:10} want {want}, got {found!r}")
            complete = str(row.get("number_complete", "")).lower() == "true"
            if complete and not same(gold["number"], row.get("number"), False):
                wrong_numbers += 1
            incomplete += not complete
        n = len(files)
        meta = sum(hits.values()) / (n * len(fields))
        cells = "  ".join(f"{f} {hits[f]}/{n}" for f in fields)
        print(
            f"{name:6} meta {meta:.2f}  {cells}  wrong numbers {wrong_numbers}"
            f"  incomplete {incomplete}"
        )
        for line in misses:
            print(line)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks real", description=__doc__)
    parser.add_argument("--out", type=Path, help="score this output folder instead of running")
    args = parser.parse_args(argv)
    if not REAL.is_dir():
        print("../shared/real is absent: skipped")
        return
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    if args.out:
        score(documents_table(args.out), expected)
        return
    with tempfile.TemporaryDirectory() as tmp:
        run_vnplan(Path(tmp))
        score(documents_table(Path(tmp)), expected)


if __name__ == "__main__":
    main(sys.argv[1:])
