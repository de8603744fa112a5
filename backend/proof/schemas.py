"""What the proof endpoints answer."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class MediaInfo(msgspec.Struct):
    sha256: str
    content_type: str
    size: int
    width: int
    height: int


class ProofOut(msgspec.Struct):
    id: UUID
    order_id: UUID | None
    route_id: UUID | None
    stop_id: UUID | None
    driver_id: UUID | None
    kind: str
    status: str
    """accepted, or conflict: the server refused the driver's action (stop cancelled or reassigned while the
    phone was offline) and kept the proof for the dispatcher."""
    conflict_reason: str | None
    recipient_name: str | None
    reason: str | None
    note: str | None
    photos: list[str]
    """SHA-256 of each photo: GET /api/media/{sha256}."""
    signature: str | None
    barcode: str | None
    condition: str | None
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    occurred_at: datetime
    """The phone's clock."""
    recorded_at: datetime
    """The server's."""


class RecentProof(msgspec.Struct):
    proof: ProofOut
    order_reference: str | None
    recipient_name: str | None
    """The order's recipient (the proof's recipient_name is who actually took the parcel)."""
    address: str | None
