"""The courier simulator: its motion model (paths, headings, noise, the speedup clock, a stop's fate), and one
run of `doorstep simulate` against a real `doorstep demo` server, checked through the API."""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import msgspec
import pytest
import websockets.asyncio.server

from backend.demo.live_day import LAST_BATCH_AT
from backend.tracking.courier import DriverSocket, last_place, next_open
from backend.tracking.simulate import (
    MAX_APPARENT_SPEED_MPS,
    MIN_DWELL_REAL_S,
    PARK_WITHIN_M,
    GpsNoise,
    Motion,
    Pace,
    Polyline,
    StopPlan,
    distance_m,
    drive,
    heading_deg,
    offset,
    plan_stop,
    position_frame,
)
from backend.tracking.socket import PositionFrame
from tests.factories import midday_zone

HELSINKI = (60.1699, 24.9384)


def east_line(*metres: float) -> Polyline:
    """A straight path due east of Helsinki through points this many metres along."""
    return Polyline([offset(HELSINKI, 0.0, m) for m in metres])


# ---------------------------------------------------------------- geometry


def test_a_polyline_is_walked_by_distance_and_clamped_at_its_ends() -> None:
    line = east_line(0, 100, 300)
    assert line.length_m == pytest.approx(300, abs=0.5)
    assert line.cumulative == pytest.approx([0, 100, 300], abs=0.5)
    for along in (0, 50, 100, 250, 300):
        assert distance_m(line.at(0), line.at(along)) == pytest.approx(along, abs=0.5)
    assert line.at(-10) == line.points[0]
    assert line.at(1_000) == line.end == line.points[-1]


def test_a_polyline_reads_geojson_lon_lat_and_drops_repeated_points() -> None:
    line = Polyline.from_geojson(
        {"type": "LineString", "coordinates": [[24.93, 60.16], [24.93, 60.16], [24.94, 60.17]]}
    )
    assert line.points == [(60.16, 24.93), (60.17, 24.94)]
    assert Polyline([(60.16, 24.93)]).length_m == 0
    assert Polyline([(60.16, 24.93)]).at(5) == (60.16, 24.93)


def test_headings_follow_the_compass_and_the_segment_being_driven() -> None:
    north, east = offset(HELSINKI, 100, 0), offset(HELSINKI, 0, 100)
    assert heading_deg(HELSINKI, north) == pytest.approx(0, abs=0.01)
    assert heading_deg(HELSINKI, east) == pytest.approx(90, abs=0.1)
    assert heading_deg(north, HELSINKI) == pytest.approx(180, abs=0.01)
    assert heading_deg(east, HELSINKI) == pytest.approx(270, abs=0.1)
    corner = Polyline([HELSINKI, east, offset(HELSINKI, 100, 100)])  # east, then north
    assert corner.heading_at(50) == pytest.approx(90, abs=0.1)
    assert corner.heading_at(150) == pytest.approx(0, abs=0.1)


def test_an_offset_moves_a_point_by_metres() -> None:
    moved = offset(HELSINKI, 30, 40)
    assert distance_m(HELSINKI, moved) == pytest.approx(50, abs=0.05)


# ---------------------------------------------------------------- noise, pace, a stop's fate


def test_gps_noise_is_a_few_metres_gaussian_and_drifts_rather_than_jumps() -> None:
    noise = GpsNoise(random.Random(7), sigma_m=4.0)
    errors = [noise.step() for _ in range(20_000)]
    north = [n for n, _ in errors]
    assert abs(statistics.fmean(north)) < 0.5
    assert statistics.pstdev(north) == pytest.approx(4.0, rel=0.15)
    assert max(math.hypot(n, e) for n, e in errors) < 25  # over 6 sigma never happens in 20k draws
    jumps = [math.hypot(n2 - n1, e2 - e1) for (n1, e1), (n2, e2) in itertools.pairwise(errors)]
    assert statistics.fmean(jumps) < 3.0  # consecutive fixes wander together
    fixes = [noise.apply(HELSINKI) for _ in range(500)]
    assert all(5 <= accuracy <= 15 for _, accuracy in fixes)
    assert all(distance_m(HELSINKI, point) < 25 for point, _ in fixes)


def test_the_noise_is_reproducible_with_a_seed() -> None:
    a, b = GpsNoise(random.Random(1)), GpsNoise(random.Random(1))
    assert [a.step() for _ in range(5)] == [b.step() for _ in range(5)]


def test_the_speedup_clock_runs_simulated_time_faster_within_the_servers_limits() -> None:
    assert Pace(1).simulated_s(1.0, 8.0) == 1.0
    assert Pace(60).simulated_s(1.0, 0.0) == 60.0  # standing still: full speed ahead
    assert Pace(60).simulated_s(2.0, 0.0) == 120.0
    moving = Pace(60).simulated_s(1.0, 8.0)
    assert moving * 8.0 == pytest.approx(MAX_APPARENT_SPEED_MPS)  # real-time speed held under 200 km/h
    assert Pace(3).simulated_s(1.0, 8.0) == 3.0  # 24 m/s real: under the cap
    assert Pace(1).dwell_real_s(120) == 120
    assert Pace(60).dwell_real_s(120) == MIN_DWELL_REAL_S  # the geofence wants 20 s of device time
    with pytest.raises(ValueError):
        Pace(0.5)


def test_a_stops_fate_fails_about_one_door_in_ten_and_parks_near_it() -> None:
    rng = random.Random(11)
    plans = [plan_stop(rng) for _ in range(4_000)]
    failed = [p for p in plans if p.outcome == "failed"]
    assert 0.08 < len(failed) / len(plans) < 0.12
    assert all(p.reason == "not_home" for p in failed)
    assert all(p.reason is None for p in plans if p.outcome == "delivered")
    assert all(60 <= p.dwell_s <= 180 for p in plans)
    assert 0.1 < sum(p.delay_s > 0 for p in plans) / len(plans) < 0.2
    assert all(60 <= p.delay_s <= 180 for p in plans if p.delay_s)
    assert all(math.hypot(p.park_north_m, p.park_east_m) <= PARK_WITHIN_M for p in plans)


# ---------------------------------------------------------------- driving a leg


def plan(delay_s: float = 0.0) -> StopPlan:
    return StopPlan(60.0, "delivered", None, delay_s, 0.5, 0.0, 0.0)


def test_a_van_drives_a_leg_at_town_speed_to_its_end() -> None:
    line = east_line(0, 1_000, 2_000)
    motions = list(drive(line, rng=random.Random(3), pace=Pace(1), plan=plan()))
    assert motions[-1].point == line.end
    minutes = len(motions) / 60  # one tick per simulated second at speedup 1
    assert 2.0 / 38 * 60 < minutes < 2.0 / 15 * 60  # 2 km at about 25-35 km/h, braking at the end
    assert all(0 < m.speed_mps <= 35 / 3.6 * 1.25 for m in motions)
    assert all(m.heading_deg == pytest.approx(90, abs=0.5) for m in motions)
    steps = [distance_m(a.point, b.point) for a, b in itertools.pairwise(motions)]
    assert max(steps) <= 35 / 3.6 * 1.25 + 0.01


def test_a_sped_up_van_never_moves_faster_in_real_time_than_the_server_believes() -> None:
    line = east_line(0, 3_000)
    motions = list(drive(line, rng=random.Random(3), pace=Pace(60), plan=plan()))
    steps = [distance_m(a.point, b.point) for a, b in itertools.pairwise(motions)]
    assert max(steps) <= MAX_APPARENT_SPEED_MPS + 0.01
    assert len(motions) < 3_000 / 25  # still far faster than real time


def test_traffic_stands_the_van_still_for_the_delay() -> None:
    line = east_line(0, 1_000)
    clear = list(drive(line, rng=random.Random(5), pace=Pace(1), plan=plan()))
    jammed = list(drive(line, rng=random.Random(5), pace=Pace(1), plan=plan(delay_s=120)))
    still = [m for m in jammed if m.speed_mps == 0]
    assert len(still) == 120
    assert distance_m(line.at(0), still[0].point) == pytest.approx(500, abs=15)  # the jam is half way
    assert len(jammed) == len(clear) + 120
    fast = list(drive(line, rng=random.Random(5), pace=Pace(60), plan=plan(delay_s=120)))
    assert sum(m.speed_mps == 0 for m in fast) == 2  # two real seconds at 60x


def test_a_position_frame_is_what_the_driver_socket_accepts() -> None:
    frame = position_frame((60.17, 24.94), 8.5, Motion((60.17, 24.94), 7.5, 123.4), datetime.now(ZoneInfo("UTC")))
    decoded = msgspec.json.decode(json.dumps(frame), type=PositionFrame)
    assert (decoded.lat, decoded.lon, decoded.accuracy, decoded.speed, decoded.heading) == (
        60.17,
        24.94,
        8.5,
        7.5,
        123.4,
    )
    assert decoded.at.tzinfo is not None


def test_the_next_stop_is_the_first_open_one_in_plan_order() -> None:
    def stop(sequence: int, status: str, order: str | None, kind: str = "delivery") -> dict[str, object]:
        return {"id": f"s{sequence}", "sequence": sequence, "status": status, "order_id": order, "kind": kind}

    stops = [
        stop(3, "pending", "c"),
        stop(0, "pending", None, "start"),
        stop(2, "arrived", "b"),
        stop(1, "failed", "a"),
    ]
    for s in stops:
        s["lat"], s["lon"] = float(s["sequence"]), 0.0  # type: ignore[index]
    route = {"stops": stops}
    assert next_open(route)["id"] == "s2"  # type: ignore[index]
    assert next_open(route, {"s2"})["id"] == "s3"  # type: ignore[index]
    assert next_open(route, {"s2", "s3"}) is None
    assert last_place(route) == (1.0, 0.0)  # resuming: where the last served stop was


# ---------------------------------------------------------------- the phone's socket


class FakeSession:
    """What DriverSocket needs of an ApiSession."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.logins = 0

    def cookie_header(self) -> str:
        return "doorstep_session=test"

    async def login(self) -> None:
        self.logins += 1


async def test_the_driver_socket_buffers_while_down_and_backfills_on_reconnect() -> None:
    received: list[dict[str, object]] = []
    cookies: list[str | None] = []

    async def server(connection: websockets.asyncio.server.ServerConnection) -> None:
        cookies.append(connection.request.headers.get("Cookie") if connection.request else None)
        first = len(cookies) == 1
        for _ in range(2 if first else 10**6):
            received.append(json.loads(await connection.recv()))
            if first and len(received) == 1:
                await connection.send(json.dumps({"type": "error", "seq": None, "data": {"detail": "off duty"}}))
                await connection.send(json.dumps({"type": "route.updated", "seq": "1", "data": {}}))
        if first:
            await connection.close(code=1011)

    async with websockets.asyncio.server.serve(server, "127.0.0.1", 0) as listening:
        port = next(iter(listening.sockets)).getsockname()[1]
        session = FakeSession(f"http://127.0.0.1:{port}")
        driver = DriverSocket(session, "courier 1")  # type: ignore[arg-type]
        sent = []
        try:
            for i in range(8):
                fix = position_frame(HELSINKI, 8.0, Motion(HELSINKI, 0.0, 0.0), datetime.now(ZoneInfo("UTC")))
                sent.append(fix["at"])
                await driver.send(fix)
                await asyncio.sleep(0.3)
            deadline = time.monotonic() + 5
            while len([r for r in received if r["type"] == "position"]) + sum(
                len(r["points"])
                for r in received
                if r["type"] == "positions"  # type: ignore[arg-type]
            ) < len(sent):
                assert time.monotonic() < deadline, received
                await driver.send(
                    position_frame(HELSINKI, 8.0, Motion(HELSINKI, 0.0, 0.0), datetime.now(ZoneInfo("UTC")))
                )
                await asyncio.sleep(0.3)
        finally:
            await driver.close()
    times = []
    for frame in received:
        times += [frame["at"]] if frame["type"] == "position" else [p["at"] for p in frame["points"]]  # type: ignore[union-attr]
    assert times[: len(sent)] == sent  # nothing lost, nothing reordered
    assert any(frame["type"] == "positions" for frame in received)  # the backlog went as one batch
    assert cookies == ["doorstep_session=test"] * len(cookies) and len(cookies) == 2
    assert driver.route_changed.is_set()
    assert driver.errors == {"off duty": 1}


# ---------------------------------------------------------------- a real run


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """`doorstep demo --no-simulate` on a free port with its own instance directory."""
    doorstep = Path(sys.executable).parent / "doorstep"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    instance = tmp_path_factory.mktemp("simulate-instance")
    env = {**os.environ, "DOORSTEP_INSTANCE_DIR": str(instance), "DOORSTEP_ENV": "dev", "DOORSTEP_PUBLIC_BASE_URL": url}
    env["DOORSTEP_DEMO_TIMEZONE"] = midday_zone()  # the simulated day never runs into midnight, whatever the hour
    env.pop("DOORSTEP_DATABASE_URL", None)
    env.pop("DOORSTEP_REDIS_URL", None)
    log = (instance / "server.log").open("wb")
    server = subprocess.Popen(
        [str(doorstep), "demo", "--no-simulate", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (instance / "server.log").read_text()[-3000:]
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the demo server did not start"
            time.sleep(0.2)
        yield url, env
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()


def test_simulated_courier_drives_its_route_to_the_end_through_the_api(demo_server: tuple[str, dict[str, str]]) -> None:
    url, env = demo_server
    now = datetime.now(ZoneInfo(env["DOORSTEP_DEMO_TIMEZONE"]))
    assert now.time() < LAST_BATCH_AT
    day = now.date().isoformat()
    doorstep = Path(sys.executable).parent / "doorstep"
    # seed 68: two addresses a few hundred metres from the depot, so the run takes about a minute
    command = [str(doorstep), "simulate", "--base-url", url, "--once", "--couriers", "1", "--orders-per-courier", "2"]
    command += ["--speedup", "60", "--seed", "68"]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert f"Tracking link (courier 1's next stop): {url}/track/" in run.stdout

    with httpx.Client(base_url=url, timeout=30) as api:
        api.post("/api/auth/login", json={"email": "dispatcher@demo.doorstep.dev", "password": "doorstep-demo"})
        vans = {v["id"]: v["name"] for v in api.get("/api/vehicles", params={"limit": 200}).json()["items"]}
        routes = [
            r
            for r in api.get("/api/routes", params={"date": day}).json()["items"]
            if vans[r["vehicle_id"]] == "Courier van 1"
        ]
        assert [r["status"] for r in routes] == ["completed"]
        route = api.get(f"/api/routes/{routes[0]['id']}").json()
        stops = [s for s in route["stops"] if s["order_id"]]
        assert len(stops) == 2
        assert all(s["status"] in ("completed", "failed") and s["arrived_at"] for s in stops)

        orders = [api.get(f"/api/orders/{s['order_id']}").json() for s in stops]
        assert sorted(o["external_ref"] for o in orders) == [f"LIVE-{day}-0", f"LIVE-{day}-1"]
        assert all(o["status"] in ("delivered", "failed") for o in orders)

        courier = next(
            u
            for u in api.get("/api/users", params={"limit": 200}).json()["items"]
            if u["email"] == "courier1@demo.doorstep.dev"
        )
        latest = [p for p in api.get("/api/positions/latest").json() if p["driver_id"] == courier["id"]]
        assert latest and latest[0]["route_id"] == route["id"]

        arrived = api.get("/api/events", params={"type": "stop.arrived", "limit": 50}).json()["items"]
        by_geofence = {
            e["payload"]["stop_id"]
            for e in arrived
            if e["subject_id"] == route["id"] and e["payload"]["source"] == "geofence"
        }
        assert by_geofence == {s["id"] for s in stops}
        departed = api.get("/api/events", params={"type": "stop.departed", "limit": 50}).json()["items"]
        assert any(e["subject_id"] == route["id"] for e in departed)
