"""What the inbox endpoints answer: the day's exceptions, each with what happened and what it concerns."""

from __future__ import annotations

import enum
from datetime import date, datetime
from uuid import UUID

import msgspec


class ItemKind(enum.StrEnum):
    failed_attempt = "failed_attempt"
    """A driver could not complete a stop (nobody home, no access, refused...)."""
    late_stop = "late_stop"
    """A stop's current ETA is past its time window's end, the window ended with no one there, or the driver
    arrived after it."""
    driver_offline = "driver_offline"
    """A route is under way, but its driver's phone has sent no position nor offline action for a while."""
    rejected_action = "rejected_action"
    """The server refused an action the driver app had queued offline (the stop was cancelled meanwhile...)."""
    webhook_failed = "webhook_failed"
    """Webhook deliveries to one endpoint failed for good that day (grouped per endpoint)."""
    endpoint_disabled = "endpoint_disabled"
    """A webhook endpoint is switched off: nothing is sent to it until an administrator turns it back on."""


class Severity(enum.StrEnum):
    critical = "critical"
    """Something stopped working: a driver out of reach, an integration switched off."""
    warning = "warning"
    """A customer or a system is let down now: a failed attempt, a stop running late, a refused action."""
    info = "info"
    """Worth knowing, nothing left to save: a visit that was made late."""


class InboxItem(msgspec.Struct, kw_only=True):
    key: str
    """Stable id of the item, for POST /api/inbox/{key}/acknowledge."""
    kind: ItemKind
    severity: Severity
    occurred_at: datetime
    """When it happened: the failed attempt, the end of the missed window (or the late arrival), the last time
    the driver's phone was heard from, the refusal, the last failed delivery, the switch-off."""
    title: str
    """One line a person understands, with clock times in the organization's time zone."""
    detail: str | None = None
    """A second line: where, which van and driver, the last error..."""
    order_id: UUID | None = None
    stop_id: UUID | None = None
    route_id: UUID | None = None
    driver_id: UUID | None = None
    endpoint_id: UUID | None = None
    service_date: date | None = None
    """The day of the route the item is about (to open it in the plan)."""
    acknowledged: bool = False
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    """The name of who marked it handled (null for an API key)."""


class Inbox(msgspec.Struct, kw_only=True):
    date: date
    timezone: str
    """The organization's time zone: the day's bounds and the clock times in titles."""
    generated_at: datetime
    offline_after_min: int
    """A driver on a route in progress not heard from for this long is listed (DOORSTEP_DRIVER_OFFLINE_AFTER_MIN)."""
    open_count: int
    """Items not acknowledged."""
    items: list[InboxItem]
    """Every item of the day, newest first; acknowledged ones included (acknowledged: true)."""
