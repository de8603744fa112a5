"""Benchmark: live re-plan latency, one new order → new ETAs on the driver's websocket channel, at 100/300/1000 stops.

For each size (stops x vehicles), in a fresh migrated SQLite database, with the real app under uvicorn in this
process: one organization with a depot in central Helsinki, V vans (roomy capacity, shift 08:00-20:00, a driver
user each), N delivery orders imported over HTTP (central Helsinki, 40 % with a 2-3 h window), a plan made and
published with POST /api/plans, the re-planner's clock at 07:30 local that day and a 10 ms debounce. Then
--repeat times: one order is POSTed to /api/orders, and the bench, subscribed to every driver channel through
the app's ChannelsPlugin, times

  insertion e2e   POST sent → first `route.updated` (the fast cheapest-insertion pass: HTTP commit → relay →
                  insertion → commit → relay → channel)
  re-solve e2e    POST sent → first `route.updated` with reason "re-optimized" (the warm-started re-solve, after
                  the debounce); a re-solve that finds nothing better publishes nothing: those are counted
  churn           `diff.churn` (stops moved between drivers) of each plan.revised, from GET /api/events

and then, between requests (nothing else running), on the live state read back with replanning.load:

  insertion algo  live.cheapest_insertion of that order alone (pure numpy, no I/O)
  load / write    replanning.load and replanning.write of the insertion in a rolled-back transaction
  warm direct     live.warm_solve (level 1, the app's replan_timeout_s) of the state after the insertion
  cold (peer)     backend.routing.problem.solve of live.live_problem(state) without a warm start, level 1 at the
                  same timeout every repeat, and level 5 without timeout once per size up to --level5-max stops;
                  its time, and the stops it moves between vehicles vs the current plan (live.diff)

    .venv/bin/python bench/replan.py [--sizes 100x5,300x15,1000x50] [--repeat K] [--travel straight_line|road_graph]

Results: a table on stdout and bench/results/replan.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import json
import math
import os
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import numpy as np  # noqa: E402
from common import machine_info, organization_with_admin, quiet_logs, run_line, serve_app, write_results  # noqa: E402
from litestar import Litestar  # noqa: E402
from litestar.channels import ChannelsPlugin, Subscriber  # noqa: E402
from scipy.optimize import linear_sum_assignment  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from backend.accounts import service as accounts  # noqa: E402
from backend.accounts.models import Role  # noqa: E402
from backend.accounts.principal import Principal  # noqa: E402
from backend.accounts.schemas import UserCreate  # noqa: E402
from backend.app import create_app  # noqa: E402
from backend.db import migrations  # noqa: E402
from backend.db.session import SESSION_FACTORY_KEY, transaction  # noqa: E402
from backend.demo.seed import FIRST_NAMES, LAST_NAMES  # noqa: E402
from backend.events.channels import PrunedChannelsPlugin, driver_channel  # noqa: E402
from backend.events.models import Event  # noqa: E402
from backend.fleet import service as fleet  # noqa: E402
from backend.fleet.models import VehicleProfile  # noqa: E402
from backend.fleet.schemas import Break, VehicleCreate  # noqa: E402
from backend.places import service as places  # noqa: E402
from backend.places.models import LocationKind  # noqa: E402
from backend.places.schemas import LocationCreate  # noqa: E402
from backend.routing import live, replanning  # noqa: E402
from backend.routing.live import LiveState  # noqa: E402
from backend.routing.problem import solve  # noqa: E402
from backend.routing.triggers import Replanner  # noqa: E402
from backend.settings import Settings  # noqa: E402

PACKAGES = ("pyvroom", "numpy", "sqlalchemy", "litestar", "uvicorn", "httpx", "aiosqlite")
DEFAULT_SIZES = "100x5,300x15,1000x50"
GOAL_SIZE = (300, 15)
GOAL_INSERTION_P95_MS = 100.0
GOAL_RESOLVE_P95_MS = 300.0
GOAL_CHURN_MAX = 2
PASSWORD = "bench-horse-battery-staple"
TZ = ZoneInfo("Europe/Helsinki")
DEPOT = (60.1687, 24.9417)  # central Helsinki, by the railway station
BOX = {  # (lat range, lon range) the orders are spread over
    "straight_line": ((60.155, 60.185), (24.90, 24.97)),
    # the shipped extract covers the centre only: a point farther than 500 m from its roads has no road time
    # and the whole matrix falls back to straight lines, so the road graph gets the demo's zone
    "road_graph": ((60.1642, 60.1791), (24.9352, 24.9534)),
}
DEBOUNCE_S = 0.01
MICRO_CALLS = 5  # cheapest_insertion calls per repeat (all kept as samples)
WAIT_S = 60.0  # longest wait for a channel message before the repeat is reported as lost

T = TypeVar("T")


# ---------------------------------------------------------------- data


Box = tuple[tuple[float, float], tuple[float, float]]


def order_rows(n: int, day: date, seed: int, box: Box) -> list[dict[str, Any]]:
    """N delivery orders over central Helsinki for the import, 40 % with a 2-3 h window between 09 and 19."""
    rnd = random.Random(seed)
    rows = []
    for i in range(1, n + 1):
        row: dict[str, Any] = {
            "external_ref": f"BENCH-{i:06d}",
            "recipient_name": f"{rnd.choice(FIRST_NAMES)} {rnd.choice(LAST_NAMES)}",
            "recipient_phone": f"+35840{rnd.randrange(1_000_000, 9_999_999)}",
            "address": f"Benchkatu {i}, Helsinki",
            "lat": round(rnd.uniform(*box[0]), 6),
            "lon": round(rnd.uniform(*box[1]), 6),
            "service_s": rnd.choice([60, 90, 120, 180]),
            "weight_kg": round(rnd.uniform(0.3, 15.0), 1),
            "volume_l": round(rnd.uniform(1.0, 40.0), 1),
            "barcodes": [f"BN{i:08d}"],
        }
        if rnd.random() < 0.4:
            start = datetime.combine(day, clock_time(rnd.randint(9, 16)), TZ)
            row["window_start_at"] = start.isoformat()
            row["window_end_at"] = (start + timedelta(hours=rnd.choice([2, 3]))).isoformat()
        rows.append(row)
    return rows


def new_order(i: int, day: date, rnd: random.Random, box: Box) -> dict[str, Any]:
    """The order that arrives during the day: every other one with a 3 h window later in the day."""
    body: dict[str, Any] = {
        "external_ref": f"LIVE-{i:06d}-{uuid.uuid4().hex[:6]}",
        "recipient_name": f"{rnd.choice(FIRST_NAMES)} {rnd.choice(LAST_NAMES)}",
        "address": f"Livekatu {i}, Helsinki",
        "lat": round(rnd.uniform(*box[0]), 6),
        "lon": round(rnd.uniform(*box[1]), 6),
        "service_s": 120,
        "weight_kg": round(rnd.uniform(0.3, 15.0), 1),
        "volume_l": round(rnd.uniform(1.0, 40.0), 1),
        "barcodes": [f"LV{uuid.uuid4().hex[:12].upper()}"],
    }
    if i % 2:
        start = datetime.combine(day, clock_time(rnd.randint(12, 16)), TZ)
        body["window_start_at"] = start.isoformat()
        body["window_end_at"] = (start + timedelta(hours=3)).isoformat()
    return body


# ---------------------------------------------------------------- server


@dataclass
class Running:
    app: Litestar
    client: httpx.AsyncClient
    headers: dict[str, str]
    organization_id: uuid.UUID
    drivers: list[uuid.UUID]
    settings: Settings

    @property
    def replanner(self) -> Replanner:
        replanner: Replanner = self.app.state["replanner"]
        return replanner

    @property
    def channels(self) -> ChannelsPlugin:
        return self.app.plugins.get(PrunedChannelsPlugin)

    async def relay_drained(self, timeout_s: float = 120.0) -> None:
        start = time.perf_counter()
        while True:
            async with self.app.state[SESSION_FACTORY_KEY]() as session:
                left = await session.scalar(select(func.count()).select_from(Event).where(Event.published_at.is_(None)))
            if not left:
                return
            if time.perf_counter() - start > timeout_s:
                raise RuntimeError("the outbox relay did not drain in time")
            await asyncio.sleep(0.02)

    async def quiet(self) -> None:
        """Nothing left to do: every event handed over, every re-plan run (re-plans record events: twice)."""
        for _ in range(2):
            await self.relay_drained()
            await self.replanner.settle()
        await self.relay_drained()

    async def post(self, url: str, body: Any) -> dict[str, Any]:
        response = await self.client.post(url, json=body, headers=self.headers)
        if response.status_code not in (200, 201):
            raise RuntimeError(f"POST {url} answered {response.status_code}: {response.text[:2000]}")
        answer: dict[str, Any] = response.json()
        return answer

    async def revisions(self, after: int) -> list[dict[str, Any]]:
        """plan.revised events with a revision above `after`, oldest first (payload plus the event id)."""
        response = await self.client.get(
            "/api/events", params={"type": "plan.revised", "limit": 50}, headers=self.headers
        )
        response.raise_for_status()
        found = [
            {**e["payload"], "event_id": e["id"]}
            for e in response.json()["items"]
            if e["type"] == "plan.revised" and e["payload"]["revision"] > after
        ]
        return sorted(found, key=lambda p: int(p["revision"]))


LUNCH = Break(start=clock_time(11, 0), end=clock_time(13, 0), duration_s=1800)  # --breaks: every van's


async def seed_organization(
    app: Litestar, vehicles: int, max_stops: int | None, lunch: bool = False
) -> tuple[uuid.UUID, str, list[uuid.UUID]]:
    """Organization, admin, depot, and V vans with a driver each, through the services (as the demo seeds)."""
    async with transaction(app.state[SESSION_FACTORY_KEY]) as session:
        org, admin = await organization_with_admin(
            session, name="Bench Replan Oy", email="admin@replan.bench", password=PASSWORD
        )
        principal = Principal(organization_id=org.id, role=Role.admin, via="session", user_id=admin.id)
        depot = await places.create_location(
            session,
            principal=principal,
            data=LocationCreate(
                kind=LocationKind.depot,
                name="Bench depot",
                address="Kaivokatu 1, 00100 Helsinki",
                lat=DEPOT[0],
                lon=DEPOT[1],
                opening_hours={d: [("06:00", "22:00")] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
            ),
        )
        drivers = []
        for i in range(1, vehicles + 1):
            driver = await accounts.create_user(
                session,
                organization=org,
                actor="system:bench",
                data=UserCreate(
                    email=f"driver{i}@replan.bench",
                    name=f"{FIRST_NAMES[i % 20]} Driver",
                    role=Role.driver,
                    password=PASSWORD,
                ),
            )
            drivers.append(driver.id)
            await fleet.create_vehicle(
                session,
                principal=principal,
                data=VehicleCreate(
                    name=f"Van {i:02d}",
                    profile=VehicleProfile.van,
                    capacity_kg=2_000.0,
                    capacity_l=15_000.0,
                    capacity_parcels=500,
                    shift_start=clock_time(8, 0),
                    shift_end=clock_time(20, 0),
                    driver_id=driver.id,
                    depot_id=depot.id,
                    max_stops=max_stops,
                    breaks=[LUNCH] if lunch else [],
                ),
            )
    return org.id, admin.email, drivers


@contextlib.asynccontextmanager
async def serve(
    database_url: str,
    workdir: Path,
    vehicles: int,
    max_stops: int | None,
    travel: str,
    gc_tuning: bool = True,
    lunch: bool = False,
) -> AsyncIterator[Running]:
    """uvicorn in this process on a free port; the organization seeded, signed in, a dispatcher API key minted."""
    settings = Settings(
        env="dev",
        instance_dir=workdir,
        media_dir=workdir / "media",
        cache_dir=workdir.parent / "cache",  # one road graph build per run, shared by the sizes
        database_url=database_url,
        secret_key="bench-secret-" + uuid.uuid4().hex,
        public_base_url="http://127.0.0.1",
        log_level="WARNING",
        travel_provider=travel,  # type: ignore[arg-type]
        replan_debounce_s=DEBOUNCE_S,
        max_import_rows=20_000,
        max_import_bytes=64 * 1024 * 1024,
    )
    app = create_app(settings, server=gc_tuning)  # as `doorstep serve` makes it, unless --no-gc-tuning
    organization_id, admin_email, drivers = await seed_organization(app, vehicles, max_stops, lunch)
    async with serve_app(app, email=admin_email, password=PASSWORD, key_name="bench replan") as (client, key):
        yield Running(app, client, {"X-API-Key": key}, organization_id, drivers, settings)


class Listener:
    """One subscriber on every driver channel; each message is stamped with perf_counter as it arrives."""

    def __init__(self, channels: ChannelsPlugin, names: list[str]) -> None:
        self._channels = channels
        self._names = names
        self._queue: asyncio.Queue[tuple[float, dict[str, Any]]] = asyncio.Queue()
        self._subscriber: Subscriber | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._subscriber = await self._channels.subscribe(self._names)
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._subscriber is not None
        async for raw in self._subscriber.iter_events():
            self._queue.put_nowait((time.perf_counter(), json.loads(raw)))

    def drain(self) -> list[tuple[float, dict[str, Any]]]:
        out = []
        while not self._queue.empty():
            out.append(self._queue.get_nowait())
        return out

    async def next(self, timeout_s: float) -> tuple[float, dict[str, Any]] | None:
        try:
            return await asyncio.wait_for(self._queue.get(), timeout=timeout_s)
        except TimeoutError:
            return None

    async def stop(self) -> None:
        if self._subscriber is not None:
            await self._channels.unsubscribe(self._subscriber)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


# ---------------------------------------------------------------- pure measures


def without_order(state: LiveState, order_id: uuid.UUID) -> LiveState:
    """The state the fast path saw: the order on no route, to be fetched from the depot (as replanning.load
    reads an order that is on no route yet)."""
    vehicles = []
    depot_index = state.vehicles[0].depot_index
    for v in state.vehicles:
        if any(o == order_id for _, o in v.visits):
            depot_index = v.depot_index
        vehicles.append(replace(v, visits=tuple(x for x in v.visits if x[1] != order_id)))
    tasks = {**state.tasks, order_id: replace(state.tasks[order_id], load_at_index=depot_index)}
    return replace(state, vehicles=tuple(vehicles), tasks=tasks, new=(*state.new, order_id))


def moved_relabeled(before: dict[uuid.UUID, list[uuid.UUID]], after: dict[uuid.UUID, list[uuid.UUID]]) -> int:
    """Stops moved between vehicles once the vehicles are matched up at best (all vans are alike here, so a cold
    solve that hands van A's whole route to van B is counted 0 by this and the whole route by live.diff)."""
    keys_b, keys_a = list(before), list(after)
    sets_b = [set(before[k]) for k in keys_b]
    sets_a = [set(after[k]) for k in keys_a]
    overlap = np.array([[len(b & a) for a in sets_a] for b in sets_b], dtype=np.int64)
    rows, cols = linear_sum_assignment(overlap, maximize=True)
    common = set().union(*sets_b) & set().union(*sets_a)
    return len(common) - int(overlap[rows, cols].sum())


def judged(before: LiveState, candidate: LiveState) -> dict[str, Any]:
    """A solver's answer against the state it started from: moves, travel, and whether warm_resolve's rules
    (nothing placed dropped, feasible, travel not up) would accept it."""
    placed_before = {o for v in before.vehicles for o in v.orders}
    placed_after = {o for v in candidate.vehicles for o in v.orders}
    feasible = all(t.feasible for t in live.timed_routes(candidate))
    travel_before, travel_after = live.total_travel(before), live.total_travel(candidate)
    return {
        "moved": live.diff(live.assignment(before), live.assignment(candidate)).churn,
        "moved_relabeled": moved_relabeled(live.assignment(before), live.assignment(candidate)),
        "unplaced": len(placed_before - placed_after),
        "feasible": feasible,
        "travel_s": travel_after,
        "travel_change_pct": 100.0 * (travel_after - travel_before) / max(1, travel_before),
        "acceptable": placed_before <= placed_after
        and feasible
        and (len(placed_after) > len(placed_before) or travel_after <= travel_before),
    }


async def timed(call: Callable[[], Awaitable[T]]) -> tuple[float, T]:
    start = time.perf_counter()
    value = await call()
    return time.perf_counter() - start, value


# ---------------------------------------------------------------- one size


def pct(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def stats_ms(seconds: list[float]) -> dict[str, Any]:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": pct(ms, 50),
        "p95_ms": pct(ms, 95),
        "max_ms": max(ms) if ms else None,
        "runs_ms": [round(m, 2) for m in ms],
    }


async def one_repeat(
    running: Running, listener: Listener, day: date, i: int, rnd: random.Random, with_peer: bool
) -> dict[str, Any]:
    """One new order over HTTP, timed to the driver channels; then the direct measures on the state."""
    last_revision = max((int(r["revision"]) for r in await running.revisions(0)), default=0)
    listener.drain()
    body = new_order(i, day, rnd, BOX[running.settings.travel_provider])
    start = time.perf_counter()
    created = await running.post("/api/orders", body)
    http_s = time.perf_counter() - start
    order_id = uuid.UUID(created["id"])
    messages: list[tuple[float, dict[str, Any]]] = []
    first = await listener.next(WAIT_S)
    if first is not None:
        messages.append(first)
    await running.quiet()
    revised = await running.revisions(last_revision)
    wanted = {r["event_id"] for r in revised if any(route.get("driver_id") for route in r["routes"])}
    messages.extend(listener.drain())
    while wanted - {m["seq"] for _, m in messages}:
        got = await listener.next(5.0)
        if got is None:
            break
        messages.append(got)
    by_reason: dict[str, float] = {}
    for at_s, message in messages:
        if message.get("type") != "route.updated":
            continue
        kind = "resolve" if message["data"]["reason"] == "re-optimized" else "insertion"
        by_reason.setdefault(kind, at_s - start)
    fast = [r for r in revised if r["reason"] != "re-optimized"]
    resolved = [r for r in revised if r["reason"] == "re-optimized"]
    result: dict[str, Any] = {
        "order_id": str(order_id),
        "window": "window_start_at" in body,
        "http_post_s": http_s,
        "insertion_e2e_s": by_reason.get("insertion"),
        "resolve_e2e_s": by_reason.get("resolve"),
        "placed_by_insertion": any(str(order_id) in r["diff"]["added"] for r in fast),
        "revisions": [
            {
                "revision": r["revision"],
                "reason": r["reason"],
                "churn": r["diff"]["churn"],
                "eta_changes": r["eta_changes"],
                "routes": len(r["routes"]),
            }
            for r in revised
        ],
        "resolve_published": bool(resolved),
        "resolve_churn": max((int(r["diff"]["churn"]) for r in resolved), default=0),
    }
    result.update(await direct_measures(running, day, order_id, with_peer))
    return result


async def load_state(session: Any, running: Running, day: date) -> tuple[float, replanning.Loaded]:
    """replanning.load as the re-planner calls it, timed."""
    seconds, loaded = await timed(
        lambda: replanning.load(
            session,
            organization_id=running.organization_id,
            service_date=day,
            now=running.replanner.clock(),
            travel=running.app.state["travel"],
            fallback=running.app.state["travel_fallback"],
        )
    )
    if loaded is None:
        raise RuntimeError("the day has no live plan")
    return seconds, loaded


async def direct_measures(running: Running, day: date, order_id: uuid.UUID, with_peer: bool) -> dict[str, Any]:
    """On the live state as it now stands, with the new order taken off again: the pieces of the fast path
    timed alone, the warm re-solve called directly, and the cold re-solve peer."""
    timeout_s = running.settings.replan_timeout_s
    async with running.app.state[SESSION_FACTORY_KEY]() as session:
        load_s, loaded = await load_state(session, running, day)
        await session.rollback()
    before = without_order(loaded.state, order_id)
    algo = []
    insertion = None
    for _ in range(MICRO_CALLS):
        t = time.perf_counter()
        insertion = live.cheapest_insertion(before, order_id)
        algo.append(time.perf_counter() - t)
    if insertion is None:
        return {"load_s": load_s, "algo_s": algo, "insertion_found": False}
    state = live.apply_insertion(before, insertion)
    # replanning.write of that insertion, in a transaction that is rolled back (the live plan is not touched)
    async with running.app.state[SESSION_FACTORY_KEY]() as session:
        _, rolled = await load_state(session, running, day)
        rolled.state = without_order(rolled.state, order_id)
        after = live.apply_insertion(rolled.state, insertion)
        write_s, _ = await timed(
            lambda: replanning.write(session, rolled, after, reason="bench", travel=running.app.state["travel"])
        )
        await session.rollback()
    warm_s, warm = await timed(
        lambda: asyncio.to_thread(live.warm_solve, state, exploration_level=1, timeout_s=timeout_s)
    )
    result = {
        "insertion_found": True,
        "load_s": load_s,
        "algo_s": algo,
        "write_s": write_s,
        "travel_s": live.total_travel(state),
        "warm_direct_s": warm_s,
        "warm_direct": judged(state, live.state_from_result(state, warm)),
        "_state": state,
    }
    if with_peer:
        problem = live.live_problem(state)
        cold_s, cold = await timed(lambda: asyncio.to_thread(solve, problem, exploration_level=1, timeout_s=timeout_s))
        result["cold_l1_s"] = cold_s
        result["cold_l1"] = judged(state, live.state_from_result(state, cold))
    return result


async def bench_size(
    template: Path, workdir: Path, stops: int, vehicles: int, args: argparse.Namespace
) -> dict[str, Any]:
    label = f"{stops}x{vehicles}"
    (workdir / label).mkdir(parents=True, exist_ok=True)
    db = workdir / label / "bench.db"
    shutil.copyfile(template, db)
    # tomorrow: a plan for today starts its vans at the time the bench runs, so late in the day most orders no
    # longer fit in the shifts and the routes (and so every figure) depended on the hour the bench was started
    day = datetime.now(TZ).date() + timedelta(days=1)
    setup_start = time.perf_counter()
    max_stops = math.ceil(args.stops_slack * stops / vehicles) if args.stops_slack else None
    async with serve(
        f"sqlite+aiosqlite:///{db}",
        workdir / label,
        vehicles,
        max_stops,
        args.travel,
        not args.no_gc_tuning,
        args.breaks,
    ) as running:
        response = await running.client.post(
            "/api/orders/import",
            content=json.dumps(order_rows(stops, day, seed=stops, box=BOX[args.travel])).encode(),
            headers={**running.headers, "Content-Type": "application/json"},
        )
        if response.status_code != 200 or response.json()["created"] != stops:
            raise RuntimeError(f"the import answered {response.status_code}: {response.text[:1000]}")
        await running.quiet()
        plan_s, plan = await timed(
            lambda: running.post(
                "/api/plans",
                {"service_date": day.isoformat(), "time_budget_s": args.plan_budget, "publish": True},
            )
        )
        if plan["status"] != "published":
            raise RuntimeError(f"the plan is {plan['status']}")
        if plan["summary"]["travel_times"] != args.travel:
            raise RuntimeError(f"the plan's travel times are not {args.travel}: {plan['summary']['travel_times']}")
        await running.quiet()
        running.replanner.clock = lambda: datetime.combine(day, clock_time(7, 30), TZ)
        listener = Listener(running.channels, [driver_channel(d) for d in running.drivers])
        await listener.start()
        setup_s = time.perf_counter() - setup_start
        print(
            f"  {label}: plan of {plan['summary']['assigned']} stops on {plan['summary']['routes']} routes "
            f"({plan['summary']['unassigned']} unassigned) made in {plan_s:.1f}s; set-up {setup_s:.0f}s",
            flush=True,
        )
        rnd = random.Random(stops * 7 + vehicles)
        runs = []
        last_state: LiveState | None = None
        try:
            # the first re-plan of a new server process runs cold (SQLAlchemy compiles its statements, first calls):
            # timed and reported apart, not in the percentiles of the live re-plans that follow
            first = await one_repeat(running, listener, day, 0, rnd, with_peer=False)
            first.pop("_state", None)
            for i in range(1, args.repeat + 1):
                run = await one_repeat(running, listener, day, i, rnd, with_peer=i <= args.peer_repeat)
                last_state = run.pop("_state", None) or last_state
                runs.append(run)
                if args.verbose:
                    print(f"    {i}: {json.dumps({k: v for k, v in run.items() if k != 'algo_s'}, default=str)}")
            level5: dict[str, Any] | None = None
            if last_state is not None and stops <= args.level5_max:
                problem = live.live_problem(last_state)
                l5_s, l5 = await timed(
                    lambda: asyncio.to_thread(
                        solve, problem, exploration_level=5, timeout_s=None, threads=args.level5_threads
                    )
                )
                level5 = {"seconds": l5_s, **judged(last_state, live.state_from_result(last_state, l5))}
            if args.profile:
                profile_text = await profile_load(running, day)
                print(f"  {label}: replanning.load under cProfile, by cumulative time\n{profile_text}", flush=True)
        finally:
            await listener.stop()
    summary = summarize_size(label, stops, vehicles, plan, plan_s, setup_s, runs, level5, running.settings)
    summary["first_after_start"] = {k: first.get(k) for k in ("insertion_e2e_s", "resolve_e2e_s", "load_s", "write_s")}
    return summary


async def profile_load(running: Running, day: date, top: int = 25) -> str:
    """One replanning.load under cProfile (the event loop is otherwise idle, so what it shows is the load's)."""
    profile = cProfile.Profile()
    async with running.app.state[SESSION_FACTORY_KEY]() as session:
        profile.enable()
        await load_state(session, running, day)
        profile.disable()
        await session.rollback()
    buffer = io.StringIO()
    pstats.Stats(profile, stream=buffer).strip_dirs().sort_stats("cumulative").print_stats(top)
    return buffer.getvalue()


def summarize_size(
    label: str,
    stops: int,
    vehicles: int,
    plan: dict[str, Any],
    plan_s: float,
    setup_s: float,
    runs: list[dict[str, Any]],
    level5: dict[str, Any] | None,
    settings: Settings,
) -> dict[str, Any]:
    def values(key: str) -> list[float]:
        return [float(r[key]) for r in runs if r.get(key) is not None]

    found = [r for r in runs if r.get("insertion_found")]
    churns = [int(rev["churn"]) for r in runs for rev in r["revisions"]]
    resolve_churns = [int(r["resolve_churn"]) for r in runs if r["resolve_published"]]
    warm_direct = stats_ms([r["warm_direct_s"] for r in found])
    peered = [r for r in found if "cold_l1" in r]
    cold_l1 = stats_ms([r["cold_l1_s"] for r in peered])
    return {
        "stops": stops,
        "vehicles": vehicles,
        "plan": {"seconds": plan_s, "summary": plan["summary"]},
        "setup_s": setup_s,
        "repeat": len(runs),
        "replan_timeout_s": settings.replan_timeout_s,
        "replan_debounce_s": settings.replan_debounce_s,
        "insertion_e2e": stats_ms(values("insertion_e2e_s")),
        "insertion_lost": sum(1 for r in runs if r["insertion_e2e_s"] is None),
        "placed_by_insertion": sum(1 for r in runs if r["placed_by_insertion"]),
        "http_post": stats_ms(values("http_post_s")),
        "insertion_algo": stats_ms([s for r in runs for s in r["algo_s"]]),
        "load": stats_ms(values("load_s")),
        "write": stats_ms(values("write_s")),
        "resolve_e2e": stats_ms(values("resolve_e2e_s")),
        "resolve_published": sum(1 for r in runs if r["resolve_published"]),
        "resolve_nothing_better": sum(1 for r in runs if not r["resolve_published"]),
        "churn_max": max(churns, default=0),
        "resolve_churn_max": max(resolve_churns, default=0),
        "warm_direct": {
            **warm_direct,
            "moved_max": max((r["warm_direct"]["moved"] for r in found), default=0),
            "acceptable": sum(1 for r in found if r["warm_direct"]["acceptable"]),
            "travel_change_pct_median": statistics.median([r["warm_direct"]["travel_change_pct"] for r in found])
            if found
            else None,
        },
        "cold_l1": {
            **cold_l1,
            "moved_median": statistics.median([r["cold_l1"]["moved"] for r in peered]) if peered else None,
            "moved_relabeled_median": statistics.median([r["cold_l1"]["moved_relabeled"] for r in peered])
            if peered
            else None,
            "unplaced_max": max((r["cold_l1"]["unplaced"] for r in peered), default=0),
            "travel_change_pct_median": statistics.median([r["cold_l1"]["travel_change_pct"] for r in peered])
            if peered
            else None,
        },
        "cold_l5": level5,
        "ratio_warm_over_cold_l1_time": (warm_direct["p50_ms"] / cold_l1["p50_ms"])
        if warm_direct["p50_ms"] and cold_l1["p50_ms"]
        else None,
        "runs": runs,
    }


# ---------------------------------------------------------------- report


def _ms(value: float | None, width: int = 7) -> str:
    return f"{value:>{width}.0f}" if value is not None else f"{'-':>{width}}"


def goal_verdict(results: dict[str, Any]) -> dict[str, Any]:
    label = f"{GOAL_SIZE[0]}x{GOAL_SIZE[1]}"
    r = results.get(label)
    if r is None:
        return {"size": label, "measured": False}
    insertion = r["insertion_e2e"]["p95_ms"]
    resolve = r["resolve_e2e"]["p95_ms"]
    return {
        "size": label,
        "measured": True,
        "insertion_p95_ms": insertion,
        "insertion_met": insertion is not None and insertion <= GOAL_INSERTION_P95_MS and not r["insertion_lost"],
        "resolve_p95_ms": resolve,
        "resolve_published": r["resolve_published"],
        "resolve_met": resolve is not None and resolve <= GOAL_RESOLVE_P95_MS,
        "churn_max": r["churn_max"],
        "churn_met": r["churn_max"] <= GOAL_CHURN_MAX,
    }


def table(results: dict[str, Any], goal: dict[str, Any]) -> str:
    lines = [
        "new order → route.updated on the driver channel (ms; e2e from sending the POST)",
        f"{'size':<9} {'routes':>6} {'insert e2e':>15} {'insert algo':>13} {'load':>6} {'write':>6} {'http':>6} "
        f"{'re-solve e2e':>15} {'published':>9} {'churn':>5}",
        f"{'':<9} {'':>6} {'p50':>7} {'p95':>7} {'p50':>6} {'p95':>6} {'p50':>6} {'p50':>6} {'p50':>6} "
        f"{'p50':>7} {'p95':>7} {'':>9} {'max':>5}",
        "-" * 107,
    ]
    for label, r in results.items():
        lines.append(
            f"{label:<9} {r['plan']['summary']['routes']:>6} "
            f"{_ms(r['insertion_e2e']['p50_ms'])} {_ms(r['insertion_e2e']['p95_ms'])} "
            f"{r['insertion_algo']['p50_ms']:>6.2f} {r['insertion_algo']['p95_ms']:>6.2f} "
            f"{_ms(r['load']['p50_ms'], 6)} {_ms(r['write']['p50_ms'], 6)} {_ms(r['http_post']['p50_ms'], 6)} "
            f"{_ms(r['resolve_e2e']['p50_ms'])} {_ms(r['resolve_e2e']['p95_ms'])} "
            f"{r['resolve_published']:>4}/{r['repeat']:<4} {r['churn_max']:>5}"
        )
    lines += [
        "",
        "re-solve of the live state after the insertion, called directly (moved: stops between vehicles vs the plan;"
        " relabeled: after matching the alike vans up)",
        f"{'size':<9} {'warm L1 ms':>13} {'moved':>5} {'travel':>7} | {'cold L1 ms':>10} {'moved':>6} {'relab':>5} "
        f"{'travel':>7} {'warm/cold':>9} | {'cold L5 s':>9} {'moved':>5} {'relab':>5} {'travel':>7}",
        f"{'':<9} {'p50':>6} {'p95':>6} {'max':>5} {'Δ% med':>7} | {'p50':>10} {'median':>6} {'med':>5} "
        f"{'Δ% med':>7} {'time':>9} | {'':>9} {'':>5} {'':>5} {'Δ%':>7}",
        "-" * 118,
    ]
    for label, r in results.items():
        w, c, l5 = r["warm_direct"], r["cold_l1"], r["cold_l5"]
        ratio = r["ratio_warm_over_cold_l1_time"]
        l5_text = (
            f"{l5['seconds']:>9.1f} {l5['moved']:>5} {l5['moved_relabeled']:>5} {l5['travel_change_pct']:>+7.1f}"
            if l5
            else f"{'skipped':>9}"
        )
        lines.append(
            f"{label:<9} {_ms(w['p50_ms'], 6)} {_ms(w['p95_ms'], 6)} {w['moved_max']:>5} "
            f"{(w['travel_change_pct_median'] or 0):>+7.2f} | {_ms(c['p50_ms'], 10)} {c['moved_median'] or 0:>6.0f} "
            f"{c['moved_relabeled_median'] or 0:>5.0f} {(c['travel_change_pct_median'] or 0):>+7.2f} "
            f"{(ratio or 0):>9.2f} | {l5_text}"
        )
    lines += [
        "",
        "first order after the server started (cold; not in the percentiles above): "
        + ", ".join(
            f"{label} insertion {_ms((r['first_after_start']['insertion_e2e_s'] or 0) * 1000, 0)} ms"
            for label, r in results.items()
        ),
    ]
    if goal["measured"]:
        lines += [
            "",
            f"goals at {goal['size']}: insertion → ETAs p95 ≤ {GOAL_INSERTION_P95_MS:.0f} ms: "
            f"{'met' if goal['insertion_met'] else 'NOT met'} ({_ms(goal['insertion_p95_ms'], 0)} ms); "
            f"warm re-solve → ETAs p95 ≤ {GOAL_RESOLVE_P95_MS:.0f} ms: "
            f"{'met' if goal['resolve_met'] else 'NOT met'} ({_ms(goal['resolve_p95_ms'], 0)} ms over "
            f"{goal['resolve_published']} published); ≤ {GOAL_CHURN_MAX} stops moved: "
            f"{'met' if goal['churn_met'] else 'NOT met'} (max {goal['churn_max']})",
        ]
    return "\n".join(lines)


def parse_sizes(text: str) -> list[tuple[int, int]]:
    sizes = []
    for part in text.split(","):
        stops, _, vehicles = part.strip().partition("x")
        if not stops.isdigit() or not vehicles.isdigit():
            raise argparse.ArgumentTypeError(f"a size is STOPSxVEHICLES, e.g. 300x15; got {part!r}")
        sizes.append((int(stops), int(vehicles)))
    return sizes


async def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", type=parse_sizes, default=parse_sizes(DEFAULT_SIZES), help=DEFAULT_SIZES)
    parser.add_argument("--repeat", type=int, default=20, help="new orders per size (default 20)")
    parser.add_argument("--travel", choices=["straight_line", "road_graph"], default="straight_line")
    parser.add_argument("--plan-budget", type=float, default=3.0, help="time_budget_s of the initial plan")
    parser.add_argument(
        "--level5-max",
        type=int,
        default=100,
        help="run the cold level-5 peer (once per size) up to this many stops; default 100, as 300 adds 1-3 min",
    )
    parser.add_argument(
        "--peer-repeat",
        type=int,
        default=3,
        help="run the cold level-1 peer on the first N repeats of each size (default 3; about 10 s a call at 1000)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="after each size, one replanning.load under cProfile, top functions by cumulative time printed",
    )
    parser.add_argument(
        "--stops-slack",
        type=float,
        default=0.0,
        help="each van takes at most ceil(SLACK x stops / vans) stops, so the plan spreads over the fleet as a "
        "dispatcher's would (VROOM alone packs 100 stops on 2 of 5 vans); default 0: no limit",
    )
    parser.add_argument("--level5-threads", type=int, default=2, help="threads of the cold level-5 peer (default 2)")
    parser.add_argument("--verbose", action="store_true", help="print every repeat")
    parser.add_argument(
        "--breaks", action="store_true", help="every van takes a 30-minute break starting 11:00-13:00 (a lunch break)"
    )
    parser.add_argument(
        "--no-gc-tuning", action="store_true", help="the server without kit/gc_tuning.py (as the test suite's apps)"
    )
    args = parser.parse_args()

    quiet_logs()
    load_at_start = os.getloadavg()
    started = time.perf_counter()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="doorstep-bench-replan-") as tmp:
        workdir = Path(tmp)
        template = workdir / "template.db"
        await asyncio.to_thread(migrations.upgrade, f"sqlite+aiosqlite:///{template}")
        quiet_logs()
        print(
            f"Live re-plan: {', '.join(f'{s} stops x {v} vans' for s, v in args.sizes)}; {args.repeat} new orders "
            f"each; {args.travel} travel times; SQLite{'; every van with a lunch break' if args.breaks else ''}",
            flush=True,
        )
        for stops, vehicles in args.sizes:
            results[f"{stops}x{vehicles}"] = await bench_size(template, workdir, stops, vehicles, args)
    goal = goal_verdict(results)
    report = {
        "benchmark": "live re-plan: POST /api/orders → route.updated on driver:{id} channels (uvicorn + httpx)",
        "travel": args.travel,
        "repeat": args.repeat,
        "breaks": args.breaks,
        "gc_tuning": not args.no_gc_tuning,
        "goal": {
            "size": f"{GOAL_SIZE[0]}x{GOAL_SIZE[1]}",
            "insertion_e2e_p95_ms": GOAL_INSERTION_P95_MS,
            "resolve_e2e_p95_ms": GOAL_RESOLVE_P95_MS,
            "churn_max": GOAL_CHURN_MAX,
        },
        "verdict": goal,
        "machine": {**machine_info(PACKAGES, load_average=True, sqlite=True), "load_average_at_start": load_at_start},
        "results": results,
        "total_s": time.perf_counter() - started,
    }
    written = write_results("replan-breaks" if args.breaks else "replan", report)
    print()
    print(table(results, goal))
    m = report["machine"]
    details = f"load {m['load_average'][0]:.1f}, Python {m['python']}, SQLite {m['sqlite']}"
    print("\n" + run_line(m, details, report["total_s"], written))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
