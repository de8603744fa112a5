"""Live re-planning against the database: read a day's live plan as a LiveState, and write a new state back
into it in place (stop ids stay stable; what is done is never touched), with a `plan.revised` event that
carries the diff and the new ETAs of every route that changed. Never commits (triggers.py does).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from vroom._vroom import VroomInputException

from backend.accounts import service as accounts
from backend.accounts.principal import Principal
from backend.events import service as events
from backend.events.models import Event
from backend.fleet import service as fleet
from backend.fleet.models import Vehicle
from backend.orders import service as orders
from backend.orders.models import Order, OrderKind
from backend.places import service as places
from backend.routing import live, repository, workers
from backend.routing.live import LiveState, LiveVehicle, Visit
from backend.routing.models import Plan, Route, RouteStatus, Stop, StopKind, StopStatus
from backend.routing.planning import (
    ON_PUBLISH,
    ON_ROUTE,
    PLANNABLE,
    Points,
    at,
    day_start,
    default_depot,
    on_route,
    order_task,
    seconds_since,
    vehicle_input,
)
from backend.routing.problem import Problem, TaskInput, breaks_in_shift, explain_unassigned
from backend.routing.travel import TravelTimes, matrices_with_fallback, street_line

DONE = frozenset({StopStatus.completed, StopStatus.failed, StopStatus.skipped})


@dataclass
class Loaded:
    """A live plan read for re-planning: the pure state, and the rows to write it back to."""

    plan: Plan
    state: LiveState
    points: Points
    day_start: datetime
    now_s: int
    routes: dict[UUID, Route]  # by vehicle id
    vehicles: dict[UUID, Vehicle]
    committed: dict[UUID, int]  # vehicle id → sequence of its last fixed stop (done, or the one it is at/heading to)
    orders: dict[UUID, Order]
    stops: dict[UUID, list[Stop]]  # by vehicle id, in sequence, as read
    unplannable: list[dict[str, Any]] = field(default_factory=list)
    dirty: set[UUID] = field(default_factory=set)  # vehicles whose stops must be rewritten even if visits match
    removed: list[UUID] = field(default_factory=list)  # orders whose visits were dropped (cancelled, off route)
    travel_times: str = ""  # the provider the matrices came from, or the fallback and why
    told: dict[UUID, int] = field(default_factory=dict)  # order → stored arrival at its customer, in day seconds
    # routes written without their street geometry (the fast path): their stop coordinates and profile, for
    # draw_lines after the commit
    lines: dict[UUID, tuple[list[tuple[float, float]], str]] = field(default_factory=dict)


def order_date(order: Order, timezone: str, next_live_day: date) -> date:
    """The day an order is for: its window's local date; an order without a window goes to the next day
    that has a live plan (today's, or tomorrow's once the dispatcher has published it in the evening)."""
    if order.window_start_at is None:
        return next_live_day
    return order.window_start_at.astimezone(ZoneInfo(timezone)).date()


async def load(
    session: AsyncSession,
    *,
    organization_id: UUID,
    service_date: date,
    now: datetime,
    travel: TravelTimes,
    fallback: TravelTimes,
) -> Loaded | None:
    """The day's published plan as it stands now, or None when the day has no live plan."""
    plan = await repository.published_plan(
        session, organization_id=organization_id, service_date=service_date, for_update=True
    )
    if plan is None:
        return None
    principal = Principal.system(organization_id)
    organization = await accounts.get_organization(session, organization_id=organization_id)
    start = day_start(service_date, organization.timezone)
    now_s = seconds_since(start, now)
    routes = {r.vehicle_id: r for r in await repository.routes_of_plan(session, plan_id=plan.id)}
    vehicles = {v.id: v for v in await fleet.active_vehicles(session, principal=principal)}
    locations = await places.locations_by_id(session, principal=principal)
    depot_for_returns = default_depot(locations)

    on_routes = {s.order_id for r in routes.values() for s in r.stops if s.order_id is not None}
    # orders whose visit on this plan failed or was skipped (a withdrawn route): a re-attempt needs a new one
    missed = {
        s.order_id
        for r in routes.values()
        for s in r.stops
        if s.order_id is not None and s.status in (StopStatus.failed, StopStatus.skipped)
    }
    # the orders on the plan's routes, and those waiting for a plan whose window starts on this day (or have
    # none): the backlog of other days is not read
    waiting = await orders.orders_in_status(
        session,
        principal=principal,
        statuses=sorted(ON_ROUTE, key=str),
        order_ids=sorted(on_routes, key=str),
        planning_only=True,
    )
    waiting += await orders.orders_in_status(
        session,
        principal=principal,
        statuses=sorted(set(PLANNABLE.values()), key=str),
        window_from=start - timedelta(hours=12),
        window_to=start + timedelta(hours=36),
        planning_only=True,
        own_fleet=True,
    )
    today = now.astimezone(start.tzinfo).date()
    live_days = await repository.live_service_dates(session, organization_id=organization_id, since=today)
    next_live_day = live_days[0] if live_days else service_date
    order_rows = {o.id: o for o in waiting if o.id in on_routes or PLANNABLE.get(o.kind) == o.status}
    pending_on_route = {
        s.order_id
        for r in routes.values()
        for s in r.stops
        if s.order_id is not None and s.status not in DONE and r.status is not RouteStatus.withdrawn
    }
    taken_off = {UUID(u["order_id"]) for u in plan.unassigned if u.get("reason") == "taken_off"}
    new_orders = [
        o
        for o in order_rows.values()
        if o.id not in pending_on_route
        and o.id not in taken_off
        and PLANNABLE.get(o.kind) == o.status
        and order_date(o, organization.timezone, next_live_day) == service_date
    ]
    # a re-attempt (a failed delivery put back to `planned`), or an order of a withdrawn route: its stop on
    # this plan is done or skipped, and it needs a new visit
    for o in order_rows.values():
        if on_route(o) and o.id in missed and o.id not in pending_on_route:
            new_orders.append(o)

    points = Points()
    tasks: dict[UUID, TaskInput] = {}
    unplannable: list[dict[str, Any]] = []
    live_vehicles: list[LiveVehicle] = []
    committed: dict[UUID, int] = {}
    dirty: set[UUID] = set()
    removed: list[UUID] = []
    stops_by_vehicle: dict[UUID, list[Stop]] = {}
    pinned: dict[UUID, UUID] = {}
    for vehicle in sorted(vehicles.values(), key=lambda v: v.name):
        depot = locations.get(vehicle.depot_id) if vehicle.depot_id else depot_for_returns
        if depot is None:
            continue
        depot_index = points.add(depot.lat, depot.lon)
        route = routes.get(vehicle.id)
        stops = sorted(route.stops, key=lambda s: s.sequence) if route is not None else []
        stops_by_vehicle[vehicle.id] = stops
        task_stops = [s for s in stops if s.order_id is not None]
        departed = route is not None and (
            route.started_at is not None
            or route.status in (RouteStatus.in_progress, RouteStatus.completed)
            or any(s.status is not StopStatus.pending for s in task_stops)
        )
        if route is not None and route.status is RouteStatus.withdrawn:
            continue  # its open stops were taken off (withdraw_route); their orders are new again
        base = vehicle_input(vehicle, depot_index)
        fixed = 0  # sequence of the last fixed stop
        start_index, start_s = depot_index, max(base.shift[0], now_s)
        start_stop = next((s for s in stops if s.kind is StopKind.start), None)
        if start_stop is not None and start_stop.planned_departure_at is not None:
            # the driver was told when to leave: keep it (VROOM starts late rather than wait at a window)
            start_s = max(start_s, seconds_since(start, start_stop.planned_departure_at))
        remaining = task_stops
        if departed:
            done = [s for s in task_stops if s.status in DONE]
            ahead = [s for s in task_stops if s.status not in DONE]
            anchor = ahead[0] if ahead else (done[-1] if done else None)
            if anchor is not None:
                fixed = anchor.sequence
                start_index = points.add(anchor.lat, anchor.lon)
                leaves = anchor.completed_at or anchor.planned_departure_at
                start_s = max(now_s, seconds_since(start, leaves) if leaves else now_s)
            remaining = ahead[1:]
        committed[vehicle.id] = fixed
        visits: list[Visit] = []
        break_rows: list[BreakRow] = []
        ahead_ids = {id(s) for s in remaining}
        for stop in stops:
            if stop.kind is StopKind.break_:
                # before the committed stop: passed, as the driver is at or heading to a stop after it (the app has
                # no break button: a late driver who has not taken it yet is taken to have); else on the way to
                # the next remaining visit
                break_rows.append(_break_row(stop, start, None if stop.sequence < fixed else len(visits)))
                continue
            if id(stop) not in ahead_ids:
                continue
            order = order_rows.get(stop.order_id) if stop.order_id else None
            if order is None or not on_route(order):
                dirty.add(vehicle.id)  # cancelled or taken off the route: its visit goes
                if stop.order_id is not None and stop.order_id not in removed:
                    removed.append(stop.order_id)
                continue
            if order.id not in tasks:
                made = order_task(
                    order, start=start, points=points, locations=locations, default_depot=depot_for_returns
                )
                if not isinstance(made, TaskInput):
                    continue
                tasks[order.id] = made
            task = tasks[order.id]
            if stop.pinned:
                pinned[order.id] = vehicle.id
            if order.kind is OrderKind.return_:
                visits.append(("pickup" if stop.kind is StopKind.pickup else "delivery", order.id))
            elif stop.kind is StopKind.pickup:  # fetched from the depot during the day
                tasks[order.id] = replace(task, load_at_index=points.add(stop.lat, stop.lon))
                visits.append(("pickup", order.id))
            else:
                visits.append(("delivery" if tasks[order.id].load_at_index is not None else "job", order.id))
        on_board = _on_board(tasks, visits)
        breaks, break_positions = _breaks_ahead(base.breaks, break_rows, start_s, base.shift[1])
        live_vehicles.append(
            LiveVehicle(
                vehicle=replace(base, start_index=start_index, shift=(start_s, base.shift[1]), breaks=breaks),
                departed=departed,
                depot_index=depot_index,
                visits=tuple(visits),
                on_board=on_board,
                breaks_at=break_positions,
            )
        )
    new_ids: list[UUID] = []
    fetch_from = points.add(depot_for_returns.lat, depot_for_returns.lon) if depot_for_returns else None
    for order_id in (o.id for o in new_orders):
        order = order_rows.get(order_id)
        if order is None or order_id in new_ids or order.status not in (*ON_ROUTE, *PLANNABLE.values()):
            continue
        made = order_task(order, start=start, points=points, locations=locations, default_depot=depot_for_returns)
        if not isinstance(made, TaskInput):
            unplannable.append(made)
            continue
        if made.return_to_index is None:
            made = replace(made, load_at_index=fetch_from)
        tasks[order_id] = made
        new_ids.append(order_id)
    told: dict[UUID, int] = {}
    for vehicle_stops in stops_by_vehicle.values():
        for stop in vehicle_stops:
            known = tasks.get(stop.order_id) if stop.order_id else None
            if known is None or stop.status in DONE or stop.planned_arrival_at is None:
                continue
            if (round(stop.lat, 6), round(stop.lon, 6)) == points.coordinates[known.location_index]:
                told.setdefault(known.order_id, seconds_since(start, stop.planned_arrival_at))
    durations, distances, source = await matrices_with_fallback(
        points.coordinates, {v.vehicle.profile for v in live_vehicles}, travel, fallback
    )
    state = LiveState(
        vehicles=tuple(live_vehicles),
        tasks=tasks,
        new=tuple(new_ids),
        durations=durations,
        distances=distances,
        pinned=pinned,
    )
    return Loaded(
        plan=plan,
        state=state,
        points=points,
        day_start=start,
        now_s=now_s,
        routes=routes,
        vehicles=vehicles,
        committed=committed,
        orders=order_rows,
        stops=stops_by_vehicle,
        unplannable=unplannable,
        dirty=dirty,
        removed=removed,
        travel_times=source,
        told=told,
    )


@dataclass(frozen=True)
class BreakRow:
    """A break stop of the live plan: its planned start and length, and where it falls among the remaining visits
    (None: passed)."""

    starts_s: int
    length_s: int
    ahead_at: int | None


def _break_row(stop: Stop, day: datetime, ahead_at: int | None) -> BreakRow:
    starts = seconds_since(day, stop.planned_arrival_at) if stop.planned_arrival_at else -1
    ends = seconds_since(day, stop.planned_departure_at) if stop.planned_departure_at else starts
    return BreakRow(starts, ends - starts, ahead_at)


def _breaks_ahead(
    breaks: tuple[tuple[int, int, int], ...], rows: list[BreakRow], free_s: int, shift_end_s: int
) -> tuple[tuple[tuple[int, int, int], ...], tuple[int, ...]]:
    """The breaks a van still has to take, and where the plan has them (empty: placed as they come, see
    live.LiveVehicle.breaks_at), from the vehicle's breaks and the plan's break stops.

    Each stop is matched to the vehicle's break of its length whose window it starts in (else the last one opened
    before it: a break owed late); where one matches none (the breaks were edited since), the stops stand for the
    breaks in order, as planning made them. A break of the vehicle with no stop (added since) is still to take.

    A break whose latest start has passed before the van is free again (a late driver) is still owed: it is taken
    as soon as the van is free; one that can no longer be over by the shift end is dropped
    (problem.breaks_in_shift). Then the plan's places no longer hold."""
    matched: list[int] = []
    for row in rows:
        fits = [
            (earliest <= row.starts_s <= latest, earliest, number)
            for number, (earliest, latest, length) in enumerate(breaks)
            if number not in matched and length == row.length_s and earliest <= row.starts_s
        ]
        if not fits:
            matched = list(range(len(rows)))  # by order, as planning made them
            break
        matched.append(max(fits)[2])  # in its window, else the last to open (owed late)
    taken = {number for number, row in zip(matched, rows, strict=False) if row.ahead_at is None}
    ahead = {number: row.ahead_at for number, row in zip(matched, rows, strict=False) if row.ahead_at is not None}
    left = [number for number in range(len(breaks)) if number not in taken]
    still = tuple(breaks[number] for number in left)
    owed = breaks_in_shift(still, free_s, shift_end_s, owe_late=True)
    if owed != still or any(number not in ahead for number in left):
        return owed, ()
    positions = tuple(ahead[number] for number in left)
    return owed, positions if list(positions) == sorted(positions) else ()


def _on_board(tasks: dict[UUID, TaskInput], visits: list[Visit]) -> tuple[int, int, int]:
    """What rides in the van without a pickup ahead: shipments whose pickup is already done."""
    picked_ahead = {o for kind, o in visits if kind == "pickup"}
    total = [0, 0, 0]
    for kind, order_id in visits:
        if kind == "delivery" and order_id not in picked_ahead:
            for i, amount in enumerate(tasks[order_id].amount):
                total[i] += amount
    return (total[0], total[1], total[2])


def _stop_kind(kind: str) -> StopKind:
    return StopKind.pickup if kind == "pickup" else StopKind.delivery


async def write(
    session: AsyncSession,
    loaded: Loaded,
    after: LiveState,
    *,
    reason: str,
    travel: TravelTimes | None = None,
) -> tuple[live.Diff, Event | None]:
    """Write `after` into the live plan in place and record `plan.revised`. Returns the diff (maybe empty)
    and the event (None when nothing changed).

    Only routes that changed are touched. Their stops after the fixed part are rewritten: a stop row is reused
    for the same order and kind wherever it was (its id stays, so a driver's offline commands still find it),
    new visits get new rows, visits that went are deleted; only rows whose sequence or times change are
    written."""
    before = loaded.state
    # ETAs are compared with what drivers and customers were told (the stored times), not a re-timing of it
    change = live.diff(live.assignment(before), live.assignment(after), loaded.told, live.arrivals(after))
    change.removed = sorted({*change.removed, *loaded.removed}, key=str)
    already_told = {u["order_id"] for u in loaded.plan.unassigned}
    if change.empty and not loaded.dirty and {str(o) for o in after.new} <= already_told:
        return change, None  # nothing a driver or a dispatcher would see (an order still unplaceable): no revision
    principal = Principal.system(loaded.plan.organization_id)
    plan = loaded.plan
    old = {v.vehicle.vehicle_id: v for v in before.vehicles}
    changed = {
        v.vehicle.vehicle_id
        for v in after.vehicles
        if v.visits != old[v.vehicle.vehicle_id].visits
        or v.vehicle.vehicle_id in loaded.dirty
        or {o for _, o in v.visits} & set(change.eta_changes)
    }
    loose = {
        vehicle_id: [s for s in loaded.stops.get(vehicle_id, []) if s.sequence > loaded.committed.get(vehicle_id, 0)]
        for vehicle_id in changed
    }
    pool: dict[tuple[UUID, StopKind], Stop] = {}
    ends: dict[UUID, Stop] = {}
    break_rows: dict[UUID, list[Stop]] = {}
    for vehicle_id, stops in loose.items():
        for stop in stops:
            if stop.kind is StopKind.end:
                ends[vehicle_id] = stop
            elif stop.kind is StopKind.break_:
                break_rows.setdefault(vehicle_id, []).append(stop)
            elif stop.order_id is not None:
                pool[(stop.order_id, stop.kind)] = stop
    timed = {t.vehicle_id: t for t in live.timed_routes(after)}
    used: set[int] = set()
    route_payloads: list[dict[str, Any]] = []
    for vehicle in after.vehicles:
        vehicle_id = vehicle.vehicle.vehicle_id
        if vehicle_id not in changed:
            continue
        route = loaded.routes.get(vehicle_id) or await _new_route(session, loaded, vehicle)
        sequence = loaded.committed.get(vehicle_id, 0)
        stops_payload = []
        last_index = vehicle.vehicle.start_index
        for step in timed[vehicle_id].steps[1:-1]:
            if step.kind == "break":  # a break row sits where the driver is when it starts (as planning puts it)
                lat, lon = loaded.points.coordinates[last_index]
                spare = break_rows.get(vehicle_id)
                if spare:
                    stop = spare.pop(0)
                else:
                    stop = Stop(organization_id=route.organization_id, kind=StopKind.break_, lat=lat, lon=lon)
                    session.add(stop)
                _set(stop, "lat", lat)
                _set(stop, "lon", lon)
            elif step.order_id is None or step.location_index is None:
                continue
            else:
                last_index = step.location_index
                kind = _stop_kind(step.kind)
                reused = pool.pop((step.order_id, kind), None)
                if reused is not None:
                    stop = reused
                else:
                    lat, lon = loaded.points.coordinates[step.location_index]
                    stop = Stop(
                        organization_id=route.organization_id, order_id=step.order_id, kind=kind, lat=lat, lon=lon
                    )
                    session.add(stop)
            sequence += 1
            _set(stop, "route_id", route.id)
            _set(stop, "sequence", sequence)
            _set(stop, "status", StopStatus.pending)
            _set(stop, "pinned", step.order_id is not None and after.pinned.get(step.order_id) == vehicle_id)
            _set(stop, "planned_arrival_at", at(loaded.day_start, step.arrival_s + step.waiting_s))
            _set(stop, "planned_departure_at", at(loaded.day_start, step.departure_s))
            used.add(id(stop))
            stops_payload.append(stop)
        end = timed[vehicle_id].steps[-1]
        end_stop = ends.pop(vehicle_id, None)
        if end_stop is None:
            lat, lon = loaded.points.coordinates[end.location_index or 0]
            end_stop = Stop(organization_id=route.organization_id, kind=StopKind.end, lat=lat, lon=lon)
            session.add(end_stop)
        end_stop.route_id = route.id
        end_stop.sequence = sequence + 1
        end_stop.planned_arrival_at = end_stop.planned_departure_at = at(loaded.day_start, end.arrival_s)
        if not vehicle.departed:
            route.duration_s = float(end.arrival_s - vehicle.vehicle.shift[0])
            route.distance_m = float(timed[vehicle_id].distance_m)
        if travel is not None:
            route.geometry = await _geometry(loaded, timed[vehicle_id], travel, vehicle.vehicle.profile)
        else:
            loaded.lines[route.id] = (_line_points(loaded, timed[vehicle_id]), vehicle.vehicle.profile)
        route_payloads.append({"route_id": route.id, "driver_id": route.driver_id, "stops": stops_payload})
    for stops in loose.values():
        for stop in stops:
            if id(stop) not in used and stop.kind is not StopKind.end:
                await session.delete(stop)  # gone: cancelled, moved (a new row took over), or a break not taken
    await session.flush()
    # orders placed for the first time become planned / scheduled, as publishing does
    for order_id in change.added:
        order = loaded.orders.get(order_id)
        target = ON_PUBLISH.get(order.kind) if order is not None else None
        if order is not None and target is not None and order.status is not target:
            await orders.transition(
                session,
                principal=principal,
                order_id=order_id,
                to=target,
                reason=f"live re-plan: {reason}",
                by_planner=True,
            )
    placed = {o for v in after.vehicles for o in v.orders}
    problem = live.live_problem(after)
    unassigned = [
        u for u in plan.unassigned if UUID(u["order_id"]) not in placed and UUID(u["order_id"]) in loaded.orders
    ]
    known = {u["order_id"] for u in unassigned}
    for order_id in after.new:
        if str(order_id) not in known:
            why, detail = _explain(problem, order_id)
            unassigned.append({"order_id": str(order_id), "reason": why, "detail": detail})
            known.add(str(order_id))
    unassigned.extend(u for u in loaded.unplannable if u["order_id"] not in known)
    for order_id in loaded.removed:
        order = loaded.orders.get(order_id)
        if order is not None and order.status is PLANNABLE.get(order.kind) and str(order_id) not in known:
            # a dispatcher took it off the route: it waits for them, not for the next re-plan
            detail = "Taken off its route by a dispatcher; plan it again or add it to a plan"
            unassigned.append({"order_id": str(order_id), "reason": "taken_off", "detail": detail})
    plan.unassigned = unassigned
    live_revision = int(plan.summary.get("live_revision", 0)) + 1
    plan.summary = {
        **plan.summary,
        "live_revision": live_revision,
        "live_travel_times": loaded.travel_times,
        "unassigned": len(unassigned),
        "assigned": len(placed),
    }
    await session.flush()
    event = events.record(
        session,
        organization_id=plan.organization_id,
        type="plan.revised",
        subject_type="plan",
        subject_id=plan.id,
        actor=principal.actor,
        payload={
            "service_date": plan.service_date.isoformat(),
            "revision": live_revision,
            "reason": reason,
            "travel_times": loaded.travel_times,
            "diff": change.as_payload(),
            "eta_changes": len(change.eta_changes),
            # what each affected driver's app needs: its route's remaining stops with their new times
            "routes": [
                {
                    "route_id": str(r["route_id"]),
                    "driver_id": str(r["driver_id"]) if r["driver_id"] else None,
                    "stops": [
                        {
                            "stop_id": str(stop.id),
                            "order_id": str(stop.order_id) if stop.order_id else None,
                            "sequence": stop.sequence,
                            "kind": stop.kind.value,
                            "eta": stop.planned_arrival_at.isoformat() if stop.planned_arrival_at else None,
                        }
                        for stop in r["stops"]
                    ],
                }
                for r in route_payloads
            ],
        },
    )
    return change, event


def _set(stop: Stop, name: str, value: Any) -> None:
    """Assign only a changed value, so the unit of work writes only the rows that really changed."""
    if getattr(stop, name) != value:
        setattr(stop, name, value)


async def _new_route(session: AsyncSession, loaded: Loaded, vehicle: LiveVehicle) -> Route:
    """A vehicle with no route in the live plan gets one when it is given work."""
    plan = loaded.plan
    vehicle_id = vehicle.vehicle.vehicle_id
    route = Route(
        organization_id=plan.organization_id,
        plan_id=plan.id,
        vehicle_id=vehicle_id,
        driver_id=loaded.vehicles[vehicle_id].driver_id,
        service_date=plan.service_date,
        status=RouteStatus.published,
        plan_revision=plan.revision,
    )
    session.add(route)
    await session.flush()
    lat, lon = loaded.points.coordinates[vehicle.depot_index]
    when = at(loaded.day_start, vehicle.vehicle.shift[0])
    session.add(
        Stop(
            organization_id=plan.organization_id,
            route_id=route.id,
            sequence=0,
            kind=StopKind.start,
            lat=lat,
            lon=lon,
            planned_arrival_at=when,
            planned_departure_at=when,
        )
    )
    loaded.routes[vehicle_id] = route
    return route


def _line_points(loaded: Loaded, timed: live.Timed) -> list[tuple[float, float]]:
    return [loaded.points.coordinates[s.location_index] for s in timed.steps if s.location_index is not None]


async def _geometry(loaded: Loaded, timed: live.Timed, travel: TravelTimes, profile: str) -> dict[str, Any] | None:
    return await street_line(_line_points(loaded, timed), travel, profile)


async def draw_lines(
    session: AsyncSession, lines: dict[UUID, tuple[list[tuple[float, float]], str]], travel: TravelTimes
) -> None:
    """The street geometry of routes the fast path re-timed: drawn after their ETAs went out."""
    for route_id, (points, profile) in lines.items():
        route = await session.get(Route, route_id)
        if route is not None:
            route.geometry = await street_line(points, travel, profile)


def _explain(problem: Problem, order_id: UUID) -> tuple[str, str]:
    if not any(t.order_id == order_id for t in problem.tasks):
        return "no_vehicle", "No vehicle can take it"
    return explain_unassigned(problem, order_id)


async def insert_new_orders(loaded: Loaded) -> LiveState:
    """The fast path: every order on no route yet, placed one by one by cheapest feasible insertion."""
    state = loaded.state
    for order_id in list(state.new):
        found = live.cheapest_insertion(state, order_id)
        if found is not None:
            state = live.apply_insertion(state, found)
    return state


async def warm_resolve(state: LiveState, *, timeout_s: float, max_moved: int = 2) -> LiveState | None:
    """The warm-started re-solve in a worker thread. Its result replaces the live plan only if it is feasible,
    drops nothing that was placed, moves at most `max_moved` stops between drivers, and either places more
    orders or saves real travel (at least 30 s and 0.5 %): drivers are not disturbed for nothing."""
    if not state.vehicles:
        return None
    try:
        result = await workers.run(live.warm_solve, state, exploration_level=1, timeout_s=timeout_s)
    except VroomInputException:
        return None  # VROOM refused the input (live.warm_solve sets refused vans aside): the live plan stays
    candidate = live.state_from_result(state, result)
    placed_before = {o for v in state.vehicles for o in v.orders}
    placed_after = {o for v in candidate.vehicles for o in v.orders}
    if not placed_before <= placed_after:
        return None
    if not all(t.feasible for t in live.timed_routes(candidate)):
        return None
    if len(live.diff(live.assignment(state), live.assignment(candidate)).moved) > max_moved:
        return None
    if len(placed_after) > len(placed_before):
        return candidate
    now, then = live.total_travel(state), live.total_travel(candidate)
    if now - then < max(30, 0.005 * now):
        return None
    return candidate
