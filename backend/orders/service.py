"""Rules of the orders domain: creating, editing and moving orders through their lifecycle. Never commits."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from backend.accounts.models import Organization
from backend.accounts.principal import Principal
from backend.events import service as events
from backend.inventory import service as inventory
from backend.kit.clock import utcnow
from backend.kit.idempotency import IdempotencyKeyReused
from backend.kit.problems import Invalid, NotFound
from backend.kit.validation import normalize_email, normalize_phone
from backend.orders import lifecycle, repository
from backend.orders.errors import (
    DuplicateBarcode,
    DuplicateExternalRef,
    IllegalTransition,
    OrderNotEditable,
    OrderNotFound,
)
from backend.orders.models import Order, OrderKind, OrderStatus
from backend.orders.schemas import OrderCreate, OrderUpdate, check_window
from backend.orders.tracking import tracking_token_hash
from backend.places import service as places
from backend.places.models import LocationKind


@dataclass(frozen=True)
class Created:
    order: Order
    replayed: bool


def request_digest(data: OrderCreate) -> str:
    return hashlib.sha256(msgspec.json.encode(data)).hexdigest()


async def normalized_fields(session: AsyncSession, *, organization: Organization, data: OrderCreate) -> dict[str, Any]:
    """Checks that need the organization (phone country, its stores) and returns the row to store."""
    store_id = data.store_id
    if data.kind is OrderKind.store_pickup and store_id is None:
        raise Invalid("store_id: an in-store pickup needs the store it waits at")
    if data.lines and data.kind is not OrderKind.store_pickup:
        raise Invalid("lines: only store pickups take stock (reserved at their store); leave lines out")
    if store_id is not None:
        try:
            store = await places.get_location(session, organization_id=organization.id, location_id=store_id)
        except NotFound as exc:
            raise Invalid("store_id: no such location in your organization") from exc
        if store.kind is not LocationKind.store:
            raise Invalid("store_id: that location is not a store")
    return {
        "kind": data.kind,
        "external_ref": data.external_ref,
        "recipient_name": data.recipient_name,
        "recipient_phone": normalize_phone(
            data.recipient_phone, region=organization.country_code, field="recipient_phone"
        )
        if data.recipient_phone
        else None,
        "recipient_email": normalize_email(data.recipient_email, field="recipient_email")
        if data.recipient_email
        else None,
        "address": data.address,
        "lat": data.lat,
        "lon": data.lon,
        "window_start_at": data.window_start_at,
        "window_end_at": data.window_end_at,
        "service_s": data.service_s,
        "weight_kg": data.weight_kg,
        "volume_l": data.volume_l,
        "parcel_count": data.parcel_count if data.parcel_count is not None else max(1, len(data.barcodes)),
        "priority": data.priority,
        "required_skills": list(data.required_skills),
        "notes": data.notes,
        "geofence_radius_m": data.geofence_radius_m,
        "store_id": store_id,
        "id_check_required": data.id_check_required,
    }


def new_order_rows(
    *, organization_id: UUID, fields: dict[str, Any], barcodes: list[str], secret_key: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    order_id = uuid7()
    now = utcnow()
    order = {
        "id": order_id,
        "organization_id": organization_id,
        "status": lifecycle.INITIAL[fields["kind"]],
        "tracking_token_hash": tracking_token_hash(secret_key, order_id),
        "created_at": now,
        "updated_at": now,
        **fields,
    }
    parcels = [
        {
            "id": uuid7(),
            "organization_id": organization_id,
            "order_id": order_id,
            "barcode": b,
            "created_at": now,
            "updated_at": now,
        }
        for b in barcodes
    ]
    return order, parcels


def event_row(
    *,
    organization_id: UUID,
    type: str,
    order_id: UUID,
    actor: str,
    payload: dict[str, Any],
    idempotency_key: str | None = None,
    occurred_at: datetime | None = None,
) -> dict[str, Any]:
    now = utcnow()
    return {
        "id": uuid7(),
        "organization_id": organization_id,
        "type": type,
        "subject_type": "order",
        "subject_id": order_id,
        "payload": payload,
        "actor": actor,
        "occurred_at": occurred_at or now,
        "recorded_at": now,
        "idempotency_key": idempotency_key,
        "created_at": now,
        "updated_at": now,
    }


async def create_order(
    session: AsyncSession,
    *,
    principal: Principal,
    organization: Organization,
    data: OrderCreate,
    secret_key: str,
    idempotency_key: str | None = None,
) -> Created:
    digest = request_digest(data)
    if idempotency_key is not None:
        previous = await events.find_by_idempotency_key(
            session, organization_id=principal.organization_id, key=idempotency_key
        )
        if previous is not None:
            if previous.payload.get("request_sha256") != digest:
                raise IdempotencyKeyReused("Send a new Idempotency-Key for a different order.")
            return Created(
                order=await get_order(session, principal=principal, order_id=previous.subject_id), replayed=True
            )
    fields = await normalized_fields(session, organization=organization, data=data)
    if data.external_ref is not None:
        existing = await repository.orders_by_external_ref(
            session, organization_id=principal.organization_id, refs=[data.external_ref]
        )
        if existing:
            raise DuplicateExternalRef(
                f"Order {data.external_ref!r} exists; update it, or import with the same reference to update.",
                extra={"order_id": str(existing[data.external_ref].id)},
            )
    owners = await repository.barcode_owners(session, organization_id=principal.organization_id, barcodes=data.barcodes)
    if owners:
        raise DuplicateBarcode(f"Barcodes already in use: {', '.join(sorted(owners))}")
    order_row, parcel_rows = new_order_rows(
        organization_id=principal.organization_id, fields=fields, barcodes=data.barcodes, secret_key=secret_key
    )
    await repository.bulk_insert(session, orders=[order_row], parcels=parcel_rows)
    await repository.bulk_insert_events(
        session,
        [
            event_row(
                organization_id=principal.organization_id,
                type="order.created",
                order_id=order_row["id"],
                actor=principal.actor,
                idempotency_key=idempotency_key,
                payload={
                    "status": order_row["status"].value,
                    "external_ref": data.external_ref,
                    "request_sha256": digest,
                },
            )
        ],
    )
    if data.lines:  # a refusal (short, unknown SKU) raises here and the whole order rolls back with it
        await inventory.reserve_for_order(
            session,
            principal=principal,
            order_id=order_row["id"],
            store_id=fields["store_id"],
            lines={line.sku: line.quantity for line in data.lines},
        )
    return Created(order=await get_order(session, principal=principal, order_id=order_row["id"]), replayed=False)


async def get_order(session: AsyncSession, *, principal: Principal, order_id: UUID) -> Order:
    order = await repository.get_order(session, organization_id=principal.organization_id, order_id=order_id)
    if order is None:
        raise OrderNotFound()
    return order


async def update_order(
    session: AsyncSession, *, principal: Principal, organization: Organization, order_id: UUID, data: OrderUpdate
) -> Order:
    order = await get_order(session, principal=principal, order_id=order_id)
    if order.status not in lifecycle.EDITABLE:
        raise OrderNotEditable(f"The order is {order.status.value}; only orders not yet out can be edited.")
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    if changes.get("recipient_phone"):
        changes["recipient_phone"] = normalize_phone(
            changes["recipient_phone"], region=organization.country_code, field="recipient_phone"
        )
    if changes.get("recipient_email"):
        changes["recipient_email"] = normalize_email(changes["recipient_email"], field="recipient_email")
    try:
        check_window(
            changes.get("window_start_at", order.window_start_at), changes.get("window_end_at", order.window_end_at)
        )
    except ValueError as exc:
        raise Invalid(str(exc)) from exc
    if changes.get("parcel_count", order.parcel_count) < len(order.parcels):
        raise Invalid(f"parcel_count: the order has {len(order.parcels)} barcoded parcels")
    apply_changes(order, changes)
    events.record(
        session,
        organization_id=principal.organization_id,
        type="order.updated",
        subject_type="order",
        subject_id=order.id,
        actor=principal.actor,
        payload={"changed": sorted(changes)},
    )
    return order


def apply_changes(order: Order, changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        setattr(order, key, value)
    order.updated_at = utcnow()


async def transition(
    session: AsyncSession,
    *,
    principal: Principal,
    order_id: UUID,
    to: OrderStatus,
    reason: str | None = None,
    occurred_at: datetime | None = None,
    by_planner: bool = False,
) -> Order:
    """Move an order to `to` if the lifecycle table allows it; the event commits with the change.
    `by_planner` marks a move that publishing or re-planning made itself (so it does not set off a re-plan)."""
    order = await repository.get_order(
        session, organization_id=principal.organization_id, order_id=order_id, for_update=True
    )
    if order is None:
        raise OrderNotFound()
    allowed = lifecycle.allowed(order.kind, order.status)
    if to not in allowed:
        raise IllegalTransition(current=order.status, to=to, allowed=allowed)
    previous = order.status
    order.status = to
    order.updated_at = utcnow()
    order.closed_at = (occurred_at or order.updated_at) if lifecycle.is_final(order.kind, to) else None
    events.record(
        session,
        organization_id=principal.organization_id,
        type="order.status_changed",
        subject_type="order",
        subject_id=order.id,
        actor=principal.actor,
        occurred_at=occurred_at,
        payload={
            "from": previous.value,
            "to": to.value,
            "reason": reason,
            **({"by_planner": True} if by_planner else {}),
        },
    )
    if order.kind is OrderKind.store_pickup:
        await _settle_stock(session, principal=principal, order=order, to=to, reason=reason)
    return order


async def _settle_stock(
    session: AsyncSession, *, principal: Principal, order: Order, to: OrderStatus, reason: str | None
) -> None:
    """A store pickup's reserved stock follows the order: handed over at pickup, given back when it will not be
    collected (cancelled, expired). Both do nothing for an order without lines."""
    if to is OrderStatus.picked_up:
        await inventory.consume_for_order(session, principal=principal, order_id=order.id)
    elif to in (OrderStatus.cancelled, OrderStatus.expired):
        await inventory.release_for_order(session, principal=principal, order_id=order.id, reason=reason or to.value)


async def list_orders(
    session: AsyncSession,
    *,
    principal: Principal,
    status: OrderStatus | None,
    kind: OrderKind | None,
    search: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Order], int]:
    return await repository.list_orders(
        session,
        organization_id=principal.organization_id,
        status=status,
        kind=kind,
        search=search,
        limit=limit,
        offset=offset,
    )


async def order_events(session: AsyncSession, *, principal: Principal, order_id: UUID) -> list[Any]:
    await get_order(session, principal=principal, order_id=order_id)
    return await repository.events_of(session, organization_id=principal.organization_id, order_id=order_id, limit=500)


async def orders_in_status(
    session: AsyncSession,
    *,
    principal: Principal,
    statuses: list[OrderStatus],
    order_ids: list[UUID] | None = None,
    window_from: datetime | None = None,
    window_to: datetime | None = None,
    planning_only: bool = False,
    own_fleet: bool = False,
) -> list[Order]:
    """Orders of the caller's organization in these states (optionally only these ids, or only those whose
    window starts between window_from and window_to, or that have none, or only those no carrier has), without
    parcels."""
    return await repository.orders_in_status(
        session,
        organization_id=principal.organization_id,
        statuses=statuses,
        order_ids=order_ids,
        window_from=window_from,
        window_to=window_to,
        planning_only=planning_only,
        own_fleet=own_fleet,
    )
