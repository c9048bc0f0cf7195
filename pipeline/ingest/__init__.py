"""Stage 1: read a file by its content into pages of text.

The reader is chosen by sniffing the bytes, never by the extension: a PNG named `.pdf`
is read as the image it is.  Text files are one page; PDFs give one page per PDF page,
with pages lacking a usable text layer marked `needs_ocr` for the OCR stage; images
are pages that need OCR.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
from collections.abc import Callable
from pathlib import Path

from pipeline.config import Config
from pipeline.document import Document, Page, Source
from pipeline.errors import EmptyFileError, InputError, UnsupportedFormatError
from pipeline.vietnamese import nfc

log = logging.getLogger(__name__)


def sniff_media_type(data: bytes, name: str = "") -> str:
    """Media type from the leading bytes (the extension only separates Markdown from text)."""
    head = data[:2048]
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if head.startswith((b"GIF8", b"BM", b"RIFF")):
        return "image/other"
    text = _decode_text(data, name)
    if text is None:
        return "application/octet-stream"
    if name.lower().endswith((".md", ".markdown")) or _looks_like_markdown(text):
        return "text/markdown"
    return "text/plain"


def _decode_text(data: bytes, name: str = "") -> str | None:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; None for binary data."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data[:4096]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


_MD_HINTS = re.compile(r"^(#{1,6} |\*\*.+\*\*|- \*\*|\|.*\|\s*$)", re.MULTILINE)


def _looks_like_markdown(text: str) -> bool:
    return len(_MD_HINTS.findall(text[:20000])) >= 3


_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)](?=\s+[-*+]))\s+")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")


def strip_markdown(text: str) -> str:
    """Remove Markdown headings, emphasis, list markers and escapes; keep the words."""
    out = []
    for line in text.split("\n"):
        line = _MD_HEADING.sub("", line)
        line = _MD_LIST.sub("", line)
        for _ in range(2):  # nested emphasis (**…*…*…**)
            line = _MD_EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or "", line)
        line = _MD_ESCAPE.sub(r"\1", line)
        out.append(line.strip())
    return "\n".join(out)


def read_text(data: bytes, path: Path, media_type: str, config: Config) -> list[Page]:
    """A text or Markdown file as one page."""
    text = _decode_text(data, path.name)
    if text is None:  # sniffing already decoded it; kept for direct callers
        raise UnsupportedFormatError(f"{path.name}: not UTF-8 or UTF-16 text")
    text = nfc(text)
    if media_type == "text/markdown":
        text = strip_markdown(text)
    if not text.strip():
        raise EmptyFileError("the file has no text")
    return [Page(number=1, method="text", text=text)]


def _read_pdf(data: bytes, path: Path, media_type: str, config: Config) -> list[Page]:
    from pipeline.ingest.pdf import read_pdf

    return read_pdf(data, path, config)


def _read_image(data: bytes, path: Path, media_type: str, config: Config) -> list[Page]:
    from pipeline.ingest.images import read_image

    return read_image(data, path, config)


Reader = Callable[[bytes, Path, str, Config], list[Page]]
READERS: dict[str, Reader] = {
    "text/plain": read_text,
    "text/markdown": read_text,
    "application/pdf": _read_pdf,
    "image/png": _read_image,
    "image/jpeg": _read_image,
    "image/tiff": _read_image,
}


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def new_document(path: Path) -> Document:
    """A pending document for `path` (nothing read yet)."""
    return Document(source=Source(path=str(path)))


def ingest(doc: Document, config: Config) -> Document:
    """Stage: read the file, fill `source`, `pages` and `text.body`."""
    path = Path(doc.source.path)
    if path.is_dir():
        raise InputError("is a directory, not a file")
    try:
        data = path.read_bytes()
    except PermissionError as exc:
        raise InputError("permission denied: cannot read the file") from exc
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}") from exc
    return read_data(doc, data, config)


def read_data(doc: Document, data: bytes, config: Config) -> Document:
    """Fill `source`, `pages` and `text.body` from the bytes of `doc.source.path`.

    `ingest` reads the file and comes here; `process_text` comes here with a string's
    UTF-8 bytes, so both give the same document for the same text.
    """
    if not data.strip():
        raise EmptyFileError("the file is empty")
    name = Path(doc.source.path).name
    doc.source.sha256 = sha256_of(data)
    doc.source.size = len(data)
    doc.doc_id = doc.doc_id or doc.source.sha256[:16]
    media_type = sniff_media_type(data, name)
    doc.source.media_type = media_type
    reader = READERS.get(media_type)
    if reader is None:
        raise UnsupportedFormatError(
            f"unsupported content ({media_type}); vnplan reads text, Markdown, PDF, PNG, JPEG and TIFF"
        )
    doc.pages = reader(data, Path(doc.source.path), media_type, config)
    doc.source.pages = len(doc.pages)
    doc.collect_pages()
    return doc
