"""The inbox's one table: which items a dispatcher marked handled. The items themselves are computed from the
tables that own them (stops, routes, positions, sync commands, webhooks), never copied here."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base

ITEM_KEY_MAX_LENGTH = 120


class InboxAcknowledgement(Base):
    """An item handled, once per organization: acknowledging it again changes nothing."""

    __tablename__ = "inbox_acknowledgements"
    __table_args__ = (UniqueConstraint("organization_id", "item_key"),)

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    # "failed_attempt:<stop id>", "driver_offline:<route id>:<epoch s>"... (inbox/service.py builds them)
    item_key: Mapped[str] = mapped_column(String(ITEM_KEY_MAX_LENGTH))
    acknowledged_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    actor: Mapped[str] = mapped_column(String(80))
    acknowledged_at: Mapped[datetime]
