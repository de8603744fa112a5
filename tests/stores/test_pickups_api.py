"""In-store pickups: scan-in to a shelf, ready with a code (and QR) on the customer's page, "I'm here" live on
the store's screen, the hand-over against the code (exactly once), reminders, expiry back to the depot."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from backend.accounts.models import Role
from backend.kit.clock import utcnow
from backend.kit.qr import qr_svg
from backend.stores.models import Pickup
from tests.factories import Api, Tenant, make_order, make_tenant, run_in_app, sign_in
from tests.proof.images import png, sha
from tests.tracking.conftest import settle


@dataclass
class Counter:
    tenant: Tenant
    office: Api  # the dispatcher, by API key (the cookie is the clerk's)
    clerk: Api
    store: dict[str, Any]
    other_store: dict[str, Any]
    order: dict[str, Any]

    @property
    def token(self) -> str:
        return str(self.order["tracking_url"]).rsplit("/", 1)[1]

    @property
    def base(self) -> str:
        return f"/api/stores/{self.store['id']}"


@pytest.fixture
def counter(client: Any) -> Counter:
    tenant = make_tenant(client)
    admin = sign_in(client, tenant.users[Role.admin])
    hours = {"mon": [["09:00", "21:00"]], "sat": [["10:00", "18:00"]]}
    store = admin.post(
        "/api/locations",
        json={
            "kind": "store",
            "name": "Kamppi store",
            "address": "Urho Kekkosen katu 1",
            "lat": 60.169,
            "lon": 24.932,
            "opening_hours": hours,
        },
    ).json()
    other_store = admin.post(
        "/api/locations",
        json={"kind": "store", "name": "Itis store", "address": "Itäkatu 1", "lat": 60.211, "lon": 25.081},
    ).json()
    assigned = admin.client.put(
        f"/api/stores/{store['id']}/staff",
        json={"user_ids": [str(tenant.users[Role.store_staff].id)]},
        headers={"X-CSRF-Token": admin.csrf_token or ""},
    )
    assert assigned.status_code == 200, assigned.text
    assert admin.post("/api/skus", json={"code": "MUG-1", "name": "Blue mug"}).status_code == 201
    stocked = admin.post("/api/stock/receipts", json={"location_id": store["id"], "sku": "MUG-1", "quantity": 3})
    assert stocked.status_code == 201, stocked.text
    order = make_order(
        admin,
        kind="store_pickup",
        store_id=store["id"],
        barcodes=["PK-1", "PK-2"],
        recipient_name="Aino Virtanen",
        lines=[{"sku": "MUG-1", "quantity": 1}],
    )
    key = admin.post("/api/api-keys", json={"name": "office", "role": "dispatcher"}).json()["key"]
    clerk = sign_in(client, tenant.users[Role.store_staff])
    return Counter(tenant, Api(client, headers={"X-API-Key": key}), clerk, store, other_store, order)


def status(c: Counter) -> str:
    return str(c.office.get(f"/api/orders/{c.order['id']}").json()["status"])


def ready(c: Counter) -> dict[str, Any]:
    for barcode in ("PK-1", "PK-2"):
        response = c.clerk.post(f"{c.base}/scan-in", json={"barcode": barcode, "shelf": "B-04"})
        assert response.status_code == 200, response.text
    return dict(response.json())


def test_scanning_in_every_parcel_makes_the_pickup_ready_with_a_code_for_the_customer(
    client: Any, counter: Counter
) -> None:
    first = counter.clerk.post(f"{counter.base}/scan-in", json={"barcode": "PK-1", "shelf": "B-04"})
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "at_store" and first.json()["scanned"] == ["PK-1"]
    assert client.get(f"/api/track/{counter.token}").json()["pickup"] is None
    assert client.get(f"/api/track/{counter.token}/pickup-qr.svg").status_code == 404
    view = ready(counter)
    assert view["status"] == "ready_for_pickup" and view["shelf"] == "B-04"
    assert len(view["code"]) == 6
    settle(client)
    events = counter.office.get(f"/api/orders/{counter.order['id']}/events").json()
    ready_events = [e for e in events if e["type"] == "pickup.ready"]
    assert len(ready_events) == 1 and ready_events[0]["payload"]["code"] == view["code"]

    tracking = client.get(f"/api/track/{counter.token}").json()
    assert tracking["pickup"]["code"] == view["code"]
    assert tracking["pickup"]["store_name"] == "Kamppi store"
    assert tracking["pickup"]["opening_hours"]["mon"] == [["09:00", "21:00"]]
    qr = client.get(f"/api/track/{counter.token}/pickup-qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    assert 'xmlns="http://www.w3.org/2000/svg"' in qr.text  # without it a browser will not load it as an <img>
    assert qr.content == qr_svg(f"DOORSTEP-PICKUP:{view['code']}")  # it encodes what the counter looks up


def test_the_counter_finds_the_pickup_by_code_and_hands_it_over_once(client: Any, counter: Counter) -> None:
    code = ready(counter)["code"]
    for typed in (code, code.lower(), f"{code[:3]}-{code[3:]}", f"DOORSTEP-PICKUP:{code}"):
        found = counter.clerk.post(f"{counter.base}/pickups/lookup", json={"code": typed})
        assert found.status_code == 200, (typed, found.text)
        assert found.json()["order_id"] == counter.order["id"] and found.json()["parcels"] == ["PK-1", "PK-2"]
    wrong = counter.clerk.post(f"{counter.base}/pickups/lookup", json={"code": "AAAAAA"})
    assert wrong.status_code == 404 and wrong.json()["type"].endswith("pickup-code-not-found")

    signature = sha(png())
    assert (
        counter.clerk.put(f"/api/media/{signature}", content=png(), headers={"Content-Type": "image/png"}).status_code
        == 201
    )
    url = f"{counter.base}/pickups/{counter.order['id']}/handover"
    body = {"code": code, "recipient_name": "Aino Virtanen", "signature": signature, "id_checked": True}
    done = counter.clerk.post(url, json=body)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "picked_up"
    assert status(counter) == "picked_up"
    proofs = counter.office.get(f"/api/orders/{counter.order['id']}/proofs").json()
    assert [(p["kind"], p["recipient_name"], p["signature"], p["note"]) for p in proofs] == [
        ("picked_up", "Aino Virtanen", signature, "ID checked")
    ]
    again = counter.clerk.post(url, json=body)
    assert again.status_code == 409 and again.json()["type"].endswith("pickup-already-handed-over")
    used = counter.clerk.post(f"{counter.base}/pickups/lookup", json={"code": code})
    assert used.status_code == 409 and "cannot be used again" in used.json()["detail"]


def test_two_clerks_handing_over_at_once_exactly_one_succeeds(client: Any, counter: Counter) -> None:
    code = ready(counter)["code"]
    url = f"{counter.base}/pickups/{counter.order['id']}/handover"
    headers = {"X-CSRF-Token": counter.clerk.csrf_token or ""}

    async def race() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver.local", cookies=client.cookies
        ) as c:
            return await asyncio.gather(
                *[c.post(url, json={"code": code, "recipient_name": f"Clerk {i}"}, headers=headers) for i in range(2)]
            )

    codes = sorted(r.status_code for r in client.blocking_portal.call(race))
    assert codes in ([200, 409], [200, 503]), codes  # 503: SQLite busy, the clerk taps again
    assert len(counter.office.get(f"/api/orders/{counter.order['id']}/proofs").json()) == 1


def test_a_pickup_not_fully_scanned_in_is_not_handed_over(client: Any, counter: Counter) -> None:
    code = counter.clerk.post(f"{counter.base}/scan-in", json={"barcode": "PK-1", "shelf": "A-1"}).json()["code"]
    refused = counter.clerk.post(f"{counter.base}/pickups/lookup", json={"code": code})
    assert refused.status_code == 409 and "1 parcel(s)" in refused.json()["detail"]
    handover = counter.clerk.post(
        f"{counter.base}/pickups/{counter.order['id']}/handover", json={"code": code, "recipient_name": "X"}
    )
    assert handover.status_code == 409
    assert status(counter) == "at_store"


def test_scan_in_refuses_unknown_parcels_and_parcels_for_elsewhere(client: Any, counter: Counter) -> None:
    unknown = counter.clerk.post(f"{counter.base}/scan-in", json={"barcode": "NOPE", "shelf": "A-1"})
    assert unknown.status_code == 404 and unknown.json()["type"].endswith("parcel-not-found")
    delivery = make_order(counter.office, barcodes=["HOME-1"])
    home = counter.clerk.post(f"{counter.base}/scan-in", json={"barcode": "HOME-1", "shelf": "A-1"})
    assert home.status_code == 409 and "not an in-store pickup" in home.json()["detail"]
    assert delivery["status"] == "created"
    make_order(counter.office, kind="store_pickup", store_id=counter.other_store["id"], barcodes=["ITIS-1"])
    elsewhere = counter.office.post(
        f"/api/stores/{counter.store['id']}/scan-in", json={"barcode": "ITIS-1", "shelf": "A-1"}
    )
    assert elsewhere.status_code == 409 and "Itis store" in elsewhere.json()["detail"]
    for bad in ({"barcode": "", "shelf": "A"}, {"barcode": "PK-1"}, {"barcode": "PK-1", "shelf": "x" * 33}):
        response = counter.clerk.post(f"{counter.base}/scan-in", json=bad)
        assert response.status_code == 400, bad


def test_store_staff_see_only_their_own_store_and_other_roles_nothing(client: Any, counter: Counter) -> None:
    stores = counter.clerk.get("/api/stores").json()
    assert [s["name"] for s in stores] == ["Kamppi store"]
    other = counter.clerk.post(
        f"/api/stores/{counter.other_store['id']}/scan-in", json={"barcode": "PK-1", "shelf": "A"}
    )
    assert other.status_code == 404
    assert counter.clerk.put(f"/api/stores/{counter.store['id']}/staff", json={"user_ids": []}).status_code == 403
    driver = sign_in(client, counter.tenant.users[Role.driver])
    assert driver.get("/api/stores").status_code == 403
    outsider = sign_in(client, make_tenant(client).users[Role.admin])
    assert outsider.get(f"/api/stores/{counter.store['id']}/pickups").status_code == 404
    assert outsider.post(f"{counter.base}/scan-in", json={"barcode": "PK-1", "shelf": "A"}).status_code == 404


def test_im_here_shows_on_the_store_screen_at_once(client: Any, counter: Counter) -> None:
    code = ready(counter)["code"]
    settle(client)
    with client.websocket_connect(f"/ws/store/{counter.store['id']}") as ws:
        assert ws.receive_json(timeout=5)["type"] == "ready"
        here = client.post(
            f"/api/track/{counter.token}/here", json={"curbside": True, "parking_note": "Red Volvo, spot 4"}
        )
        assert here.status_code == 200, here.text
        settle(client)
        frame = ws.receive_json(timeout=5)
        assert frame["type"] == "event"
        assert frame["data"]["type"] == "pickup.customer_arrived"
        payload = frame["data"]["payload"]
        assert (payload["shelf"], payload["curbside"], payload["parking_note"], payload["code"]) == (
            "B-04",
            True,
            "Red Volvo, spot 4",
            code,
        )
        assert payload["name"] == "Aino"
    arrived = counter.clerk.get(f"{counter.base}/pickups?list=arrived").json()
    assert [p["order_id"] for p in arrived] == [counter.order["id"]]
    assert client.get(f"/api/track/{counter.token}").json()["pickup"]["curbside"] is True


def test_the_store_socket_refuses_other_stores_and_other_roles(client: Any, counter: Counter) -> None:
    with client.websocket_connect(f"/ws/store/{counter.other_store['id']}") as ws:
        with pytest.raises(Exception) as closed:
            ws.receive_json(timeout=5)
        assert "4404" in str(closed.value) or getattr(closed.value, "code", None) == 4404
    sign_in(client, counter.tenant.users[Role.driver])
    with client.websocket_connect(f"/ws/store/{counter.store['id']}") as ws:
        with pytest.raises(Exception) as closed:
            ws.receive_json(timeout=5)
        assert "4403" in str(closed.value) or getattr(closed.value, "code", None) == 4403


def test_a_waiting_pickup_is_reminded_then_expires_back_to_the_depot(client: Any, counter: Counter) -> None:
    ready(counter)
    keeper = client.app.state["pickup_keeper"]
    settings = client.app.state["settings"]
    now = utcnow()
    keeper.clock = lambda: now + timedelta(hours=1)
    assert client.blocking_portal.call(keeper.tick) == {"reminded": 0, "warned": 0, "expired": 0}
    keeper.clock = lambda: now + timedelta(hours=settings.pickup_reminder_after_h, minutes=1)
    assert client.blocking_portal.call(keeper.tick)["reminded"] == 1
    assert client.blocking_portal.call(keeper.tick)["reminded"] == 0, "one reminder"
    keeper.clock = lambda: now + timedelta(days=settings.pickup_hold_days) - timedelta(hours=1)
    assert client.blocking_portal.call(keeper.tick)["warned"] == 1
    overdue_before = counter.clerk.get(f"{counter.base}/pickups?list=overdue").json()
    assert overdue_before == []
    keeper.clock = lambda: now + timedelta(days=settings.pickup_hold_days, minutes=1)
    assert client.blocking_portal.call(keeper.tick)["expired"] == 1
    assert status(counter) == "expired"
    settle(client)
    events = [e["type"] for e in counter.office.get(f"/api/orders/{counter.order['id']}/events").json()]
    assert {"pickup.reminder", "pickup.expiry_warning", "pickup.expired"} <= set(events)
    expired = [
        e
        for e in counter.office.get(f"/api/orders/{counter.order['id']}/events").json()
        if e["type"] == "pickup.expired"
    ]
    shipment_id = expired[0]["payload"]["return_order_id"]
    shipment = counter.office.get(f"/api/orders/{shipment_id}").json()
    assert shipment["kind"] == "return" and shipment["status"] == "requested"
    assert shipment["address"] == counter.store["address"]

    def stock(location_id: str) -> tuple[int, int]:
        rows = counter.office.get(f"/api/stock?location_id={location_id}&sku=MUG-1").json()["items"]
        return (rows[0]["on_hand"], rows[0]["reserved"]) if rows else (0, 0)

    depot = counter.office.post(
        "/api/locations", json={"kind": "depot", "name": "Depot", "address": "D 1", "lat": 60.16, "lon": 24.93}
    ).json()
    assert stock(counter.store["id"]) == (3, 0), "expiry releases the reservation; the mug is still on the shelf"
    # the planner collects it from the store; received at the depot, the pickup's order is closed there
    for step in ("scheduled", "collected", "received"):
        moved = counter.office.post(f"/api/orders/{shipment_id}/transitions", json={"to": step})
        assert moved.status_code == 200, moved.text
    settle(client)
    assert status(counter) == "returned_to_depot"
    assert stock(counter.store["id"]) == (2, 0) and stock(depot["id"]) == (1, 0), "the mug went to the depot"


def test_a_customer_who_said_im_here_hours_ago_is_no_longer_listed_as_here(client: Any, counter: Counter) -> None:
    ready(counter)
    assert client.post(f"/api/track/{counter.token}/here", json={}).status_code == 200
    assert len(counter.clerk.get(f"{counter.base}/pickups?list=arrived").json()) == 1

    async def three_hours_ago(session: Any) -> None:
        await session.execute(
            update(Pickup)
            .where(Pickup.order_id == uuid.UUID(counter.order["id"]))
            .values(customer_arrived_at=utcnow() - timedelta(hours=3))
        )

    run_in_app(client, three_hours_ago)
    assert counter.clerk.get(f"{counter.base}/pickups?list=arrived").json() == []
    assert len(counter.clerk.get(f"{counter.base}/pickups?list=waiting").json()) == 1


def test_a_hand_over_of_an_unknown_order_is_a_404_not_a_crash(client: Any, counter: Counter) -> None:
    response = counter.clerk.post(
        f"{counter.base}/pickups/{uuid.uuid4()}/handover", json={"code": "AAAAAA", "recipient_name": "X"}
    )
    assert response.status_code == 404 and response.headers["content-type"].startswith("application/problem+json")


def test_an_order_that_needs_id_is_not_handed_over_until_the_clerk_confirms_the_check(
    client: Any, counter: Counter
) -> None:
    flagged = counter.office.patch(f"/api/orders/{counter.order['id']}", json={"id_check_required": True})
    assert flagged.status_code == 200, flagged.text
    assert flagged.json()["id_check_required"] is True
    code = ready(counter)["code"]
    found = counter.clerk.post(f"{counter.base}/pickups/lookup", json={"code": code}).json()
    assert found["id_check_required"] is True  # the counter screen asks for the ID before the hand-over
    url = f"{counter.base}/pickups/{counter.order['id']}/handover"
    refused = counter.clerk.post(url, json={"code": code, "recipient_name": "Aino Virtanen"})
    assert refused.status_code == 422 and refused.json()["type"].endswith("id-check-required")
    assert status(counter) == "ready_for_pickup"  # nothing changed
    done = counter.clerk.post(url, json={"code": code, "recipient_name": "Aino Virtanen", "id_checked": True})
    assert done.status_code == 200, done.text
    assert status(counter) == "picked_up"


def test_an_order_without_the_flag_hands_over_without_an_id_check(client: Any, counter: Counter) -> None:
    code = ready(counter)["code"]
    assert (
        counter.clerk.post(f"{counter.base}/pickups/lookup", json={"code": code}).json()["id_check_required"] is False
    )
    url = f"{counter.base}/pickups/{counter.order['id']}/handover"
    assert counter.clerk.post(url, json={"code": code, "recipient_name": "Aino"}).status_code == 200


def test_im_here_with_a_shared_position_tells_the_store_how_far_away_without_keeping_the_position(
    client: Any, counter: Counter
) -> None:
    ready(counter)
    settle(client)
    with client.websocket_connect(f"/ws/store/{counter.store['id']}") as ws:
        assert ws.receive_json(timeout=5)["type"] == "ready"
        # about 330 m north of the store (0.003 degrees of latitude)
        here = client.post(f"/api/track/{counter.token}/here", json={"lat": 60.172, "lon": 24.932})
        assert here.status_code == 200, here.text
        assert 320 <= here.json()["distance_m"] <= 340
        settle(client)
        payload = ws.receive_json(timeout=5)["data"]["payload"]
        assert 320 <= payload["distance_m"] <= 340
        assert "lat" not in payload and "lon" not in payload  # the store learns a distance, not where they are
    arrived = counter.clerk.get(f"{counter.base}/pickups?list=arrived").json()
    assert 320 <= arrived[0]["customer_distance_m"] <= 340
    # tapping again without sharing clears the old distance rather than showing a stale one
    assert client.post(f"/api/track/{counter.token}/here", json={}).json()["distance_m"] is None


@pytest.mark.parametrize(
    "body",
    [{"lat": 91, "lon": 24.9}, {"lat": 60.1, "lon": -181}, {"lat": 60.1}, {"lon": 24.9}, {"lat": "x", "lon": 1}],
)
def test_im_here_refuses_a_position_out_of_range_or_half_given(client: Any, counter: Counter, body: Any) -> None:
    ready(counter)
    response = client.post(f"/api/track/{counter.token}/here", json=body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
