"""Web Push from the customer's tracking page, in headless Chromium against the real `doorstep demo` server, as a
new user runs it (DOORSTEP_NOTIFY_DELIVERY=outbox keeps e-mails and texts, and still sends Web Push).

Headless Chromium has no push service, so PushManager's subscribe/getSubscription are replaced by an init script
with a subscription whose endpoint is a local HTTP server this test starts (playing the push service, as
tests/notifications does) and whose p256dh/auth keys the test made: the server's real pywebpush delivery reaches
it, encrypted for those keys, and the test decrypts it. Everything else is the browser's own: the permission,
the push worker's registration (/track-push-worker.js, scope /track/<token>), and the worker showing the
notice when Chromium delivers a push to it (DevTools' ServiceWorker.deliverPushMessage).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import expect

from tests.e2e.conftest import (
    PHONE,
    Server,
)
from tests.e2e.test_tracking import TIMEZONE, _pages, complete_stop, publish_a_day, start_route, wait_until
from tests.notifications.conftest import Browser

pytestmark = pytest.mark.e2e

TIMEOUT_MS = 15_000  # a click's whole round: the permission, the worker's install, the server
NOTICE_TIMEOUT_S = 20.0  # an order event: the relay, the sender, pywebpush, the push service


# -- a push service for the demo server to send to


@dataclass
class PushService:
    """The browsers' push service: keeps every POST (an encrypted notice) and answers 201 Created."""

    url: str
    posts: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)

    def notices(self, phone: Browser) -> list[dict[str, Any]]:
        """Every notice posted to the phone's endpoint, decrypted with its keys (RFC 8291, aes128gcm)."""
        path = phone.endpoint.removeprefix(self.url)
        return [
            json.loads(
                http_ece.decrypt(body, private_key=phone.private_key, auth_secret=phone.auth, version="aes128gcm")
            )
            for posted, headers, body in list(self.posts)
            if posted == path and headers.get("content-encoding") == "aes128gcm"
        ]


@pytest.fixture(scope="module")
def push_service() -> Iterator[PushService]:
    holder: dict[str, PushService] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            holder["service"].posts.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["service"] = PushService(url=f"http://127.0.0.1:{http.server_address[1]}")
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder["service"]
    finally:
        http.shutdown()
        http.server_close()


def a_phone(push_service: PushService, name: str) -> Browser:
    """A browser's push keys (a P-256 key pair and a 16-byte auth secret) and its endpoint at the push service."""
    return Browser(ec.generate_private_key(ec.SECP256R1()), os.urandom(16), f"{push_service.url}/push/{name}")


# PushManager as a browser with a push service has it: subscribe() gives the phone's subscription (kept in
# sessionStorage, so it outlives a reload as a real one does) and records the key it was asked to use.
FAKE_PUSH = """
(() => {
  const phone = %s;
  const STORE = "e2e-push-subscription";
  const toBase64Url = (buffer) =>
    btoa(String.fromCharCode(...new Uint8Array(buffer))).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  const fromBase64Url = (text) =>
    Uint8Array.from(atob(text.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0)).buffer;
  const subscription = (key) => ({
    endpoint: phone.endpoint,
    expirationTime: null,
    options: { userVisibleOnly: true, applicationServerKey: fromBase64Url(key) },
    getKey: (name) => fromBase64Url(phone.keys[name]),
    toJSON: () => ({ endpoint: phone.endpoint, expirationTime: null, keys: phone.keys }),
    unsubscribe: async () => {
      sessionStorage.removeItem(STORE);
      sessionStorage.setItem("e2e-push-unsubscribed", String(Number(sessionStorage.getItem("e2e-push-unsubscribed") || 0) + 1));
      return true;
    },
  });
  PushManager.prototype.subscribe = async function (options) {
    if (!options || options.userVisibleOnly !== true) throw new DOMException("userVisibleOnly", "NotAllowedError");
    const raw = options.applicationServerKey;
    const key = toBase64Url(raw instanceof ArrayBuffer ? raw : raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    sessionStorage.setItem(STORE, key);
    return subscription(key);
  };
  PushManager.prototype.getSubscription = async function () {
    const key = sessionStorage.getItem(STORE);
    return key === null ? null : subscription(key);
  };
})();
"""


def fake_push(phone: Browser) -> str:
    sub = phone.subscription()
    return FAKE_PUSH % json.dumps({"endpoint": sub["endpoint"], "keys": sub["keys"]})


@pytest.fixture
def phone(browser: Any, base_url: str) -> Iterator[Any]:
    """A 360 px phone that has allowed notifications (as if the customer had said yes to the browser's question)."""
    context = browser.new_context(
        base_url=base_url, timezone_id=TIMEZONE, permissions=["notifications"], service_workers="allow", **PHONE
    )
    context.set_default_timeout(TIMEOUT_MS)
    yield from _pages(context)


def push_status(base_url: str, token: str, endpoint: str | None = None) -> dict[str, Any]:
    response = httpx.get(f"{base_url}/api/track/{token}/push", params={"endpoint": endpoint} if endpoint else None)
    assert response.status_code == 200, response.text
    status: dict[str, Any] = response.json()
    return status


def registrations(page: Any) -> list[str]:
    scopes: list[str] = page.evaluate(
        "navigator.serviceWorker.getRegistrations().then((all) => all.map((r) => r.scope))"
    )
    return scopes


def test_a_customer_turns_notices_on_gets_them_from_the_server_and_turns_them_off(
    phone: Any, server: Server, base_url: str, push_service: PushService, screenshot: Any
) -> None:
    day = publish_a_day(server, "Push e2e")
    first = day.stops[0]
    token = first["token"]
    handset = a_phone(push_service, "aino")
    phone.add_init_script(fake_push(handset))
    page = phone.new_page()
    page.goto(f"/track/{token}")
    expect(page.get_by_test_id("track-headline")).to_have_text("Delivery planned")

    # Off: offered, nothing registered or asked yet (the page loads no worker until the customer asks).
    card = page.get_by_test_id("track-push")
    button = card.get_by_role("button", name="Turn on notifications")
    expect(card.get_by_role("heading")).to_have_text("Get notified on this phone")
    expect(button).to_be_visible()
    assert registrations(page) == []
    assert push_status(base_url, token)["subscriptions"] == 0
    screenshot(page, "off")

    # On: the browser's own worker registered for this link, the subscription made with the server's VAPID
    # key and stored by the server.
    with page.expect_response(f"**/api/track/{token}/push-subscriptions") as posted:
        button.click()
    assert posted.value.request.method == "POST" and posted.value.status == 201, posted.value.text()
    expect(card).to_have_attribute("data-state", "on")
    expect(card.get_by_role("heading")).to_have_text("Notifications are on")
    expect(card.get_by_role("button", name="Turn off notifications")).to_be_visible()
    status = push_status(base_url, token, handset.endpoint)
    assert status["subscribed"] is True and status["subscriptions"] == 1
    assert page.evaluate("sessionStorage.getItem('e2e-push-subscription')") == status["public_key"]
    assert registrations(page) == [f"{base_url}/track/{token}"]
    worker = httpx.get(f"{base_url}/track-push-worker.js")
    assert worker.status_code == 200 and "javascript" in worker.headers["content-type"]
    screenshot(page, "on")

    # A reload asks the server about this browser's endpoint: still on.
    page.reload()
    expect(card).to_have_attribute("data-state", "on")

    # The van leaves and the parcel is handed over: the server's notices reach the push service, encrypted
    # for this phone, with the order's words and the link to this page.
    start_route(day)
    # (waited for: a notice the order has already moved past by the time it would go out is skipped)
    wait_until(
        lambda: any("out for delivery" in n["body"] for n in push_service.notices(handset)), timeout_s=NOTICE_TIMEOUT_S
    )
    complete_stop(day, first)
    notices = wait_until(
        lambda: [n for n in push_service.notices(handset) if "was delivered" in n["body"]], timeout_s=NOTICE_TIMEOUT_S
    )
    delivered = notices[0]
    assert delivered["title"] == day.admin.get("/api/notifications/settings").json()["effective_sender_name"]
    assert delivered["url"] == f"{base_url}/track/{token}"
    log = day.admin.get("/api/notifications", params={"status": "sent"}).json()["items"]
    assert any(row["channel"] == "push" and row["rule"] == "delivered" for row in log), log

    # The worker shows what the server sent when Chromium delivers it (as a push service would).
    cdp = page.context.new_cdp_session(page)
    found: dict[str, str] = {}

    def registered(params: dict[str, Any]) -> None:
        for registration in params["registrations"]:
            if registration["scopeURL"] == f"{base_url}/track/{token}" and not registration.get("isDeleted"):
                found["id"] = registration["registrationId"]

    cdp.on("ServiceWorker.workerRegistrationUpdated", registered)
    cdp.send("ServiceWorker.enable")
    # Playwright hands over the session's events only while one of its calls runs: wait through the page.
    wait_until(lambda: page.wait_for_timeout(100) or "id" in found)
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": base_url, "registrationId": found["id"], "data": json.dumps(delivered)},
    )
    shown = wait_until(
        lambda: page.evaluate(
            """navigator.serviceWorker.ready
                 .then((r) => r.getNotifications())
                 .then((all) => all.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data })))"""
        )
    )
    assert shown == [
        {
            "title": delivered["title"],
            "body": delivered["body"],
            "tag": f"doorstep:{base_url}/track/{token}",
            "data": {"url": f"{base_url}/track/{token}"},
        }
    ]
    # A payload without a link still opens this order's page: the worker's scope is it.
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": base_url, "registrationId": found["id"], "data": json.dumps({"title": "Shop", "body": "News"})},
    )
    wait_until(
        lambda: (
            page.evaluate(
                "navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((all) => all.map((n) => n.body))"
            )
            == ["News"]
        )  # the same tag: it replaced the one before
    )
    cdp.detach()

    # Delivered, the card stays while notices are on, to turn them off: the server forgets this browser, the
    # browser drops the subscription and the worker; then there is nothing more to offer on a closed order.
    expect(page.get_by_test_id("track-headline")).to_contain_text("Delivered")
    turn_off = card.get_by_role("button", name="Turn off notifications")
    with page.expect_response(lambda r: r.request.method == "DELETE" and "/push-subscriptions" in r.url) as deleted:
        turn_off.click()
    assert deleted.value.status == 204, deleted.value.text()
    expect(card).to_have_count(0)
    status = push_status(base_url, token, handset.endpoint)
    assert status["subscribed"] is False and status["subscriptions"] == 0
    assert page.evaluate("sessionStorage.getItem('e2e-push-unsubscribed')") == "1"
    wait_until(lambda: registrations(page) == [])


def test_a_browser_that_blocks_notices_says_how_to_allow_them(
    browser: Any, server: Server, base_url: str, push_service: PushService, screenshot: Any
) -> None:
    day = publish_a_day(server, "Push blocked e2e")
    token = day.stops[1]["token"]
    context = browser.new_context(base_url=base_url, timezone_id=TIMEZONE, **PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    # The customer once said "Block" for this site: the browser reports it and never asks again.
    context.add_init_script("Object.defineProperty(Notification, 'permission', { get: () => 'denied' });")
    context.add_init_script(fake_push(a_phone(push_service, "blocked")))
    pages = _pages(context)
    next(pages)
    try:
        page = context.new_page()
        page.goto(f"/track/{token}")
        card = page.get_by_test_id("track-push")
        expect(card).to_have_attribute("data-state", "blocked")
        expect(card.get_by_role("heading")).to_have_text("Notifications are blocked")
        expect(card.get_by_test_id("track-push-hint")).to_contain_text("allow Notifications, then reload this page")
        expect(card.get_by_role("button")).to_have_count(0)
        assert push_status(base_url, token)["subscriptions"] == 0
        screenshot(page, "blocked")
    finally:
        next(pages, None)


def test_a_browser_without_push_shows_no_card(browser: Any, server: Server, base_url: str) -> None:
    day = publish_a_day(server, "No push e2e")
    context = browser.new_context(base_url=base_url, timezone_id=TIMEZONE, **PHONE)
    # As Safari on an iPhone outside a home-screen app: no Push API.
    context.add_init_script("delete window.PushManager;")
    pages = _pages(context)
    next(pages)
    try:
        page = context.new_page()
        page.goto(f"/track/{day.stops[2]['token']}")
        expect(page.get_by_test_id("track-headline")).to_have_text("Delivery planned")
        page.wait_for_load_state("networkidle")
        expect(page.get_by_test_id("track-push")).to_have_count(0)
    finally:
        next(pages, None)


def test_on_a_desktop_the_card_speaks_of_this_browser(
    browser: Any, server: Server, base_url: str, push_service: PushService, screenshot: Any
) -> None:
    day = publish_a_day(server, "Push desktop e2e")
    context = browser.new_context(
        base_url=base_url, timezone_id=TIMEZONE, permissions=["notifications"], viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(fake_push(a_phone(push_service, "desktop")))
    pages = _pages(context)
    next(pages)
    try:
        page = context.new_page()
        page.goto(f"/track/{day.stops[0]['token']}")
        card = page.get_by_test_id("track-push")
        expect(card.get_by_role("heading")).to_have_text("Get notified in this browser")
        card.get_by_role("button", name="Turn on notifications").click()
        expect(card).to_have_attribute("data-state", "on")
        expect(card.get_by_test_id("track-push-text")).to_contain_text("in this browser")
        screenshot(page, "desktop-on")
    finally:
        next(pages, None)
