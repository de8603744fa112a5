"""All SQL of the inventory domain."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value
from uuid_utils.compat import uuid7

from backend.inventory.models import MovementKind, OrderLine, Sku, StockLevel, StockMovement
from backend.kit.clock import utcnow
from backend.places.models import Location, LocationKind

CHUNK = 500  # values per IN (...) list: well under SQLite's and asyncpg's parameter limits


async def get_sku(session: AsyncSession, *, organization_id: UUID, sku_id: UUID) -> Sku | None:
    return await session.scalar(select(Sku).where(Sku.id == sku_id, Sku.organization_id == organization_id))


async def skus_by_code(session: AsyncSession, *, organization_id: UUID, codes: Sequence[str]) -> dict[str, Sku]:
    found: dict[str, Sku] = {}
    for start in range(0, len(codes), CHUNK):
        chunk = list(codes[start : start + CHUNK])
        rows = await session.scalars(select(Sku).where(Sku.organization_id == organization_id, Sku.code.in_(chunk)))
        found.update({sku.code: sku for sku in rows})
    return found


async def skus_by_id(session: AsyncSession, *, organization_id: UUID, sku_ids: Sequence[UUID]) -> dict[UUID, Sku]:
    if not sku_ids:
        return {}
    rows = await session.scalars(select(Sku).where(Sku.organization_id == organization_id, Sku.id.in_(sku_ids)))
    return {sku.id: sku for sku in rows}


async def sku_code_taken(session: AsyncSession, *, organization_id: UUID, code: str) -> bool:
    found = await session.scalar(select(Sku.id).where(Sku.organization_id == organization_id, Sku.code == code))
    return found is not None


async def sku_barcode_taken(session: AsyncSession, *, organization_id: UUID, barcode: str) -> bool:
    found = await session.scalar(select(Sku.id).where(Sku.organization_id == organization_id, Sku.barcode == barcode))
    return found is not None


async def list_skus(
    session: AsyncSession, *, organization_id: UUID, search: str | None, limit: int, offset: int
) -> tuple[list[Sku], int]:
    where: list[Any] = [Sku.organization_id == organization_id]
    if search:
        pattern = f"%{search.lower()}%"
        where.append(func.lower(Sku.code).like(pattern) | func.lower(Sku.name).like(pattern) | (Sku.barcode == search))
    total = await session.scalar(select(func.count()).select_from(Sku).where(*where)) or 0
    rows = await session.scalars(select(Sku).where(*where).order_by(Sku.code).limit(limit).offset(offset))
    return list(rows), total


async def ensure_level(session: AsyncSession, *, organization_id: UUID, location_id: UUID, sku_id: UUID) -> None:
    """Create the (location, SKU) row at zero if it is missing; two requests doing it at once both succeed."""
    now = utcnow()
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    await session.execute(
        dialect.insert(StockLevel)
        .values(
            id=uuid7(),
            organization_id=organization_id,
            location_id=location_id,
            sku_id=sku_id,
            on_hand=0,
            reserved=0,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["location_id", "sku_id"])
    )


async def lock_level(
    session: AsyncSession, *, organization_id: UUID, location: Location, sku: Sku
) -> StockLevel | None:
    """The level as it is now, locked until the transaction ends, with its location and SKU attached.

    PostgreSQL: SELECT ... FOR UPDATE. SQLite ignores FOR UPDATE and runs reads outside the transaction (the
    driver opens it at the first write), so a read could be stale by the time we write; a no-op UPDATE of the
    row first takes SQLite's one write lock, after which every read of this transaction is current."""
    where = (
        StockLevel.organization_id == organization_id,
        StockLevel.location_id == location.id,
        StockLevel.sku_id == sku.id,
    )
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(
            update(StockLevel)
            .where(*where)
            .values(on_hand=StockLevel.on_hand, updated_at=StockLevel.updated_at)
            .execution_options(synchronize_session=False)
        )
    level = await session.scalar(
        select(StockLevel).where(*where).with_for_update().execution_options(populate_existing=True)
    )
    if level is not None:
        set_committed_value(level, "location", location)
        set_committed_value(level, "sku", sku)
    return level


async def shift_level(
    session: AsyncSession, *, level: StockLevel, on_hand_delta: int, reserved_delta: int, max_on_hand: int
) -> bool:
    """Add the deltas in one guarded UPDATE: it applies only if the result keeps 0 <= reserved <= on_hand <=
    max_on_hand, so even a decision taken on a stale read (SQLite) can never oversell. False if refused."""
    on_hand = StockLevel.on_hand + on_hand_delta
    reserved = StockLevel.reserved + reserved_delta
    row = (
        await session.execute(
            update(StockLevel)
            .where(
                StockLevel.id == level.id,
                on_hand >= 0,
                on_hand <= max_on_hand,
                reserved >= 0,
                reserved <= on_hand,
            )
            .values(on_hand=on_hand, reserved=reserved, updated_at=utcnow())
            .returning(StockLevel.on_hand, StockLevel.reserved, StockLevel.updated_at)
            .execution_options(synchronize_session=False)
        )
    ).one_or_none()
    if row is None:
        return False
    for name, value in zip(("on_hand", "reserved", "updated_at"), row, strict=True):
        set_committed_value(level, name, value)
    return True


async def levels_with_names(
    session: AsyncSession,
    *,
    organization_id: UUID,
    location_id: UUID | None = None,
    sku_code: str | None = None,
    level_ids: Sequence[UUID] | None = None,
    low_only: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[StockLevel], int]:
    """Levels with their location and SKU loaded, by location name then SKU code."""
    where: list[Any] = [StockLevel.organization_id == organization_id]
    if location_id is not None:
        where.append(StockLevel.location_id == location_id)
    if sku_code is not None:
        where.append(Sku.code == sku_code)
    if level_ids is not None:
        where.append(StockLevel.id.in_(list(level_ids)))
    if low_only:
        where.append(StockLevel.low_stock_threshold.is_not(None))
        where.append(StockLevel.on_hand - StockLevel.reserved < StockLevel.low_stock_threshold)
    base = (
        select(StockLevel)
        .join(Location, Location.id == StockLevel.location_id)
        .join(Sku, Sku.id == StockLevel.sku_id)
        .where(*where)
    )
    total = await session.scalar(select(func.count()).select_from(base.subquery())) or 0
    query = (
        base.options(contains_eager(StockLevel.location), contains_eager(StockLevel.sku))
        .order_by(Location.name, Sku.code)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = await session.scalars(query)
    return list(rows), total


async def list_movements(
    session: AsyncSession,
    *,
    organization_id: UUID,
    location_id: UUID | None,
    sku_code: str | None,
    order_id: UUID | None,
    transfer_id: UUID | None,
    kind: MovementKind | None,
    limit: int,
    offset: int,
) -> tuple[list[StockMovement], int]:
    where: list[Any] = [StockMovement.organization_id == organization_id]
    if location_id is not None:
        where.append(StockMovement.location_id == location_id)
    if sku_code is not None:
        where.append(Sku.code == sku_code)
    if order_id is not None:
        where.append(StockMovement.order_id == order_id)
    if transfer_id is not None:
        where.append(StockMovement.transfer_id == transfer_id)
    if kind is not None:
        where.append(StockMovement.kind == kind)
    base = select(StockMovement).join(Sku, Sku.id == StockMovement.sku_id).where(*where)
    total = await session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = await session.scalars(
        base.options(contains_eager(StockMovement.sku))
        .order_by(StockMovement.id.desc())  # UUIDv7: newest first
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


async def outstanding_reservations(
    session: AsyncSession, *, organization_id: UUID, order_id: UUID
) -> list[tuple[UUID, UUID, int]]:
    """(location, SKU, units) the order still holds: the sum of its reservations, releases and handoffs."""
    rows = await session.execute(
        select(StockMovement.location_id, StockMovement.sku_id, func.sum(StockMovement.reserved_delta))
        .where(StockMovement.organization_id == organization_id, StockMovement.order_id == order_id)
        .group_by(StockMovement.location_id, StockMovement.sku_id)
    )
    return [(location_id, sku_id, int(units)) for location_id, sku_id, units in rows if units and units > 0]


async def order_lines(session: AsyncSession, *, organization_id: UUID, order_id: UUID) -> list[tuple[str, int]]:
    rows = await session.execute(
        select(Sku.code, OrderLine.quantity)
        .join(Sku, Sku.id == OrderLine.sku_id)
        .where(OrderLine.organization_id == organization_id, OrderLine.order_id == order_id)
        .order_by(Sku.code)
    )
    return [(code, quantity) for code, quantity in rows]


async def store_availability(
    session: AsyncSession, *, organization_id: UUID, sku_ids: Sequence[UUID], exclude_location_id: UUID
) -> list[tuple[Location, UUID, int]]:
    """(store, SKU, available) for the organization's other stores that have some of these SKUs available."""
    if not sku_ids:
        return []
    available = StockLevel.on_hand - StockLevel.reserved
    rows = await session.execute(
        select(Location, StockLevel.sku_id, available)
        .join(StockLevel, StockLevel.location_id == Location.id)
        .where(
            Location.organization_id == organization_id,
            Location.kind == LocationKind.store,
            Location.id != exclude_location_id,
            StockLevel.sku_id.in_(list(sku_ids)),
            available > 0,
        )
    )
    return [(location, sku_id, int(units)) for location, sku_id, units in rows]
