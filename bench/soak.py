"""Benchmark: websocket soak, held tracking sockets at 1 Hz plus connect/disconnect churn, server RSS growth.

RELIABILITY.md item 23: 5,000 connections with 1 Hz traffic plus 10,000 connect/disconnect cycles, RSS growth
after warm-up <= 10 %, with and without uvicorn's per-message deflate.

Server: the real app under uvicorn in a process of its own per deflate setting (so each measures a fresh
process's RSS), set up as bench/live.py does it (`live.doorstep_setup`, `live.doorstep_prepare`: temp SQLite,
memory channels, straight-line travel, N drivers with a started route whose only stop is their NEXT stop, as
`doorstep serve` makes the app and with `backend.cli.SERVER_OPTIONS`), plus I "idle" orders (a window tomorrow,
so no plan of today takes them) whose tracking pages only the churn opens: their channel has no listener once
the page closes, so the hub subscribes and unsubscribes for real. Per-message deflate off (SERVER_OPTIONS) or on
(`ws_per_message_deflate=True`); the client (`websockets`) always offers it, as browsers do.

Load generator: its own process (multiprocessing spawn, `websockets` client, one asyncio loop):

  N driver sockets     /ws/driver, one position frame a second each (2-3 km from the stop), acks drained
  M held sockets       /ws/track/{token} spread round-robin over the N next-stop orders, open all run long;
                       frames received during the churn counted per socket
  churn                C cycles, `--concurrency` at a time: open /ws/track/{token}, read until the snapshot
                       frame, close (clean close handshake). Even cycles take a next-stop order (round-robin),
                       odd ones the next idle order (round-robin over I, carried on from the warm-up, so the
                       churn reaches idle orders the warm-up did not: new channels, as new customers would)

Phases: held sockets opened -> W warm-up cycles -> baseline (server RSS from /proc/self/status, no gc.collect())
-> C cycles, RSS sampled every --sample-every s -> the closes finish (uvicorn's connections back to N + M) -> end
RSS -> the hub's channels (app.state["fanout"].channels) compared with the held sockets' orders -> every
socket closed -> the hub must hold no channel. `--tracemalloc` traces the server's allocations from the baseline
and prints the 10 source lines whose live memory grew most (tracing costs memory and CPU: that run's RSS is not
comparable).

    .venv/bin/python bench/soak.py [--customers 5000] [--cycles 10000] [--warmup-cycles 1000] [--drivers 50]
                                   [--idle-orders 2000] [--concurrency 32] [--deflate off|on|both]
                                   [--tracemalloc] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import multiprocessing
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import live  # noqa: E402
from common import drain_ws, finish, machine_info, open_ws, settle, uvicorn_server  # noqa: E402

GOAL_GROWTH_PCT = 10.0
PACKAGES = ["litestar", "uvicorn", "websockets", "sqlalchemy", "aiosqlite"]
SNAPSHOT_TIMEOUT_S = 60.0


@dataclass
class SoakPlan:
    base_url: str
    driver_cookies: list[str]
    held_tokens: list[str]  # one per driver: the driver's next-stop order
    idle_tokens: list[str]
    customers: int
    warmup_cycles: int
    cycles: int
    concurrency: int


# ---------------------------------------------------------------- load generator (own process)


def load_process(plan: SoakPlan, conn: Any) -> None:
    try:
        asyncio.run(generate(plan, conn))
    except Exception as exc:  # report, do not hang the server
        with contextlib.suppress(Exception):
            conn.send({"phase": "error", "error": repr(exc)})
    finally:
        conn.close()


async def _wait_for(conn: Any, expected: str) -> None:
    got = await asyncio.to_thread(conn.recv)  # the sockets' tasks run on meanwhile
    if got != expected:
        raise RuntimeError(f"expected {expected!r} from the server side, got {got!r}")


async def generate(plan: SoakPlan, conn: Any) -> None:
    from websockets.asyncio.client import connect

    n = len(plan.driver_cookies)
    counting = {"on": False, "stopping": False}
    held_frames: list[int] = []
    closed_early: Counter[str] = Counter()
    connect_retries: list[str] = []
    tasks: list[asyncio.Task[Any]] = []  # the held sockets' readers
    driver_tasks: list[asyncio.Task[Any]] = []
    sockets: list[Any] = []

    async def open_socket(path: str, cookie: str | None = None) -> Any:
        return await open_ws(plan.base_url + path, cookie, connect_retries)

    async def driver_loop(ws: Any, driver: int) -> None:
        rng = random.Random(driver)
        lat, lon = live.DEPOT[0] - 0.02 - rng.random() * 0.005, live.DEPOT[1] + rng.random() * 0.01
        await asyncio.sleep(rng.random())  # staggered over the second
        next_at = time.perf_counter()
        while True:
            frame = {
                "type": "position",
                "lat": lat + rng.uniform(-1, 1) * 1e-5,
                "lon": lon + rng.uniform(-1, 1) * 1e-5,
                "at": datetime.now(UTC).isoformat(),
                "accuracy": 5.0,
                "speed": 8.0,
                "heading": 90.0,
            }
            await ws.send(json.dumps(frame))
            next_at += 1.0
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))

    async def held_reader(ws: Any, index: int) -> None:
        try:
            async for _ in ws:
                if counting["on"]:
                    held_frames[index] += 1
        except Exception:
            pass
        if not counting["stopping"]:
            closed_early[f"code {ws.close_code} {ws.close_reason or ''}".strip()] += 1

    async def cycles(first: int, count: int) -> dict[str, Any]:
        """`count` open / snapshot / close cycles, `plan.concurrency` at a time; cycle i takes a next-stop order
        when even, the next idle order when odd."""
        sem = asyncio.Semaphore(plan.concurrency)
        errors: Counter[str] = Counter()
        durations: list[float] = []

        async def one(i: int) -> None:
            if i % 2 == 0 or not plan.idle_tokens:
                token = plan.held_tokens[(i // 2) % n]
            else:
                token = plan.idle_tokens[(i // 2) % len(plan.idle_tokens)]
            async with sem:
                started = time.perf_counter()
                try:
                    async with connect(
                        f"{plan.base_url}/ws/track/{token}", open_timeout=60, close_timeout=10, ping_interval=None
                    ) as ws:
                        async with asyncio.timeout(SNAPSHOT_TIMEOUT_S):
                            while json.loads(await ws.recv()).get("type") != "snapshot":
                                pass  # a live frame may come before the snapshot
                    durations.append(time.perf_counter() - started)
                except Exception as exc:
                    errors[type(exc).__name__ + ": " + str(exc)[:120]] += 1

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(first, first + count)))
        elapsed = time.perf_counter() - started
        durations.sort()
        ms = [d * 1000 for d in durations]
        return {
            "cycles": count,
            "ok": len(durations),
            "errors": dict(errors),
            "s": elapsed,
            "cycles_per_s": count / elapsed if elapsed else None,
            "p50_ms": ms[len(ms) // 2] if ms else None,
            "p99_ms": ms[min(len(ms) - 1, int(0.99 * len(ms)))] if ms else None,
            "max_ms": ms[-1] if ms else None,
        }

    # drivers, then the held sockets
    for driver in range(n):
        ws = await open_socket("/ws/driver", plan.driver_cookies[driver])
        sockets.append(ws)
        driver_tasks.append(asyncio.create_task(drain_ws(ws)))
        driver_tasks.append(asyncio.create_task(driver_loop(ws, driver)))
    open_started = time.perf_counter()
    sem = asyncio.Semaphore(32)

    async def open_held(index: int) -> None:
        async with sem:
            ws = await open_socket(f"/ws/track/{plan.held_tokens[index % n]}")
        sockets.append(ws)
        tasks.append(asyncio.create_task(held_reader(ws, index)))

    held_frames.extend([0] * plan.customers)
    await asyncio.gather(*(open_held(i) for i in range(plan.customers)))
    conn.send({"phase": "held", "open_s": time.perf_counter() - open_started})

    warmup = await cycles(0, plan.warmup_cycles)
    conn.send({"phase": "warm", "warmup": warmup})
    await _wait_for(conn, "go")

    counting["on"] = True
    churn = await cycles(plan.warmup_cycles, plan.cycles)
    counting["on"] = False
    silent = sum(1 for f in held_frames if f == 0)
    conn.send(
        {
            "phase": "churned",
            "churn": churn,
            "held": {
                "frames": sum(held_frames),
                "frames_per_s": sum(held_frames) / churn["s"] if churn["s"] else None,
                "per_socket_per_s": sum(held_frames) / churn["s"] / plan.customers if churn["s"] else None,
                "min_frames": min(held_frames) if held_frames else 0,
                "silent_sockets": silent,
                "closed_early": dict(closed_early),
            },
        }
    )
    await _wait_for(conn, "stop")
    counting["stopping"] = True
    for task in driver_tasks:
        task.cancel()
    await asyncio.gather(*driver_tasks, return_exceptions=True)
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    conn.send({"phase": "done", "connect_retries": connect_retries[:20], "closed_early": dict(closed_early)})


# ---------------------------------------------------------------- server side (one process per setting)


def rss_mb() -> tuple[float, float]:
    """This process's resident set and its peak (VmRSS, VmHWM), MB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, value = line.split(":", 1)
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


async def idle_orders(app: Any, seeded: dict[str, Any], count: int) -> list[str]:
    """`count` delivery orders with a window tomorrow (no plan of today takes them), through the orders service as
    the API creates them; returns their tracking tokens."""
    from datetime import time as clock_time

    from sqlalchemy import select

    from backend.accounts import service as accounts
    from backend.accounts.models import Role, User
    from backend.accounts.principal import Principal
    from backend.db.session import SESSION_FACTORY_KEY, transaction
    from backend.orders import service as orders
    from backend.orders.schemas import OrderCreate
    from backend.orders.tracking import tracking_token

    settings = app.state["settings"]
    zone = ZoneInfo(seeded["zone"])
    tomorrow = datetime.now(UTC).astimezone(zone).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, clock_time(10, 0), tzinfo=zone)
    rng = random.Random(2)
    tokens = []
    async with transaction(app.state[SESSION_FACTORY_KEY]) as session:
        admin = (await session.scalars(select(User).where(User.email == seeded["admin_email"]))).one()
        organization = await accounts.get_organization(session, organization_id=admin.organization_id)
        principal = Principal(organization_id=admin.organization_id, role=Role.admin, via="session", user_id=admin.id)
        for i in range(count):
            created = await orders.create_order(
                session,
                principal=principal,
                organization=organization,
                secret_key=settings.secret_key,
                data=OrderCreate(
                    recipient_name=f"Idle Customer {i}",
                    address=f"Aleksanterinkatu {i % 60 + 1}, Helsinki",
                    lat=live.DEPOT[0] + 0.005 + rng.random() * 0.01,
                    lon=live.DEPOT[1] + rng.random() * 0.01,
                    external_ref=f"SOAK-IDLE-{i}",
                    window_start_at=start,
                    window_end_at=start + timedelta(hours=4),
                ),
            )
            tokens.append(tracking_token(settings.secret_key, created.order.id))
    return tokens


async def order_ids_by_token(app: Any, tokens: list[str]) -> dict[str, Any]:
    from sqlalchemy import select

    from backend.db.session import SESSION_FACTORY_KEY
    from backend.orders.models import Order
    from backend.orders.tracking import tracking_token

    secret = app.state["settings"].secret_key
    async with app.state[SESSION_FACTORY_KEY]() as session:
        ids = list(await session.scalars(select(Order.id)))
    by_token = {tracking_token(secret, i): i for i in ids}
    return {t: by_token[t] for t in tokens}


class Counted:
    """Counts the ChannelsPlugin's subscribe and unsubscribe calls (the hub's, and the driver sockets')."""

    def __init__(self, plugin: Any) -> None:
        self.subscribes = 0
        self.unsubscribes = 0
        subscribe, unsubscribe = plugin.subscribe, plugin.unsubscribe

        async def counted_subscribe(*args: Any, **kwargs: Any) -> Any:
            self.subscribes += 1
            return await subscribe(*args, **kwargs)

        async def counted_unsubscribe(*args: Any, **kwargs: Any) -> Any:
            self.unsubscribes += 1
            return await unsubscribe(*args, **kwargs)

        plugin.subscribe, plugin.unsubscribe = counted_subscribe, counted_unsubscribe


def plugin_channels(plugin: Any) -> dict[str, int]:
    """Litestar's ChannelsPlugin keeps a subscriber set per channel name (`_channels`, private: read here only to
    see whether it grows): entries in all, those with a subscriber, and the backend's subscribed channels."""
    entries = getattr(plugin, "_channels", {})
    backend_channels = getattr(getattr(plugin, "_backend", None), "_channels", None)
    return {
        "entries": len(entries),
        "with_subscribers": sum(1 for s in entries.values() if s),
        "backend_subscribed": len(backend_channels) if backend_channels is not None else -1,
    }


async def run_one(deflate: bool, args: argparse.Namespace) -> dict[str, Any]:
    from backend.events.channels import PrunedChannelsPlugin, order_channel

    set_up_started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="doorstep-bench-soak-") as tmp:
        app, seeded = await live.doorstep_setup(Path(tmp), args.drivers)
        options: dict[str, Any] = {"ws_per_message_deflate": deflate}
        if args.ws != "auto":
            options["ws"] = args.ws
        async with uvicorn_server(app, **options) as (server, port):
            cookies, tokens, _ = await live.doorstep_prepare(app, f"http://127.0.0.1:{port}", seeded)
            idle = await idle_orders(app, seeded, args.idle_orders)
            await settle(app)
            held_ids = await order_ids_by_token(app, tokens)
            held_channels = {order_channel(held_ids[t]) for t in tokens[: min(len(tokens), args.customers)]}
            fanout = app.state["fanout"]
            ws_protocol = getattr(server.config.ws_protocol_class, "__name__", str(server.config.ws_protocol_class))
            plugin = app.plugins.get(PrunedChannelsPlugin)
            counted = Counted(plugin)
            set_up_s = time.perf_counter() - set_up_started
            print(
                f"  deflate {'on' if deflate else 'off'} ({ws_protocol}): {len(cookies)} drivers with a started route, "
                f"{len(idle)} idle orders, set up in {set_up_s:.0f}s",
                flush=True,
            )
            plan = SoakPlan(
                f"ws://127.0.0.1:{port}",
                cookies,
                tokens,
                idle,
                args.customers,
                args.warmup_cycles,
                args.cycles,
                args.concurrency,
            )
            context = multiprocessing.get_context("spawn")
            conn, child_conn = context.Pipe(duplex=True)
            process = context.Process(target=load_process, args=(plan, child_conn), daemon=True)
            process.start()
            child_conn.close()

            async def receive(phase: str) -> dict[str, Any]:
                while not conn.poll():
                    if not process.is_alive() and not conn.poll():
                        raise RuntimeError(f"load generator exited with {process.exitcode}")
                    await asyncio.sleep(0.1)
                message: dict[str, Any] = conn.recv()
                if message.get("phase") != phase:
                    raise RuntimeError(f"load generator: {message}")
                return message

            def state() -> dict[str, Any]:
                rss, hwm = rss_mb()
                return {
                    "rss_mb": rss,
                    "hwm_mb": hwm,
                    "connections": len(server.server_state.connections),
                    "tasks": len(asyncio.all_tasks()),
                    "hub_channels": len(fanout.channels),
                }

            try:
                held = await receive("held")
                print(f"  {args.customers:,} held sockets open in {held['open_s']:.0f}s; {state()}", flush=True)
                warm = (await receive("warm"))["warmup"]
                print(f"  warm-up: {json.dumps(warm)}", flush=True)
                baseline = state()
                baseline["gc_objects"] = len(gc.get_objects())
                baseline["plugin"] = plugin_channels(plugin)
                print(f"  baseline: {baseline}", flush=True)
                if args.tracemalloc:
                    tracemalloc.start(8)
                counted.subscribes = counted.unsubscribes = 0
                churn_started = time.perf_counter()
                conn.send("go")
                samples = []
                max_channels = 0
                next_sample = time.perf_counter()
                while not conn.poll():
                    if not process.is_alive() and not conn.poll():
                        raise RuntimeError(f"load generator exited with {process.exitcode}")
                    max_channels = max(max_channels, len(fanout.channels))
                    if time.perf_counter() >= next_sample:
                        sample = {"t_s": round(time.perf_counter() - churn_started, 1), **state()}
                        samples.append(sample)
                        next_sample += args.sample_every
                        print(f"    {sample}", flush=True)
                    await asyncio.sleep(0.1)
                churned = await receive("churned")
                # the last closes finish: back to the drivers' and the held sockets' connections
                wait_started = time.perf_counter()
                expected_connections = len(cookies) + args.customers
                while len(server.server_state.connections) > expected_connections:
                    if time.perf_counter() - wait_started > 60:
                        break
                    await asyncio.sleep(0.2)
                end = state()
                end["gc_objects"] = len(gc.get_objects())
                end["plugin"] = plugin_channels(plugin)
                end["closes_waited_s"] = time.perf_counter() - wait_started
                hub_end = set(fanout.channels)
                subscriptions = {"subscribes": counted.subscribes, "unsubscribes": counted.unsubscribes}
                top: list[dict[str, Any]] = []
                if args.tracemalloc:
                    top = tracemalloc_top(tracemalloc.take_snapshot())
                    tracemalloc.stop()
                print(f"  end: {end}", flush=True)
                # diagnostic only, after the measurement: how much of the growth a full collection gives back
                collected = gc.collect()
                after_collect = {**state(), "gc_objects": len(gc.get_objects()), "collected": collected}
                print(f"  end, after gc.collect(): {after_collect}", flush=True)
                conn.send("stop")
                done = await receive("done")
                wait_started = time.perf_counter()
                while len(server.server_state.connections) or fanout.channels:
                    if time.perf_counter() - wait_started > 60:
                        break  # reported as it is
                    await asyncio.sleep(0.2)
                after_close = state()
                after_close["plugin"] = plugin_channels(plugin)
            finally:
                with contextlib.suppress(Exception):
                    conn.close()
                process.join(timeout=30)
                if process.is_alive():
                    process.kill()
                    process.join(timeout=5)
    base, peak = baseline["rss_mb"], max([s["rss_mb"] for s in samples] + [end["rss_mb"], baseline["rss_mb"]])
    return {
        "deflate": deflate,
        "ws_protocol": ws_protocol,
        "drivers": len(cookies),
        "customers": args.customers,
        "idle_orders": len(idle),
        "held_orders": len(held_channels),
        "set_up_s": set_up_s,
        "held_open_s": held["open_s"],
        "warmup": warm,
        "baseline": baseline,
        "end": end,
        "end_after_gc_collect": after_collect,
        "after_all_closed": after_close,
        "max_rss_mb": peak,
        "growth_pct": 100 * (end["rss_mb"] - base) / base,
        "max_growth_pct": 100 * (peak - base) / base,
        "samples": samples,
        "churn": churned["churn"],
        "held": churned["held"],
        "hub": {
            "channels_end": len(hub_end),
            "held_orders": len(held_channels),
            "leaked": sorted(hub_end - held_channels)[:20],
            "leaked_count": len(hub_end - held_channels),
            "missing_count": len(held_channels - hub_end),
            "max_channels_during_churn": max_channels,
            "channels_after_all_closed": after_close["hub_channels"],
            **subscriptions,
        },
        "connect_retries": done["connect_retries"],
        "tracemalloc": args.tracemalloc,
        "tracemalloc_top": top,
    }


def tracemalloc_top(snapshot: tracemalloc.Snapshot, limit: int = 10) -> list[dict[str, Any]]:
    """The source lines whose live allocations grew most since tracing started (at the baseline)."""
    snapshot = snapshot.filter_traces(
        [
            tracemalloc.Filter(False, tracemalloc.__file__),
            tracemalloc.Filter(False, "<frozen importlib._bootstrap>"),
            tracemalloc.Filter(False, "<frozen importlib._bootstrap_external>"),
        ]
    )
    top = []
    for stat in snapshot.statistics("traceback")[:limit]:
        frames = [f"{f.filename.replace(str(ROOT) + '/', '')}:{f.lineno}" for f in stat.traceback]
        top.append({"kib": stat.size / 1024, "blocks": stat.count, "line": frames[0], "traceback": frames[:8]})
    return top


# ---------------------------------------------------------------- report


def table(runs: list[dict[str, Any]]) -> str:
    lines = [
        f"{'deflate':<7} {'base MB':>8} {'end MB':>8} {'max MB':>8} {'growth':>7} {'cycles/s':>8} "
        f"{'cycle p50/p99 ms':>17} {'held fr/s':>9} {'silent':>6} {'errors':>6} {'hub ch end/held':>15} "
        f"{'sub/unsub':>11} {'plugin entries':>18}",
        "-" * 140,
    ]
    for r in runs:
        if "error" in r:
            lines.append(f"{r.get('setting', '?'):<7} error: {r['error']}")
            continue
        c, h, hub = r["churn"], r["held"], r["hub"]
        errors = sum(c["errors"].values()) + sum(h["closed_early"].values())
        lines.append(
            f"{'on' if r['deflate'] else 'off':<7} {r['baseline']['rss_mb']:>8.1f} {r['end']['rss_mb']:>8.1f} "
            f"{r['max_rss_mb']:>8.1f} {r['growth_pct']:>6.1f}% {c['cycles_per_s']:>8.1f} "
            f"{c['p50_ms'] or 0:>8.0f} / {c['p99_ms'] or 0:>6.0f} {h['frames_per_s']:>9,.0f} {h['silent_sockets']:>6} "
            f"{errors:>6} {hub['channels_end']:>7} / {hub['held_orders']:<5} "
            f"{hub['subscribes']:>5}/{hub['unsubscribes']:<5} "
            f"{r['baseline']['plugin']['entries']:>7,} -> {r['end']['plugin']['entries']:<7,}"
        )
    for r in runs:
        if "error" in r:
            continue
        met = "met" if r["growth_pct"] <= GOAL_GROWTH_PCT else "NOT met"
        met += " (tracemalloc on: not comparable)" if r["tracemalloc"] else ""
        leaked = "none" if not r["hub"]["leaked_count"] and not r["hub"]["missing_count"] else "YES"
        lines.append(
            f"deflate {'on' if r['deflate'] else 'off'} ({r['ws_protocol']}): growth {r['growth_pct']:.1f} % after "
            f"warm-up (max "
            f"{r['max_growth_pct']:.1f} %): goal <= {GOAL_GROWTH_PCT:.0f} % {met}; "
            f"leaked hub subscriptions: {leaked} ({r['hub']['channels_end']} channels for {r['hub']['held_orders']} "
            f"held orders; {r['hub']['channels_after_all_closed']} once every socket closed); server log "
            f"warnings/errors: {r.get('server_log', {}).get('count', '?')}; after the measurement, gc.collect(): "
            f"{r['end_after_gc_collect']['rss_mb']:.1f} MB, gc objects {r['baseline']['gc_objects']:,} at the "
            f"baseline, {r['end']['gc_objects']:,} at the end, {r['end_after_gc_collect']['gc_objects']:,} collected"
        )
        for t in r["tracemalloc_top"]:
            lines.append(f"    {t['kib']:>9.1f} KiB {t['blocks']:>7} blocks  {' <- '.join(t['traceback'][:4])}")
    return "\n".join(lines)


def run_setting(setting: str, argv: list[str]) -> dict[str, Any]:
    """One setting in a fresh Python process (its own RSS); its output is echoed, the server's JSON log lines of
    level warning and above counted."""
    with tempfile.NamedTemporaryFile(prefix="soak-", suffix=".json", delete=False) as f:
        result_file = Path(f.name)
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        *argv,
        "--one",
        setting,
        "--result-file",
        str(result_file),
    ]
    log_lines: Counter[str] = Counter()
    examples: list[str] = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1) as child:
        assert child.stdout is not None
        for line in child.stdout:
            print(line, end="", flush=True)
            key = None
            with contextlib.suppress(ValueError, AttributeError):
                entry = json.loads(line)
                if isinstance(entry, dict) and entry.get("level") in ("warning", "error", "critical", "exception"):
                    key = f"{entry['level']}: {entry.get('event')}"
            if key is None and ("Traceback" in line or line.startswith(("ERROR", "WARNING"))):
                key = line.strip()[:120]
            if key is not None:
                log_lines[key] += 1
                if len(examples) < 5:
                    examples.append(line.strip()[:500])
    try:
        result: dict[str, Any] = json.loads(result_file.read_text()) if result_file.stat().st_size else {}
    finally:
        result_file.unlink(missing_ok=True)
    if not result:
        result = {"setting": setting, "error": f"the run exited with {child.returncode} and no result"}
    result["server_log"] = {"count": sum(log_lines.values()), "by_kind": dict(log_lines), "examples": examples}
    return result


def one_main(args: argparse.Namespace) -> int:
    import logging

    logging.getLogger("websockets").setLevel(logging.WARNING)
    try:
        result = asyncio.run(run_one(args.one == "on", args))
    except Exception as exc:
        Path(args.result_file).write_text(json.dumps({"setting": args.one, "error": repr(exc)}))
        raise
    Path(args.result_file).write_text(json.dumps(result, default=str))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=5000, help="held /ws/track sockets")
    parser.add_argument("--cycles", type=int, default=10000, help="measured connect/disconnect cycles")
    parser.add_argument("--warmup-cycles", type=int, default=1000)
    parser.add_argument("--drivers", type=int, default=50)
    parser.add_argument("--idle-orders", type=int, default=2000, help="orders only the churn tracks")
    parser.add_argument("--concurrency", type=int, default=32, help="cycles in flight at once")
    parser.add_argument("--sample-every", type=float, default=5.0, help="RSS sample period during the churn, s")
    parser.add_argument("--deflate", choices=["off", "on", "both"], default="both")
    parser.add_argument(
        "--ws",
        choices=["auto", "websockets", "websockets-sansio", "wsproto"],
        default="auto",
        help="uvicorn's websocket implementation (auto: what `doorstep serve` gets)",
    )
    parser.add_argument("--tracemalloc", action="store_true", help="trace the server's allocations from the baseline")
    parser.add_argument("--quick", action="store_true", help="500 customers, 1,000 cycles (200 warm-up), 10 drivers")
    parser.add_argument("--one", choices=["off", "on"], help=argparse.SUPPRESS)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    argv = sys.argv[1:]
    args = parser.parse_args()
    if args.quick:
        args.customers, args.cycles, args.warmup_cycles, args.drivers, args.idle_orders = 500, 1000, 200, 10, 300
    if args.one:
        return one_main(args)
    started = time.perf_counter()
    settings = ["off", "on"] if args.deflate == "both" else [args.deflate]
    print(
        f"{args.drivers} drivers at 1 Hz, {args.customers:,} held tracking sockets, {args.warmup_cycles:,} warm-up + "
        f"{args.cycles:,} measured connect/disconnect cycles ({args.concurrency} at a time, half on "
        f"{args.idle_orders:,} idle orders); per-message deflate: {', '.join(settings)}",
        flush=True,
    )
    runs = [run_setting(s, argv) for s in settings]
    report = {
        "benchmark": "websocket soak: held /ws/track sockets at 1 Hz + connect/disconnect churn, server RSS growth",
        "customers": args.customers,
        "cycles": args.cycles,
        "warmup_cycles": args.warmup_cycles,
        "drivers": args.drivers,
        "idle_orders": args.idle_orders,
        "concurrency": args.concurrency,
        "goal": {"growth_pct": GOAL_GROWTH_PCT},
        "machine": machine_info(PACKAGES, load_average=True, sqlite=True),
        "runs": runs,
        "total_s": time.perf_counter() - started,
    }
    python = report["machine"]["python"]
    finish("soak", report, table(runs), f"Python {python}, server and load generator in their own processes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
