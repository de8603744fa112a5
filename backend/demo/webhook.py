"""The demo's webhook endpoint: the reference receiver (`doorstep receive-webhooks`) on a free local port,
registered for the demo organization's order, pickup and return events, with its secret in the instance dir."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.models import Organization
from backend.accounts.principal import Principal
from backend.demo.seed import ORGANIZATION_NAME
from backend.integrations import schemas
from backend.integrations import service as webhooks

DESCRIPTION = "Demo receiver (doorstep receive-webhooks)"
EVENT_TYPES = ["order.status_changed", "pickup.*", "return.*", "proof.conflict", "webhook.ping"]


async def ensure_demo_webhook(session: AsyncSession, *, url: str, secret_file: Path) -> bool:
    """Point the demo organization's demo endpoint at `url` (registering it the first time) and keep its secret
    in `secret_file` (0600); returns False when there is no demo organization."""
    organization_id = await session.scalar(select(Organization.id).where(Organization.name == ORGANIZATION_NAME))
    if organization_id is None:
        return False
    principal = Principal.system(organization_id)
    existing = next(
        (e for e in await webhooks.list_endpoints(session, principal=principal) if e.description == DESCRIPTION), None
    )
    if existing is None:
        _, secret = await webhooks.create_endpoint(
            session,
            principal=principal,
            data=schemas.EndpointCreate(url=url, event_types=EVENT_TYPES, description=DESCRIPTION),
            allow_private=True,
        )
    else:
        existing.url, existing.enabled, existing.disabled_at, existing.disabled_reason = url, True, None, None
        existing.consecutive_failures = 0
        secret = existing.secret
    secret_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secret + "\n")
    return True
