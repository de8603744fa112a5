"""All SQL of the places domain."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.places.models import Location, LocationKind, Zone


async def get_location(session: AsyncSession, *, organization_id: UUID, location_id: UUID) -> Location | None:
    return await session.scalar(
        select(Location).where(Location.id == location_id, Location.organization_id == organization_id)
    )


async def list_locations(
    session: AsyncSession, *, organization_id: UUID, kind: LocationKind | None, limit: int, offset: int
) -> tuple[list[Location], int]:
    where = [Location.organization_id == organization_id]
    if kind is not None:
        where.append(Location.kind == kind)
    total = await session.scalar(select(func.count()).select_from(Location).where(*where)) or 0
    rows = await session.scalars(select(Location).where(*where).order_by(Location.name).limit(limit).offset(offset))
    return list(rows), total


async def location_name_taken(session: AsyncSession, *, organization_id: UUID, name: str) -> bool:
    found = await session.scalar(
        select(Location.id).where(Location.organization_id == organization_id, Location.name == name)
    )
    return found is not None


async def get_zone(session: AsyncSession, *, organization_id: UUID, zone_id: UUID) -> Zone | None:
    return await session.scalar(select(Zone).where(Zone.id == zone_id, Zone.organization_id == organization_id))


async def list_zones(
    session: AsyncSession, *, organization_id: UUID, limit: int, offset: int
) -> tuple[list[Zone], int]:
    where = Zone.organization_id == organization_id
    total = await session.scalar(select(func.count()).select_from(Zone).where(where)) or 0
    rows = await session.scalars(select(Zone).where(where).order_by(Zone.name).limit(limit).offset(offset))
    return list(rows), total


async def zone_name_taken(session: AsyncSession, *, organization_id: UUID, name: str) -> bool:
    found = await session.scalar(select(Zone.id).where(Zone.organization_id == organization_id, Zone.name == name))
    return found is not None
