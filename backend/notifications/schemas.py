"""What the notification endpoints take and answer: the organization's settings, the delivery log, and a
customer's push subscription."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from backend.notifications.models import ChannelName, NotificationStatus, Rule

Clock = Annotated[
    str, msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="Local time, HH:MM", examples=["21:00"])
]
SenderName = Annotated[
    str, msgspec.Meta(min_length=1, max_length=60, pattern=r"^[^\x00-\x1f\x7f]+$", description="Shown as the sender")
]
Channels = Annotated[list[ChannelName], msgspec.Meta(max_length=3)]


class NotificationSettings(msgspec.Struct):
    rules: dict[Rule, list[ChannelName]]
    """Each rule's channels; a rule with none (or not listed) is off."""
    quiet_start: str | None
    quiet_end: str | None
    sender_name: str | None
    """None: the organization's name is used."""
    effective_sender_name: str
    arriving_stops_away: int
    arriving_within_min: int | None
    eta_change_min: int
    timezone: str
    """Quiet hours are in this zone (the organization's)."""
    delivery: Literal["outbox", "send"]
    """outbox: notices are kept in the log below and nothing is sent (DOORSTEP_NOTIFY_DELIVERY)."""
    channels_available: list[ChannelName]
    """The channels this server can send on (configured ones; all of them in outbox mode)."""


class NotificationSettingsUpdate(msgspec.Struct, forbid_unknown_fields=True):
    rules: dict[Rule, Channels]
    quiet_start: Clock | None = None
    quiet_end: Clock | None = None
    sender_name: SenderName | None = None
    arriving_stops_away: Annotated[
        int, msgspec.Meta(ge=0, le=20, description="Tell the customer when this many stops are before theirs")
    ] = 1
    arriving_within_min: (
        Annotated[int, msgspec.Meta(ge=1, le=120, description="...or when the ETA is this close (minutes)")] | None
    ) = None
    eta_change_min: Annotated[
        int, msgspec.Meta(ge=1, le=240, description="Tell the customer when the ETA moves by more than this")
    ] = 15


class Notification(msgspec.Struct):
    id: UUID
    order_id: UUID
    event_id: UUID | None
    rule: Rule
    channel: ChannelName
    recipient: str
    status: NotificationStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime
    subject: str
    body_text: str
    body_html: str | None
    link: str | None


class PushKeys(msgspec.Struct, forbid_unknown_fields=True):
    p256dh: Annotated[str, msgspec.Meta(min_length=80, max_length=100, pattern=r"^[A-Za-z0-9_-]+=*$")]
    auth: Annotated[str, msgspec.Meta(min_length=16, max_length=32, pattern=r"^[A-Za-z0-9_-]+=*$")]


class PushSubscriptionCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A browser's PushSubscription.toJSON(), as it comes."""

    endpoint: Annotated[str, msgspec.Meta(min_length=10, max_length=1024)]
    keys: PushKeys
    expirationTime: int | None = None  # the browser's own spelling


class PushSubscription(msgspec.Struct):
    id: UUID
    endpoint: str
    created_at: datetime


class PushStatus(msgspec.Struct):
    public_key: str
    """The server's VAPID public key: the applicationServerKey for pushManager.subscribe()."""
    subscribed: bool
    """Whether the endpoint asked about (or, without one, any browser) is subscribed to this order."""
    subscriptions: int
    max_subscriptions: int
