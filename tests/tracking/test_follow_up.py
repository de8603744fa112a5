"""A driver's positions never wait for the database work they start: an ETA pass whose write is slow (SQLite's
write lock held by another writer) runs in the driver's follow-up while the socket acks the next frames and their
positions reach the customer; an HTTP backfill still answers only once its ETAs are done."""

from __future__ import annotations

import asyncio
import math
import time
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest

from backend.accounts.models import Role
from backend.accounts.principal import Principal
from backend.kit.clock import utcnow
from backend.tracking import repository
from backend.tracking.live import FOLLOW_UPS_AT_ONCE, DriverState, LiveTracker
from tests.tracking.conftest import DEPOT, Day, drive

SLOW_WRITE_S = 3.0


@pytest.fixture
def slow_eta_writes(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    started: list[float] = []
    write = repository.write_stop_etas

    async def slow(session: Any, etas: Any) -> None:
        started.append(time.monotonic())
        await asyncio.sleep(SLOW_WRITE_S)
        await write(session, etas)

    monkeypatch.setattr(repository, "write_stop_etas", slow)
    return started


def _frame(lat: float, at: Any) -> str:
    return f'{{"type": "position", "lat": {lat}, "lon": {DEPOT[1]}, "at": "{at.isoformat()}", "accuracy": 4}}'


def test_a_slow_eta_write_holds_back_neither_the_next_ack_nor_the_customers_position(
    day: Day, slow_eta_writes: list[float]
) -> None:
    client = day.driver.client
    at = utcnow() - timedelta(seconds=30)
    with (
        client.websocket_connect(f"/ws/track/{day.token(0)}") as customer,
        client.websocket_connect("/ws/driver") as driver,
    ):
        assert customer.receive_json(timeout=5)["type"] == "snapshot"
        assert driver.receive_json(timeout=5)["type"] == "ready"
        driver.send_text(_frame(DEPOT[0], at))  # the first fix: its ETA pass writes the stops' ETAs, slowly
        while driver.receive_json(timeout=5)["type"] != "ack":
            pass
        deadline = time.monotonic() + 5
        while not slow_eta_writes:
            assert time.monotonic() < deadline, "the first fix's ETA pass never wrote"
            time.sleep(0.05)
        sent = time.monotonic()
        driver.send_text(_frame(DEPOT[0] + 0.0001, at + timedelta(seconds=1)))
        while (message := driver.receive_json(timeout=5))["type"] != "ack":
            pass
        acked_s = time.monotonic() - sent
        while (message := customer.receive_json(timeout=5))["type"] != "position" or message["data"][
            "lat"
        ] != pytest.approx(DEPOT[0] + 0.0001):
            pass
        delivered_s = time.monotonic() - sent
    # the next frame was acked and its position reached the customer while the first write was still waiting
    assert sent + delivered_s < slow_eta_writes[0] + SLOW_WRITE_S
    assert acked_s < SLOW_WRITE_S / 2, acked_s
    assert delivered_s < SLOW_WRITE_S / 2, delivered_s


def test_a_backfill_over_http_answers_once_its_etas_are_written(day: Day, slow_eta_writes: list[float]) -> None:
    tracker: LiveTracker = day.driver.client.app.state["tracker"]
    started = time.monotonic()
    drive(day, [DEPOT], utcnow() - timedelta(seconds=10))
    assert slow_eta_writes and time.monotonic() - started >= SLOW_WRITE_S
    state = next(iter(tracker._drivers.values()))
    assert state.follow_task is not None and state.follow_task.done()
    assert state.published  # the ETAs it published were written before the answer


def test_drivers_follow_ups_use_the_database_a_few_at_a_time(day: Day, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many drivers due an ETA pass at once run FOLLOW_UPS_AT_ONCE of them at a time and every one still runs:
    without the limit, 500 drivers' passes held all of SQLite's pooled connections and the rest failed."""
    client = day.driver.client
    tracker: LiveTracker = client.app.state["tracker"]
    drive(day, [DEPOT], utcnow() - timedelta(seconds=5))
    driver = tracker._drivers[day.tenant.users[Role.driver].id]
    drivers = FOLLOW_UPS_AT_ONCE * 3
    seen = {"now": 0, "most": 0, "passes": 0}

    async def slow_pass(state: DriverState) -> None:
        seen["now"] += 1
        seen["most"] = max(seen["most"], seen["now"])
        try:
            await asyncio.sleep(0.2)
        finally:
            seen["now"] -= 1
            seen["passes"] += 1
            state.force_eta = False

    monkeypatch.setattr(tracker, "_update_etas", slow_pass)

    async def due_together() -> None:
        states = [
            DriverState(
                principal=Principal(
                    organization_id=driver.principal.organization_id, role=Role.driver, via="session", user_id=uuid4()
                ),
                route=driver.route,
                stale=False,
                reload_at=math.inf,  # no reload due: only the ETA pass, forced
                force_eta=True,
            )
            for _ in range(drivers)
        ]
        tasks = [tracker._follow_up(state) for state in states]
        await asyncio.gather(*(task for task in tasks if task is not None))

    client.blocking_portal.call(due_together)
    assert seen["passes"] == drivers
    assert 2 <= seen["most"] <= FOLLOW_UPS_AT_ONCE, seen
