"""Tables of the inventory domain: SKUs, stock per location, the append-only movement ledger, order lines."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.db.base import Base, str_enum
from backend.places.models import Location


class MovementKind(enum.StrEnum):
    receipt = "receipt"  # goods in from a supplier: on hand +
    reservation = "reservation"  # held for an order: reserved +
    release = "release"  # an order let go of its hold (cancelled, expired): reserved -
    pickup_handoff = "pickup_handoff"  # the customer took it: on hand - and reserved -
    transfer_out = "transfer_out"  # sent to another location: on hand -
    transfer_in = "transfer_in"  # received from another location: on hand +
    return_restock = "return_restock"  # a customer's return put back on the shelf: on hand +
    adjustment = "adjustment"  # a count, damage, loss: on hand ±, with a reason


class Sku(Base):
    __tablename__ = "skus"
    # column order names the constraints (uq_skus_code, uq_skus_barcode) under the naming convention
    __table_args__ = (UniqueConstraint("code", "organization_id"), UniqueConstraint("barcode", "organization_id"))

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    barcode: Mapped[str | None] = mapped_column(String(64), default=None)


class StockLevel(Base):
    """What one location holds of one SKU. Only the service changes it, one ledger row per change, so the
    numbers always equal the sums of the location's movements for the SKU."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        UniqueConstraint("location_id", "sku_id"),
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
    )

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    # the unique (location_id, sku_id) index serves look-ups by location
    location_id: Mapped[UUID] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))
    sku_id: Mapped[UUID] = mapped_column(ForeignKey("skus.id", ondelete="CASCADE"), index=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    # available (on hand - reserved) falling below this records a stock.low event; None: no alert
    low_stock_threshold: Mapped[int | None] = mapped_column(Integer, default=None)

    sku: Mapped[Sku] = relationship(lazy="raise")
    location: Mapped[Location] = relationship(lazy="raise")

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockMovement(Base):
    """One line of the append-only ledger: rows are inserted, never updated or deleted."""

    __tablename__ = "stock_movements"
    # one level's history (the ledger sum the invariant compares with), and the ledger filtered by location
    __table_args__ = (Index("ix_stock_movements_location_sku", "location_id", "sku_id"),)

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[UUID] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))
    sku_id: Mapped[UUID] = mapped_column(ForeignKey("skus.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MovementKind] = mapped_column(str_enum(MovementKind, "movement_kind"))
    on_hand_delta: Mapped[int] = mapped_column(Integer)
    reserved_delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(500), default=None)
    # no ON DELETE: an order that moved stock keeps its ledger lines (only its organization's removal clears them)
    order_id: Mapped[UUID | None] = mapped_column(ForeignKey("orders.id"), index=True, default=None)
    # the two halves of one transfer (transfer_out at the source, transfer_in at the destination) share it
    transfer_id: Mapped[UUID | None] = mapped_column(index=True, default=None)
    actor: Mapped[str] = mapped_column(String(80))
    occurred_at: Mapped[datetime]

    sku: Mapped[Sku] = relationship(lazy="raise")


class OrderLine(Base):
    """What a store-pickup order takes from its store's stock: reserved when created, handed over at pickup."""

    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "sku_id"), CheckConstraint("quantity > 0", name="quantity_positive"))

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    # the unique (order_id, sku_id) index serves look-ups by order
    order_id: Mapped[UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    sku_id: Mapped[UUID] = mapped_column(ForeignKey("skus.id", ondelete="CASCADE"))
    quantity: Mapped[int] = mapped_column(Integer)

    sku: Mapped[Sku] = relationship(lazy="raise")
