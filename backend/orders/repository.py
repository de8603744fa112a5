"""All SQL of the orders domain."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, insert, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only, selectinload

from backend.events.models import Event
from backend.orders.models import Order, OrderKind, OrderStatus, Parcel

CHUNK = 500  # values per IN (...) list: well under SQLite's and asyncpg's parameter limits


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


async def get_order(
    session: AsyncSession, *, organization_id: UUID, order_id: UUID, with_parcels: bool = True, for_update: bool = False
) -> Order | None:
    query = select(Order).where(Order.id == order_id, Order.organization_id == organization_id)
    if with_parcels:
        query = query.options(selectinload(Order.parcels))
    if for_update:
        # the locked row as it is now, not as this session loaded it earlier (a status checked against a stale
        # copy could move a delivered order back)
        query = query.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(query)


async def list_orders(
    session: AsyncSession,
    *,
    organization_id: UUID,
    status: OrderStatus | None,
    kind: OrderKind | None,
    search: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Order], int]:
    where: list[Any] = [Order.organization_id == organization_id]
    if status is not None:
        where.append(Order.status == status)
    if kind is not None:
        where.append(Order.kind == kind)
    if search:
        pattern = f"%{search.lower()}%"
        where.append(
            or_(
                func.lower(Order.recipient_name).like(pattern),
                func.lower(Order.address).like(pattern),
                func.lower(Order.external_ref).like(pattern),
            )
        )
    total = await session.scalar(select(func.count()).select_from(Order).where(*where)) or 0
    rows = await session.scalars(
        select(Order).where(*where).order_by(Order.created_at.desc(), Order.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), total


async def orders_by_external_ref(
    session: AsyncSession, *, organization_id: UUID, refs: Sequence[str]
) -> dict[str, Order]:
    found: dict[str, Order] = {}
    for chunk in _chunks(refs):
        rows = await session.scalars(
            select(Order)
            .options(selectinload(Order.parcels))
            .where(Order.organization_id == organization_id, Order.external_ref.in_(chunk))
        )
        for order in rows:
            found[order.external_ref or ""] = order
    return found


async def barcode_owners(session: AsyncSession, *, organization_id: UUID, barcodes: Sequence[str]) -> dict[str, UUID]:
    owners: dict[str, UUID] = {}
    for chunk in _chunks(barcodes):
        rows = await session.execute(
            select(Parcel.barcode, Parcel.order_id).where(
                Parcel.organization_id == organization_id, Parcel.barcode.in_(chunk)
            )
        )
        owners.update({barcode: order_id for barcode, order_id in rows})
    return owners


async def bulk_insert(session: AsyncSession, *, orders: list[dict[str, Any]], parcels: list[dict[str, Any]]) -> None:
    """Core bulk inserts (executemany / insertmanyvalues): an import of 10,000 rows is a few statements."""
    # render_nulls: every row has the same columns, so 10,000 rows go out as one batched statement
    # instead of thousands grouped by which optional fields happen to be empty
    if orders:
        await session.execute(insert(Order).execution_options(render_nulls=True), orders)
    if parcels:
        await session.execute(insert(Parcel).execution_options(render_nulls=True), parcels)


async def refresh_statistics(session: AsyncSession) -> None:
    """After a large import PostgreSQL's planner still thinks the tables are small and scans them for the
    next import's look-ups; ANALYZE (cheap, sampled) lets it use the unique indexes again."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("ANALYZE orders, parcels"))


async def bulk_insert_events(session: AsyncSession, events: list[dict[str, Any]]) -> None:
    if events:
        await session.execute(insert(Event).execution_options(render_nulls=True), events)


async def events_of(session: AsyncSession, *, organization_id: UUID, order_id: UUID, limit: int) -> list[Event]:
    rows = await session.scalars(
        select(Event)
        .where(Event.organization_id == organization_id, Event.subject_type == "order", Event.subject_id == order_id)
        .order_by(Event.id)
        .limit(limit)
    )
    return list(rows)


async def orders_in_status(
    session: AsyncSession,
    *,
    organization_id: UUID,
    statuses: Sequence[OrderStatus],
    order_ids: Sequence[UUID] | None,
    window_from: datetime | None = None,
    window_to: datetime | None = None,
    planning_only: bool = False,
    own_fleet: bool = False,
) -> list[Order]:
    query = select(Order).where(Order.organization_id == organization_id, Order.status.in_(list(statuses)))
    if own_fleet:  # what a carrier delivers is not for our vans
        query = query.where(Order.carrier_id.is_(None))
    if planning_only:  # what a route planner reads: a third of the columns, so large days load faster
        query = query.options(
            load_only(
                Order.kind,
                Order.status,
                Order.lat,
                Order.lon,
                Order.window_start_at,
                Order.window_end_at,
                Order.service_s,
                Order.weight_kg,
                Order.volume_l,
                Order.parcel_count,
                Order.priority,
                Order.required_skills,
                Order.store_id,
            )
        )
    if window_from is not None and window_to is not None:
        # orders for a span of days: their window starts in it, or they have no window (any day)
        query = query.where(or_(Order.window_start_at.is_(None), Order.window_start_at.between(window_from, window_to)))
    if order_ids is not None:
        found: list[Order] = []
        for chunk in _chunks(list(order_ids)):
            found.extend(await session.scalars(query.where(Order.id.in_(chunk))))
        return found
    return list(await session.scalars(query.order_by(Order.id)))
