"""The dispatcher reads the day's KPIs in Dispatch's "Reports": a day where a van delivered four stops and
failed one shows its tiles (the same figures as GET /api/analytics/kpis), a bar per driver with its value and
a table beside it, a 7-day view with a bar per day, and a CSV download with the driver's row; at desktop and
tablet widths, nothing scrolls sideways.

The organization (its clock at about noon), its dispatcher and driver, the van and the orders are made through
`doorstep createuser` and the API; the day is planned and published, and driven through the driving API with
the device's times a few minutes after each planned arrival (the plan starts from now, so those are in the
next hour or two; the figures do not mind).
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, Server
from tests.e2e.test_dispatch import (
    ADDRESSES,
    DESKTOP,
    TABLET,
    _offline_page,
    api_session,
    assert_no_sideways_scroll,
    create,
    new_organization,
    sign_in,
)
from tests.factories import midday_zone

pytestmark = pytest.mark.e2e

PASSWORD = "dispatch-e2e-password"  # what test_dispatch.sign_in types
TIMEZONE = midday_zone()  # about noon there: the dispatch screen opens on today, not tomorrow
LATE_BY_MIN = [4, 9, 2, 15, 6]  # each stop's arrival after its planned time
FAILED_STOP = 2  # the third stop: nobody home


@dataclass
class DrivenDay:
    name: str
    dispatcher_email: str
    admin: httpx.Client
    day: str
    route_id: str


@pytest.fixture(scope="module")
def driven_day(server: Server) -> DrivenDay:
    if server.env is None:
        pytest.skip("a new organization needs `doorstep createuser` against the server's own database")
    suffix = uuid.uuid4().hex[:8]
    name = f"Reports e2e {suffix}"
    admin = new_organization(server, name, f"admin.{suffix}@e2e.doorstep.dev", PASSWORD, TIMEZONE)
    dispatcher_email = f"dispatcher.{suffix}@e2e.doorstep.dev"
    create(
        admin,
        "/api/users",
        {"email": dispatcher_email, "name": "Dina Dispatcher", "role": "dispatcher", "password": PASSWORD},
    )
    driver_email = f"driver.{suffix}@e2e.doorstep.dev"
    driver = create(
        admin, "/api/users", {"email": driver_email, "name": "Dave Driver", "role": "driver", "password": PASSWORD}
    )
    local_now = datetime.now(ZoneInfo(TIMEZONE))
    end = min(local_now + timedelta(hours=8), local_now.replace(hour=23, minute=59))
    depot_id = create(admin, "/api/locations", {"kind": "depot", **ADDRESSES["depot"]})["id"]
    create(
        admin,
        "/api/vehicles",
        {
            "name": "Van A",
            "profile": "van",
            "capacity_kg": 500.0,
            "capacity_l": 3000.0,
            "capacity_parcels": 50,
            "shift_start": "00:00:00",
            "shift_end": end.strftime("%H:%M:00"),
            "depot_id": depot_id,
            "driver_id": driver["id"],
        },
    )
    window = {
        "window_start_at": local_now.replace(microsecond=0).isoformat(),
        "window_end_at": end.replace(second=0, microsecond=0).isoformat(),
    }
    for index in range(len(LATE_BY_MIN)):
        body = {"recipient_name": f"Recipient {index + 1}", "weight_kg": 1.0, **ADDRESSES["stops"][index]}
        create(admin, "/api/orders", {**body, **(window if index % 2 == 0 else {})})
    day = local_now.date().isoformat()
    plan = create(admin, "/api/plans", {"service_date": day, "time_budget_s": 1, "publish": True})
    assert plan["status"] == "published" and plan["unassigned"] == [], plan
    route_id = plan["routes"][0]["id"]
    stops = [s for s in admin.get(f"/api/routes/{route_id}").json()["stops"] if s["order_id"]]
    planned = [datetime.fromisoformat(s["planned_arrival_at"]) for s in stops]
    drive = api_session(server.url, driver_email, PASSWORD)
    response = drive.post(
        f"/api/routes/{route_id}/start", json={"occurred_at": (planned[0] - timedelta(minutes=15)).isoformat()}
    )
    assert response.status_code == 200, response.text
    for index, (stop, at, late) in enumerate(zip(stops, planned, LATE_BY_MIN, strict=True)):
        arrival = at + timedelta(minutes=late)
        response = drive.post(
            f"/api/routes/{route_id}/stops/{stop['id']}/arrive", json={"occurred_at": arrival.isoformat()}
        )
        assert response.status_code == 200, response.text
        outcome = {"outcome": "failed", "reason": "not_home"} if index == FAILED_STOP else {"outcome": "delivered"}
        response = drive.post(
            f"/api/routes/{route_id}/stops/{stop['id']}/complete",
            json={**outcome, "occurred_at": (arrival + timedelta(minutes=3)).isoformat()},
        )
        assert response.status_code == 200, response.text
    return DrivenDay(name=name, dispatcher_email=dispatcher_email, admin=admin, day=day, route_id=route_id)


@pytest.fixture
def desktop(browser: Any, base_url: str) -> Any:
    context = browser.new_context(base_url=base_url, accept_downloads=True, **DESKTOP)
    context.set_default_timeout(15_000)
    yield from _offline_page(context)


@pytest.fixture
def tablet(browser: Any, base_url: str) -> Any:
    context = browser.new_context(base_url=base_url, **TABLET)
    context.set_default_timeout(15_000)
    yield from _offline_page(context)


def open_reports(page: Any, day: DrivenDay) -> Any:
    page.goto("/dispatch")
    sign_in(page, day.dispatcher_email)
    expect(page.get_by_role("heading", name="Dispatch", level=1)).to_be_visible()
    panel = page.get_by_test_id("reports-panel")
    expect(panel.get_by_role("heading", name="Reports")).to_be_visible()
    expect(panel.get_by_test_id("kpi-stops")).to_be_visible()
    panel.scroll_into_view_if_needed()
    return panel


def shot(panel: Any, name: str) -> Path:
    """The Reports card alone, beside the full-page screenshots, for a person to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"test_reports-{name}.png"
    panel.screenshot(path=str(path))
    return path


def percent(rate: float | None) -> str:
    return "\u2013" if rate is None else f"{round(rate * 100)}%"  # the panel's dash for "nothing to measure"


def test_the_dispatcher_reads_the_days_kpis_and_downloads_them(
    desktop: Any, driven_day: DrivenDay, screenshot: Any
) -> None:
    page = desktop
    expected = driven_day.admin.get(
        "/api/analytics/kpis", params={"from": driven_day.day, "to": driven_day.day, "by": "driver"}
    ).json()
    totals = expected["totals"]
    # what the test drove: four delivered, one failed; three with a window, all reached within it
    assert (totals["stops_completed"], totals["stops_failed"], totals["first_attempts"]) == (4, 1, 5)
    assert totals["eta_error_stops"] == 5 and totals["routes"] == 1

    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    panel = open_reports(page, driven_day)
    assert any("/assets/ReportsView-" in url for url in asked), "the reports are not a chunk of their own"
    expect(panel.get_by_test_id("reports-period")).to_contain_text(
        datetime.fromisoformat(driven_day.day).strftime("%-d %b %Y")
    )
    expect(panel.get_by_test_id("kpi-stops")).to_contain_text("4")
    expect(panel.get_by_test_id("kpi-stops")).to_contain_text("1 failed")
    expect(panel.get_by_test_id("kpi-on_time")).to_contain_text(percent(totals["on_time_rate"]))
    expect(panel.get_by_test_id("kpi-first_attempt")).to_contain_text("80%")  # 4 of 5
    expect(panel.get_by_test_id("kpi-first_attempt")).to_contain_text("4 of 5 deliveries")
    expect(panel.get_by_test_id("kpi-eta")).to_contain_text(f"{totals['eta_error_median_min']:.1f} min")
    expect(panel.get_by_test_id("kpi-distance")).to_contain_text("kg CO₂")

    # one bar per driver, labelled with the name and the value; the same in a table
    chart = panel.get_by_test_id("chart-drivers")
    expect(chart.get_by_test_id("chart-bar")).to_have_count(1)
    expect(chart.locator("svg")).to_have_attribute("role", "img")
    expect(chart.locator("text.bar-label")).to_have_text("Dave Driver")
    expect(chart.locator("text.bar-value")).to_have_text("4")
    rows = panel.get_by_test_id("reports-driver-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Dave Driver")
    panel.get_by_label("Chart").select_option("on_time")
    expect(chart.locator("figcaption")).to_have_text("On time per driver")
    expect(chart.locator("text.bar-value")).to_have_text(percent(expected["groups"][0]["on_time_rate"]))
    assert_no_sideways_scroll(page)
    screenshot(page, "desktop-day")
    shot(panel, "desktop-day")

    # the CSV: a download named after the day, with a header row, the driver's row and the totals
    with page.expect_download() as download:
        panel.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename == f"doorstep-kpis-{driven_day.day}-to-{driven_day.day}-by-driver.csv"
    rows_csv = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [r["label"] for r in rows_csv] == ["Dave Driver", "Total"]
    assert rows_csv[0]["stops_completed"] == "4" and rows_csv[1]["stops_failed"] == "1"

    # the week up to today: a bar per day, today's with the four stops
    panel.get_by_role("button", name="7 days").click()
    expect(panel.get_by_role("button", name="7 days")).to_have_attribute("aria-pressed", "true")
    days = panel.get_by_test_id("chart-days")
    expect(days.get_by_test_id("chart-bar")).to_have_count(7)
    expect(days.locator("text.bar-value").last).to_have_text(percent(totals["on_time_rate"]))
    panel.get_by_label("Chart").select_option("stops")
    expect(days.locator("text.bar-value").last).to_have_text("4")
    expect(days.locator("text.bar-value").first).to_have_text("0")
    assert_no_sideways_scroll(page)
    shot(panel, "desktop-week")


def test_the_reports_fit_a_tablet(tablet: Any, driven_day: DrivenDay, screenshot: Any) -> None:
    page = tablet
    panel = open_reports(page, driven_day)
    expect(panel.get_by_test_id("chart-drivers").get_by_test_id("chart-bar")).to_have_count(1)
    panel.get_by_role("button", name="7 days").click()
    expect(panel.get_by_test_id("chart-days").get_by_test_id("chart-bar")).to_have_count(7)
    box = panel.bounding_box()
    assert box is not None and box["width"] <= 768
    assert_no_sideways_scroll(page)
    screenshot(page, "tablet")
    shot(panel, "tablet-week")
