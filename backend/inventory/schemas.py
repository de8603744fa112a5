"""Request and response shapes of the inventory API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from backend.inventory.models import MovementKind
from backend.kit.validation import Name

MAX_QUANTITY = 1_000_000  # one receipt, transfer, adjustment or order line moves at most this many units

SkuCode = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._\-]+$",
        description="The organization's own code for the article (letters, digits, . _ -), e.g. MUG-350-BLUE",
    ),
]
SkuBarcode = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._\-]+$")]
Quantity = Annotated[int, msgspec.Meta(ge=1, le=MAX_QUANTITY, description="Units, at least 1")]
Delta = Annotated[
    int,
    msgspec.Meta(ge=-MAX_QUANTITY, le=MAX_QUANTITY, description="Units added (positive) or removed (negative)"),
]
Threshold = Annotated[
    int, msgspec.Meta(ge=0, le=MAX_QUANTITY, description="Alert (stock.low) when available falls below this")
]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=r"\S", description="Why, in a few words")]


class Sku(msgspec.Struct):
    id: UUID
    code: str
    name: str
    barcode: str | None
    created_at: datetime
    updated_at: datetime


class SkuCreate(msgspec.Struct, forbid_unknown_fields=True):
    code: SkuCode
    name: Name
    barcode: SkuBarcode | None = None


class SkuUpdate(msgspec.Struct, forbid_unknown_fields=True):
    code: SkuCode | msgspec.UnsetType = msgspec.UNSET
    name: Name | msgspec.UnsetType = msgspec.UNSET
    barcode: SkuBarcode | msgspec.UnsetType | None = msgspec.UNSET


class StockLevel(msgspec.Struct):
    id: UUID
    location_id: UUID
    location_name: str
    sku_id: UUID
    sku: str
    sku_name: str
    on_hand: int
    reserved: int
    available: int
    """on_hand - reserved: what a new order or a transfer may take."""
    low_stock_threshold: int | None
    low: bool
    """available is below the threshold."""
    updated_at: datetime


class Movement(msgspec.Struct):
    id: UUID
    kind: MovementKind
    location_id: UUID
    sku_id: UUID
    sku: str
    on_hand_delta: int
    reserved_delta: int
    reason: str | None
    order_id: UUID | None
    transfer_id: UUID | None
    actor: str
    occurred_at: datetime


class ReceiptCreate(msgspec.Struct, forbid_unknown_fields=True):
    location_id: UUID
    sku: SkuCode
    quantity: Quantity
    reason: Reason | None = None
    """E.g. the supplier's delivery note."""


class AdjustmentCreate(msgspec.Struct, forbid_unknown_fields=True):
    location_id: UUID
    sku: SkuCode
    delta: Delta
    reason: Reason
    """Required: a count, damage, loss..."""

    def __post_init__(self) -> None:
        if self.delta == 0:
            raise ValueError("delta: an adjustment adds or removes at least one unit")


class TransferCreate(msgspec.Struct, forbid_unknown_fields=True):
    from_location_id: UUID
    to_location_id: UUID
    sku: SkuCode
    quantity: Quantity
    reason: Reason | None = None


class Transfer(msgspec.Struct):
    transfer_id: UUID
    source: StockLevel
    destination: StockLevel


class ThresholdUpdate(msgspec.Struct, forbid_unknown_fields=True):
    low_stock_threshold: Threshold | None
    """null: no low-stock alert for this SKU here."""


class StockRowError(msgspec.Struct):
    row: int
    """1-based data row (the CSV header is row 0)."""
    field: str | None
    reason: str
    location: str | None = None
    sku: str | None = None


class StockImportResult(msgspec.Struct):
    rows: int
    changed: int
    unchanged: int
    rejected: int
    errors: list[StockRowError]
