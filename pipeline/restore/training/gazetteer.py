"""Build `models/places.json`, the administrative-name gazetteer, from underthesea's data.

    python -m pipeline.restore.training.gazetteer      # what `make models` runs too

underthesea (Apache-2.0) ships the Vietnamese administrative units in
`underthesea/address/data/mapping.json` (from vietnamadminunits: the 34 provinces in force
since 2025-07-01, the 63 before, and every old and new ward with its old district).  The
gazetteer keeps only the proper names (level words such as `Tỉnh`, `Phường` dropped), one
spelling per name, so extraction can put OCR's `Lâm Đông` back to `Lâm Đồng`
(`pipeline.extract.places`).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from pipeline.errors import MissingDependencyError
from pipeline.restore.training import corpus
from pipeline.vietnamese import canonical

OUT = corpus.MODELS / "places.json"

_LEVEL = re.compile(
    r"^(?:Thành phố|Tỉnh|Quận|Huyện|Thị xã|Thị trấn|Phường|Xã|Đặc khu)\s+", re.IGNORECASE
)


def _name(full: str) -> str:
    """`Tỉnh Lâm Đồng` → `Lâm Đồng`; numbered wards (`Phường 12`) keep their number."""
    return canonical(_LEVEL.sub("", full.strip()))


def build(mapping: dict) -> dict:
    """The gazetteer from underthesea's mapping: sorted, de-duplicated proper names."""
    provinces = {_name(e["name"]) for e in mapping.get("province_names", {}).values()}
    old = {_name(e["name"]) for e in mapping.get("old_province_names", {}).values()}
    wards, districts = set(), set()
    for row in mapping.get("ward_mapping", []):
        for key, bucket in (("old_ward", wards), ("new_ward", wards), ("old_district", districts)):
            if row.get(key):
                bucket.add(_name(row[key]))
    # Numbered wards and districts (`Phường 12`) are no names to correct towards.
    wards, districts = ({n for n in b if not n.isdigit()} for b in (wards, districts))
    meta = mapping.get("metadata", {})
    return {
        "source": (
            "underthesea address/data/mapping.json (Apache-2.0), from vietnamadminunits"
            f" {meta.get('version', '?')}, effective {meta.get('effective_date', '?')}"
        ),
        "provinces": sorted(provinces | old),
        "districts": sorted(districts),
        "wards": sorted(wards),
    }


def main(argv: list[str] | None = None) -> None:
    """Write `models/places.json` (or `--out`)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    path = corpus.address_mapping_path()
    if path is None:
        raise MissingDependencyError("underthesea is not installed: pip install -e '.[train]'")
    gazetteer = build(json.loads(path.read_text(encoding="utf-8")))
    args.out.write_text(
        json.dumps(gazetteer, ensure_ascii=False, indent=0, sort_keys=True) + "\n", "utf-8"
    )
    sizes = {k: len(v) for k, v in gazetteer.items() if isinstance(v, list)}
    print(f"wrote {args.out}: {sizes}")


if __name__ == "__main__":
    main()
