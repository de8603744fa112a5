"""Vehicles: capacities, skills, profile, shift window, driver and depot assignment."""

from __future__ import annotations

import pytest

from backend.accounts.models import Role
from tests.factories import make_tenant, sign_in

VAN = {
    "name": "Van 1",
    "profile": "van",
    "capacity_kg": 800,
    "capacity_l": 6000,
    "capacity_parcels": 120,
    "shift_start": "08:00:00",
    "shift_end": "16:00:00",
    "skills": ["large_items"],
}


@pytest.fixture
def tenant(client):
    return make_tenant(client)


def test_vehicle_with_driver_and_depot(client, tenant):
    api = sign_in(client, tenant.users[Role.dispatcher])
    depot = api.post(
        "/api/locations", json={"kind": "depot", "name": "D", "address": "A", "lat": 60.16, "lon": 24.93}
    ).json()
    created = api.post(
        "/api/vehicles", json={**VAN, "driver_id": str(tenant.users[Role.driver].id), "depot_id": depot["id"]}
    )
    assert created.status_code == 201, created.text
    vehicle = created.json()
    assert vehicle["skills"] == ["large_items"] and vehicle["capacity_parcels"] == 120
    updated = api.patch(f"/api/vehicles/{vehicle['id']}", json={"shift_end": "18:30:00", "is_active": False})
    assert updated.json()["shift_end"] == "18:30:00" and updated.json()["is_active"] is False


@pytest.mark.parametrize(
    ("override", "status"),
    [
        ({"capacity_kg": -5}, 400),
        ({"capacity_parcels": 1.5}, 400),
        ({"profile": "rocket"}, 400),
        ({"shift_start": "17:00:00", "shift_end": "09:00:00"}, 400),
        ({"skills": ["Has Spaces"]}, 400),
        ({"driver_id": "01934b6e-0000-7000-8000-000000000000"}, 422),
    ],
)
def test_bad_vehicles_are_refused(client, tenant, override, status):
    api = sign_in(client, tenant.users[Role.dispatcher])
    assert api.post("/api/vehicles", json={**VAN, **override}).status_code == status


def test_only_drivers_of_our_organization_can_drive(client, tenant):
    api = sign_in(client, tenant.users[Role.dispatcher])
    not_a_driver = api.post("/api/vehicles", json={**VAN, "driver_id": str(tenant.users[Role.store_staff].id)})
    assert not_a_driver.status_code == 422
    other = make_tenant(client)
    api = sign_in(client, tenant.users[Role.dispatcher])
    foreign = api.post("/api/vehicles", json={**VAN, "driver_id": str(other.users[Role.driver].id)})
    assert foreign.status_code == 422


def test_shift_update_checked_against_stored_value(client, tenant):
    api = sign_in(client, tenant.users[Role.dispatcher])
    vehicle = api.post("/api/vehicles", json=VAN).json()
    assert api.patch(f"/api/vehicles/{vehicle['id']}", json={"shift_end": "07:00:00"}).status_code == 422


def test_breaks_and_limits_round_trip_and_bad_breaks_are_refused(client, tenant):
    api = sign_in(client, tenant.users[Role.dispatcher])
    created = api.post(
        "/api/vehicles",
        json={
            **VAN,
            "breaks": [{"start": "11:00:00", "end": "13:00:00", "duration_s": 1800}],
            "max_stops": 40,
            "max_travel_s": 6 * 3600,
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["breaks"] == [{"start": "11:00:00", "end": "13:00:00", "duration_s": 1800}]
    assert created.json()["max_stops"] == 40
    bad = api.post(
        "/api/vehicles",
        json={**VAN, "name": "V2", "breaks": [{"start": "13:00:00", "end": "11:00:00", "duration_s": 1800}]},
    )
    assert bad.status_code == 400
    assert api.post("/api/vehicles", json={**VAN, "name": "V3", "max_stops": 0}).status_code == 400


def test_breaks_that_cannot_both_be_taken_are_refused_and_any_order_is_kept(client, tenant):
    api = sign_in(client, tenant.users[Role.dispatcher])
    clash = [
        {"start": "11:00:00", "end": "11:30:00", "duration_s": 3600},  # runs to 12:00 at the earliest
        {"start": "11:15:00", "end": "11:45:00", "duration_s": 900},
    ]
    refused = api.post("/api/vehicles", json={**VAN, "breaks": clash})
    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "cannot all be taken" in refused.text
    # listed late first: kept as given (the planner takes them in their order: test_replanning_api)
    late_first = [
        {"start": "14:00:00", "end": "15:00:00", "duration_s": 600},
        {"start": "11:00:00", "end": "13:00:00", "duration_s": 1800},
    ]
    vehicle = api.post("/api/vehicles", json={**VAN, "breaks": late_first})
    assert vehicle.status_code == 201, vehicle.text
    assert vehicle.json()["breaks"] == late_first
    patched = api.patch(f"/api/vehicles/{vehicle.json()['id']}", json={"breaks": clash})
    assert patched.status_code == 422  # checked against the stored shift, as a shift edit is
    assert "cannot all be taken" in patched.text
    # three breaks whose every pair could be taken, but not all three (10:00-12:00, then 12:00-13:00, then 13:00
    # is past the third's latest start)
    chain = [
        {"start": "10:00:00", "end": "10:30:00", "duration_s": 7200},
        {"start": "10:15:00", "end": "12:15:00", "duration_s": 3600},
        {"start": "11:30:00", "end": "12:45:00", "duration_s": 1800},
    ]
    assert api.post("/api/vehicles", json={**VAN, "name": "V4", "breaks": chain}).status_code == 400
    # against the shift: a break before it starts, breaks not over by its end, and a shift edit alone
    early = [{"start": "05:00:00", "end": "06:00:00", "duration_s": 600}]
    assert api.post("/api/vehicles", json={**VAN, "name": "V5", "breaks": early}).status_code == 400
    late = [{"start": "13:00:00", "end": "14:00:00", "duration_s": 3600}]
    made = api.post("/api/vehicles", json={**VAN, "name": "V6", "breaks": late})
    assert made.status_code == 201, made.text
    cut = api.patch(f"/api/vehicles/{made.json()['id']}", json={"shift_end": "13:30:00"})
    assert cut.status_code == 422 and "shift end" in cut.text
    assert api.get(f"/api/vehicles/{made.json()['id']}").json()["shift_end"] == VAN["shift_end"]
