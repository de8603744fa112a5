"""Driving a route: start, arrive at a stop (by hand or by geofence), leave it, deliver or fail it, finish.

Drivers act on their own routes only (another driver's route is "not found"); staff act on any route of the
organization. Every change records its event in the same transaction, and moves the order's lifecycle.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from backend.accounts.models import Role
from backend.accounts.principal import Principal
from backend.events import service as events
from backend.fleet.models import Vehicle
from backend.kit.clock import utcnow
from backend.orders import service as orders
from backend.orders.errors import IllegalTransition
from backend.orders.models import Order, OrderKind, OrderStatus
from backend.places.models import Location
from backend.routing import repository
from backend.routing.errors import RouteNotFound, RouteNotStartable, StopNotFound, StopNotOpen
from backend.routing.models import OPEN_STOP_STATUSES, Route, RouteStatus, Stop, StopKind, StopStatus

Outcome = Literal["delivered", "failed"]
FAILURE_REASONS = ("not_home", "no_access", "refused", "damaged", "wrong_address", "other")


async def route_for_action(
    session: AsyncSession, *, principal: Principal, route_id: UUID, for_update: bool = False
) -> Route:
    route = await repository.get_route(
        session, organization_id=principal.organization_id, route_id=route_id, for_update=for_update
    )
    if route is None or (principal.role == Role.driver and route.driver_id != principal.user_id):
        raise RouteNotFound()
    return route


async def todays_route(session: AsyncSession, *, principal: Principal) -> Route | None:
    """The signed-in driver's live route: in progress first, else the next published one from today on."""
    if principal.user_id is None:
        return None
    return await repository.driver_live_route(
        session, organization_id=principal.organization_id, driver_id=principal.user_id
    )


async def driver_day(
    session: AsyncSession, *, principal: Principal
) -> tuple[Route, list[Order], Location | None] | None:
    """What the driver app keeps offline: the live route, its orders with their parcels, and the van's depot."""
    route = await todays_route(session, principal=principal)
    if route is None:
        return None
    order_ids = {s.order_id for s in route.stops if s.order_id is not None}
    found = await session.scalars(
        select(Order)
        .options(selectinload(Order.parcels))
        .where(Order.organization_id == principal.organization_id, Order.id.in_(order_ids))
    )
    depot = await session.scalar(
        select(Location)
        .join(Vehicle, Vehicle.depot_id == Location.id)
        .where(Vehicle.id == route.vehicle_id, Vehicle.organization_id == principal.organization_id)
    )
    return route, list(found), depot


def _stop(route: Route, stop_id: UUID) -> Stop:
    for stop in route.stops:
        if stop.id == stop_id:
            return stop
    raise StopNotFound()


def _record(
    session: AsyncSession, principal: Principal, route: Route, type_: str, at: datetime, **payload: object
) -> None:
    events.record(
        session,
        organization_id=route.organization_id,
        type=type_,
        subject_type="route",
        subject_id=route.id,
        actor=principal.actor,
        occurred_at=at,
        payload={"driver_id": str(route.driver_id) if route.driver_id else None, **payload},
    )


async def start_route(
    session: AsyncSession, *, principal: Principal, route_id: UUID, occurred_at: datetime | None = None
) -> Route:
    """The van leaves: the route goes in progress (positions are collected from now) and its orders go out."""
    route = await route_for_action(session, principal=principal, route_id=route_id, for_update=True)
    if route.status == RouteStatus.in_progress:
        return route  # a retried start is harmless
    if route.status != RouteStatus.published:
        raise RouteNotStartable(f"The route is {route.status.value}; only a published route can start")
    at = occurred_at or utcnow()
    route.status = RouteStatus.in_progress
    route.started_at = at
    for stop in route.stops:
        if stop.order_id is not None and stop.status == StopStatus.pending:
            order = await orders.get_order(
                session, principal=Principal.system(route.organization_id), order_id=stop.order_id
            )
            if order.status == OrderStatus.planned:
                await orders.transition(
                    session,
                    principal=principal,
                    order_id=order.id,
                    to=OrderStatus.out_for_delivery,
                    occurred_at=at,
                    by_planner=True,
                )
    _keep_shown_eta(route)
    _record(session, principal, route, "route.started", at, service_date=route.service_date.isoformat())
    return route


def _keep_shown_eta(route: Route) -> None:
    """The driver sets off for the next open stop: keep the ETA its customer sees now (the live one, else the
    plan's, as the tracking page shows it) for analytics' ETA error. Only the first is kept: a retried action or
    a later departure must not replace it with a fresher, more accurate one."""
    upcoming = [s for s in route.stops if s.order_id is not None and s.status == StopStatus.pending]
    if upcoming:
        next_stop = min(upcoming, key=lambda s: s.sequence)
        if next_stop.leg_start_eta_at is None:
            next_stop.leg_start_eta_at = next_stop.eta_at or next_stop.planned_arrival_at


def _live(route: Route) -> None:
    if route.status != RouteStatus.in_progress:
        raise StopNotOpen(f"The route is {route.status.value}; start it first")


async def arrive(
    session: AsyncSession,
    *,
    principal: Principal,
    route_id: UUID,
    stop_id: UUID,
    occurred_at: datetime | None = None,
    source: Literal["driver", "geofence"] = "driver",
) -> Route:
    """The driver is at the stop (the route is returned, with its stops). Arriving twice is harmless; arriving
    at a closed stop is a conflict."""
    route = await route_for_action(session, principal=principal, route_id=route_id, for_update=True)
    _live(route)
    stop = _stop(route, stop_id)
    if stop.status == StopStatus.arrived:
        return route
    if stop.status != StopStatus.pending:
        raise StopNotOpen(f"The stop is {stop.status.value}")
    at = occurred_at or utcnow()
    stop.status = StopStatus.arrived
    stop.arrived_at = at
    if stop.order_id is not None:
        order = await orders.get_order(
            session, principal=Principal.system(route.organization_id), order_id=stop.order_id
        )
        if order.status == OrderStatus.out_for_delivery:
            await orders.transition(
                session,
                principal=principal,
                order_id=order.id,
                to=OrderStatus.arriving,
                occurred_at=at,
                by_planner=True,
            )
    _record(
        session, principal, route, "stop.arrived", at, stop_id=str(stop.id), order_id=_str(stop.order_id), source=source
    )
    return route


async def mark_arriving(
    session: AsyncSession, *, principal: Principal, route_id: UUID, order_id: UUID, at: datetime
) -> bool:
    """The next stop is minutes away: its order turns `arriving` (the customer's "your driver is close")."""
    await route_for_action(session, principal=principal, route_id=route_id, for_update=True)
    order = await orders.get_order(session, principal=principal, order_id=order_id)
    if order.status != OrderStatus.out_for_delivery:
        return False
    try:
        await orders.transition(
            session, principal=principal, order_id=order_id, to=OrderStatus.arriving, occurred_at=at, by_planner=True
        )
    except IllegalTransition:  # delivered or failed by the driver meanwhile: the later state stands
        return False
    return True


async def depart(
    session: AsyncSession, *, principal: Principal, route_id: UUID, stop_id: UUID, occurred_at: datetime, dwell_s: float
) -> Stop | None:
    """The geofence saw the driver leave; the dwell time is kept (the stop's outcome comes from the driver)."""
    route = await route_for_action(session, principal=principal, route_id=route_id, for_update=True)
    stop = _stop(route, stop_id)
    if stop.departed_at is not None:
        return None
    stop.departed_at = occurred_at
    _record(
        session,
        principal,
        route,
        "stop.departed",
        occurred_at,
        stop_id=str(stop.id),
        order_id=_str(stop.order_id),
        dwell_s=round(dwell_s),
    )
    return stop


async def complete_stop(
    session: AsyncSession,
    *,
    principal: Principal,
    route_id: UUID,
    stop_id: UUID,
    outcome: Outcome,
    reason: str | None = None,
    occurred_at: datetime | None = None,
) -> Route:
    """Delivered, or failed with a reason; a failed delivery is re-planned for later by live re-planning."""
    route = await route_for_action(session, principal=principal, route_id=route_id, for_update=True)
    _live(route)
    stop = _stop(route, stop_id)
    done = StopStatus.completed if outcome == "delivered" else StopStatus.failed
    if stop.status == done:
        return route
    if stop.status not in OPEN_STOP_STATUSES:
        raise StopNotOpen(f"The stop is {stop.status.value}")
    at = occurred_at or utcnow()
    if stop.arrived_at is None:
        stop.arrived_at = at
    stop.status = done
    stop.completed_at = at
    if stop.order_id is not None:
        order = await orders.get_order(
            session, principal=Principal.system(route.organization_id), order_id=stop.order_id
        )
        for step in outcome_steps(order.kind, order.status, stop.kind, outcome):
            await orders.transition(
                session, principal=principal, order_id=order.id, to=step, reason=reason, occurred_at=at
            )
    _keep_shown_eta(route)
    _record(
        session,
        principal,
        route,
        "stop.completed",
        at,
        stop_id=str(stop.id),
        order_id=_str(stop.order_id),
        outcome=outcome,
        reason=reason,
    )
    return route


def outcome_steps(kind: OrderKind, status: OrderStatus, stop_kind: StopKind, outcome: Outcome) -> list[OrderStatus]:
    """The order's moves when its stop is done, by what the stop is: a delivery handed over (or not), a parcel
    fetched at the depot by a van already out (live re-planning), a customer's return collected, a return
    dropped at the depot. An order not yet out (placed live on a van still loading) passes `out_for_delivery`."""
    S = OrderStatus
    if kind == OrderKind.delivery and stop_kind == StopKind.pickup:
        return [S.out_for_delivery] if outcome == "delivered" and status == S.planned else []
    if kind == OrderKind.delivery:
        final = S.delivered if outcome == "delivered" else S.failed
        if status == final:
            return []
        return [S.out_for_delivery, final] if status == S.planned else [final]
    if kind == OrderKind.return_ and stop_kind == StopKind.pickup:
        return [S.collected] if outcome == "delivered" and status == S.scheduled else []
    if kind == OrderKind.return_:
        return [S.received] if outcome == "delivered" and status == S.collected else []
    return []


async def finish_route(
    session: AsyncSession, *, principal: Principal, route_id: UUID, occurred_at: datetime | None = None
) -> Route:
    route = await route_for_action(session, principal=principal, route_id=route_id, for_update=True)
    if route.status == RouteStatus.completed:
        return route
    _live(route)
    open_stops = [s for s in route.stops if s.order_id is not None and s.status in OPEN_STOP_STATUSES]
    if open_stops:
        raise StopNotOpen(f"{len(open_stops)} stop(s) are still open: deliver or fail them first")
    at = occurred_at or utcnow()
    route.status = RouteStatus.completed
    route.completed_at = at
    _record(session, principal, route, "route.completed", at)
    return route


def _str(value: UUID | None) -> str | None:
    return str(value) if value is not None else None
