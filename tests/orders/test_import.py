"""Order import: CSV and JSON, per-row errors, all-or-nothing or partial, upsert by external reference."""

from __future__ import annotations

import pytest

from backend.accounts.models import Role
from tests.factories import make_tenant, sign_in

HEADER = "external_ref,recipient_name,recipient_phone,recipient_email,address,lat,lon,window_start_at,window_end_at,weight_kg,barcodes\n"


def csv(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


GOOD = [
    "A-1,Aino Virtanen,040 1234567,aino@example.com,Mannerheimintie 3,60.1699,24.9384,2026-11-25T09:00:00+02:00,2026-11-25T11:00:00+02:00,2.5,P-1;P-2",
    'A-2,"Korhonen, Eino",,eino@example.com,"Aleksanterinkatu 48, Helsinki",60.1688,24.9444,,,0,P-3',
]


@pytest.fixture
def api(client):
    return sign_in(client, make_tenant(client).users[Role.dispatcher])


def post_csv(api, body: bytes, **params):
    return api.post("/api/orders/import", content=body, headers={"content-type": "text/csv"}, params=params)


def test_csv_import_creates_orders_with_parcels(api):
    response = post_csv(api, csv(*GOOD))
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["created"], result["updated"], result["rejected"]) == (2, 0, 0)
    orders = api.get("/api/orders", params={"q": "A-"}).json()["items"]
    assert {o["external_ref"] for o in orders} == {"A-1", "A-2"}
    first = api.get(f"/api/orders/{result['order_ids'][0]}").json()
    assert first["recipient_phone"] == "+358401234567" and first["parcel_count"] == 2
    assert first["window_start_at"] == "2026-11-25T07:00:00Z"


def test_one_bad_row_rejects_the_whole_file_with_row_field_and_reason(api):
    bad = "A-3,Bad Lat,,,Somewhere,91,24.9,,,1,P-9"
    response = post_csv(api, csv(*GOOD, bad, "A-4,,,,Nowhere,60.1,24.9,,,1,"))
    assert response.status_code == 422
    problem = response.json()
    assert problem["rejected"] == 2 and problem["rows"] == 4
    errors = {(e["row"], e["field"]) for e in problem["errors"]}
    assert (3, "lat") in errors and (4, "recipient_name") in errors
    assert api.get("/api/orders").json()["total"] == 0  # nothing was imported


def test_partial_imports_the_valid_rows_and_reports_the_rest(api):
    response = post_csv(
        api,
        csv(*GOOD, "A-3,Bad Window,,,X,60.1,24.9,2026-11-25T12:00:00+02:00,2026-11-25T10:00:00+02:00,1,"),
        partial="true",
    )
    assert response.status_code == 200
    result = response.json()
    assert result["created"] == 2 and result["rejected"] == 1
    assert result["errors"][0]["row"] == 3 and "before" in result["errors"][0]["reason"]


def test_reimport_updates_instead_of_duplicating(api):
    post_csv(api, csv(*GOOD))
    changed = GOOD[0].replace("Mannerheimintie 3", "Mannerheimintie 5").replace("P-1;P-2", "P-1;P-2;P-7")
    response = post_csv(api, csv(changed, GOOD[1]))
    result = response.json()
    assert (result["created"], result["updated"]) == (0, 2)
    orders = api.get("/api/orders").json()
    assert orders["total"] == 2
    updated = next(o for o in orders["items"] if o["external_ref"] == "A-1")
    detail = api.get(f"/api/orders/{updated['id']}").json()
    assert detail["address"] == "Mannerheimintie 5"
    assert sorted(p["barcode"] for p in detail["parcels"]) == ["P-1", "P-2", "P-7"]


def test_reimport_cannot_change_an_order_already_delivered(api):
    result = post_csv(api, csv(*GOOD)).json()
    order_id = result["order_ids"][0]
    for to in ("planned", "out_for_delivery", "delivered"):
        api.post(f"/api/orders/{order_id}/transitions", json={"to": to})
    response = post_csv(api, csv(GOOD[0]))
    assert response.status_code == 422
    assert "delivered" in response.json()["errors"][0]["reason"]


def test_duplicates_inside_one_file_are_row_errors(api):
    response = post_csv(api, csv(GOOD[0], GOOD[0].replace("P-1;P-2", "P-8")))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "external_ref"
    response = post_csv(api, csv(GOOD[0], GOOD[1].replace("P-3", "P-1")))
    assert response.json()["errors"][0]["field"] == "barcodes"


def test_json_array_import(api):
    rows = [
        {
            "external_ref": "J-1",
            "recipient_name": "Json",
            "address": "A",
            "lat": 60.17,
            "lon": 24.94,
            "barcodes": ["J-P1"],
        }
    ]
    response = api.post("/api/orders/import", json=rows)
    assert response.status_code == 200 and response.json()["created"] == 1


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"", "text/csv", 422),
        (b"name,lat\nx,1\n", "text/csv", 422),  # unknown column
        (HEADER.encode(), "text/csv", 422),  # header only
        (b"\xff\xfe\x00garbage", "text/csv", 400),  # the NUL guard answers first
        (b"\xff\xfegarbage", "text/csv", 422),
        (b"{not json", "application/json", 422),
        (b'{"an": "object"}', "application/json", 422),
        (b"[1, 2]", "application/json", 422),
        (b"<xml/>", "application/xml", 415),
        (csv(GOOD[0] + ",extra,cells"), "text/csv", 422),
    ],
)
def test_unreadable_uploads_get_a_clear_error(api, body, content_type, status):
    response = api.post("/api/orders/import", content=body, headers={"content-type": content_type})
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_huge_upload_is_refused_with_413(client, api):
    limit = client.app.state["settings"].max_import_bytes
    body = HEADER.encode() + b"x" * (limit + 10)
    response = post_csv(api, body)
    assert response.status_code == 413


def test_chunked_upload_over_the_limit_is_refused_too(client, api):
    limit = client.app.state["settings"].max_import_bytes

    def chunks():
        yield HEADER.encode()
        sent = 0
        while sent <= limit:
            yield b"y" * 65536
            sent += 65536

    response = api.post("/api/orders/import", content=chunks(), headers={"content-type": "text/csv"})
    assert response.status_code == 413


def test_semicolon_separated_csv_from_spreadsheets(api):
    body = b"external_ref;recipient_name;address;lat;lon\nS-1;Semi Colon;Kaivokatu 1;60.17;24.94\n"
    response = post_csv(api, body)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 1


def test_csv_import_reads_the_id_check_column_and_refuses_words_it_does_not_know(api):
    body = (
        b"external_ref,recipient_name,address,lat,lon,id_check_required\n"
        b"ID-1,Aino,Mannerheimintie 3,60.1699,24.9384,true\n"
        b"ID-2,Eino,Mannerheimintie 3,60.1699,24.9384,\n"
    )
    result = post_csv(api, body).json()
    flags = {
        api.get(f"/api/orders/{i}").json()["external_ref"]: api.get(f"/api/orders/{i}").json()
        for i in result["order_ids"]
    }
    assert flags["ID-1"]["id_check_required"] is True and flags["ID-2"]["id_check_required"] is False
    bad = post_csv(api, b"external_ref,recipient_name,address,lat,lon,id_check_required\nID-3,X,Y,60.1,24.9,maybe\n")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "id_check_required"
