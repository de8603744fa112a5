"""Idempotency-Key, one way everywhere: the optional header of a write that must happen once (creating an order,
moving a stop, a carrier's status update), and the problem when a key comes back with a different request."""

from __future__ import annotations

from typing import Annotated

from litestar.params import HeaderParameter

from backend.kit.problems import Invalid

MIN_LENGTH = 8
MAX_LENGTH = 100


IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        min_length=MIN_LENGTH,
        max_length=MAX_LENGTH,
        required=False,
        description="Retrying with the same key returns the first answer instead of doing the work again",
    ),
]


class IdempotencyKeyReused(Invalid):
    type_slug = "idempotency-key-reused"
    title = "This Idempotency-Key was used for another request"
