"""The simulated courier's phone: signs in like the driver app, starts its route, follows the streets (the
motion model in `simulate.py`), reports fixes over `/ws/driver` (buffered while the socket is down, then
backfilled), dwells at each door and delivers or fails the stop through the driver API."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import structlog
import websockets

from backend.fleet.models import VehicleProfile
from backend.routing.travel import TravelError, TravelTimes, TravelUnavailable
from backend.tracking.simulate import (
    PARK_WITHIN_M,
    TICK_S,
    GpsNoise,
    LatLon,
    Motion,
    Pace,
    Polyline,
    StopPlan,
    distance_m,
    drive,
    offset,
    plan_stop,
    position_frame,
)

if TYPE_CHECKING:
    from backend.demo.live_day import ApiSession


log = structlog.get_logger(__name__)

IDLE_POLL_S = 10.0  # a courier on duty without work asks for its route this often (real seconds)
OFF_DUTY_POLL_S = 60.0  # a courier without any route (the day not prepared yet) asks this often
MAX_BUFFERED_FIXES = 1_000  # a phone offline longer than this many fixes drops its oldest ones
BATCH_POINTS = 200  # a backfill frame of 200 fixes is about 30 KB: the server closes a socket on 64 KiB frames


async def street_leg(travel: TravelTimes, a: LatLon, b: LatLon) -> Polyline:
    """The way between two points along the streets of the road graph, else straight."""
    try:
        return Polyline.from_geojson(await travel.leg_geometry(a, b, VehicleProfile.van))
    except (TravelError, TravelUnavailable, KeyError, ValueError) as exc:
        log.info("simulate_straight_leg", reason=str(exc))
        return Polyline([a, b])


def local_today(timezone: str) -> date:
    return datetime.now(ZoneInfo(timezone)).date()


# ---------------------------------------------------------------- the phone: its socket and its courier


def _ws_url(base_url: str) -> str:
    scheme, rest = base_url.split("://", 1)
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest}/ws/driver"


class DriverSocket:
    """`/ws/driver` as a phone keeps it: fixes buffered while it is down, sent as one batch on reconnect,
    reconnects with backoff; `error` frames are logged, `route.updated` raises a flag for the courier."""

    def __init__(self, api: ApiSession, name: str) -> None:
        self.api, self.name = api, name
        self.buffer: list[dict[str, Any]] = []
        self.connection: Any = None
        self.reader: asyncio.Task[None] | None = None
        self.retry_at, self.backoff_s = 0.0, 1.0
        self.route_changed = asyncio.Event()
        self.errors: dict[str, int] = {}

    async def send(self, fix: dict[str, Any]) -> None:
        self.buffer = [*self.buffer, fix][-MAX_BUFFERED_FIXES:]
        if self.connection is None and time.monotonic() >= self.retry_at:
            await self._connect()
        if self.connection is None:
            return
        points, self.buffer = self.buffer, []
        for start in range(0, len(points), BATCH_POINTS):
            chunk = points[start : start + BATCH_POINTS]
            frame = chunk[0] if len(chunk) == 1 else {"type": "positions", "points": [_point(p) for p in chunk]}
            try:
                await self.connection.send(json.dumps(frame))
            except websockets.ConnectionClosed:
                self.buffer = points[start:] + self.buffer
                await self._dropped("send failed")
                return

    async def _connect(self) -> None:
        try:
            self.connection = await websockets.connect(
                _ws_url(self.api.base_url), additional_headers={"Cookie": self.api.cookie_header()}, open_timeout=5
            )
        except (OSError, TimeoutError, websockets.WebSocketException) as exc:
            await self._dropped(f"connect failed: {exc}")
            return
        self.backoff_s = 1.0
        self.reader = asyncio.create_task(self._read(self.connection), name=f"simulate-socket-{self.name}")

    async def _read(self, connection: Any) -> None:
        try:
            async for raw in connection:
                frame = json.loads(raw)
                kind, data = frame.get("type"), frame.get("data") or {}
                if kind == "error":
                    detail = str(data.get("detail"))
                    self.errors[detail] = self.errors.get(detail, 0) + 1
                    if self.errors[detail] in (1, 10, 100, 1000):  # each kind logged, not every repeat
                        log.warning(
                            "simulate_socket_error", courier=self.name, detail=detail, times=self.errors[detail]
                        )
                elif kind == "route.updated":
                    self.route_changed.set()
        except websockets.ConnectionClosed:
            pass
        code = getattr(connection.close_code, "value", connection.close_code)
        if self.connection is connection:
            if code == 4401:  # the session is gone: sign in again before reconnecting
                with contextlib.suppress(Exception):  # the server may be away too: the next connect says so
                    await self.api.login()
            await self._dropped(f"closed ({code} {connection.close_reason})")

    async def _dropped(self, why: str) -> None:
        log.info("simulate_socket_down", courier=self.name, why=why, retry_in_s=self.backoff_s)
        connection, self.connection = self.connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()
        self.retry_at = time.monotonic() + self.backoff_s
        self.backoff_s = min(self.backoff_s * 2, 30.0)

    async def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.reader


def _point(frame: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in frame.items() if k != "type"}


OPEN = ("pending", "arrived")


def next_open(route: dict[str, Any], skip: frozenset[str] | set[str] = frozenset()) -> dict[str, Any] | None:
    """The route's next stop to serve, in plan order (depot stops have no order), except those in skip."""
    stops = sorted(route["stops"], key=lambda s: s["sequence"])
    return next((s for s in stops if s["order_id"] and s["status"] in OPEN and s["id"] not in skip), None)


def last_place(route: dict[str, Any]) -> LatLon:
    """Where a courier resuming this route stands: its last stop served, else its start."""
    stops = sorted(route["stops"], key=lambda s: s["sequence"])
    done = [s for s in stops if s["status"] in ("completed", "failed")]
    where = done[-1] if done else stops[0]
    return where["lat"], where["lon"]


class Courier:
    """One simulated driver: signs in, starts its route, drives it stop by stop and finishes it (or, in a
    continuous run, waits at the depot for the work live re-planning gives it)."""

    def __init__(
        self, *, api: ApiSession, number: int, travel: TravelTimes, pace: Pace, seed: int, once: bool, timezone: str
    ) -> None:
        self.api, self.travel, self.pace, self.once, self.timezone = api, travel, pace, once, timezone
        self.name = f"courier {number}"
        self.rng = random.Random(f"{seed}:{number}")  # one stream per courier: reproducible whatever the interleaving
        self.noise = GpsNoise(self.rng)
        self.socket = DriverSocket(api, self.name)
        self.position: LatLon | None = None
        self.heading = 0.0
        self.idle = asyncio.Event()  # no stop to serve: the coordinator may bring the next batch
        self.next_tick = time.monotonic()
        self.outcomes: dict[str, int] = {"delivered": 0, "failed": 0, "skipped": 0}
        self.skipped: set[str] = set()  # stops the server would not close: never driven to again
        self.unfinished: set[str] = set()  # routes the server would not finish: not asked again

    async def run(self) -> None:
        """Until the route is driven (`once`), or for ever. A continuous run waits out a server that is away or
        answers unexpectedly, as a phone retries; a single run stops on it."""
        backoff_s = 1.0
        try:
            while True:
                try:
                    if not self.api.csrf_token:
                        await self.api.login()
                    if await self.step():
                        return
                    backoff_s = 1.0
                except Exception as exc:
                    if self.once:
                        raise
                    log.warning("simulate_courier_error", courier=self.name, error=str(exc), retry_in_s=backoff_s)
                    await asyncio.sleep(backoff_s)
                    backoff_s = min(backoff_s * 2, 60.0)
        finally:
            await self.socket.close()

    async def step(self) -> bool:
        """What the driver does next; True when a single run is over."""
        route = await self.route()
        today = local_today(self.timezone).isoformat()
        if route is not None and route["status"] == "published" and route["service_date"] != today:
            route = None  # a route of another day (a dispatcher's plan) waits for its day
        if route is None:
            self.idle.set()
            if not self.once:
                await asyncio.sleep(OFF_DUTY_POLL_S)
            return self.once
        if route["status"] == "published":
            route = (await self.api.call("POST", f"/api/routes/{route['id']}/start", {})).json()
            log.info("simulate_route_started", courier=self.name, route_id=route["id"])
        if self.position is None:
            self.position = last_place(route)
        stop = next_open(route, self.skipped)
        if stop is not None:
            self.idle.clear()
            await self.visit(route, stop)
            return False
        self.idle.set()
        if (self.once or route["service_date"] != today) and route["id"] not in self.unfinished:
            if await self.finish(route):
                return self.once
            fresh = await self.route()
            if fresh is not None and next_open(fresh, self.skipped) is not None:
                return False  # work came in meanwhile
            self.unfinished.add(route["id"])  # stops the server would not close keep it open
        if self.once:
            return True
        await self.wait_for_work(route)
        return False

    async def route(self) -> dict[str, Any] | None:
        response = await self.api.call("GET", "/api/driver/route")
        return None if response.status_code == 204 else dict(response.json())

    async def emit(self, motion: Motion) -> None:
        """Report one fix (noisy, stamped with the wall clock) and wait for the next tick."""
        point, accuracy = self.noise.apply(motion.point)
        self.position, self.heading = motion.point, motion.heading_deg
        await self.socket.send(position_frame(point, accuracy, motion, datetime.now(UTC)))
        self.next_tick = max(self.next_tick + TICK_S, time.monotonic() - TICK_S)  # late ticks are not all made up
        await asyncio.sleep(max(0.0, self.next_tick - time.monotonic()))

    async def go(self, target: LatLon, plan: StopPlan | None = None, stop_id: str | None = None) -> bool:
        """Drive to the target along the streets; False when a re-plan took the stop away on the way."""
        assert self.position is not None
        line = await street_leg(self.travel, self.position, target)
        self.socket.route_changed.clear()
        for motion in drive(line, rng=self.rng, pace=self.pace, plan=plan):
            await self.emit(motion)
            if stop_id is not None and self.socket.route_changed.is_set():
                self.socket.route_changed.clear()
                fresh = await self.route()
                ahead = next_open(fresh, self.skipped) if fresh is not None else None
                if ahead is None or ahead["id"] != stop_id:
                    log.info("simulate_retargeted", courier=self.name, stop_id=stop_id)
                    return False
        return True

    async def visit(self, route: dict[str, Any], stop: dict[str, Any]) -> None:
        plan = plan_stop(self.rng)
        if stop["kind"] == "pickup":  # parcels loaded at the depot (or a return collected): nobody to miss
            plan = replace(plan, outcome="delivered", reason=None)
        door = (stop["lat"], stop["lon"])
        if not await self.go(door, plan, stop["id"]):
            return
        park = offset(door, plan.park_north_m, plan.park_east_m)
        for _ in range(math.ceil(self.pace.dwell_real_s(plan.dwell_s) / TICK_S)):
            await self.emit(Motion(park, 0.0, self.heading))
        body = {"outcome": plan.outcome, **({"reason": plan.reason} if plan.reason else {})}
        path = f"/api/routes/{route['id']}/stops/{stop['id']}/complete"
        response = await self.api.call("POST", path, body, ok=(404, 409))
        if response.status_code in (404, 409):  # re-planned away or closed meanwhile: the next stop then
            self.outcomes["skipped"] += 1
            self.skipped.add(stop["id"])
            log.info("simulate_stop_skipped", courier=self.name, stop_id=stop["id"], answer=response.text[:300])
            return
        self.outcomes[plan.outcome] += 1
        log.info("simulate_stop_done", courier=self.name, order_id=stop["order_id"], outcome=plan.outcome)

    async def finish(self, route: dict[str, Any]) -> bool:
        response = await self.api.call("POST", f"/api/routes/{route['id']}/finish", {}, ok=(409,))
        if response.status_code == 409:  # a stop came in meanwhile, or one the server would not close
            log.info("simulate_finish_refused", courier=self.name, answer=response.text[:300])
            return False
        log.info("simulate_route_finished", courier=self.name, route_id=route["id"], **self.outcomes)
        return True

    async def wait_for_work(self, route: dict[str, Any]) -> None:
        """No stop left on a continuous run: back to the depot, parked there on duty until work comes."""
        end = next((s for s in route["stops"] if s["kind"] == "end"), None)
        assert self.position is not None
        if end is not None and distance_m(self.position, (end["lat"], end["lon"])) > 2 * PARK_WITHIN_M:
            await self.go((end["lat"], end["lon"]))
        await self.emit(Motion(self.position, 0.0, self.heading))
        await asyncio.sleep(IDLE_POLL_S)
