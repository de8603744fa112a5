"""Appending domain events: every state change records one in the same transaction (the outbox)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from backend.events import repository
from backend.events.models import Event
from backend.kit.clock import utcnow


def record(
    session: AsyncSession,
    *,
    organization_id: UUID,
    type: str,
    subject_type: str,
    subject_id: UUID,
    actor: str,
    payload: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Event:
    now = utcnow()
    event = Event(
        organization_id=organization_id,
        type=type,
        subject_type=subject_type,
        subject_id=subject_id,
        payload=payload or {},
        actor=actor,
        occurred_at=occurred_at or now,
        recorded_at=now,
        idempotency_key=idempotency_key,
    )
    session.add(event)
    return event


def to_message(event: Event) -> dict[str, Any]:
    """The websocket frame for an event: {"type", "seq", "data"} as ARCHITECTURE.md describes."""
    return {
        "type": "event",
        "seq": str(event.id),
        "data": {
            "id": str(event.id),
            "type": event.type,
            "subject_type": event.subject_type,
            "subject_id": str(event.subject_id),
            "payload": event.payload,
            "actor": event.actor,
            "occurred_at": event.occurred_at.isoformat(),
        },
    }


async def find_by_idempotency_key(session: AsyncSession, *, organization_id: UUID, key: str) -> Event | None:
    return await repository.find_by_idempotency_key(session, organization_id=organization_id, key=key)


async def list_events(
    session: AsyncSession, *, organization_id: UUID, type_prefix: str | None, limit: int, offset: int
) -> tuple[list[Event], int]:
    return await repository.list_events(
        session, organization_id=organization_id, type_prefix=type_prefix, limit=limit, offset=offset
    )
