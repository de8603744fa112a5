"""The `doorstep` command: serve, migrate, demo, simulate, createuser, receive-webhooks."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from backend.settings import Settings, SettingsError

WS_MAX_FRAME_BYTES = 64 * 1024  # uvicorn's default is 16 MiB; no Doorstep client frame comes near 64 KiB
# uvicorn's options for every Doorstep server (`serve`, `demo`, and the benchmarks, which must measure the same)
SERVER_OPTIONS: dict[str, Any] = {
    "ws_max_size": WS_MAX_FRAME_BYTES,
    # per-message deflate costs memory per socket and CPU per frame: it was the largest single cost of the
    # position fan-out to 5,000 tracking sockets (bench/live.py), for frames of a few hundred bytes
    "ws_per_message_deflate": False,
    "access_log": False,
    "log_level": "warning",
}


def _migrate(settings: Settings) -> None:
    from backend.db.migrations import upgrade

    upgrade(settings.database_url)


def _check_migrated(settings: Settings) -> str | None:
    """The message to show when the database is behind the code, else None."""
    from backend.db.engine import create_engine
    from backend.db.migrations import DatabaseNotMigrated, ensure_migrated

    async def check() -> None:
        engine = create_engine(settings.database_url)
        try:
            await ensure_migrated(engine, settings.database_url)
        finally:
            await engine.dispose()

    try:
        asyncio.run(check())
    except DatabaseNotMigrated as exc:
        return str(exc)
    return None


def _serve(settings: Settings, *, host: str, port: int, workers: int) -> None:
    import uvicorn

    os.environ.setdefault("DOORSTEP_INSTANCE_DIR", str(settings.instance_dir))
    # uvicorn stops gracefully on SIGTERM, then raises the signal again under the handler found at start: with
    # the default one the process dies without running atexit, leaving the solver processes behind as orphans
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    uvicorn.run(
        "backend.app:create_server_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies) or None,
        **SERVER_OPTIONS,
    )


async def _seed_demo(settings: Settings) -> bool:
    from backend.db.engine import create_engine, create_session_factory
    from backend.db.session import transaction
    from backend.demo.seed import seed

    engine = create_engine(settings.database_url)
    try:
        async with transaction(create_session_factory(engine)) as session:
            return await seed(session, secret_key=settings.secret_key, timezone=settings.demo_timezone)
    finally:
        await engine.dispose()


def _print_demo_banner(
    settings: Settings, host: str, port: int, *, simulate: bool = False, webhook_log: Path | None = None
) -> None:
    from backend.demo.seed import LOGINS, demo_day

    day = demo_day(timezone=settings.demo_timezone)
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - only what we print
    base = f"http://{shown_host}:{port}"
    lines = [
        "",
        "Doorstep demo is starting",
        f"  Web app (sign in here):  {base}/",
        f"  Driver app (phones):     {base}/driver  (a driver's route shows once its plan is published)",
        f"  Store counter:           {base}/store   (store@demo.doorstep.dev: scan pickups in, hand them over)",
        f"  Carrier's orders:        {base}/carrier (carrier@demo.doorstep.dev: the courier company's view)",
        f"  Dispatch:                {base}/dispatch (plan, publish, orders, imports, exceptions, reports)",
        f"  API docs (OpenAPI):      {base}/schema",
        f"  Health:                  {base}/health",
        f"  Database:                {settings.database_url}",
        f"  Demo orders are for:     {day.isoformat()} (pick that day in Dispatch, plan it, publish it)",
        "  Logins (password for all: doorstep-demo):",
        *[f"    {login.role:<12} {login.email}" for login in LOGINS],
        "  Stop with Ctrl+C.",
        "",
    ]
    if webhook_log is not None:
        lines[-2:-2] = [
            "  Signed webhooks:         the demo's receiver checks every signature; see what it got with",
            f"                           tail -f {webhook_log}",
        ]
    if simulate:
        lines[-2:-2] = [
            "  Simulated couriers (courier1-3@demo.doorstep.dev) drive today's LIVE- orders; tracking links of",
            "  their next stops are printed below once today is planned (or open any LIVE- order in Dispatch).",
        ]
    print("\n".join(lines), flush=True)


async def _demo_webhook(settings: Settings, url: str, secret_file: Path) -> bool:
    from backend.db.engine import create_engine, create_session_factory
    from backend.db.session import transaction
    from backend.demo.webhook import ensure_demo_webhook

    engine = create_engine(settings.database_url)
    try:
        async with transaction(create_session_factory(engine)) as session:
            return await ensure_demo_webhook(session, url=url, secret_file=secret_file)
    finally:
        await engine.dispose()


def _start_webhook_receiver(settings: Settings) -> tuple[subprocess.Popen[bytes], Path] | None:
    """The reference receiver on a free local port, registered as the demo organization's endpoint; its log is
    in the instance dir. None when the port or the registration fails (the demo goes on without it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    secret_file = settings.instance_dir / "demo-webhook-secret"
    log_file = settings.instance_dir / "webhooks-received.log"
    if not asyncio.run(_demo_webhook(settings, f"http://127.0.0.1:{port}/doorstep-events", secret_file)):
        return None
    command = [
        sys.executable,
        "-m",
        "backend.cli",
        "receive-webhooks",
        "--port",
        str(port),
        "--secret-file",
        str(secret_file),
        "--log",
        str(log_file),
    ]
    return subprocess.Popen(command, stdin=subprocess.DEVNULL), log_file  # noqa: S603 - our own argv


def _receive_webhooks(args: argparse.Namespace) -> int:
    from backend.integrations.receiver import make_server

    secrets = list(args.secret or [])
    if args.secret_file:
        try:
            secrets += [line.strip() for line in Path(args.secret_file).read_text().splitlines() if line.strip()]
        except OSError as exc:
            print(f"Cannot read --secret-file: {exc}", file=sys.stderr)
            return 2
    if not secrets:
        print("Give the endpoint's signing secret: --secret whsec_... or --secret-file PATH.", file=sys.stderr)
        return 2
    out = open(args.log, "a", buffering=1) if args.log else sys.stdout  # noqa: SIM115 - open for the server's life

    def write(line: str) -> None:
        print(line, file=out, flush=True)

    server = make_server(args.host, args.port, secrets, write)
    write(f"Receiving Doorstep webhooks on http://{args.host}:{server.server_address[1]}/ (signatures checked)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        return 130
    finally:
        server.server_close()
    return 0


def _start_simulator(settings: Settings, host: str, port: int) -> subprocess.Popen[bytes]:
    """`doorstep simulate` beside the server: it waits for /health itself, and stops with the server."""
    local = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - where to reach the server
    command = [sys.executable, "-m", "backend.cli", "simulate", "--base-url", f"http://{local}:{port}"]
    env = {**os.environ, "DOORSTEP_INSTANCE_DIR": str(settings.instance_dir)}  # the server's road-graph cache
    return subprocess.Popen(command, stdin=subprocess.DEVNULL, env=env)  # noqa: S603 - our own argv


def _simulate(args: argparse.Namespace, settings: Settings) -> int:
    from backend.demo.live_day import Options, run
    from backend.routing.travel import provider_from_settings

    if args.speedup < 1 or args.couriers < 1 or args.orders_per_courier < 1:
        print("--speedup, --couriers and --orders-per-courier must be at least 1.", file=sys.stderr)
        return 2
    options = Options(
        base_url=(args.base_url or settings.public_base_url).rstrip("/"),
        couriers=args.couriers,
        orders_per_courier=args.orders_per_courier,
        speedup=args.speedup,
        seed=args.seed,
        once=args.once,
    )
    try:
        return asyncio.run(run(options, travel=provider_from_settings(settings)))
    except KeyboardInterrupt:
        return 130


def _createuser(settings: Settings, args: argparse.Namespace) -> int:
    from backend.accounts.models import OrganizationKind, Role
    from backend.accounts.schemas import UserCreate
    from backend.db.engine import create_engine, create_session_factory
    from backend.db.session import transaction
    from backend.kit.problems import DomainError

    password = args.password or os.environ.get("DOORSTEP_NEW_PASSWORD") or getpass.getpass("Password: ")

    async def run() -> None:
        from sqlalchemy import select

        from backend.accounts import service
        from backend.accounts.models import Organization

        engine = create_engine(settings.database_url)
        try:
            async with transaction(create_session_factory(engine)) as session:
                org = await session.scalar(select(Organization).where(Organization.name == args.organization))
                if org is None:
                    org = await service.create_organization(
                        session, name=args.organization, kind=OrganizationKind(args.kind), timezone=args.timezone
                    )
                await service.create_user(
                    session,
                    organization=org,
                    data=UserCreate(email=args.email, name=args.name, role=Role(args.role), password=password),
                    actor="system:cli",
                )
        finally:
            await engine.dispose()

    if len(password) < 10:
        print("The password needs at least 10 characters.", file=sys.stderr)
        return 2
    try:
        asyncio.run(run())
    except DomainError as exc:
        print(f"Not created: {exc.detail}", file=sys.stderr)
        return 1
    print(f"Created {args.role} {args.email} in {args.organization}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="doorstep", description="Doorstep last-mile delivery platform")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the web server (the database must be migrated)")
    demo = commands.add_parser("demo", help="migrate, seed the Helsinki demo, and run the web server")
    for sub in (serve, demo):
        sub.add_argument("--host", default=None, help="bind address (default DOORSTEP_HOST or 127.0.0.1)")
        sub.add_argument("--port", type=int, default=None, help="port (default DOORSTEP_PORT or 8000)")
    serve.add_argument("--workers", type=int, default=1, help="processes (use PostgreSQL and Redis for more than 1)")
    demo.add_argument("--no-serve", action="store_true", help="only migrate and seed")
    demo.add_argument("--no-simulate", action="store_true", help="no simulated couriers driving today's orders")
    simulate = commands.add_parser("simulate", help="drive simulated couriers through a running server's API")
    simulate.add_argument("--base-url", help="the server (default DOORSTEP_PUBLIC_BASE_URL or http://127.0.0.1:8000)")
    simulate.add_argument("--couriers", type=int, default=3, help="simulated couriers, each with a van (default 3)")
    simulate.add_argument("--orders-per-courier", type=int, default=8, help="orders per courier in a batch")
    simulate.add_argument("--speedup", type=float, default=1.0, help="simulated seconds per real second (default 1)")
    simulate.add_argument("--seed", type=int, default=None, help="random seed, for a reproducible run")
    simulate.add_argument("--once", action="store_true", help="drive today's routes to the end, then exit")
    receive = commands.add_parser(
        "receive-webhooks", help="run the reference webhook receiver: checks signatures, prints each event"
    )
    receive.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    receive.add_argument("--port", type=int, default=8010, help="port (default 8010)")
    receive.add_argument("--secret", action="append", help="the endpoint's signing secret (twice while rotating)")
    receive.add_argument("--secret-file", help="a file with the secret(s), one a line")
    receive.add_argument("--log", help="append to this file instead of printing")
    demo.add_argument("--no-webhooks", action="store_true", help="no demo webhook receiver")
    commands.add_parser("migrate", help="upgrade the database to the latest schema")
    create = commands.add_parser("createuser", help="create a user (and its organization if new)")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, choices=["admin", "dispatcher", "driver", "store_staff"])
    create.add_argument("--organization", required=True, help="organization name; created if it does not exist")
    create.add_argument("--kind", default="shipper", choices=["shipper", "carrier"], help="kind of a new organization")
    create.add_argument("--timezone", default="UTC", help="timezone of a new organization")
    create.add_argument("--password", help="default: DOORSTEP_NEW_PASSWORD, else asked")
    args = parser.parse_args(argv)

    try:
        settings = Settings.from_env().with_secret_key()
    except SettingsError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2

    if args.command == "migrate":
        _migrate(settings)
        print("Database is at the latest schema.")
        return 0
    if args.command == "createuser":
        return _createuser(settings, args)
    if args.command == "simulate":
        return _simulate(args, settings)
    if args.command == "receive-webhooks":
        return _receive_webhooks(args)
    host = args.host or settings.host
    port = args.port or settings.port
    if args.command == "demo":
        _migrate(settings)
        created = asyncio.run(_seed_demo(settings))
        print("Demo data created." if created else "Demo data already there; kept as it is.", flush=True)
        if args.no_serve:
            return 0
        os.environ.setdefault("DOORSTEP_PUBLIC_BASE_URL", f"http://127.0.0.1:{port}")
        receiver = None if args.no_webhooks else _start_webhook_receiver(settings)
        _print_demo_banner(
            settings, host, port, simulate=not args.no_simulate, webhook_log=receiver[1] if receiver else None
        )
        simulator = None if args.no_simulate else _start_simulator(settings, host, port)
        try:
            _serve(settings, host=host, port=port, workers=1)
        finally:
            if receiver is not None:
                receiver[0].terminate()
            if simulator is not None:
                simulator.terminate()
                try:
                    simulator.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    simulator.kill()
        return 0
    problem = _check_migrated(settings)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    _serve(settings, host=host, port=port, workers=args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
