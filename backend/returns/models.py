"""The return request behind a return order: where it came from, how it comes back, and what became of it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, str_enum


class ReturnMethod(enum.StrEnum):
    pickup = "pickup"  # a driver collects it in a time window (a pickup for the planner)
    store_dropoff = "store_dropoff"  # the customer brings it to a store


class Disposition(enum.StrEnum):
    restock = "restock"  # back to stock at the receiving location
    repair = "repair"
    dispose = "dispose"


class ReturnRequest(Base):
    __tablename__ = "return_requests"
    __table_args__ = (UniqueConstraint("organization_id", "code"),)

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    return_order_id: Mapped[UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    original_order_id: Mapped[UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    method: Mapped[ReturnMethod] = mapped_column(str_enum(ReturnMethod, "return_method"))
    store_id: Mapped[UUID | None] = mapped_column(ForeignKey("locations.id", ondelete="SET NULL"), default=None)
    reason: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    # what comes back: parcel barcodes of the original order, and SKU lines [{"sku": code, "quantity": n}]
    items: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    # what the customer shows at the store (also as a QR), like a pickup code
    code: Mapped[str] = mapped_column(String(8))
    dropped_at: Mapped[datetime | None] = mapped_column(default=None)
    received_at: Mapped[datetime | None] = mapped_column(default=None)
    received_location_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("locations.id", ondelete="SET NULL"), default=None
    )
    disposition: Mapped[Disposition | None] = mapped_column(str_enum(Disposition, "return_disposition"), default=None)
