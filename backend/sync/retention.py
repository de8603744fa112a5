"""How long command ids are remembered: older records are purged hourly (a phone offline longer than
DOORSTEP_SYNC_KEY_RETENTION_DAYS would have its replay applied again, so keep it generous)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta

import structlog
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db.session import transaction
from backend.kit.clock import utcnow
from backend.sync.models import SyncCommand

PURGE_EVERY_S = 3600.0

log = structlog.get_logger(__name__)


async def purge_commands(session: AsyncSession, *, before: datetime) -> int:
    result = await session.execute(delete(SyncCommand).where(SyncCommand.recorded_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


class CommandRetention:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], days: int) -> None:
        self._session_factory = session_factory
        self._days = days
        self._task: asyncio.Task[None] | None = None
        self.clock: Callable[[], datetime] = utcnow

    async def purge(self) -> int:
        async with transaction(self._session_factory) as session:
            return await purge_commands(session, before=self.clock() - timedelta(days=self._days))

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="sync-command-retention")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                removed = await self.purge()
                if removed:
                    log.info("sync_commands_purged", removed=removed)
            except Exception:
                log.exception("sync_command_purge_failed")
            await asyncio.sleep(PURGE_EVERY_S)
