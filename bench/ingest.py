"""Benchmark: position points persisted per second, through backend.tracking.ingest vs a raw Core executemany.

On each database (SQLite: a temp file migrated with backend.db.migrations.upgrade; PostgreSQL: a scratch
database created beside DOORSTEP_TEST_POSTGRES_URL, default postgresql+asyncpg://127.0.0.1:5432/test, migrated,
and dropped at the end; skipped with a printed note when it cannot be reached), one organization and D driver
users are created, then P points (D drivers, batches of B points of one driver each, central Helsinki, 1 s
apart, 5 m accuracy, some 150 m fixes) are generated before the clock starts, and, K times on an emptied
positions table:

  writer path   for each batch: `check()` of every point against the driver's previous used point,
                `position_row()`, `PositionWriter.add()`; the writer runs as in the app (`start()`: its task
                flushes every second or at 500 pending points, one executemany per flush in one transaction),
                and `stop()` flushes the rest. Timed from the first batch to the last row committed.
  raw (peer)    the same rows, built before the clock starts, written with
                `conn.execute(positions.insert(), rows)` on the same engine, one transaction per B rows.

Reported: rows/s (median and slowest of K runs) and the ratio writer / raw.
Goal (the issue): at least 5,000 points/s persisted on SQLite through the writer path.

    .venv/bin/python bench/ingest.py [--points 50000] [--drivers 100] [--batch 500] [--repeat 5]
                                     [--only sqlite|postgres] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import socket
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from common import finish, machine_info, organization_with_admin, quiet_logs  # noqa: E402
from sqlalchemy import delete, func, make_url, select, text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from backend.accounts.models import Role, User  # noqa: E402
from backend.accounts.passwords import hash_password  # noqa: E402
from backend.db import migrations  # noqa: E402
from backend.db.engine import create_engine, create_session_factory  # noqa: E402
from backend.db.session import transaction  # noqa: E402
from backend.tracking.ingest import PointIn, PositionWriter, check, position_row  # noqa: E402
from backend.tracking.models import Position  # noqa: E402

POSTGRES_URL = os.environ.get("DOORSTEP_TEST_POSTGRES_URL", "postgresql+asyncpg://127.0.0.1:5432/test")
GOAL_SQLITE_POINTS_PER_S = 5_000
PACKAGES = ["sqlalchemy", "aiosqlite", "asyncpg", "msgspec"]


def make_batches(n_points: int, n_drivers: int, batch: int, seed: int = 7) -> list[tuple[int, list[PointIn]]]:
    """(driver index, points) batches: each driver drives its own random walk, one fix a second."""
    rng = random.Random(seed)
    per_driver = math.ceil(n_points / n_drivers)
    start_at = datetime.now(UTC) - timedelta(seconds=per_driver + 60)
    tracks: list[list[PointIn]] = []
    for _ in range(n_drivers):
        lat, lon = rng.uniform(60.16, 60.18), rng.uniform(24.93, 24.96)
        track = []
        for i in range(per_driver):
            lat += rng.uniform(-1, 1) * 5e-5
            lon += rng.uniform(-1, 1) * 1e-4
            track.append(
                PointIn(
                    lat=lat,
                    lon=lon,
                    at=start_at + timedelta(seconds=i),
                    accuracy=150.0 if rng.random() < 0.03 else 5.0,
                    speed=rng.uniform(0, 14),
                    heading=rng.uniform(0, 360),
                )
            )
        tracks.append(track)
    batches = []
    for offset in range(0, per_driver, batch):
        for driver, track in enumerate(tracks):
            batches.append((driver, track[offset : offset + batch]))
    # trim to exactly n_points
    out, total = [], 0
    for driver, points in batches:
        points = points[: n_points - total]
        if points:
            out.append((driver, points))
            total += len(points)
    return out


async def seed_people(factory: Any, n_drivers: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
    tag = uuid.uuid4().hex[:8]
    password_hash = hash_password("bench-driver-password")
    async with transaction(factory) as session:
        org, _ = await organization_with_admin(
            session, name=f"Bench ingest {tag}", email=f"admin-{tag}@bench.example.com", password="bench-admin-password"
        )
        drivers = [
            User(
                organization_id=org.id,
                email=f"driver-{i}-{tag}@bench.example.com",
                name=f"Driver {i}",
                role=Role.driver,
                password_hash=password_hash,
            )
            for i in range(n_drivers)
        ]
        session.add_all(drivers)
        await session.flush()
        return org.id, [d.id for d in drivers]


async def writer_run(factory: Any, org_id: uuid.UUID, drivers: list[uuid.UUID], batches: list[Any]) -> float:
    writer = PositionWriter(factory)
    previous: dict[int, PointIn | None] = {}
    started = time.perf_counter()
    writer.start()
    for driver, points in batches:
        now = datetime.now(UTC)
        prev = previous.get(driver)
        rows = []
        for point in points:
            checked = check(point, previous=prev, now=now)
            if checked.verdict == "reject":
                continue
            rows.append(
                position_row(checked, organization_id=org_id, driver_id=drivers[driver], route_id=None, received_at=now)
            )
            if checked.verdict == "use" and (prev is None or point.at > prev.at):
                prev = point
        previous[driver] = prev
        writer.add(rows)
        await asyncio.sleep(0)  # the app's request handler yields here; the writer task flushes when it is full
    # flush() first: it waits for the writer task's flush in flight (its lock). stop() alone cancels that task,
    # and a batch being written when it is cancelled is lost (see bench/README.md, "PositionWriter.stop()")
    await writer.flush()
    await writer.stop()
    elapsed = time.perf_counter() - started
    return elapsed


def raw_rows(org_id: uuid.UUID, drivers: list[uuid.UUID], batches: list[Any]) -> list[list[dict[str, Any]]]:
    now = datetime.now(UTC)
    out = []
    for driver, points in batches:
        out.append(
            [
                {
                    "organization_id": org_id,
                    "driver_id": drivers[driver],
                    "route_id": None,
                    "lat": p.lat,
                    "lon": p.lon,
                    "accuracy_m": p.accuracy,
                    "speed_mps": p.speed,
                    "heading_deg": p.heading,
                    "recorded_at": p.at,
                    "received_at": now,
                    "for_eta": p.accuracy is None or p.accuracy <= 100,
                }
                for p in points
            ]
        )
    return out


async def raw_run(engine: Any, chunks: list[list[dict[str, Any]]]) -> float:
    table = Position.__table__
    started = time.perf_counter()
    for rows in chunks:
        async with engine.begin() as conn:
            await conn.execute(table.insert(), rows)
    return time.perf_counter() - started


async def bench_database(name: str, url: str, n_points: int, n_drivers: int, batch: int, repeat: int) -> dict[str, Any]:
    engine = create_engine(url)
    factory = create_session_factory(engine)
    try:
        org_id, drivers = await seed_people(factory, n_drivers)
        batches = make_batches(n_points, n_drivers, batch)
        chunks = raw_rows(org_id, drivers, batches)
        total = sum(len(p) for _, p in batches)
        timings: dict[str, list[float]] = {"writer": [], "raw": []}
        for run in range(repeat):
            for kind in ("writer", "raw") if run % 2 == 0 else ("raw", "writer"):
                async with engine.begin() as conn:
                    await conn.execute(delete(Position))
                if kind == "writer":
                    elapsed = await writer_run(factory, org_id, drivers, batches)
                else:
                    elapsed = await raw_run(engine, chunks)
                async with engine.connect() as conn:
                    stored = await conn.scalar(select(func.count()).select_from(Position))
                if stored != total:
                    raise RuntimeError(f"{name} {kind}: {stored} rows stored, {total} expected")
                timings[kind].append(elapsed)
                print(
                    f"  {name:<9} {kind:<7} run {run + 1}: {total / elapsed:>9,.0f} rows/s ({elapsed:.2f}s)", flush=True
                )
        out: dict[str, Any] = {"points": total}
        for kind, times in timings.items():
            out[kind] = {
                "runs_s": times,
                "median_s": statistics.median(times),
                "median_rows_per_s": total / statistics.median(times),
                "min_rows_per_s": total / max(times),
            }
        out["ratio_writer_over_raw"] = out["writer"]["median_rows_per_s"] / out["raw"]["median_rows_per_s"]
        return out
    finally:
        await engine.dispose()


def _reachable(url: str) -> str | None:
    parts = urlsplit(url.replace("+asyncpg", ""))
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), timeout=2):
            return None
    except OSError as exc:
        return f"{parts.hostname}:{parts.port or 5432} not reachable ({exc})"


async def postgres_admin(statement: str) -> Any:
    admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            result = await conn.execute(text(statement))
            return result.scalar() if result.returns_rows else None
    finally:
        await admin.dispose()


def table(results: dict[str, Any]) -> str:
    lines = [f"{'database':<10} {'path':<28} {'median rows/s':>14} {'min rows/s':>11} {'median s':>9}", "-" * 76]
    for db, r in results.items():
        if "skipped" in r:
            lines.append(f"{db:<10} skipped: {r['skipped']}")
            continue
        for key, label in (("writer", "check + PositionWriter"), ("raw", "raw Core executemany (peer)")):
            s = r[key]
            lines.append(
                f"{db:<10} {label:<28} {s['median_rows_per_s']:>14,.0f} {s['min_rows_per_s']:>11,.0f} "
                f"{s['median_s']:>9.2f}"
            )
        lines.append(f"{db:<10} writer / raw = {r['ratio_writer_over_raw']:.2f}")
    if "writer" in results.get("sqlite", {}):
        median = results["sqlite"]["writer"]["median_rows_per_s"]
        verdict = "met" if median >= GOAL_SQLITE_POINTS_PER_S else "NOT met"
        lines.append(f"goal >= {GOAL_SQLITE_POINTS_PER_S:,} points/s on SQLite: {verdict} ({median:,.0f} median)")
    return "\n".join(lines)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=50_000)
    parser.add_argument("--drivers", type=int, default=100)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--quick", action="store_true", help="5,000 points, 20 drivers, 2 runs")
    args = parser.parse_args()
    if args.quick:
        args.points, args.drivers, args.repeat = 5_000, 20, 2
    started = time.perf_counter()
    results: dict[str, Any] = {}
    print(
        f"{args.points:,} points from {args.drivers} drivers in batches of {args.batch}, {args.repeat} runs", flush=True
    )
    with tempfile.TemporaryDirectory(prefix="doorstep-bench-ingest-") as tmp:
        if args.only in (None, "sqlite"):
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'ingest.db'}"
            await asyncio.to_thread(migrations.upgrade, url)
            quiet_logs()
            results["sqlite"] = await bench_database("sqlite", url, args.points, args.drivers, args.batch, args.repeat)
    if args.only in (None, "postgres"):
        reason = _reachable(POSTGRES_URL)
        name = f"doorstep_bench_ingest_{uuid.uuid4().hex[:8]}"
        if reason is None:
            try:
                await postgres_admin(f'CREATE DATABASE "{name}"')
            except Exception as exc:
                reason = f"could not create database {name} via {POSTGRES_URL} ({exc!r})"
        if reason is not None:
            print(f"PostgreSQL skipped: {reason}", flush=True)
            results["postgres"] = {"skipped": reason}
        else:
            try:
                url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
                await asyncio.to_thread(migrations.upgrade, url)
                quiet_logs()
                results["postgres"] = await bench_database(
                    "postgres", url, args.points, args.drivers, args.batch, args.repeat
                )
                results["postgres"]["server_version"] = await postgres_admin("SHOW server_version")
            finally:
                await postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    report = {
        "benchmark": "position points persisted: check + PositionWriter vs raw Core executemany",
        "points": args.points,
        "drivers": args.drivers,
        "batch": args.batch,
        "repeat": args.repeat,
        "goal": {"sqlite_points_per_s": GOAL_SQLITE_POINTS_PER_S},
        "machine": machine_info(PACKAGES, implementation=True, sqlite=True),
        "results": results,
        "total_s": time.perf_counter() - started,
    }
    m = report["machine"]
    finish("ingest", report, table(results), f"Python {m['python']}, SQLite {m['sqlite']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
