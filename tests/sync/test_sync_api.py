"""POST /api/sync: the driver app's offline commands, each applied at most once, in the order the driver
acted, with plain refusals when the world changed meanwhile and the proof kept either way."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from backend.accounts.models import Role
from backend.events.models import Event
from backend.kit.clock import utcnow
from backend.proof.models import Proof
from backend.sync.models import SyncCommand
from tests.factories import make_tenant, run_in_app, sign_in
from tests.proof.images import jpeg, png, sha
from tests.tracking.conftest import Day, settle


def command(day: Day, type_: str, at: datetime, index: int | None = None, **payload: Any) -> dict[str, Any]:
    stop = day.stops[index] if index is not None else None
    return {
        "id": str(uuid.uuid4()),
        "type": type_,
        "route_id": day.route["id"],
        "stop_id": stop["id"] if stop else None,
        "order_id": stop["order_id"] if stop else None,
        "occurred_at": at.isoformat(),
        "payload": payload,
    }


def sync(api: Any, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = api.post("/api/sync", json={"commands": commands})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    assert [r["id"] for r in results] == [c["id"] for c in commands]
    return results


def upload(api: Any, data: bytes, content_type: str = "image/jpeg") -> str:
    response = api.put(f"/api/media/{sha(data)}", content=data, headers={"Content-Type": content_type})
    assert response.status_code in (200, 201), response.text
    return sha(data)


def counts(client: Any, organization_id: uuid.UUID) -> dict[str, int]:
    async def read(session: Any) -> dict[str, int]:
        proofs = await session.scalar(
            select(func.count()).select_from(Proof).where(Proof.organization_id == organization_id)
        )
        commands = await session.scalar(
            select(func.count()).select_from(SyncCommand).where(SyncCommand.organization_id == organization_id)
        )
        events = await session.scalar(
            select(func.count()).select_from(Event).where(Event.organization_id == organization_id)
        )
        return {"proofs": int(proofs or 0), "commands": int(commands or 0), "events": int(events or 0)}

    found: dict[str, int] = run_in_app(client, read)
    return found


def order_status(day: Day, index: int) -> str:
    response = day.dispatcher.get(f"/api/orders/{day.stops[index]['order_id']}")
    assert response.status_code == 200
    return str(response.json()["status"])


def deliver(day: Day, at: datetime, index: int, photo: str, signature: str) -> dict[str, Any]:
    return command(
        day,
        "stop.deliver",
        at,
        index,
        recipient_name="Aino Virtanen",
        photos=[photo],
        signature=signature,
        lat=60.1654,
        lon=24.93,
        accuracy_m=8.0,
        scanned=[],
        note=None,
    )


def test_an_offline_day_is_applied_in_the_order_the_driver_acted(client: Any, day: Day) -> None:
    photo, signature = upload(day.driver, jpeg()), upload(day.driver, png(), "image/png")
    t0 = utcnow() - timedelta(minutes=30)
    commands = [
        command(day, "route.start", t0),
        command(day, "stop.arrive", t0 + timedelta(minutes=5), 0),
        deliver(day, t0 + timedelta(minutes=7), 0, photo, signature),
        command(day, "stop.arrive", t0 + timedelta(minutes=12), 1),
        command(
            day, "stop.fail", t0 + timedelta(minutes=14), 1, reason="not_home", note="Nobody answered", photos=[photo]
        ),
    ]
    results = sync(day.driver, list(reversed(commands)))  # sent in any order, applied by device time
    assert {r["outcome"] for r in results} == {"applied"}, results

    route = day.driver.get(f"/api/routes/{day.route['id']}/stops").json()
    assert route["status"] == "in_progress"
    assert datetime.fromisoformat(route["started_at"]) == t0
    stops = [s for s in route["stops"] if s["order_id"]]
    assert [s["status"] for s in stops] == ["completed", "failed", "pending"]
    assert datetime.fromisoformat(stops[0]["completed_at"]) == t0 + timedelta(minutes=7)
    assert order_status(day, 0) == "delivered"
    assert order_status(day, 1) == "failed"

    proofs = day.dispatcher.get(f"/api/orders/{day.stops[0]['order_id']}/proofs").json()
    assert len(proofs) == 1
    assert proofs[0]["kind"] == "delivered" and proofs[0]["status"] == "accepted"
    assert proofs[0]["recipient_name"] == "Aino Virtanen"
    assert proofs[0]["photos"] == [photo] and proofs[0]["signature"] == signature
    assert datetime.fromisoformat(proofs[0]["occurred_at"]) == t0 + timedelta(minutes=7)
    assert datetime.fromisoformat(proofs[0]["recorded_at"]) > t0 + timedelta(minutes=20)
    failed = day.dispatcher.get(f"/api/orders/{day.stops[1]['order_id']}/proofs").json()
    assert [(p["kind"], p["reason"], p["note"]) for p in failed] == [("failed", "not_home", "Nobody answered")]


def test_a_replayed_batch_is_answered_duplicate_and_changes_nothing(client: Any, day: Day) -> None:
    photo, signature = upload(day.driver, jpeg()), upload(day.driver, png(), "image/png")
    t0 = utcnow() - timedelta(minutes=10)
    commands = [command(day, "route.start", t0), deliver(day, t0 + timedelta(minutes=3), 0, photo, signature)]
    assert [r["outcome"] for r in sync(day.driver, commands)] == ["applied", "applied"]
    before = counts(client, day.tenant.organization.id)
    for _ in range(3):
        assert [r["outcome"] for r in sync(day.driver, commands)] == ["duplicate", "duplicate"]
    assert counts(client, day.tenant.organization.id) == before
    # the same id twice in one batch: once
    twice = command(day, "stop.arrive", t0 + timedelta(minutes=5), 1)
    assert [r["outcome"] for r in sync(day.driver, [twice, twice])] == ["applied", "duplicate"]


def test_the_same_id_with_another_action_is_refused_not_applied(client: Any, day: Day) -> None:
    t0 = utcnow() - timedelta(minutes=10)
    start = command(day, "route.start", t0)
    sync(day.driver, [start])
    forged = {**command(day, "stop.fail", t0, 0, reason="refused"), "id": start["id"]}
    (result,) = sync(day.driver, [forged])
    assert (result["outcome"], result["reason"]) == ("rejected", "key_reused")
    assert order_status(day, 0) == "out_for_delivery"


def test_a_command_whose_photo_is_not_uploaded_yet_is_retried_later_not_lost(client: Any, day: Day) -> None:
    t0 = utcnow() - timedelta(minutes=10)
    photo_bytes = jpeg(colour=(10, 200, 10))
    signature = upload(day.driver, png(), "image/png")
    commands = [
        command(day, "route.start", t0),
        deliver(day, t0 + timedelta(minutes=2), 0, sha(photo_bytes), signature),
    ]
    started, waiting = sync(day.driver, commands)
    assert started["outcome"] == "applied"
    assert (waiting["outcome"], waiting["reason"]) == ("retry", "media_missing")
    assert sha(photo_bytes) in waiting["message"]
    assert order_status(day, 0) == "out_for_delivery"
    upload(day.driver, photo_bytes)
    (done,) = sync(day.driver, [commands[1]])
    assert done["outcome"] == "applied"
    assert order_status(day, 0) == "delivered"


def test_a_stop_cancelled_while_the_driver_was_offline_is_refused_plainly_and_the_proof_kept(
    client: Any, day: Day
) -> None:
    photo, signature = upload(day.driver, jpeg()), upload(day.driver, png(), "image/png")
    t0 = utcnow() - timedelta(minutes=10)
    start = command(day, "route.start", t0)  # queued on the phone, offline since the depot
    cancelled = day.dispatcher.post(
        f"/api/orders/{day.stops[1]['order_id']}/transitions", json={"to": "cancelled", "reason": "customer called"}
    )
    assert cancelled.status_code == 200, cancelled.text
    settle(client)  # live re-planning takes the stop off the route
    delivered = deliver(day, t0 + timedelta(minutes=4), 1, photo, signature)
    fail = command(day, "stop.fail", t0 + timedelta(minutes=5), 2, reason="no_access")
    started, refused, applied = sync(day.driver, [start, delivered, fail])
    assert started["outcome"] == "applied"
    assert (refused["outcome"], refused["reason"]) == ("rejected", "stop_cancelled")
    assert "cancelled" in refused["message"]
    assert applied["outcome"] == "applied", "one refusal never stalls the rest of the queue"
    assert order_status(day, 1) == "cancelled"

    conflicts = day.dispatcher.get("/api/proofs/conflicts").json()
    assert [(c["order_id"], c["conflict_reason"], c["photos"], c["signature"]) for c in conflicts] == [
        (day.stops[1]["order_id"], "stop_cancelled", [photo], signature)
    ]
    events = day.dispatcher.get(f"/api/orders/{day.stops[1]['order_id']}/events").json()
    assert "proof.conflict" in [e["type"] for e in events]
    # the refusal is remembered: a replay gets the same answer, and no second proof
    (again,) = sync(day.driver, [delivered])
    assert (again["outcome"], again["reason"]) == ("duplicate", "stop_cancelled")
    assert len(day.dispatcher.get("/api/proofs/conflicts").json()) == 1


def test_one_bad_command_is_refused_alone(client: Any, day: Day) -> None:
    t0 = utcnow() - timedelta(minutes=10)
    bad_payload = command(day, "stop.fail", t0 + timedelta(minutes=1), 0, reason="gremlins")
    no_offset = {**command(day, "stop.arrive", t0, 1), "occurred_at": "2026-11-26T08:00:00"}
    bad_coordinates = command(day, "stop.arrive", t0 + timedelta(minutes=2), 2, lat=91.0, lon=0.0)
    good = command(day, "route.start", t0)
    results = sync(day.driver, [bad_payload, no_offset, bad_coordinates, good])
    assert [(r["outcome"], r["reason"]) for r in results] == [
        ("rejected", "invalid"),
        ("rejected", "invalid"),
        ("rejected", "invalid"),
        ("applied", None),
    ]


def test_malformed_batches_get_problem_details(client: Any, day: Day) -> None:
    t0 = utcnow()
    bodies: list[dict[str, Any]] = [
        {},
        {"commands": []},
        {"commands": [command(day, "route.start", t0)] * 101},
        {"commands": [{**command(day, "route.start", t0), "type": "route.teleport"}]},
        {"commands": [{**command(day, "route.start", t0), "id": "not-a-uuid"}]},
        {"commands": [{**command(day, "route.start", t0), "extra": 1}]},
    ]
    for body in bodies:
        response = day.driver.post("/api/sync", json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


def test_another_drivers_or_organizations_route_is_refused(client: Any, day: Day) -> None:
    t0 = utcnow()
    other = make_tenant(client)
    outsider = sign_in(client, other.users[Role.driver])
    results = sync(outsider, [command(day, "route.start", t0), command(day, "stop.fail", t0, 0, reason="refused")])
    assert [(r["outcome"], r["reason"]) for r in results] == [("rejected", "not_found"), ("rejected", "not_found")]
    assert order_status(day, 0) == "planned"
    client.cookies.clear()
    assert client.post("/api/sync", json={"commands": [command(day, "route.start", t0)]}).status_code in (401, 403)


def test_racing_replays_of_one_batch_apply_each_command_once(client: Any, day: Day) -> None:
    photo, signature = upload(day.driver, jpeg()), upload(day.driver, png(), "image/png")
    t0 = utcnow() - timedelta(minutes=10)
    commands = [
        command(day, "route.start", t0),
        command(day, "stop.arrive", t0 + timedelta(minutes=1), 0),
        deliver(day, t0 + timedelta(minutes=2), 0, photo, signature),
        command(day, "parcel.scan", t0 + timedelta(minutes=3), barcode="NOT-OURS", stage="loading"),
    ]
    headers = {"X-CSRF-Token": day.driver.csrf_token or ""}

    async def burst() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver.local", cookies=client.cookies
        ) as c:
            return await asyncio.gather(
                *[c.post("/api/sync", json={"commands": commands}, headers=headers) for _ in range(8)]
            )

    responses = client.blocking_portal.call(burst)
    applied = {c["id"]: 0 for c in commands}
    for response in responses:
        assert response.status_code in (200, 503), response.text  # SQLite may say "busy": the phone retries
        if response.status_code == 200:
            for result in response.json()["results"]:
                assert result["outcome"] in ("applied", "duplicate")
                applied[result["id"]] += result["outcome"] == "applied"
    assert all(n <= 1 for n in applied.values()), applied
    final = sync(day.driver, commands)  # whatever raced, a last replay settles it
    for result in final:
        assert applied[result["id"]] + (result["outcome"] == "applied") == 1
    assert len(day.dispatcher.get(f"/api/orders/{day.stops[0]['order_id']}/proofs").json()) == 1
    scans = [e for e in day.dispatcher.get("/api/events?type=parcel.scanned").json().get("items", [])]
    assert len(scans) <= 1


def test_random_replays_and_reorderings_converge_to_exactly_once(client: Any, day: Day) -> None:
    """The phone's outbox as the network treats it: batches cut anywhere, resent, and sent out of order."""
    photo, signature = upload(day.driver, jpeg()), upload(day.driver, png(), "image/png")
    t0 = utcnow() - timedelta(minutes=30)
    commands = [command(day, "route.start", t0)]
    for index in range(3):
        commands.append(command(day, "stop.arrive", t0 + timedelta(minutes=5 * index + 1), index))
        if index == 1:
            commands.append(command(day, "stop.fail", t0 + timedelta(minutes=5 * index + 2), index, reason="not_home"))
        else:
            commands.append(deliver(day, t0 + timedelta(minutes=5 * index + 2), index, photo, signature))
    commands.append(command(day, "route.finish", t0 + timedelta(minutes=20)))
    rng = random.Random(20261126)
    applied: dict[str, int] = {c["id"]: 0 for c in commands}

    def send(batch: list[dict[str, Any]]) -> None:
        for result in sync(day.driver, batch):
            assert result["outcome"] in ("applied", "duplicate"), result
            applied[result["id"]] += result["outcome"] == "applied"

    sent: list[list[dict[str, Any]]] = []
    acknowledged = 0
    while acknowledged < len(commands):  # the outbox sends from its oldest unanswered command on
        batch = commands[acknowledged : acknowledged + rng.randint(1, 4)]
        sent.append(batch)
        send(batch)
        if rng.random() < 0.3:
            continue  # the answer was lost on the way back: the phone sends the same batch again
        acknowledged += len(batch)
        if rng.random() < 0.4:
            send(rng.choice(sent))  # an old request the network held back arrives late
    assert all(n == 1 for n in applied.values()), applied
    assert [order_status(day, i) for i in range(3)] == ["delivered", "failed", "delivered"]
    route = day.driver.get(f"/api/routes/{day.route['id']}/stops").json()
    assert route["status"] == "completed"
    proofs = counts(client, day.tenant.organization.id)["proofs"]
    assert proofs == 3


def test_the_customer_sees_the_proof_only_once_delivered(client: Any, day: Day) -> None:
    photo, signature = upload(day.driver, jpeg()), upload(day.driver, png(), "image/png")
    stranger = upload(day.driver, jpeg(colour=(0, 0, 255)))
    token = day.token(0)
    before = client.get(f"/api/track/{token}").json()
    assert before["proof"] is None
    assert client.get(f"/api/track/{token}/media/{photo}").status_code == 404
    t0 = utcnow() - timedelta(minutes=5)
    sync(day.driver, [command(day, "route.start", t0), deliver(day, t0 + timedelta(minutes=1), 0, photo, signature)])

    view = client.get(f"/api/track/{token}").json()
    assert view["status"] == "delivered"
    assert view["proof"]["received_by"] == "Aino Virtanen"
    assert view["proof"]["photos"] == [photo] and view["proof"]["signature"] == signature
    image = client.get(f"/api/track/{token}/media/{photo}")
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert image.headers["referrer-policy"] == "no-referrer"
    assert client.get(f"/api/track/{token}/media/{signature}").status_code == 200
    # another photo of the organization, or this proof through another order's link: not found
    assert client.get(f"/api/track/{token}/media/{stranger}").status_code == 404
    assert client.get(f"/api/track/{day.token(1)}/media/{photo}").status_code == 404
    assert client.get(f"/api/track/{day.token(1)}").json()["proof"] is None


def test_the_driver_app_gets_its_day_with_orders_parcels_and_depot(client: Any, day: Day) -> None:
    response = day.driver.get("/api/driver/day")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["route"]["id"] == day.route["id"]
    assert [s["id"] for s in body["route"]["stops"]] == [s["id"] for s in day.route["stops"]]
    orders = {o["id"]: o for o in body["orders"]}
    assert set(orders) == {s["order_id"] for s in day.stops}
    first = orders[day.stops[0]["order_id"]]
    assert first["parcels"] and all(p["barcode"] for p in first["parcels"])
    assert {"recipient_name", "recipient_phone", "address", "notes", "window_start_at", "kind"} <= set(first)
    assert body["depot"]["name"] == "Depot"
    # a driver without a route, and another organization's driver, get nothing
    other = make_tenant(client)
    assert sign_in(client, other.users[Role.driver]).get("/api/driver/day").status_code == 204
    assert sign_in(client, day.tenant.users[Role.dispatcher]).get("/api/driver/day").status_code == 204


def test_command_ids_are_forgotten_only_after_the_retention_period(client: Any, day: Day) -> None:
    t0 = utcnow() - timedelta(minutes=5)
    start = command(day, "route.start", t0)
    sync(day.driver, [start])
    retention = client.app.state["retention"]
    days = client.app.state["settings"].sync_key_retention_days
    assert days >= 8, "longer than a week offline (Workbox keeps a queue 7 days)"
    retention.clock = lambda: utcnow() + timedelta(days=days - 1)
    assert client.blocking_portal.call(retention.purge)["sync_commands"] == 0
    assert sync(day.driver, [start])[0]["outcome"] == "duplicate"
    retention.clock = lambda: utcnow() + timedelta(days=days + 1)
    assert client.blocking_portal.call(retention.purge)["sync_commands"] == 1


@pytest.mark.parametrize("change", ["cancelled", "withdrawn"])
@pytest.mark.parametrize("action", ["stop.deliver", "stop.fail", "stop.collect_return"])
def test_every_refused_action_keeps_its_proof_for_the_dispatcher(
    client: Any, day: Day, change: str, action: str
) -> None:
    """RELIABILITY 18: a change made while the phone was offline, crossed with what the driver did: each resolves the same
    way every time (refused with a reason), the proof is kept as a conflict, and dispatch gets an event."""
    photo, signature = upload(day.driver, jpeg()), upload(day.driver, png(), "image/png")
    t0 = utcnow() - timedelta(minutes=10)
    start = command(day, "route.start", t0)
    if change == "cancelled":
        response = day.dispatcher.post(f"/api/orders/{day.stops[0]['order_id']}/transitions", json={"to": "cancelled"})
    else:
        sync(day.driver, [start])
        response = day.dispatcher.post(f"/api/routes/{day.route['id']}/withdraw", json={"reason": "van broke down"})
    assert response.status_code == 200, response.text
    settle(client)
    at = t0 + timedelta(minutes=2)
    if action == "stop.deliver":
        done = deliver(day, at, 0, photo, signature)
    elif action == "stop.fail":
        done = command(day, action, at, 0, reason="not_home", photos=[photo])
    else:
        done = command(day, action, at, 0, barcode="RET-1", condition="damaged", photos=[photo])
    results = sync(day.driver, [start, done] if change == "cancelled" else [done])
    refused = results[-1]
    expected = "stop_cancelled" if change == "cancelled" else "route_closed"
    assert (refused["outcome"], refused["reason"]) == ("rejected", expected), results
    assert refused["message"]
    conflicts = day.dispatcher.get("/api/proofs/conflicts").json()
    assert [(c["kind"], c["conflict_reason"], c["photos"]) for c in conflicts] == [
        ({"stop.deliver": "delivered", "stop.fail": "failed"}.get(action, "return_collected"), expected, [photo])
    ]
    events = day.dispatcher.get(f"/api/orders/{day.stops[0]['order_id']}/events").json()
    assert [e["payload"]["reason"] for e in events if e["type"] == "proof.conflict"] == [expected]
    assert sync(day.driver, [done])[0]["outcome"] == "duplicate"


def test_a_proof_is_filed_under_the_stops_own_order_whatever_the_phone_says(client: Any, day: Day) -> None:
    photo, signature = upload(day.driver, jpeg()), upload(day.driver, png(), "image/png")
    t0 = utcnow() - timedelta(minutes=10)
    lying = {**deliver(day, t0 + timedelta(minutes=1), 0, photo, signature), "order_id": day.stops[1]["order_id"]}
    start, refused = sync(day.driver, [command(day, "route.start", t0), lying])
    assert start["outcome"] == "applied"
    assert (refused["outcome"], refused["reason"]) == ("rejected", "invalid")
    assert order_status(day, 0) == "out_for_delivery" and order_status(day, 1) == "out_for_delivery"
    assert day.dispatcher.get(f"/api/orders/{day.stops[1]['order_id']}/proofs").json()[0]["status"] == "conflict"
    assert client.get(f"/api/track/{day.token(1)}").json()["proof"] is None
    honest = {**deliver(day, t0 + timedelta(minutes=2), 0, photo, signature), "order_id": None}
    assert sync(day.driver, [honest])[0]["outcome"] == "applied"
    (accepted,) = [p for p in day.dispatcher.get(f"/api/orders/{day.stops[0]['order_id']}/proofs").json()]
    assert accepted["status"] == "accepted"
    assert client.get(f"/api/track/{day.token(0)}").json()["proof"]["photos"] == [photo]


def test_unknown_or_foreign_ids_are_refused_alone_and_never_stall_the_queue(client: Any, day: Day) -> None:
    photo, signature = upload(day.driver, jpeg()), upload(day.driver, png(), "image/png")
    t0 = utcnow() - timedelta(minutes=10)
    # a stale route id with a real stop and order: the action follows the order to the driver's route under way
    stale_route = {**deliver(day, t0 + timedelta(minutes=1), 0, photo, signature), "route_id": str(uuid.uuid4())}
    ghost_route = {
        **deliver(day, t0 + timedelta(minutes=1, seconds=30), 1, photo, signature),
        "route_id": str(uuid.uuid4()),
        "stop_id": str(uuid.uuid4()),
        "order_id": str(uuid.uuid4()),
    }
    ghost_order = {
        **deliver(day, t0 + timedelta(minutes=2), 0, photo, signature),
        "stop_id": str(uuid.uuid4()),
        "order_id": str(uuid.uuid4()),
    }
    good = command(day, "stop.fail", t0 + timedelta(minutes=3), 2, reason="no_access")
    results = sync(day.driver, [command(day, "route.start", t0), stale_route, ghost_route, ghost_order, good])
    assert [r["outcome"] for r in results] == ["applied", "applied", "rejected", "rejected", "applied"], results
    assert order_status(day, 0) == "delivered"
    assert order_status(day, 2) == "failed"
    kept = day.dispatcher.get("/api/proofs/conflicts").json()
    assert len(kept) == 2 and all(p["order_id"] is None for p in kept)


def test_dispatch_sees_the_latest_proofs_newest_first(client: Any, day: Day) -> None:
    photo, signature = upload(day.driver, jpeg()), upload(day.driver, png(), "image/png")
    t0 = utcnow() - timedelta(minutes=10)
    sync(day.driver, [command(day, "route.start", t0), deliver(day, t0 + timedelta(minutes=1), 0, photo, signature)])
    sync(day.driver, [command(day, "stop.fail", t0 + timedelta(minutes=2), 1, reason="not_home")])
    recent = day.dispatcher.get("/api/proofs?limit=10").json()
    assert [(r["proof"]["kind"], r["proof"]["order_id"]) for r in recent] == [
        ("failed", day.stops[1]["order_id"]),
        ("delivered", day.stops[0]["order_id"]),
    ]
    assert recent[1]["order_reference"] == day.orders[0]["external_ref"]
    assert recent[1]["recipient_name"] == day.orders[0]["recipient_name"]
    assert day.dispatcher.get("/api/proofs?limit=0").status_code == 400
    assert day.driver.get("/api/proofs").status_code == 403


def test_an_order_that_needs_id_tells_the_driver_and_the_proof_records_the_check(client: Any, day: Day) -> None:
    from sqlalchemy import update

    from backend.orders.models import Order

    order_id = uuid.UUID(day.stops[0]["order_id"])

    async def flag(session: Any) -> None:
        await session.execute(update(Order).where(Order.id == order_id).values(id_check_required=True))

    run_in_app(client, flag)
    orders = {o["id"]: o for o in day.driver.get("/api/driver/day").json()["orders"]}
    assert orders[str(order_id)]["id_check_required"] is True
    assert orders[day.stops[1]["order_id"]]["id_check_required"] is False
    at = utcnow()
    checked = deliver(day, at, 0, upload(day.driver, jpeg()), upload(day.driver, png(), "image/png"))
    checked["payload"] |= {"id_checked": True, "note": "Left with Aino"}
    photo = upload(day.driver, jpeg(colour=(1, 2, 3)))
    plain = deliver(day, at + timedelta(minutes=5), 1, photo, checked["payload"]["signature"])
    results = sync(day.driver, [command(day, "route.start", at - timedelta(minutes=1)), checked, plain])
    assert [r["outcome"] for r in results] == ["applied", "applied", "applied"], results
    notes = {
        p["order_id"]: p["note"]
        for index in (0, 1)
        for p in day.dispatcher.get(f"/api/orders/{day.stops[index]['order_id']}/proofs").json()
    }
    assert notes[str(order_id)] == "ID checked. Left with Aino"
    assert notes[day.stops[1]["order_id"]] is None
    bad = command(day, "stop.deliver", at, 2, recipient_name="X", id_checked="yes")
    assert sync(day.driver, [bad])[0]["outcome"] == "rejected"
