"""Live re-planning end to end: a published day of the demo, then orders come and go and a van drops out;
the live plan is amended in place (done stops untouched), `plan.revised` carries the diff, and each
affected driver's channel gets its route's new ETAs."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from backend.demo.seed import demo_day, seed
from backend.kit.clock import utcnow
from backend.routing.models import Route, Stop, StopStatus
from tests.factories import Api, make_order, run_in_app

HELSINKI = ZoneInfo("Europe/Helsinki")
TODAY = demo_day()  # the day the demo seeds orders for (tomorrow late in the day)
MORNING = datetime.combine(TODAY, time(7, 30), HELSINKI)  # the re-planner's clock: before the vans leave


@pytest.fixture
def demo(client) -> Api:
    run_in_app(client, lambda session: seed(session, secret_key="k"))
    client.app.state["replanner"].clock = lambda: MORNING
    response = client.post(
        "/api/auth/login", json={"email": "dispatcher@demo.doorstep.dev", "password": "doorstep-demo"}
    )
    assert response.status_code == 200
    return Api(client, response.json()["csrf_token"])


def settle(client) -> None:
    """Let the relay hand every committed event over and the re-planner finish (twice: re-plans record events)."""
    for _ in range(3):
        client.blocking_portal.call(client.app.state["relay"].drain)
        client.blocking_portal.call(client.app.state["replanner"].settle)
    client.blocking_portal.call(client.app.state["relay"].drain)


def publish_day(demo: Api) -> dict[str, Any]:
    plan = demo.post("/api/plans", json={"service_date": TODAY.isoformat(), "time_budget_s": 1, "publish": True})
    assert plan.status_code == 201, plan.text
    settle(demo.client)
    return plan.json()


def routes(demo: Api, plan_id: str) -> dict[str, dict[str, Any]]:
    plan = demo.get(f"/api/plans/{plan_id}").json()
    return {r["id"]: demo.get(f"/api/routes/{r['id']}").json() for r in plan["routes"]}


def etas(all_routes: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {s["id"]: s["planned_arrival_at"] for r in all_routes.values() for s in r["stops"] if s["order_id"]}


def revisions(demo: Api) -> list[dict[str, Any]]:
    items = demo.get("/api/events", params={"type": "plan.revised", "limit": 100}).json()["items"]
    return sorted((e["payload"] for e in items if e["type"] == "plan.revised"), key=lambda p: p["revision"])


def shape(route: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What a driver's app and the live tracker read of a route's stops."""
    return [(s["id"], s["sequence"], s["status"], s["planned_arrival_at"]) for s in route["stops"]]


def assert_route_is_consistent(route: dict[str, Any]) -> None:
    stops = route["stops"]
    assert [s["sequence"] for s in stops] == sorted(s["sequence"] for s in stops)
    assert stops[0]["kind"] == "start" and stops[-1]["kind"] == "end"
    arrivals = [datetime.fromisoformat(s["planned_arrival_at"]) for s in stops]
    assert arrivals == sorted(arrivals)


def test_a_new_order_is_placed_at_once_and_the_etas_after_it_move(demo):
    plan = publish_day(demo)
    before = routes(demo, plan["id"])
    before_etas = etas(before)
    channels = demo.client.app.state["relay"]._channels
    drivers = {r["driver_id"] for r in before.values() if r["driver_id"]}
    subscriber = demo.client.blocking_portal.call(channels.subscribe, [f"driver:{d}" for d in drivers])

    new = make_order(demo, lat=60.1699, lon=24.9384, recipient_name="Late Addition")
    settle(demo.client)

    assert demo.get(f"/api/orders/{new['id']}").json()["status"] == "planned"
    after = routes(demo, plan["id"])
    holding = [r for r in after.values() if any(s["order_id"] == new["id"] for s in r["stops"])]
    assert len(holding) == 1
    # the route's line on the map was redrawn through the new stop (straight-line provider in tests)
    line = [tuple(round(c, 5) for c in point) for point in holding[0]["geometry"]["coordinates"]]
    assert (24.9384, 60.1699) in line
    for route in after.values():
        assert_route_is_consistent(route)
    # stop ids are stable: every stop that was there is still there
    after_etas = etas(after)
    missing = set(before_etas) - set(after_etas)
    assert not missing, [s for r in before.values() for s in r["stops"] if s["id"] in missing]
    moved = [s for s, eta in before_etas.items() if after_etas[s] != eta]
    assert moved, "a stop added mid-route moves the arrivals after it"
    revised = revisions(demo)
    assert revised and revised[0]["diff"]["added"] == [new["id"]]
    assert revised[0]["diff"]["churn"] == 0 and revised[0]["reason"] == "order created"
    assert all(r["diff"]["churn"] <= 2 for r in revised[1:])  # the warm re-solve moves little, if anything
    assert revised[0]["eta_changes"] >= 1
    assert demo.get(f"/api/plans/{plan['id']}").json()["summary"]["live_revision"] >= 1
    # a revision names the routes it rewrote, and no other changed: the live tracker reloads only those routes'
    # drivers (tracking/live.affected_drivers)
    named = {r["route_id"] for revision in revised for r in revision["routes"]}
    assert holding[0]["id"] in named
    for route_id in set(after) - named:
        assert shape(after[route_id]) == shape(before[route_id]), route_id

    async def first_message() -> dict[str, Any]:
        async for raw in subscriber.iter_events():
            return json.loads(raw)  # type: ignore[no-any-return]
        raise AssertionError("no message")

    message = demo.client.blocking_portal.call(lambda: asyncio.wait_for(first_message(), 5))
    assert message["type"] == "route.updated"
    assert message["data"]["route_id"] == holding[0]["id"]
    assert new["id"] in {s["order_id"] for s in message["data"]["stops"]}
    demo.client.blocking_portal.call(channels.unsubscribe, subscriber)


def test_done_stops_never_move_and_on_board_parcels_stay_on_their_van(demo):
    plan = publish_day(demo)
    before = routes(demo, plan["id"])
    van = max(before.values(), key=lambda r: len(r["stops"]))
    task_stops = [s for s in van["stops"] if s["order_id"]]
    done = task_stops[:2]

    async def start_the_van(session) -> None:
        route = await session.get(Route, van["id"])
        route.started_at = utcnow()
        for stop_id in (s["id"] for s in done):
            stop = await session.get(Stop, stop_id)
            stop.status = StopStatus.completed
            stop.completed_at = MORNING.astimezone(ZoneInfo("UTC")) + timedelta(minutes=40)

    run_in_app(demo.client, start_the_van)
    for stop in done:  # the driver app moves the orders along with their stops
        for to in ("out_for_delivery", "delivered"):
            if stop["kind"] == "delivery" and stop["order_id"]:
                demo.post(f"/api/orders/{stop['order_id']}/transitions", json={"to": to})
    demo.client.app.state["replanner"].clock = lambda: MORNING + timedelta(minutes=45)
    for lat, lon in ((60.1718, 24.9414), (60.1655, 24.9490), (60.1760, 24.9330)):
        make_order(demo, lat=lat, lon=lon)
    settle(demo.client)

    after = routes(demo, plan["id"])
    van_after = after[van["id"]]
    by_id = {s["id"]: s for s in van_after["stops"]}
    for stop in done:  # untouched: same sequence, same times, still completed
        assert by_id[stop["id"]]["sequence"] == stop["sequence"]
        assert by_id[stop["id"]]["planned_arrival_at"] == stop["planned_arrival_at"]
        assert by_id[stop["id"]]["status"] == "completed"
    heading_to = task_stops[2]
    assert by_id[heading_to["id"]]["sequence"] == heading_to["sequence"]  # the next stop stays next
    on_board = {s["order_id"] for s in task_stops[3:] if s["kind"] == "delivery"}
    assert on_board <= {s["order_id"] for s in van_after["stops"]}
    for route in after.values():
        assert_route_is_consistent(route)
    # any new order this van took is fetched from the depot first: a pickup stop precedes its delivery
    for stop in van_after["stops"]:
        if stop["order_id"] and stop["kind"] == "pickup" and stop["order_id"] not in on_board:
            delivery = next(
                s for s in van_after["stops"] if s["order_id"] == stop["order_id"] and s["kind"] == "delivery"
            )
            assert delivery["sequence"] > stop["sequence"], [
                (s["sequence"], s["kind"], s["status"]) for s in van_after["stops"] if s["order_id"] == stop["order_id"]
            ] + [(s["sequence"], s["kind"], s["status"]) for s in van["stops"] if s["order_id"] == stop["order_id"]]


def test_a_cancelled_order_leaves_its_route_and_the_route_closes_up(demo):
    plan = publish_day(demo)
    before = routes(demo, plan["id"])
    route = max(before.values(), key=lambda r: len(r["stops"]))
    victim = next(s for s in route["stops"] if s["order_id"] and s["kind"] == "delivery")
    cancelled = demo.post(f"/api/orders/{victim['order_id']}/transitions", json={"to": "cancelled", "reason": "x"})
    assert cancelled.status_code == 200, cancelled.text
    settle(demo.client)
    after = routes(demo, plan["id"])[route["id"]]
    assert victim["order_id"] not in {s["order_id"] for s in after["stops"]}
    assert_route_is_consistent(after)
    assert len(after["stops"]) == len(route["stops"]) - 1
    assert any(victim["order_id"] in r["diff"]["removed"] for r in revisions(demo))


def test_a_withdrawn_van_hands_its_open_stops_to_the_others(demo):
    plan = publish_day(demo)
    before = routes(demo, plan["id"])
    leaving = min((r for r in before.values() if len(r["stops"]) > 2), key=lambda r: len(r["stops"]))
    orders = {s["order_id"] for s in leaving["stops"] if s["order_id"]}
    response = demo.post(f"/api/routes/{leaving['id']}/withdraw", json={"reason": "van broken down"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "withdrawn"
    settle(demo.client)
    after = routes(demo, plan["id"])
    others = {
        s["order_id"]
        for r in after.values()
        if r["id"] != leaving["id"]
        for s in r["stops"]
        if s["status"] == "pending"
    }
    unassigned = {u["order_id"] for u in demo.get(f"/api/plans/{plan['id']}").json()["unassigned"]}
    assert orders <= others | unassigned
    assert orders & others, "at least some of its stops found another van"
    for route in after.values():
        if route["id"] != leaving["id"]:
            assert_route_is_consistent(route)
    # the revision names the routes that took its stops, and the routes it does not name are as they were: the
    # live tracker reloads only the named routes' drivers (tracking/live.affected_drivers)
    named = {r["route_id"] for revision in revisions(demo) for r in revision["routes"]}
    gained = {
        r["id"] for r in after.values() if r["id"] != leaving["id"] and orders & {s["order_id"] for s in r["stops"]}
    }
    assert gained and gained <= named, (gained, named)
    for route_id in set(after) - named - {leaving["id"]}:
        assert shape(after[route_id]) == shape(before[route_id]), route_id
    again = demo.post(f"/api/routes/{leaving['id']}/withdraw", json={"reason": "twice"})
    assert again.status_code == 409
    assert demo.post(f"/api/routes/{leaving['id']}/withdraw", json={}).status_code == 400


def test_an_order_for_another_day_or_a_draft_plan_does_not_touch_the_live_plan(demo):
    plan = publish_day(demo)
    before = etas(routes(demo, plan["id"]))
    tomorrow = datetime.combine(TODAY + timedelta(days=2), time(10), HELSINKI)
    make_order(
        demo,
        lat=60.1699,
        lon=24.9384,
        window_start_at=tomorrow.isoformat(),
        window_end_at=(tomorrow + timedelta(hours=2)).isoformat(),
    )
    settle(demo.client)
    assert etas(routes(demo, plan["id"])) == before
    assert revisions(demo) == []


def test_replanning_runs_one_day_at_a_time_and_survives_a_broken_state(demo, caplog):
    """A re-plan that fails leaves the live plan as it was (logged), and the next change is handled."""
    plan = publish_day(demo)
    replanner = demo.client.app.state["replanner"]
    real = replanner.clock
    replanner.clock = lambda: (_ for _ in ()).throw(RuntimeError("clock broke"))
    make_order(demo, lat=60.1699, lon=24.9384)
    settle(demo.client)
    assert revisions(demo) == []
    replanner.clock = real
    make_order(demo, lat=60.1702, lon=24.9390)
    settle(demo.client)
    revised = revisions(demo)
    assert revised and len(revised[0]["diff"]["added"]) == 2  # the first order is placed too
    assert demo.get(f"/api/plans/{plan['id']}").json()["summary"]["unassigned"] >= 0


def test_a_late_van_is_retimed_from_now(demo):
    """The tracking ETA engine records `route.delayed` when a driver runs late; the re-plan starts the van from
    the current time, so every ETA after it moves (and the dispatcher sees the revision)."""
    from backend.events import service as events

    plan = publish_day(demo)
    before = routes(demo, plan["id"])
    route = max(before.values(), key=lambda r: len(r["stops"]))
    leaves = datetime.fromisoformat(route["stops"][0]["planned_departure_at"]).astimezone(HELSINKI)
    demo.client.app.state["replanner"].clock = lambda: leaves + timedelta(minutes=25)

    async def delayed(session) -> None:
        events.record(
            session,
            organization_id=UUID(route["organization_id"]) if "organization_id" in route else await _org(session),
            type="route.delayed",
            subject_type="route",
            subject_id=UUID(route["id"]),
            actor="system:tracking",
            payload={"service_date": TODAY.isoformat(), "minutes": 25},
        )

    async def _org(session) -> UUID:
        return (await session.get(Route, route["id"])).organization_id

    run_in_app(demo.client, delayed)
    settle(demo.client)
    after = routes(demo, plan["id"])[route["id"]]
    first_before = next(s for s in route["stops"] if s["order_id"])
    first_after = next(s for s in after["stops"] if s["id"] == first_before["id"])
    shift = datetime.fromisoformat(first_after["planned_arrival_at"]) - datetime.fromisoformat(
        first_before["planned_arrival_at"]
    )
    assert timedelta(minutes=20) <= shift <= timedelta(minutes=26)
    assert any(r["reason"] == "route.delayed" for r in revisions(demo))


def test_a_failed_attempt_to_retry_gets_a_new_visit_later_in_the_day(demo):
    plan = publish_day(demo)
    before = routes(demo, plan["id"])
    route = max(before.values(), key=lambda r: len(r["stops"]))
    first = next(s for s in route["stops"] if s["order_id"] and s["kind"] == "delivery")
    order_id = first["order_id"]
    for to in ("out_for_delivery", "failed"):
        moved = demo.post(f"/api/orders/{order_id}/transitions", json={"to": to, "reason": "nobody home"})
        assert moved.status_code == 200, moved.text

    async def driver_reports_failure(session) -> None:
        stop = await session.get(Stop, first["id"])
        stop.status = StopStatus.failed
        stop.completed_at = utcnow()
        (await session.get(Route, route["id"])).started_at = utcnow()

    run_in_app(demo.client, driver_reports_failure)
    leaves = datetime.fromisoformat(first["planned_departure_at"]).astimezone(HELSINKI)
    demo.client.app.state["replanner"].clock = lambda: leaves + timedelta(minutes=5)
    retry = demo.post(f"/api/orders/{order_id}/transitions", json={"to": "planned", "reason": "retry this afternoon"})
    assert retry.status_code == 200, retry.text
    settle(demo.client)
    after = routes(demo, plan["id"])
    visits = [(r["id"], s) for r in after.values() for s in r["stops"] if s["order_id"] == order_id]
    failed = [s for _, s in visits if s["id"] == first["id"]]
    assert failed and failed[0]["status"] == "failed" and failed[0]["sequence"] == first["sequence"]
    again = [s for _, s in visits if s["status"] == "pending"]
    assert again, "the re-attempt got a new visit"
    assert all(datetime.fromisoformat(s["planned_arrival_at"]) > leaves for s in again)


def test_editing_what_the_solver_does_not_see_leaves_the_routes_alone_and_a_new_place_replans(demo):
    plan = publish_day(demo)
    route = max(routes(demo, plan["id"]).values(), key=lambda r: len(r["stops"]))
    stop = next(s for s in route["stops"] if s["order_id"] and s["kind"] == "delivery")
    replanner = demo.client.app.state["replanner"]
    asked: list[str] = []
    real_request = replanner.request

    def request(organization_id: Any, service_date: Any, reason: str) -> None:
        asked.append(reason)
        real_request(organization_id, service_date, reason)

    replanner.request = request
    edited = demo.patch(
        f"/api/orders/{stop['order_id']}",
        json={"recipient_phone": "+358401112233", "notes": "Ring twice", "id_check_required": True},
    )
    assert edited.status_code == 200, edited.text
    settle(demo.client)
    assert asked == [] and revisions(demo) == []  # no re-plan for a phone number, a note or the ID check
    moved = demo.patch(f"/api/orders/{stop['order_id']}", json={"lat": 60.2055, "lon": 25.0804})  # across town
    assert moved.status_code == 200, moved.text
    settle(demo.client)
    assert asked == ["order updated"] and len(revisions(demo)) == 1  # where the order is: the solver's business


def test_breaks_stay_on_the_route_and_in_the_etas_through_live_changes(demo):
    """A van's breaks (taken on the way, as VROOM times them) are kept where the plan has them: a route the
    change does not touch keeps every ETA, and on the route that takes the new order every stop after a break is
    still planned after it ends. The breaks are listed late first: the planner takes them in their order."""
    windows = {time(11, 0): (time(12, 30), 1800), time(14, 0): (time(15, 0), 600)}
    late_first = [
        {"start": "14:00:00", "end": "15:00:00", "duration_s": 600},
        {"start": "11:00:00", "end": "12:30:00", "duration_s": 1800},
    ]
    for vehicle in demo.get("/api/vehicles").json()["items"]:
        assert demo.patch(f"/api/vehicles/{vehicle['id']}", json={"breaks": late_first}).status_code == 200
    plan = publish_day(demo)
    before = routes(demo, plan["id"])
    with_work = [r for r in before.values() if any(s["order_id"] for s in r["stops"])]
    assert with_work and all(sum(s["kind"] == "break" for s in r["stops"]) == 2 for r in with_work)

    new = make_order(demo, lat=60.1699, lon=24.9384, recipient_name="Late Addition")
    settle(demo.client)

    after = routes(demo, plan["id"])
    holding = next(r for r in after.values() if any(s["order_id"] == new["id"] for s in r["stops"]))
    revised = revisions(demo)
    assert revised and revised[0]["diff"]["added"] == [new["id"]]
    named = {r["route_id"] for revision in revised for r in revision["routes"]}
    for route_id in set(after) - named:
        assert shape(after[route_id]) == shape(before[route_id]), route_id  # re-timing keeps the breaks in place
    for route in after.values():
        assert_route_is_consistent(route)
        if not any(s["order_id"] for s in route["stops"]):
            continue
        breaks = [s for s in route["stops"] if s["kind"] == "break"]
        assert len(breaks) == 2, route["id"]
        for taken in breaks:
            starts = datetime.fromisoformat(taken["planned_arrival_at"]).astimezone(HELSINKI)
            ends = datetime.fromisoformat(taken["planned_departure_at"]).astimezone(HELSINKI)
            opens = max(t for t in windows if t <= starts.time())
            latest, length = windows[opens]
            assert starts.time() <= latest and ends - starts == timedelta(seconds=length), taken
            later = [s for s in route["stops"] if s["sequence"] > taken["sequence"]]
            assert all(datetime.fromisoformat(s["planned_arrival_at"]) >= ends for s in later), route["id"]
    assert sum(s["kind"] == "break" for s in holding["stops"]) == 2
