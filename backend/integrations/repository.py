"""All SQL of outbound webhooks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.integrations.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from backend.kit.retention import delete_older


async def endpoints(session: AsyncSession, *, organization_id: UUID) -> list[WebhookEndpoint]:
    query = select(WebhookEndpoint).where(WebhookEndpoint.organization_id == organization_id)
    return list(await session.scalars(query.order_by(WebhookEndpoint.created_at)))


async def enabled_endpoints(session: AsyncSession, *, organization_id: UUID) -> list[WebhookEndpoint]:
    query = select(WebhookEndpoint).where(
        WebhookEndpoint.organization_id == organization_id, WebhookEndpoint.enabled.is_(True)
    )
    return list(await session.scalars(query))


async def endpoint(
    session: AsyncSession, *, organization_id: UUID, endpoint_id: UUID, lock: bool = False
) -> WebhookEndpoint | None:
    query = select(WebhookEndpoint).where(
        WebhookEndpoint.id == endpoint_id, WebhookEndpoint.organization_id == organization_id
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(query)


async def delivery_exists(session: AsyncSession, *, endpoint_id: UUID, event_id: UUID) -> bool:
    found = await session.scalar(
        select(WebhookDelivery.id).where(
            WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.event_id == event_id
        )
    )
    return found is not None


async def deliveries(
    session: AsyncSession,
    *,
    organization_id: UUID,
    endpoint_id: UUID,
    statuses: Sequence[DeliveryStatus],
    limit: int,
    offset: int,
) -> tuple[list[WebhookDelivery], int]:
    where = [WebhookDelivery.organization_id == organization_id, WebhookDelivery.endpoint_id == endpoint_id]
    if statuses:
        where.append(WebhookDelivery.status.in_(statuses))
    total = await session.scalar(select(func.count()).select_from(WebhookDelivery).where(*where))
    rows = await session.scalars(
        select(WebhookDelivery).where(*where).order_by(WebhookDelivery.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), int(total or 0)


async def delivery(session: AsyncSession, *, organization_id: UUID, delivery_id: UUID) -> WebhookDelivery | None:
    return await session.scalar(
        select(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.organization_id == organization_id)
        .with_for_update()
    )


async def claim_due(session: AsyncSession, *, now: datetime, limit: int, skip_locked: bool) -> list[WebhookDelivery]:
    """Deliveries whose attempt is due: pending ones, and sending ones whose sender's lease ran out."""
    query = (
        select(WebhookDelivery)
        .where(
            or_(WebhookDelivery.status == DeliveryStatus.pending, WebhookDelivery.status == DeliveryStatus.sending),
            WebhookDelivery.next_attempt_at <= now,
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    )
    # locked: on SQLite that makes the transaction a writer from its first read, so two passes never both claim
    return list(await session.scalars(query.with_for_update(skip_locked=skip_locked)))


async def endpoints_by_id(session: AsyncSession, ids: set[UUID]) -> dict[UUID, WebhookEndpoint]:
    if not ids:
        return {}
    rows = await session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.id.in_(ids)))
    return {e.id: e for e in rows}


async def purge_deliveries(session: AsyncSession, before: datetime, limit: int) -> int:
    """Settled deliveries (with the event bodies they carried) older than the retention go; pending ones stay."""
    settled = WebhookDelivery.status.in_([DeliveryStatus.succeeded, DeliveryStatus.failed])
    return await delete_older(session, WebhookDelivery.created_at, before, limit, settled)
