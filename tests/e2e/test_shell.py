"""The app shell in a phone-sized Chromium: sign-in, staying signed in, sign-out, errors, offline."""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

DEMO_DISPATCHER = "dispatcher@demo.doorstep.dev"  # printed by `doorstep demo`
DEMO_PASSWORD = "doorstep-demo"
MIN_TOUCH_TARGET_PX = 44


def sign_in(page: Any, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def wait_for_active_service_worker(page: Any) -> None:
    """Waits, 10 s at most (navigator.serviceWorker.ready would wait for ever), for an activated worker."""
    state = page.evaluate(
        """async () => {
            const deadline = Date.now() + 10_000;
            while (Date.now() < deadline) {
                const registration = await navigator.serviceWorker.getRegistration();
                if (registration?.active?.state === "activated") return "activated";
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
            return "no activated service worker after 10 s";
        }"""
    )
    assert state == "activated", state


def assert_fits_a_phone(page: Any) -> None:
    """No sideways scrolling at 360 px, and every control is big enough for a thumb."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"
    small = page.evaluate(
        """(min) => [...document.querySelectorAll('button, a, input:not([type=checkbox]), label.checkbox')]
            .map((el) => ({el, box: el.getBoundingClientRect()}))
            .filter(({box}) => box.width > 0 && (box.height < min || box.width < min))
            .map(({el, box}) => `${el.outerHTML.slice(0, 80)} ${box.width}x${box.height}`)""",
        MIN_TOUCH_TARGET_PX,
    )
    assert small == [], f"touch targets under {MIN_TOUCH_TARGET_PX} px: {small}"


def test_dispatcher_signs_in_stays_signed_in_across_reload_and_signs_out(page: Any, screenshot: Any) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="Doorstep", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    for app in ("Driver", "Dispatch", "Store", "Tracking"):
        expect(page.get_by_role("heading", name=app, exact=True)).to_be_visible()
    expect(page.get_by_text("Coming soon")).to_have_count(4)
    expect(page.get_by_role("link", name="API documentation")).to_have_attribute("href", "/schema")
    expect(page.get_by_text("OpenStreetMap")).to_have_count(0)
    assert page.evaluate("[...document.images].every((image) => image.complete && image.naturalWidth > 0)"), (
        "an image did not load"
    )
    assert_fits_a_phone(page)
    screenshot(page, "signed-out")

    with page.expect_response("**/api/auth/login") as login:
        sign_in(page, DEMO_DISPATCHER, DEMO_PASSWORD)
    assert login.value.status == 200
    user = login.value.json()["user"]
    assert user["email"] == DEMO_DISPATCHER
    assert user["role"] == "dispatcher"

    expect(page.get_by_role("heading", name="Signed in")).to_be_visible()
    expect(page.get_by_test_id("user-name")).to_have_text(user["name"])
    expect(page.get_by_test_id("user-email")).to_have_text(DEMO_DISPATCHER)
    expect(page.get_by_test_id("user-role")).to_have_text("Dispatcher")
    expect(page.get_by_test_id("user-organization")).to_have_text(user["organization_name"])
    assert_fits_a_phone(page)
    screenshot(page, "signed-in")

    page.reload()
    expect(page.get_by_test_id("user-name")).to_have_text(user["name"])

    with page.expect_request("**/api/auth/logout") as logout_request:
        page.get_by_role("button", name="Sign out").click()
    assert logout_request.value.method == "POST"
    assert logout_request.value.headers.get("x-csrf-token"), "sign-out must send the CSRF token"
    assert logout_request.value.response().status == 204
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_test_id("user-name")).to_have_count(0)

    page.reload()  # the session really ended on the server, not only on the page
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_wrong_password_says_so(page: Any, screenshot: Any) -> None:
    page.goto("/")
    with page.expect_response("**/api/auth/login") as login:
        sign_in(page, DEMO_DISPATCHER, "not-the-password")
    assert login.value.status == 401
    assert login.value.headers["content-type"].startswith("application/problem+json")
    expect(page.get_by_role("alert")).to_have_text("Email or password is wrong.")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    expect(page.get_by_role("heading", name="Signed in")).to_have_count(0)
    screenshot(page, "wrong-password")


def test_shell_is_installable_and_opens_offline(page: Any, context: Any, base_url: str, screenshot: Any) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    manifest_href = page.get_attribute("link[rel=manifest]", "href")
    assert manifest_href
    manifest_response = page.request.get(manifest_href)
    assert manifest_response.status == 200
    manifest = manifest_response.json()
    assert manifest["name"] == "Doorstep"
    assert manifest["short_name"] == "Doorstep"
    assert manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", manifest["theme_color"])
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        icon_response = page.request.get(icon["src"])
        assert icon_response.status == 200, icon["src"]
        assert icon_response.headers["content-type"] == "image/png", icon["src"]
        assert icon_response.body()[:8] == b"\x89PNG\r\n\x1a\n", icon["src"]

    wait_for_active_service_worker(page)
    scope = page.evaluate("navigator.serviceWorker.getRegistration().then((registration) => registration.scope)")
    assert scope == f"{base_url}/"
    page.reload()
    assert page.evaluate("navigator.serviceWorker.controller !== null"), "the service worker should control the page"

    context.set_offline(True)
    try:
        page.reload()
        expect(page.get_by_role("heading", name="Doorstep", level=1)).to_be_visible()
        expect(page.get_by_role("heading", name="You're offline")).to_be_visible()
        assert page.evaluate("navigator.onLine") is False
        screenshot(page, "offline")
    finally:
        context.set_offline(False)


class ReleaseProxy:
    """Forwards to the server and, once `release()` is called, serves a service-worker.js with new
    bytes, as a deploy would. (Playwright's routing does not see the browser's worker-script fetches.)"""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.released = False
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                request = urllib.request.Request(
                    proxy.upstream + self.path,
                    # no accept-encoding: the body is edited below, so it must come back uncompressed
                    headers={
                        k: v
                        for k, v in self.headers.items()
                        if k.lower() not in ("host", "connection", "accept-encoding")
                    },
                )
                try:
                    with urllib.request.urlopen(request, timeout=10) as answer:
                        status, headers, body = answer.status, answer.headers, answer.read()
                except urllib.error.HTTPError as error:
                    status, headers, body = error.code, error.headers, error.read()
                if proxy.released and self.path.split("?")[0] == "/service-worker.js":
                    body += b"\n// the next release\n"
                self.send_response(status)
                for name, value in headers.items():
                    if name.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> ReleaseProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def release(self) -> None:
        self.released = True


def test_new_version_waits_for_the_users_ok_before_reloading(page: Any, base_url: str, screenshot: Any) -> None:
    with ReleaseProxy(base_url) as proxy:
        page.goto(proxy.url + "/")
        wait_for_active_service_worker(page)
        page.reload()
        assert page.evaluate("navigator.serviceWorker.controller !== null")

        proxy.release()
        page.evaluate("window.stillTheSamePage = true")
        page.evaluate("navigator.serviceWorker.getRegistration().then((registration) => registration.update())")

        banner = page.get_by_role("status").filter(has_text="Update available")
        expect(banner).to_be_visible()
        screenshot(page, "update-available")
        page.wait_for_timeout(500)
        assert page.evaluate("window.stillTheSamePage === true"), "the page must not reload without the user's OK"
        assert page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.waiting !== null)")

        with page.expect_navigation():
            banner.get_by_role("button", name="Reload").click()
        assert page.evaluate("window.stillTheSamePage === undefined")
        expect(page.get_by_role("heading", name="Doorstep", level=1)).to_be_visible()
        expect(page.get_by_text("Update available")).to_have_count(0)
        assert page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.waiting === null)")
