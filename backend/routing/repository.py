"""All SQL of the routing domain."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from backend.routing.models import Route


async def get_route(session: AsyncSession, *, organization_id: UUID, route_id: UUID) -> Route | None:
    return await session.scalar(
        select(Route)
        .options(selectinload(Route.stops))
        .where(Route.id == route_id, Route.organization_id == organization_id)
    )


async def list_routes(
    session: AsyncSession, *, organization_id: UUID, service_date: date | None, limit: int, offset: int
) -> tuple[list[Route], int]:
    where = [Route.organization_id == organization_id]
    if service_date is not None:
        where.append(Route.service_date == service_date)
    total = await session.scalar(select(func.count()).select_from(Route).where(*where)) or 0
    rows = await session.scalars(
        select(Route)
        .options(selectinload(Route.stops))
        .where(*where)
        .order_by(Route.service_date.desc(), Route.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total
