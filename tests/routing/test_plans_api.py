"""Planning over HTTP: a day of the demo planned with VROOM, stored as a draft revision, published."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from backend.accounts.models import Role
from backend.demo.seed import demo_day, seed
from tests.factories import make_order, make_tenant, run_in_app, sign_in

HELSINKI = ZoneInfo("Europe/Helsinki")
TODAY = demo_day()  # the day the demo seeds orders for (tomorrow late in the day)


@pytest.fixture
def demo(client):
    run_in_app(client, lambda session: seed(session, secret_key="k"))
    response = client.post(
        "/api/auth/login", json={"email": "dispatcher@demo.doorstep.dev", "password": "doorstep-demo"}
    )
    assert response.status_code == 200
    from tests.factories import Api

    return Api(client, response.json()["csrf_token"])


def test_planning_the_demo_day_serves_every_order_within_shifts_and_windows(demo):
    response = demo.post("/api/plans", json={"service_date": TODAY.isoformat(), "time_budget_s": 2})
    assert response.status_code == 201, response.text
    plan = response.json()
    assert plan["status"] == "draft" and plan["revision"] == 1
    assert plan["summary"]["unassigned"] == len(plan["unassigned"])
    assert plan["summary"]["assigned"] + plan["summary"]["unassigned"] == 60
    assert plan["summary"]["assigned"] >= 55, plan["unassigned"]
    assert 1 <= len(plan["routes"]) <= 4
    orders = {o["id"]: o for o in demo.get("/api/orders", params={"limit": 200}).json()["items"]}
    for summary in plan["routes"]:
        route = demo.get(f"/api/routes/{summary['id']}").json()
        stops = route["stops"]
        assert stops[0]["kind"] == "start" and stops[-1]["kind"] == "end"
        arrivals = [datetime.fromisoformat(s["planned_arrival_at"]) for s in stops]
        assert arrivals == sorted(arrivals)
        local = [a.astimezone(HELSINKI) for a in arrivals]
        assert local[0].hour >= 8 and (local[-1].hour, local[-1].minute) <= (16, 0)
        for stop in stops:
            order = orders.get(stop["order_id"])
            if order and order["window_start_at"]:
                arrival = datetime.fromisoformat(stop["planned_arrival_at"])
                assert datetime.fromisoformat(order["window_start_at"]) <= arrival
                assert arrival <= datetime.fromisoformat(order["window_end_at"])
        assert route["geometry"]["type"] == "LineString" and len(route["geometry"]["coordinates"]) >= 2
    # nothing is planned until the dispatcher publishes
    assert all(o["status"] in ("created", "requested") for o in orders.values())


def test_publish_moves_orders_to_planned_and_supersedes_the_previous_plan(demo):
    first = demo.post("/api/plans", json={"service_date": TODAY.isoformat(), "time_budget_s": 1}).json()
    published = demo.post(f"/api/plans/{first['id']}/publish")
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    planned = demo.get("/api/orders", params={"status": "planned", "limit": 200}).json()["total"]
    scheduled = demo.get("/api/orders", params={"status": "scheduled", "limit": 200}).json()["total"]
    assert planned + scheduled >= 50
    again = demo.post(f"/api/plans/{first['id']}/publish")
    assert again.status_code == 409
    # a new order arrives: plan the day again with it, publish, the first plan is superseded; the live plan's
    # open orders come along (live re-planning may already have placed the new one: either way it is planned)
    new = make_order(demo, lat=60.1705, lon=24.9410)
    second = demo.post(
        "/api/plans", json={"service_date": TODAY.isoformat(), "order_ids": [new["id"]], "publish": True}
    )
    assert second.status_code == 201, second.text
    assert second.json()["status"] == "published" and second.json()["revision"] == 2
    assert demo.get(f"/api/plans/{first['id']}").json()["status"] == "superseded"
    assert demo.get(f"/api/orders/{new['id']}").json()["status"] == "planned"
    on_routes = {
        s["order_id"]
        for r in second.json()["routes"]
        for s in demo.get(f"/api/routes/{r['id']}").json()["stops"]
        if s["order_id"]
    }
    assert new["id"] in on_routes and len(on_routes) >= 50  # nothing stranded on the superseded plan
    events = [e["type"] for e in demo.get("/api/events", params={"type": "plan."}).json()["items"]]
    assert events.count("plan.published") == 2 and events.count("plan.created") == 2


def test_an_older_draft_or_a_stale_plan_cannot_be_published(demo):
    first = demo.post("/api/plans", json={"service_date": TODAY.isoformat(), "time_budget_s": 1}).json()
    second = demo.post("/api/plans", json={"service_date": TODAY.isoformat(), "time_budget_s": 1}).json()
    older = demo.post(f"/api/plans/{first['id']}/publish")
    assert older.status_code == 409 and older.json()["latest_revision"] == 2
    planned_order = next(
        s
        for r in demo.get(f"/api/plans/{second['id']}").json()["routes"]
        for s in demo.get(f"/api/routes/{r['id']}").json()["stops"]
        if s["order_id"]
    )
    demo.post(f"/api/orders/{planned_order['order_id']}/transitions", json={"to": "cancelled"})
    stale = demo.post(f"/api/plans/{second['id']}/publish")
    assert stale.status_code == 409 and planned_order["order_id"] in stale.json()["order_ids"]


def test_unassigned_orders_carry_their_reason(demo):
    too_heavy = make_order(demo, weight_kg=5000)
    odd_skill = make_order(demo, required_skills=["crane"])
    late = make_order(
        demo, window_start_at=f"{TODAY.isoformat()}T21:00:00+02:00", window_end_at=f"{TODAY.isoformat()}T22:00:00+02:00"
    )
    plan = demo.post(
        "/api/plans",
        json={"service_date": TODAY.isoformat(), "order_ids": [too_heavy["id"], odd_skill["id"], late["id"]]},
    ).json()
    reasons = {u["order_id"]: u["reason"] for u in plan["unassigned"]}
    assert reasons == {too_heavy["id"]: "capacity", odd_skill["id"]: "skills", late["id"]: "time_window"}


def test_bad_plan_requests_get_clear_errors(client, demo):
    assert demo.post("/api/plans", json={"service_date": "someday"}).status_code == 400
    assert demo.post("/api/plans", json={"service_date": TODAY.isoformat(), "time_budget_s": 0}).status_code == 400
    unknown = demo.post(
        "/api/plans", json={"service_date": TODAY.isoformat(), "order_ids": ["01934b6e-0000-7000-8000-000000000000"]}
    )
    assert unknown.status_code == 422
    other = make_tenant(client)
    empty = sign_in(client, other.users[Role.dispatcher])
    nothing = empty.post("/api/plans", json={"service_date": TODAY.isoformat()})
    assert nothing.status_code == 422 and nothing.json()["type"].endswith("nothing-to-plan")
    driver = sign_in(client, other.users[Role.driver])
    assert driver.post("/api/plans", json={"service_date": TODAY.isoformat()}).status_code == 403


def test_without_vehicles_every_order_is_unassigned_with_no_vehicle(client):
    tenant = make_tenant(client)
    api = sign_in(client, tenant.users[Role.dispatcher])
    order = make_order(api)
    plan = api.post("/api/plans", json={"service_date": date.today().isoformat()}).json()
    assert plan["routes"] == [] and plan["unassigned"][0]["order_id"] == order["id"]
    assert plan["unassigned"][0]["reason"] == "no_vehicle"


def test_planning_today_after_a_break_is_over_leaves_the_break_out(client):
    """Planning today starts the vans now: a break whose time is over (VROOM refused such a vehicle, and with it
    the whole plan: a 500) is not planned, and one still ahead is."""
    from backend.kit.clock import utcnow
    from tests.factories import midday_tenant, vehicle_payload

    tenant, zone = midday_tenant(client)  # local time is about noon
    api = sign_in(client, tenant.users[Role.admin])
    depot = api.post(
        "/api/locations",
        json={"kind": "depot", "name": "Depot", "address": "Depot street 1", "lat": 60.16, "lon": 24.93},
    ).json()
    breaks = [
        {"start": "01:00:00", "end": "02:00:00", "duration_s": 1800},  # over
        {"start": "22:00:00", "end": "23:00:00", "duration_s": 900},  # ahead
    ]
    vehicle = api.post("/api/vehicles", json=vehicle_payload(depot_id=depot["id"], breaks=breaks))
    assert vehicle.status_code == 201, vehicle.text
    make_order(api, lat=60.1654, lon=24.93, service_s=60)
    today = utcnow().astimezone(ZoneInfo(zone)).date()
    plan = api.post("/api/plans", json={"service_date": today.isoformat(), "time_budget_s": 1})
    assert plan.status_code == 201, plan.text
    route = api.get(f"/api/routes/{plan.json()['routes'][0]['id']}").json()
    taken = [s for s in route["stops"] if s["kind"] == "break"]
    assert len(taken) == 1
    assert datetime.fromisoformat(taken[0]["planned_arrival_at"]).astimezone(ZoneInfo(zone)).hour == 22
