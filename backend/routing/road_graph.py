"""The road network of an OSM extract as one graph per vehicle profile: build, disk cache, snapping, fastest paths.

Reading: pyosmium gives every way tagged `highway` with its node locations. Each profile decides per way whether it
may use it, in which directions and how fast (the rules below), and the ways become directed edges between
consecutive nodes, weighted by travel time; a way cut by the edge of the extract keeps its pieces that have
locations. Each profile keeps only its largest strongly connected component, so every pair of snapped points has
a route both ways. The price on a clipped extract: a one-way street that enters or leaves it (and whatever is
reached only through it) is dropped, and points there snap to the next street (the Helsinki demo depot, 104 m).

Not modelled: turn restrictions and turn costs, traffic signals, time of day, elevation, barriers on nodes.

Queries: points snap to the nearest node of the profile's graph (a KD-tree on locally projected coordinates) and
are refused beyond MAX_SNAP_M; a many-to-many matrix is one scipy Dijkstra per distinct snapped node.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import osmium
import osmium.filter
import structlog
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from backend.fleet.models import VehicleProfile
from backend.routing.travel import (
    EARTH_RADIUS_M,
    FloatArray,
    Matrix,
    MatrixCache,
    Point,
    TravelError,
    TravelUnavailable,
    checked_points,
    describe_m,
    describe_point,
    haversine_m,
    identical_points,
    line_string,
)

log = structlog.get_logger(__name__)

IndexArray = npt.NDArray[np.int64]

GRAPH_FORMAT_VERSION = 1
# Part of the cache file's name: bump it when the arrays or the profile rules below change, and graphs cached by
# an older release are rebuilt instead of loaded.

MAX_SNAP_M = 500.0
# A point farther than this from every node its profile may use is refused (TravelError) rather than routed from
# a street it is not on: a typo in a coordinate, or an address outside the extract.

SNAP_SPEED_KMH: dict[VehicleProfile, float] = {
    # The stretch between a point and its snapped node is off the graph: a yard, a driveway, a square.
    # Vehicles cross it at a crawl, people at walking speed.
    VehicleProfile.car: 10.0,
    VehicleProfile.van: 10.0,
    VehicleProfile.bike: 10.0,
    VehicleProfile.foot: 5.0,
}

DIJKSTRA_MEMORY_BYTES = 256 * 1024 * 1024
BYTES_PER_SOURCE_NODE = 56
# One Dijkstra source holds about 56 bytes per node at the peak: its times and predecessors, then the tree arrays
# that sum the metres. Sources run in batches that fit the budget: all 200 at once on Helsinki (6.5k foot nodes),
# 9 at a time on a 500k-node city.

# ---------------------------------------------------------------- profile rules

ALLOW = frozenset({"yes", "permissive", "designated", "destination", "delivery", "customers", "official"})
# `destination` and `delivery` roads are exactly where a delivery goes.
DENY = frozenset({"no", "private", "agricultural", "forestry", "emergency", "military", "psv", "bus", "use_sidepath"})
# `use_sidepath`: cyclists must ride the separate cycleway beside this road. A value in neither set (a typo, a
# malformed conditional) says nothing, and the next, more general key decides.

CAR_SPEED_KMH: dict[str, float] = {
    # When a way has no maxspeed: typical free-flow speeds in a city (close to OSRM's car profile).
    "motorway": 90,
    "motorway_link": 45,
    "trunk": 70,
    "trunk_link": 40,
    "primary": 45,
    "primary_link": 30,
    "secondary": 40,
    "secondary_link": 30,
    "tertiary": 35,
    "tertiary_link": 25,
    "unclassified": 30,
    "residential": 25,
    "road": 25,
    "living_street": 10,
    "service": 15,
}
MAXSPEED_FACTOR = 0.8  # a limit is not the speed driven between junctions and lights; OSRM's car profile uses 0.8
VAN_SPEED_FACTOR = 35 / 40  # a van is slower than a car by the same ratio as the straight-line city speeds

BIKE_SPEED_KMH = 15.0  # a loaded cargo bike
BIKE_WAYS = frozenset({"cycleway", "living_street", "residential", "service", "unclassified", "road", "track"}) | {
    f"{kind}{suffix}" for kind in ("primary", "secondary", "tertiary") for suffix in ("", "_link")
}
BIKE_IF_ALLOWED = frozenset({"path", "footway", "pedestrian", "trail", "bridleway", "platform", "corridor"})
# Paths and footways carry bikes only where `bicycle` (or `vehicle`/`access`) allows it: in Finland most shared
# cycle and foot ways are tagged so.

FOOT_SPEED_KMH = 5.0
STEPS_SPEED_KMH = 2.5  # climbing
FOOT_WAYS = frozenset(
    {
        "footway",
        "pedestrian",
        "path",
        "trail",
        "steps",
        "platform",
        "corridor",
        "elevator",
        "crossing",
        "cycleway",
        "bridleway",
        "track",
        "living_street",
        "residential",
        "service",
        "unclassified",
        "road",
    }
) | {f"{kind}{suffix}" for kind in ("trunk", "primary", "secondary", "tertiary") for suffix in ("", "_link")}

IMPLIED_ONEWAY_HIGHWAYS = frozenset({"motorway", "motorway_link"})
IMPLIED_ONEWAY_JUNCTIONS = frozenset({"roundabout", "circular"})
BIKE_CONTRAFLOW = frozenset({"opposite", "opposite_lane", "opposite_track"})  # cycleway=* on a one-way street


@dataclass(frozen=True)
class WayRule:
    """How one profile may use one way."""

    speed_kmh: float
    forward: bool
    backward: bool


Tags = Mapping[str, str]


def _access(tags: Tags, keys: Sequence[str]) -> bool | None:
    """The most specific access key that says yes or no, else None (the highway's default applies)."""
    for key in keys:
        value = tags.get(key)
        if value in DENY:
            return False
        if value in ALLOW:
            return True
    return None


def _oneway(value: str | None, implied: bool) -> tuple[bool, bool]:
    """(forward, backward) allowed for a oneway tag value."""
    if value in ("yes", "1", "true"):
        return True, False
    if value in ("-1", "reverse"):
        return False, True
    if value in ("no", "0", "false"):
        return True, True
    return (True, not implied)


def _implied_oneway(tags: Tags) -> bool:
    return tags.get("highway") in IMPLIED_ONEWAY_HIGHWAYS or tags.get("junction") in IMPLIED_ONEWAY_JUNCTIONS


_SPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$")


def parse_maxspeed(value: str | None) -> float | None:
    """km/h from `maxspeed` ("30", "20 mph", "FI:urban"); None when absent or not understood."""
    if not value:
        return None
    value = value.split(";")[0].strip()
    match = _SPEED.match(value)
    if match:
        speed = float(match.group(1))
        return speed * 1.609344 if match.group(2) == "mph" else speed
    if value.endswith(":urban"):
        return 50.0
    if value.endswith(":rural"):
        return 80.0
    if value in ("walk", "FI:walk"):
        return 6.0
    if value.endswith(":living_street"):
        return 20.0
    return None


def _motor_rule(tags: Tags, access_keys: Sequence[str], speed_factor: float) -> WayRule | None:
    highway = tags.get("highway", "")
    if highway not in CAR_SPEED_KMH or tags.get("area") == "yes":
        return None
    if _access(tags, access_keys) is False:
        return None
    limit = parse_maxspeed(tags.get("maxspeed"))
    speed = limit * MAXSPEED_FACTOR if limit else CAR_SPEED_KMH[highway]
    forward, backward = _oneway(tags.get("oneway"), _implied_oneway(tags))
    return WayRule(speed * speed_factor, forward, backward)


def car_rule(tags: Tags) -> WayRule | None:
    return _motor_rule(tags, ("motorcar", "motor_vehicle", "vehicle", "access"), 1.0)


def van_rule(tags: Tags) -> WayRule | None:
    # OSM calls light commercial vehicles `goods`; a van is refused where goods are, else treated as a car.
    return _motor_rule(tags, ("goods", "motor_vehicle", "vehicle", "access"), VAN_SPEED_FACTOR)


def bike_rule(tags: Tags) -> WayRule | None:
    highway = tags.get("highway", "")
    if tags.get("area") == "yes":
        return None
    speed = BIKE_SPEED_KMH
    if tags.get("bicycle") == "dismount":
        speed = FOOT_SPEED_KMH  # pushed through
        allowed: bool | None = highway in BIKE_WAYS or highway in BIKE_IF_ALLOWED
    else:
        allowed = _access(tags, ("bicycle", "vehicle", "access"))
        if allowed is None:
            allowed = highway in BIKE_WAYS
        elif allowed:
            allowed = highway in BIKE_WAYS or highway in BIKE_IF_ALLOWED
    if not allowed:
        return None
    oneway = tags.get("oneway:bicycle") or tags.get("oneway")
    if tags.get("cycleway") in BIKE_CONTRAFLOW:
        oneway = "no"
    forward, backward = _oneway(oneway, _implied_oneway(tags))
    return WayRule(speed, forward, backward)


def foot_rule(tags: Tags) -> WayRule | None:
    highway = tags.get("highway", "")
    allowed = _access(tags, ("foot", "access"))
    if allowed is False or (allowed is None and highway not in FOOT_WAYS):
        return None
    if highway in IMPLIED_ONEWAY_HIGHWAYS or highway == "construction" or tags.get("motorroad") == "yes":
        return None
    return WayRule(STEPS_SPEED_KMH if highway == "steps" else FOOT_SPEED_KMH, True, True)  # walkers ignore oneway


RULES: dict[VehicleProfile, Callable[[Tags], WayRule | None]] = {
    VehicleProfile.car: car_rule,
    VehicleProfile.van: van_rule,
    VehicleProfile.bike: bike_rule,
    VehicleProfile.foot: foot_rule,
}

_RULE_TAGS = (
    "highway",
    "area",
    "oneway",
    "oneway:bicycle",
    "junction",
    "maxspeed",
    "access",
    "vehicle",
    "motor_vehicle",
    "motorcar",
    "goods",
    "bicycle",
    "foot",
    "cycleway",
    "motorroad",
)


# ---------------------------------------------------------------- one profile's graph


class ProfileGraph:
    """One profile's strongly connected graph: node locations and time-weighted CSR edges with their lengths."""

    ARRAYS = ("lat", "lon", "indptr", "indices", "time_s", "length_m")

    def __init__(self, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
        self.lat: FloatArray = np.asarray(arrays["lat"], dtype=np.float64)
        self.lon: FloatArray = np.asarray(arrays["lon"], dtype=np.float64)
        self.indptr: IndexArray = np.asarray(arrays["indptr"], dtype=np.int64)
        self.indices: IndexArray = np.asarray(arrays["indices"], dtype=np.int64)
        self.time_s: FloatArray = np.asarray(arrays["time_s"], dtype=np.float64)
        self.length_m: FloatArray = np.asarray(arrays["length_m"], dtype=np.float64)
        n = self.node_count
        self.times = csr_matrix((self.time_s, self.indices, self.indptr), shape=(n, n))
        # Every node's incoming edges, grouped by head: the tree edge Dijkstra took into a node is among them.
        by_head = np.argsort(self.indices, kind="stable")
        self._in_tails = np.repeat(np.arange(n, dtype=np.int64), np.diff(self.indptr))[by_head]
        self._in_lengths = self.length_m[by_head]
        self._in_degree = np.bincount(self.indices, minlength=n)
        self._in_start = np.cumsum(self._in_degree) - self._in_degree
        # An equirectangular projection around the graph's centre: metres within 0.1 % across a city; on a
        # country-size extract snapping may pick a node a few per cent farther than the nearest.
        self._lat0 = float(self.lat.mean()) if n else 0.0
        self._lon0 = float(self.lon.mean()) if n else 0.0
        self._tree = cKDTree(self._project(self.lat, self.lon)) if n else None

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        return {name: getattr(self, name) for name in self.ARRAYS}

    @property
    def node_count(self) -> int:
        return int(self.lat.shape[0])

    @property
    def edge_count(self) -> int:
        return int(self.indices.shape[0])

    def _project(self, lat: FloatArray, lon: FloatArray) -> FloatArray:
        metres_per_degree = np.radians(1.0) * EARTH_RADIUS_M
        x = (lon - self._lon0) * metres_per_degree * np.cos(np.radians(self._lat0))
        y = (lat - self._lat0) * metres_per_degree
        return np.column_stack([x, y])

    def snap(self, points: FloatArray, *, where: str) -> tuple[IndexArray, FloatArray]:
        """The nearest node of each point and the distance to it, or TravelError for the first point too far."""
        if self._tree is None:
            raise TravelError(f"the {where} has no way this vehicle may use")
        _, nodes = self._tree.query(self._project(points[:, 0], points[:, 1]))
        nodes = np.asarray(nodes, dtype=np.int64)
        snap_m = np.asarray(haversine_m(points[:, 0], points[:, 1], self.lat[nodes], self.lon[nodes]))
        too_far = snap_m > MAX_SNAP_M
        if too_far.any():
            i = int(np.argmax(too_far))
            raise TravelError(
                f"{describe_point(points, i)} is {describe_m(float(snap_m[i]))} from the "
                f"nearest road of the {where}; points must lie within {MAX_SNAP_M:.0f} m of one",
                extra={"point_index": i, "distance_m": round(float(snap_m[i]))},
            )
        return nodes, snap_m

    def _tree_edge_lengths(self, up: IndexArray) -> FloatArray:
        """For up[s, v], the predecessor of v in source s's tree: the length of that edge (0 at the root).

        One pass per incoming slot (a street node has 1-6 incoming edges), each comparing up with every node's k-th
        incoming tail: linear in the array, unlike a search per entry. Edges are unique per (tail, head).
        """
        metres = np.zeros(up.shape)
        for k in range(int(self._in_degree.max(initial=0))):
            has = self._in_degree > k
            edge = np.where(has, self._in_start + k, 0)
            tail = np.where(has, self._in_tails[edge], -1)
            np.copyto(metres, self._in_lengths[edge], where=up == tail)
        return metres

    def fastest(self, sources: IndexArray) -> tuple[FloatArray, FloatArray]:
        """Seconds and metres along the fastest path from each source to every node ([sources, nodes] each).

        The metres are those of the path Dijkstra chose by time, not the shortest distance (a second Dijkstra on
        lengths would give that, and a route planned on times would then be reported with another path's metres).
        They are summed up the shortest-path tree the predecessors describe by pointer doubling: every node jumps
        to its predecessor's predecessor, adding that stretch, so a path of k edges takes log2(k) numpy passes.
        """
        times, predecessors = dijkstra(self.times, directed=True, indices=sources, return_predecessors=True)
        rows, n = predecessors.shape
        nodes = np.arange(n, dtype=np.int64)
        # The root and unreachable nodes (-9999) point at themselves.
        up = np.where(predecessors < 0, nodes[None, :], predecessors).astype(np.int64, copy=False)
        metres = self._tree_edge_lengths(up).ravel()
        up = (up + (np.arange(rows, dtype=np.int64) * n)[:, None]).ravel()  # flat indices: one gather per pass
        while True:
            further = up[up]
            if np.array_equal(further, up):
                return times, metres.reshape(rows, n)
            metres += metres[up]
            up = further

    def path(self, source: int, target: int) -> list[int]:
        """The nodes of the fastest path from source to target, both included."""
        _, predecessors = dijkstra(self.times, directed=True, indices=source, return_predecessors=True)
        nodes = [target]
        while nodes[-1] != source:
            previous = int(predecessors[nodes[-1]])
            if previous < 0:  # not possible in a strongly connected graph; kept as a guard
                raise TravelError("no route between these points")
            nodes.append(previous)
        return nodes[::-1]


def _profile_graph(
    lat: FloatArray, lon: FloatArray, tails: IndexArray, heads: IndexArray, time_s: FloatArray, length_m: FloatArray
) -> ProfileGraph:
    """The largest strongly connected component of these edges, renumbered, with duplicate edges merged."""
    n = int(lat.shape[0])
    keep = tails != heads
    tails, heads, time_s, length_m = tails[keep], heads[keep], time_s[keep], length_m[keep]
    # Two ways can join the same two nodes: keep the faster (scipy would add their weights up).
    order = np.lexsort((time_s, heads, tails))
    tails, heads, time_s, length_m = tails[order], heads[order], time_s[order], length_m[order]
    first = np.ones(len(tails), dtype=bool)
    first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
    tails, heads, time_s, length_m = tails[first], heads[first], time_s[first], length_m[first]
    if len(tails) == 0:
        empty_f, empty_i = np.empty(0, dtype=np.float64), np.empty(0, dtype=np.int64)
        return ProfileGraph(
            {"lat": empty_f, "lon": empty_f, "indptr": np.zeros(1, dtype=np.int64), "indices": empty_i}
            | {"time_s": empty_f, "length_m": empty_f}
        )
    graph = csr_matrix((time_s, (tails, heads)), shape=(n, n))
    _, labels = connected_components(graph, directed=True, connection="strong")
    # Nodes without edges are components of their own; the largest one is where the ways are.
    largest = np.bincount(labels).argmax()
    inside = labels == largest
    renumber = np.cumsum(inside) - 1
    keep = inside[tails] & inside[heads]
    tails, heads = renumber[tails[keep]], renumber[heads[keep]]  # renumbering keeps the (from, to) order
    indptr = np.zeros(int(inside.sum()) + 1, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=len(indptr) - 1), out=indptr[1:])
    return ProfileGraph(
        {
            "lat": lat[inside],
            "lon": lon[inside],
            "indptr": indptr,
            "indices": heads.astype(np.int64),
            "time_s": time_s[keep],
            "length_m": length_m[keep],
        }
    )


# ---------------------------------------------------------------- the road graph of an extract


class RoadGraph:
    """The graphs of one OSM extract, one per vehicle profile."""

    def __init__(self, name: str, graphs: dict[VehicleProfile, ProfileGraph], *, loaded_from_cache: bool) -> None:
        self.name = name
        self.graphs = graphs
        self.loaded_from_cache = loaded_from_cache

    def where(self, profile: VehicleProfile) -> str:
        return f"{self.name} road graph ({profile.value})"

    # -- building

    @classmethod
    def from_extract(cls, extract: Path) -> RoadGraph:
        """Read the extract and build every profile's graph (60 ms for the Helsinki demo extract)."""
        if not extract.is_file():
            raise TravelUnavailable(f"the OSM extract {extract} does not exist (DOORSTEP_OSM_EXTRACT)")
        node_index: dict[int, int] = {}
        lat: list[float] = []
        lon: list[float] = []
        tails: list[int] = []
        heads: list[int] = []
        segment_way: list[int] = []
        way_rules: dict[VehicleProfile, list[WayRule | None]] = {profile: [] for profile in RULES}

        def node(ref: int, location: osmium.osm.Location) -> int:
            index = node_index.get(ref)
            if index is None:
                index = node_index[ref] = len(lat)
                lat.append(location.lat)
                lon.append(location.lon)
            return index

        processor = (
            osmium.FileProcessor(str(extract), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        try:
            for way in processor:
                if not isinstance(way, osmium.osm.Way):  # the entity filter lets ways through only
                    continue
                tags = {key: value for key in _RULE_TAGS if (value := way.tags.get(key)) is not None}
                rules = {profile: rule(tags) for profile, rule in RULES.items()}
                if not any(rules.values()):
                    continue
                way_number = len(way_rules[VehicleProfile.car])
                for profile, rule in rules.items():
                    way_rules[profile].append(rule)
                previous: int | None = None
                for ref in way.nodes:
                    # A way leaving the extract refers to nodes it does not contain: the way is cut there.
                    current = node(ref.ref, ref.location) if ref.location.valid() else None
                    if previous is not None and current is not None:
                        tails.append(previous)
                        heads.append(current)
                        segment_way.append(way_number)
                    previous = current
        except RuntimeError as exc:  # osmium's error for an unreadable file
            raise TravelUnavailable(f"cannot read the OSM extract {extract}: {exc}") from exc

        lat_a, lon_a = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
        tails_a, heads_a = np.asarray(tails, dtype=np.int64), np.asarray(heads, dtype=np.int64)
        ways_a = np.asarray(segment_way, dtype=np.int64)
        length_m = np.asarray(haversine_m(lat_a[tails_a], lon_a[tails_a], lat_a[heads_a], lon_a[heads_a]))
        graphs = {}
        for profile, rules_of_ways in way_rules.items():
            speed = np.array([r.speed_kmh if r else 0.0 for r in rules_of_ways], dtype=np.float64)[ways_a]
            forward = np.array([bool(r and r.forward) for r in rules_of_ways], dtype=bool)[ways_a] & (speed > 0)
            backward = np.array([bool(r and r.backward) for r in rules_of_ways], dtype=bool)[ways_a] & (speed > 0)
            edge_tails = np.concatenate([tails_a[forward], heads_a[backward]])
            edge_heads = np.concatenate([heads_a[forward], tails_a[backward]])
            edge_length = np.concatenate([length_m[forward], length_m[backward]])
            edge_speed = np.concatenate([speed[forward], speed[backward]])
            edge_time = edge_length / (edge_speed / 3.6)  # 0 s for an elevator's two floors: scipy keeps zeros
            graphs[profile] = _profile_graph(lat_a, lon_a, edge_tails, edge_heads, edge_time, edge_length)
        return cls(extract.name.split(".")[0], graphs, loaded_from_cache=False)

    # -- the disk cache

    @staticmethod
    def cache_path(extract: Path, cache_dir: Path) -> Path:
        digest = hashlib.sha256()
        with extract.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        name = extract.name.split(".")[0]
        return cache_dir / f"road-graph-{name}-{digest.hexdigest()[:24]}-v{GRAPH_FORMAT_VERSION}.npz"

    def save(self, path: Path) -> None:
        """Write the arrays as .npz, atomically: a reader never sees half a file, two writers never mix."""
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, npt.NDArray[Any]] = {"name": np.array(self.name)}
        for profile, graph in self.graphs.items():
            arrays |= {f"{profile.value}.{key}": value for key, value in graph.arrays().items()}
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".partial")
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, allow_pickle=False, **arrays)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> RoadGraph:
        # allow_pickle=False: the file holds plain arrays only, so even a tampered cache cannot run code.
        with np.load(path, allow_pickle=False) as data:
            graphs = {
                profile: ProfileGraph({key: data[f"{profile.value}.{key}"] for key in ProfileGraph.ARRAYS})
                for profile in VehicleProfile
            }
            return cls(str(data["name"]), graphs, loaded_from_cache=True)

    @classmethod
    def load_or_build(cls, extract: Path, cache_dir: Path) -> RoadGraph:
        """The cached graph of this exact extract (by sha256 and format version), else a fresh build, then cached."""
        started = time.perf_counter()
        if not extract.is_file():
            raise TravelUnavailable(f"the OSM extract {extract} does not exist (DOORSTEP_OSM_EXTRACT)")
        path = cls.cache_path(extract, cache_dir)
        if path.is_file():
            try:
                graph = cls.load(path)
            except (OSError, ValueError, KeyError) as exc:
                log.warning("road_graph_cache_unreadable", path=str(path), error=str(exc))
            else:
                log.info("road_graph_loaded", path=str(path), seconds=round(time.perf_counter() - started, 3))
                return graph
        graph = cls.from_extract(extract)
        try:
            graph.save(path)
        except OSError as exc:  # a read-only cache dir costs a rebuild per process, not the service
            log.warning("road_graph_cache_not_written", path=str(path), error=str(exc))
        log.info(
            "road_graph_built",
            extract=str(extract),
            seconds=round(time.perf_counter() - started, 3),
            **{f"{p.value}_nodes": g.node_count for p, g in graph.graphs.items()},
        )
        return graph

    # -- queries

    def matrix(self, points: FloatArray, profile: VehicleProfile) -> Matrix:
        n = len(points)
        if n == 0:
            empty = np.zeros((0, 0), dtype=np.int64)
            return Matrix(durations_s=empty, distances_m=empty.copy())
        graph = self.graphs[profile]
        nodes, snap_m = graph.snap(points, where=self.where(profile))
        sources, slot = np.unique(nodes, return_inverse=True)
        slot = slot.reshape(-1)
        seconds = np.empty((len(sources), len(sources)))
        metres = np.empty((len(sources), len(sources)))
        batch = max(1, DIJKSTRA_MEMORY_BYTES // (BYTES_PER_SOURCE_NODE * max(graph.node_count, 1)))
        for start in range(0, len(sources), batch):
            times, lengths = graph.fastest(sources[start : start + batch])
            seconds[start : start + batch] = times[:, sources]
            metres[start : start + batch] = lengths[:, sources]
        if not np.isfinite(seconds).all():  # not possible in a strongly connected graph; kept as a guard
            raise TravelError(f"some points cannot reach each other on the {self.where(profile)}")
        snap_s = snap_m / (SNAP_SPEED_KMH[profile] / 3.6)
        durations = snap_s[:, None] + seconds[slot][:, slot] + snap_s[None, :]
        distances = snap_m[:, None] + metres[slot][:, slot] + snap_m[None, :]
        same = identical_points(points)
        return Matrix(
            durations_s=np.where(same, 0, np.rint(durations)).astype(np.int64),
            distances_m=np.where(same, 0, np.rint(distances)).astype(np.int64),
        )

    def leg_geometry(self, a: FloatArray, b: FloatArray, profile: VehicleProfile) -> dict[str, Any]:
        """From a, along the streets of the fastest path, to b: the snap stretches are drawn as straight lines."""
        graph = self.graphs[profile]
        points = np.vstack([a, b])
        nodes, _ = graph.snap(points, where=self.where(profile))
        path = graph.path(int(nodes[0]), int(nodes[1]))
        coordinates: list[Point] = [(float(a[0]), float(a[1]))]
        coordinates += [(float(graph.lat[k]), float(graph.lon[k])) for k in path]
        coordinates.append((float(b[0]), float(b[1])))
        return line_string(coordinates)


# ---------------------------------------------------------------- the provider


class RoadGraphTravelTimes:
    """Travel times on the road graph of an OSM extract, built (or loaded from the cache) on first use."""

    name = "road_graph"

    def __init__(self, extract: Path, *, cache_dir: Path) -> None:
        self.extract = extract
        self.cache_dir = cache_dir
        self._graph: RoadGraph | None = None
        self._lock = threading.Lock()  # a thread lock: callers wait in worker threads, whatever their event loop
        self._cache = MatrixCache()

    def graph(self) -> RoadGraph:
        """The graph, built at most once per provider; blocking: call it from a worker thread."""
        with self._lock:
            if self._graph is None:
                self._graph = RoadGraph.load_or_build(self.extract, self.cache_dir)
            return self._graph

    async def matrix(self, points: Sequence[Point], profile: VehicleProfile) -> Matrix:
        checked = checked_points(points)
        cached = self._cache.get(profile, checked)
        if cached is not None:
            return cached
        matrix = await asyncio.to_thread(lambda: self.graph().matrix(checked, profile))
        self._cache.put(profile, checked, matrix)
        return matrix

    async def leg_geometry(self, a: Point, b: Point, profile: VehicleProfile) -> dict[str, Any]:
        checked = checked_points([a, b])
        return await asyncio.to_thread(lambda: self.graph().leg_geometry(checked[0], checked[1], profile))
