"""The outbox relay: publishes committed events to the channels and hands them to registered handlers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog
from litestar.channels import ChannelsPlugin
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db.session import transaction
from backend.events.channels import org_channel
from backend.events.models import Event
from backend.events.service import to_message
from backend.kit.clock import utcnow
from backend.kit.tasks import stop_between_passes, wait_or_timeout

EventHandler = Callable[[AsyncSession, Event], Awaitable[None]]

__all__ = ["EventHandler", "OutboxRelay", "org_channel"]

BATCH_SIZE = 200  # events published per transaction; a backlog drains in several rounds, never one huge lock

log = structlog.get_logger(__name__)


class OutboxRelay:
    def __init__(
        self,
        *,
        session_factory: async_sessionmaker[AsyncSession],
        channels: ChannelsPlugin,
        handlers: list[EventHandler] | None = None,
        poll_s: float = 1.0,
        lock_rows: bool = False,
    ) -> None:
        self._session_factory = session_factory
        self._channels = channels
        self._handlers = list(handlers or [])
        self._poll_s = poll_s
        # PostgreSQL: several relays (web processes, workers) share the table; SKIP LOCKED hands each event to one
        self._lock_rows = lock_rows
        self._wake = asyncio.Event()
        # one batch at a time in this process: the background loop and an explicit drain() must not both
        # read the same unpublished rows (SQLite has no SKIP LOCKED; PostgreSQL relies on it across processes)
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def register(self, handler: EventHandler) -> None:
        """Handlers run inside the relay's transaction, once per event, after it is published."""
        self._handlers.append(handler)

    def wake(self) -> None:
        """Called after every commit, so events go out at once instead of at the next poll."""
        self._wake.set()

    async def drain(self) -> int:
        """Publish every unpublished event; returns how many went out."""
        total = 0
        while True:
            published = await self._publish_batch()
            total += published
            if published < BATCH_SIZE:
                return total

    async def _publish_batch(self) -> int:
        async with self._lock, transaction(self._session_factory) as session:
            query = select(Event).where(Event.published_at.is_(None)).order_by(Event.id).limit(BATCH_SIZE)
            if self._lock_rows:
                query = query.with_for_update(skip_locked=True)
            events = list(await session.scalars(query))
            for event in events:
                self._channels.publish(to_message(event), channels=[org_channel(event.organization_id)])
                for handler in self._handlers:
                    try:
                        await handler(session, event)
                    except Exception:  # a broken handler must not stop the stream; it is logged with the event id
                        log.exception("event_handler_failed", event_id=str(event.id), handler=handler.__name__)
                event.published_at = utcnow()
            return len(events)

    async def run(self) -> None:
        self._stopping = False
        while not self._stopping:
            self._wake.clear()
            try:
                await self.drain()
            except Exception:  # the database may be restarting; try again at the next poll
                log.exception("outbox_relay_failed")
            await wait_or_timeout(self._wake, self._poll_s)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="outbox-relay")

    async def stop(self) -> None:
        """The batch under way is published and committed (kit/tasks.py), then the loop ends."""
        if self._task is not None:
            self._stopping = True
            await stop_between_passes(self._task, wake=self._wake.set)
            self._task = None
