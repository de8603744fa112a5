"""Tables of the notifications domain: each organization's notice settings, the customers' push subscriptions,
the delivery log (one row per message, from queued to sent, failed or skipped) and the ETA each customer was
last told."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, str_enum


class Rule(enum.StrEnum):
    confirmed = "confirmed"
    out_for_delivery = "out_for_delivery"
    arriving = "arriving"
    delivered = "delivered"
    failed = "failed"
    eta_changed = "eta_changed"
    ready_for_pickup = "ready_for_pickup"
    pickup_reminder = "pickup_reminder"


class ChannelName(enum.StrEnum):
    email = "email"
    sms = "sms"
    push = "push"


class NotificationStatus(enum.StrEnum):
    queued = "queued"  # waiting for its next_attempt_at (a retry, or the end of quiet hours)
    sending = "sending"  # claimed by a sender until next_attempt_at (a lease: a crashed sender's rows come back)
    sent = "sent"
    outboxed = "outboxed"  # DOORSTEP_NOTIFY_DELIVERY=outbox: rendered and kept here, nothing left the machine
    failed = "failed"
    skipped = "skipped"  # not worth sending any more: quiet hours for a time-sensitive notice, the order moved on


class NotificationSettings(Base):
    """One organization's choices; an organization without a row gets every rule on every channel."""

    __tablename__ = "notification_settings"

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), unique=True)
    # rule → the channels it goes out on, e.g. {"arriving": ["sms", "push"]}; a rule not listed is off
    rules: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    quiet_start: Mapped[str | None] = mapped_column(String(5), default=None)  # "21:00", the organization's time
    quiet_end: Mapped[str | None] = mapped_column(String(5), default=None)  # "08:00"
    sender_name: Mapped[str | None] = mapped_column(String(60), default=None)  # default: the organization's name
    arriving_stops_away: Mapped[int] = mapped_column(Integer, default=1)
    arriving_within_min: Mapped[int | None] = mapped_column(Integer, default=None)
    eta_change_min: Mapped[int] = mapped_column(Integer, default=15)


class PushSubscription(Base):
    """A customer's browser asked for notices about one order (the PushSubscription JSON of the Push API)."""

    __tablename__ = "push_subscriptions"
    __table_args__ = (
        UniqueConstraint("order_id", "endpoint"),
        Index("ix_push_subscriptions_created_at", "created_at"),  # the retention purge
    )

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1024))
    p256dh: Mapped[str] = mapped_column(String(128))  # the browser's P-256 public key, base64url
    auth: Mapped[str] = mapped_column(String(64))  # its 16-byte auth secret, base64url


class Notification(Base):
    """One message to one recipient on one channel: the delivery log and the send queue in one.

    `dedupe_key` names what set it off (an event's id, or for arriving and ETA notices the order's trip), so the
    same trigger and rule never send twice to a recipient, even when two relays race: the unique constraint
    refuses the second row."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("dedupe_key", "rule", "channel", "recipient"),
        # the sender's query: what is due
        Index("ix_notifications_due", "status", "next_attempt_at"),
        Index("ix_notifications_organization_id_created_at", "organization_id", "created_at"),
        Index("ix_notifications_created_at", "created_at"),  # the retention purge
    )

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    order_id: Mapped[UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[UUID | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), default=None)
    dedupe_key: Mapped[str] = mapped_column(String(120))
    rule: Mapped[Rule] = mapped_column(str_enum(Rule, "notification_rule"))
    channel: Mapped[ChannelName] = mapped_column(str_enum(ChannelName, "notification_channel", length=16))
    # an e-mail address, an E.164 phone number, or a push subscription's id
    recipient: Mapped[str] = mapped_column(String(320))
    push_subscription_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("push_subscriptions.id", ondelete="SET NULL"), default=None
    )
    status: Mapped[NotificationStatus] = mapped_column(
        str_enum(NotificationStatus, "notification_status", length=16), default=NotificationStatus.queued
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text, default=None)
    link: Mapped[str | None] = mapped_column(String(500), default=None)  # where a tap on a push notice goes
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # e.g. the ETA an eta_changed notice told


class NotifiedEta(Base):
    """The ETA a customer last heard (or first had): an `eta_changed` notice goes out when the live ETA drifts
    from it by more than the organization's eta_change_min."""

    __tablename__ = "notified_etas"

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    eta_at: Mapped[datetime]
