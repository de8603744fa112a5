"""Customer tracking tokens: 128 bits derived from the secret key and the order id; only their hash is stored."""

from __future__ import annotations

from uuid import UUID

from backend.kit.secrets import keyed_token, token_hash


def tracking_token(secret_key: str, order_id: UUID) -> str:
    return keyed_token(secret_key.encode(), f"tracking:{order_id}", nbytes=16)


def tracking_token_hash(secret_key: str, order_id: UUID) -> str:
    return token_hash(tracking_token(secret_key, order_id))


def tracking_url(public_base_url: str, secret_key: str, order_id: UUID) -> str:
    return f"{public_base_url}/track/{tracking_token(secret_key, order_id)}"
