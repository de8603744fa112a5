"""HTTP surface of the events domain: the organization's audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.auth import STAFF, requires
from backend.accounts.principal import Principal
from backend.events import service
from backend.kit.pagination import DEFAULT_LIMIT, LimitParam, OffsetParam, Page


class EventView(msgspec.Struct):
    id: UUID
    type: str
    subject_type: str
    subject_id: UUID
    payload: dict[str, Any]
    actor: str
    occurred_at: datetime
    recorded_at: datetime


class EventController(Controller):
    path = "/api/events"
    tags = ["events"]
    guards = [requires(*STAFF)]

    @get("", operation_id="list_events", summary="The organization's audit log, newest first")
    async def list_events(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        limit: LimitParam = DEFAULT_LIMIT,
        offset: OffsetParam = 0,
        type: Annotated[
            str | None, QueryParameter(name="type", max_length=64, description="Type prefix, e.g. order.")
        ] = None,
    ) -> Page[EventView]:
        rows, total = await service.list_events(
            db_session, organization_id=principal.organization_id, type_prefix=type, limit=limit, offset=offset
        )
        items = [
            EventView(
                id=e.id,
                type=e.type,
                subject_type=e.subject_type,
                subject_id=e.subject_id,
                payload=e.payload,
                actor=e.actor,
                occurred_at=e.occurred_at,
                recorded_at=e.recorded_at,
            )
            for e in rows
        ]
        return Page(items=items, total=total, limit=limit, offset=offset)
