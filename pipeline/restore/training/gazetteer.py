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
    homes: dict[str, set[str]] = {}
    for row in mapping.get("ward_mapping", []):
        for key, bucket in (("old_ward", wards), ("new_ward", wards), ("old_district", districts)):
            if row.get(key):
                name = _name(row[key])
                bucket.add(name)
                # A new ward lies in its new province; an old ward or district in its old
                # one, which the new province took over: a document may name either.
                keys = ("new_province",) if key == "new_ward" else ("old_province", "new_province")
                homes.setdefault(name, set()).update(_name(row[k]) for k in keys if row.get(k))
    # Numbered wards and districts (`Phường 12`) are no names to correct towards.
    wards, districts = ({n for n in b if not n.isdigit()} for b in (wards, districts))
    all_provinces = sorted(provinces | old)
    index = {name: n for n, name in enumerate(all_provinces)}
    meta = mapping.get("metadata", {})
    return {
        "source": (
            "underthesea address/data/mapping.json (Apache-2.0), from vietnamadminunits"
            f" {meta.get('version', '?')}, effective {meta.get('effective_date', '?')}"
        ),
        "provinces": all_provinces,
        "districts": sorted(districts),
        "wards": sorted(wards),
        # Per ward or district name, the provinces (indices into `provinces`) it lies in:
        # a name shared by places of several provinces is read by the document's province.
        "province_of": {
            name: sorted(index[p] for p in homes[name] if p in index)
            for name in sorted(wards | districts)
        },
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
    sizes = {k: len(v) for k, v in gazetteer.items() if isinstance(v, (list, dict))}
    print(f"wrote {args.out}: {sizes}")


if __name__ == "__main__":
    main()
