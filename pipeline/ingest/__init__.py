"""Stage 1: read a file by its content into pages of text.

The reader is chosen by sniffing the bytes, never by the extension: a PNG named `.pdf`
is read as the image it is, a Word document named `.doc` as the DOCX it is.  Text files
and Word documents are one page; PDFs give one page per PDF page, with pages lacking a
usable text layer marked `needs_ocr` for the OCR stage; images are pages that need OCR.

Text in the pre-Unicode TCVN3 and VNI encodings is converted to Unicode here, before
anything reads it (`pipeline.ingest.legacy`): by font name in Word runs and PDF text
layers, by content in plain text.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import re
from collections.abc import Callable
from pathlib import Path

from pipeline.config import Config
from pipeline.document import Document, Page, Source
from pipeline.errors import EmptyFileError, InputError, UnsupportedFormatError
from pipeline.ingest import legacy
from pipeline.vietnamese import nfc

log = logging.getLogger(__name__)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC_TYPE = "application/msword"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""Compound File Binary: legacy Word `.doc` (also `.xls`, `.msg`; told apart by name)."""
ZIP_MAGIC = b"PK\x03\x04"
LEGACY_TEXT_CONTROL_SHARE = 0.01
"""Bytes that are neither UTF-8 nor text: more control characters than this share (other
than tab, newline, carriage return and form feed) make the file binary."""


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
    if head.startswith(ZIP_MAGIC):
        return _zip_type(data)
    if head.startswith(OLE2_MAGIC):
        return DOC_TYPE if _ole_is_word(data) else "application/x-ole-storage"
    text = _decode_text(data, name)
    if text is None:
        return "application/octet-stream"
    if name.lower().endswith((".md", ".markdown")) or _looks_like_markdown(text):
        return "text/markdown"
    return "text/plain"


def _zip_type(data: bytes) -> str:
    """A ZIP file is a Word document when it holds `word/document.xml`."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return "application/zip"
    if "word/document.xml" in names:
        return DOCX_TYPE
    if "xl/workbook.xml" in names:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return "application/zip"


def _ole_is_word(data: bytes) -> bool:
    """A compound file with a `WordDocument` stream (its name is stored in UTF-16)."""
    return "WordDocument".encode("utf-16-le") in data[:1_000_000]


def _decode_text(data: bytes, name: str = "") -> str | None:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or a single-byte legacy text (as its
    Latin-1 characters, for `legacy` to read); None for binary data."""
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
        pass
    control = sum(1 for b in data[:65536] if b < 0x20 and b not in b"\t\n\r\f")
    if control > LEGACY_TEXT_CONTROL_SHARE * min(len(data), 65536):
        return None
    text = legacy.decode_bytes(data)
    return text if legacy.detect(text) != legacy.UNICODE else None


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
        raise UnsupportedFormatError(f"{path.name}: not UTF-8, UTF-16, TCVN3 or VNI text")
    encoding = legacy.detect(text)
    if encoding == legacy.TCVN3:
        text = legacy.decode_plain_tcvn3(text)
    elif encoding == legacy.VNI:
        text = legacy.decode_vni(text)
    if encoding != legacy.UNICODE:
        log.info("%s: %s text converted to Unicode", path.name, encoding.upper())
    text = nfc(text)
    if media_type == "text/markdown":
        text = strip_markdown(text)
    if not text.strip():
        raise EmptyFileError("the file has no text")
    return [Page(number=1, method="text", text=text, encoding=encoding)]


def _read_pdf(data: bytes, path: Path, media_type: str, config: Config) -> list[Page]:
    from pipeline.ingest.pdf import read_pdf

    return read_pdf(data, path, config)


def _read_docx(data: bytes, path: Path, media_type: str, config: Config) -> list[Page]:
    from pipeline.ingest.docx import read_docx

    return read_docx(data, path, config)


def _read_doc(data: bytes, path: Path, media_type: str, config: Config) -> list[Page]:
    from pipeline.ingest.docx import read_doc

    return read_doc(data, path, config)


def _read_image(data: bytes, path: Path, media_type: str, config: Config) -> list[Page]:
    from pipeline.ingest.images import read_image

    return read_image(data, path, config)


Reader = Callable[[bytes, Path, str, Config], list[Page]]
READERS: dict[str, Reader] = {
    "text/plain": read_text,
    "text/markdown": read_text,
    "application/pdf": _read_pdf,
    DOCX_TYPE: _read_docx,
    DOC_TYPE: _read_doc,
    "image/png": _read_image,
    "image/jpeg": _read_image,
    "image/tiff": _read_image,
}


def summarize_encodings(encodings) -> str:
    """`unicode`, the one legacy encoding any part was converted from, or `mixed`."""
    found = {e for e in encodings if e != legacy.UNICODE}
    if not found:
        return legacy.UNICODE
    return found.pop() if len(found) == 1 else "mixed"


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
            f"unsupported content ({media_type}); vnplan reads text, Markdown, Word (DOCX), "
            "PDF, PNG, JPEG and TIFF"
        )
    doc.pages = reader(data, Path(doc.source.path), media_type, config)
    doc.source.pages = len(doc.pages)
    doc.source.encoding = summarize_encodings(page.encoding for page in doc.pages)
    doc.collect_pages()
    return doc
