"""Bounded offset pagination shared by every list endpoint."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

import msgspec
from litestar.params import QueryParameter

T = TypeVar("T")

MAX_LIMIT = 200  # a page never holds more; clients page through the rest
DEFAULT_LIMIT = 50

LimitParam = Annotated[int, QueryParameter(name="limit", ge=1, le=MAX_LIMIT)]
OffsetParam = Annotated[int, QueryParameter(name="offset", ge=0, le=10_000_000)]


class Page(msgspec.Struct, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
