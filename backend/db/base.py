"""The declarative base: UUIDv7 keys, UTC audit timestamps and a constraint naming convention.

advanced-alchemy's `UUIDv7AuditBase` gives `id` (UUIDv7, time-ordered), `created_at` and `updated_at`
(timezone-aware UTC) and a metadata with a naming convention; every Doorstep table derives from it.
"""

from __future__ import annotations

import enum

from advanced_alchemy.base import UUIDv7AuditBase, orm_registry
from sqlalchemy import Enum

Base = UUIDv7AuditBase
metadata = orm_registry.metadata

__all__ = ["Base", "metadata", "str_enum"]


def str_enum(cls: type[enum.Enum], name: str, length: int = 32) -> Enum:
    """An enum stored as its values in a string column with a CHECK constraint (no native type to migrate)."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        length=length,
        create_constraint=True,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )
