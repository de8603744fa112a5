"""The `doorstep` command: serve, migrate, demo, createuser."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from backend.settings import Settings, SettingsError

WS_MAX_FRAME_BYTES = 64 * 1024  # uvicorn's default is 16 MiB; no Doorstep client frame comes near 64 KiB


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
    uvicorn.run(
        "backend.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies) or None,
        ws_max_size=WS_MAX_FRAME_BYTES,
        ws_per_message_deflate=False,  # memory per socket matters more than bandwidth at thousands of drivers
        access_log=False,
        log_level="warning",
    )


async def _seed_demo(settings: Settings) -> bool:
    from backend.db.engine import create_engine, create_session_factory
    from backend.db.session import transaction
    from backend.demo.seed import seed

    engine = create_engine(settings.database_url)
    try:
        async with transaction(create_session_factory(engine)) as session:
            return await seed(session, secret_key=settings.secret_key)
    finally:
        await engine.dispose()


def _print_demo_banner(settings: Settings, host: str, port: int) -> None:
    from backend.demo.seed import LOGINS, demo_day

    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - only what we print
    base = f"http://{shown_host}:{port}"
    lines = [
        "",
        "Doorstep demo is starting",
        f"  Web app (sign in here):  {base}/",
        f"  API docs (OpenAPI):      {base}/schema",
        f"  Health:                  {base}/health",
        f"  Database:                {settings.database_url}",
        f"  Demo orders are for:     {demo_day().isoformat()} (pick that day in Dispatch, plan it, publish it)",
        "  Logins (password for all: doorstep-demo):",
        *[f"    {login.role:<12} {login.email}" for login in LOGINS],
        "  Stop with Ctrl+C.",
        "",
    ]
    print("\n".join(lines), flush=True)


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
    host = args.host or settings.host
    port = args.port or settings.port
    if args.command == "demo":
        _migrate(settings)
        created = asyncio.run(_seed_demo(settings))
        print("Demo data created." if created else "Demo data already there; kept as it is.", flush=True)
        if args.no_serve:
            return 0
        os.environ.setdefault("DOORSTEP_PUBLIC_BASE_URL", f"http://127.0.0.1:{port}")
        _print_demo_banner(settings, host, port)
        _serve(settings, host=host, port=port, workers=1)
        return 0
    problem = _check_migrated(settings)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    _serve(settings, host=host, port=port, workers=args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
