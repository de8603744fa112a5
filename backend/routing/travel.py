"""Travel times between points: the protocol the planner asks, the straight-line and OSRM providers, the factory."""

from __future__ import annotations

import asyncio
import functools
import itertools
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx
import numpy as np
import numpy.typing as npt

from backend.fleet.models import VehicleProfile
from backend.kit.problems import DomainError, Invalid
from backend.settings import Settings, SettingsError

Point = tuple[float, float]
"""(lat, lon) in degrees, WGS 84; GeoJSON output is [lon, lat]."""
IntMatrix = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

EARTH_RADIUS_M = 6_371_008.8  # the mean Earth radius (IUGG); haversine is within 0.5 % of the ellipsoid

MAX_CACHED_MATRIX_BYTES = 64 * 1024 * 1024
# The planner asks for the same stops again while a dispatcher edits a plan. 64 MiB holds about a hundred
# 200-point matrices (640 KB each: two int64 arrays) or four 1,000-point ones; the least recently used goes first.


class TravelError(Invalid):
    """The points cannot be routed: a bad coordinate, a point off the map, no route between two points."""

    type_slug = "travel-times"
    title = "No travel times for these points"


class TravelUnavailable(DomainError):
    """The travel-time source itself is out of order (OSRM down, the OSM extract missing): not the caller's fault."""

    status_code = 503
    type_slug = "travel-times-unavailable"
    title = "Travel times unavailable"


@dataclass(frozen=True)
class Matrix:
    """Travel between every pair of points, row = from, column = to, in whole seconds and metres.

    The arrays are made read-only: one matrix is handed to every caller that asks for the same points.
    """

    durations_s: IntMatrix
    distances_m: IntMatrix

    def __post_init__(self) -> None:
        for array in (self.durations_s, self.distances_m):
            if array.ndim != 2 or array.shape[0] != array.shape[1] or array.dtype != np.int64:
                raise ValueError(f"a travel matrix is square int64, got {array.dtype} {array.shape}")
            array.setflags(write=False)

    @property
    def size(self) -> int:
        return int(self.durations_s.shape[0])


class TravelTimes(Protocol):
    """What the planner needs from a travel-time source; points are (lat, lon)."""

    name: str

    async def matrix(self, points: Sequence[Point], profile: VehicleProfile) -> Matrix: ...

    async def leg_geometry(self, a: Point, b: Point, profile: VehicleProfile) -> dict[str, Any]:
        """The way from a to b as a GeoJSON LineString ([lon, lat] positions)."""
        ...


# ---------------------------------------------------------------- shared pieces


def haversine_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance in metres; takes floats or numpy arrays (broadcast)."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi, dlambda = phi2 - phi1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def checked_points(points: Sequence[Point]) -> FloatArray:
    """The points as an (n, 2) float array of (lat, lon), or TravelError naming the first bad one."""
    if not len(points):
        return np.empty((0, 2))
    try:
        array = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TravelError("points must be (lat, lon) pairs of numbers") from exc
    if array.ndim != 2 or array.shape[1] != 2:
        raise TravelError(f"points must be (lat, lon) pairs of numbers, got an array of shape {array.shape}")
    bad = ~(np.isfinite(array).all(axis=1) & (np.abs(array[:, 0]) <= 90) & (np.abs(array[:, 1]) <= 180))
    if bad.any():
        index = int(np.argmax(bad))
        raise TravelError(
            f"point {index} ({array[index, 0]}, {array[index, 1]}) is not a (lat, lon) pair in degrees",
            extra={"point_index": index},
        )
    return array


def identical_points(points: FloatArray) -> npt.NDArray[np.bool_]:
    """Pairs of the same coordinates: travel between them is zero whatever the source says."""
    same: npt.NDArray[np.bool_] = (points[:, None, 0] == points[None, :, 0]) & (
        points[:, None, 1] == points[None, :, 1]
    )
    return same


def line_string(coordinates: Sequence[Point]) -> dict[str, Any]:
    """A GeoJSON LineString through (lat, lon) points, 6 decimals (about 0.1 m)."""
    return {"type": "LineString", "coordinates": [[round(lon, 6), round(lat, 6)] for lat, lon in coordinates]}


def describe_point(points: FloatArray, index: int) -> str:
    return f"point {index} ({points[index, 0]:.5f}, {points[index, 1]:.5f})"


def describe_m(distance_m: float) -> str:
    return f"{distance_m:.0f} m" if distance_m < 1000 else f"{distance_m / 1000:.1f} km"


class MatrixCache:
    """A bounded LRU of matrices by (profile, points in order); safe to share between threads."""

    def __init__(self, max_bytes: int = MAX_CACHED_MATRIX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, bytes], Matrix] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @staticmethod
    def _key(profile: VehicleProfile, points: FloatArray) -> tuple[str, bytes]:
        return (profile.value, np.ascontiguousarray(points, dtype=np.float64).tobytes())

    @staticmethod
    def _weight(matrix: Matrix) -> int:
        return int(matrix.durations_s.nbytes + matrix.distances_m.nbytes)

    def get(self, profile: VehicleProfile, points: FloatArray) -> Matrix | None:
        key = self._key(profile, points)
        with self._lock:
            matrix = self._entries.get(key)
            if matrix is not None:
                self._entries.move_to_end(key)
            return matrix

    def put(self, profile: VehicleProfile, points: FloatArray, matrix: Matrix) -> None:
        key, weight = self._key(profile, points), self._weight(matrix)
        if weight > self.max_bytes:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= self._weight(previous)
            self._entries[key] = matrix
            self._bytes += weight
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= self._weight(evicted)

    def __len__(self) -> int:
        return len(self._entries)


# ---------------------------------------------------------------- straight line

DETOUR_FACTOR = 1.3
# Streets are not straight: in a grid-like city centre the street distance is about 1.2-1.4 x the
# straight line (circuity studies of US and European cities); 1.3 is the usual middle.

CITY_SPEED_KMH: dict[VehicleProfile, float] = {
    # Average door-to-door speeds in a city, lights, junctions and parking included (not speed limits).
    VehicleProfile.car: 40.0,
    VehicleProfile.van: 35.0,  # heavier, slower to park and to turn
    VehicleProfile.bike: 15.0,  # a loaded cargo bike
    VehicleProfile.foot: 5.0,
}


def straight_line_matrix(points: FloatArray, profile: VehicleProfile) -> Matrix:
    lat, lon = points[:, 0], points[:, 1]
    distance_m = haversine_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :]) * DETOUR_FACTOR
    duration_s = distance_m / (CITY_SPEED_KMH[profile] / 3.6)
    return Matrix(durations_s=np.rint(duration_s).astype(np.int64), distances_m=np.rint(distance_m).astype(np.int64))


class StraightLineTravelTimes:
    """Haversine x detour factor / city speed: needs nothing, knows no streets; the fallback."""

    name = "straight_line"

    async def matrix(self, points: Sequence[Point], profile: VehicleProfile) -> Matrix:
        checked = checked_points(points)
        if len(checked) <= 300:  # about 1 ms of numpy: not worth a thread
            return straight_line_matrix(checked, profile)
        return await asyncio.to_thread(straight_line_matrix, checked, profile)

    async def leg_geometry(self, a: Point, b: Point, profile: VehicleProfile) -> dict[str, Any]:
        checked = checked_points([a, b])
        return line_string([(float(lat), float(lon)) for lat, lon in checked])


# ---------------------------------------------------------------- OSRM over HTTP

OSRM_PROFILES: dict[VehicleProfile, str] = {
    # OSRM's documented profile names. A van has no profile of its own: it is driven like a car.
    # osrm-routed serves the one profile its data was prepared with and ignores this name, so a fleet that
    # mixes profiles needs one server per profile behind a proxy that routes on the name.
    VehicleProfile.car: "driving",
    VehicleProfile.van: "driving",
    VehicleProfile.bike: "cycling",
    VehicleProfile.foot: "walking",
}

OSRM_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
# A 1,000-point table takes a few seconds on a country-size OSRM; connecting should be instant.


class OsrmTravelTimes:
    """Table and route services of the user's own OSRM server (https://project-osrm.org/docs/v5.24.0/api/).

    A client per call: the provider lives for the process and may serve several event loops (tests), and a
    matrix is asked for once per plan, so the saved handshake is not worth a loop-bound pool. OSRM's default
    --max-table-size is 100 points: bigger matrices need the server started with a larger one.
    """

    name = "osrm"

    def __init__(self, base_url: str, *, timeout: httpx.Timeout = OSRM_TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._cache = MatrixCache()

    async def matrix(self, points: Sequence[Point], profile: VehicleProfile) -> Matrix:
        checked = checked_points(points)
        n = len(checked)
        if n <= 1:
            zeros = np.zeros((n, n), dtype=np.int64)
            return Matrix(durations_s=zeros, distances_m=zeros.copy())
        cached = self._cache.get(profile, checked)
        if cached is not None:
            return cached
        answer = await self._get(
            f"/table/v1/{OSRM_PROFILES[profile]}/{_coordinates(checked)}", "annotations=duration,distance"
        )
        durations = self._table(answer, "durations", n)
        distances = self._table(answer, "distances", n)
        missing = np.isnan(durations) | np.isnan(distances)
        if missing.any():
            i, j = (int(k) for k in np.argwhere(missing)[0])
            raise TravelError(
                f"OSRM ({OSRM_PROFILES[profile]}) found no route from {describe_point(checked, i)} "
                f"to {describe_point(checked, j)}",
                extra={"from_index": i, "to_index": j},
            )
        same = identical_points(checked)
        matrix = Matrix(
            durations_s=np.where(same, 0, np.rint(durations)).astype(np.int64),
            distances_m=np.where(same, 0, np.rint(distances)).astype(np.int64),
        )
        self._cache.put(profile, checked, matrix)
        return matrix

    async def leg_geometry(self, a: Point, b: Point, profile: VehicleProfile) -> dict[str, Any]:
        checked = checked_points([a, b])
        answer = await self._get(
            f"/route/v1/{OSRM_PROFILES[profile]}/{_coordinates(checked)}", "overview=full&geometries=geojson"
        )
        routes = answer.get("routes")
        geometry = routes[0].get("geometry") if isinstance(routes, list) and routes else None
        if not isinstance(geometry, dict) or geometry.get("type") != "LineString":
            raise TravelUnavailable(f"OSRM at {self.base_url} answered a route without a GeoJSON LineString")
        return geometry

    async def _get(self, path: str, query: str) -> dict[str, Any]:
        # The query is written out: OSRM wants its commas and semicolons literally, not percent-encoded.
        url = f"{self.base_url}{path}?{query}"
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.get(url)
        except httpx.TimeoutException as exc:
            raise TravelUnavailable(f"the OSRM server at {self.base_url} did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise TravelUnavailable(
                f"the OSRM server at {self.base_url} cannot be reached ({type(exc).__name__}: {exc})"
            ) from exc
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or "code" not in answer:
            raise TravelUnavailable(
                f"the OSRM server at {self.base_url} answered HTTP {response.status_code} without OSRM's JSON"
            )
        code = answer["code"]
        if code != "Ok":
            message = f"OSRM answered {code}: {answer.get('message') or 'no message'}"
            if response.status_code >= 500:
                raise TravelUnavailable(message)
            raise TravelError(message, extra={"osrm_code": code})
        return answer

    def _table(self, answer: dict[str, Any], field: str, n: int) -> FloatArray:
        try:
            table = np.asarray(answer[field], dtype=np.float64)  # null (no route) becomes NaN
        except (KeyError, TypeError, ValueError) as exc:
            raise TravelUnavailable(f"the OSRM server at {self.base_url} sent no usable {field!r} table") from exc
        if table.shape != (n, n):
            raise TravelUnavailable(
                f"the OSRM server at {self.base_url} sent a {field!r} table of shape {table.shape} for {n} points"
            )
        return table


def _coordinates(points: FloatArray) -> str:
    return ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)


# ---------------------------------------------------------------- factory


def provider_from_settings(settings: Settings) -> TravelTimes:
    """The process's provider for these settings: built once, the road graph itself loaded on first use."""
    cache_dir = settings.cache_dir if settings.cache_dir != Path() else settings.instance_dir / "cache"
    return _provider(settings.travel_provider, settings.osm_extract, settings.osrm_url, cache_dir)


@functools.cache
def _provider(kind: str, osm_extract: Path, osrm_url: str | None, cache_dir: Path) -> TravelTimes:
    if kind == "straight_line":
        return StraightLineTravelTimes()
    if kind == "osrm":
        if not osrm_url:
            raise SettingsError("DOORSTEP_OSRM_URL must be set when DOORSTEP_TRAVEL_PROVIDER is osrm")
        return OsrmTravelTimes(osrm_url)
    if kind == "road_graph":
        # Imported here: road_graph imports this module, and pulls in osmium and scipy only when used.
        from backend.routing.road_graph import RoadGraphTravelTimes

        return RoadGraphTravelTimes(osm_extract, cache_dir=cache_dir)
    raise SettingsError(f"unknown travel provider {kind!r}")


__all__ = [
    "CITY_SPEED_KMH",
    "DETOUR_FACTOR",
    "OSRM_PROFILES",
    "Matrix",
    "MatrixCache",
    "OsrmTravelTimes",
    "Point",
    "StraightLineTravelTimes",
    "TravelError",
    "TravelTimes",
    "TravelUnavailable",
    "haversine_m",
    "provider_from_settings",
]


async def matrices_with_fallback(
    points: Sequence[Point], profiles: set[str], travel: TravelTimes, fallback: TravelTimes
) -> tuple[dict[str, IntMatrix], dict[str, IntMatrix], str]:
    """Duration and distance matrices per profile, and where they came from. The documented fallback: when
    the provider cannot answer (a point off the graph, OSRM down), straight-line times beat no plan, and the
    returned source says so (plans and revisions record it)."""
    durations: dict[str, IntMatrix] = {}
    distances: dict[str, IntMatrix] = {}
    source = travel.name
    for profile in sorted(profiles):
        try:
            matrix = await travel.matrix(points, VehicleProfile(profile))
        except (TravelError, TravelUnavailable) as exc:
            matrix = await fallback.matrix(points, VehicleProfile(profile))
            source = f"{fallback.name} (fallback: {exc.detail})"
        durations[profile], distances[profile] = matrix.durations_s, matrix.distances_m
    return durations, distances, source


async def street_line(points: Sequence[Point], travel: TravelTimes, profile: str) -> dict[str, Any] | None:
    """A route's line through its stops in order, along the streets where the provider knows them (a straight
    segment where it does not)."""
    coordinates: list[list[float]] = []
    for start, end in itertools.pairwise(points):
        if start == end:
            continue
        try:
            line = (await travel.leg_geometry(start, end, VehicleProfile(profile)))["coordinates"]
        except (TravelError, TravelUnavailable):
            line = [[start[1], start[0]], [end[1], end[0]]]
        coordinates.extend(line if not coordinates else line[1:])
    return {"type": "LineString", "coordinates": coordinates} if len(coordinates) >= 2 else None
