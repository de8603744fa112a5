"""Quiet hours, in the organization's own time: a time-sensitive notice (out for delivery, arriving, ETA changed)
that falls inside them is logged `skipped`; any other waits for their end, whether it was queued inside them or
comes due inside them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from backend.kit.clock import utcnow
from backend.notifications.rules import quiet_until
from backend.notifications.sender import NotificationSender
from tests.notifications.conftest import HttpSink, log, office, tick
from tests.tracking.conftest import plan_day, settle


def around_now(zone: str) -> tuple[str, str]:
    local = utcnow().astimezone(ZoneInfo(zone))
    return (local - timedelta(hours=1)).strftime("%H:%M"), (local + timedelta(hours=1)).strftime("%H:%M")


def test_quiet_hours_skip_what_is_urgent_and_hold_the_rest_until_they_end(
    client: Any, sender: NotificationSender, sink: HttpSink
) -> None:
    day = plan_day(client, start=False)  # three orders confirmed (queued, not yet sent), the route not started
    settle(client)
    desk = office(client, day.tenant)
    zone = desk.get("/api/notifications/settings").json()["timezone"]
    start, end = around_now(zone)
    put = desk.put(
        "/api/notifications/settings",
        json={"rules": {"confirmed": ["sms"], "out_for_delivery": ["sms"]}, "quiet_start": start, "quiet_end": end},
    )
    assert put.status_code == 200, put.text
    assert (put.json()["quiet_start"], put.json()["quiet_end"]) == (start, end)

    started = day.driver.post(f"/api/routes/{day.route['id']}/start", json={})
    assert started.status_code == 200, started.text
    settle(client)
    urgent = [r for r in log(desk, status="skipped") if r["rule"] == "out_for_delivery"]
    assert len(urgent) == 3 and {(r["channel"], r["last_error"]) for r in urgent} == {("sms", "quiet hours")}

    # the confirmations were queued before (by e-mail too, turned off since); coming due inside quiet hours
    # they are held, not sent
    assert tick(client, sender) == {"queued": 3, "skipped": 3}
    off = [r for r in log(desk, status="skipped") if r["rule"] == "confirmed"]
    assert {(r["channel"], r["last_error"]) for r in off} == {("email", "confirmed by email was turned off")}
    held = log(desk, status="queued")
    assert len(held) == 3 and all(r["rule"] == "confirmed" for r in held)
    quiet_end = quiet_until(utcnow(), zone, start, end)
    assert quiet_end is not None
    assert {datetime.fromisoformat(r["next_attempt_at"]) for r in held} == {quiet_end}
    assert all(r["last_error"] == f"quiet hours: held until {end}" and r["attempts"] == 0 for r in held)
    assert tick(client, sender) == {}
    assert sink.requests == []

    sender.clock = lambda: quiet_end + timedelta(minutes=1)
    assert tick(client, sender) == {"sent": 3}
    assert len(sink.to("/2010-04-01")) == 3
    assert len(log(desk, status="skipped")) == 6  # what was urgent stays unsent


def test_a_notice_queued_inside_quiet_hours_waits_for_their_end(
    client: Any, sender: NotificationSender, sink: HttpSink
) -> None:
    day = plan_day(client, start=False)
    settle(client)
    desk = office(client, day.tenant)
    zone = desk.get("/api/notifications/settings").json()["timezone"]
    start, end = around_now(zone)
    assert (
        desk.put(
            "/api/notifications/settings",
            json={"rules": {"failed": ["sms"]}, "quiet_start": start, "quiet_end": end},
        ).status_code
        == 200
    )
    assert day.driver.post(f"/api/routes/{day.route['id']}/start", json={}).status_code == 200
    stop = day.stops[0]
    failed = day.driver.post(
        f"/api/routes/{day.route['id']}/stops/{stop['id']}/complete", json={"outcome": "failed", "reason": "not_home"}
    )
    assert failed.status_code == 200, failed.text
    settle(client)
    [row] = [r for r in log(desk, status="queued") if r["rule"] == "failed"]
    assert row["last_error"] == f"quiet hours: held until {end}"
    assert "sent" not in tick(client, sender)  # (the day's confirmations: turned off since, so skipped)
    quiet_end = quiet_until(utcnow(), zone, start, end)
    assert quiet_end is not None and datetime.fromisoformat(row["next_attempt_at"]) == quiet_end
    sender.clock = lambda: quiet_end + timedelta(seconds=1)
    assert tick(client, sender) == {"sent": 1}
