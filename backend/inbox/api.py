"""HTTP surface of the inbox: the day's exceptions for dispatchers and administrators, and marking one handled."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.auth import STAFF, requires
from backend.accounts.principal import Principal
from backend.inbox import service
from backend.inbox.schemas import Inbox, InboxItem
from backend.kit.clock import utcnow
from backend.settings import Settings

Day = Annotated[
    date | None,
    QueryParameter(name="date", description="The day, YYYY-MM-DD, in the organization's time zone (default: today)"),
]


def _offline_after(state: State) -> timedelta:
    settings: Settings = state["settings"]
    return timedelta(minutes=settings.driver_offline_after_min)


class InboxController(Controller):
    path = "/api/inbox"
    tags = ["inbox"]
    guards = [requires(*STAFF)]

    @get(
        "",
        operation_id="inbox",
        summary="What needs a person on a day: failed attempts, late stops, drivers offline, refused offline "
        "actions, webhook failures; newest first",
    )
    async def inbox(
        self,
        state: State,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        day: Day = None,
    ) -> Inbox:
        return await service.inbox(
            db_session, principal=principal, day=day, now=utcnow(), offline_after=_offline_after(state)
        )

    @post(
        "/{item_key:str}/acknowledge",
        operation_id="acknowledge_inbox_item",
        status_code=HTTP_200_OK,
        summary="Mark an item handled (it moves to the handled section); doing it again changes nothing",
    )
    async def acknowledge(
        self,
        state: State,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        item_key: FromPath[str],
    ) -> InboxItem:
        return await service.acknowledge(
            db_session, principal=principal, item_key=item_key, now=utcnow(), offline_after=_offline_after(state)
        )
