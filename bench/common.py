"""What the benchmark scripts share: the machine a run was on, the results file, the app under uvicorn.

The scripts import it as `common`: a script run as `.venv/bin/python bench/<name>.py` has its own folder,
bench/, first on sys.path.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import os
import platform
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import AsyncIterator, Coroutine, Sequence
from datetime import UTC, datetime
from importlib import metadata as pkg_metadata
from pathlib import Path
from typing import Any, TypeVar

import httpx
import uvicorn

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"


# ---------------------------------------------------------------- report


def machine_info(
    packages: Sequence[str], *, load_average: bool = False, implementation: bool = False, sqlite: bool = False
) -> dict[str, Any]:
    """CPU count and model, Python, platform, the installed versions of `packages` (those not installed left
    out), the git commit (marked when backend/ has uncommitted changes) and the time; with the flags, the load
    average, the Python implementation and the SQLite library version too."""
    cpu_model = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    commit = None
    with contextlib.suppress(Exception):
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "backend"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        commit += " (backend/ has uncommitted changes)" if dirty else ""
    versions = {}
    for name in packages:
        with contextlib.suppress(pkg_metadata.PackageNotFoundError):
            versions[name] = pkg_metadata.version(name)
    info: dict[str, Any] = {"cpu_count": os.cpu_count(), "cpu_model": cpu_model}
    if load_average:
        info["load_average"] = os.getloadavg()
    info["python"] = platform.python_version()
    if implementation:
        info["implementation"] = platform.python_implementation()
    info["platform"] = platform.platform()
    if sqlite:
        import sqlite3

        info["sqlite"] = sqlite3.sqlite_version
    info["packages"] = versions
    info["git_commit"] = commit
    info["at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return info


def run_line(machine: dict[str, Any], details: str, total_s: float, written: Path, decimals: int = 0) -> str:
    """The last line a bench prints: `N CPUs (model), <details>; <total>s in all; written to bench/results/...`."""
    return (
        f"{machine['cpu_count']} CPUs ({machine['cpu_model']}), {details}; "
        f"{total_s:.{decimals}f}s in all; written to {written.relative_to(ROOT)}"
    )


def finish(name: str, report: dict[str, Any], table_text: str, details: str) -> Path:
    """The end of a bench: its JSON written (`write_results`), then its table and its `run_line` printed."""
    written = write_results(name, report)
    print()
    print(table_text)
    print("\n" + run_line(report["machine"], details, report["total_s"], written))
    return written


def write_results(name: str, payload: dict[str, Any]) -> Path:
    """bench/results/<name>.json, indented; values JSON does not know (UUIDs, dates) written as strings."""
    path = RESULTS_DIR / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=str))
    return path


# ---------------------------------------------------------------- server


async def organization_with_admin(session: Any, *, name: str, email: str, password: str) -> tuple[Any, Any]:
    """A shipper organization in Europe/Helsinki and its admin user, through the services (as the demo seeds);
    the caller's transaction commits them. backend is imported here: it is on sys.path once the script has run."""
    from backend.accounts import service as accounts
    from backend.accounts.models import OrganizationKind, Role
    from backend.accounts.schemas import UserCreate

    org = await accounts.create_organization(
        session, name=name, kind=OrganizationKind.shipper, timezone="Europe/Helsinki"
    )
    admin = await accounts.create_user(
        session,
        organization=org,
        actor="system:bench",
        data=UserCreate(email=email, name="Bench Admin", role=Role.admin, password=password),
    )
    return org, admin


def quiet_logs() -> None:
    """Alembic's logging config turns INFO on for alembic and httpx; the benches print their own lines."""
    for name in ("alembic", "httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def serve_app(
    app: Any, *, email: str, password: str, key_name: str, role: str = "dispatcher"
) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """`app` under uvicorn in this process on a free 127.0.0.1 port; `email` signs in and mints an API key
    through POST /api/api-keys. Yields an httpx client on the server, its session cookies cleared (from there on
    the API key alone, as an integration would call), and the key. The server is stopped on the way out."""
    async with (
        uvicorn_server(app) as (_server, port),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=300) as client,
    ):
        login = await client.post("/api/auth/login", json={"email": email, "password": password})
        login.raise_for_status()
        created = await client.post(
            "/api/api-keys",
            json={"name": key_name, "role": role},
            headers={"X-CSRF-Token": login.json()["csrf_token"]},
        )
        created.raise_for_status()
        client.cookies.clear()
        yield client, created.json()["key"]


def run_on_server_loop(main: Coroutine[Any, Any, T], *, asyncio_loop: bool = False) -> T:
    """Run `main` on the event loop `doorstep serve` runs on: uvicorn's choice for `SERVER_OPTIONS` (loop "auto":
    uvloop, which uvicorn[standard] installs), so a server started in this process is measured as users run it.
    `asyncio_loop=True` runs it on the standard library's loop instead (what these benches did before
    2026-11-26)."""
    from backend.cli import SERVER_OPTIONS

    factory = None if asyncio_loop else uvicorn.Config(app=None, **SERVER_OPTIONS).get_loop_factory()
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(main)


def loop_name() -> str:
    loop = asyncio.get_running_loop()
    return f"{type(loop).__module__}.{type(loop).__name__}"


@contextlib.asynccontextmanager
async def uvicorn_server(app: Any, **overrides: Any) -> AsyncIterator[tuple[uvicorn.Server, int]]:
    """`app` under uvicorn in this process on a free 127.0.0.1 port, with `backend.cli.SERVER_OPTIONS` (as
    `doorstep serve` runs it) updated by `overrides` (e.g. `ws_per_message_deflate=True`). Yields the server and
    its port; stops it on the way out."""
    from backend.cli import SERVER_OPTIONS

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", **{**SERVER_OPTIONS, **overrides})
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn stopped during startup")
            await asyncio.sleep(0.01)
        yield server, port
    finally:
        server.should_exit = True
        await task


async def settle(app: Any, rounds: int = 3) -> None:
    """Wait until the outbox relay has published every event and the re-planner is idle, `rounds` times (a
    re-plan writes events, whose relay may set off another)."""
    from sqlalchemy import func, select

    from backend.db.session import SESSION_FACTORY_KEY
    from backend.events.models import Event

    for _ in range(rounds):
        while True:
            async with app.state[SESSION_FACTORY_KEY]() as session:
                left = await session.scalar(select(func.count()).select_from(Event).where(Event.published_at.is_(None)))
            if not left:
                break
            await asyncio.sleep(0.05)
        await app.state["replanner"].settle()


async def open_ws(url: str, cookie: str | None, retries: list[str]) -> Any:
    """A websocket client connection as the load generators open them (no client pings, unbounded queue),
    retried 5 times when the server's accept backlog is full; each retry's error is added to `retries`."""
    from websockets.asyncio.client import connect

    headers = {"Cookie": cookie} if cookie else None
    for attempt in range(5):
        try:
            return await connect(url, additional_headers=headers, open_timeout=60, max_queue=None, ping_interval=None)
        except Exception as exc:
            if attempt == 4:
                raise
            retries.append(repr(exc)[:200])
            await asyncio.sleep(0.5)
    raise AssertionError


async def drain_ws(ws: Any) -> None:
    """Read and drop every frame until the connection ends."""
    with contextlib.suppress(Exception):
        async for _ in ws:
            pass


class StallTracer:
    """Where this process's event loop was when it stalled: the loop stamps a heartbeat every 5 ms; a watchdog
    thread looks every 10 ms and, when the stamp is over `over_ms` old, takes the loop thread's stack
    (`sys._current_frames`). The stacks seen most often say what held the loop (a profiler's samples cover
    all the time; these cover only the stalls). The watchdog needs the GIL to look: a stall inside one C call
    that holds it shows as that call's Python caller, once it lets go."""

    def __init__(self, over_ms: float = 50.0, depth: int = 12) -> None:
        self.over_s = over_ms / 1000
        self.depth = depth
        self.stacks: collections.Counter[tuple[str, ...]] = collections.Counter()
        self.samples = 0
        self._beat = time.perf_counter()
        self._loop_thread = threading.get_ident()  # the thread that calls start(): the event loop's
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._loop_thread = threading.get_ident()
        self._task = asyncio.get_running_loop().create_task(self._stamp())
        self._thread = threading.Thread(target=self._watch, name="stall-tracer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
        if self._thread is not None:
            self._thread.join(timeout=1)

    async def _stamp(self) -> None:
        while True:
            self._beat = time.perf_counter()
            await asyncio.sleep(0.005)

    def _watch(self) -> None:
        while not self._stop.wait(0.01):
            if time.perf_counter() - self._beat < self.over_s:
                continue
            frame = sys._current_frames().get(self._loop_thread)
            if frame is None:
                continue
            stack = traceback.extract_stack(frame)[-self.depth :]
            self.stacks[tuple(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in stack)] += 1
            self.samples += 1

    def report(self, top: int = 8) -> str:
        lines = [f"stall samples (loop over {self.over_s * 1000:.0f} ms late, 10 ms apart): {self.samples}"]
        for stack, count in self.stacks.most_common(top):
            lines.append(f"  {count:>5}  " + "\n         ".join(reversed(stack)))
        return "\n".join(lines)
