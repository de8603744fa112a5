"""Benchmark: POST /api/orders/import with a 10,000-row CSV, through uvicorn + httpx, on SQLite and PostgreSQL.

Scenarios, each repeated --repeat times on empty tables (median and slowest run reported):
  import      a first import: every row validated and created (orders + parcels + order.created events)
  re-import   the same file again: every row matched by external_ref and taken down the upsert/update path
  raw insert  the same orders + parcels + events rows written with plain SQLAlchemy Core executemany on the
              same database (no validation, no HTTP): the ceiling the import is compared with

SQLite: a fresh copy of a migrated file in a temp dir, memory channels. PostgreSQL: database `doorstep_bench`
(dropped and recreated at start next to DOORSTEP_TEST_POSTGRES_URL's database, never the test suite's own schema),
Redis channels. PostgreSQL is skipped, with the reason printed, when it or Redis cannot be reached.

    .venv/bin/python bench/import_orders.py [--rows N] [--repeat K] [--only sqlite|postgres] [--profile]

Results: a table on stdout and bench/results/import_orders.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import csv
import hashlib
import io
import logging
import os
import pstats
import random
import re
import shutil
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from common import (  # noqa: E402
    RESULTS_DIR,
    finish,
    machine_info,
    organization_with_admin,
    quiet_logs,
    serve_app,
)
from sqlalchemy import func, make_url, select, text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402
from uuid_utils.compat import uuid7  # noqa: E402

from backend.accounts import service as accounts  # noqa: E402
from backend.accounts.models import OrganizationKind  # noqa: E402
from backend.app import create_app  # noqa: E402
from backend.db import migrations  # noqa: E402
from backend.db.engine import create_engine, create_session_factory  # noqa: E402
from backend.db.models import metadata  # noqa: E402
from backend.db.session import SESSION_FACTORY_KEY, transaction  # noqa: E402
from backend.demo.seed import FIRST_NAMES, LAST_NAMES  # noqa: E402
from backend.events.models import Event  # noqa: E402
from backend.orders import lifecycle  # noqa: E402
from backend.orders.models import Order, OrderKind, Parcel  # noqa: E402
from backend.settings import Settings  # noqa: E402

POSTGRES_URL = os.environ.get("DOORSTEP_TEST_POSTGRES_URL", "postgresql+asyncpg://127.0.0.1:5432/test")
REDIS_URL = os.environ.get("DOORSTEP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BENCH_DATABASE = "doorstep_bench"
PACKAGES = ("sqlalchemy", "litestar", "uvicorn", "httpx", "asyncpg", "aiosqlite", "msgspec", "advanced-alchemy")
GOAL_SQLITE_ROWS_PER_S = 2_000
PASSWORD = "bench-horse-battery-staple"
HELSINKI = timezone(timedelta(hours=2))

STREETS = [
    "Mannerheimintie",
    "Aleksanterinkatu",
    "Bulevardi",
    "Fredrikinkatu",
    "Annankatu",
    "Lönnrotinkatu",
    "Albertinkatu",
    "Iso Roobertinkatu",
    "Uudenmaankatu",
    "Eerikinkatu",
    "Kalevankatu",
    "Runeberginkatu",
    "Yrjönkatu",
    "Kasarmikatu",
    "Korkeavuorenkatu",
    "Erottajankatu",
]
POSTCODES = ["00100", "00120", "00130", "00180", "00250"]
NOTES = [
    "Door code 1234",
    "Leave at the door",
    "Call on arrival, the bell is broken",
    "2nd floor, no lift",
    "Fragile: glassware",
    "Ring twice",
]
CSV_COLUMNS = [
    "external_ref",
    "recipient_name",
    "recipient_phone",
    "recipient_email",
    "address",
    "lat",
    "lon",
    "window_start_at",
    "window_end_at",
    "service_s",
    "weight_kg",
    "volume_l",
    "priority",
    "notes",
    "barcodes",
]


# ---------------------------------------------------------------- data


def make_rows(n: int, seed: int = 20261125) -> list[dict[str, str]]:
    """Realistic CSV rows: Finnish names and mobiles, central Helsinki addresses and points, 60 % with a window."""
    rnd = random.Random(seed)
    day = datetime(2026, 11, 25, tzinfo=HELSINKI)
    rows = []
    for i in range(1, n + 1):
        first, last = rnd.choice(FIRST_NAMES), rnd.choice(LAST_NAMES)
        row = {
            "external_ref": f"WEB-{i:07d}",
            "recipient_name": f"{first} {last}",
            "recipient_phone": f"+35840{rnd.randrange(1_000_000, 9_999_999)}",
            "recipient_email": f"{first.lower().replace('ä', 'a').replace('ö', 'o')}.{i}@example.fi",
            "address": f"{rnd.choice(STREETS)} {rnd.randint(1, 60)} {rnd.choice('ABC')} {rnd.randint(1, 40)}, "
            f"{rnd.choice(POSTCODES)} Helsinki",
            "lat": f"{rnd.uniform(60.164, 60.179):.6f}",
            "lon": f"{rnd.uniform(24.935, 24.953):.6f}",
            "window_start_at": "",
            "window_end_at": "",
            "service_s": str(rnd.choice([60, 90, 120, 120, 180, 300])),
            "weight_kg": f"{rnd.uniform(0.2, 25.0):.2f}",
            "volume_l": f"{rnd.uniform(0.5, 80.0):.1f}" if rnd.random() < 0.5 else "",
            "priority": str(rnd.choice([0, 0, 0, 0, 10, 50])),
            "notes": rnd.choice(NOTES) if rnd.random() < 0.2 else "",
            "barcodes": f"DS{i:010d}",
        }
        if rnd.random() < 0.6:
            start = day + timedelta(hours=rnd.randint(8, 18))
            row["window_start_at"] = start.isoformat()
            row["window_end_at"] = (start + timedelta(hours=rnd.choice([1, 2, 3]))).isoformat()
        rows.append(row)
    return rows


def to_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


Rows = list[dict[str, Any]]


def raw_rows(rows: list[dict[str, str]], organization_id: uuid.UUID) -> tuple[Rows, Rows, Rows]:
    """The rows the import would write, built ahead of the clock: the raw insert times only the database."""
    now = datetime.now(UTC)
    status = lifecycle.INITIAL[OrderKind.delivery]
    orders: Rows = []
    parcels: Rows = []
    events: Rows = []
    for r in rows:
        order_id = uuid7()
        orders.append(
            {
                "id": order_id,
                "organization_id": organization_id,
                "kind": OrderKind.delivery,
                "status": status,
                "external_ref": r["external_ref"],
                "recipient_name": r["recipient_name"],
                "recipient_phone": r["recipient_phone"],
                "recipient_email": r["recipient_email"],
                "address": r["address"],
                "lat": float(r["lat"]),
                "lon": float(r["lon"]),
                "window_start_at": datetime.fromisoformat(r["window_start_at"]) if r["window_start_at"] else None,
                "window_end_at": datetime.fromisoformat(r["window_end_at"]) if r["window_end_at"] else None,
                "service_s": int(r["service_s"]),
                "weight_kg": float(r["weight_kg"]),
                "volume_l": float(r["volume_l"] or 0),
                "parcel_count": 1,
                "priority": int(r["priority"]),
                "notes": r["notes"] or None,
                "store_id": None,
                "tracking_token_hash": hashlib.sha256(order_id.bytes).hexdigest(),
                "created_at": now,
                "updated_at": now,
            }
        )
        parcels.append(
            {
                "id": uuid7(),
                "organization_id": organization_id,
                "order_id": order_id,
                "barcode": r["barcodes"],
                "weight_kg": None,
                "created_at": now,
                "updated_at": now,
            }
        )
        events.append(
            {
                "id": uuid7(),
                "organization_id": organization_id,
                "type": "order.created",
                "subject_type": "order",
                "subject_id": order_id,
                "actor": "api_key:bench",
                "occurred_at": now,
                "recorded_at": now,
                "payload": {"status": status.value, "external_ref": r["external_ref"], "via": "import"},
                "idempotency_key": None,
                "published_at": None,
                "created_at": now,
                "updated_at": now,
            }
        )
    return orders, parcels, events


# ---------------------------------------------------------------- databases


@dataclass
class Backend:
    name: str
    fresh: Any  # async () -> database_url with empty, migrated tables
    redis_url: str | None = None
    notes: list[str] = field(default_factory=list)


def sqlite_backend(workdir: Path) -> Backend:
    template = workdir / "template.db"
    migrations.upgrade(f"sqlite+aiosqlite:///{template}")
    quiet_logs()
    counter = iter(range(1_000_000))

    async def fresh() -> str:
        db = workdir / f"run-{next(counter)}.db"
        shutil.copyfile(template, db)
        return f"sqlite+aiosqlite:///{db}"

    return Backend("sqlite", fresh)


def _reachable(url: str, default_port: int) -> str | None:
    parts = urlsplit(url.replace("+asyncpg", ""))
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=2):
            return None
    except OSError as exc:
        return f"{parts.hostname}:{parts.port or default_port} not reachable ({exc})"


async def postgres_backend() -> Backend | str:
    """The bench database, or the reason it cannot be had."""
    for url, port in ((POSTGRES_URL, 5432), (REDIS_URL, 6379)):
        if reason := _reachable(url, port):
            return reason
    try:
        from redis.asyncio import Redis

        redis = Redis.from_url(REDIS_URL)
        await redis.ping()
        await redis.aclose()
    except Exception as exc:
        return f"Redis at {REDIS_URL} did not answer PING ({exc!r})"
    bench_url = make_url(POSTGRES_URL).set(database=BENCH_DATABASE).render_as_string(hide_password=False)
    admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{BENCH_DATABASE}"'))
            version = await conn.scalar(text("SHOW server_version"))
    except Exception as exc:
        return f"could not (re)create database {BENCH_DATABASE} via {POSTGRES_URL} ({exc!r})"
    finally:
        await admin.dispose()
    await asyncio.to_thread(migrations.upgrade, bench_url)
    quiet_logs()
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)

    async def fresh() -> str:
        engine = create_engine(bench_url)
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {names} CASCADE"))
        await engine.dispose()
        return bench_url

    return Backend("postgres", fresh, redis_url=REDIS_URL, notes=[f"PostgreSQL {version}"])


# ---------------------------------------------------------------- server


@dataclass
class Running:
    app: Any
    client: httpx.AsyncClient
    api_key: str
    organization_id: uuid.UUID

    async def unpublished(self) -> int:
        async with self.app.state[SESSION_FACTORY_KEY]() as session:
            return int(
                await session.scalar(select(func.count()).select_from(Event).where(Event.published_at.is_(None))) or 0
            )

    async def count(self, model: Any, *where: Any) -> int:
        async with self.app.state[SESSION_FACTORY_KEY]() as session:
            return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    async def relay_drained(self, timeout_s: float = 120.0) -> float:
        """Wait until the outbox relay has published every event; returns how long that took."""
        start = time.perf_counter()
        while await self.unpublished():
            if time.perf_counter() - start > timeout_s:
                raise RuntimeError("the outbox relay did not drain in time")
            await asyncio.sleep(0.05)
        return time.perf_counter() - start


@contextlib.asynccontextmanager
async def serve(backend: Backend, database_url: str, workdir: Path, max_rows: int) -> AsyncIterator[Running]:
    """uvicorn in this process on a free port, an organization with an admin, signed in, an API key minted."""
    settings = Settings(
        env="dev",
        instance_dir=workdir,
        media_dir=workdir / "media",
        database_url=database_url,
        redis_url=backend.redis_url,
        redis_namespace=f"bench-{uuid.uuid4().hex}",
        secret_key="bench-secret-" + uuid.uuid4().hex,
        public_base_url="http://127.0.0.1",
        log_level="WARNING",
        max_import_rows=max(20_000, max_rows),
        max_import_bytes=256 * 1024 * 1024,
    )
    app = create_app(settings)
    async with transaction(app.state[SESSION_FACTORY_KEY]) as session:
        org, admin = await organization_with_admin(
            session, name="Bench Oy", email=f"admin.{uuid.uuid4().hex[:8]}@example.fi", password=PASSWORD
        )
    async with serve_app(app, email=admin.email, password=PASSWORD, key_name="bench import") as (client, key):
        running = Running(app, client, key, org.id)
        await running.relay_drained()
        yield running


async def post_import(running: Running, body: bytes) -> tuple[float, dict[str, Any]]:
    start = time.perf_counter()
    response = await running.client.post(
        "/api/orders/import", content=body, headers={"Content-Type": "text/csv", "X-API-Key": running.api_key}
    )
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"import answered {response.status_code}: {response.text[:2000]}")
    return elapsed, response.json()


# ---------------------------------------------------------------- measurements


def _expect(answer: dict[str, Any], **counts: int) -> None:
    got = {k: answer[k] for k in counts}
    if got != counts:
        raise RuntimeError(f"the import answered {got}, expected {counts}; first errors: {answer['errors'][:3]}")


async def measure_import(
    backend: Backend, workdir: Path, rows: list[dict[str, str]], body: bytes, probe: Probe | None = None
) -> dict[str, Any]:
    n = len(rows)
    url = await backend.fresh()
    async with serve(backend, url, workdir, n) as running:
        if probe is not None:
            probe.attach(running.app.state["db_engine"])
            probe.start("import")
        import_s, first = await post_import(running, body)
        if probe is not None:
            probe.stop()
        _expect(first, created=n, updated=0, rejected=0)
        drain_import_s = await running.relay_drained()
        events_before = await running.count(Event)
        if probe is not None:
            probe.start("reimport")
        reimport_s, second = await post_import(running, body)
        if probe is not None:
            probe.stop()
        _expect(second, created=0, updated=n, rejected=0)
        update_events = await running.count(Event) - events_before
        drain_reimport_s = await running.relay_drained()
        counts = {"orders": await running.count(Order), "parcels": await running.count(Parcel)}
        if counts != {"orders": n, "parcels": n}:
            raise RuntimeError(f"after the imports the database holds {counts}, expected {n} of each")
    return {
        "import_s": import_s,
        "reimport_s": reimport_s,
        "relay_drain_after_import_s": drain_import_s,
        "relay_drain_after_reimport_s": drain_reimport_s,
        "reimport_update_events": update_events,
        "body_bytes": len(body),
    }


async def measure_raw(backend: Backend, rows: list[dict[str, str]]) -> float:
    url = await backend.fresh()
    engine = create_engine(url)  # the app's engine set-up: SQLite pragmas (WAL, foreign keys), asyncpg pool
    try:
        async with transaction(create_session_factory(engine)) as s:
            org = await accounts.create_organization(s, name="Raw Oy", kind=OrganizationKind.shipper)
        orders, parcels, events = raw_rows(rows, org.id)
        start = time.perf_counter()
        async with engine.begin() as conn:
            # plain Core on the Table objects (not the ORM bulk path the import uses)
            await conn.execute(metadata.tables["orders"].insert(), orders)
            await conn.execute(metadata.tables["parcels"].insert(), parcels)
            await conn.execute(metadata.tables["events"].insert(), events)
        elapsed = time.perf_counter() - start
        async with engine.connect() as conn:
            if await conn.scalar(select(func.count()).select_from(metadata.tables["orders"])) != len(rows):
                raise RuntimeError("the raw insert did not write every order")
    finally:
        await engine.dispose()
    return elapsed


def summarize(seconds: list[float], n: int) -> dict[str, Any]:
    rates = [n / s for s in seconds]
    return {
        "median_rows_per_s": statistics.median(rates),
        "min_rows_per_s": min(rates),
        "max_rows_per_s": max(rates),
        "median_s": statistics.median(seconds),
        "runs_s": seconds,
    }


async def bench_backend(
    backend: Backend, workdir: Path, rows: list[dict[str, str]], body: bytes, repeat: int
) -> dict[str, Any]:
    n = len(rows)
    runs = []
    raw = []
    for i in range(repeat):
        run = await measure_import(backend, workdir, rows, body)
        run["raw_insert_s"] = await measure_raw(backend, rows)
        runs.append(run)
        raw.append(run["raw_insert_s"])
        print(
            f"  {backend.name} run {i + 1}/{repeat}: import {n / run['import_s']:,.0f} rows/s, "
            f"re-import {n / run['reimport_s']:,.0f} rows/s, raw insert {n / run['raw_insert_s']:,.0f} rows/s "
            f"(relay drained {run['relay_drain_after_import_s']:.1f}s after the import)",
            flush=True,
        )
    result = {
        "import": summarize([r["import_s"] for r in runs], n),
        "reimport": summarize([r["reimport_s"] for r in runs], n),
        "raw_insert": summarize(raw, n),
        "relay_drain_after_import_s": statistics.median(r["relay_drain_after_import_s"] for r in runs),
        "reimport_update_events": [r["reimport_update_events"] for r in runs],
        "notes": backend.notes,
    }
    raw_median = result["raw_insert"]["median_rows_per_s"]
    result["ratio_import_over_raw"] = result["import"]["median_rows_per_s"] / raw_median
    result["ratio_reimport_over_raw"] = result["reimport"]["median_rows_per_s"] / raw_median
    return result


class Probe:
    """Where the import's time goes, seen from inside the running server (the bench shares its process).

    Wall time of each step of backend.orders.importing (wrapped at module level for the probe run only),
    the SQL statements it sends (counted with engine events), and a cProfile of the event-loop thread.
    aiosqlite and asyncpg do their I/O off that thread or in C, so the profile shows Python-side cost.
    """

    STEPS = (
        ("importing", "read_rows", False),
        ("importing", "_decode_row", False),
        ("service", "normalized_fields", True),
        ("repository", "orders_by_external_ref", True),
        ("repository", "barcode_owners", True),
        ("service", "new_order_rows", False),
        ("service", "event_row", False),
        ("service", "apply_changes", False),
        ("repository", "bulk_insert", True),
        ("repository", "bulk_insert_events", True),
    )

    def __init__(self, with_cprofile: bool) -> None:
        from backend.orders import importing, repository, service

        self.modules = {"importing": importing, "repository": repository, "service": service}
        self.phase: str | None = None
        self.steps: dict[str, dict[str, float]] = {}
        self.sql: dict[str, dict[str, list[float]]] = {}
        self.totals: dict[str, float] = {}
        self.profile = cProfile.Profile() if with_cprofile else None
        self._originals: list[tuple[Any, str, Any]] = []
        self._t0 = 0.0

    def _add(self, name: str, seconds: float) -> None:
        if self.phase is not None:
            bucket = self.steps.setdefault(self.phase, {})
            bucket[name] = bucket.get(name, 0.0) + seconds

    def install(self) -> None:
        import functools

        for module_name, name, is_async in self.STEPS:
            module = self.modules[module_name]
            original = getattr(module, name)
            self._originals.append((module, name, original))
            if is_async:

                async def wrapper(*a: Any, _f: Any = original, _n: str = name, **k: Any) -> Any:
                    t = time.perf_counter()
                    try:
                        return await _f(*a, **k)
                    finally:
                        self._add(_n, time.perf_counter() - t)
            else:

                def wrapper(*a: Any, _f: Any = original, _n: str = name, **k: Any) -> Any:  # type: ignore[misc]
                    t = time.perf_counter()
                    try:
                        return _f(*a, **k)
                    finally:
                        self._add(_n, time.perf_counter() - t)

            setattr(module, name, functools.wraps(original)(wrapper))

    def uninstall(self) -> None:
        for module, name, original in reversed(self._originals):
            setattr(module, name, original)
        self._originals.clear()

    def attach(self, engine: Any) -> None:
        from sqlalchemy import event

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def before(conn: Any, _cursor: Any, _stmt: str, _params: Any, _ctx: Any, _many: bool) -> None:
            conn.info["bench_t"] = time.perf_counter()

        @event.listens_for(engine.sync_engine, "after_cursor_execute")
        def after(conn: Any, _cursor: Any, statement: str, _params: Any, _ctx: Any, many: bool) -> None:
            if self.phase is None:
                return
            if statement.lstrip().upper().startswith("SELECT"):
                found = re.search(r"\bFROM\s+(\S+)", statement)
                words = f"SELECT ... FROM {found.group(1) if found else '?'}"
            else:
                words = " ".join(statement.split()[:3])
            key = f"{words}{' (executemany)' if many else ''}"
            entry = self.sql.setdefault(self.phase, {}).setdefault(key, [0, 0.0])
            entry[0] += 1
            entry[1] += time.perf_counter() - conn.info.pop("bench_t", time.perf_counter())

    def start(self, phase: str) -> None:
        self.stop()
        self.phase = phase
        self._t0 = time.perf_counter()
        if self.profile is not None:
            self.profile.enable()

    def stop(self) -> None:
        if self.phase is not None:
            if self.profile is not None:
                self.profile.disable()
            self.totals[self.phase] = time.perf_counter() - self._t0
        self.phase = None

    def report(self, title: str) -> str:
        lines = [f"where the time goes, {title} (one extra untimed run; request wall time vs steps inside it)"]
        for phase, total in self.totals.items():
            lines.append(f"  {phase}: {total:.2f}s for the whole request")
            for name, seconds in sorted(self.steps.get(phase, {}).items(), key=lambda kv: -kv[1]):
                if seconds >= 0.005:
                    lines.append(f"    {name:<24} {seconds:6.2f}s  {seconds / total:4.0%}")
            for key, (count, seconds) in sorted(self.sql.get(phase, {}).items(), key=lambda kv: -kv[1][1])[:6]:
                lines.append(f"    sql {count:>6,} x {key:<48} {seconds:6.2f}s in the driver")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "request_s": self.totals,
            "steps_s": self.steps,
            "sql": {p: {k: {"statements": c, "driver_s": t} for k, (c, t) in v.items()} for p, v in self.sql.items()},
        }

    def cprofile_text(self, out: Path, top: int = 20) -> str:
        assert self.profile is not None
        self.profile.dump_stats(out)
        buffer = io.StringIO()
        stats = pstats.Stats(self.profile, stream=buffer).strip_dirs()
        stats.sort_stats("tottime").print_stats(top)
        return buffer.getvalue()


async def probe_once(
    backend: Backend, workdir: Path, rows: list[dict[str, str]], body: bytes
) -> tuple[str, dict[str, Any]]:
    """One untimed run with the step timers and SQL counts; on SQLite one more under cProfile (it doubles the time,
    so it gets a run of its own and its numbers are not mixed with the breakdown)."""
    probe = Probe(with_cprofile=False)
    probe.install()
    try:
        await measure_import(backend, workdir, rows, body, probe=probe)
    finally:
        probe.uninstall()
    text_out = probe.report(backend.name)
    if backend.name == "sqlite":
        profiled = Probe(with_cprofile=True)
        await measure_import(backend, workdir, rows, body, probe=profiled)
        out = RESULTS_DIR / "import_orders.sqlite.prof"
        out.parent.mkdir(parents=True, exist_ok=True)
        text_out += (
            f"\n  cProfile of the SQLite import + re-import requests, by own time "
            f"(all of {out.relative_to(ROOT)}; view with python -m pstats):\n" + profiled.cprofile_text(out)
        )
    return text_out, probe.as_json()


# ---------------------------------------------------------------- report


def table(results: dict[str, Any], n: int) -> str:
    lines = [
        f"{'database':<10} {'scenario':<22} {'median rows/s':>14} {'min rows/s':>11} {'median s':>9} {'vs raw':>7}",
        "-" * 78,
    ]
    for db, r in results.items():
        if "skipped" in r:
            lines.append(f"{db:<10} skipped: {r['skipped']}")
            continue
        raw = r["raw_insert"]["median_rows_per_s"]
        for key, label in (
            ("import", "import (create)"),
            ("reimport", "re-import (update)"),
            ("raw_insert", "raw Core executemany"),
        ):
            s = r[key]
            lines.append(
                f"{db:<10} {label:<22} {s['median_rows_per_s']:>14,.0f} {s['min_rows_per_s']:>11,.0f} "
                f"{s['median_s']:>9.2f} {s['median_rows_per_s'] / raw:>7.2f}"
            )
        lines.append(
            f"{db:<10} import / raw insert = {r['ratio_import_over_raw']:.2f}  "
            f"(re-import / raw = {r['ratio_reimport_over_raw']:.2f}; the relay then needs "
            f"{r['relay_drain_after_import_s']:.1f}s to publish the {n:,} events)"
        )
    sqlite = results.get("sqlite", {})
    if "import" in sqlite:
        median = sqlite["import"]["median_rows_per_s"]
        verdict = "met" if median >= GOAL_SQLITE_ROWS_PER_S else "NOT met"
        lines.append(f"goal >= {GOAL_SQLITE_ROWS_PER_S:,} rows/s on SQLite: {verdict} ({median:,.0f} rows/s median)")
    return "\n".join(lines)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument(
        "--profile",
        action="store_true",
        help="after the timed runs, one extra run per database with a step-by-step time breakdown, "
        "SQL statement counts and (SQLite) a cProfile in bench/results/import_orders.sqlite.prof",
    )
    args = parser.parse_args()

    rows = make_rows(args.rows)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    body = to_csv(rows)
    started = time.perf_counter()
    results: dict[str, Any] = {}
    profile_texts: list[str] = []
    with tempfile.TemporaryDirectory(prefix="doorstep-bench-") as tmp:
        workdir = Path(tmp)
        backends: list[Backend] = []
        if args.only in (None, "sqlite"):
            backends.append(await asyncio.to_thread(sqlite_backend, workdir / "sqlite"))
        if args.only in (None, "postgres"):
            pg = await postgres_backend()
            if isinstance(pg, str):
                print(f"PostgreSQL skipped: {pg}", flush=True)
                results["postgres"] = {"skipped": pg}
            else:
                backends.append(pg)
        print(
            f"Importing {args.rows:,} CSV rows ({len(body) / 1e6:.1f} MB), {args.repeat} runs per database", flush=True
        )
        for backend in backends:
            (workdir / backend.name).mkdir(exist_ok=True)
            results[backend.name] = await bench_backend(backend, workdir / backend.name, rows, body, args.repeat)
        if args.profile:
            for backend in backends:
                text_out, data = await probe_once(backend, workdir / backend.name, rows, body)
                profile_texts.append(text_out)
                results[backend.name]["breakdown"] = data

    report = {
        "benchmark": "POST /api/orders/import (text/csv, X-API-Key) via uvicorn + httpx",
        "rows": args.rows,
        "repeat": args.repeat,
        "csv_bytes": len(body),
        "goal": {"sqlite_import_rows_per_s": GOAL_SQLITE_ROWS_PER_S},
        "machine": machine_info(PACKAGES, implementation=True, sqlite=True),
        "results": results,
        "total_s": time.perf_counter() - started,
    }
    m = report["machine"]
    shown = {k: results[k] for k in ("sqlite", "postgres") if k in results}
    finish("import_orders", report, table(shown, args.rows), f"Python {m['python']}, SQLite {m['sqlite']}")
    for text_out in profile_texts:
        print("\n" + text_out)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
