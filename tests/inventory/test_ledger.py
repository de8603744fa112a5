"""The ledger invariant, property-based: after every step of any sequence of receipts, adjustments, transfers,
pickup orders (reserve), cancellations (release), handoffs (consume), expiries (release) and return restocks,
each stock level equals the sum of its ledger rows, 0 <= reserved <= on_hand, each order still holds exactly
what it reserved until it is settled, and the API agrees with a plain model of what should have happened
(including which requests it must refuse)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from backend.accounts.models import Role
from backend.accounts.principal import Principal
from backend.inventory import service as inventory
from backend.inventory.models import StockMovement
from backend.inventory.schemas import SkuCreate
from backend.places import service as places
from backend.places.models import LocationKind
from backend.places.schemas import LocationCreate
from tests.factories import make_tenant, order_payload, run_in_app, sign_in
from tests.inventory.conftest import ledger_report

LOCATIONS = 3  # 0: a depot, 1 and 2: stores
SKUS = 2
_sites = itertools.count(1)

location = st.integers(0, LOCATIONS - 1)
store = st.integers(1, LOCATIONS - 1)
sku = st.integers(0, SKUS - 1)
units = st.integers(1, 5)
some_order = st.integers(0, 20)  # taken modulo the orders placed so far
order = st.tuples(st.just("order"), store, st.dictionaries(sku, st.integers(1, 3), min_size=1, max_size=SKUS))
operation = st.one_of(
    st.tuples(st.just("receive"), location, sku, units),
    st.tuples(st.just("adjust"), location, sku, st.sampled_from([-5, -3, -2, -1, 1, 2, 4])),
    st.tuples(st.just("transfer"), location, st.integers(1, LOCATIONS - 1), sku, units).map(
        lambda op: (op[0], op[1], (op[1] + op[2]) % LOCATIONS, *op[3:])  # to another location
    ),
    order,
    order,  # listed thrice: most sequences should place, settle and refuse several orders
    order,
    st.tuples(st.just("cancel"), some_order),
    st.tuples(st.just("handoff"), some_order),
    st.tuples(st.just("expire"), some_order),
    st.tuples(st.just("restock"), location, sku, units),
)
# what each (location, SKU) holds before the operations: received through the API like any receipt
initial_stock = st.lists(st.integers(0, 6), min_size=LOCATIONS * SKUS, max_size=LOCATIONS * SKUS)


@dataclass
class Model:
    locations: list[UUID]
    skus: list[str]
    sku_ids: list[UUID]
    levels: dict[tuple[int, int], list[int]] = field(default_factory=dict)  # (location, sku) -> [on hand, reserved]
    orders: list[dict[str, Any]] = field(default_factory=list)

    def level(self, loc: int, sku: int) -> list[int]:
        return self.levels.setdefault((loc, sku), [0, 0])

    def available(self, loc: int, sku: int) -> int:
        on_hand, reserved = self.level(loc, sku)
        return on_hand - reserved


def new_site(client: Any, principal: Principal) -> Model:
    """Three fresh locations and two fresh SKUs in the tenant, so every example starts from zero stock."""
    n = next(_sites)

    async def make(session: Any) -> Model:
        locations = []
        for i in range(LOCATIONS):
            created = await places.create_location(
                session,
                principal=principal,
                data=LocationCreate(
                    kind=LocationKind.depot if i == 0 else LocationKind.store,
                    name=f"Site {n} place {i}",
                    address="Mannerheimintie 1",
                    lat=60.16 + i / 100,
                    lon=24.93,
                ),
            )
            locations.append(created.id)
        skus = [
            await inventory.create_sku(session, principal=principal, data=SkuCreate(code=f"S{n}-{j}", name="Thing"))
            for j in range(SKUS)
        ]
        return Model(locations=locations, skus=[s.code for s in skus], sku_ids=[s.id for s in skus])

    model: Model = run_in_app(client, make)
    return model


async def held_by_orders(session: Any, organization_id: UUID) -> dict[UUID, int]:
    rows = await session.execute(
        select(StockMovement.order_id, func.sum(StockMovement.reserved_delta))
        .where(StockMovement.organization_id == organization_id, StockMovement.order_id.is_not(None))
        .group_by(StockMovement.order_id)
    )
    return {order_id: int(units) for order_id, units in rows}


@pytest.fixture
def tenant_api(client: Any) -> tuple[Any, Any]:
    tenant = make_tenant(client)
    return tenant, sign_in(client, tenant.users[Role.dispatcher])


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    # one app and tenant for all examples (each gets its own locations and SKUs): building a stack per example
    # would cost more than the operations themselves
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(initial=initial_stock, operations=st.lists(operation, min_size=6, max_size=20))
def test_stock_levels_always_equal_the_ledger_sum(
    client: Any, tenant_api: Any, initial: list[int], operations: list[tuple[Any, ...]]
) -> None:
    tenant, api = tenant_api
    principal = Principal(
        organization_id=tenant.organization.id,
        role=Role.dispatcher,
        via="session",
        user_id=tenant.users[Role.dispatcher].id,
    )
    model = new_site(client, principal)

    def transition(order: dict[str, Any], *statuses: str) -> Any:
        """Walk the order through `statuses`; only an order still `created` can start (else 409, unchanged)."""
        for status in statuses:
            response = api.post(f"/api/orders/{order['id']}/transitions", json={"to": status})
            if order["status"] != "created":
                assert response.status_code == 409, response.text
                return response
            assert response.status_code == 200, response.text
        order["status"] = statuses[-1]
        return response

    starting = [("receive", i // SKUS, i % SKUS, q) for i, q in enumerate(initial) if q]
    for op in starting + operations:
        kind = op[0]
        response: Any = None
        if kind == "receive":
            _, loc, s, q = op
            response = api.post(
                "/api/stock/receipts",
                json={"location_id": str(model.locations[loc]), "sku": model.skus[s], "quantity": q},
            )
            assert response.status_code == 201, response.text
            model.level(loc, s)[0] += q
        elif kind == "adjust":
            _, loc, s, delta = op
            response = api.post(
                "/api/stock/adjustments",
                json={
                    "location_id": str(model.locations[loc]),
                    "sku": model.skus[s],
                    "delta": delta,
                    "reason": "count",
                },
            )
            if delta < 0 and model.available(loc, s) < -delta:
                assert response.status_code == 409, response.text
            else:
                assert response.status_code == 201, response.text
                model.level(loc, s)[0] += delta
        elif kind == "transfer":
            _, source, destination, s, q = op
            response = api.post(
                "/api/stock/transfers",
                json={
                    "from_location_id": str(model.locations[source]),
                    "to_location_id": str(model.locations[destination]),
                    "sku": model.skus[s],
                    "quantity": q,
                },
            )
            if model.available(source, s) < q:
                assert response.status_code == 409, response.text
            else:
                assert response.status_code == 201, response.text
                model.level(source, s)[0] -= q
                model.level(destination, s)[0] += q
        elif kind == "order":
            _, loc, lines = op
            payload = order_payload(
                kind="store_pickup",
                store_id=str(model.locations[loc]),
                lines=[{"sku": model.skus[s], "quantity": q} for s, q in lines.items()],
            )
            response = api.post("/api/orders", json=payload)
            if any(model.available(loc, s) < q for s, q in lines.items()):
                assert response.status_code == 409, response.text
                assert response.json()["type"].endswith("/insufficient-stock")
            else:
                assert response.status_code == 201, response.text
                for s, q in lines.items():
                    model.level(loc, s)[1] += q
                model.orders.append({"id": response.json()["id"], "store": loc, "lines": lines, "status": "created"})
        elif kind in ("cancel", "handoff", "expire") and model.orders:
            order = model.orders[op[1] % len(model.orders)]
            was_open = order["status"] == "created"
            path = {
                "cancel": ("cancelled",),
                "handoff": ("at_store", "ready_for_pickup", "picked_up"),
                "expire": ("at_store", "ready_for_pickup", "expired"),
            }[kind]
            response = transition(order, *path)
            if was_open:
                for s, q in order["lines"].items():
                    level = model.level(order["store"], s)
                    level[1] -= q
                    if kind == "handoff":
                        level[0] -= q
        elif kind == "restock":
            _, loc, s, q = op
            run_in_app(
                client,
                lambda session, loc=loc, s=s, q=q: inventory.restock_return(
                    session, principal=principal, location_id=model.locations[loc], sku_code=model.skus[s], quantity=q
                ),
            )
            model.level(loc, s)[0] += q

        outcome = response.status_code if response is not None else "service" if kind == "restock" else "no order yet"
        event(f"{kind}: {outcome}")
        report = run_in_app(client, ledger_report, tenant.organization.id)
        assert not report["broken"] and not report["mismatched"], (op, report)
        for (loc, s), expected in model.levels.items():
            actual = report["levels"].get((model.locations[loc], model.sku_ids[s]), (0, 0))
            assert list(actual) == expected, (op, (loc, s), actual, expected)

    held = run_in_app(client, held_by_orders, tenant.organization.id)
    for order in model.orders:
        expected = sum(order["lines"].values()) if order["status"] == "created" else 0
        assert held.get(UUID(order["id"]), 0) == expected, order
