"""Alembic environment: async engine, batch mode on SQLite, and a type comparison that knows GUID."""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from advanced_alchemy.types import GUID
from alembic import context
from sqlalchemy.engine import Connection

from backend.db.engine import create_engine
from backend.db.models import metadata
from backend.settings import Settings

config = context.config


def _database_url() -> str:
    url = config.attributes.get("database_url")
    if url:
        return str(url)
    if _bare_check():
        return _scratch_database()
    return Settings.from_env().database_url


def _bare_check() -> bool:
    """`alembic check` typed in a checkout with no database configured: the question is whether the migrations
    produce the models, so it is answered on a scratch database migrated to head (not on the demo's file)."""
    command = getattr(config.cmd_opts, "cmd", None)
    return bool(command) and command[0].__name__ == "check" and "DOORSTEP_DATABASE_URL" not in os.environ


def _scratch_database() -> str:
    folder = tempfile.mkdtemp(prefix="doorstep-alembic-check-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    url = f"sqlite+aiosqlite:///{Path(folder) / 'check.db'}"
    # a separate process: a nested alembic command here would tear down this one's context
    subprocess.run(  # noqa: S603 - our own interpreter and code, a path we made
        [sys.executable, "-c", "import sys; from backend.db.migrations import upgrade; upgrade(sys.argv[1])", url],
        check=True,
    )
    return url


def _compare_type(
    _context: Any, inspected_column: Any, metadata_column: Any, inspected_type: Any, metadata_type: Any
) -> bool | None:
    # advanced-alchemy's GUID reflects as NUMERIC(16)/BINARY on SQLite and UUID on PostgreSQL: not a change
    if isinstance(metadata_type, GUID):
        return False
    return None


def _configure(connection: Connection | None = None, url: str | None = None) -> None:
    context.configure(
        connection=connection,
        url=url,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=_compare_type,
        compare_server_default=False,
        literal_binds=connection is None,
    )


def run_migrations_offline() -> None:
    _configure(url=_database_url())
    with context.begin_transaction():
        context.run_migrations()


def _run_sync(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_sync(connection)
        return
    engine = create_engine(_database_url())
    async with engine.connect() as conn:
        await conn.run_sync(_run_sync)
        await conn.commit()
    await engine.dispose()


def _run_online() -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(run_migrations_online())
        return
    # called from inside an event loop (a test, the app): run on a thread with a loop of its own
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run_migrations_online()).result()


if context.is_offline_mode():
    run_migrations_offline()
else:
    _run_online()
