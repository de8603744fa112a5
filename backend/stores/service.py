"""In-store pickups: parcels scanned in to a shelf, the customer told (an event), "I'm here", the hand-over
against the customer's code, reminders, and expiry back to the depot. Nothing here commits."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from backend.accounts.models import Role, User
from backend.accounts.principal import Principal
from backend.events import service as events
from backend.kit.clock import utcnow
from backend.kit.codes import new_code, read_code
from backend.kit.problems import Invalid
from backend.orders import repository as orders_repository
from backend.orders import service as orders
from backend.orders.errors import IllegalTransition
from backend.orders.models import Order, OrderKind, OrderStatus, Parcel
from backend.places.models import Location, LocationKind
from backend.proof.models import Proof, ProofKind, ProofStatus
from backend.stores.errors import (
    AlreadyHandedOver,
    IdCheckRequired,
    ParcelNotFound,
    PickupCodeNotFound,
    PickupNotReady,
    PickupUnavailable,
    StoreNotFound,
    WrongStore,
)
from backend.stores.models import Pickup, StoreAssignment
from backend.tracking.geofence import haversine_m

QR_PREFIX = "DOORSTEP-PICKUP:"
ARRIVED_FOR = timedelta(hours=2)  # a customer who said "I'm here" longer ago than this has left


def normalize_code(raw: str) -> str:
    return read_code(raw, QR_PREFIX)


def qr_payload(code: str) -> str:
    return f"{QR_PREFIX}{code}"


async def visible_stores(session: AsyncSession, *, principal: Principal) -> list[Location]:
    """Store staff see their own stores; admins and dispatchers every store of the organization."""
    query = select(Location).where(
        Location.organization_id == principal.organization_id, Location.kind == LocationKind.store
    )
    if principal.role == Role.store_staff:
        query = query.join(StoreAssignment, StoreAssignment.location_id == Location.id).where(
            StoreAssignment.user_id == principal.user_id
        )
    elif principal.role not in (Role.admin, Role.dispatcher):
        return []
    return list(await session.scalars(query.order_by(Location.name)))


async def require_store(session: AsyncSession, *, principal: Principal, store_id: UUID) -> Location:
    for store in await visible_stores(session, principal=principal):
        if store.id == store_id:
            return store
    raise StoreNotFound()


async def assign_staff(
    session: AsyncSession, *, principal: Principal, store_id: UUID, user_ids: list[UUID]
) -> list[UUID]:
    """Who works at this store (replaces the list); each must be a store_staff user of the organization."""
    await require_store(session, principal=principal, store_id=store_id)
    users = list(
        await session.scalars(
            select(User).where(User.organization_id == principal.organization_id, User.id.in_(user_ids))
        )
    )
    if len(users) != len(set(user_ids)) or any(u.role != Role.store_staff for u in users):
        raise Invalid("user_ids: each must be a store_staff user of your organization")
    existing = list(await session.scalars(select(StoreAssignment).where(StoreAssignment.location_id == store_id)))
    keep = set(user_ids)
    for row in existing:
        if row.user_id not in keep:
            await session.delete(row)
    have = {row.user_id for row in existing}
    for user_id in keep - have:
        session.add(StoreAssignment(organization_id=principal.organization_id, user_id=user_id, location_id=store_id))
    events.record(
        session,
        organization_id=principal.organization_id,
        type="store.staff_assigned",
        subject_type="location",
        subject_id=store_id,
        actor=principal.actor,
        payload={"user_ids": sorted(str(u) for u in keep)},
    )
    return sorted(keep)


async def pickup_of(session: AsyncSession, *, order_id: UUID) -> Pickup | None:
    return await session.scalar(select(Pickup).where(Pickup.order_id == order_id))


async def _order_with_parcels(session: AsyncSession, organization_id: UUID, order_id: UUID) -> Order:
    order = await orders_repository.get_order(
        session, organization_id=organization_id, order_id=order_id, for_update=True
    )
    if order is None:
        raise PickupCodeNotFound("No such order in your organization")
    return order


def _record(session: AsyncSession, principal: Principal, type_: str, pickup: Pickup, **payload: object) -> None:
    events.record(
        session,
        organization_id=pickup.organization_id,
        type=type_,
        subject_type="order",
        subject_id=pickup.order_id,
        actor=principal.actor,
        payload={"store_id": str(pickup.store_id), "order_id": str(pickup.order_id), **payload},
    )


async def _new_pickup(session: AsyncSession, order: Order, store_id: UUID) -> Pickup:
    for _ in range(10):  # 25^6 codes per store: a clash is rare, and retried
        pickup = Pickup(organization_id=order.organization_id, order_id=order.id, store_id=store_id, code=new_code())
        try:
            async with session.begin_nested():
                session.add(pickup)
                await session.flush()
        except IntegrityError:
            continue
        return pickup
    raise RuntimeError("could not find a free pickup code")


async def scan_in(
    session: AsyncSession, *, principal: Principal, store_id: UUID, barcode: str, shelf: str, hold_days: int
) -> tuple[Pickup, Order]:
    """A parcel arrived at the store: it goes on a shelf; when the order's last parcel is in, it is ready and
    the customer is told (the `pickup.ready` event carries what notifications need)."""
    store = await require_store(session, principal=principal, store_id=store_id)
    parcel = await session.scalar(
        select(Parcel).where(Parcel.organization_id == principal.organization_id, Parcel.barcode == barcode)
    )
    if parcel is None:
        raise ParcelNotFound(f"{barcode}: no parcel of your organization has this barcode")
    order = await _order_with_parcels(session, principal.organization_id, parcel.order_id)
    if order.kind != OrderKind.store_pickup:
        raise WrongStore(f"{barcode} is a {order.kind.value} order for {order.address}, not an in-store pickup")
    if order.store_id != store.id:
        other = await session.get(Location, order.store_id) if order.store_id else None
        raise WrongStore(f"{barcode} waits at {other.name if other else 'another store'}, not at {store.name}")
    if order.status not in (OrderStatus.created, OrderStatus.at_store, OrderStatus.ready_for_pickup):
        raise PickupUnavailable(f"The order is {order.status.value}; it cannot be shelved")
    pickup = await pickup_of(session, order_id=order.id) or await _new_pickup(session, order, store.id)
    if barcode not in pickup.scanned:
        pickup.scanned = [*pickup.scanned, barcode]
    pickup.shelf = shelf
    now = utcnow()
    if order.status == OrderStatus.created:
        await orders.transition(session, principal=principal, order_id=order.id, to=OrderStatus.at_store)
    all_in = {p.barcode for p in order.parcels} <= set(pickup.scanned)
    if all_in and order.status == OrderStatus.at_store:
        await orders.transition(session, principal=principal, order_id=order.id, to=OrderStatus.ready_for_pickup)
        pickup.ready_at = now
        pickup.expires_at = now + timedelta(days=hold_days)
        _record(
            session,
            principal,
            "pickup.ready",
            pickup,
            code=pickup.code,
            shelf=shelf,
            expires_at=pickup.expires_at.isoformat(),
            store_name=store.name,
        )
    else:
        _record(session, principal, "pickup.scanned_in", pickup, barcode=barcode, shelf=shelf)
    return pickup, order


async def lookup(session: AsyncSession, *, principal: Principal, store_id: UUID, code: str) -> tuple[Pickup, Order]:
    """The pickup behind a customer's code at this counter, or a plain refusal (unknown, used, not ready)."""
    await require_store(session, principal=principal, store_id=store_id)
    pickup = await session.scalar(
        select(Pickup).where(Pickup.store_id == store_id, Pickup.code == normalize_code(code))
    )
    if pickup is None:
        raise PickupCodeNotFound("Check the code with the customer, or look them up by name in the waiting list")
    order = await orders_repository.get_order(
        session, organization_id=principal.organization_id, order_id=pickup.order_id
    )
    assert order is not None  # the pickup's own order: same organization, deleted only with it
    _refuse_unless_ready(pickup, order)
    return pickup, order


def _refuse_unless_ready(pickup: Pickup, order: Order) -> None:
    if order.status == OrderStatus.picked_up:
        at = pickup.handed_over_at.strftime("%Y-%m-%d %H:%M UTC") if pickup.handed_over_at else "earlier"
        raise AlreadyHandedOver(f"Handed over {at}; this code cannot be used again")
    if order.status == OrderStatus.ready_for_pickup:
        return
    if order.status == OrderStatus.at_store:
        missing = len(order.parcels) - len(set(pickup.scanned))
        raise PickupNotReady(f"{missing} parcel(s) of this order are not scanned in yet")
    raise PickupUnavailable(f"The order is {order.status.value}")


async def hand_over(
    session: AsyncSession,
    *,
    principal: Principal,
    store_id: UUID,
    order_id: UUID,
    code: str,
    recipient_name: str,
    signature: str | None,
    id_checked: bool,
) -> tuple[Pickup, Order]:
    """The counter hands the parcels over: `picked_up`, with a proof record like a delivery. Two clerks at
    once: the order row is locked, the second finds it handed over and is refused."""
    await require_store(session, principal=principal, store_id=store_id)
    order = await _order_with_parcels(session, principal.organization_id, order_id)
    pickup = await session.scalar(
        select(Pickup).where(Pickup.order_id == order.id).execution_options(populate_existing=True)
    )
    if pickup is None or pickup.store_id != store_id or pickup.code != normalize_code(code):
        raise PickupCodeNotFound("The code does not belong to this order at this store")
    _refuse_unless_ready(pickup, order)
    if order.id_check_required and not id_checked:
        raise IdCheckRequired("This order needs the recipient's photo ID checked; confirm it, then hand over")
    now = utcnow()
    try:
        await orders.transition(session, principal=principal, order_id=order.id, to=OrderStatus.picked_up)
    except IllegalTransition as exc:  # pragma: no cover - the lock above makes this the second clerk's path
        raise AlreadyHandedOver() from exc
    pickup.handed_over_at = now
    pickup.handed_over_by = principal.user_id
    session.add(
        Proof(
            organization_id=order.organization_id,
            order_id=order.id,
            driver_id=principal.user_id,
            kind=ProofKind.picked_up,
            status=ProofStatus.accepted,
            recipient_name=recipient_name,
            signature=signature,
            note="ID checked" if id_checked else None,
            photos=[],
            occurred_at=now,
            recorded_at=now,
        )
    )
    _record(session, principal, "pickup.handed_over", pickup, id_checked=id_checked)
    return pickup, order


async def customer_here(
    session: AsyncSession,
    *,
    order: Order,
    curbside: bool,
    parking_note: str | None,
    position: tuple[float, float] | None = None,
) -> Pickup:
    """The customer tapped "I'm here": the store's screen shows them at once (the event goes to its channel).
    A shared position becomes a distance from the store, rounded; the position itself is not kept."""
    pickup = await pickup_of(session, order_id=order.id)
    if pickup is None or order.status != OrderStatus.ready_for_pickup:
        raise PickupNotReady("Your order is not ready for pickup yet; we will tell you when it is")
    pickup.customer_arrived_at = utcnow()
    pickup.curbside = curbside
    pickup.parking_note = parking_note
    pickup.customer_distance_m = None
    if position is not None:
        store = await session.get(Location, pickup.store_id)
        if store is not None:
            pickup.customer_distance_m = float(round(haversine_m(position[0], position[1], store.lat, store.lon), -1))
    _record(
        session,
        Principal.system(order.organization_id),
        "pickup.customer_arrived",
        pickup,
        curbside=curbside,
        parking_note=parking_note,
        shelf=pickup.shelf,
        code=pickup.code,
        name=order.recipient_name.split(" ")[0],
        distance_m=pickup.customer_distance_m,
    )
    return pickup


PickupList = Literal["waiting", "overdue", "arrived", "all"]


async def list_pickups(
    session: AsyncSession, *, principal: Principal, store_id: UUID, which: PickupList, now: datetime
) -> list[tuple[Pickup, Order]]:
    """The counter's lists: waiting (ready, oldest first), arrived (customers here now), overdue (past expiry,
    and expired ones still on the shelf until their return shipment reaches the depot)."""
    await require_store(session, principal=principal, store_id=store_id)
    query = (
        select(Pickup, Order)
        .join(Order, Order.id == Pickup.order_id)
        .options(selectinload(Order.parcels))
        .where(Pickup.store_id == store_id, Pickup.organization_id == principal.organization_id)
    )
    if which == "waiting":
        query = query.where(Order.status == OrderStatus.ready_for_pickup)
    elif which == "arrived":  # here now: tapped "I'm here" in the last hours, not yesterday
        query = query.where(
            Order.status == OrderStatus.ready_for_pickup, Pickup.customer_arrived_at >= now - ARRIVED_FOR
        )
    elif which == "overdue":
        query = query.where(
            Order.status.in_((OrderStatus.ready_for_pickup, OrderStatus.expired)), Pickup.expires_at <= now
        )
    rows = await session.execute(query.order_by(Pickup.ready_at.is_(None), Pickup.ready_at, Pickup.created_at))
    return [(pickup, order) for pickup, order in rows]
