"""The customer's tracking page on a phone, and the dispatch map following the same drivers live.

A customer opens the link of the first stop before the van leaves (planned time, instructions they may
change), sees it go out, sees the driver's marker appear and move and the ETA change as the driver's
phone sends positions, and sees "Delivered" when the driver hands it over; the second stop's customer
never sees where the driver is until theirs is the next stop. An unknown link, and a rate-limited one,
say so plainly. The dispatcher's map shows the driver, stops done and stops running late.

Each test sets up its own organization through `doorstep createuser` and the API (a depot, a van with its
driver, three orders in central Helsinki), plans and publishes the day, and drives it through the API as
the driver would: start the route, post positions, complete a stop. Positions are accepted only while the
route is in progress and with device times not ahead of the server's, so each one is stamped now (the
first a while ago, from further away, so no fix looks like an impossible jump).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, Server
from tests.e2e.test_dispatch import LOCAL_HOSTS, api_session, create, grey_tile, new_organization, working_hours_zone

pytestmark = pytest.mark.e2e

TIMEZONE = working_hours_zone(datetime.now(UTC))
PASSWORD = "tracking-e2e-password"
ADDRESSES = json.loads((Path(__file__).resolve().parents[2] / "backend/demo/data/addresses.json").read_text())
LIVE_TIMEOUT_MS = 10_000  # a position or status: the ingest, the channel, the socket, the page
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
# between fixes: over the dispatch map's 2 s throttle and the server's ETA interval (1 s, conftest.py), and
# slow enough that no fix looks like an impossible jump
FIX_GAP_S = 2.2
EN_DASH = "\u2013"  # between the two ends of a time window


@dataclass
class Day:
    """One organization's published day: the driver's session, the route and its stops in driving order."""

    admin: httpx.Client
    driver: httpx.Client
    emails: dict[str, str]
    route: dict[str, Any]
    depot: dict[str, Any]
    stops: list[dict[str, Any]]
    """The route's order stops in driving order, each with its order's `token` and `recipient_name`."""


def publish_a_day(server: Server, label: str, windows: dict[int, tuple[datetime, datetime]] | None = None) -> Day:
    """A new organization whose day is planned and published: one van, three orders. `windows` gives
    orders (by index) a delivery window."""
    if server.env is None:
        pytest.skip("a new organization needs `doorstep createuser` against the server's own database")
    suffix = uuid.uuid4().hex[:8]
    emails = {role: f"{role}.{suffix}@e2e.doorstep.dev" for role in ("admin", "driver")}
    admin = new_organization(server, f"{label} {suffix}", emails["admin"], PASSWORD, TIMEZONE)
    person = create(
        admin, "/api/users", {"email": emails["driver"], "name": "Dave Driver", "role": "driver", "password": PASSWORD}
    )
    # The shift starts in a few minutes: the planned times are just ahead, and the van may leave early.
    local_now = datetime.now(ZoneInfo(TIMEZONE))
    start = (local_now + timedelta(minutes=5)).replace(second=0, microsecond=0)
    end = min(start + timedelta(hours=6), start.replace(hour=23, minute=59))
    depot_id = create(admin, "/api/locations", {"kind": "depot", **ADDRESSES["depot"]})["id"]
    create(
        admin,
        "/api/vehicles",
        {
            "name": "Van A",
            "profile": "van",
            "capacity_kg": 500.0,
            "capacity_l": 3000.0,
            "capacity_parcels": 20,
            "shift_start": start.strftime("%H:%M:00"),
            "shift_end": end.strftime("%H:%M:00"),
            "depot_id": depot_id,
            "driver_id": person["id"],
        },
    )
    names = ["Aino Asiakas", "Bertil Kund", "Cecilia Client"]
    orders = {}
    for index, name in enumerate(names):
        body: dict[str, Any] = {"recipient_name": name, "weight_kg": 1.0, **ADDRESSES["stops"][index]}
        if windows and index in windows:
            body["window_start_at"], body["window_end_at"] = (w.isoformat() for w in windows[index])
        order = create(admin, "/api/orders", body)
        # the link the customer gets by message: /track/<token> on the server's public address
        token = order["tracking_url"].rsplit("/track/", 1)[1]
        orders[order["id"]] = {"token": token, "recipient_name": name}
    plan = create(
        admin, "/api/plans", {"service_date": local_now.date().isoformat(), "time_budget_s": 1, "publish": True}
    )
    assert plan["status"] == "published" and plan["unassigned"] == [], plan
    driver = api_session(server.url, emails["driver"], PASSWORD)
    response = driver.get("/api/driver/route")
    assert response.status_code == 200, f"GET /api/driver/route: {response.status_code} {response.text}"
    route = response.json()
    stops = [
        {**stop, **orders[stop["order_id"]]}
        for stop in sorted(route["stops"], key=lambda s: s["sequence"])
        if stop["order_id"] is not None
    ]
    assert len(stops) == 3
    return Day(admin=admin, driver=driver, emails=emails, route=route, depot=ADDRESSES["depot"], stops=stops)


def start_route(day: Day) -> None:
    response = day.driver.post(f"/api/routes/{day.route['id']}/start", json={})
    assert response.status_code == 200, f"start: {response.status_code} {response.text}"
    assert response.json()["status"] == "in_progress"


def send_fix(day: Day, lat: float, lon: float, *, ago_s: float = 0.0) -> None:
    """One fix from the driver's phone, stamped now (or `ago_s` earlier); it must be used for the ETAs."""
    at = datetime.now(UTC) - timedelta(seconds=ago_s)
    point = {"lat": lat, "lon": lon, "at": at.isoformat(), "accuracy": 5, "speed": 8}
    response = day.driver.post("/api/positions", json={"points": [point]})
    assert response.status_code == 200, f"POST /api/positions: {response.status_code} {response.text}"
    assert response.json() == {"accepted": 1, "stored_only": 0, "rejected": []}, response.text


def complete_stop(day: Day, stop: dict[str, Any]) -> None:
    response = day.driver.post(
        f"/api/routes/{day.route['id']}/stops/{stop['id']}/complete", json={"outcome": "delivered"}
    )
    assert response.status_code == 200, f"complete: {response.status_code} {response.text}"


def local_clock(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(TIMEZONE)).strftime("%H:%M")


def north_of(stop: dict[str, Any], metres: float) -> tuple[float, float]:
    """A point `metres` north of a stop (a degree of latitude is 111 km)."""
    return stop["lat"] + metres / 111_000, stop["lon"]


def toward(start: dict[str, Any], end: dict[str, Any], fraction: float) -> tuple[float, float]:
    """The point `fraction` of the way from one place to another, as the crow flies."""
    return (
        start["lat"] + (end["lat"] - start["lat"]) * fraction,
        start["lon"] + (end["lon"] - start["lon"]) * fraction,
    )


def _pages(context: Any) -> Iterator[Any]:
    """Pages of a context whose map tiles are answered locally; asking any other host fails the test."""
    tile = grey_tile()
    outside: list[str] = []
    errors: list[str] = []

    def answer_locally(route: Any) -> None:
        url = route.request.url
        if "tile" in url and url.endswith(".png"):
            route.fulfill(status=200, content_type="image/png", body=tile)
        else:
            outside.append(url)
            route.abort()

    context.route(lambda url: not LOCAL_HOSTS.match(url) and not url.startswith("data:"), answer_locally)
    context.on("page", lambda page: page.on("pageerror", lambda error: errors.append(str(error))))
    yield context
    context.close()
    assert outside == [], f"the page asked the internet for {outside}"
    assert errors == [], "uncaught errors in the page:\n" + "\n".join(errors)


@pytest.fixture(autouse=True)
def _live_expectations() -> Iterator[None]:
    """Assertions wait as long as a live change may take to reach the page, in this module only."""
    expect.set_options(timeout=LIVE_TIMEOUT_MS)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default


@pytest.fixture
def phone(browser: Any, base_url: str) -> Iterator[Any]:
    """A phone in the organization's time zone (the customer's clock), 360 px wide."""
    context = browser.new_context(base_url=base_url, timezone_id=TIMEZONE, **PHONE)
    context.set_default_timeout(LIVE_TIMEOUT_MS)
    yield from _pages(context)


@pytest.fixture
def desktop(browser: Any, base_url: str) -> Iterator[Any]:
    context = browser.new_context(base_url=base_url, timezone_id=TIMEZONE, **DESKTOP)
    context.set_default_timeout(15_000)
    yield from _pages(context)


def marker_centre(page: Any, selector: str) -> tuple[float, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not on screen"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5)


def assert_no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"


def tracking_view(base_url: str, token: str) -> dict[str, Any]:
    response = httpx.get(f"{base_url}/api/track/{token}")
    assert response.status_code == 200, f"GET /api/track: {response.status_code} {response.text}"
    view: dict[str, Any] = response.json()
    return view


def eta_text(view: dict[str, Any]) -> str:
    """The ETA line the page must show for a view: "Arriving 14:10-14:25" with an en dash (one time when both
    ends show the same minute)."""
    eta = view["eta"]
    start, end = local_clock(eta["earliest_at"]), local_clock(eta["latest_at"])
    window = start if start == end else f"{start}{EN_DASH}{end}"
    return f"{'Arriving' if eta['live'] else 'Planned for'} {window}"


def wait_until(condition: Any, timeout_s: float = LIVE_TIMEOUT_MS / 1000) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, "the server never got there"
        time.sleep(0.2)


def test_a_customer_follows_their_delivery_live_on_a_phone(
    phone: Any, server: Server, base_url: str, screenshot: Any
) -> None:
    day = publish_a_day(server, "Tracking e2e")
    first, second = day.stops[0], day.stops[1]
    requests: list[str] = []
    phone.on("request", lambda request: requests.append(request.url))
    page = phone.new_page()

    # Before the van leaves: the planned time, and instructions the customer may still change.
    page.goto(f"/track/{first['token']}")
    headline = page.get_by_test_id("track-headline")
    eta = page.get_by_test_id("track-eta")
    expect(headline).to_have_text("Delivery planned")
    planned = tracking_view(base_url, first["token"])
    assert planned["status"] == "planned" and planned["eta"]["live"] is False
    expect(eta).to_have_text(eta_text(planned))
    expect(page.get_by_test_id("track-organization")).to_have_text(re.compile(r"^Tracking e2e "))
    expect(page.get_by_role("status").filter(has_text="Delivery planned")).to_have_count(1)  # read out on change
    expect(page.get_by_text("OpenStreetMap contributors")).to_be_visible()
    expect(page.locator(".track-map .destination-marker")).to_have_count(1)
    expect(page.locator(".track-map .driver-marker")).to_have_count(0)
    instructions = page.get_by_label("Instructions for your driver")
    instructions.fill("Door code 4512, second floor. Ring twice.")
    with page.expect_response(f"**/api/track/{first['token']}") as saved:
        page.get_by_role("button", name="Save instructions").click()
    assert saved.value.request.method == "PATCH" and saved.value.status == 200, saved.value.text()
    expect(page.get_by_text("Saved. Your driver will see these instructions.")).to_be_visible()
    assert_no_sideways_scroll(page)
    screenshot(page, "planned")

    # The van leaves: the page hears it (a status frame, then a fresh snapshot) without a reload.
    start_route(day)
    expect(headline).to_have_text("On its way to you")
    expect(page.get_by_test_id("track-stops-away")).to_have_text("You're the next stop")
    expect(page.get_by_test_id("track-instructions-text")).to_have_text("Door code 4512, second floor. Ring twice.")
    expect(instructions).to_have_count(0)
    expect(page.get_by_test_id("track-live")).to_contain_text("Live")

    # The driver's phone reports in from 2.5 km away: the marker appears, the ETA is live.
    send_fix(day, *north_of(first, 2_500), ago_s=600)
    driver_marker = ".track-map .driver-marker"
    expect(page.locator(driver_marker)).to_have_count(1)
    expect(eta).to_have_text(re.compile(rf"^Arriving \d\d:\d\d({EN_DASH}\d\d:\d\d)?$"))
    far = wait_until(lambda: (v := tracking_view(base_url, first["token"]))["eta"]["live"] and v)
    expect(eta).to_have_text(eta_text(far))
    far_eta = eta.inner_text()
    at_far = marker_centre(page, driver_marker)
    screenshot(page, "driver-far")

    # Back past the depot, a street away: the marker moves (the map zooms in to keep both in sight), the
    # ETA comes minutes forward, and within minutes of the door the order turns "arriving".
    time.sleep(FIX_GAP_S)
    send_fix(day, *toward(day.depot, first, 0.0))
    wait_until(lambda: distance(marker_centre(page, driver_marker), at_far) > 5)
    expect(eta).not_to_have_text(far_eta)
    expect(headline).to_have_text("Your driver is almost there")
    # Closer still, the view settled: the marker moves towards the address.
    time.sleep(FIX_GAP_S)
    destination, at_depot = marker_centre(page, ".track-map .destination-marker"), marker_centre(page, driver_marker)
    send_fix(day, *toward(day.depot, first, 0.4))
    wait_until(lambda: distance(marker_centre(page, driver_marker), at_depot) > 2)
    assert distance(marker_centre(page, ".track-map .destination-marker"), destination) < 1, "the view jumped"
    assert distance(marker_centre(page, driver_marker), destination) < distance(at_depot, destination)
    near = tracking_view(base_url, first["token"])
    assert near["driver"] is not None and near["stops_away"] == 0 and near["status"] == "arriving"
    expect(eta).to_have_text(eta_text(near))
    expect(page.get_by_test_id("track-driver-note")).to_have_text(re.compile(r"^Dave's position at \d\d:\d\d\.$"))
    assert_no_sideways_scroll(page)
    screenshot(page, "driver-near")

    # The second customer's page: one stop before theirs, and no driver on their map (privacy).
    other = phone.new_page()
    other.goto(f"/track/{second['token']}")
    expect(other.get_by_test_id("track-headline")).to_have_text("Your driver is close — 1 stop away")
    expect(other.get_by_test_id("track-live")).to_contain_text("Live")
    page.bring_to_front()
    time.sleep(FIX_GAP_S)
    before = marker_centre(page, driver_marker)
    send_fix(day, *toward(day.depot, first, 0.7))  # still outside the stop's 50 m geofence
    wait_until(lambda: distance(marker_centre(page, driver_marker), before) > 2)  # the fix went out...
    expect(other.locator(".track-map .driver-marker")).to_have_count(0)  # ...to the next customer only
    expect(other.get_by_test_id("track-driver-note")).to_have_text(
        "You'll see your driver on the map when yours is the next stop."
    )
    assert tracking_view(base_url, second["token"])["driver"] is None
    screenshot(other, "second-stop")

    # Handed over: the first page says when; the second customer's stop is the next one now.
    complete_stop(day, first)
    delivered_at = next(
        e["at"] for e in tracking_view(base_url, first["token"])["timeline"] if e["status"] == "delivered"
    )
    expect(headline).to_have_text(f"Delivered at {local_clock(delivered_at)}")
    expect(page.get_by_test_id("track-eta")).to_have_count(0)
    expect(page.locator(".track-map")).to_have_count(0)
    expect(page.get_by_test_id("track-timeline").locator("li").last).to_contain_text("Delivered")
    screenshot(page, "delivered")
    other.bring_to_front()
    time.sleep(FIX_GAP_S)
    send_fix(day, *toward(first, second, 0.2))
    expect(other.locator(".track-map .driver-marker")).to_have_count(1)
    expect(other.get_by_test_id("track-stops-away")).to_have_text("You're the next stop")
    screenshot(other, "second-stop-next")

    staff_code = [url for url in requests if re.search(r"/assets/(DispatchScreen|Driver)", url)]
    assert staff_code == [], f"a customer downloaded staff screens: {staff_code}"
    assert not [url for url in requests if url.endswith("/api/auth/me")], "a customer's page asked who is signed in"


def test_a_link_that_is_not_valid_or_asked_too_often_says_so(phone: Any, screenshot: Any) -> None:
    page = phone.new_page()
    page.goto("/track/0123456789abcdef0123456789abcdef")
    heading = page.get_by_role("heading", name="This tracking link is not valid", level=1)
    expect(heading).to_be_visible()
    expect(heading).to_be_focused()
    expect(page.get_by_text("ask the sender for a new one")).to_be_visible()
    assert_no_sideways_scroll(page)
    screenshot(page, "not-valid")

    # The server's answer to a client past its budget (429 with Retry-After), as it would come.
    problem = {"type": "about:blank", "title": "Too Many Requests", "status": 429, "detail": "Too many requests"}
    page.route(
        "**/api/track/**",
        lambda route: route.fulfill(
            status=429,
            content_type="application/problem+json",
            headers={"Retry-After": "30"},
            body=json.dumps(problem),
        ),
    )
    page.goto("/track/fedcba9876543210fedcba9876543210")
    expect(page.get_by_role("heading", name="Too many requests", level=1)).to_be_visible()
    expect(page.get_by_text("Please wait 30 seconds, then try again.")).to_be_visible()
    screenshot(page, "rate-limited")


def test_the_dispatch_map_follows_the_driver_and_shows_late_and_done_stops(
    desktop: Any, server: Server, screenshot: Any
) -> None:
    # The second order must be there by a few minutes after the shift starts; a driver far away is late.
    local_now = datetime.now(ZoneInfo(TIMEZONE))
    shift_start = (local_now + timedelta(minutes=5)).replace(second=0, microsecond=0)
    day = publish_a_day(
        server, "Dispatch live e2e", windows={1: (local_now - timedelta(hours=1), shift_start + timedelta(minutes=12))}
    )
    late_stop = next(s for s in day.stops if s["recipient_name"] == "Bertil Kund")
    page = desktop.new_page()
    page.goto("/dispatch")
    page.get_by_label("Email").fill(day.emails["admin"])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("Published")
    expect(page.get_by_test_id("live-status")).to_contain_text("Live")
    expect(page.locator(".route-map .stop-marker")).to_have_count(3)
    expect(page.locator(".route-map .driver-marker")).to_have_count(0)

    # On the road, 15 km out: the van on the map under its name, and the windowed stop is late.
    start_route(day)
    expect(page.get_by_test_id("route-status")).to_have_text("On the road", timeout=LIVE_TIMEOUT_MS)
    first = day.stops[0]
    send_fix(day, first["lat"] + 0.05, first["lon"] - 0.25, ago_s=1800)
    van = page.locator(".route-map .driver-marker")
    expect(van).to_have_count(1)
    expect(van.locator(".driver-label")).to_have_text("Van A")
    expect(page.get_by_test_id("route-position")).to_contain_text("Position at")
    late_row = page.get_by_test_id("stop-row").filter(has_text=late_stop["recipient_name"])
    expect(late_row.get_by_test_id("stop-late")).to_have_text("Late")
    expect(late_row).to_have_class(re.compile(r"\bstop-late\b"))
    expect(page.locator(".route-map .stop-marker-late")).to_have_count(1)
    expect(page.get_by_test_id("route-late")).to_have_text("1 stop late")
    expect(page.get_by_test_id("stop-eta").first).to_contain_text(re.compile(r"ETA \d\d:\d\d"))
    far = marker_centre(page, ".route-map .driver-marker")
    screenshot(page, "dispatch-late")

    # The van comes into town: its marker moves (positions reach dispatch every 2 s at most), and with the
    # ETA back inside the window the stop is late no more.
    time.sleep(FIX_GAP_S)
    send_fix(day, *toward(day.depot, first, 0.5))
    wait_until(lambda: distance(marker_centre(page, ".route-map .driver-marker"), far) > 5)
    expect(page.locator(".route-map .stop-marker-late")).to_have_count(0)
    expect(late_row.get_by_test_id("stop-late")).to_have_count(0)

    # The first stop is done: its marker and its row say so.
    complete_stop(day, first)
    first_row = page.get_by_test_id("stop-row").filter(has_text=first["recipient_name"])
    expect(first_row.get_by_test_id("stop-status")).to_have_text(
        re.compile(r"^Done \d\d:\d\d$"), timeout=LIVE_TIMEOUT_MS
    )
    expect(page.locator(".route-map .stop-marker-completed")).to_have_count(1)
    expect(page.locator(".map-legend")).to_contain_text("Late")
    screenshot(page, "dispatch-live")
