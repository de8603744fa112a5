"""The order lifecycle: the one table of allowed transitions, per order kind (ARCHITECTURE.md)."""

from __future__ import annotations

from collections.abc import Mapping

from backend.orders.models import OrderKind, OrderStatus

S = OrderStatus

TRANSITIONS: Mapping[OrderKind, Mapping[OrderStatus, frozenset[OrderStatus]]] = {
    OrderKind.delivery: {
        S.created: frozenset({S.planned, S.cancelled}),
        # planned → created: the dispatcher takes it off a route before it leaves the depot
        S.planned: frozenset({S.out_for_delivery, S.created, S.cancelled}),
        # a driver may hand over without the geofence having said "arriving" (GPS in a dead zone)
        S.out_for_delivery: frozenset({S.arriving, S.delivered, S.failed}),
        S.arriving: frozenset({S.delivered, S.failed}),
        S.failed: frozenset({S.planned, S.returning}),
        S.returning: frozenset({S.returned_to_depot}),
        S.delivered: frozenset(),
        S.returned_to_depot: frozenset(),
        S.cancelled: frozenset(),
    },
    OrderKind.store_pickup: {
        S.created: frozenset({S.at_store, S.cancelled}),
        S.at_store: frozenset({S.ready_for_pickup}),
        S.ready_for_pickup: frozenset({S.picked_up, S.expired}),
        S.expired: frozenset({S.returned_to_depot}),
        S.picked_up: frozenset(),
        S.returned_to_depot: frozenset(),
        S.cancelled: frozenset(),
    },
    OrderKind.return_: {
        S.requested: frozenset({S.scheduled, S.cancelled}),
        S.scheduled: frozenset({S.collected, S.cancelled}),
        S.collected: frozenset({S.received}),
        S.received: frozenset({S.restocked, S.disposed}),
        S.restocked: frozenset(),
        S.disposed: frozenset(),
        S.cancelled: frozenset(),
    },
}

INITIAL: Mapping[OrderKind, OrderStatus] = {
    OrderKind.delivery: S.created,
    OrderKind.store_pickup: S.created,
    OrderKind.return_: S.requested,
}

# while an order is in one of these, its address, window and quantities may still be edited
EDITABLE: frozenset[OrderStatus] = frozenset({S.created, S.planned, S.requested, S.scheduled})


def allowed(kind: OrderKind, status: OrderStatus) -> frozenset[OrderStatus]:
    return TRANSITIONS[kind].get(status, frozenset())


def can_transition(kind: OrderKind, current: OrderStatus, to: OrderStatus) -> bool:
    return to in allowed(kind, current)


def is_final(kind: OrderKind, status: OrderStatus) -> bool:
    return not allowed(kind, status)
