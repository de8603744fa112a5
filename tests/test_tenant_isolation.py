"""Every GET route of the OpenAPI schema, asked by another organization about our objects, answers 404."""

from __future__ import annotations

import re

from backend.accounts.models import Role
from tests.factories import make_order, make_tenant, sign_in
from tests.proof.images import jpeg, sha

PUBLIC_GET_PATHS = {"/health", "/metrics"}
# capability URLs: the 128-bit token in the path is the credential (tests/tracking covers unknown and expired ones)
TOKEN_PREFIX = "/api/track/{token}"


def _token_path(path: str) -> bool:
    return path == TOKEN_PREFIX or path.startswith(TOKEN_PREFIX + "/")


def _objects_of_a_tenant(client):
    owner = make_tenant(client)
    admin = sign_in(client, owner.users[Role.admin])
    depot = admin.post(
        "/api/locations",
        json={"kind": "depot", "name": "Depot", "address": "Lönnrotinkatu 15", "lat": 60.1655, "lon": 24.9361},
    ).json()
    zone = admin.post(
        "/api/zones",
        json={
            "name": "Centre",
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[24.93, 60.16], [24.95, 60.16], [24.95, 60.18], [24.93, 60.16]]],
            },
        },
    ).json()
    vehicle = admin.post(
        "/api/vehicles",
        json={
            "name": "Van",
            "profile": "van",
            "capacity_kg": 500,
            "capacity_l": 3000,
            "capacity_parcels": 80,
            "shift_start": "08:00:00",
            "shift_end": "16:00:00",
        },
    ).json()
    store = admin.post(
        "/api/locations",
        json={"kind": "store", "name": "Store", "address": "Kamppi 1", "lat": 60.169, "lon": 24.932},
    ).json()
    order = make_order(admin)
    sku = admin.post("/api/skus", json={"code": "MUG-1", "name": "Mug"}).json()
    photo = jpeg()
    assert (
        admin.put(f"/api/media/{sha(photo)}", content=photo, headers={"Content-Type": "image/jpeg"}).status_code == 201
    )
    api_key = admin.post("/api/api-keys", json={"name": "k"}).json()["api_key"]
    webhook = admin.post("/api/webhooks", json={"url": "https://hooks.example.com/x", "event_types": ["*"]}).json()
    from backend.accounts.models import OrganizationKind

    carrier = make_tenant(client, kind=OrganizationKind.carrier)
    link = admin.post("/api/carriers", json={"carrier_id": str(carrier.organization.id), "name": "Carrier"}).json()
    from datetime import date

    from tests.factories import run_in_app

    async def add_route(session):
        from backend.routing.models import Route, Stop, StopKind

        route = Route(organization_id=owner.organization.id, vehicle_id=vehicle["id"], service_date=date.today())
        session.add(route)
        await session.flush()
        session.add(
            Stop(
                organization_id=owner.organization.id,
                route_id=route.id,
                sequence=0,
                kind=StopKind.start,
                lat=60.1655,
                lon=24.9361,
            )
        )
        return route.id

    import uuid

    vehicle["id"] = uuid.UUID(vehicle["id"])
    route_id = run_in_app(client, add_route)
    plan = admin.post("/api/plans", json={"service_date": date.today().isoformat()}).json()
    return {
        "location_id": depot["id"],
        "zone_id": zone["id"],
        "vehicle_id": str(vehicle["id"]),
        "order_id": order["id"],
        "user_id": str(owner.users[Role.driver].id),
        "api_key_id": api_key["id"],
        "route_id": str(route_id),
        "plan_id": plan["id"],
        "sku_id": sku["id"],
        "store_id": store["id"],
        "sha256": sha(photo),
        "endpoint_id": webhook["endpoint"]["id"],
        "link_id": link["id"],
    }


def test_every_get_route_hides_other_organizations_objects(client):
    ids = _objects_of_a_tenant(client)
    schema = client.get("/schema/openapi.json").json()
    intruder = make_tenant(client)
    api = sign_in(client, intruder.users[Role.admin])
    checked = []
    for path, item in schema["paths"].items():
        if "get" not in item or "{" not in path or _token_path(path):
            continue
        params = re.findall(r"{(\w+)}", path)
        missing = [p for p in params if p not in ids]
        assert not missing, f"{path}: add an object for {missing} to this test"
        url = path
        for name in params:
            url = url.replace("{" + name + "}", ids[name])
        response = api.get(url)
        assert response.status_code == 404, f"{url} answered {response.status_code}: {response.text[:200]}"
        checked.append(path)
    assert len(checked) >= 7


def test_every_api_route_needs_credentials(client):
    schema = client.get("/schema/openapi.json").json()
    client.cookies.clear()
    for path, item in schema["paths"].items():
        if path in PUBLIC_GET_PATHS or path == "/api/auth/login":
            continue
        for method in item:
            url = re.sub(r"{\w+}", "01934b6e-0000-7000-8000-000000000000", path)
            response = client.request(method.upper(), url, json={})
            expected = (404, 400) if _token_path(path) else (401, 403)  # an unknown token: nothing to see
            assert response.status_code in expected, f"{method.upper()} {path} answered {response.status_code}"


def test_lists_show_only_the_callers_organization(client):
    ours = make_tenant(client)
    theirs = make_tenant(client)
    make_order(sign_in(client, theirs.users[Role.dispatcher]))
    api = sign_in(client, ours.users[Role.dispatcher])
    make_order(api)
    for url in ("/api/orders", "/api/users", "/api/events"):
        page = api.get(url).json()
        assert page["total"] >= 1
        body = str(page["items"])
        assert str(theirs.organization.id) not in body
    assert api.get("/api/orders").json()["total"] == 1
    assert {u["email"] for u in api.get("/api/users").json()["items"]} == {u.email for u in ours.users.values()}
