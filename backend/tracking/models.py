"""Tables of the tracking domain: drivers' positions (kept for a retention period) and learned speed factors."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import Float, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base


class Position(Base):
    """One GPS fix from a driver's phone, written in batches (never one insert per point)."""

    __tablename__ = "positions"
    __table_args__ = (Index("ix_positions_driver_recorded", "driver_id", "recorded_at"),)

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    driver_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    route_id: Mapped[UUID | None] = mapped_column(ForeignKey("routes.id", ondelete="SET NULL"), default=None)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float, default=None)
    speed_mps: Mapped[float | None] = mapped_column(Float, default=None)
    heading_deg: Mapped[float | None] = mapped_column(Float, default=None)
    # the device's clock (what the point says), beside the server's receipt time
    recorded_at: Mapped[datetime] = mapped_column(index=True)
    received_at: Mapped[datetime]
    # False: stored for the record but not used for ETAs and geofences (accuracy worse than 100 m, or a jump)
    for_eta: Mapped[bool] = mapped_column(default=True)


class DriverSpeed(Base):
    """How much slower (> 1) or faster (< 1) than the travel-time provider a driver goes, learned from legs."""

    __tablename__ = "driver_speeds"

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    driver_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    speed_factor: Mapped[float] = mapped_column(Float, default=1.0)
    samples: Mapped[int] = mapped_column(Integer, default=0)
