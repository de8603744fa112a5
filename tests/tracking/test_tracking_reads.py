"""A burst of tracking pages opening never holds more than TRACKING_READS_AT_ONCE of the database connections:
the others wait their turn, and every page still gets its snapshot. Without the limit, 5,000 pages opening beside
500 drivers took all of SQLite's 15 pooled connections and the drivers' ETA passes failed after 30 s."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest

from backend.tracking import service
from backend.tracking.live import TRACKING_READS_AT_ONCE
from tests.tracking.conftest import Day

PAGES = TRACKING_READS_AT_ONCE * 3
READ_S = 0.3  # each snapshot read made this slow, so that the pages' reads overlap


@pytest.fixture
def slow_views(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    seen = {"now": 0, "most": 0, "reads": 0}
    view = service.tracking_view

    async def slow(*args: Any, **kwargs: Any) -> Any:
        seen["now"] += 1
        seen["most"] = max(seen["most"], seen["now"])
        try:
            await asyncio.sleep(READ_S)
            return await view(*args, **kwargs)
        finally:
            seen["now"] -= 1
            seen["reads"] += 1

    monkeypatch.setattr(service, "tracking_view", slow)
    return seen


def test_pages_opening_together_read_a_few_at_a_time_and_all_get_their_snapshot(
    day: Day, slow_views: dict[str, int]
) -> None:
    client = day.driver.client
    with contextlib.ExitStack() as stack:
        # each connect returns once the page is accepted; the snapshot reads then run side by side
        pages = [stack.enter_context(client.websocket_connect(f"/ws/track/{day.token(i % 3)}")) for i in range(PAGES)]
        for page in pages:
            snapshot = page.receive_json(timeout=10)
            assert snapshot["type"] == "snapshot"
            assert snapshot["data"]["status"]
    assert slow_views["reads"] == PAGES
    assert 2 <= slow_views["most"] <= TRACKING_READS_AT_ONCE, slow_views
