"""Benchmark: the PWA's bundle sizes per route, and the driver app's time to interactive, throttled.

Server: the real app (backend.app.create_app, serving a copy of the built pwa/dist, so a rebuild during the run
changes nothing; `npm run build` first when dist is missing or older than its sources) under uvicorn on a free
127.0.0.1 port, in a thread of this process with its own event loop; temp SQLite, memory channels, straight-line
travel times.
Set-up before any clock: an organization in a zone where it is about midday, an admin, a driver, a depot and a van
(shift 00:00-23:59) through the services; STOPS orders (one or two parcels with barcodes, some notes) through
POST /api/orders, and POST /api/plans with publish: the driver has a published route today.

Bundle sizes, unthrottled: each route (/, /driver, /track/<token>, /dispatch) opened in a fresh Chromium context
(admin for / and /dispatch, the driver for /driver, nobody for the tracking page), every JS, CSS and wasm response of
the page recorded from the network log (not the service worker's precache fetches, which are the worker's own) until
the screen's own element shows ("initial"), then until the network is idle ("after ready"). Each file is gzipped
from pwa/dist at level 9 by the bench: transfer sizes are not used (the app serves them uncompressed). "Lazy" is what
the screen's chunks name (transitively: zxing's .wasm through zxing's chunk) and the page did not load: code that
arrives only when a sheet opens. The entry chunk's references to the other screens are not counted as lazy.

Time to interactive of /driver, CPU 4x slower (Emulation.setCPUThrottlingRate) and "Slow 4G" (Network.
emulateNetworkConditions: 150 ms RTT, 1.6 Mbps down, 750 kbps up), both through the DevTools protocol on the page,
a 360x740 phone viewport. "Interactive": performance.now() (from navigation start) at the animation frame after the
document has left readyState "loading" and the first [data-testid=stop-row] button is in the viewport, not disabled,
and the topmost element at its centre (elementFromPoint): watched by a MutationObserver an init script starts at
document creation. Per repetition, in a fresh context (empty cache, no service worker, no IndexedDB):

  cold            the driver's session cookie set, /driver opened
  warm            once the service worker controls the page (clientsClaim), a reload: shell and chunks from the
                  worker's precache, the day from IndexedDB, /api/auth/me and /api/driver/day over the network
  offline         the context offline (Playwright set_offline, and the page's own CDP conditions set offline too:
                  network emulation is per DevTools session), a reload: the app from the worker, the day from
                  IndexedDB. Goal <= 1 s
  cold gzip       what-if, its own fresh context: the same cold load with every response gzipped (level 6) by an ASGI
                  wrapper the bench puts in front of the app (as a reverse proxy would); the app is unchanged

Once per run (with the what-if): "lie-fi", the worker and the stored day in place, every /api/ request left
unanswered, throttled, a reload: does the first stop show within LIE_FI_WAIT_MS?

Peer, same run, interleaved with the repetitions: a static page with only Leaflet 1.9 (leaflet.js and leaflet.css
from pwa/node_modules), a map (tiles from a grey PNG on another origin) and the same stops as an ordered list of
buttons, its data fetched as one static JSON file, served by a minimal Litestar app under uvicorn (the same server
stack, the same cache headers: the HTML no-cache, the scripts immutable), no compression, same throttling and
detector. Cold and warm (second load from the HTTP cache; it has no service worker, so no offline start). Ratio =
Doorstep median / peer median. Bundle ratio = /driver initial JS / leaflet.js alone (both gzip -9).

The service worker installs during the cold load and precaches every screen's files (the .wasm included): those
fetches are the worker's, which the page's CDP throttling does not cover; the bench reports their count and size.

    .venv/bin/python bench/pwa.py [--repeat 5] [--stops 20] [--no-build] [--no-what-if] [--screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import os
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from common import free_port, machine_info, organization_with_admin, quiet_logs, run_line, write_results  # noqa: E402

PWA = ROOT / "pwa"
DIST = PWA / "dist"
LEAFLET = PWA / "node_modules" / "leaflet" / "dist"
CHROMIUM = Path(os.environ.get("DOORSTEP_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [  # tests/e2e/conftest.py's
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
PASSWORD = "bench-password-123"
DEPOT = (60.1699, 24.9384)  # Helsinki railway station
PACKAGES = ["playwright", "litestar", "uvicorn", "sqlalchemy", "aiosqlite"]

CPU_SLOWDOWN = 4
SLOW_4G = {"latency_ms": 150, "down_bps": 1_600_000, "up_bps": 750_000}
GOAL_DRIVER_JS_KB = 150.0
GOAL_OFFLINE_MS = 1000.0
KB = 1000  # kB as Vite prints them
WAIT_MS = 60_000
LIE_FI_WAIT_MS = 10_000
STAMP = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
RESULTS_DIR = ROOT / "bench" / "results"

# Which element says a screen is there, for the bundle pass (signed in as the given role).
SCREENS: list[dict[str, Any]] = [
    {"route": "/", "who": "admin", "ready": '[data-testid="user-name"]'},
    {"route": "/driver", "who": "driver", "ready": '[data-testid="stop-row"]'},
    {"route": "/track/<token>", "who": None, "ready": '[data-testid="track-headline"]'},
    {"route": "/dispatch", "who": "admin", "ready": '[data-testid="route-card"]'},
]
TILE_HOST = re.compile(r"^https?://[^/]*tile[^/]*/")
ASSET = re.compile(r"[A-Za-z0-9_.-]+-[A-Za-z0-9_-]{8}\.(?:js|css|wasm)")

# The detector: window.__tti (ms from navigation start) once the first stop's button can be clicked.
DETECTOR = """
(() => {
  if (window.__ttiWatch) return;
  window.__ttiWatch = true;
  const SELECTOR = '[data-testid="stop-row"] button';
  function clickable(el) {
    if (el.disabled) return false;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    if (r.bottom <= 0 || r.right <= 0 || r.top >= innerHeight || r.left >= innerWidth) return false;
    const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
    const y = Math.min(Math.max(r.top + Math.min(r.height / 2, 20), 0), innerHeight - 1);
    const hit = document.elementFromPoint(x, y);
    return hit !== null && (hit === el || el.contains(hit));
  }
  let found = false;
  let observer = null;
  function check() {
    if (found || document.readyState === 'loading') return;
    const el = document.querySelector(SELECTOR);
    if (!el || !clickable(el)) return;
    found = true;
    window.__ttiDom = performance.now();
    if (observer) observer.disconnect();
    requestAnimationFrame(() => { window.__tti = performance.now(); });
  }
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener('controllerchange', () => { window.__swControl = performance.now(); });
  }
  observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
  document.addEventListener('readystatechange', check);
  addEventListener('resize', check);
})();
"""

# What the page knew at interactive: navigation timing, first paint, and the requests on the critical path.
TIMINGS = """
() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  const resources = performance.getEntriesByType('resource');
  const pick = (test) => {
    const r = resources.find((e) => test(new URL(e.name).pathname));
    return r ? { start: r.startTime, end: r.responseEnd, transfer: r.transferSize, body: r.encodedBodySize,
                 worker: r.workerStart > 0 } : null;
  };
  const bytes = resources.reduce((sum, e) => sum + (e.transferSize || 0), 0) + (nav ? nav.transferSize : 0);
  return {
    tti: window.__tti, dom: window.__ttiDom,
    document_end: nav ? nav.responseEnd : null,
    dom_content_loaded: nav ? nav.domContentLoadedEventEnd : null,
    load_event: nav && nav.loadEventEnd > 0 ? nav.loadEventEnd : null,
    fcp: fcp ? fcp.startTime : null,
    me: pick((p) => p === '/api/auth/me'),
    day: pick((p) => p === '/api/driver/day' || p === '/stops.json'),
    screen: pick((p) => /\\/assets\\/DriverScreen-[^/]*\\.js$/.test(p)),
    leaflet: pick((p) => /\\/assets\\/markers-[^/]*\\.js$/.test(p) || p.endsWith('/leaflet.js')),
    requests: resources.length + 1,
    transfer_bytes: bytes,
    controlled: !!(navigator.serviceWorker && navigator.serviceWorker.controller),
    sw_control: window.__swControl === undefined ? null : window.__swControl,
    online: navigator.onLine,
  };
}
"""


# ---------------------------------------------------------------- build


def build_if_stale(skip: bool) -> dict[str, Any]:
    """`npm run build` in pwa/ when dist/index.html is missing or older than a source file; returns what was done."""
    index = DIST / "index.html"
    sources = [PWA / name for name in ("index.html", "vite.config.ts", "package.json", "package-lock.json")]
    sources += list(PWA.glob("tsconfig*.json"))
    for folder in (PWA / "src", PWA / "public"):
        sources += [p for p in folder.rglob("*") if p.is_file()]
    newest = max((p.stat().st_mtime for p in sources if p.exists()), default=0.0)
    stale = not index.is_file() or index.stat().st_mtime < newest
    if not stale:
        return {"built": False, "reason": "dist is newer than every source file"}
    if skip:
        if not index.is_file():
            raise SystemExit("pwa/dist is missing and --no-build was given: run `cd pwa && npm run build`")
        return {"built": False, "reason": "stale, but --no-build"}
    print("pwa/dist is missing or older than its sources: npm run build ...", flush=True)
    started = time.perf_counter()
    done = subprocess.run(["npm", "run", "build"], cwd=PWA, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(
            f"npm run build failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}\n"
            "Fix the build, or pass --no-build to measure pwa/dist as it is."
        )
    return {"built": True, "build_s": round(time.perf_counter() - started, 1)}


def dist_built_at() -> str:
    return datetime.fromtimestamp((DIST / "index.html").stat().st_mtime, UTC).isoformat(timespec="seconds")


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


# ---------------------------------------------------------------- servers (a thread with its own event loop)


class GzipSwitch:
    """ASGI wrapper: while `on`, responses to a client that accepts gzip are buffered and gzipped (level 6, the
    usual proxy default) unless already encoded or under 1 kB. The what-if for "assets compressed in transit"."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.on = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if not self.on or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        accepts = b"gzip" in dict(scope.get("headers") or []).get(b"accept-encoding", b"")
        if not accepts:
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            encoded = any(k.lower() == b"content-encoding" for k, _ in headers)
            if not encoded and len(body) >= 1024:
                body = gzip.compress(body, compresslevel=6, mtime=0)
                headers += [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding")]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, capture)


def grey_tile() -> bytes:
    """A 256x256 grey PNG (as tests/e2e/test_dispatch.py draws one)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 256, 256, 8, 0, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\xdd" * 256 for _ in range(256))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def peer_app(folder: Path) -> Any:
    """The peer's server: Litestar serving the static page, with the app's cache headers."""
    from litestar import Litestar, get
    from litestar.datastructures import CacheControlHeader
    from litestar.response import File, Response
    from litestar.static_files import create_static_files_router

    tile = grey_tile()

    @get("/", sync_to_thread=False)
    def index() -> File:
        return File(
            folder / "index.html",
            filename="index.html",
            media_type="text/html",
            content_disposition_type="inline",
            headers={"Cache-Control": "no-cache"},
        )

    @get("/stops.json", sync_to_thread=False)
    def stops() -> File:
        return File(
            folder / "stops.json",
            filename="stops.json",
            content_disposition_type="inline",
            media_type="application/json",
            headers={"Cache-Control": "no-cache"},
        )

    @get("/tiles/{z:int}/{x:int}/{y:int}.png", sync_to_thread=False)
    def tiles(z: int, x: int, y: int) -> Response[bytes]:
        return Response(tile, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"})

    static = create_static_files_router(
        path="/static",
        directories=[folder / "static"],
        cache_control=CacheControlHeader(public=True, max_age=31_536_000, immutable=True),
    )
    # the handlers' annotations are strings (from __future__): tell Litestar what they name
    return Litestar([index, stops, tiles, static], signature_namespace={"File": File, "Response": Response})


def midday_zone() -> str:
    offset = 12 - datetime.now(UTC).hour
    return "Etc/GMT" + (f"-{offset}" if offset > 0 else f"+{-offset}" if offset < 0 else "")


@dataclass
class Servers:
    doorstep: str = ""
    peer: str = ""
    zone: str = ""
    gzip: GzipSwitch | None = None
    error: BaseException | None = None
    ready: threading.Event = field(default_factory=threading.Event)
    loop: asyncio.AbstractEventLoop | None = None
    stop: asyncio.Event | None = None
    thread: threading.Thread | None = None

    def close(self) -> None:
        if self.loop and self.stop:
            self.loop.call_soon_threadsafe(self.stop.set)
        if self.thread:
            self.thread.join(timeout=30)


async def seed(workdir: Path, dist: Path) -> tuple[Any, str]:
    """The app, with an organization, its admin, a driver, a depot and the driver's van (through the services)."""
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

    url = f"sqlite+aiosqlite:///{workdir / 'pwa.db'}"
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
        login_rate_limit_per_minute=10**9,
        tracking_rate_limit_per_minute=10**9,
    )
    app = create_app(settings, pwa_dist=dist)
    zone = midday_zone()
    async with transaction(app.state[SESSION_FACTORY_KEY]) as session:
        org, admin = await organization_with_admin(
            session, name="Bench PWA Oy", email="admin@pwa-bench.example.com", password=PASSWORD
        )
        await session.execute(update(Organization).where(Organization.id == org.id).values(timezone=zone))
        principal = Principal(organization_id=org.id, role=Role.admin, via="session", user_id=admin.id)
        depot = await places.create_location(
            session,
            principal=principal,
            data=LocationCreate(
                kind=LocationKind.depot, name="Central depot", address="Kaivokatu 1", lat=DEPOT[0], lon=DEPOT[1]
            ),
        )
        driver = await accounts.create_user(
            session,
            organization=org,
            actor="system:bench",
            data=UserCreate(
                email="driver@pwa-bench.example.com", name="Dana Driver", role=Role.driver, password=PASSWORD
            ),
        )
        await fleet.create_vehicle(
            session,
            principal=principal,
            data=VehicleCreate(
                name="Van 1",
                profile=VehicleProfile.van,
                capacity_kg=1000.0,
                capacity_l=8000.0,
                capacity_parcels=200,
                shift_start=clock_time(0, 0),
                shift_end=clock_time(23, 59),
                driver_id=driver.id,
                depot_id=depot.id,
            ),
        )
    return app, zone


def start_servers(workdir: Path, peer_dir: Path, dist: Path) -> Servers:
    """The app and the peer, each under uvicorn, in a thread of their own; returns once both answer."""
    import uvicorn

    servers = Servers()

    async def run() -> None:
        servers.loop = asyncio.get_running_loop()
        servers.stop = asyncio.Event()
        app, servers.zone = await seed(workdir, dist)
        servers.gzip = GzipSwitch(app)
        ports = free_port(), free_port()
        configs = [
            uvicorn.Config(servers.gzip, host="127.0.0.1", port=ports[0], log_level="warning", lifespan="on"),
            uvicorn.Config(peer_app(peer_dir), host="127.0.0.1", port=ports[1], log_level="warning", lifespan="on"),
        ]
        for config in configs:
            config.access_log = False
        running = [uvicorn.Server(c) for c in configs]
        tasks = [asyncio.create_task(s.serve()) for s in running]
        try:
            while not all(s.started for s in running):
                for task in tasks:
                    if task.done():
                        task.result()
                        raise RuntimeError("uvicorn stopped during startup")
                await asyncio.sleep(0.01)
            servers.doorstep = f"http://127.0.0.1:{ports[0]}"
            servers.peer = f"http://127.0.0.1:{ports[1]}"
            servers.ready.set()
            await servers.stop.wait()
        finally:
            for s in running:
                s.should_exit = True
            await asyncio.gather(*tasks, return_exceptions=True)

    def thread_main() -> None:
        try:
            asyncio.run(run())
        except BaseException as exc:  # reported to the main thread
            servers.error = exc
        finally:
            servers.ready.set()

    servers.thread = threading.Thread(target=thread_main, name="servers", daemon=True)
    servers.thread.start()
    servers.ready.wait(timeout=180)
    if servers.error is not None:
        raise servers.error
    if not servers.doorstep:
        raise RuntimeError("the servers did not start within 180 s")
    return servers


# ---------------------------------------------------------------- data through the API


@dataclass
class World:
    driver_cookies: list[dict[str, Any]]
    admin_cookies: list[dict[str, Any]]
    token: str
    stops: int
    day: dict[str, Any]


def login_cookies(base_url: str, email: str) -> list[dict[str, Any]]:
    import httpx

    with httpx.Client(base_url=base_url, timeout=60) as client:
        client.post("/api/auth/login", json={"email": email, "password": PASSWORD}).raise_for_status()
        return [{"name": c.name, "value": c.value, "url": base_url} for c in client.cookies.jar]


def make_day(base_url: str, zone: str, n_stops: int) -> World:
    """STOPS orders and a published plan for today, through the API as an admin would."""
    import random

    import httpx

    rng = random.Random(5)
    streets = ["Mannerheimintie", "Aleksanterinkatu", "Bulevardi", "Fredrikinkatu", "Annankatu", "Lönnrotinkatu"]
    today = datetime.now(UTC).astimezone(ZoneInfo(zone)).date()
    token = ""
    with httpx.Client(base_url=base_url, timeout=300) as admin:
        login = admin.post("/api/auth/login", json={"email": "admin@pwa-bench.example.com", "password": PASSWORD})
        login.raise_for_status()
        csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
        for i in range(n_stops):
            parcels = 1 + (i % 3 == 0)
            body: dict[str, Any] = {
                "recipient_name": f"Customer {i + 1}",
                "address": f"{rng.choice(streets)} {rng.randint(1, 60)}, 00100 Helsinki",
                "lat": DEPOT[0] - 0.012 + rng.random() * 0.024,
                "lon": DEPOT[1] - 0.025 + rng.random() * 0.05,
                "recipient_phone": f"+35840{rng.randint(1_000_000, 9_999_999)}",
                "external_ref": f"PWA-{i}",
                "weight_kg": round(1 + rng.random() * 10, 1),
                "barcodes": [f"JJFI{uuid.uuid4().hex[:12].upper()}" for _ in range(parcels)],
            }
            if i % 4 == 0:
                body["notes"] = "Door code 1234, leave with the neighbour if not home"
            created = admin.post("/api/orders", json=body, headers=csrf)
            if created.status_code != 201:
                raise RuntimeError(f"POST /api/orders answered {created.status_code}: {created.text[:500]}")
            token = token or str(created.json()["tracking_url"]).rsplit("/", 1)[1]
        plan = admin.post(
            "/api/plans", json={"service_date": today.isoformat(), "time_budget_s": 1, "publish": True}, headers=csrf
        )
        if plan.status_code != 201:
            raise RuntimeError(f"POST /api/plans answered {plan.status_code}: {plan.text[:500]}")
        admin_cookies = [{"name": c.name, "value": c.value, "url": base_url} for c in admin.cookies.jar]
    driver_cookies = login_cookies(base_url, "driver@pwa-bench.example.com")
    with httpx.Client(base_url=base_url, timeout=60) as driver:
        for c in driver_cookies:
            driver.cookies.set(c["name"], c["value"])
        got = driver.get("/api/driver/day")
        if got.status_code != 200:
            raise RuntimeError(f"GET /api/driver/day answered {got.status_code}: {got.text[:300]}")
        day = got.json()
    stops = sum(1 for s in day["route"]["stops"] if s.get("order_id"))
    if stops == 0:
        raise RuntimeError("the published route has no stops")
    return World(driver_cookies, admin_cookies, token, stops, day)


# ---------------------------------------------------------------- the peer page


def write_peer(folder: Path, day: dict[str, Any], tile_origin: str) -> None:
    """index.html, static/{leaflet.js,leaflet.css,app.js}, stops.json: Leaflet, a map and the list of stops."""
    (folder / "static").mkdir(parents=True)
    shutil.copy(LEAFLET / "leaflet.js", folder / "static" / "leaflet.js")
    shutil.copy(LEAFLET / "leaflet.css", folder / "static" / "leaflet.css")
    orders = {o["id"]: o for o in day["orders"]}
    stops = []
    for stop in day["route"]["stops"]:
        order = orders.get(stop.get("order_id") or "")
        if order is None:
            continue
        stops.append(
            {
                "name": order["recipient_name"],
                "address": order["address"],
                "lat": stop["lat"],
                "lon": stop["lon"],
                "eta": stop.get("planned_arrival_at"),
                "parcels": [p["barcode"] for p in order.get("parcels", [])],
            }
        )
    (folder / "stops.json").write_text(json.dumps(stops))
    (folder / "index.html").write_text(
        """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Peer: Leaflet, a map and a list</title>
<link rel="stylesheet" href="/static/leaflet.css">
<style>
body { margin: 0; font: 16px system-ui, sans-serif; }
header { padding: 12px 16px; background: #0b5d4b; color: #fff; font-weight: 600; }
#map { height: 220px; }
ol { list-style: none; margin: 0; padding: 8px; }
li button { display: block; width: 100%; min-height: 56px; margin: 0 0 8px; padding: 8px 12px; text-align: left;
            font: inherit; border: 1px solid #ccc; border-radius: 8px; background: #fff; }
small { display: block; color: #555; }
</style>
<script src="/static/leaflet.js" defer></script>
<script src="/static/app.js" defer></script>
</head>
<body>
<header>Today's route</header>
<div id="map"></div>
<ol id="stops"></ol>
</body>
</html>
"""
    )
    (folder / "static" / "app.js").write_text(
        """const data = fetch('/stops.json').then((r) => r.json());
const map = L.map('map', { zoomSnap: 0.5 }).setView([60.1699, 24.9384], 13);
L.tileLayer('TILE_ORIGIN/tiles/{z}/{x}/{y}.png', { maxZoom: 19, attribution: '&copy; OpenStreetMap' }).addTo(map);
const escape = (t) => String(t).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
data.then((stops) => {
  const line = L.polyline(stops.map((s) => [s.lat, s.lon]), { color: '#0b5d4b' }).addTo(map);
  stops.forEach((s, i) => L.circleMarker([s.lat, s.lon], { radius: 9 }).bindTooltip(String(i + 1)).addTo(map));
  map.fitBounds(line.getBounds());
  document.getElementById('stops').innerHTML = stops.map((s, i) => {
    const eta = s.eta ? new Date(s.eta).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '';
    return `<li data-testid="stop-row"><button type="button"><strong>${i + 1}. ${escape(s.name)}</strong>` +
      `<small>${escape(s.address)} · ${eta}</small><small>${s.parcels.map(escape).join(', ')}</small></button></li>`;
  }).join('');
});
""".replace("TILE_ORIGIN", tile_origin)
    )


# ---------------------------------------------------------------- browser


def throttle(cdp: Any) -> None:
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": SLOW_4G["latency_ms"],
            "downloadThroughput": SLOW_4G["down_bps"] / 8,
            "uploadThroughput": SLOW_4G["up_bps"] / 8,
        },
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})


def measure(page: Any, navigate: Any) -> dict[str, Any]:
    """Navigates (goto or reload, with the page already throttled), waits for the detector, returns the timings."""
    errors: list[str] = []

    def on_error(error: Any) -> None:
        errors.append(str(error))

    page.on("pageerror", on_error)
    try:
        navigate()
        page.wait_for_function("window.__tti !== undefined", timeout=WAIT_MS, polling=100)
        result: dict[str, Any] = page.evaluate(TIMINGS)
    finally:
        page.remove_listener("pageerror", on_error)
    if errors:
        result["page_errors"] = errors[:5]
    return result


def new_phone(browser: Any, cookies: list[dict[str, Any]]) -> Any:
    context = browser.new_context(**PHONE)
    context.set_default_timeout(WAIT_MS)
    if cookies:
        context.add_cookies(cookies)
    context.add_init_script(DETECTOR)
    return context


def doorstep_repetition(
    browser: Any, base: str, world: World, scenarios: dict[str, list[Any]], shots: Path | None = None
) -> None:
    """cold, then warm from the service worker, then offline, in one fresh context; `shots`: a screenshot of
    each at interactive into that folder."""

    def shot(page: Any, name: str) -> None:
        if shots is not None:
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / f"driver-{name}.png"))

    context = new_phone(browser, world.driver_cookies)
    worker_fetches: list[str] = []
    context.on("request", lambda r: worker_fetches.append(r.url) if r.service_worker else None)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        throttle(cdp)
        cold = measure(page, lambda: page.goto(base + "/driver", wait_until="commit"))
        shot(page, "cold")
        page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
        cold["worker_fetches"] = len(worker_fetches)
        cold["worker_fetched"] = sorted({u.removeprefix(base) for u in worker_fetches})
        scenarios["cold"].append(cold)
        throttle(cdp)
        scenarios["warm"].append(measure(page, lambda: page.reload(wait_until="commit")))
        shot(page, "warm")
        # Playwright's offline for the context (the worker included), and this session's own conditions too: the
        # page's network emulation is per DevTools session, and ours (online, throttled) would otherwise stay on
        context.set_offline(True)
        cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        scenarios["offline"].append(measure(page, lambda: page.reload(wait_until="commit")))
        shot(page, "offline")
    finally:
        context.close()


def doorstep_gzip_repetition(browser: Any, servers: Servers, world: World, scenarios: dict[str, list[Any]]) -> None:
    assert servers.gzip is not None
    context = new_phone(browser, world.driver_cookies)
    servers.gzip.on = True
    try:
        page = context.new_page()
        throttle(context.new_cdp_session(page))
        scenarios["cold, gzip what-if"].append(
            measure(page, lambda: page.goto(servers.doorstep + "/driver", wait_until="commit"))
        )
    finally:
        servers.gzip.on = False
        context.close()


def lie_fi_check(browser: Any, base: str, world: World) -> dict[str, Any]:
    """Once: the service worker and the stored day in place, then every /api request left unanswered (a link that
    connects but carries nothing), throttled as above, a reload. Does the first stop show within LIE_FI_WAIT_MS?"""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = new_phone(browser, world.driver_cookies)
    try:
        page = context.new_page()
        page.goto(base + "/driver")
        page.wait_for_selector('[data-testid="stop-row"]')
        page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
        hung: list[str] = []
        context.route(re.compile("^" + re.escape(base) + "/api/"), lambda route: hung.append(route.request.url))
        throttle(context.new_cdp_session(page))
        page.reload(wait_until="commit")
        tti = None
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function("window.__tti !== undefined", timeout=LIE_FI_WAIT_MS, polling=100)
            tti = page.evaluate("window.__tti")
        return {
            "tti": tti,
            "waited_ms": LIE_FI_WAIT_MS,
            "unanswered": sorted({u.removeprefix(base) for u in hung}),
            "headings": page.locator("h1").all_inner_texts(),
        }
    finally:
        context.close()


def peer_repetition(browser: Any, base: str, scenarios: dict[str, list[Any]]) -> None:
    context = new_phone(browser, [])
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        throttle(cdp)
        scenarios["cold"].append(measure(page, lambda: page.goto(base + "/", wait_until="commit")))
        page.wait_for_load_state("networkidle")
        throttle(cdp)
        scenarios["warm"].append(measure(page, lambda: page.reload(wait_until="commit")))
    finally:
        context.close()


def bundle_pass(browser: Any, base: str, world: World, dist: Path) -> list[dict[str, Any]]:
    """Each route unthrottled in a fresh context: the page's JS/CSS/wasm, gzipped from dist, initial vs lazy."""
    tile = grey_tile()
    by_name = {p.name: p for p in (dist / "assets").iterdir() if p.is_file()}
    sizes = {name: {"raw": p.stat().st_size, "gzip": gzip_size(p)} for name, p in by_name.items()}
    out = []
    for screen in SCREENS:
        route = screen["route"].replace("<token>", world.token)
        cookies = {"admin": world.admin_cookies, "driver": world.driver_cookies, None: []}[screen["who"]]
        context = browser.new_context(**PHONE)
        context.set_default_timeout(WAIT_MS)
        if cookies:
            context.add_cookies(cookies)
        # map tiles from the internet: a grey tile instead (this pass measures bytes, not time)
        context.route(TILE_HOST, lambda r: r.fulfill(body=tile, content_type="image/png"))
        loaded: list[tuple[str, bool]] = []

        def on_response(response: Any, loaded: list[tuple[str, bool]] = loaded) -> None:
            path = response.url.split("?", 1)[0].removeprefix(base)
            if path.startswith("/assets/") and path.rsplit(".", 1)[-1] in ("js", "css", "wasm"):
                loaded.append((path.removeprefix("/assets/"), response.from_service_worker))

        page = context.new_page()
        page.on("response", on_response)
        page.goto(base + route)
        page.wait_for_selector(screen["ready"], timeout=WAIT_MS)
        initial = [name for name, _ in loaded]
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        after = [name for name, _ in loaded if name not in initial]
        context.close()
        # what the screen's own chunks name and the page did not load: lazily loaded on that screen
        entry = {name for name in initial if name.startswith("index-")}
        seen = set(initial) | set(after)
        todo = [name for name in seen if name not in entry and name.endswith(".js")]
        lazy: list[str] = []
        while todo:
            text = (dist / "assets" / todo.pop()).read_text(errors="replace")
            for ref in sorted(set(ASSET.findall(text))):
                if ref in by_name and ref not in seen and ref not in lazy and ref not in entry:
                    lazy.append(ref)
                    if ref.endswith(".js"):
                        todo.append(ref)

        def total(names: list[str], ext: str) -> int:
            return sum(sizes[n]["gzip"] for n in names if n.endswith(ext) and n in sizes)

        out.append(
            {
                "route": screen["route"],
                "initial": {n: sizes.get(n) for n in initial},
                "after_ready": {n: sizes.get(n) for n in after},
                "lazy": {n: sizes.get(n) for n in lazy},
                "initial_js_gzip": total(initial, ".js"),
                "initial_css_gzip": total(initial, ".css"),
                "initial_js_raw": sum(sizes[n]["raw"] for n in initial if n.endswith(".js") and n in sizes),
                "after_ready_gzip": total(after, ".js") + total(after, ".css") + total(after, ".wasm"),
                "lazy_js_gzip": total(lazy, ".js"),
                "lazy_wasm_gzip": total(lazy, ".wasm"),
                "lazy_css_gzip": total(lazy, ".css"),
            }
        )
    return out


# ---------------------------------------------------------------- report


def summary(runs: list[dict[str, Any]], key: str = "tti") -> dict[str, Any]:
    values = [r[key] for r in runs if r.get(key) is not None]
    if not values:
        return {"n": 0}
    return {"n": len(values), "median": statistics.median(values), "max": max(values), "min": min(values)}


def phase_medians(runs: list[dict[str, Any]]) -> dict[str, float | None]:
    """Median end times of the critical path's steps, ms from navigation start."""

    def med(get: Any, timed: bool = True) -> float | None:
        """Median of get(run); a time only when it came before that run's interactive."""
        values = []
        for run in runs:
            value = get(run)
            if value is not None and (not timed or run.get("tti") is None or value <= run["tti"]):
                values.append(value)
        return round(statistics.median(values), 1) if values else None

    return {
        "document": med(lambda r: r.get("document_end")),
        "fcp": med(lambda r: r.get("fcp")),
        "me": med(lambda r: (r.get("me") or {}).get("end")),
        "leaflet": med(lambda r: (r.get("leaflet") or {}).get("end")),
        "screen": med(lambda r: (r.get("screen") or {}).get("end")),
        "day": med(lambda r: (r.get("day") or {}).get("end")),
        "interactive": med(lambda r: r.get("tti")),
        "transfer_kb": med(lambda r: r.get("transfer_bytes", 0) / KB, timed=False),
    }


def kb(n: float | None) -> str:
    return "-" if n is None else f"{n / KB:,.1f}"


def ms(n: float | None) -> str:
    return "-" if n is None else f"{n:,.0f}"


def tables(report: dict[str, Any]) -> str:
    lines = ["Bundles per route (gzip -9 of the files in pwa/dist; kB = 1,000 bytes)"]
    lines.append(
        f"{'route':<16} {'initial JS':>10} {'(raw)':>8} {'initial CSS':>11} {'after ready':>11} "
        f"{'lazy JS':>8} {'lazy wasm':>9} {'lazy CSS':>8}  lazy files"
    )
    lines.append("-" * 112)
    for b in report["bundles"]:
        lazy = ", ".join(b["lazy"]) or "-"
        lines.append(
            f"{b['route']:<16} {kb(b['initial_js_gzip']):>10} {kb(b['initial_js_raw']):>8} "
            f"{kb(b['initial_css_gzip']):>11} {kb(b['after_ready_gzip']):>11} {kb(b['lazy_js_gzip']):>8} "
            f"{kb(b['lazy_wasm_gzip']):>9} {kb(b['lazy_css_gzip']):>8}  {lazy}"
        )
    leaf = report["leaflet"]
    lines.append(
        f"{'peer: Leaflet':<16} {kb(leaf['js_gzip']):>10} {kb(leaf['js_raw']):>8} {kb(leaf['css_gzip']):>11}"
        "   (leaflet.js and leaflet.css alone)"
    )
    g = report["goals"]
    lines.append(
        f"/driver initial JS {kb(g['driver_js_gzip'])} kB gzip incl. Leaflet (goal <= {GOAL_DRIVER_JS_KB:.0f}): "
        f"{'met' if g['driver_js_met'] else 'NOT met'}; {g['bundle_ratio']:.2f}x Leaflet alone"
    )
    lines.append("")
    t = report["throttle"]
    lines.append(
        f"/driver time to interactive (first stop row clickable), CPU {t['cpu_slowdown']}x, {t['latency_ms']} ms RTT, "
        f"{t['down_bps'] / 1e6:.1f} / {t['up_bps'] / 1e6:.2f} Mbps; ms from navigation start"
    )
    lines.append(
        f"{'scenario':<20} {'doorstep p50':>12} {'max':>7} {'n':>3} {'peer p50':>9} {'max':>7} {'ratio':>6}  "
        f"{'me':>6} {'screen':>7} {'day':>6} {'kB in':>6}"
    )
    lines.append("-" * 104)
    for name, s in report["tti"]["doorstep"].items():
        p = report["tti"]["peer"].get(name)
        ratio = f"{s['median'] / p['median']:.2f}" if p and p.get("n") and s.get("n") else "-"
        ph = report["tti"]["doorstep_phases"][name]
        lines.append(
            f"{name:<20} {ms(s.get('median')):>12} {ms(s.get('max')):>7} {s.get('n', 0):>3} "
            f"{ms(p.get('median')) if p else '-':>9} {ms(p.get('max')) if p else '-':>7} {ratio:>6}  "
            f"{ms(ph['me']):>6} {ms(ph['screen']):>7} {ms(ph['day']):>6} {ph['transfer_kb'] or 0:>6.0f}"
        )
    lines.append(
        "warm: Doorstep from its service worker, the peer from the HTTP cache. me / screen / day: median end of "
        "GET /api/auth/me, of the DriverScreen chunk and of GET /api/driver/day before interactive (- = not "
        "before); kB in: bytes over the network"
    )
    lines.append(
        f"offline start median {ms(g['offline_median_ms'])} ms, max {ms(g['offline_max_ms'])} ms "
        f"(goal <= {GOAL_OFFLINE_MS:.0f}): {'met' if g['offline_met'] else 'NOT met'}"
    )
    lie = report.get("lie_fi")
    if lie:
        shown = " / ".join(lie["headings"]) or "-"
        lines.append(
            f"lie-fi (SW and stored day in place, {', '.join(lie['unanswered']) or '/api'} never answered): "
            + (
                f"first stop at {ms(lie['tti'])} ms"
                if lie["tti"] is not None
                else f"no stop within {lie['waited_ms'] / 1000:.0f} s; the screen shows: {shown}"
            )
        )
    worker = report["service_worker_first_visit"]
    lines.append(
        f"first visit: the service worker precaches {worker['files']} files, {kb(worker['raw_bytes'])} kB as served "
        f"({kb(worker['gzip_bytes'])} kB gzip), outside the page's throttling; it controls the page "
        f"{ms(worker['controls_at_ms'])} ms after navigation start (median)"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="repetitions of each scenario")
    parser.add_argument("--stops", type=int, default=20, help="orders on the driver's route")
    parser.add_argument("--no-build", action="store_true", help="use pwa/dist as it is, even if stale")
    parser.add_argument("--no-what-if", action="store_true", help="skip the gzip what-if scenario and the lie-fi check")
    parser.add_argument(
        "--screenshots", action="store_true", help="the first repetition's /driver at interactive, as PNGs"
    )
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: `apt-get install -y chromium` (never a Playwright download)")
    started = time.perf_counter()
    machine = machine_info(PACKAGES, load_average=True, sqlite=True)
    build = build_if_stale(args.no_build)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="doorstep-bench-pwa-") as tmp:
        workdir, peer_dir, dist = Path(tmp) / "app", Path(tmp) / "peer", Path(tmp) / "dist"
        workdir.mkdir()
        peer_dir.mkdir()
        # a copy of the build, served and measured: a rebuild of pwa/dist during the run changes nothing here
        shutil.copytree(DIST, dist)
        # the peer's page needs the data, the data needs the server: the page is written once both run
        servers = start_servers(workdir, peer_dir, dist)
        try:
            world = make_day(servers.doorstep, servers.zone, args.stops)
            peer_port = servers.peer.rsplit(":", 1)[1]
            write_peer(peer_dir, world.day, f"http://localhost:{peer_port}")  # tiles from another origin
            print(
                f"set up in {time.perf_counter() - started:.0f}s: {world.stops} stops on the driver's route; "
                f"doorstep {servers.doorstep}, peer {servers.peer}",
                flush=True,
            )
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                chromium_version = browser.version
                bundles = bundle_pass(browser, servers.doorstep, world, dist)
                print("bundles measured", flush=True)
                names = ["cold", "warm", "offline"] + ([] if args.no_what_if else ["cold, gzip what-if"])
                doorstep: dict[str, list[Any]] = {n: [] for n in names}
                peer: dict[str, list[Any]] = {"cold": [], "warm": []}
                for i in range(args.repeat):
                    shots = RESULTS_DIR / f"pwa-{STAMP}-screens" if args.screenshots and i == 0 else None
                    doorstep_repetition(browser, servers.doorstep, world, doorstep, shots)
                    peer_repetition(browser, servers.peer, peer)
                    if not args.no_what_if:
                        doorstep_gzip_repetition(browser, servers, world, doorstep)
                    line = ", ".join(f"{n} {ms(runs[-1]['tti'])}" for n, runs in doorstep.items())
                    print(
                        f"  {i + 1}/{args.repeat}: doorstep {line}; peer cold {ms(peer['cold'][-1]['tti'])}, "
                        f"warm {ms(peer['warm'][-1]['tti'])} ms",
                        flush=True,
                    )
                lie_fi = None if args.no_what_if else lie_fi_check(browser, servers.doorstep, world)
                browser.close()
        finally:
            servers.close()
        fetched = sorted({u for r in doorstep["cold"] for u in r.get("worker_fetched", [])})
        precache_files = [dist / u.lstrip("/") for u in fetched if (dist / u.lstrip("/")).is_file()]
        precache = {
            "files": len(precache_files),
            "raw_bytes": sum(p.stat().st_size for p in precache_files),
            "gzip_bytes": sum(gzip_size(p) for p in precache_files),
            "urls": fetched,
            "controls_at_ms": summary(doorstep["cold"], "sw_control").get("median"),
        }

    driver = next(b for b in bundles if b["route"] == "/driver")
    leaflet = {
        "js_gzip": gzip_size(LEAFLET / "leaflet.js"),
        "js_raw": (LEAFLET / "leaflet.js").stat().st_size,
        "css_gzip": gzip_size(LEAFLET / "leaflet.css"),
    }
    doorstep_summary = {n: summary(r) for n, r in doorstep.items()}
    offline = doorstep_summary["offline"]
    machine["chromium"] = chromium_version
    machine["leaflet"] = json.loads((LEAFLET.parent / "package.json").read_text())["version"]
    machine["load_average_end"] = os.getloadavg()
    with contextlib.suppress(Exception):
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "pwa/src"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        machine["pwa_src_uncommitted_files"] = len(dirty.splitlines())
    report = {
        "benchmark": "PWA bundle sizes per route; /driver time to interactive throttled (cold, SW, offline) vs a "
        "Leaflet-only page",
        "build": {**build, "dist_built_at": dist_built_at()},
        "stops": world.stops,
        "repeat": args.repeat,
        "throttle": {"cpu_slowdown": CPU_SLOWDOWN, **SLOW_4G},
        "viewport": PHONE,
        "bundles": bundles,
        "leaflet": leaflet,
        "service_worker_first_visit": precache,
        "lie_fi": lie_fi,
        "tti": {
            "doorstep": doorstep_summary,
            "peer": {n: summary(r) for n, r in peer.items()},
            "doorstep_phases": {n: phase_medians(r) for n, r in doorstep.items()},
            "peer_phases": {n: phase_medians(r) for n, r in peer.items()},
            "runs": {"doorstep": doorstep, "peer": peer},
        },
        "goals": {
            "driver_js_gzip": driver["initial_js_gzip"],
            "driver_js_met": driver["initial_js_gzip"] <= GOAL_DRIVER_JS_KB * KB,
            "bundle_ratio": driver["initial_js_gzip"] / leaflet["js_gzip"],
            "offline_median_ms": offline.get("median"),
            "offline_max_ms": offline.get("max"),
            "offline_met": offline.get("n", 0) > 0 and offline["median"] <= GOAL_OFFLINE_MS,
        },
        "machine": machine,
        "total_s": time.perf_counter() - started,
    }
    written = write_results(f"pwa-{STAMP}", report)
    print()
    print(tables(report))
    details = (
        f"Chromium {chromium_version}, load {machine['load_average'][0]:.1f} at start / "
        f"{machine['load_average_end'][0]:.1f} at end"
    )
    print("\n" + run_line(machine, details, report["total_s"], written))
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        raise SystemExit(main())
