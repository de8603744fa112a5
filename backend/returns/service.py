"""Returns: a customer starts one from the tracking page of a delivered order (which parcels or items, why,
a driver pickup in a window or a drop-off at a nearby store); the store takes it in against its code; the
depot or the store receives it and decides: restock (back in stock there), repair or dispose. The return is
an order of kind `return` whose lifecycle (requested → scheduled → collected → received → restocked |
disposed) the orders module enforces. Nothing here commits."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts import service as accounts
from backend.accounts.models import Role
from backend.accounts.principal import Principal
from backend.events import service as events
from backend.inventory import service as inventory
from backend.kit.clock import utcnow
from backend.kit.codes import new_code, read_code
from backend.orders import repository as orders_repository
from backend.orders import service as orders
from backend.orders.models import Order, OrderKind, OrderStatus
from backend.orders.schemas import OrderCreate
from backend.places.geometry import distances_m
from backend.places.models import Location, LocationKind
from backend.returns import schemas
from backend.returns.errors import (
    ReturnCodeNotFound,
    ReturnInvalid,
    ReturnNotAllowed,
    ReturnNotFound,
    ReturnNotReceivable,
)
from backend.returns.models import Disposition, ReturnMethod, ReturnRequest
from backend.stores import service as stores

# a return can be started while the order's tracking link works (DOORSTEP_TRACKING_LINK_TTL_S after delivery):
# the link is the customer's only credential, and its expiry is a privacy rule; raise the setting for longer
MAX_CUSTOMER_PHOTOS = 10  # photos a customer may upload for one order's returns
QR_PREFIX = "DOORSTEP-RETURN:"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class NearbyStore:
    store: Location
    distance_m: float
    open_now: bool


def open_at(opening_hours: dict[str, Any], when: datetime, timezone: str) -> bool:
    """Whether a store is open at `when` by its opening hours (local times; a missing day is closed)."""
    local = when.astimezone(ZoneInfo(timezone))
    for start, end in opening_hours.get(DAYS[local.weekday()], []):
        if time.fromisoformat(start) <= local.time() < time.fromisoformat(end):
            return True
    return False


async def nearby_stores(session: AsyncSession, *, order: Order, now: datetime, limit: int = 5) -> list[NearbyStore]:
    """The organization's stores nearest the customer's address first (shapely, on a local metric projection)."""
    organization = await accounts.get_organization(session, organization_id=order.organization_id)
    stores_ = list(
        await session.scalars(
            select(Location).where(
                Location.organization_id == order.organization_id, Location.kind == LocationKind.store
            )
        )
    )
    metres = distances_m((order.lat, order.lon), [(s.lat, s.lon) for s in stores_])
    ranked = sorted(
        (
            NearbyStore(store=s, distance_m=d, open_now=open_at(s.opening_hours or {}, now, organization.timezone))
            for s, d in zip(stores_, metres, strict=True)
        ),
        key=lambda n: n.distance_m,
    )
    return ranked[:limit]


def returnable(order: Order, now: datetime) -> str | None:
    """Why this order cannot be returned, or None when it can."""
    if order.kind not in (OrderKind.delivery, OrderKind.store_pickup):
        return "Only a delivery or a store pickup can be returned"
    if order.status not in (OrderStatus.delivered, OrderStatus.picked_up):
        return "An order can be returned once it has been delivered"
    return None


async def _new_code(session: AsyncSession, organization_id: UUID) -> str:
    for _ in range(10):
        code = new_code()
        taken = await session.scalar(
            select(ReturnRequest.id).where(ReturnRequest.organization_id == organization_id, ReturnRequest.code == code)
        )
        if taken is None:
            return code
    raise RuntimeError("could not find a free return code")


async def start_return(
    session: AsyncSession, *, order: Order, data: schemas.ReturnStart, secret_key: str, now: datetime
) -> tuple[ReturnRequest, Order]:
    """The customer's return request becomes a return order: a pickup for the planner, or a drop-off that
    waits for the store (scheduled at once, so the planner leaves it alone)."""
    refusal = returnable(order, now)
    if refusal is not None:
        raise ReturnNotAllowed(refusal)
    # locked: two returns started at once for the same parcels or items must not both pass the checks below
    original = await orders_repository.get_order(
        session, organization_id=order.organization_id, order_id=order.id, for_update=True
    )
    assert original is not None
    known = {p.barcode for p in original.parcels}
    unknown = sorted(set(data.parcels) - known)
    if unknown:
        raise ReturnInvalid(f"parcels: not part of this order: {', '.join(unknown)}")
    if not data.parcels and not data.items:
        raise ReturnInvalid("Choose at least one parcel or item to return")
    lines = dict(await inventory.order_lines(session, organization_id=order.organization_id, order_id=order.id))
    rows = await session.execute(
        select(ReturnRequest, Order.status)
        .join(Order, Order.id == ReturnRequest.return_order_id)
        .where(ReturnRequest.original_order_id == order.id)
    )
    returned: dict[str, int] = {}
    for earlier, status in rows:
        if status == OrderStatus.cancelled:
            continue
        for line in earlier.items.get("skus", []):
            returned[line["sku"]] = returned.get(line["sku"], 0) + int(line["quantity"])
        again = set(data.parcels) & set(earlier.items.get("parcels", []))
        if again:
            raise ReturnNotAllowed(f"A return was already started for {', '.join(sorted(again))}")
    for item in data.items:
        left = lines.get(item.sku, 0) - returned.get(item.sku, 0)
        if item.quantity > left:
            raise ReturnInvalid(f"items: {item.quantity} of {item.sku} is more than is left to return ({max(left, 0)})")
    store: Location | None = None
    if data.method == ReturnMethod.store_dropoff:
        if data.store_id is None:
            raise ReturnInvalid("store_id: choose the store you will bring it to")
        store = await session.get(Location, data.store_id)
        if store is None or store.organization_id != order.organization_id or store.kind != LocationKind.store:
            raise ReturnInvalid("store_id: not one of this shop's stores")
    elif data.window_start_at is None or data.window_end_at is None:
        raise ReturnInvalid("window_start_at, window_end_at: choose when the driver may collect it")
    system = Principal.system(order.organization_id)
    organization = await accounts.get_organization(session, organization_id=order.organization_id)
    reference = order.external_ref or str(order.id)[:8]
    created = await orders.create_order(
        session,
        principal=system,
        organization=organization,
        data=OrderCreate(
            kind=OrderKind.return_,
            recipient_name=order.recipient_name,
            recipient_phone=order.recipient_phone,
            recipient_email=order.recipient_email,
            address=order.address,
            lat=order.lat,
            lon=order.lon,
            external_ref=f"RETURN-{reference}-{secrets.token_hex(2).upper()}"[:100],
            window_start_at=data.window_start_at if data.method == ReturnMethod.pickup else None,
            window_end_at=data.window_end_at if data.method == ReturnMethod.pickup else None,
            parcel_count=max(1, len(data.parcels) + sum(i.quantity for i in data.items)),
            notes=f"Return ({data.reason}) of {reference}" + (f": {data.comment}" if data.comment else ""),
            store_id=store.id if store else None,
        ),
        secret_key=secret_key,
    )
    return_order = created.order
    request = ReturnRequest(
        organization_id=order.organization_id,
        return_order_id=return_order.id,
        original_order_id=order.id,
        method=data.method,
        store_id=store.id if store else None,
        reason=data.reason,
        comment=data.comment,
        items={"parcels": sorted(data.parcels), "skus": [{"sku": i.sku, "quantity": i.quantity} for i in data.items]},
        photos=list(data.photos),
        code=await _new_code(session, order.organization_id),
    )
    session.add(request)
    try:
        await session.flush()
    except IntegrityError as exc:  # pragma: no cover - the code was checked free a moment ago
        raise ReturnNotAllowed("Please try again") from exc
    if data.method == ReturnMethod.store_dropoff:
        await orders.transition(
            session,
            principal=system,
            order_id=return_order.id,
            to=OrderStatus.scheduled,
            reason=f"drop-off at {store.name if store else 'a store'}",
        )
    events.record(
        session,
        organization_id=order.organization_id,
        type="return.requested",
        subject_type="order",
        subject_id=return_order.id,
        actor="customer",
        payload={
            "original_order_id": str(order.id),
            "method": data.method.value,
            "store_id": str(store.id) if store else None,
            "reason": data.reason,
            "items": request.items,
        },
    )
    return request, return_order


async def request_for(session: AsyncSession, *, return_order_id: UUID) -> ReturnRequest | None:
    return await session.scalar(select(ReturnRequest).where(ReturnRequest.return_order_id == return_order_id))


async def requests_of(session: AsyncSession, *, original_order_id: UUID) -> list[ReturnRequest]:
    return list(
        await session.scalars(
            select(ReturnRequest)
            .where(ReturnRequest.original_order_id == original_order_id)
            .order_by(ReturnRequest.created_at)
        )
    )


def normalize_code(raw: str) -> str:
    return read_code(raw, QR_PREFIX)


async def store_intake(
    session: AsyncSession, *, principal: Principal, store_id: UUID, code: str
) -> tuple[ReturnRequest, Order]:
    """The customer hands the parcel in at a store: the return is collected there."""
    store = await stores.require_store(session, principal=principal, store_id=store_id)
    request = await session.scalar(
        select(ReturnRequest).where(
            ReturnRequest.organization_id == principal.organization_id, ReturnRequest.code == normalize_code(code)
        )
    )
    if request is None:
        raise ReturnCodeNotFound("Check the code on the customer's return page")
    order = await orders.get_order(session, principal=principal, order_id=request.return_order_id)
    if order.status != OrderStatus.scheduled:
        raise ReturnNotReceivable(f"This return is {order.status.value}; it was taken in already or cancelled")
    await orders.transition(
        session, principal=principal, order_id=order.id, to=OrderStatus.collected, reason=f"dropped at {store.name}"
    )
    request.dropped_at = utcnow()
    request.store_id = store.id
    events.record(
        session,
        organization_id=principal.organization_id,
        type="return.dropped_off",
        subject_type="order",
        subject_id=order.id,
        actor=principal.actor,
        payload={"store_id": str(store.id), "original_order_id": str(request.original_order_id)},
    )
    return request, order


async def receive(
    session: AsyncSession,
    *,
    principal: Principal,
    return_order_id: UUID,
    location_id: UUID,
    disposition: Disposition,
) -> tuple[ReturnRequest, Order]:
    """The return is in hand at a depot or store and is decided: restock puts its items back in stock at that
    location (the inventory ledger's return_restock), dispose closes it, repair keeps it received."""
    request = await request_for(session, return_order_id=return_order_id)
    if request is None or request.organization_id != principal.organization_id:
        raise ReturnNotFound()
    location = await session.get(Location, location_id)
    if location is None or location.organization_id != principal.organization_id:
        raise ReturnInvalid("location_id: no such location in your organization")
    if principal.role == Role.store_staff:
        # a clerk receives at their own store, and only what was dropped there: restocking adds stock
        if location.kind != LocationKind.store or request.store_id is None:
            raise ReturnNotFound("Receive returns at your store; the depot receives the others")
        await stores.require_store(session, principal=principal, store_id=location.id)
        if request.store_id != location.id:
            raise ReturnNotFound("This return was dropped at another store")
    order = await orders.get_order(session, principal=principal, order_id=return_order_id)
    if order.status == OrderStatus.collected:
        await orders.transition(
            session, principal=principal, order_id=order.id, to=OrderStatus.received, reason=f"at {location.name}"
        )
    elif order.status != OrderStatus.received:
        raise ReturnNotReceivable(f"This return is {order.status.value}; it must be collected first")
    if request.disposition is not None:
        raise ReturnNotReceivable(f"This return was already decided: {request.disposition.value}")
    request.received_at = utcnow()
    request.received_location_id = location.id
    request.disposition = disposition
    if disposition == Disposition.restock:
        for line in request.items.get("skus", []):
            await inventory.restock_return(
                session,
                principal=principal,
                location_id=location.id,
                sku_code=line["sku"],
                quantity=int(line["quantity"]),
                order_id=order.id,
                reason="customer return",
            )
        await orders.transition(session, principal=principal, order_id=order.id, to=OrderStatus.restocked)
    elif disposition == Disposition.dispose:
        await orders.transition(session, principal=principal, order_id=order.id, to=OrderStatus.disposed)
    events.record(
        session,
        organization_id=principal.organization_id,
        type="return.received",
        subject_type="order",
        subject_id=order.id,
        actor=principal.actor,
        payload={"location_id": str(location.id), "disposition": disposition.value, "items": request.items},
    )
    return request, order


ReturnList = Literal["to_receive", "on_the_way", "decided"]
DECIDED_FOR = timedelta(days=7)  # the "decided" list: what was received and decided in the last week


async def list_returns(
    session: AsyncSession, *, principal: Principal, which: ReturnList, now: datetime, limit: int = 200
) -> list[tuple[ReturnRequest, Order]]:
    """The receiving desk's lists: to receive (collected by a driver or dropped at a store, not yet decided), on
    the way (requested or scheduled) and decided (the last week). Store staff see only their stores' drop-offs."""
    query = (
        select(ReturnRequest, Order)
        .join(Order, Order.id == ReturnRequest.return_order_id)
        .where(ReturnRequest.organization_id == principal.organization_id)
    )
    if principal.role == Role.store_staff:
        store_ids = [s.id for s in await stores.visible_stores(session, principal=principal)]
        query = query.where(ReturnRequest.store_id.in_(store_ids))
    if which == "to_receive":
        query = query.where(Order.status.in_((OrderStatus.collected, OrderStatus.received)))
        query = query.where(ReturnRequest.disposition.is_(None)).order_by(Order.updated_at)
    elif which == "on_the_way":
        query = query.where(Order.status.in_((OrderStatus.requested, OrderStatus.scheduled))).order_by(Order.created_at)
    else:
        query = query.where(ReturnRequest.received_at >= now - DECIDED_FOR).order_by(ReturnRequest.received_at.desc())
    rows = await session.execute(query.limit(limit))
    return [(request, order) for request, order in rows]
