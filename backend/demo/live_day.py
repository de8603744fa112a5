"""Today's live day for the simulated couriers, prepared through the API as the demo admin (couriers and their
vans, today's orders, a published plan), and the run that drives the couriers and keeps the day going.

Everything goes through the HTTP API of a running server, as an integration would: re-running finds what an
earlier run made (users and vans by name, orders by their `LIVE-{date}-{k}` reference, today's plan).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import structlog

from backend.demo.seed import FIRST_NAMES, LAST_NAMES, LOGINS, PASSWORD, load_addresses
from backend.routing.travel import TravelTimes
from backend.tracking.courier import IDLE_POLL_S, Courier, local_today, next_open
from backend.tracking.simulate import Pace

ADMIN = LOGINS[0]
REF_PREFIX = "LIVE-"
WINDOW = timedelta(hours=4)  # each order's delivery window opens when it is created
LAST_BATCH_AT = time(23, 0)  # later, a batch no longer fits before the vans' shift ends at midnight
CHECK_EVERY_S = 10.0
RETRY_S = 300.0  # a day or a batch that cannot be made now is tried again this much later
STUCK_S = 900.0  # every courier idle this long with orders of the batch still open: the next batch anyway
PLACED_WITHIN_S = 60.0  # live re-planning places a new order within seconds (the outbox relay, a fast insertion)
OPEN_ORDER = frozenset({"created", "planned", "out_for_delivery", "arriving", "requested", "scheduled"})
WAITING = ("created", "requested")  # waiting for a plan: deliveries and store pickups, returns

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Options:
    base_url: str
    couriers: int = 3
    orders_per_courier: int = 8
    speedup: float = 1.0
    seed: int | None = None
    once: bool = False


class ApiError(Exception):
    """An answer the simulator did not expect, with the request and the answer as they were."""

    def __init__(self, method: str, path: str, body: Any, response: httpx.Response) -> None:
        self.status_code = response.status_code
        sent = json.dumps(body, default=str) if body is not None else ""
        super().__init__(f"{method} {path} {sent} -> {response.status_code} {response.text[:1000]}")


class ApiSession:
    """Signed in with a session cookie like the PWA; sends the CSRF token from the login answer on writes."""

    def __init__(self, base_url: str, email: str, password: str) -> None:
        self.base_url, self.email, self.password = base_url.rstrip("/"), email, password
        self.client = httpx.AsyncClient(base_url=self.base_url, timeout=httpx.Timeout(60.0, connect=5.0))
        self.csrf_token = ""

    async def login(self) -> None:
        for _ in range(10):
            response = await self.client.post("/api/auth/login", json={"email": self.email, "password": self.password})
            if response.status_code != 429:
                break
            # logins are rate limited per address, and a browser on this machine shares the budget
            await asyncio.sleep(float(response.headers.get("retry-after") or 10))
        if response.status_code != 200:
            raise ApiError("POST", "/api/auth/login", {"email": self.email}, response)
        self.csrf_token = response.json()["csrf_token"]

    async def call(
        self, method: str, path: str, body: Any = None, *, params: dict[str, Any] | None = None, ok: Sequence[int] = ()
    ) -> httpx.Response:
        """The answer when it is 2xx or one of `ok`, else ApiError; a lost session signs in again once."""
        for attempt in (1, 2):
            headers = {"X-CSRF-Token": self.csrf_token} if method != "GET" else {}
            response = await self.client.request(method, path, json=body, params=params, headers=headers)
            if response.status_code == 401 and attempt == 1:
                await self.login()
                continue
            if response.is_success or response.status_code in ok:
                return response
            raise ApiError(method, path, body, response)
        raise ApiError(method, path, body, response)

    async def all(self, path: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a paged list."""
        items: list[dict[str, Any]] = []
        while True:
            page = (await self.call("GET", path, params={**params, "limit": 200, "offset": len(items)})).json()
            items += page["items"]
            if not page["items"] or len(items) >= page["total"]:
                return items

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.client.cookies.items())

    async def aclose(self) -> None:
        await self.client.aclose()


def courier_email(number: int) -> str:
    return f"courier{number}@demo.doorstep.dev"


async def ensure_couriers(admin: ApiSession, count: int) -> dict[str, int]:
    """Users `courier{i}@…` (drivers) with vans "Courier van {i}" (created once); courier number by van id."""
    users = {u["email"]: u for u in await admin.all("/api/users")}
    vans = {v["name"]: v for v in await admin.all("/api/vehicles")}
    depot = next(x for x in await admin.all("/api/locations") if x["kind"] == "depot")
    numbers: dict[str, int] = {}
    for number in range(1, count + 1):
        user = users.get(courier_email(number))
        if user is None:
            person = {
                "email": courier_email(number),
                "name": f"Courier {number}",
                "role": "driver",
                "password": PASSWORD,
            }
            user = (await admin.call("POST", "/api/users", person)).json()
        van = vans.get(f"Courier van {number}")
        if van is None:
            body = {
                "name": f"Courier van {number}",
                "profile": "van",
                "capacity_kg": 900.0,
                "capacity_l": 6000.0,
                "capacity_parcels": 150,
                # simulation vans work round the clock, so today's plan fits whenever the demo is started
                "shift_start": "00:00:00",
                "shift_end": "23:59:59",
                "driver_id": user["id"],
                "depot_id": depot["id"],
            }
            van = (await admin.call("POST", "/api/vehicles", body)).json()
        numbers[van["id"]] = number
    await on_duty(admin, numbers, visits=None)
    return numbers


async def on_duty(admin: ApiSession, vans: dict[str, int], *, visits: int | None) -> None:
    """Simulation vans are active only while the simulator plans or adds a batch, so the dispatcher's plans
    (every active vehicle) and live re-planning of their orders leave them out the rest of the time. `visits`
    caps each van's open visits: a batch is shared out, where the cheapest plan would give one van all of it."""
    for van_id in vans:
        body = {"is_active": False} if visits is None else {"is_active": True, "max_stops": visits}
        await admin.call("PATCH", f"/api/vehicles/{van_id}", body)


async def create_orders(
    admin: ApiSession, *, rng: random.Random, timezone: str, first_k: int, count: int
) -> list[dict[str, Any]]:
    """`count` orders at demo addresses with windows from now, references k = first_k on; an order an earlier
    run made with a reference (409) is taken as it is."""
    now = datetime.now(ZoneInfo(timezone))
    start = now.replace(second=0, microsecond=0)
    end = min(start + WINDOW, datetime.combine(now.date(), time(23, 59, 59), now.tzinfo))
    stops = load_addresses()["stops"]
    orders: list[dict[str, Any]] = []
    k = first_k
    while len(orders) < count:
        stop = rng.choice(stops)
        body = {
            "recipient_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            "address": stop["address"],
            "lat": stop["lat"],
            "lon": stop["lon"],
            "external_ref": f"{REF_PREFIX}{now.date().isoformat()}-{k}",
            # a window dates the order: live re-planning never moves it to another day's plan
            "window_start_at": start.isoformat(),
            "window_end_at": end.isoformat(),
            "service_s": rng.choice([60, 90, 120]),
            "weight_kg": round(rng.uniform(0.3, 12.0), 1),
        }
        k += 1
        response = await admin.call("POST", "/api/orders", body, ok=(409,))
        if response.status_code == 409:  # made by an earlier run: take it as it is
            response = await admin.call("GET", f"/api/orders/{response.json()['order_id']}")
        orders.append(response.json())
    return orders


async def next_free_k(admin: ApiSession, day: str) -> int:
    refs = [o["external_ref"] or "" for o in await admin.all("/api/orders", q=f"{REF_PREFIX}{day}-")]
    return max((int(r.rsplit("-", 1)[1]) for r in refs if r.startswith(f"{REF_PREFIX}{day}-")), default=-1) + 1


async def published_plan(admin: ApiSession, day: str) -> dict[str, Any] | None:
    live = next((p for p in await admin.all("/api/plans", date=day) if p["status"] == "published"), None)
    return None if live is None else dict((await admin.call("GET", f"/api/plans/{live['id']}")).json())


async def prepare_day(admin: ApiSession, options: Options, *, vans: dict[str, int], timezone: str) -> list[str] | None:
    """Today's first batch, planned on the courier vans only and published: its order ids, or None when today
    is not the simulation's to take (it says why)."""
    now = datetime.now(ZoneInfo(timezone))
    day = now.date().isoformat()
    plan = await published_plan(admin, day)
    if plan is not None:
        if not any(r["vehicle_id"] in vans for r in plan["routes"]):
            log.warning("simulate_waits", detail=f"{day} has a published plan without courier vans: left alone")
            return None
        return [o["id"] for o in await admin.all("/api/orders", q=f"{REF_PREFIX}{day}-")]  # an earlier run's
    if now.time() >= LAST_BATCH_AT:
        log.warning("simulate_waits", detail="too late in the day for a batch; couriers start after midnight")
        return None
    rng = random.Random(f"{options.seed}:0" if options.seed is not None else None)
    orders = await create_orders(
        admin, rng=rng, timezone=timezone, first_k=0, count=options.couriers * options.orders_per_courier
    )
    waiting = [o["id"] for o in orders if o["status"] == "created"]
    if waiting:
        body = {
            "service_date": day,
            "order_ids": waiting,
            "vehicle_ids": list(vans),
            "time_budget_s": 2,
            "publish": True,
        }
        await on_duty(admin, vans, visits=options.orders_per_courier)
        try:
            made = (await admin.call("POST", "/api/plans", body)).json()
        finally:
            await on_duty(admin, vans, visits=None)
        log.info("simulate_day_planned", day=day, routes=len(made["routes"]), unassigned=len(made["unassigned"]))
    return [o["id"] for o in orders]


async def top_up(admin: ApiSession, options: Options, *, vans: dict[str, int], timezone: str) -> list[str] | None:
    """The next batch on a day under way, placed by the server's live re-planning; None when it cannot be now."""
    now = datetime.now(ZoneInfo(timezone))
    if now.time() >= LAST_BATCH_AT:
        return None
    waiting = [o for status in WAITING for o in await admin.all("/api/orders", status=status)]
    others = [
        o
        for o in waiting
        if not (o["external_ref"] or "").startswith(REF_PREFIX)
        and (o["window_start_at"] is None or datetime.fromisoformat(o["window_start_at"]).date() == now.date())
    ]
    if others:
        # Live re-planning gives every waiting order without a window to the next day with a live plan, today:
        # a new order now would pull the dispatcher's orders into today. Wait until they are planned.
        log.info("simulate_batch_waits", other_waiting_orders=len(others))
        return None
    first_k = await next_free_k(admin, now.date().isoformat())
    rng = random.Random(f"{options.seed}:{first_k}" if options.seed is not None else None)
    count = options.couriers * options.orders_per_courier
    await on_duty(admin, vans, visits=2 * options.orders_per_courier)  # on a day under way: loaded at the depot first
    try:
        orders = await create_orders(admin, rng=rng, timezone=timezone, first_k=first_k, count=count)
        for _ in range(int(PLACED_WITHIN_S)):
            if not await orders_in(admin, [o["id"] for o in orders], {"created"}):
                break
            await asyncio.sleep(1.0)
    finally:
        await on_duty(admin, vans, visits=None)
    log.info("simulate_batch_added", orders=len(orders))
    return [o["id"] for o in orders]


async def orders_in(admin: ApiSession, order_ids: list[str], statuses: set[str] | frozenset[str]) -> bool:
    """Whether any of the orders is in one of the statuses."""
    for order_id in order_ids:
        if (await admin.call("GET", f"/api/orders/{order_id}")).json()["status"] in statuses:
            return True
    return False


async def print_links(admin: ApiSession, *, vans: dict[str, int], day: str, shown: int = 2) -> None:
    """Tracking links of the couriers' next stops, for a person to open while the vans move."""
    routes = [r for r in await admin.all("/api/routes", date=day) if r["vehicle_id"] in vans]
    for summary in sorted(routes, key=lambda r: vans[r["vehicle_id"]]):
        if shown and summary["status"] in ("published", "in_progress"):
            stop = next_open((await admin.call("GET", f"/api/routes/{summary['id']}")).json())
            if stop is not None:
                order = (await admin.call("GET", f"/api/orders/{stop['order_id']}")).json()
                number = vans[summary["vehicle_id"]]
                print(f"Tracking link (courier {number}'s next stop): {order['tracking_url']}", flush=True)
                shown -= 1


async def wait_for_server(base_url: str, timeout_s: float = 120.0) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=2.0) as client:
        for _ in range(int(timeout_s * 4)):
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get("/health")).status_code == 200:
                    return
            await asyncio.sleep(0.25)
    raise TimeoutError(f"{base_url}/health did not answer within {timeout_s:.0f} s")


async def run(options: Options, *, travel: TravelTimes) -> int:
    """Prepare today and drive it: to the end (`once`), or on and on, a new batch whenever one is done."""
    await wait_for_server(options.base_url)
    admin = ApiSession(options.base_url, ADMIN.email, ADMIN.password)
    couriers: list[Courier] = []
    tasks: list[asyncio.Task[None]] = []
    try:
        await admin.login()
        timezone = (await admin.call("GET", "/api/organization")).json()["timezone"]
        vans = await ensure_couriers(admin, options.couriers)
        day = local_today(timezone).isoformat()
        batch = await prepare_day(admin, options, vans=vans, timezone=timezone)
        if batch is None and options.once:
            return 1
        if batch is not None:
            await print_links(admin, vans=vans, day=day)
        seed = options.seed if options.seed is not None else random.randrange(2**32)
        for number in range(1, options.couriers + 1):
            api = ApiSession(options.base_url, courier_email(number), PASSWORD)
            pace = Pace(options.speedup)
            couriers.append(
                Courier(
                    api=api, number=number, travel=travel, pace=pace, seed=seed, once=options.once, timezone=timezone
                )
            )
        tasks = [asyncio.create_task(c.run(), name=c.name) for c in couriers]
        if options.once:
            await asyncio.gather(*tasks)
            return 0
        await keep_going(admin, options, couriers, tasks, vans=vans, timezone=timezone, day=day, batch=batch)
        return 0
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for courier in couriers:
            await courier.api.aclose()
        await admin.aclose()


async def keep_going(
    admin: ApiSession,
    options: Options,
    couriers: list[Courier],
    tasks: list[asyncio.Task[None]],
    *,
    vans: dict[str, int],
    timezone: str,
    day: str,
    batch: list[str] | None,
) -> None:
    """Once every courier is idle and the batch is served, the next batch; a new day, a new plan."""
    loop = asyncio.get_running_loop()
    retry_at: float = 0.0
    idle_since: float | None = None
    while True:
        await asyncio.sleep(CHECK_EVERY_S)
        for task in tasks:
            if task.done():
                task.result()  # a courier that crashed stops the run loudly
        if not all(c.idle.is_set() for c in couriers):
            idle_since = None
            continue
        idle_since = idle_since or loop.time()
        if loop.time() < retry_at:
            continue
        today = local_today(timezone).isoformat()
        try:
            if batch is None or today != day:
                await asyncio.sleep(IDLE_POLL_S * 2)  # yesterday's routes are finished by their couriers first
                fresh, day = await prepare_day(admin, options, vans=vans, timezone=timezone), today
            elif await orders_in(admin, batch, OPEN_ORDER) and loop.time() - idle_since < STUCK_S:
                continue  # served soon, or refused by the server (see simulate_stop_skipped) until STUCK_S
            else:
                fresh = await top_up(admin, options, vans=vans, timezone=timezone)
            if fresh is not None:
                batch, idle_since = fresh, None
                await print_links(admin, vans=vans, day=day)
        except (ApiError, httpx.TransportError) as exc:  # the server is away or misbehaves: try again later
            log.warning("simulate_coordinator_error", error=str(exc))
            fresh = None
        if fresh is None:
            retry_at = loop.time() + RETRY_S
