"""Tables of the fleet domain: vehicles with capacities, skills, profile, driver and shift."""

from __future__ import annotations

import enum
from datetime import time
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, str_enum


class VehicleProfile(enum.StrEnum):
    car = "car"
    van = "van"
    bike = "bike"
    foot = "foot"


class Vehicle(Base):
    __tablename__ = "vehicles"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    profile: Mapped[VehicleProfile] = mapped_column(str_enum(VehicleProfile, "vehicle_profile"))
    capacity_kg: Mapped[float] = mapped_column(Float)
    capacity_l: Mapped[float] = mapped_column(Float)
    capacity_parcels: Mapped[int] = mapped_column(Integer)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    driver_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    depot_id: Mapped[UUID | None] = mapped_column(ForeignKey("locations.id", ondelete="SET NULL"), default=None)
    # local times in the organization's timezone
    shift_start: Mapped[time] = mapped_column(Time)
    shift_end: Mapped[time] = mapped_column(Time)
    # [{"start": "11:00", "end": "13:30", "duration_s": 1800}]: a break of duration_s starting inside the window
    breaks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    max_stops: Mapped[int | None] = mapped_column(Integer, default=None)
    max_travel_s: Mapped[int | None] = mapped_column(Integer, default=None)
    is_active: Mapped[bool] = mapped_column(default=True)
