"""Every rule fires once per event, driven through the real services: orders created, a route started, stops
arrived at, delivered and failed, a store pickup made ready and reminded, the live ETA moving; a replayed event
or a second trigger for the same trip queues nothing new."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select, update

from backend.accounts.models import Role
from backend.events.models import Event
from backend.kit.clock import utcnow
from backend.notifications import service
from backend.notifications.api import SENDER_KEY
from backend.notifications.models import NotifiedEta
from backend.notifications.sender import NotificationSender
from tests.factories import make_order, make_tenant, run_in_app, sign_in
from tests.notifications.conftest import log, office, tick
from tests.tracking.conftest import DEPOT, Day, drive, plan_day, settle, walk


def counts(api: Any, order_id: str | None = None) -> Counter[tuple[str, str]]:
    rows = log(api, **({"order_id": order_id} if order_id else {}))
    return Counter((r["rule"], r["channel"]) for r in rows)


def rules_of(api: Any, order: dict[str, Any]) -> Counter[str]:
    return Counter(r["rule"] for r in log(api, order_id=order["id"]))


def complete(day: Day, index: int, outcome: str, reason: str | None = None) -> None:
    body = {"outcome": outcome, **({"reason": reason} if reason else {})}
    response = day.driver.post(f"/api/routes/{day.route['id']}/stops/{day.stops[index]['id']}/complete", json=body)
    assert response.status_code == 200, response.text


def test_a_delivery_day_tells_each_customer_each_thing_once(client: Any, sender: NotificationSender) -> None:
    day = plan_day(client)  # three orders with e-mail and phone, planned, published, the route started
    settle(client)
    desk = office(client, day.tenant)
    first, second, third = day.orders
    # created → confirmed; started → out for delivery; the first two (0 and 1 stops before them) → arriving
    assert rules_of(desk, first) == {"confirmed": 2, "out_for_delivery": 2, "arriving": 2}
    assert rules_of(desk, second) == {"confirmed": 2, "out_for_delivery": 2, "arriving": 2}
    assert rules_of(desk, third) == {"confirmed": 2, "out_for_delivery": 2}
    assert {(r["channel"], r["recipient"]) for r in log(desk, order_id=first["id"])} == {
        ("email", first["recipient_email"]),
        ("sms", first["recipient_phone"]),
    }

    # the driver arrives: the order turns `arriving` (its own event), but this trip's arriving notice went out
    arrived = day.driver.post(f"/api/routes/{day.route['id']}/stops/{day.stops[0]['id']}/arrive", json={})
    assert arrived.status_code == 200, arrived.text
    settle(client)
    assert rules_of(desk, first)["arriving"] == 2

    complete(day, 0, "delivered")
    settle(client)
    assert rules_of(desk, first)["delivered"] == 2
    assert rules_of(desk, third)["arriving"] == 2  # now one stop before it
    delivered = [r for r in log(desk, order_id=first["id"]) if r["rule"] == "delivered" and r["channel"] == "sms"]
    assert "proof photo" in delivered[0]["body_text"] and first["tracking_url"] in delivered[0]["body_text"]

    complete(day, 1, "failed", "not_home")
    settle(client)
    failed = [r for r in log(desk, order_id=second["id"]) if r["rule"] == "failed"]
    assert len(failed) == 2 and "new time" in failed[0]["body_text"]

    before = counts(desk)
    settle(client)
    assert counts(desk) == before  # nothing more without new events

    sent = tick(client, sender)
    assert sent.get("sent", 0) + sent.get("skipped", 0) == sum(before.values())
    for row in log(desk):
        assert row["status"] in ("sent", "skipped"), row
        if row["status"] == "skipped":  # told too late: the order had moved on before the sender got to it
            assert row["rule"] in ("out_for_delivery", "arriving") and "now" in row["last_error"], row


def test_a_replayed_event_queues_nothing_new(client: Any, sender: NotificationSender) -> None:
    tenant = make_tenant(client)
    desk = sign_in(client, tenant.users[Role.dispatcher])
    order = make_order(desk)
    settle(client)
    assert rules_of(desk, order) == {"confirmed": 2}

    async def republish(session: Any) -> None:  # as if the relay died after handling, before marking published
        await session.execute(
            update(Event).where(Event.organization_id == tenant.organization.id).values(published_at=None)
        )

    run_in_app(client, republish)
    settle(client)

    async def handle_again(session: Any) -> int:  # and a second relay handing over the same event at once
        events = list(await session.scalars(select(Event).where(Event.subject_id == order["id"])))
        handler = client.app.state[SENDER_KEY].event_handler()
        for event in events:
            await handler(session, event)
        return len(events)

    assert run_in_app(client, handle_again) >= 1
    assert rules_of(desk, order) == {"confirmed": 2}
    assert tick(client, sender) == {"sent": 2}
    assert tick(client, sender) == {}


def test_a_store_pickup_is_told_it_is_ready_with_its_code_and_reminded(client: Any, sender: NotificationSender) -> None:
    tenant = make_tenant(client)
    admin = sign_in(client, tenant.users[Role.admin])
    store = admin.post(
        "/api/locations",
        json={"kind": "store", "name": "Kamppi store", "address": "Urho Kekkosen katu 1", "lat": 60.169, "lon": 24.93},
    ).json()
    order = make_order(admin, kind="store_pickup", store_id=store["id"], barcodes=["PK-1"])
    scanned = admin.post(f"/api/stores/{store['id']}/scan-in", json={"barcode": "PK-1", "shelf": "B-04"})
    assert scanned.status_code == 200, scanned.text
    code = scanned.json()["code"]
    settle(client)
    assert rules_of(admin, order) == {"confirmed": 2, "ready_for_pickup": 2}
    ready = next(
        r for r in log(admin, order_id=order["id"]) if r["rule"] == "ready_for_pickup" and r["channel"] == "sms"
    )
    assert code in ready["body_text"] and "Kamppi store" in ready["body_text"] and "QR" in ready["body_text"]

    keeper = client.app.state["pickup_keeper"]
    settings = client.app.state["settings"]
    later = utcnow() + timedelta(hours=settings.pickup_reminder_after_h, minutes=1)
    keeper.clock = lambda: later
    assert client.blocking_portal.call(keeper.tick)["reminded"] == 1
    assert client.blocking_portal.call(keeper.tick)["reminded"] == 0
    settle(client)
    assert rules_of(admin, order) == {"confirmed": 2, "ready_for_pickup": 2, "pickup_reminder": 2}
    reminder = next(r for r in log(admin, order_id=order["id"]) if r["rule"] == "pickup_reminder")
    assert code in reminder["body_text"]


def test_the_live_eta_tells_arriving_within_minutes_and_a_change_beyond_the_threshold(
    client: Any, sender: NotificationSender
) -> None:
    day = plan_day(client)
    settle(client)
    desk = office(client, day.tenant)
    put = desk.put(
        "/api/notifications/settings",
        json={
            "rules": {"arriving": ["sms"], "eta_changed": ["sms"]},
            "arriving_stops_away": 0,
            "arriving_within_min": 10,
            "eta_change_min": 15,
        },
    )
    assert put.status_code == 200, put.text
    third = day.orders[2]
    settings = client.app.state["settings"]
    organization_id = day.tenant.organization.id
    now = utcnow()

    def moved(eta_minutes: float, stops_away: int = 2) -> int:
        async def call(session: Any) -> int:
            return await service.eta_moved(
                session,
                settings=settings,
                organization_id=organization_id,
                order_id=UUID(third["id"]),
                eta_at=now + timedelta(minutes=eta_minutes),
                stops_away=stops_away,
                now=now,
            )

        return int(run_in_app(client, call))

    assert moved(40) == 0  # the first ETA seen on this trip: the baseline
    assert moved(50) == 0  # 10 min later: within the threshold
    assert moved(56) == 1  # 16 min from what the customer knows: told
    assert moved(57) == 0  # 1 min from the new baseline
    assert moved(56) == 0
    eta_rows = [r for r in log(desk, order_id=third["id"]) if r["rule"] == "eta_changed"]
    assert len(eta_rows) == 1 and "now about" in eta_rows[0]["body_text"] and "(was " in eta_rows[0]["body_text"]
    assert moved(8) == 1  # within 10 minutes: arriving (and no eta_changed on top)
    assert moved(5) == 0 and moved(4, stops_away=0) == 0  # arriving once per trip, whatever says it
    told = rules_of(desk, third)
    assert (told["eta_changed"], told["arriving"]) == (1, 1)
    arriving = next(r for r in log(desk, order_id=third["id"]) if r["rule"] == "arriving")
    assert "about 8 min" in arriving["body_text"]


def test_the_live_tracker_tells_customers_their_driver_is_close(client: Any, sender: NotificationSender) -> None:
    """Positions in → ETAs → the notifications hook (ETAs never pass through the event outbox)."""
    day = plan_day(client, start=False)
    settle(client)
    desk = office(client, day.tenant)
    put = desk.put(
        "/api/notifications/settings",
        json={"rules": {"arriving": ["sms"]}, "arriving_stops_away": 0, "arriving_within_min": 60},
    )
    assert put.status_code == 200, put.text
    assert day.driver.post(f"/api/routes/{day.route['id']}/start", json={}).status_code == 200
    settle(client)
    first, second, third = day.orders

    def arriving(order: dict[str, Any]) -> list[dict[str, Any]]:
        return [r for r in log(desk, order_id=order["id"]) if r["rule"] == "arriving"]

    assert [len(arriving(o)) for o in day.orders] == [1, 0, 0]  # the next stop, by the event

    drive(day, walk(DEPOT, (DEPOT[0] + 0.002, DEPOT[1]), 4), utcnow() - timedelta(minutes=2))
    settle(client)
    for order in (second, third):  # minutes away, from the live ETA
        [row] = arriving(order)
        assert " min." in row["body_text"] and row["event_id"] is None, row
    assert len(arriving(first)) == 1  # once per trip

    async def baselines(session: Any) -> int:
        return len(list(await session.scalars(select(NotifiedEta))))

    assert run_in_app(client, baselines) == 3  # the first live ETA of each order: the eta_changed baseline
