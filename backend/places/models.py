"""Tables of the places domain: depots and stores (with opening hours) and service zones."""

from __future__ import annotations

import enum
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, str_enum


class LocationKind(enum.StrEnum):
    depot = "depot"
    store = "store"


class Location(Base):
    __tablename__ = "locations"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[LocationKind] = mapped_column(str_enum(LocationKind, "location_kind"))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    # {"mon": [["08:00", "20:00"]], ...}: local times in the organization's timezone; missing day = closed
    opening_hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # the yard as a GeoJSON Polygon: a van inside it is at the depot (else a circle of geofence_radius_m)
    geofence: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    geofence_radius_m: Mapped[float | None] = mapped_column(Float, default=None)


class Zone(Base):
    __tablename__ = "zones"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    organization_id: Mapped[UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # a GeoJSON Polygon or MultiPolygon (lon/lat, WGS84), validated with shapely before it is stored
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    area_m2: Mapped[float] = mapped_column(Float)
