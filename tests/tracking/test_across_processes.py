"""Two app processes sharing PostgreSQL and Redis: a position a driver sends to one reaches a customer whose
tracking page is connected to the other, and the dispatch map of either sees every driver."""

from __future__ import annotations

import contextlib
import dataclasses
import time
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from backend.accounts.models import Role
from backend.app import create_app
from backend.events.channels import PrunedChannelsPlugin, org_channel
from backend.kit.clock import utcnow
from tests.factories import sign_in
from tests.tracking.conftest import DEPOT, Day, drive, point, settle


# sharing needs Redis: SQLite + memory channels is one process by design
@pytest.mark.parametrize("stack", ["postgres"], indirect=True)
def test_a_position_sent_to_one_process_reaches_a_customer_on_another(stack: Any, day: Day) -> None:
    other_app = create_app(stack.settings)
    with TestClient(app=other_app, base_url="http://testserver.local") as other:
        with other.websocket_connect(f"/ws/track/{day.token(0)}") as customer:
            assert customer.receive_json(timeout=5)["type"] == "snapshot"
            drive(day, [DEPOT], utcnow() - timedelta(seconds=2))
            while (message := customer.receive_json(timeout=5))["type"] != "position":
                pass
            assert message["data"]["lat"] == DEPOT[0]
        # the dispatch map on the other process knows the driver's last position (shared through Redis)
        dispatcher = sign_in(other, day.tenant.users[Role.dispatcher])
        latest = dispatcher.get("/api/positions/latest").json()
        assert [p["driver_id"] for p in latest] == [str(day.tenant.users[Role.driver].id)]


@pytest.mark.parametrize("stack", ["postgres"], indirect=True)
def test_a_stop_closed_through_one_process_moves_the_driver_on_another_at_once(stack: Any, day: Day) -> None:
    """The driver's phone talks to B; the stop is closed through A, whose relay publishes the event (B runs no
    relay). B reloads the route at the driver's next position, not at its half-minute safety-net reload: the
    second customer, connected to B, starts getting the driver's position within seconds."""
    other_app = create_app(dataclasses.replace(stack.settings, run_relay=False))
    with TestClient(app=other_app, base_url="http://testserver.local") as other:
        driver_b = sign_in(other, day.tenant.users[Role.driver])
        at = utcnow() - timedelta(seconds=30)

        def send_point() -> None:
            nonlocal at
            at += timedelta(seconds=1)
            answer = driver_b.post("/api/positions", json={"points": [point(DEPOT[0], DEPOT[1], at)]})
            assert answer.status_code == 200 and answer.json()["accepted"] == 1, answer.text

        with other.websocket_connect(f"/ws/track/{day.token(1)}") as second:
            assert second.receive_json(timeout=5)["type"] == "snapshot"
            send_point()  # B loads the route: the first stop is next, so the second customer sees no position
            # B follows the organization's channel from its first point on: wait until its Redis subscription is up
            channels = other_app.plugins.get(PrunedChannelsPlugin)
            channel = org_channel(day.tenant.organization.id)
            deadline = time.monotonic() + 5
            while channel not in channels._channels:
                assert time.monotonic() < deadline, "B never followed the organization's channel"
                time.sleep(0.05)
            time.sleep(0.3)  # the SUBSCRIBE itself, sent right after the entry is made
            done = day.driver.post(
                f"/api/routes/{day.route['id']}/stops/{day.stops[0]['id']}/complete", json={"outcome": "delivered"}
            )
            assert done.status_code == 200, done.text
            settle(day.driver.client)  # A's relay publishes stop.completed to the organization's channel (Redis)
            deadline = time.monotonic() + 8
            while True:
                send_point()
                frames = []
                with contextlib.suppress(Exception):
                    while True:
                        frames.append(second.receive_json(timeout=0.3))
                if any(f["type"] == "position" for f in frames):
                    break
                assert time.monotonic() < deadline, f"B never reloaded the route; frames: {frames}"
