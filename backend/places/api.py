"""HTTP surface of the places domain: depots, stores and service zones."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.auth import ADMIN, STAFF, requires, signed_in
from backend.accounts.principal import Principal
from backend.kit.pagination import DEFAULT_LIMIT, LimitParam, OffsetParam, Page
from backend.places import schemas, service
from backend.places.models import Location, LocationKind, Zone


def _location(location: Location) -> schemas.Location:
    return schemas.Location(
        id=location.id,
        kind=location.kind,
        name=location.name,
        address=location.address,
        lat=location.lat,
        lon=location.lon,
        opening_hours=location.opening_hours,
        created_at=location.created_at,
        geofence=location.geofence,
        geofence_radius_m=location.geofence_radius_m,
    )


def _zone(zone: Zone) -> schemas.Zone:
    return schemas.Zone(
        id=zone.id, name=zone.name, geometry=zone.geometry, area_m2=zone.area_m2, created_at=zone.created_at
    )


class LocationController(Controller):
    path = "/api/locations"
    tags = ["places"]
    guards = [signed_in]

    @get("", operation_id="list_locations")
    async def list_locations(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        limit: LimitParam = DEFAULT_LIMIT,
        offset: OffsetParam = 0,
        kind: Annotated[LocationKind | None, QueryParameter(name="kind")] = None,
    ) -> Page[schemas.Location]:
        rows, total = await service.list_locations(
            db_session, principal=principal, kind=kind, limit=limit, offset=offset
        )
        return Page(items=[_location(r) for r in rows], total=total, limit=limit, offset=offset)

    @get("/{location_id:uuid}", operation_id="get_location")
    async def get_location(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        location_id: FromPath[UUID],
    ) -> schemas.Location:
        return _location(
            await service.get_location(db_session, organization_id=principal.organization_id, location_id=location_id)
        )

    @post("", operation_id="create_location", guards=[requires(*STAFF)], status_code=HTTP_201_CREATED)
    async def create_location(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        data: JSONBody[schemas.LocationCreate],
    ) -> schemas.Location:
        return _location(await service.create_location(db_session, principal=principal, data=data))

    @patch("/{location_id:uuid}", operation_id="update_location", guards=[requires(*STAFF)])
    async def update_location(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        location_id: FromPath[UUID],
        data: JSONBody[schemas.LocationUpdate],
    ) -> schemas.Location:
        return _location(
            await service.update_location(db_session, principal=principal, location_id=location_id, data=data)
        )


class ZoneController(Controller):
    path = "/api/zones"
    tags = ["places"]
    guards = [requires(*STAFF)]

    @get("", operation_id="list_zones")
    async def list_zones(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        limit: LimitParam = DEFAULT_LIMIT,
        offset: OffsetParam = 0,
    ) -> Page[schemas.Zone]:
        rows, total = await service.list_zones(db_session, principal=principal, limit=limit, offset=offset)
        return Page(items=[_zone(r) for r in rows], total=total, limit=limit, offset=offset)

    @get("/{zone_id:uuid}", operation_id="get_zone")
    async def get_zone(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal], zone_id: FromPath[UUID]
    ) -> schemas.Zone:
        return _zone(await service.get_zone(db_session, organization_id=principal.organization_id, zone_id=zone_id))

    @post("", operation_id="create_zone", status_code=HTTP_201_CREATED)
    async def create_zone(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        data: JSONBody[schemas.ZoneCreate],
    ) -> schemas.Zone:
        return _zone(await service.create_zone(db_session, principal=principal, data=data))

    @delete("/{zone_id:uuid}", operation_id="delete_zone", guards=[requires(*ADMIN)], status_code=HTTP_204_NO_CONTENT)
    async def delete_zone(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal], zone_id: FromPath[UUID]
    ) -> None:
        await service.delete_zone(db_session, principal=principal, zone_id=zone_id)
