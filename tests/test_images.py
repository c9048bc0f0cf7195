"""Image inputs: PNG, JPEG, multi-page TIFF, the bomb guard, corrupt images."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from pipeline.config import Config
from pipeline.errors import CorruptImageError, ImageTooLargeError
from pipeline.ingest import ingest, new_document, sniff_media_type
from pipeline.ingest.images import frames, image_dpi, read_image

SCANS = Path(__file__).parent / "data" / "scans"


@pytest.fixture
def body_image() -> Image.Image:
    """The tiny rendered body-text strip."""
    return Image.open(SCANS / "body.png").convert("L")


def _encode(image: Image.Image, fmt: str, **params) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **params)
    return buf.getvalue()


def test_png_is_one_page_to_ocr(body_image):
    data = _encode(body_image, "PNG", dpi=(300, 300))
    pages = read_image(data, Path("a.png"), Config())
    assert [(p.number, p.method, p.needs_ocr) for p in pages] == [(1, "none", True)]


def test_jpeg_frame_keeps_its_dpi(body_image):
    data = _encode(body_image, "JPEG", dpi=(200, 200), quality=80)
    assert sniff_media_type(data) == "image/jpeg"
    [(number, image, dpi)] = list(frames(data, [1], Config()))
    assert (number, dpi, image.size) == (1, 200, body_image.size)


def test_multipage_tiff_gives_one_page_per_frame(body_image):
    second = body_image.rotate(180)
    data = _encode(body_image, "TIFF", save_all=True, append_images=[second, body_image])
    pages = read_image(data, Path("a.tif"), Config())
    assert [p.number for p in pages] == [1, 2, 3]
    got = list(frames(data, [2, 3], Config()))
    assert [n for n, _, _ in got] == [2, 3]
    assert got[0][1].tobytes() == second.tobytes()


def test_image_dpi_estimated_when_absent():
    image = Image.new("L", (1654, 2339), 255)  # A4 at 200 dpi, no dpi recorded
    assert image_dpi(image) == 200


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims `width`×`height` pixels but carries no pixel data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def test_bomb_guard_refuses_before_decoding():
    # 100 000 × 100 000 pixels would be 10 GB decoded; the header alone must be refused.
    data = _png_header_only(100_000, 100_000)
    with pytest.raises(ImageTooLargeError):
        read_image(data, Path("bomb.png"), Config())


def test_bomb_guard_uses_the_config_limit(body_image):
    data = _encode(body_image, "PNG")
    with pytest.raises(ImageTooLargeError, match="--max-pixels"):
        read_image(data, Path("a.png"), Config(max_image_pixels=1000))
    assert read_image(data, Path("a.png"), Config())  # the default limit lets it through


def test_corrupt_image(body_image):
    data = _encode(body_image, "PNG")
    with pytest.raises(CorruptImageError):
        list(frames(data[: len(data) // 2], [1], Config()))
    with pytest.raises(CorruptImageError):
        read_image(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, Path("x.png"), Config())


def test_ingest_marks_image_pages_for_ocr(tmp_path, body_image):
    path = tmp_path / "scan.jpg"
    path.write_bytes(_encode(body_image, "JPEG"))
    doc = ingest(new_document(path), Config())
    assert doc.source.media_type == "image/jpeg"
    assert [p.needs_ocr for p in doc.pages] == [True]


def test_exif_orientation_turns_the_frame_upright(body_image):
    # Phone captures store the pixels sideways with EXIF Orientation 6 (turn 90° CW).
    exif = Image.Exif()
    exif[0x0112] = 6
    data = _encode(body_image, "JPEG", exif=exif.tobytes())
    [(_, image, _)] = list(frames(data, [1], Config()))
    assert image.size == (body_image.height, body_image.width)


def test_frames_stay_usable_after_the_next_is_decoded(body_image):
    second = body_image.rotate(180)
    data = _encode(body_image, "TIFF", save_all=True, append_images=[second])
    source = frames(data, [1, 2], Config())
    _, first, _ = next(source)
    _, later, _ = next(source)
    assert first.tobytes() == body_image.tobytes()  # not overwritten by frame 2
    assert later.tobytes() == second.tobytes()
