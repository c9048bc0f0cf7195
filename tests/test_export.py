"""Output files: JSON per document, the CSV tables (pandas-loadable), the JSON Schema."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.chain import process_path
from pipeline.config import Config
from pipeline.document import (
    OUTPUT_CONTRACT_KEYS,
    DateMention,
    Document,
    LegalRef,
    Metadata,
    Period,
    Section,
    Source,
    Status,
    Task,
)
from pipeline.output.atomic import atomic_write, write_text
from pipeline.output.catalog import Catalog
from pipeline.output.export import (
    export_catalog,
    json_path,
    output_schema,
    write_document_json,
    write_tables,
)
from pipeline.output.rows import TABLES


def planned_document(sha: str = "ab" * 32, path: str = "/in/kế hoạch 24.md") -> Document:
    """A document as extraction will fill it: metadata, references, dates, tasks, sections."""
    doc = Document(
        doc_id=sha[:16],
        status=Status.ok,
        source=Source(path=path, sha256=sha, media_type="text/markdown", pages=1, size=10),
        metadata=Metadata(
            doc_type="KẾ HOẠCH",
            number="24/KH-UBND",
            issuer="Ủy ban nhân dân thành phố Hải Phòng",
            place="Hải Phòng",
            issue_date=dt.date(2026, 1, 26),
            title="Triển khai một số nhiệm vụ trọng tâm công tác thi đua, khen thưởng năm 2026",
            signer="Vũ Tiến Phụng",
            signer_position="Phó Chủ tịch",
        ),
        legal_refs=[
            LegalRef(
                kind="Chỉ thị",
                number="41-CT/TW",
                date=dt.date(2024, 12, 26),
                issuer="Bộ Chính trị",
                text="Chỉ thị số 41-CT/TW ngày 26/12/2024 của Bộ Chính trị",
            )
        ],
        tasks=[
            Task(
                ref="II.1.a",
                text="Tổ chức phát động thi đua, ký giao ước thi đua năm 2026",
                period=Period(
                    label="Quý I năm 2026", start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31)
                ),
                lead="Sở Nội vụ",
                dates=[dt.date(2026, 3, 31), dt.date(2026, 2, 15)],
                part="NHIỆM VỤ CỤ THỂ",
            ),
            Task(
                ref="III.2",
                text="Thường xuyên theo dõi, đôn đốc",
                period=Period(label="Thường xuyên"),
            ),
        ],
        dates=[DateMention(text="26/12/2024", date=dt.date(2024, 12, 26), line=3)],
        warnings=["issuer inferred from the number", "text looks garbled"],
    )
    doc.layout.sections = [Section(ref="I", marker="I", kind="roman", heading="MỤC ĐÍCH, YÊU CẦU")]
    return doc


@pytest.fixture
def filled_out(out_dir: Path) -> Path:
    """An output folder whose catalog holds one planned document and one failed one."""
    failed = Document(
        doc_id="cd" * 8,
        status=Status.failed,
        source=Source(path="/in/hỏng.pdf", sha256="cd" * 32),
    )
    failed.errors = []
    from pipeline.document import StageError

    failed.errors.append(StageError(stage="ingest", kind="CorruptPdfError", message="cannot parse"))
    with Catalog.in_dir(out_dir) as catalog:
        for doc in (planned_document(), failed):
            catalog.record(doc)
            write_document_json(doc, out_dir)
        write_tables(catalog, out_dir)
    return out_dir


def test_csv_tables_load_with_pandas_dates_and_vietnamese_text(filled_out):
    for table in TABLES.values():
        path = filled_out / f"{table.name}.csv"
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
        frame = pd.read_csv(path, parse_dates=list(table.date_columns))
        assert tuple(frame.columns) == table.names
        assert table.date_columns, table.name
        for column in table.date_columns:
            assert pd.api.types.is_datetime64_any_dtype(frame[column]), (table, column)
    docs = pd.read_csv(filled_out / "documents.csv", parse_dates=["issue_date"])
    ok = docs[docs.status == "ok"].iloc[0]
    assert ok.issuer == "Ủy ban nhân dân thành phố Hải Phòng"
    assert ok.issue_date == pd.Timestamp("2026-01-26")
    assert ok.warnings == "issuer inferred from the number | text looks garbled"
    assert ok.n_tasks == 2
    bad = docs[docs.status == "failed"].iloc[0]
    assert bad.error == "CorruptPdfError: cannot parse"
    tasks = pd.read_csv(filled_out / "tasks.csv", parse_dates=["period_start", "period_end"])
    first = tasks.iloc[0]
    assert first.ref == "II.1.a"
    assert first.part == "NHIỆM VỤ CỤ THỂ"
    assert first.period_end == pd.Timestamp("2026-03-31")
    assert first.dates == "2026-03-31;2026-02-15"
    assert pd.isna(tasks.iloc[1].period_start)  # `Thường xuyên` has no dates
    refs = pd.read_csv(filled_out / "legal_refs.csv", parse_dates=["date"])
    assert refs.iloc[0].number == "41-CT/TW"
    assert refs.iloc[0].date == pd.Timestamp("2024-12-26")
    dates = pd.read_csv(filled_out / "dates.csv", parse_dates=["date"])
    assert dates.iloc[0].line == 3


def test_json_is_the_document_output_in_readable_utf8(filled_out):
    doc = planned_document()
    text = json_path(filled_out, doc.doc_id).read_text(encoding="utf-8")
    assert "Vũ Tiến Phụng" in text  # ensure_ascii=False
    assert json.loads(text) == doc.to_output()
    assert not json_path(filled_out, "cd" * 8).exists()  # failed documents have no JSON


def test_outputs_are_regenerated_from_the_catalog_alone(filled_out):
    before = {p.name: p.read_bytes() for p in filled_out.rglob("*.json")}
    csv_before = (filled_out / "tasks.csv").read_bytes()
    for path in [*filled_out.rglob("*.json"), *filled_out.glob("*.csv")]:
        path.unlink()
    with Catalog.in_dir(filled_out) as catalog:
        export_catalog(catalog, filled_out)
    assert {p.name: p.read_bytes() for p in filled_out.rglob("*.json")} == before
    assert (filled_out / "tasks.csv").read_bytes() == csv_before


def test_tables_cover_every_batch_not_only_the_last(samples, out_dir):
    from pipeline.batch import run_batch

    config = Config(out_dir=out_dir, workers=1)
    files = sorted(samples.iterdir())
    run_batch(files[:1], config, progress=False)
    run_batch(files[1:], config, progress=False)
    frame = pd.read_csv(out_dir / "documents.csv")
    assert sorted(Path(p).name for p in frame.path) == [f.name for f in files]


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "documents.csv"
    write_text(target, "old\n")
    with pytest.raises(RuntimeError), atomic_write(target) as handle:
        handle.write("half of a ne")
        raise RuntimeError("crash in the middle")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["documents.csv"]  # no temp file left


# --- the JSON Schema --------------------------------------------------------------------


def _validate(value, schema: dict, root: dict, where: str = "$") -> list[str]:
    """A small JSON Schema checker (type, required, properties, items, anyOf, $ref, const)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _validate(value, root["$defs"][name], root, where)
    if "anyOf" in schema:
        options = [_validate(value, s, root, where) for s in schema["anyOf"]]
        return [] if any(not o for o in options) else [f"{where}: matches no anyOf option"]
    problems = []
    kinds = {
        "object": dict,
        "array": list,
        "string": str,
        "integer": int,
        "number": (int, float),
        "boolean": bool,
        "null": type(None),
    }
    kind = schema.get("type")
    if kind and not isinstance(value, kinds[kind]):
        return [f"{where}: expected {kind}, got {type(value).__name__}"]
    if "const" in schema and value != schema["const"]:
        problems.append(f"{where}: expected {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not in enum")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                problems.append(f"{where}: missing {key}")
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                problems += _validate(value[key], sub, root, f"{where}.{key}")
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key in value.keys() - schema.get("properties", {}).keys():
                problems += _validate(value[key], extra, root, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            problems += _validate(item, schema["items"], root, f"{where}[{i}]")
    return problems


def test_schema_requires_the_contract_keys():
    schema = output_schema()
    assert set(OUTPUT_CONTRACT_KEYS) <= set(schema["required"])
    assert schema["properties"]["schema_version"]["const"] == "1.0"
    assert "sections" not in schema["$defs"]["LayoutOutput"]["properties"]
    assert {"path", "sha256", "media_type", "pages"} <= set(schema["$defs"]["Source"]["required"])
    assert {"label", "start", "end"} <= set(schema["$defs"]["Period"]["required"])


def test_real_and_planned_outputs_validate_against_the_schema(samples):
    schema = output_schema()
    for sample in sorted(samples.iterdir()):
        output = process_path(sample, Config()).to_output()
        assert _validate(output, schema, schema) == []
    assert _validate(planned_document().to_output(), schema, schema) == []


def test_the_validator_can_fail():
    schema = output_schema()
    output = planned_document().to_output()
    del output["tasks"]
    output["metadata"]["issue_date"] = 20260126
    output["source"].pop("sha256")
    problems = _validate(output, schema, schema)
    assert "$: missing tasks" in problems
    assert "$.source: missing sha256" in problems
    assert any(p.startswith("$.metadata.issue_date") for p in problems)
