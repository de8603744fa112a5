"""The webhook sender: a background loop that claims due deliveries (SKIP LOCKED on PostgreSQL, so several
processes share the queue), signs and POSTs them outside any transaction, and records each outcome. A sender
that dies mid-send leaves its claim to run out (the lease), and another process sends it again: deliveries are
at least once, and receivers drop duplicates by the event id."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import httpx
import msgspec
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db.session import transaction
from backend.events.models import Event
from backend.events.relay import EventHandler
from backend.integrations import repository, service
from backend.integrations.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from backend.integrations.signing import SIGNATURE_HEADER, signature_header
from backend.integrations.targets import public_target
from backend.kit.clock import utcnow
from backend.kit.tasks import stop_between_passes, wait_or_timeout

log = structlog.get_logger(__name__)

BATCH = 50  # deliveries claimed per pass
PARALLEL = 8  # requests in flight per process
USER_AGENT = "Doorstep-Webhooks/1"


@dataclass(frozen=True)
class _Job:
    delivery_id: UUID
    url: str | None  # None: the endpoint is gone or disabled, nothing is sent
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class _Outcome:
    delivery_id: UUID
    status_code: int | None
    error: str | None  # None: delivered


class WebhookSender:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        retry_window: timedelta,
        timeout_s: float,
        allow_private: bool,
        skip_locked: bool,
        poll_s: float = 1.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._session_factory = session_factory
        self.retry_window = retry_window
        self._timeout_s = timeout_s
        self.allow_private = allow_private
        self._skip_locked = skip_locked
        self._poll_s = poll_s
        self._transport = transport
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = False
        self.clock: Callable[[], datetime] = utcnow  # schedules retries; signatures carry the wall clock

    def event_handler(self) -> EventHandler:
        async def on_event(session: AsyncSession, event: Event) -> None:
            if await service.enqueue(session, event, now=self.clock(), retry_window=self.retry_window):
                self._wake.set()

        return on_event

    async def tick(self) -> dict[str, int]:
        """One pass over what is due; returns how many were delivered and how many failed."""
        jobs = await self._claim()
        if not jobs:
            return {"delivered": 0, "failed": 0}
        limit = asyncio.Semaphore(PARALLEL)
        async with httpx.AsyncClient(
            timeout=self._timeout_s, follow_redirects=False, transport=self._transport, trust_env=False
        ) as client:

            async def send(job: _Job) -> _Outcome:
                async with limit:
                    return await self._send(client, job)

            outcomes = await asyncio.gather(*(send(job) for job in jobs))
        await self._record(outcomes)
        delivered = sum(1 for o in outcomes if o.error is None)
        return {"delivered": delivered, "failed": len(outcomes) - delivered}

    async def _claim(self) -> list[_Job]:
        now = self.clock()
        lease = timedelta(seconds=self._timeout_s + 60)
        async with transaction(self._session_factory) as session:
            due = await repository.claim_due(session, now=now, limit=BATCH, skip_locked=self._skip_locked)
            endpoints = await repository.endpoints_by_id(session, {d.endpoint_id for d in due})
            jobs = []
            for delivery in due:
                endpoint = endpoints.get(delivery.endpoint_id)
                delivery.status = DeliveryStatus.sending
                delivery.next_attempt_at = now + lease
                delivery.attempts += 1
                delivery.last_attempt_at = now
                jobs.append(self._job(delivery, endpoint, now))
        return jobs

    def _job(self, delivery: WebhookDelivery, endpoint: WebhookEndpoint | None, now: datetime) -> _Job:
        if endpoint is None or not endpoint.enabled:
            return _Job(delivery.id, None, b"", {})
        body = msgspec.json.encode(delivery.body)
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Doorstep-Event-Id": str(delivery.event_id),
            "Doorstep-Event-Type": delivery.event_type,
            "Doorstep-Delivery-Id": str(delivery.id),
            "Doorstep-Delivery-Attempt": str(delivery.attempts),
            SIGNATURE_HEADER: signature_header(service.signing_secrets(endpoint, now), timestamp, body),
        }
        return _Job(delivery.id, endpoint.url, body, headers)

    async def _send(self, client: httpx.AsyncClient, job: _Job) -> _Outcome:
        if job.url is None:
            return _Outcome(job.delivery_id, None, "the endpoint is disabled")
        if not self.allow_private:
            refused = await public_target(job.url)
            if refused is not None:
                return _Outcome(job.delivery_id, None, f"not sent: {refused}")
        try:
            response = await client.post(job.url, content=job.body, headers=job.headers)
        except httpx.TimeoutException:
            return _Outcome(job.delivery_id, None, f"no answer within {self._timeout_s:g} s")
        except httpx.HTTPError as exc:
            return _Outcome(job.delivery_id, None, f"could not connect: {type(exc).__name__}: {exc}"[:300])
        if 200 <= response.status_code < 300:
            return _Outcome(job.delivery_id, response.status_code, None)
        return _Outcome(job.delivery_id, response.status_code, f"answered {response.status_code}")

    async def _record(self, outcomes: list[_Outcome]) -> None:
        now = self.clock()
        async with transaction(self._session_factory) as session:
            for outcome in outcomes:
                delivery = await session.get(WebhookDelivery, outcome.delivery_id, with_for_update=True)
                if delivery is None or delivery.status != DeliveryStatus.sending:
                    continue  # deleted with its endpoint, or redelivered meanwhile
                endpoint = await session.get(WebhookEndpoint, delivery.endpoint_id, with_for_update=True)
                if outcome.error is None:
                    assert outcome.status_code is not None
                    service.succeeded(delivery, endpoint, status_code=outcome.status_code, now=now)
                else:
                    service.failed(
                        session, delivery, endpoint, status_code=outcome.status_code, error=outcome.error, now=now
                    )
                    log.info(
                        "webhook_attempt_failed",
                        delivery_id=str(delivery.id),
                        attempt=delivery.attempts,
                        error=outcome.error,
                    )

    # -- the loop

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="webhook-sender")

    async def stop(self) -> None:
        if self._task is not None:  # the pass under way finishes its sends and records them (kit/tasks.py)
            self._stopping = True
            await stop_between_passes(self._task, wake=self._wake.set)
            self._task = None

    async def _loop(self) -> None:
        self._stopping = False
        while not self._stopping:
            try:
                done = await self.tick()
                if any(done.values()):
                    log.info("webhooks_sent", **done)
            except Exception:
                log.exception("webhook_sender_failed")
            await wait_or_timeout(self._wake, self._poll_s)
            self._wake.clear()
