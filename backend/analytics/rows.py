"""The rows analytics reads (repository.py fills them, service.py computes from them; tests make them by hand)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from backend.fleet.models import VehicleProfile
from backend.orders.models import OrderKind
from backend.routing.models import StopKind, StopStatus


@dataclass(frozen=True, slots=True)
class Visit:
    """A visit (or a delivery attempt, for first attempts) with its route, vehicle and order."""

    order_id: UUID
    order_kind: OrderKind
    stop_kind: StopKind
    status: StopStatus
    service_date: date
    route_id: UUID
    driver_id: UUID | None
    profile: VehicleProfile
    lat: float  # the order's point
    lon: float
    window_start_at: datetime | None = None
    window_end_at: datetime | None = None
    planned_arrival_at: datetime | None = None
    arrived_at: datetime | None = None
    completed_at: datetime | None = None
    leg_start_eta_at: datetime | None = None

    @property
    def arrival_at(self) -> datetime | None:
        return self.arrived_at or self.completed_at


@dataclass(frozen=True, slots=True)
class RouteRow:
    """A route that started."""

    route_id: UUID
    service_date: date
    driver_id: UUID | None
    profile: VehicleProfile
    distance_m: float
    started_at: datetime
    ended_at: datetime | None  # completed_at, else its last completed stop's, else None (nothing done yet)

    @property
    def hours(self) -> float:
        if self.ended_at is None:
            return 0.0
        return max(0.0, (self.ended_at - self.started_at).total_seconds() / 3600)


@dataclass(frozen=True, slots=True)
class ReturnRow:
    """A customer's return request, with whoever delivered the original order (None when no route did)."""

    requested_at: datetime
    lat: float
    lon: float
    driver_id: UUID | None
    profile: VehicleProfile | None


@dataclass(frozen=True, slots=True)
class PickupRow:
    ready_at: datetime
    handed_over_at: datetime
    lat: float  # the store's point
    lon: float


@dataclass(frozen=True, slots=True)
class ZoneShape:
    id: UUID
    name: str
    geometry: dict[str, Any]  # GeoJSON, as stored


@dataclass
class Dataset:
    """What one organization's period holds. `visits` are the period's visits; `attempts` are every delivery
    attempt ever made (up to the period's end) of the delivery orders attempted in the period."""

    visits: list[Visit]
    attempts: list[Visit]
    routes: list[RouteRow]
    returns: list[ReturnRow]
    pickups: list[PickupRow]
