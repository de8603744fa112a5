"""Tables of carrier collaboration: which carrier organizations a shipper works with, the rules that give them
orders, and the carriers' idempotent status updates."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base


class CarrierLink(Base):
    """A shipper (organization_id) hands orders to this carrier organization."""

    __tablename__ = "carrier_links"
    __table_args__ = (UniqueConstraint("organization_id", "carrier_id"),)

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    carrier_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)


class CarrierRule(Base):
    """A new order goes to the link's carrier when it matches: inside the zone (if any), at most this heavy (if
    set), on one of these weekdays (if any, 0 = Monday, by its window or its creation in the shipper's zone).
    Rules are tried by position; the first that matches wins."""

    __tablename__ = "carrier_rules"

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    link_id: Mapped[UUID] = mapped_column(ForeignKey("carrier_links.id", ondelete="CASCADE"), index=True)
    zone_id: Mapped[UUID | None] = mapped_column(ForeignKey("zones.id", ondelete="CASCADE"), default=None)
    max_weight_kg: Mapped[float | None] = mapped_column(Float, default=None)
    weekdays: Mapped[list[int]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)


class CarrierUpdate(Base):
    """A carrier's status update under its Idempotency-Key: a retry gets the stored answer, never a second
    effect; the same key with another request is refused."""

    __tablename__ = "carrier_updates"
    __table_args__ = (UniqueConstraint("carrier_id", "idempotency_key"),)

    carrier_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    order_id: Mapped[UUID] = mapped_column()
    request_hash: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
