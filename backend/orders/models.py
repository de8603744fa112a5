"""Tables of the orders domain: orders (deliveries, returns, store pickups) and their parcels."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.db.base import Base, str_enum


class OrderKind(enum.StrEnum):
    delivery = "delivery"
    return_ = "return"
    store_pickup = "store_pickup"


class OrderStatus(enum.StrEnum):
    created = "created"
    planned = "planned"
    out_for_delivery = "out_for_delivery"
    arriving = "arriving"
    delivered = "delivered"
    failed = "failed"
    returning = "returning"
    returned_to_depot = "returned_to_depot"
    cancelled = "cancelled"
    at_store = "at_store"
    ready_for_pickup = "ready_for_pickup"
    picked_up = "picked_up"
    expired = "expired"
    requested = "requested"
    scheduled = "scheduled"
    collected = "collected"
    received = "received"
    restocked = "restocked"
    disposed = "disposed"


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("organization_id", "external_ref"),)

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[OrderKind] = mapped_column(str_enum(OrderKind, "order_kind"))
    status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus, "order_status"), index=True)
    external_ref: Mapped[str | None] = mapped_column(String(100), default=None)
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_phone: Mapped[str | None] = mapped_column(String(32), default=None)
    recipient_email: Mapped[str | None] = mapped_column(String(320), default=None)
    address: Mapped[str] = mapped_column(String(500))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    window_start_at: Mapped[datetime | None] = mapped_column(default=None)
    window_end_at: Mapped[datetime | None] = mapped_column(default=None)
    service_s: Mapped[int] = mapped_column(Integer, default=120)
    weight_kg: Mapped[float] = mapped_column(Float, default=0.0)
    volume_l: Mapped[float] = mapped_column(Float, default=0.0)
    parcel_count: Mapped[int] = mapped_column(Integer, default=1)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    # skills a vehicle must have for this order (e.g. "cold_chain", "large_items"); matched against Vehicle.skills
    required_skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text, default=None)
    # arrival radius at this address when the default does not fit (a campus, a port gate); metres
    geofence_radius_m: Mapped[float | None] = mapped_column(Float, default=None)
    store_id: Mapped[UUID | None] = mapped_column(ForeignKey("locations.id", ondelete="SET NULL"), default=None)
    # the recipient shows photo ID at hand-over (age-restricted goods, high value): the counter will not hand over
    # without the clerk confirming it, and the driver app asks for it at the door
    id_check_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # the carrier organization this order is given to (backend/carriers); the own planner leaves it alone
    carrier_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), default=None, index=True
    )
    # SHA-256 of the customer's tracking token; the token itself is derived from the secret key and the id
    tracking_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # when the order reached a final state (delivered, cancelled...): its tracking link expires a set time after
    closed_at: Mapped[datetime | None] = mapped_column(default=None)

    parcels: Mapped[list[Parcel]] = relationship(lazy="raise", order_by="Parcel.barcode", back_populates="order")


class Parcel(Base):
    __tablename__ = "parcels"
    __table_args__ = (UniqueConstraint("organization_id", "barcode"),)

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    barcode: Mapped[str] = mapped_column(String(64))
    weight_kg: Mapped[float | None] = mapped_column(Float, default=None)

    order: Mapped[Order] = relationship(lazy="raise", back_populates="parcels")
