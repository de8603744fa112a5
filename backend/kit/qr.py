"""QR codes as standalone SVG documents (with the SVG namespace, so browsers load them as images)."""

from __future__ import annotations

import io

import segno


def qr_svg(text: str) -> bytes:
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=8, border=2, dark="#000", light="#fff", xmldecl=False)
    return out.getvalue()
