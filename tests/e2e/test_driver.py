"""The driver app (/driver) on a 360 px phone in headless Chromium, against the real server.

- The happy path: sign in, load the van (one parcel read by the camera, a QR code played by Chromium's fake
  camera, the rest typed), start the route, arrive, deliver with a photo from the camera, a signature drawn on
  the pad and the recipient's name, go on to the next stop; the server has the proof and the customer's
  tracking page shows it.
- Offline: three deliveries and a failure with no network, the app reloaded offline, then back online: it
  syncs by itself and the server has every proof once, in the order the driver acted.
- A flaky network (RELIABILITY 17): 100 actions queued while the server is out of reach, replayed across 20
  forced failures (500s, connections reset, answers lost after the server acted, timeouts): nothing lost,
  nothing applied twice.
- A conflict: the dispatcher cancels a stop while the phone is offline and the driver delivers it anyway: the
  driver is told, the proof is kept for the dispatcher, who sees it under "Refused driver actions".

Each test has its own organization and published day (tests/e2e/driver_day.py).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, Server
from tests.e2e.driver_day import (
    ADDRESSES,
    PASSWORD,
    TIMEZONE,
    DriverDay,
    events,
    image_size,
    photo_file,
    publish_driver_day,
    qr_video,
    sync_commands,
)
from tests.e2e.test_dispatch import grey_tile

pytestmark = pytest.mark.e2e

# The parcel the fake camera shows: a QR code of this barcode (the file is made before Chromium starts).
CAMERA_BARCODE = f"QR-{uuid.uuid4().hex[:10].upper()}"
NOT_LOCAL = re.compile(r"^https?://(?!127\.0\.0\.1[:/]|localhost[:/])")
SYNC_TIMEOUT_MS = 20_000  # an outbox replay after the network comes back: the online event, media, batches
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
DEPOT = ADDRESSES["depot"]


# ------------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def camera_browser(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Chromium whose camera is a video of a QR code of CAMERA_BARCODE (and nothing asks for permission)."""
    video = qr_video(CAMERA_BARCODE, tmp_path_factory.mktemp("camera") / "qr.y4m")
    chromium = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    yield chromium
    chromium.close()


@pytest.fixture
def photos(tmp_path: Path) -> Any:
    """Photo files as the phone's camera app would give them (each different, so each has its own hash)."""

    def make(label: str) -> Path:
        return photo_file(tmp_path / f"{label}.jpg", label)

    return make


class Phones:
    """Browser contexts for one test (a driver's phone, a customer's, a dispatcher's desk): map tiles are
    answered locally, and an uncaught error in any page fails the test."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.contexts: list[Any] = []
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.tile = grey_tile()

    def _elsewhere(self, route: Any) -> None:
        url = route.request.url
        if "tile" in url and url.endswith(".png"):
            route.fulfill(status=200, content_type="image/png", body=self.tile)
        else:
            self.outside.append(url)  # a CDN, say: the app must serve everything itself
            route.abort()

    def open(self, browser: Any, **options: Any) -> Any:
        context = browser.new_context(base_url=self.base_url, timezone_id=TIMEZONE, **options)
        context.set_default_timeout(10_000)
        context.route(NOT_LOCAL, self._elsewhere)
        context.on("page", lambda page: page.on("pageerror", lambda error: self.errors.append(str(error))))
        self.contexts.append(context)
        return context

    def driver(self, browser: Any, **options: Any) -> Any:
        """A driver's phone at the depot: 360 px, location allowed."""
        return self.open(
            browser,
            **PHONE,
            permissions=["geolocation", "camera"],
            geolocation={"latitude": DEPOT["lat"], "longitude": DEPOT["lon"], "accuracy": 8},
            **options,
        )

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def phones(base_url: str) -> Iterator[Phones]:
    opened = Phones(base_url)
    yield opened
    opened.close()
    assert opened.outside == [], f"the app asked the internet for {opened.outside}"
    assert opened.errors == [], "uncaught errors in the page:\n" + "\n".join(opened.errors)


@pytest.fixture(autouse=True)
def _expect_timeout() -> Iterator[None]:
    expect.set_options(timeout=10_000)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default


# ------------------------------------------------------------------------------------------- the driver's hands


def sign_in(page: Any, day: DriverDay) -> None:
    page.goto("/driver")
    page.get_by_label("Email").fill(day.emails["driver"])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("route-head")).to_have_attribute("data-route-status", "published")
    expect(page.get_by_test_id("stop-row")).to_have_count(len(day.stops))


def wait_for_service_worker(page: Any) -> None:
    """The app is precached and the worker controls the page: it opens with no network from now on."""
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)


def expect_pending(page: Any, count: int, timeout: int = 10_000) -> None:
    expect(page.get_by_test_id("status-pending")).to_have_attribute("data-pending", str(count), timeout=timeout)


def go_offline(context: Any, page: Any) -> None:
    context.set_offline(True)
    expect(page.get_by_test_id("status-online")).to_have_attribute("data-online", "false")


def go_online(context: Any, page: Any) -> datetime:
    at = datetime.now(UTC)
    context.set_offline(False)
    expect(page.get_by_test_id("status-online")).to_have_attribute("data-online", "true")
    return at


def type_barcode(page: Any, code: str, *, wait: bool = True) -> None:
    page.get_by_test_id("scan-manual-input").fill(code)
    page.get_by_test_id("scan-manual-input").press("Enter")
    if wait:
        expect(page.get_by_test_id("scan-result")).to_contain_text(code)


def start_route(page: Any) -> None:
    page.get_by_test_id("route-start").click()
    expect(page.get_by_test_id("route-head")).to_have_attribute("data-route-status", "in_progress")


def open_stop(page: Any, stop: dict[str, Any]) -> Any:
    row = page.locator(f'[data-testid="stop-row"][data-stop-id="{stop["id"]}"]')
    row.get_by_role("button").first.click()
    detail = page.get_by_test_id("stop-detail")
    expect(detail).to_have_attribute("data-stop-id", stop["id"])
    return detail


def arrive(page: Any) -> None:
    page.get_by_test_id("action-arrive").click()
    expect(page.get_by_test_id("stop-detail")).to_have_attribute("data-status", "arrived")


def draw_signature(page: Any, sheet: Any, wiggle: int = 0) -> None:
    """A signature drawn with the mouse on the pad (pointer events, as a finger's)."""
    pad = sheet.get_by_test_id("signature-pad")
    expect(sheet.get_by_test_id("signature-clear")).to_be_visible()  # the pad's code has loaded
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None and box["width"] > 200, box
    x, y = box["x"] + 30, box["y"] + box["height"] * 0.6
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(x + step * 10, y - 30 * ((step + wiggle) % 3 - 1) - wiggle, steps=2)
    page.mouse.up()
    expect(sheet.get_by_test_id("signature-clear")).not_to_have_attribute("aria-disabled", "true")


def deliver(
    page: Any,
    number: int,
    *,
    name: str,
    camera_photo: bool = False,
    photo: Path | None = None,
    signature: int | None = None,
    screenshot: Any = None,
    id_check: bool = False,
) -> None:
    """Delivered, with the proof: a photo (the live camera or a file), a signature, the recipient's name; for
    an order that needs photo ID, the app first refuses to confirm until the driver ticks that they checked it."""
    page.get_by_test_id("action-deliver").click()
    sheet = page.get_by_test_id("deliver-sheet")
    expect(sheet).to_be_visible()
    if camera_photo:
        sheet.get_by_role("button", name="Live camera").click()
        take = sheet.get_by_test_id("camera-still-take")
        expect(take).to_be_visible()
        expect(take).not_to_have_attribute("aria-disabled", "true")  # the stream is live
        take.click()
        expect(sheet.get_by_test_id("camera-still")).to_have_count(0)
    if photo is not None:
        sheet.get_by_test_id("deliver-sheet-photo-input").set_input_files(str(photo))
    if camera_photo or photo is not None:
        expect(sheet.locator("img.photo-thumb")).to_have_count(1)
        page.wait_for_function(
            "() => [...document.querySelectorAll('img.photo-thumb')].every((i) => i.complete && i.naturalWidth > 0)"
        )
    if signature is not None:
        draw_signature(page, sheet, signature)
    sheet.get_by_test_id("deliver-name").fill(name)
    expect(sheet.get_by_test_id("deliver-id-required")).to_have_count(1 if id_check else 0)
    if id_check:
        sheet.get_by_test_id("deliver-confirm").click()
        expect(sheet.get_by_test_id("deliver-id-error")).to_contain_text("This order needs photo ID")
        expect(sheet.get_by_test_id("deliver-id-checked")).to_be_focused()
        sheet.get_by_test_id("deliver-id-checked").check()
    if screenshot is not None:
        screenshot(page, f"deliver-sheet-{number}")
    sheet.get_by_test_id("deliver-confirm").click()
    expect(sheet).to_have_count(0)
    expect(page.get_by_test_id("done-message")).to_have_text(f"Stop {number} delivered.")


def fail(page: Any, number: int, *, reason: str, note: str, photo: Path | None = None) -> None:
    page.get_by_test_id("action-fail").click()
    sheet = page.get_by_test_id("fail-sheet")
    expect(sheet).to_be_visible()
    sheet.get_by_test_id(f"fail-reason-{reason}").click()
    sheet.get_by_test_id("fail-note").fill(note)
    if photo is not None:
        sheet.get_by_test_id("fail-sheet-photo-input").set_input_files(str(photo))
        expect(sheet.locator("img.photo-thumb")).to_have_count(1)
    sheet.get_by_test_id("fail-confirm").click()
    expect(sheet).to_have_count(0)
    expect(page.get_by_test_id("done-message")).to_have_text(f"Stop {number} recorded as failed.")


def assert_no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"


def assert_media_is_an_image(day: DriverDay, sha256: str) -> tuple[int, int]:
    response = day.admin.get(f"/api/media/{sha256}")
    assert response.status_code == 200, f"GET /api/media/{sha256}: {response.status_code} {response.text}"
    assert response.headers["content-type"] in ("image/jpeg", "image/png"), response.headers["content-type"]
    width, height = image_size(response.content)
    assert width > 0 and height > 0
    return width, height


# ------------------------------------------------------------------------------------------- the tests


def test_a_driver_loads_the_van_with_the_camera_and_delivers_with_photo_and_signature(
    camera_browser: Any, browser: Any, phones: Phones, server: Server, screenshot: Any
) -> None:
    day = publish_driver_day(
        server,
        "Driver e2e",
        [[CAMERA_BARCODE], ["PKG-A1", "PKG-A2"], ["PKG-B1"], ["PKG-C1"]],
    )
    context = phones.driver(camera_browser)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    sign_in(page, day)
    expect(page.get_by_test_id("status-online")).to_have_attribute("data-online", "true")
    expect_pending(page, 0)
    assert_no_sideways_scroll(page)
    screenshot(page, "route")

    # Load the van: the camera reads the QR code's parcel by itself; the others are typed.
    page.get_by_test_id("open-load").click()
    expect(page.get_by_test_id("load-screen")).to_be_visible()
    expect(page.get_by_test_id("load-progress")).to_have_attribute("data-total", str(len(day.barcodes)))
    expect(page.get_by_test_id("scan-camera-state")).to_have_attribute("data-state", "live")
    camera_item = page.locator(f'[data-testid="load-item"][data-barcode="{CAMERA_BARCODE}"]')
    expect(camera_item).to_have_attribute("data-loaded", "true", timeout=15_000)
    expect(page.get_by_test_id("scan-result")).to_contain_text(f"Loaded ✓ {CAMERA_BARCODE}")
    screenshot(page, "load-camera")
    wasm = [url for url in requests if url.endswith(".wasm")]
    assert wasm and all(url.startswith(page.url.split("/driver")[0]) for url in wasm), wasm  # zxing, served by us
    for count, code in enumerate((c for c in day.barcodes if c != CAMERA_BARCODE), start=2):
        type_barcode(page, code)
        expect(page.get_by_test_id("scan-result")).to_contain_text(f"Loaded ✓ {code}")
        expect(page.get_by_test_id("load-progress")).to_have_attribute("data-loaded", str(count))
    type_barcode(page, "NOT-OURS-1")
    expect(page.get_by_test_id("scan-result")).to_have_text("NOT-OURS-1 is not on your route. Leave it at the depot.")
    expect(page.locator('[data-testid="load-item"][data-loaded="false"]')).to_have_count(0)
    assert_no_sideways_scroll(page)
    screenshot(page, "load-done")
    page.get_by_test_id("load-back").click()
    expect(page.get_by_test_id("open-load")).to_have_text(f"Load the van · {len(day.barcodes)}/{len(day.barcodes)}")

    # On the road: arrive at the first stop and hand the parcel over with the proof.
    start_route(page)
    first, second = day.stops[0], day.stops[1]
    expect(page.locator('[data-testid="stop-row"][data-next="true"]')).to_have_attribute("data-stop-id", first["id"])
    open_stop(page, first)
    arrive(page)
    screenshot(page, "stop-arrived")

    # At the door, the parcels are checked against the stop: the camera's parcel is this stop's or another's.
    page.get_by_test_id("stop-scan").click()
    sheet = page.get_by_test_id("scan-sheet")
    expect(sheet).to_be_visible()
    camera_stop = next(n for n, s in enumerate(day.stops, start=1) if CAMERA_BARCODE in s["order"]["barcodes"])
    camera_name = day.stops[camera_stop - 1]["order"]["recipient_name"]
    expect(sheet.get_by_test_id("scan-result")).to_contain_text(
        f"Right parcel ✓ {CAMERA_BARCODE}"
        if camera_stop == 1
        else f"This parcel is for stop {camera_stop}, {camera_name}."
    )
    for code in first["order"]["barcodes"]:
        if code != CAMERA_BARCODE:
            type_barcode(page, code)
            expect(sheet.get_by_test_id("scan-result")).to_contain_text(f"Right parcel ✓ {code}")
    sheet.get_by_test_id("scan-sheet-done").click()
    expect(page.locator('[data-testid="stop-parcel"][data-scanned="true"]')).to_have_count(
        len(first["order"]["barcodes"])
    )
    deliver(page, 1, name="Aino at the door", camera_photo=True, signature=0, screenshot=screenshot)

    # The next stop is next: open it and arrive.
    expect(page.locator('[data-testid="stop-row"][data-next="true"]')).to_have_attribute("data-stop-id", second["id"])
    expect(page.get_by_test_id("route-progress")).to_have_text(f"1 / {len(day.stops)} done")
    open_stop(page, second)
    arrive(page)
    expect(page.get_by_test_id("stop-detail")).to_contain_text(second["order"]["recipient_name"])
    expect_pending(page, 0, SYNC_TIMEOUT_MS)
    expect(page.get_by_test_id("status-last-sync")).to_have_text(re.compile(r"^last sync \d\d:\d\d$"))
    screenshot(page, "next-stop")

    # The server: every scan once, the order delivered, one proof with a photo and a signature.
    scans = Counter((e["payload"]["stage"], e["payload"]["barcode"]) for e in events(day.admin, "parcel.scanned"))
    expected = Counter([("loading", code) for code in day.barcodes] + [("stop", c) for c in first["order"]["barcodes"]])
    assert scans == expected, scans  # "NOT-OURS-1" and the camera's repeated reads never left the phone
    order = day.order(first["order_id"])
    assert order["status"] == "delivered", order
    proofs = day.proofs(first["order_id"])
    assert len(proofs) == 1, proofs
    proof = proofs[0]
    assert proof["kind"] == "delivered" and proof["status"] == "accepted", proof
    assert proof["recipient_name"] == "Aino at the door"
    assert len(proof["photos"]) == 1 and proof["signature"], proof
    assert proof["lat"] == pytest.approx(DEPOT["lat"], abs=1e-4) and proof["accuracy_m"] == 8
    assert assert_media_is_an_image(day, proof["photos"][0]) == (640, 480)  # the fake camera's frame
    assert_media_is_an_image(day, proof["signature"])
    statuses = day.stop_status()
    assert statuses[first["id"]] == "completed" and statuses[second["id"]] == "arrived", statuses

    # The customer's tracking page shows the proof, the photo loaded through the tracking link.
    customer = phones.open(browser, **PHONE).new_page()
    customer.goto(f"/track/{first['order']['token']}")
    card = customer.get_by_test_id("track-proof")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Aino at the door")
    photo = customer.get_by_test_id("track-proof-photo")
    expect(photo).to_have_count(1)
    photo.scroll_into_view_if_needed()
    customer.wait_for_function(
        "() => { const i = document.querySelector('[data-testid=track-proof-photo]');"
        " return i !== null && i.complete && i.naturalWidth > 0; }"
    )
    assert customer.evaluate(
        "() => [...document.querySelectorAll('.track-proof img')].every((i) => i.complete && i.naturalWidth > 0)"
    ), "the signature did not load on the tracking page"
    screenshot(customer, "tracking-proof")


def test_offline_deliveries_survive_a_reload_and_sync_once_in_order(
    browser: Any, phones: Phones, server: Server, photos: Any, screenshot: Any
) -> None:
    day = publish_driver_day(server, "Driver offline e2e", [["OFF-1"], ["OFF-2"], ["OFF-3"], ["OFF-4"], ["OFF-5"]])
    # the second stop's parcel is age-restricted: the app asks for photo ID at the door, offline too
    flagged = day.admin.patch(f"/api/orders/{day.stops[1]['order_id']}", json={"id_check_required": True})
    assert flagged.status_code == 200, flagged.text
    context = phones.driver(browser)
    page = context.new_page()
    sign_in(page, day)
    wait_for_service_worker(page)
    with page.expect_response(lambda r: r.url.endswith("/api/sync") and r.status == 200):
        start_route(page)  # online: sent at once
    expect_pending(page, 0)

    go_offline(context, page)
    one, two, three, four = day.stops[:4]
    # The driver acts out of the route's order (stop 3 before stop 2): the server must keep the driver's.
    acted: list[tuple[str, str]] = []  # (order id, proof kind) in the order the driver acted
    open_stop(page, one)
    arrive(page)
    deliver(page, 1, name="Aino Asiakas", photo=photos("one"), signature=0)
    acted.append((one["order_id"], "delivered"))
    open_stop(page, three)
    fail(page, 3, reason="not_home", note="Nobody home, card left", photo=photos("three"))
    acted.append((three["order_id"], "failed"))
    open_stop(page, two)
    deliver(page, 2, name="Bertil at the door", signature=1, id_check=True, screenshot=screenshot)
    acted.append((two["order_id"], "delivered"))
    open_stop(page, four)
    arrive(page)
    deliver(page, 4, name="Neighbour at no. 5", photo=photos("four"), signature=2)
    acted.append((four["order_id"], "delivered"))
    waiting = 6  # two arrivals, three deliveries, one failure
    expect_pending(page, waiting)
    expect(page.get_by_test_id("status-pending")).to_have_text(f"{waiting} actions waiting to sync")
    page.get_by_test_id("toggle-done-stops").click()
    expect(page.get_by_test_id("stop-pending")).to_have_count(4)  # "Not synced" on each stop done offline
    screenshot(page, "offline-done")

    # The phone restarts the app with no network: it opens from the service worker with its data.
    page.reload()
    expect(page.get_by_test_id("route-head")).to_have_attribute("data-route-status", "in_progress")
    expect(page.get_by_test_id("status-online")).to_have_attribute("data-online", "false")
    expect_pending(page, waiting)
    expect(page.get_by_test_id("route-progress")).to_have_text(f"4 / {len(day.stops)} done")
    page.get_by_test_id("toggle-done-stops").click()
    for stop, status in ((one, "completed"), (two, "completed"), (three, "failed"), (four, "completed")):
        expect(page.locator(f'[data-testid="stop-row"][data-stop-id="{stop["id"]}"]')).to_have_attribute(
            "data-status", status
        )
    expect(page.get_by_test_id("stop-pending")).to_have_count(4)
    assert_no_sideways_scroll(page)
    screenshot(page, "offline-reloaded")
    # nothing reached the server meanwhile
    assert all(s == "pending" for s in (day.stop_status()[x["id"]] for x in (one, two, three, four)))

    # Back online: the app sends everything by itself.
    online_at = go_online(context, page)
    expect_pending(page, 0, SYNC_TIMEOUT_MS)
    expect(page.get_by_test_id("status-pending")).to_have_text("All synced")
    expect(page.get_by_test_id("stop-pending")).to_have_count(0)
    screenshot(page, "synced")

    # Every proof exactly once, dated by the phone (before the sync), in the order the driver acted.
    proofs = []
    for order_id, kind in acted:
        found = day.proofs(order_id)
        assert len(found) == 1, f"order {order_id}: {found}"
        assert found[0]["kind"] == kind and found[0]["status"] == "accepted", found
        proofs.append(found[0])
    times = [datetime.fromisoformat(p["occurred_at"]) for p in proofs]
    assert times == sorted(times), f"proofs out of the driver's order: {times}"
    assert all(t < online_at for t in times), "a proof is dated by the sync, not by the driver's action"
    assert all(datetime.fromisoformat(p["recorded_at"]) >= online_at for p in proofs)
    assert [p["recipient_name"] for p in proofs] == ["Aino Asiakas", None, "Bertil at the door", "Neighbour at no. 5"]
    assert (proofs[1]["reason"], proofs[1]["note"]) == ("not_home", "Nobody home, card left")
    assert [p["note"] for p in (proofs[0], proofs[2], proofs[3])] == [None, "ID checked", None]
    assert [len(p["photos"]) for p in proofs] == [1, 1, 0, 1]
    assert [p["signature"] is not None for p in proofs] == [True, False, True, True]
    for proof in proofs:
        for sha in [*proof["photos"], *([proof["signature"]] if proof["signature"] else [])]:
            assert_media_is_an_image(day, sha)

    # The statuses: three delivered, one failed; the fifth stop still to do.
    statuses = day.stop_status()
    assert [statuses[s["id"]] for s in (one, two, three, four)] == ["completed", "completed", "failed", "completed"]
    assert statuses[day.stops[4]["id"]] == "pending"
    for stop in (one, two, four):
        assert day.order(stop["order_id"])["status"] == "delivered"
    assert day.order(three["order_id"])["status"] == "failed"
    completed = [e for e in events(day.admin, "stop.completed") if e["payload"]["stop_id"] != day.stops[4]["id"]]
    assert Counter(e["payload"]["stop_id"] for e in completed) == Counter(s["id"] for s in (one, two, three, four))
    commands = sync_commands(server, day.driver_id)
    assert len(commands) == 1 + waiting, commands  # route.start, then the six offline actions
    assert {outcome for _, _, outcome, _ in commands} == {"applied"}, commands


class FlakyNetwork:
    """Answers the app's uploads (PUT /api/media) and syncs (POST /api/sync), failing `faults` of them on the
    way. Each batch of commands fails four times before it goes through: a 500 (nothing applied: an app that
    dropped a batch on an HTTP error, as Workbox's queue does, loses it), its answer lost after the server
    applied it (the connection closed), a timeout after the server answered, a connection reset. The photos
    and signatures fail once or twice each, in the same four ways in turn. While `down`, every upload and
    sync fails as if the server were out of reach, and none of that counts among the faults."""

    MODES = ("500", "reset", "answer-lost", "timeout")
    BATCH_MODES = ("500", "answer-lost", "timeout", "reset")
    TWICE = 3  # the first uploads fail twice, the others once

    def __init__(self, faults: int) -> None:
        self.faults = faults
        self.injected: list[tuple[str, str]] = []  # (what, mode)
        self.attempts: Counter[str] = Counter()  # by batch (its first command) or by image
        self.uploads: list[str] = []  # the images, in the order first seen
        self.sent: set[str] = set()
        self.outcomes: Counter[str] = Counter()
        self.log: list[str] = []  # each request as it went: "sync answer-lost", "media 201", ...
        self.down = False  # the server cannot be reached at all
        self.unreachable = 0  # requests while it was down

    def __repr__(self) -> str:
        return f"FlakyNetwork(requests={self.log}, outcomes={dict(self.outcomes)})"

    @property
    def requests(self) -> int:
        return len(self.log)

    def _fault(self, what: str, target: str) -> str | None:
        attempt = self.attempts[target]
        self.attempts[target] += 1
        if len(self.injected) >= self.faults:
            return None
        if what == "sync":
            return self.BATCH_MODES[attempt] if attempt < len(self.BATCH_MODES) else None
        if target not in self.uploads:
            self.uploads.append(target)
        if attempt < (2 if self.uploads.index(target) < self.TWICE else 1):
            return self.MODES[sum(1 for w, _ in self.injected if w == "media") % len(self.MODES)]
        return None

    def __call__(self, route: Any) -> None:
        request = route.request
        if request.method not in ("POST", "PUT"):
            route.continue_()
            return
        if self.down:
            self.unreachable += 1
            route.abort("addressunreachable")
            return
        if request.url.endswith("/api/sync"):
            what, ids = "sync", [c["id"] for c in request.post_data_json["commands"]]
            self.sent.update(ids)
            target = ids[0]
        else:
            what, target = "media", request.url.rsplit("/", 1)[1]
        mode = self._fault(what, target)
        if mode is not None:
            self.injected.append((what, mode))
            self.log.append(f"{what} {mode}")
            if mode == "500":
                problem = {"type": "about:blank", "title": "Internal Server Error", "status": 500}
                route.fulfill(status=500, content_type="application/problem+json", body=json.dumps(problem))
            elif mode == "reset":
                route.abort("connectionreset")  # before the server sees it (a dead connection, a mid-upload close)
            else:
                route.fetch()  # the server does it...
                route.abort("connectionclosed" if mode == "answer-lost" else "timedout")  # ...the phone never hears
            return
        response = route.fetch()
        self.log.append(f"{what} {response.status}")
        if what == "sync" and response.status == 200:
            self.outcomes.update(r["outcome"] for r in response.json()["results"])
        route.fulfill(response=response)


def replay_until_synced(page: Any, network: FlakyNetwork, timeout_s: float = 60) -> None:
    """Taps "Sync now" whenever the app is not replaying, until nothing waits. (The app retries by itself with
    a backoff growing to a minute; the taps keep the test short.)"""
    deadline = time.monotonic() + timeout_s
    state = """() => {
        const pending = document.querySelector('[data-testid=status-pending]')?.dataset.pending;
        const button = document.querySelector('[data-testid=sync-now]');
        return {pending, idle: button !== null && button.getAttribute('aria-disabled') !== 'true'};
    }"""
    while True:
        now = page.evaluate(state)
        if now["pending"] == "0":
            return
        assert time.monotonic() < deadline, f"still {now['pending']} waiting after {timeout_s} s: {network}"
        if now["idle"]:
            seen = network.requests
            try:
                page.get_by_test_id("sync-now").click(timeout=1_000, no_wait_after=True)
            except PlaywrightTimeoutError:
                continue  # the round that was ending sent everything: the button went
            waited = time.monotonic()
            while network.requests == seen and time.monotonic() - waited < 1:
                page.wait_for_timeout(25)  # Playwright answers the routed requests while it waits
        else:
            page.wait_for_timeout(25)


def test_a_hundred_actions_replayed_across_twenty_failures_arrive_exactly_once(
    browser: Any, phones: Phones, server: Server, photos: Any, screenshot: Any
) -> None:
    # 89 parcels to load, then the start and two actions at each of five stops: 100 actions.
    sizes = (18, 18, 18, 18, 17)
    barcodes = [[f"FLK-{o + 1}-{p + 1:02d}" for p in range(n)] for o, n in enumerate(sizes)]
    day = publish_driver_day(server, "Driver flaky e2e", barcodes)
    # No service worker here, and no context.set_offline: with a worker controlling the page, the first sync
    # after set_offline(False) now and then (2 runs in about 15, under load) reached the server without
    # passing through the route, and every request must meet the faults. The worker's offline role is the
    # offline and conflict tests'; this one is about the outbox. The server is out of reach by the route.
    context = phones.driver(browser, service_workers="block")
    network = FlakyNetwork(faults=20)
    context.route("**/api/sync", network)
    context.route("**/api/media/*", network)
    page = context.new_page()
    sign_in(page, day)

    # The server cannot be reached (a dead spot: every upload and sync fails) while the driver loads the van
    # and does the round.
    network.down = True
    page.get_by_test_id("open-load").click()
    expect(page.get_by_test_id("load-screen")).to_be_visible()
    for code in day.barcodes:
        type_barcode(page, code, wait=False)  # as fast as a handheld scanner's keystrokes
    expect(page.get_by_test_id("load-progress")).to_have_attribute("data-loaded", str(len(day.barcodes)))
    expect(page.locator('[data-testid="load-item"][data-loaded="false"]')).to_have_count(0)
    page.get_by_test_id("load-back").click()
    start_route(page)
    for number, stop in enumerate(day.stops, start=1):
        open_stop(page, stop)
        arrive(page)
        if number < len(day.stops):
            name = stop["order"]["recipient_name"]
            deliver(page, number, name=name, photo=photos(f"flaky-{number}"), signature=number)
        else:
            fail(page, number, reason="no_access", note="Gate locked", photo=photos("flaky-gate"))
    actions = len(day.barcodes) + 1 + 2 * len(day.stops)
    assert actions == 100
    expect_pending(page, actions)
    expect(page.get_by_test_id("status-error")).to_have_text("No connection to the server.")
    assert network.unreachable > 0 and network.log == [], network
    assert sync_commands(server, day.driver_id) == []

    # The server is back, through a network that fails 20 times more: the app retries (nudged with "Sync
    # now" rather than waiting out its backoff, which grows to a minute) until everything is in.
    network.down = False
    replay_until_synced(page, network)
    expect(page.get_by_test_id("status-pending")).to_have_text("All synced")
    screenshot(page, "synced")

    # 0 lost, 0 duplicated: the server recorded each of the app's 100 commands once, and applied each.
    commands = sync_commands(server, day.driver_id)
    assert len(network.sent) == actions
    assert {c[0] for c in commands} == network.sent
    assert len(commands) == actions
    assert Counter(outcome for _, _, outcome, _ in commands) == {"applied": actions}
    assert Counter(kind for _, kind, _, _ in commands) == {
        "parcel.scan": 89,
        "route.start": 1,
        "stop.arrive": 5,
        "stop.deliver": 4,
        "stop.fail": 1,
    }
    scanned = Counter(e["payload"]["barcode"] for e in events(day.admin, "parcel.scanned"))
    assert scanned == Counter(day.barcodes), "a parcel scan was lost or recorded twice"
    stop_ids = Counter(s["id"] for s in day.stops)
    assert Counter(e["payload"]["stop_id"] for e in events(day.admin, "stop.arrived")) == stop_ids
    assert Counter(e["payload"]["stop_id"] for e in events(day.admin, "stop.completed")) == stop_ids
    assert len(events(day.admin, "route.started")) == 1
    statuses = day.stop_status()
    assert [statuses[s["id"]] for s in day.stops] == ["completed"] * 4 + ["failed"]
    for stop in day.stops:
        proofs = day.proofs(stop["order_id"])
        assert len(proofs) == 1, proofs
        assert len(proofs[0]["photos"]) == 1
    # the failed order may be placed again by live re-planning; the four delivered are delivered
    assert [day.order(s["order_id"])["status"] for s in day.stops[:4]] == ["delivered"] * 4

    # The network did fail 20 times, each way on both kinds of request. Each batch was applied by a request
    # whose answer was lost: the replays after it were answered "duplicate", and that is what the app heard.
    assert Counter(network.injected) == {
        **{("sync", mode): 2 for mode in FlakyNetwork.MODES},
        **{("media", mode): 3 for mode in FlakyNetwork.MODES},
    }, network
    assert network.outcomes == {"duplicate": actions}, network


def test_a_delivery_to_a_stop_cancelled_while_offline_is_refused_and_kept_for_dispatch(
    browser: Any, phones: Phones, server: Server, photos: Any, screenshot: Any
) -> None:
    day = publish_driver_day(server, "Driver conflict e2e", [["CNF-1"], ["CNF-2"], ["CNF-3"]])
    context = phones.driver(browser)
    page = context.new_page()
    sign_in(page, day)
    first, cancelled = day.stops[0], day.stops[1]
    name = cancelled["order"]["recipient_name"]
    wait_for_service_worker(page)

    # At the depot the phone loses the network; the driver starts and works on.
    go_offline(context, page)
    start_route(page)
    open_stop(page, first)
    arrive(page)
    deliver(page, 1, name="Aino Asiakas", signature=0)
    open_stop(page, cancelled)
    arrive(page)
    deliver(page, 2, name=f"{name} herself", photo=photos("cancelled"), signature=1)
    expect_pending(page, 5)

    # Meanwhile the customer phones dispatch, who cancel the order (the server has not seen the start).
    response = day.admin.post(
        f"/api/orders/{cancelled['order_id']}/transitions", json={"to": "cancelled", "reason": "customer called"}
    )
    assert response.status_code == 200, response.text

    go_online(context, page)
    expect_pending(page, 0, SYNC_TIMEOUT_MS)
    banner = page.get_by_test_id("rejected-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(f"Stop 2 ({name})")
    items = banner.get_by_test_id("rejected-item")
    expect(items.filter(has_text="cancelled")).not_to_have_count(0)
    assert {items.nth(i).get_attribute("data-reason") for i in range(items.count())} == {"stop_cancelled"}
    assert_no_sideways_scroll(page)
    screenshot(page, "rejected")

    # Nothing lost: the proof is kept as a conflict, with its photo and signature; the rest applied.
    conflicts = [p for p in day.admin.get("/api/proofs/conflicts").json() if p["order_id"] == cancelled["order_id"]]
    assert len(conflicts) == 1, conflicts
    conflict = conflicts[0]
    assert conflict["kind"] == "delivered" and conflict["conflict_reason"] == "stop_cancelled", conflict
    assert conflict["recipient_name"] == f"{name} herself"
    assert len(conflict["photos"]) == 1 and conflict["signature"], conflict
    assert_media_is_an_image(day, conflict["photos"][0])
    assert_media_is_an_image(day, conflict["signature"])
    assert day.order(cancelled["order_id"])["status"] == "cancelled"
    assert day.order(first["order_id"])["status"] == "delivered"
    assert [p["status"] for p in day.proofs(first["order_id"])] == ["accepted"]
    assert day.server_route()["status"] == "in_progress"
    commands = sync_commands(server, day.driver_id)
    outcomes = Counter((kind, outcome, reason) for _, kind, outcome, reason in commands)
    assert outcomes == {
        ("route.start", "applied", None): 1,
        ("stop.arrive", "applied", None): 1,
        ("stop.deliver", "applied", None): 1,
        ("stop.arrive", "rejected", "stop_cancelled"): 1,
        ("stop.deliver", "rejected", "stop_cancelled"): 1,
    }, outcomes

    # The driver reads it and dismisses it.
    banner.get_by_test_id("rejected-dismiss").click()
    expect(banner).to_have_count(0)

    # The dispatcher sees it under "Refused driver actions", with the photo and the signature.
    desk = phones.open(browser, **DESKTOP).new_page()
    desk.goto("/dispatch")
    desk.get_by_label("Email").fill(day.emails["admin"])
    desk.get_by_label("Password", exact=True).fill(PASSWORD)
    desk.get_by_role("button", name="Sign in").click()
    panel = desk.get_by_test_id("conflicts-panel")
    expect(panel).to_be_visible(timeout=15_000)
    item = panel.get_by_test_id("conflict-item").filter(has_text=f"{name} herself")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("the stop had been cancelled")
    expect(item.locator("img")).to_have_count(2)
    item.scroll_into_view_if_needed()
    desk.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=conflict-item] img')]"
        ".every((i) => i.complete && i.naturalWidth > 0)"
    )
    screenshot(desk, "dispatch-needs-attention")
    # the day's proofs beside it: the delivery that was applied, and the refused one marked so
    proofs = desk.get_by_test_id("proofs-panel")
    expect(proofs).to_be_visible()
    expect(proofs.get_by_test_id("proof-item").filter(has_text="Delivered:")).to_have_count(2)
    refused = proofs.get_by_test_id("proof-item").filter(has_text="refused, see Refused driver actions")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text(name)
    expect(refused.locator("img")).to_have_count(2)
    proofs.scroll_into_view_if_needed()
    screenshot(desk, "dispatch-proofs")
