"""The lifecycle table, property-tested: random sequences of requested transitions through the service."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.accounts.models import Role
from backend.accounts.principal import Principal
from backend.orders import lifecycle, service
from backend.orders.errors import IllegalTransition
from backend.orders.models import OrderKind, OrderStatus
from backend.orders.schemas import OrderCreate
from tests.factories import make_tenant, run_in_app


def test_every_state_in_the_table_is_reachable_from_the_initial_state():
    for kind, table in lifecycle.TRANSITIONS.items():
        seen = {lifecycle.INITIAL[kind]}
        frontier = [lifecycle.INITIAL[kind]]
        while frontier:
            for nxt in table[frontier.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    frontier.append(nxt)
        assert seen == set(table), f"{kind}: unreachable {set(table) - seen}"
        for targets in table.values():
            assert targets <= set(table), f"{kind}: a transition leads outside the table"


@pytest.fixture
def tenant(client):
    return make_tenant(client)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(list(OrderKind)), steps=st.lists(st.sampled_from(list(OrderStatus)), max_size=12))
def test_random_transition_sequences_follow_the_table_and_log_every_change(client, tenant, kind, steps):
    principal = Principal(
        organization_id=tenant.organization.id,
        role=Role.dispatcher,
        via="session",
        user_id=tenant.users[Role.dispatcher].id,
    )
    needs_store = kind is OrderKind.store_pickup

    async def scenario(session):
        store_id = None
        if needs_store:
            from backend.places import service as places
            from backend.places.models import LocationKind
            from backend.places.schemas import LocationCreate

            store = await places.create_location(
                session,
                principal=principal,
                data=LocationCreate(
                    kind=LocationKind.store, name=f"Store {uuid.uuid4().hex[:8]}", address="A", lat=60.17, lon=24.94
                ),
            )
            store_id = store.id
        created = await service.create_order(
            session,
            principal=principal,
            organization=tenant.organization,
            secret_key="k",
            data=OrderCreate(recipient_name="R", address="A", lat=60.17, lon=24.94, kind=kind, store_id=store_id),
        )
        order_id = created.order.id
        expected = lifecycle.INITIAL[kind]
        applied = 0
        for to in steps:
            if lifecycle.can_transition(kind, expected, to):
                order = await service.transition(session, principal=principal, order_id=order_id, to=to)
                expected = to
                applied += 1
                assert order.status is expected
            else:
                with pytest.raises(IllegalTransition) as refused:
                    await service.transition(session, principal=principal, order_id=order_id, to=to)
                assert refused.value.problem_extra["current"] == expected.value
                assert sorted(refused.value.problem_extra["allowed"]) == sorted(
                    s.value for s in lifecycle.allowed(kind, expected)
                )
        events = await service.order_events(session, principal=principal, order_id=order_id)
        changes = [e for e in events if e.type == "order.status_changed"]
        assert len(changes) == applied
        current = lifecycle.INITIAL[kind]
        for event in changes:  # the log replays to the final state, one legal step at a time
            assert lifecycle.can_transition(kind, current, OrderStatus(event.payload["to"]))
            current = OrderStatus(event.payload["to"])
        assert current is expected

    run_in_app(client, scenario)
