"""Tables of proof of delivery: uploaded media (content-addressed per organization) and proof records."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, str_enum


class Media(Base):
    """A photo or signature a driver uploaded, named by the SHA-256 of the bytes the phone sent (so a retried
    upload is the same row); the file on disk is the re-encoded image, without metadata."""

    __tablename__ = "media"
    __table_args__ = (UniqueConstraint("organization_id", "sha256"),)

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    # SHA-256 of the stored (re-encoded) file, to check the disk against
    stored_sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)


class ProofKind(enum.StrEnum):
    delivered = "delivered"  # handed over (or a return collected at its own pickup stop)
    failed = "failed"  # an attempt that did not succeed, with its reason
    return_collected = "return_collected"  # a customer gave the driver a parcel back at a stop
    picked_up = "picked_up"  # handed over at a store's counter against the customer's code


class ProofStatus(enum.StrEnum):
    accepted = "accepted"
    # the server refused the action (stop cancelled or reassigned while the phone was offline); the proof is
    # kept for the dispatcher to resolve
    conflict = "conflict"


class Proof(Base):
    """What the driver recorded at a stop: who took the parcel, photos, signature, where and when (device time
    beside server time). Append-only."""

    __tablename__ = "proofs"

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[UUID | None] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    route_id: Mapped[UUID | None] = mapped_column(ForeignKey("routes.id", ondelete="SET NULL"), default=None)
    stop_id: Mapped[UUID | None] = mapped_column(default=None)  # stops are re-planned away; no foreign key
    driver_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    command_id: Mapped[UUID | None] = mapped_column(default=None, index=True)
    kind: Mapped[ProofKind] = mapped_column(str_enum(ProofKind, "proof_kind"))
    status: Mapped[ProofStatus] = mapped_column(str_enum(ProofStatus, "proof_status"))
    conflict_reason: Mapped[str | None] = mapped_column(String(32), default=None)
    recipient_name: Mapped[str | None] = mapped_column(String(200), default=None)
    reason: Mapped[str | None] = mapped_column(String(32), default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    signature: Mapped[str | None] = mapped_column(String(64), default=None)
    barcode: Mapped[str | None] = mapped_column(String(64), default=None)
    condition: Mapped[str | None] = mapped_column(String(16), default=None)
    lat: Mapped[float | None] = mapped_column(Float, default=None)
    lon: Mapped[float | None] = mapped_column(Float, default=None)
    accuracy_m: Mapped[float | None] = mapped_column(Float, default=None)
    occurred_at: Mapped[datetime]  # the phone's clock, when the driver did it
    recorded_at: Mapped[datetime]  # the server's, when it arrived
