"""Benchmark: live fan-out, driver position over /ws/driver -> customers on /ws/track/{token}, latency vs load.

Server: the real app under uvicorn in this process (temp SQLite, memory channels, straight-line travel times).
Set-up, before the clock: an organization (its zone picked so it is about midday), a depot, N drivers with a van
each (max 1 stop), N orders (POST /api/orders), a plan made and published (POST /api/plans), and every driver
signed in (POST /api/auth/login) with the route started (POST /api/routes/{id}/start). Each driver's only stop
is therefore their NEXT stop: its customer is the one who receives the driver's positions.

Load generator: a separate process (multiprocessing, spawn) with the `websockets` client, one asyncio loop:

  N driver sockets     /ws/driver with the driver's session cookie; one `{"type":"position",...}` frame a second
                       each (staggered), 2-3 km from the stop (no geofence event), the acks read and dropped
  20 dispatch sockets  /ws/dispatch with the admin's cookie; the driver positions in their "positions" frames
                       (one every 2 s per organization) counted
  M customer sockets   /ws/track/{token}, spread round-robin over the N next-stop orders (M/N tabs per order:
                       only N orders can be next stops); opened step by step (M grows, sockets stay open)

Latency: the generator keeps a map (driver, point `at`) -> perf_counter() taken just before the frame is sent;
`at` is the send's wall-clock time (microseconds), unique per driver, and the server echoes it in the customer's
position frame, so a receipt is matched to its send exactly in the same process and clock. Latency = receipt -
send, for every customer frame received during the measured window (WARMUP_S after a step's sockets are open,
then --duration seconds). Delivered = frames received / (frames sent x that driver's customer sockets).

Peer: a bare broadcast server written with the `websockets` library (`websockets.broadcast`), in this process on
the same paths, same generator and load: it parses each driver frame, answers an ack, sends the position frame to
the driver's customers, and every 2 s one frame with each driver's newest point to the dispatch sockets (as
doorstep does). No database, no auth, no ETA.

Reported per M: p50/p99 latency, delivered share, customer frames/s; the largest M with p99 <= 200 ms and >= 99 %
delivered, for each server, and the throughput ratio doorstep / peer at each M.

    .venv/bin/python bench/live.py [--drivers 50] [--steps 500,1000,2000,5000] [--duration 10] [--quick]
                                   [--only doorstep|peer] [--no-gc-tuning] [--asyncio-loop] [--stall-traces]

Both servers run in this process on the event loop `doorstep serve` gets from uvicorn (uvloop); so does the load
generator, which freezes what it has opened out of garbage collection and collects nothing in a measured window.
Each step reports both processes' loop stalls (how late a 5 ms sleep woke) and CPU share in its window (a run
where the generator stalled measured the generator), the server's garbage collections and its database
connections in use; --stall-traces prints where the server's loop was whenever it was over 50 ms late.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import multiprocessing
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from common import (  # noqa: E402
    StallTracer,
    drain_ws,
    finish,
    free_port,
    loop_name,
    machine_info,
    open_ws,
    organization_with_admin,
    quiet_logs,
    run_on_server_loop,
)

GOAL_P99_MS = 200.0
WARMUP_S = 3.0
DISPATCH_SOCKETS = 20
PASSWORD = "bench-password-123"
DEPOT = (60.1600, 24.9300)
PACKAGES = ["litestar", "uvicorn", "websockets", "sqlalchemy", "aiosqlite"]


@dataclass
class Plan:
    """What the load generator needs: where to connect, and per driver its cookie and next-stop token."""

    base_url: str
    driver_cookies: list[str]
    driver_tokens: list[str]
    dispatch_cookie: str
    steps: list[int]
    duration_s: float
    label: str = ""


# ---------------------------------------------------------------- load generator (own process)


def load_process(plan: Plan, out: Any) -> None:
    try:
        with asyncio.Runner(loop_factory=_generator_loop_factory()) as runner:
            out.send(runner.run(generate(plan)))
    except Exception as exc:  # report, do not hang the parent
        out.send({"error": repr(exc)})
    finally:
        out.close()


def _generator_loop_factory() -> Any:
    """uvloop when installed (uvicorn[standard] brings it): the generator parses 10,000 frames a second at the
    largest steps, and on the standard library's loop it used most of a core and stalled (the loop watch)."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


async def generate(plan: Plan) -> dict[str, Any]:

    n = len(plan.driver_cookies)
    sent: dict[tuple[int, datetime], float] = {}
    measuring = {"on": False}
    latencies: list[float] = []
    received = {"customer": 0, "dispatch": 0, "dispatch_positions": 0}
    sends_measured = [0] * n
    subscribers = [0] * n
    tasks: list[asyncio.Task[Any]] = []
    sockets: list[Any] = []
    errors: list[str] = []
    watch = LoopWatch()
    watch.start()

    async def open_socket(path: str, cookie: str | None) -> Any:
        return await open_ws(plan.base_url + path, cookie, errors)

    async def dispatch_reader(ws: Any) -> None:
        with contextlib.suppress(Exception):
            async for raw in ws:
                if measuring["on"]:
                    received["dispatch"] += 1
                    frame = json.loads(raw)
                    if frame.get("type") == "positions":
                        received["dispatch_positions"] += len(frame["data"]["positions"])

    async def customer_reader(ws: Any, driver: int) -> None:
        with contextlib.suppress(Exception):
            async for raw in ws:
                now = time.perf_counter()
                if not measuring["on"]:
                    continue
                frame = json.loads(raw)
                if frame.get("type") != "position":
                    continue
                at = datetime.fromisoformat(frame["data"]["at"])
                started = sent.get((driver, at))
                if started is not None:
                    latencies.append(now - started)
                    received["customer"] += 1

    async def driver_loop(ws: Any, driver: int) -> None:
        rng = random.Random(driver)
        lat, lon = DEPOT[0] - 0.02 - rng.random() * 0.005, DEPOT[1] + rng.random() * 0.01
        await asyncio.sleep(rng.random())  # stagger the drivers over the second
        next_at = time.perf_counter()
        while True:
            at = datetime.now(UTC)
            frame = {
                "type": "position",
                "lat": lat + rng.uniform(-1, 1) * 1e-5,
                "lon": lon + rng.uniform(-1, 1) * 1e-5,
                "at": at.isoformat(),
                "accuracy": 5.0,
                "speed": 8.0,
                "heading": 90.0,
            }
            sent[(driver, at)] = time.perf_counter()
            if measuring["on"]:
                sends_measured[driver] += subscribers[driver]
            await ws.send(json.dumps(frame))
            next_at += 1.0
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))

    # drivers and dispatchers first
    for driver in range(n):
        ws = await open_socket("/ws/driver", plan.driver_cookies[driver])
        sockets.append(ws)
        tasks.append(asyncio.create_task(drain_ws(ws)))
        tasks.append(asyncio.create_task(driver_loop(ws, driver)))
    for _ in range(DISPATCH_SOCKETS):
        ws = await open_socket("/ws/dispatch", plan.dispatch_cookie)
        sockets.append(ws)
        tasks.append(asyncio.create_task(dispatch_reader(ws)))

    results = []
    opened = 0
    for m in plan.steps:
        open_started = time.perf_counter()
        sem = asyncio.Semaphore(32)

        async def open_customer(index: int, sem: asyncio.Semaphore = sem) -> None:
            driver = index % n
            async with sem:
                ws = await open_socket(f"/ws/track/{plan.driver_tokens[driver]}", None)
            sockets.append(ws)
            subscribers[driver] += 1
            tasks.append(asyncio.create_task(customer_reader(ws, driver)))

        try:
            await asyncio.gather(*(open_customer(i) for i in range(opened, m)))
        except Exception as exc:
            results.append({"customers": m, "error": f"could not open the sockets: {exc!r}"})
            break
        open_s = time.perf_counter() - open_started
        opened = m
        # the generator's own full collections (10,000 sockets' objects) stalled its loop for up to 2 s and
        # counted as the server's latency: what is open is frozen out of collection, and none runs in the window
        gc.collect()
        gc.freeze()
        await asyncio.sleep(WARMUP_S)
        latencies.clear()
        received["customer"] = received["dispatch"] = received["dispatch_positions"] = 0
        for i in range(n):
            sends_measured[i] = 0
        measuring["on"] = True
        window_started = time.perf_counter()
        gc.disable()
        try:
            await asyncio.sleep(plan.duration_s)
        finally:
            gc.enable()
        measuring["on"] = False
        window_s = time.perf_counter() - window_started
        await asyncio.sleep(1.0)  # frames in flight at the end of the window still count (they were sent in it)
        # frames sent in the window but received after the 1 s grace are counted as not delivered
        expected = sum(sends_measured)
        lat_ms = sorted(x * 1000 for x in latencies)
        step = {
            "customers": m,
            "open_s": open_s,
            "window_s": window_s,
            "window_started": window_started,  # perf_counter: CLOCK_MONOTONIC, the same clock in every process
            "expected": expected,
            "received": len(lat_ms),
            "delivered": len(lat_ms) / expected if expected else 0.0,
            "frames_per_s": len(lat_ms) / window_s,
            "dispatch_frames_per_s": received["dispatch"] / window_s,
            # driver positions the dispatch maps got, all 20 together (500 drivers every 2 s: 5,000/s)
            "dispatch_positions_per_s": received["dispatch_positions"] / window_s,
            "p50_ms": lat_ms[len(lat_ms) // 2] if lat_ms else None,
            "p99_ms": lat_ms[min(len(lat_ms) - 1, int(0.99 * len(lat_ms)))] if lat_ms else None,
            "max_ms": lat_ms[-1] if lat_ms else None,
            "generator": watch.window(window_started, window_started + window_s),
        }
        results.append(step)
        print(f"  {plan.label}: {json.dumps(step)}", flush=True)  # progress, in case a later step never ends
        sent.clear()
        if step["p99_ms"] is None or step["p99_ms"] > 5_000 or step["delivered"] < 0.5:
            break  # saturated: larger steps would only take longer
    watch.stop()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return {"steps": results, "connect_retries": errors[:20]}


def run_generator(plan: Plan) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=load_process, args=(plan, child), daemon=True)
    process.start()
    child.close()
    return process, parent  # type: ignore[return-value]


async def run_load(plan: Plan, pool_in_use: Callable[[], int] | None = None) -> dict[str, Any]:
    """The generator's run against the server in this process, each step with this process's loop stalls and
    CPU share (and the database connections in use, given `pool_in_use`) in its measured window."""
    watch = LoopWatch(pool_in_use)
    watch.start()
    try:
        result = await _run_generator_process(plan)
    finally:
        watch.stop()
    for step in result.get("steps", []):
        if "window_started" in step:
            step["server"] = watch.window(step["window_started"], step["window_started"] + step["window_s"])
    return result


async def _run_generator_process(plan: Plan) -> dict[str, Any]:
    process, pipe = run_generator(plan)
    try:
        while not pipe.poll():
            await asyncio.sleep(0.2)
            if not process.is_alive() and not pipe.poll():
                return {"error": f"load generator exited with {process.exitcode}"}
        result: dict[str, Any] = pipe.recv()
        return result
    finally:
        process.join(timeout=10)


# ---------------------------------------------------------------- doorstep


def midday_zone() -> str:
    offset = 12 - datetime.now(UTC).hour
    return "Etc/GMT" + (f"-{offset}" if offset > 0 else f"+{-offset}" if offset < 0 else "")


async def doorstep_setup(workdir: Path, n_drivers: int, gc_tuning: bool = True) -> tuple[Any, dict[str, Any]]:
    """The app, seeded; returns it with what the generator needs (cookies, tokens) minus the URL."""
    from datetime import time as clock_time

    from sqlalchemy import update

    from backend.accounts import service as accounts
    from backend.accounts.models import Organization, Role
    from backend.accounts.principal import Principal
    from backend.accounts.schemas import UserCreate
    from backend.app import create_app
    from backend.db import migrations
    from backend.db.session import SESSION_FACTORY_KEY, transaction
    from backend.fleet import service as fleet
    from backend.fleet.models import VehicleProfile
    from backend.fleet.schemas import VehicleCreate
    from backend.places import service as places
    from backend.places.models import LocationKind
    from backend.places.schemas import LocationCreate
    from backend.settings import Settings

    url = f"sqlite+aiosqlite:///{workdir / 'live.db'}"
    await asyncio.to_thread(migrations.upgrade, url)
    quiet_logs()
    settings = Settings(
        env="dev",
        instance_dir=workdir,
        media_dir=workdir / "media",
        database_url=url,
        secret_key="bench-secret-" + uuid.uuid4().hex,
        public_base_url="http://127.0.0.1",
        log_level="WARNING",
        travel_provider="straight_line",
        tracking_rate_limit_per_minute=10**9,  # every customer socket comes from 127.0.0.1
        login_rate_limit_per_minute=10**9,  # so does every driver's sign-in
    )
    app = create_app(settings, server=gc_tuning)  # as `doorstep serve` makes it, unless --no-gc-tuning
    zone = midday_zone()
    async with transaction(app.state[SESSION_FACTORY_KEY]) as session:
        org, admin = await organization_with_admin(
            session, name="Bench Live Oy", email="admin@live-bench.example.com", password=PASSWORD
        )
        await session.execute(update(Organization).where(Organization.id == org.id).values(timezone=zone))
        principal = Principal(organization_id=org.id, role=Role.admin, via="session", user_id=admin.id)
        depot = await places.create_location(
            session,
            principal=principal,
            data=LocationCreate(kind=LocationKind.depot, name="Depot", address="Depot 1", lat=DEPOT[0], lon=DEPOT[1]),
        )
        drivers = []
        for i in range(n_drivers):
            driver = await accounts.create_user(
                session,
                organization=org,
                actor="system:bench",
                data=UserCreate(
                    email=f"driver{i}@live-bench.example.com", name=f"Driver {i}", role=Role.driver, password=PASSWORD
                ),
            )
            drivers.append(driver)
            await fleet.create_vehicle(
                session,
                principal=principal,
                data=VehicleCreate(
                    name=f"Van {i:03d}",
                    profile=VehicleProfile.van,
                    capacity_kg=500.0,
                    capacity_l=3000.0,
                    capacity_parcels=50,
                    shift_start=clock_time(0, 0),
                    shift_end=clock_time(23, 59),
                    driver_id=driver.id,
                    depot_id=depot.id,
                    max_stops=1,
                ),
            )
    return app, {"admin_email": admin.email, "drivers": [d.email for d in drivers], "zone": zone}


async def doorstep_prepare(app: Any, base_url: str, seeded: dict[str, Any]) -> tuple[list[str], list[str], str]:
    import httpx

    from backend.db.session import SESSION_FACTORY_KEY
    from backend.events.models import Event

    async def quiet() -> None:
        from sqlalchemy import func, select

        for _ in range(3):
            while True:
                async with app.state[SESSION_FACTORY_KEY]() as session:
                    left = await session.scalar(
                        select(func.count()).select_from(Event).where(Event.published_at.is_(None))
                    )
                if not left:
                    break
                await asyncio.sleep(0.05)
            await app.state["replanner"].settle()

    def cookie_header(client: httpx.AsyncClient) -> str:
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())

    n = len(seeded["drivers"])
    async with httpx.AsyncClient(base_url=base_url, timeout=300) as admin:
        login = await admin.post("/api/auth/login", json={"email": seeded["admin_email"], "password": PASSWORD})
        login.raise_for_status()
        csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
        rng = random.Random(1)
        tokens_by_order: dict[str, str] = {}
        for i in range(n):
            created = await admin.post(
                "/api/orders",
                headers=csrf,
                json={
                    "recipient_name": f"Customer {i}",
                    "address": f"Mannerheimintie {i + 1}, Helsinki",
                    "lat": DEPOT[0] + 0.005 + rng.random() * 0.01,
                    "lon": DEPOT[1] + rng.random() * 0.01,
                    "recipient_email": f"customer{i}@example.com",
                    "external_ref": f"LIVE-{i}",
                    "service_s": 120,
                },
            )
            if created.status_code != 201:
                raise RuntimeError(f"POST /api/orders answered {created.status_code}: {created.text[:500]}")
            body = created.json()
            tokens_by_order[body["id"]] = str(body["tracking_url"]).rsplit("/", 1)[1]
        today = datetime.now(UTC).astimezone(ZoneInfo(seeded["zone"])).date()
        plan = await admin.post(
            "/api/plans", headers=csrf, json={"service_date": today.isoformat(), "time_budget_s": 2, "publish": True}
        )
        if plan.status_code != 201:
            raise RuntimeError(f"POST /api/plans answered {plan.status_code}: {plan.text[:500]}")
        await quiet()
        dispatch_cookie = cookie_header(admin)
    cookies, tokens = [], []
    for email in seeded["drivers"]:
        async with httpx.AsyncClient(base_url=base_url, timeout=300) as driver:
            login = await driver.post("/api/auth/login", json={"email": email, "password": PASSWORD})
            login.raise_for_status()
            route = await driver.get("/api/driver/route")
            if route.status_code != 200:
                continue  # no route for this van (the planner left it out)
            stops = [s for s in route.json()["stops"] if s["order_id"]]
            if not stops:
                continue
            started = await driver.post(
                f"/api/routes/{route.json()['id']}/start",
                json={},
                headers={"X-CSRF-Token": login.json()["csrf_token"]},
            )
            if started.status_code != 200:
                raise RuntimeError(f"start answered {started.status_code}: {started.text[:500]}")
            cookies.append(cookie_header(driver))
            tokens.append(tokens_by_order[stops[0]["order_id"]])
    await quiet()
    return cookies, tokens, dispatch_cookie


class LoopWatch:
    """How late this process's event loop wakes a 5 ms sleep (a stall, in ms), and its CPU seconds, sampled
    while running: a window's worst stalls say whether the server's loop or the load generator's held frames
    back, and the CPU share whether the two processes had the machine's 2 cores between them."""

    PERIOD_S = 0.005

    def __init__(self, pool_in_use: Callable[[], int] | None = None) -> None:
        self.samples: list[tuple[float, float, float]] = []  # (perf_counter, lag ms, process CPU s)
        self.pool: list[tuple[float, int]] = []  # (perf_counter, database connections checked out)
        self._pool_in_use = pool_in_use
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.PERIOD_S)
            now = time.perf_counter()
            self.samples.append((now, max(0.0, (now - before - self.PERIOD_S) * 1000), time.process_time()))
            if self._pool_in_use is not None:
                self.pool.append((now, self._pool_in_use()))

    def window(self, start: float, end: float) -> dict[str, float]:
        inside = [s for s in self.samples if start <= s[0] <= end]
        if len(inside) < 2:
            return {}
        lags = sorted(s[1] for s in inside)
        return {
            "lag_p99_ms": lags[int(0.99 * (len(lags) - 1))],
            "lag_max_ms": lags[-1],
            "stalls_over_50ms": sum(1 for x in lags if x > 50),
            "cpu_share": (inside[-1][2] - inside[0][2]) / (inside[-1][0] - inside[0][0]),
        } | self._pool_window(start, end)

    def _pool_window(self, start: float, end: float) -> dict[str, float]:
        in_use = [n for at, n in self.pool if start <= at <= end]
        if not in_use:
            return {}
        return {"pool_max": max(in_use), "pool_mean": sum(in_use) / len(in_use)}


@contextlib.contextmanager
def collections_seen() -> Any:
    """(perf_counter at start, generation, ms) of every garbage collection in this process while inside."""
    seen: list[tuple[float, int, float]] = []
    started: list[float] = []

    def callback(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started.append(time.perf_counter())
        elif started:
            at = started.pop()
            seen.append((at, int(info.get("generation", -1)), (time.perf_counter() - at) * 1000))

    gc.callbacks.append(callback)
    try:
        yield seen
    finally:
        gc.callbacks.remove(callback)


async def bench_doorstep(workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    import uvicorn

    from backend.cli import SERVER_OPTIONS

    set_up_started = time.perf_counter()
    app, seeded = await doorstep_setup(workdir, args.drivers, gc_tuning=not args.no_gc_tuning)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", **SERVER_OPTIONS))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        cookies, tokens, dispatch_cookie = await doorstep_prepare(app, f"http://127.0.0.1:{port}", seeded)
        print(
            f"doorstep: {len(cookies)} drivers with a started route, set up in "
            f"{time.perf_counter() - set_up_started:.0f}s",
            flush=True,
        )
        plan = Plan(f"ws://127.0.0.1:{port}", cookies, tokens, dispatch_cookie, args.steps, args.duration, "doorstep")
        tracer = StallTracer() if args.stall_traces else None
        if tracer is not None:
            tracer.start()
        try:
            with collections_seen() as collections:
                result = await run_load(plan, app.state["db_engine"].pool.checkedout)
        finally:
            if tracer is not None:
                tracer.stop()
                print(tracer.report(), flush=True)
        for step in result["steps"]:
            if "window_started" in step:  # the collections that stopped the server in the measured window
                start, end = step["window_started"], step["window_started"] + step["window_s"]
                inside = [(gen, ms) for at, gen, ms in collections if start <= at <= end]
                full = [ms for gen, ms in inside if gen == 2]
                step["full_gcs"] = len(full)
                step["full_gc_max_ms"] = max(full, default=0.0)
                step["younger_gcs"] = sum(1 for gen, _ in inside if gen != 2)
                step["younger_gc_max_ms"] = max((ms for gen, ms in inside if gen != 2), default=0.0)
                step["gc_ms_total"] = sum(ms for _, ms in inside)
        result["drivers"] = len(cookies)
        return result
    finally:
        server.should_exit = True
        await task


# ---------------------------------------------------------------- peer: bare websockets broadcast


async def bench_peer(args: argparse.Namespace, n_drivers: int) -> dict[str, Any]:
    from websockets.asyncio.server import broadcast, serve

    cookies = [f"session=driver-{i}" for i in range(n_drivers)]
    tokens = [uuid.uuid4().hex for _ in range(n_drivers)]
    driver_of_cookie = {c: i for i, c in enumerate(cookies)}
    token_to_driver = {t: i for i, t in enumerate(tokens)}
    customers: list[set[Any]] = [set() for _ in range(n_drivers)]
    dispatch: set[Any] = set()
    org_pending: dict[int, dict[str, Any]] = {}  # driver -> newest point since the last dispatch frame

    async def handler(ws: Any) -> None:
        path = ws.request.path
        if path == "/ws/driver":
            driver = driver_of_cookie.get(ws.request.headers.get("Cookie", ""))
            if driver is None:
                await ws.close(4401)
                return
            await ws.send(json.dumps({"type": "ready", "seq": None, "data": {"channel": "driver"}}))
            async for raw in ws:
                point = json.loads(raw)
                data = {k: point.get(k) for k in ("lat", "lon", "heading", "speed", "at")}
                seq = time.time_ns() // 1_000_000
                broadcast(customers[driver], json.dumps({"type": "position", "seq": seq, "data": data}))
                org_pending[driver] = {"driver_id": str(driver), **data}
                await ws.send(json.dumps({"type": "ack", "seq": None, "data": {"accepted": 1, "last_at": data["at"]}}))
        elif path.startswith("/ws/track/"):
            driver = token_to_driver.get(path.rsplit("/", 1)[1])
            if driver is None:
                await ws.close(4404)
                return
            customers[driver].add(ws)
            try:
                await ws.send(json.dumps({"type": "snapshot", "seq": None, "data": {}}))
                async for _ in ws:
                    pass
            finally:
                customers[driver].discard(ws)
        elif path == "/ws/dispatch":
            dispatch.add(ws)
            try:
                async for _ in ws:
                    pass
            finally:
                dispatch.discard(ws)
        else:
            await ws.close(4404)

    async def flush_dispatch() -> None:  # as doorstep: one frame every 2 s with each driver's newest point
        while True:
            await asyncio.sleep(2.0)
            batch = list(org_pending.values())
            org_pending.clear()
            if batch:
                seq = time.time_ns() // 1_000_000
                broadcast(dispatch, json.dumps({"type": "positions", "seq": seq, "data": {"positions": batch}}))

    port = free_port()
    async with serve(handler, "127.0.0.1", port, ping_interval=None, max_queue=None):
        flusher = asyncio.create_task(flush_dispatch())
        plan = Plan(f"ws://127.0.0.1:{port}", cookies, tokens, "session=admin", args.steps, args.duration, "peer")
        try:
            result = await run_load(plan)
        finally:
            flusher.cancel()
    result["drivers"] = n_drivers
    return result


# ---------------------------------------------------------------- report


def largest_ok(steps: list[dict[str, Any]]) -> int | None:
    ok = [
        s["customers"]
        for s in steps
        if s.get("p99_ms") is not None and s["p99_ms"] <= GOAL_P99_MS and s["delivered"] >= 0.99
    ]
    return max(ok) if ok else None


def table(results: dict[str, Any]) -> str:
    lines = [
        f"{'server':<9} {'customers':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'delivered':>9} "
        f"{'frames/s':>9} {'disp. pos/s':>11} {'open s':>7} {'vs peer':>7}",
        "-" * 93,
    ]
    peer_by_m = {s["customers"]: s for s in results.get("peer", {}).get("steps", []) if "frames_per_s" in s}
    for name in ("doorstep", "peer"):
        r = results.get(name)
        if r is None:
            continue
        if "error" in r:
            lines.append(f"{name:<9} error: {r['error']}")
            continue
        for s in r["steps"]:
            if "error" in s:
                lines.append(f"{name:<9} {s['customers']:>9,} {s['error']}")
                continue
            peer = peer_by_m.get(s["customers"])
            ratio = f"{s['frames_per_s'] / peer['frames_per_s']:>7.2f}" if peer and peer["frames_per_s"] else "    -"
            fmt = lambda v: f"{v:>8.1f}" if v is not None else f"{'-':>8}"  # noqa: E731
            lines.append(
                f"{name:<9} {s['customers']:>9,} {fmt(s['p50_ms'])} {fmt(s['p99_ms'])} {fmt(s['max_ms'])} "
                f"{s['delivered']:>9.1%} {s['frames_per_s']:>9,.0f} {s.get('dispatch_positions_per_s', 0):>11,.0f} "
                f"{s['open_s']:>7.1f} {ratio}"
                + (f"  full GCs {s['full_gcs']} (max {s['full_gc_max_ms']:.0f} ms)" if "full_gcs" in s else "")
                + (
                    f", younger {s['younger_gcs']} (max {s['younger_gc_max_ms']:.0f} ms), "
                    f"{s['gc_ms_total']:.0f} ms in all"
                    if "younger_gcs" in s
                    else ""
                )
            )
            for side in ("server", "generator"):
                w = s.get(side) or {}
                if w:
                    lines.append(
                        f"{'':<9} {side:>9} loop stalls p99 {w['lag_p99_ms']:.1f} ms, max {w['lag_max_ms']:.0f} ms, "
                        f"{w['stalls_over_50ms']} over 50 ms; CPU {w['cpu_share']:.0%} of a core"
                        + (
                            f"; database connections in use {w['pool_mean']:.1f} mean, {w['pool_max']} max"
                            if "pool_max" in w
                            else ""
                        )
                    )
        best = largest_ok(r["steps"])
        lines.append(
            f"{name:<9} largest M with p99 <= {GOAL_P99_MS:.0f} ms and >= 99 % delivered: "
            f"{best if best is not None else 'none'} ({r['drivers']} drivers at 1 Hz)"
        )
    return "\n".join(lines)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drivers", type=int, default=50)
    parser.add_argument("--steps", default="500,1000,2000,5000", help="customer sockets, cumulative steps")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per step")
    parser.add_argument("--only", choices=["doorstep", "peer"])
    parser.add_argument("--quick", action="store_true", help="10 drivers, 50 and 200 customers, 4 s per step")
    parser.add_argument(
        "--stall-traces",
        action="store_true",
        help="print where doorstep's event loop was when it stalled over 50 ms (a watchdog thread's stacks)",
    )
    parser.add_argument(
        "--no-gc-tuning", action="store_true", help="the server without kit/gc_tuning.py (as the test suite's apps)"
    )
    parser.add_argument(
        "--asyncio-loop",
        action="store_true",
        help="both servers on the standard library's event loop instead of uvloop, which doorstep serve runs on",
    )
    args = parser.parse_args()
    if args.quick:
        args.drivers, args.steps, args.duration = 10, "50,200", 4.0
    args.steps = [int(x) for x in args.steps.split(",")]
    logging.getLogger("websockets").setLevel(logging.WARNING)
    started = time.perf_counter()
    results: dict[str, Any] = {}
    print(
        f"{args.drivers} drivers at 1 Hz, {DISPATCH_SOCKETS} dispatch sockets, customers {args.steps}, "
        f"{args.duration:.0f}s measured per step, servers on {loop_name()}",
        flush=True,
    )
    n_drivers = args.drivers
    if args.only in (None, "doorstep"):
        with tempfile.TemporaryDirectory(prefix="doorstep-bench-live-") as tmp:
            results["doorstep"] = await bench_doorstep(Path(tmp), args)
            n_drivers = results["doorstep"].get("drivers", n_drivers)
        print(table({"doorstep": results["doorstep"]}), flush=True)
    if args.only in (None, "peer"):
        results["peer"] = await bench_peer(args, n_drivers)
    report = {
        "benchmark": "live fan-out: /ws/driver position -> /ws/track/{token} customers, latency vs customers",
        "drivers": args.drivers,
        "dispatch_sockets": DISPATCH_SOCKETS,
        "steps": args.steps,
        "duration_s": args.duration,
        "gc_tuning": not args.no_gc_tuning,
        "server_loop": loop_name(),
        "goal": {"p99_ms": GOAL_P99_MS},
        "machine": machine_info(PACKAGES, load_average=True, sqlite=True),
        "results": results,
        "total_s": time.perf_counter() - started,
    }
    finish("live", report, table(results), f"Python {report['machine']['python']}, load generator in its own process")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_on_server_loop(main(), asyncio_loop="--asyncio-loop" in sys.argv))
