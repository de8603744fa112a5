"""The office's settings and delivery log, and the customer's push subscription endpoints: round trips,
validation as problem details (never a 500), other organizations' notices invisible, bad tokens refused."""

from __future__ import annotations

from typing import Any

import pytest

from backend.accounts.models import Role
from backend.notifications.errors import InvalidPushSubscription
from backend.notifications.sender import NotificationSender
from backend.notifications.subscriptions import MAX_PUSH_SUBSCRIPTIONS, check_endpoint
from tests.factories import make_order, make_tenant, sign_in
from tests.notifications.conftest import HttpSink, browser, log, tick

PROBLEM = "application/problem+json"


def test_settings_default_to_every_rule_and_round_trip(client: Any) -> None:
    tenant = make_tenant(client, name="Kamppi Deliveries")
    admin = sign_in(client, tenant.users[Role.admin])
    defaults = admin.get("/api/notifications/settings")
    assert defaults.status_code == 200, defaults.text
    body = defaults.json()
    assert body["rules"]["arriving"] == ["email", "push", "sms"] and len(body["rules"]) == 8
    assert body["effective_sender_name"] == "Kamppi Deliveries" and body["sender_name"] is None
    assert (body["quiet_start"], body["arriving_stops_away"], body["eta_change_min"]) == (None, 1, 15)
    assert body["timezone"] == "Europe/Helsinki" and body["delivery"] == "send"

    wanted = {
        "rules": {"delivered": ["email", "sms"], "arriving": ["push"], "failed": []},
        "quiet_start": "21:30",
        "quiet_end": "07:45",
        "sender_name": "Kamppi",
        "arriving_stops_away": 2,
        "arriving_within_min": 10,
        "eta_change_min": 20,
    }
    put = admin.put("/api/notifications/settings", json=wanted)
    assert put.status_code == 200, put.text
    got = admin.get("/api/notifications/settings").json()
    assert got["rules"] == {"delivered": ["email", "sms"], "arriving": ["push"], "failed": []}
    assert {k: got[k] for k in wanted if k != "rules"} == {k: v for k, v in wanted.items() if k != "rules"}
    assert got["effective_sender_name"] == "Kamppi"
    dispatcher = sign_in(client, tenant.users[Role.dispatcher])
    assert dispatcher.get("/api/notifications/settings").json()["sender_name"] == "Kamppi"
    driver = sign_in(client, tenant.users[Role.driver])
    assert driver.get("/api/notifications/settings").status_code == 403
    assert driver.get("/api/notifications").status_code == 403
    other = sign_in(client, make_tenant(client).users[Role.admin])
    assert other.get("/api/notifications/settings").json()["sender_name"] is None


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"rules": {"teleported": ["sms"]}}, 400),
        ({"rules": {"arriving": ["fax"]}}, 400),
        ({"rules": {}, "quiet_start": "25:00", "quiet_end": "07:00"}, 400),
        ({"rules": {}, "quiet_start": "22:00"}, 422),
        ({"rules": {}, "quiet_start": "22:00", "quiet_end": "22:00"}, 422),
        ({"rules": {}, "eta_change_min": 0}, 400),
        ({"rules": {}, "arriving_stops_away": -1}, 400),
        ({"rules": {}, "sender_name": "Evil\r\nBcc: all@example.com"}, 400),
        ({"rules": {}, "sender_name": "x" * 61}, 400),
        ({"rules": {}, "surprise": 1}, 400),
        ({}, 400),
    ],
)
def test_bad_settings_are_refused_as_problems(client: Any, body: dict[str, Any], status: int) -> None:
    admin = sign_in(client, make_tenant(client).users[Role.admin])
    response = admin.put("/api/notifications/settings", json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)


def test_the_log_pages_and_filters_and_hides_other_organizations(client: Any, sender: NotificationSender) -> None:
    ours = make_tenant(client)
    theirs = make_tenant(client)
    their_desk = sign_in(client, theirs.users[Role.dispatcher])
    their_order = make_order(their_desk)
    tick(client, sender)
    their_row = log(their_desk)[0]
    desk = sign_in(client, ours.users[Role.dispatcher])
    orders = [make_order(desk) for _ in range(3)]
    tick(client, sender)
    page = desk.get("/api/notifications", params={"limit": 4}).json()
    assert page["total"] == 6 and len(page["items"]) == 4 and page["limit"] == 4
    assert [r["order_id"] for r in page["items"][:2]] == [orders[2]["id"]] * 2  # newest first
    rest = desk.get("/api/notifications", params={"limit": 4, "offset": 4}).json()
    assert len(rest["items"]) == 2
    assert {r["order_id"] for r in log(desk, order_id=orders[0]["id"])} == {orders[0]["id"]}
    assert len(log(desk, status="sent")) == 6 and log(desk, status="failed") == []
    assert log(desk, order_id=their_order["id"]) == []
    assert their_row["id"] not in {r["id"] for r in log(desk)}
    stolen = desk.post(f"/api/notifications/{their_row['id']}/retry")
    assert stolen.status_code == 404 and stolen.headers["content-type"].startswith(PROBLEM)
    assert desk.get("/api/notifications", params={"status": "lost"}).status_code == 400
    assert desk.get("/api/notifications", params={"order_id": "nope"}).status_code == 400
    assert desk.get("/api/notifications", params={"limit": 0}).status_code == 400


def test_customer_push_endpoints_refuse_a_bad_token_a_bad_subscription_and_too_many(
    client: Any, sink: HttpSink
) -> None:
    desk = sign_in(client, make_tenant(client).users[Role.dispatcher])
    order = make_order(desk)
    token = str(order["tracking_url"]).rsplit("/", 1)[1]
    good = browser(sink).subscription()
    for method, url, kwargs in (
        ("GET", "/api/track/not-a-token/push", {}),
        ("POST", "/api/track/not-a-token/push-subscriptions", {"json": good}),
        ("DELETE", "/api/track/not-a-token/push-subscriptions", {"params": {"endpoint": good["endpoint"]}}),
        ("GET", f"/api/track/{'x' * 5000}/push", {}),
    ):
        response = client.request(method, url, **kwargs)
        assert response.status_code in (404, 414), (method, url, response.status_code)
        assert response.status_code == 414 or response.headers["content-type"].startswith(PROBLEM)

    base = f"/api/track/{token}/push-subscriptions"
    bad_keys = {**good, "keys": {"p256dh": "A" * 87, "auth": good["keys"]["auth"]}}  # not a point on P-256
    short_auth = {**good, "keys": {"p256dh": good["keys"]["p256dh"], "auth": "QUFBQUFBQUFBQUFBQUFBQUFB"}}
    for body, status in (
        ({**good, "endpoint": "ftp://push.example.com/x"}, 422),
        ({**good, "endpoint": "http://push.example.com/x"}, 422),  # http only to this machine, in development
        ({**good, "endpoint": "https://user:pw@push.example.com/x"}, 422),
        ({**good, "endpoint": "https://push.example.com:99999/x"}, 422),
        ({**good, "endpoint": "not a url at all"}, 422),
        (bad_keys, 422),
        (short_auth, 422),
        ({**good, "keys": {"p256dh": "!!!", "auth": "x"}}, 400),
        ({"endpoint": good["endpoint"]}, 400),
        ({**good, "extra": True}, 400),
    ):
        response = client.post(base, json=body)
        assert response.status_code == status, (body, response.text)
        assert response.headers["content-type"].startswith(PROBLEM)

    first = client.post(base, json=good)
    assert first.status_code == 201, first.text
    again = client.post(base, json=good)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    for n in range(MAX_PUSH_SUBSCRIPTIONS - 1):
        assert client.post(base, json=browser(sink, f"device-{n}").subscription()).status_code == 201
    full = client.post(base, json=browser(sink, "one-too-many").subscription())
    assert full.status_code == 409 and full.json()["type"].endswith("too-many-push-subscriptions")
    assert client.get(f"/api/track/{token}/push").json()["subscriptions"] == MAX_PUSH_SUBSCRIPTIONS

    gone = client.delete(base, params={"endpoint": good["endpoint"]})
    assert gone.status_code == 204
    assert client.delete(base, params={"endpoint": good["endpoint"]}).status_code == 404
    assert client.delete(base).status_code == 400
    status = client.get(f"/api/track/{token}/push", params={"endpoint": good["endpoint"]}).json()
    assert status["subscribed"] is False and status["subscriptions"] == MAX_PUSH_SUBSCRIPTIONS - 1
    assert len(status["public_key"]) == 87  # base64url of a 65-byte uncompressed P-256 point

    other_order = make_order(desk)
    other_token = str(other_order["tracking_url"]).rsplit("/", 1)[1]
    assert client.get(f"/api/track/{other_token}/push").json()["subscriptions"] == 0


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://127.0.0.1:8080/push",
        "https://localhost/push",
        "https://10.0.0.7/push",
        "https://192.168.1.1/push",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/push",
        "https://[fd00::1]/push",
    ],
)
def test_in_production_a_push_endpoint_must_be_a_public_https_service(endpoint: str) -> None:
    with pytest.raises(InvalidPushSubscription):
        check_endpoint(endpoint, allow_local_http=False)


def test_public_push_services_are_accepted() -> None:
    for endpoint in (
        "https://fcm.googleapis.com/fcm/send/abc:def",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAA",
        "https://web.push.apple.com/QGx",
    ):
        assert check_endpoint(endpoint, allow_local_http=False) == endpoint
    assert check_endpoint("http://127.0.0.1:9/push", allow_local_http=True)
