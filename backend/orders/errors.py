"""Errors of the orders domain."""

from __future__ import annotations

from collections.abc import Iterable

from backend.kit.problems import Conflict, Invalid, NotFound
from backend.orders.models import OrderStatus


class OrderNotFound(NotFound):
    title = "Order not found"


class IllegalTransition(Conflict):
    type_slug = "illegal-transition"
    title = "This order cannot move to that state"

    def __init__(self, *, current: OrderStatus, to: OrderStatus, allowed: Iterable[OrderStatus]) -> None:
        allowed_values = sorted(s.value for s in allowed)
        listed = ", ".join(allowed_values) or "none: this state is final"
        super().__init__(
            f"The order is {current.value}; it cannot become {to.value}. Allowed next: {listed}.",
            extra={"current": current.value, "requested": to.value, "allowed": allowed_values},
        )


class OrderNotEditable(Conflict):
    type_slug = "order-not-editable"
    title = "The order can no longer be edited"


class DuplicateBarcode(Conflict):
    type_slug = "duplicate-barcode"
    title = "A parcel with this barcode exists"


class DuplicateExternalRef(Conflict):
    type_slug = "duplicate-external-ref"
    title = "An order with this external reference exists"


class ImportRejected(Invalid):
    type_slug = "import-rejected"
    title = "The import has invalid rows; nothing was imported"


class ImportUnreadable(Invalid):
    type_slug = "import-unreadable"
    title = "The import could not be read"
