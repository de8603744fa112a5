"""What the store endpoints take and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

Barcode = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Shelf = Annotated[str, msgspec.Meta(min_length=1, max_length=32, description="Where the parcel is put, e.g. B-04")]
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=64, description="The customer's code, typed or from QR")]


class StoreView(msgspec.Struct):
    id: UUID
    name: str
    address: str
    lat: float
    lon: float
    opening_hours: dict[str, Any]


class StaffAssignment(msgspec.Struct, forbid_unknown_fields=True):
    user_ids: Annotated[list[UUID], msgspec.Meta(max_length=200)]


class ScanIn(msgspec.Struct, forbid_unknown_fields=True):
    barcode: Barcode
    shelf: Shelf


class CodeLookup(msgspec.Struct, forbid_unknown_fields=True):
    code: Code


class Handover(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    recipient_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    signature: Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}$")] | None = None
    """SHA-256 of the signature image, uploaded first with PUT /api/media/{sha256}."""
    id_checked: bool = False


class PickupView(msgspec.Struct):
    order_id: UUID
    reference: str
    status: str
    recipient_name: str
    recipient_phone: str | None
    shelf: str | None
    code: str
    parcels: list[str]
    scanned: list[str]
    ready_at: datetime | None
    expires_at: datetime | None
    customer_arrived_at: datetime | None
    curbside: bool
    parking_note: str | None
    handed_over_at: datetime | None
    id_check_required: bool = False
    customer_distance_m: float | None = None
    """How far away the customer was when they said they were here (when they shared their position)."""


class CustomerHere(msgspec.Struct, forbid_unknown_fields=True):
    curbside: bool = False
    parking_note: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    """Curbside: where the car is (a spot number, the car's colour)."""
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None
    """Optional: the customer's position, used only to tell the store how far away they are (not kept)."""

    def __post_init__(self) -> None:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon: give both or neither")
