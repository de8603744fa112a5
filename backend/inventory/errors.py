"""Errors of the inventory domain."""

from __future__ import annotations

from typing import Any

from backend.kit.problems import Conflict, Invalid, NotFound


class SkuNotFound(NotFound):
    title = "SKU not found"


class SkuCodeTaken(Conflict):
    type_slug = "sku-code-taken"
    title = "The SKU code is taken in your organization"


class SkuBarcodeTaken(Conflict):
    type_slug = "sku-barcode-taken"
    title = "Another SKU has this barcode"


class UnknownSkus(Invalid):
    type_slug = "unknown-sku"
    title = "The order names SKUs your organization does not have"

    def __init__(self, codes: list[str]) -> None:
        message = f"no such SKU: {', '.join(codes)}"
        super().__init__(
            f"lines: {message}", extra={"unknown_skus": codes, "errors": [{"field": "lines", "message": message}]}
        )


class InsufficientStock(Conflict):
    """Not enough available at the location; the extra members say what is short and which stores have it."""

    type_slug = "insufficient-stock"
    title = "Not enough stock"

    def __init__(self, detail: str, *, location_id: str, shortages: list[dict[str, Any]], suggested_store: Any) -> None:
        super().__init__(
            detail,
            extra={"location_id": location_id, "shortages": shortages, "suggested_store": suggested_store},
        )


class StockLimitExceeded(Invalid):
    type_slug = "stock-limit"
    title = "A location cannot hold that much of one SKU"


class TransferToItself(Invalid):
    type_slug = "transfer-to-itself"
    title = "A transfer goes from one location to another"


class StockImportRejected(Invalid):
    type_slug = "import-rejected"
    title = "The import has invalid rows; nothing was imported"


class StockImportUnreadable(Invalid):
    type_slug = "import-unreadable"
    title = "The import could not be read"
