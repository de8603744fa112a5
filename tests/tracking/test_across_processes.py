"""Two app processes sharing PostgreSQL and Redis: a position a driver sends to one reaches a customer whose
tracking page is connected to the other, and the dispatch map of either sees every driver."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from backend.accounts.models import Role
from backend.app import create_app
from backend.kit.clock import utcnow
from tests.factories import sign_in
from tests.tracking.conftest import DEPOT, Day, drive


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
