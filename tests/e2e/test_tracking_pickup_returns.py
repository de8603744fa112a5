"""The customer's side of in-store pickups and returns, on a phone's tracking page.

A parcel scanned in at a store shows its pickup code and QR on the customer's page, and "I'm here" (curbside,
with a note on where the car is) reaches the store's list of arrived customers. A delivered order's customer
starts a return to a store with a photo of the damage, gets a code, and opens the return's own page with its
QR for the counter.

The module's organization is set up once through `doorstep createuser` and the API (two stores in central
Helsinki, open all day); each test makes its own order and moves it on as the store or the office would.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, Server
from tests.e2e.test_dispatch import DESKTOP, LOCAL_HOSTS, create, new_organization, working_hours_zone

pytestmark = pytest.mark.e2e

TIMEZONE = working_hours_zone(datetime.now(UTC))
PASSWORD = "pickup-returns-e2e-password"
ADDRESSES = json.loads((Path(__file__).resolve().parents[2] / "backend/demo/data/addresses.json").read_text())
# Open from early to late every day: whatever the hour in TIMEZONE (about 10:00 to 15:00), the store is open.
HOURS = {day: [["07:00", "22:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat")}
HOURS["sun"] = [["10:00", "18:00"]]


@dataclass
class Shop:
    admin: httpx.Client
    stores: list[dict[str, Any]]
    """Nearest the customers first."""
    admin_email: str


@pytest.fixture(scope="module")
def shop(server: Server) -> Shop:
    if server.env is None:
        pytest.skip("a new organization needs `doorstep createuser` against the server's own database")
    suffix = uuid.uuid4().hex[:8]
    email = f"admin.{suffix}@e2e.doorstep.dev"
    admin = new_organization(server, f"Pickups e2e {suffix}", email, PASSWORD, TIMEZONE)
    stores = [
        create(admin, "/api/locations", {"kind": "store", **s, "opening_hours": HOURS}) for s in ADDRESSES["stores"]
    ]
    return Shop(admin=admin, stores=stores, admin_email=email)


@pytest.fixture
def phone(browser: Any, base_url: str) -> Iterator[Any]:
    """A customer's phone in the shop's time zone; nothing outside the server is asked for."""
    context = browser.new_context(base_url=base_url, timezone_id=TIMEZONE, **PHONE)
    context.set_default_timeout(10_000)
    outside: list[str] = []
    errors: list[str] = []

    def refuse(route: Any) -> None:
        outside.append(route.request.url)
        route.abort()

    context.route(lambda url: not LOCAL_HOSTS.match(url) and not url.startswith(("data:", "blob:")), refuse)
    context.on("page", lambda page: page.on("pageerror", lambda error: errors.append(str(error))))
    yield context
    context.close()
    assert outside == [], f"the page asked the internet for {outside}"
    assert errors == [], "uncaught errors in the page:\n" + "\n".join(errors)


def token_of(order: dict[str, Any]) -> str:
    return str(order["tracking_url"]).rsplit("/track/", 1)[1]


def assert_image_loaded(page: Any, test_id: str) -> None:
    image = page.get_by_test_id(test_id)
    expect(image).to_be_visible()
    page.wait_for_function("image => image.complete && image.naturalWidth > 0", arg=image.element_handle())
    box = image.bounding_box()
    assert box is not None and box["width"] >= 200, f"the QR is {box} on a 360 px screen: too small to scan"


def assert_no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"


def parcel_photo() -> dict[str, Any]:
    """A 1280x960 JPEG like a phone's photo of a dented box, as the file picker hands it over."""
    image = Image.new("RGB", (1280, 960), (205, 200, 190))
    draw = ImageDraw.Draw(image)
    draw.rectangle((320, 240, 960, 720), fill=(170, 125, 75), outline=(90, 60, 30), width=12)
    draw.polygon([(700, 240), (820, 240), (760, 400)], fill=(120, 85, 50))  # the dent
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return {"name": "dented-box.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def test_a_pickup_shows_its_code_and_qr_and_im_here_reaches_the_store(phone: Any, shop: Shop, screenshot: Any) -> None:
    store = shop.stores[0]
    barcode = f"PK-{uuid.uuid4().hex[:6].upper()}"
    order = create(
        shop.admin,
        "/api/orders",
        {
            "kind": "store_pickup",
            "store_id": store["id"],
            "barcodes": [barcode],
            "recipient_name": "Aino Asiakas",
            **ADDRESSES["stops"][0],
        },
    )
    scanned = shop.admin.post(f"/api/stores/{store['id']}/scan-in", json={"barcode": barcode, "shelf": "B-04"})
    assert scanned.status_code == 200, f"scan-in: {scanned.status_code} {scanned.text}"
    code = scanned.json()["code"]
    assert scanned.json()["status"] == "ready_for_pickup"

    page = phone.new_page()
    page.goto(f"/track/{token_of(order)}")
    card = page.get_by_test_id("track-pickup")
    expect(page.get_by_test_id("track-headline")).to_have_text(f"Ready for pickup at {store['name']}")
    expect(card).to_contain_text(store["address"])
    expect(card).to_contain_text("Open now, until 22:00")
    expect(page.get_by_test_id("track-pickup-code")).to_contain_text(code)
    expect(page.get_by_test_id("track-collect-by")).to_contain_text("Collect by")
    assert_image_loaded(page, "track-pickup-qr")
    expect(page.get_by_test_id("track-live")).to_have_text("Live: this page updates by itself")
    # a parcel waiting at a store: no map of a driver, no instructions for one
    expect(page.locator(".track-map")).to_have_count(0)
    expect(page.get_by_test_id("track-instructions")).to_have_count(0)
    assert_no_sideways_scroll(page)
    screenshot(page, "ready")

    page.get_by_test_id("track-here-button").click()
    form = page.get_by_test_id("track-here-form")
    form.get_by_label("Outside in my car: bring it to me").check()
    form.get_by_label("Where is your car? (optional)").fill("Spot 12, red Skoda")
    screenshot(page, "here-form")
    form.get_by_role("button", name="Tell the store").click()
    done = page.get_by_test_id("track-here-done")
    expect(done).to_contain_text("The store knows you are here")
    expect(done).to_contain_text("Spot 12, red Skoda")
    screenshot(page, "here-done")

    arrived = shop.admin.get(f"/api/stores/{store['id']}/pickups", params={"list": "arrived"})
    assert arrived.status_code == 200, arrived.text
    mine = [p for p in arrived.json() if p["order_id"] == order["id"]]
    assert len(mine) == 1, arrived.json()
    assert mine[0]["customer_arrived_at"] is not None
    assert (mine[0]["curbside"], mine[0]["parking_note"]) == (True, "Spot 12, red Skoda")

    # the state is the server's: a reload still says the store knows
    page.reload()
    expect(page.get_by_test_id("track-here-done")).to_contain_text("The store knows you are here")


def test_a_delivered_order_is_returned_at_a_store_with_a_photo(phone: Any, shop: Shop, screenshot: Any) -> None:
    suffix = uuid.uuid4().hex[:6].upper()
    barcodes = [f"RT-{suffix}-{n}" for n in (1, 2)]
    order = create(
        shop.admin, "/api/orders", {"recipient_name": "Bertil Kund", "barcodes": barcodes, **ADDRESSES["stops"][3]}
    )
    for step in ("planned", "out_for_delivery", "delivered"):
        moved = shop.admin.post(f"/api/orders/{order['id']}/transitions", json={"to": step})
        assert moved.status_code == 200, f"{step}: {moved.status_code} {moved.text}"

    page = phone.new_page()
    uploads: list[int] = []  # statuses of the photo's PUT, which must come before the return's POST
    page.on("response", lambda r: uploads.append(r.status) if r.request.method == "PUT" else None)
    page.goto(f"/track/{token_of(order)}")
    expect(page.get_by_test_id("track-headline")).to_contain_text("Delivered")
    page.get_by_test_id("track-return-start").click()

    form = page.get_by_test_id("track-return-form")
    form.get_by_label(f"Parcel {barcodes[1]}").check()
    form.get_by_label("It arrived damaged").check()
    form.get_by_label("Anything to add? (optional)").fill("The box was crushed on one corner.")
    page.get_by_test_id("track-return-add-photo").click()
    page.get_by_test_id("return-photo-input").set_input_files(parcel_photo())
    expect(form.locator(".photo-thumb")).to_have_count(1)
    # a driver pickup offers the next days from tomorrow, in three windows each
    form.get_by_label("A driver collects it from me").check()
    expect(form.locator("input[name=return-day]")).to_have_count(5)
    expect(form.get_by_label("Tomorrow", exact=False)).to_be_visible()
    expect(form.get_by_label("Evening, 17:00\u201320:00")).to_be_visible()
    screenshot(page, "pickup-choice")
    form.get_by_label("I'll drop it at a store").check()
    stores = page.get_by_test_id("track-return-stores")
    # nearest the delivery address first, each with its distance and whether it is open now
    names = stores.locator(".track-choice-title").all_inner_texts()
    assert sorted(names) == sorted(s["name"] for s in shop.stores) and len(names) == 2, names
    expect(stores.locator(".track-choice-body").first).to_contain_text(" km away")
    expect(stores.locator(".track-choice-body").first).to_contain_text("Open now")
    chosen = names[0]
    stores.get_by_label(chosen).check()
    assert_no_sideways_scroll(page)
    screenshot(page, "form")

    with page.expect_response(lambda r: r.url.endswith("/returns") and r.request.method == "POST") as answer:
        page.get_by_test_id("track-return-submit").click()
    assert answer.value.status == 201, answer.value.text()
    created = answer.value.json()
    assert uploads == [201], f"the photo was not put first: {uploads}"
    done = page.get_by_test_id("track-return-done")
    expect(done).to_contain_text(f"Bring it to {chosen}")
    expect(page.get_by_test_id("track-return-done-code")).to_contain_text(created["code"])
    screenshot(page, "confirmation")

    page.get_by_test_id("track-return-page").click()
    expect(page).to_have_url(re.compile(rf"/track/{token_of(created)}$"))
    expect(page.get_by_test_id("track-headline")).to_have_text(f"Bring your return to {chosen}")
    expect(page.get_by_test_id("track-return-code")).to_contain_text(created["code"])
    expect(page.get_by_test_id("track-return-store")).to_contain_text(chosen)
    assert_image_loaded(page, "track-return-qr")
    expect(page.locator(".track-map")).to_have_count(0)
    assert_no_sideways_scroll(page)
    screenshot(page, "return-page")

    # back on the order's page, this phone remembers the return and links to it
    page.go_back()
    expect(page.get_by_test_id("track-headline")).to_contain_text("Delivered")
    expect(page.get_by_test_id("track-return-started")).to_contain_text(created["code"])
    screenshot(page, "order-page-after")

    returned = shop.admin.get(f"/api/orders/{created['return_order_id']}")
    assert returned.status_code == 200, returned.text
    assert (returned.json()["kind"], returned.json()["status"]) == ("return", "scheduled")


def ready_pickup(shop: Shop, store: dict[str, Any], name: str) -> dict[str, Any]:
    barcode = f"PK-{uuid.uuid4().hex[:6].upper()}"
    order = create(
        shop.admin,
        "/api/orders",
        {
            "kind": "store_pickup",
            "store_id": store["id"],
            "barcodes": [barcode],
            "recipient_name": name,
            **ADDRESSES["stops"][1],
        },
    )
    scanned = shop.admin.post(f"/api/stores/{store['id']}/scan-in", json={"barcode": barcode, "shelf": "C-02"})
    assert scanned.status_code == 200, f"scan-in: {scanned.status_code} {scanned.text}"
    return order


def test_im_here_may_share_the_customers_position_and_the_store_learns_only_the_distance(
    browser: Any, base_url: str, shop: Shop, screenshot: Any
) -> None:
    store = shop.stores[0]
    order = ready_pickup(shop, store, "Ville Sijainti")
    # the phone stands about 220 m north of the store (0.002 degrees of latitude)
    context = browser.new_context(
        base_url=base_url,
        timezone_id=TIMEZONE,
        geolocation={"latitude": store["lat"] + 0.002, "longitude": store["lon"]},
        permissions=["geolocation"],
        **PHONE,
    )
    try:
        page = context.new_page()
        page.goto(f"/track/{token_of(order)}")
        page.get_by_test_id("track-here-button").click()
        share = page.get_by_test_id("track-here-share")
        expect(share).not_to_be_checked()  # asked, never assumed
        share.check()
        assert_no_sideways_scroll(page)
        screenshot(page, "here-share")
        with page.expect_response(lambda r: r.url.endswith("/here") and r.request.method == "POST") as answer:
            page.get_by_role("button", name="Tell the store").click()
        sent = answer.value.request.post_data_json
        assert abs(sent["lat"] - (store["lat"] + 0.002)) < 1e-6 and sent["curbside"] is False, sent
        expect(page.get_by_test_id("track-here-done")).to_contain_text("The store knows you are here")
    finally:
        context.close()
    arrived = shop.admin.get(f"/api/stores/{store['id']}/pickups", params={"list": "arrived"}).json()
    mine = [p for p in arrived if p["order_id"] == order["id"]]
    assert len(mine) == 1 and 200 <= mine[0]["customer_distance_m"] <= 240, mine
    assert "lat" not in mine[0] and "lon" not in mine[0]


def test_the_depot_receives_a_dropped_off_return_from_dispatch_and_restocks_it(
    browser: Any, base_url: str, shop: Shop, screenshot: Any
) -> None:
    store = shop.stores[0]
    place = ADDRESSES["depot"]
    depot = create(
        shop.admin,
        "/api/locations",
        {
            "kind": "depot",
            "name": f"Depot {uuid.uuid4().hex[:4]}",
            "address": place["address"],
            "lat": place["lat"],
            "lon": place["lon"],
        },
    )
    order = create(
        shop.admin,
        "/api/orders",
        {
            "recipient_name": "Riikka Palauttaja",
            "barcodes": [f"RT-{uuid.uuid4().hex[:6].upper()}"],
            **ADDRESSES["stops"][2],
        },
    )
    for step in ("planned", "out_for_delivery", "delivered"):
        moved = shop.admin.post(f"/api/orders/{order['id']}/transitions", json={"to": step})
        assert moved.status_code == 200, moved.text
    started = httpx.post(
        f"{base_url}/api/track/{token_of(order)}/returns",
        json={
            "method": "store_dropoff",
            "reason": "damaged",
            "parcels": [order["parcels"][0]["barcode"]],
            "store_id": store["id"],
            "comment": "Corner crushed",
        },
    )
    assert started.status_code == 201, started.text
    created = started.json()
    taken = shop.admin.post(f"/api/stores/{store['id']}/returns/intake", json={"code": created["code"]})
    assert taken.status_code == 200 and taken.json()["status"] == "collected", taken.text

    context = browser.new_context(base_url=base_url, **DESKTOP)
    context.set_default_timeout(15_000)
    context.route(lambda url: "tile" in url, lambda route: route.abort())  # the map's tiles are not the point here
    try:
        page = context.new_page()
        page.goto("/dispatch")
        page.get_by_label("Email").fill(shop.admin_email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        panel = page.get_by_test_id("returns-panel")
        item = panel.get_by_test_id("return-item").filter(has_text="Riikka Palauttaja")
        expect(item).to_contain_text("dropped at a store")
        expect(item).to_contain_text("Damaged")
        expect(item).to_contain_text("Corner crushed")
        panel.get_by_test_id("return-item").filter(has_text="Riikka Palauttaja").scroll_into_view_if_needed()
        screenshot(page, "returns-to-receive")
        if panel.get_by_test_id("returns-place").count():
            panel.get_by_test_id("returns-place").select_option(label=depot["name"])
        with page.expect_response(lambda r: r.url.endswith("/receive")) as answer:
            item.get_by_test_id("return-restock").click()
        assert answer.value.status == 200, answer.value.text()
        expect(panel.get_by_test_id("returns-outcome")).to_contain_text(f"Restocked at {depot['name']}")
        expect(panel.get_by_test_id("return-item").filter(has_text="Riikka Palauttaja")).to_have_count(0)
        screenshot(page, "return-received")
    finally:
        context.close()
    received = shop.admin.get(f"/api/orders/{created['return_order_id']}").json()
    assert received["status"] == "restocked"
