"""Hand-assembled PDFs for tests (no PDF writer with encryption is installed)."""

from __future__ import annotations


def assemble_pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF whose numbered objects are `objects` (1-based), with a correct xref table.

    Object 1 must be the catalog; `trailer` adds entries to the trailer dictionary.
    """
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def encrypted_pdf() -> bytes:
    """A one-page PDF with a standard security handler whose password is unknown."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -44 >>" % (b"11" * 32, b"22" * 32),
    ]
    file_id = b"ab" * 16
    return assemble_pdf(objects, b"/Encrypt 4 0 R /ID [<%s> <%s>] " % (file_id, file_id))


def text_pdf(text: bytes = b"Ke hoach so 24/KH-UBND") -> bytes:
    """A one-page PDF with `text` in its text layer (Helvetica, ASCII only)."""
    stream = b"BT /F1 12 Tf 72 720 Td (%s) Tj ET" % text
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return assemble_pdf(objects)
