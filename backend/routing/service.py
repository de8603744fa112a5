"""Rules of the routing domain: planning a day with VROOM, storing plan revisions, publishing. Never commits."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.models import Organization
from backend.accounts.principal import Principal
from backend.events import service as events
from backend.fleet import service as fleet
from backend.fleet.models import Vehicle
from backend.kit.clock import utcnow
from backend.orders import service as orders
from backend.orders.models import Order, OrderKind, OrderStatus
from backend.places import service as places
from backend.routing import repository, workers
from backend.routing.errors import (
    DayUnderWay,
    NothingToPlan,
    PlanNotFound,
    PlanNotPublishable,
    RouteNotFound,
    RouteNotWithdrawable,
)
from backend.routing.models import OPEN_STOP_STATUSES, Plan, PlanStatus, Route, RouteStatus, Stop, StopKind, StopStatus
from backend.routing.planning import ON_PUBLISH, PLANNABLE, Translation, at, on_route, translate
from backend.routing.problem import PlanResult, Problem, RouteResult, explain_unassigned
from backend.routing.search import solve_within_budget
from backend.routing.travel import TravelTimes, matrices_with_fallback, street_line


async def _live_open_orders(session: AsyncSession, *, principal: Principal, service_date: date) -> list[Order]:
    """The orders still to be served on the day's live plan; a conflict once a van of it has left."""
    live_plan = await repository.published_plan(
        session, organization_id=principal.organization_id, service_date=service_date
    )
    if live_plan is None:
        return []
    routes = await repository.routes_of_plan(session, plan_id=live_plan.id)
    active = [r for r in routes if r.status is not RouteStatus.withdrawn]
    if any(
        r.started_at is not None or any(s.order_id and s.status is not StopStatus.pending for s in r.stops)
        for r in active
    ):
        raise DayUnderWay(
            "Vans of this day's live plan have left; it is re-planned live as orders change "
            "(add, cancel, or withdraw a route)",
            extra={"plan_id": str(live_plan.id), "revision": live_plan.revision},
        )
    ids = sorted({s.order_id for r in active for s in r.stops if s.order_id is not None}, key=str)
    found = await orders.orders_in_status(session, principal=principal, statuses=list(OrderStatus), order_ids=ids)
    return [o for o in found if on_route(o)]


async def _live_pins(session: AsyncSession, *, principal: Principal, service_date: date) -> dict[UUID, UUID]:
    """Orders a dispatcher moved to a vehicle by hand on the day's live plan (still to do): order → vehicle."""
    live_plan = await repository.published_plan(
        session, organization_id=principal.organization_id, service_date=service_date
    )
    if live_plan is None:
        return {}
    return {
        s.order_id: r.vehicle_id
        for r in await repository.routes_of_plan(session, plan_id=live_plan.id)
        if r.status is not RouteStatus.withdrawn
        for s in r.stops
        if s.order_id is not None and s.pinned and s.status in OPEN_STOP_STATUSES
    }


async def create_plan(
    session: AsyncSession,
    *,
    principal: Principal,
    organization: Organization,
    service_date: date,
    order_ids: list[UUID] | None,
    vehicle_ids: list[UUID] | None,
    time_budget_s: float,
    travel: TravelTimes,
    fallback: TravelTimes,
) -> Plan:
    """Solve the day off the event loop and store the result as the next draft revision."""
    candidates = await orders.orders_in_status(
        session, principal=principal, statuses=sorted(set(PLANNABLE.values())), order_ids=order_ids, own_fleet=True
    )
    plannable = [o for o in candidates if PLANNABLE.get(o.kind) == o.status]
    # a day that already has a live plan is planned again as a whole: its open orders always come along (a
    # plan that left them out would strand them when published), as long as no van has left; once vans are
    # out, live re-planning amends the day without moving what is done
    carried = await _live_open_orders(session, principal=principal, service_date=service_date)
    known = {o.id for o in plannable}
    plannable += [o for o in carried if o.id not in known]
    if order_ids is not None:
        missing = sorted(set(order_ids) - {o.id for o in plannable}, key=str)
        if missing:
            raise NothingToPlan(
                f"{len(missing)} of the chosen orders are not waiting for a plan (unknown, or already planned)",
                extra={"order_ids": [str(m) for m in missing]},
            )
    vehicles = await fleet.active_vehicles(session, principal=principal)
    if vehicle_ids is not None:
        wanted = set(vehicle_ids)
        vehicles = [v for v in vehicles if v.id in wanted]
    if not plannable:
        raise NothingToPlan("No order is waiting for a plan")
    locations = await places.locations_by_id(session, principal=principal)
    pins = await _live_pins(session, principal=principal, service_date=service_date)
    translation = translate(
        service_date=service_date,
        timezone=organization.timezone,
        orders=plannable,
        vehicles=vehicles,
        locations=locations,
        not_before=utcnow(),
        pins=pins,
    )
    unassigned: list[dict[str, Any]] = list(translation.skipped)
    source = "none"
    result = PlanResult(routes=[], unassigned=[t.order_id for t in translation.tasks], cost=0, solve_ms=0)
    problem = Problem(vehicles=translation.vehicles, tasks=translation.tasks, durations={}, distances={})
    if translation.vehicles and translation.tasks:
        durations, distances, source = await matrices_with_fallback(
            translation.points.coordinates, {v.profile for v in translation.vehicles}, travel, fallback
        )
        problem = Problem(
            vehicles=translation.vehicles, tasks=translation.tasks, durations=durations, distances=distances
        )
        result = await workers.run(solve_within_budget, problem, budget_s=time_budget_s, threads=2)
    for order_id in result.unassigned:
        reason, detail = explain_unassigned(problem, order_id)
        unassigned.append({"order_id": str(order_id), "reason": reason, "detail": detail})

    revision = (
        await repository.latest_revision(session, organization_id=principal.organization_id, service_date=service_date)
        + 1
    )
    plan = Plan(
        organization_id=principal.organization_id,
        service_date=service_date,
        revision=revision,
        status=PlanStatus.draft,
        parameters={
            "order_ids": [str(o) for o in order_ids] if order_ids is not None else None,
            "vehicle_ids": [str(v) for v in vehicle_ids] if vehicle_ids is not None else None,
            "time_budget_s": time_budget_s,
        },
        summary={
            "routes": len(result.routes),
            "assigned": len(plannable) - len(unassigned),
            "unassigned": len(unassigned),
            "distance_m": sum(r.distance_m for r in result.routes),
            "duration_s": sum(r.duration_s for r in result.routes),
            "cost": result.cost,
            "solve_ms": result.solve_ms,
            "travel_times": source,
            "vehicles_without_depot": len(vehicles) - len(translation.vehicles),
        },
        unassigned=unassigned,
        created_by=principal.actor,
    )
    session.add(plan)
    await session.flush()
    drivers = {v.id: v.driver_id for v in vehicles}
    for route_result in result.routes:
        route = Route(
            organization_id=principal.organization_id,
            plan_id=plan.id,
            vehicle_id=route_result.vehicle_id,
            driver_id=drivers.get(route_result.vehicle_id),
            service_date=service_date,
            status=RouteStatus.draft,
            plan_revision=revision,
            distance_m=route_result.distance_m,
            duration_s=route_result.duration_s,
            geometry=await _route_geometry(route_result, translation, travel, vehicles),
        )
        session.add(route)
        await session.flush()
        previous_location: tuple[float, float] | None = None
        for sequence, step in enumerate(route_result.steps):
            if step.location_index is not None:
                previous_location = translation.points.coordinates[step.location_index]
            lat, lon = previous_location or (0.0, 0.0)
            session.add(
                Stop(
                    organization_id=principal.organization_id,
                    route_id=route.id,
                    order_id=step.order_id,
                    sequence=sequence,
                    kind=StopKind(step.kind),
                    lat=lat,
                    lon=lon,
                    planned_arrival_at=at(translation.day_start, step.arrival_s + step.waiting_s),
                    planned_departure_at=at(translation.day_start, step.departure_s),
                    pinned=step.order_id is not None and pins.get(step.order_id) == route.vehicle_id,
                )
            )
    await session.flush()
    events.record(
        session,
        organization_id=principal.organization_id,
        type="plan.created",
        subject_type="plan",
        subject_id=plan.id,
        actor=principal.actor,
        payload={"service_date": service_date.isoformat(), "revision": revision, **plan.summary},
    )
    return plan


async def _route_geometry(
    route: RouteResult, translation: Translation, travel: TravelTimes, vehicles: list[Vehicle]
) -> dict[str, Any] | None:
    """The route's line along the streets, through its stops in order."""
    profile = next(v.profile for v in vehicles if v.id == route.vehicle_id)
    points = [translation.points.coordinates[s.location_index] for s in route.steps if s.location_index is not None]
    return await street_line(points, travel, profile.value)


async def get_plan(session: AsyncSession, *, principal: Principal, plan_id: UUID) -> tuple[Plan, list[Route]]:
    plan = await repository.get_plan(session, organization_id=principal.organization_id, plan_id=plan_id)
    if plan is None:
        raise PlanNotFound()
    return plan, await repository.routes_of_plan(session, plan_id=plan.id)


async def plan_facts(session: AsyncSession, *, principal: Principal, routes: list[Route]) -> tuple[list[UUID], int]:
    """What the plan's totals do not say: its open stops expected after their order's window ends (the live
    ETA when there is one, else the planned time), and its routes' total time out in seconds, from leaving the
    depot to getting back (driving, service, waiting and breaks)."""
    ids = {s.order_id for r in routes for s in r.stops if s.order_id is not None and s.status in OPEN_STOP_STATUSES}
    found = (
        await orders.orders_in_status(
            session, principal=principal, statuses=list(OrderStatus), order_ids=sorted(ids, key=str)
        )
        if ids
        else []
    )
    by_id = {o.id: o for o in found}
    late: list[UUID] = []
    route_s = 0
    for route in routes:
        if route.status is RouteStatus.withdrawn:
            continue
        start = next((s for s in route.stops if s.kind is StopKind.start), None)
        end = next((s for s in reversed(route.stops) if s.kind is StopKind.end), None)
        if start and end and start.planned_departure_at and end.planned_arrival_at:
            route_s += max(0, int((end.planned_arrival_at - start.planned_departure_at).total_seconds()))
        for stop in route.stops:
            order = by_id.get(stop.order_id) if stop.order_id is not None else None
            if order is None or order.window_end_at is None or stop.status not in OPEN_STOP_STATUSES:
                continue
            at_customer = stop.kind is (StopKind.pickup if order.kind is OrderKind.return_ else StopKind.delivery)
            expected = stop.eta_at or stop.planned_arrival_at
            if at_customer and expected is not None and expected > order.window_end_at:
                late.append(stop.id)
    return late, route_s


async def list_plans(
    session: AsyncSession, *, principal: Principal, service_date: date | None, limit: int, offset: int
) -> tuple[list[Plan], int]:
    return await repository.list_plans(
        session, organization_id=principal.organization_id, service_date=service_date, limit=limit, offset=offset
    )


async def publish_plan(session: AsyncSession, *, principal: Principal, plan_id: UUID) -> Plan:
    """Make a draft the live plan of its day: its orders become planned/scheduled, the old plan is superseded."""
    plan = await repository.get_plan(
        session, organization_id=principal.organization_id, plan_id=plan_id, for_update=True
    )
    if plan is None:
        raise PlanNotFound()
    if plan.status is not PlanStatus.draft:
        raise PlanNotPublishable(f"The plan is {plan.status.value}; only a draft can be published")
    latest = await repository.latest_revision(
        session, organization_id=principal.organization_id, service_date=plan.service_date
    )
    if plan.revision != latest:
        raise PlanNotPublishable(
            f"Revision {latest} of this day is newer; publish that one or plan again",
            extra={"latest_revision": latest},
        )
    routes = await repository.routes_of_plan(session, plan_id=plan.id)
    order_ids = [s.order_id for r in routes for s in r.stops if s.order_id is not None]
    current = {
        o.id: o
        for o in await orders.orders_in_status(
            session, principal=principal, statuses=list(OrderStatus), order_ids=sorted(set(order_ids), key=str)
        )
    }
    live_open = {o.id for o in await _live_open_orders(session, principal=principal, service_date=plan.service_date)}
    stale = sorted(
        str(i)
        for i in set(order_ids)
        if i not in current
        or current[i].carrier_id is not None
        or (PLANNABLE.get(current[i].kind) != current[i].status and i not in live_open)
    )
    if stale:
        raise PlanNotPublishable(
            f"{len(stale)} orders changed since this plan was made (cancelled, planned elsewhere or given to a "
            "carrier); plan again",
            extra={"order_ids": stale},
        )
    previous = await repository.published_plan(
        session, organization_id=principal.organization_id, service_date=plan.service_date
    )
    if previous is not None:
        previous.status = PlanStatus.superseded
        for old_route in await repository.routes_of_plan(session, plan_id=previous.id):
            old_route.status = RouteStatus.superseded
    for route in routes:
        route.status = RouteStatus.published
    for order_id in sorted(set(order_ids), key=str):
        target = ON_PUBLISH.get(current[order_id].kind)
        if target is not None and current[order_id].status is not target:
            await orders.transition(
                session,
                principal=principal,
                order_id=order_id,
                to=target,
                reason=f"plan revision {plan.revision}",
                by_planner=True,
            )
    plan.status = PlanStatus.published
    plan.published_at = utcnow()
    events.record(
        session,
        organization_id=principal.organization_id,
        type="plan.published",
        subject_type="plan",
        subject_id=plan.id,
        actor=principal.actor,
        payload={
            "service_date": plan.service_date.isoformat(),
            "revision": plan.revision,
            "routes": [str(r.id) for r in routes],
            "superseded": str(previous.id) if previous else None,
        },
    )
    return plan


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


async def withdraw_route(session: AsyncSession, *, principal: Principal, route_id: UUID, reason: str) -> Route:
    """The driver is unavailable or the vehicle broke down: its open stops are skipped and live re-planning
    gives their orders to the other routes (what is done stays done)."""
    header = await repository.route_header(session, organization_id=principal.organization_id, route_id=route_id)
    if header is None:
        raise RouteNotFound()
    # locks in the order a re-plan and a dispatcher's stop move take them (the day's plan, then the route), so a
    # stop moved onto or off this route meanwhile is seen where it is now
    await repository.published_plan(
        session, organization_id=principal.organization_id, service_date=header.service_date, for_update=True
    )
    await repository.lock_routes(session, [route_id])
    routes = await repository.fresh_routes(session, organization_id=principal.organization_id, route_ids=[route_id])
    route = routes[route_id]
    if route.status not in (RouteStatus.published, RouteStatus.in_progress):
        raise RouteNotWithdrawable(f"The route is {route.status.value}; only a live route can be withdrawn")
    skipped = []
    for stop in route.stops:
        if stop.order_id is not None and stop.status in OPEN_STOP_STATUSES:
            stop.status = StopStatus.skipped
            skipped.append(str(stop.order_id))
    route.status = RouteStatus.withdrawn
    events.record(
        session,
        organization_id=principal.organization_id,
        type="route.withdrawn",
        subject_type="route",
        subject_id=route.id,
        actor=principal.actor,
        payload={
            "service_date": route.service_date.isoformat(),
            "vehicle_id": str(route.vehicle_id),
            "reason": reason,
            "orders": skipped,
        },
    )
    return route
