"""Live re-planning, pure: the insertion fast path against brute force, the warm re-solve's rules, diffs."""

from __future__ import annotations

import uuid
from dataclasses import replace
from uuid import UUID

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.routing.live import (
    Insertion,
    LiveState,
    LiveVehicle,
    Visit,
    apply_insertion,
    arrivals,
    assignment,
    cheapest_insertion,
    diff,
    state_from_result,
    time_route,
    timed_routes,
    total_travel,
    warm_solve,
)
from backend.routing.problem import TaskInput, VehicleInput

DEPOT = 0


def grid_matrix(coords: list[tuple[int, int]]) -> np.ndarray:
    """Manhattan metres on a grid, driven at 10 m/s: integer seconds, triangle inequality holds."""
    xy = np.array(coords, dtype=np.int64)
    return np.abs(xy[:, None, :] - xy[None, :, :]).sum(axis=2)


def make_state(
    coords: list[tuple[int, int]],
    routes: list[tuple[list[Visit], bool]],
    tasks: dict[UUID, TaskInput],
    *,
    new: tuple[UUID, ...] = (),
    capacity: tuple[int, int, int] = (1000, 1000, 100),
    shift: tuple[int, int] = (0, 100_000),
    skills: list[frozenset[str]] | None = None,
) -> LiveState:
    metres = grid_matrix(coords)
    seconds = metres // 10
    vehicles = []
    for number, (visits, departed) in enumerate(routes):
        vehicles.append(
            LiveVehicle(
                vehicle=VehicleInput(
                    vehicle_id=uuid.UUID(int=number + 1),
                    profile="car",
                    start_index=DEPOT,
                    end_index=DEPOT,
                    capacity=capacity,
                    skills=skills[number] if skills else frozenset(),
                    shift=shift,
                ),
                departed=departed,
                depot_index=DEPOT,
                visits=tuple(visits),
            )
        )
    return LiveState(
        vehicles=tuple(vehicles), tasks=tasks, new=new, durations={"car": seconds}, distances={"car": metres}
    )


def task(index: int, *, window: tuple[int, int] | None = None, amount: int = 1, **kwargs: object) -> TaskInput:
    return TaskInput(
        order_id=uuid.UUID(int=1000 + index),
        location_index=index,
        service_s=60,
        amount=(amount, amount, 1),
        windows=(window,) if window else (),
        **kwargs,  # type: ignore[arg-type]
    )


def brute_force(state: LiveState, order_id: UUID) -> int | None:
    """Try every gap of every route with the full schedule check: the cheapest feasible added travel."""
    best: int | None = None
    base = {live.vehicle.vehicle_id: time_route(state, live, live.visits).travel_s for live in state.vehicles}
    for live in state.vehicles:
        if not time_route(state, live, live.visits).feasible:
            continue
        for gap in range(len(live.visits) + 1):
            fetched = state.tasks[order_id].return_to_index is None and live.departed
            trial = apply_insertion(state, Insertion(order_id, live.vehicle.vehicle_id, gap, 0, fetched))
            moved = next(v for v in trial.vehicles if v.vehicle.vehicle_id == live.vehicle.vehicle_id)
            timed = time_route(trial, moved, moved.visits)
            if timed.feasible:
                added = timed.travel_s - base[live.vehicle.vehicle_id]
                best = added if best is None else min(best, added)
    return best


def test_one_new_stop_goes_where_it_adds_least_travel() -> None:
    coords = [(0, 0), (1000, 0), (2000, 0), (0, 2000), (0, 3000), (1500, 0)]
    tasks = {task(i).order_id: task(i) for i in range(1, 6)}
    east = [("job", task(1).order_id), ("job", task(2).order_id)]
    north = [("job", task(3).order_id), ("job", task(4).order_id)]
    state = make_state(coords, [(east, False), (north, False)], tasks, new=(task(5).order_id,))
    insertion = cheapest_insertion(state, task(5).order_id)
    assert insertion is not None
    assert insertion.vehicle_id == uuid.UUID(int=1)  # the eastbound van passes (1500, 0)
    assert insertion.position == 1 and insertion.added_travel_s == 0
    placed = apply_insertion(state, insertion)
    assert assignment(placed)[uuid.UUID(int=1)] == [task(1).order_id, task(5).order_id, task(2).order_id]
    assert placed.new == ()
    assert all(t.feasible for t in timed_routes(placed))


def test_time_window_and_capacity_and_skills_rule_out_gaps() -> None:
    coords = [(0, 0), (1000, 0), (2000, 0), (1500, 0)]
    tasks = {
        task(1).order_id: task(1),
        task(2).order_id: task(2, window=(0, 600)),
        # 1500 m at 10 m/s: 150 s from the depot, so it can only be the first stop
        task(3).order_id: task(3, window=(0, 160)),
    }
    state = make_state(coords, [([("job", task(1).order_id), ("job", task(2).order_id)], False)], tasks)
    insertion = cheapest_insertion(state, task(3).order_id)
    assert insertion is not None and insertion.position == 0  # going there first is the only way in time
    assert (
        cheapest_insertion(
            replace(state, tasks={**tasks, task(3).order_id: task(3, window=(0, 100))}), task(3).order_id
        )
        is None
    )
    full = make_state(coords, [([("job", task(1).order_id)], False)], tasks, capacity=(1, 1, 1))
    assert cheapest_insertion(full, task(3).order_id) is None  # the van is full with its one parcel
    picky = {task(3).order_id: task(3, skills=frozenset({"cold"})), task(1).order_id: task(1)}
    unskilled = make_state(coords, [([("job", task(1).order_id)], False)], picky)
    assert cheapest_insertion(unskilled, task(3).order_id) is None


def test_a_van_that_left_fetches_a_new_order_from_the_depot_first() -> None:
    coords = [(0, 0), (3000, 0), (4000, 0), (3500, 0)]
    tasks = {task(i).order_id: task(i) for i in range(1, 4)}
    out = make_state(coords, [([("job", task(1).order_id), ("job", task(2).order_id)], True)], tasks)
    insertion = cheapest_insertion(out, task(3).order_id)
    assert insertion is not None and insertion.fetched
    placed = apply_insertion(out, insertion)
    visits = placed.vehicles[0].visits
    first = visits.index(("pickup", task(3).order_id))
    assert visits[first + 1] == ("delivery", task(3).order_id)
    timed = time_route(placed, placed.vehicles[0], visits)
    assert timed.steps[first + 1].location_index == DEPOT
    assert timed.feasible


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    points=st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 5000)), min_size=4, max_size=14, unique=True),
    split=st.integers(1, 3),
    departed=st.lists(st.booleans(), min_size=3, max_size=3),
    windows=st.lists(
        st.one_of(st.none(), st.tuples(st.integers(0, 3000), st.integers(0, 3000))), min_size=14, max_size=14
    ),
    amounts=st.lists(st.integers(1, 6), min_size=14, max_size=14),
    is_return=st.booleans(),
)
def test_insertion_matches_brute_force(points, split, departed, windows, amounts, is_return) -> None:
    coords = [(0, 0), *points]
    n = len(points)
    tasks = {}
    for i in range(1, n + 1):
        w = windows[i - 1]
        window = (min(w), min(w) + abs(w[1] - w[0]) + 200) if w else None
        extra = {"return_to_index": DEPOT} if (is_return and i == n) else {}
        t = task(i, window=window, amount=amounts[i - 1], **extra)
        tasks[t.order_id] = t
    customers = [tasks[uuid.UUID(int=1000 + i)] for i in range(1, n)]
    routes: list[tuple[list[Visit], bool]] = []
    for r in range(split):
        mine = customers[r::split]
        routes.append(([("job", t.order_id) for t in mine], departed[r]))
    state = make_state(coords, routes, tasks, new=(uuid.UUID(int=1000 + n),), capacity=(25, 25, 8))
    newcomer = uuid.UUID(int=1000 + n)
    expected = brute_force(state, newcomer)
    found = cheapest_insertion(state, newcomer)
    if expected is None:
        assert found is None
        return
    assert found is not None
    assert found.added_travel_s == expected
    placed = apply_insertion(state, found)
    receiver = next(v for v in placed.vehicles if v.vehicle.vehicle_id == found.vehicle_id)
    assert time_route(placed, receiver, receiver.visits).feasible


def test_warm_resolve_keeps_on_board_parcels_on_their_van_and_places_the_new_order() -> None:
    rng = np.random.default_rng(7)
    coords = [(0, 0), *[(int(x), int(y)) for x, y in rng.integers(0, 8000, size=(40, 2))]]
    tasks = {task(i).order_id: task(i) for i in range(1, 41)}
    ids = [task(i).order_id for i in range(1, 40)]
    routes = [([("job", o) for o in ids[r::3]], r == 0) for r in range(3)]
    newcomer = task(40).order_id
    tasks[newcomer] = replace(tasks[newcomer], load_at_index=DEPOT)
    state = make_state(coords, routes, tasks, new=(newcomer,))
    before = assignment(state)
    result = warm_solve(state, exploration_level=1, timeout_s=0.5)
    assert result.unassigned == []
    after_state = state_from_result(state, result)
    after = assignment(after_state)
    assert set(before[uuid.UUID(int=1)]) <= set(after[uuid.UUID(int=1)])  # van 1 left: its parcels stay aboard
    assert newcomer in {o for orders in after.values() for o in orders}
    assert all(t.feasible for t in timed_routes(after_state))
    assert total_travel(after_state) <= total_travel(state) + 10_000
    change = diff(before, after, arrivals(state), arrivals(after_state))
    assert change.added == [newcomer]
    assert change.removed == []
    assert all(m[1] != uuid.UUID(int=1) for m in change.moved)
    # a van that stayed at the depot loads what it was given: no depot pickup visit remains for it
    for live in after_state.vehicles:
        if not live.departed:
            assert all(kind == "job" for kind, _ in live.visits)


def test_diff_names_added_removed_moved_and_reordered() -> None:
    a, b, c, d, e = (uuid.UUID(int=i) for i in range(1, 6))
    v1, v2 = uuid.UUID(int=100), uuid.UUID(int=200)
    before = {v1: [a, b, c], v2: [d]}
    after = {v1: [c, a], v2: [d, b, e]}
    change = diff(before, after, {a: 100, c: 200, d: 50}, {a: 130, c: 100, d: 50})
    assert change.added == [e]
    assert change.removed == []
    assert change.moved == [(b, v1, v2)]
    assert change.reordered == [v1]
    assert change.churn == 1
    assert change.eta_changes == {c: -100}  # a moved by 30 s, under the minute that is worth telling
    payload = change.as_payload()
    assert payload["churn"] == 1 and payload["moved"][0]["to_vehicle"] == str(v2)
    assert diff(before, before).empty


async def test_a_better_resolve_is_published_only_within_the_churn_limit() -> None:
    """Two vans at the depot with crossed routes (each serves half of each side): the re-solve would swap
    many stops; with a churn limit of 0 the live plan stays, with room it takes the shorter plan."""
    from backend.routing.replanning import warm_resolve

    coords = [(0, 0), *[(5000 + 100 * i, 0) for i in range(6)], *[(-5000 - 100 * i, 0) for i in range(6)]]
    tasks = {task(i).order_id: task(i) for i in range(1, 13)}
    east, west = [task(i).order_id for i in range(1, 7)], [task(i).order_id for i in range(7, 13)]
    crossed = [
        ([("job", o) for o in east[::2] + west[::2]], False),
        ([("job", o) for o in east[1::2] + west[1::2]], False),
    ]
    state = make_state(coords, crossed, tasks)
    assert await warm_resolve(state, timeout_s=0.5, max_moved=0) is None
    better = await warm_resolve(state, timeout_s=0.5, max_moved=12)
    assert better is not None
    assert total_travel(better) < total_travel(state)
    sides = [set(v.orders) for v in better.vehicles]
    assert set(east) in sides and set(west) in sides
    same = await warm_resolve(better, timeout_s=0.5, max_moved=12)
    assert same is None  # nothing to gain: drivers are not disturbed
