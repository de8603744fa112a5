from __future__ import annotations

from backend.kit.problems import Conflict, Invalid, NotFound


class StoreNotFound(NotFound):
    type_slug = "store-not-found"
    title = "Store not found"


class ParcelNotFound(NotFound):
    type_slug = "parcel-not-found"
    title = "No parcel has this barcode"


class WrongStore(Conflict):
    type_slug = "wrong-store"
    title = "This parcel does not wait at this store"


class PickupCodeNotFound(NotFound):
    type_slug = "pickup-code-not-found"
    title = "No pickup with this code at this store"


class PickupNotReady(Conflict):
    type_slug = "pickup-not-ready"
    title = "This pickup is not ready"


class AlreadyHandedOver(Conflict):
    type_slug = "pickup-already-handed-over"
    title = "This pickup was already handed over"


class PickupUnavailable(Conflict):
    type_slug = "pickup-unavailable"
    title = "This order cannot be picked up"


class IdCheckRequired(Invalid):
    type_slug = "id-check-required"
    title = "Check the recipient's photo ID first"
