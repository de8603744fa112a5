"""All SQL of the notifications domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from backend.events.models import Event
from backend.kit.retention import delete_older
from backend.notifications.models import (
    Notification,
    NotificationSettings,
    NotificationStatus,
    NotifiedEta,
    PushSubscription,
    Rule,
)
from backend.orders.models import Order

DUE = (NotificationStatus.queued, NotificationStatus.sending)


async def get_settings(session: AsyncSession, *, organization_id: UUID) -> NotificationSettings | None:
    return await session.scalar(
        select(NotificationSettings).where(NotificationSettings.organization_id == organization_id)
    )


async def insert_notifications(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    """Insert what is new; a row whose (dedupe_key, rule, channel, recipient) exists is left out, so a replayed
    event or a second relay adds nothing. Returns how many went in."""
    if not rows:
        return 0
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    inserted = 0
    for row in rows:  # one statement each: a handful per event, and rowcount stays exact on both databases
        result: Any = await session.execute(dialect.insert(Notification).values(**row).on_conflict_do_nothing())
        inserted += max(0, result.rowcount or 0)
    return inserted


async def seen(session: AsyncSession, *, dedupe_key: str, rule: Rule) -> bool:
    found = await session.scalar(
        select(Notification.id).where(Notification.dedupe_key == dedupe_key, Notification.rule == rule).limit(1)
    )
    return found is not None


async def list_notifications(
    session: AsyncSession,
    *,
    organization_id: UUID,
    order_id: UUID | None,
    status: NotificationStatus | None,
    limit: int,
    offset: int,
) -> tuple[list[Notification], int]:
    where: list[Any] = [Notification.organization_id == organization_id]
    if order_id is not None:
        where.append(Notification.order_id == order_id)
    if status is not None:
        where.append(Notification.status == status)
    total = await session.scalar(select(func.count()).select_from(Notification).where(*where)) or 0
    rows = await session.scalars(
        select(Notification).where(*where).order_by(Notification.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), total


async def get_notification(
    session: AsyncSession, *, notification_id: UUID, organization_id: UUID | None = None, for_update: bool = False
) -> Notification | None:
    query = select(Notification).where(Notification.id == notification_id)
    if organization_id is not None:
        query = query.where(Notification.organization_id == organization_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query.execution_options(populate_existing=True))


async def claim_due(
    session: AsyncSession, *, now: datetime, lease_until: datetime, limit: int, skip_locked: bool
) -> list[UUID]:
    """Take up to `limit` due rows for this sender: they turn `sending` until `lease_until` (a sender that dies
    mid-send leaves them to be taken again then). The UPDATE re-checks the due condition, so two senders
    never both take a row, SKIP LOCKED or not (SQLite)."""
    due = or_(Notification.status == NotificationStatus.queued, Notification.status == NotificationStatus.sending)
    query = (
        select(Notification.id)
        .where(due, Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at)
        .limit(limit)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    candidates = list(await session.scalars(query))
    if not candidates:
        return []
    result = await session.execute(
        update(Notification)
        .where(Notification.id.in_(candidates), due, Notification.next_attempt_at <= now)
        .values(status=NotificationStatus.sending, next_attempt_at=lease_until, updated_at=now)
        .returning(Notification.id)
    )
    return list(result.scalars())


async def push_subscriptions_of(session: AsyncSession, *, order_id: UUID) -> list[PushSubscription]:
    return list(
        await session.scalars(
            select(PushSubscription).where(PushSubscription.order_id == order_id).order_by(PushSubscription.id)
        )
    )


async def get_push_subscription(session: AsyncSession, *, subscription_id: UUID) -> PushSubscription | None:
    return await session.get(PushSubscription, subscription_id)


async def delete_push_subscription(session: AsyncSession, *, subscription_id: UUID) -> None:
    await session.execute(delete(PushSubscription).where(PushSubscription.id == subscription_id))


async def count_push_subscriptions(session: AsyncSession, *, order_id: UUID) -> int:
    return (
        await session.scalar(
            select(func.count()).select_from(PushSubscription).where(PushSubscription.order_id == order_id)
        )
        or 0
    )


async def notified_etas(session: AsyncSession, *, order_ids: list[UUID]) -> dict[UUID, NotifiedEta]:
    if not order_ids:
        return {}
    rows = await session.scalars(select(NotifiedEta).where(NotifiedEta.order_id.in_(order_ids)))
    return {row.order_id: row for row in rows}


async def forget_notified_eta(session: AsyncSession, *, order_id: UUID) -> None:
    await session.execute(delete(NotifiedEta).where(NotifiedEta.order_id == order_id))


async def last_departure_event_id(session: AsyncSession, *, organization_id: UUID, order_id: UUID) -> UUID | None:
    """The order's latest `order.status_changed` to out_for_delivery: one trip of the order (a failed delivery
    that goes out again the next day is another), which arriving notices are counted once per."""
    events = await session.scalars(
        select(Event)
        .where(
            Event.organization_id == organization_id,
            Event.subject_id == order_id,
            Event.type == "order.status_changed",
        )
        .order_by(Event.id.desc())
        .limit(50)
    )
    for event in events:
        if event.payload.get("to") == "out_for_delivery":
            return event.id
    return None


async def orders_by_id(session: AsyncSession, *, organization_id: UUID, order_ids: list[UUID]) -> dict[UUID, Order]:
    """The orders notices are about, read as they are now (status, recipient); never changed here."""
    if not order_ids:
        return {}
    rows = await session.scalars(
        select(Order)
        .where(Order.organization_id == organization_id, Order.id.in_(order_ids))
        .execution_options(populate_existing=True)
    )
    return {order.id: order for order in rows}


async def lock_event(session: AsyncSession, *, event_id: UUID) -> None:
    await session.execute(select(Event.id).where(Event.id == event_id).with_for_update())


async def purge_notifications(session: AsyncSession, before: datetime, limit: int) -> int:
    """The log keeps customers' addresses and phone numbers: settled notices older than the retention go."""
    settled = Notification.status.not_in([NotificationStatus.queued, NotificationStatus.sending])
    return await delete_older(session, Notification.created_at, before, limit, settled)


async def purge_push_subscriptions(session: AsyncSession, before: datetime, limit: int) -> int:
    """A browser subscribed to an order this old will not be told anything more about it."""
    return await delete_older(session, PushSubscription.created_at, before, limit)
