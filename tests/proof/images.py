"""Test images made on the spot with Pillow (nothing binary committed)."""

from __future__ import annotations

import hashlib
import io

from PIL import Image


def jpeg(width: int = 64, height: int = 48, colour: tuple[int, int, int] = (200, 40, 40), gps: bool = False) -> bytes:
    image = Image.new("RGB", (width, height), colour)
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd[1] = "N"
        gps_ifd[2] = (60.0, 10.0, 30.0)
        gps_ifd[3] = "E"
        gps_ifd[4] = (24.0, 56.0, 15.0)
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def png(width: int = 300, height: int = 120) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 0, 0, 0)).save(out, "PNG")
    return out.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
