"""The carrier screen (/carrier) in headless Chromium, against the real demo server.

The demo's shipper gives four deliveries to its courier company (backend/demo/seed.py). The courier's dispatcher
(carrier@demo.doorstep.dev, printed by `doorstep demo`) signs in on the shell and lands on /carrier, which lists
exactly the orders given to the carrier, none of the shipper's own; a search finds by reference. One order is
marked picked up, then delivered with who took it and a photo; each step reaches the shipper's API (status,
proof, the photo), every update carrying an Idempotency-Key. The shipper cancels another while the carrier's
page still shows it: "Picked up" then shows the server's refusal and the order moves to a Cancelled tab. At
360 px and at 1280 px.
"""

from __future__ import annotations

import io
import re
from typing import Any

import httpx
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.e2e.test_dispatch import api_session
from tests.e2e.test_shell import assert_fits_a_phone

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "doorstep-demo"
CARRIER_EMAIL = "carrier@demo.doorstep.dev"  # printed by `doorstep demo`
SHIPPER_ADMIN = "admin@demo.doorstep.dev"
CARRIER_NAME = "Kaupunkikuriiri Oy"
TIMEOUT_MS = 15_000


def door_photo() -> dict[str, Any]:
    """A 1280x960 JPEG like a phone's photo of a parcel at a door, as the file picker hands it over."""
    image = Image.new("RGB", (1280, 960), (190, 175, 150))
    draw = ImageDraw.Draw(image)
    draw.rectangle((400, 100, 880, 960), fill=(120, 70, 40), outline=(60, 30, 10), width=10)  # the door
    draw.rectangle((520, 700, 760, 900), fill=(200, 150, 90), outline=(90, 60, 30), width=8)  # the parcel
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return {"name": "parcel-at-door.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def shipper_order(shipper: httpx.Client, order_id: str) -> dict[str, Any]:
    response = shipper.get(f"/api/orders/{order_id}")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def sign_in(page: Any) -> None:
    page.get_by_label("Email").fill(CARRIER_EMAIL)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def card(page: Any, reference: str) -> Any:
    return page.get_by_test_id("carrier-order").filter(has=page.get_by_role("heading", name=reference, exact=True))


def test_a_carrier_sees_only_its_orders_picks_one_up_delivers_it_and_meets_a_cancellation(
    page: Any, base_url: str, screenshot: Any
) -> None:
    shipper = api_session(base_url, SHIPPER_ADMIN, DEMO_PASSWORD)
    carrier = api_session(base_url, CARRIER_EMAIL, DEMO_PASSWORD)
    carrier_id = carrier.get("/api/auth/me").json()["user"]["organization_id"]
    given = carrier.get("/api/carrier/orders", params={"limit": 200}).json()["items"]
    listed = shipper.get("/api/orders", params={"limit": 200}).json()["items"]
    shippers_orders = [shipper_order(shipper, o["id"]) for o in listed]  # the list has no carrier_id
    assert {o["id"] for o in given} == {o["id"] for o in shippers_orders if o["carrier_id"] == carrier_id}
    kept = [o for o in shippers_orders if o["carrier_id"] is None and (o["external_ref"] or "").startswith("DEMO-")]
    assert len(given) >= 2 and kept, "the demo gives the carrier some orders and keeps the rest"
    waiting = sorted((o for o in given if o["status"] == "created"), key=lambda o: o["reference"])
    assert len(waiting) >= 2, [o["status"] for o in given]
    target, doomed = waiting[0], waiting[1]

    # the shell sends the carrier's dispatcher to the carrier screen
    page.goto("/")
    sign_in(page)
    expect(page).to_have_url(re.compile(r"/carrier$"), timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("carrier-name")).to_have_text(CARRIER_NAME)
    expect(page.get_by_test_id("carrier-tab-to_pick_up")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("carrier-tab-to_pick_up")).to_contain_text(str(len(waiting)))

    # exactly the orders given to the carrier, under their shipper, with what delivering them needs
    cards = page.get_by_test_id("carrier-order")
    expect(cards).to_have_count(len(waiting))
    expect(page.get_by_test_id("carrier-shipper")).to_contain_text(target["shipper"])
    first = card(page, target["reference"])
    expect(first).to_contain_text(target["recipient_name"])
    expect(first).to_contain_text(target["address"])
    expect(first.get_by_role("link", name=target["recipient_phone"])).to_have_attribute(
        "href", "tel:" + target["recipient_phone"]
    )
    for barcode in target["parcels"]:
        expect(first).to_contain_text(barcode)
    expect(first.get_by_test_id("carrier-order-status")).to_have_text("Waiting for pickup")
    total_shown = sum(
        int(page.get_by_test_id(f"carrier-tab-{state}").locator(".carrier-tab-count").inner_text())
        for state in ("to_pick_up", "on_the_way", "done", "failed")
    )
    assert total_shown == len(given)
    search = page.get_by_label("Search")
    search.fill(kept[0]["external_ref"])  # one the shipper kept: not the carrier's to see
    expect(cards).to_have_count(0)
    expect(page.get_by_test_id("carrier-empty")).to_contain_text("Nothing found")
    search.fill(target["reference"].lower())
    expect(cards).to_have_count(1)
    search.fill("")
    expect(cards).to_have_count(len(waiting))
    assert_fits_a_phone(page)
    screenshot(page, "to-pick-up-360")

    # picked up: one update with its key, and the shipper sees the order on its way
    with page.expect_request(re.compile(r"/api/carrier/orders/[^/]+/status$")) as sent:
        first.get_by_role("button", name="Picked up").click()
    assert sent.value.headers.get("idempotency-key"), "every update carries an Idempotency-Key"
    assert sent.value.headers.get("x-csrf-token"), "a session's write carries the CSRF token"
    notice = page.get_by_test_id("carrier-notice")
    expect(notice).to_have_text(f"{target['reference']} picked up: it is on the way.", timeout=TIMEOUT_MS)
    expect(notice).to_be_focused()
    assert shipper_order(shipper, target["id"])["status"] == "out_for_delivery"
    expect(page.get_by_test_id("carrier-tab-on_the_way")).to_contain_text("1")
    expect(cards).to_have_count(len(waiting) - 1)

    # delivered, with who took it and a photo of the parcel at the door
    page.get_by_test_id("carrier-tab-on_the_way").click()
    on_the_way = card(page, target["reference"])
    on_the_way.get_by_role("button", name="Delivered").click()
    who = on_the_way.get_by_label("Who took it? (required)")
    expect(who).to_be_focused()
    on_the_way.get_by_role("button", name="Record delivery").click()
    expect(on_the_way.get_by_role("alert")).to_contain_text("Say who took the parcel")
    on_the_way.get_by_role("button", name=f"It was {target['recipient_name']}").click()
    expect(who).to_have_value(target["recipient_name"])
    who.fill("Neighbour at door B")
    on_the_way.get_by_label("Note (optional)").fill("Left with the neighbour")
    on_the_way.get_by_test_id(f"deliver-{target['id']}-photo-input").set_input_files(door_photo())
    expect(on_the_way.get_by_role("img", name="Photo 1")).to_be_visible(timeout=TIMEOUT_MS)
    screenshot(page, "delivering-360")
    with page.expect_response(re.compile(r"/api/carrier/orders/[^/]+/status$")) as answer:
        on_the_way.get_by_role("button", name="Record delivery").click()
    assert answer.value.status == 200, answer.value.text()
    expect(notice).to_have_text(f"{target['reference']} delivered to Neighbour at door B.", timeout=TIMEOUT_MS)
    assert shipper_order(shipper, target["id"])["status"] == "delivered"
    proofs = shipper.get(f"/api/orders/{target['id']}/proofs").json()
    assert [(p["kind"], p["recipient_name"], p["note"], len(p["photos"])) for p in proofs] == [
        ("delivered", "Neighbour at door B", "Carrier: Left with the neighbour", 1)
    ]
    photo = shipper.get(f"/api/media/{proofs[0]['photos'][0]}")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    page.get_by_test_id("carrier-tab-done").click()
    expect(card(page, target["reference"]).get_by_test_id("carrier-order-status")).to_have_text("Delivered")

    # cancelled by the shipper while the carrier's page still shows it: the server's refusal, in its words
    page.get_by_test_id("carrier-tab-to_pick_up").click()
    stale = card(page, doomed["reference"])
    expect(stale).to_be_visible()
    cancelled = shipper.post(f"/api/orders/{doomed['id']}/transitions", json={"to": "cancelled"})
    assert cancelled.status_code == 200, cancelled.text
    with page.expect_response(re.compile(r"/api/carrier/orders/[^/]+/status$")) as refused:
        stale.get_by_role("button", name="Picked up").click()
    assert refused.value.status == 409, refused.value.text()
    detail = refused.value.json()["detail"]
    expect(notice).to_contain_text(f"{doomed['reference']} was not updated.", timeout=TIMEOUT_MS)
    expect(notice).to_contain_text(detail)
    expect(page.get_by_test_id("carrier-tab-cancelled")).to_contain_text("1", timeout=TIMEOUT_MS)
    assert shipper_order(shipper, doomed["id"])["status"] == "cancelled"
    assert_fits_a_phone(page)
    screenshot(page, "refused-360")

    # a desktop: the same screen, cards side by side
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_test_id("carrier-tab-to_pick_up").click()
    expect(cards).to_have_count(len(waiting) - 2)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"
    screenshot(page, "to-pick-up-1280")
    page.get_by_test_id("carrier-tab-cancelled").click()
    expect(card(page, doomed["reference"]).get_by_test_id("carrier-order-status")).to_have_text(
        "Cancelled by the shipper"
    )
    screenshot(page, "cancelled-1280")


def test_a_shippers_dispatcher_is_told_the_carrier_screen_is_not_theirs(page: Any, screenshot: Any) -> None:
    page.goto("/carrier")
    page.get_by_label("Email").fill("dispatcher@demo.doorstep.dev")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    refusal = page.get_by_test_id("carrier-gate-role")
    expect(refusal).to_contain_text("The carrier screen is for courier companies")
    expect(refusal.get_by_role("heading")).to_be_focused()
    expect(page.get_by_test_id("carrier-order")).to_have_count(0)
    page.get_by_role("link", name="Back to your apps").click()
    expect(page.get_by_role("heading", name="Signed in")).to_be_visible()
    expect(page.get_by_role("heading", name="Carrier", exact=True)).to_have_count(0)  # not one of their apps
    screenshot(page, "shipper-refused")
