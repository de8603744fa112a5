"""The dispatcher moves a stop to another driver's route from the stop table ("Move to…"), on a published day:
the stop leaves one table and shows up in the other, marked as kept there; a move the server refuses (the
other van lacks the skill the order needs) shows the server's words in the dialog. The plan's summary says
how many stops would be late and the routes' total time.

Its own organization (a depot, two vans with a driver each, seven orders in central Helsinki), made as
test_dispatch.py makes its own, in a time zone where it is working hours now; the day is planned and
published through the API, so the test looks at the move itself.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Server
from tests.e2e.test_dispatch import (
    ADDRESSES,
    DESKTOP,
    PASSWORD,
    PLAN_TIMEOUT_MS,
    TIMEZONE,
    _offline_page,
    assert_no_sideways_scroll,
    create,
    new_organization,
    sign_in,
)

pytestmark = pytest.mark.e2e


@dataclass
class Day:
    admin: httpx.Client
    dispatcher: str
    plan: dict[str, Any]
    names: dict[str, str]  # vehicle id → "Van A · Dave Driver"
    fridge_order: str
    recipients: dict[str, str]  # order id → recipient name


@pytest.fixture(scope="module")
def day(server: Server) -> Day:
    if server.env is None:
        pytest.skip("a new organization needs `doorstep createuser` against the server's own database")
    suffix = uuid.uuid4().hex[:8]
    admin = new_organization(server, f"Reassign e2e {suffix}", f"admin.{suffix}@e2e.doorstep.dev", PASSWORD)
    dispatcher = f"dispatcher.{suffix}@e2e.doorstep.dev"
    create(
        admin,
        "/api/users",
        {"email": dispatcher, "name": "Dina Dispatcher", "role": "dispatcher", "password": PASSWORD},
    )
    drivers = [
        create(
            admin,
            "/api/users",
            {
                "email": f"{who.lower()}.{suffix}@e2e.doorstep.dev",
                "name": f"{who} Driver",
                "role": "driver",
                "password": PASSWORD,
            },
        )
        for who in ("Dave", "Erin")
    ]
    local_now = datetime.now(ZoneInfo(TIMEZONE))
    start = (local_now + timedelta(minutes=20 + 15)).replace(second=0, microsecond=0)
    start -= timedelta(minutes=start.minute % 15)
    end = min(start + timedelta(hours=8), start.replace(hour=23, minute=59))
    depot_id = create(admin, "/api/locations", {"kind": "depot", **ADDRESSES["depot"]})["id"]
    names = {}
    for vehicle_name, driver, skills in (("Van A", drivers[0], ["fridge"]), ("Van B", drivers[1], [])):
        vehicle = create(
            admin,
            "/api/vehicles",
            {
                "name": vehicle_name,
                "profile": "van",
                "capacity_kg": 500.0,
                "capacity_l": 3000.0,
                "capacity_parcels": 4,  # seven parcels need both vans
                "shift_start": f"{start:%H:%M}:00",
                "shift_end": f"{end:%H:%M}:00",
                "depot_id": depot_id,
                "driver_id": driver["id"],
                "skills": skills,
            },
        )
        names[vehicle["id"]] = f"{vehicle_name} · {driver['name']}"
    orders = [
        create(admin, "/api/orders", {"recipient_name": f"Recipient {i + 1}", "weight_kg": 2.0, **stop})
        for i, stop in enumerate(ADDRESSES["stops"][:6])
    ]
    fridge = create(
        admin,
        "/api/orders",
        {"recipient_name": "Cold Chain", "weight_kg": 2.0, "required_skills": ["fridge"], **ADDRESSES["stops"][6]},
    )
    response = admin.post(
        "/api/plans",
        json={"service_date": local_now.date().isoformat(), "time_budget_s": 2, "publish": True},
        timeout=PLAN_TIMEOUT_MS / 1000,
    )
    assert response.status_code == 201, response.text
    plan = response.json()
    assert len(plan["routes"]) == 2 and plan["unassigned"] == [], plan
    return Day(
        admin=admin,
        dispatcher=dispatcher,
        plan=plan,
        names=names,
        fridge_order=fridge["id"],
        recipients={o["id"]: o["recipient_name"] for o in [*orders, fridge]},
    )


@pytest.fixture
def desktop(browser: Any, base_url: str) -> Any:
    """A desktop-sized page whose map tiles are answered locally (as test_dispatch.py's)."""
    context = browser.new_context(base_url=base_url, **DESKTOP)
    context.set_default_timeout(15_000)
    yield from _offline_page(context)


def stop_table(page: Any, route_id: str) -> Any:
    """A route's stop table, its <details> opened."""
    details = page.locator(f"details#stops-{route_id}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return details


def test_dispatcher_moves_a_stop_to_another_drivers_route(desktop: Any, day: Day, screenshot: Any) -> None:
    page = desktop
    routes = {r["id"]: day.admin.get(f"/api/routes/{r['id']}").json() for r in day.plan["routes"]}
    # from the fuller route to the other, a stop that needs no fridge (either van can take it)
    source = max(routes.values(), key=lambda r: len(r["stops"]))
    target = next(r for r in routes.values() if r["id"] != source["id"])
    stop = next(s for s in source["stops"] if s["order_id"] and s["order_id"] != day.fridge_order)
    who = day.recipients[stop["order_id"]]
    target_name = day.names[target["vehicle_id"]]

    page.goto("/")
    sign_in(page, day.dispatcher)
    page.get_by_role("link", name="Dispatch").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("Published")
    # the summary: no stop late in this plan, and the routes' time out beside the driving time
    expect(page.get_by_test_id("plan-late")).to_have_text("No stop late")
    expect(page.get_by_test_id("plan-route-time")).to_contain_text("route time")

    rows = stop_table(page, source["id"]).get_by_test_id("stop-row")
    row = rows.filter(has_text=who)
    expect(row).to_have_count(1)
    row.get_by_role("button", name=re.compile(r"^Move to")).click()
    dialog = page.get_by_role("dialog", name=f"Move {who} to another route")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Route").select_option(label=target_name)
    screenshot(page, "move-dialog")
    with page.expect_response(re.compile(r"/reassign$")) as answered:
        dialog.get_by_role("button", name="Move stop").click()
    assert answered.value.status == 200, answered.value.text()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("move-notice")).to_have_text(
        re.compile(rf"^{who} is stop \d+ of {re.escape(target_name)} now\.$")
    )
    expect(page.get_by_test_id("move-notice")).to_be_focused()

    # gone from one table, in the other, marked as kept there (later re-plans leave it on that van)
    expect(stop_table(page, source["id"]).get_by_test_id("stop-row").filter(has_text=who)).to_have_count(0)
    moved = stop_table(page, target["id"]).get_by_test_id("stop-row").filter(has_text=who)
    expect(moved).to_have_count(1)
    expect(moved).to_contain_text("Kept on this route")
    on_server = day.admin.get(f"/api/routes/{target['id']}").json()
    assert stop["order_id"] in {s["order_id"] for s in on_server["stops"]}
    assert_no_sideways_scroll(page)
    moved.scroll_into_view_if_needed()
    screenshot(page, "moved")

    # the Cold Chain order needs Van A's fridge: the server refuses to give it to Van B, and says why
    fridge_route = next(
        r
        for r in (day.admin.get(f"/api/routes/{rid}").json() for rid in routes)
        if any(s["order_id"] == day.fridge_order for s in r["stops"])
    )
    other = next(r for r in routes.values() if r["id"] != fridge_route["id"])
    cold = stop_table(page, fridge_route["id"]).get_by_test_id("stop-row").filter(has_text="Cold Chain")
    cold.get_by_role("button", name=re.compile(r"^Move to")).click()
    dialog = page.get_by_role("dialog", name="Move Cold Chain to another route")
    dialog.get_by_label("Route").select_option(label=day.names[other["vehicle_id"]])
    dialog.get_by_role("button", name="Move stop").click()
    expect(dialog.get_by_role("alert")).to_contain_text("lacks what this order needs: fridge")
    screenshot(page, "refused")
    dialog.get_by_role("button", name="Keep it here").click()
    expect(dialog).to_be_hidden()

    # on a phone: the table and the dialog fit the screen
    page.set_viewport_size({"width": 360, "height": 740})
    assert_no_sideways_scroll(page)
    moved.get_by_role("button", name=re.compile(r"^Move to")).click()
    dialog = page.get_by_role("dialog", name=f"Move {who} to another route")
    expect(dialog).to_be_visible()
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    screenshot(page, "phone-dialog")
    dialog.get_by_role("button", name="Keep it here").click()
    expect(stop_table(page, fridge_route["id"]).get_by_test_id("stop-row").filter(has_text="Cold Chain")).to_have_count(
        1
    )
