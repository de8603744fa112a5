"""The plan's breaks in live ETAs: which break lies on the way into which remaining stop, what the clock
leaves of one the driver may be on, and legs with a break in them kept out of the driver's speed factor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from backend.fleet.models import VehicleProfile
from backend.routing.models import StopStatus
from backend.tracking.live import BreakView, RouteView, StopView

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def stop(sequence: int, status: StopStatus = StopStatus.pending) -> StopView:
    return StopView(uuid4(), uuid4(), sequence, status, 60.17, 24.94, 60, None, None, None, None)


def lunch(sequence: int, starts_min: float, minutes: float = 30) -> BreakView:
    starts = NOW + timedelta(minutes=starts_min)
    return BreakView(sequence, starts, starts + timedelta(minutes=minutes))


def route(breaks: list[BreakView]) -> RouteView:
    stops = [stop(1, StopStatus.completed), stop(3), stop(4), stop(6)]
    return RouteView(uuid4(), VehicleProfile.van, stops, breaks=breaks)


def test_each_break_belongs_to_the_stop_after_it() -> None:
    view = route([lunch(5, 90)])
    remaining = view.stops[1:]
    assert view.breaks_on_the_way(remaining, NOW) == [(0.0, None), (0.0, None), (1800.0, NOW + timedelta(minutes=90))]
    assert view.break_before(view.stops[3].stop_id) and not view.break_before(view.stops[2].stop_id)


def test_on_the_way_to_the_next_stop_only_what_the_clock_leaves_of_a_break_counts() -> None:
    remaining = route([]).stops[1:]
    ahead = route([lunch(2, 10)]).breaks_on_the_way(remaining, NOW)[0]
    assert ahead == (1800.0, NOW + timedelta(minutes=10))  # not started yet: all of it, from its planned start
    on_it = route([lunch(2, -10)]).breaks_on_the_way(remaining, NOW)[0]
    assert on_it == (1200.0, NOW)  # started 10 minutes ago: 20 left, from now
    past = route([lunch(2, -40)]).breaks_on_the_way(remaining, NOW)[0]
    assert past == (0.0, None)  # over by the clock: taken


def test_a_break_behind_the_driver_is_not_counted() -> None:
    view = route([lunch(0, 30)])  # before the first stop, which is done
    assert view.breaks_on_the_way(view.stops[1:], NOW) == [(0.0, None)] * 3
