"""Webhook signatures, Stripe's scheme: `Doorstep-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]` where each v1
is HMAC-SHA256 of `<t>.<body>` under one of the endpoint's secrets (two during a secret rotation).

`verify` is the reference check for receivers (README, "Webhooks"): the timestamp within 5 minutes of the
receiver's clock (a replay of an old request fails), the MAC compared in constant time, and the event id
(`Doorstep-Event-Id`) remembered by the receiver to drop a duplicate (deliveries are at least once)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence

SIGNATURE_HEADER = "Doorstep-Signature"
TOLERANCE_S = 300


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secrets_: Sequence[str], timestamp: int, body: bytes) -> str:
    return ",".join([f"t={timestamp}", *(f"v1={mac(s, timestamp, body)}" for s in secrets_)])


def verify(
    header: str | None, body: bytes, secrets_: Sequence[str], *, now: float, tolerance_s: int = TOLERANCE_S
) -> bool:
    """True when `header` signs `body` under one of `secrets_` and its timestamp is within the tolerance."""
    if not header or len(header) > 1024:
        return False
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates or abs(now - timestamp) > tolerance_s:
        return False
    expected = [mac(s, timestamp, body) for s in secrets_]
    return any(hmac.compare_digest(e, c) for e in expected for c in candidates)
