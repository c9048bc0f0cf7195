"""Golden files: the whole chain on the samples, compared exactly with stored JSON.

`VNPLAN_GEN_TEST_DATA=1 pytest tests/test_golden.py` rewrites the stored JSON; review the
diff before committing it.  The key facts are also asserted one by one so that a bad
regeneration cannot slip through.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from pipeline.chain import process_path
from pipeline.config import Config
from pipeline.document import Document, Page, Source
from pipeline.extract import extract
from pipeline.segment import segment

DATA = Path(__file__).parent / "data" / "golden"
ROOT = Path(__file__).resolve().parent.parent
GEN = os.environ.get("VNPLAN_GEN_TEST_DATA") == "1"


def stable_output(doc: Document) -> dict:
    """`doc.to_output()` without keys that change from run to run or machine to machine."""
    data = doc.to_output()
    data.pop("timings", None)
    data["source"].pop("path", None)
    return data


def check_golden(data: dict, name: str) -> None:
    path = DATA / name
    if GEN:
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert json.loads(json.dumps(data, ensure_ascii=False)) == expected


def test_regeneration_switch_is_off() -> None:
    assert not GEN, "VNPLAN_GEN_TEST_DATA=1 rewrites golden files; unset it for a real test run"


@pytest.fixture(scope="module")
def haiphong() -> Document:
    return process_path(ROOT / "samples" / "haiphong-24-KH-UBND-2026.md", Config())


def test_haiphong_golden(haiphong: Document) -> None:
    check_golden(stable_output(haiphong), "haiphong.json")


def test_haiphong_metadata(haiphong: Document) -> None:
    meta = haiphong.metadata
    assert haiphong.status == "ok"
    assert meta.number == "24/KH-UBND"
    assert meta.issue_date == dt.date(2026, 1, 26)
    assert meta.issuer == "Ủy ban nhân dân thành phố Hải Phòng"
    assert meta.issuer_inferred
    assert any("issuer inferred" in w for w in haiphong.warnings)
    assert meta.signer == "Vũ Tiến Phụng"
    assert meta.signer_position == "Phó Chủ tịch"
    assert meta.doc_type == "Kế hoạch"


def test_haiphong_legal_refs(haiphong: Document) -> None:
    refs = {r.number: r for r in haiphong.legal_refs if r.number}
    assert refs["41-CT/TW"].date == dt.date(2024, 12, 26)
    assert refs["41-CT/TW"].issuer == "Bộ Chính trị"
    assert refs["46-CT/TU"].date == dt.date(2025, 6, 26)
    assert refs["74/NQ-HĐND"].date == dt.date(2025, 12, 11)


QUARTERS = {
    "II.1": (dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
    "II.2": (dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
    "II.3": (dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
    "II.4": (dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
    "II.5": (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
}


OWN_TIME = "vào tháng 02 năm 2027"
FEBRUARY_2027 = (dt.date(2027, 2, 1), dt.date(2027, 2, 28))


def _check_part_two(doc: Document, per_heading: list[int]) -> None:
    part_two = [t for t in doc.tasks if t.ref.startswith("II.")]
    assert len(part_two) == sum(per_heading)
    for heading, count in zip(QUARTERS, per_heading, strict=True):
        tasks = [t for t in part_two if t.ref.startswith(heading + ".")]
        assert len(tasks) == count, heading
        # A task's own time phrase wins over its heading's (`… vào tháng 02 năm 2027`).
        headed = [t for t in tasks if OWN_TIME not in t.text]
        assert {(t.period.start, t.period.end) for t in headed} == {QUARTERS[heading]}, heading
        for task in tasks:
            if OWN_TIME in task.text:
                assert (task.period.start, task.period.end) == FEBRUARY_2027
    assert all(t.source == "body" and t.part == "NHIỆM VỤ CỤ THỂ" for t in part_two)


def test_haiphong_tasks(haiphong: Document) -> None:
    _check_part_two(haiphong, [4, 4, 4, 5, 3])
    duties = {t.ref: t.lead for t in haiphong.tasks if t.source == "organisation"}
    assert duties["III.1"] == "Các cơ quan, đơn vị, địa phương trên địa bàn thành phố"
    assert duties["III.3"] == "Sở Văn hóa, Thể thao và Du lịch"
    assert duties["III.4"] == "Sở Nội vụ"
    assert all(ref.startswith("III.") for ref in duties)


def test_haiphong_layout(haiphong: Document) -> None:
    layout = haiphong.layout
    assert (
        layout.title
        == "Triển khai một số nhiệm vụ trọng tâm công tác thi đua, khen thưởng năm 2026"
    )
    assert [s.ref for s in layout.sections] == ["I", "II", "III"]
    assert layout.closing and layout.closing[0].startswith("Để tập trung")
    assert layout.recipients[0] == "Bộ Nội vụ;"
    assert layout.signature.authority == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"]


@pytest.fixture(scope="module")
def cathai_truth() -> Document:
    """The hand-corrected Cát Hải text, segmented and extracted (no restoration needed)."""
    text = (DATA / "cathai-83-KH-UBND-2026.truth.txt").read_text(encoding="utf-8")
    doc = Document(source=Source(path="cathai-truth"))
    doc.pages = [Page(number=1, method="text", text=text)]
    doc.text.body = text
    return extract(segment(doc, Config()), Config())


def test_cathai_truth_metadata(cathai_truth: Document) -> None:
    meta = cathai_truth.metadata
    assert meta.number == "83/KH-UBND"
    assert meta.issue_date == dt.date(2026, 2, 24)
    assert meta.issuer == "Ủy ban nhân dân đặc khu Cát Hải"
    assert meta.place == "Cát Hải"
    assert meta.signer == "Phan Viết Điện"
    assert meta.signer_position == "Chủ tịch"
    assert cathai_truth.layout.national_title


def test_cathai_truth_tasks(cathai_truth: Document) -> None:
    _check_part_two(cathai_truth, [3, 3, 3, 4, 3])
    duties = {t.ref: t.lead for t in cathai_truth.tasks if t.source == "organisation"}
    assert duties["III.2"] == "Phòng Văn hóa - Xã hội"
    assert "III.4" in duties


def test_cathai_truth_with_part_three_read_as_one(cathai_truth: Document) -> None:
    """OCR reads `III. TỔ CHỨC THỰC HIỆN` as `1. TỔ CHỨC THỰC HIỆN`: the sequence repairs it."""
    text = (DATA / "cathai-83-KH-UBND-2026.truth.txt").read_text(encoding="utf-8")
    text = text.replace("III. TỔ CHỨC THỰC HIỆN", "1. TỔ CHỨC THỰC HIỆN")
    doc = Document(source=Source(path="cathai-ocr-heading"))
    doc.text.body = text
    doc = extract(segment(doc, Config()), Config())
    assert [s.ref for s in doc.layout.sections] == ["I", "II", "III"]
    assert [t.ref for t in doc.tasks] == [t.ref for t in cathai_truth.tasks]


def test_garbled_cathai_text_segments_without_errors() -> None:
    """The OCR text before restoration: segmentation and extraction must not break on it."""
    text = (ROOT / "samples" / "cathai-83-KH-UBND-2026.ocr.txt").read_text(encoding="utf-8")
    doc = Document(source=Source(path="cathai-ocr"))
    doc.text.body = text
    doc = extract(segment(doc, Config()), Config())
    assert doc.layout.sections  # the numbering survives the garbling
    assert doc.layout.signature.authority  # `TM. UY BAN NHAN DAN` is still recognised


@pytest.fixture(scope="module")
def cathai_restored() -> Document:
    """The garbled Tesseract-eng text of the Cát Hải plan, through the whole chain."""
    return process_path(ROOT / "samples" / "cathai-83-KH-UBND-2026.ocr.txt", Config())


def test_cathai_restored_golden(cathai_restored: Document) -> None:
    check_golden(stable_output(cathai_restored), "cathai-restored.json")


def test_cathai_restored_metadata_and_tasks(cathai_restored: Document) -> None:
    doc = cathai_restored
    assert doc.status == "ok" and doc.text.restored
    assert doc.text.restore_changed_tokens > 500
    assert doc.metadata.number == "83/KH-UBND"
    assert doc.metadata.issue_date == dt.date(2026, 2, 24)
    assert doc.metadata.issuer == "Ủy ban nhân dân đặc khu Cát Hải"
    refs = {r.number: r.date for r in doc.legal_refs if r.number}
    assert refs["41-CT/TW"] == dt.date(2024, 12, 26)
    assert refs["46-CT/TU"] == dt.date(2025, 6, 26)
    # the 16 tasks of part II with their quarters, like the hand-checked reading
    _check_part_two(doc, [3, 3, 3, 4, 3])
    duties = {t.ref: t.lead for t in doc.tasks if t.source == "organisation"}
    assert duties["III.2"] == "Phòng Văn hóa - Xã hội"


REAL_PLANS = Path(__file__).resolve().parent.parent.parent / "shared" / "real" / "plans"


@pytest.mark.real
@pytest.mark.parametrize("name", [f"{n:02d}.txt" for n in range(1, 9)])
def test_real_plans_sane_minimums(name: str) -> None:
    """Real plans (read in place, never copied): number, date, signer and some tasks."""
    path = REAL_PLANS / name
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    doc = process_path(path, Config())
    assert doc.status == "ok", doc.errors
    assert doc.metadata.number and "/" in doc.metadata.number
    assert doc.metadata.issue_date is not None
    assert doc.metadata.issuer and doc.metadata.signer
    assert doc.tasks
    assert all(t.text.strip() for t in doc.tasks)
    assert len({t.ref for t in doc.tasks}) == len(doc.tasks)


# --- the four CSV tables and a scan -------------------------------------------------------

TEXT_SAMPLES = ("haiphong-24-KH-UBND-2026.md", "cathai-83-KH-UBND-2026.ocr.txt")


@pytest.mark.parametrize("table", ["documents", "tasks", "legal_refs", "dates"])
def test_csv_golden(table: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The CSVs of the two text samples, byte for byte (input folder written as `<in>`)."""
    from pipeline.batch import run_batch

    base = tmp_path_factory.getbasetemp() / "csv-golden"
    if not (base / "out" / f"{table}.csv").exists():
        inputs = base / "in"
        inputs.mkdir(parents=True, exist_ok=True)
        for name in TEXT_SAMPLES:
            (inputs / name).write_bytes((ROOT / "samples" / name).read_bytes())
        files = sorted(inputs.iterdir())
        summary = run_batch(files, Config(out_dir=base / "out", workers=1), progress=False)
        assert len(summary.done) == 2
    data = (base / "out" / f"{table}.csv").read_bytes().replace(str(base / "in").encode(), b"<in>")
    path = DATA / "csv" / f"{table}.csv"
    if GEN:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
    assert data == path.read_bytes()


def _fuzzy_ratio(a: str, b: str) -> float:
    import difflib

    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


BODY_SIMILARITY = 0.97
"""OCR text is compared fuzzily: Tesseract builds differ by a few characters a page."""


@pytest.mark.tesseract
def test_scan_golden() -> None:
    """The generated scan of the Hải Phòng plan: fields exactly, the OCR'd body fuzzily."""
    from conftest import has_tesseract

    if not has_tesseract():
        pytest.skip("tesseract with vie data is not installed")
    doc = process_path(ROOT / "samples" / "scans" / "haiphong-scan.pdf", Config(workers=2))
    data = stable_output(doc)
    fields = {
        "metadata": data["metadata"],
        "legal_refs": [r["number"] for r in data["legal_refs"]],
        "tasks": [(t["ref"], (t["period"] or {}).get("label"), t["lead"]) for t in data["tasks"]],
        "pages": [p["method"] for p in data["pages"]],
    }
    path = DATA / "haiphong-scan.json"
    if GEN:
        stored = {"fields": fields, "body": data["text"]["body"]}
        path.write_text(json.dumps(stored, ensure_ascii=False, indent=2) + "\n", "utf-8")
    expected = json.loads(path.read_text("utf-8"))
    assert json.loads(json.dumps(fields, ensure_ascii=False)) == expected["fields"]
    assert _fuzzy_ratio(data["text"]["body"], expected["body"]) >= BODY_SIMILARITY
