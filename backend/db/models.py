"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from backend.accounts.models import ApiKey, LoginSession, Organization, User
from backend.carriers.models import CarrierLink, CarrierRule, CarrierUpdate
from backend.db.base import metadata
from backend.events.models import Event
from backend.fleet.models import Vehicle
from backend.inbox.models import InboxAcknowledgement
from backend.integrations.models import WebhookDelivery, WebhookEndpoint
from backend.inventory.models import OrderLine, Sku, StockLevel, StockMovement
from backend.notifications.models import Notification, NotificationSettings, NotifiedEta, PushSubscription
from backend.orders.models import Order, Parcel
from backend.places.models import Location, Zone
from backend.proof.models import Media, Proof
from backend.returns.models import ReturnRequest
from backend.routing.models import Plan, Route, Stop
from backend.stores.models import Pickup, StoreAssignment
from backend.sync.models import SyncCommand
from backend.tracking.models import DriverSpeed, Position

__all__ = [
    "ApiKey",
    "CarrierLink",
    "CarrierRule",
    "CarrierUpdate",
    "DriverSpeed",
    "Event",
    "InboxAcknowledgement",
    "Location",
    "LoginSession",
    "Media",
    "Notification",
    "NotificationSettings",
    "NotifiedEta",
    "Order",
    "OrderLine",
    "Organization",
    "Parcel",
    "Pickup",
    "Plan",
    "Position",
    "Proof",
    "PushSubscription",
    "ReturnRequest",
    "Route",
    "Sku",
    "StockLevel",
    "StockMovement",
    "Stop",
    "StoreAssignment",
    "SyncCommand",
    "User",
    "Vehicle",
    "WebhookDelivery",
    "WebhookEndpoint",
    "Zone",
    "metadata",
]
