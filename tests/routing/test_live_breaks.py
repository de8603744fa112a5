"""A van's breaks in live re-planning: timed as VROOM times them, kept where the plan has them, placed by their
window where it has none, respected by the insertion fast path, and a route VROOM refuses as a warm start
(VROOM-Project/vroom#1251) does not cost the re-solve."""

from __future__ import annotations

import uuid
from dataclasses import replace
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vroom._vroom import VroomInputException

from backend.routing.live import (
    Insertion,
    LiveState,
    LiveVehicle,
    apply_insertion,
    cheapest_insertion,
    live_problem,
    state_from_result,
    time_route,
    timed_routes,
    warm_solve,
)
from backend.routing.problem import breaks_in_shift, solve
from backend.routing.reassign import why_it_does_not_fit
from backend.routing.replanning import BreakRow, _breaks_ahead
from tests.routing.test_live import make_state, task
from tests.routing.test_search import generated_problem

LUNCH = (2_000, 2_600, 900)  # may start from 2,000 s to 2,600 s, lasts 15 minutes


def planned(seed: int) -> tuple[LiveState, dict[UUID, list[tuple[str, UUID | None, int]]]]:
    """A generated day (one van has a break) planned by VROOM, as a live state of vans still at the depot, and
    each route's steps as VROOM timed them: (kind, order, service start)."""
    problem = generated_problem(seed=seed)
    vehicles = tuple(LiveVehicle(vehicle=v, departed=False, depot_index=0, visits=()) for v in problem.vehicles)
    tasks = {t.order_id: t for t in problem.tasks}
    state = LiveState(
        vehicles=vehicles, tasks=tasks, new=tuple(tasks), durations=problem.durations, distances=problem.distances
    )
    result = solve(live_problem(state), exploration_level=2, timeout_s=None)
    after = state_from_result(state, result)
    # VROOM may leave later than the shift starts (it saves waiting): the live state starts each van then
    starts = {r.vehicle_id: r.steps[0].arrival_s for r in result.routes}
    vehicles = tuple(
        replace(lv, vehicle=replace(lv.vehicle, shift=(starts[lv.vehicle.vehicle_id], lv.vehicle.shift[1])))
        if lv.vehicle.vehicle_id in starts
        else lv
        for lv in after.vehicles
    )
    steps = {
        r.vehicle_id: [(s.kind, s.order_id, s.arrival_s + s.waiting_s) for s in r.steps[1:]] for r in result.routes
    }
    return replace(after, vehicles=vehicles), steps


@pytest.mark.parametrize("seed", range(6))
def test_a_route_vroom_planned_is_timed_as_vroom_timed_it_break_included(seed: int) -> None:
    state, vroom_steps = planned(seed)
    with_break = next(lv for lv in state.vehicles if lv.vehicle.breaks)
    assert with_break.breaks_at and with_break.visits  # the plan's break position is kept
    for lv in state.vehicles:
        if lv.vehicle.vehicle_id not in vroom_steps:
            continue
        timed = time_route(state, lv, lv.visits)
        assert timed.feasible, timed.violations
        ours = [(s.kind, s.order_id, s.arrival_s + s.waiting_s) for s in timed.steps[1:]]
        assert ours == vroom_steps[lv.vehicle.vehicle_id]


def test_the_warm_resolve_survives_vroom_refusing_the_route_of_the_van_with_a_break() -> None:
    state, _ = planned(seed=7)
    routes = {lv.vehicle.vehicle_id: list(lv.visits) for lv in state.vehicles}
    with pytest.raises(VroomInputException, match="Infeasible route for vehicle 2"):
        solve(live_problem(state), exploration_level=1, timeout_s=0.2, warm_start=routes)
    van = next(lv for lv in state.vehicles if lv.vehicle.breaks)
    # one more order to place: it goes to a van that takes part (the refused one sits out)
    newcomer = next(o for o in van.orders if not state.tasks[o].is_shipment)
    state = replace(
        state,
        vehicles=tuple(lv.without(newcomer) if lv is van else lv for lv in state.vehicles),
        new=(newcomer,),
    )
    van = next(lv for lv in state.vehicles if lv.vehicle.breaks)
    result = warm_solve(state, exploration_level=1, timeout_s=0.2)
    assert result.extra["kept"] == [van.vehicle.vehicle_id] and result.unassigned == []
    again = state_from_result(state, result)
    assert next(lv for lv in again.vehicles if lv.vehicle.breaks) == van  # as it was, break included
    assert again.new == () and newcomer in {o for lv in again.vehicles for o in lv.orders}
    assert all(t.feasible for t in timed_routes(again))


def test_when_every_van_with_work_is_refused_the_re_solve_keeps_the_plan() -> None:
    state, _ = planned(seed=7)
    van = next(lv for lv in state.vehicles if lv.vehicle.breaks)
    idle = replace(next(lv for lv in state.vehicles if not lv.vehicle.breaks), visits=())
    alone = replace(state, vehicles=(van, idle), tasks={o: state.tasks[o] for o in van.orders})
    result = warm_solve(alone, exploration_level=1, timeout_s=0.2)  # the idle van has nothing to re-solve
    assert result.extra["kept"] == [van.vehicle.vehicle_id] and result.routes == []
    assert state_from_result(alone, result).vehicles == alone.vehicles


def one_van(visits: list[int], *, breaks: tuple[tuple[int, int, int], ...], breaks_at: tuple[int, ...] = ()):
    """A van at the depot (0, 0) with stops on a line east, 100 s apart, 60 s of service each."""
    coords = [(0, 0), *[(1000 * i, 0) for i in range(1, 7)]]
    tasks = {task(i).order_id: task(i) for i in range(1, 7)}
    state = make_state(coords, [([("job", task(i).order_id) for i in visits], False)], tasks)
    van = state.vehicles[0]
    van = replace(van, vehicle=replace(van.vehicle, breaks=breaks), breaks_at=breaks_at)
    return replace(state, vehicles=(van,)), van


def test_a_break_with_no_place_in_the_plan_is_taken_once_its_window_opens() -> None:
    # leaves 0; stop 1 at 100-160, stop 2 at 260-320, stop 3 at 420-480: the window opens at 300
    state, van = one_van([1, 2, 3], breaks=((300, 1_000, 600),))
    timed = time_route(state, van, van.visits)
    kinds = [s.kind for s in timed.steps]
    assert kinds == ["start", "delivery", "delivery", "break", "delivery", "end"]
    lunch = timed.steps[3]
    assert (lunch.arrival_s, lunch.service_s) == (320, 600)  # on the way, as soon as stop 2 is done
    assert timed.steps[4].arrival_s == 320 + 100 + 600
    # a window that has opened by the time the van is at a stop: the break is on the way to it
    state, van = one_van([1, 2, 3], breaks=((150, 200, 600),))
    timed = time_route(state, van, van.visits)
    assert [s.kind for s in timed.steps][:3] == ["start", "delivery", "break"]
    assert timed.steps[2].arrival_s == 160 and timed.feasible
    # one that opens only after the van reaches stop 1 (at 100) but must start before its service ends (160):
    # the last chance is on the way to it
    state, van = one_van([1, 2, 3], breaks=((110, 150, 600),))
    timed = time_route(state, van, van.visits)
    assert [s.kind for s in timed.steps][:3] == ["start", "break", "delivery"]
    assert timed.steps[1].arrival_s == 110 and timed.feasible
    # a van with nothing left to do takes no break, and one that cannot start it in time is infeasible
    state, van = one_van([], breaks=((300, 1_000, 600),))
    assert [s.kind for s in time_route(state, van, van.visits).steps] == ["start", "end"]
    state, van = one_van([1, 2, 3], breaks=((0, 100, 600),), breaks_at=(2,))
    late = time_route(state, van, van.visits)
    assert not late.feasible and late.violations == ["break:0"]


def test_a_planned_break_stays_between_the_same_stops() -> None:
    state, van = one_van([1, 2, 3], breaks=((0, 5_000, 600),), breaks_at=(2,))
    kinds = [s.kind for s in time_route(state, van, van.visits).steps]
    assert kinds == ["start", "delivery", "delivery", "break", "delivery", "end"]
    # taking stop 1 off keeps it after stop 2; taking stop 3 off leaves it on the way back
    assert van.without(task(1).order_id).breaks_at == (1,)
    assert van.without(task(3).order_id).breaks_at == (2,)
    assert van.without(task(2).order_id).breaks_at == (1,)


def test_an_insertion_that_would_push_the_break_past_its_window_goes_elsewhere() -> None:
    # the break must start by 330: after stops 1 and 2 (done at 320) it fits; a stop 4 in between would not
    state, van = one_van([1, 2, 5], breaks=((300, 330, 600),), breaks_at=(2,))
    assert time_route(state, van, van.visits).feasible
    newcomer = task(4).order_id
    state = replace(state, new=(newcomer,))
    found = cheapest_insertion(state, newcomer)
    assert found is not None
    placed = apply_insertion(state, found)
    van = placed.vehicles[0]
    timed = time_route(placed, van, van.visits)
    assert timed.feasible
    order = [s.order_id if s.kind != "break" else "break" for s in timed.steps[1:-1]]
    assert order.index("break") == 2  # still after stops 1 and 2
    assert order.index(newcomer) > order.index("break")


def test_a_move_that_only_the_break_rules_out_says_so() -> None:
    # stop 1 done at 160, the break must start by 170 and is planned before stop 3; stop 2 (window to 400) fits
    # between them only if the break moves past its window
    state, van = one_van([1, 3], breaks=((150, 170, 600),), breaks_at=(1,))
    newcomer = task(2, window=(0, 400))
    state = replace(state, tasks={**state.tasks, newcomer.order_id: newcomer}, new=(newcomer.order_id,))
    assert time_route(state, van, van.visits).feasible
    assert cheapest_insertion(state, newcomer.order_id) is None
    reason, detail = why_it_does_not_fit(state, van, newcomer.order_id, "Van 1")
    assert reason == "break" and "break" in detail
    roomy, _ = one_van([1, 3], breaks=((150, 2_000, 600),), breaks_at=(1,))
    roomy = replace(roomy, tasks=state.tasks, new=(newcomer.order_id,))
    assert cheapest_insertion(roomy, newcomer.order_id) is not None  # a later break leaves room


def brute_force(state: LiveState, order_id: UUID) -> int | None:
    """Every gap of every route, the order after and before a break on its way, with the full schedule."""
    best: int | None = None
    for live in state.vehicles:
        if not time_route(state, live, live.visits).feasible:
            continue
        base = time_route(state, live, live.visits).travel_s
        for gap in range(len(live.visits) + 1):
            for before_break in (False, True):
                trial = apply_insertion(
                    state, Insertion(order_id, live.vehicle.vehicle_id, gap, 0, live.departed, before_break)
                )
                moved = next(v for v in trial.vehicles if v.vehicle.vehicle_id == live.vehicle.vehicle_id)
                timed = time_route(trial, moved, moved.visits)
                if timed.feasible:
                    best = timed.travel_s - base if best is None else min(best, timed.travel_s - base)
    return best


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    points=st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 5000)), min_size=4, max_size=12, unique=True),
    departed=st.booleans(),
    windows=st.lists(
        st.one_of(st.none(), st.tuples(st.integers(0, 3000), st.integers(0, 3000))), min_size=12, max_size=12
    ),
    lunch=st.tuples(st.integers(0, 3000), st.integers(0, 1500), st.integers(60, 900)),
    placed=st.booleans(),
)
def test_insertion_with_breaks_matches_brute_force(points, departed, windows, lunch, placed) -> None:
    coords = [(0, 0), *points]
    n = len(points)
    tasks = {}
    for i in range(1, n + 1):
        w = windows[i - 1]
        t = task(i, window=(min(w), min(w) + abs(w[1] - w[0]) + 200) if w else None)
        tasks[t.order_id] = t
    visits = [("job", uuid.UUID(int=1000 + i)) for i in range(1, n)]
    state = make_state(coords, [(visits[::2], departed), (visits[1::2], False)], tasks)
    earliest, spread, length = lunch
    vehicles = []
    for lv in state.vehicles:
        at = (len(lv.visits) // 2,) if placed else ()
        vehicles.append(
            replace(lv, vehicle=replace(lv.vehicle, breaks=((earliest, earliest + spread, length),)), breaks_at=at)
        )
    newcomer = uuid.UUID(int=1000 + n)
    if departed:
        tasks[newcomer] = replace(tasks[newcomer], load_at_index=None)
    state = replace(state, vehicles=tuple(vehicles), new=(newcomer,))
    expected = brute_force(state, newcomer)
    found = cheapest_insertion(state, newcomer)
    if expected is None:
        assert found is None
        return
    assert found is not None and found.added_travel_s == expected
    after = apply_insertion(state, found)
    receiver = next(v for v in after.vehicles if v.vehicle.vehicle_id == found.vehicle_id)
    assert time_route(after, receiver, receiver.visits).feasible


def test_a_break_the_driver_is_late_for_is_owed_at_once_and_others_keep_their_place() -> None:
    breaks = ((39_600, 45_000, 1_800), (50_400, 52_200, 900))  # 11:00-12:30 and 14:00-14:30
    planned_rows = [BreakRow(42_000, 1_800, 3), BreakRow(51_000, 900, 5)]  # both ahead, after visits 3 and 5
    assert _breaks_ahead(breaks, planned_rows, 36_000, 57_600) == (breaks, (3, 5))
    # free at 12:45, lunch not taken: it is taken at once; where the plan had the breaks no longer holds
    owed, at = _breaks_ahead(breaks, planned_rows, 45_900, 57_600)
    assert owed == ((39_600, 45_900, 1_800), breaks[1]) and at == ()
    # free at 14:10: lunch till 14:40, then the second, past its latest start as well (VROOM refused such a van
    # as "Inconsistent breaks", and with it the whole re-solve)
    owed, _ = _breaks_ahead(breaks, planned_rows, 51_000, 57_600)
    assert owed == ((39_600, 51_000, 1_800), (50_400, 52_800, 900))
    # one that can no longer be over by the shift end (16:00) is dropped, with the ones after it
    assert _breaks_ahead(breaks, planned_rows, 56_000, 57_600) == ((), ())
    # the plan has no place for them (a route made before the van had breaks): placed as they come
    assert _breaks_ahead(breaks, [], 36_000, 57_600) == (breaks, ())
    # planning (not live): a break whose time is over is left out, not owed
    assert breaks_in_shift(breaks, 45_900, 57_600, owe_late=False) == (breaks[1],)


def test_the_plans_break_stops_are_matched_to_the_vans_breaks_by_time_and_length() -> None:
    lunch, coffee = (39_600, 45_000, 1_800), (50_400, 52_200, 900)
    taken_lunch = BreakRow(42_000, 1_800, None)  # before the stop the driver is heading to
    assert _breaks_ahead((lunch, coffee), [taken_lunch, BreakRow(51_000, 900, 2)], 46_000, 57_600) == ((coffee,), (2,))
    # a morning break added since: lunch stays taken (not the new first break, as counting the stops would have
    # it), and the morning break, over by now, is owed at once
    morning = (32_400, 36_000, 600)
    owed, at = _breaks_ahead((morning, lunch, coffee), [taken_lunch, BreakRow(51_000, 900, 2)], 46_000, 57_600)
    assert owed == ((32_400, 46_000, 600), coffee) and at == ()
    # stops that match no break (lengths edited since) stand for the breaks in order
    edited = ((39_600, 45_000, 2_700), coffee)
    assert _breaks_ahead(edited, [taken_lunch, BreakRow(51_000, 900, 2)], 46_000, 57_600) == ((coffee,), (2,))


def test_a_late_van_owed_its_breaks_is_re_solved_and_timed_with_them() -> None:
    state, van = one_van([1, 2, 3], breaks=())
    owed = breaks_in_shift(((0, 100, 600), (200, 300, 300)), 400, 100_000, owe_late=True)
    van = replace(van, vehicle=replace(van.vehicle, shift=(400, 100_000), breaks=owed))
    state = replace(state, vehicles=(van,))
    timed = time_route(state, van, van.visits)
    assert timed.feasible and [s.arrival_s for s in timed.steps if s.kind == "break"] == [400, 1_000]
    result = warm_solve(state, exploration_level=1, timeout_s=0.2)  # VROOM takes the van as it is
    assert result.unassigned == [] and [r.vehicle_id for r in result.routes] == [van.vehicle.vehicle_id]
    assert all(t.feasible for t in timed_routes(state_from_result(state, result)))
