"""A driver's positions never wait for the database work they start: an ETA pass whose write is slow (SQLite's
write lock held by another writer) runs in the driver's follow-up while the socket acks the next frames and their
positions reach the customer; an HTTP backfill still answers only once its ETAs are done."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import pytest

from backend.kit.clock import utcnow
from backend.tracking import repository
from backend.tracking.live import LiveTracker
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
