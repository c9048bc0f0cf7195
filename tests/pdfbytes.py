"""Hand-assembled PDFs for tests: encrypted files (no PDF writer with encryption is
installed), positioned Vietnamese text, form fields and legacy-encoded fonts."""

from __future__ import annotations

from dataclasses import dataclass


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


# ---------------------------------------------------------------------------------------
# Positioned text, form fields and legacy-encoded fonts

PAGE_WIDTH, PAGE_HEIGHT = 595, 842
"""A4 in points."""
ADVANCE = 0.5
"""Every glyph of the test fonts is half an em wide (`/DW 500`, `/Widths` of 500)."""


@dataclass
class Field:
    """A widget annotation: `text` is drawn by its appearance stream, `value` is `/V`."""

    rect: tuple[float, float, float, float]
    """x0, top, x1, bottom in points from the page's top-left corner."""
    text: str | None = None
    """Lines its appearance stream draws (None: no appearance)."""
    value: str | None = None
    field_type: bytes = b"Tx"
    flags: int = 0
    """Annotation flags (`2`: hidden)."""
    bbox_origin: tuple[float, float] = (0, 0)
    """Where the appearance's `/BBox` starts (appearances need not start at 0 0)."""
    size: float = 12
    raw_appearance: bytes | None = None
    """Content stream used instead of one drawing `text` (for broken appearances)."""


def _hex_utf16(text: str) -> bytes:
    return b"<" + text.encode("utf-16-be").hex().upper().encode() + b">"


def _identity_cmap() -> bytes:
    ranges = b"\n".join(b"<%02X00> <%02XFF> <%02X00>" % (hi, hi, hi) for hi in range(256))
    return (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        b"/CMapName /Identity-UTF16 def 1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        b"100 beginbfrange\n" + ranges + b"\nendbfrange endcmap\n"
        b"CMapName currentdict /CMap defineresource pop end end"
    )


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _show(x: float, y: float, size: float, text: str, legacy: bool, font: bytes = b"F1") -> bytes:
    """A text object at baseline (x, y) in PDF space."""
    if legacy:  # one-byte codes, as Word writes a .VnTime or VNI-Times run
        string = b"(" + text.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(")
        string = string.replace(b")", b"\\)") + b")"
    else:
        string = _hex_utf16(text)
    return b"BT /%s %.2f Tf %.2f %.2f Td %s Tj ET\n" % (font, size, x, y, string)


def positioned_pdf(
    lines: list[tuple[float, float, str]],
    fields: list[Field] = (),
    *,
    size: float = 12,
    font: bytes | None = None,
    capitals_font: bytes | None = None,
    zero_width: bytes = b"",
    rotate: int = 0,
) -> bytes:
    """A one-page A4 PDF with `(x, top, text)` lines and widget `fields`.

    The default font is a Type0 font whose codes are UTF-16 code units and whose
    `/ToUnicode` is the identity, so any Vietnamese text reads back as written.  With
    `font` (a `/BaseFont` name such as `b".VnTime"` or `b"ABCDEF+VNI-Times"`), the text
    is a simple WinAnsi font without `/ToUnicode`, and `text` must already be the legacy
    code points (`KÕ ho¹ch`), as in PDFs printed from Word with pre-Unicode fonts.  Lines
    given as `(x, top, text, True)` are set in `capitals_font` (`.VnTimeH`) instead.
    Codes in `zero_width` have no advance (VNI's mark glyphs, drawn over their letter).
    """
    legacy = font is not None
    content = b"".join(
        _show(x, PAGE_HEIGHT - top - size, size, rest[0], legacy, b"F2" if rest[1:] else b"F1")
        for x, top, *rest in lines
    )
    field_numbers = list(range(8, 8 + 2 * len(fields), 2))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [%s] "
        b"/DR << /Font << /F1 5 0 R >> >> >> >>" % b" ".join(b"%d 0 R" % n for n in field_numbers),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R /Rotate %d"
        b" /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> /Annots [%s] >>"
        % (PAGE_WIDTH, PAGE_HEIGHT, rotate, b" ".join(b"%d 0 R" % n for n in field_numbers)),
        _stream(content),
    ]
    if legacy:
        # As Word prints a .VnTime run: a TrueType font whose /ToUnicode maps each code to
        # the Latin-1 character of the same number (so TCVN3's ư, code 0xAD, is U+00AD).
        widths = b" ".join(b"0" if code in zero_width else b"500" for code in range(32, 256))
        descriptor = (
            b"/FontDescriptor << /Type /FontDescriptor /FontName /%s /Flags 32"
            b" /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 900 /Descent -200"
            b" /CapHeight 700 /StemV 80 >>"
        )
        simple = (
            b"<< /Type /Font /Subtype /TrueType /BaseFont /%s /FirstChar 32 /LastChar 255"
            b" /Widths [%s] /Encoding /WinAnsiEncoding /ToUnicode 7 0 R " + descriptor + b" >>"
        )
        bytes_cmap = (
            b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            b"1 begincodespacerange <00> <FF> endcodespacerange\n"
            b"1 beginbfrange <20> <FF> <0020> endbfrange endcmap\n"
            b"CMapName currentdict /CMap defineresource pop end end"
        )
        capitals = capitals_font or font
        objects += [
            simple % (font, widths, font),
            simple % (capitals, widths, capitals),
            _stream(bytes_cmap),
        ]
    else:
        objects += [
            b"<< /Type /Font /Subtype /Type0 /BaseFont /DejaVuSerif /Encoding /Identity-H"
            b" /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /DejaVuSerif /DW 500"
            b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>",
            _stream(_identity_cmap()),
        ]
    for number, f in zip(field_numbers, fields, strict=True):
        x0, top, x1, bottom = f.rect
        rect = (x0, PAGE_HEIGHT - bottom, x1, PAGE_HEIGHT - top)
        entries = b"/Type /Annot /Subtype /Widget /FT /%s /T (field%d) /F %d" % (
            f.field_type,
            number,
            f.flags,
        )
        entries += b" /Rect [%.2f %.2f %.2f %.2f] /P 3 0 R" % rect
        if f.value is not None:
            entries += b" /V " + _hex_utf16("\ufeff" + f.value)
        if f.text is not None or f.raw_appearance is not None:
            entries += b" /AP << /N %d 0 R >>" % (number + 1)
        objects.append(b"<< " + entries + b" >>")
        ox, oy = f.bbox_origin
        width, height = x1 - x0, bottom - top
        if f.raw_appearance is not None:
            drawn = f.raw_appearance
        else:
            drawn = b"".join(
                _show(ox + 1, oy + height - (k + 1) * f.size * 1.1, f.size, line, legacy)
                for k, line in enumerate((f.text or "").split("\n"))
            )
        objects.append(
            _stream(
                drawn,
                b"/Type /XObject /Subtype /Form /BBox [%.2f %.2f %.2f %.2f]"
                b" /Resources << /Font << /F1 5 0 R >> >> " % (ox, oy, ox + width, oy + height),
            )
        )
    return assemble_pdf(objects)


def text_width(text: str, size: float = 12) -> float:
    """Width of `text` in the test fonts."""
    return ADVANCE * size * len(text)


def stamped_scan_pdf(stamp: list[str]) -> bytes:
    """A one-page scan (a gray image over the whole page) whose only text is the
    e-office signature box `stamp`, small at the top right, as signing software adds it."""
    pixels = bytes([255]) * 64
    content = b"q %d 0 0 %d 0 0 cm /Im1 Do Q\n" % (PAGE_WIDTH, PAGE_HEIGHT) + b"".join(
        _show(400, PAGE_HEIGHT - 30 - 9 * k, 7, line, False) for k, line in enumerate(stamp)
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> /XObject << /Im1 8 0 R >> >> >>"
        % (PAGE_WIDTH, PAGE_HEIGHT),
        _stream(content),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /DejaVuSerif /Encoding /Identity-H"
        b" /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /DejaVuSerif /DW 500"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>",
        _stream(_identity_cmap()),
        _stream(
            pixels,
            b"/Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray"
            b" /BitsPerComponent 8 ",
        ),
    ]
    return assemble_pdf(objects)
