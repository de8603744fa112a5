"""SKUs and stock over HTTP: receipts, adjustments, transfers, thresholds and the ledger, with every refusal as an
RFC 9457 problem (404 for another organization's things, 403 for store staff writing, 400/422 for bad input)."""

from __future__ import annotations

from backend.accounts.models import Role
from tests.factories import make_tenant, run_in_app, sign_in
from tests.inventory.conftest import api_key_caller, assert_ledger_matches, count_events


def problem(response, status: int, slug: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    if slug is not None:
        assert body["type"].endswith("/" + slug), body
    return body


def test_skus_are_created_listed_fetched_and_renamed(shop):
    listed = shop.staff.get("/api/skus").json()
    assert listed["total"] == 2 and [s["code"] for s in listed["items"]] == ["MUG-1", "TEE-M"]
    assert shop.staff.get("/api/skus", params={"q": "shirt"}).json()["total"] == 1
    assert shop.staff.get("/api/skus", params={"q": "6400000000017"}).json()["items"][0]["code"] == "MUG-1"
    assert shop.staff.get(f"/api/skus/{shop.mug['id']}").json() == shop.mug
    patched = shop.staff.patch(f"/api/skus/{shop.tee['id']}", json={"name": "T-shirt, M", "barcode": "TEE-BC"})
    assert patched.status_code == 200 and patched.json()["name"] == "T-shirt, M"
    assert patched.json()["code"] == "TEE-M" and patched.json()["barcode"] == "TEE-BC"


def test_sku_codes_and_barcodes_are_unique_per_organization(client, shop):
    problem(shop.staff.post("/api/skus", json={"code": "MUG-1", "name": "Again"}), 409, "sku-code-taken")
    problem(
        shop.staff.post("/api/skus", json={"code": "MUG-2", "name": "X", "barcode": "6400000000017"}),
        409,
        "sku-barcode-taken",
    )
    problem(shop.staff.patch(f"/api/skus/{shop.tee['id']}", json={"code": "MUG-1"}), 409, "sku-code-taken")
    other = sign_in(client, make_tenant(client).users[Role.dispatcher])
    assert other.post("/api/skus", json={"code": "MUG-1", "name": "Theirs"}).status_code == 201


def test_bad_sku_input_is_a_400_problem(shop):
    for payload in (
        {"code": "", "name": "Empty code"},
        {"code": "has space", "name": "X"},
        {"code": "X" * 65, "name": "X"},
        {"code": "OK-1", "name": ""},
        {"code": "OK-1", "name": "X", "colour": "blue"},
        {"name": "No code"},
    ):
        problem(shop.staff.post("/api/skus", json=payload), 400)
    problem(shop.staff.patch(f"/api/skus/{shop.mug['id']}", json={"barcode": "a b"}), 400)


def test_receipt_adds_on_hand_with_one_ledger_row_and_an_event(client, shop):
    level = shop.receive(shop.depot, "MUG-1", 10)
    assert (level["on_hand"], level["reserved"], level["available"]) == (10, 0, 10)
    assert level["location_name"] == "Depot" and level["sku"] == "MUG-1" and level["low"] is False
    again = shop.receive(shop.depot, "MUG-1", 5)
    assert again["id"] == level["id"] and again["on_hand"] == 15
    ledger = shop.staff.get("/api/stock/movements", params={"location_id": shop.depot["id"]}).json()
    assert ledger["total"] == 2
    assert [(m["kind"], m["on_hand_delta"], m["reserved_delta"]) for m in ledger["items"]] == [
        ("receipt", 5, 0),
        ("receipt", 10, 0),
    ]
    changed = shop.events("stock.changed")
    assert [e["payload"]["on_hand"] for e in changed] == [10, 15]
    assert changed[0]["subject_type"] == "stock_level" and changed[0]["payload"]["kind"] == "receipt"
    assert_ledger_matches(client, shop.tenant.organization.id)


def test_adjustment_needs_a_reason_and_cannot_take_reserved_units(client, shop):
    shop.receive(shop.kamppi, "MUG-1", 5)
    assert shop.pickup(shop.kamppi, {"MUG-1": 3}).status_code == 201
    url = "/api/stock/adjustments"
    base = {"location_id": shop.kamppi["id"], "sku": "MUG-1"}
    problem(shop.staff.post(url, json={**base, "delta": -1}), 400)  # no reason
    problem(shop.staff.post(url, json={**base, "delta": -1, "reason": "   "}), 400)
    problem(shop.staff.post(url, json={**base, "delta": 0, "reason": "count"}), 400)
    refused = problem(shop.staff.post(url, json={**base, "delta": -3, "reason": "broken"}), 409, "insufficient-stock")
    assert refused["shortages"][0] == {"sku": "MUG-1", "requested": 3, "available": 2, "stores": []}
    done = shop.staff.post(url, json={**base, "delta": -2, "reason": "broken in transit"})
    assert done.status_code == 201, done.text
    assert (done.json()["on_hand"], done.json()["reserved"], done.json()["available"]) == (3, 3, 0)
    up = shop.staff.post(url, json={**base, "delta": 4, "reason": "found in the back room"})
    assert up.json()["on_hand"] == 7
    moves = shop.staff.get("/api/stock/movements", params={"kind": "adjustment"}).json()["items"]
    assert [(m["on_hand_delta"], m["reason"]) for m in moves] == [
        (4, "found in the back room"),
        (-2, "broken in transit"),
    ]
    assert_ledger_matches(client, shop.tenant.organization.id)


def test_transfer_moves_available_units_under_one_transfer_id(client, shop):
    shop.receive(shop.depot, "TEE-M", 8)
    response = shop.staff.post(
        "/api/stock/transfers",
        json={"from_location_id": shop.depot["id"], "to_location_id": shop.kallio["id"], "sku": "TEE-M", "quantity": 5},
    )
    assert response.status_code == 201, response.text
    moved = response.json()
    assert moved["source"]["on_hand"] == 3 and moved["destination"]["on_hand"] == 5
    halves = shop.staff.get("/api/stock/movements", params={"transfer_id": moved["transfer_id"]}).json()["items"]
    assert sorted((m["kind"], m["location_id"], m["on_hand_delta"]) for m in halves) == sorted(
        [("transfer_out", shop.depot["id"], -5), ("transfer_in", shop.kallio["id"], 5)]
    )
    short = shop.staff.post(
        "/api/stock/transfers",
        json={"from_location_id": shop.depot["id"], "to_location_id": shop.kamppi["id"], "sku": "TEE-M", "quantity": 4},
    )
    body = problem(short, 409, "insufficient-stock")
    assert body["shortages"][0]["available"] == 3 and body["location_id"] == shop.depot["id"]
    assert body["shortages"][0]["stores"][0]["name"] == "Kallio"  # it has 5 available
    itself = shop.staff.post(
        "/api/stock/transfers",
        json={"from_location_id": shop.depot["id"], "to_location_id": shop.depot["id"], "sku": "TEE-M", "quantity": 1},
    )
    problem(itself, 422, "transfer-to-itself")
    assert_ledger_matches(client, shop.tenant.organization.id)


def test_quantities_must_be_positive_whole_numbers(shop):
    for quantity in (0, -1, 1_000_001, 1.5, None, "three"):
        receipt = {"location_id": shop.depot["id"], "sku": "MUG-1", "quantity": quantity}
        problem(shop.staff.post("/api/stock/receipts", json=receipt), 400)
        transfer = {"from_location_id": shop.depot["id"], "to_location_id": shop.kamppi["id"], "sku": "MUG-1"}
        problem(shop.staff.post("/api/stock/transfers", json={**transfer, "quantity": quantity}), 400)
    for delta in (1_000_001, -1_000_001, 0.5):
        adjustment = {"location_id": shop.depot["id"], "sku": "MUG-1", "delta": delta, "reason": "count"}
        problem(shop.staff.post("/api/stock/adjustments", json=adjustment), 400)
    assert shop.staff.get("/api/stock/movements").json()["total"] == 0


def test_unknown_sku_or_location_is_a_404(shop):
    unknown_sku = shop.staff.post(
        "/api/stock/receipts", json={"location_id": shop.depot["id"], "sku": "NOPE", "quantity": 1}
    )
    assert "NOPE" in problem(unknown_sku, 404)["detail"]
    unknown_place = shop.staff.post(
        "/api/stock/receipts",
        json={"location_id": "01934b6e-0000-7000-8000-000000000000", "sku": "MUG-1", "quantity": 1},
    )
    problem(unknown_place, 404)
    problem(shop.staff.get("/api/skus/01934b6e-0000-7000-8000-000000000000"), 404)
    problem(
        shop.staff.patch(
            "/api/stock/levels/01934b6e-0000-7000-8000-000000000000/MUG-1", json={"low_stock_threshold": 1}
        ),
        404,
    )


def test_another_organizations_skus_locations_and_stock_are_not_found(client, shop):
    shop.receive(shop.depot, "MUG-1", 3)
    intruder = sign_in(client, make_tenant(client).users[Role.admin])
    intruder.post("/api/skus", json={"code": "MUG-1", "name": "Their mug"})
    problem(intruder.get(f"/api/skus/{shop.mug['id']}"), 404)
    problem(intruder.patch(f"/api/skus/{shop.mug['id']}", json={"name": "Mine now"}), 404)
    problem(
        intruder.post("/api/stock/receipts", json={"location_id": shop.depot["id"], "sku": "MUG-1", "quantity": 1}),
        404,
    )
    problem(
        intruder.post(
            "/api/stock/adjustments",
            json={"location_id": shop.depot["id"], "sku": "MUG-1", "delta": -3, "reason": "theft"},
        ),
        404,
    )
    problem(intruder.patch(f"/api/stock/levels/{shop.depot['id']}/MUG-1", json={"low_stock_threshold": 1}), 404)
    assert intruder.get("/api/stock").json()["total"] == 0
    assert intruder.get("/api/stock/movements").json()["total"] == 0
    assert intruder.get("/api/stock", params={"location_id": shop.depot["id"]}).json()["total"] == 0
    assert "Depot" not in intruder.get("/api/stock/export.csv").text
    shop.staff = sign_in(client, shop.tenant.users[Role.dispatcher])
    assert shop.level(shop.depot, "MUG-1")["on_hand"] == 3


def test_store_staff_read_stock_but_only_staff_change_it(client, shop):
    admin = sign_in(client, shop.tenant.users[Role.admin])
    store_staff = api_key_caller(client, admin, Role.store_staff)
    driver = api_key_caller(client, admin, Role.driver)
    shop.staff = sign_in(client, shop.tenant.users[Role.dispatcher])
    shop.receive(shop.kamppi, "MUG-1", 2)
    for url in ("/api/skus", f"/api/skus/{shop.mug['id']}"):
        assert store_staff.get(url).status_code == 200, url
        problem(driver.get(url), 403)
    # stock is read one store at a time, and only at a store the clerk works at (a key belongs to no store)
    for url in ("/api/stock", "/api/stock/movements", "/api/stock/export.csv"):
        problem(store_staff.get(url), 422)
        problem(store_staff.get(url, params={"location_id": shop.kamppi["id"]}), 404)
        problem(driver.get(url), 403)
    writes = [
        ("post", "/api/skus", {"code": "NEW", "name": "New"}),
        ("patch", f"/api/skus/{shop.mug['id']}", {"name": "Renamed"}),
        ("post", "/api/stock/receipts", {"location_id": shop.kamppi["id"], "sku": "MUG-1", "quantity": 1}),
        (
            "post",
            "/api/stock/adjustments",
            {"location_id": shop.kamppi["id"], "sku": "MUG-1", "delta": -1, "reason": "x"},
        ),
        (
            "post",
            "/api/stock/transfers",
            {"from_location_id": shop.kamppi["id"], "to_location_id": shop.kallio["id"], "sku": "MUG-1", "quantity": 1},
        ),
        ("patch", f"/api/stock/levels/{shop.kamppi['id']}/MUG-1", {"low_stock_threshold": 1}),
    ]
    for method, url, body in writes:
        problem(getattr(store_staff, method)(url, json=body), 403)
    problem(
        store_staff.post("/api/stock/import", content=b"location,sku,on_hand\n", headers={"content-type": "text/csv"}),
        403,
    )
    assert shop.level(shop.kamppi, "MUG-1")["on_hand"] == 2


def test_low_stock_event_fires_once_when_available_crosses_below_the_threshold(client, shop):
    shop.receive(shop.kamppi, "MUG-1", 6)
    set_threshold = shop.staff.patch(f"/api/stock/levels/{shop.kamppi['id']}/MUG-1", json={"low_stock_threshold": 5})
    assert set_threshold.status_code == 200 and set_threshold.json()["low_stock_threshold"] == 5
    assert shop.events("stock.low") == []
    assert shop.pickup(shop.kamppi, {"MUG-1": 2}).status_code == 201  # available 6 -> 4: below 5
    low = shop.events("stock.low")
    assert len(low) == 1 and low[0]["payload"]["available"] == 4 and low[0]["payload"]["low_stock_threshold"] == 5
    assert shop.pickup(shop.kamppi, {"MUG-1": 1}).status_code == 201  # already below: no second alert
    assert len(shop.events("stock.low")) == 1
    listed = shop.staff.get("/api/stock", params={"low": "true"}).json()
    assert listed["total"] == 1 and listed["items"][0]["low"] is True
    shop.receive(shop.kamppi, "MUG-1", 10)  # back above; the next fall alerts again
    shop.staff.post(
        "/api/stock/adjustments",
        json={"location_id": shop.kamppi["id"], "sku": "MUG-1", "delta": -12, "reason": "water damage"},
    )
    assert len(shop.events("stock.low")) == 2
    cleared = shop.staff.patch(f"/api/stock/levels/{shop.kamppi['id']}/MUG-1", json={"low_stock_threshold": None})
    assert cleared.json()["low_stock_threshold"] is None and cleared.json()["low"] is False
    problem(shop.staff.patch(f"/api/stock/levels/{shop.kamppi['id']}/MUG-1", json={"low_stock_threshold": -1}), 400)
    problem(shop.staff.patch(f"/api/stock/levels/{shop.kamppi['id']}/MUG-1", json={}), 400)


def test_a_threshold_set_above_what_is_available_alerts_at_once(client, shop):
    shop.receive(shop.kallio, "TEE-M", 2)
    shop.staff.patch(f"/api/stock/levels/{shop.kallio['id']}/TEE-M", json={"low_stock_threshold": 3})
    assert len(shop.events("stock.low")) == 1
    # a threshold for a SKU a store never had makes an empty level, with no ledger rows
    made = shop.staff.patch(f"/api/stock/levels/{shop.espoo['id']}/TEE-M", json={"low_stock_threshold": 1})
    assert made.status_code == 200 and (made.json()["on_hand"], made.json()["low"]) == (0, True)
    assert run_in_app(client, count_events, shop.tenant.organization.id, "stock.threshold_changed") == 2
    assert_ledger_matches(client, shop.tenant.organization.id)


def test_stock_list_is_paginated_and_filterable(shop):
    for location in (shop.depot, shop.kamppi, shop.kallio):
        shop.receive(location, "MUG-1", 1)
    shop.receive(shop.depot, "TEE-M", 1)
    assert shop.staff.get("/api/stock").json()["total"] == 4
    page = shop.staff.get("/api/stock", params={"limit": 2, "offset": 2}).json()
    assert page["total"] == 4 and len(page["items"]) == 2
    assert shop.staff.get("/api/stock", params={"sku": "TEE-M"}).json()["total"] == 1
    assert shop.staff.get("/api/stock", params={"location_id": shop.depot["id"]}).json()["total"] == 2
    assert shop.staff.get("/api/stock/movements", params={"sku": "MUG-1", "limit": 1}).json()["total"] == 3
    for params in ({"limit": 1000}, {"offset": -1}, {"location_id": "nope"}, {"sku": ""}):
        problem(shop.staff.get("/api/stock", params=params), 400)
    problem(shop.staff.get("/api/stock/movements", params={"kind": "teleport"}), 400)


def test_a_clerk_reads_the_stock_of_their_own_store_only(client, shop):
    admin = sign_in(client, shop.tenant.users[Role.admin])
    shop.staff = admin
    shop.receive(shop.kamppi, "MUG-1", 2)
    shop.receive(shop.kallio, "MUG-1", 5)
    assigned = admin.client.put(
        f"/api/stores/{shop.kamppi['id']}/staff",
        json={"user_ids": [str(shop.tenant.users[Role.store_staff].id)]},
        headers={"X-CSRF-Token": admin.csrf_token or ""},
    )
    assert assigned.status_code == 200, assigned.text
    clerk = sign_in(client, shop.tenant.users[Role.store_staff])
    own = clerk.get("/api/stock", params={"location_id": shop.kamppi["id"]}).json()
    assert [(row["location_name"], row["on_hand"]) for row in own["items"]] == [(shop.kamppi["name"], 2)]
    assert clerk.get("/api/stock/movements", params={"location_id": shop.kamppi["id"]}).json()["total"] == 1
    assert "MUG-1" in clerk.get("/api/stock/export.csv", params={"location_id": shop.kamppi["id"]}).text
    problem(clerk.get("/api/stock", params={"location_id": shop.kallio["id"]}), 404)
    problem(clerk.get("/api/stock"), 422)
