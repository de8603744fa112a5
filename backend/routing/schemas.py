"""Response shapes of the routes API (the planner fills these tables in the routing issue)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from backend.routing.models import PlanStatus, RouteStatus, StopKind, StopStatus


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
    departed_at: datetime | None = None
    eta_at: datetime | None = None
    eta_earliest_at: datetime | None = None
    eta_latest_at: datetime | None = None
    pinned: bool = False
    """A dispatcher moved this stop's order onto this route by hand; re-plans keep it on this vehicle."""


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


class PlanCreate(msgspec.Struct, forbid_unknown_fields=True):
    service_date: date
    order_ids: Annotated[list[UUID], msgspec.Meta(max_length=20_000)] | None = None
    """Plan these orders only; default: every order waiting for a plan."""
    vehicle_ids: Annotated[list[UUID], msgspec.Meta(max_length=1_000)] | None = None
    """Use these vehicles only; default: every active vehicle."""
    time_budget_s: Annotated[float, msgspec.Meta(gt=0, le=120)] = 5.0
    publish: bool = False
    """Publish at once if the plan is made (otherwise the dispatcher reviews the draft and publishes it)."""


class Unassigned(msgspec.Struct):
    order_id: UUID
    reason: str
    """capacity, time_window, skills, no_vehicle, no_store or fleet_full"""
    detail: str


class Plan(msgspec.Struct):
    id: UUID
    service_date: date
    revision: int
    status: PlanStatus
    summary: dict[str, Any]
    unassigned: list[Unassigned]
    routes: list[RouteSummary]
    created_at: datetime
    published_at: datetime | None
    late_stop_ids: list[UUID] = []
    """Open stops expected after the end of their order's window (the live ETA, else the planned time);
    their count is summary.late_stops, and summary.route_s is the routes' total time out (driving, service,
    waiting and breaks)."""


class PlanSummary(msgspec.Struct):
    id: UUID
    service_date: date
    revision: int
    status: PlanStatus
    summary: dict[str, Any]
    created_at: datetime
    published_at: datetime | None


class RouteWithdraw(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    """Why: "driver ill", "van broken down"… (kept in the event log)."""


class RouteAction(msgspec.Struct):
    occurred_at: datetime | None = None
    """The device's time of the action (kept beside the server's); default now."""


class StopOutcome(msgspec.Struct):
    outcome: Literal["delivered", "failed"]
    reason: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    """Required for a failure: not_home, no_access, refused, damaged, wrong_address or other."""
    occurred_at: datetime | None = None


class DriverParcel(msgspec.Struct):
    barcode: str


class DriverOrder(msgspec.Struct):
    """What a driver needs at the door: who, where, when, the customer's instructions and the parcels."""

    id: UUID
    kind: str
    status: str
    reference: str | None
    recipient_name: str
    recipient_phone: str | None
    address: str
    lat: float
    lon: float
    window_start_at: datetime | None
    window_end_at: datetime | None
    notes: str | None
    """The customer's delivery instructions."""
    parcels: list[DriverParcel]
    id_check_required: bool = False
    """Ask for the recipient's photo ID before handing over."""


class Depot(msgspec.Struct):
    name: str
    address: str | None
    lat: float
    lon: float


class DriverDay(msgspec.Struct):
    """Everything the driver app keeps offline for the day: the route, its orders and the depot."""

    route: Route
    orders: list[DriverOrder]
    depot: Depot | None
    server_time: datetime


class StopReassign(msgspec.Struct, forbid_unknown_fields=True):
    to_route_id: UUID
    """A published or started route of the same day; the order goes where it adds the least driving."""


class StopReassigned(msgspec.Struct):
    order_id: UUID
    stop_ids: list[UUID]
    """The order's stops on the route it moved to (a delivery fetched from the depot has two)."""
    from_route: Route
    to_route: Route
    replayed: bool = False
    """True when this answers a repeated request (the same Idempotency-Key, or a stop already moved)."""
