"""What the carrier endpoints take and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

Weekday = Annotated[int, msgspec.Meta(ge=0, le=6)]
Sha256 = Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}$")]
MAX_PHOTOS = 3  # what the apps' photo field takes (a customer's return keeps as many)


class LinkCreate(msgspec.Struct, forbid_unknown_fields=True):
    carrier_id: UUID
    """The carrier organization's id (its administrators see it at GET /api/auth/me)."""
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class Link(msgspec.Struct):
    id: UUID
    carrier_id: UUID
    name: str
    active: bool
    created_at: datetime


class RuleCreate(msgspec.Struct, forbid_unknown_fields=True):
    zone_id: UUID | None = None
    max_weight_kg: Annotated[float, msgspec.Meta(gt=0, le=50_000)] | None = None
    weekdays: Annotated[list[Weekday], msgspec.Meta(max_length=7)] = []
    position: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 0


class Rule(msgspec.Struct):
    id: UUID
    link_id: UUID
    zone_id: UUID | None
    max_weight_kg: float | None
    weekdays: list[int]
    position: int


class Assignment(msgspec.Struct, forbid_unknown_fields=True):
    link_id: UUID | None
    """The carrier link to give the order to; null takes it back for the own fleet."""


class AssignmentView(msgspec.Struct):
    order_id: UUID
    carrier_id: UUID | None


class CarrierOrder(msgspec.Struct):
    """An order as its carrier sees it: what delivering it needs, nothing of the shipper's business besides."""

    id: UUID
    shipper: str
    reference: str | None
    kind: str
    status: str
    recipient_name: str
    recipient_phone: str | None
    address: str
    lat: float
    lon: float
    window_start_at: datetime | None
    window_end_at: datetime | None
    weight_kg: float
    parcel_count: int
    parcels: list[str]
    notes: str | None
    id_check_required: bool


class StatusUpdate(msgspec.Struct, forbid_unknown_fields=True):
    status: Literal["picked_up", "delivered", "failed"]
    """picked_up: on the carrier's van (out for delivery); delivered with who took it; failed with why."""
    occurred_at: datetime | None = None
    recipient_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    reason: Literal["not_home", "no_access", "refused", "damaged", "wrong_address", "other"] | None = None
    note: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    photos: Annotated[list[Sha256], msgspec.Meta(max_length=MAX_PHOTOS)] = []
    """Photos for the proof of a delivery or failure: the SHA-256 of each, uploaded first by the carrier with
    PUT /api/media/{sha256}; the shipper gets a copy with the proof."""

    def __post_init__(self) -> None:
        if self.occurred_at is not None and self.occurred_at.tzinfo is None:
            raise ValueError("occurred_at: give the time zone (an offset or Z)")
        if self.status == "delivered" and not self.recipient_name:
            raise ValueError("recipient_name: say who took the parcel (the proof of delivery)")
        if self.status == "failed" and not self.reason:
            raise ValueError("reason: say why the delivery failed")
        if self.photos and self.status == "picked_up":
            raise ValueError("photos: only a delivery or a failure keeps photos")


class StatusApplied(msgspec.Struct):
    order_id: UUID
    status: str
    replayed: bool = False
    """True when this answer is the stored one of an earlier request with the same Idempotency-Key."""
