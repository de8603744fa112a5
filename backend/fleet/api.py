"""HTTP surface of the fleet domain: vehicles."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.auth import STAFF, requires
from backend.accounts.principal import Principal
from backend.fleet import schemas, service
from backend.fleet.models import Vehicle
from backend.kit.pagination import DEFAULT_LIMIT, LimitParam, OffsetParam, Page


def _vehicle(v: Vehicle) -> schemas.Vehicle:
    return schemas.Vehicle(
        id=v.id,
        name=v.name,
        profile=v.profile,
        capacity_kg=v.capacity_kg,
        capacity_l=v.capacity_l,
        capacity_parcels=v.capacity_parcels,
        skills=list(v.skills),
        driver_id=v.driver_id,
        depot_id=v.depot_id,
        shift_start=v.shift_start,
        shift_end=v.shift_end,
        breaks=msgspec.convert(v.breaks, list[schemas.Break], strict=False),
        max_stops=v.max_stops,
        max_travel_s=v.max_travel_s,
        is_active=v.is_active,
        created_at=v.created_at,
    )


class VehicleController(Controller):
    path = "/api/vehicles"
    tags = ["fleet"]
    guards = [requires(*STAFF)]

    @get("", operation_id="list_vehicles")
    async def list_vehicles(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        limit: LimitParam = DEFAULT_LIMIT,
        offset: OffsetParam = 0,
    ) -> Page[schemas.Vehicle]:
        rows, total = await service.list_vehicles(db_session, principal=principal, limit=limit, offset=offset)
        return Page(items=[_vehicle(r) for r in rows], total=total, limit=limit, offset=offset)

    @get("/{vehicle_id:uuid}", operation_id="get_vehicle")
    async def get_vehicle(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        vehicle_id: FromPath[UUID],
    ) -> schemas.Vehicle:
        return _vehicle(
            await service.get_vehicle(db_session, organization_id=principal.organization_id, vehicle_id=vehicle_id)
        )

    @post("", operation_id="create_vehicle", status_code=HTTP_201_CREATED)
    async def create_vehicle(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        data: JSONBody[schemas.VehicleCreate],
    ) -> schemas.Vehicle:
        return _vehicle(await service.create_vehicle(db_session, principal=principal, data=data))

    @patch("/{vehicle_id:uuid}", operation_id="update_vehicle")
    async def update_vehicle(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        vehicle_id: FromPath[UUID],
        data: JSONBody[schemas.VehicleUpdate],
    ) -> schemas.Vehicle:
        return _vehicle(await service.update_vehicle(db_session, principal=principal, vehicle_id=vehicle_id, data=data))
