"""Carrier rules. A shipper links carrier organizations (by their id), gives them orders by hand or by rule
(zone, weight, weekday; the first matching rule wins when an order is created), and its own planner leaves
those orders alone. A carrier sees only the orders given to it, with only what delivering them needs, and moves
them on (picked up, delivered with proof, failed) through the same lifecycle, each write under an
Idempotency-Key. Nothing here commits."""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from backend.accounts import service as accounts
from backend.accounts.models import Organization, OrganizationKind
from backend.accounts.principal import Principal
from backend.carriers import schemas
from backend.carriers.errors import (
    CarrierNotFound,
    NotACarrier,
    NotAssignable,
    NotAssigned,
)
from backend.carriers.models import CarrierLink, CarrierRule, CarrierUpdate
from backend.events import service as events
from backend.events.models import Event
from backend.kit.clock import utcnow
from backend.kit.idempotency import IdempotencyKeyReused
from backend.kit.validation import FieldInvalid
from backend.orders import service as orders
from backend.orders.models import Order, OrderKind, OrderStatus
from backend.places import service as places
from backend.proof import service as proof
from backend.proof.errors import MediaNotFound
from backend.proof.models import Media, Proof, ProofKind, ProofStatus
from backend.proof.storage import MediaStore

# an order can change hands while nobody has planned it yet
ASSIGNABLE = frozenset({OrderStatus.created})
# the lifecycle steps a carrier's update walks through, from wherever the order is
PATHS: dict[str, list[OrderStatus]] = {
    "picked_up": [OrderStatus.planned, OrderStatus.out_for_delivery],
    "delivered": [OrderStatus.planned, OrderStatus.out_for_delivery, OrderStatus.delivered],
    "failed": [OrderStatus.planned, OrderStatus.out_for_delivery, OrderStatus.failed],
}

# -- the shipper's side


async def create_link(session: AsyncSession, *, principal: Principal, data: schemas.LinkCreate) -> CarrierLink:
    carrier = await session.get(Organization, data.carrier_id)
    if carrier is None or carrier.kind is not OrganizationKind.carrier or carrier.id == principal.organization_id:
        raise FieldInvalid("carrier_id", "no carrier organization has this id")
    link = CarrierLink(organization_id=principal.organization_id, carrier_id=carrier.id, name=data.name, active=True)
    try:
        async with session.begin_nested():
            session.add(link)
    except IntegrityError as exc:
        raise FieldInvalid("carrier_id", "this carrier is linked already") from exc
    return link


async def list_links(session: AsyncSession, *, principal: Principal) -> list[CarrierLink]:
    query = select(CarrierLink).where(CarrierLink.organization_id == principal.organization_id)
    return list(await session.scalars(query.order_by(CarrierLink.name)))


async def get_link(session: AsyncSession, *, principal: Principal, link_id: UUID) -> CarrierLink:
    link = await session.scalar(
        select(CarrierLink).where(CarrierLink.id == link_id, CarrierLink.organization_id == principal.organization_id)
    )
    if link is None:
        raise CarrierNotFound()
    return link


async def delete_link(session: AsyncSession, *, principal: Principal, link_id: UUID) -> None:
    """Unlinks the carrier; orders it has not moved yet come back to the own fleet, the rest stay its to finish."""
    link = await get_link(session, principal=principal, link_id=link_id)
    waiting = await session.scalars(
        select(Order).where(
            Order.organization_id == principal.organization_id,
            Order.carrier_id == link.carrier_id,
            Order.status.in_(ASSIGNABLE),
        )
    )
    for order in waiting:
        order.carrier_id = None
    await session.delete(link)


async def add_rule(
    session: AsyncSession, *, principal: Principal, link_id: UUID, data: schemas.RuleCreate
) -> CarrierRule:
    link = await get_link(session, principal=principal, link_id=link_id)
    if data.zone_id is not None:
        await places.get_zone(session, organization_id=principal.organization_id, zone_id=data.zone_id)
    rule = CarrierRule(
        organization_id=principal.organization_id,
        link_id=link.id,
        zone_id=data.zone_id,
        max_weight_kg=data.max_weight_kg,
        weekdays=sorted(set(data.weekdays)),
        position=data.position,
    )
    session.add(rule)
    await session.flush()
    return rule


async def list_rules(session: AsyncSession, *, principal: Principal, link_id: UUID) -> list[CarrierRule]:
    await get_link(session, principal=principal, link_id=link_id)
    query = select(CarrierRule).where(
        CarrierRule.link_id == link_id, CarrierRule.organization_id == principal.organization_id
    )
    return list(await session.scalars(query.order_by(CarrierRule.position, CarrierRule.id)))


async def delete_rule(session: AsyncSession, *, principal: Principal, link_id: UUID, rule_id: UUID) -> None:
    rule = await session.scalar(
        select(CarrierRule).where(
            CarrierRule.id == rule_id,
            CarrierRule.link_id == link_id,
            CarrierRule.organization_id == principal.organization_id,
        )
    )
    if rule is None:
        raise CarrierNotFound("No such rule for this carrier")
    await session.delete(rule)


async def assign(
    session: AsyncSession, *, principal: Principal, order_id: UUID, link_id: UUID | None, by_rule: bool = False
) -> Order:
    """Give the order to the link's carrier (None: back to the own fleet), while nobody has planned it."""
    order = await orders.get_order(session, principal=principal, order_id=order_id)
    carrier_id = None if link_id is None else (await get_link(session, principal=principal, link_id=link_id)).carrier_id
    if order.carrier_id == carrier_id:
        return order
    if order.kind is not OrderKind.delivery:
        raise NotAssignable("Only deliveries are given to carriers (returns and store pickups stay with you)")
    if order.status not in ASSIGNABLE:
        raise NotAssignable(f"The order is {order.status.value}; only an unplanned delivery can change hands")
    order.carrier_id = carrier_id
    events.record(
        session,
        organization_id=principal.organization_id,
        type="order.carrier_assigned",
        subject_type="order",
        subject_id=order.id,
        actor=principal.actor,
        payload={"carrier_id": str(carrier_id) if carrier_id else None, "by_rule": by_rule},
    )
    return order


def _weekday(order: Order, timezone: str) -> int:
    at = order.window_start_at or order.created_at or utcnow()
    return at.astimezone(ZoneInfo(timezone)).weekday()


async def assign_by_rules(session: AsyncSession, event: Event) -> UUID | None:
    """The relay's handler for `order.created`: the first matching rule of an active link gives the order to
    its carrier. Returns the carrier's id, or None."""
    if event.type != "order.created":
        return None
    rules = list(
        await session.execute(
            select(CarrierRule, CarrierLink)
            .join(CarrierLink, CarrierLink.id == CarrierRule.link_id)
            .where(CarrierRule.organization_id == event.organization_id, CarrierLink.active.is_(True))
            .order_by(CarrierRule.position, CarrierRule.id)
        )
    )
    if not rules:
        return None
    order = await session.get(Order, event.subject_id)
    if order is None or order.carrier_id is not None or order.status not in ASSIGNABLE:
        return None
    if order.kind is not OrderKind.delivery:
        return None
    organization = await accounts.get_organization(session, organization_id=order.organization_id)
    for rule, link in rules:
        if rule.max_weight_kg is not None and order.weight_kg > rule.max_weight_kg:
            continue
        if rule.weekdays and _weekday(order, organization.timezone) not in rule.weekdays:
            continue
        if rule.zone_id is not None:
            zone = await places.get_zone(session, organization_id=order.organization_id, zone_id=rule.zone_id)
            if not places.zone_contains(zone, lat=order.lat, lon=order.lon):
                continue
        await assign(
            session,
            principal=Principal.system(order.organization_id),
            order_id=order.id,
            link_id=link.id,
            by_rule=True,
        )
        return link.carrier_id
    return None


async def on_event(session: AsyncSession, event: Event) -> None:
    """The relay's handler (see assign_by_rules)."""
    await assign_by_rules(session, event)


async def carrier_of(session: AsyncSession, *, order_id: UUID) -> UUID | None:
    """The carrier an order is given to (for the webhooks of its events), or None."""
    return await session.scalar(select(Order.carrier_id).where(Order.id == order_id))


# -- the carrier's side


async def _require_carrier(session: AsyncSession, principal: Principal) -> Organization:
    organization = await accounts.get_organization(session, organization_id=principal.organization_id)
    if organization.kind is not OrganizationKind.carrier:
        raise NotACarrier("These endpoints are for carrier organizations; a shipper sees its orders at /api/orders")
    return organization


async def carrier_orders(
    session: AsyncSession, *, principal: Principal, statuses: list[OrderStatus], limit: int, offset: int
) -> tuple[list[tuple[Order, str]], int]:
    await _require_carrier(session, principal)
    where = [Order.carrier_id == principal.organization_id]
    if statuses:
        where.append(Order.status.in_(statuses))
    total = await session.scalar(select(func.count()).select_from(Order).where(*where))
    rows = await session.execute(
        select(Order, Organization.name)
        .join(Organization, Organization.id == Order.organization_id)
        .options(selectinload(Order.parcels))
        .where(*where)
        .order_by(Order.window_start_at.is_(None), Order.window_start_at, Order.id)
        .limit(limit)
        .offset(offset)
    )
    return [(order, shipper) for order, shipper in rows], int(total or 0)


async def carrier_order(session: AsyncSession, *, principal: Principal, order_id: UUID) -> tuple[Order, str]:
    """An order given to the caller's carrier organization; 404 for anything else (nothing to see for others)."""
    row = (
        await session.execute(
            select(Order, Organization.name)
            .join(Organization, Organization.id == Order.organization_id)
            .options(selectinload(Order.parcels))
            .where(Order.id == order_id, Order.carrier_id == principal.organization_id)
        )
    ).first()
    if row is None:
        raise NotAssigned()
    return row[0], row[1]


def _request_hash(order_id: UUID, update: schemas.StatusUpdate) -> str:
    body: dict[str, Any] = msgspec.to_builtins(update)
    if not body["photos"]:
        del body["photos"]  # an update without photos hashes as it did before they could be sent
    return hashlib.sha256(str(order_id).encode() + b"|" + msgspec.json.encode(body)).hexdigest()


async def _share_photos(
    session: AsyncSession, store: MediaStore, *, carrier_id: UUID, shipper_id: UUID, hashes: list[str]
) -> None:
    """Copy the carrier's uploaded photos into the shipper's media, so the shipper's office (and the customer's
    tracking link once delivered) can show them as they show a driver's; a photo the shipper has already is
    left as it is."""
    for sha256 in dict.fromkeys(hashes):
        if await proof.get_media(session, organization_id=shipper_id, sha256=sha256) is not None:
            continue
        media, data = await proof.read_media(session, store, organization_id=carrier_id, sha256=sha256)
        await store.write(shipper_id, sha256, media.content_type, data)
        try:
            async with session.begin_nested():
                session.add(
                    Media(
                        organization_id=shipper_id,
                        sha256=sha256,
                        content_type=media.content_type,
                        size=media.size,
                        width=media.width,
                        height=media.height,
                        stored_sha256=media.stored_sha256,
                        uploaded_by=None,
                    )
                )
        except IntegrityError:
            pass  # the same photo reached the shipper at the same moment by another way: one row is enough


async def update_status(
    session: AsyncSession,
    *,
    principal: Principal,
    order_id: UUID,
    update: schemas.StatusUpdate,
    key: str,
    media_store: MediaStore,
) -> schemas.StatusApplied:
    """Apply a carrier's update once per Idempotency-Key: the order moves through the lifecycle to the new state
    (recording each step, as a driver's would), a delivery or failure keeps a proof (with the carrier's photos,
    copied to the shipper); a retry with the same key answers the stored result, the same key with another
    request is refused."""
    await _require_carrier(session, principal)
    digest = _request_hash(order_id, update)
    earlier = await session.scalar(
        select(CarrierUpdate).where(
            CarrierUpdate.carrier_id == principal.organization_id, CarrierUpdate.idempotency_key == key
        )
    )
    if earlier is not None:
        if earlier.request_hash != digest:
            raise IdempotencyKeyReused("Use a new Idempotency-Key for each new update")
        return msgspec.convert({**earlier.response, "replayed": True}, schemas.StatusApplied)
    order, _shipper = await carrier_order(session, principal=principal, order_id=order_id)
    missing = await proof.missing_media(session, organization_id=principal.organization_id, hashes=update.photos)
    if missing:
        raise MediaNotFound(f"photos: upload {missing[0]} first with PUT /api/media/{{sha256}}")
    acting = Principal.carrier(order.organization_id, principal.organization_id)
    at = update.occurred_at or utcnow()
    note = f"Carrier: {update.note}" if update.note else "Delivered by the carrier"
    for step in PATHS[update.status]:
        if step == order.status or not _ahead(order, step, update.status):
            continue
        await orders.transition(
            session, principal=acting, order_id=order.id, to=step, occurred_at=at, reason=f"carrier: {update.status}"
        )
    if update.status in ("delivered", "failed"):
        await _share_photos(
            session,
            media_store,
            carrier_id=principal.organization_id,
            shipper_id=order.organization_id,
            hashes=update.photos,
        )
        session.add(
            Proof(
                organization_id=order.organization_id,
                order_id=order.id,
                kind=ProofKind.delivered if update.status == "delivered" else ProofKind.failed,
                status=ProofStatus.accepted,
                recipient_name=update.recipient_name,
                reason=update.reason,
                note=note,
                photos=list(update.photos),
                occurred_at=at,
                recorded_at=utcnow(),
            )
        )
    applied = schemas.StatusApplied(order_id=order.id, status=order.status.value)
    response: dict[str, Any] = msgspec.to_builtins(applied)
    try:
        async with session.begin_nested():
            session.add(
                CarrierUpdate(
                    carrier_id=principal.organization_id,
                    idempotency_key=key,
                    order_id=order.id,
                    request_hash=digest,
                    response=response,
                )
            )
    except IntegrityError as exc:  # the same key raced in from a second request: it already did the work
        raise IdempotencyKeyReused("This Idempotency-Key is being used by another request; retry it") from exc
    return applied


_ORDER = [
    OrderStatus.created,
    OrderStatus.requested,
    OrderStatus.planned,
    OrderStatus.scheduled,
    OrderStatus.out_for_delivery,
    OrderStatus.arriving,
    OrderStatus.delivered,
    OrderStatus.failed,
]


def _ahead(order: Order, step: OrderStatus, wanted: str) -> bool:
    """Whether `step` is still ahead of the order (so a repeated or late `picked_up` walks nowhere back)."""
    if order.status not in _ORDER:
        return True  # cancelled, returned...: the lifecycle refuses it with a clear 409
    if order.status in (OrderStatus.delivered, OrderStatus.failed):
        return True  # a second outcome: the lifecycle says why not
    return _ORDER.index(step) > _ORDER.index(order.status)


def order_view(order: Order, shipper: str) -> schemas.CarrierOrder:
    return schemas.CarrierOrder(
        id=order.id,
        shipper=shipper,
        reference=order.external_ref,
        kind=order.kind.value,
        status=order.status.value,
        recipient_name=order.recipient_name,
        recipient_phone=order.recipient_phone,
        address=order.address,
        lat=order.lat,
        lon=order.lon,
        window_start_at=order.window_start_at,
        window_end_at=order.window_end_at,
        weight_kg=order.weight_kg,
        parcel_count=order.parcel_count,
        parcels=[p.barcode for p in order.parcels],
        notes=order.notes,
        id_check_required=order.id_check_required,
    )
