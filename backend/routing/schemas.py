"""Response shapes of the routes API (the planner fills these tables in the routing issue)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec

from backend.routing.models import RouteStatus, StopKind, StopStatus


class Stop(msgspec.Struct):
    id: UUID
    sequence: int
    kind: StopKind
    status: StopStatus
    order_id: UUID | None
    lat: float
    lon: float
    planned_arrival_at: datetime | None
    planned_departure_at: datetime | None
    arrived_at: datetime | None
    completed_at: datetime | None


class RouteSummary(msgspec.Struct):
    id: UUID
    vehicle_id: UUID
    driver_id: UUID | None
    service_date: date
    status: RouteStatus
    plan_revision: int
    distance_m: float
    duration_s: float
    stop_count: int


class Route(msgspec.Struct):
    id: UUID
    vehicle_id: UUID
    driver_id: UUID | None
    service_date: date
    status: RouteStatus
    plan_revision: int
    distance_m: float
    duration_s: float
    geometry: dict[str, Any] | None
    started_at: datetime | None
    completed_at: datetime | None
    stops: list[Stop]
