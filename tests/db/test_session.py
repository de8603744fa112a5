"""The unit of work (backend/db/session.py): what a transaction asks to run after its commit runs once it has
committed (its rows visible to another connection, its lock released), and never when it rolls back."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from backend.accounts.models import Organization, OrganizationKind
from backend.db.engine import create_engine, create_session_factory
from backend.db.session import after_commit, transaction
from backend.kit.problems import Conflict
from backend.settings import Settings


async def _organizations(factory: Any, name: str) -> int:
    async with factory() as session:
        return int(await session.scalar(select(func.count()).where(Organization.name == name)) or 0)


async def test_after_commit_runs_once_the_rows_are_committed_and_never_after_a_rollback(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    factory = create_session_factory(engine)
    name = f"after-commit-{uuid.uuid4().hex[:8]}"
    seen: list[tuple[str, int]] = []
    pending: list[Any] = []
    try:
        async with transaction(factory) as session:
            session.add(Organization(name=name, kind=OrganizationKind.shipper))
            await session.flush()
            after_commit(session, lambda: pending.append("first"))
            after_commit(session, lambda: 1 / 0)  # a failing follow-up is logged; the others still run
            after_commit(session, lambda: pending.append("second"))
            assert pending == []  # not while the transaction is open
        assert pending == ["first", "second"]  # in the order asked, once
        seen.append(("committed", await _organizations(factory, name)))

        with pytest.raises(RuntimeError):
            async with transaction(factory) as session:
                session.add(Organization(name=name + "-gone", kind=OrganizationKind.shipper))
                await session.flush()
                after_commit(session, lambda: pending.append("rolled back"))
                raise RuntimeError("the block failed")
        with pytest.raises(Conflict):
            async with transaction(factory) as session:
                after_commit(session, lambda: pending.append("conflict"))
                taken = await session.scalar(select(Organization.id).where(Organization.name == name))
                await session.execute(insert(Organization).values(id=taken, name=name, kind=OrganizationKind.shipper))
        assert pending == ["first", "second"]
        seen.append(("rolled back", await _organizations(factory, name + "-gone")))
    finally:
        await engine.dispose()
    assert seen == [("committed", 1), ("rolled back", 0)]
