"""How long command ids are remembered (kit/retention.py runs this hourly): a phone offline longer than
DOORSTEP_SYNC_KEY_RETENTION_DAYS would have its replay applied again, so keep it generous."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend.kit.retention import delete_older
from backend.sync.models import SyncCommand


async def purge_commands(session: AsyncSession, before: datetime, limit: int) -> int:
    return await delete_older(session, SyncCommand.recorded_at, before, limit)
