"""What the return endpoints take and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from backend.returns.models import Disposition, ReturnMethod

Barcode = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Reason = Literal["damaged", "wrong_item", "not_as_described", "no_longer_needed", "other"]
REASONS: tuple[str, ...] = ("damaged", "wrong_item", "not_as_described", "no_longer_needed", "other")


class ReturnItem(msgspec.Struct, forbid_unknown_fields=True):
    sku: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    quantity: Annotated[int, msgspec.Meta(ge=1, le=1000)]


class ReturnStart(msgspec.Struct, forbid_unknown_fields=True):
    method: ReturnMethod
    reason: Reason
    parcels: Annotated[
        list[Annotated[str, msgspec.Meta(min_length=1, max_length=64)]], msgspec.Meta(max_length=50)
    ] = []
    """Barcodes of the order's parcels that come back."""
    items: Annotated[list[ReturnItem], msgspec.Meta(max_length=50)] = []
    """Items of the order (by SKU) that come back."""
    comment: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    photos: Annotated[list[Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}$")]], msgspec.Meta(max_length=3)] = []
    """SHA-256 of photos uploaded first with PUT /api/track/{token}/media/{sha256}."""
    store_id: UUID | None = None
    """For a drop-off: the store (from GET /api/track/{token}/return-options)."""
    window_start_at: datetime | None = None
    """For a driver pickup: when the driver may come."""
    window_end_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.window_start_at is not None and self.window_start_at.tzinfo is None:
            raise ValueError("window_start_at needs a UTC offset")
        if self.window_end_at is not None and self.window_end_at.tzinfo is None:
            raise ValueError("window_end_at needs a UTC offset")
        if self.window_start_at and self.window_end_at and self.window_end_at <= self.window_start_at:
            raise ValueError("window_end_at must be after window_start_at")


class StoreOption(msgspec.Struct):
    id: UUID
    name: str
    address: str
    lat: float
    lon: float
    distance_m: float
    open_now: bool
    opening_hours: dict[str, Any]


class ReturnOptions(msgspec.Struct):
    returnable: bool
    why_not: str | None
    parcels: list[str]
    items: list[ReturnItem]
    reasons: list[str]
    stores: list[StoreOption]


class ReturnCreated(msgspec.Struct):
    return_order_id: UUID
    tracking_url: str
    """The return's own page: its status and, for a drop-off, the code and QR to show at the store."""
    code: str
    method: ReturnMethod
    store_name: str | None


class StoreIntake(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class ReturnReceive(msgspec.Struct, forbid_unknown_fields=True):
    location_id: UUID
    disposition: Disposition


class ReturnView(msgspec.Struct):
    return_order_id: UUID
    original_order_id: UUID
    status: str
    method: ReturnMethod
    reason: str
    comment: str | None
    items: dict[str, Any]
    photos: list[str]
    code: str
    store_id: UUID | None
    dropped_at: datetime | None
    received_at: datetime | None
    received_location_id: UUID | None
    disposition: Disposition | None
    reference: str | None = None
    """The return order's reference (for the receiving desk's list)."""
    recipient_name: str | None = None
    created_at: datetime | None = None
