"""Travel-time providers: the straight line by hand, OSRM against a local server speaking OSRM's JSON, the factory."""

from __future__ import annotations

import json
import math
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from backend.fleet.models import VehicleProfile
from backend.kit.problems import handle_exception
from backend.routing.road_graph import RoadGraphTravelTimes
from backend.routing.travel import (
    Matrix,
    MatrixCache,
    OsrmTravelTimes,
    StraightLineTravelTimes,
    TravelError,
    TravelUnavailable,
    provider_from_settings,
)
from backend.settings import Settings, SettingsError

KAMPPI = (60.1700, 24.9400)
NORTH = (60.1800, 24.9400)  # 0.01 degree of latitude further north
ESPLANADI = (60.1675, 24.9470)


# ---------------------------------------------------------------- straight line


async def test_straight_line_numbers_by_hand() -> None:
    matrix = await StraightLineTravelTimes().matrix([KAMPPI, NORTH], VehicleProfile.car)
    # 0.01 degree of a meridian on a sphere of 6,371,008.8 m: 1,111.95 m; x 1.3 detour = 1,445.5 m;
    # at 40 km/h (11.11 m/s): 130.1 s
    assert math.isclose(6_371_008.8 * math.radians(0.01), 1111.95, abs_tol=0.01)
    assert matrix.distances_m.tolist() == [[0, 1446], [1446, 0]]
    assert matrix.durations_s.tolist() == [[0, 130], [130, 0]]
    foot = await StraightLineTravelTimes().matrix([KAMPPI, NORTH], VehicleProfile.foot)
    assert foot.durations_s[0, 1] == 1041  # 1,445.5 m at 5 km/h
    assert foot.distances_m[0, 1] == 1446


async def test_straight_line_speeds_order_the_profiles() -> None:
    points = [KAMPPI, NORTH, ESPLANADI]
    seconds = {p: (await StraightLineTravelTimes().matrix(points, p)).durations_s[0, 2] for p in VehicleProfile}
    assert seconds[VehicleProfile.car] < seconds[VehicleProfile.van] < seconds[VehicleProfile.bike]
    assert seconds[VehicleProfile.bike] < seconds[VehicleProfile.foot]


async def test_straight_line_geometry_is_the_straight_line() -> None:
    geometry = await StraightLineTravelTimes().leg_geometry(KAMPPI, NORTH, VehicleProfile.bike)
    assert geometry == {"type": "LineString", "coordinates": [[24.94, 60.17], [24.94, 60.18]]}


async def test_a_big_straight_line_matrix_runs_in_a_thread_and_agrees() -> None:
    rng = np.random.default_rng(7)
    points = [(float(a), float(b)) for a, b in zip(rng.uniform(60.16, 60.18, 400), rng.uniform(24.93, 24.96, 400))]
    whole = await StraightLineTravelTimes().matrix(points, VehicleProfile.van)
    part = await StraightLineTravelTimes().matrix(points[:50], VehicleProfile.van)
    assert whole.size == 400
    assert np.array_equal(whole.durations_s[:50, :50], part.durations_s)


async def test_bad_coordinates_are_refused_with_their_index() -> None:
    with pytest.raises(TravelError, match="point 2") as caught:
        await StraightLineTravelTimes().matrix([KAMPPI, NORTH, (91.0, 24.9)], VehicleProfile.car)
    assert caught.value.status_code == 422
    assert caught.value.problem_extra == {"point_index": 2}


def test_travel_errors_render_as_problem_details() -> None:
    refused = handle_exception(None, TravelError("point 3 (60.10000, 24.90000) is 2.4 km from the nearest road"))  # type: ignore[arg-type]
    assert refused.status_code == 422
    assert refused.content["type"] == "https://doorstep.dev/problems/travel-times"
    assert refused.content["detail"] == "point 3 (60.10000, 24.90000) is 2.4 km from the nearest road"
    down = handle_exception(None, TravelUnavailable("the OSRM server at http://osrm:5000 cannot be reached"))  # type: ignore[arg-type]
    assert down.status_code == 503
    assert down.content["type"] == "https://doorstep.dev/problems/travel-times-unavailable"


async def test_points_that_are_not_pairs_are_refused() -> None:
    with pytest.raises(TravelError, match="shape"):
        await StraightLineTravelTimes().matrix([(60.17, 24.94, 3.0)], VehicleProfile.car)  # type: ignore[list-item]
    with pytest.raises(TravelError, match="pairs of numbers"):
        await StraightLineTravelTimes().matrix([(60.17, "east")], VehicleProfile.car)  # type: ignore[list-item]


async def test_no_points_and_one_point_give_empty_and_zero_matrices() -> None:
    provider = StraightLineTravelTimes()
    assert (await provider.matrix([], VehicleProfile.car)).size == 0
    assert (await provider.matrix([KAMPPI], VehicleProfile.car)).durations_s.tolist() == [[0]]


# ---------------------------------------------------------------- the matrix and its cache


def square(n: int, fill: int) -> Matrix:
    return Matrix(durations_s=np.full((n, n), fill, dtype=np.int64), distances_m=np.full((n, n), fill, dtype=np.int64))


def test_a_matrix_is_square_int64_and_read_only() -> None:
    matrix = square(2, 5)
    with pytest.raises(ValueError):
        matrix.durations_s[0, 0] = 1
    with pytest.raises(ValueError, match="square int64"):
        Matrix(durations_s=np.zeros((2, 3), dtype=np.int64), distances_m=np.zeros((2, 3), dtype=np.int64))
    with pytest.raises(ValueError, match="square int64"):
        Matrix(durations_s=np.zeros((2, 2)), distances_m=np.zeros((2, 2)))


def test_the_matrix_cache_keys_on_profile_and_points_in_order_and_evicts_the_least_recent() -> None:
    ten_by_ten = 2 * 10 * 10 * 8
    cache = MatrixCache(max_bytes=2 * ten_by_ten)
    a, b, c = (np.array([[60.0 + k, 24.0]] * 10) for k in range(3))
    cache.put(VehicleProfile.car, a, square(10, 1))
    cache.put(VehicleProfile.car, b, square(10, 2))
    assert cache.get(VehicleProfile.bike, a) is None
    assert cache.get(VehicleProfile.car, a) is not None  # a is now the most recent
    cache.put(VehicleProfile.car, c, square(10, 3))  # over the bound: b goes
    assert cache.get(VehicleProfile.car, b) is None
    assert cache.get(VehicleProfile.car, a) is not None and cache.get(VehicleProfile.car, c) is not None
    assert len(cache) == 2
    reordered = np.array([[60.0, 24.0], [61.0, 24.0]])
    cache.put(VehicleProfile.car, reordered, square(2, 4))
    assert cache.get(VehicleProfile.car, reordered[::-1].copy()) is None
    cache.put(VehicleProfile.car, np.zeros((30, 2)), square(30, 0))  # bigger than the whole bound: not kept
    assert cache.get(VehicleProfile.car, np.zeros((30, 2))) is None


# ---------------------------------------------------------------- OSRM against a local server


Answer = tuple[int, Any]  # HTTP status, JSON body (or bytes sent as they are)


@dataclass
class FakeOsrm:
    """A local HTTP server that answers like osrm-routed; tests set `answer` and read `requests`."""

    url: str
    answer: Callable[[str], Answer] = lambda path: (500, {"code": "NotSet"})
    requests: list[str] = field(default_factory=list)
    delay_s: float = 0.0


def osrm_table(n: int, *, null_at: tuple[int, int] | None = None) -> dict[str, Any]:
    durations: list[list[float | None]] = [[abs(i - j) * 61.4 for j in range(n)] for i in range(n)]
    distances: list[list[float | None]] = [[abs(i - j) * 503.6 for j in range(n)] for i in range(n)]
    if null_at:
        durations[null_at[0]][null_at[1]] = None
        distances[null_at[0]][null_at[1]] = None
    waypoints = [{"name": "Mannerheimintie", "location": [24.94, 60.17], "distance": 3.2} for _ in range(n)]
    return {"code": "Ok", "durations": durations, "distances": distances, "sources": waypoints}


@pytest.fixture
def osrm() -> Iterator[FakeOsrm]:
    state: dict[str, FakeOsrm] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake = state["fake"]
            fake.requests.append(self.path)
            time.sleep(fake.delay_s)
            status, body = fake.answer(self.path)
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # the timeout test hangs up on purpose; a broken pipe here is expected

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state["fake"] = FakeOsrm(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield state["fake"]
    finally:
        server.shutdown()
        server.server_close()


async def test_osrm_table_happy_path(osrm: FakeOsrm) -> None:
    osrm.answer = lambda path: (200, osrm_table(3))
    provider = OsrmTravelTimes(osrm.url + "/")
    matrix = await provider.matrix([KAMPPI, NORTH, ESPLANADI], VehicleProfile.van)
    assert matrix.durations_s.tolist() == [[0, 61, 123], [61, 0, 61], [123, 61, 0]]
    assert matrix.distances_m.tolist() == [[0, 504, 1007], [504, 0, 504], [1007, 504, 0]]
    # OSRM's documented URL: lon,lat pairs split by ';', the annotations written literally; a van drives
    assert osrm.requests == [
        "/table/v1/driving/24.940000,60.170000;24.940000,60.180000;24.947000,60.167500?annotations=duration,distance"
    ]
    again = await provider.matrix([KAMPPI, NORTH, ESPLANADI], VehicleProfile.van)
    assert again is matrix and len(osrm.requests) == 1  # from the cache
    await provider.matrix([KAMPPI, NORTH, ESPLANADI], VehicleProfile.bike)
    await provider.matrix([KAMPPI, NORTH, ESPLANADI], VehicleProfile.foot)
    assert [r.split("/")[3] for r in osrm.requests] == ["driving", "cycling", "walking"]


async def test_osrm_is_not_asked_for_fewer_than_two_points(osrm: FakeOsrm) -> None:
    provider = OsrmTravelTimes(osrm.url)
    assert (await provider.matrix([KAMPPI], VehicleProfile.car)).durations_s.tolist() == [[0]]
    assert osrm.requests == []


async def test_osrm_null_means_no_route_and_names_the_pair(osrm: FakeOsrm) -> None:
    osrm.answer = lambda path: (200, osrm_table(3, null_at=(2, 0)))
    with pytest.raises(TravelError) as caught:
        await OsrmTravelTimes(osrm.url).matrix([KAMPPI, NORTH, ESPLANADI], VehicleProfile.car)
    assert caught.value.status_code == 422
    assert "no route from point 2 (60.16750, 24.94700) to point 0 (60.17000, 24.94000)" in caught.value.detail
    assert caught.value.problem_extra == {"from_index": 2, "to_index": 0}


async def test_osrm_error_codes_come_through_with_osrm_message(osrm: FakeOsrm) -> None:
    message = "Could not find a matching segment for coordinate 1"
    osrm.answer = lambda path: (400, {"code": "NoSegment", "message": message})
    with pytest.raises(TravelError) as caught:
        await OsrmTravelTimes(osrm.url).matrix([KAMPPI, NORTH], VehicleProfile.foot)
    assert caught.value.status_code == 422
    assert caught.value.detail == f"OSRM answered NoSegment: {message}"
    assert caught.value.problem_extra == {"osrm_code": "NoSegment"}


async def test_osrm_server_errors_and_garbage_are_a_503(osrm: FakeOsrm) -> None:
    provider = OsrmTravelTimes(osrm.url)
    osrm.answer = lambda path: (502, b"<html>Bad gateway</html>")
    with pytest.raises(TravelUnavailable, match="HTTP 502 without OSRM's JSON") as caught:
        await provider.matrix([KAMPPI, NORTH], VehicleProfile.car)
    assert caught.value.status_code == 503
    osrm.answer = lambda path: (200, {"code": "Ok", "durations": [[0, 1]], "distances": [[0, 1]]})
    with pytest.raises(TravelUnavailable, match=r"shape \(1, 2\) for 2 points"):
        await provider.matrix([KAMPPI, NORTH], VehicleProfile.car)


async def test_osrm_server_down_is_a_503_with_a_clear_message() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TravelUnavailable) as caught:
        await OsrmTravelTimes(f"http://127.0.0.1:{port}").matrix([KAMPPI, NORTH], VehicleProfile.car)
    assert caught.value.status_code == 503
    assert f"the OSRM server at http://127.0.0.1:{port} cannot be reached (ConnectError" in caught.value.detail


async def test_a_slow_osrm_server_times_out_as_a_503(osrm: FakeOsrm) -> None:
    osrm.answer = lambda path: (200, osrm_table(2))
    osrm.delay_s = 0.5
    provider = OsrmTravelTimes(osrm.url, timeout=httpx.Timeout(0.1))
    with pytest.raises(TravelUnavailable, match="did not answer in time"):
        await provider.matrix([KAMPPI, NORTH], VehicleProfile.car)


async def test_osrm_route_geometry(osrm: FakeOsrm) -> None:
    line = {"type": "LineString", "coordinates": [[24.94, 60.17], [24.9405, 60.175], [24.94, 60.18]]}
    osrm.answer = lambda path: (200, {"code": "Ok", "routes": [{"geometry": line, "distance": 1200.0}]})
    geometry = await OsrmTravelTimes(osrm.url).leg_geometry(KAMPPI, NORTH, VehicleProfile.bike)
    assert geometry == line
    assert osrm.requests == [
        "/route/v1/cycling/24.940000,60.170000;24.940000,60.180000?overview=full&geometries=geojson"
    ]
    osrm.answer = lambda path: (400, {"code": "NoRoute", "message": "Impossible route between points"})
    with pytest.raises(TravelError, match="NoRoute: Impossible route"):
        await OsrmTravelTimes(osrm.url).leg_geometry(KAMPPI, NORTH, VehicleProfile.bike)


# ---------------------------------------------------------------- the factory


def test_the_factory_gives_one_provider_per_configuration(tmp_path: Path) -> None:
    settings = Settings.from_env({"DOORSTEP_INSTANCE_DIR": str(tmp_path), "DOORSTEP_TRAVEL_PROVIDER": "straight_line"})
    provider = provider_from_settings(settings)
    assert isinstance(provider, StraightLineTravelTimes)
    assert provider_from_settings(replace(settings, log_level="DEBUG")) is provider

    road = provider_from_settings(replace(settings, travel_provider="road_graph"))
    assert isinstance(road, RoadGraphTravelTimes)
    assert road.cache_dir == tmp_path / "cache"
    assert road.extract.name == "Helsinki.osm.pbf"
    assert provider_from_settings(replace(settings, travel_provider="road_graph")) is road
    # a Settings built in code leaves cache_dir empty: the instance dir's cache is used, never the working dir
    bare = provider_from_settings(Settings(instance_dir=tmp_path / "other"))
    assert isinstance(bare, RoadGraphTravelTimes) and bare.cache_dir == tmp_path / "other" / "cache"

    osrm = provider_from_settings(replace(settings, travel_provider="osrm", osrm_url="http://osrm.internal:5000"))
    assert isinstance(osrm, OsrmTravelTimes) and osrm.name == "osrm"
    with pytest.raises(SettingsError, match="DOORSTEP_OSRM_URL"):
        provider_from_settings(replace(settings, travel_provider="osrm", osrm_url=None))
