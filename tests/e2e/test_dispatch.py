"""The dispatcher's planning screen in a desktop-sized Chromium: plan the day, see it on the map, publish,
add an order that the server's live re-planning places at once, see an order it cannot place and a
cancelled one leave, withdraw a route; a driver is turned away; a refused action shows the server's words.

Each test module gets its own organization (a depot, two vehicles, ten orders in central Helsinki), set
up through `doorstep createuser` and the API, so the demo organization's data never changes the answers.

The live re-planner works from the real clock, inside the vehicles' shifts. So that the test runs alike at
any hour, the organization's time zone is one where it is now working hours (Helsinki's when it is), and
the vehicles' shift starts a little after now: nobody has left the depot, and a stop added mid-route moves
only the arrivals after it.
"""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
import time
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e

# Real zones a few hours apart, around the world: one of them is always in working hours.
ZONES = (
    "Europe/Helsinki",
    "Europe/London",
    "Atlantic/Azores",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Pacific/Honolulu",
    "Pacific/Auckland",
    "Australia/Sydney",
    "Asia/Tokyo",
    "Asia/Bangkok",
    "Asia/Kolkata",
    "Asia/Dubai",
)


def working_hours_zone(now: datetime) -> str:
    """Helsinki if it is 08:00 to 14:59 there now, else the zone whose clock is nearest 11:00."""
    hours = {zone: now.astimezone(ZoneInfo(zone)) for zone in ZONES}
    if 8 <= hours["Europe/Helsinki"].hour < 15:
        return "Europe/Helsinki"
    return min(ZONES, key=lambda zone: abs(hours[zone].hour * 60 + hours[zone].minute - 11 * 60))


TIMEZONE = working_hours_zone(datetime.now(ZoneInfo("UTC")))
LIVE_TIMEOUT_MS = 15_000  # an amendment: the outbox relay, the insertion, the event, the screen's reload
PASSWORD = "dispatch-e2e-password"
ADDRESSES = json.loads((Path(__file__).resolve().parents[2] / "backend/demo/data/addresses.json").read_text())
PLAN_TIMEOUT_MS = 90_000  # the first plan of a session builds the road graph of the extract
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
TABLET = {"viewport": {"width": 768, "height": 1024}, "has_touch": True}
LOCAL_HOSTS = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost)(:\d+)?/")


def grey_tile() -> bytes:
    """A 1x1 light grey PNG: what every map tile becomes, so the test needs no internet."""
    raw = b"\x00\xe6\xe9\xe7"
    chunk = lambda kind, data: (  # noqa: E731 - four lines of PNG are clearer inline
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@dataclass
class Organization:
    name: str
    admin: httpx.Client
    emails: dict[str, str]
    orders: list[dict[str, Any]]
    shift: tuple[str, str]


def api_session(base_url: str, email: str, password: str = PASSWORD) -> httpx.Client:
    """A signed-in API client that sends the CSRF token on writes (for setting up what a test looks at)."""
    client = httpx.Client(base_url=base_url, timeout=PLAN_TIMEOUT_MS / 1000)
    response = client.post("/api/auth/login", json={"email": email, "password": password})
    response.raise_for_status()
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


def create(client: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 201, f"POST {path}: {response.status_code} {response.text}"
    result: dict[str, Any] = response.json()
    return result


def new_organization(
    server: Server, name: str, admin_email: str, password: str, timezone: str = TIMEZONE
) -> httpx.Client:
    """A new organization (in a zone where it is working hours now) made with `doorstep createuser` against the
    server's own database, and its admin's signed-in API session."""
    assert server.env is not None
    subprocess.run(
        [
            str(Path(sys.executable).parent / "doorstep"),
            "createuser",
            "--email",
            admin_email,
            "--name",
            "Ada Admin",
            "--role",
            "admin",
            "--organization",
            name,
            "--timezone",
            timezone,
            "--password",
            password,
        ],
        env=server.env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    return api_session(server.url, admin_email, password)


@pytest.fixture(scope="module")
def organization(server: Server) -> Organization:
    if server.env is None:
        pytest.skip("a new organization needs `doorstep createuser` against the server's own database")
    suffix = uuid.uuid4().hex[:8]
    name = f"Dispatch e2e {suffix}"
    emails = {role: f"{role}.{suffix}@e2e.doorstep.dev" for role in ("admin", "dispatcher", "driver")}
    admin = new_organization(server, name, emails["admin"], PASSWORD)
    create(
        admin,
        "/api/users",
        {"email": emails["dispatcher"], "name": "Dina Dispatcher", "role": "dispatcher", "password": PASSWORD},
    )
    driver = create(
        admin, "/api/users", {"email": emails["driver"], "name": "Dave Driver", "role": "driver", "password": PASSWORD}
    )
    # The shift starts after now (rounded up to a quarter hour, 20 minutes on): the plan departs then.
    local_now = datetime.now(ZoneInfo(TIMEZONE))
    start = (local_now + timedelta(minutes=20 + 15)).replace(second=0, microsecond=0)
    start -= timedelta(minutes=start.minute % 15)
    end = min(start + timedelta(hours=8), start.replace(hour=23, minute=59))
    shift = (start.strftime("%H:%M"), end.strftime("%H:%M"))
    depot = ADDRESSES["depot"]
    depot_id = create(admin, "/api/locations", {"kind": "depot", **depot})["id"]
    for vehicle_name, profile, kg, driver_id in (("Van A", "van", 500.0, driver["id"]), ("Bike B", "bike", 60.0, None)):
        create(
            admin,
            "/api/vehicles",
            {
                "name": vehicle_name,
                "profile": profile,
                "capacity_kg": kg,
                "capacity_l": 3000.0,
                "capacity_parcels": 5,  # nine parcels need both vehicles: two routes, two colours
                "shift_start": f"{shift[0]}:00",
                "shift_end": f"{shift[1]}:00",
                "depot_id": depot_id,
                "driver_id": driver_id,
            },
        )
    orders = [
        create(admin, "/api/orders", {"recipient_name": f"Recipient {i + 1}", "weight_kg": 2.0, **stop})
        for i, stop in enumerate(ADDRESSES["stops"][:9])
    ]
    # Heavier than any vehicle carries: the plan must leave it out and say why.
    piano = ADDRESSES["stops"][9]
    orders.append(create(admin, "/api/orders", {"recipient_name": "Piano Owner", "weight_kg": 2000.0, **piano}))
    return Organization(name=name, admin=admin, emails=emails, orders=orders, shift=shift)


@pytest.fixture
def desktop(browser: Any, base_url: str) -> Any:
    """A desktop-sized page whose map tiles are answered locally; a request to any other host fails the test."""
    context = browser.new_context(base_url=base_url, **DESKTOP)
    context.set_default_timeout(15_000)
    yield from _offline_page(context)


@pytest.fixture
def tablet(browser: Any, base_url: str) -> Any:
    context = browser.new_context(base_url=base_url, **TABLET)
    context.set_default_timeout(15_000)
    yield from _offline_page(context)


def _offline_page(context: Any) -> Any:
    tile = grey_tile()
    outside: list[str] = []

    def answer_locally(route: Any) -> None:
        url = route.request.url
        if "tile" in url and url.endswith(".png"):
            route.fulfill(status=200, content_type="image/png", body=tile)
        else:
            outside.append(url)
            route.abort()

    context.route(lambda url: not LOCAL_HOSTS.match(url) and not url.startswith("data:"), answer_locally)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert outside == [], f"the page asked the internet for {outside}"
    assert errors == [], "uncaught errors in the page:\n" + "\n".join(errors)


def sign_in(page: Any, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def assert_no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"


def local_clock(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(TIMEZONE)).strftime("%H:%M")


def test_dispatcher_plans_the_day_sees_it_on_the_map_publishes_and_follows_live_changes(
    desktop: Any, organization: Organization, screenshot: Any
) -> None:
    page = desktop
    shell_requests: list[str] = []
    page.on("request", lambda request: shell_requests.append(request.url))
    page.goto("/")
    sign_in(page, organization.emails["dispatcher"])
    expect(page.get_by_role("heading", name="Signed in")).to_be_visible()
    assert not [url for url in shell_requests if "DispatchScreen" in url], "the shell downloaded the dispatch chunk"

    with page.expect_request(re.compile(r"/assets/DispatchScreen-.*\.js$")):
        page.get_by_role("link", name="Dispatch").click()
    expect(page).to_have_url(re.compile(r"/dispatch$"))
    expect(page.get_by_role("heading", name="Dispatch", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^No plan for .* yet$"))).to_be_visible()
    expect(page.get_by_test_id("count-waiting")).to_have_text("10")
    expect(page.get_by_test_id("live-status")).to_contain_text("Live")
    expect(page.get_by_text("OpenStreetMap contributors")).to_be_visible()
    expect(page.locator(".route-map path.leaflet-interactive")).to_have_count(10)  # the orders waiting, as dots
    assert_no_sideways_scroll(page)
    screenshot(page, "before-plan")

    page.get_by_label("Time to search for better routes").select_option("2")
    with page.expect_response("**/api/plans", timeout=PLAN_TIMEOUT_MS) as planned:
        page.get_by_role("button", name="Plan the day").click()
    assert planned.value.status == 201
    plan = planned.value.json()
    assert plan["status"] == "draft"
    assert [u["reason"] for u in plan["unassigned"]] == ["capacity"]

    expect(page.get_by_role("heading", name=re.compile(r"^Revision 1 · "))).to_be_visible()
    expect(page.get_by_test_id("plan-status")).to_have_text("Draft")
    cards = page.get_by_test_id("route-card")
    expect(cards).to_have_count(len(plan["routes"]))
    expect(page.get_by_test_id("unassigned")).to_have_count(1)
    expect(page.get_by_test_id("unassigned")).to_contain_text("Piano Owner")
    expect(page.get_by_test_id("unassigned")).to_contain_text("Too large for any vehicle")

    # The map: one line per route along the streets, a numbered marker per stop, the depot.
    lines = page.locator(".route-map path.route-line")
    expect(lines).to_have_count(len(plan["routes"]))
    for index in range(len(plan["routes"])):
        points = lines.nth(index).get_attribute("d") or ""
        assert points.count("L") >= 3, f"route {index} is not drawn along the streets: {points[:80]}"
    assert len(plan["routes"]) == 2
    expect(page.locator(".route-map .stop-marker")).to_have_count(9)
    expect(page.locator(".route-map .depot-marker")).to_have_count(1)

    # Each stop's ETA is the server's planned arrival on the organization's clock.
    first_route = page.request.get(f"/api/routes/{plan['routes'][0]['id']}").json()
    first_stop = next(s for s in first_route["stops"] if s["order_id"] is not None)
    rows = page.locator("details.stops").first.get_by_test_id("stop-row")
    expect(rows.nth(1).locator("td").nth(1)).to_have_text(local_clock(first_stop["planned_arrival_at"]))
    expect(page.get_by_text(f"organization's time zone ({TIMEZONE})")).to_be_visible()
    assert_no_sideways_scroll(page)
    screenshot(page, "draft")

    page.get_by_role("button", name="Publish revision 1").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("Published")
    expect(page.get_by_text(re.compile(r"^Published at \d\d:\d\d"))).to_be_visible()
    expect(page.get_by_test_id("count-planned")).to_have_text("9")
    expect(page.get_by_test_id("count-waiting")).to_have_text("1")
    assert organization.admin.get(f"/api/plans/{plan['id']}").json()["status"] == "published"

    # "Add order" on a published day: the server's live re-planning places it at once, by cheapest insertion,
    # and tells the screen (plan.revised on /ws/dispatch). The van with room is the one with four stops; the
    # new order goes next to its first stop, so the arrivals after it move.
    before = {r["id"]: organization.admin.get(f"/api/routes/{r['id']}").json() for r in plan["routes"]}
    roomy = min(before.values(), key=lambda r: len(r["stops"]))
    first_stop = next(s for s in roomy["stops"] if s["order_id"] is not None)
    etas_before = {s["id"]: s["planned_arrival_at"] for r in before.values() for s in r["stops"] if s["order_id"]}

    page.get_by_label("Recipient").fill("Walk-in Customer")
    page.get_by_label("Address").fill("Next door to the first stop, Helsinki")
    page.locator(".route-map").click(position={"x": 200, "y": 150})  # a click on the map gives a place...
    expect(page.get_by_label("Latitude")).to_have_value(re.compile(r"^60\.\d{6}$"))
    expect(page.get_by_label("Longitude")).to_have_value(re.compile(r"^24\.\d{6}$"))
    page.get_by_label("Latitude").fill(f"{first_stop['lat'] + 0.0012:.6f}")  # ...typed ones do too
    page.get_by_label("Longitude").fill(f"{first_stop['lon'] + 0.0012:.6f}")
    page.get_by_label("From").fill(organization.shift[0])
    page.get_by_label("To", exact=True).fill(organization.shift[1])
    page.get_by_label("Weight (kg)").fill("3")
    with page.expect_response("**/api/orders") as added:
        page.get_by_role("button", name="Add order").click()
    assert added.value.status == 201
    order = added.value.json()
    assert local_clock(order["window_start_at"]) == organization.shift[0]
    expect(page.get_by_text("Order for Walk-in Customer added.")).to_be_visible()

    # The new stop is on the route, in the table and on the map, within seconds.
    stop_rows = page.get_by_test_id("stop-row")
    expect(stop_rows.filter(has_text="Walk-in Customer")).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    expect(page.locator(".route-map .stop-marker")).to_have_count(10)
    expect(page.get_by_test_id("count-planned")).to_have_text("10")
    expect(page.get_by_test_id("count-waiting")).to_have_text("1")  # the piano, still

    # The notice says what the server said: why, and its counts.
    revised = revision_for(organization.admin, lambda p: order["id"] in p["diff"]["added"])
    assert revised["reason"] == "order created"
    assert revised["diff"]["added"] == [order["id"]] and revised["diff"]["churn"] == 0
    assert revised["eta_changes"] >= 1, "a stop added before others moves their arrivals"
    notice = page.get_by_test_id("revision-notice")
    expect(notice).to_contain_text(f"New order placed: +1 stop, {count(revised['eta_changes'], 'ETA')} changed")

    # Old → new ETAs, the old one as it was on screen: what the server had before the amendment.
    moved = page.get_by_test_id("eta-change")
    expect(moved.first).to_be_visible()
    etas_after = {
        s["id"]: s["planned_arrival_at"]
        for r in plan["routes"]
        for s in organization.admin.get(f"/api/routes/{r['id']}").json()["stops"]
        if s["order_id"]
    }
    changed = [s for s in etas_before if local_clock(etas_before[s]) != local_clock(etas_after[s])]
    assert changed, "the server moved no arrival"
    for index in range(moved.count()):
        was = moved.nth(index).locator("del time").get_attribute("datetime") or ""
        now = moved.nth(index).locator("ins time").get_attribute("datetime") or ""
        assert was in {etas_before[s] for s in changed}, f"{was} was not an arrival the server moved"
        assert datetime.fromisoformat(now) != datetime.fromisoformat(was)
    expect(moved.first).to_contain_text(re.compile(r"\d\d:\d\d.*→.*\d\d:\d\d.*\([+\u2212]\d+ min\)"))
    expect(page.locator(".route-map .stop-marker-changed").first).to_be_visible()
    assert_no_sideways_scroll(page)
    screenshot(page, "revised")

    # Both vans are full now: an order phoned in is left out, and the notice says why.
    late = create(
        organization.admin, "/api/orders", {"recipient_name": "Too Late", "weight_kg": 1.0, **ADDRESSES["stops"][11]}
    )
    unplaced = page.get_by_test_id("revision-unplaced")
    expect(unplaced).to_contain_text("Too Late", timeout=LIVE_TIMEOUT_MS)
    expect(unplaced).to_contain_text("Vehicles are full")
    expect(page.get_by_test_id("unassigned").filter(has_text="Too Late")).to_contain_text("New")
    expect(page.get_by_test_id("count-waiting")).to_have_text("2")
    assert any(
        u["order_id"] == late["id"] and u["reason"] == "fleet_full"
        for u in organization.admin.get(f"/api/plans/{plan['id']}").json()["unassigned"]
    )
    screenshot(page, "unplaced")

    # A cancelled order leaves its route at once; the room it frees takes the order left out.
    gone = next(s for s in roomy["stops"] if s["order_id"] is not None and s["order_id"] != order["id"])
    gone_name = next(o["recipient_name"] for o in organization.orders if o["id"] == gone["order_id"])
    response = organization.admin.post(
        f"/api/orders/{gone['order_id']}/transitions", json={"to": "cancelled", "reason": "customer called"}
    )
    assert response.status_code == 200, response.text
    expect(stop_rows.filter(has_text=gone_name)).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    expect(notice).to_contain_text("Order cancelled")
    expect(stop_rows.filter(has_text="Too Late")).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    expect(page.get_by_test_id("revision-unplaced")).to_have_count(0)
    expect(page.locator(".route-map .stop-marker")).to_have_count(10)
    cancelled = revision_for(organization.admin, lambda p: gone["order_id"] in p["diff"]["removed"])
    assert cancelled["reason"] == "order status_changed"
    screenshot(page, "cancelled")

    page.get_by_role("button", name="Dismiss").click()
    expect(notice).to_have_count(0)

    # "Withdraw route": a dialog asks why; the route's open stops leave it (the other van is full: left out).
    card = page.get_by_test_id("route-card").filter(has_text="Van A")
    card.get_by_role("button", name="Withdraw route").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name="Withdraw Van A?")).to_be_visible()
    dialog.get_by_label("Reason").fill("Van broken down")
    screenshot(page, "withdraw-dialog")
    with page.expect_response(re.compile(r"/api/routes/[0-9a-f-]+/withdraw$")) as withdrawn:
        dialog.get_by_role("button", name="Withdraw route").click()
    assert withdrawn.value.status == 200, withdrawn.value.text()
    expect(dialog).to_have_count(0)
    expect(card.get_by_test_id("route-status")).to_have_text("Withdrawn")
    expect(card.get_by_role("button", name="Withdraw route")).to_have_count(0)
    expect(notice).to_contain_text("Route withdrawn", timeout=LIVE_TIMEOUT_MS)
    expect(page.locator(".route-map path.route-line")).to_have_count(1)
    screenshot(page, "withdrawn")


def count(n: int, one: str) -> str:
    return f"{n} {one if n == 1 else one + 's'}"


def revision_for(admin: httpx.Client, matches: Any, timeout_s: float = LIVE_TIMEOUT_MS / 1000) -> dict[str, Any]:
    """The payload of the newest `plan.revised` event that matches, as the server recorded it."""
    deadline = time.monotonic() + timeout_s
    while True:
        items = admin.get("/api/events", params={"type": "plan.revised", "limit": 50}).json()["items"]
        found = [e["payload"] for e in items if e["type"] == "plan.revised" and matches(e["payload"])]
        if found:
            return min(found, key=lambda p: p["revision"])
        assert time.monotonic() < deadline, "no plan.revised event came"
        time.sleep(0.2)


def test_publishing_an_older_revision_shows_the_servers_reason(
    desktop: Any, organization: Organization, screenshot: Any
) -> None:
    page = desktop
    page.goto("/dispatch")
    expect(page.get_by_text("Sign in as a dispatcher or administrator")).to_be_visible()
    sign_in(page, organization.emails["dispatcher"])
    expect(page.get_by_test_id("live-status")).to_contain_text("Live")
    page.get_by_label("Time to search for better routes").select_option("2")
    with page.expect_response("**/api/plans", timeout=PLAN_TIMEOUT_MS) as planned:
        page.get_by_role("button", name="Plan the day").click()
    mine = planned.value.json()
    expect(page.get_by_role("heading", name=f"Revision {mine['revision']} · ", exact=False)).to_be_visible()

    # Another dispatcher plans the day meanwhile: the screen follows to the newest revision by itself.
    theirs = create(organization.admin, "/api/plans", {"service_date": mine["service_date"], "time_budget_s": 1})
    expect(page.get_by_role("heading", name=re.compile(rf"^Revision {theirs['revision']} · "))).to_be_visible()

    page.get_by_role("button", name=re.compile(rf"Revision {mine['revision']}\b")).click()
    expect(page.get_by_role("heading", name=re.compile(rf"^Revision {mine['revision']} · "))).to_be_visible()
    expect(page.get_by_text(f"Revision {theirs['revision']} is newer")).to_be_visible()
    with page.expect_response(f"**/api/plans/{mine['id']}/publish") as refused:
        page.get_by_role("button", name=f"Publish revision {mine['revision']}").click()
    assert refused.value.status == 409
    assert refused.value.headers["content-type"].startswith("application/problem+json")
    detail = refused.value.json()["detail"]
    expect(page.locator("#publish-error")).to_have_text(detail + ".")
    expect(page.get_by_test_id("plan-status")).to_have_text("Draft")
    screenshot(page, "refused")


def test_a_driver_is_told_dispatch_is_not_for_their_role(
    desktop: Any, organization: Organization, screenshot: Any
) -> None:
    page = desktop
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto("/dispatch")
    sign_in(page, organization.emails["driver"])
    heading = page.get_by_role("heading", name="Dispatch is not for your role")
    expect(heading).to_be_visible()
    expect(heading).to_be_focused()
    expect(page.get_by_text("Dave Driver (driver)")).to_be_visible()
    assert not [url for url in requests if "DispatchScreen" in url], "a driver downloaded the dispatch screen"
    screenshot(page, "driver")
    page.get_by_role("link", name="Back to your apps").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Signed in")).to_be_visible()


def test_the_screen_fits_a_tablet(tablet: Any, organization: Organization, screenshot: Any) -> None:
    page = tablet
    page.goto("/dispatch")
    sign_in(page, organization.emails["dispatcher"])
    expect(page.get_by_test_id("plan-status")).to_be_visible()  # the newest plan of the day opens by itself
    # the published revision, amended live (one route withdrawn), rather than the newest draft
    page.get_by_role("button", name=re.compile(r"Revision 1\b")).click()
    expect(page.get_by_test_id("plan-status")).to_have_text("Published")
    expect(page.locator(".route-map path.route-line").first).to_be_visible()
    assert_no_sideways_scroll(page)
    screenshot(page, "tablet")
