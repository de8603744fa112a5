"""What a due notification row becomes when its time comes: claimed by a sender, checked once more (still true,
not stale, outside quiet hours, a channel to send on), then sent, retried after a backoff, or failed for good.
Nothing here commits or touches the network: the sender does both."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from backend.notifications import repository
from backend.notifications.channels import Outgoing, PushTarget, SendFailed
from backend.notifications.models import ChannelName, Notification, NotificationStatus
from backend.notifications.rules import (
    MAX_ATTEMPTS,
    TIME_SENSITIVE,
    TIME_SENSITIVE_TTL,
    backoff,
    quiet_until,
    still_true,
)
from backend.notifications.service import available_channels, effective_settings, local_time, orders_by_id
from backend.settings import Settings


async def claim_due(
    session: AsyncSession, *, now: datetime, lease_until: datetime, limit: int, skip_locked: bool
) -> list[UUID]:
    return await repository.claim_due(session, now=now, lease_until=lease_until, limit=limit, skip_locked=skip_locked)


@dataclass(frozen=True)
class Prepared:
    notification_id: UUID
    channel: ChannelName
    outgoing: Outgoing


async def prepare_send(
    session: AsyncSession, *, settings: Settings, notification_id: UUID, now: datetime
) -> Prepared | NotificationStatus | None:
    """A claimed row, checked once more at its time: still true, not stale, outside quiet hours, a channel to
    send on. Returns what to send, or the status the row took instead (None: it is no longer ours)."""
    row = await repository.get_notification(session, notification_id=notification_id, for_update=True)
    if row is None or row.status != NotificationStatus.sending:
        return None
    order = (await orders_by_id(session, organization_id=row.organization_id, order_ids=[row.order_id])).get(
        row.order_id
    )
    if order is None:
        return _close(row, NotificationStatus.skipped, "the order is gone", now)
    if row.rule in TIME_SENSITIVE and now - row.created_at > TIME_SENSITIVE_TTL:
        return _close(row, NotificationStatus.skipped, "too late to be useful", now)
    if not still_true(row.rule, order.status.value):
        return _close(row, NotificationStatus.skipped, f"the order is {order.status.value} now", now)
    effective = await effective_settings(session, organization_id=row.organization_id, settings=settings)
    if row.channel not in effective.rules.get(row.rule, frozenset()):
        return _close(row, NotificationStatus.skipped, f"{row.rule.value} by {row.channel.value} was turned off", now)
    until = quiet_until(now, effective.timezone, effective.quiet_start, effective.quiet_end)
    if until is not None and row.rule in TIME_SENSITIVE:
        return _close(row, NotificationStatus.skipped, "quiet hours", now)
    if until is not None:
        row.status = NotificationStatus.queued
        row.next_attempt_at = until
        row.last_error = f"quiet hours: held until {local_time(until, effective.timezone)}"
        row.updated_at = now
        return NotificationStatus.queued
    # outbox mode keeps e-mails and texts to the (often made-up) addresses of development data; a push
    # subscription is a browser someone opted in with on this very server (the demo's tracking page), so it is told
    if settings.notify_delivery == "outbox" and row.channel is not ChannelName.push:
        row.sent_at = now
        return _close(row, NotificationStatus.outboxed, None, now)
    if row.channel not in available_channels(settings):
        return _close(row, NotificationStatus.failed, f"no {row.channel.value} channel is configured", now)
    push: PushTarget | None = None
    if row.channel is ChannelName.push:
        subscription = (
            await repository.get_push_subscription(session, subscription_id=row.push_subscription_id)
            if row.push_subscription_id
            else None
        )
        if subscription is None:
            return _close(row, NotificationStatus.failed, "the push subscription was removed", now)
        push = PushTarget(endpoint=subscription.endpoint, p256dh=subscription.p256dh, auth=subscription.auth)
    row.attempts += 1  # counted before the send: a sender that dies mid-send has used an attempt
    row.updated_at = now
    outgoing = Outgoing(
        recipient=row.recipient,
        sender_name=effective.sender_name,
        subject=row.subject,
        text=row.body_text,
        html=row.body_html,
        link=row.link,
        push=push,
    )
    return Prepared(notification_id=row.id, channel=row.channel, outgoing=outgoing)


def _close(row: Notification, status: NotificationStatus, reason: str | None, now: datetime) -> NotificationStatus:
    row.status = status
    row.last_error = reason
    row.updated_at = now
    return status


async def record_result(
    session: AsyncSession,
    *,
    notification_id: UUID,
    error: SendFailed | None,
    now: datetime,
    rng: random.Random | None = None,
) -> NotificationStatus | None:
    """Sent; or failed with the reason: tried again after a backoff while attempts remain and the failure may
    pass, else `failed` for good. A push subscription the push service calls gone is deleted."""
    row = await repository.get_notification(session, notification_id=notification_id, for_update=True)
    if row is None or row.status != NotificationStatus.sending:
        return None
    if error is None:
        row.sent_at = now
        return _close(row, NotificationStatus.sent, None, now)
    if error.gone and row.push_subscription_id is not None:
        await repository.delete_push_subscription(session, subscription_id=row.push_subscription_id)
        row.push_subscription_id = None
    if error.retry and not error.gone and row.attempts < MAX_ATTEMPTS:
        row.status = NotificationStatus.queued
        row.next_attempt_at = now + backoff(row.attempts, rng)
        row.last_error = error.reason
        row.updated_at = now
        return NotificationStatus.queued
    return _close(row, NotificationStatus.failed, error.reason, now)
