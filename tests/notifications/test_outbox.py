"""DOORSTEP_NOTIFY_DELIVERY=outbox (the development default): every e-mail and text is rendered and kept in the
delivery log for dispatchers to read, and none leaves the machine; Web Push, which reaches only a browser that
subscribed on this server (the demo's tracking page), is sent."""

from __future__ import annotations

from typing import Any

import pytest

from backend.accounts.models import Role
from backend.notifications.sender import NotificationSender
from backend.settings import Settings
from tests.factories import make_order, make_tenant, sign_in
from tests.notifications.conftest import HttpSink, SmtpServer, browser, log, tick
from tests.notifications.test_channels import _scan, only, token_of
from tests.tracking.conftest import settle


@pytest.fixture
def delivery_mode() -> str:
    return "outbox"


def test_outbox_mode_sends_nothing_and_keeps_every_notice_readable(
    client: Any, sender: NotificationSender, smtp: SmtpServer, sink: HttpSink
) -> None:
    tenant = make_tenant(client)
    desk = sign_in(client, tenant.users[Role.dispatcher])
    settings = desk.get("/api/notifications/settings").json()
    assert settings["delivery"] == "outbox" and settings["channels_available"] == ["email", "push", "sms"]
    order = make_order(desk, recipient_name="Aino Virtanen")
    settle(client)  # the order's notices are queued now; a relay slower than the next request used to add a push
    token = str(order["tracking_url"]).rsplit("/", 1)[1]
    assert client.post(f"/api/track/{token}/push-subscriptions", json=browser(sink).subscription()).status_code == 201
    assert tick(client, sender) == {"outboxed": 2}  # e-mail and SMS (the browser subscribed after the event)
    rows = log(desk, status="outboxed")
    assert {r["channel"] for r in rows} == {"email", "sms"}
    for row in rows:
        assert row["sent_at"] and row["attempts"] == 0 and order["tracking_url"] in row["body_text"]
    email = next(r for r in rows if r["channel"] == "email")
    assert email["subject"].startswith("We have your order") and "Aino Virtanen" in email["body_html"]
    assert smtp.mailbox.messages == [] and sink.requests == []
    assert tick(client, sender) == {}


def test_outbox_mode_still_pushes_to_a_browser_that_subscribed(
    client: Any, sender: NotificationSender, smtp: SmtpServer, sink: HttpSink
) -> None:
    tenant = make_tenant(client)
    desk = sign_in(client, tenant.users[Role.admin])
    only(desk, {"ready_for_pickup": ["push", "email"]})
    store = desk.post(
        "/api/locations",
        json={"kind": "store", "name": "Kamppi store", "address": "Urho Kekkosen katu 1", "lat": 60.169, "lon": 24.93},
    ).json()
    order = make_order(desk, kind="store_pickup", store_id=store["id"], barcodes=["PK-7"])
    phone = browser(sink, "phone")
    assert client.post(f"/api/track/{token_of(order)}/push-subscriptions", json=phone.subscription()).status_code == 201
    _scan(desk, store["id"], "PK-7")
    assert tick(client, sender) == {"sent": 1, "outboxed": 1}
    assert len(sink.to("/push/phone")) == 1 and smtp.mailbox.messages == []
    assert {(r["channel"], r["status"]) for r in log(desk, order_id=order["id"])} == {
        ("push", "sent"),
        ("email", "outboxed"),
    }


def test_outbox_is_the_default_in_development_and_send_in_production() -> None:
    assert Settings.from_env({}).notify_delivery == "outbox"
    assert Settings.from_env({"DOORSTEP_ENV": "prod"}).notify_delivery == "send"
    assert Settings.from_env({"DOORSTEP_ENV": "prod", "DOORSTEP_NOTIFY_DELIVERY": "outbox"}).notify_delivery == "outbox"
