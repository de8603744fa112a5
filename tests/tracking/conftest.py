"""A day under way for tracking tests: an organization whose clock reads midday, a depot, one van with its
driver, three orders planned on it in a known order, the plan published and the route started."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from backend.accounts.models import Role
from backend.kit.clock import utcnow
from tests.factories import Api, Tenant, make_order, midday_tenant, sign_in, vehicle_payload

DEPOT = (60.1600, 24.9300)
# three stops north of the depot, 600 m apart: the planner visits them in this order
STOPS = [(60.1654, 24.9300), (60.1708, 24.9300), (60.1762, 24.9300)]


@dataclass
class Day:
    tenant: Tenant
    dispatcher: Api
    driver: Api
    route: dict[str, Any]
    orders: list[dict[str, Any]]  # in stop order

    @property
    def stops(self) -> list[dict[str, Any]]:
        return [s for s in self.route["stops"] if s["order_id"]]

    def token(self, index: int) -> str:
        return str(self.orders[index]["tracking_url"]).rsplit("/", 1)[1]


def settle(client: Any) -> None:
    for _ in range(2):
        client.blocking_portal.call(client.app.state["relay"].drain)
        client.blocking_portal.call(client.app.state["replanner"].settle)


def point(lat: float, lon: float, at: datetime, **extra: Any) -> dict[str, Any]:
    return {"lat": lat, "lon": lon, "at": at.isoformat(), "accuracy": 5.0, **extra}


def plan_day(client: Any, *, start: bool = True) -> Day:
    tenant, zone = midday_tenant(client)
    dispatcher = sign_in(client, tenant.users[Role.admin])
    depot = dispatcher.post(
        "/api/locations",
        json={"kind": "depot", "name": "Depot", "address": "Depot street 1", "lat": DEPOT[0], "lon": DEPOT[1]},
    )
    assert depot.status_code == 201, depot.text
    vehicle = dispatcher.post(
        "/api/vehicles",
        json=vehicle_payload(driver_id=str(tenant.users[Role.driver].id), depot_id=depot.json()["id"]),
    )
    assert vehicle.status_code == 201, vehicle.text
    orders = [make_order(dispatcher, lat=lat, lon=lon, service_s=60) for lat, lon in STOPS]
    today = utcnow().astimezone(ZoneInfo(zone)).date()
    plan = dispatcher.post("/api/plans", json={"service_date": today.isoformat(), "time_budget_s": 1, "publish": True})
    assert plan.status_code == 201, plan.text
    settle(client)
    driver = sign_in(client, tenant.users[Role.driver])
    route = driver.get("/api/driver/route")
    assert route.status_code == 200, route.text
    if start:
        started = driver.post(f"/api/routes/{route.json()['id']}/start", json={})
        assert started.status_code == 200, started.text
        settle(client)
        route = started
    by_id = {o["id"]: o for o in orders}
    ordered = [by_id[s["order_id"]] for s in route.json()["stops"] if s["order_id"]]
    return Day(tenant=tenant, dispatcher=dispatcher, driver=driver, route=route.json(), orders=ordered)


@pytest.fixture
def day(client: Any) -> Day:
    client.app.state["replanner"].clock = utcnow
    return plan_day(client)


def walk(start: tuple[float, float], end: tuple[float, float], steps: int) -> list[tuple[float, float]]:
    return [
        (start[0] + (end[0] - start[0]) * i / steps, start[1] + (end[1] - start[1]) * i / steps)
        for i in range(1, steps + 1)
    ]


def drive(day: Day, path: list[tuple[float, float]], start_at: datetime, every_s: float = 5.0) -> datetime:
    """Send the path as one position each `every_s` of device time; returns the last point's time."""
    at = start_at
    points = []
    for lat, lon in path:
        points.append(point(lat, lon, at, speed=8.0))
        at += timedelta(seconds=every_s)
    response = day.driver.post("/api/positions", json={"points": points})
    assert response.status_code == 200, response.text
    return at - timedelta(seconds=every_s)
