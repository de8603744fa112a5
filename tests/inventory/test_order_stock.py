"""Store pickups and stock: lines reserved at the store when the order is created (or the order refused, naming
stores that have it), handed over at pickup, given back when cancelled or expired; racing for the last unit."""

from __future__ import annotations

import asyncio

import httpx

from tests.factories import order_payload
from tests.inventory.conftest import assert_ledger_matches


def test_a_pickup_order_reserves_its_lines_at_its_store(client, shop):
    shop.receive(shop.kamppi, "MUG-1", 5)
    shop.receive(shop.kamppi, "TEE-M", 2)
    response = shop.pickup(shop.kamppi, {"MUG-1": 2, "TEE-M": 1})
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["lines"] == [{"sku": "MUG-1", "quantity": 2}, {"sku": "TEE-M", "quantity": 1}]
    assert shop.staff.get(f"/api/orders/{order['id']}").json()["lines"] == order["lines"]
    mug = shop.level(shop.kamppi, "MUG-1")
    assert (mug["on_hand"], mug["reserved"], mug["available"]) == (5, 2, 3)
    moves = shop.staff.get("/api/stock/movements", params={"order_id": order["id"]}).json()["items"]
    assert sorted((m["kind"], m["sku"], m["reserved_delta"]) for m in moves) == [
        ("reservation", "MUG-1", 2),
        ("reservation", "TEE-M", 1),
    ]
    assert_ledger_matches(client, shop.tenant.organization.id)


def test_pickup_hands_the_reserved_stock_over(client, shop):
    shop.receive(shop.kamppi, "MUG-1", 5)
    order = shop.pickup(shop.kamppi, {"MUG-1": 2}).json()
    shop.move(order["id"], "at_store", "ready_for_pickup", "picked_up")
    mug = shop.level(shop.kamppi, "MUG-1")
    assert (mug["on_hand"], mug["reserved"], mug["available"]) == (3, 0, 3)
    moves = shop.staff.get("/api/stock/movements", params={"order_id": order["id"]}).json()["items"]
    assert [(m["kind"], m["on_hand_delta"], m["reserved_delta"]) for m in moves] == [
        ("pickup_handoff", -2, -2),
        ("reservation", 0, 2),
    ]
    assert_ledger_matches(client, shop.tenant.organization.id)


def test_cancelling_or_expiring_gives_the_stock_back(client, shop):
    shop.receive(shop.kamppi, "MUG-1", 3)
    cancelled = shop.pickup(shop.kamppi, {"MUG-1": 3}).json()
    assert shop.level(shop.kamppi, "MUG-1")["available"] == 0
    shop.move(cancelled["id"], "cancelled")
    assert shop.level(shop.kamppi, "MUG-1")["available"] == 3
    expired = shop.pickup(shop.kamppi, {"MUG-1": 2}).json()
    shop.move(expired["id"], "at_store", "ready_for_pickup", "expired")
    mug = shop.level(shop.kamppi, "MUG-1")
    assert (mug["on_hand"], mug["reserved"]) == (3, 0)
    kinds = [m["kind"] for m in shop.staff.get("/api/stock/movements", params={"sku": "MUG-1"}).json()["items"]]
    assert kinds == ["release", "reservation", "release", "reservation", "receipt"]
    shop.move(expired["id"], "returned_to_depot")  # nothing left to release: no movement
    assert shop.staff.get("/api/stock/movements", params={"sku": "MUG-1"}).json()["total"] == 5
    assert_ledger_matches(client, shop.tenant.organization.id)


def test_an_order_beyond_available_stock_is_refused_naming_the_nearest_store_that_has_it(client, shop):
    shop.receive(shop.kamppi, "MUG-1", 1)
    shop.receive(shop.kallio, "MUG-1", 4)
    shop.receive(shop.espoo, "MUG-1", 9)
    shop.receive(shop.espoo, "TEE-M", 1)
    shop.receive(shop.depot, "MUG-1", 50)  # a depot is not a store: never suggested to a customer
    response = shop.pickup(shop.kamppi, {"MUG-1": 3, "TEE-M": 1}, external_ref="WANTS-3")
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    refusal = response.json()
    assert refusal["type"].endswith("/insufficient-stock") and refusal["location_id"] == shop.kamppi["id"]
    mug, tee = refusal["shortages"]
    assert (mug["sku"], mug["requested"], mug["available"]) == ("MUG-1", 3, 1)
    assert [s["name"] for s in mug["stores"]] == ["Kallio", "Espoo"]  # nearest first
    assert 1_500 < mug["stores"][0]["distance_m"] < 2_500 and mug["stores"][0]["available"] == 4
    assert (tee["sku"], tee["available"], [s["name"] for s in tee["stores"]]) == ("TEE-M", 0, ["Espoo"])
    assert refusal["suggested_store"]["name"] == "Espoo"  # the one store that has the whole order
    assert "Kamppi" in refusal["detail"] and "Espoo" in refusal["detail"]
    # nothing was created or reserved
    assert shop.staff.get("/api/orders", params={"q": "WANTS-3"}).json()["total"] == 0
    assert shop.level(shop.kamppi, "MUG-1")["reserved"] == 0
    # the suggestion works
    retried = shop.pickup(shop.espoo, {"MUG-1": 3, "TEE-M": 1}, external_ref="WANTS-3")
    assert retried.status_code == 201, retried.text
    # now no store has a T-shirt: no suggestion at all
    nowhere = shop.pickup(shop.kallio, {"TEE-M": 1}).json()
    assert nowhere["status"] == 409 and nowhere["shortages"][0]["available"] == 0
    assert nowhere["shortages"][0]["stores"] == [] and nowhere["suggested_store"] is None
    assert_ledger_matches(client, shop.tenant.organization.id)


def test_order_lines_are_validated(client, shop):
    shop.receive(shop.kamppi, "MUG-1", 5)
    unknown = shop.pickup(shop.kamppi, {"MUG-1": 1, "GHOST": 1, "ALSO-GHOST": 2})
    assert unknown.status_code == 422 and unknown.json()["unknown_skus"] == ["ALSO-GHOST", "GHOST"]
    delivery = shop.staff.post("/api/orders", json=order_payload(lines=[{"sku": "MUG-1", "quantity": 1}]))
    assert delivery.status_code == 422 and "lines" in delivery.json()["detail"]
    for lines in (
        [{"sku": "MUG-1", "quantity": 0}],
        [{"sku": "MUG-1", "quantity": -2}],
        [{"sku": "MUG-1", "quantity": 1}, {"sku": "MUG-1", "quantity": 1}],
        [{"sku": "MUG-1"}],
        [{"sku": f"S-{i}", "quantity": 1} for i in range(101)],
    ):
        payload = order_payload(kind="store_pickup", store_id=shop.kamppi["id"], lines=lines)
        response = shop.staff.post("/api/orders", json=payload)
        assert response.status_code == 400, (lines, response.text)
    # an order import carries no stock lines: reservations are refused order by order, through POST /api/orders
    row = order_payload(kind="store_pickup", store_id=shop.kamppi["id"], lines=[{"sku": "MUG-1", "quantity": 1}])
    imported = shop.staff.post("/api/orders/import", json=[row])
    assert imported.status_code == 422 and imported.json()["errors"][0]["field"] == "lines"
    csv_with_lines = b"recipient_name,address,lat,lon,lines\nA,B,60.1,24.9,MUG-1\n"
    refused = shop.staff.post("/api/orders/import", content=csv_with_lines, headers={"content-type": "text/csv"})
    assert refused.status_code == 422 and "lines" in refused.json()["detail"]
    assert shop.level(shop.kamppi, "MUG-1")["reserved"] == 0
    assert_ledger_matches(client, shop.tenant.organization.id)


def test_an_idempotent_retry_does_not_reserve_twice(shop):
    shop.receive(shop.kamppi, "MUG-1", 5)
    payload = order_payload(kind="store_pickup", store_id=shop.kamppi["id"], lines=[{"sku": "MUG-1", "quantity": 2}])
    headers = {"Idempotency-Key": "pickup-with-lines-1"}
    first = shop.staff.post("/api/orders", json=payload, headers=headers)
    again = shop.staff.post("/api/orders", json=payload, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["lines"] == [{"sku": "MUG-1", "quantity": 2}]
    assert shop.level(shop.kamppi, "MUG-1")["reserved"] == 2


def test_two_orders_racing_for_the_last_unit_exactly_one_wins(client, shop):
    shop.receive(shop.kamppi, "MUG-1", 1)
    headers = {"X-CSRF-Token": shop.staff.csrf_token or ""}
    payloads = [
        order_payload(kind="store_pickup", store_id=shop.kamppi["id"], lines=[{"sku": "MUG-1", "quantity": 1}])
        for _ in range(2)
    ]

    async def race() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver.local", cookies=client.cookies
        ) as http:
            return await asyncio.gather(*[http.post("/api/orders", json=p, headers=headers) for p in payloads])

    responses = client.blocking_portal.call(race)
    statuses = sorted(r.status_code for r in responses)
    assert statuses[0] == 201 and statuses[1] in (409, 503), [r.text for r in responses]  # SQLite may say busy
    loser = next(r for r in responses if r.status_code != 201)
    assert loser.headers["content-type"].startswith("application/problem+json")
    mug = shop.level(shop.kamppi, "MUG-1")
    assert (mug["on_hand"], mug["reserved"]) == (1, 1)
    assert shop.staff.get("/api/orders", params={"kind": "store_pickup"}).json()["total"] == 1
    assert_ledger_matches(client, shop.tenant.organization.id)


def test_two_handovers_of_one_order_consume_its_stock_once(client, shop):
    shop.receive(shop.kamppi, "MUG-1", 3)
    order = shop.pickup(shop.kamppi, {"MUG-1": 2}).json()
    shop.move(order["id"], "at_store", "ready_for_pickup")
    headers = {"X-CSRF-Token": shop.staff.csrf_token or ""}

    async def race() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver.local", cookies=client.cookies
        ) as http:
            url = f"/api/orders/{order['id']}/transitions"
            return await asyncio.gather(*[http.post(url, json={"to": "picked_up"}, headers=headers) for _ in range(2)])

    responses = client.blocking_portal.call(race)
    assert 200 in [r.status_code for r in responses], [r.text for r in responses]
    mug = shop.level(shop.kamppi, "MUG-1")
    assert (mug["on_hand"], mug["reserved"]) == (1, 0)
    handoffs = shop.staff.get("/api/stock/movements", params={"kind": "pickup_handoff"}).json()
    assert handoffs["total"] == 1
    assert_ledger_matches(client, shop.tenant.organization.id)
