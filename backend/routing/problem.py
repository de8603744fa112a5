"""The VROOM problem: built from plain planning inputs (no database, no I/O) and read back into routes.

Times are integer seconds from local midnight of the service date; amounts are integers in three
dimensions: weight in 0.1 kg, volume in 0.1 L and parcels (VROOM's amounts are integers).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID

import numpy as np
import vroom
from vroom._vroom import VroomInputException
from vroom.solution.solution import Solution

DAY_S = 24 * 3600
HORIZON_S = 2 * DAY_S  # windows may run past midnight; nothing is planned beyond the next day
REFUSED_ROUTE = re.compile(r"Infeasible route for vehicle (\d+)\.")  # VROOM's message for a starting route
REFUSED_BREAKS = re.compile(r"Inconsistent breaks for vehicle (\d+)\.")  # ... for breaks it cannot all take


def weight_units(kg: float) -> int:
    return math.ceil(round(kg * 10, 6))


def volume_units(litres: float) -> int:
    return math.ceil(round(litres * 10, 6))


@dataclass(frozen=True)
class VehicleInput:
    vehicle_id: UUID
    profile: str
    start_index: int
    end_index: int
    capacity: tuple[int, int, int]
    skills: frozenset[str]
    shift: tuple[int, int]
    breaks: tuple[tuple[int, int, int], ...] = ()  # (earliest start, latest start, duration) in seconds
    max_tasks: int | None = None
    max_travel_s: int | None = None


@dataclass(frozen=True)
class TaskInput:
    """A delivery or store transfer (a job), or a return collected from a customer (a shipment to the depot)."""

    order_id: UUID
    location_index: int
    service_s: int
    amount: tuple[int, int, int]
    skills: frozenset[str] = frozenset()
    priority: int = 0
    windows: tuple[tuple[int, int], ...] = ()
    return_to_index: int | None = None  # set for returns: picked up here, delivered at this depot index
    load_at_index: int | None = None  # set for an order not on board yet: fetched at this depot, delivered here

    @property
    def is_shipment(self) -> bool:
        """VROOM's shipment (a pickup and a delivery, two of a vehicle's tasks), not a job."""
        return self.return_to_index is not None or self.load_at_index is not None


@dataclass
class StepResult:
    kind: str  # start, delivery, pickup, break, end
    order_id: UUID | None
    location_index: int | None
    arrival_s: int
    service_s: int
    waiting_s: int
    distance_m: int

    @property
    def departure_s(self) -> int:
        return self.arrival_s + self.waiting_s + self.service_s


@dataclass
class RouteResult:
    vehicle_id: UUID
    steps: list[StepResult]
    distance_m: int
    duration_s: int
    cost: int = 0  # VROOM's cost of this route; a plan's cost is their sum


@dataclass
class PlanResult:
    routes: list[RouteResult]
    unassigned: list[UUID]
    cost: int
    solve_ms: int
    extra: dict[str, Any] = field(default_factory=dict)


class Problem:
    """Numbers VROOM can read, and the maps back to our ids."""

    def __init__(
        self,
        *,
        vehicles: Sequence[VehicleInput],
        tasks: Sequence[TaskInput],
        durations: dict[str, np.ndarray],
        distances: dict[str, np.ndarray],
    ) -> None:
        self.vehicles = list(vehicles)
        self.tasks = list(tasks)
        self.durations = durations
        self.distances = distances
        names = sorted({s for v in vehicles for s in v.skills} | {s for t in tasks for s in t.skills})
        self.skill_ids = {name: number for number, name in enumerate(names, start=1)}

    def _skills(self, names: frozenset[str]) -> set[int]:
        return {self.skill_ids[n] for n in names}

    def build(self, warm_start: dict[UUID, list[tuple[str, UUID]]] | None = None) -> vroom.Input:
        """warm_start: per vehicle, its current visits ("job" | "pickup" | "delivery", order id) as VROOM steps."""
        problem = vroom.Input()
        task_numbers = {t.order_id: number for number, t in enumerate(self.tasks, start=1)}
        for profile in sorted({v.profile for v in self.vehicles}):
            problem.set_durations_matrix(profile, self.durations[profile].astype(np.uint32))
            problem.set_distances_matrix(profile, self.distances[profile].astype(np.uint32))
        for number, v in enumerate(self.vehicles, start=1):
            steps = self._steps(warm_start.get(v.vehicle_id), task_numbers) if warm_start else []
            problem.add_vehicle(self.vroom_vehicle(number, v, steps))
        for number, t in enumerate(self.tasks, start=1):
            problem.add_job(self.vroom_task(number, t))
        return problem

    def vroom_vehicle(self, number: int, v: VehicleInput, steps: list[vroom.VehicleStep]) -> vroom.Vehicle:
        """The vehicle as VROOM's vehicle `number` (its breaks numbered from number * 100), steps its warm start."""
        return vroom.Vehicle(
            number,
            start=v.start_index,
            end=v.end_index,
            profile=v.profile,
            capacity=list(v.capacity),
            skills=self._skills(v.skills),
            time_window=vroom.TimeWindow(*v.shift),
            breaks=[
                vroom.Break(number * 100 + i, time_windows=[vroom.TimeWindow(s, e)], service=d)
                for i, (s, e, d) in enumerate(v.breaks, start=1)
            ],
            max_tasks=v.max_tasks if v.max_tasks is not None else vroom.vehicle.MAX_UINT,
            max_travel_time=v.max_travel_s,
            steps=steps,
        )

    def vroom_task(self, number: int, t: TaskInput) -> vroom.Job | vroom.Shipment:
        """The task as VROOM's job or shipment `number`: an object Input.add_job takes, and may take again in
        another input (the search in search.py keeps them across its sub-problems)."""
        windows = [vroom.TimeWindow(s, e) for s, e in t.windows] or [vroom.TimeWindow(0, HORIZON_S)]
        if t.load_at_index is not None:
            return vroom.Shipment(
                vroom.ShipmentStep(number, location=t.load_at_index, default_service=0),
                vroom.ShipmentStep(
                    number, location=t.location_index, default_service=t.service_s, time_windows=windows
                ),
                amount=vroom.Amount(list(t.amount)),
                skills=self._skills(t.skills),
                priority=t.priority,
            )
        if t.return_to_index is None:
            return vroom.Job(
                number,
                location=t.location_index,
                default_service=t.service_s,
                delivery=vroom.Amount(list(t.amount)),
                skills=self._skills(t.skills),
                priority=t.priority,
                time_windows=windows,
            )
        return vroom.Shipment(
            vroom.ShipmentStep(number, location=t.location_index, default_service=t.service_s, time_windows=windows),
            vroom.ShipmentStep(number, location=t.return_to_index, default_service=0),
            amount=vroom.Amount(list(t.amount)),
            skills=self._skills(t.skills),
            priority=t.priority,
        )

    @staticmethod
    def _steps(visits: list[tuple[str, UUID]] | None, task_numbers: dict[UUID, int]) -> list[vroom.VehicleStep]:
        if not visits:
            return []
        kinds = {"job": "single", "pickup": "pickup", "delivery": "delivery"}
        inner = [vroom.VehicleStep(kinds[kind], task_numbers[order_id]) for kind, order_id in visits]
        return [vroom.VehicleStep("start"), *inner, vroom.VehicleStep("end")]

    def read(self, solution: Any, *, solve_ms: int) -> PlanResult:
        data = solution.to_dict()
        routes = []
        for route in data.get("routes", []):
            vehicle = self.vehicles[route["vehicle"] - 1]
            steps = []
            for step in route["steps"]:
                task_number = step.get("id") if step["type"] in ("job", "pickup", "delivery") else None
                order_id = self.tasks[task_number - 1].order_id if task_number else None
                kind = {"job": "delivery"}.get(step["type"], step["type"])
                steps.append(
                    StepResult(
                        kind=kind,
                        order_id=order_id,
                        location_index=step.get("location_index"),
                        arrival_s=int(step["arrival"]),
                        service_s=int(step.get("service", 0)),
                        waiting_s=int(step.get("waiting_time", 0)),
                        distance_m=int(step.get("distance", 0)),
                    )
                )
            routes.append(
                RouteResult(
                    vehicle_id=vehicle.vehicle_id,
                    steps=steps,
                    distance_m=int(route.get("distance", 0)),
                    duration_s=int(route.get("duration", 0)),
                    cost=int(route.get("cost", 0)),
                )
            )
        unassigned = sorted({self.tasks[u["id"] - 1].order_id for u in data.get("unassigned", [])}, key=str)
        return PlanResult(routes=routes, unassigned=unassigned, cost=int(data["summary"]["cost"]), solve_ms=solve_ms)


PIN_PREFIX = "vehicle:"


def pin_skill(vehicle_id: UUID) -> str:
    """A skill only this vehicle has: a task that needs it can go on no other vehicle (a parcel on board, an
    order a dispatcher moved there by hand)."""
    return f"{PIN_PREFIX}{vehicle_id}"


def explain_unassigned(problem: Problem, order_id: UUID) -> tuple[str, str]:
    """Why VROOM left a task out, in the dispatcher's words: the first rule that rules out every vehicle."""
    task = next(t for t in problem.tasks if t.order_id == order_id)
    if not problem.vehicles:
        return "no_vehicle", "No vehicle is available for this date"
    skilled = [v for v in problem.vehicles if task.skills <= v.skills]
    if not skilled:
        named = sorted(s for s in task.skills if not s.startswith(PIN_PREFIX))
        if named and not any(set(named) <= v.skills for v in problem.vehicles):
            return "skills", f"No vehicle has the skills {', '.join(named)}"
        return "pinned", "It is kept for one vehicle (on board, or moved there by a dispatcher), which is not available"
    roomy = [v for v in skilled if all(a <= c for a, c in zip(task.amount, v.capacity, strict=True))]
    if not roomy:
        return "capacity", "The order is larger than any suitable vehicle's capacity"
    for v in roomy:
        travel = int(problem.durations[v.profile][v.start_index, task.location_index])
        back = int(problem.durations[v.profile][task.location_index, v.end_index])
        earliest, latest = v.shift[0] + travel, v.shift[1] - back - task.service_s
        windows = task.windows or ((0, HORIZON_S),)
        if any(start <= latest and end >= earliest for start, end in windows):
            return "fleet_full", "The suitable vehicles are full or their shifts are taken by other stops"
    return "time_window", "No suitable vehicle can reach the address within its time window during its shift"


def solve(
    problem: Problem,
    *,
    exploration_level: int,
    timeout_s: float | None,
    threads: int = 1,
    warm_start: dict[UUID, list[tuple[str, UUID]]] | None = None,
    searches: int | None = None,
) -> PlanResult:
    """Blocking: call it through asyncio.to_thread, never on the event loop.

    searches: run only this many of VROOM's searches (its first heuristics) with exploration_level as the
    depth of their ruin-and-recreate, instead of the 4 * (level + 1) searches of the level (pyvroom's
    lower-level entry point; the search in search.py runs one at a time on a warm start)."""
    started = time.perf_counter()
    vroom_input = problem.build(warm_start)
    timeout = timedelta(seconds=timeout_s) if timeout_s is not None else None
    if searches is None:
        solution = vroom_input.solve(exploration_level=exploration_level, nb_threads=threads, timeout=timeout)
    else:
        solution = Solution(
            vroom_input._solve(nb_searches=searches, depth=exploration_level, nb_threads=threads, timeout=timeout)
        )
        solution._geometry, solution._distances = vroom_input._geometry, vroom_input._distances  # as solve() does
    return problem.read(solution, solve_ms=round((time.perf_counter() - started) * 1000))


def refused_route(problem: Problem, error: VroomInputException, *, or_breaks: bool = False) -> UUID | None:
    """The vehicle whose starting route VROOM refused as infeasible (or_breaks: or whose breaks it found it cannot
    all take), or None for any other input error. VROOM 1.15 checks a starting route with its own placement of the
    vehicle's breaks and refuses some routes it made itself (VROOM-Project/vroom#1251, its fix closed unmerged)."""
    refused = REFUSED_ROUTE.fullmatch(str(error)) or (REFUSED_BREAKS.fullmatch(str(error)) if or_breaks else None)
    return problem.vehicles[int(refused[1]) - 1].vehicle_id if refused else None


def breaks_in_shift(
    breaks: Sequence[tuple[int, int, int]], start_s: int, end_s: int, *, owe_late: bool
) -> tuple[tuple[int, int, int], ...]:
    """The breaks (earliest start, latest start, length) a vehicle free from start_s to end_s can take, as VROOM
    needs them: it refuses a vehicle with a break it cannot take ("Inconsistent breaks"), and with it the whole
    solve. In order, each from the end of the one before: a break whose latest start has passed is dropped, or,
    with owe_late (a driver later than planned keeps their break), taken as soon as it can be; a break that cannot
    be over by end_s is dropped, and the ones after it."""
    kept: list[tuple[int, int, int]] = []
    ready = start_s
    for earliest, latest, length in breaks:
        starts = max(earliest, ready)
        if starts + length > end_s:
            break
        if starts > latest and not owe_late:
            continue
        kept.append((earliest, max(latest, starts), length))
        ready = starts + length
    return tuple(kept)


def solve_warm(problem: Problem, warm: dict[UUID, list[tuple[str, UUID]]], **options: Any) -> PlanResult:
    """solve() from the warm routes; a route VROOM refuses (refused_route) starts empty instead, its tasks inserted
    again, one refusal at a time (on generated days, 243 of 450 search rounds failed so, all on the van with a
    break). Blocking, as solve()."""
    while True:
        try:
            return solve(problem, warm_start=warm, **options)
        except VroomInputException as error:
            vehicle = refused_route(problem, error)
            if vehicle is None or vehicle not in warm:
                raise
            warm = {v: visits for v, visits in warm.items() if v != vehicle}
