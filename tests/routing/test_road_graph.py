"""The OSM road graph on the Helsinki demo extract: real streets, one-way rules, snapping, the disk cache."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from pathlib import Path

import numpy as np
import osmium
import pytest
from scipy.sparse.csgraph import connected_components

from backend.fleet.models import VehicleProfile
from backend.routing import road_graph
from backend.routing.road_graph import (
    MAX_SNAP_M,
    RoadGraph,
    RoadGraphTravelTimes,
    bike_rule,
    car_rule,
    foot_rule,
    parse_maxspeed,
    van_rule,
)
from backend.routing.travel import TravelError, TravelUnavailable, haversine_m

EXTRACT = Path(__file__).resolve().parents[2] / "backend" / "demo" / "data" / "Helsinki.osm.pbf"
ADDRESSES = json.loads((EXTRACT.parent / "addresses.json").read_text())
PLACES = {p["address"]: (p["lat"], p["lon"]) for p in [ADDRESSES["depot"], *ADDRESSES["stores"], *ADDRESSES["stops"]]}
DEPOT = PLACES["Lönnrotinkatu 15, Helsinki"]  # at the extract's western edge: its street is cut off for cars
STORE = PLACES["Mannerheimintie 3 B, Helsinki"]
UNIONINKATU = PLACES["Unioninkatu 36, Helsinki"]  # 612 m from the store as the crow flies
STOPS = [(s["lat"], s["lon"]) for s in ADDRESSES["stops"]]
MIKONKATU_ONE_WAY = 17000885  # highway=secondary, oneway=yes, in the car graph


class Built:
    def __init__(self, graph: RoadGraph, cache_dir: Path, seconds: float) -> None:
        self.graph, self.cache_dir, self.seconds = graph, cache_dir, seconds


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    cache_dir = tmp_path_factory.mktemp("road-graph-cache")
    started = time.perf_counter()
    graph = RoadGraph.load_or_build(EXTRACT, cache_dir)
    return Built(graph, cache_dir, time.perf_counter() - started)


@pytest.fixture(scope="session")
def graph(built: Built) -> RoadGraph:
    return built.graph


def way_points(way_id: int) -> list[tuple[float, float]]:
    processor = (
        osmium.FileProcessor(str(EXTRACT), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.IdFilter([way_id]))
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
    )
    for way in processor:
        assert way.tags.get("oneway") == "yes"
        return [(n.location.lat, n.location.lon) for n in way.nodes]
    raise AssertionError(f"way {way_id} is not in the extract")


# ---------------------------------------------------------------- the graph


def test_every_profile_graph_is_one_strongly_connected_component_of_plausible_size(graph: RoadGraph) -> None:
    sizes = {profile: g.node_count for profile, g in graph.graphs.items()}
    assert graph.name == "Helsinki"
    # foot walks footways, steps and squares too; bikes get cycleways and shared paths; cars only streets
    assert sizes[VehicleProfile.foot] > sizes[VehicleProfile.bike] > sizes[VehicleProfile.car] > 1000
    for g in graph.graphs.values():
        count, _ = connected_components(g.times, directed=True, connection="strong")
        assert count == 1
        assert g.edge_count >= g.node_count  # strongly connected: at least one edge out of every node


def test_the_van_may_use_the_delivery_only_aleksanterinkatu_that_cars_may_not(graph: RoadGraph) -> None:
    # Aleksanterinkatu's service stretch is tagged motorcar=no + goods=destination (a transit mall with deliveries)
    assert car_rule({"highway": "service", "motorcar": "no", "goods": "destination"}) is None
    assert van_rule({"highway": "service", "motorcar": "no", "goods": "destination"}) is not None
    assert graph.graphs[VehicleProfile.van].node_count > graph.graphs[VehicleProfile.car].node_count


def test_a_known_street_pair_is_driven_along_the_streets(graph: RoadGraph) -> None:
    matrix = graph.matrix(np.array([STORE, UNIONINKATU]), VehicleProfile.car)
    straight_m = float(haversine_m(*STORE, *UNIONINKATU))
    for i, j in ((0, 1), (1, 0)):
        distance_m = int(matrix.distances_m[i, j])
        assert straight_m <= distance_m <= 2 * straight_m
        # between 50 km/h and 10 km/h on average through the centre
        assert distance_m / (50 / 3.6) <= matrix.durations_s[i, j] <= distance_m / (10 / 3.6)


def test_a_one_way_street_is_one_way_for_cars_but_not_for_walkers(graph: RoadGraph) -> None:
    nodes = way_points(MIKONKATU_ONE_WAY)
    a, b = nodes[0], nodes[-1]  # a -> b is the way's direction
    points = np.array([a, b])
    car = graph.matrix(points, VehicleProfile.car)
    foot = graph.matrix(points, VehicleProfile.foot)
    _, snap_m = graph.graphs[VehicleProfile.car].snap(points, where="test")
    assert snap_m.max() < 1  # both ends are nodes of the car graph
    # with the flow: straight along the way; against it: round the block
    assert car.distances_m[0, 1] < 30
    assert car.distances_m[1, 0] > 10 * car.distances_m[0, 1]
    assert car.durations_s[1, 0] > 5 * car.durations_s[0, 1]
    assert foot.durations_s[0, 1] == foot.durations_s[1, 0]
    assert foot.distances_m[0, 1] == foot.distances_m[1, 0] == car.distances_m[0, 1]


def test_bike_and_car_matrices_differ(graph: RoadGraph) -> None:
    points = np.array([DEPOT, STORE, *STOPS[:10]])
    car = graph.matrix(points, VehicleProfile.car)
    bike = graph.matrix(points, VehicleProfile.bike)
    assert not np.array_equal(car.distances_m, bike.distances_m)
    assert (bike.durations_s.sum()) > car.durations_s.sum()  # 15 km/h against 24-36 km/h


def test_foot_matrix_is_symmetric_and_zero_on_the_diagonal(graph: RoadGraph) -> None:
    points = np.array(STOPS[:30])
    foot = graph.matrix(points, VehicleProfile.foot)
    assert np.array_equal(foot.durations_s, foot.durations_s.T)
    assert np.abs(foot.distances_m - foot.distances_m.T).max() <= 1  # rounding of equal sums in another order
    assert not foot.durations_s.diagonal().any()
    assert (foot.durations_s + np.eye(30, dtype=np.int64) > 0).all()


def test_the_same_point_twice_costs_nothing_between_the_two(graph: RoadGraph) -> None:
    matrix = graph.matrix(np.array([DEPOT, STORE, DEPOT]), VehicleProfile.van)
    assert matrix.durations_s[0, 2] == matrix.durations_s[2, 0] == 0
    assert matrix.distances_m[0, 2] == 0
    assert matrix.durations_s[0, 1] == matrix.durations_s[2, 1] > 0


def test_distances_are_those_of_the_fastest_path(graph: RoadGraph) -> None:
    car = graph.graphs[VehicleProfile.car]
    points = np.array(STOPS[:12])
    nodes, snap_m = car.snap(points, where="test")
    matrix = graph.matrix(points, VehicleProfile.car)
    for i in range(12):
        for j in range(12):
            if nodes[i] == nodes[j]:
                continue
            path = car.path(int(nodes[i]), int(nodes[j]))
            along_m = sum(
                float(haversine_m(car.lat[u], car.lon[u], car.lat[v], car.lon[v])) for u, v in itertools.pairwise(path)
            )
            assert abs(matrix.distances_m[i, j] - (snap_m[i] + along_m + snap_m[j])) <= 1


def test_snap_distance_is_added_at_crawling_speed(graph: RoadGraph) -> None:
    foot = graph.graphs[VehicleProfile.foot]
    node = (float(foot.lat[100]), float(foot.lon[100]))
    offset = (node[0] + 0.0009, node[1])  # 100 m north, still near the graph
    _, snap_m = foot.snap(np.array([offset]), where="test")
    matrix = graph.matrix(np.array([node, offset]), VehicleProfile.foot)
    assert 0 < snap_m[0] <= 100.1
    assert matrix.distances_m[0, 1] >= round(snap_m[0])
    assert matrix.durations_s[0, 1] >= snap_m[0] / (5 / 3.6) - 1


def test_many_dijkstra_batches_give_the_same_matrix(graph: RoadGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    points = np.array(STOPS[:20])
    whole = graph.matrix(points, VehicleProfile.bike)
    source_bytes = road_graph.BYTES_PER_SOURCE_NODE * graph.graphs[VehicleProfile.bike].node_count
    monkeypatch.setattr(road_graph, "DIJKSTRA_MEMORY_BYTES", 3 * source_bytes)  # 3 sources per batch
    batched = graph.matrix(points, VehicleProfile.bike)
    assert np.array_equal(whole.durations_s, batched.durations_s)
    assert np.array_equal(whole.distances_m, batched.distances_m)


def test_a_graph_keeps_its_largest_strong_component_and_the_faster_of_two_parallel_edges() -> None:
    # 0 -> 1 -> 2 -> 0 is a loop; 3 hangs off 2 by a one-way edge (in, never out); 0 -> 1 twice (two ways)
    lat = np.array([60.170, 60.171, 60.172, 60.173])
    lon = np.array([24.940, 24.941, 24.942, 24.943])
    tails, heads = np.array([0, 0, 1, 2, 2]), np.array([1, 1, 2, 0, 3])
    graph = road_graph._profile_graph(
        lat, lon, tails, heads, time_s=np.array([9.0, 4.0, 5.0, 6.0, 1.0]), length_m=np.array([90, 40, 50, 60, 10.0])
    )
    assert graph.node_count == 3 and graph.edge_count == 3
    times, metres = graph.fastest(np.array([0]))
    assert times.tolist() == [[0.0, 4.0, 9.0]]  # the 4 s edge, not 9 s nor 13 s (scipy would add duplicates up)
    assert metres.tolist() == [[0.0, 40.0, 90.0]]
    nodes, snap_m = graph.snap(np.array([[60.173, 24.943]]), where="test graph")  # exactly at node 3: gone
    assert graph.lat[nodes[0]] == 60.172 and snap_m[0] == pytest.approx(125, abs=2)  # node 2 instead


def test_a_graph_without_edges_refuses_every_point() -> None:
    none = np.empty(0, dtype=np.int64)
    graph = road_graph._profile_graph(
        np.array([60.17]), np.array([24.94]), none, none, time_s=np.empty(0), length_m=np.empty(0)
    )
    assert graph.node_count == 0
    with pytest.raises(TravelError, match="has no way this vehicle may use"):
        graph.snap(np.array([[60.17, 24.94]]), where="test graph")


# ---------------------------------------------------------------- refusals


def test_a_point_outside_the_extract_is_refused_with_its_index_and_distance(graph: RoadGraph) -> None:
    tampere = (61.4978, 23.7610)
    with pytest.raises(TravelError) as caught:
        graph.matrix(np.array([DEPOT, STORE, tampere]), VehicleProfile.car)
    assert caught.value.status_code == 422
    assert "point 2 (61.49780, 23.76100)" in caught.value.detail
    assert "km from the nearest road of the Helsinki road graph (car)" in caught.value.detail
    assert caught.value.problem_extra["point_index"] == 2


def test_a_street_cut_off_by_the_extract_edge_is_left_out_for_cars_but_not_for_walkers(graph: RoadGraph) -> None:
    # The depot's stretch of Lönnrotinkatu is one-way and leaves the extract: cars could enter but never come
    # back, so it is not in the car graph's strongly connected component and the depot snaps to the next street.
    _, car_snap_m = graph.graphs[VehicleProfile.car].snap(np.array([DEPOT]), where="test")
    _, foot_snap_m = graph.graphs[VehicleProfile.foot].snap(np.array([DEPOT]), where="test")
    assert 50 < car_snap_m[0] < MAX_SNAP_M
    assert foot_snap_m[0] < 15


def test_a_point_just_beyond_the_snap_limit_is_refused(graph: RoadGraph) -> None:
    foot = graph.graphs[VehicleProfile.foot]
    south = int(np.argmin(foot.lat))
    out_at_sea = (float(foot.lat[south]) - (MAX_SNAP_M + 50) / 111_195, float(foot.lon[south]))
    with pytest.raises(TravelError, match="point 0"):
        graph.matrix(np.array([out_at_sea]), VehicleProfile.foot)


async def test_the_provider_refuses_coordinates_that_are_not_degrees(tmp_path: Path) -> None:
    provider = RoadGraphTravelTimes(EXTRACT, cache_dir=tmp_path)
    with pytest.raises(TravelError, match="point 1"):
        await provider.matrix([DEPOT, (float("nan"), 24.9)], VehicleProfile.car)
    with pytest.raises(TravelError, match="point 0"):
        await provider.matrix([(24.94, 160.17)], VehicleProfile.car)  # lat 160: swapped or garbage


async def test_a_missing_extract_is_a_503_not_a_crash(tmp_path: Path) -> None:
    provider = RoadGraphTravelTimes(tmp_path / "nowhere.osm.pbf", cache_dir=tmp_path)
    with pytest.raises(TravelUnavailable) as caught:
        await provider.matrix([DEPOT, STORE], VehicleProfile.car)
    assert caught.value.status_code == 503
    assert "nowhere.osm.pbf does not exist" in caught.value.detail


# ---------------------------------------------------------------- geometry


def test_leg_geometry_follows_the_streets_from_point_to_point(graph: RoadGraph) -> None:
    a, b = STORE, UNIONINKATU
    geometry = graph.leg_geometry(np.array(a), np.array(b), VehicleProfile.car)
    assert geometry["type"] == "LineString"
    coordinates = geometry["coordinates"]
    assert coordinates[0] == [round(a[1], 6), round(a[0], 6)]
    assert coordinates[-1] == [round(b[1], 6), round(b[0], 6)]
    nodes, snap_m = graph.graphs[VehicleProfile.car].snap(np.array([a, b]), where="test")
    car = graph.graphs[VehicleProfile.car]
    # the second and the last-but-one positions are the snapped nodes, within the snap distance of the points
    assert coordinates[1] == [round(float(car.lon[nodes[0]]), 6), round(float(car.lat[nodes[0]]), 6)]
    assert coordinates[-2] == [round(float(car.lon[nodes[1]]), 6), round(float(car.lat[nodes[1]]), 6)]
    assert float(haversine_m(a[0], a[1], coordinates[1][1], coordinates[1][0])) == pytest.approx(snap_m[0], abs=0.5)
    assert len(coordinates) > 10  # it turns corners, it is not a straight line
    lon, lat = np.array(coordinates).T
    length_m = float(np.sum(haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])))
    matrix = graph.matrix(np.array([a, b]), VehicleProfile.car)
    assert length_m == pytest.approx(matrix.distances_m[0, 1], abs=2)


# ---------------------------------------------------------------- the disk cache and the provider


def test_the_graph_loads_from_the_disk_cache_on_the_second_build_and_faster(built: Built) -> None:
    assert not built.graph.loaded_from_cache
    files = list(built.cache_dir.glob("road-graph-Helsinki-*-v*.npz"))
    assert len(files) == 1
    started = time.perf_counter()
    again = RoadGraph.load_or_build(EXTRACT, built.cache_dir)
    seconds = time.perf_counter() - started
    assert again.loaded_from_cache
    assert seconds < built.seconds
    points = np.array(STOPS[:8])
    for profile in VehicleProfile:
        assert np.array_equal(
            again.matrix(points, profile).durations_s, built.graph.matrix(points, profile).durations_s
        )


def test_a_damaged_cache_file_is_rebuilt_not_trusted(built: Built, tmp_path: Path) -> None:
    damaged = RoadGraph.cache_path(EXTRACT, tmp_path)
    damaged.write_bytes(b"not an npz")
    graph = RoadGraph.load_or_build(EXTRACT, tmp_path)
    assert not graph.loaded_from_cache
    assert RoadGraph.load_or_build(EXTRACT, tmp_path).loaded_from_cache  # the rebuilt one replaced it


async def test_the_provider_builds_once_and_caches_matrices(
    built: Built, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    builds: list[Path] = []
    original = RoadGraph.load_or_build.__func__  # type: ignore[attr-defined]

    def counting(cls: type[RoadGraph], extract: Path, cache_dir: Path) -> RoadGraph:
        builds.append(extract)
        time.sleep(0.05)  # let the concurrent callers pile up behind the lock
        return original(cls, extract, cache_dir)

    monkeypatch.setattr(RoadGraph, "load_or_build", classmethod(counting))
    provider = RoadGraphTravelTimes(EXTRACT, cache_dir=built.cache_dir)
    points = [DEPOT, *STOPS[:5]]
    first, second, bike = await asyncio.gather(
        provider.matrix(points, VehicleProfile.car),
        provider.matrix(points[::-1], VehicleProfile.car),
        provider.matrix(points, VehicleProfile.bike),
    )
    assert len(builds) == 1
    assert np.array_equal(first.durations_s[::-1, ::-1], second.durations_s)
    assert await provider.matrix(points, VehicleProfile.car) is first  # from the LRU
    assert await provider.matrix(points, VehicleProfile.bike) is bike
    with pytest.raises(ValueError, match="read-only"):
        first.durations_s[0, 1] = 7  # a caller cannot spoil the cached copy
    geometry = await provider.leg_geometry(DEPOT, STOPS[0], VehicleProfile.foot)
    assert geometry["type"] == "LineString"


# ---------------------------------------------------------------- profile rules


def test_oneway_tags_and_their_implied_cases() -> None:
    def directions(rule: object) -> tuple[bool, bool]:
        assert rule is not None
        return rule.forward, rule.backward  # type: ignore[attr-defined]

    assert directions(car_rule({"highway": "residential"})) == (True, True)
    for value in ("yes", "1", "true"):
        assert directions(car_rule({"highway": "residential", "oneway": value})) == (True, False)
    assert directions(car_rule({"highway": "residential", "oneway": "-1"})) == (False, True)
    assert directions(car_rule({"highway": "primary", "junction": "roundabout"})) == (True, False)
    assert directions(car_rule({"highway": "motorway"})) == (True, False)
    assert directions(car_rule({"highway": "motorway", "oneway": "no"})) == (True, True)
    assert directions(bike_rule({"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"})) == (True, True)
    assert directions(bike_rule({"highway": "residential", "oneway": "yes", "cycleway": "opposite_lane"})) == (
        True,
        True,
    )
    assert directions(bike_rule({"highway": "residential", "oneway": "yes"})) == (True, False)
    assert directions(foot_rule({"highway": "residential", "oneway": "yes"})) == (True, True)


def test_access_tags_decide_who_may_use_a_way() -> None:
    assert car_rule({"highway": "footway"}) is None
    assert car_rule({"highway": "service", "access": "private"}) is None
    assert car_rule({"highway": "service", "access": "destination"}) is not None
    assert car_rule({"highway": "residential", "access": "no", "motor_vehicle": "yes"}) is not None
    assert bike_rule({"highway": "footway"}) is None
    assert bike_rule({"highway": "footway", "bicycle": "yes"}) is not None
    assert bike_rule({"highway": "secondary", "bicycle": "use_sidepath"}) is None
    assert bike_rule({"highway": "motorway"}) is None
    dismounted = bike_rule({"highway": "pedestrian", "bicycle": "dismount"})
    assert dismounted is not None and dismounted.speed_kmh == 5
    assert foot_rule({"highway": "steps"}) is not None
    assert foot_rule({"highway": "footway", "access": "no", "foot": "yes"}) is not None
    assert foot_rule({"highway": "footway", "foot": "no"}) is None
    assert foot_rule({"highway": "motorway"}) is None
    assert car_rule({"highway": "service", "access": "conditional=yes @ (Mo-Fr 08:00-20:00)"}) is not None


def test_speeds_come_from_maxspeed_else_the_highway_class() -> None:
    assert parse_maxspeed("30") == 30
    assert parse_maxspeed("20 mph") == pytest.approx(32.19, abs=0.01)
    assert parse_maxspeed("FI:urban") == 50
    assert parse_maxspeed("signals") is None
    assert car_rule({"highway": "secondary", "maxspeed": "40"}).speed_kmh == pytest.approx(32)  # type: ignore[union-attr]
    assert car_rule({"highway": "secondary"}).speed_kmh == 40  # type: ignore[union-attr]
    assert van_rule({"highway": "secondary"}).speed_kmh == 35  # type: ignore[union-attr]
