"""The outbox: committed events reach /ws/dispatch once, rolled-back ones never; the socket's guards."""

from __future__ import annotations

import pytest
from litestar.exceptions import WebSocketDisconnect
from sqlalchemy import func, select

from backend.accounts.models import Role
from backend.events.models import Event
from tests.factories import make_order, make_tenant, run_in_app, sign_in


def drain(client) -> int:
    return client.blocking_portal.call(client.app.state["relay"].drain)


def receive_until(ws, predicate, limit=50):
    for _ in range(limit):
        message = ws.receive_json(timeout=5)
        if predicate(message):
            return message
    raise AssertionError("expected message never came")


def test_dispatcher_receives_committed_events_live(client):
    tenant = make_tenant(client)
    api = sign_in(client, tenant.users[Role.dispatcher])
    drain(client)
    with client.websocket_connect("/ws/dispatch") as ws:
        assert ws.receive_json(timeout=5)["type"] == "ready"
        order = make_order(api)
        message = receive_until(ws, lambda m: m["type"] == "event" and m["data"]["type"] == "order.created")
        assert message["data"]["subject_id"] == order["id"]
        assert message["seq"] == message["data"]["id"]
        api.post(f"/api/orders/{order['id']}/transitions", json={"to": "planned"})
        changed = receive_until(ws, lambda m: m["type"] == "event" and m["data"]["type"] == "order.status_changed")
        assert changed["data"]["payload"]["to"] == "planned"


def test_other_organizations_events_never_reach_the_socket(client):
    ours = make_tenant(client)
    theirs = make_tenant(client)
    sign_in(client, ours.users[Role.dispatcher])
    with client.websocket_connect("/ws/dispatch") as ws:
        ws.receive_json(timeout=5)
        other = sign_in(client, theirs.users[Role.dispatcher])
        foreign = make_order(other)
        drain(client)
        ws.send_json({"type": "ping"})
        messages = []
        while (m := ws.receive_json(timeout=5))["type"] != "pong":
            messages.append(m)
        assert foreign["id"] not in str(messages)


def test_a_failed_transaction_publishes_nothing(client):
    tenant = make_tenant(client)
    api = sign_in(client, tenant.users[Role.dispatcher])
    make_order(api, external_ref="ONCE")

    async def count(session):
        return await session.scalar(select(func.count()).select_from(Event))

    before = run_in_app(client, count)
    duplicate = api.post(
        "/api/orders", json={"recipient_name": "R", "address": "A", "lat": 60.1, "lon": 24.9, "external_ref": "ONCE"}
    )
    assert duplicate.status_code == 409
    assert run_in_app(client, count) == before


def test_every_committed_event_is_published_exactly_once(client):
    tenant = make_tenant(client)
    api = sign_in(client, tenant.users[Role.dispatcher])
    for _ in range(3):
        make_order(api)
    drain(client)
    assert drain(client) == 0  # nothing left, nothing sent twice

    async def unpublished(session):
        return await session.scalar(select(func.count()).select_from(Event).where(Event.published_at.is_(None)))

    assert run_in_app(client, unpublished) == 0


def test_resume_replays_what_a_reconnecting_client_missed(client):
    tenant = make_tenant(client)
    api = sign_in(client, tenant.users[Role.dispatcher])
    first = make_order(api)
    drain(client)
    with client.websocket_connect("/ws/dispatch") as ws:
        ws.receive_json(timeout=5)
        ws.send_json({"type": "resume", "after": "00000000-0000-0000-0000-000000000000"})
        seen = receive_until(ws, lambda m: m["type"] == "event" and m["data"]["subject_id"] == first["id"])
    second = make_order(api)
    drain(client)
    with client.websocket_connect("/ws/dispatch") as ws:
        ws.receive_json(timeout=5)
        ws.send_json({"type": "resume", "after": seen["seq"]})
        replayed = receive_until(ws, lambda m: m["type"] == "event")
        assert replayed["data"]["subject_id"] == second["id"]


def _answer(ws):
    """The socket's answer to our last frame, past any event the relay publishes meanwhile (the sign-in's own)."""
    while True:
        frame = ws.receive_json(timeout=5)
        if frame["type"] != "event":
            return frame


def test_malformed_frames_get_an_error_frame_and_the_socket_lives(client):
    tenant = make_tenant(client)
    sign_in(client, tenant.users[Role.dispatcher])
    with client.websocket_connect("/ws/dispatch") as ws:
        ws.receive_json(timeout=5)
        for frame in ("not json", '{"type": "teleport"}', '{"type": "resume"}', "[]", '{"type": "resume", "after": 5}'):
            ws.send_text(frame)
            assert _answer(ws)["type"] == "error"
        ws.send_json({"type": "resume", "after": "not-a-uuid"})
        assert _answer(ws)["type"] == "resync"
        ws.send_json({"type": "ping"})
        assert _answer(ws)["type"] == "pong"


def test_oversized_frame_closes_the_socket(client):
    tenant = make_tenant(client)
    sign_in(client, tenant.users[Role.dispatcher])
    with client.websocket_connect("/ws/dispatch") as ws:
        ws.receive_json(timeout=5)
        ws.send_text("x" * (65 * 1024))
        with pytest.raises(WebSocketDisconnect) as closed:
            _answer(ws)
        assert closed.value.code == 1009


@pytest.mark.parametrize(
    ("role", "origin", "code"),
    [
        (None, None, 4401),
        (Role.driver, None, 4403),
        (Role.dispatcher, "https://evil.example", 1008),
    ],
)
def test_socket_refuses_strangers_wrong_roles_and_foreign_origins(client, role, origin, code):
    tenant = make_tenant(client)
    if role is not None:
        sign_in(client, tenant.users[role])
    else:
        client.cookies.clear()
    headers = {"origin": origin} if origin else {}
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect("/ws/dispatch", headers=headers) as ws:
        ws.receive_json(timeout=5)
    assert closed.value.code == code


def test_same_origin_browser_handshake_is_accepted(client):
    tenant = make_tenant(client)
    sign_in(client, tenant.users[Role.dispatcher])
    with client.websocket_connect("/ws/dispatch", headers={"origin": "http://testserver.local"}) as ws:
        assert ws.receive_json(timeout=5)["type"] == "ready"


def test_registered_handlers_get_each_event_once_and_a_broken_one_does_not_stop_the_rest(client):
    seen: list[str] = []

    async def broken(_session, _event):
        raise RuntimeError("handler bug")

    async def recorder(_session, event):
        seen.append(event.type)

    relay = client.app.state["relay"]
    drain(client)
    relay.register(broken)
    relay.register(recorder)
    tenant = make_tenant(client)
    api = sign_in(client, tenant.users[Role.dispatcher])
    order = make_order(api)
    api.post(f"/api/orders/{order['id']}/transitions", json={"to": "cancelled"})
    drain(client)
    drain(client)
    assert seen.count("order.created") == 1 and seen.count("order.status_changed") == 1
