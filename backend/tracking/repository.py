"""All SQL of the tracking domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only, selectinload

from backend.accounts.models import User
from backend.events.models import Event
from backend.fleet.models import Vehicle
from backend.kit.retention import delete_older
from backend.orders.models import Order
from backend.places.models import Location, LocationKind
from backend.routing.models import OPEN_STOP_STATUSES, Route, RouteStatus, Stop, StopStatus
from backend.tracking.models import DriverSpeed, Position


async def insert_positions(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await session.execute(insert(Position), rows)


async def purge_positions(session: AsyncSession, before: datetime, limit: int) -> int:
    return await delete_older(session, Position.recorded_at, before, limit)


async def route_in_progress(session: AsyncSession, *, organization_id: UUID, driver_id: UUID) -> Route | None:
    return await session.scalar(
        select(Route)
        .options(selectinload(Route.stops))
        .where(
            Route.organization_id == organization_id,
            Route.driver_id == driver_id,
            Route.status == RouteStatus.in_progress,
        )
        .order_by(Route.started_at.desc())
        .limit(1)
    )


async def vehicle_profile(session: AsyncSession, *, vehicle_id: UUID) -> str | None:
    profile = await session.scalar(select(Vehicle.profile).where(Vehicle.id == vehicle_id))
    return None if profile is None else str(profile.value)


async def vehicle_depot(session: AsyncSession, *, vehicle_id: UUID) -> Location | None:
    """The vehicle's depot, else the organization's first depot by name (the planner's default)."""
    vehicle = await session.scalar(select(Vehicle).where(Vehicle.id == vehicle_id))
    if vehicle is None:
        return None
    if vehicle.depot_id is not None:
        return await session.scalar(select(Location).where(Location.id == vehicle.depot_id))
    return await session.scalar(
        select(Location)
        .where(Location.organization_id == vehicle.organization_id, Location.kind == LocationKind.depot)
        .order_by(Location.name)
        .limit(1)
    )


async def orders_for_eta(session: AsyncSession, *, order_ids: list[UUID]) -> dict[UUID, Order]:
    if not order_ids:
        return {}
    rows = await session.scalars(
        select(Order)
        .options(
            load_only(
                Order.id,
                Order.kind,
                Order.status,
                Order.service_s,
                Order.window_start_at,
                Order.window_end_at,
                Order.geofence_radius_m,
            )
        )
        .where(Order.id.in_(order_ids))
    )
    return {o.id: o for o in rows}


async def order_by_token_hash(session: AsyncSession, *, token_hash: str) -> Order | None:
    return await session.scalar(select(Order).where(Order.tracking_token_hash == token_hash))


async def order_for_update(session: AsyncSession, *, order_id: UUID) -> Order | None:
    return await session.scalar(select(Order).where(Order.id == order_id).with_for_update())


async def order_stops(session: AsyncSession, *, order_id: UUID) -> list[tuple[Stop, Route]]:
    """The order's stops on live or finished routes, newest day first (a re-attempt adds a later one; a parcel
    placed on a van already out has a depot fetch beside its delivery)."""
    rows = await session.execute(
        select(Stop, Route)
        .join(Route, Route.id == Stop.route_id)
        .where(
            Stop.order_id == order_id,
            Stop.status != StopStatus.skipped,
            Route.status.in_((RouteStatus.published, RouteStatus.in_progress, RouteStatus.completed)),
        )
        .order_by(Route.service_date.desc(), Stop.created_at.desc())
    )
    return [(stop, route) for stop, route in rows]


async def open_stop_ids(session: AsyncSession, *, route_id: UUID) -> list[UUID]:
    """The route's deliveries and pickups still to do, in the order the driver goes."""
    rows = await session.scalars(
        select(Stop.id)
        .where(
            Stop.route_id == route_id,
            Stop.order_id.is_not(None),
            Stop.status.in_(OPEN_STOP_STATUSES),
        )
        .order_by(Stop.sequence)
    )
    return list(rows)


async def status_events(session: AsyncSession, *, organization_id: UUID, order_id: UUID) -> list[Event]:
    rows = await session.scalars(
        select(Event)
        .where(
            Event.organization_id == organization_id,
            Event.subject_type == "order",
            Event.subject_id == order_id,
            Event.type.in_(("order.created", "order.status_changed")),
        )
        .order_by(Event.id)
    )
    return list(rows)


async def driver_name(session: AsyncSession, *, driver_id: UUID) -> str | None:
    return await session.scalar(select(User.name).where(User.id == driver_id))


async def driver_speed(session: AsyncSession, *, driver_id: UUID) -> DriverSpeed | None:
    return await session.scalar(select(DriverSpeed).where(DriverSpeed.driver_id == driver_id))


async def save_driver_speed(
    session: AsyncSession, *, organization_id: UUID, driver_id: UUID, speed_factor: float, samples: int
) -> None:
    row = await driver_speed(session, driver_id=driver_id)
    if row is None:
        session.add(
            DriverSpeed(
                organization_id=organization_id, driver_id=driver_id, speed_factor=speed_factor, samples=samples
            )
        )
    else:
        row.speed_factor, row.samples = speed_factor, samples


async def write_stop_etas(session: AsyncSession, etas: list[tuple[UUID, datetime, datetime, datetime]]) -> None:
    for stop_id, eta_at, earliest_at, latest_at in etas:
        await session.execute(
            update(Stop)
            .where(Stop.id == stop_id)
            .values(eta_at=eta_at, eta_earliest_at=earliest_at, eta_latest_at=latest_at)
        )
