"""Tables of the store domain: which staff work at which store, and each in-store pickup's progress."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base


class StoreAssignment(Base):
    """A store_staff user works at this store (one row per store; staff see only their stores)."""

    __tablename__ = "store_assignments"
    __table_args__ = (UniqueConstraint("user_id", "location_id"),)

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[UUID] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))


class Pickup(Base):
    """An in-store pickup order from its first parcel scanned in to its hand-over (or expiry)."""

    __tablename__ = "pickups"
    __table_args__ = (UniqueConstraint("store_id", "code"),)

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    store_id: Mapped[UUID] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"), index=True)
    # what the customer types or shows at the counter (their QR carries it too); unique per store
    code: Mapped[str] = mapped_column(String(8))
    shelf: Mapped[str | None] = mapped_column(String(32), default=None)
    scanned: Mapped[list[str]] = mapped_column(JSON, default=list)  # barcodes scanned in at the store
    ready_at: Mapped[datetime | None] = mapped_column(default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    reminded_at: Mapped[datetime | None] = mapped_column(default=None)
    expiry_warned_at: Mapped[datetime | None] = mapped_column(default=None)
    customer_arrived_at: Mapped[datetime | None] = mapped_column(default=None)
    curbside: Mapped[bool] = mapped_column(default=False)
    parking_note: Mapped[str | None] = mapped_column(Text, default=None)
    # how far from the store the customer said they were when they tapped "I'm here" (their position is not kept)
    customer_distance_m: Mapped[float | None] = mapped_column(Float, default=None)
    handed_over_at: Mapped[datetime | None] = mapped_column(default=None)
    handed_over_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    expired_at: Mapped[datetime | None] = mapped_column(default=None)
    # the shipment that takes an expired pickup back to the depot (a return order for the planner)
    return_order_id: Mapped[UUID | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"), default=None)
