"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from backend.accounts.models import ApiKey, LoginSession, Organization, User
from backend.db.base import metadata
from backend.events.models import Event
from backend.fleet.models import Vehicle
from backend.orders.models import Order, Parcel
from backend.places.models import Location, Zone
from backend.proof.models import Media, Proof
from backend.routing.models import Plan, Route, Stop
from backend.sync.models import SyncCommand
from backend.tracking.models import DriverSpeed, Position

__all__ = [
    "ApiKey",
    "DriverSpeed",
    "Event",
    "Location",
    "LoginSession",
    "Media",
    "Order",
    "Organization",
    "Parcel",
    "Plan",
    "Position",
    "Proof",
    "Route",
    "Stop",
    "SyncCommand",
    "User",
    "Vehicle",
    "Zone",
    "metadata",
]
