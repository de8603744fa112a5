"""What the webhook endpoints take and answer."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from backend.integrations.models import DeliveryStatus

EVENT_PATTERN = re.compile(r"^(\*|[a-z][a-z_]*(\.[a-z][a-z_]*)*(\.\*)?)$")
EventType = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=EVENT_PATTERN.pattern)]
EventTypes = Annotated[list[EventType], msgspec.Meta(min_length=1, max_length=50)]
Url = Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]
Description = Annotated[str, msgspec.Meta(max_length=200)]


class EndpointCreate(msgspec.Struct, forbid_unknown_fields=True):
    url: Url
    event_types: EventTypes
    """Exact types ("order.status_changed"), families ("order.*") or "*" for every event."""
    description: Description | None = None


class EndpointUpdate(msgspec.Struct, forbid_unknown_fields=True):
    url: Url | msgspec.UnsetType = msgspec.UNSET
    event_types: EventTypes | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType | None = msgspec.UNSET
    enabled: bool | msgspec.UnsetType = msgspec.UNSET
    """true re-enables a disabled endpoint (its failure count starts again)."""


class Endpoint(msgspec.Struct):
    id: UUID
    url: str
    description: str | None
    event_types: list[str]
    enabled: bool
    disabled_at: datetime | None
    disabled_reason: str | None
    consecutive_failures: int
    last_success_at: datetime | None
    created_at: datetime
    secret_rotating_until: datetime | None


class EndpointCreated(msgspec.Struct):
    endpoint: Endpoint
    secret: str
    """The signing secret, shown this once: keep it in the receiver's configuration."""


class SecretRotated(msgspec.Struct):
    secret: str
    previous_valid_until: datetime
    """Until then every delivery carries two signatures, one per secret."""


class Delivery(msgspec.Struct):
    id: UUID
    endpoint_id: UUID
    event_id: UUID
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    give_up_at: datetime
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
    body: dict[str, Any]
