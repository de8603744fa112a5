"""Request and response shapes of the orders API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from backend.inventory.schemas import Quantity, SkuCode
from backend.kit.validation import Email, Latitude, Longitude, Name, Phone
from backend.orders.models import OrderKind, OrderStatus

Barcode = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._\-]+$")]
ExternalRef = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Address = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
AwareDatetime = Annotated[
    datetime, msgspec.Meta(tz=True, description="ISO 8601 with an offset, e.g. 2026-11-25T09:00:00+02:00")
]
ServiceSeconds = Annotated[int, msgspec.Meta(ge=0, le=86_400)]
Kilograms = Annotated[float, msgspec.Meta(ge=0.0, le=50_000.0)]
Litres = Annotated[float, msgspec.Meta(ge=0.0, le=100_000.0)]
ParcelCount = Annotated[int, msgspec.Meta(ge=0, le=1_000)]
Priority = Annotated[int, msgspec.Meta(ge=0, le=100, description="0 (default) to 100 (most important)")]
Notes = Annotated[str, msgspec.Meta(max_length=2_000)]
GeofenceRadius = Annotated[
    float, msgspec.Meta(ge=10, le=2_000, description="Arrival radius at this address in metres (default 50)")
]
Barcodes = Annotated[list[Barcode], msgspec.Meta(max_length=1_000)]
Skill = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[a-z0-9_\-]+$")]
Skills = Annotated[list[Skill], msgspec.Meta(max_length=20, description="Skills a vehicle needs for this order")]
MAX_LINES = 100  # SKUs per order: a basket, not a warehouse pick list


class OrderLine(msgspec.Struct, forbid_unknown_fields=True):
    sku: SkuCode
    quantity: Quantity


Lines = Annotated[
    list[OrderLine],
    msgspec.Meta(
        max_length=MAX_LINES,
        description="Store pickups only: SKUs reserved at the store when the order is created (409 if short)",
    ),
]


def check_window(start: datetime | None, end: datetime | None) -> None:
    if (start is None) != (end is None):
        raise ValueError("window_start_at and window_end_at come together")
    if start is not None and end is not None and start >= end:
        raise ValueError(f"window_start_at ({start.isoformat()}) must be before window_end_at ({end.isoformat()})")


class Parcel(msgspec.Struct):
    id: UUID
    barcode: str
    weight_kg: float | None


class Order(msgspec.Struct):
    id: UUID
    kind: OrderKind
    status: OrderStatus
    allowed_transitions: list[OrderStatus]
    external_ref: str | None
    recipient_name: str
    recipient_phone: str | None
    recipient_email: str | None
    address: str
    lat: float
    lon: float
    window_start_at: datetime | None
    window_end_at: datetime | None
    service_s: int
    weight_kg: float
    volume_l: float
    parcel_count: int
    priority: int
    required_skills: list[str]
    notes: str | None
    store_id: UUID | None
    parcels: list[Parcel]
    tracking_url: str
    created_at: datetime
    updated_at: datetime
    geofence_radius_m: float | None = None
    lines: list[OrderLine] = msgspec.field(default_factory=list)
    id_check_required: bool = False
    carrier_id: UUID | None = None
    """The carrier organization delivering it (POST /api/carriers, PUT /api/orders/{id}/carrier)."""


class OrderSummary(msgspec.Struct):
    id: UUID
    kind: OrderKind
    status: OrderStatus
    external_ref: str | None
    recipient_name: str
    address: str
    lat: float
    lon: float
    window_start_at: datetime | None
    window_end_at: datetime | None
    parcel_count: int
    priority: int
    created_at: datetime


class OrderCreate(msgspec.Struct, forbid_unknown_fields=True):
    recipient_name: Name
    address: Address
    lat: Latitude
    lon: Longitude
    kind: OrderKind = OrderKind.delivery
    external_ref: ExternalRef | None = None
    recipient_phone: Phone | None = None
    recipient_email: Email | None = None
    window_start_at: AwareDatetime | None = None
    window_end_at: AwareDatetime | None = None
    service_s: ServiceSeconds = 120
    weight_kg: Kilograms = 0.0
    volume_l: Litres = 0.0
    parcel_count: ParcelCount | None = None
    """Defaults to the number of barcodes, or 1."""
    priority: Priority = 0
    required_skills: Skills = msgspec.field(default_factory=list)
    notes: Notes | None = None
    geofence_radius_m: GeofenceRadius | None = None
    store_id: UUID | None = None
    """The store an in-store pickup waits at."""
    id_check_required: bool = False
    """The recipient must show photo ID at hand-over (age-restricted or high-value goods)."""
    barcodes: Barcodes = msgspec.field(default_factory=list)
    lines: Lines = msgspec.field(default_factory=list)

    def __post_init__(self) -> None:
        check_window(self.window_start_at, self.window_end_at)
        if len(set(self.barcodes)) != len(self.barcodes):
            raise ValueError("barcodes: the same barcode appears twice")
        if len({line.sku for line in self.lines}) != len(self.lines):
            raise ValueError("lines: the same SKU appears twice; give it once with the total quantity")
        if self.parcel_count is not None and self.parcel_count < len(self.barcodes):
            raise ValueError(f"parcel_count ({self.parcel_count}) is less than the {len(self.barcodes)} barcodes")


class OrderUpdate(msgspec.Struct, forbid_unknown_fields=True):
    recipient_name: Name | msgspec.UnsetType = msgspec.UNSET
    recipient_phone: Phone | msgspec.UnsetType | None = msgspec.UNSET
    recipient_email: Email | msgspec.UnsetType | None = msgspec.UNSET
    address: Address | msgspec.UnsetType = msgspec.UNSET
    lat: Latitude | msgspec.UnsetType = msgspec.UNSET
    lon: Longitude | msgspec.UnsetType = msgspec.UNSET
    window_start_at: AwareDatetime | msgspec.UnsetType | None = msgspec.UNSET
    window_end_at: AwareDatetime | msgspec.UnsetType | None = msgspec.UNSET
    service_s: ServiceSeconds | msgspec.UnsetType = msgspec.UNSET
    weight_kg: Kilograms | msgspec.UnsetType = msgspec.UNSET
    volume_l: Litres | msgspec.UnsetType = msgspec.UNSET
    parcel_count: ParcelCount | msgspec.UnsetType = msgspec.UNSET
    priority: Priority | msgspec.UnsetType = msgspec.UNSET
    notes: Notes | msgspec.UnsetType | None = msgspec.UNSET
    geofence_radius_m: GeofenceRadius | msgspec.UnsetType | None = msgspec.UNSET
    id_check_required: bool | msgspec.UnsetType = msgspec.UNSET


class TransitionRequest(msgspec.Struct, forbid_unknown_fields=True):
    to: OrderStatus
    reason: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    occurred_at: AwareDatetime | None = None
    """When it happened on the device; the server keeps its own recorded_at beside it."""


class RowError(msgspec.Struct):
    row: int
    """1-based data row (the CSV header is row 0)."""
    field: str | None
    reason: str
    external_ref: str | None = None


class ImportResult(msgspec.Struct):
    created: int
    updated: int
    rejected: int
    errors: list[RowError]
    order_ids: list[UUID]


class OrderEvent(msgspec.Struct):
    id: UUID
    type: str
    payload: dict[str, object]
    actor: str
    occurred_at: datetime
    recorded_at: datetime
