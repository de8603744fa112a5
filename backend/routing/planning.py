"""From live state to a VROOM problem and back: which orders and vehicles, where, when, how much.

Pure translation between our rows and routing/problem.py's inputs; no SQL, no solving.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from backend.fleet.models import Vehicle
from backend.orders.models import Order, OrderKind, OrderStatus
from backend.places.models import Location, LocationKind
from backend.routing.problem import (
    HORIZON_S,
    TaskInput,
    VehicleInput,
    breaks_in_shift,
    pin_skill,
    volume_units,
    weight_units,
)

# the state an order is in while it waits for a plan, per kind, and the state publishing moves it to
PLANNABLE: dict[OrderKind, OrderStatus] = {
    OrderKind.delivery: OrderStatus.created,
    OrderKind.return_: OrderStatus.requested,
    OrderKind.store_pickup: OrderStatus.created,  # a transfer to the store; it turns at_store when scanned in
}
ON_PUBLISH: dict[OrderKind, OrderStatus] = {
    OrderKind.delivery: OrderStatus.planned,
    OrderKind.return_: OrderStatus.scheduled,
}

# an order on a live route is still to be served while it is in one of these (a store transfer stays
# `created` until the store scans it in)
ON_ROUTE_BY_KIND = {
    OrderKind.delivery: frozenset({OrderStatus.planned, OrderStatus.out_for_delivery, OrderStatus.arriving}),
    OrderKind.return_: frozenset({OrderStatus.scheduled}),
    OrderKind.store_pickup: frozenset({OrderStatus.created}),
}
ON_ROUTE = frozenset().union(*ON_ROUTE_BY_KIND.values())


def on_route(order: Order) -> bool:
    return order.status in ON_ROUTE_BY_KIND[order.kind]


@dataclass
class Points:
    """The list of distinct coordinates the matrices are computed for; index 0.. are depots first."""

    coordinates: list[tuple[float, float]] = field(default_factory=list)
    _index: dict[tuple[float, float], int] = field(default_factory=dict)

    def add(self, lat: float, lon: float) -> int:
        key = (round(lat, 6), round(lon, 6))
        if key not in self._index:
            self._index[key] = len(self.coordinates)
            self.coordinates.append(key)
        return self._index[key]


@dataclass
class Translation:
    points: Points
    vehicles: list[VehicleInput]
    tasks: list[TaskInput]
    skipped: list[dict[str, Any]]  # orders that cannot be planned at all, with the reason
    day_start: datetime  # local midnight of the service date, as an aware datetime


def day_start(service_date: date, timezone: str) -> datetime:
    return datetime.combine(service_date, time(0, 0), ZoneInfo(timezone))


def seconds_since(start: datetime, moment: datetime) -> int:
    return int((moment - start).total_seconds())


def at(start: datetime, seconds: int) -> datetime:
    return (start + timedelta(seconds=seconds)).astimezone(ZoneInfo("UTC"))


def _clock_seconds(value: time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def translate(
    *,
    service_date: date,
    timezone: str,
    orders: list[Order],
    vehicles: list[Vehicle],
    locations: dict[UUID, Location],
    not_before: datetime | None = None,
    pins: dict[UUID, UUID] | None = None,
) -> Translation:
    """`not_before` (now, when planning today): vans leave no earlier, whatever their shift start says.
    `pins`: order → the vehicle a dispatcher moved it to by hand; it stays on that vehicle while it is there."""
    start = day_start(service_date, timezone)
    earliest_s = seconds_since(start, not_before) if not_before is not None else 0
    points = Points()
    depot_for_returns = default_depot(locations)
    skipped: list[dict[str, Any]] = []

    vehicle_inputs: list[VehicleInput] = []
    for vehicle in vehicles:
        depot = locations.get(vehicle.depot_id) if vehicle.depot_id else depot_for_returns
        if depot is None:
            continue  # reported by the caller: a vehicle needs a depot to start from
        van = vehicle_input(vehicle, points.add(depot.lat, depot.lon))
        if earliest_s > van.shift[0]:
            if earliest_s >= van.shift[1]:
                continue  # the shift is over for today: the van is not there to plan with
            van = dataclasses.replace(van, shift=(earliest_s, van.shift[1]))
        # a break whose time is over when the van can start (planning late in the day) is not planned
        van = dataclasses.replace(van, breaks=breaks_in_shift(van.breaks, *van.shift, owe_late=False))
        vehicle_inputs.append(van)
    kept = {o: v for o, v in (pins or {}).items() if any(van.vehicle_id == v for van in vehicle_inputs)}
    vehicle_inputs = [
        dataclasses.replace(van, skills=van.skills | {pin_skill(van.vehicle_id)})
        if van.vehicle_id in kept.values()
        else van
        for van in vehicle_inputs
    ]

    tasks: list[TaskInput] = []
    for order in orders:
        made = order_task(order, start=start, points=points, locations=locations, default_depot=depot_for_returns)
        if isinstance(made, TaskInput) and order.id in kept:
            made = dataclasses.replace(made, skills=made.skills | {pin_skill(kept[order.id])})
        if isinstance(made, TaskInput):
            tasks.append(made)
        else:
            skipped.append(made)
    return Translation(points=points, vehicles=vehicle_inputs, tasks=tasks, skipped=skipped, day_start=start)


def default_depot(locations: dict[UUID, Location]) -> Location | None:
    depots = [loc for loc in locations.values() if loc.kind is LocationKind.depot]
    return min(depots, key=lambda d: d.name) if depots else None


def order_task(
    order: Order,
    *,
    start: datetime,
    points: Points,
    locations: dict[UUID, Location],
    default_depot: Location | None,
) -> TaskInput | dict[str, Any]:
    """One order as a VROOM task, or the reason it cannot be planned at all (as an `unassigned` entry)."""
    windows: tuple[tuple[int, int], ...] = ()
    if order.window_start_at is not None and order.window_end_at is not None:
        opens = max(0, seconds_since(start, order.window_start_at))
        closes = min(HORIZON_S, seconds_since(start, order.window_end_at))
        if closes <= opens:
            return {
                "order_id": str(order.id),
                "reason": "time_window",
                "detail": "The time window is not on this service date",
            }
        windows = ((opens, closes),)
    if order.kind is OrderKind.store_pickup:
        store = locations.get(order.store_id) if order.store_id else None
        if store is None:
            return {"order_id": str(order.id), "reason": "no_store", "detail": "The store is gone"}
        location_index = points.add(store.lat, store.lon)
    else:
        location_index = points.add(order.lat, order.lon)
    return_to = None
    if order.kind is OrderKind.return_:
        if default_depot is None:
            return {
                "order_id": str(order.id),
                "reason": "no_vehicle",
                "detail": "Returns go back to a depot, and there is none",
            }
        return_to = points.add(default_depot.lat, default_depot.lon)
    return TaskInput(
        order_id=order.id,
        location_index=location_index,
        service_s=order.service_s,
        amount=(weight_units(order.weight_kg), volume_units(order.volume_l), order.parcel_count),
        skills=frozenset(order.required_skills),
        priority=order.priority,
        windows=windows,
        return_to_index=return_to,
    )


def vehicle_input(vehicle: Vehicle, depot_index: int) -> VehicleInput:
    """A vehicle for VROOM, starting and ending at its depot over its whole shift."""
    return VehicleInput(
        vehicle_id=vehicle.id,
        profile=vehicle.profile.value,
        start_index=depot_index,
        end_index=depot_index,
        capacity=(int(vehicle.capacity_kg * 10), int(vehicle.capacity_l * 10), vehicle.capacity_parcels),
        skills=frozenset(vehicle.skills),
        shift=(_clock_seconds(vehicle.shift_start), _clock_seconds(vehicle.shift_end)),
        # in the order VROOM takes them (it refuses a vehicle whose breaks are listed otherwise)
        breaks=tuple(
            sorted(
                (
                    (
                        _clock_seconds(time.fromisoformat(b["start"])),
                        _clock_seconds(time.fromisoformat(b["end"])),
                        int(b["duration_s"]),
                    )
                    for b in vehicle.breaks
                ),
                key=lambda b: (b[1], b[0]),
            )
        ),
        max_tasks=vehicle.max_stops,
        max_travel_s=vehicle.max_travel_s,
    )
