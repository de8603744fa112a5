"""Rules of the routing domain: reading routes (the planner that writes them comes with route planning)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.principal import Principal
from backend.routing import repository
from backend.routing.errors import RouteNotFound
from backend.routing.models import Route


async def get_route(session: AsyncSession, *, principal: Principal, route_id: UUID) -> Route:
    route = await repository.get_route(session, organization_id=principal.organization_id, route_id=route_id)
    if route is None:
        raise RouteNotFound()
    return route


async def list_routes(
    session: AsyncSession, *, principal: Principal, service_date: date | None, limit: int, offset: int
) -> tuple[list[Route], int]:
    return await repository.list_routes(
        session, organization_id=principal.organization_id, service_date=service_date, limit=limit, offset=offset
    )
