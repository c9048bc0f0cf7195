"""Image inputs (PNG, JPEG, single- and multi-page TIFF): one page per frame, all to OCR.

The decompression-bomb guard reads only the header: Pillow's `Image.open` is lazy, so
each frame's size is checked against `config.max_image_pixels` before any pixel is
decoded.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from pipeline.config import Config
from pipeline.document import Page
from pipeline.errors import CorruptImageError, FileTooLargeError, ImageTooLargeError

log = logging.getLogger(__name__)

A4_SHORT_SIDE_INCHES = 8.27
"""Used to estimate the resolution of images that do not record one (phone captures)."""


def _open_lazily(data: bytes) -> Image.Image:
    """Open an image (header only), translating Pillow's errors at the edge."""
    # Our own guard (`_check_size`, on the header's size) is the one that decides, with
    # the configured limit; Pillow's global one is lifted while the header is read.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        old_limit = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = None
        try:
            image = Image.open(io.BytesIO(data))
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise CorruptImageError(f"cannot decode the image: {exc}") from exc
        finally:
            Image.MAX_IMAGE_PIXELS = old_limit
    return image


@contextmanager
def _open(data: bytes) -> Iterator[Image.Image]:
    """The lazily opened image, closed after use."""
    image = _open_lazily(data)
    try:
        yield image
    finally:
        image.close()


def _check_size(image: Image.Image, config: Config, frame: int) -> None:
    width, height = image.size
    if width * height > config.max_image_pixels:
        raise ImageTooLargeError(
            f"frame {frame} is {width}×{height} pixels, over the limit of "
            f"{config.max_image_pixels} (--max-pixels)"
        )
    if width == 0 or height == 0:
        raise CorruptImageError(f"frame {frame} has no pixels")


def frame_count(data: bytes, config: Config) -> int:
    """Number of frames (pages), each checked against the pixel limit.

    Raises:
        FileTooLargeError: more frames than `config.max_pages` (counting stops there).
    """
    with _open(data) as image:
        # Pillow counts TIFF frames by walking the IFD chain: seek one past the limit
        # instead of asking `n_frames`, so a file of a million frames costs max_pages seeks.
        try:
            image.seek(min(config.max_pages, 1 << 30))
            too_many = True
        except EOFError:
            too_many = False
        except (OSError, SyntaxError, ValueError) as exc:
            raise CorruptImageError(f"cannot decode the image: {exc}") from exc
        if too_many:
            raise FileTooLargeError(
                f"more than {config.max_pages} frames (pages), the limit (--max-pages)"
            )
        image.seek(0)
        count = getattr(image, "n_frames", 1) or 1
        for index in range(count):
            try:
                image.seek(index)
            except EOFError:
                return index
            _check_size(image, config, index + 1)
        return count


def read_image(data: bytes, path: Path, config: Config) -> list[Page]:
    """Pages for each frame of the image, to be recognised by the OCR stage."""
    count = frame_count(data, config)
    if count == 0:
        raise CorruptImageError("the image has no frames")
    return [Page(number=n, method="none", needs_ocr=True) for n in range(1, count + 1)]


def image_dpi(image: Image.Image) -> int:
    """The recorded resolution, else an estimate assuming an A4 page fills the image."""
    dpi = image.info.get("dpi")
    if dpi:
        try:
            value = round(float(dpi[0]))
        except (TypeError, ValueError, IndexError):
            value = 0
        if 50 <= value <= 2400:
            return value
    estimate = round(min(image.size) / A4_SHORT_SIDE_INCHES)
    return max(50, min(estimate, 600))


def _upright(frame: Image.Image) -> Image.Image:
    """Apply the EXIF orientation (phone captures store pixels sideways and say so in EXIF).

    Without such a tag the frame itself is returned: `exif_transpose` would copy it.
    """
    if frame.getexif().get(ExifTags.Base.Orientation, 1) in (0, 1):
        return frame
    return ImageOps.exif_transpose(frame) or frame


def _decode_frame(data: bytes, number: int, config: Config) -> tuple[Image.Image, int]:
    """One frame decoded in its own image object, and its dpi.

    Each frame gets its own `Image.open`, so it can be handed over without the copy that
    freeing it from a shared, seekable image would need (~5 ms for an A4 page).
    """
    image = _open_lazily(data)
    try:
        image.seek(number - 1)
        _check_size(image, config, number)
        image.load()
    except EOFError as exc:
        raise CorruptImageError(f"frame {number} is missing") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise CorruptImageError(f"cannot decode frame {number}: {exc}") from exc
    return image, image_dpi(image)


def frames(
    data: bytes, numbers: list[int], config: Config
) -> Iterator[tuple[int, Image.Image, int]]:
    """(page number, decoded upright image, dpi) for the wanted frames."""
    for number in numbers:
        frame, dpi = _decode_frame(data, number, config)
        yield number, _upright(frame), dpi
