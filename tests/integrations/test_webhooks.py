"""Outbound webhooks: a committed event reaches each endpoint that wants it once, signed (the reference receiver
verifies it and refuses a replay); failures are retried with backoff from the persistent queue until the window
ends, then the endpoint is disabled and its owner told; a 410 disables at once; manual redelivery; secret rotation;
URLs and event patterns validated; another organization and other roles see nothing."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from backend.accounts.models import Role
from backend.events.models import Event
from backend.integrations import service
from backend.integrations.signing import SIGNATURE_HEADER, verify
from backend.kit.clock import utcnow
from backend.settings import Settings
from tests.factories import Api, make_order, make_tenant, run_in_app, sign_in
from tests.integrations.receiver import Receiver, running_receiver
from tests.tracking.conftest import settle


@pytest.fixture
def settings(stack: Any) -> Settings:
    # the receiver runs on this machine (as in development); a short timeout keeps the "slow receiver" case quick
    return dataclasses.replace(stack.settings, webhook_timeout_s=1.0, webhook_allow_private=True)


@pytest.fixture(autouse=True)
def _sender_by_hand(client: Any) -> None:
    """These tests run the sender's passes themselves (send()); its background loop would race them for the rows
    and send in between their asserts."""
    client.blocking_portal.call(client.app.state["webhook_sender"].stop)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


@pytest.fixture
def admin(client: Any) -> Api:
    return sign_in(client, make_tenant(client).users[Role.admin])


def register(admin: Api, receiver: Receiver, event_types: list[str]) -> dict[str, Any]:
    created = admin.post("/api/webhooks", json={"url": receiver.url, "event_types": event_types})
    assert created.status_code == 201, created.text
    receiver.secrets = [created.json()["secret"]]
    return dict(created.json()["endpoint"])


def send(client: Any) -> None:
    """Hand committed events to the relay (which queues deliveries) and run one pass of the sender."""
    settle(client)
    client.blocking_portal.call(client.app.state["webhook_sender"].tick)


def deliveries(admin: Api, endpoint: dict[str, Any]) -> list[dict[str, Any]]:
    response = admin.get(f"/api/webhooks/{endpoint['id']}/deliveries")
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def later(client: Any, **delta: float) -> None:
    """Move the sender's clock on (what schedules retries); signatures keep the wall clock."""
    sender = client.app.state["webhook_sender"]
    now = sender.clock() + timedelta(**delta)
    sender.clock = lambda: now


def test_an_event_reaches_the_endpoint_once_signed_and_a_replay_is_refused(
    client: Any, admin: Api, receiver: Receiver
) -> None:
    endpoint = register(admin, receiver, ["order.*"])
    order = make_order(admin, recipient_name="Aino Virtanen")
    send(client)
    send(client)  # a second pass sends nothing again
    assert len(receiver.received) == 1, receiver.received
    got = receiver.received[0]
    assert got.verified and not got.duplicate
    event = got.event
    assert (event["type"], event["subject"]) == ("order.created", {"type": "order", "id": order["id"]})
    assert got.headers["Doorstep-Event-Id"] == event["id"] and got.headers["Doorstep-Event-Type"] == "order.created"
    assert got.headers["Content-Type"] == "application/json"
    [logged] = deliveries(admin, endpoint)
    assert (logged["status"], logged["attempts"], logged["last_status_code"]) == ("succeeded", 1, 200)

    # the same request replayed later than five minutes is refused by the reference check; a wrong secret too
    header = got.headers[SIGNATURE_HEADER]
    assert verify(header, got.body, receiver.secrets, now=time.time())
    assert not verify(header, got.body, receiver.secrets, now=time.time() + 301)
    assert not verify(header, got.body, ["whsec_someone-else"], now=time.time())
    assert not verify(header, got.body + b" ", receiver.secrets, now=time.time())  # a changed body
    assert not verify("t=1,v1=", got.body, receiver.secrets, now=time.time())
    assert not verify(None, got.body, receiver.secrets, now=time.time())


def test_only_the_chosen_event_types_are_sent(client: Any, admin: Api, receiver: Receiver) -> None:
    register(admin, receiver, ["order.status_changed"])
    order = make_order(admin)
    assert admin.post(f"/api/orders/{order['id']}/transitions", json={"to": "planned"}).status_code == 200
    send(client)
    assert [r.event["type"] for r in receiver.accepted()] == ["order.status_changed"]  # not order.created
    assert receiver.accepted()[0].event["data"]["to"] == "planned"


def test_the_relay_seeing_an_event_twice_queues_it_once(client: Any, admin: Api, receiver: Receiver) -> None:
    endpoint = register(admin, receiver, ["*"])
    make_order(admin)
    settle(client)

    async def again(session: Any) -> int:
        event = await session.scalar(select(Event).where(Event.type == "order.created").order_by(Event.id.desc()))
        return await service.enqueue(session, event, now=utcnow(), retry_window=timedelta(hours=1))

    assert run_in_app(client, again) == 0
    send(client)
    assert len(deliveries(admin, endpoint)) == 1 and len(receiver.received) == 1


def test_failures_are_retried_with_backoff_until_delivered(client: Any, admin: Api, receiver: Receiver) -> None:
    endpoint = register(admin, receiver, ["order.created"])
    receiver.script = [500, 503, "slow"]
    make_order(admin)
    send(client)
    [first] = deliveries(admin, endpoint)
    assert (first["status"], first["attempts"], first["last_status_code"]) == ("pending", 1, 500)
    waits = []
    for expected_error in ("answered 503", "no answer within 1 s"):
        before = first["next_attempt_at"]
        send(client)  # not due yet: nothing is sent
        assert len(receiver.received) == len(waits) + 1
        later(client, hours=2)
        send(client)
        [first] = deliveries(admin, endpoint)
        assert first["last_error"] == expected_error and first["status"] == "pending"
        waits.append((before, first["next_attempt_at"]))
    later(client, hours=2)
    send(client)
    [done] = deliveries(admin, endpoint)
    assert (done["status"], done["attempts"], done["last_error"]) == ("succeeded", 4, None)
    assert len(receiver.accepted()) == 1  # the slow answer's request and the retry are one event to the receiver
    assert len({r.headers["Doorstep-Event-Id"] for r in receiver.received}) == 1
    assert [r.headers["Doorstep-Delivery-Attempt"] for r in receiver.received] == ["1", "2", "3", "4"]


def test_the_backoff_doubles_with_jitter_and_levels_off() -> None:
    import random

    rng = random.Random(7)
    waits = [service.backoff_s(n, rng) for n in range(1, 10)]
    assert 24 <= waits[0] <= 36 and 48 <= waits[1] <= 72 and 96 <= waits[2] <= 144
    assert all(2880 <= w <= 4320 for w in waits[-2:])  # an hour, give or take the jitter


def test_an_endpoint_failing_past_the_window_is_disabled_and_its_owner_told(
    client: Any, admin: Api, receiver: Receiver
) -> None:
    endpoint = register(admin, receiver, ["order.created"])
    receiver.script = [500] * 100
    make_order(admin)
    for _ in range(40):
        send(client)
        later(client, hours=1.5)
    [gave_up] = deliveries(admin, endpoint)
    assert gave_up["status"] == "failed" and gave_up["next_attempt_at"] is None
    attempts = gave_up["attempts"]
    assert 10 <= attempts <= 30, attempts  # about 24 h of backoff, not a hammering
    state = admin.get(f"/api/webhooks/{endpoint['id']}").json()
    assert state["enabled"] is False and "retry window" in state["disabled_reason"]
    settle(client)
    told = admin.get("/api/events", params={"type": "webhook.endpoint_disabled"}).json()["items"]
    assert [e["payload"]["url"] for e in told] == [receiver.url]
    # disabled: new events are not queued for it
    make_order(admin)
    send(client)
    assert len(deliveries(admin, endpoint)) == 1 and len(receiver.received) == attempts

    # the owner fixes the receiver, re-enables the endpoint and redelivers the failed event by hand
    receiver.script = []
    assert admin.patch(f"/api/webhooks/{endpoint['id']}", json={"enabled": True}).json()["enabled"] is True
    redo = admin.post(f"/api/webhooks/{endpoint['id']}/deliveries/{gave_up['id']}/redeliver")
    assert redo.status_code == 202, redo.text
    send(client)
    [again] = deliveries(admin, endpoint)
    assert again["status"] == "succeeded" and receiver.accepted()[-1].event["id"] == gave_up["event_id"]


def test_a_receiver_answering_410_gone_disables_the_endpoint_at_once(
    client: Any, admin: Api, receiver: Receiver
) -> None:
    endpoint = register(admin, receiver, ["order.created"])
    receiver.script = [410]
    make_order(admin)
    send(client)
    [gone] = deliveries(admin, endpoint)
    assert (gone["status"], gone["last_status_code"]) == ("failed", 410)
    state = admin.get(f"/api/webhooks/{endpoint['id']}").json()
    assert state["enabled"] is False and "410" in state["disabled_reason"]


def test_a_rotated_secret_signs_beside_the_old_one_for_a_day(client: Any, admin: Api, receiver: Receiver) -> None:
    endpoint = register(admin, receiver, ["order.created"])
    old = receiver.secrets[0]
    rotated = admin.post(f"/api/webhooks/{endpoint['id']}/rotate-secret")
    assert rotated.status_code == 201, rotated.text
    new = rotated.json()["secret"]
    assert new != old and new.startswith("whsec_")
    make_order(admin)
    send(client)
    got = receiver.received[-1]
    assert got.headers[SIGNATURE_HEADER].count("v1=") == 2
    for secret in (old, new):  # a receiver still on the old secret, and one already on the new
        assert verify(got.headers[SIGNATURE_HEADER], got.body, [secret], now=time.time())
    assert admin.get(f"/api/webhooks/{endpoint['id']}").json()["secret_rotating_until"] is not None


def test_a_ping_reaches_only_its_endpoint(client: Any, admin: Api, receiver: Receiver) -> None:
    endpoint = register(admin, receiver, ["pickup.*"])
    queued = admin.post(f"/api/webhooks/{endpoint['id']}/ping")
    assert queued.status_code == 202, queued.text
    send(client)
    assert [r.event["type"] for r in receiver.accepted()] == ["webhook.ping"]


@pytest.mark.parametrize(
    "body",
    [
        {"url": "ftp://example.com/hook", "event_types": ["*"]},
        {"url": "https://user:pw@example.com/hook", "event_types": ["*"]},
        {"url": "https:///nohost", "event_types": ["*"]},
        {"url": "https://example.com/" + "a" * 2100, "event_types": ["*"]},
        {"url": "https://example.com/hook", "event_types": []},
        {"url": "https://example.com/hook", "event_types": ["Order Created"]},
        {"url": "https://example.com/hook", "event_types": ["order.*.x"]},
        {"url": "https://example.com/hook"},
        {"url": "https://example.com/hook", "event_types": ["*"], "secret": "mine"},
    ],
)
def test_bad_endpoints_are_refused_with_problem_details(admin: Api, body: dict[str, Any]) -> None:
    response = admin.post("/api/webhooks", json=body)
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_in_production_private_targets_are_refused_and_never_contacted(
    client: Any, admin: Api, receiver: Receiver
) -> None:
    endpoint = register(admin, receiver, ["order.created"])  # development allows a receiver on this machine
    sender = client.app.state["webhook_sender"]
    sender.allow_private = False
    for url in ("https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://localhost/x", "http://example.com/x"):
        response = admin.post("/api/webhooks", json={"url": url, "event_types": ["*"]})
        assert response.status_code == 422, (url, response.text)
    # the endpoint registered earlier is on a private address now refused: it is not contacted, the attempt fails
    make_order(admin)
    send(client)
    assert receiver.received == []
    logged = deliveries(admin, endpoint)[0]
    assert logged["status"] == "pending" and "private or local address" in logged["last_error"]


def test_webhooks_are_for_administrators_of_their_own_organization(client: Any, admin: Api, receiver: Receiver) -> None:
    endpoint = register(admin, receiver, ["*"])
    tenant = make_tenant(client)
    for role in (Role.dispatcher, Role.driver, Role.store_staff):
        other_role = sign_in(client, tenant.users[role])
        assert other_role.get("/api/webhooks").status_code == 403
    stranger = sign_in(client, tenant.users[Role.admin])
    assert stranger.get("/api/webhooks").json() == []
    for method, path in (
        ("get", f"/api/webhooks/{endpoint['id']}"),
        ("patch", f"/api/webhooks/{endpoint['id']}"),
        ("delete", f"/api/webhooks/{endpoint['id']}"),
        ("post", f"/api/webhooks/{endpoint['id']}/rotate-secret"),
        ("post", f"/api/webhooks/{endpoint['id']}/ping"),
        ("get", f"/api/webhooks/{endpoint['id']}/deliveries"),
    ):
        kwargs = {"json": {"enabled": False}} if method == "patch" else {}
        assert getattr(stranger, method)(path, **kwargs).status_code == 404, (method, path)
    # the stranger's events never reach our endpoint
    make_order(stranger)
    send(client)
    assert receiver.received == []
