"""All SQL of the routing domain."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from backend.routing.models import Plan, PlanStatus, Route, RouteStatus, Stop, StopKind, StopStatus


async def get_route(
    session: AsyncSession, *, organization_id: UUID, route_id: UUID, for_update: bool = False
) -> Route | None:
    query = (
        select(Route)
        .options(selectinload(Route.stops))
        .where(Route.id == route_id, Route.organization_id == organization_id)
    )
    if for_update:
        query = query.with_for_update(of=Route)
    return await session.scalar(query)


async def driver_live_route(session: AsyncSession, *, organization_id: UUID, driver_id: UUID) -> Route | None:
    """The driver's route in progress, else the earliest published one (today's, or the next day's)."""
    for status in (RouteStatus.in_progress, RouteStatus.published):
        route = await session.scalar(
            select(Route)
            .options(selectinload(Route.stops))
            .where(Route.organization_id == organization_id, Route.driver_id == driver_id, Route.status == status)
            .order_by(Route.service_date)
            .limit(1)
        )
        if route is not None:
            return route
    return None


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


async def latest_revision(session: AsyncSession, *, organization_id: UUID, service_date: date) -> int:
    found = await session.scalar(
        select(func.max(Plan.revision)).where(
            Plan.organization_id == organization_id, Plan.service_date == service_date
        )
    )
    return int(found or 0)


async def get_plan(
    session: AsyncSession, *, organization_id: UUID, plan_id: UUID, for_update: bool = False
) -> Plan | None:
    query = select(Plan).where(Plan.id == plan_id, Plan.organization_id == organization_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def routes_of_plan(session: AsyncSession, *, plan_id: UUID) -> list[Route]:
    rows = await session.scalars(
        select(Route).options(selectinload(Route.stops)).where(Route.plan_id == plan_id).order_by(Route.id)
    )
    return list(rows)


async def published_plan(
    session: AsyncSession, *, organization_id: UUID, service_date: date, for_update: bool = False
) -> Plan | None:
    query = select(Plan).where(
        Plan.organization_id == organization_id,
        Plan.service_date == service_date,
        Plan.status == PlanStatus.published,
    )
    if for_update:
        query = query.with_for_update()  # one re-plan of a day at a time, across processes (PostgreSQL)
    return await session.scalar(query)


async def live_service_dates(session: AsyncSession, *, organization_id: UUID, since: date) -> list[date]:
    """Days from `since` on that have a published plan."""
    rows = await session.scalars(
        select(Plan.service_date).where(
            Plan.organization_id == organization_id, Plan.status == PlanStatus.published, Plan.service_date >= since
        )
    )
    return sorted(set(rows))


async def delete_stops(session: AsyncSession, stops: list[Stop]) -> None:
    for stop in stops:
        await session.delete(stop)
    await session.flush()


async def list_plans(
    session: AsyncSession, *, organization_id: UUID, service_date: date | None, limit: int, offset: int
) -> tuple[list[Plan], int]:
    where = [Plan.organization_id == organization_id]
    if service_date is not None:
        where.append(Plan.service_date == service_date)
    total = await session.scalar(select(func.count()).select_from(Plan).where(*where)) or 0
    rows = await session.scalars(
        select(Plan).where(*where).order_by(Plan.service_date.desc(), Plan.revision.desc()).limit(limit).offset(offset)
    )
    return list(rows), total


async def route_header(
    session: AsyncSession, *, organization_id: UUID, route_id: UUID
) -> Row[UUID, UUID | None, UUID, date, RouteStatus] | None:
    """A route's id, plan, vehicle, day and status, without loading it (nor its stops) into the session."""
    result = await session.execute(
        select(Route.id, Route.plan_id, Route.vehicle_id, Route.service_date, Route.status).where(
            Route.id == route_id, Route.organization_id == organization_id
        )
    )
    return result.one_or_none()


async def stop_header(
    session: AsyncSession, *, organization_id: UUID, stop_id: UUID
) -> Row[UUID, UUID, UUID | None, StopKind, StopStatus] | None:
    """A stop's id, route, order, kind and status, without loading it into the session."""
    result = await session.execute(
        select(Stop.id, Stop.route_id, Stop.order_id, Stop.kind, Stop.status).where(
            Stop.id == stop_id, Stop.organization_id == organization_id
        )
    )
    return result.one_or_none()


async def lock_routes(session: AsyncSession, route_ids: list[UUID]) -> None:
    """Row locks on routes (PostgreSQL), taken after the day's plan lock: a driver's action on them waits."""
    await session.execute(select(Route.id).where(Route.id.in_(route_ids)).order_by(Route.id).with_for_update())


async def fresh_routes(session: AsyncSession, *, organization_id: UUID, route_ids: list[UUID]) -> dict[UUID, Route]:
    """Routes with their stops as they are now in this transaction (collections loaded before are refreshed)."""
    rows = await session.scalars(
        select(Route)
        .options(selectinload(Route.stops))
        .where(Route.id.in_(route_ids), Route.organization_id == organization_id)
        .execution_options(populate_existing=True)
    )
    return {r.id: r for r in rows}
