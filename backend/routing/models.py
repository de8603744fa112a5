"""Tables of the routing domain: a vehicle's route for a day and its ordered stops (filled by the planner)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.db.base import Base, str_enum


class RouteStatus(enum.StrEnum):
    draft = "draft"
    published = "published"
    superseded = "superseded"
    in_progress = "in_progress"
    completed = "completed"
    withdrawn = "withdrawn"  # the driver or the vehicle dropped out during the day; its open stops went to others


class StopKind(enum.StrEnum):
    start = "start"
    delivery = "delivery"
    pickup = "pickup"
    break_ = "break"
    end = "end"


class StopStatus(enum.StrEnum):
    pending = "pending"
    arrived = "arrived"
    completed = "completed"
    failed = "failed"
    skipped = "skipped"


# a stop still to do: not yet reached, or the driver is there now
OPEN_STOP_STATUSES = (StopStatus.pending, StopStatus.arrived)


class PlanStatus(enum.StrEnum):
    draft = "draft"
    published = "published"
    superseded = "superseded"


class Plan(Base):
    """One solve for one service date: its routes are the plan's revision; the published one is live."""

    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("organization_id", "service_date", "revision"),)

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    service_date: Mapped[date]
    revision: Mapped[int] = mapped_column(Integer)
    status: Mapped[PlanStatus] = mapped_column(str_enum(PlanStatus, "plan_status"), default=PlanStatus.draft)
    # what was asked: order ids, vehicle ids, time budget, exploration level
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # cost, distance_m, duration_s, solve_ms, routes, assigned, unassigned
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # [{"order_id": ..., "reason": "capacity" | "time_window" | "skills" | "no_vehicle" | "fleet_full", "detail"}]
    unassigned: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(80))
    published_at: Mapped[datetime | None] = mapped_column(default=None)


class Route(Base):
    __tablename__ = "routes"

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[UUID | None] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), default=None, index=True)
    vehicle_id: Mapped[UUID] = mapped_column(ForeignKey("vehicles.id", ondelete="CASCADE"), index=True)
    driver_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    service_date: Mapped[date]
    status: Mapped[RouteStatus] = mapped_column(str_enum(RouteStatus, "route_status"), default=RouteStatus.draft)
    plan_revision: Mapped[int] = mapped_column(Integer, default=1)
    distance_m: Mapped[float] = mapped_column(Float, default=0.0)
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    geometry: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)

    stops: Mapped[list[Stop]] = relationship(lazy="raise", order_by="Stop.sequence", back_populates="route")


class Stop(Base):
    __tablename__ = "stops"
    # (route_id, sequence) is kept consecutive by the code that writes routes (planning, live re-planning), not
    # by a unique key: a live re-plan renumbers a route's open stops with one UPDATE each, in any order

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    route_id: Mapped[UUID] = mapped_column(ForeignKey("routes.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("orders.id", ondelete="SET NULL"), default=None, index=True
    )
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[StopKind] = mapped_column(str_enum(StopKind, "stop_kind"))
    status: Mapped[StopStatus] = mapped_column(str_enum(StopStatus, "stop_status"), default=StopStatus.pending)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    planned_arrival_at: Mapped[datetime | None] = mapped_column(default=None)
    planned_departure_at: Mapped[datetime | None] = mapped_column(default=None)
    arrived_at: Mapped[datetime | None] = mapped_column(default=None)
    departed_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    # the live ETA (tracking/eta.py) and its window, rewritten when it moves by a minute or more
    eta_at: Mapped[datetime | None] = mapped_column(default=None)
    eta_earliest_at: Mapped[datetime | None] = mapped_column(default=None)
    eta_latest_at: Mapped[datetime | None] = mapped_column(default=None)
    # what the customer was shown when the driver set off for this stop (the live ETA, else the plan's time), kept
    # for analytics' ETA error: eta_at itself keeps moving until it equals the arrival
    leg_start_eta_at: Mapped[datetime | None] = mapped_column(default=None)
    # a dispatcher moved this order onto this route by hand (reassign.py): re-plans keep it on this vehicle
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    route: Mapped[Route] = relationship(lazy="raise", back_populates="stops")
