"""Bad input never stops a batch: each case gets its own one-line error, the rest goes on.

The corpus is generated here, in a temporary folder, so the tests need no binary fixtures.
"""

from __future__ import annotations

import csv
import json
import os
import struct
import zlib
from pathlib import Path

import pytest
from pdfbytes import encrypted_pdf, text_pdf
from test_batch import make_plans

from pipeline.batch import run_batch
from pipeline.config import Config
from pipeline.inputs import expand_inputs
from pipeline.output.catalog import Catalog

ENGLISH = (
    "The committee reviewed the annual report of the department and noted that the results"
    " which were achieved in the first half of the year have been encouraging. The plan for"
    " the next year will be presented to the council by the director, and the budget of the"
    " programme shall be approved before the end of this month.\n"
) * 3


def _png(width: int, height: int, rows: bytes | None = None) -> bytes:
    """A 1-bit greyscale PNG; `rows` defaults to all-black rows compressed on the fly."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    if rows is None:
        # 30 000 rows of zeros compress to ~100 KB: a decompression bomb in miniature.
        packer = zlib.compressobj(9)
        row = b"\x00" * (1 + (width + 7) // 8)
        parts = [packer.compress(row * 1000) for _ in range(height // 1000)]
        parts.append(packer.compress(row * (height % 1000)))
        rows = b"".join(parts) + packer.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


GOOD = ["kế hoạch 24.md", "kế hoạch 25.md"]


def make_corpus(folder: Path) -> dict[str, Path]:
    """Write every bad case (and two good plans) into `folder`; returns them by case."""
    folder.mkdir(parents=True, exist_ok=True)
    cases = {
        "empty": folder / "empty.txt",
        "truncated_pdf": folder / "truncated.pdf",
        "encrypted_pdf": folder / "encrypted.pdf",
        "png_named_pdf": folder / "photo.pdf",
        "random_bytes": folder / "random.bin",
        "huge_image": folder / "huge.png",
        "english": folder / "english.txt",
        "directory": folder / "x.pdf",
        "unreadable": folder / "locked.txt",
    }
    cases["empty"].write_bytes(b"")
    cases["truncated_pdf"].write_bytes(text_pdf()[:200])
    cases["encrypted_pdf"].write_bytes(encrypted_pdf())
    cases["png_named_pdf"].write_bytes(_png(16, 16, zlib.compress(b"\x00\xff\xff" * 16)))
    cases["random_bytes"].write_bytes(
        bytes((i * 7919 + 13) % 251 for i in range(4096))  # deterministic "random"
    )
    cases["huge_image"].write_bytes(_png(30_000, 30_000))
    cases["english"].write_text(ENGLISH, encoding="utf-8")
    cases["directory"].mkdir()
    (cases["directory"] / "inside.txt").write_text("not walked into", encoding="utf-8")
    cases["unreadable"].write_text("Kế hoạch số 1/KH-UBND\n", encoding="utf-8")
    cases["unreadable"].chmod(0)
    make_plans(folder, GOOD)
    return cases


EXPECTED = {
    "empty": "EmptyFileError: the file is empty",
    "truncated_pdf": "CorruptPdfError: ",
    "encrypted_pdf": "EncryptedPdfError: ",
    "random_bytes": "UnsupportedFormatError: unsupported content (application/octet-stream)",
    "huge_image": "ImageTooLargeError: ",
    "directory": "InputError: is a directory, not a file",
    "unreadable": "InputError: permission denied: cannot read the file",
    "english": "NotVietnameseError: the text does not look like Vietnamese",
}
"""The start of each case's one-line error (`Kind: message`)."""


@pytest.fixture(scope="module")
def bad_batch(tmp_path_factory):
    """One batch over the whole corpus (module scope: the 30 000² PNG is built once)."""
    root = tmp_path_factory.mktemp("bad")
    cases = make_corpus(root / "in")
    out = root / "out"
    summary = run_batch(expand_inputs([root / "in"]), Config(out_dir=out, workers=1), False)
    yield cases, summary, out
    cases["unreadable"].chmod(0o644)


def _result(summary, path: Path):
    [result] = [r for r in summary.results if r.path == path]
    return result


def _root_reads(path: Path) -> bool:
    return os.access(path, os.R_OK)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_each_bad_input_fails_with_its_own_one_line_error(bad_batch, case):
    cases, summary, _ = bad_batch
    if case == "unreadable" and _root_reads(cases[case]):
        pytest.skip("running as root: a chmod 000 file is still readable")
    result = _result(summary, cases[case])
    assert result.outcome == "failed"
    assert result.error.startswith(EXPECTED[case]), result.error
    assert "\n" not in result.error


def test_png_named_pdf_is_read_as_an_image_not_lost(bad_batch):
    cases, summary, out = bad_batch
    result = _result(summary, cases["png_named_pdf"])
    with Catalog.in_dir(out) as catalog:
        row = catalog.rows(
            "SELECT media_type, status FROM documents WHERE sha256 = ?", (result.sha256,)
        )
    assert row[0]["media_type"] == "image/png"  # sniffed from the bytes, not the name
    # Until OCR is available it fails with an OCR error; either way it is reported, not lost.
    if result.outcome == "failed":
        assert "Pdf" not in result.error


def test_the_good_documents_of_the_batch_are_still_processed(bad_batch):
    cases, summary, out = bad_batch
    done = {r.path.name for r in summary.done}
    assert set(GOOD) <= done
    assert len(summary.results) == len(cases) + 2  # every input is accounted for
    # the directory's content is not walked into: it is one reported input
    assert not any(r.path.name == "inside.txt" for r in summary.results)


def test_nothing_is_half_written(bad_batch):
    _, summary, out = bad_batch
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]  # no temp files left
    for path in (out / "json").iterdir():
        json.loads(path.read_text(encoding="utf-8"))
    with (out / "documents.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(summary.results)
    failed = {r["path"]: r["error"] for r in rows if r["status"] == "failed"}
    for result in summary.failed:
        assert failed[str(result.path)] == result.error or failed[str(result.path)].startswith(
            result.error
        )


def test_the_huge_image_did_not_blow_up_memory(bad_batch):
    _, summary, _ = bad_batch
    # Decoding 30 000² pixels would take ≥ 900 MB; the guard refuses it from the header.
    assert 0 < summary.peak_rss_mb < 500


# --- the language check (pipeline/language.py) ------------------------------------------


def test_looks_vietnamese_accepts_clean_garbled_and_short_text(samples):
    from pipeline.language import looks_vietnamese

    assert looks_vietnamese((samples / "haiphong-24-KH-UBND-2026.md").read_text(encoding="utf-8"))
    # OCR garble without most diacritics is still Vietnamese
    assert looks_vietnamese(
        (samples / "cathai-83-KH-UBND-2026.ocr.txt").read_text(encoding="utf-8")
    )
    assert looks_vietnamese("tang cuong cong tac thi dua khen thuong nam 2026 " * 5)
    assert looks_vietnamese("The end.")  # too short to judge


def test_looks_vietnamese_refuses_english():
    from pipeline.language import looks_vietnamese

    assert not looks_vietnamese(ENGLISH)


def test_looks_vietnamese_refuses_french_despite_its_accents():
    from pipeline.language import looks_vietnamese

    french = (
        "Le comité régional examinera les propositions soumises par chaque département "
        "avant la fin du trimestre et décidera du financement pour la prochaine année. "
    )
    assert not looks_vietnamese(french * 2)


def test_check_language_stage_raises_the_one_line_error():
    from pipeline.document import Document, Source
    from pipeline.errors import NotVietnameseError, one_line
    from pipeline.language import check_language

    doc = Document(source=Source(path="english.txt"))
    doc.text.body = ENGLISH
    with pytest.raises(NotVietnameseError) as caught:
        check_language(doc, Config())
    assert one_line(caught.value).startswith(
        "NotVietnameseError: the text does not look like Vietnamese ("
    )
    doc.text.body = "Kế hoạch triển khai một số nhiệm vụ trọng tâm công tác thi đua. " * 5
    assert check_language(doc, Config()) is doc


def test_unreadable_file_even_when_running_as_root(tmp_path, monkeypatch):
    """The chmod 000 case above is skipped under root; here the denial is simulated."""
    folder = tmp_path / "in"
    [good] = make_plans(folder, ["good.md"])
    locked = folder / "locked.txt"
    locked.write_text("Kế hoạch số 1/KH-UBND\n", encoding="utf-8")
    real_open = Path.open

    def denying_open(self, *args, **kwargs):
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", denying_open)
    in_process = Config(out_dir=tmp_path / "out", workers=1, file_timeout=0, max_memory_mb=0)
    summary = run_batch([good, locked], in_process, False)  # so the patch applies
    assert [r.path for r in summary.done] == [good]
    assert [r.error for r in summary.failed] == [EXPECTED["unreadable"]]
    with Catalog.in_dir(tmp_path / "out") as catalog:
        assert [r["path"] for r in catalog.unreadable()] == [str(locked)]
