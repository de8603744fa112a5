"""The one clock: timezone-aware UTC now, so tests and code never mix naive and aware times."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
