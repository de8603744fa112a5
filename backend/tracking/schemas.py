"""Shapes of the tracking API: positions in, and the customer's tracking view (no more than the delivery needs)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec


class TimelineEntry(msgspec.Struct):
    status: str
    at: datetime


class EtaView(msgspec.Struct):
    eta_at: datetime
    earliest_at: datetime
    latest_at: datetime
    live: bool
    """False: the planned time (the driver has not set off); True: from the driver's live position."""


class DriverPosition(msgspec.Struct):
    lat: float
    lon: float
    heading: float | None
    at: datetime


class DeliveryProofView(msgspec.Struct):
    """The hand-over, once delivered: who took the parcel, when, and the photos and signature (each at
    GET /api/track/{token}/media/{sha256})."""

    received_by: str | None
    delivered_at: datetime
    photos: list[str]
    signature: str | None


class PickupCustomerView(msgspec.Struct):
    """An in-store pickup waiting for the customer: where, until when, and the code the counter asks for (also
    as a QR at GET /api/track/{token}/pickup-qr.svg)."""

    store_name: str
    store_address: str
    store_lat: float
    store_lon: float
    opening_hours: dict[str, Any]
    code: str
    expires_at: datetime | None
    customer_arrived_at: datetime | None
    curbside: bool


class ReturnInfoView(msgspec.Struct):
    """On a return's own tracking link: how it comes back, and for a drop-off the code (and QR at
    GET /api/track/{token}/return-qr.svg) to show at the store."""

    method: str
    reason: str
    code: str
    store_name: str | None
    store_address: str | None
    dropped_at: datetime | None
    received_at: datetime | None
    disposition: str | None


class TrackingView(msgspec.Struct):
    reference: str
    organization_name: str
    kind: str
    status: str
    recipient_name: str
    """First name only."""
    address: str
    lat: float
    lon: float
    window_start_at: datetime | None
    window_end_at: datetime | None
    instructions: str | None
    instructions_editable: bool
    timeline: list[TimelineEntry]
    eta: EtaView | None
    stops_away: int | None
    """Deliveries before this one on the driver's route (0: you are next)."""
    driver_name: str | None
    """The driver's first name, while the order is out for delivery."""
    driver: DriverPosition | None
    """Only while this order is the driver's next stop."""
    closed_at: datetime | None
    link_expires_at: datetime | None
    seq: int
    proof: DeliveryProofView | None = None
    """Only once delivered."""
    pickup: PickupCustomerView | None = None
    """Only while an in-store pickup is ready at its store."""
    return_info: ReturnInfoView | None = None
    """Only on a return's own link."""


class InstructionsUpdate(msgspec.Struct, forbid_unknown_fields=True):
    instructions: Annotated[str, msgspec.Meta(max_length=500)]
    """Where to leave the parcel, a door code, a neighbour: shown to the driver."""


class LatestPosition(msgspec.Struct):
    driver_id: UUID
    route_id: UUID | None
    lat: float
    lon: float
    heading: float | None
    speed: float | None
    accuracy: float | None
    at: datetime
