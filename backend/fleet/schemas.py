"""Request and response shapes of the fleet API."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
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


def check_breaks(breaks: Sequence[tuple[time, time, int]], shift_start: time, shift_end: time) -> None:
    """The breaks (start, end, duration_s) can all be taken in the shift, as the planner takes them: by latest
    start, each from the shift start and the end of the one before, and the last one over by the shift end.
    VROOM refuses a vehicle whose breaks cannot be (it would fail the whole plan)."""
    ready = _seconds(shift_start)
    for start, end, duration_s in sorted(breaks, key=lambda b: (b[1], b[0])):
        starts = max(_seconds(start), ready)
        if starts > _seconds(end):
            after = "the shift starts" if ready == _seconds(shift_start) else "the break before it ends"
            raise ValueError(
                f"breaks: the break from {start} cannot start by {end}: {after} at {_clock(ready)}; "
                "they cannot all be taken"
            )
        ready = starts + duration_s
    if ready > _seconds(shift_end):
        raise ValueError(
            f"breaks: they cannot all be over by the shift end ({shift_end}): the last ends at {_clock(ready)}"
        )


def _seconds(clock: time) -> int:
    return clock.hour * 3600 + clock.minute * 60 + clock.second


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


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
        check_breaks([(b.start, b.end, b.duration_s) for b in self.breaks], self.shift_start, self.shift_end)


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
