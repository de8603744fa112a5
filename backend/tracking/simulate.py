"""Simulated delivery phones, the motion model (pure): streets as polylines, town speeds, GPS noise, dwell and
outcome per stop, the speedup clock. `courier.py` is the client that drives a route with it over the API.

A courier signs in like the driver app, starts its route, follows the streets between stops at town speeds,
reports a GPS fix every second over `/ws/driver`, dwells at each door and delivers or fails the stop.

Time: fixes carry the real wall clock (the server refuses points ahead of its own clock), so `--speedup` makes
the van cover more ground per real second instead. The server judges positions in device time, which sets two
limits on a speedup: a van never moves faster than MAX_APPARENT_SPEED_MPS in real time (fixes implying over
200 km/h are stored but ignored), and a dwell lasts at least MIN_DWELL_REAL_S (the geofence wants 20 s inside).
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from backend.tracking.geofence import EARTH_RADIUS_M, haversine_m

LatLon = tuple[float, float]
TICK_S = 1.0  # one fix per real second, as a phone's GPS gives them (the socket allows 240 frames a minute)
MAX_APPARENT_SPEED_MPS = 45.0  # 162 km/h in real time: under the server's 200 km/h jump filter, noise included
MIN_DWELL_REAL_S = 22.0  # the geofence marks arrival after 20 s of device time inside 50 m; two fixes spare
PARK_WITHIN_M = 12.0  # the van stands this close to the door; GPS noise spreads the fixes a little wider
FAILURE_RATE = 0.1  # about one door in ten does not answer
TRAFFIC_RATE = 0.15  # legs with a jam or a red-light queue standing the van still


# ---------------------------------------------------------------- geometry


def distance_m(a: LatLon, b: LatLon) -> float:
    """Great-circle distance: the geofence's own haversine, so simulated and detected distances agree."""
    return haversine_m(a[0], a[1], b[0], b[1])


def heading_deg(a: LatLon, b: LatLon) -> float:
    """Initial bearing from a to b, degrees clockwise from north in [0, 360)."""
    phi1, phi2 = math.radians(a[0]), math.radians(b[0])
    dlambda = math.radians(b[1] - a[1])
    y = math.sin(dlambda) * math.cos(phi2)
    x = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(dlambda)
    return math.degrees(math.atan2(y, x)) % 360.0


def offset(point: LatLon, north_m: float, east_m: float) -> LatLon:
    """The point moved by metres north and east (flat-earth: exact enough within a few hundred metres)."""
    lat = point[0] + math.degrees(north_m / EARTH_RADIUS_M)
    lon = point[1] + math.degrees(east_m / (EARTH_RADIUS_M * math.cos(math.radians(point[0]))))
    return lat, lon


class Polyline:
    """A path of (lat, lon) points, walked by distance from its start."""

    def __init__(self, points: Sequence[LatLon]) -> None:
        kept = [points[0]] if points else []
        for point in points[1:]:
            if point != kept[-1]:
                kept.append(point)
        if not kept:
            raise ValueError("a polyline needs at least one point")
        self.points = kept
        self.cumulative = [0.0]
        for a, b in itertools.pairwise(kept):
            self.cumulative.append(self.cumulative[-1] + distance_m(a, b))

    @classmethod
    def from_geojson(cls, geometry: dict[str, Any]) -> Polyline:
        """From a GeoJSON LineString ([lon, lat] positions)."""
        return cls([(float(lat), float(lon)) for lon, lat, *_ in geometry["coordinates"]])

    @property
    def length_m(self) -> float:
        return self.cumulative[-1]

    @property
    def end(self) -> LatLon:
        return self.points[-1]

    def _segment(self, along_m: float) -> int:
        """Index i of the segment points[i] → points[i + 1] holding that distance."""
        for i in range(len(self.cumulative) - 1):
            if along_m <= self.cumulative[i + 1]:
                return i
        return max(0, len(self.cumulative) - 2)

    def at(self, along_m: float) -> LatLon:
        """The point that far along (clamped to the ends), interpolated within its segment."""
        if len(self.points) == 1 or along_m <= 0:
            return self.points[0]
        if along_m >= self.length_m:
            return self.points[-1]
        i = self._segment(along_m)
        a, b = self.points[i], self.points[i + 1]
        share = (along_m - self.cumulative[i]) / (self.cumulative[i + 1] - self.cumulative[i])
        return a[0] + (b[0] - a[0]) * share, a[1] + (b[1] - a[1]) * share

    def heading_at(self, along_m: float) -> float:
        if len(self.points) == 1:
            return 0.0
        i = self._segment(min(max(along_m, 0.0), self.length_m))
        return heading_deg(self.points[i], self.points[i + 1])


class GpsNoise:
    """GPS error as a phone shows it: a few metres, drifting slowly (first-order Gauss-Markov per axis), so
    consecutive fixes wander together instead of jumping about independently."""

    def __init__(self, rng: random.Random, *, sigma_m: float = 4.0, correlation: float = 0.9) -> None:
        if not 0 <= correlation < 1:
            raise ValueError(f"correlation must be in [0, 1), not {correlation}")
        self.rng, self.sigma_m, self.correlation = rng, sigma_m, correlation
        self.north_m = rng.gauss(0.0, sigma_m)
        self.east_m = rng.gauss(0.0, sigma_m)

    def step(self) -> tuple[float, float]:
        """The next error (metres north, east); each axis stays gaussian with sigma_m."""
        keep, fresh = self.correlation, self.sigma_m * math.sqrt(1 - self.correlation**2)
        self.north_m = keep * self.north_m + self.rng.gauss(0.0, fresh)
        self.east_m = keep * self.east_m + self.rng.gauss(0.0, fresh)
        return self.north_m, self.east_m

    def apply(self, point: LatLon) -> tuple[LatLon, float]:
        """A noisy fix of the point and the accuracy a phone would report with it (5-15 m)."""
        north, east = self.step()
        accuracy = min(15.0, max(5.0, 1.5 * self.sigma_m + self.rng.gauss(0.0, 1.5)))
        return offset(point, north, east), round(accuracy, 1)


# ---------------------------------------------------------------- what happens on a leg and at a door


@dataclass(frozen=True)
class StopPlan:
    """One stop's fate, drawn before the van sets off (simulated seconds)."""

    dwell_s: float
    outcome: Literal["delivered", "failed"]
    reason: str | None
    delay_s: float  # standing still in traffic on the way there; 0 for a clear road
    delay_at: float  # where along the leg the jam is, as a share of its length
    park_north_m: float
    park_east_m: float


def plan_stop(rng: random.Random) -> StopPlan:
    failed = rng.random() < FAILURE_RATE
    jammed = rng.random() < TRAFFIC_RATE
    angle, radius = rng.uniform(0, 2 * math.pi), rng.uniform(2.0, PARK_WITHIN_M)
    return StopPlan(
        dwell_s=rng.uniform(60.0, 180.0),
        outcome="failed" if failed else "delivered",
        reason="not_home" if failed else None,
        delay_s=rng.uniform(60.0, 180.0) if jammed else 0.0,
        delay_at=rng.uniform(0.2, 0.8),
        park_north_m=radius * math.cos(angle),
        park_east_m=radius * math.sin(angle),
    )


@dataclass(frozen=True)
class Pace:
    """Simulated time against real time: `speedup` simulated seconds per real one, within the server's limits."""

    speedup: float = 1.0

    def __post_init__(self) -> None:
        if self.speedup < 1:
            raise ValueError(f"speedup must be at least 1, not {self.speedup}")

    def simulated_s(self, real_s: float, speed_mps: float) -> float:
        """Simulated seconds that pass in real_s at this speed: a moving van is held to MAX_APPARENT_SPEED_MPS."""
        factor = self.speedup if speed_mps <= 0 else min(self.speedup, max(1.0, MAX_APPARENT_SPEED_MPS / speed_mps))
        return real_s * factor

    def dwell_real_s(self, simulated_s: float) -> float:
        return max(simulated_s / self.speedup, MIN_DWELL_REAL_S)


@dataclass(frozen=True)
class Motion:
    point: LatLon
    speed_mps: float
    heading_deg: float


def drive(
    line: Polyline, *, rng: random.Random, pace: Pace, plan: StopPlan | None = None, tick_s: float = TICK_S
) -> Iterator[Motion]:
    """Where the van is after each real tick along the line: 25-35 km/h cruising with some wobble, slowing
    for the last 100 m, and standing still for the plan's traffic delay."""
    cruise_mps = rng.uniform(25.0, 35.0) / 3.6
    along_m, delay_left_s = 0.0, plan.delay_s if plan else 0.0
    delay_from_m = line.length_m * (plan.delay_at if plan else 1.0)
    while along_m < line.length_m:
        heading = line.heading_at(along_m)
        if delay_left_s > 0 and along_m >= delay_from_m:
            delay_left_s -= pace.simulated_s(tick_s, 0.0)
            yield Motion(line.at(along_m), 0.0, heading)
            continue
        speed = cruise_mps * min(1.25, max(0.75, rng.gauss(1.0, 0.08)))
        speed *= min(1.0, 0.35 + (line.length_m - along_m) / 150.0)  # braking for the door
        along_m = min(line.length_m, along_m + speed * pace.simulated_s(tick_s, speed))
        yield Motion(line.at(along_m), round(speed, 2), heading)


def position_frame(point: LatLon, accuracy_m: float, motion: Motion, at: datetime) -> dict[str, Any]:
    """A `/ws/driver` position frame (PointIn's fields)."""
    return {
        "type": "position",
        "lat": round(point[0], 7),
        "lon": round(point[1], 7),
        "at": at.isoformat(),
        "accuracy": accuracy_m,
        "speed": motion.speed_mps,
        "heading": round(motion.heading_deg, 1),
    }
