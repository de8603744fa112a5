"""Tables of outbound webhooks: the endpoints an organization registered, and one delivery per event and endpoint
(the persistent queue and the delivery log in one)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, str_enum


class DeliveryStatus(enum.StrEnum):
    pending = "pending"  # waiting for its first or next attempt (next_attempt_at)
    sending = "sending"  # claimed by a sender; if that process dies, the lease runs out and another retries
    succeeded = "succeeded"  # the receiver answered 2xx
    failed = "failed"  # gave up: the retry window ran out, the endpoint is gone (410) or was disabled


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(String(200), default=None)
    # exact types ("order.status_changed"), families ("order.*") or everything ("*")
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    # the signing secret, shown to the owner once; the previous one keeps signing (a second v1) until it expires,
    # so a receiver can roll over without losing a delivery
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100), default=None)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    disabled_reason: Mapped[str | None] = mapped_column(Text, default=None)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_success_at: Mapped[datetime | None] = mapped_column(default=None)


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    # one delivery per event and endpoint, however many relays saw the event
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_created_at", "created_at"),  # the retention purge
    )

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    endpoint_id: Mapped[UUID] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[UUID] = mapped_column()
    event_type: Mapped[str] = mapped_column(String(100))
    # the exact JSON body sent (and signed) on every attempt, so a retry is byte-for-byte the same message
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus, "webhook_delivery_status"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    give_up_at: Mapped[datetime] = mapped_column()
    last_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    last_status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
