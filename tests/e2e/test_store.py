"""The store screens (/store) on a 360 px phone in headless Chromium, against the real server.

One store's day, start to end: the clerk signs in and shelves an order's two parcels (typed), meeting the
refusals on the way (an unknown barcode, a parcel for another store, a customer's code before the order is
ready); the customer's tracking link shows the pickup code; the customer taps "I'm here" (through the API)
and the clerk's screen shows them at once, with the shelf and the parking note. At the counter, a second
phone whose camera is Chromium's fake one, playing a video of the customer's QR code, reads it: the pickup
card, the name, "ID checked", a signature, "Hand over"; the next read of the same code is refused. The server
has the order picked up with one proof of kind picked_up carrying the signature, and the reserved unit left
the store's stock. Then the customer returns it by store drop-off: the clerk takes it in by its code and
restocks it, and the unit is back in the store's stock.

The organization, its store and stock, the clerk (`doorstep createuser --role store_staff`) and the order are
set up through the CLI and the API (tests/e2e/test_dispatch.py's helpers; the fake camera's video comes from
tests/e2e/driver_day.py).
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, Server
from tests.e2e.driver_day import ADDRESSES, TIMEZONE, qr_video
from tests.e2e.test_dispatch import create, new_organization
from tests.e2e.test_shell import assert_fits_a_phone

pytestmark = pytest.mark.e2e

PASSWORD = "store-e2e-password"
TABLET = {"width": 1024, "height": 768}
LIVE_TIMEOUT_MS = 10_000  # an event goes out when its transaction commits; the relay polls every second anyway


@dataclass
class StoreDay:
    server: Server
    admin: httpx.Client
    admin_email: str
    clerk_email: str
    store: dict[str, Any]
    other_store: dict[str, Any]
    sku: str
    order: dict[str, Any]
    barcodes: list[str]
    other_barcode: str

    @property
    def token(self) -> str:
        """The customer's tracking link: /track/<token>."""
        return str(self.order["tracking_url"]).rsplit("/track/", 1)[1]

    def get(self, path: str, **params: Any) -> Any:
        response = self.admin.get(path, params=params)
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text}"
        return response.json()

    def on_hand(self) -> tuple[int, int]:
        """(on hand, reserved) of the order's SKU at the store."""
        levels = self.get("/api/stock", location_id=self.store["id"], sku=self.sku)["items"]
        assert len(levels) == 1, levels
        return int(levels[0]["on_hand"]), int(levels[0]["reserved"])


def create_store_staff(server: Server, organization: str, email: str) -> None:
    """A clerk of the organization, made as the other people of these tests are: with `doorstep createuser`."""
    assert server.env is not None
    subprocess.run(
        [
            str(Path(sys.executable).parent / "doorstep"),
            "createuser",
            "--email",
            email,
            "--name",
            "Sam Shopkeeper",
            "--role",
            "store_staff",
            "--organization",
            organization,
            "--password",
            PASSWORD,
        ],
        env=server.env,
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture
def store_day(server: Server) -> StoreDay:
    """A new organization with two stores, a clerk on the staff of the first, three mugs in its stock, and a
    store pickup there of two parcels and one mug (reserved when the order is made); and one parcel waiting
    at the other store."""
    if server.env is None:
        pytest.skip("a new organization needs `doorstep createuser` against the server's own database")
    suffix = uuid.uuid4().hex[:8]
    organization = f"Store e2e {suffix}"
    admin_email = f"admin.{suffix}@e2e.doorstep.dev"
    admin = new_organization(server, organization, admin_email, PASSWORD, TIMEZONE)
    clerk_email = f"clerk.{suffix}@e2e.doorstep.dev"
    create_store_staff(server, organization, clerk_email)
    here, there = ADDRESSES["stores"][0], ADDRESSES["stores"][1]
    store = create(admin, "/api/locations", {"kind": "store", **here})
    other_store = create(admin, "/api/locations", {"kind": "store", **there})
    clerk = next(u for u in admin.get("/api/users", params={"limit": 200}).json()["items"] if u["email"] == clerk_email)
    assigned = admin.put(f"/api/stores/{store['id']}/staff", json={"user_ids": [clerk["id"]]})
    assert assigned.status_code == 200, assigned.text

    sku = f"MUG-{suffix[:4].upper()}"
    create(admin, "/api/skus", {"code": sku, "name": "Doorstep mug"})
    create(admin, "/api/stock/receipts", {"location_id": store["id"], "sku": sku, "quantity": 3})
    barcodes = [f"SP-{suffix[:6].upper()}-1", f"SP-{suffix[:6].upper()}-2"]
    customer = ADDRESSES["stops"][0]
    order = create(
        admin,
        "/api/orders",
        {
            "kind": "store_pickup",
            "store_id": store["id"],
            "recipient_name": "Aino Virtanen",
            "barcodes": barcodes,
            "lines": [{"sku": sku, "quantity": 1}],
            **customer,
        },
    )
    other_barcode = f"SP-{suffix[:6].upper()}-X"
    create(
        admin,
        "/api/orders",
        {
            "kind": "store_pickup",
            "store_id": other_store["id"],
            "recipient_name": "Bertil Kund",
            "barcodes": [other_barcode],
            **ADDRESSES["stops"][1],
        },
    )
    return StoreDay(server, admin, admin_email, clerk_email, store, other_store, sku, order, barcodes, other_barcode)


@pytest.fixture
def camera_browsers(browser: Any, tmp_path: Path) -> Iterator[Any]:
    """Launches Chromium with a fake camera playing a QR code of the text given (known only mid-test: the
    customer's code exists once the parcels are in), closed at the end of the test."""
    launched: list[Any] = []

    def launch(text: str) -> Any:
        video = qr_video(text, tmp_path / f"qr-{len(launched)}.y4m")
        chromium = browser.browser_type.launch(
            executable_path=str(CHROMIUM),
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        launched.append(chromium)
        return chromium

    yield launch
    for chromium in launched:
        chromium.close()


def sign_in(page: Any, day: StoreDay, email: str | None = None) -> None:
    page.goto("/store")
    page.get_by_label("Email").fill(email or day.clerk_email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if email is None:
        expect(page.get_by_test_id("store-name")).to_have_text(day.store["name"])
        expect(page.get_by_test_id("store-live")).to_have_attribute("data-state", "live")


def type_code(page: Any, code: str) -> None:
    page.get_by_test_id("scan-manual-input").fill(code)
    page.get_by_test_id("scan-manual-submit").click()


def draw_signature(page: Any) -> None:
    """A signature drawn with the mouse on the pad (pointer events, as a finger's)."""
    pad = page.get_by_test_id("signature-pad")
    expect(page.get_by_test_id("signature-clear")).to_be_visible()
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None and box["width"] > 200, box
    x, y = box["x"] + 30, box["y"] + box["height"] * 0.6
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(x + step * 10, y - 30 * (step % 3 - 1), steps=2)
    page.mouse.up()
    expect(page.get_by_test_id("signature-clear")).not_to_have_attribute("aria-disabled", "true")


def test_a_pickup_is_shelved_announced_live_handed_over_by_camera_and_its_return_restocked(
    page: Any, browser: Any, base_url: str, store_day: StoreDay, camera_browsers: Any, screenshot: Any
) -> None:
    day = store_day
    order_id = day.order["id"]
    assert day.on_hand() == (3, 1)  # the order's mug is reserved at the store

    # -- the clerk's phone: sign in, the counter opens on the only store
    sign_in(page, day)
    expect(page.get_by_test_id("store-tab-counter")).to_be_visible()
    expect(page.get_by_test_id("scan-start-camera")).to_have_text("Scan customer's code")
    assert_fits_a_phone(page)
    screenshot(page, "counter")

    # -- scan in: the shelf once, the parcels typed; refusals say why
    page.get_by_test_id("store-tab-link-scan-in").click()
    result = page.get_by_test_id("scan-result")
    type_code(page, day.barcodes[0])
    expect(result).to_contain_text("Write the shelf first")
    page.get_by_test_id("scan-in-shelf").fill("b-04")
    type_code(page, "NO-SUCH-PARCEL")
    expect(result).to_contain_text("No parcel has this barcode")
    type_code(page, day.other_barcode)
    expect(result).to_contain_text(f"waits at {day.other_store['name']}, not at {day.store['name']}")
    type_code(page, day.barcodes[0])
    expect(result).to_have_text(f"{day.barcodes[0]}: Shelved on B-04 — 1 of 2 parcels in")

    # the code exists from the first parcel, but the counter refuses it until the order is ready
    code = next(p["code"] for p in day.get(f"/api/stores/{day.store['id']}/pickups", list="all"))
    page.get_by_test_id("store-tab-link-counter").click()
    type_code(page, code)
    refusal = page.get_by_test_id("counter-refusal")
    expect(refusal).to_contain_text("This pickup is not ready")
    expect(refusal).to_contain_text("1 parcel(s) of this order are not scanned in yet")
    type_code(page, "AAAAAA")
    expect(refusal).to_contain_text("No pickup with this code at this store")
    assert_fits_a_phone(page)
    screenshot(page, "counter-refusal")

    page.get_by_test_id("store-tab-link-scan-in").click()
    expect(page.get_by_test_id("scan-in-shelf")).to_have_value("B-04")  # kept for the run of parcels
    type_code(page, day.barcodes[1])
    expect(result).to_have_text(f"{day.barcodes[1]}: Shelved on B-04 — ready for pickup (customer will be told)")
    assert_fits_a_phone(page)
    screenshot(page, "scan-in")

    # -- the customer's page has the code; they arrive and say so: the clerk sees them at once
    tracking = httpx.get(f"{base_url}/api/track/{day.token}").json()
    assert tracking["pickup"]["code"] == code
    here = httpx.post(
        f"{base_url}/api/track/{day.token}/here", json={"curbside": True, "parking_note": "Blue Volvo, spot 4"}
    )
    assert here.status_code == 200, here.text
    alert = page.get_by_test_id("arrival-alert")
    expect(alert).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(alert.get_by_test_id("arrival-alert-name")).to_have_text("Aino")
    expect(alert.get_by_test_id("arrival-alert-shelf")).to_have_text("B-04")
    expect(alert).to_contain_text("Curbside: Blue Volvo, spot 4")
    arrivals = page.get_by_test_id("arrivals")
    expect(arrivals).to_have_attribute("data-count", "1")
    expect(arrivals.get_by_test_id("arrival-name")).to_have_text("Aino")
    assert_fits_a_phone(page)
    screenshot(page, "customer-here")

    page.get_by_test_id("store-tab-link-lists").click()
    waiting = page.get_by_test_id("list-waiting").get_by_test_id("pickup-row")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("Aino Virtanen")
    expect(waiting).to_contain_text("here now")
    page.set_viewport_size(TABLET)
    screenshot(page, "lists-tablet")
    # a customer without their phone: chosen from the list, the counter asks for their ID
    waiting.get_by_role("button", name="Hand over to Aino Virtanen").click()
    expect(page.get_by_test_id("pickup-name")).to_have_text("Aino Virtanen")
    expect(page.get_by_test_id("handover-no-code")).to_contain_text("check their ID")
    screenshot(page, "handover-tablet")
    page.get_by_test_id("handover-cancel").click()
    expect(page.get_by_test_id("scan-start-camera")).to_be_visible()

    # -- the counter's other phone, whose camera sees the customer's QR code
    camera = camera_browsers(f"DOORSTEP-PICKUP:{code}")
    counter_context = camera.new_context(base_url=base_url, **PHONE)
    counter_context.set_default_timeout(10_000)
    counter = counter_context.new_page()
    errors: list[str] = []
    counter.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(counter, day)
    # opened after the customer arrived: the list is read on connecting
    expect(counter.get_by_test_id("arrivals")).to_have_attribute("data-count", "1")
    counter.get_by_test_id("scan-start-camera").click()
    card = counter.get_by_test_id("pickup-card")
    expect(card).to_be_visible(timeout=15_000)  # the camera, zxing's download, the first frames
    expect(counter.get_by_test_id("pickup-shelf")).to_have_text("B-04")
    expect(counter.get_by_test_id("pickup-name")).to_have_text("Aino Virtanen")
    expect(counter.get_by_test_id("pickup-parcels")).to_contain_text("2 parcels")
    expect(counter.get_by_test_id("pickup-ready")).to_contain_text("Ready since")
    name = counter.get_by_test_id("handover-name")
    expect(name).to_have_value("Aino Virtanen")
    name.fill("Aino V.")
    counter.get_by_test_id("handover-id-checked").check()
    draw_signature(counter)
    counter.evaluate("window.scrollTo(0, 0)")
    assert_fits_a_phone(counter)
    screenshot(counter, "handover")
    counter.get_by_test_id("handover-submit").click()
    done = counter.get_by_test_id("handover-done")
    expect(done).to_contain_text("Handed over")
    expect(done).to_contain_text("2 parcels from shelf B-04 to Aino V.")
    expect(counter.get_by_test_id("arrivals")).to_have_attribute("data-count", "0")
    screenshot(counter, "handed-over")

    # the same code again (the camera still sees it): refused, with when it was handed over
    counter.get_by_test_id("handover-next").click()
    refused = counter.get_by_test_id("counter-refusal")
    expect(refused).to_contain_text("This pickup was already handed over", timeout=15_000)
    expect(refused).to_contain_text("this code cannot be used again")
    assert_fits_a_phone(counter)
    screenshot(counter, "used-code")
    # the clerk's phone heard it too: nobody is waiting any more
    expect(page.get_by_test_id("arrivals")).to_have_attribute("data-count", "0")
    counter_context.close()
    assert not errors, errors

    order = day.get(f"/api/orders/{order_id}")
    assert order["status"] == "picked_up", order
    proofs = day.get(f"/api/orders/{order_id}/proofs")
    assert [p["kind"] for p in proofs] == ["picked_up"], proofs
    assert proofs[0]["recipient_name"] == "Aino V." and proofs[0]["note"] == "ID checked", proofs
    assert proofs[0]["signature"] and len(proofs[0]["signature"]) == 64, proofs
    signature = day.admin.get(f"/api/media/{proofs[0]['signature']}")
    assert signature.status_code == 200 and signature.headers["content-type"] == "image/png"
    assert day.on_hand() == (2, 0)  # the mug left with the customer

    # -- the customer brings the mug back to the store: taken in by its code, restocked here
    started = httpx.post(
        f"{base_url}/api/track/{day.token}/returns",
        json={
            "method": "store_dropoff",
            "reason": "damaged",
            "items": [{"sku": day.sku, "quantity": 1}],
            "store_id": day.store["id"],
        },
    )
    assert started.status_code == 201, started.text
    return_code = started.json()["code"]
    return_id = started.json()["return_order_id"]
    page.set_viewport_size(PHONE["viewport"])
    page.get_by_test_id("store-tab-link-returns").click()
    type_code(page, f"DOORSTEP-RETURN:{return_code}")
    taken = page.get_by_test_id("return-taken")
    expect(taken).to_contain_text("Return taken in")
    expect(page.get_by_test_id("return-items")).to_have_text(f"1 item ({day.sku} \N{MULTIPLICATION SIGN} 1)")
    assert day.get(f"/api/orders/{return_id}")["status"] == "collected"
    assert_fits_a_phone(page)
    screenshot(page, "return-taken")
    page.get_by_test_id("return-restock").click()
    expect(page.get_by_test_id("return-done-text")).to_have_text(
        f"Restocked at {day.store['name']}: back in stock here."
    )
    screenshot(page, "return-restocked")
    assert day.get(f"/api/orders/{return_id}")["status"] == "restocked"
    assert day.on_hand() == (3, 0)
    # taken in once: the same code again is refused plainly
    page.get_by_test_id("return-next").click()
    type_code(page, return_code)
    expect(page.get_by_test_id("return-refusal")).to_contain_text("it was taken in already or cancelled")


def test_the_office_picks_one_of_several_stores_once_and_the_shell_opens_it(
    page: Any, store_day: StoreDay, screenshot: Any
) -> None:
    day = store_day
    sign_in(page, day, email=day.admin_email)
    picker = page.get_by_test_id("store-picker")
    expect(picker.get_by_role("button")).to_have_count(2)  # an administrator sees every store
    screenshot(page, "picker")
    picker.get_by_role("button", name=day.other_store["name"]).click()
    expect(page.get_by_test_id("store-name")).to_have_text(day.other_store["name"])
    expect(page.get_by_test_id("store-live")).to_have_attribute("data-state", "live")

    # remembered on this device: the shell's Store tile opens it straight away
    page.goto("/")
    page.get_by_role("link", name="Store").click()
    expect(page).to_have_url(re.compile(r"/store$"))
    expect(page.get_by_test_id("store-name")).to_have_text(day.other_store["name"])
    page.get_by_test_id("store-change").click()
    expect(page.get_by_test_id("store-picker")).to_be_visible()


def test_an_order_that_needs_photo_id_is_handed_over_only_once_the_clerk_confirms_it(
    page: Any, store_day: StoreDay, screenshot: Any
) -> None:
    day = store_day
    flagged = day.admin.patch(f"/api/orders/{day.order['id']}", json={"id_check_required": True})
    assert flagged.status_code == 200, flagged.text
    for barcode in day.barcodes:
        scanned = day.admin.post(f"/api/stores/{day.store['id']}/scan-in", json={"barcode": barcode, "shelf": "A-01"})
        assert scanned.status_code == 200, scanned.text
    code = scanned.json()["code"]
    handovers: list[str] = []
    page.on("request", lambda r: handovers.append(r.url) if r.url.endswith("/handover") else None)
    sign_in(page, day)
    type_code(page, code)
    expect(page.get_by_test_id("handover-id-required")).to_contain_text("Photo ID required")
    page.get_by_test_id("handover-submit").click()
    expect(page.get_by_test_id("handover-id-error")).to_contain_text("check it, then tick the box")
    expect(page.get_by_test_id("handover-id-checked")).to_be_focused()
    screenshot(page, "id-required")
    assert handovers == [], "the hand-over was sent without the ID check"
    assert day.get(f"/api/orders/{day.order['id']}")["status"] == "ready_for_pickup"
    page.get_by_test_id("handover-id-checked").check()
    page.get_by_test_id("handover-submit").click()
    expect(page.get_by_test_id("handover-done")).to_contain_text("Aino Virtanen")
    assert day.get(f"/api/orders/{day.order['id']}")["status"] == "picked_up"
    proofs = day.get(f"/api/orders/{day.order['id']}/proofs")
    assert [p["note"] for p in proofs] == ["ID checked"]
