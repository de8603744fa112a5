"""What Doorstep keeps only for a while: one hourly loop runs every module's purge (drivers' positions, the driver
app's command ids, the notification log with customers' addresses, webhook deliveries with their bodies, push
subscriptions of old orders), in batches of BATCH rows, one transaction each, so a first purge of a year's rows
never holds a table for long, and one failing purge does not stop the others."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from backend.db.session import transaction
from backend.kit.clock import utcnow
from backend.kit.tasks import stop_between_passes, wait_or_timeout

PURGE_EVERY_S = 3600.0
# not at start-up: a process that starts (a deploy, a test) should serve first; hourly work can wait a minute
FIRST_PURGE_AFTER_S = 60.0

log = structlog.get_logger(__name__)

BATCH = 5000  # rows per transaction: a first purge of a year's rows never holds the table (SQLite: the database)

Purge = Callable[[AsyncSession, datetime, int], Awaitable[int]]


async def delete_older(
    session: AsyncSession, column: InstrumentedAttribute[datetime], before: datetime, limit: int, *where: Any
) -> int:
    """Delete up to `limit` rows of `column`'s table older than `before` (and matching `where`), oldest first."""
    model = column.class_
    ids = select(model.id).where(column < before, *where).order_by(column).limit(limit)
    result = await session.execute(delete(model).where(model.id.in_(ids.scalar_subquery())))
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class PurgeJob:
    name: str  # also the key in purge()'s answer and in the log
    days: int  # rows older than this many days go
    purge: Purge  # deletes at most `limit` rows older than the datetime it is given; returns how many went


class Retention:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], jobs: Sequence[PurgeJob]) -> None:
        self._session_factory = session_factory
        self.jobs = list(jobs)
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._wake = asyncio.Event()
        self.clock: Callable[[], datetime] = utcnow
        self.batch = BATCH

    async def purge(self) -> dict[str, int]:
        """Run every purge now; returns rows removed per job (a job that failed is logged and left out)."""
        removed: dict[str, int] = {}
        for job in self.jobs:
            before = self.clock() - timedelta(days=job.days)
            total = 0
            try:
                while True:  # one transaction per batch, so writers wait for a batch at most
                    async with transaction(self._session_factory) as session:
                        went = await job.purge(session, before, self.batch)
                    total += went
                    if went < self.batch or self._stopping:  # shutting down: the rest waits for the next start
                        break
                removed[job.name] = total
            except Exception:  # the database may be restarting, or one table locked: the others still go
                log.exception("retention_purge_failed", job=job.name, removed=total)
        return removed

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="retention")

    async def stop(self) -> None:
        if self._task is not None:  # a batch under way is committed (kit/tasks.py)
            self._stopping = True
            await stop_between_passes(self._task, wake=self._wake.set)
            self._task = None

    async def _loop(self) -> None:
        self._stopping = False
        self._wake.clear()
        await wait_or_timeout(self._wake, FIRST_PURGE_AFTER_S)
        while not self._stopping:
            removed = {name: n for name, n in (await self.purge()).items() if n}
            if removed:
                log.info("retention_purged", **removed)
            await wait_or_timeout(self._wake, PURGE_EVERY_S)
