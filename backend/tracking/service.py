"""Customer tracking links: resolving a token, the tracking view, and the instructions a customer may edit."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts import service as accounts
from backend.events import service as events
from backend.kit.secrets import token_hash
from backend.orders.lifecycle import EDITABLE
from backend.orders.models import Order, OrderKind, OrderStatus
from backend.places.models import Location
from backend.proof import service as proof
from backend.returns.models import ReturnRequest
from backend.routing.models import OPEN_STOP_STATUSES, Route, RouteStatus, Stop
from backend.stores.models import Pickup
from backend.tracking import repository, schemas
from backend.tracking.errors import InstructionsLocked, TrackingLinkExpired, TrackingLinkNotFound
from backend.tracking.live import LiveTracker, at_customer, seq_now

MAX_TOKEN_LENGTH = 64
ON_THE_WAY = (OrderStatus.out_for_delivery, OrderStatus.arriving)
CLOSED = (OrderStatus.delivered, OrderStatus.cancelled, OrderStatus.failed, OrderStatus.returning)
PLANNED_WINDOW = timedelta(minutes=30)  # before the van leaves, the customer sees the plan's time ± this


async def resolve(session: AsyncSession, *, token: str, ttl_s: int, now: datetime) -> Order:
    """The order behind a tracking token; 404 for an unknown one, 410 a set time after the order closed."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise TrackingLinkNotFound()
    order = await repository.order_by_token_hash(session, token_hash=token_hash(token))
    if order is None:
        raise TrackingLinkNotFound()
    if order.closed_at is not None and order.closed_at + timedelta(seconds=ttl_s) < now:
        raise TrackingLinkExpired("This delivery was closed; its tracking link is no longer available.")
    return order


def _first_name(name: str) -> str:
    return name.strip().split(" ")[0] if name.strip() else ""


async def tracking_view(
    session: AsyncSession, *, order: Order, ttl_s: int, tracker: LiveTracker
) -> schemas.TrackingView:
    # stamped before reading: a live frame published while this view is read carries a higher seq, so a
    # client keeps the newer ETA instead of this snapshot's older one
    seq = seq_now()
    organization = await accounts.get_organization(session, organization_id=order.organization_id)
    timeline = [
        schemas.TimelineEntry(status=str(e.payload.get("to") or e.payload.get("status") or "created"), at=e.occurred_at)
        for e in await repository.status_events(session, organization_id=order.organization_id, order_id=order.id)
    ]
    eta: schemas.EtaView | None = None
    stops_away: int | None = None
    driver: schemas.DriverPosition | None = None
    driver_name: str | None = None
    found = _customer_stop(order, await repository.order_stops(session, order_id=order.id))
    if found is not None and found[0].status in OPEN_STOP_STATUSES and order.status not in CLOSED:
        stop, route = found
        if stop.eta_at is not None and stop.eta_earliest_at is not None and stop.eta_latest_at is not None:
            eta = schemas.EtaView(
                eta_at=stop.eta_at, earliest_at=stop.eta_earliest_at, latest_at=stop.eta_latest_at, live=True
            )
        elif stop.planned_arrival_at is not None:
            eta = schemas.EtaView(
                eta_at=stop.planned_arrival_at,
                earliest_at=stop.planned_arrival_at - PLANNED_WINDOW,
                latest_at=stop.planned_arrival_at + PLANNED_WINDOW,
                live=False,
            )
        if route.status == RouteStatus.in_progress and stop.status in OPEN_STOP_STATUSES:
            open_stops = await repository.open_stop_ids(session, route_id=route.id)  # in route order
            stops_away = open_stops.index(stop.id) if stop.id in open_stops else None
            if order.status in ON_THE_WAY and route.driver_id is not None:
                driver_name = _first_name(await repository.driver_name(session, driver_id=route.driver_id) or "")
                if stops_away == 0:  # privacy: the driver's position only while this is the next stop
                    driver = _position(await tracker.latest_position(order.organization_id, route.driver_id))
    handed_over = await proof.delivered_proof(session, order=order)
    pickup = await _pickup_view(session, order)
    return_info = await _return_view(session, order)
    return schemas.TrackingView(
        reference=order.external_ref or str(order.id)[:8],
        organization_name=organization.name,
        kind=order.kind.value,
        status=order.status.value,
        recipient_name=_first_name(order.recipient_name),
        address=order.address,
        lat=order.lat,
        lon=order.lon,
        window_start_at=order.window_start_at,
        window_end_at=order.window_end_at,
        instructions=order.notes,
        instructions_editable=order.status in EDITABLE,
        timeline=timeline,
        eta=eta,
        stops_away=stops_away,
        driver_name=driver_name or None,
        driver=driver,
        closed_at=order.closed_at,
        link_expires_at=order.closed_at + timedelta(seconds=ttl_s) if order.closed_at else None,
        seq=seq,
        proof=schemas.DeliveryProofView(
            received_by=handed_over.recipient_name,
            delivered_at=handed_over.occurred_at,
            photos=list(handed_over.photos),
            signature=handed_over.signature,
        )
        if handed_over is not None
        else None,
        pickup=pickup,
        return_info=return_info,
    )


async def _return_view(session: AsyncSession, order: Order) -> schemas.ReturnInfoView | None:
    if order.kind != OrderKind.return_:
        return None
    request = await session.scalar(select(ReturnRequest).where(ReturnRequest.return_order_id == order.id))
    if request is None:
        return None
    store = await session.get(Location, request.store_id) if request.store_id else None
    return schemas.ReturnInfoView(
        method=request.method.value,
        reason=request.reason,
        code=request.code,
        store_name=store.name if store else None,
        store_address=store.address if store else None,
        dropped_at=request.dropped_at,
        received_at=request.received_at,
        disposition=request.disposition.value if request.disposition else None,
    )


async def _pickup_view(session: AsyncSession, order: Order) -> schemas.PickupCustomerView | None:
    if order.status != OrderStatus.ready_for_pickup:
        return None
    pickup = await session.scalar(select(Pickup).where(Pickup.order_id == order.id))
    store = await session.get(Location, pickup.store_id) if pickup is not None else None
    if pickup is None or store is None:
        return None
    return schemas.PickupCustomerView(
        store_name=store.name,
        store_address=store.address,
        store_lat=store.lat,
        store_lon=store.lon,
        opening_hours=store.opening_hours or {},
        code=pickup.code,
        expires_at=pickup.expires_at,
        customer_arrived_at=pickup.customer_arrived_at,
        curbside=pickup.curbside,
    )


def _customer_stop(order: Order, rows: list[tuple[Stop, Route]]) -> tuple[Stop, Route] | None:
    """The visit the customer waits for: open before done, the customer's door before a depot fetch or drop."""
    visits = [(stop, route) for stop, route in rows if at_customer(stop.kind, order.kind)] or rows
    open_visits = [(stop, route) for stop, route in visits if stop.status in OPEN_STOP_STATUSES]
    chosen = open_visits or visits
    return chosen[0] if chosen else None


def _position(entry: dict[str, Any] | None) -> schemas.DriverPosition | None:
    if entry is None:
        return None
    return schemas.DriverPosition(
        lat=entry["lat"], lon=entry["lon"], heading=entry.get("heading"), at=datetime.fromisoformat(entry["at"])
    )


async def update_instructions(session: AsyncSession, *, order_id: UUID, instructions: str) -> Order:
    """The customer's note to the driver, until the parcel is out for delivery (the driver has the route then)."""
    order = await repository.order_for_update(session, order_id=order_id)
    if order is None:
        raise TrackingLinkNotFound()
    if order.status not in EDITABLE:
        raise InstructionsLocked(f"The order is {order.status.value}; call the sender to change the instructions")
    order.notes = instructions.strip() or None
    events.record(
        session,
        organization_id=order.organization_id,
        type="order.instructions_changed",
        subject_type="order",
        subject_id=order.id,
        actor="customer",
        payload={"instructions": order.notes},
    )
    return order
