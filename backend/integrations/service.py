"""Webhook rules: endpoints (validated URL, event patterns, a secret shown once and rotated with an overlap), the
fan-out of each committed event to the endpoints that want it (one delivery per event and endpoint), the retry
schedule, and when an endpoint that keeps failing is disabled (its owner is told by a `webhook.endpoint_disabled`
event). Nothing here commits; sending is sender.py's."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from backend.accounts.principal import Principal
from backend.carriers import service as carriers
from backend.events import service as events
from backend.events.models import Event
from backend.integrations import repository, schemas
from backend.integrations.errors import DeliveryNotFound, WebhookNotFound
from backend.integrations.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from backend.integrations.signing import new_secret
from backend.integrations.targets import url_problem
from backend.kit.clock import utcnow
from backend.kit.validation import FieldInvalid

ROTATION_OVERLAP = timedelta(hours=24)  # the old secret keeps signing this long after a rotation
FIRST_RETRY_S = 30.0
MAX_RETRY_S = 3600.0  # backoff doubles from 30 s and levels off at an hour, with ±20 % jitter
MAX_ENDPOINTS = 20  # per organization
# events never sent out: the ones about webhooks themselves would echo an endpoint's trouble to every endpoint
PRIVATE_EVENTS = ("webhook.",)


def matches(patterns: list[str], event_type: str) -> bool:
    for pattern in patterns:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


def envelope(event: Event) -> dict[str, Any]:
    """The JSON body of a delivery: the event as the outbox has it, under a stable id receivers dedupe by."""
    return {
        "id": str(event.id),
        "type": event.type,
        "occurred_at": event.occurred_at.isoformat(),
        "organization_id": str(event.organization_id),
        "subject": {"type": event.subject_type, "id": str(event.subject_id)},
        "data": event.payload,
    }


def backoff_s(attempts: int, rng: random.Random | None = None) -> float:
    """Seconds before attempt `attempts + 1`, after `attempts` failures."""
    base = min(FIRST_RETRY_S * 2 ** max(0, attempts - 1), MAX_RETRY_S)
    return float(base * (rng or random).uniform(0.8, 1.2))


# -- endpoints


async def create_endpoint(
    session: AsyncSession, *, principal: Principal, data: schemas.EndpointCreate, allow_private: bool
) -> tuple[WebhookEndpoint, str]:
    _check_url(data.url, allow_private)
    if len(await repository.endpoints(session, organization_id=principal.organization_id)) >= MAX_ENDPOINTS:
        raise FieldInvalid("url", f"an organization has at most {MAX_ENDPOINTS} webhook endpoints")
    secret = new_secret()
    endpoint = WebhookEndpoint(
        organization_id=principal.organization_id,
        url=data.url,
        description=data.description,
        event_types=_unique(data.event_types),
        secret=secret,
        enabled=True,
        consecutive_failures=0,
    )
    session.add(endpoint)
    await session.flush()
    return endpoint, secret


async def get_endpoint(
    session: AsyncSession, *, principal: Principal, endpoint_id: UUID, lock: bool = False
) -> WebhookEndpoint:
    found = await repository.endpoint(
        session, organization_id=principal.organization_id, endpoint_id=endpoint_id, lock=lock
    )
    if found is None:
        raise WebhookNotFound()
    return found


async def list_endpoints(session: AsyncSession, *, principal: Principal) -> list[WebhookEndpoint]:
    return await repository.endpoints(session, organization_id=principal.organization_id)


async def update_endpoint(
    session: AsyncSession,
    *,
    principal: Principal,
    endpoint_id: UUID,
    data: schemas.EndpointUpdate,
    allow_private: bool,
) -> WebhookEndpoint:
    endpoint = await get_endpoint(session, principal=principal, endpoint_id=endpoint_id, lock=True)
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    if "url" in changes:
        _check_url(changes["url"], allow_private)
        endpoint.url = changes["url"]
    if "event_types" in changes:
        endpoint.event_types = _unique(changes["event_types"])
    if "description" in changes:
        endpoint.description = changes["description"]
    if changes.get("enabled") is True and not endpoint.enabled:
        endpoint.enabled, endpoint.disabled_at, endpoint.disabled_reason = True, None, None
        endpoint.consecutive_failures = 0
    elif changes.get("enabled") is False and endpoint.enabled:
        endpoint.enabled, endpoint.disabled_at, endpoint.disabled_reason = False, utcnow(), "turned off by its owner"
    return endpoint


async def delete_endpoint(session: AsyncSession, *, principal: Principal, endpoint_id: UUID) -> None:
    endpoint = await get_endpoint(session, principal=principal, endpoint_id=endpoint_id, lock=True)
    await session.delete(endpoint)


async def rotate_secret(
    session: AsyncSession, *, principal: Principal, endpoint_id: UUID, now: datetime
) -> tuple[str, datetime]:
    endpoint = await get_endpoint(session, principal=principal, endpoint_id=endpoint_id, lock=True)
    until = now + ROTATION_OVERLAP
    endpoint.previous_secret, endpoint.previous_secret_expires_at = endpoint.secret, until
    endpoint.secret = new_secret()
    return endpoint.secret, until


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The current secret, and the previous one while its overlap lasts."""
    keys = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > now:
        keys.append(endpoint.previous_secret)
    return keys


def _check_url(url: str, allow_private: bool) -> None:
    problem = url_problem(url, allow_private=allow_private)
    if problem is not None:
        raise FieldInvalid("url", problem)


def _unique(patterns: list[str]) -> list[str]:
    return list(dict.fromkeys(patterns))


# -- deliveries


async def enqueue(session: AsyncSession, event: Event, *, now: datetime, retry_window: timedelta) -> int:
    """The relay's handler: one pending delivery per enabled endpoint that wants this event (none twice): the
    organization's own endpoints, and for an order's events the endpoints of the carrier it is given to."""
    if event.type.startswith(PRIVATE_EVENTS):
        return 0
    endpoints = await repository.enabled_endpoints(session, organization_id=event.organization_id)
    if event.subject_type == "order" and event.type.startswith("order."):
        carrier_id = await carriers.carrier_of(session, order_id=event.subject_id)
        if carrier_id is not None and carrier_id != event.organization_id:
            endpoints += await repository.enabled_endpoints(session, organization_id=carrier_id)
    queued = 0
    for endpoint in endpoints:
        if not matches(endpoint.event_types, event.type):
            continue
        if await repository.delivery_exists(session, endpoint_id=endpoint.id, event_id=event.id):
            continue  # a second relay saw it too (the unique constraint is the backstop)
        session.add(_delivery(endpoint, event.id, event.type, envelope(event), now, retry_window))
        queued += 1
    return queued


def _delivery(
    endpoint: WebhookEndpoint,
    event_id: UUID,
    event_type: str,
    body: dict[str, Any],
    now: datetime,
    retry_window: timedelta,
) -> WebhookDelivery:
    return WebhookDelivery(
        organization_id=endpoint.organization_id,
        endpoint_id=endpoint.id,
        event_id=event_id,
        event_type=event_type,
        body=body,
        status=DeliveryStatus.pending,
        attempts=0,
        next_attempt_at=now,
        give_up_at=now + retry_window,
    )


async def ping(
    session: AsyncSession, *, principal: Principal, endpoint_id: UUID, now: datetime, retry_window: timedelta
) -> WebhookDelivery:
    """A `webhook.ping` to this endpoint alone, to check the receiver and its signature check."""
    endpoint = await get_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    event_id = uuid7()
    body = {
        "id": str(event_id),
        "type": "webhook.ping",
        "occurred_at": now.isoformat(),
        "organization_id": str(endpoint.organization_id),
        "subject": {"type": "webhook_endpoint", "id": str(endpoint.id)},
        "data": {"message": "Doorstep can reach this endpoint"},
    }
    delivery = _delivery(endpoint, event_id, "webhook.ping", body, now, retry_window)
    session.add(delivery)
    await session.flush()
    return delivery


async def list_deliveries(
    session: AsyncSession,
    *,
    principal: Principal,
    endpoint_id: UUID,
    statuses: list[DeliveryStatus],
    limit: int,
    offset: int,
) -> tuple[list[WebhookDelivery], int]:
    await get_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    return await repository.deliveries(
        session,
        organization_id=principal.organization_id,
        endpoint_id=endpoint_id,
        statuses=statuses,
        limit=limit,
        offset=offset,
    )


async def redeliver(
    session: AsyncSession,
    *,
    principal: Principal,
    endpoint_id: UUID,
    delivery_id: UUID,
    now: datetime,
    retry_window: timedelta,
) -> WebhookDelivery:
    """Send a delivery again now (whatever became of it), with a fresh retry window; the body and event id are
    the same, so a receiver that already has it drops it."""
    delivery = await repository.delivery(session, organization_id=principal.organization_id, delivery_id=delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint_id:
        raise DeliveryNotFound()
    delivery.status = DeliveryStatus.pending
    delivery.next_attempt_at = now
    delivery.give_up_at = now + retry_window
    return delivery


def succeeded(delivery: WebhookDelivery, endpoint: WebhookEndpoint | None, *, status_code: int, now: datetime) -> None:
    delivery.status = DeliveryStatus.succeeded
    delivery.last_status_code, delivery.last_error = status_code, None
    delivery.delivered_at, delivery.next_attempt_at = now, None
    if endpoint is not None:
        endpoint.consecutive_failures = 0
        endpoint.last_success_at = now


def failed(
    session: AsyncSession,
    delivery: WebhookDelivery,
    endpoint: WebhookEndpoint | None,
    *,
    status_code: int | None,
    error: str,
    now: datetime,
) -> None:
    """A failed attempt: retried with backoff until the window ends; a 410 (the receiver says it is gone) or the
    end of the window disables the endpoint, and its owner is told."""
    delivery.last_status_code, delivery.last_error = status_code, error[:500]
    if endpoint is not None:
        endpoint.consecutive_failures += 1
    retry_at = now + timedelta(seconds=backoff_s(delivery.attempts))
    if status_code == 410:
        _give_up(delivery)
        _disable(session, endpoint, now, "the receiver answered 410 Gone")
    elif endpoint is None or not endpoint.enabled:
        _give_up(delivery)
    elif retry_at > delivery.give_up_at:
        _give_up(delivery)
        _disable(session, endpoint, now, f"deliveries kept failing until the retry window ended (last: {error[:200]})")
    else:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.pending, retry_at


def _give_up(delivery: WebhookDelivery) -> None:
    delivery.status, delivery.next_attempt_at = DeliveryStatus.failed, None


def _disable(session: AsyncSession, endpoint: WebhookEndpoint | None, now: datetime, reason: str) -> None:
    if endpoint is None or not endpoint.enabled:
        return
    endpoint.enabled, endpoint.disabled_at, endpoint.disabled_reason = False, now, reason
    events.record(
        session,
        organization_id=endpoint.organization_id,
        type="webhook.endpoint_disabled",
        subject_type="webhook_endpoint",
        subject_id=endpoint.id,
        actor="system:webhooks",
        payload={"url": endpoint.url, "reason": reason},
    )
