"""The channels over real transports: an SMTP server receives the e-mail, a local HTTP endpoint plays the SMS
provider (Twilio's REST shape) and the push service (the body decrypted with the subscriber's keys, the VAPID
header verified); a push service's 410 removes the subscription; an SMS provider's 500s are retried with
backoff until the attempts run out."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any
from urllib.parse import parse_qs

import http_ece
from py_vapid import Vapid02

from backend.accounts.models import Role
from backend.kit.clock import utcnow
from backend.notifications.rules import BACKOFF_BASE_S, MAX_ATTEMPTS
from backend.notifications.sender import NotificationSender
from tests.factories import Api, make_order, make_tenant, sign_in
from tests.notifications.conftest import (
    MAIL_FROM,
    SMS_FROM,
    SMS_SID,
    SMS_TOKEN,
    HttpSink,
    SmtpServer,
    browser,
    log,
    tick,
)
from tests.tracking.conftest import settle


def only(api: Api, rules: dict[str, list[str]], **extra: Any) -> None:
    response = api.put("/api/notifications/settings", json={"rules": rules, **extra})
    assert response.status_code == 200, response.text


def token_of(order: dict[str, Any]) -> str:
    return str(order["tracking_url"]).rsplit("/", 1)[1]


def _scan(api: Api, store_id: str, barcode: str) -> str:
    scanned = api.post(f"/api/stores/{store_id}/scan-in", json={"barcode": barcode, "shelf": "A-1"})
    assert scanned.status_code == 200, scanned.text
    return str(scanned.json()["code"])


def test_email_goes_out_over_smtp_with_the_sender_name_text_and_escaped_html(
    client: Any, sender: NotificationSender, smtp: SmtpServer
) -> None:
    tenant = make_tenant(client)
    desk = sign_in(client, tenant.users[Role.dispatcher])
    only(desk, {"confirmed": ["email"]}, sender_name="Kamppi Deliveries")
    order = make_order(desk, recipient_name="<script>alert(1)</script> Aino", recipient_email="aino@example.com")
    assert tick(client, sender) == {"sent": 1}

    assert smtp.mailbox.envelopes == [(MAIL_FROM, ["aino@example.com"])]
    mail = smtp.mailbox.messages[0]
    assert parseaddr(str(mail["From"])) == ("Kamppi Deliveries", MAIL_FROM)
    assert mail["To"] == "aino@example.com"
    assert mail["Subject"] == f"We have your order {order['external_ref']}"
    plain = mail.get_body(preferencelist=("plain",))
    html = mail.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    text, markup = plain.get_content(), html.get_content()
    assert order["tracking_url"] in text and "Kamppi Deliveries" in text
    assert "Hello <script>alert(1)</script> Aino," in text  # plain text is shown as text: nothing to escape
    assert "<script>" not in markup and "&lt;script&gt;alert(1)&lt;/script&gt; Aino" in markup
    assert f'href="{order["tracking_url"]}"' in markup
    [row] = log(desk, order_id=order["id"])
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 1, None) and row["sent_at"]


def test_sms_goes_to_the_provider_as_a_twilio_form_with_basic_auth(
    client: Any, sender: NotificationSender, sink: HttpSink
) -> None:
    tenant = make_tenant(client)
    desk = sign_in(client, tenant.users[Role.dispatcher])
    only(desk, {"confirmed": ["sms"]}, sender_name="Kamppi")
    order = make_order(desk, recipient_phone="040 1234567")
    assert tick(client, sender) == {"sent": 1}

    [request] = sink.to("/2010-04-01")
    assert request.path == f"/2010-04-01/Accounts/{SMS_SID}/Messages.json"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["authorization"] == "Basic " + base64.b64encode(f"{SMS_SID}:{SMS_TOKEN}".encode()).decode()
    form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
    assert form["To"] == "+358401234567" and form["From"] == SMS_FROM
    assert form["Body"].startswith("Kamppi: We have your order") and form["Body"].endswith(order["tracking_url"])
    assert len(form["Body"]) <= 160


def test_push_is_encrypted_for_the_browser_and_signed_with_our_vapid_key(
    client: Any, sender: NotificationSender, sink: HttpSink
) -> None:
    tenant = make_tenant(client)
    desk = sign_in(client, tenant.users[Role.admin])
    only(desk, {"ready_for_pickup": ["push"]}, sender_name="Kamppi store")
    store = desk.post(
        "/api/locations",
        json={"kind": "store", "name": "Kamppi store", "address": "Urho Kekkosen katu 1", "lat": 60.169, "lon": 24.93},
    ).json()
    order = make_order(desk, kind="store_pickup", store_id=store["id"], barcodes=["PK-9"])
    token = token_of(order)
    phone = browser(sink, "phone")
    status = client.get(f"/api/track/{token}/push").json()
    assert status["subscribed"] is False and status["subscriptions"] == 0
    subscribed = client.post(f"/api/track/{token}/push-subscriptions", json=phone.subscription())
    assert subscribed.status_code == 201, subscribed.text
    assert client.get(f"/api/track/{token}/push", params={"endpoint": phone.endpoint}).json()["subscribed"] is True

    code = _scan(desk, store["id"], "PK-9")
    assert tick(client, sender) == {"sent": 1}
    [request] = sink.to("/push/phone")
    assert request.headers["content-encoding"] == "aes128gcm"
    assert int(request.headers["ttl"]) > 0
    plain = http_ece.decrypt(request.body, private_key=phone.private_key, auth_secret=phone.auth, version="aes128gcm")
    notice = json.loads(plain)
    assert notice["title"] == "Kamppi store"
    assert code in notice["body"] and "QR" in notice["body"]
    assert notice["url"] == order["tracking_url"]

    authorization = request.headers["authorization"]
    assert authorization.startswith("vapid t=")
    fields = dict(part.split("=", 1) for part in authorization[len("vapid ") :].split(","))
    assert fields["k"] == status["public_key"]  # signed with the key the browser subscribed with
    assert Vapid02.verify(authorization)
    payload = fields["t"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["aud"] == sink.url and claims["sub"] == "mailto:ops@doorstep.test"
    assert claims["exp"] > utcnow().timestamp()


def test_a_push_service_answering_410_removes_the_subscription_without_retrying(
    client: Any, sender: NotificationSender, sink: HttpSink
) -> None:
    tenant = make_tenant(client)
    desk = sign_in(client, tenant.users[Role.admin])
    only(desk, {"ready_for_pickup": ["push"]})
    store = desk.post(
        "/api/locations", json={"kind": "store", "name": "Itis", "address": "Itäkatu 1", "lat": 60.21, "lon": 25.08}
    ).json()
    order = make_order(desk, kind="store_pickup", store_id=store["id"], barcodes=["PK-7"])
    token = token_of(order)
    sink.answers["/push/gone"] = 410
    gone = browser(sink, "gone")
    assert client.post(f"/api/track/{token}/push-subscriptions", json=gone.subscription()).status_code == 201
    _scan(desk, store["id"], "PK-7")
    assert tick(client, sender) == {"failed": 1}
    [row] = log(desk, order_id=order["id"], status="failed")
    assert row["channel"] == "push" and "410" in row["last_error"] and row["attempts"] == 1
    assert client.get(f"/api/track/{token}/push").json()["subscriptions"] == 0
    sender.clock = lambda: utcnow() + timedelta(hours=2)
    assert tick(client, sender) == {}
    assert len(sink.to("/push/gone")) == 1
    refused = desk.post(f"/api/notifications/{row['id']}/retry")
    assert refused.status_code == 409 and "dropped" in refused.json()["detail"]


def test_an_sms_provider_failing_is_retried_with_backoff_then_given_up(
    client: Any, sender: NotificationSender, sink: HttpSink
) -> None:
    tenant = make_tenant(client)
    desk = sign_in(client, tenant.users[Role.dispatcher])
    only(desk, {"confirmed": ["sms"]})
    sink.answers["/2010-04-01"] = 500
    order = make_order(desk)
    settle(client)
    now = utcnow()
    waits: list[float] = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        sender.clock = lambda now=now: now
        assert tick(client, sender) == ({"queued": 1} if attempt < MAX_ATTEMPTS else {"failed": 1}), attempt
        [row] = log(desk, order_id=order["id"])
        assert row["attempts"] == attempt and "500" in row["last_error"]
        if attempt < MAX_ATTEMPTS:
            assert row["status"] == "queued"
            due = datetime.fromisoformat(row["next_attempt_at"])
            waits.append((due - now).total_seconds())
            sender.clock = lambda due=due: due - timedelta(seconds=1)
            assert tick(client, sender) == {}  # not before its time
            now = due + timedelta(seconds=1)
    assert row["status"] == "failed"
    assert len(sink.to("/2010-04-01")) == MAX_ATTEMPTS
    for n, wait in enumerate(waits, start=1):  # doubling from 30 s, with 0.5x-1.5x jitter
        base = BACKOFF_BASE_S * 2 ** (n - 1)
        assert 0.5 * base <= wait <= 1.5 * base, (n, wait)
    sender.clock = lambda: now + timedelta(days=1)
    assert tick(client, sender) == {}

    # a dispatcher sends it again once the provider is back
    sink.answers.clear()
    retried = desk.post(f"/api/notifications/{row['id']}/retry")
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "queued" and retried.json()["attempts"] == 0
    sender.clock = utcnow
    assert tick(client, sender) == {"sent": 1}
    again = desk.post(f"/api/notifications/{row['id']}/retry")
    assert again.status_code == 409 and again.json()["type"].endswith("notification-not-retryable")
