"""A published day for sync tests: the route not yet started (the phone starts it through a command)."""

from __future__ import annotations

from typing import Any

import pytest

from backend.accounts.models import Role
from backend.kit.clock import utcnow
from tests.factories import Api, sign_in
from tests.tracking.conftest import Day, plan_day


@pytest.fixture
def day(client: Any) -> Day:
    client.app.state["replanner"].clock = utcnow
    day = plan_day(client, start=False)
    # the dispatcher by API key (it wins over the cookie), so the driver's session stays signed in
    admin = sign_in(client, day.tenant.users[Role.admin])
    key = admin.post("/api/api-keys", json={"name": "dispatch", "role": "dispatcher"})
    assert key.status_code == 201, key.text
    day.dispatcher = Api(client, headers={"X-API-Key": key.json()["key"]})
    day.driver = sign_in(client, day.tenant.users[Role.driver])
    return day
