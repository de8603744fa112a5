"""HTTP surface of offline sync: `POST /api/sync`, a batch of the driver app's queued commands."""

from __future__ import annotations

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.auth import STAFF, requires
from backend.accounts.models import Role
from backend.accounts.principal import Principal
from backend.kit.clock import utcnow
from backend.sync import schemas, service


class SyncController(Controller):
    path = "/api/sync"
    tags = ["sync"]
    guards = [requires(Role.driver, *STAFF)]

    @post(
        "",
        operation_id="sync_commands",
        status_code=HTTP_200_OK,
        summary="Apply the driver app's queued commands, each at most once (its id is the idempotency key)",
        description=(
            "Answers 200 with one result per command, in request order: applied, duplicate (already done: drop "
            "it), rejected (never will apply: reason and a message for the driver; any proof is kept for the "
            "dispatcher) or retry (media_missing: upload the media, then resend the same command). Commands "
            "are applied in occurred_at order. Media first: PUT /api/media/{sha256}."
        ),
    )
    async def sync(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        data: JSONBody[schemas.SyncRequest],
    ) -> schemas.SyncResponse:
        results = await service.apply_batch(db_session, principal=principal, batch=data.commands)
        return schemas.SyncResponse(results=results, server_time=utcnow())
