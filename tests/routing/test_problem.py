"""The VROOM problem builder and reader: every constraint reaches VROOM, every returned plan is feasible."""

from __future__ import annotations

import uuid

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.routing.problem import Problem, TaskInput, VehicleInput, explain_unassigned, solve


def grid_matrices(n: int, seconds_per_step: int = 60) -> tuple[np.ndarray, np.ndarray]:
    index = np.arange(n)
    steps = np.abs(index[:, None] - index[None, :])
    return steps * seconds_per_step, steps * 500


def vehicle(**kw) -> VehicleInput:
    base = dict(
        vehicle_id=uuid.uuid4(),
        profile="van",
        start_index=0,
        end_index=0,
        capacity=(1000, 1000, 10),
        skills=frozenset(),
        shift=(8 * 3600, 16 * 3600),
    )
    base.update(kw)
    return VehicleInput(**base)


def task(index: int, **kw) -> TaskInput:
    base = dict(order_id=uuid.uuid4(), location_index=index, service_s=120, amount=(10, 10, 1))
    base.update(kw)
    return TaskInput(**base)


def make_problem(vehicles, tasks, n=12):
    durations, distances = grid_matrices(n)
    profiles = {v.profile for v in vehicles} or {"van"}
    return Problem(
        vehicles=vehicles,
        tasks=tasks,
        durations={p: durations for p in profiles},
        distances={p: distances for p in profiles},
    )


def plan(problem):
    return solve(problem, exploration_level=5, timeout_s=None)


def test_all_tasks_served_with_arrivals_inside_shift_and_windows():
    tasks = [task(i, windows=((9 * 3600, 11 * 3600),) if i == 3 else ()) for i in range(1, 8)]
    problem = make_problem([vehicle()], tasks)
    result = plan(problem)
    assert result.unassigned == []
    steps = result.routes[0].steps
    assert steps[0].kind == "start" and steps[-1].kind == "end"
    served = [s for s in steps if s.kind == "delivery"]
    assert {s.order_id for s in served} == {t.order_id for t in tasks}
    assert all(8 * 3600 <= s.arrival_s <= 16 * 3600 for s in steps)
    windowed = next(s for s in served if s.order_id == tasks[2].order_id)
    assert 9 * 3600 <= windowed.arrival_s + windowed.waiting_s <= 11 * 3600


def test_capacity_in_any_dimension_limits_the_load_and_is_the_reason():
    tasks = [task(i, amount=(10, 10, 4)) for i in range(1, 4)]
    huge = task(5, amount=(5000, 10, 1))
    problem = make_problem([vehicle(capacity=(1000, 1000, 10))], [*tasks, huge])
    result = plan(problem)
    assert huge.order_id in result.unassigned
    assert len(result.unassigned) == 2  # 3 parcels x 4 > 10: one of the three waits too
    assert explain_unassigned(problem, huge.order_id)[0] == "capacity"
    other = next(u for u in result.unassigned if u != huge.order_id)
    assert explain_unassigned(problem, other)[0] == "fleet_full"


def test_skills_route_orders_to_the_right_vehicle_or_explain_why_not():
    cold = task(2, skills=frozenset({"cold_chain"}))
    bulky = task(3, skills=frozenset({"xxl"}))
    fridge_van = vehicle(skills=frozenset({"cold_chain"}))
    problem = make_problem([vehicle(), fridge_van], [cold, bulky, task(4)])
    result = plan(problem)
    by_vehicle = {r.vehicle_id: {s.order_id for s in r.steps} for r in result.routes}
    assert cold.order_id in by_vehicle[fridge_van.vehicle_id]
    assert result.unassigned == [bulky.order_id]
    assert explain_unassigned(problem, bulky.order_id)[0] == "skills"


def test_window_outside_every_shift_is_a_time_window_reason():
    late = task(4, windows=((20 * 3600, 21 * 3600),))
    problem = make_problem([vehicle()], [late, task(2)])
    result = plan(problem)
    assert result.unassigned == [late.order_id]
    assert explain_unassigned(problem, late.order_id)[0] == "time_window"


def test_returns_are_picked_up_before_they_reach_the_depot():
    ret = task(6, return_to_index=0, amount=(20, 20, 1))
    problem = make_problem([vehicle()], [ret, task(3)])
    steps = plan(problem).routes[0].steps
    kinds = [(s.kind, s.order_id) for s in steps]
    pickup = kinds.index(("pickup", ret.order_id))
    drop = kinds.index(("delivery", ret.order_id))
    assert pickup < drop


def test_breaks_max_stops_and_no_vehicle():
    v = vehicle(breaks=((10 * 3600, 12 * 3600, 1800),), max_tasks=2)
    tasks = [task(i) for i in range(1, 5)]
    problem = make_problem([v], tasks)
    result = plan(problem)
    steps = result.routes[0].steps
    brk = next(s for s in steps if s.kind == "break")
    assert 10 * 3600 <= brk.arrival_s + brk.waiting_s <= 12 * 3600 and brk.service_s == 1800
    assert sum(s.kind == "delivery" for s in steps) == 2 and len(result.unassigned) == 2
    empty = make_problem([], [task(1)])
    assert explain_unassigned(empty, empty.tasks[0].order_id)[0] == "no_vehicle"


@settings(max_examples=30, deadline=None)
@given(
    amounts=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 400), st.integers(0, 4)), min_size=1, max_size=10),
    capacities=st.lists(st.tuples(st.integers(0, 800), st.integers(0, 800), st.integers(0, 8)), min_size=1, max_size=3),
)
def test_every_returned_plan_respects_every_vehicles_capacity(amounts, capacities):
    vehicles = [vehicle(capacity=c) for c in capacities]
    tasks = [task(1 + i % 11, amount=a) for i, a in enumerate(amounts)]
    problem = make_problem(vehicles, tasks)
    result = plan(problem)
    amount_of = {t.order_id: t.amount for t in tasks}
    capacity_of = {v.vehicle_id: v.capacity for v in vehicles}
    for route in result.routes:
        loads = [amount_of[s.order_id] for s in route.steps if s.kind == "delivery"]
        totals = tuple(sum(dim) for dim in zip(*loads, strict=True)) if loads else (0, 0, 0)
        assert all(t <= c for t, c in zip(totals, capacity_of[route.vehicle_id], strict=True))
    served = {s.order_id for r in result.routes for s in r.steps if s.order_id}
    assert served.isdisjoint(result.unassigned) and served | set(result.unassigned) == set(amount_of)


@pytest.mark.parametrize("level", [1, 5])
def test_timeout_and_level_are_passed_through(level):
    result = solve(make_problem([vehicle()], [task(i) for i in range(1, 6)]), exploration_level=level, timeout_s=0.5)
    assert result.solve_ms < 5_000 and not result.unassigned
