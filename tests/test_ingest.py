"""Ingest: sniffing by content, text decodings, Markdown stripping, input errors."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.errors import EmptyFileError, InputError, UnsupportedFormatError
from pipeline.ingest import ingest, new_document, sniff_media_type, strip_markdown

PLAN = "Số: 24 /KH-UBND\nHải Phòng, ngày 26 tháng 01 năm 2026\nKẾ HOẠCH\n"


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"%PDF-1.7\n...", "x.txt", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n....", "scan.pdf", "image/png"),
        (b"\xff\xd8\xff\xe0....", "a.png", "image/jpeg"),
        (b"II*\x00....", "a", "image/tiff"),
        (PLAN.encode(), "plan.txt", "text/plain"),
        (PLAN.encode(), "plan.md", "text/markdown"),
        (b"\x00\x01\x02\xff\xfe garbage", "x.txt", "application/octet-stream"),
    ],
)
def test_sniff_uses_content_not_extension(data: bytes, name: str, expected: str) -> None:
    assert sniff_media_type(data, name) == expected


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.encode("utf-8"),
        lambda s: codecs.BOM_UTF8 + s.encode("utf-8"),
        lambda s: s.encode("utf-16"),  # with BOM
    ],
    ids=["utf8", "utf8-bom", "utf16"],
)
def test_text_encodings_give_the_same_nfc_text(tmp_path: Path, encode) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes(encode(PLAN))
    doc = ingest(new_document(path), Config())
    assert doc.text.body == PLAN.strip("\n")
    assert doc.pages[0].method == "text"
    assert doc.source.media_type == "text/plain"
    assert len(doc.doc_id) == 16 and doc.source.sha256.startswith(doc.doc_id)


def test_decomposed_marks_are_composed(tmp_path: Path) -> None:
    path = tmp_path / "nfd.txt"
    path.write_text("Ke\u0302\u0301 hoa\u0323ch", encoding="utf-8")
    assert ingest(new_document(path), Config()).text.body == "Kế hoạch"


def test_strip_markdown_keeps_words() -> None:
    md = "## II. NHIỆM VỤ\n**KẾ HOẠCH**  \n- a) Kiểm tra (*nếu có*).\n  - Bộ Nội vụ;\n__Đậm__ và *nghiêng*"
    assert strip_markdown(md).split("\n") == [
        "II. NHIỆM VỤ",
        "KẾ HOẠCH",
        "a) Kiểm tra (nếu có).",
        "Bộ Nội vụ;",
        "Đậm và nghiêng",
    ]


def test_numbered_lines_are_not_list_markers() -> None:
    assert strip_markdown("1. Quý I năm 2026") == "1. Quý I năm 2026"


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"  \n")
    with pytest.raises(EmptyFileError, match="empty"):
        ingest(new_document(path), Config())


def test_binary_content_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(UnsupportedFormatError, match="unsupported content"):
        ingest(new_document(path), Config())


def test_directory_is_an_input_error(tmp_path: Path) -> None:
    folder = tmp_path / "plan.pdf"
    folder.mkdir()
    with pytest.raises(InputError, match="directory"):
        ingest(new_document(folder), Config())
