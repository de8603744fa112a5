"""The demo's own webhook receiver (`doorstep demo` starts `doorstep receive-webhooks` and registers it for the
demo organization): an order's status change and a ping reach it signed, and it verifies both."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import Server
from tests.e2e.test_dispatch import ADDRESSES, api_session, create

pytestmark = pytest.mark.e2e


def test_the_demo_receiver_gets_signed_events_and_verifies_them(server: Server) -> None:
    if server.env is None:
        pytest.skip("the receiver's log is in the instance dir of a server this test started")
    log = Path(server.env["DOORSTEP_INSTANCE_DIR"]) / "webhooks-received.log"
    admin = api_session(server.url, "admin@demo.doorstep.dev", "doorstep-demo")
    endpoints = admin.get("/api/webhooks").json()
    demo = [e for e in endpoints if e["description"].startswith("Demo receiver")]
    assert len(demo) == 1 and demo[0]["enabled"], endpoints
    assert admin.post(f"/api/webhooks/{demo[0]['id']}/ping").status_code == 202
    # an order for next week (no live plan to disturb), cancelled at once
    day = datetime.now(UTC) + timedelta(days=7)
    order = create(
        admin,
        "/api/orders",
        {
            "recipient_name": "Webhook Watcher",
            "window_start_at": day.replace(hour=8).isoformat(),
            "window_end_at": day.replace(hour=10).isoformat(),
            **ADDRESSES["stops"][3],
        },
    )
    cancelled = admin.post(f"/api/orders/{order['id']}/transitions", json={"to": "cancelled", "reason": "test"})
    assert cancelled.status_code == 200, cancelled.text
    wanted = ["verified webhook.ping", f"verified order.status_changed order {order['id']} created -> cancelled"]
    deadline = time.monotonic() + 20
    text = ""
    while time.monotonic() < deadline:
        text = log.read_text() if log.exists() else ""
        if all(w in text for w in wanted):
            break
        time.sleep(0.25)
    assert all(w in text for w in wanted), f"the receiver's log:\n{text}"
    assert "refused" not in text
    deliveries = admin.get(f"/api/webhooks/{demo[0]['id']}/deliveries").json()["items"]
    assert {d["event_type"] for d in deliveries} >= {"webhook.ping", "order.status_changed"}
    assert all(d["status"] == "succeeded" for d in deliveries if d["body"]["subject"]["id"] == order["id"])
