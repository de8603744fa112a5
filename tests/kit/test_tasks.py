"""Background loops stop between passes (kit/tasks.py): a pass under way finishes; one that will not end is
cancelled after the grace period; and a position write under way at shutdown leaves SQLite writable, where a
cancellation in the middle of its query used to leave the write lock held (the next writer failed after 30 s)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from sqlalchemy import text

from backend.accounts.models import Role
from backend.db.engine import create_engine
from backend.db.session import SESSION_FACTORY_KEY
from backend.kit.tasks import stop_between_passes
from tests.factories import make_tenant, position_rows


async def test_a_pass_under_way_finishes_before_the_loop_ends() -> None:
    stopping = asyncio.Event()
    passes: list[str] = []

    async def loop() -> None:
        while not stopping.is_set():
            passes.append("started")
            await asyncio.sleep(0.2)  # the pass: a transaction, say
            passes.append("finished")

    task = asyncio.create_task(loop())
    await asyncio.sleep(0.05)
    await stop_between_passes(task, wake=stopping.set, grace_s=5)
    assert passes == ["started", "finished"]
    assert task.done() and not task.cancelled()


async def test_a_loop_that_does_not_end_is_cancelled_after_the_grace_period() -> None:
    async def stubborn() -> None:
        while True:
            await asyncio.sleep(0.01)

    task = asyncio.create_task(stubborn())
    started = time.perf_counter()
    await stop_between_passes(task, grace_s=0.2)
    assert task.cancelled()
    assert time.perf_counter() - started < 5


SLOW_QUERY = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) SELECT count(*) FROM c"


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
def test_stopping_the_position_writer_mid_query_leaves_the_database_writable(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend.tracking import ingest, repository

    tenant = make_tenant(client)
    real_insert = repository.insert_positions

    async def insert_then_a_slow_query(session: Any, rows: list[dict[str, Any]]) -> None:
        await real_insert(session, rows)  # the transaction now holds SQLite's write lock
        await session.execute(text(SLOW_QUERY))  # stop() arrives while this query runs

    monkeypatch.setattr(repository, "insert_positions", insert_then_a_slow_query)
    factory = client.app.state[SESSION_FACTORY_KEY]
    writer = ingest.PositionWriter(factory)
    rows = position_rows(tenant.organization.id, tenant.users[Role.driver].id, ingest.FLUSH_AT_POINTS)

    stored: list[int] = []

    async def run() -> float:
        writer.start()
        writer.add(rows)  # a full batch: the loop writes at once
        await asyncio.sleep(0.3)
        await writer.stop()
        other = create_engine(client.app.state["settings"].database_url)  # another connection writes next
        started = time.perf_counter()
        try:
            async with other.begin() as conn:
                await conn.execute(text("UPDATE organizations SET name = name"))
            async with other.connect() as conn:
                stored.append(int((await conn.execute(text("SELECT count(*) FROM positions"))).scalar_one()))
        finally:
            await other.dispose()
        return time.perf_counter() - started

    waited = client.blocking_portal.call(run)
    assert waited < 5, f"the next writer waited {waited:.1f} s for a lock left behind"
    assert stored == [len(rows)]  # each point once: not lost, not written again by a reused connection
