"""Hostile inputs, generated: files built to exhaust time or memory, with their verdicts.

Each generator returns the bytes of one file (nothing binary is stored in the repo).
The sizes are parameters: the tests use small ones (their budgets are small too), the
benchmark (`benchmarks/bench_hostile.py`) the sizes of the issue that reported them.
`HOSTILE` lists every case with the start of the one-line error it must fail with under
`tests.test_budgets.SMALL_BUDGETS`.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pdfbytes import assemble_pdf
from PIL import Image

DRAWING = b"0 0 m 612 792 l S 1 0 0 1 0.01 0 cm\n"
"""One line of drawing operators: a diagonal stroke and a tiny shift (pdfminer and pdfium
both have to interpret every line of it)."""


def _deflate(chunks: Iterator[bytes]) -> bytes:
    """zlib-compress a stream of chunks without ever holding the inflated whole."""
    packer = zlib.compressobj(9)
    out = [packer.compress(chunk) for chunk in chunks]
    out.append(packer.flush())
    return b"".join(out)


def flate_bomb_pdf(inflated_mb: float = 200.0) -> bytes:
    """One page whose content stream inflates to `inflated_mb` MB of drawing operators."""
    block = DRAWING * (1 << 14)  # ~0.6 MB per chunk
    count = max(1, int(inflated_mb * 1e6 / len(block)))
    stream = _deflate(block for _ in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    return assemble_pdf(objects)


def many_pages_pdf(pages: int = 3000) -> bytes:
    """`pages` pages sharing one small text content stream (a tiny file, a long document)."""
    content = b"BT /F1 12 Tf 72 720 Td (Trang) Tj ET"
    first_page = 5
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R"
        b" /Resources << /Font << /F1 4 0 R >> >> >>"
    )
    objects.extend(page for _ in range(pages))
    return assemble_pdf(objects)


def recursive_page_tree_pdf() -> bytes:
    """A page tree whose node lists itself among its kids (one page claimed, none there)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 1 >>",
        b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 1 >>",
    ]
    return assemble_pdf(objects)


def huge_image_pdf(side: int = 60_000) -> bytes:
    """A page covered by a `side`×`side` gray image whose stream is a few kilobytes of zeros."""
    row = b"\x00" * side
    stream = _deflate(row for _ in range(min(side, 64)))  # the rest is missing: never read
    content = b"q 612 0 0 792 0 0 cm /Im1 Do Q"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /XObject << /Im1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray"
        b" /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
        % (side, side, len(stream))
        + stream
        + b"\nendstream",
    ]
    return assemble_pdf(objects)


def lying_jpeg(width: int = 40_000, height: int = 40_000) -> bytes:
    """A 16×16 JPEG whose frame header claims `width`×`height` pixels."""
    buffer = io.BytesIO()
    Image.new("L", (16, 16), 255).save(buffer, format="JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.find(b"\xff\xc0")  # baseline frame header: FFC0 len(2) precision(1) H(2) W(2)
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def noise_tiff(frames: int = 300, size: tuple[int, int] = (1654, 2339)) -> bytes:
    """A multi-page TIFF of uniform gray noise (`size` is A4 at 200 dpi by default)."""
    rng = random.Random(20)
    width, height = size
    images = [Image.frombytes("L", size, rng.randbytes(width * height)) for _ in range(frames)]
    buffer = io.BytesIO()
    images[0].save(
        buffer, format="TIFF", save_all=True, append_images=images[1:], compression="raw"
    )
    return buffer.getvalue()


def blank_tiff(frames: int = 40, size: tuple[int, int] = (1654, 2339)) -> bytes:
    """A multi-page TIFF of white pages (a scanner's empty backs), group-4 compressed."""
    images = [Image.new("1", size, 1) for _ in range(frames)]
    buffer = io.BytesIO()
    images[0].save(
        buffer, format="TIFF", save_all=True, append_images=images[1:], compression="group4"
    )
    return buffer.getvalue()


@dataclass(frozen=True)
class Case:
    """One hostile file: its name, how to make it, and the start of its expected error."""

    name: str
    make: Callable[[], bytes]
    expected: str


HOSTILE: tuple[Case, ...] = (
    Case(
        "flate-bomb.pdf",
        lambda: flate_bomb_pdf(20.0),
        "FileTooLargeError: page 1 has more than 4 MB of drawing content",
    ),
    Case(
        "many-pages.pdf",
        lambda: many_pages_pdf(300),
        "FileTooLargeError: 300 pages, more than the limit of 50 (--max-pages)",
    ),
    Case(
        "many-frames.tiff",
        lambda: noise_tiff(60, (64, 64)),
        "FileTooLargeError: more than 50 frames (pages), the limit (--max-pages)",
    ),
    Case(
        "noise.tiff",
        lambda: noise_tiff(3, (827, 1169)),
        "EmptyFileError: no readable text on any of the 3 pages (blank or noise)",
    ),
    Case("recursive-tree.pdf", recursive_page_tree_pdf, "CorruptPdfError: "),
    Case("huge-image.pdf", huge_image_pdf, "ImageTooLargeError: page image of 60000×60000"),
    Case("lying.jpg", lying_jpeg, "ImageTooLargeError: frame 1 is 40000×40000 pixels"),
)
"""Every hostile case, at test sizes, with its verdict under the tests' small budgets."""


def write_hostile(folder: Path) -> dict[str, Path]:
    """Write every case of `HOSTILE` into `folder`; returns the paths by case name."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for case in HOSTILE:
        path = folder / case.name
        path.write_bytes(case.make())
        paths[case.name] = path
    return paths
