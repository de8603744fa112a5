"""The record of every offline command the server has answered: its id is the phone's idempotency key."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, str_enum


class CommandOutcome(enum.StrEnum):
    applied = "applied"
    rejected = "rejected"


class SyncCommand(Base):
    """One command, kept (at least `SYNC_KEY_RETENTION_DAYS`) so a replay is answered `duplicate` instead of
    being applied again. The primary key is the command's own id, so two replays racing in two processes
    collide on insert and exactly one applies."""

    __tablename__ = "sync_commands"
    __table_args__ = (
        Index("ix_sync_commands_org_recorded", "organization_id", "recorded_at"),
        Index("ix_sync_commands_recorded_at", "recorded_at"),  # the retention purge
    )

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    principal_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    type: Mapped[str] = mapped_column(String(32))
    route_id: Mapped[UUID | None] = mapped_column(default=None)
    stop_id: Mapped[UUID | None] = mapped_column(default=None)
    order_id: Mapped[UUID | None] = mapped_column(default=None)
    # SHA-256 of the canonical command: the same key with another payload is refused, never applied
    payload_hash: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[CommandOutcome] = mapped_column(str_enum(CommandOutcome, "command_outcome"))
    reason: Mapped[str | None] = mapped_column(String(32), default=None)
    message: Mapped[str | None] = mapped_column(Text, default=None)
    occurred_at: Mapped[datetime]  # the phone's clock
    recorded_at: Mapped[datetime]  # the server's
