"""Depots and stores with opening hours; zones validated with shapely."""

from __future__ import annotations

import pytest

from backend.accounts.models import Role
from tests.factories import make_tenant, sign_in

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[24.93, 60.16], [24.95, 60.16], [24.95, 60.18], [24.93, 60.18], [24.93, 60.16]]],
}


@pytest.fixture
def dispatcher(client):
    return sign_in(client, make_tenant(client).users[Role.dispatcher])


def test_location_with_opening_hours_round_trips(dispatcher):
    created = dispatcher.post(
        "/api/locations",
        json={
            "kind": "store",
            "name": "Shop",
            "address": "Aleksanterinkatu 48",
            "lat": 60.1688,
            "lon": 24.9444,
            "opening_hours": {"mon": [["09:00", "12:00"], ["13:00", "21:00"]], "sat": [["10:00", "18:00"]]},
        },
    )
    assert created.status_code == 201, created.text
    location = created.json()
    assert location["opening_hours"]["mon"] == [["09:00", "12:00"], ["13:00", "21:00"]]
    patched = dispatcher.patch(f"/api/locations/{location['id']}", json={"name": "Shop 2"})
    assert patched.json()["name"] == "Shop 2"
    assert dispatcher.get("/api/locations", params={"kind": "store"}).json()["total"] == 1
    assert dispatcher.get("/api/locations", params={"kind": "depot"}).json()["total"] == 0


@pytest.mark.parametrize(
    "hours",
    [
        {"funday": [["09:00", "10:00"]]},
        {"mon": [["18:00", "09:00"]]},
        {"mon": [["9am", "5pm"]]},
        {"mon": [["25:00", "26:00"]]},
    ],
)
def test_bad_opening_hours_are_rejected(dispatcher, hours):
    response = dispatcher.post(
        "/api/locations",
        json={"kind": "store", "name": "S", "address": "A", "lat": 60.1, "lon": 24.9, "opening_hours": hours},
    )
    assert response.status_code == 400, response.text


def test_zone_is_stored_with_its_area(dispatcher):
    response = dispatcher.post("/api/zones", json={"name": "Centre", "geometry": SQUARE})
    assert response.status_code == 201, response.text
    zone = response.json()
    # 0.02° of longitude at 60.17°N ≈ 1,109 m; 0.02° of latitude ≈ 2,224 m
    assert 2.3e6 < zone["area_m2"] < 2.6e6
    duplicate = dispatcher.post("/api/zones", json={"name": "Centre", "geometry": SQUARE})
    assert duplicate.status_code == 409


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Point", "coordinates": [24.9, 60.1]},
        {"type": "Polygon", "coordinates": [[[24.9, 60.1], [25.0, 60.2], [24.9, 60.2], [25.0, 60.1], [24.9, 60.1]]]},
        {"type": "Polygon", "coordinates": [[[200, 60.1], [201, 60.1], [201, 61], [200, 60.1]]]},
        {"type": "Polygon", "coordinates": [[[24.9, 95], [25, 95], [25, 96], [24.9, 95]]]},
        {"type": "Polygon", "coordinates": "nonsense"},
        {"type": "Polygon", "coordinates": [[[24.9, 60.1], [25.0, 60.1]]]},
        {"type": "Polygon"},
        {"type": "MultiPolygon", "coordinates": [[[["a", "b"]]]]},
    ],
)
def test_invalid_zone_geometry_gets_a_clear_422(dispatcher, geometry):
    response = dispatcher.post("/api/zones", json={"name": "Bad", "geometry": geometry})
    assert response.status_code in (400, 422), response.text
    assert "geometry" in response.json()["detail"]


def test_location_coordinates_out_of_range(dispatcher):
    for lat, lon in ((90.5, 24), (-91, 24), (60, 181), (60, -180.01)):
        response = dispatcher.post(
            "/api/locations", json={"kind": "depot", "name": f"D{lat}{lon}", "address": "A", "lat": lat, "lon": lon}
        )
        assert response.status_code == 400
