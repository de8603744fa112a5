"""The demo seed: Helsinki depot, two stores, four drivers with vehicles, 60 orders on real streets."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from backend.accounts.models import Role, User
from backend.demo.seed import CARRIER_ORDER_COUNT, DATA, LOGINS, ORDER_COUNT, seed
from backend.fleet.models import Vehicle, VehicleProfile
from backend.orders.models import Order
from backend.places.models import Location, LocationKind
from tests.factories import run_in_app

# the OpenStreetMap extract's bounds (backend/demo/data/ATTRIBUTION.md)
LAT_RANGE = (60.1641, 60.1792)
LON_RANGE = (24.9351, 24.9535)


def test_seed_builds_the_demo_once_and_every_login_works(client):
    created = run_in_app(client, lambda session: seed(session, secret_key="k"))
    again = run_in_app(client, lambda session: seed(session, secret_key="k"))
    assert created is True and again is False

    async def counts(session):
        orders = list(await session.scalars(select(Order)))
        vehicles = list(await session.scalars(select(Vehicle)))
        locations = list(await session.scalars(select(Location)))
        drivers = await session.scalar(select(func.count()).select_from(User).where(User.role == Role.driver))
        return orders, vehicles, locations, drivers

    orders, vehicles, locations, drivers = run_in_app(client, counts)
    assert len([o for o in orders if o.carrier_id is None]) == ORDER_COUNT
    assert len([o for o in orders if o.carrier_id is not None]) == CARRIER_ORDER_COUNT  # given to the demo carrier
    assert drivers == 4 and all(v.driver_id is not None for v in vehicles)
    assert sorted(v.profile for v in vehicles) == sorted([VehicleProfile.bike] * 2 + [VehicleProfile.van] * 2)
    assert sorted(loc.kind for loc in locations) == [LocationKind.depot, LocationKind.store, LocationKind.store]
    for point in [*orders, *locations]:
        assert LAT_RANGE[0] < point.lat < LAT_RANGE[1] and LON_RANGE[0] < point.lon < LON_RANGE[1]
    assert len({(o.lat, o.lon) for o in orders}) == len(orders)
    for login in LOGINS:
        response = client.post("/api/auth/login", json={"email": login.email, "password": login.password})
        assert response.status_code == 200, login.email


def test_demo_data_ships_with_its_attribution():
    data = json.loads((DATA / "addresses.json").read_text(encoding="utf-8"))
    assert data["attribution"] == "© OpenStreetMap contributors" and data["license"] == "ODbL-1.0"
    attribution = (DATA / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "OpenStreetMap contributors" in attribution and "Open Database License" in attribution
    assert (DATA / "Helsinki.osm.pbf").stat().st_size > 100_000


def test_the_demo_day_is_always_tomorrow_in_helsinki():
    """Today belongs to the simulated couriers' plan (one published plan a day); tomorrow is the dispatcher's."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from backend.demo.seed import demo_day

    helsinki = ZoneInfo("Europe/Helsinki")
    assert demo_day(datetime(2026, 11, 25, 9, 0, tzinfo=helsinki)).isoformat() == "2026-11-26"
    assert demo_day(datetime(2026, 11, 25, 15, 0, tzinfo=helsinki)).isoformat() == "2026-11-26"
    assert demo_day(datetime(2026, 11, 25, 23, 30, tzinfo=ZoneInfo("UTC"))).isoformat() == "2026-11-27"  # 01:30 there
