"""Tokens and their hashes: random tokens from the OS CSPRNG, stored only as SHA-256 digests."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def keyed_token(key: bytes, message: str, nbytes: int = 16) -> str:
    """A token derived from a server secret: reproducible for staff, unguessable for anyone else."""
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()[:nbytes]
    return digest.hex()
