"""Returns from the customer's tracking page: options (stores by distance, opening hours), a driver pickup or
a store drop-off, the store's intake by QR code, receipt with a disposition, and every refusal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from backend.accounts.models import Role
from backend.kit.clock import utcnow
from backend.kit.qr import qr_svg
from tests.factories import Api, Tenant, make_order, make_tenant, sign_in
from tests.proof.images import jpeg, sha
from tests.tracking.conftest import settle


def delivered_order(office: Api, **overrides: Any) -> dict[str, Any]:
    order = make_order(office, barcodes=["RT-1", "RT-2"], **overrides)
    for step in ("planned", "out_for_delivery", "delivered"):
        moved = office.post(f"/api/orders/{order['id']}/transitions", json={"to": step})
        assert moved.status_code == 200, moved.text
    return order


def token_of(order: dict[str, Any]) -> str:
    return str(order["tracking_url"]).rsplit("/", 1)[1]


@pytest.fixture
def shop(client: Any) -> tuple[Tenant, Api, dict[str, Any], dict[str, Any]]:
    tenant = make_tenant(client)
    admin = sign_in(client, tenant.users[Role.admin])
    near = admin.post(
        "/api/locations",
        json={
            "kind": "store",
            "name": "Near store",
            "address": "Near 1",
            "lat": 60.1700,
            "lon": 24.9390,
            "opening_hours": {d: [["00:00", "23:59"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        },
    ).json()
    far = admin.post(
        "/api/locations",
        json={"kind": "store", "name": "Far store", "address": "Far 1", "lat": 60.2500, "lon": 25.0500},
    ).json()
    assigned = admin.client.put(
        f"/api/stores/{near['id']}/staff",
        json={"user_ids": [str(tenant.users[Role.store_staff].id)]},
        headers={"X-CSRF-Token": admin.csrf_token or ""},
    )
    assert assigned.status_code == 200
    key = admin.post("/api/api-keys", json={"name": "office", "role": "admin"}).json()["key"]
    return tenant, Api(client, headers={"X-API-Key": key}), near, far


def test_a_delivered_order_offers_its_parcels_and_the_nearest_stores_first(client: Any, shop: Any) -> None:
    _tenant, office, _near, _far = shop
    order = delivered_order(office)
    options = client.get(f"/api/track/{token_of(order)}/return-options").json()
    assert options["returnable"] is True and options["why_not"] is None
    assert options["parcels"] == ["RT-1", "RT-2"]
    assert [s["name"] for s in options["stores"]] == ["Near store", "Far store"]
    assert options["stores"][0]["distance_m"] < options["stores"][1]["distance_m"]
    assert options["stores"][0]["open_now"] is True and options["stores"][1]["open_now"] is False
    assert "damaged" in options["reasons"]
    waiting = make_order(office)
    not_yet = client.get(f"/api/track/{token_of(waiting)}/return-options").json()
    assert not_yet["returnable"] is False and not_yet["stores"] == [] and "delivered" in not_yet["why_not"]


def test_a_store_drop_off_is_taken_in_by_its_code_and_received_with_a_disposition(client: Any, shop: Any) -> None:
    tenant, office, near, _far = shop
    order = delivered_order(office)
    photo = jpeg(colour=(90, 10, 10))
    uploaded = client.put(
        f"/api/track/{token_of(order)}/media/{sha(photo)}", content=photo, headers={"Content-Type": "image/jpeg"}
    )
    assert uploaded.status_code == 201, uploaded.text
    started = client.post(
        f"/api/track/{token_of(order)}/returns",
        json={
            "method": "store_dropoff",
            "reason": "damaged",
            "parcels": ["RT-2"],
            "store_id": near["id"],
            "comment": "Box crushed",
            "photos": [sha(photo)],
        },
    )
    assert started.status_code == 201, started.text
    created = started.json()
    assert created["store_name"] == "Near store" and len(created["code"]) == 6
    return_token = created["tracking_url"].rsplit("/", 1)[1]
    view = client.get(f"/api/track/{return_token}").json()
    assert view["kind"] == "return" and view["status"] == "scheduled"
    assert view["return_info"]["code"] == created["code"] and view["return_info"]["store_name"] == "Near store"
    qr = client.get(f"/api/track/{return_token}/return-qr.svg")
    assert qr.status_code == 200 and 'xmlns="http://www.w3.org/2000/svg"' in qr.text
    assert qr.content == qr_svg(f"DOORSTEP-RETURN:{created['code']}")
    assert client.get(f"/api/track/{token_of(order)}/return-qr.svg").status_code == 404
    # the planner leaves a drop-off alone: it is not waiting for a route
    assert office.get(f"/api/orders/{created['return_order_id']}").json()["status"] == "scheduled"

    clerk = sign_in(client, tenant.users[Role.store_staff])
    taken = clerk.post(f"/api/stores/{near['id']}/returns/intake", json={"code": f"DOORSTEP-RETURN:{created['code']}"})
    assert taken.status_code == 200, taken.text
    assert taken.json()["status"] == "collected" and taken.json()["photos"] == [sha(photo)]
    again = clerk.post(f"/api/stores/{near['id']}/returns/intake", json={"code": created["code"]})
    assert again.status_code == 409
    unknown = clerk.post(f"/api/stores/{near['id']}/returns/intake", json={"code": "AAAAAA"})
    assert unknown.status_code == 404

    received = clerk.post(
        f"/api/returns/{created['return_order_id']}/receive", json={"location_id": near["id"], "disposition": "dispose"}
    )
    assert received.status_code == 200, received.text
    assert received.json()["status"] == "disposed" and received.json()["disposition"] == "dispose"
    twice = clerk.post(
        f"/api/returns/{created['return_order_id']}/receive", json={"location_id": near["id"], "disposition": "restock"}
    )
    assert twice.status_code == 409
    settle(client)
    events = [e["type"] for e in office.get(f"/api/orders/{created['return_order_id']}/events").json()]
    assert {"return.requested", "return.dropped_off", "return.received"} <= set(events)


def test_a_driver_pickup_return_waits_for_the_planner_in_its_window(client: Any, shop: Any) -> None:
    _tenant, office, _near, _far = shop
    order = delivered_order(office)
    start = (utcnow() + timedelta(days=1)).replace(microsecond=0)
    started = client.post(
        f"/api/track/{token_of(order)}/returns",
        json={
            "method": "pickup",
            "reason": "no_longer_needed",
            "parcels": ["RT-1"],
            "window_start_at": start.isoformat(),
            "window_end_at": (start + timedelta(hours=3)).isoformat(),
        },
    )
    assert started.status_code == 201, started.text
    returned = office.get(f"/api/orders/{started.json()['return_order_id']}").json()
    assert returned["kind"] == "return" and returned["status"] == "requested"
    assert returned["address"] == order["address"]
    assert returned["window_start_at"] is not None
    waiting = office.get("/api/orders?status=requested").json()
    assert started.json()["return_order_id"] in [o["id"] for o in waiting["items"]]


def test_returns_are_refused_plainly(client: Any, shop: Any) -> None:
    tenant, office, near, far = shop
    order = delivered_order(office)
    token = token_of(order)

    def start(**body: Any) -> Any:
        return client.post(f"/api/track/{token}/returns", json={"reason": "other", **body})

    assert start(method="store_dropoff", parcels=["RT-1"]).status_code == 422  # no store
    assert start(method="store_dropoff", parcels=["NOT-OURS"], store_id=near["id"]).status_code == 422
    assert start(method="store_dropoff", parcels=[], store_id=near["id"]).status_code == 422
    assert start(method="pickup", parcels=["RT-1"]).status_code == 422  # no window
    other = make_tenant(client)
    their_store = (
        sign_in(client, other.users[Role.admin])
        .post("/api/locations", json={"kind": "store", "name": "Theirs", "address": "X", "lat": 60.1, "lon": 24.9})
        .json()
    )
    assert start(method="store_dropoff", parcels=["RT-1"], store_id=their_store["id"]).status_code == 422
    assert start(method="store_dropoff", parcels=["RT-1"], store_id=near["id"], photos=["0" * 64]).status_code == 404
    for bad in ({"method": "teleport", "parcels": ["RT-1"]}, {"method": "pickup", "parcels": ["RT-1"], "reason": "x"}):
        assert client.post(f"/api/track/{token}/returns", json=bad).status_code == 400
    assert start(method="store_dropoff", parcels=["RT-1"], store_id=near["id"]).status_code == 201
    twice = start(method="store_dropoff", parcels=["RT-1"], store_id=near["id"])
    assert twice.status_code == 409 and "already" in twice.json()["detail"]
    pending = make_order(office)
    assert (
        client.post(
            f"/api/track/{token_of(pending)}/returns",
            json={
                "method": "store_dropoff",
                "reason": "other",
                "parcels": [pending["barcodes"][0] if "barcodes" in pending else "X"],
                "store_id": near["id"],
            },
        ).status_code
        == 409
    )
    photo = jpeg()
    assert (
        client.put(
            f"/api/track/{token_of(pending)}/media/{sha(photo)}", content=photo, headers={"Content-Type": "image/jpeg"}
        ).status_code
        == 409
    )
    # store staff of one store cannot take returns in at another, nor receive them there
    clerk = sign_in(client, tenant.users[Role.store_staff])
    assert clerk.post(f"/api/stores/{far['id']}/returns/intake", json={"code": "AAAAAA"}).status_code == 404
    driver = sign_in(client, tenant.users[Role.driver])
    assert driver.post(f"/api/stores/{near['id']}/returns/intake", json={"code": "AAAAAA"}).status_code == 403


def test_an_item_picked_up_and_returned_at_the_store_is_back_in_stock(client: Any, shop: Any) -> None:
    """The issue's "done when": stock reserved by a store pickup, handed over at the counter (consumed), then
    returned by store drop-off and restocked there: the store's stock is back where it started."""
    tenant, office, near, _far = shop
    assert office.post("/api/skus", json={"code": "MUG-1", "name": "Blue mug"}).status_code == 201
    received = office.post("/api/stock/receipts", json={"location_id": near["id"], "sku": "MUG-1", "quantity": 5})
    assert received.status_code == 201, received.text

    def level() -> dict[str, Any]:
        (row,) = office.get(f"/api/stock?location_id={near['id']}&sku=MUG-1").json()["items"]
        return {k: row[k] for k in ("on_hand", "reserved", "available")}

    order = make_order(
        office,
        kind="store_pickup",
        store_id=near["id"],
        barcodes=["MUG-PARCEL"],
        lines=[{"sku": "MUG-1", "quantity": 2}],
    )
    assert level() == {"on_hand": 5, "reserved": 2, "available": 3}
    clerk = sign_in(client, tenant.users[Role.store_staff])
    shelved = clerk.post(f"/api/stores/{near['id']}/scan-in", json={"barcode": "MUG-PARCEL", "shelf": "C-1"}).json()
    handed = clerk.post(
        f"/api/stores/{near['id']}/pickups/{order['id']}/handover",
        json={"code": shelved["code"], "recipient_name": order["recipient_name"]},
    )
    assert handed.status_code == 200, handed.text
    assert level() == {"on_hand": 3, "reserved": 0, "available": 3}

    started = client.post(
        f"/api/track/{token_of(order)}/returns",
        json={
            "method": "store_dropoff",
            "reason": "not_as_described",
            "items": [{"sku": "MUG-1", "quantity": 1}],
            "store_id": near["id"],
        },
    )
    assert started.status_code == 201, started.text
    too_many = client.post(
        f"/api/track/{token_of(order)}/returns",
        json={
            "method": "store_dropoff",
            "reason": "other",
            "items": [{"sku": "MUG-1", "quantity": 3}],
            "store_id": near["id"],
        },
    )
    assert too_many.status_code == 422
    twice = client.post(
        f"/api/track/{token_of(order)}/returns",
        json={
            "method": "store_dropoff",
            "reason": "other",
            "items": [{"sku": "MUG-1", "quantity": 2}],
            "store_id": near["id"],
        },
    )
    assert twice.status_code == 422 and "left to return (1)" in twice.json()["detail"]
    code = started.json()["code"]
    clerk = sign_in(client, tenant.users[Role.store_staff])
    assert clerk.post(f"/api/stores/{near['id']}/returns/intake", json={"code": code}).status_code == 200
    depot = office.post(
        "/api/locations", json={"kind": "depot", "name": "Depot", "address": "D 1", "lat": 60.16, "lon": 24.93}
    ).json()
    at_depot = clerk.post(
        f"/api/returns/{started.json()['return_order_id']}/receive",
        json={"location_id": depot["id"], "disposition": "restock"},
    )
    assert at_depot.status_code == 404, "a clerk restocks at their own store only"
    restocked = clerk.post(
        f"/api/returns/{started.json()['return_order_id']}/receive",
        json={"location_id": near["id"], "disposition": "restock"},
    )
    assert restocked.status_code == 200, restocked.text
    assert restocked.json()["status"] == "restocked"
    assert level() == {"on_hand": 4, "reserved": 0, "available": 4}
    movements = office.get(f"/api/stock/movements?location_id={near['id']}&sku=MUG-1").json()["items"]
    assert sorted(m["kind"] for m in movements) == ["pickup_handoff", "receipt", "reservation", "return_restock"]


def test_a_customer_may_add_only_so_many_photos_to_an_orders_returns(client: Any, shop: Any) -> None:
    _tenant, office, _near, _far = shop
    order = delivered_order(office)
    token = token_of(order)
    photos = [jpeg(width=64 + i) for i in range(11)]
    for photo in photos[:10]:
        put = client.put(
            f"/api/track/{token}/media/{sha(photo)}", content=photo, headers={"Content-Type": "image/jpeg"}
        )
        assert put.status_code == 201, put.text
    again = client.put(
        f"/api/track/{token}/media/{sha(photos[11 - 2])}", content=photos[9], headers={"Content-Type": "image/jpeg"}
    )
    assert again.status_code == 409, "the cap is reached: even a repeat is refused before it is read"
    refused = client.put(
        f"/api/track/{token}/media/{sha(photos[10])}", content=photos[10], headers={"Content-Type": "image/jpeg"}
    )
    assert refused.status_code == 409 and "At most 10" in refused.json()["detail"]


def test_the_receiving_desk_lists_returns_on_the_way_to_receive_and_decided(client: Any, shop: Any) -> None:
    tenant, office, near, far = shop
    order = delivered_order(office, recipient_name="Eero Returner")
    created = client.post(
        f"/api/track/{token_of(order)}/returns",
        json={"method": "store_dropoff", "reason": "wrong_item", "parcels": ["RT-1"], "store_id": near["id"]},
    ).json()
    return_id = created["return_order_id"]

    def listed(api: Api, which: str) -> list[str]:
        response = api.get(f"/api/returns?which={which}")
        assert response.status_code == 200, response.text
        return [r["return_order_id"] for r in response.json()]

    assert return_id in listed(office, "on_the_way") and return_id not in listed(office, "to_receive")
    clerk = sign_in(client, tenant.users[Role.store_staff])
    assert clerk.post(f"/api/stores/{near['id']}/returns/intake", json={"code": created["code"]}).status_code == 200
    assert return_id in listed(office, "to_receive") and return_id not in listed(office, "on_the_way")
    row = office.get("/api/returns?which=to_receive").json()[0]
    assert (row["recipient_name"], row["reason"], row["items"]["parcels"]) == ("Eero Returner", "wrong_item", ["RT-1"])
    assert return_id in listed(clerk, "to_receive")  # dropped at the clerk's own store
    depot = office.post(
        "/api/locations", json={"kind": "depot", "name": "Depot", "address": "Depot 1", "lat": 60.2, "lon": 24.9}
    ).json()
    received = office.post(
        f"/api/returns/{return_id}/receive", json={"location_id": depot["id"], "disposition": "repair"}
    )
    assert received.status_code == 200, received.text
    assert return_id not in listed(office, "to_receive") and return_id in listed(office, "decided")
    # another organization sees none of it
    stranger = make_tenant(client)
    other = sign_in(client, stranger.users[Role.admin])
    assert return_id not in listed(other, "decided") + listed(other, "to_receive") + listed(other, "on_the_way")
    bad = office.get("/api/returns?which=everything")
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")
    assert far  # the far store's clerk-less list stays empty for store staff of the near store only


def test_store_distances_with_shapely_agree_with_the_great_circle() -> None:
    from backend.places.geometry import distances_m
    from backend.tracking.geofence import haversine_m

    origin = (60.17, 24.94)
    points = [(60.17, 24.94), (60.25, 25.05), (59.9, 24.5), (60.5, 26.0), (-33.9, 151.2)]
    got = distances_m(origin, points)
    assert got[0] == 0.0
    for (lat, lon), metres in zip(points[1:4], got[1:4], strict=True):
        assert metres == pytest.approx(haversine_m(*origin, lat, lon), rel=0.005)
    assert got[4] > 1_000_000  # far away stays far away (ranked last), even if not exact at that range
    assert distances_m(origin, []) == []
    # across the antimeridian the short way round
    assert distances_m((0.0, 179.9), [(0.0, -179.9)])[0] == pytest.approx(22_239, rel=0.01)
