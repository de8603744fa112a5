"""A dispatcher moves an open stop to another driver's route (POST /api/routes/{id}/stops/{id}/reassign): both
routes are re-timed in place, done stops never move, the order stays on its new vehicle in later re-plans,
the drivers hear of it, and every refusal says why."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from backend.accounts.models import Role
from backend.demo.seed import demo_day, seed
from backend.fleet.models import Vehicle, VehicleProfile
from backend.kit.clock import utcnow
from backend.routing import live, replanning
from backend.routing.models import Route, RouteStatus, Stop, StopStatus
from backend.routing.problem import pin_skill
from tests.factories import Api, make_order, make_tenant, run_in_app, sign_in

HELSINKI = ZoneInfo("Europe/Helsinki")
TODAY = demo_day()
MORNING = datetime.combine(TODAY, time(7, 30), HELSINKI)  # before the vans leave


@pytest.fixture
def demo(client) -> Api:
    run_in_app(client, lambda session: seed(session, secret_key="k"))
    client.app.state["replanner"].clock = lambda: MORNING
    return login(client, "dispatcher@demo.doorstep.dev")


def login(client, email: str) -> Api:
    client.cookies.clear()
    response = client.post("/api/auth/login", json={"email": email, "password": "doorstep-demo"})
    assert response.status_code == 200, response.text
    return Api(client, response.json()["csrf_token"])


def settle(client) -> None:
    for _ in range(3):
        client.blocking_portal.call(client.app.state["relay"].drain)
        client.blocking_portal.call(client.app.state["replanner"].settle)
    client.blocking_portal.call(client.app.state["relay"].drain)


def stops_per_vehicle(client, most: int | None) -> None:
    async def limit(session) -> None:
        await session.execute(update(Vehicle).values(max_stops=most))

    run_in_app(client, limit)


def publish_day(demo: Api) -> dict[str, Any]:
    """The demo day on all four vehicles: at most 20 stops each while it is planned (one van could take the
    whole day), no limit afterwards, so any route has room for a stop moved to it."""
    stops_per_vehicle(demo.client, 20)
    plan = demo.post("/api/plans", json={"service_date": TODAY.isoformat(), "time_budget_s": 1, "publish": True})
    assert plan.status_code == 201, plan.text
    stops_per_vehicle(demo.client, None)
    settle(demo.client)
    assert len(plan.json()["routes"]) == 4
    return plan.json()


def routes(demo: Api, plan_id: str) -> dict[str, dict[str, Any]]:
    plan = demo.get(f"/api/plans/{plan_id}").json()
    return {r["id"]: demo.get(f"/api/routes/{r['id']}").json() for r in plan["routes"]}


def by_vehicle(demo: Api, plan_id: str) -> dict[str, dict[str, Any]]:
    """The plan's routes by their vehicle's name ("Van 1", "Cargo bike 2")."""
    names = {v["id"]: v["name"] for v in demo.get("/api/vehicles").json()["items"]}
    return {names[r["vehicle_id"]]: r for r in routes(demo, plan_id).values()}


def order_stops(route: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in route["stops"] if s["order_id"]]


def orders_on(route: dict[str, Any]) -> set[str]:
    return {s["order_id"] for s in order_stops(route)}


def easy_deliveries(demo: Api, route: dict[str, Any]) -> list[dict[str, Any]]:
    """Delivery stops whose order may come any time of the working day: another van can always fit them in
    (a two-hour window may already be taken by that van's other stops, whatever plan the solver made)."""
    found = []
    for stop in order_stops(route):
        order = demo.get(f"/api/orders/{stop['order_id']}").json()
        if stop["kind"] != "delivery" or order["kind"] != "delivery":
            continue
        opens, closes = order["window_start_at"], order["window_end_at"]
        if opens is None or datetime.fromisoformat(closes) - datetime.fromisoformat(opens) >= timedelta(hours=6):
            found.append(stop)
    assert found
    return found


def assert_consistent(route: dict[str, Any]) -> None:
    stops = route["stops"]
    assert [s["sequence"] for s in stops] == list(range(stops[0]["sequence"], stops[0]["sequence"] + len(stops)))
    assert stops[0]["kind"] == "start" and stops[-1]["kind"] == "end"
    arrivals = [datetime.fromisoformat(s["planned_arrival_at"]) for s in stops]
    assert arrivals == sorted(arrivals)


def move(demo: Api, route_id: str, stop_id: str, to_route_id: str, key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key else None
    return demo.post(
        f"/api/routes/{route_id}/stops/{stop_id}/reassign", json={"to_route_id": to_route_id}, headers=headers
    )


def revisions(demo: Api) -> list[dict[str, Any]]:
    items = demo.get("/api/events", params={"type": "plan.revised", "limit": 100}).json()["items"]
    return sorted((e["payload"] for e in items), key=lambda p: p["revision"])


def test_a_stop_moves_to_another_drivers_route_and_both_routes_are_retimed(demo):
    plan = publish_day(demo)
    vans = by_vehicle(demo, plan["id"])
    source, target = vans["Van 1"], vans["Van 2"]
    # a delivery in the middle of the route: the stops after it move earlier once it is gone
    deliveries = easy_deliveries(demo, source)
    stop = deliveries[len(deliveries) // 2]
    channels = demo.client.app.state["relay"]._channels
    subscriber = demo.client.blocking_portal.call(
        channels.subscribe, [f"driver:{source['driver_id']}", f"driver:{target['driver_id']}"]
    )

    response = move(demo, source["id"], stop["id"], target["id"])

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["order_id"] == stop["order_id"] and body["replayed"] is False
    assert body["stop_ids"] == [stop["id"]]  # the van has not left: the same stop row, loaded with the rest
    assert stop["order_id"] not in orders_on(body["from_route"])
    assert stop["order_id"] in orders_on(body["to_route"])
    after = routes(demo, plan["id"])
    moved = next(s for s in after[target["id"]]["stops"] if s["id"] == stop["id"])
    assert moved["status"] == "pending" and moved["pinned"] is True
    assert stop["order_id"] not in orders_on(after[source["id"]])
    assert len(order_stops(after[source["id"]])) == len(order_stops(source)) - 1
    assert len(order_stops(after[target["id"]])) == len(order_stops(target)) + 1
    for route in (after[source["id"]], after[target["id"]]):
        assert_consistent(route)
    # both re-timed: the source's stops after the gap come no later and it drives less; the target drives more
    old = {s["id"]: datetime.fromisoformat(s["planned_arrival_at"]) for s in source["stops"]}
    later = [s for s in after[source["id"]]["stops"] if s["sequence"] >= stop["sequence"]]
    assert later and all(datetime.fromisoformat(s["planned_arrival_at"]) <= old[s["id"]] for s in later)
    assert after[source["id"]]["distance_m"] < source["distance_m"]
    assert after[target["id"]]["distance_m"] > target["distance_m"]
    ends = [datetime.fromisoformat(r["stops"][-1]["planned_arrival_at"]) for r in (target, after[target["id"]])]
    assert ends[1] >= ends[0]
    # the map's line goes through the stop now (straight-line travel times in tests)
    line = {(round(lon, 5), round(lat, 5)) for lon, lat in after[target["id"]]["geometry"]["coordinates"]}
    assert (round(stop["lon"], 5), round(stop["lat"], 5)) in line
    # the dispatch feed gets the revision with the move, in the same words as the re-planner's
    revised = revisions(demo)
    assert revised[-1]["reason"] == "stop moved by a dispatcher" and revised[-1]["eta_changes"] >= 1
    assert revised[-1]["diff"]["moved"] == [
        {"order_id": stop["order_id"], "from_vehicle": source["vehicle_id"], "to_vehicle": target["vehicle_id"]}
    ]
    events = demo.get("/api/events", params={"type": "stop.reassigned"}).json()["items"]
    assert [e["payload"]["order_id"] for e in events] == [stop["order_id"]]

    # both drivers' apps are told their route changed
    async def messages() -> list[dict[str, Any]]:
        found = []
        async for raw in subscriber.iter_events():
            found.append(json.loads(raw))
            if len(found) == 2:
                return found
        return found

    told = demo.client.blocking_portal.call(lambda: asyncio.wait_for(messages(), 5))
    assert {m["type"] for m in told} == {"route.updated"}
    assert {m["data"]["route_id"] for m in told} == {source["id"], target["id"]}
    demo.client.blocking_portal.call(channels.unsubscribe, subscriber)

    # the target's driver sees it on their route; the source's driver no longer does
    users = {u["id"]: u["email"] for u in demo.get("/api/users", params={"limit": 200}).json()["items"]}
    driver = login(demo.client, users[target["driver_id"]])
    mine = driver.get("/api/driver/route").json()
    assert mine["id"] == target["id"] and stop["id"] in {s["id"] for s in mine["stops"]}
    other = login(demo.client, users[source["driver_id"]])
    assert stop["id"] not in {s["id"] for s in other.get("/api/driver/route").json()["stops"]}


def test_a_retry_is_answered_once_and_a_reused_key_is_refused(demo):
    plan = publish_day(demo)
    vans = by_vehicle(demo, plan["id"])
    source, target = vans["Van 1"], vans["Van 2"]
    first, second = easy_deliveries(demo, source)[:2]
    done = move(demo, source["id"], first["id"], target["id"], key="move-first-1")
    assert done.status_code == 200, done.text
    again = move(demo, source["id"], first["id"], target["id"], key="move-first-1")
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert again.json()["to_route"]["stops"] == done.json()["to_route"]["stops"]
    without_key = move(demo, source["id"], first["id"], target["id"])  # the stop is on the target already
    assert without_key.status_code == 200 and without_key.json()["replayed"] is True
    reused = move(demo, source["id"], second["id"], target["id"], key="move-first-1")
    assert reused.status_code == 422 and reused.json()["type"].endswith("/idempotency-key-reused")
    assert len(demo.get("/api/events", params={"type": "stop.reassigned"}).json()["items"]) == 1
    assert [r["reason"] for r in revisions(demo)].count("stop moved by a dispatcher") == 1


def test_done_stops_never_move_and_a_van_out_fetches_the_moved_order_from_the_depot(demo):
    plan = publish_day(demo)
    vans = by_vehicle(demo, plan["id"])
    out, other = vans["Van 1"], vans["Van 2"]
    task_stops = order_stops(out)
    done = task_stops[:2]

    async def start_the_van(session) -> None:
        (await session.get(Route, out["id"])).started_at = utcnow()
        for stop in done:
            row = await session.get(Stop, stop["id"])
            row.status = StopStatus.completed
            row.completed_at = MORNING.astimezone(ZoneInfo("UTC")) + timedelta(minutes=40)

    run_in_app(demo.client, start_the_van)
    demo.client.app.state["replanner"].clock = lambda: MORNING + timedelta(minutes=45)

    refused = move(demo, out["id"], done[0]["id"], other["id"])
    assert refused.status_code == 409 and refused.json()["type"].endswith("/stop-not-open")
    assert "completed" in refused.json()["detail"]
    heading_to = move(demo, out["id"], task_stops[2]["id"], other["id"])
    assert heading_to.status_code == 409 and heading_to.json()["reason"] == "committed"
    on_board = next(s for s in task_stops[3:] if s["kind"] == "delivery")
    refused = move(demo, out["id"], on_board["id"], other["id"])
    assert refused.status_code == 409 and refused.json()["reason"] == "on_board"
    assert "on board Van 1" in refused.json()["detail"]

    # into the van that is out: it goes back to the depot for the parcel, then delivers it
    incoming = easy_deliveries(demo, other)[0]
    response = move(demo, other["id"], incoming["id"], out["id"])
    assert response.status_code == 200, response.text
    now_out = response.json()["to_route"]
    visits = [s for s in now_out["stops"] if s["order_id"] == incoming["order_id"]]
    assert [s["kind"] for s in visits] == ["pickup", "delivery"] and all(s["pinned"] for s in visits)
    assert incoming["id"] == visits[1]["id"]  # the delivery keeps its stop id
    by_id = {s["id"]: s for s in now_out["stops"]}
    for stop in done:  # untouched
        assert by_id[stop["id"]]["status"] == "completed"
        assert by_id[stop["id"]]["sequence"] == stop["sequence"]
        assert by_id[stop["id"]]["planned_arrival_at"] == stop["planned_arrival_at"]
    assert by_id[task_stops[2]["id"]]["sequence"] == task_stops[2]["sequence"]  # the next stop stays next
    assert_consistent(now_out)


def test_the_moved_order_stays_on_its_new_vehicle_in_later_replans(demo):
    plan = publish_day(demo)
    vans = by_vehicle(demo, plan["id"])
    source, target = vans["Van 1"], vans["Van 2"]
    stop = easy_deliveries(demo, source)[0]
    response = move(demo, source["id"], stop["id"], target["id"])
    assert response.status_code == 200, response.text

    # the re-planner's view of the day: pinned to the target, a per-vehicle skill VROOM must honour
    async def pinned_in_the_problem(session) -> bool:
        app = demo.client.app
        loaded = await replanning.load(
            session,
            organization_id=(await session.get(Route, source["id"])).organization_id,
            service_date=TODAY,
            now=MORNING,
            travel=app.state["travel"],
            fallback=app.state["travel_fallback"],
        )
        assert loaded is not None
        task = next(t for t in live.live_problem(loaded.state).tasks if str(t.order_id) == stop["order_id"])
        return pin_skill(UUID(target["vehicle_id"])) in task.skills

    assert run_in_app(demo.client, pinned_in_the_problem)

    # new orders re-plan the day (fast insertion, then the warm re-solve): the order stays where it was put
    for lat, lon in ((60.1718, 24.9414), (60.1655, 24.9490), (60.1760, 24.9330)):
        make_order(demo, lat=lat, lon=lon)
    settle(demo.client)
    assert [r["reason"] for r in revisions(demo)][-1] != "stop moved by a dispatcher", "the new orders re-planned"
    after = routes(demo, plan["id"])
    holding = [r for r in after.values() if stop["order_id"] in orders_on(r)]
    assert [r["id"] for r in holding] == [target["id"]]
    assert all(s["pinned"] for s in order_stops(holding[0]) if s["order_id"] == stop["order_id"])

    # planning the whole day again (no van has left yet) keeps it on the same vehicle too
    again = demo.post("/api/plans", json={"service_date": TODAY.isoformat(), "time_budget_s": 1})
    assert again.status_code == 201, again.text
    draft = {r["vehicle_id"]: demo.get(f"/api/routes/{r['id']}").json() for r in again.json()["routes"]}
    assert stop["order_id"] in orders_on(draft[target["vehicle_id"]])
    pinned = [s for s in order_stops(draft[target["vehicle_id"]]) if s["order_id"] == stop["order_id"]]
    assert pinned and all(s["pinned"] for s in pinned)


def test_refusals_say_why(demo, client):
    plan = publish_day(demo)
    vans = by_vehicle(demo, plan["id"])
    van, van2, bike = vans["Van 1"], vans["Van 2"], vans["Cargo bike 1"]
    stop = next(s for s in order_stops(van) if s["kind"] == "delivery")

    same = move(demo, van["id"], stop["id"], van["id"])
    assert same.status_code == 422 and same.json()["type"].endswith("/same-route")
    depot_stop = van["stops"][0]
    assert move(demo, van["id"], depot_stop["id"], van2["id"]).json()["reason"] == "not_an_order"
    assert move(demo, van2["id"], stop["id"], bike["id"]).status_code == 404  # not a stop of that route
    bad = demo.post(f"/api/routes/{van['id']}/stops/{stop['id']}/reassign", json={"route": van2["id"]})
    assert bad.status_code == 400

    # a heavy order and one that needs a van's skill, both placed live on a van
    heavy = make_order(demo, lat=60.1699, lon=24.9384, weight_kg=200.0)
    skilled = make_order(demo, lat=60.1702, lon=24.9390, required_skills=["large_items"])
    settle(demo.client)
    placed = {o: (r, s) for r in routes(demo, plan["id"]).values() for s in order_stops(r) for o in [s["order_id"]]}
    route, heavy_stop = placed[heavy["id"]]
    too_big = move(demo, route["id"], heavy_stop["id"], bike["id"])
    assert too_big.status_code == 409 and too_big.json()["type"].endswith("/stop-does-not-fit")
    assert too_big.json()["reason"] == "capacity" and "Cargo bike 1" in too_big.json()["detail"]
    route, skilled_stop = placed[skilled["id"]]
    no_skill = move(demo, route["id"], skilled_stop["id"], bike["id"])
    assert no_skill.status_code == 409 and no_skill.json()["reason"] == "skills"
    assert "large_items" in no_skill.json()["detail"]

    # a draft's route is not live
    draft = demo.post("/api/plans", json={"service_date": TODAY.isoformat(), "time_budget_s": 1}).json()
    draft_route = demo.get(f"/api/routes/{draft['routes'][0]['id']}").json()
    draft_stop = order_stops(draft_route)[0]
    not_live = move(demo, draft_route["id"], draft_stop["id"], van2["id"])
    assert not_live.status_code == 409 and not_live.json()["type"].endswith("/route-not-live")
    to_draft = move(demo, van["id"], stop["id"], draft_route["id"])
    assert to_draft.status_code == 409 and "draft" in to_draft.json()["detail"]

    # another organization's routes and stops do not exist for this one, either way round
    other = make_tenant(client)

    async def their_route(session) -> str:
        vehicle = Vehicle(
            organization_id=other.organization.id,
            name="Their van",
            profile=VehicleProfile.van,
            capacity_kg=500,
            capacity_l=3000,
            capacity_parcels=80,
            shift_start=time(8),
            shift_end=time(16),
        )
        session.add(vehicle)
        await session.flush()
        route = Route(
            organization_id=other.organization.id,
            vehicle_id=vehicle.id,
            service_date=TODAY,
            status=RouteStatus.published,
        )
        session.add(route)
        await session.flush()
        return str(route.id)

    theirs = run_in_app(client, their_route)
    to_theirs = move(demo, van["id"], stop["id"], theirs)
    assert to_theirs.status_code == 404 and to_theirs.json()["type"].endswith("/not-found")
    stranger = sign_in(client, other.users[Role.dispatcher])
    assert move(stranger, van["id"], stop["id"], theirs).status_code == 404
    assert move(stranger, theirs, stop["id"], van2["id"]).status_code == 404
    driver = login(client, "driver1@demo.doorstep.dev")
    assert move(driver, van["id"], stop["id"], van2["id"]).status_code == 403
    # nothing moved
    demo = login(client, "dispatcher@demo.doorstep.dev")
    assert stop["order_id"] in orders_on(demo.get(f"/api/routes/{van['id']}").json())
