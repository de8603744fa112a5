"""The dispatch map's live positions: one "positions" frame per organization every ORG_POSITION_EVERY_S, with each
driver's newest point since the last one, instead of a frame per driver."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from backend.accounts.models import Role
from backend.kit.clock import utcnow
from backend.tracking.live import ORG_POSITION_EVERY_S
from tests.factories import sign_in
from tests.tracking.conftest import DEPOT, Day, point


def test_the_dispatch_map_gets_each_drivers_newest_point_in_one_frame(day: Day) -> None:
    client = day.driver.client
    sign_in(client, day.tenant.users[Role.dispatcher])
    with client.websocket_connect("/ws/dispatch") as dispatch:
        assert dispatch.receive_json(timeout=5)["type"] == "ready"
        driver = sign_in(client, day.tenant.users[Role.driver])  # the socket keeps the dispatcher's session
        start = utcnow() - timedelta(seconds=20)
        sent: list[dict[str, Any]] = []
        for i in range(3):  # three fixes within one period: the map needs only the newest
            sent.append(point(DEPOT[0] + i * 0.0002, DEPOT[1], start + timedelta(seconds=i)))
            answer = driver.post("/api/positions", json={"points": [sent[-1]]})
            assert answer.status_code == 200 and answer.json()["accepted"] == 1, answer.text
        frames: list[dict[str, Any]] = []
        while not any(p["lat"] == sent[-1]["lat"] for f in frames for p in f["data"]["positions"]):
            frame = dispatch.receive_json(timeout=ORG_POSITION_EVERY_S + 3)
            assert frame["type"] != "position", "one frame per driver again"
            if frame["type"] == "positions":
                frames.append(frame)
    driver_id = str(day.tenant.users[Role.driver].id)
    for frame in frames:
        assert [p["driver_id"] for p in frame["data"]["positions"]] == [driver_id]  # once per frame
        assert isinstance(frame["seq"], int)
    newest = frames[-1]["data"]["positions"][0]
    assert newest["route_id"] == day.route["id"]
    assert newest["at"] == sent[-1]["at"]
