"""What an uploaded image may be: JPEG, PNG or WebP by its bytes (never by its name or header), at most
4096 px a side, decoded and re-encoded so no metadata (EXIF GPS, comments) or trailing payload survives."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

MAX_SIDE_PX = 4096
MAX_PIXELS = MAX_SIDE_PX * MAX_SIDE_PX

# magic bytes → (media type, Pillow format)
_SIGNATURES: tuple[tuple[bytes, int, str, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "PNG"),
    (b"WEBP", 8, "image/webp", "WEBP"),
)


class ImageRefused(ValueError):
    """Not an image we take; the message says why, for the problem detail."""


@dataclass(frozen=True, slots=True)
class CleanImage:
    content_type: str
    data: bytes
    width: int
    height: int


def sniff(data: bytes) -> tuple[str, str] | None:
    """(media type, Pillow format) from the first bytes, or None."""
    for magic, offset, media_type, fmt in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic and (fmt != "WEBP" or data[:4] == b"RIFF"):
            return media_type, fmt
    return None


def clean(data: bytes) -> CleanImage:
    """Decode, bound and re-encode; raises ImageRefused with a plain reason."""
    kind = sniff(data)
    if kind is None:
        raise ImageRefused("Only JPEG, PNG and WebP images are accepted")
    media_type, fmt = kind
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                width, height = image.size
                if max(width, height) > MAX_SIDE_PX:
                    raise ImageRefused(f"Images are limited to {MAX_SIDE_PX} px a side; this one is {width}x{height}")
                image.load()
                out = io.BytesIO()
                if fmt == "JPEG":
                    image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
                elif fmt == "PNG":
                    keep = image if image.mode in ("1", "L", "LA", "P", "RGB", "RGBA") else image.convert("RGBA")
                    keep.save(out, "PNG", optimize=True)
                else:
                    image.save(out, "WEBP", quality=85)
    except ImageRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as exc:
        raise ImageRefused("The image could not be decoded") from exc
    except Image.DecompressionBombError as exc:
        raise ImageRefused("The image has too many pixels") from exc
    return CleanImage(content_type=media_type, data=out.getvalue(), width=width, height=height)
