"""solve_within_budget: feasible answers, never worse than a level-0 solve, and the edge cases of a day."""

from __future__ import annotations

import dataclasses
import math
import random
import time
import uuid
from typing import Any

import numpy as np
import pytest
import vroom

from backend.routing import problem as problem_module
from backend.routing import search
from backend.routing.problem import PlanResult, Problem, RouteResult, TaskInput, VehicleInput, solve, solve_warm
from backend.routing.search import (
    SPREAD_COST_MAX,
    SPREAD_ROUTES,
    _Inputs,
    _Plan,
    _spread,
    _SubProblem,
    _visits,
    level_that_fits,
    solve_within_budget,
)

SPEED = 10  # seconds per unit of distance


def _matrix(points: list[tuple[float, float]]) -> np.ndarray:
    xy = np.array(points, dtype=float)
    delta = xy[:, None, :] - xy[None, :, :]
    return np.rint(np.hypot(delta[..., 0], delta[..., 1]) * SPEED).astype(np.int64)


def _vehicle(
    number: int,
    *,
    capacity: tuple[int, int, int],
    skills: frozenset[str] = frozenset(),
    breaks: tuple[tuple[int, int, int], ...] = (),
) -> VehicleInput:
    return VehicleInput(
        vehicle_id=uuid.UUID(int=number),
        profile="car",
        start_index=0,
        end_index=0,
        capacity=capacity,
        skills=skills,
        shift=(0, 20_000),
        breaks=breaks,
    )


def generated_problem(seed: int = 7, tasks: int = 30) -> Problem:
    """Deliveries with 3-dimensional amounts, windows and a cold-chain skill, two returns (shipments), a break."""
    rng = random.Random(seed)
    points = [(50.0, 50.0)] + [(rng.uniform(0, 100), rng.uniform(0, 100)) for _ in range(tasks)]
    matrix = _matrix(points)
    vehicles = [
        _vehicle(
            n,
            capacity=(300, 400, 12),
            skills=frozenset({"cold"} if n == 1 else set()),
            breaks=((6_000, 9_000, 900),) if n == 2 else (),
        )
        for n in (1, 2, 3, 4)
    ]
    items = []
    for node in range(1, tasks + 1):
        start = rng.randrange(0, 12_000)
        items.append(
            TaskInput(
                order_id=uuid.UUID(int=1000 + node),
                location_index=node,
                service_s=120,
                amount=(rng.randrange(5, 40), rng.randrange(5, 40), 1),
                skills=frozenset({"cold"}) if node % 10 == 0 else frozenset(),
                windows=((start, start + 4_000),),
                return_to_index=0 if node in (3, 17) else None,
            )
        )
    return Problem(vehicles=vehicles, tasks=items, durations={"car": matrix}, distances={"car": matrix})


def solomon_like_problem() -> Problem:
    """Two clusters around a depot with tight windows and a capacity that forces several routes (as C1)."""
    points = [(40.0, 50.0)]
    windows = []
    for cluster, (cx, cy) in enumerate(((20.0, 80.0), (70.0, 20.0))):
        for k in range(10):
            angle = 2 * math.pi * k / 10
            points.append((cx + 4 * math.cos(angle), cy + 4 * math.sin(angle)))
            opens = 2_000 + cluster * 3_000 + k * 300
            windows.append((opens, opens + 900))
    matrix = _matrix(points)
    vehicles = [_vehicle(n, capacity=(100, 0, 0)) for n in range(1, 7)]
    items = [
        TaskInput(
            order_id=uuid.UUID(int=2000 + node),
            location_index=node,
            service_s=90,
            amount=(20, 0, 0),
            windows=(windows[node - 1],),
        )
        for node in range(1, len(points))
    ]
    return Problem(vehicles=vehicles, tasks=items, durations={"car": matrix}, distances={"car": matrix})


def long_routes_problem(vehicles: int = 6, tasks: int = 60, *, clustered: bool = False) -> Problem:
    """Windows of 4,000 s over the day and room for every parcel in one van: a level-0 solve makes two or three long
    routes (as R2), or one route to a tight cluster far from the depot when clustered (as C2)."""
    rng = random.Random(4)
    if clustered:
        points = [(0.0, 0.0)] + [(rng.uniform(85, 95), rng.uniform(85, 95)) for _ in range(tasks)]
    else:
        points = [(50.0, 50.0)] + [(rng.uniform(0, 100), rng.uniform(0, 100)) for _ in range(tasks)]
    matrix = _matrix(points)
    items = []
    for node in range(1, tasks + 1):
        opens = 0 if clustered else rng.randrange(0, 12_000)
        items.append(
            TaskInput(
                order_id=uuid.UUID(int=3000 + node),
                location_index=node,
                service_s=60,
                amount=(1, 1, 1),
                windows=((opens, opens + (15_000 if clustered else 4_000)),),
            )
        )
    fleet = [_vehicle(n, capacity=(1000, 1000, 1000)) for n in range(1, vehicles + 1)]
    return Problem(vehicles=fleet, tasks=items, durations={"car": matrix}, distances={"car": matrix})


def assert_feasible(problem: Problem, plan: PlanResult) -> None:
    """Every task once, windows and shifts kept, capacities and skills respected, pickups before deliveries."""
    tasks = {t.order_id: t for t in problem.tasks}
    vehicles = {v.vehicle_id: v for v in problem.vehicles}
    matrix = problem.durations["car"]
    served: list[uuid.UUID] = []
    for route in plan.routes:
        vehicle = vehicles[route.vehicle_id]
        deliveries = [tasks[s.order_id] for s in route.steps if s.order_id and s.kind == "delivery"]
        load = [sum(t.amount[d] for t in deliveries if t.return_to_index is None) for d in range(3)]
        peak = list(load)  # deliveries are on board when the vehicle leaves
        on_board: set[uuid.UUID] = set()
        previous, clock = vehicle.start_index, vehicle.shift[0]
        for step in route.steps:
            if step.location_index is not None:
                clock += int(matrix[previous, step.location_index])
                previous = step.location_index
            if step.order_id is None:
                continue
            task = tasks[step.order_id]
            assert task.skills <= vehicle.skills
            start = step.arrival_s + step.waiting_s
            assert start >= clock - 1
            if task.return_to_index is None or step.kind == "pickup":  # a return's drop at the depot has no window
                assert any(a <= start <= b for a, b in task.windows)
            clock = step.departure_s
            if task.return_to_index is None:
                load = [x - a for x, a in zip(load, task.amount, strict=True)]
                served.append(task.order_id)
            elif step.kind == "pickup":
                on_board.add(task.order_id)
                load = [x + a for x, a in zip(load, task.amount, strict=True)]
            else:
                assert task.order_id in on_board, "a return delivered before its pickup or on another vehicle"
                load = [x - a for x, a in zip(load, task.amount, strict=True)]
                served.append(task.order_id)
            peak = [max(p, x) for p, x in zip(peak, load, strict=True)]
        assert all(p <= c for p, c in zip(peak, vehicle.capacity, strict=True))
        assert route.steps[-1].arrival_s <= vehicle.shift[1]
    assert sorted(served + plan.unassigned, key=str) == sorted(tasks, key=str)
    assert len(set(served)) == len(served)


def test_generated_problem_is_planned_feasibly_and_no_worse_than_level_0() -> None:
    problem = generated_problem()
    plan = solve_within_budget(problem, budget_s=1.0, threads=1)
    assert_feasible(problem, plan)
    baseline = solve(problem, exploration_level=0, timeout_s=None)
    assert (len(plan.unassigned), plan.cost) <= (len(baseline.unassigned), baseline.cost)
    assert plan.extra["searches"][0]["exploration_level"] == 0
    break_steps = [s for r in plan.routes for s in r.steps if s.kind == "break"]
    assert len(break_steps) == sum(1 for r in plan.routes if r.vehicle_id == uuid.UUID(int=2))
    assert all(6_000 <= s.arrival_s + s.waiting_s <= 9_000 for s in break_steps)


def test_solomon_like_clusters_are_served_within_their_windows() -> None:
    problem = solomon_like_problem()
    plan = solve_within_budget(problem, budget_s=1.0)
    assert_feasible(problem, plan)
    assert plan.unassigned == []
    baseline = solve(problem, exploration_level=0, timeout_s=None)
    assert plan.cost <= baseline.cost


def test_returns_are_picked_up_before_delivery_on_the_same_vehicle() -> None:
    problem = generated_problem(seed=11)
    plan = solve_within_budget(problem, budget_s=0.5)
    returns = {t.order_id for t in problem.tasks if t.return_to_index is not None}
    for route in plan.routes:
        kinds = [(s.kind, s.order_id) for s in route.steps if s.order_id in returns]
        for order_id in {o for _, o in kinds}:
            assert [k for k, o in kinds if o == order_id] == ["pickup", "delivery"]
    assert returns <= {s.order_id for r in plan.routes for s in r.steps} | set(plan.unassigned)


def test_the_budget_bounds_the_answer_time_roughly() -> None:
    plan = solve_within_budget(generated_problem(tasks=40), budget_s=0.3)
    assert plan.solve_ms < 3_000  # generous: the point is that it returns, not a timing


def test_an_empty_day_gives_an_empty_plan() -> None:
    empty = Problem(vehicles=[], tasks=[], durations={}, distances={})
    plan = solve_within_budget(empty, budget_s=1.0)
    assert (plan.routes, plan.unassigned, plan.cost) == ([], [], 0)
    no_vehicle = generated_problem()
    no_vehicle = Problem(vehicles=[], tasks=no_vehicle.tasks, durations={}, distances={})
    assert len(solve_within_budget(no_vehicle, budget_s=1.0).unassigned) == len(no_vehicle.tasks)


def test_a_day_where_nothing_fits_leaves_every_task_unassigned() -> None:
    problem = generated_problem(tasks=10)
    tiny = [_vehicle(1, capacity=(1, 1, 0))]
    problem = Problem(vehicles=tiny, tasks=problem.tasks, durations=problem.durations, distances=problem.distances)
    plan = solve_within_budget(problem, budget_s=0.5)
    assert plan.routes == []
    assert sorted(plan.unassigned, key=str) == sorted((t.order_id for t in problem.tasks), key=str)


def test_a_level_is_chosen_only_if_its_full_search_fits() -> None:
    assert level_that_fits(0.1, 0.05) is None
    assert level_that_fits(0.1, 0.3) == 1
    assert level_that_fits(0.01, 10.0) == 5


def test_a_sub_problem_keeps_the_whole_problems_numbering_and_solves_as_a_problem_of_its_own() -> None:
    problem = generated_problem(seed=5)
    plan = solve(problem, exploration_level=0, timeout_s=None)
    routes = sorted(plan.routes, key=lambda r: len(r.steps))[:2]
    vehicles = [r.vehicle_id for r in routes]
    tasks = list(dict.fromkeys(s.order_id for r in routes for s in r.steps if s.order_id is not None))
    assert any(t.return_to_index is not None for t in problem.tasks if t.order_id in set(tasks))  # a shipment too
    chosen = set(tasks)
    alone = Problem(
        vehicles=[v for v in problem.vehicles if v.vehicle_id in set(vehicles)],
        tasks=[t for t in problem.tasks if t.order_id in chosen],
        durations=problem.durations,
        distances=problem.distances,
    )
    order = {t.order_id: n for n, t in enumerate(problem.tasks)}
    tasks.sort(key=order.__getitem__)  # the order `alone` has them in
    sub = _SubProblem(_Inputs(problem), vehicles, tasks)
    jobs = {t.order_id for t in problem.tasks if t.return_to_index is None}
    for warm in (None, {r.vehicle_id: _visits(r, jobs, set()) for r in routes}):
        mine = solve(sub, exploration_level=0, timeout_s=None, warm_start=warm)
        theirs = solve(alone, exploration_level=0, timeout_s=None, warm_start=warm)
        assert (mine.cost, mine.unassigned) == (theirs.cost, theirs.unassigned)
        assert [(r.vehicle_id, [s.order_id for s in r.steps]) for r in mine.routes] == [
            (r.vehicle_id, [s.order_id for s in r.steps]) for r in theirs.routes
        ]
        assert {s.order_id for r in mine.routes for s in r.steps if s.order_id} | set(mine.unassigned) == chosen


def test_a_plan_with_routes_replaced_is_the_plan_built_from_its_routes() -> None:
    problem = generated_problem(seed=9)
    first = solve(problem, exploration_level=0, timeout_s=None)
    plan = _Plan.of({r.vehicle_id: r for r in first.routes}, set(first.unassigned))
    unused = [v.vehicle_id for v in problem.vehicles if v.vehicle_id not in plan.routes]
    assert unused  # the case a round adds: a vehicle without a route among those replaced
    changed = [r.vehicle_id for r in first.routes[:2]] + unused[:1]
    tasks = [t for v in changed if v in plan.stops for t in plan.stops[v]] + sorted(plan.unassigned, key=str)
    answer = solve(_SubProblem(_Inputs(problem), changed, tasks), exploration_level=2, timeout_s=None)
    replaced = plan.replaced(changed, answer.routes, set(answer.unassigned))
    kept = {v: r for v, r in plan.routes.items() if v not in changed}
    rebuilt = _Plan.of({**kept, **{r.vehicle_id: r for r in answer.routes}}, set(answer.unassigned))
    assert replaced.routes == rebuilt.routes
    assert (replaced.stops, replaced.route_of, replaced.cost) == (rebuilt.stops, rebuilt.route_of, rebuilt.cost)
    assert sorted(replaced.route_of, key=str) == sorted(
        ({t.order_id for t in problem.tasks} - replaced.unassigned), key=str
    )
    assert plan.cost == first.cost  # the plan it came from is unchanged


def test_two_chains_answer_feasibly_and_no_worse_than_level_0() -> None:
    for problem in (generated_problem(seed=3, tasks=40), solomon_like_problem()):
        plan = solve_within_budget(problem, budget_s=0.6, threads=2)
        assert_feasible(problem, plan)
        baseline = solve(problem, exploration_level=0, timeout_s=None, threads=2)
        assert (len(plan.unassigned), plan.cost) <= (len(baseline.unassigned), baseline.cost)


def _task_steps(route: RouteResult) -> int:
    return len([s for s in route.steps if s.order_id is not None])


def test_the_spread_start_serves_every_task_on_more_routes_of_an_even_share_each() -> None:
    problem = long_routes_problem()
    probe = solve(problem, exploration_level=0, timeout_s=None)
    assert len(probe.routes) <= 3 and not probe.unassigned
    spread, entry = _spread(problem, probe, timeout_s=1.0)
    assert spread is not None
    assert_feasible(problem, spread)
    assert spread.unassigned == []
    assert len(spread.routes) == len(probe.routes) + SPREAD_ROUTES
    cap = math.ceil(len(problem.tasks) / len(spread.routes))
    assert all(_task_steps(r) <= cap for r in spread.routes)
    assert entry == {"spread_routes": len(spread.routes), "solve_ms": spread.solve_ms, "cost": spread.cost, "used": 1}
    assert all(v.max_tasks is None for v in problem.vehicles)  # the problem itself is left as it was


def test_the_spread_start_counts_a_returns_pickup_and_delivery_as_two_stops() -> None:
    problem = long_routes_problem(vehicles=4)  # just the vehicles for the probe's 2 routes and the spread's 2 more
    returns = {t.order_id for t in problem.tasks[::6]}  # 10 of 60: 70 stops for VROOM
    problem.tasks = [dataclasses.replace(t, return_to_index=0) if t.order_id in returns else t for t in problem.tasks]
    probe = solve(problem, exploration_level=0, timeout_s=None)
    assert len(probe.routes) == 2 and not probe.unassigned
    spread, _ = _spread(problem, probe, timeout_s=1.0)
    # capped at a quarter of 60 stops, 4 vehicles could not take the 70: tasks left out, and no spread start
    assert spread is not None and spread.unassigned == []
    assert_feasible(problem, spread)
    assert all(_task_steps(r) <= math.ceil(70 / 4) for r in spread.routes)


def _with(problem: Problem, *, vehicles: list[VehicleInput], tasks: list[TaskInput]) -> Problem:
    return Problem(vehicles=vehicles, tasks=tasks, durations=problem.durations, distances=problem.distances)


def test_the_spread_start_keeps_a_vehicles_own_lower_stop_limit() -> None:
    problem = long_routes_problem()
    fridge = [dataclasses.replace(problem.vehicles[0], max_tasks=3, skills=frozenset({"cold"})), *problem.vehicles[1:]]
    cold = [dataclasses.replace(t, skills=frozenset({"cold"})) for t in problem.tasks[:3]] + problem.tasks[3:]
    problem = _with(problem, vehicles=fridge, tasks=cold)  # the van with the fridge must go, with 3 stops at most
    probe = solve(problem, exploration_level=0, timeout_s=None)
    spread, _ = _spread(problem, probe, timeout_s=1.0)
    assert spread is not None
    assert_feasible(problem, spread)
    first = [r for r in spread.routes if r.vehicle_id == problem.vehicles[0].vehicle_id]
    assert first and all(_task_steps(r) <= 3 for r in first)


def test_there_is_no_spread_start_for_short_routes_a_small_fleet_or_a_problem_with_its_own_input() -> None:
    short = solomon_like_problem()  # 20 tasks on 4 routes or more
    assert _spread(short, solve(short, exploration_level=0, timeout_s=None), timeout_s=1.0) == (None, None)
    small = long_routes_problem(vehicles=2)
    assert _spread(small, solve(small, exploration_level=0, timeout_s=None), timeout_s=1.0) == (None, None)

    class OwnInput(Problem):
        def build(self, warm_start: dict[uuid.UUID, list[tuple[str, uuid.UUID]]] | None = None) -> vroom.Input:
            return super().build(warm_start)

    problem = long_routes_problem()
    own = OwnInput(
        vehicles=problem.vehicles, tasks=problem.tasks, durations=problem.durations, distances=problem.distances
    )
    assert _spread(own, solve(own, exploration_level=0, timeout_s=None), timeout_s=1.0) == (None, None)


def test_a_spread_plan_costing_much_more_or_leaving_tasks_out_is_no_start() -> None:
    far = long_routes_problem(clustered=True)  # every extra route drives the long way out and back
    probe = solve(far, exploration_level=0, timeout_s=None)
    assert len(probe.routes) == 1 and not probe.unassigned
    spread, entry = _spread(far, probe, timeout_s=1.0)
    assert spread is None and entry is not None
    assert entry["used"] == 0 and entry["cost"] > SPREAD_COST_MAX * probe.cost
    cold = long_routes_problem()  # 30 cold-chain parcels and one van with the fridge: capped, it cannot take them all
    cold = _with(
        cold,
        vehicles=[dataclasses.replace(cold.vehicles[0], skills=frozenset({"cold"})), *cold.vehicles[1:]],
        tasks=[dataclasses.replace(t, skills=frozenset({"cold"})) for t in cold.tasks[:30]] + cold.tasks[30:],
    )
    probe = solve(cold, exploration_level=0, timeout_s=None)
    assert not probe.unassigned
    spread, entry = _spread(cold, probe, timeout_s=1.0)
    assert spread is None and entry is not None and entry["used"] == 0


def test_the_second_chain_starts_from_the_spread_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = long_routes_problem()
    probe = solve(problem, exploration_level=0, timeout_s=None)
    # chains that keep their start (the fork copies the patched module): the answer is the cheaper of the two starts
    monkeypatch.setattr(search, "_polish", lambda problem, start, **_: (start, 0))
    answer, rounds, entry = search._polish_in_parallel(problem, probe, deadline=time.perf_counter() + 1.0)
    assert entry is not None and entry["used"] == 1 and entry["cost"] < probe.cost
    assert (answer.cost, rounds) == (entry["cost"], 0)


def test_on_long_routes_the_answer_records_the_spread_solve_and_is_no_worse_than_the_probes() -> None:
    problem = long_routes_problem()
    plan = solve_within_budget(problem, budget_s=1.0, threads=2)
    assert_feasible(problem, plan)
    assert plan.unassigned == []
    probe, spread = plan.extra["searches"][0], plan.extra["searches"][1]
    assert spread["spread_routes"] >= 3 and spread["used"] == 1
    assert plan.cost <= min(probe["cost"], spread["cost"])
    one_chain = solve_within_budget(problem, budget_s=0.3, threads=1)
    assert not [s for s in one_chain.extra["searches"] if "spread_routes" in s]


def test_a_starting_route_vroom_refuses_starts_empty_and_the_others_stay(monkeypatch: pytest.MonkeyPatch) -> None:
    # VROOM 1.15 refuses its own route of the van with a break as a starting route (VROOM-Project/vroom#1251)
    problem = generated_problem(seed=7)
    first = solve(problem, exploration_level=0, timeout_s=None)
    polish = search._Polish(problem, seed=1)
    jobs = {t.order_id for t in problem.tasks if not t.is_shipment}
    with_break, other = uuid.UUID(int=2), next(r.vehicle_id for r in first.routes if r.vehicle_id != uuid.UUID(int=2))
    routes = {r.vehicle_id: r for r in first.routes}
    warm = {v: _visits(routes[v], jobs, set()) for v in (with_break, other)}
    tasks = [t for v in warm for _, t in warm[v]]
    sub = polish.sub_problem([with_break, other], list(dict.fromkeys(tasks)))
    with pytest.raises(Exception, match="Infeasible route for vehicle 2"):
        solve(sub, exploration_level=0, timeout_s=None, warm_start=warm, searches=1)
    calls: list[set[uuid.UUID]] = []
    real_solve = problem_module.solve

    def recording(*args: Any, **kwargs: Any) -> PlanResult:
        calls.append(set(kwargs["warm_start"]))
        return real_solve(*args, **kwargs)

    monkeypatch.setattr(problem_module, "solve", recording)
    answer = solve_warm(sub, warm, exploration_level=0, timeout_s=1.0, searches=1)
    assert calls == [{with_break, other}, {other}]
    served = {s.order_id for r in answer.routes for s in r.steps if s.order_id} | set(answer.unassigned)
    assert served == set(tasks) and not answer.unassigned
