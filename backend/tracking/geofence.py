"""Arrival detection from driver positions: stop geofences robust to GPS jitter and late points, depot polygons."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

import shapely
from shapely.geometry import Polygon

# Own copy rather than backend.routing.travel.haversine_m: that module imports the fleet models and
# settings, and this one stays pure (no database, no settings). Same formula, floats only.
EARTH_RADIUS_M = 6_371_008.8  # the mean Earth radius (IUGG)

MAX_ACCURACY_M = 100.0  # a fix reported worse than this cannot tell a 50 m fence from the street outside


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(h, 1.0)))


@dataclass(frozen=True)
class Fence:
    """A stop's circle: entered within radius_m, left only beyond the wider exit radius (hysteresis)."""

    stop_id: UUID
    lat: float
    lon: float
    radius_m: float = 50.0
    exit_margin_m: float | None = None  # default max(30, radius/2): wider than typical urban GPS jitter

    def __post_init__(self) -> None:
        if self.radius_m <= 0:
            raise ValueError(f"radius_m must be positive, not {self.radius_m}")
        if self.exit_margin_m is not None and self.exit_margin_m < 0:
            raise ValueError(f"exit_margin_m cannot be negative, not {self.exit_margin_m}")

    @property
    def exit_radius_m(self) -> float:
        margin_m = max(30.0, 0.5 * self.radius_m) if self.exit_margin_m is None else self.exit_margin_m
        return self.radius_m + margin_m

    def distance_m(self, lat: float, lon: float) -> float:
        return haversine_m(self.lat, self.lon, lat, lon)


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float
    at: datetime  # device time, timezone-aware: when the fix was taken, not when it reached us
    accuracy_m: float | None = None


@dataclass(frozen=True)
class Arriving:
    stop_id: UUID
    at: datetime


@dataclass(frozen=True)
class Arrived:
    stop_id: UUID
    at: datetime  # the first point inside the fence: when the driver actually got there


@dataclass(frozen=True)
class Departed:
    stop_id: UUID
    at: datetime
    dwell_s: float


GeofenceEvent = Arriving | Arrived | Departed


class GeofenceTracker:
    """Turns one driver's positions into Arriving / Arrived / Departed for the route's stops, in plan order.

    Only the next stop not done can be arrived at, so driving past a later stop does nothing. Each stop
    fires each event at most once: a stop arrived at is never arrived at again, whatever points follow.
    """

    def __init__(
        self,
        fences: Sequence[Fence],
        *,
        min_dwell_s: float = 20.0,  # one jittered fix inside is not an arrival; 20 s stopped there is
        arriving_radius_m: float = 500.0,
        done: Iterable[UUID] = (),
    ) -> None:
        self._fences = list(fences)
        self._done: set[UUID] = set(done)
        self._arriving_sent: set[UUID] = set()
        self.min_dwell_s = min_dwell_s
        self.arriving_radius_m = arriving_radius_m
        self._last_at: datetime | None = None
        self._inside_since: datetime | None = None  # first of the uninterrupted points inside the current fence
        self._arrived_stop: UUID | None = None  # arrived at, not yet departed (always the current stop)
        self._arrived_at: datetime | None = None

    @property
    def current(self) -> UUID | None:
        """The stop the tracker waits on: the first in plan order not done."""
        fence = self._current_fence()
        return None if fence is None else fence.stop_id

    @property
    def inside_since(self) -> datetime | None:
        """When the arrival in progress began (inside the fence, dwell not yet long enough)."""
        return self._inside_since

    @property
    def arrived_at(self) -> datetime | None:
        """When the driver arrived at the current stop, while still there."""
        return self._arrived_at

    def feed(self, point: Point) -> list[GeofenceEvent]:
        if point.at.tzinfo is None or point.at.utcoffset() is None:
            raise ValueError("Point.at must be a timezone-aware datetime")
        if point.accuracy_m is not None and point.accuracy_m > MAX_ACCURACY_M:
            return []
        # A late or replayed point describes the past; acting on it would rewind the state machine.
        if self._last_at is not None and point.at <= self._last_at:
            return []
        self._last_at = point.at
        events: list[GeofenceEvent] = []
        while (fence := self._current_fence()) is not None:
            distance_m = fence.distance_m(point.lat, point.lon)
            if self._arrived_stop == fence.stop_id:
                if distance_m <= fence.exit_radius_m:
                    break
                assert self._arrived_at is not None
                dwell_s = (point.at - self._arrived_at).total_seconds()
                events.append(Departed(stop_id=fence.stop_id, at=point.at, dwell_s=dwell_s))
                self._move_on(fence.stop_id)
                continue  # the same point may already be near (or at) the next stop
            self._approach(fence, distance_m, point.at, events)
            break
        return events

    def feed_many(self, points: Iterable[Point]) -> list[GeofenceEvent]:
        """Feed a batch (a backfill after a dead zone) in device-time order, whatever order it came in."""
        events: list[GeofenceEvent] = []
        for point in sorted(points, key=lambda point: point.at):
            events.extend(self.feed(point))
        return events

    def set_fences(self, fences: Sequence[Fence], *, done: Iterable[UUID] = ()) -> None:
        """Replace the route after a re-plan; an arrival or dwell at a stop that stays current carries over."""
        previous = self.current
        self._fences = list(fences)
        self._done.update(done)
        if self.current != previous:
            self._leave_current()

    def mark_done(self, stop_id: UUID) -> None:
        """The driver completed a stop by hand (a dead zone, a missed fence): never detect it again."""
        previous = self.current
        self._done.add(stop_id)
        if self.current != previous:
            self._leave_current()

    def _approach(self, fence: Fence, distance_m: float, at: datetime, events: list[GeofenceEvent]) -> None:
        if distance_m <= self.arriving_radius_m:
            self._send_arriving(fence.stop_id, at, events)
        if distance_m > fence.radius_m:
            self._inside_since = None  # the dwell must be uninterrupted
            return
        if self._inside_since is None:
            self._inside_since = at
        if (at - self._inside_since).total_seconds() >= self.min_dwell_s:
            self._send_arriving(fence.stop_id, at, events)  # Arriving always precedes Arrived, whatever the radii
            events.append(Arrived(stop_id=fence.stop_id, at=self._inside_since))
            self._arrived_stop, self._arrived_at = fence.stop_id, self._inside_since
            self._inside_since = None

    def _send_arriving(self, stop_id: UUID, at: datetime, events: list[GeofenceEvent]) -> None:
        if stop_id not in self._arriving_sent:
            self._arriving_sent.add(stop_id)
            events.append(Arriving(stop_id=stop_id, at=at))

    def _move_on(self, stop_id: UUID) -> None:
        self._done.add(stop_id)
        self._leave_current()

    def _leave_current(self) -> None:
        # A stop arrived at and left behind by a re-plan or by hand is done: it must never fire Arrived again.
        if self._arrived_stop is not None:
            self._done.add(self._arrived_stop)
        self._arrived_stop = self._arrived_at = None
        self._inside_since = None

    def _current_fence(self) -> Fence | None:
        return next((fence for fence in self._fences if fence.stop_id not in self._done), None)


def in_polygon(polygon: Polygon, lat: float, lon: float) -> bool:
    """Whether a position is in (or on the edge of) a polygon such as a depot yard; shapely's x is lon."""
    return bool(shapely.intersects_xy(polygon, lon, lat))


YardMove = Literal["left", "entered"]


class Yard:
    """A depot's yard (its polygon, or a circle around it) with the same hysteresis as the stops: a van is out
    once it is `exit_margin_m` beyond the edge, and back once inside again; jitter at the gate never flaps."""

    def __init__(
        self,
        *,
        lat: float,
        lon: float,
        radius_m: float = 100.0,
        polygon: Polygon | None = None,
        exit_margin_m: float = 30.0,
    ) -> None:
        self.lat, self.lon, self.radius_m, self.polygon = lat, lon, radius_m, polygon
        self.exit_margin_m = exit_margin_m
        self.inside: bool | None = None  # unknown until the first point
        self._last_at: datetime | None = None

    def _distance_outside_m(self, lat: float, lon: float) -> float:
        """How far outside the yard a point is (0 inside)."""
        if self.polygon is None:
            return max(0.0, haversine_m(self.lat, self.lon, lat, lon) - self.radius_m)
        if in_polygon(self.polygon, lat, lon):
            return 0.0
        # metres on a local equirectangular projection: fine at yard scale
        kx = math.cos(math.radians(lat)) * math.pi * EARTH_RADIUS_M / 180.0
        ky = math.pi * EARTH_RADIUS_M / 180.0
        projected = shapely.transform(self.polygon, lambda xy: xy * [kx, ky])
        return float(shapely.distance(projected, shapely.Point(lon * kx, lat * ky)))

    def feed(self, point: Point) -> YardMove | None:
        if point.accuracy_m is not None and point.accuracy_m > MAX_ACCURACY_M:
            return None
        if self._last_at is not None and point.at <= self._last_at:
            return None  # late or backfilled: placed in the history, never a new move
        self._last_at = point.at
        outside_m = self._distance_outside_m(point.lat, point.lon)
        if self.inside is None:
            self.inside = outside_m == 0.0
            return None
        if self.inside and outside_m > self.exit_margin_m:
            self.inside = False
            return "left"
        if not self.inside and outside_m == 0.0:
            self.inside = True
            return "entered"
        return None
