"""All SQL of analytics: read-only queries over the other domains' tables, always within one organization.

Reports read many domains at once (routes, stops, orders, vehicles, returns, pickups); going through each
domain's service would load whole objects a row at a time, so this read model selects the columns it needs.
It never writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.models import Organization, User
from backend.analytics.rows import PickupRow, ReturnRow, RouteRow, Visit, ZoneShape
from backend.fleet.models import Vehicle, VehicleProfile
from backend.orders.models import Order, OrderKind
from backend.places.models import Location, Zone
from backend.returns.models import ReturnRequest
from backend.routing.models import Route, RouteStatus, Stop, StopKind, StopStatus
from backend.stores.models import Pickup

ATTEMPTED = (StopStatus.completed, StopStatus.failed)


async def organization(session: AsyncSession, *, organization_id: UUID) -> tuple[str, str]:
    """Its name and IANA time zone."""
    row = (
        await session.execute(
            select(Organization.name, Organization.timezone).where(Organization.id == organization_id)
        )
    ).one()
    return row.name, row.timezone


def _visit_query(organization_id: UUID) -> Select[*tuple[Any, ...]]:
    return (
        select(
            Stop.order_id,
            Order.kind.label("order_kind"),
            Stop.kind.label("stop_kind"),
            Stop.status,
            Route.service_date,
            Route.id.label("route_id"),
            Route.driver_id,
            Vehicle.profile,
            Order.lat,
            Order.lon,
            Order.window_start_at,
            Order.window_end_at,
            Stop.planned_arrival_at,
            Stop.arrived_at,
            Stop.completed_at,
            Stop.leg_start_eta_at,
        )
        .join(Route, Route.id == Stop.route_id)
        .join(Vehicle, Vehicle.id == Route.vehicle_id)
        .join(Order, Order.id == Stop.order_id)
        .where(
            Stop.organization_id == organization_id,
            Route.organization_id == organization_id,
            Order.organization_id == organization_id,
            Route.status != RouteStatus.draft,
        )
    )


def _visits(rows: Iterable[Row[Any]]) -> list[Visit]:
    return [Visit(**row._asdict()) for row in rows]


async def visits(session: AsyncSession, *, organization_id: UUID, first_day: date, last_day: date) -> list[Visit]:
    """The order stops at a door (kinds delivery and pickup; the service keeps the visits) of the days' routes."""
    query = _visit_query(organization_id).where(
        Route.service_date >= first_day,
        Route.service_date <= last_day,
        Stop.kind.in_((StopKind.delivery, StopKind.pickup)),
    )
    return _visits(await session.execute(query.order_by(Route.service_date, Stop.route_id, Stop.sequence)))


async def delivery_attempts(
    session: AsyncSession, *, organization_id: UUID, first_day: date, last_day: date
) -> list[Visit]:
    """Every delivery attempt, on any day up to `last_day`, of the delivery orders attempted in these days."""
    delivery_attempt = and_(
        Stop.kind == StopKind.delivery, Stop.status.in_(ATTEMPTED), Order.kind == OrderKind.delivery
    )
    attempted = (
        select(Stop.order_id)
        .join(Route, Route.id == Stop.route_id)
        .join(Order, Order.id == Stop.order_id)
        .where(
            Stop.organization_id == organization_id,
            Route.service_date >= first_day,
            Route.service_date <= last_day,
            delivery_attempt,
        )
    )
    query = _visit_query(organization_id).where(
        Route.service_date <= last_day, delivery_attempt, Stop.order_id.in_(attempted)
    )
    return _visits(await session.execute(query))


async def started_routes(
    session: AsyncSession, *, organization_id: UUID, first_day: date, last_day: date
) -> list[RouteRow]:
    last_completion = (
        select(func.max(Stop.completed_at)).where(Stop.route_id == Route.id).correlate(Route).scalar_subquery()
    )
    rows = await session.execute(
        select(
            Route.id,
            Route.service_date,
            Route.driver_id,
            Vehicle.profile,
            Route.distance_m,
            Route.started_at,
            Route.completed_at,
            last_completion.label("last_completion"),
        )
        .join(Vehicle, Vehicle.id == Route.vehicle_id)
        .where(
            Route.organization_id == organization_id,
            Route.service_date >= first_day,
            Route.service_date <= last_day,
            Route.started_at.is_not(None),
        )
        .order_by(Route.service_date, Route.id)
    )
    return [
        RouteRow(
            route_id=row.id,
            service_date=row.service_date,
            driver_id=row.driver_id,
            profile=row.profile,
            distance_m=row.distance_m,
            started_at=row.started_at,
            ended_at=row.completed_at or _utc(row.last_completion),
        )
        for row in rows
    ]


async def return_requests(
    session: AsyncSession, *, organization_id: UUID, starts_at: datetime, ends_at: datetime
) -> list[ReturnRow]:
    """Customers' return requests made in [starts_at, ends_at), each with the driver and vehicle profile of the
    route that delivered the original order (its latest delivered visit), when one did."""
    requests = (
        await session.execute(
            select(ReturnRequest.created_at, ReturnRequest.original_order_id, Order.lat, Order.lon)
            .join(Order, Order.id == ReturnRequest.return_order_id)
            .where(
                ReturnRequest.organization_id == organization_id,
                Order.organization_id == organization_id,
                ReturnRequest.created_at >= starts_at,
                ReturnRequest.created_at < ends_at,
            )
            .order_by(ReturnRequest.created_at)
        )
    ).all()
    originals = {r.original_order_id for r in requests}
    delivered_by: dict[UUID, tuple[datetime | None, UUID | None, VehicleProfile | None]] = {}
    if originals:
        deliveries = await session.execute(
            select(Stop.order_id, Stop.completed_at, Route.driver_id, Vehicle.profile)
            .join(Route, Route.id == Stop.route_id)
            .join(Vehicle, Vehicle.id == Route.vehicle_id)
            .where(
                Stop.organization_id == organization_id,
                Stop.order_id.in_(originals),
                Stop.kind == StopKind.delivery,
                Stop.status == StopStatus.completed,
            )
        )
        for row in deliveries:
            known = delivered_by.get(row.order_id)
            if known is None or (row.completed_at and (known[0] is None or row.completed_at > known[0])):
                delivered_by[row.order_id] = (row.completed_at, row.driver_id, row.profile)
    rows = []
    for r in requests:
        _at, driver_id, profile = delivered_by.get(r.original_order_id, (None, None, None))
        rows.append(ReturnRow(requested_at=r.created_at, lat=r.lat, lon=r.lon, driver_id=driver_id, profile=profile))
    return rows


async def handed_over_pickups(
    session: AsyncSession, *, organization_id: UUID, starts_at: datetime, ends_at: datetime
) -> list[PickupRow]:
    rows = await session.execute(
        select(Pickup.ready_at, Pickup.handed_over_at, Location.lat, Location.lon)
        .join(Location, Location.id == Pickup.store_id)
        .where(
            Pickup.organization_id == organization_id,
            Pickup.handed_over_at >= starts_at,
            Pickup.handed_over_at < ends_at,
            Pickup.ready_at.is_not(None),
        )
        .order_by(Pickup.handed_over_at)
    )
    return [PickupRow(ready_at=r.ready_at, handed_over_at=r.handed_over_at, lat=r.lat, lon=r.lon) for r in rows]


async def user_names(session: AsyncSession, *, organization_id: UUID, user_ids: set[UUID]) -> dict[UUID, str]:
    if not user_ids:
        return {}
    rows = await session.execute(
        select(User.id, User.name).where(User.organization_id == organization_id, User.id.in_(user_ids))
    )
    return {row.id: row.name for row in rows}


async def zones(session: AsyncSession, *, organization_id: UUID) -> list[ZoneShape]:
    rows = await session.execute(
        select(Zone.id, Zone.name, Zone.geometry).where(Zone.organization_id == organization_id).order_by(Zone.name)
    )
    return [ZoneShape(id=row.id, name=row.name, geometry=row.geometry) for row in rows]


def _utc(value: object) -> datetime | None:
    """A MAX() over a UTC column: SQLite hands back the stored text (or a naive datetime)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
