"""Dispatch's "Needs attention" inbox in a desktop-sized Chromium: the screen is open when a driver fails a stop
through the driving API; the failed attempt appears live at the top of the right-hand column, "Show on plan"
opens its route's stops, "Acknowledge" moves it to the handled ones (for good: a reload keeps it there), and
at a phone's width nothing scrolls sideways.

The organization (its clock at about noon), its admin and driver, the van and two orders are made through
`doorstep createuser` and the API (tests/e2e/driver_day.py), so the demo organization's data never changes
what the inbox lists.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, Server
from tests.e2e.driver_day import PASSWORD, DriverDay, publish_driver_day
from tests.e2e.test_dispatch import DESKTOP, _offline_page, assert_no_sideways_scroll

pytestmark = pytest.mark.e2e

LIVE_TIMEOUT_MS = 15_000  # the relay publishes within a second; the card waits half a second after a burst


@pytest.fixture
def desktop(browser: Any, base_url: str) -> Any:
    context = browser.new_context(base_url=base_url, **DESKTOP)
    context.set_default_timeout(15_000)
    yield from _offline_page(context)


@pytest.fixture
def phone(browser: Any, base_url: str) -> Any:
    context = browser.new_context(base_url=base_url, **PHONE)
    context.set_default_timeout(15_000)
    yield from _offline_page(context)


@pytest.fixture(scope="module")
def day(server: Server) -> DriverDay:
    return publish_driver_day(server, "Inbox e2e", [["INBOX-0001"], ["INBOX-0002"]])


def open_dispatch(page: Any, email: str) -> Any:
    page.goto("/dispatch")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    panel = page.get_by_test_id("inbox-panel")
    expect(panel.get_by_role("heading", name=re.compile(r"^Needs attention"))).to_be_visible()
    return panel


def test_a_failed_attempt_appears_live_and_acknowledging_moves_it_to_handled(
    desktop: Any, day: DriverDay, screenshot: Any
) -> None:
    page = desktop
    panel = open_dispatch(page, day.emails["admin"])
    expect(panel.get_by_test_id("inbox-empty")).to_be_visible()
    expect(panel.get_by_test_id("inbox-count")).to_have_text(re.compile(r"^0"))
    expect(page.get_by_test_id("live-status")).to_contain_text("Live")
    # the card is the first thing in the right-hand column, above the plan
    column = page.locator(".dispatch-plan > *").first
    expect(column).to_have_attribute("data-testid", "inbox-panel")

    route_id, stop = day.route["id"], day.stops[0]
    started = day.driver.post(f"/api/routes/{route_id}/start", json={})
    assert started.status_code == 200, started.text
    failed = day.driver.post(
        f"/api/routes/{route_id}/stops/{stop['id']}/complete", json={"outcome": "failed", "reason": "not_home"}
    )
    assert failed.status_code == 200, failed.text

    item = panel.get_by_test_id("inbox-item")
    expect(item).to_have_count(1, timeout=LIVE_TIMEOUT_MS)  # no reload: the stop.completed event brought it
    expect(item).to_have_attribute("data-kind", "failed_attempt")
    expect(item).to_contain_text(f"Delivery to {stop['order']['recipient_name']} failed at ")
    expect(item).to_contain_text("nobody home")
    expect(item).to_contain_text("Failed attempt")
    expect(panel.get_by_role("heading", name="To sort out (1)")).to_be_visible()
    expect(panel.get_by_test_id("inbox-count")).to_have_text(re.compile(r"^1"))
    assert_no_sideways_scroll(page)
    screenshot(page, "needs-attention")

    # "Show on plan": the route's stop list opens and the route is highlighted on the map
    item.get_by_role("button", name="Show on plan").click()
    stops = page.locator(f"#stops-{route_id}")
    expect(stops).to_have_attribute("open", "")
    expect(stops.locator("summary")).to_be_focused()
    expect(page.get_by_role("button", name=re.compile("Highlighted on map"))).to_have_attribute("aria-pressed", "true")

    item.get_by_role("button", name="Acknowledge").click()
    expect(panel.get_by_test_id("inbox-notice")).to_contain_text("Marked handled: Delivery to")
    expect(panel.get_by_test_id("inbox-empty")).to_be_visible()
    expect(panel.get_by_test_id("inbox-count")).to_have_text(re.compile(r"^0"))
    handled = panel.get_by_test_id("inbox-handled")
    expect(handled.locator("summary")).to_have_text("Handled (1)")
    handled.locator("summary").click()
    expect(handled.get_by_test_id("inbox-item")).to_contain_text("Handled by Ada Admin at ")
    expect(handled.get_by_role("button", name="Acknowledge")).to_have_count(0)
    screenshot(page, "handled")

    # the server keeps it: after a reload it is still handled, and the API says so
    page.reload()
    expect(panel.get_by_test_id("inbox-handled").locator("summary")).to_have_text("Handled (1)")
    expect(panel.get_by_test_id("inbox-empty")).to_be_visible()
    listed = day.admin.get("/api/inbox").json()["items"]
    assert [(i["kind"], i["stop_id"], i["acknowledged"]) for i in listed] == [("failed_attempt", stop["id"], True)]


def test_the_card_fits_a_phone(phone: Any, day: DriverDay, screenshot: Any) -> None:
    route_id, stop = day.route["id"], day.stops[1]
    assert day.driver.post(f"/api/routes/{route_id}/start", json={}).status_code == 200  # started already: harmless
    failed = day.driver.post(
        f"/api/routes/{route_id}/stops/{stop['id']}/complete", json={"outcome": "failed", "reason": "no_access"}
    )
    assert failed.status_code == 200, failed.text
    panel = open_dispatch(phone, day.emails["admin"])
    item = panel.get_by_test_id("inbox-item").filter(has_text=stop["order"]["recipient_name"])
    expect(item).to_contain_text("no access")
    expect(item.get_by_role("button", name="Acknowledge")).to_be_visible()
    box = item.get_by_role("button", name="Acknowledge").bounding_box()
    assert box is not None and box["height"] >= 44, box  # a thumb's target
    assert_no_sideways_scroll(phone)
    panel.scroll_into_view_if_needed()
    screenshot(phone, "phone")
