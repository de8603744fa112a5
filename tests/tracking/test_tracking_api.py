"""Tracking end to end on both stacks: a driver's positions in, arrivals from the geofence, live ETAs, the
customer's tracking link (privacy, expiry, instructions), validation of bad points, retention."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select, update

from backend.accounts.models import Role
from backend.events.models import Event
from backend.kit.clock import utcnow
from backend.orders.models import Order
from backend.tracking.models import Position
from tests.factories import make_order, position_rows, run_in_app, sign_in
from tests.tracking.conftest import DEPOT, STOPS, Day, drive, plan_day, point, settle, walk


def flush(client: Any) -> None:
    client.blocking_portal.call(client.app.state["tracker"].writer.flush)


def count_positions(client: Any) -> int:
    async def count(session: Any) -> int:
        return int(await session.scalar(select(func.count()).select_from(Position)) or 0)

    return int(run_in_app(client, count))


def events_of(day: Day, type_: str) -> list[dict[str, Any]]:
    settle(day.driver.client)

    async def read(session: Any) -> list[dict[str, Any]]:
        rows = await session.scalars(
            select(Event).where(Event.organization_id == day.tenant.organization.id, Event.type == type_)
        )
        return [{"type": e.type, "payload": e.payload} for e in rows]

    return list(run_in_app(day.driver.client, read))


def test_starting_the_route_sends_every_order_out(day: Day) -> None:
    assert day.route["status"] == "in_progress"
    for index in range(len(day.orders)):
        view = day.driver.client.get(f"/api/track/{day.token(index)}").json()
        assert view["status"] == "out_for_delivery"
        assert view["eta"] is not None and view["eta"]["live"] is False  # the plan's time until positions come
        assert view["stops_away"] == index


def test_positions_drive_eta_arrival_departure_and_only_the_next_customer_sees_the_driver(day: Day) -> None:
    client = day.driver.client
    t0 = utcnow() - timedelta(minutes=10)
    stop = (day.stops[0]["lat"], day.stops[0]["lon"])
    short = (stop[0] - 0.0027, stop[1])  # 300 m south of the first stop
    # drive from the depot towards the first stop, stopping 300 m short
    last = drive(day, walk(DEPOT, short, 6), t0)
    first = client.get(f"/api/track/{day.token(0)}").json()
    second = client.get(f"/api/track/{day.token(1)}").json()
    assert first["driver"] is not None and abs(first["driver"]["lat"] - short[0]) < 1e-6
    assert first["stops_away"] == 0 and first["eta"]["live"] is True
    assert second["driver"] is None, "a customer whose stop is not next never sees the driver"
    assert second["stops_away"] == 1
    assert first["eta"]["earliest_at"] <= first["eta"]["eta_at"] <= first["eta"]["latest_at"]
    # the ETAs are on the route for the dispatcher and the driver's app too
    stops = client.get(f"/api/routes/{day.route['id']}/stops").json()["stops"]
    assert all(s["eta_at"] for s in stops if s["order_id"])

    # arrive: 30 s of points inside the 50 m circle (jitter included) → arrived from the geofence
    jitter = [(stop[0] + 0.0001 * (-1) ** i, stop[1]) for i in range(7)]
    last = drive(day, [(stop[0] - 0.0004, stop[1]), *jitter], last + timedelta(seconds=5))
    stops = client.get(f"/api/routes/{day.route['id']}/stops").json()["stops"]
    arrived = next(s for s in stops if s["id"] == day.stops[0]["id"])
    assert arrived["status"] == "arrived" and arrived["arrived_at"]
    assert client.get(f"/api/track/{day.token(0)}").json()["status"] == "arriving"
    sources = [e["payload"]["source"] for e in events_of(day, "stop.arrived")]
    assert sources == ["geofence"]

    # a late backfilled point from inside the fence never re-fires the arrival
    drive(day, [stop], last - timedelta(seconds=3))
    assert len(events_of(day, "stop.arrived")) == 1

    # deliver, then drive off: the stop departed with its dwell, and the second customer is next now
    done = day.driver.post(
        f"/api/routes/{day.route['id']}/stops/{day.stops[0]['id']}/complete", json={"outcome": "delivered"}
    )
    assert done.status_code == 200, done.text
    settle(client)
    onwards = (day.stops[1]["lat"], day.stops[1]["lon"])
    drive(day, walk(stop, ((stop[0] + onwards[0]) / 2, stop[1]), 4), last + timedelta(seconds=5))
    delivered = client.get(f"/api/track/{day.token(0)}").json()
    assert delivered["status"] == "delivered" and delivered["driver"] is None
    assert [t["status"] for t in delivered["timeline"]][-1] == "delivered"
    second = client.get(f"/api/track/{day.token(1)}").json()
    assert second["stops_away"] == 0 and second["driver"] is not None
    departed = events_of(day, "stop.departed")
    assert [e["payload"]["stop_id"] for e in departed] == [day.stops[0]["id"]]
    assert departed[0]["payload"]["dwell_s"] >= 30


def test_bad_points_are_refused_or_kept_out_of_etas_and_the_batch_is_written(day: Day) -> None:
    client = day.driver.client
    now = utcnow()
    for bad in (
        {"lat": 91, "lon": 24.9, "at": now.isoformat()},
        {"lat": 60.1, "lon": 181, "at": now.isoformat()},
        {"lat": 60.1, "lon": 24.9, "at": "2026-01-01T10:00:00"},
        {"lat": 60.1, "lon": 24.9},
    ):
        response = day.driver.post("/api/positions", json={"points": [bad]})
        assert response.status_code == 400, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    too_many = [point(60.16, 24.93, now - timedelta(seconds=i)) for i in range(1001)]
    assert day.driver.post("/api/positions", json={"points": too_many}).status_code == 400
    result = day.driver.post(
        "/api/positions",
        json={
            "points": [
                point(60.1600, 24.9300, now - timedelta(seconds=20)),
                point(60.1601, 24.9300, now - timedelta(seconds=15), accuracy=500.0),  # too vague for ETAs
                point(61.5000, 24.9300, now - timedelta(seconds=10)),  # 150 km in 10 s
                point(60.1602, 24.9300, now + timedelta(minutes=10)),  # the phone's clock runs ahead
                point(60.1603, 24.9300, now - timedelta(days=3)),  # too old
            ]
        },
    ).json()
    assert result["accepted"] == 1 and result["stored_only"] == 2
    assert [r["index"] for r in result["rejected"]] == [3, 4]
    flush(client)
    assert count_positions(client) == 3


def test_positions_need_a_route_in_progress_and_a_driver(client: Any) -> None:
    day = plan_day(client, start=False)
    result = day.driver.post("/api/positions", json={"points": [point(60.16, 24.93, utcnow())]}).json()
    assert result["accepted"] == 0 and "off duty" in result["rejected"][0]["reason"]
    flush(client)
    assert count_positions(client) == 0, "no collection off duty"
    dispatcher = sign_in(client, day.tenant.users[Role.dispatcher])
    assert dispatcher.post("/api/positions", json={"points": [point(60.16, 24.93, utcnow())]}).status_code == 403


def test_retention_purges_old_positions(day: Day) -> None:
    client = day.driver.client
    drive(day, walk(DEPOT, STOPS[0], 3), utcnow() - timedelta(minutes=1))
    flush(client)

    async def age(session: Any) -> None:
        await session.execute(update(Position).values(recorded_at=utcnow() - timedelta(days=31)))

    run_in_app(client, age)
    drive(day, [STOPS[0]], utcnow())
    flush(client)
    removed = client.blocking_portal.call(client.app.state["retention"].purge)
    assert removed["positions"] == 3 and count_positions(client) == 1


def test_tracking_links_unknown_expired_and_instructions(client: Any) -> None:
    day = plan_day(client, start=False)
    unknown = client.get("/api/track/" + "0" * 32)
    assert unknown.status_code == 404 and unknown.json()["type"].endswith("tracking-link-not-found")
    edited = client.patch(f"/api/track/{day.token(0)}", json={"instructions": "Door code 1234, 3rd floor"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["instructions"] == "Door code 1234, 3rd floor"
    assert client.get(f"/api/track/{day.token(0)}").headers["referrer-policy"] == "no-referrer"
    started = day.driver.post(f"/api/routes/{day.route['id']}/start", json={})
    assert started.status_code == 200
    locked = client.patch(f"/api/track/{day.token(0)}", json={"instructions": "changed my mind"})
    assert locked.status_code == 409
    assert client.patch(f"/api/track/{day.token(0)}", json={"instructions": "x" * 501}).status_code == 400

    async def closed_long_ago(session: Any) -> None:
        await session.execute(
            update(Order).where(Order.id == UUID(day.orders[1]["id"])).values(closed_at=utcnow() - timedelta(days=2))
        )

    run_in_app(client, closed_long_ago)
    gone = client.get(f"/api/track/{day.token(1)}")
    assert gone.status_code == 410 and gone.json()["type"].endswith("tracking-link-expired")


def test_guessing_tracking_tokens_hits_the_rate_limit(client: Any) -> None:
    statuses = [client.get(f"/api/track/{i:032x}").status_code for i in range(70)]
    assert set(statuses[:60]) == {404}
    assert 429 in statuses[60:]


def test_a_customer_socket_gets_a_snapshot_then_live_positions_only_while_next(day: Day) -> None:
    client = day.driver.client
    with (
        client.websocket_connect(f"/ws/track/{day.token(0)}") as first,
        client.websocket_connect(f"/ws/track/{day.token(1)}") as second,
    ):
        snapshot = first.receive_json(timeout=5)
        assert snapshot["type"] == "snapshot" and snapshot["data"]["status"] == "out_for_delivery"
        assert second.receive_json(timeout=5)["type"] == "snapshot"
        drive(day, [DEPOT], utcnow() - timedelta(seconds=5))
        seen = []
        while (message := first.receive_json(timeout=5))["type"] != "position":
            seen.append(message["type"])
        assert message["data"]["lat"] == DEPOT[0]
        # the second customer got ETA news but never a position
        second.send_text('{"type": "ping"}')
        while (message := second.receive_json(timeout=5))["type"] != "pong":
            assert message["type"] != "position"
        # malformed frames get an error, the socket lives; resume gives a fresh snapshot
        first.send_text("not json")
        while (message := first.receive_json(timeout=5))["type"] != "error":
            pass
        first.send_text('{"type": "resume", "after": 1}')
        while (message := first.receive_json(timeout=5))["type"] != "snapshot":
            pass
        assert message["data"]["driver"] is not None


def test_the_driver_socket_acks_positions_and_answers_bad_frames_without_closing(day: Day) -> None:
    client = day.driver.client
    with client.websocket_connect("/ws/driver") as ws:
        assert ws.receive_json(timeout=5)["type"] == "ready"
        ws.send_text('{"type": "position", "lat": 95, "lon": 24.9, "at": "2026-11-25T10:00:00Z"}')
        assert ws.receive_json(timeout=5)["type"] == "error"
        ws.send_text("{")
        assert ws.receive_json(timeout=5)["type"] == "error"
        at = utcnow().isoformat()
        ws.send_text(f'{{"type": "position", "lat": 60.16, "lon": 24.93, "at": "{at}", "accuracy": 4}}')
        ack = ws.receive_json(timeout=5)
        while ack["type"] != "ack":
            ack = ws.receive_json(timeout=5)
        assert ack["data"]["accepted"] == 1


@pytest.mark.parametrize("role", [Role.dispatcher, None])
def test_the_driver_socket_is_for_drivers(client: Any, role: Role | None) -> None:
    from litestar.exceptions import WebSocketDisconnect

    day = plan_day(client, start=False)
    client.cookies.clear()
    if role is not None:
        sign_in(client, day.tenant.users[role])
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect("/ws/driver") as ws:
        ws.receive_json(timeout=5)
    assert closed.value.code in (4401, 4403)


def test_an_unknown_tracking_socket_is_closed_with_a_reason(client: Any) -> None:
    from litestar.exceptions import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect("/ws/track/" + "f" * 32) as ws:
        ws.receive_json(timeout=5)
    assert closed.value.code == 4404


def test_another_driver_cannot_act_on_the_route(client: Any, day: Day) -> None:
    other = plan_day(client, start=False)
    response = other.driver.post(f"/api/routes/{day.route['id']}/start", json={})
    assert response.status_code == 404
    response = other.driver.post(
        f"/api/routes/{day.route['id']}/stops/{day.stops[0]['id']}/complete", json={"outcome": "delivered"}
    )
    assert response.status_code == 404


def test_todays_plan_starts_the_vans_now_not_at_their_shift_start(day: Day) -> None:
    # the van's shift began at 00:00 in the organization's zone; it is about noon there
    first = datetime.fromisoformat(day.stops[0]["planned_arrival_at"])
    assert utcnow() - timedelta(minutes=2) <= first <= utcnow() + timedelta(minutes=30)


def test_a_driver_far_behind_the_plan_records_route_delayed_once(day: Day) -> None:
    # stuck 25 km away: the ETA of the first stop is well past its planned arrival
    drive(day, [(60.3850, 24.9300)], utcnow() - timedelta(seconds=30))
    drive(day, [(60.3851, 24.9300)], utcnow())
    delayed = events_of(day, "route.delayed")
    assert len(delayed) == 1
    assert delayed[0]["payload"]["minutes"] >= 15 and delayed[0]["payload"]["stop_id"] == day.stops[0]["id"]


def test_the_driver_is_shown_only_while_the_order_is_on_its_way_whatever_its_state(day: Day) -> None:
    from backend.orders.models import OrderStatus

    client = day.driver.client
    drive(day, [DEPOT], utcnow() - timedelta(seconds=5))
    order_id = UUID(day.orders[0]["id"])
    for status in OrderStatus:

        async def set_status(session: Any, status: OrderStatus = status) -> None:
            await session.execute(update(Order).where(Order.id == order_id).values(status=status, closed_at=None))

        run_in_app(client, set_status)
        view = client.get(f"/api/track/{day.token(0)}").json()
        shown = view["driver"] is not None
        assert shown == (status in (OrderStatus.out_for_delivery, OrderStatus.arriving)), status
        # the other customers never see the driver while order 0 is next, whatever order 0's state
        assert client.get(f"/api/track/{day.token(2)}").json()["driver"] is None


def test_opening_tracking_sockets_in_a_loop_hits_the_rate_limit(client: Any) -> None:
    from litestar.exceptions import WebSocketDisconnect

    codes = []
    for i in range(62):
        with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect(f"/ws/track/{i:032x}") as ws:
            ws.receive_json(timeout=5)
        codes.append(closed.value.code)
    assert set(codes[:60]) == {4404} and set(codes[60:]) == {1013}


def test_stopping_the_writer_mid_write_keeps_every_point(client: Any, day: Day, monkeypatch: Any) -> None:
    import asyncio

    from backend.tracking import ingest, repository

    real_insert = repository.insert_positions

    async def slow_insert(session: Any, rows: list[dict[str, Any]]) -> None:
        await asyncio.sleep(0.2)
        await real_insert(session, rows)

    monkeypatch.setattr(repository, "insert_positions", slow_insert)
    writer = ingest.PositionWriter(_factory(client))
    rows = position_rows(day.tenant.organization.id, day.tenant.users[Role.driver].id, 600)

    async def run() -> None:
        writer.start()
        writer.add(rows)  # past FLUSH_AT_POINTS: the loop starts writing at once
        await asyncio.sleep(0.05)
        await writer.stop()  # mid-insert: the write under way finishes, then stop() writes the rest

    client.blocking_portal.call(run)
    assert count_positions(client) == 600


def _factory(client: Any) -> Any:
    from backend.db.session import SESSION_FACTORY_KEY

    return client.app.state[SESSION_FACTORY_KEY]


def test_an_order_placed_live_on_a_route_under_way_can_be_fetched_and_delivered(day: Day) -> None:
    client = day.driver.client
    dispatcher = sign_in(client, day.tenant.users[Role.dispatcher])
    new = make_order(dispatcher, lat=60.1680, lon=24.9350, service_s=60)
    settle(client)
    day.driver = sign_in(client, day.tenant.users[Role.driver])
    route = client.get(f"/api/routes/{day.route['id']}/stops").json()
    visits = [s for s in route["stops"] if s["order_id"] == new["id"]]
    assert visits, "live re-planning placed the new order on the van that is out"
    for stop in visits:  # a depot pickup first when the van had left, then the delivery
        done = day.driver.post(
            f"/api/routes/{day.route['id']}/stops/{stop['id']}/complete", json={"outcome": "delivered"}
        )
        assert done.status_code == 200, done.text
    dispatcher = sign_in(client, day.tenant.users[Role.dispatcher])
    assert dispatcher.get(f"/api/orders/{new['id']}").json()["status"] == "delivered"


@pytest.mark.parametrize(
    ("kind", "status", "stop_kind", "outcome", "steps"),
    [
        ("delivery", "planned", "pickup", "delivered", ["out_for_delivery"]),
        ("delivery", "planned", "delivery", "delivered", ["out_for_delivery", "delivered"]),
        ("delivery", "arriving", "delivery", "failed", ["failed"]),
        ("delivery", "delivered", "delivery", "delivered", []),
        ("return", "scheduled", "pickup", "delivered", ["collected"]),
        ("return", "scheduled", "pickup", "failed", []),
        ("return", "collected", "delivery", "delivered", ["received"]),
    ],
)
def test_a_stops_outcome_moves_its_order_by_what_the_stop_is(
    kind: str, status: str, stop_kind: str, outcome: str, steps: list[str]
) -> None:
    from backend.orders.models import OrderKind, OrderStatus
    from backend.routing.execution import outcome_steps
    from backend.routing.models import StopKind

    moves = outcome_steps(OrderKind(kind), OrderStatus(status), StopKind(stop_kind), outcome)  # type: ignore[arg-type]
    assert [m.value for m in moves] == steps


def test_leaving_and_coming_back_to_the_depot_are_recorded(day: Day) -> None:
    t0 = utcnow() - timedelta(minutes=5)
    # 330 m out (left the yard), then back, at a van's pace (20 s between fixes)
    last = drive(day, [DEPOT, (60.1603, 24.9300), (60.1630, 24.9300)], t0, every_s=20)
    drive(day, [(60.1610, 24.9300), DEPOT], last + timedelta(seconds=20), every_s=20)
    left = events_of(day, "route.left_depot")
    back = events_of(day, "route.back_at_depot")
    assert len(left) == 1 and len(back) == 1


def test_an_address_with_a_wider_geofence_is_arrived_at_from_further_away(client: Any) -> None:
    day = plan_day(client, start=False)
    first = day.orders[0]["id"]
    dispatcher = sign_in(client, day.tenant.users[Role.dispatcher])
    assert dispatcher.patch(f"/api/orders/{first}", json={"geofence_radius_m": 5}).status_code == 400
    widened = dispatcher.patch(f"/api/orders/{first}", json={"geofence_radius_m": 150})
    assert widened.status_code == 200 and widened.json()["geofence_radius_m"] == 150
    settle(client)
    day.driver = sign_in(client, day.tenant.users[Role.driver])
    assert day.driver.post(f"/api/routes/{day.route['id']}/start", json={}).status_code == 200
    stop = (day.stops[0]["lat"], day.stops[0]["lon"])
    # 7 points 5 s apart, 120 m short of the door (in a 150 m fence, outside the default 50 m one)
    drive(day, [(stop[0] - 0.00108, stop[1])] * 7, utcnow() - timedelta(minutes=1))
    stops = client.get(f"/api/routes/{day.route['id']}/stops").json()["stops"]
    assert next(s for s in stops if s["id"] == day.stops[0]["id"])["status"] == "arrived"


def test_a_depot_yard_must_be_a_valid_polygon(client: Any) -> None:
    day = plan_day(client, start=False)
    admin = sign_in(client, day.tenant.users[Role.admin])
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[24.92, 60.15], [24.94, 60.17], [24.94, 60.15], [24.92, 60.17], [24.92, 60.15]]],
    }
    base = {"kind": "depot", "name": "Yard", "address": "Yard road 1", "lat": 60.16, "lon": 24.93}
    refused = admin.post("/api/locations", json={**base, "geofence": bowtie})
    assert refused.status_code in (400, 422) and "geofence" in refused.text
    square = {
        "type": "Polygon",
        "coordinates": [[[24.929, 60.159], [24.931, 60.159], [24.931, 60.161], [24.929, 60.159]]],
    }
    made = admin.post("/api/locations", json={**base, "geofence": square, "geofence_radius_m": 80})
    assert made.status_code == 201, made.text
    assert made.json()["geofence"] == square and made.json()["geofence_radius_m"] == 80


def test_one_stray_fix_does_not_push_the_eta_later_but_two_do(day: Day) -> None:
    import dataclasses

    client = day.driver.client
    tracker = client.app.state["tracker"]
    tracker._settings = dataclasses.replace(tracker._settings, eta_interval_s=0.0)  # every fix recomputes
    stop = (day.stops[0]["lat"], day.stops[0]["lon"])
    near = (stop[0] - 0.0027, stop[1])  # 300 m short
    far = (stop[0] - 0.0200, stop[1])  # 2.2 km back: minutes later (a fix snapped to the wrong street)
    t0 = utcnow() - timedelta(minutes=5)

    def eta() -> str:
        return str(client.get(f"/api/routes/{day.route['id']}/stops").json()["stops"][1]["eta_at"])

    drive(day, [near], t0)
    before = eta()
    drive(day, [far], t0 + timedelta(seconds=60))
    assert eta() == before, "a single stray fix is held"
    drive(day, [near], t0 + timedelta(seconds=120))
    assert eta() == before
    drive(day, [far], t0 + timedelta(seconds=180))
    drive(day, [far], t0 + timedelta(seconds=185))
    assert eta() > before, "a second fix that agrees moves the ETA"


def test_a_van_going_back_to_the_depot_for_a_parcel_is_not_shown_to_that_customer(day: Day) -> None:
    import asyncio
    import contextlib
    import json

    client = day.driver.client
    dispatcher = sign_in(client, day.tenant.users[Role.dispatcher])
    new = make_order(dispatcher, lat=60.1680, lon=24.9350, service_s=60)
    settle(client)
    day.driver = sign_in(client, day.tenant.users[Role.driver])
    stops = client.get(f"/api/routes/{day.route['id']}/stops").json()["stops"]
    fetch = next(s for s in stops if s["order_id"] == new["id"] and s["kind"] == "pickup")
    for stop in stops:  # deliver whatever comes before the depot fetch: the fetch is the van's next stop
        if stop["sequence"] >= fetch["sequence"]:
            break
        if stop["order_id"] and stop["status"] == "pending":
            url = f"/api/routes/{day.route['id']}/stops/{stop['id']}/complete"
            assert day.driver.post(url, json={"outcome": "delivered"}).status_code == 200
    settle(client)
    channels = client.app.state["relay"]._channels
    subscriber = client.blocking_portal.call(channels.subscribe, [f"order:{new['id']}"])
    drive(day, [DEPOT], utcnow() - timedelta(seconds=5))

    async def frames() -> list[dict[str, Any]]:
        got: list[dict[str, Any]] = []
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1.0):
                async for raw in subscriber.iter_events():
                    got.append(json.loads(raw))
        return got

    seen = client.blocking_portal.call(frames)
    client.blocking_portal.call(channels.unsubscribe, subscriber)
    assert "position" not in [f["type"] for f in seen]
    view = client.get(f"/api/track/{new['tracking_url'].rsplit('/', 1)[1]}").json()
    assert view["driver"] is None and view["status"] == "planned"


def test_the_driver_socket_answers_a_batch_with_one_error_per_reason_and_closes_on_binary(client: Any) -> None:
    import json

    from litestar.exceptions import WebSocketDisconnect

    day = plan_day(client, start=False)  # off duty: every point is refused for the same reason
    at = utcnow().isoformat()
    batch = {"type": "positions", "points": [{"lat": 60.16, "lon": 24.93, "at": at}] * 5}
    with client.websocket_connect("/ws/driver") as ws:
        assert ws.receive_json(timeout=5)["type"] == "ready"
        ws.send_text(json.dumps(batch))
        error = ws.receive_json(timeout=5)
        assert error["type"] == "error" and error["data"]["count"] == 5 and "off duty" in error["data"]["detail"]
        assert ws.receive_json(timeout=5)["type"] == "ack"
        ws.send_bytes(b"\x00\x01")
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json(timeout=5)
        assert closed.value.code == 1003
    assert day.route["status"] == "published"


def test_live_etas_after_the_drivers_break_include_it(day: Day) -> None:
    """The plan's break between the first and second stop (as planning stores one): the live ETA of every stop
    after it moves by the break; before this, customers after a lunch break saw ETAs early by its length."""
    from backend.routing.models import Stop, StopKind

    client = day.driver.client
    starts = utcnow() + timedelta(minutes=20)

    async def add_break(session: Any) -> None:
        rows = (await session.scalars(select(Stop).where(Stop.route_id == UUID(day.route["id"])))).all()
        first = next(s for s in rows if str(s.id) == day.stops[0]["id"])
        for row in sorted(rows, key=lambda s: -s.sequence):
            if row.sequence > first.sequence:
                row.sequence += 1
                await session.flush()
        session.add(
            Stop(
                organization_id=first.organization_id,
                route_id=first.route_id,
                sequence=first.sequence + 1,
                kind=StopKind.break_,
                lat=first.lat,
                lon=first.lon,
                planned_arrival_at=starts,
                planned_departure_at=starts + timedelta(minutes=30),
            )
        )

    run_in_app(client, add_break)
    stop = (day.stops[0]["lat"], day.stops[0]["lon"])
    drive(day, walk(DEPOT, (stop[0] - 0.0027, stop[1]), 4), utcnow() - timedelta(seconds=30))
    stops = [s for s in client.get(f"/api/routes/{day.route['id']}/stops").json()["stops"] if s["order_id"]]
    first, second, third = (datetime.fromisoformat(s["eta_at"]) for s in stops)
    # 600 m and a minute's service apart, but the second waits for the break, planned from `starts`: 30 min
    assert second - max(first, starts) >= timedelta(minutes=30)
    assert second >= starts + timedelta(minutes=30)
    assert third - second < timedelta(minutes=10)
    view = client.get(f"/api/track/{day.token(1)}").json()
    assert datetime.fromisoformat(view["eta"]["eta_at"]) >= starts + timedelta(minutes=30)
