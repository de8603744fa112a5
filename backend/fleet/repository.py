"""All SQL of the fleet domain."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.fleet.models import Vehicle


async def get_vehicle(session: AsyncSession, *, organization_id: UUID, vehicle_id: UUID) -> Vehicle | None:
    return await session.scalar(
        select(Vehicle).where(Vehicle.id == vehicle_id, Vehicle.organization_id == organization_id)
    )


async def list_vehicles(
    session: AsyncSession, *, organization_id: UUID, limit: int, offset: int
) -> tuple[list[Vehicle], int]:
    where = Vehicle.organization_id == organization_id
    total = await session.scalar(select(func.count()).select_from(Vehicle).where(where)) or 0
    rows = await session.scalars(select(Vehicle).where(where).order_by(Vehicle.name).limit(limit).offset(offset))
    return list(rows), total


async def name_taken(session: AsyncSession, *, organization_id: UUID, name: str) -> bool:
    found = await session.scalar(
        select(Vehicle.id).where(Vehicle.organization_id == organization_id, Vehicle.name == name)
    )
    return found is not None


async def active_vehicles(session: AsyncSession, *, organization_id: UUID) -> list[Vehicle]:
    rows = await session.scalars(
        select(Vehicle)
        .where(Vehicle.organization_id == organization_id, Vehicle.is_active.is_(True))
        .order_by(Vehicle.name)
    )
    return list(rows)
