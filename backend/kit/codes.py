"""Short codes people read aloud or type from a phone screen (pickups, returns), and what a counter scans or
types back: the code alone, or the QR's text with its prefix, in any case, with spaces or dashes."""

from __future__ import annotations

import secrets

# no 0/O, 1/I/L, 2/Z, 5/S, 8/B: read aloud or typed without mistakes
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def read_code(raw: str, qr_prefix: str) -> str:
    """The code as stored, from what was typed or scanned: the QR's prefix dropped, spaces and dashes ignored."""
    text = raw.strip().upper()
    if text.startswith(qr_prefix):
        text = text[len(qr_prefix) :]
    return "".join(ch for ch in text if ch.isalnum())
