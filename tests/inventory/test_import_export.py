"""Stock CSV: export in the import's columns, import a count through adjustment movements, per-row errors."""

from __future__ import annotations

import csv
import io

from tests.inventory.conftest import assert_ledger_matches


def post_csv(api, body: str | bytes, **params):
    content = body.encode() if isinstance(body, str) else body
    return api.post("/api/stock/import", content=content, headers={"content-type": "text/csv"}, params=params)


def test_export_lists_every_level_in_the_import_columns(shop):
    shop.receive(shop.depot, "MUG-1", 7)
    shop.receive(shop.kamppi, "MUG-1", 3)
    shop.pickup(shop.kamppi, {"MUG-1": 1})
    shop.staff.patch(f"/api/stock/levels/{shop.kamppi['id']}/MUG-1", json={"low_stock_threshold": 2})
    response = shop.staff.get("/api/stock/export.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows == [
        {
            "location": "Depot",
            "sku": "MUG-1",
            "on_hand": "7",
            "reserved": "0",
            "available": "7",
            "low_stock_threshold": "",
        },
        {
            "location": "Kamppi",
            "sku": "MUG-1",
            "on_hand": "3",
            "reserved": "1",
            "available": "2",
            "low_stock_threshold": "2",
        },
    ]
    one = shop.staff.get("/api/stock/export.csv", params={"location_id": shop.depot["id"]})
    assert len(list(csv.DictReader(io.StringIO(one.text)))) == 1


def test_import_sets_counts_through_adjustments_and_round_trips_the_export(client, shop):
    shop.receive(shop.depot, "MUG-1", 7)
    body = (
        "location,sku,on_hand,low_stock_threshold\n"
        "Depot,MUG-1,5,\n"  # 7 counted as 5: an adjustment of -2
        f"{shop.kamppi['id']},TEE-M,4,2\n"  # by id; a new level
        "Kallio,MUG-1,0,\n"  # nothing there, nothing counted: unchanged
    )
    response = post_csv(shop.staff, body)
    assert response.status_code == 200, response.text
    assert response.json() == {"rows": 3, "changed": 2, "unchanged": 1, "rejected": 0, "errors": []}
    assert shop.level(shop.depot, "MUG-1")["on_hand"] == 5
    tee = shop.level(shop.kamppi, "TEE-M")
    assert (tee["on_hand"], tee["low_stock_threshold"]) == (4, 2)
    adjustments = shop.staff.get("/api/stock/movements", params={"kind": "adjustment"}).json()["items"]
    assert sorted(m["on_hand_delta"] for m in adjustments) == [-2, 4]
    assert all(m["reason"] == "stock count (CSV import)" for m in adjustments)
    exported = shop.staff.get("/api/stock/export.csv").text
    again = post_csv(shop.staff, exported)
    assert again.json()["changed"] == 0 and again.json()["unchanged"] == 2
    assert_ledger_matches(client, shop.tenant.organization.id)


def test_import_without_a_threshold_column_leaves_thresholds_alone(shop):
    shop.staff.patch(f"/api/stock/levels/{shop.depot['id']}/MUG-1", json={"low_stock_threshold": 3})
    assert post_csv(shop.staff, "sku;location;on_hand\nMUG-1;Depot;9\n").status_code == 200  # any order, ; too
    level = shop.level(shop.depot, "MUG-1")
    assert (level["on_hand"], level["low_stock_threshold"]) == (9, 3)


def test_one_bad_row_rejects_the_file_with_row_field_and_reason(shop):
    shop.receive(shop.kamppi, "MUG-1", 3)
    shop.pickup(shop.kamppi, {"MUG-1": 2})
    body = (
        "location,sku,on_hand,low_stock_threshold\n"
        "Depot,MUG-1,5,\n"
        "Nowhere,MUG-1,1,\n"
        "Depot,GHOST,1,\n"
        "Depot,TEE-M,-1,\n"
        "Depot,TEE-M,1.5,\n"
        "Depot,TEE-M,2,lots\n"
        "Depot,MUG-1,6,\n"
        "Kamppi,MUG-1,1,\n"  # 2 are reserved there
    )
    response = post_csv(shop.staff, body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"].endswith("/import-rejected") and problem["rejected"] == 7 and problem["rows"] == 8
    assert [(e["row"], e["field"]) for e in problem["errors"]] == [
        (2, "location"),
        (3, "sku"),
        (4, "on_hand"),
        (5, "on_hand"),
        (6, "low_stock_threshold"),
        (7, "sku"),
        (8, "on_hand"),
    ]
    assert "reserved" in problem["errors"][-1]["reason"]
    assert shop.level(shop.depot, "MUG-1") is None  # nothing was imported
    partial = post_csv(shop.staff, body, partial="true")
    assert partial.status_code == 200 and partial.json()["changed"] == 1 and partial.json()["rejected"] == 7
    assert shop.level(shop.depot, "MUG-1")["on_hand"] == 5


def test_unreadable_csv_is_a_problem_and_imports_nothing(shop):
    for body, status in (
        (b"", 422),
        (b"location,sku\nDepot,MUG-1\n", 422),  # no on_hand column
        (b"location,sku,on_hand,colour\nDepot,MUG-1,1,blue\n", 422),
        (b"location,sku,on_hand,sku\nDepot,MUG-1,1,MUG-1\n", 422),
        (b"location,sku,on_hand\n", 422),  # no rows
        (b"location,sku,on_hand\nDepot,MUG-1,1,extra\n", 422),
        (b"\xff\xfebad", 422),  # not UTF-8
        (b"location,sku,on_hand\nDepot,MUG-1,\x00\n", 400),  # the NUL guard answers first
        (b'location,sku,on_hand\n"Depot,MUG-1,1\n', 422),
    ):
        response = post_csv(shop.staff, body)
        assert response.status_code == status, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert shop.staff.post("/api/stock/import", json=[{"location": "Depot"}]).status_code == 415
    assert shop.staff.get("/api/stock/movements").json()["total"] == 0


def test_export_cells_never_run_as_spreadsheet_formulas_and_still_import_back(shop):
    """A location named like a formula, and a SKU code starting with '-', are written with a guarding apostrophe
    (OWASP's CSV injection advice); importing the export takes it off again, so the round trip changes nothing."""
    evil = shop.staff.post(
        "/api/locations",
        json={
            "kind": "store",
            "name": '=HYPERLINK("http://evil.example","Kamppi")',
            "address": "Kamppi 2",
            "lat": 60.17,
            "lon": 24.93,
        },
    )
    assert evil.status_code == 201, evil.text
    assert shop.staff.post("/api/skus", json={"code": "-40C", "name": "Freezer bag"}).status_code == 201
    shop.receive(evil.json(), "-40C", 3)
    exported = shop.staff.get("/api/stock/export.csv").text
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [(r["location"], r["sku"]) for r in rows] == [('\'=HYPERLINK("http://evil.example","Kamppi")', "'-40C")]
    again = post_csv(shop.staff, exported)
    assert again.status_code == 200, again.text
    assert again.json()["unchanged"] == 1 and again.json()["changed"] == 0
