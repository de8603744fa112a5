"""A shop for the inventory tests: a depot, three stores at known distances, two SKUs, and callers per role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from backend.accounts.models import Role
from backend.events.models import Event
from backend.inventory.models import StockLevel, StockMovement
from tests.factories import Api, Tenant, make_tenant, order_payload, run_in_app, sign_in

# central Helsinki: Kamppi is the pickup store; Kallio is ~2.5 km north of it, Espoo ~15 km west
DEPOT = {"kind": "depot", "name": "Depot", "address": "Lönnrotinkatu 15", "lat": 60.1655, "lon": 24.9361}
KAMPPI = {"kind": "store", "name": "Kamppi", "address": "Urho Kekkosen katu 1", "lat": 60.1690, "lon": 24.9320}
KALLIO = {"kind": "store", "name": "Kallio", "address": "Hämeentie 1", "lat": 60.1841, "lon": 24.9503}
ESPOO = {"kind": "store", "name": "Espoo", "address": "Piispansilta 11", "lat": 60.1613, "lon": 24.7381}


@dataclass
class Shop:
    tenant: Tenant
    staff: Api  # a dispatcher, signed in with a cookie
    depot: dict[str, Any]
    kamppi: dict[str, Any]
    kallio: dict[str, Any]
    espoo: dict[str, Any]
    mug: dict[str, Any]
    tee: dict[str, Any]

    def receive(self, location: dict[str, Any], sku: str, quantity: int) -> dict[str, Any]:
        response = self.staff.post(
            "/api/stock/receipts", json={"location_id": location["id"], "sku": sku, "quantity": quantity}
        )
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def level(self, location: dict[str, Any], sku: str) -> dict[str, Any] | None:
        page = self.staff.get("/api/stock", params={"location_id": location["id"], "sku": sku}).json()
        return page["items"][0] if page["items"] else None

    def pickup(self, store: dict[str, Any], lines: dict[str, int], **overrides: Any) -> Any:
        payload = order_payload(
            kind="store_pickup",
            store_id=store["id"],
            lines=[{"sku": code, "quantity": quantity} for code, quantity in lines.items()],
            **overrides,
        )
        return self.staff.post("/api/orders", json=payload)

    def move(self, order_id: str, *statuses: str) -> Any:
        response = None
        for status in statuses:
            response = self.staff.post(f"/api/orders/{order_id}/transitions", json={"to": status})
            assert response.status_code == 200, response.text
        return response

    def events(self, prefix: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.staff.get("/api/events", params={"type": prefix, "limit": 200}).json()[
            "items"
        ]
        return items[::-1]  # oldest first


def api_key_caller(client: Any, admin: Api, role: Role) -> Api:
    """A caller with its own API key, so it needs no cookie and never signs the staff member out."""
    response = admin.post("/api/api-keys", json={"name": f"{role.value} key", "role": role.value})
    assert response.status_code == 201, response.text
    return Api(client, headers={"X-API-Key": response.json()["key"]})


def make_shop(client: Any) -> Shop:
    tenant = make_tenant(client)
    staff = sign_in(client, tenant.users[Role.dispatcher])

    def created(url: str, payload: dict[str, Any]) -> dict[str, Any]:
        response = staff.post(url, json=payload)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    return Shop(
        tenant=tenant,
        staff=staff,
        depot=created("/api/locations", DEPOT),
        kamppi=created("/api/locations", KAMPPI),
        kallio=created("/api/locations", KALLIO),
        espoo=created("/api/locations", ESPOO),
        mug=created("/api/skus", {"code": "MUG-1", "name": "Mug", "barcode": "6400000000017"}),
        tee=created("/api/skus", {"code": "TEE-M", "name": "T-shirt M"}),
    )


@pytest.fixture
def shop(client: Any) -> Shop:
    return make_shop(client)


async def ledger_report(session: Any, organization_id: Any = None) -> dict[str, Any]:
    """Every level beside the sums of its ledger rows, and the levels breaking 0 <= reserved <= on_hand."""
    level_query = select(StockLevel.location_id, StockLevel.sku_id, StockLevel.on_hand, StockLevel.reserved)
    ledger_query = select(
        StockMovement.location_id,
        StockMovement.sku_id,
        func.sum(StockMovement.on_hand_delta),
        func.sum(StockMovement.reserved_delta),
    ).group_by(StockMovement.location_id, StockMovement.sku_id)
    if organization_id is not None:
        level_query = level_query.where(StockLevel.organization_id == organization_id)
        ledger_query = ledger_query.where(StockMovement.organization_id == organization_id)
    levels = {(loc, sku): (on_hand, reserved) for loc, sku, on_hand, reserved in await session.execute(level_query)}
    ledger = {(loc, sku): (int(h), int(r)) for loc, sku, h, r in await session.execute(ledger_query)}
    return {
        "levels": levels,
        "ledger": ledger,
        "broken": [key for key, (on_hand, reserved) in levels.items() if not 0 <= reserved <= on_hand],
        "mismatched": [key for key in levels.keys() | ledger.keys() if levels.get(key, (0, 0)) != ledger.get(key)],
    }


def assert_ledger_matches(client: Any, organization_id: Any = None) -> dict[str, Any]:
    report: dict[str, Any] = run_in_app(client, ledger_report, organization_id)
    assert not report["broken"], report
    # a level that never moved (created by a threshold) has no ledger rows: it must be at zero
    mismatched = [k for k in report["mismatched"] if not (k not in report["ledger"] and report["levels"][k] == (0, 0))]
    assert not mismatched, report
    return report


async def count_events(session: Any, organization_id: Any, type_: str) -> int:
    found = await session.scalar(
        select(func.count()).select_from(Event).where(Event.organization_id == organization_id, Event.type == type_)
    )
    return int(found or 0)
