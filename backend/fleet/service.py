"""Rules of the fleet domain: vehicles, their drivers, depots and shifts. Never commits."""

from __future__ import annotations

from datetime import time
from uuid import UUID

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts import service as accounts
from backend.accounts.models import Role
from backend.accounts.principal import Principal
from backend.events import service as events
from backend.fleet import repository
from backend.fleet.errors import BadAssignment, VehicleNameTaken, VehicleNotFound
from backend.fleet.models import Vehicle
from backend.fleet.schemas import VehicleCreate, VehicleUpdate, check_breaks, check_shift
from backend.kit.problems import Invalid, NotFound
from backend.places import service as places
from backend.places.models import LocationKind


async def _check_assignment(
    session: AsyncSession, *, organization_id: UUID, driver_id: UUID | None, depot_id: UUID | None
) -> None:
    if driver_id is not None:
        try:
            driver = await accounts.get_user(session, organization_id=organization_id, user_id=driver_id)
        except NotFound as exc:
            raise BadAssignment("driver_id: no such user in your organization") from exc
        if driver.role is not Role.driver:
            raise BadAssignment(f"driver_id: that user is a {driver.role.value}, not a driver")
    if depot_id is not None:
        try:
            depot = await places.get_location(session, organization_id=organization_id, location_id=depot_id)
        except NotFound as exc:
            raise BadAssignment("depot_id: no such location in your organization") from exc
        if depot.kind is not LocationKind.depot:
            raise BadAssignment("depot_id: that location is not a depot")


async def create_vehicle(session: AsyncSession, *, principal: Principal, data: VehicleCreate) -> Vehicle:
    if await repository.name_taken(session, organization_id=principal.organization_id, name=data.name):
        raise VehicleNameTaken(f"A vehicle named {data.name!r} exists")
    await _check_assignment(
        session, organization_id=principal.organization_id, driver_id=data.driver_id, depot_id=data.depot_id
    )
    fields = msgspec.structs.asdict(data)
    fields["breaks"] = msgspec.to_builtins(data.breaks)
    vehicle = Vehicle(organization_id=principal.organization_id, **fields)
    session.add(vehicle)
    await session.flush()
    events.record(
        session,
        organization_id=principal.organization_id,
        type="vehicle.created",
        subject_type="vehicle",
        subject_id=vehicle.id,
        actor=principal.actor,
        payload={"name": vehicle.name, "profile": vehicle.profile.value},
    )
    return vehicle


async def get_vehicle(session: AsyncSession, *, organization_id: UUID, vehicle_id: UUID) -> Vehicle:
    vehicle = await repository.get_vehicle(session, organization_id=organization_id, vehicle_id=vehicle_id)
    if vehicle is None:
        raise VehicleNotFound()
    return vehicle


async def update_vehicle(
    session: AsyncSession, *, principal: Principal, vehicle_id: UUID, data: VehicleUpdate
) -> Vehicle:
    vehicle = await get_vehicle(session, organization_id=principal.organization_id, vehicle_id=vehicle_id)
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    if "breaks" in changes:
        changes["breaks"] = msgspec.to_builtins(changes["breaks"])
    name = changes.get("name", vehicle.name)
    if name != vehicle.name and await repository.name_taken(
        session, organization_id=principal.organization_id, name=name
    ):
        raise VehicleNameTaken(f"A vehicle named {name!r} exists")
    try:
        shift_start, shift_end = (
            changes.get("shift_start", vehicle.shift_start),
            changes.get("shift_end", vehicle.shift_end),
        )
        check_shift(shift_start, shift_end)
        breaks = changes.get("breaks", vehicle.breaks)
        check_breaks(
            [(time.fromisoformat(b["start"]), time.fromisoformat(b["end"]), int(b["duration_s"])) for b in breaks],
            shift_start,
            shift_end,
        )
    except ValueError as exc:
        raise Invalid(str(exc)) from exc
    await _check_assignment(
        session,
        organization_id=principal.organization_id,
        driver_id=changes.get("driver_id"),
        depot_id=changes.get("depot_id"),
    )
    for key, value in changes.items():
        setattr(vehicle, key, value)
    events.record(
        session,
        organization_id=principal.organization_id,
        type="vehicle.updated",
        subject_type="vehicle",
        subject_id=vehicle.id,
        actor=principal.actor,
        payload={"changed": sorted(changes)},
    )
    return vehicle


async def list_vehicles(
    session: AsyncSession, *, principal: Principal, limit: int, offset: int
) -> tuple[list[Vehicle], int]:
    return await repository.list_vehicles(
        session, organization_id=principal.organization_id, limit=limit, offset=offset
    )


async def active_vehicles(session: AsyncSession, *, principal: Principal) -> list[Vehicle]:
    return await repository.active_vehicles(session, organization_id=principal.organization_id)
