"""The notification sender, one per process: the relay's handler that queues notices for order events, and the
background loop that claims due rows, sends them on their channel and records sent / failed / retry."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db.session import transaction
from backend.events.models import Event
from backend.events.relay import EventHandler
from backend.kit.clock import utcnow
from backend.kit.tasks import stop_between_passes, wait_or_timeout
from backend.notifications import delivery, service
from backend.notifications.channels import Channel, Outgoing, SendFailed
from backend.notifications.channels.email import EmailChannel, SmtpConfig
from backend.notifications.channels.push import PushChannel
from backend.notifications.channels.sms import TwilioConfig, TwilioSmsChannel
from backend.notifications.channels.vapid import VapidIdentity, vapid_identity
from backend.notifications.models import ChannelName, NotificationStatus
from backend.settings import Settings

TICK_S = 5.0  # due rows are looked for this often (at once when the relay has just queued some)
BATCH_SIZE = 50  # rows claimed per pass
CONCURRENCY = 8  # sends in flight at once per process
LEASE = timedelta(minutes=5)  # a claimed row is this sender's until then; a crashed sender's rows come back after

log = structlog.get_logger(__name__)


class LazyPushChannel:
    """Web Push whose VAPID key is read (or made) on first use, not when the app is built."""

    name = ChannelName.push

    def __init__(self, identity: Callable[[], VapidIdentity]) -> None:
        self._identity = identity

    async def send(self, message: Outgoing) -> None:
        await PushChannel(self._identity()).send(message)


class NotificationSender:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        lock_rows: bool = False,
        channels: dict[ChannelName, Channel] | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._settings = settings
        self._lock_rows = lock_rows  # PostgreSQL: several senders share the table; SKIP LOCKED splits the rows
        self._identity: VapidIdentity | None = None
        self._channels = channels if channels is not None else self._configured_channels()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._more_due = False
        self._wake = asyncio.Event()
        self._tick_lock = asyncio.Lock()
        self.clock: Callable[[], datetime] = utcnow
        self.rng = random.Random()

    def _configured_channels(self) -> dict[ChannelName, Channel]:
        s = self._settings
        channels: dict[ChannelName, Channel] = {ChannelName.push: LazyPushChannel(self.vapid)}
        if s.smtp_host and s.mail_from:
            channels[ChannelName.email] = EmailChannel(
                SmtpConfig(
                    host=s.smtp_host,
                    port=s.smtp_port,
                    mail_from=s.mail_from,
                    username=s.smtp_username,
                    password=s.smtp_password,
                    starttls=s.smtp_starttls,
                )
            )
        if s.sms_account_sid and s.sms_auth_token and s.sms_from:
            channels[ChannelName.sms] = TwilioSmsChannel(
                TwilioConfig(
                    api_url=s.sms_api_url, account_sid=s.sms_account_sid, auth_token=s.sms_auth_token, sender=s.sms_from
                )
            )
        return channels

    def vapid(self) -> VapidIdentity:
        """The server's Web Push identity (its public key is what browsers subscribe with)."""
        if self._identity is None:
            self._identity = vapid_identity(self._settings)
        return self._identity

    # -- the relay hands every committed event here once; notices are only queued here

    def event_handler(self) -> EventHandler:
        async def notify_customers(session: AsyncSession, event: Event) -> None:
            if not service.may_notify(event):
                return
            # SQLite: the write lock first (a savepoint would open a read snapshot that cannot become a write)
            await service.hold_event(session, event_id=event.id)
            async with session.begin_nested():  # a failure here undoes only our rows, never the relay's batch
                added = await service.on_event(session, settings=self._settings, event=event, now=self.clock())
            if added:
                self.wake()

        return notify_customers

    def wake(self) -> None:
        self._wake.set()

    # -- the sending loop

    async def tick(self) -> dict[str, int]:
        """One pass over what is due; returns how many rows ended in each state."""
        async with self._tick_lock:
            self._more_due = False
            now = self.clock()
            async with transaction(self._session_factory) as session:
                claimed = await delivery.claim_due(
                    session, now=now, lease_until=now + LEASE, limit=BATCH_SIZE, skip_locked=self._lock_rows
                )
            self._more_due = len(claimed) == BATCH_SIZE
            done: dict[str, int] = {}
            # SQLite has one writer at a time: sending one by one there keeps the sender from queueing up on it
            gate = asyncio.Semaphore(CONCURRENCY if self._lock_rows else 1)

            async def one(notification_id: UUID) -> None:
                async with gate:
                    try:
                        outcome = await self._deliver(notification_id)
                    except Exception:  # the database failed us: the lease brings the row back later
                        log.exception("notification_failed", notification_id=str(notification_id))
                        return
                    if outcome is not None:
                        done[outcome.value] = done.get(outcome.value, 0) + 1

            async with asyncio.TaskGroup() as group:  # on cancellation it waits for every send to wind down
                for notification_id in claimed:
                    group.create_task(one(notification_id))
            return done

    async def _deliver(self, notification_id: UUID) -> NotificationStatus | None:
        async with transaction(self._session_factory) as session:
            prepared = await delivery.prepare_send(
                session, settings=self._settings, notification_id=notification_id, now=self.clock()
            )
        if not isinstance(prepared, delivery.Prepared):
            return prepared
        error: SendFailed | None = None
        channel = self._channels.get(prepared.channel)
        if channel is None:
            error = SendFailed(f"no {prepared.channel.value} channel is configured", retry=False)
        else:
            try:
                await channel.send(prepared.outgoing)
            except SendFailed as exc:
                error = exc
            except Exception as exc:  # a bug or a library's surprise: logged, and tried again like a timeout
                log.exception("notification_channel_error", channel=prepared.channel.value)
                error = SendFailed(f"unexpected {type(exc).__name__}", retry=True)
        async with transaction(self._session_factory) as session:
            return await delivery.record_result(
                session, notification_id=notification_id, error=error, now=self.clock(), rng=self.rng
            )

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._loop(), name="notification-sender")

    async def stop(self) -> None:
        """Let the pass under way finish (a row half-sent would wait out its lease), then cancel what is left."""
        if self._task is not None:
            self._stopping = True
            await stop_between_passes(self._task, wake=self._wake.set)
            self._task = None

    async def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                done = await self.tick()
                if done:
                    log.info("notifications_sent", **done)
            except Exception:  # the database may be restarting; try again at the next pass
                log.exception("notification_sender_failed")
            if self._more_due:  # a backlog: the next batch at once
                continue
            await wait_or_timeout(self._wake, TICK_S)
            if not self._stopping:  # the relay wakes us before its transaction commits: give it a moment to land
                await asyncio.sleep(0.2)
