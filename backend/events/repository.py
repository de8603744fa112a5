"""All SQL of the events domain (the relay keeps its own batch query beside its locking rules)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.events.models import Event


async def find_by_idempotency_key(session: AsyncSession, *, organization_id: UUID, key: str) -> Event | None:
    return await session.scalar(
        select(Event).where(Event.organization_id == organization_id, Event.idempotency_key == key)
    )


async def list_events(
    session: AsyncSession, *, organization_id: UUID, type_prefix: str | None, limit: int, offset: int
) -> tuple[list[Event], int]:
    where: list[Any] = [Event.organization_id == organization_id]
    if type_prefix:
        where.append(Event.type.startswith(type_prefix, autoescape=True))
    total = await session.scalar(select(func.count()).select_from(Event).where(*where)) or 0
    rows = await session.scalars(select(Event).where(*where).order_by(Event.id.desc()).limit(limit).offset(offset))
    return list(rows), total
