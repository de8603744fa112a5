"""Live re-planning, pure: the state of a day's routes in flight, the insertion fast path, the warm-started
re-solve and the diff between two revisions. No database, no I/O (replanning.py does those).

Times are seconds from local midnight of the service date, amounts are problem.py's integer units, and
cost is travel duration in seconds (VROOM's default cost), so both paths compare on one scale.

The rules (issue 3): what is done is not in the problem at all; the stop a driver is at or heading to is
committed and the vehicle starts from it, at the time it will leave it; deliveries already on board a van
that left the depot can only stay on that van (a per-vehicle skill pins them); an order that is not on
board yet (added during the day) must be fetched from the depot first, so for a van already out it is a
depot pickup followed by the delivery (a shipment), and for a van still at the depot it is loaded with the
rest before it leaves (a job).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

import numpy as np
import numpy.typing as npt
from vroom._vroom import VroomInputException

from backend.routing.problem import (
    PlanResult,
    Problem,
    RouteResult,
    StepResult,
    TaskInput,
    VehicleInput,
    pin_skill,
    refused_route,
    solve,
)

IntArray = npt.NDArray[np.int64]
# ("job", order): a delivery on board (or loaded before the van leaves); ("pickup" | "delivery", order): the two
# visits of a shipment (a customer return: pickup there, delivery at the depot; an order fetched from the depot)
Visit = tuple[str, UUID]


@dataclass(frozen=True)
class LiveVehicle:
    """A vehicle as the re-planner sees it now: where and when it is free, what it carries, what it must do."""

    vehicle: VehicleInput  # start_index/shift[0] are its current position and time; end_index its depot
    departed: bool  # out of the depot: only what is on board can be delivered without a depot visit
    depot_index: int
    visits: tuple[Visit, ...]  # its remaining visits in order (the committed stop is not among them)
    on_board: tuple[int, int, int] = (0, 0, 0)  # load after its committed stop, of orders not in `visits`
    # where each of vehicle.breaks (the breaks still to take) falls: on the way to visits[i] (len(visits): on the
    # way back to the depot); empty: each is taken on the first leg by whose end its window has opened, or on the
    # leg to a stop it could no longer start after (time_route)
    breaks_at: tuple[int, ...] = ()

    @property
    def orders(self) -> list[UUID]:
        """Its orders in the order of their first visit."""
        return list(dict.fromkeys(order_id for _, order_id in self.visits))

    def without_breaks(self) -> LiveVehicle:
        """The vehicle as if it had no break to take (a break only delays: what fails without fails with)."""
        return replace(self, vehicle=replace(self.vehicle, breaks=()), breaks_at=())

    def without(self, order_id: UUID) -> LiveVehicle:
        """The vehicle with the order's visits taken out; each break stays between the same visits."""
        visits = tuple(v for v in self.visits if v[1] != order_id)
        breaks_at = tuple(sum(1 for v in self.visits[:at] if v[1] != order_id) for at in self.breaks_at)
        return replace(self, visits=visits, breaks_at=breaks_at)


@dataclass(frozen=True)
class LiveState:
    vehicles: tuple[LiveVehicle, ...]
    tasks: dict[UUID, TaskInput]  # every pending and new order, keyed by order id
    new: tuple[UUID, ...]  # orders on no route yet (added, re-attempted, freed by a withdrawn vehicle)
    durations: dict[str, npt.NDArray[Any]]
    distances: dict[str, npt.NDArray[Any]]
    # order → the vehicle a dispatcher moved it to by hand (Stop.pinned): the re-solve keeps it there
    pinned: dict[UUID, UUID] = field(default_factory=dict)


@dataclass
class Timed:
    """One vehicle's remaining route, timed: stops in order with arrival and departure, and its feasibility."""

    vehicle_id: UUID
    steps: list[StepResult]
    travel_s: int
    distance_m: int
    feasible: bool
    violations: list[str] = field(default_factory=list)


def window(task: TaskInput) -> tuple[int, int]:
    if not task.windows:
        return 0, 2**40
    return min(s for s, _ in task.windows), max(e for _, e in task.windows)


def customer_visit(kind: str, task: TaskInput) -> bool:
    """The visit at the customer's address (timed by its window, with its service time)."""
    if kind == "job":
        return True
    if kind == "pickup":
        return task.return_to_index is not None
    return task.load_at_index is not None


def visit_location(kind: str, task: TaskInput) -> int:
    if kind == "pickup" and task.load_at_index is not None:
        return task.load_at_index
    if kind == "delivery" and task.return_to_index is not None:
        return task.return_to_index
    return task.location_index


def _start_load(state: LiveState, live: LiveVehicle, visits: Sequence[tuple[str, UUID]]) -> IntArray:
    load = np.array(live.on_board, dtype=np.int64)
    for kind, order_id in visits:
        if kind == "job":
            load = load + np.array(state.tasks[order_id].amount, dtype=np.int64)
    return load


def loads_after(state: LiveState, live: LiveVehicle, visits: Sequence[tuple[str, UUID]]) -> IntArray:
    """Load after each step (start, visits..., end), one row of three amounts per step."""
    load = _start_load(state, live, visits)
    rows = [load]
    for kind, order_id in visits:
        amount = np.array(state.tasks[order_id].amount, dtype=np.int64)
        load = load + amount if kind == "pickup" else load - amount
        rows.append(load)
    rows.append(load)
    return np.array(rows, dtype=np.int64)


def time_route(state: LiveState, live: LiveVehicle, visits: Sequence[tuple[str, UUID]]) -> Timed:
    """Forward schedule of a vehicle's visits from where and when it is free, with every rule checked.

    A break is taken on the way, as VROOM times it: it starts once the van has left its last stop and the
    break's window has opened (waiting at the next stop if it opens later than the van gets there), and the van
    reaches that stop the break's length later. A van with nothing left to visit takes no break."""
    v = live.vehicle
    durations, distances = state.durations[v.profile], state.distances[v.profile]
    clock, here = v.shift[0], v.start_index
    violations: list[str] = []
    if (loads_after(state, live, visits) > np.array(v.capacity, dtype=np.int64)).any():
        violations.append("capacity")
    if v.max_tasks is not None and len(visits) > v.max_tasks:
        violations.append("max_tasks")
    steps = [StepResult("start", None, here, clock, 0, 0, 0)]
    breaks = list(enumerate(v.breaks)) if visits else []
    positions = live.breaks_at if len(live.breaks_at) == len(v.breaks) else None
    travel = distance = 0
    for position in range(len(visits) + 1):
        if position < len(visits):
            kind, order_id = visits[position]
            task = state.tasks[order_id]
            where = visit_location(kind, task)
            at_customer = customer_visit(kind, task)  # timed by its window, with its service time
            opens, closes = window(task) if at_customer else (0, 2**40)
            service = task.service_s if at_customer else 0
        else:
            where = v.end_index
        leg = int(durations[here, where])
        travel += leg
        distance += int(distances[here, where])
        driven = 0  # of the leg, before the breaks taken so far on it
        while breaks:
            number, (earliest, latest, length) = breaks[0]
            reaches = clock + leg - driven  # the stop (or the depot), without this break
            if position == len(visits):
                take = True  # every break still to take is taken before the van is back
            elif positions is not None:
                take = positions[number] <= position
            else:  # once its window has opened by the stop, or where it is the last chance to start it in time
                take = reaches >= earliest or max(reaches, opens) + service > latest
            if not take:
                break
            starts = max(clock, earliest)
            if starts > latest:
                violations.append(f"break:{number}")
            driven = min(leg, driven + starts - clock)
            steps.append(StepResult("break", None, None, starts, length, 0, distance))
            clock = starts + length
            breaks.pop(0)
        arrival = clock + leg - driven
        if position == len(visits):
            clock = arrival
            break
        waiting = max(0, opens - arrival)
        if arrival + waiting > closes:
            violations.append(f"time_window:{order_id}")
        if not task.skills <= v.skills:
            violations.append(f"skills:{order_id}")
        steps.append(StepResult(_STEP_KIND[kind], order_id, where, arrival, service, waiting, distance))
        clock, here = arrival + waiting + service, where
    if clock > v.shift[1]:
        violations.append("shift_end")
    steps.append(StepResult("end", None, v.end_index, clock, 0, 0, distance))
    return Timed(v.vehicle_id, steps, travel, distance, not violations, violations)


_STEP_KIND = {"job": "delivery", "pickup": "pickup", "delivery": "delivery"}


@dataclass
class Insertion:
    order_id: UUID
    vehicle_id: UUID
    position: int  # the gap: the index in the vehicle's visits where the order's (first) visit goes
    added_travel_s: int
    fetched: bool  # a van already out goes to the depot for it first
    before_break: bool = False  # a break on the way to visits[position] now comes after the order's visit(s)


def cheapest_insertion(state: LiveState, order_id: UUID) -> Insertion | None:
    """Cheapest feasible insertion of one order (capacity, time windows, shift end, skills, max tasks, breaks)
    into the current routes; every gap of a route is scored at once with numpy. None when no gap is feasible.

    A van still at the depot takes a delivery as one more parcel loaded before it leaves; a van already out
    takes it as a depot visit followed by the delivery, both in one gap (the warm re-solve may move the depot
    visit earlier). A customer return is placed as its pickup; its drop at the depot ends the route.

    A van with a break still to take: the gaps are scored without its breaks (a break only delays, so a gap that
    fails without them fails with them), then tried in order of cost with the breaks until one keeps every rule:
    the order goes after a break on its way, or else before it."""
    task = state.tasks[order_id]
    best: Insertion | None = None
    for live in state.vehicles:
        v = live.vehicle
        fetch = task.return_to_index is None and live.departed
        added_visits = 2 if (fetch or task.return_to_index is not None) else 1
        if not task.skills <= v.skills or (v.max_tasks is not None and len(live.visits) + added_visits > v.max_tasks):
            continue
        timed = time_route(state, live, live.visits)
        if not timed.feasible:
            continue  # a route already broken (late, over capacity) is left to the re-solve
        with_breaks = bool(v.breaks)
        if with_breaks:
            live = live.without_breaks()
            timed = time_route(state, live, live.visits)
        cost = _gap_costs(state, live, timed, task, fetch)
        if cost is None:
            continue
        gaps = np.argsort(cost, kind="stable") if with_breaks else [int(np.argmin(cost))]
        for gap in gaps:
            if cost[gap] == _UNREACHABLE or (best is not None and cost[gap] >= best.added_travel_s):
                break
            candidate = Insertion(order_id, v.vehicle_id, int(gap), int(cost[gap]), fetch)
            found = _keeps_breaks(state, candidate) if with_breaks else candidate
            if found is not None:
                best = found
                break
    return best


_UNREACHABLE = np.iinfo(np.int64).max


def _gap_costs(state: LiveState, live: LiveVehicle, timed: Timed, task: TaskInput, fetch: bool) -> IntArray | None:
    """Added travel of the order in each gap of a route without breaks (infeasible gaps: _UNREACHABLE), or None
    when no gap is feasible."""
    v = live.vehicle
    assert not v.breaks, "gaps are scored without breaks (a break step has no place)"
    opens, closes = window(task)
    amount = np.array(task.amount, dtype=np.int64)
    capacity = np.array(v.capacity, dtype=np.int64)
    visits = live.visits
    loads = loads_after(state, live, visits)
    durations = state.durations[v.profile]
    nodes = np.array([step.location_index for step in timed.steps], dtype=np.int64)
    departure = np.array([step.departure_s for step in timed.steps], dtype=np.int64)
    service = np.array([step.service_s for step in timed.steps], dtype=np.int64)
    closes_at = np.full(len(nodes), _UNREACHABLE // 4, dtype=np.int64)
    for i, (kind, other) in enumerate(visits, start=1):
        if customer_visit(kind, state.tasks[other]):
            closes_at[i] = window(state.tasks[other])[1]
    closes_at[-1] = v.shift[1]
    # latest[k]: the latest arrival at step k that keeps every later step in its window (waiting allowed)
    legs = durations[nodes[:-1], nodes[1:]].astype(np.int64)
    latest = closes_at.copy()
    for k in range(len(nodes) - 2, -1, -1):
        latest[k] = min(closes_at[k], latest[k + 1] - legs[k] - service[k])
    before, after = nodes[:-1], nodes[1:]
    x = task.location_index
    if fetch:
        to_x = durations[before, live.depot_index].astype(np.int64) + int(durations[live.depot_index, x])
    else:
        to_x = durations[before, x].astype(np.int64)
    from_x = durations[x, after].astype(np.int64)
    start_x = np.maximum(departure[:-1] + to_x, opens)
    ok = (start_x <= closes) & (start_x + task.service_s + from_x <= latest[1:])
    rows = loads[:-1] + amount <= capacity  # the order on board right after gap g
    if fetch:
        ok &= rows.all(axis=1)
    elif task.return_to_index is not None:  # on board from its pickup to the depot at the end
        ok &= np.logical_and.accumulate(rows[::-1].all(axis=1))[::-1]
    else:  # loaded at the start, on board until its gap
        ok &= np.logical_and.accumulate(rows.all(axis=1))
    if not ok.any():
        return None
    return np.where(ok, to_x + from_x - legs, _UNREACHABLE)


def _keeps_breaks(state: LiveState, insertion: Insertion) -> Insertion | None:
    """The insertion as it keeps every rule with the van's breaks (the order after a break on its way, or else
    before it), or None."""
    tries = [insertion]
    live = next(lv for lv in state.vehicles if lv.vehicle.vehicle_id == insertion.vehicle_id)
    if insertion.position in live.breaks_at:
        tries.append(replace(insertion, before_break=True))
    tasks = {order_id: state.tasks[order_id] for order_id in (*live.orders, insertion.order_id)}
    alone = replace(state, vehicles=(live,), tasks=tasks)  # what timing the one route reads, not the day's tasks
    for attempt in tries:
        after = apply_insertion(alone, attempt)
        if time_route(after, after.vehicles[0], after.vehicles[0].visits).feasible:
            return attempt
    return None


def apply_insertion(state: LiveState, insertion: Insertion) -> LiveState:
    """The state with the order's visits placed where the insertion says."""
    task = state.tasks[insertion.order_id]
    tasks = dict(state.tasks)
    vehicles = []
    for live in state.vehicles:
        if live.vehicle.vehicle_id == insertion.vehicle_id:
            visits = list(live.visits)
            at = insertion.position
            if task.return_to_index is not None:
                visits.insert(at, ("pickup", insertion.order_id))
                visits.append(("delivery", insertion.order_id))
                added = 1
            elif insertion.fetched:
                tasks[insertion.order_id] = replace(task, load_at_index=live.depot_index)
                visits[at:at] = [("pickup", insertion.order_id), ("delivery", insertion.order_id)]
                added = 2
            else:
                tasks[insertion.order_id] = replace(task, load_at_index=None)
                visits.insert(at, ("job", insertion.order_id))
                added = 1
            breaks_at = tuple(
                b + added if b > at or (b == at and insertion.before_break) else b for b in live.breaks_at
            )
            live = replace(live, visits=tuple(visits), breaks_at=breaks_at)
        vehicles.append(live)
    new = tuple(o for o in state.new if o != insertion.order_id)
    return replace(state, vehicles=tuple(vehicles), tasks=tasks, new=new)


def timed_routes(state: LiveState) -> list[Timed]:
    return [time_route(state, live, list(live.visits)) for live in state.vehicles]


def total_travel(state: LiveState) -> int:
    return sum(t.travel_s for t in timed_routes(state))


# -- the warm-started re-solve ---------------------------------------------------------------------------


def live_problem(state: LiveState) -> Problem:
    """The VROOM problem of the remaining work. On-board deliveries of a van that left, and orders a
    dispatcher moved to a vehicle by hand, are pinned to it (a per-vehicle skill); an order on no route yet is
    fetched from the depot (a shipment), which a van still at the depot does at no cost, as it is there."""
    vehicles: list[VehicleInput] = []
    tasks: dict[UUID, TaskInput] = {}
    for live in state.vehicles:
        v = live.vehicle
        vehicles.append(replace(v, skills=v.skills | {pin_skill(v.vehicle_id)}))
        for kind, order_id in live.visits:
            task = state.tasks[order_id]
            if (kind == "job" and live.departed) or state.pinned.get(order_id) == v.vehicle_id:
                task = replace(task, skills=task.skills | {pin_skill(v.vehicle_id)})
            tasks[order_id] = task
    for order_id in state.new:
        tasks.setdefault(order_id, state.tasks[order_id])
    return Problem(vehicles=vehicles, tasks=list(tasks.values()), durations=state.durations, distances=state.distances)


def warm_solve(state: LiveState, *, exploration_level: int = 1, timeout_s: float | None = 0.2) -> PlanResult:
    """Re-solve the remaining work with the current routes as vehicle steps (VROOM's normal mode inserts the
    unplaced orders into that partial solution and improves it by local search). Blocking: run in a thread.

    A van whose route VROOM refuses as a start (problem.refused_route: VROOM 1.15 does so to most routes of a van
    with a break, and accepts no more than their first stop or two), or whose breaks it finds it cannot all take,
    keeps its route as it is and sits out the re-solve, which goes on with the other vans; the result names those
    vans in extra["kept"]."""
    # a route that is already broken (a late van past a window) cannot be a VROOM starting route: those start empty
    routes = {
        live.vehicle.vehicle_id: list(live.visits)
        for live in state.vehicles
        if time_route(state, live, live.visits).feasible
    }
    kept: list[UUID] = []
    while True:
        taking_part = tuple(lv for lv in state.vehicles if lv.vehicle.vehicle_id not in kept)
        problem = live_problem(replace(state, vehicles=taking_part))
        if not problem.vehicles or not problem.tasks:  # nothing left to re-solve (VROOM refuses an empty input)
            return PlanResult(routes=[], unassigned=list(state.new), cost=0, solve_ms=0, extra={"kept": kept})
        try:
            result = solve(problem, exploration_level=exploration_level, timeout_s=timeout_s, warm_start=routes)
        except VroomInputException as error:
            vehicle = refused_route(problem, error, or_breaks=True)
            if vehicle is None:
                raise
            kept.append(vehicle)
            continue
        result.extra["kept"] = kept
        return result


def state_from_result(state: LiveState, result: PlanResult) -> LiveState:
    """The live state whose routes follow a solver result, breaks where the solver put them; a van the result
    names as kept (warm_solve) stays as it was. A van still at the depot loads what it delivers before leaving, so
    an order it fetches becomes a plain delivery (one visit)."""
    by_vehicle: dict[UUID, RouteResult] = {r.vehicle_id: r for r in result.routes}
    tasks = dict(state.tasks)
    vehicles = []
    placed: set[UUID] = set()
    kept = set(result.extra.get("kept", ()))
    for live in state.vehicles:
        if live.vehicle.vehicle_id in kept:  # sat out the re-solve (warm_solve): as it was
            vehicles.append(live)
            placed.update(live.orders)
            continue
        route = by_vehicle.get(live.vehicle.vehicle_id)
        visits: list[Visit] = []
        breaks_at: list[int] = []
        for step in route.steps if route is not None else []:
            if step.kind == "break":
                breaks_at.append(len(visits))  # VROOM takes a vehicle's breaks in the order they are given
            if step.order_id is None:
                continue
            task = tasks[step.order_id]
            kind = step.kind
            if kind == "delivery" and not task.is_shipment:
                kind = "job"
            if task.load_at_index is not None and not live.departed:
                if kind == "pickup":
                    continue
                tasks[step.order_id] = replace(task, load_at_index=None)
                kind = "job"
            visits.append((kind, step.order_id))
            placed.add(step.order_id)
        if len(breaks_at) != len(live.vehicle.breaks):
            breaks_at = []  # not as given (a route with nothing left): each is placed when it is taken
        vehicles.append(replace(live, visits=tuple(visits), breaks_at=tuple(breaks_at)))
    new = tuple(o for o in state.new if o not in placed)
    return replace(state, vehicles=tuple(vehicles), tasks=tasks, new=new)


# -- diffs between revisions -----------------------------------------------------------------------------


@dataclass
class Diff:
    added: list[UUID] = field(default_factory=list)  # orders now on a route that were on none
    removed: list[UUID] = field(default_factory=list)  # orders on a route before and on none now
    moved: list[tuple[UUID, UUID, UUID]] = field(default_factory=list)  # (order, from vehicle, to vehicle)
    reordered: list[UUID] = field(default_factory=list)  # vehicles that keep the same orders in a new order
    eta_changes: dict[UUID, int] = field(default_factory=dict)  # order → seconds its arrival moved (≥ 60)

    @property
    def churn(self) -> int:
        """Stops moved between drivers: what a driver notices (reorders within a route are cheap)."""
        return len(self.moved)

    def as_payload(self) -> dict[str, Any]:
        return {
            "added": [str(o) for o in self.added],
            "removed": [str(o) for o in self.removed],
            "moved": [{"order_id": str(o), "from_vehicle": str(a), "to_vehicle": str(b)} for o, a, b in self.moved],
            "reordered": [str(v) for v in self.reordered],
            "churn": self.churn,
            "eta_changes": len(self.eta_changes),
        }

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.moved or self.reordered or self.eta_changes)


def diff(
    before: dict[UUID, list[UUID]],
    after: dict[UUID, list[UUID]],
    arrivals_before: dict[UUID, int] | None = None,
    arrivals_after: dict[UUID, int] | None = None,
    *,
    eta_threshold_s: int = 60,
) -> Diff:
    """Compare two assignments (vehicle → its pending order ids in order) and their arrival times."""
    where_before = {o: v for v, orders in before.items() for o in orders}
    where_after = {o: v for v, orders in after.items() for o in orders}
    result = Diff()
    result.added = sorted((o for o in where_after if o not in where_before), key=str)
    result.removed = sorted((o for o in where_before if o not in where_after), key=str)
    result.moved = sorted(
        ((o, where_before[o], v) for o, v in where_after.items() if o in where_before and where_before[o] != v),
        key=lambda m: str(m[0]),
    )
    for vehicle, orders in after.items():
        kept_after = [o for o in orders if where_before.get(o) == vehicle]
        kept_before = [o for o in before.get(vehicle, []) if where_after.get(o) == vehicle]
        if kept_after != kept_before:
            result.reordered.append(vehicle)
    if arrivals_before is not None and arrivals_after is not None:
        for order_id, arrival in arrivals_after.items():
            old = arrivals_before.get(order_id)
            if old is not None and abs(arrival - old) >= eta_threshold_s:
                result.eta_changes[order_id] = arrival - old
    return result


def assignment(state: LiveState) -> dict[UUID, list[UUID]]:
    return {live.vehicle.vehicle_id: live.orders for live in state.vehicles}


def arrivals(state: LiveState) -> dict[UUID, int]:
    """Arrival (service start) per order at its customer visit, from the timed routes."""
    found: dict[UUID, int] = {}
    for timed in timed_routes(state):
        for step in timed.steps:
            if step.order_id is None:
                continue
            if step.location_index == state.tasks[step.order_id].location_index:
                found.setdefault(step.order_id, step.arrival_s + step.waiting_s)
    return found
