"""Request and response shapes of the places API."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from backend.kit.validation import Latitude, Longitude, Name
from backend.places.geometry import parse_yard
from backend.places.models import LocationKind

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")

OpeningHours = Annotated[
    dict[str, list[tuple[str, str]]],
    msgspec.Meta(
        description='Local opening hours per weekday, e.g. {"mon": [["08:00", "20:00"]]}; a missing day is closed'
    ),
]


def check_opening_hours(hours: dict[str, list[tuple[str, str]]]) -> None:
    for day, intervals in hours.items():
        if day not in DAYS:
            raise ValueError(f"opening_hours: unknown day {day!r}; use {', '.join(DAYS)}")
        for start, end in intervals:
            if not _HHMM.match(start) or not _HHMM.match(end):
                raise ValueError(f"opening_hours.{day}: times are HH:MM, got {start!r}-{end!r}")
            if start >= end:
                raise ValueError(f"opening_hours.{day}: {start} is not before {end}")


class Location(msgspec.Struct):
    id: UUID
    kind: LocationKind
    name: str
    address: str
    lat: float
    lon: float
    opening_hours: dict[str, Any]
    created_at: datetime
    geofence: dict[str, Any] | None = None
    geofence_radius_m: float | None = None


GeofenceRadius = Annotated[
    float, msgspec.Meta(ge=10, le=2_000, description="Metres: a van this close is at the place (default 100 m)")
]
GeofencePolygon = Annotated[
    dict[str, Any], msgspec.Meta(description="The yard as a GeoJSON Polygon [lon, lat]; overrides the radius")
]


class LocationCreate(msgspec.Struct, forbid_unknown_fields=True):
    kind: LocationKind
    name: Name
    address: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    lat: Latitude
    lon: Longitude
    opening_hours: OpeningHours = msgspec.field(default_factory=dict)
    geofence: GeofencePolygon | None = None
    geofence_radius_m: GeofenceRadius | None = None

    def __post_init__(self) -> None:
        check_opening_hours(self.opening_hours)
        if self.geofence is not None:
            parse_yard(self.geofence)


class LocationUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    address: Annotated[str, msgspec.Meta(min_length=1, max_length=500)] | msgspec.UnsetType = msgspec.UNSET
    lat: Latitude | msgspec.UnsetType = msgspec.UNSET
    lon: Longitude | msgspec.UnsetType = msgspec.UNSET
    opening_hours: OpeningHours | msgspec.UnsetType = msgspec.UNSET
    geofence: GeofencePolygon | msgspec.UnsetType | None = msgspec.UNSET
    geofence_radius_m: GeofenceRadius | msgspec.UnsetType | None = msgspec.UNSET

    def __post_init__(self) -> None:
        if self.opening_hours is not msgspec.UNSET:
            check_opening_hours(self.opening_hours)
        if isinstance(self.geofence, dict):
            parse_yard(self.geofence)


class Zone(msgspec.Struct):
    id: UUID
    name: str
    geometry: dict[str, Any]
    area_m2: float
    created_at: datetime


class ZoneCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    geometry: Annotated[dict[str, Any], msgspec.Meta(description="GeoJSON Polygon or MultiPolygon, [lon, lat]")]
