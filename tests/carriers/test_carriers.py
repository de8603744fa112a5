"""Carrier collaboration: a shipper links a carrier organization and gives it orders by hand or by rule (zone,
weight, weekday); its own planner leaves them alone; the carrier sees only those orders, only the fields it
needs, moves them on through the lifecycle with idempotent updates, and its webhook receiver gets their events."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from backend.accounts.models import OrganizationKind, Role
from backend.integrations.signing import SIGNATURE_HEADER, verify
from tests.factories import Api, Tenant, make_order, make_tenant, sign_in, vehicle_payload
from tests.integrations.receiver import Receiver, running_receiver
from tests.proof.images import jpeg, sha
from tests.test_tenant_isolation import _objects_of_a_tenant, _token_path
from tests.tracking.conftest import settle

ZONE = {
    "type": "Polygon",
    "coordinates": [[[24.90, 60.15], [24.97, 60.15], [24.97, 60.19], [24.90, 60.19], [24.90, 60.15]]],
}
INSIDE = {"lat": 60.1699, "lon": 24.9384}
OUTSIDE = {"lat": 60.2300, "lon": 25.0800}


@dataclass
class Pair:
    shipper: Tenant
    carrier: Tenant
    office: Api  # the shipper's admin, by API key
    carrier_api: Api  # the carrier's dispatcher, by API key
    link: dict[str, Any]


def key_for(client: Any, tenant: Tenant, role: str) -> Api:
    admin = sign_in(client, tenant.users[Role.admin])
    created = admin.post("/api/api-keys", json={"name": f"{role} key", "role": role})
    assert created.status_code == 201, created.text
    return Api(client, headers={"X-API-Key": created.json()["key"]})


@pytest.fixture
def pair(client: Any) -> Pair:
    shipper = make_tenant(client)
    carrier = make_tenant(client, kind=OrganizationKind.carrier)
    office = key_for(client, shipper, "admin")
    carrier_api = key_for(client, carrier, "dispatcher")
    link = office.post("/api/carriers", json={"carrier_id": str(carrier.organization.id), "name": "Fast Wheels Oy"})
    assert link.status_code == 201, link.text
    return Pair(shipper, carrier, office, carrier_api, link.json())


def assign(pair: Pair, order: dict[str, Any]) -> None:
    done = pair.office.put(f"/api/carriers/assignments/{order['id']}", json={"link_id": pair.link["id"]})
    assert done.status_code == 200, done.text
    assert done.json()["carrier_id"] == str(pair.carrier.organization.id)


def update(pair: Pair, order: dict[str, Any], key: str, **body: Any) -> Any:
    return pair.carrier_api.post(
        f"/api/carrier/orders/{order['id']}/status", json=body, headers={"Idempotency-Key": key}
    )


def test_links_are_to_carrier_organizations_by_administrators(client: Any, pair: Pair) -> None:
    other_shipper = make_tenant(client)
    refused = pair.office.post("/api/carriers", json={"carrier_id": str(other_shipper.organization.id), "name": "X"})
    assert refused.status_code == 422 and "no carrier organization" in refused.json()["detail"]
    again = pair.office.post("/api/carriers", json={"carrier_id": str(pair.carrier.organization.id), "name": "Y"})
    assert again.status_code == 422 and "linked already" in again.json()["detail"]
    dispatcher = sign_in(client, pair.shipper.users[Role.dispatcher])
    assert dispatcher.get("/api/carriers").status_code == 200
    another = make_tenant(client, kind=OrganizationKind.carrier)
    assert (
        dispatcher.post("/api/carriers", json={"carrier_id": str(another.organization.id), "name": "Z"}).status_code
        == 403
    )


def test_a_carrier_sees_only_its_orders_and_only_what_delivering_needs(client: Any, pair: Pair) -> None:
    given = make_order(pair.office, recipient_name="Aino Virtanen", notes="Door code 1234", **INSIDE)
    kept = make_order(pair.office, recipient_name="Bertil Kund")
    assign(pair, given)
    listed = pair.carrier_api.get("/api/carrier/orders")
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [o["id"] for o in items] == [given["id"]]
    seen = items[0]
    assert (seen["recipient_name"], seen["notes"], seen["parcels"]) == (
        "Aino Virtanen",
        "Door code 1234",
        given["parcels"] and [p["barcode"] for p in given["parcels"]],
    )
    assert seen["shipper"] == pair.shipper.organization.name
    for private in ("recipient_email", "tracking_url", "lines", "store_id", "priority", "carrier_id"):
        assert private not in seen
    assert pair.carrier_api.get(f"/api/carrier/orders/{kept['id']}").status_code == 404
    assert pair.carrier_api.get(f"/api/orders/{given['id']}").status_code == 404  # the shipper's API is not its
    # a shipper has no carrier view
    assert pair.office.get("/api/carrier/orders").status_code == 403
    # taken back: gone from the carrier's list
    back = pair.office.put(f"/api/carriers/assignments/{given['id']}", json={"link_id": None})
    assert back.status_code == 200 and back.json()["carrier_id"] is None
    assert pair.carrier_api.get("/api/carrier/orders").json()["items"] == []


def test_rules_give_new_orders_to_the_carrier_by_zone_and_weight(client: Any, pair: Pair) -> None:
    zone = pair.office.post("/api/zones", json={"name": "Centre", "geometry": ZONE}).json()
    rule = pair.office.post(f"/api/carriers/{pair.link['id']}/rules", json={"zone_id": zone["id"], "max_weight_kg": 20})
    assert rule.status_code == 201, rule.text
    light_inside = make_order(pair.office, weight_kg=3, **INSIDE)
    heavy_inside = make_order(pair.office, weight_kg=45, **INSIDE)
    light_outside = make_order(pair.office, weight_kg=3, **OUTSIDE)
    settle(client)
    carrier_of = {
        o["id"]: pair.office.get(f"/api/orders/{o['id']}").json()["carrier_id"]
        for o in (light_inside, heavy_inside, light_outside)
    }
    assert carrier_of == {
        light_inside["id"]: str(pair.carrier.organization.id),
        heavy_inside["id"]: None,
        light_outside["id"]: None,
    }
    events = pair.office.get(f"/api/orders/{light_inside['id']}/events").json()
    assert [e["payload"]["by_rule"] for e in events if e["type"] == "order.carrier_assigned"] == [True]
    # a weekday rule that does not match today keeps orders home
    assert pair.office.delete(f"/api/carriers/{pair.link['id']}/rules/{rule.json()['id']}").status_code == 204
    other_day = (date.today().weekday() + 3) % 7
    pair.office.post(f"/api/carriers/{pair.link['id']}/rules", json={"weekdays": [other_day]})
    later = make_order(pair.office, **INSIDE)
    settle(client)
    assert pair.office.get(f"/api/orders/{later['id']}").json()["carrier_id"] is None


def test_the_shippers_planner_leaves_a_carriers_orders_alone(client: Any, pair: Pair) -> None:
    admin = sign_in(client, pair.shipper.users[Role.admin])
    depot = admin.post(
        "/api/locations", json={"kind": "depot", "name": "D", "address": "D 1", "lat": 60.1655, "lon": 24.9361}
    ).json()
    van = admin.post("/api/vehicles", json=vehicle_payload(name="Van", depot_id=depot["id"]))
    assert van.status_code == 201, van.text
    ours = make_order(admin, **INSIDE)
    theirs = make_order(admin, lat=60.1710, lon=24.9410)
    assign(pair, theirs)
    # tomorrow by this machine's clock: a day whose shift has not ended in the organization's time zone whatever
    # the hour (its "today" was already over there after 22:00 UTC, and the plan placed nothing: a CI failure)
    day = (date.today() + timedelta(days=1)).isoformat()
    plan = admin.post("/api/plans", json={"service_date": day, "time_budget_s": 1})
    assert plan.status_code == 201, plan.text
    planned = {
        s["order_id"]
        for r in plan.json()["routes"]
        for s in admin.get(f"/api/routes/{r['id']}").json()["stops"]
        if s["order_id"]
    }
    assert ours["id"] in planned and theirs["id"] not in planned
    # given to the carrier after a draft was made: publishing that draft is refused (the order changed)
    assign(pair, ours)
    refused = admin.post(f"/api/plans/{plan.json()['id']}/publish")
    assert refused.status_code == 409 and "carrier" in refused.json()["detail"]


def test_carrier_updates_move_the_order_once_per_idempotency_key(client: Any, pair: Pair) -> None:
    order = make_order(pair.office)
    assign(pair, order)
    picked = update(pair, order, "k-1", status="picked_up")
    assert picked.status_code == 200, picked.text
    assert picked.json() == {"order_id": order["id"], "status": "out_for_delivery", "replayed": False}
    replay = update(pair, order, "k-1", status="picked_up")
    assert replay.json()["replayed"] is True and replay.json()["status"] == "out_for_delivery"
    reused = update(pair, order, "k-1", status="delivered", recipient_name="Aino")
    assert reused.status_code == 422 and reused.json()["type"].endswith("idempotency-key-reused")
    assert update(pair, order, "", status="picked_up").status_code == 422  # no key
    assert update(pair, order, "k-2", status="failed").status_code == 400  # failed needs a reason
    assert update(pair, order, "k-3", status="delivered").status_code == 400  # delivered needs who took it
    assert update(pair, order, "k-4", status="lost").status_code == 400
    done = update(pair, order, "k-5", status="delivered", recipient_name="Aino at the door", note="Left inside")
    assert done.status_code == 200 and done.json()["status"] == "delivered"
    assert (
        update(pair, order, "k-5", status="delivered", recipient_name="Aino at the door", note="Left inside").json()[
            "replayed"
        ]
        is True
    )
    twice = update(pair, order, "k-6", status="failed", reason="not_home")
    assert twice.status_code == 409  # a delivered order has no second outcome
    shipper_view = pair.office.get(f"/api/orders/{order['id']}").json()
    assert shipper_view["status"] == "delivered"
    proofs = pair.office.get(f"/api/orders/{order['id']}/proofs").json()
    assert [(p["kind"], p["recipient_name"], p["note"]) for p in proofs] == [
        ("delivered", "Aino at the door", "Carrier: Left inside")
    ]
    settle(client)
    changes = [
        e for e in pair.office.get(f"/api/orders/{order['id']}/events").json() if e["type"] == "order.status_changed"
    ]
    assert [e["payload"]["to"] for e in changes] == ["planned", "out_for_delivery", "delivered"]
    assert {e["actor"] for e in changes} == {f"carrier:{pair.carrier.organization.id}"}
    # another carrier cannot touch it
    stranger = key_for(client, make_tenant(client, kind=OrganizationKind.carrier), "admin")
    other = stranger.post(
        f"/api/carrier/orders/{order['id']}/status", json={"status": "picked_up"}, headers={"Idempotency-Key": "x"}
    )
    assert other.status_code == 404


@pytest.mark.parametrize("caller", ["api_key", "signed_in_admin"])
def test_a_carriers_key_and_users_get_404_for_everything_not_given_to_it(client: Any, caller: str) -> None:
    ids = _objects_of_a_tenant(client)
    schema = client.get("/schema/openapi.json").json()
    carrier = make_tenant(client, kind=OrganizationKind.carrier)
    if caller == "api_key":
        carrier_admin = key_for(client, carrier, "admin")
    else:  # a person of the carrier, with a session cookie, as the /carrier screen calls
        carrier_admin = sign_in(client, carrier.users[Role.admin])
    checked = 0
    for path, item in schema["paths"].items():
        if "get" not in item or "{" not in path or _token_path(path):
            continue
        url = path
        for name in re.findall(r"{(\w+)}", path):
            url = url.replace("{" + name + "}", ids[name])
        answer = carrier_admin.get(url)
        assert answer.status_code == 404, f"{url} answered {answer.status_code}: {answer.text[:200]}"
        checked += 1
    assert checked >= 15


def test_a_carriers_staff_work_signed_in_as_well_as_by_key(client: Any, pair: Pair) -> None:
    """The carrier screen in the PWA signs people in: a session reaches the carrier view, and its writes need the
    CSRF token like every other session write; the carrier's drivers have no office view."""
    order = make_order(pair.office, recipient_name="Aino Virtanen")
    assign(pair, order)
    dispatcher = sign_in(client, pair.carrier.users[Role.dispatcher])
    listed = dispatcher.get("/api/carrier/orders")
    assert listed.status_code == 200, listed.text
    assert [o["id"] for o in listed.json()["items"]] == [order["id"]]
    path = f"/api/carrier/orders/{order['id']}/status"
    forged = client.post(path, json={"status": "picked_up"}, headers={"Idempotency-Key": "s-1"})
    assert forged.status_code == 403, forged.text  # a session without the CSRF token
    picked = dispatcher.post(path, json={"status": "picked_up"}, headers={"Idempotency-Key": "s-1"})
    assert picked.status_code == 200 and picked.json()["status"] == "out_for_delivery", picked.text
    assert pair.office.get(f"/api/orders/{order['id']}").json()["status"] == "out_for_delivery"
    driver = sign_in(client, pair.carrier.users[Role.driver])
    assert driver.get("/api/carrier/orders").status_code == 403


def test_a_carriers_proof_photo_reaches_the_shipper_with_the_proof(client: Any, pair: Pair) -> None:
    order = make_order(pair.office)
    assign(pair, order)
    carrier = sign_in(client, pair.carrier.users[Role.dispatcher])
    photo = jpeg(colour=(30, 120, 200))
    path = f"/api/carrier/orders/{order['id']}/status"

    def deliver(key: str, photos: list[str]) -> Any:
        body = {"status": "delivered", "recipient_name": "Aino at the door", "photos": photos}
        return carrier.post(path, json=body, headers={"Idempotency-Key": key})

    not_uploaded = deliver("ph-1", [sha(photo)])
    assert not_uploaded.status_code == 404 and "PUT /api/media/" in not_uploaded.json()["detail"], not_uploaded.text
    assert pair.office.get(f"/api/orders/{order['id']}").json()["status"] == "created"  # nothing happened
    on_pickup = carrier.post(
        path, json={"status": "picked_up", "photos": [sha(photo)]}, headers={"Idempotency-Key": "ph-2"}
    )
    assert on_pickup.status_code == 400 and "photos" in on_pickup.json()["detail"]
    assert deliver("ph-3", ["not-a-hash"]).status_code == 400

    uploaded = carrier.put(f"/api/media/{sha(photo)}", content=photo, headers={"Content-Type": "image/jpeg"})
    assert uploaded.status_code == 201, uploaded.text
    assert pair.office.get(f"/api/media/{sha(photo)}").status_code == 404  # the carrier's own, until it is used
    done = deliver("ph-1", [sha(photo)])  # the same key again, now that the photo is there: applied once
    assert done.status_code == 200 and done.json() == {
        "order_id": order["id"],
        "status": "delivered",
        "replayed": False,
    }
    assert deliver("ph-1", [sha(photo)]).json()["replayed"] is True

    proofs = pair.office.get(f"/api/orders/{order['id']}/proofs").json()
    assert [(p["kind"], p["recipient_name"], p["photos"]) for p in proofs] == [
        ("delivered", "Aino at the door", [sha(photo)])
    ]
    served = pair.office.get(f"/api/media/{sha(photo)}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.content == carrier.get(f"/api/media/{sha(photo)}").content
    # a failure's photo too, and one the shipper has already is simply used
    second = make_order(pair.office)
    assign(pair, second)
    failed = carrier.post(
        f"/api/carrier/orders/{second['id']}/status",
        json={"status": "failed", "reason": "no_access", "photos": [sha(photo)]},
        headers={"Idempotency-Key": "ph-4"},
    )
    assert failed.status_code == 200, failed.text
    proofs = pair.office.get(f"/api/orders/{second['id']}/proofs").json()
    assert [(p["kind"], p["reason"], p["photos"]) for p in proofs] == [("failed", "no_access", [sha(photo)])]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def test_the_carriers_webhook_receiver_gets_its_orders_events_signed(
    client: Any, pair: Pair, receiver: Receiver
) -> None:
    sender = client.app.state["webhook_sender"]
    client.blocking_portal.call(sender.stop)  # the test runs the pass itself: the loop would race it for the rows
    sender.allow_private = True  # the receiver is on this machine, as in development
    carrier_admin = key_for(client, pair.carrier, "admin")
    endpoint = carrier_admin.post("/api/webhooks", json={"url": receiver.url, "event_types": ["order.*"]})
    assert endpoint.status_code == 201, endpoint.text
    receiver.secrets = [endpoint.json()["secret"]]
    mine = make_order(pair.office)
    make_order(pair.office)  # not given to the carrier: its events stay with the shipper
    assign(pair, mine)
    assert update(pair, mine, "p-1", status="picked_up").status_code == 200
    settle(client)
    client.blocking_portal.call(client.app.state["webhook_sender"].tick)
    # one pass sends an endpoint's deliveries side by side, so they may arrive in any order: a receiver orders
    # them by occurred_at (README)
    got = sorted(receiver.accepted(), key=lambda r: r.event["occurred_at"])
    assert [(r.event["type"], r.event["subject"]["id"]) for r in got] == [
        ("order.carrier_assigned", mine["id"]),
        ("order.status_changed", mine["id"]),
        ("order.status_changed", mine["id"]),
    ]
    assert all(verify(r.headers[SIGNATURE_HEADER], r.body, receiver.secrets, now=time.time()) for r in got)
