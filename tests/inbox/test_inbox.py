"""GET /api/inbox and POST /api/inbox/{key}/acknowledge: each kind of exception is listed while its condition
holds and not otherwise (failed attempts, late stops, drivers offline, refused offline actions, webhook failures),
driven through the real API; acknowledging moves an item to the handled ones, once; other organizations, other
roles and bad input get problems, never another tenant's items."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from backend.accounts.models import Role
from backend.events.models import Event
from backend.inbox.models import InboxAcknowledgement
from backend.kit.clock import utcnow
from backend.routing.models import Route
from backend.settings import Settings
from backend.sync.models import SyncCommand
from backend.tracking.models import Position
from tests.factories import Api, make_order, make_tenant, run_in_app, sign_in
from tests.integrations.receiver import Receiver, running_receiver
from tests.tracking.conftest import Day, plan_day, point, settle


@pytest.fixture
def settings(stack: Any) -> Settings:
    # no live re-planning: a failed or late stop stays where the test put it; the webhook receiver runs here
    return dataclasses.replace(stack.settings, live_replanning=False, webhook_allow_private=True, webhook_timeout_s=1.0)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def inbox(api: Api, **params: str) -> dict[str, Any]:
    response = api.get("/api/inbox", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def items(api: Api, kind: str) -> list[dict[str, Any]]:
    return [item for item in inbox(api)["items"] if item["kind"] == kind]


def acknowledge(api: Api, key: str) -> Any:
    return api.post(f"/api/inbox/{key}/acknowledge")


def dispatcher_of(client: Any, day: Day) -> Api:
    """The tenant's dispatcher by API key (it wins over the cookie), so the driver's session stays signed in."""
    admin = sign_in(client, day.tenant.users[Role.admin])
    key = admin.post("/api/api-keys", json={"name": "inbox", "role": "dispatcher"})
    assert key.status_code == 201, key.text
    dispatcher = Api(client, headers={"X-API-Key": key.json()["key"]})
    day.driver = sign_in(client, day.tenant.users[Role.driver])
    return dispatcher


def time_passes(client: Any, minutes: float) -> None:
    """Everything the server heard happened `minutes` earlier: the route's start, the events, the positions and
    the synced commands (what the inbox reads to know when a driver was last heard from)."""
    delta = timedelta(minutes=minutes)

    async def shift(session: Any) -> None:
        # row by row: the UTC datetime columns take datetimes, not SQL date arithmetic
        for route in await session.scalars(select(Route).where(Route.started_at.is_not(None))):
            route.started_at -= delta
        for event in await session.scalars(select(Event)):
            event.recorded_at -= delta
        for position in await session.scalars(select(Position)):
            position.received_at -= delta
            position.recorded_at -= delta
        for command in await session.scalars(select(SyncCommand)):
            command.recorded_at -= delta

    run_in_app(client, shift)


def acknowledgements(client: Any) -> int:
    async def count(session: Any) -> int:
        return int(await session.scalar(select(func.count()).select_from(InboxAcknowledgement)) or 0)

    found: int = run_in_app(client, count)
    return found


# -- failed attempts, and acknowledging


def test_a_failed_attempt_is_listed_and_acknowledging_it_moves_it_to_handled_once(client: Any) -> None:
    day = plan_day(client)
    dispatcher = dispatcher_of(client, day)
    delivered = day.driver.post(
        f"/api/routes/{day.route['id']}/stops/{day.stops[0]['id']}/complete", json={"outcome": "delivered"}
    )
    assert delivered.status_code == 200, delivered.text
    assert items(dispatcher, "failed_attempt") == []  # a delivery is no exception

    failed = day.driver.post(
        f"/api/routes/{day.route['id']}/stops/{day.stops[1]['id']}/complete",
        json={"outcome": "failed", "reason": "not_home"},
    )
    assert failed.status_code == 200, failed.text
    before = inbox(dispatcher)
    [item] = [i for i in before["items"] if i["kind"] == "failed_attempt"]
    assert item["key"] == f"failed_attempt:{day.stops[1]['id']}"
    assert item["severity"] == "warning" and item["acknowledged"] is False
    assert (item["stop_id"], item["order_id"], item["route_id"], item["driver_id"]) == (
        day.stops[1]["id"],
        day.orders[1]["id"],
        day.route["id"],
        str(day.tenant.users[Role.driver].id),
    )
    assert item["title"].startswith(f"Delivery to {day.orders[1]['recipient_name']} failed at ")
    assert item["title"].endswith(": nobody home")
    assert day.orders[1]["address"] in item["detail"] and "Van 1" in item["detail"]
    assert before["open_count"] >= 1

    handled = acknowledge(dispatcher, item["key"])
    assert handled.status_code == 200, handled.text
    assert handled.json()["acknowledged"] is True and handled.json()["acknowledged_at"]
    again = acknowledge(dispatcher, item["key"])
    assert again.status_code == 200, again.text
    assert again.json()["acknowledged_at"] == handled.json()["acknowledged_at"]  # idempotent: nothing moved
    assert acknowledgements(client) == 1

    after = inbox(dispatcher)
    [listed] = [i for i in after["items"] if i["key"] == item["key"]]
    assert listed["acknowledged"] is True
    assert after["open_count"] == before["open_count"] - 1


def test_the_signed_in_dispatcher_is_named_on_what_they_handled(client: Any) -> None:
    day = plan_day(client)
    failed = day.driver.post(
        f"/api/routes/{day.route['id']}/stops/{day.stops[0]['id']}/complete",
        json={"outcome": "failed", "reason": "no_access"},
    )
    assert failed.status_code == 200, failed.text
    office = sign_in(client, day.tenant.users[Role.dispatcher])  # a session: the write carries its CSRF token
    [item] = items(office, "failed_attempt")
    assert item["title"].endswith(": no access")
    handled = acknowledge(office, item["key"])
    assert handled.status_code == 200, handled.text
    assert handled.json()["acknowledged_by"] == day.tenant.users[Role.dispatcher].name
    missing_csrf = office.client.post(f"/api/inbox/{item['key']}/acknowledge")
    assert missing_csrf.status_code == 403


# -- late stops


def test_late_stops_are_listed_while_expected_after_the_window_and_when_arrived_after_it(client: Any) -> None:
    day = plan_day(client, start=False)
    dispatcher = dispatcher_of(client, day)
    now = utcnow()
    expected_last = datetime.fromisoformat(day.stops[2]["planned_arrival_at"])  # the plan leaves from now on
    assert expected_last > now + timedelta(minutes=2)
    windows = {
        0: (now - timedelta(hours=3), now - timedelta(minutes=10)),  # over already: no one came
        1: (now - timedelta(hours=3), now + timedelta(hours=6)),  # wide: on time
        2: (now - timedelta(hours=3), expected_last - timedelta(minutes=1)),  # still open, but the van comes after
    }
    for index, (start, end) in windows.items():
        changed = dispatcher.patch(
            f"/api/orders/{day.orders[index]['id']}",
            json={"window_start_at": start.isoformat(), "window_end_at": end.isoformat()},
        )
        assert changed.status_code == 200, changed.text
    settle(client)

    late = {item["stop_id"]: item for item in items(dispatcher, "late_stop")}
    assert set(late) == {day.stops[0]["id"], day.stops[2]["id"]}  # not the stop on time
    missed, coming = late[day.stops[0]["id"]], late[day.stops[2]["id"]]
    assert (missed["key"], missed["severity"], missed["order_id"]) == (
        f"late_stop:{day.stops[0]['id']}",
        "warning",
        day.orders[0]["id"],
    )
    assert missed["title"].startswith(f"Delivery to {day.orders[0]['recipient_name']}")
    assert "late" in missed["title"] and "the window ended at" in missed["title"]
    assert datetime.fromisoformat(missed["occurred_at"]) == windows[0][1]
    assert coming["severity"] == "warning"
    assert coming["title"].startswith(f"Delivery to {day.orders[2]['recipient_name']} will be late: expected at ")
    assert "the window ends at" in coming["title"]

    started = day.driver.post(f"/api/routes/{day.route['id']}/start", json={})
    assert started.status_code == 200, started.text
    arrived = day.driver.post(f"/api/routes/{day.route['id']}/stops/{day.stops[0]['id']}/arrive", json={})
    assert arrived.status_code == 200, arrived.text
    late = {item["stop_id"]: item for item in items(dispatcher, "late_stop")}
    assert set(late) == {day.stops[0]["id"], day.stops[2]["id"]}
    arrived_late = late[day.stops[0]["id"]]
    assert arrived_late["key"] == missed["key"]  # the same item: acknowledging it once holds
    assert arrived_late["severity"] == "info" and " late at " in arrived_late["title"]
    assert "arrived" in arrived_late["title"]
    assert datetime.fromisoformat(arrived_late["occurred_at"]) > windows[0][1]


# -- drivers offline


def test_a_driver_not_heard_from_past_the_threshold_is_offline_until_their_phone_speaks(client: Any) -> None:
    day = plan_day(client)
    dispatcher = dispatcher_of(client, day)
    assert items(dispatcher, "driver_offline") == []  # just started

    time_passes(client, 5)  # under the 10 minutes of DOORSTEP_DRIVER_OFFLINE_AFTER_MIN
    assert items(dispatcher, "driver_offline") == []

    time_passes(client, 20)
    [offline] = items(dispatcher, "driver_offline")
    assert (offline["severity"], offline["route_id"], offline["driver_id"]) == (
        "critical",
        day.route["id"],
        str(day.tenant.users[Role.driver].id),
    )
    assert offline["title"].startswith(day.tenant.users[Role.driver].name + " not heard from for 2")
    assert "3 stops to go" in offline["detail"] and "no position yet" in offline["detail"]
    assert acknowledge(dispatcher, offline["key"]).status_code == 200

    # a position from the phone: heard from again
    sent = day.driver.post("/api/positions", json={"points": [point(60.1610, 24.9300, utcnow())]})
    assert sent.status_code == 200, sent.text
    client.blocking_portal.call(client.app.state["tracker"].writer.flush)
    assert items(dispatcher, "driver_offline") == []

    # silent again: a new item, open, whatever was acknowledged before
    time_passes(client, 15)
    [again] = items(dispatcher, "driver_offline")
    assert again["key"] != offline["key"] and again["acknowledged"] is False
    assert "last position received at" in again["detail"]

    # an offline action synced counts as being heard from too
    synced = day.driver.post(
        "/api/sync",
        json={
            "commands": [
                {
                    "id": str(uuid.uuid4()),
                    "type": "stop.arrive",
                    "route_id": day.route["id"],
                    "stop_id": day.stops[0]["id"],
                    "order_id": day.stops[0]["order_id"],
                    "occurred_at": utcnow().isoformat(),
                    "payload": {},
                }
            ]
        },
    )
    assert synced.status_code == 200 and synced.json()["results"][0]["outcome"] == "applied", synced.text
    assert items(dispatcher, "driver_offline") == []


def test_a_route_started_on_an_earlier_day_and_still_out_is_watched_today(client: Any) -> None:
    """A route out past midnight belongs to yesterday's plan, but its silent driver is today's worry."""
    day = plan_day(client)
    dispatcher = dispatcher_of(client, day)
    route_id = uuid.UUID(day.route["id"])

    async def yesterday(session: Any) -> None:
        route = await session.get(Route, route_id)
        route.service_date = route.service_date - timedelta(days=1)

    run_in_app(client, yesterday)
    time_passes(client, 20)
    [offline] = items(dispatcher, "driver_offline")
    assert offline["route_id"] == day.route["id"]


# -- offline actions the server refused


def test_an_offline_action_the_server_refused_is_listed_with_the_reason(client: Any) -> None:
    day = plan_day(client, start=False)
    dispatcher = dispatcher_of(client, day)
    cancelled = dispatcher.post(
        f"/api/orders/{day.stops[1]['order_id']}/transitions", json={"to": "cancelled", "reason": "customer called"}
    )
    assert cancelled.status_code == 200, cancelled.text

    def command(type_: str, index: int, **payload: Any) -> dict[str, Any]:
        return {
            "id": str(uuid.uuid4()),
            "type": type_,
            "route_id": day.route["id"],
            "stop_id": day.stops[index]["id"],
            "order_id": day.stops[index]["order_id"],
            "occurred_at": (utcnow() - timedelta(minutes=1)).isoformat(),
            "payload": payload,
        }

    applied = command("stop.arrive", 0)
    refused = command("stop.deliver", 1, recipient_name="Aino Virtanen")
    answer = day.driver.post("/api/sync", json={"commands": [applied, refused]})
    assert answer.status_code == 200, answer.text
    assert [r["outcome"] for r in answer.json()["results"]] == ["applied", "rejected"]

    [item] = items(dispatcher, "rejected_action")
    assert item["key"] == f"rejected_action:{refused['id']}"
    assert (item["stop_id"], item["order_id"], item["route_id"], item["driver_id"]) == (
        day.stops[1]["id"],
        day.stops[1]["order_id"],
        day.route["id"],
        str(day.tenant.users[Role.driver].id),
    )
    driver_name = day.tenant.users[Role.driver].name
    recipient = day.orders[1]["recipient_name"]
    assert item["title"] == f"{driver_name}'s delivery to {recipient} was refused: the stop had been cancelled"
    assert item["severity"] == "warning"


# -- webhooks


def test_webhook_deliveries_that_failed_for_good_and_a_disabled_endpoint_are_listed(
    client: Any, receiver: Receiver
) -> None:
    client.blocking_portal.call(
        client.app.state["webhook_sender"].stop
    )  # the test runs the passes: the loop would race it
    tenant = make_tenant(client)
    admin = sign_in(client, tenant.users[Role.admin])
    created = admin.post("/api/webhooks", json={"url": receiver.url, "event_types": ["order.created"]})
    assert created.status_code == 201, created.text
    receiver.secrets = [created.json()["secret"]]
    endpoint_id = created.json()["endpoint"]["id"]

    def send() -> None:
        settle(client)
        client.blocking_portal.call(client.app.state["webhook_sender"].tick)

    make_order(admin)
    send()
    assert len(receiver.accepted()) == 1
    assert [i for i in inbox(admin)["items"] if i["kind"].startswith(("webhook", "endpoint"))] == []

    receiver.script = [410]  # the receiver says it is gone: the delivery fails for good, the endpoint goes off
    make_order(admin)
    send()
    listed = {i["kind"]: i for i in inbox(admin)["items"]}
    failed, disabled = listed["webhook_failed"], listed["endpoint_disabled"]
    assert failed["endpoint_id"] == disabled["endpoint_id"] == endpoint_id
    assert failed["title"].startswith(f"A webhook delivery to {receiver.url} failed for good")
    assert failed["detail"] == "Last error: answered 410"
    assert disabled["severity"] == "critical" and "410 Gone" in disabled["title"]
    assert acknowledge(admin, failed["key"]).status_code == 200
    assert acknowledge(admin, disabled["key"]).status_code == 200

    # turned back on, failing again: the day's group opens again with both failures; the new switch-off is new
    assert admin.patch(f"/api/webhooks/{endpoint_id}", json={"enabled": True}).status_code == 200
    receiver.script = [410]
    make_order(admin)
    send()
    now_listed = [i for i in inbox(admin)["items"] if i["kind"].startswith(("webhook", "endpoint"))]
    [group] = [i for i in now_listed if i["kind"] == "webhook_failed"]
    assert group["key"] == failed["key"] and group["acknowledged"] is False
    assert group["title"].startswith(f"2 webhook deliveries to {receiver.url} failed for good")
    switched_off = {i["key"]: i["acknowledged"] for i in now_listed if i["kind"] == "endpoint_disabled"}
    assert switched_off == {key: False for key in switched_off} and disabled["key"] not in switched_off


# -- access and input


def test_another_organization_sees_none_of_it_and_cannot_acknowledge_it(client: Any) -> None:
    day = plan_day(client)
    failed = day.driver.post(
        f"/api/routes/{day.route['id']}/stops/{day.stops[0]['id']}/complete",
        json={"outcome": "failed", "reason": "refused"},
    )
    assert failed.status_code == 200, failed.text
    dispatcher = dispatcher_of(client, day)
    [item] = items(dispatcher, "failed_attempt")

    stranger = sign_in(client, make_tenant(client).users[Role.admin])
    theirs = inbox(stranger)
    assert theirs["items"] == [] and theirs["open_count"] == 0
    refused = acknowledge(stranger, item["key"])
    assert refused.status_code == 404, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert acknowledgements(client) == 0
    [still] = items(dispatcher, "failed_attempt")
    assert still["acknowledged"] is False


def test_only_staff_may_read_the_inbox(client: Any) -> None:
    tenant = make_tenant(client)
    driver = sign_in(client, tenant.users[Role.driver])
    assert driver.get("/api/inbox").status_code == 403
    client.cookies.clear()
    assert client.get("/api/inbox").status_code == 401
    dispatcher = sign_in(client, tenant.users[Role.dispatcher])
    assert dispatcher.get("/api/inbox").status_code == 200


def test_the_day_is_the_organizations_today_unless_asked(client: Any) -> None:
    day = plan_day(client)
    dispatcher = dispatcher_of(client, day)
    today = inbox(dispatcher)
    assert today["date"] == day.route["service_date"]
    assert today["offline_after_min"] == 10
    failed = day.driver.post(
        f"/api/routes/{day.route['id']}/stops/{day.stops[0]['id']}/complete",
        json={"outcome": "failed", "reason": "damaged"},
    )
    assert failed.status_code == 200, failed.text
    tomorrow = (datetime.fromisoformat(day.route["service_date"]) + timedelta(days=1)).date().isoformat()
    assert [i["kind"] for i in inbox(dispatcher, date=day.route["service_date"])["items"]] == ["failed_attempt"]
    assert inbox(dispatcher, date=tomorrow)["items"] == []


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("2026-13-01", "validation"),
        ("yesterday", "validation"),
        ("1999-12-31", "inbox-day"),
        ("2100-01-01", "inbox-day"),
    ],
)
def test_a_bad_day_is_a_400_problem(client: Any, query: str, slug: str) -> None:
    api = sign_in(client, make_tenant(client).users[Role.dispatcher])
    response = api.get("/api/inbox", params={"date": query})
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("/" + slug)


@pytest.mark.parametrize(
    "key",
    [
        "nonsense",
        # fixed ids: test ids must be the same in every xdist worker
        "failed_attempt:b753ca7f-441a-40e8-8e29-71d3d6f1fade",
        "driver_offline:38247a3c-ca57-4a02-bb40-1f703034f1fa:1700000000000",
        "webhook_failed:fab7341d-6073-47ba-9d84-5da77096eed5:2026-02-30",
        "rejected_action:57343f38-ee12-4eeb-89be-c6769b55526e",
        "late_stop:" + "x" * 300,
    ],
)
def test_an_unknown_key_is_a_404_problem(client: Any, key: str) -> None:
    api = sign_in(client, make_tenant(client).users[Role.dispatcher])
    response = acknowledge(api, key)
    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
