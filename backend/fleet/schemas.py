"""Request and response shapes of the fleet API."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from typing import Annotated
from uuid import UUID

import msgspec

from backend.fleet.models import VehicleProfile

Skill = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[a-z0-9_\-]+$")]
Skills = Annotated[list[Skill], msgspec.Meta(max_length=20)]
CapacityKg = Annotated[float, msgspec.Meta(ge=0.0, le=50_000.0)]
CapacityL = Annotated[float, msgspec.Meta(ge=0.0, le=100_000.0)]
CapacityParcels = Annotated[int, msgspec.Meta(ge=0, le=10_000)]
VehicleName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


def check_shift(start: time, end: time) -> None:
    if start >= end:
        raise ValueError(f"shift_start ({start}) must be before shift_end ({end})")


class Break(msgspec.Struct, forbid_unknown_fields=True):
    """A break of `duration_s` that starts between `start` and `end` (local times)."""

    start: time
    end: time
    duration_s: Annotated[int, msgspec.Meta(ge=60, le=4 * 3600)]

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise ValueError(f"break: start ({self.start}) must be before end ({self.end})")


Breaks = Annotated[list[Break], msgspec.Meta(max_length=5)]


def check_breaks(breaks: list[Break]) -> None:
    """Every break can be taken after the one before it (by latest start): the planner takes them in that order
    and refuses a vehicle whose next break must start before the previous one can end."""
    ordered = sorted(breaks, key=lambda b: (b.end, b.start))
    for first, then in itertools.pairwise(ordered):
        ends = datetime.combine(date.min, first.start) + timedelta(seconds=first.duration_s)
        if ends > datetime.combine(date.min, then.end):
            raise ValueError(
                f"breaks: the break from {first.start} ({first.duration_s} s) ends after {then.end}, the latest "
                f"start of the break from {then.start}; they cannot both be taken"
            )


MaxStops = Annotated[int, msgspec.Meta(ge=1, le=1_000)]
MaxTravelSeconds = Annotated[int, msgspec.Meta(ge=60, le=24 * 3600)]


class Vehicle(msgspec.Struct):
    id: UUID
    name: str
    profile: VehicleProfile
    capacity_kg: float
    capacity_l: float
    capacity_parcels: int
    skills: list[str]
    driver_id: UUID | None
    depot_id: UUID | None
    shift_start: time
    shift_end: time
    breaks: list[Break]
    max_stops: int | None
    max_travel_s: int | None
    is_active: bool
    created_at: datetime


class VehicleCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: VehicleName
    profile: VehicleProfile
    capacity_kg: CapacityKg
    capacity_l: CapacityL
    capacity_parcels: CapacityParcels
    shift_start: time
    shift_end: time
    skills: Skills = msgspec.field(default_factory=list)
    driver_id: UUID | None = None
    depot_id: UUID | None = None
    breaks: Breaks = msgspec.field(default_factory=list)
    max_stops: MaxStops | None = None
    max_travel_s: MaxTravelSeconds | None = None

    def __post_init__(self) -> None:
        check_shift(self.shift_start, self.shift_end)
        check_breaks(self.breaks)


class VehicleUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: VehicleName | msgspec.UnsetType = msgspec.UNSET
    profile: VehicleProfile | msgspec.UnsetType = msgspec.UNSET
    capacity_kg: CapacityKg | msgspec.UnsetType = msgspec.UNSET
    capacity_l: CapacityL | msgspec.UnsetType = msgspec.UNSET
    capacity_parcels: CapacityParcels | msgspec.UnsetType = msgspec.UNSET
    shift_start: time | msgspec.UnsetType = msgspec.UNSET
    shift_end: time | msgspec.UnsetType = msgspec.UNSET
    skills: Skills | msgspec.UnsetType = msgspec.UNSET
    driver_id: UUID | msgspec.UnsetType | None = msgspec.UNSET
    depot_id: UUID | msgspec.UnsetType | None = msgspec.UNSET
    breaks: Breaks | msgspec.UnsetType = msgspec.UNSET
    max_stops: MaxStops | msgspec.UnsetType | None = msgspec.UNSET
    max_travel_s: MaxTravelSeconds | msgspec.UnsetType | None = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET

    def __post_init__(self) -> None:
        if not isinstance(self.breaks, msgspec.UnsetType):
            check_breaks(self.breaks)
