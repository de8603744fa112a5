"""Running Alembic from code: `doorstep migrate`, the demo, the startup check and the tests share this."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.settings import PROJECT_ROOT


class DatabaseNotMigrated(RuntimeError):
    """The database schema is not at the code's head revision."""


def alembic_config(database_url: str) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def head_revision(database_url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())


async def ensure_migrated(engine: AsyncEngine, database_url: str) -> None:
    head = head_revision(database_url)
    current = await current_revision(engine)
    if current != head:
        state = "an empty database" if current is None else f"revision {current}"
        raise DatabaseNotMigrated(
            f"The database is at {state}, but this Doorstep needs revision {head}. "
            "Run `doorstep migrate` (or `make demo`, which migrates by itself) and start again."
        )


async def upgrade_async(database_url: str) -> None:
    await asyncio.to_thread(upgrade, database_url)
