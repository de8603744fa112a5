"""Arrival detection: drive in, dwell, drive out; GPS jitter, late and out-of-order points, re-plans, depots."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from shapely.geometry import Polygon

from backend.tracking.geofence import (
    Arrived,
    Arriving,
    Departed,
    Fence,
    GeofenceEvent,
    GeofenceTracker,
    Point,
    haversine_m,
    in_polygon,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BASE_LAT, BASE_LON = 52.5200, 13.4050
M_PER_DEGREE_LAT = 111_195.0


def offset(north_m: float, east_m: float = 0.0) -> tuple[float, float]:
    """(lat, lon) this many metres north and east of the base point."""
    lon_scale = M_PER_DEGREE_LAT * math.cos(math.radians(BASE_LAT))
    return BASE_LAT + north_m / M_PER_DEGREE_LAT, BASE_LON + east_m / lon_scale


def fence_at(north_m: float, east_m: float = 0.0, **fields: float) -> Fence:
    lat, lon = offset(north_m, east_m)
    return Fence(stop_id=uuid4(), lat=lat, lon=lon, **fields)


def point(second: float, north_m: float, east_m: float = 0.0, accuracy_m: float | None = 10.0) -> Point:
    lat, lon = offset(north_m, east_m)
    return Point(lat=lat, lon=lon, at=T0 + timedelta(seconds=second), accuracy_m=accuracy_m)


def at(second: float) -> datetime:
    return T0 + timedelta(seconds=second)


def feed_all(tracker: GeofenceTracker, points: Sequence[Point]) -> list[GeofenceEvent]:
    return [event for p in points for event in tracker.feed(p)]


def drive_through(second: float = 0.0) -> list[Point]:
    """From 1 km south of the base point: in, 60 s inside 50 m, then away north."""
    return [
        point(second + 0, -1000),
        point(second + 60, -400),  # within the 500 m arriving radius
        point(second + 120, -30),  # first point inside
        point(second + 140, -10),
        point(second + 160, 5),
        point(second + 180, 20),
        point(second + 200, 60),  # between entry and exit radius: still there
        point(second + 220, 200),  # beyond the 80 m exit radius
    ]


def test_haversine_matches_the_offsets() -> None:
    lat, lon = offset(300, 400)
    assert haversine_m(BASE_LAT, BASE_LON, lat, lon) == pytest.approx(500, rel=2e-3)


def test_the_exit_radius_is_wider_than_the_entry_radius() -> None:
    assert fence_at(0).exit_radius_m == 80
    assert fence_at(0, radius_m=100).exit_radius_m == 150
    assert fence_at(0, radius_m=100, exit_margin_m=10).exit_radius_m == 110
    with pytest.raises(ValueError):
        fence_at(0, radius_m=0)


def test_a_clean_drive_in_dwell_and_drive_out() -> None:
    fence = fence_at(0)
    tracker = GeofenceTracker([fence])
    assert tracker.current == fence.stop_id
    events = feed_all(tracker, drive_through())
    assert events == [
        Arriving(stop_id=fence.stop_id, at=at(60)),
        Arrived(stop_id=fence.stop_id, at=at(120)),  # the first point inside, not when the dwell was proven
        Departed(stop_id=fence.stop_id, at=at(220), dwell_s=100),
    ]
    assert tracker.current is None


def test_inside_since_tracks_the_arrival_in_progress() -> None:
    fence = fence_at(0)
    tracker = GeofenceTracker([fence])
    assert tracker.feed(point(0, -10)) == [Arriving(stop_id=fence.stop_id, at=at(0))]
    assert tracker.inside_since == at(0)
    assert tracker.feed(point(19, -5)) == []
    assert tracker.feed(point(20, 0)) == [Arrived(stop_id=fence.stop_id, at=at(0))]
    assert tracker.inside_since is None
    assert tracker.arrived_at == at(0)


def test_arrived_implies_arriving_even_with_a_tiny_arriving_radius() -> None:
    fence = fence_at(0)
    tracker = GeofenceTracker([fence], arriving_radius_m=10)
    events = feed_all(tracker, [point(0, -40), point(30, -40)])
    assert events == [Arriving(stop_id=fence.stop_id, at=at(30)), Arrived(stop_id=fence.stop_id, at=at(0))]


def test_jitter_between_entry_and_exit_radius_never_departs() -> None:
    fence = fence_at(0)
    tracker = GeofenceTracker([fence])
    feed_all(tracker, [point(0, 0), point(30, 0)])
    jitter = [point(60 + 10 * i, 40 if i % 2 else 70) for i in range(100)]
    assert feed_all(tracker, jitter) == []
    assert tracker.current == fence.stop_id
    assert tracker.feed(point(2000, 81)) == [Departed(stop_id=fence.stop_id, at=at(2000), dwell_s=2000)]


def test_a_single_point_inside_does_not_arrive() -> None:
    fence = fence_at(0)
    tracker = GeofenceTracker([fence])
    events = feed_all(tracker, [point(0, -300), point(10, -20), point(20, -200), point(60, -300)])
    assert events == [Arriving(stop_id=fence.stop_id, at=at(0))]
    assert tracker.inside_since is None
    # Coming back later starts a fresh dwell from the new first point inside.
    assert feed_all(tracker, [point(100, 0), point(125, 0)]) == [Arrived(stop_id=fence.stop_id, at=at(100))]


def test_passing_a_later_stop_first_does_not_arrive_there() -> None:
    first, second = fence_at(2000), fence_at(0)
    tracker = GeofenceTracker([first, second])
    # The driver waits at the second stop (in a queue, at lights) on the way to the first.
    events = feed_all(tracker, [point(s, 0) for s in range(0, 300, 10)])
    assert events == []
    events = feed_all(tracker, [point(400, 2000), point(430, 2000), point(500, 1000)])
    assert [type(event) for event in events] == [Arriving, Arrived, Departed]
    assert {event.stop_id for event in events} == {first.stop_id}
    assert tracker.current == second.stop_id


def test_departing_onto_the_next_stop_counts_the_same_point_there() -> None:
    first, second = fence_at(0), fence_at(150)
    tracker = GeofenceTracker([first, second])
    feed_all(tracker, [point(0, 0), point(30, 0)])
    events = tracker.feed(point(60, 140))
    assert events == [
        Departed(stop_id=first.stop_id, at=at(60), dwell_s=60),
        Arriving(stop_id=second.stop_id, at=at(60)),
    ]
    assert tracker.inside_since == at(60)


def test_late_and_out_of_order_points_never_refire_an_arrival() -> None:
    fence = fence_at(0)
    tracker = GeofenceTracker([fence])
    events = feed_all(tracker, drive_through())
    assert [type(event) for event in events] == [Arriving, Arrived, Departed]
    # The same drive arriving again (a client retry) and older points inside the fence do nothing.
    assert feed_all(tracker, drive_through()) == []
    assert feed_all(tracker, [point(130, 0), point(150, 0), point(220, 0)]) == []
    # Newer points back inside do nothing either: the stop is done.
    assert feed_all(tracker, [point(500 + 10 * i, 0) for i in range(10)]) == []


def test_an_out_of_order_point_does_not_break_a_dwell_in_progress() -> None:
    fence = fence_at(0)
    tracker = GeofenceTracker([fence])
    assert tracker.feed(point(10, 0)) == [Arriving(stop_id=fence.stop_id, at=at(10))]
    assert tracker.feed(point(5, -900)) == []  # older and far away: ignored
    assert tracker.inside_since == at(10)
    assert tracker.feed(point(30, 0)) == [Arrived(stop_id=fence.stop_id, at=at(10))]


def test_a_backfill_batch_gives_the_same_events_sorted_or_not() -> None:
    fences = [fence_at(0), fence_at(1500)]
    batch = drive_through() + [point(400 + 20 * i, 200 + 100 * i) for i in range(13)]
    batch += [point(700 + 10 * i, 1500) for i in range(5)] + [point(800, 1800)]
    shuffled = batch[:]
    random.Random(7).shuffle(shuffled)
    in_order = GeofenceTracker(fences).feed_many(batch)
    unsorted = GeofenceTracker(fences).feed_many(shuffled)
    assert unsorted == in_order
    assert [type(event) for event in in_order] == [Arriving, Arrived, Departed] * 2


def test_inaccurate_points_are_ignored() -> None:
    fence = fence_at(0)
    tracker = GeofenceTracker([fence])
    assert feed_all(tracker, [point(s, 0, accuracy_m=150) for s in range(0, 100, 10)]) == []
    assert tracker.inside_since is None
    feed_all(tracker, [point(100, 0), point(130, 0)])
    # A wild inaccurate fix far away neither departs nor moves the clock.
    assert tracker.feed(point(140, 900, accuracy_m=500)) == []
    assert tracker.current == fence.stop_id
    assert tracker.feed(point(135, 300, accuracy_m=None)) == [Departed(stop_id=fence.stop_id, at=at(135), dwell_s=35)]


def test_naive_device_times_are_refused() -> None:
    tracker = GeofenceTracker([fence_at(0)])
    with pytest.raises(ValueError):
        tracker.feed(Point(lat=BASE_LAT, lon=BASE_LON, at=datetime(2026, 3, 2, 9, 0), accuracy_m=5))


def test_done_stops_are_skipped_from_the_start() -> None:
    first, second = fence_at(0), fence_at(1000)
    tracker = GeofenceTracker([first, second], done=[first.stop_id])
    assert tracker.current == second.stop_id
    assert feed_all(tracker, [point(0, 0), point(60, 0)]) == []


def test_set_fences_after_a_replan() -> None:
    a, b, c = fence_at(0), fence_at(1000), fence_at(2000)
    tracker = GeofenceTracker([a, b, c])
    feed_all(tracker, drive_through())
    assert tracker.current == b.stop_id
    # The planner swaps b and c; a was done before and stays done though the new route omits it.
    tracker.set_fences([c, b])
    assert tracker.current == c.stop_id
    assert feed_all(tracker, [point(500, 1000), point(560, 1000)]) == []
    events = feed_all(tracker, [point(600, 2000), point(630, 2000)])
    assert [(type(event), event.stop_id) for event in events] == [(Arriving, c.stop_id), (Arrived, c.stop_id)]


def test_set_fences_keeps_the_dwell_when_the_same_stop_stays_current() -> None:
    a, b = fence_at(0), fence_at(1000)
    tracker = GeofenceTracker([a, b])
    tracker.feed(point(0, 0))
    tracker.set_fences([a, b, fence_at(3000)])
    assert tracker.inside_since == at(0)
    assert tracker.feed(point(20, 0)) == [Arrived(stop_id=a.stop_id, at=at(0))]
    tracker.set_fences([fence_at(-500), a, b], done=[])
    assert tracker.current != a.stop_id
    # The arrival at a is kept as done: the re-plan cannot make it arrive (or depart) twice.
    tracker.set_fences([a, b])
    assert tracker.current == b.stop_id
    assert feed_all(tracker, [point(100, 0), point(200, 0), point(300, -600)]) == []


def test_set_fences_drops_a_dwell_at_a_stop_no_longer_current() -> None:
    a, b = fence_at(0), fence_at(1000)
    tracker = GeofenceTracker([a, b])
    tracker.feed(point(0, 0))
    assert tracker.inside_since == at(0)
    tracker.set_fences([b, a])
    assert tracker.inside_since is None
    assert tracker.feed(point(30, 0)) == []


def test_mark_done_moves_on() -> None:
    a, b = fence_at(0), fence_at(1000)
    tracker = GeofenceTracker([a, b])
    tracker.feed(point(0, 0))
    tracker.mark_done(a.stop_id)
    assert tracker.current == b.stop_id
    assert tracker.inside_since is None
    assert feed_all(tracker, [point(10, 0), point(60, 0)]) == []
    events = feed_all(tracker, [point(100, 1000), point(130, 1000)])
    assert [type(event) for event in events] == [Arriving, Arrived]
    tracker.mark_done(b.stop_id)  # completed by hand while there: no Departed, and never again
    assert tracker.current is None
    assert feed_all(tracker, [point(200, 2000), point(300, 1000), point(400, 1000)]) == []


def test_mark_done_of_a_later_stop_keeps_the_current_dwell() -> None:
    a, b = fence_at(0), fence_at(1000)
    tracker = GeofenceTracker([a, b])
    tracker.feed(point(0, 0))
    tracker.mark_done(b.stop_id)
    assert tracker.current == a.stop_id
    assert tracker.inside_since == at(0)


@pytest.mark.parametrize("seed", range(5))
def test_random_jitter_fires_each_event_at_most_once_per_stop(seed: int) -> None:
    rng = random.Random(seed)
    fences = [fence_at(0), fence_at(400), fence_at(400, 400), fence_at(0, 400)]
    tracker = GeofenceTracker(fences)
    points: list[Point] = []
    second = 0.0
    # Visit the four stops in random order (including later ones first), each for a random number of
    # fixes with 30 m GPS noise, some far off (a bad fix), some too inaccurate to use.
    for _ in range(100):
        target = rng.choice(fences)
        for _ in range(rng.randint(1, 12)):
            second += rng.uniform(1, 15)
            far_m = rng.choice([0.0, 0.0, 0.0, 0.0, rng.uniform(-300, 300)])
            lat = target.lat + (rng.gauss(0, 30) + far_m) / M_PER_DEGREE_LAT
            lon = target.lon + rng.gauss(0, 30) / (M_PER_DEGREE_LAT * math.cos(math.radians(BASE_LAT)))
            accuracy_m = rng.choice([5.0, 20.0, 60.0, 150.0, None])
            points.append(Point(lat=lat, lon=lon, at=T0 + timedelta(seconds=second), accuracy_m=accuracy_m))
    assert len(points) >= 300
    burst = points[:50]
    rng.shuffle(burst)  # a backfilled burst, out of order, at the start
    points[:50] = burst
    late = rng.sample(points, 100)  # and a hundred duplicates arriving late
    events = feed_all(tracker, points + late)
    for fence in fences:
        mine = [event for event in events if event.stop_id == fence.stop_id]
        for kind in (Arriving, Arrived, Departed):
            assert sum(isinstance(event, kind) for event in mine) <= 1
        kinds = [type(event) for event in mine]
        assert kinds == [Arriving, Arrived, Departed][: len(kinds)]  # always in this order
    arrivals = [event.stop_id for event in events if isinstance(event, Arrived)]
    assert arrivals == [fence.stop_id for fence in fences][: len(arrivals)]  # in plan order only
    assert len(arrivals) >= 2, "the walk should arrive and move on, or the test proves little"


def test_in_polygon_uses_lon_as_x() -> None:
    depot = Polygon([(13.40, 52.52), (13.41, 52.52), (13.41, 52.53), (13.40, 52.53)])  # (lon, lat)
    assert in_polygon(depot, 52.525, 13.405)
    assert not in_polygon(depot, 13.405, 52.525)
    assert not in_polygon(depot, 52.535, 13.405)
    assert in_polygon(depot, 52.52, 13.405)  # the fence line counts as in the yard


def _yard_point(lat: float, lon: float, seconds: int) -> Point:
    from datetime import UTC, datetime, timedelta

    return Point(lat, lon, datetime(2026, 11, 25, 9, 0, tzinfo=UTC) + timedelta(seconds=seconds), 5.0)


def test_a_yard_circle_says_left_and_entered_once_with_jitter_at_the_gate() -> None:
    from backend.tracking.geofence import Yard

    yard = Yard(lat=60.1600, lon=24.9300, radius_m=100.0)
    moves = [
        yard.feed(_yard_point(lat, 24.9300, t))
        for t, lat in enumerate([60.1600, 60.1605, 60.16095, 60.16105, 60.16095, 60.1615, 60.1620, 60.1612, 60.1600])
    ]
    # 60.16095 / 60.16105 straddle the 100 m edge (jitter), 60.1615 is 170 m out, 60.1600 is back inside
    assert [m for m in moves if m] == ["left", "entered"]
    assert moves[5] == "left" and moves[8] == "entered"


def test_a_yard_polygon_ignores_late_and_vague_points() -> None:
    from shapely.geometry import Polygon

    from backend.tracking.geofence import Yard

    square = Polygon([(24.929, 60.159), (24.931, 60.159), (24.931, 60.161), (24.929, 60.161)])
    yard = Yard(lat=60.16, lon=24.93, polygon=square)
    assert yard.feed(_yard_point(60.1600, 24.9300, 0)) is None  # first point: inside, no move
    assert yard.feed(_yard_point(60.1650, 24.9300, 10)) == "left"
    assert yard.feed(_yard_point(60.1600, 24.9300, 5)) is None  # a late point from inside changes nothing
    far_but_vague = Point(60.1600, 24.9300, _yard_point(0, 0, 20).at, 500.0)
    assert yard.feed(far_but_vague) is None
    assert yard.feed(_yard_point(60.1605, 24.9305, 30)) == "entered"
