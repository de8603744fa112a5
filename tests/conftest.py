"""Test fixtures: every API test runs twice, on SQLite + memory channels and on PostgreSQL + Redis.

Each database is migrated once per session with Alembic; each test starts from empty tables (a fresh copy
of the migrated SQLite file, or TRUNCATE on PostgreSQL). When PostgreSQL or Redis cannot be reached the
PostgreSQL half is skipped with the reason, unless DOORSTEP_TEST_SERVICES=required (CI), where it fails.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import text

from backend.app import create_app
from backend.db import migrations
from backend.db.engine import create_engine
from backend.db.models import metadata
from backend.settings import Settings

POSTGRES_URL = os.environ.get("DOORSTEP_TEST_POSTGRES_URL", "postgresql+asyncpg://127.0.0.1:5432/test")
REDIS_URL = os.environ.get("DOORSTEP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SERVICES_REQUIRED = os.environ.get("DOORSTEP_TEST_SERVICES", "").lower() == "required"


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url.replace("+asyncpg", ""))
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def in_thread(coroutine_function: Any) -> None:
    """Run async set-up from a sync session fixture, even when pytest-asyncio's loop is running."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: asyncio.run(coroutine_function())).result()


def skip_or_fail(reason: str) -> None:
    if SERVICES_REQUIRED:
        pytest.fail(f"{reason} (DOORSTEP_TEST_SERVICES=required turns this skip into a failure)")
    pytest.skip(reason)


def require_services() -> None:
    missing = [
        name
        for name, url, port in (("PostgreSQL", POSTGRES_URL, 5432), ("Redis", REDIS_URL, 6379))
        if not _reachable(url, port)
    ]
    if missing:
        skip_or_fail(f"{' and '.join(missing)} not reachable ({POSTGRES_URL}, {REDIS_URL})")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "doorstep.db"
    migrations.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> Iterator[str]:
    """A database of this pytest session's own (created beside DOORSTEP_TEST_POSTGRES_URL's, dropped at the
    end), so two test runs on one machine never truncate each other's rows."""
    require_services()
    url = postgres_admin_create_database("doorstep_test")
    migrations.upgrade(url)
    yield url
    postgres_admin_drop_database(url)


def _postgres_admin(statement: str) -> None:
    async def run() -> None:
        engine = create_engine(POSTGRES_URL)
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(statement))
        await engine.dispose()

    in_thread(run)


def postgres_admin_create_database(prefix: str) -> str:
    """A new, empty database beside the configured one; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    _postgres_admin(f"CREATE DATABASE {name}")
    return f"{POSTGRES_URL.rpartition('/')[0]}/{name}"


def postgres_admin_drop_database(url: str) -> None:
    _postgres_admin(f"DROP DATABASE IF EXISTS {url.rpartition('/')[2]} WITH (FORCE)")


async def truncate_all(database_url: str) -> None:
    """Empty every table. This worker's database is its own, so any other connection to it is left over from an
    earlier test's app (a task cancelled at shutdown can leave one idle in a transaction, holding locks): TRUNCATE
    would wait for it for ever, so it is ended first, and a lock still held fails the test after 30 s instead."""
    engine = create_engine(database_url)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        await conn.execute(text("SET LOCAL lock_timeout = '30s'"))
        names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        await conn.execute(text(f"TRUNCATE {names} CASCADE"))
    await engine.dispose()


@dataclass
class Stack:
    name: str
    settings: Settings


@pytest.fixture(params=["sqlite", "postgres"])
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    common: dict[str, Any] = {
        "env": "dev",
        "instance_dir": tmp_path,
        "media_dir": tmp_path / "media",
        "secret_key": "test-secret-" + uuid.uuid4().hex,
        "public_base_url": "http://testserver.local",
        "relay_poll_s": 0.2,
        "replan_debounce_s": 0.05,
        "travel_provider": "straight_line",  # the road graph has its own tests; API tests need not build it
        "log_level": "WARNING",
    }
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        db = tmp_path / "doorstep.db"
        shutil.copyfile(template, db)
        yield Stack("sqlite", Settings(database_url=f"sqlite+aiosqlite:///{db}", **common))
    else:
        url: str = request.getfixturevalue("postgres_migrated")
        in_thread(lambda: truncate_all(url))
        yield Stack(
            "postgres",
            Settings(database_url=url, redis_url=REDIS_URL, redis_namespace=f"test-{uuid.uuid4().hex}", **common),
        )


@pytest.fixture
def settings(stack: Stack) -> Settings:
    return stack.settings


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    # the sync client runs the app, its lifespan (the relay) and our factories on one portal loop:
    # asyncpg and redis connections belong to the loop that opened them
    with TestClient(app=app, base_url="http://testserver.local") as test_client:
        yield test_client


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    # argon2's production cost (~50 ms a hash) would dominate the suite; the code path stays the same
    from argon2 import PasswordHasher

    from backend.accounts import passwords

    production = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = production


@pytest.fixture(autouse=True)
def _no_leaking_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # settings are passed explicitly in tests; a developer's DOORSTEP_* variables must not leak in
    for key in list(os.environ):
        if key.startswith("DOORSTEP_") and not key.startswith("DOORSTEP_TEST"):
            monkeypatch.delenv(key)
    yield


E2E_DIR = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # every test under tests/e2e is a browser test, marked or not: `make test` runs them apart from the API tests
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)
