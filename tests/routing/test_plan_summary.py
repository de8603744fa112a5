"""What a plan's totals add to what the solver stored: how many open stops would be late (their ETA, else their
planned time, after their order's window ends) and which, and the routes' total time out (driving, service,
waiting and breaks), for a draft as for a live plan."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from backend.demo.seed import demo_day, seed
from backend.routing.models import Stop, StopStatus
from tests.factories import Api, run_in_app

TODAY = demo_day()


@pytest.fixture
def demo(client) -> Api:
    run_in_app(client, lambda session: seed(session, secret_key="k"))
    response = client.post(
        "/api/auth/login", json={"email": "dispatcher@demo.doorstep.dev", "password": "doorstep-demo"}
    )
    assert response.status_code == 200
    return Api(client, response.json()["csrf_token"])


def windowed_stops(demo: Api, plan: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(stop, order) for every delivery at a customer whose order has a window."""
    found = []
    for summary in plan["routes"]:
        for stop in demo.get(f"/api/routes/{summary['id']}").json()["stops"]:
            if stop["kind"] != "delivery" or not stop["order_id"]:
                continue
            order = demo.get(f"/api/orders/{stop['order_id']}").json()
            if order["kind"] == "delivery" and order["window_end_at"]:
                found.append((stop, order))
    return found


def test_a_fresh_plan_is_on_time_and_counts_its_hours_out(demo):
    created = demo.post("/api/plans", json={"service_date": TODAY.isoformat(), "time_budget_s": 1})
    assert created.status_code == 201, created.text
    plan = created.json()
    assert plan["late_stop_ids"] == [] and plan["summary"]["late_stops"] == 0
    expected = 0
    for summary in plan["routes"]:
        stops = demo.get(f"/api/routes/{summary['id']}").json()["stops"]
        leaves = datetime.fromisoformat(stops[0]["planned_departure_at"])
        back = datetime.fromisoformat(stops[-1]["planned_arrival_at"])
        expected += int((back - leaves).total_seconds())
    assert plan["summary"]["route_s"] == expected
    # time out is driving plus the time at the doors (and any waiting)
    assert plan["summary"]["route_s"] > plan["summary"]["duration_s"]
    assert demo.get(f"/api/plans/{plan['id']}").json()["summary"]["route_s"] == expected


def test_open_stops_expected_after_their_window_are_late_and_done_ones_are_not(demo):
    plan = demo.post("/api/plans", json={"service_date": TODAY.isoformat(), "time_budget_s": 1, "publish": True}).json()
    (by_eta, order_a), (by_plan, order_b), (done, order_c) = windowed_stops(demo, plan)[:3]

    def after(order: dict[str, Any]) -> datetime:
        return datetime.fromisoformat(order["window_end_at"]) + timedelta(minutes=20)

    async def run_late(session) -> None:
        (await session.get(Stop, by_eta["id"])).eta_at = after(order_a)  # the live ETA says late
        (await session.get(Stop, by_plan["id"])).planned_arrival_at = after(order_b)  # the plan says late
        finished = await session.get(Stop, done["id"])
        finished.eta_at = after(order_c)
        finished.status = StopStatus.completed  # delivered: late no more

    run_in_app(demo.client, run_late)
    shown = demo.get(f"/api/plans/{plan['id']}").json()
    assert sorted(shown["late_stop_ids"]) == sorted([by_eta["id"], by_plan["id"]])
    assert shown["summary"]["late_stops"] == 2
