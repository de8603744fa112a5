from __future__ import annotations

from backend.kit.problems import Conflict, Forbidden, NotFound


class CarrierNotFound(NotFound):
    type_slug = "carrier-not-found"
    title = "No such carrier"


class NotACarrier(Forbidden):
    type_slug = "not-a-carrier"
    title = "Only a carrier organization can do this"


class NotAssigned(NotFound):
    type_slug = "order-not-found"
    title = "Order not found"


class NotAssignable(Conflict):
    type_slug = "order-not-assignable"
    title = "This order can no longer change carrier"
