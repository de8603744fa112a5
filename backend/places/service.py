"""Rules of the places domain: depots and stores, service zones. Never commits."""

from __future__ import annotations

from uuid import UUID

import msgspec
from shapely.geometry import Point
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.principal import Principal
from backend.events import service as events
from backend.places import repository
from backend.places.errors import LocationNotFound, NameTaken, ZoneNotFound
from backend.places.geometry import area_m2, parse_zone_geometry
from backend.places.models import Location, LocationKind, Zone
from backend.places.schemas import LocationCreate, LocationUpdate, ZoneCreate


async def create_location(session: AsyncSession, *, principal: Principal, data: LocationCreate) -> Location:
    if await repository.location_name_taken(session, organization_id=principal.organization_id, name=data.name):
        raise NameTaken(f"A location named {data.name!r} exists")
    location = Location(
        organization_id=principal.organization_id,
        kind=data.kind,
        name=data.name,
        address=data.address,
        lat=data.lat,
        lon=data.lon,
        opening_hours={day: [list(i) for i in intervals] for day, intervals in data.opening_hours.items()},
        geofence=data.geofence,
        geofence_radius_m=data.geofence_radius_m,
    )
    session.add(location)
    await session.flush()
    events.record(
        session,
        organization_id=principal.organization_id,
        type="location.created",
        subject_type="location",
        subject_id=location.id,
        actor=principal.actor,
        payload={"name": location.name, "kind": location.kind.value},
    )
    return location


async def get_location(session: AsyncSession, *, organization_id: UUID, location_id: UUID) -> Location:
    location = await repository.get_location(session, organization_id=organization_id, location_id=location_id)
    if location is None:
        raise LocationNotFound()
    return location


async def update_location(
    session: AsyncSession, *, principal: Principal, location_id: UUID, data: LocationUpdate
) -> Location:
    location = await get_location(session, organization_id=principal.organization_id, location_id=location_id)
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    name = changes.get("name", location.name)
    if name != location.name and await repository.location_name_taken(
        session, organization_id=principal.organization_id, name=name
    ):
        raise NameTaken(f"A location named {name!r} exists")
    if "opening_hours" in changes:
        changes["opening_hours"] = {d: [list(i) for i in iv] for d, iv in changes["opening_hours"].items()}
    for key, value in changes.items():
        setattr(location, key, value)
    events.record(
        session,
        organization_id=principal.organization_id,
        type="location.updated",
        subject_type="location",
        subject_id=location.id,
        actor=principal.actor,
        payload={"changed": sorted(changes)},
    )
    return location


async def list_locations(
    session: AsyncSession, *, principal: Principal, kind: LocationKind | None, limit: int, offset: int
) -> tuple[list[Location], int]:
    return await repository.list_locations(
        session, organization_id=principal.organization_id, kind=kind, limit=limit, offset=offset
    )


async def create_zone(session: AsyncSession, *, principal: Principal, data: ZoneCreate) -> Zone:
    geometry = parse_zone_geometry(data.geometry)
    if await repository.zone_name_taken(session, organization_id=principal.organization_id, name=data.name):
        raise NameTaken(f"A zone named {data.name!r} exists")
    zone = Zone(
        organization_id=principal.organization_id,
        name=data.name,
        geometry=geometry.__geo_interface__,
        area_m2=round(area_m2(geometry), 1),
    )
    session.add(zone)
    await session.flush()
    events.record(
        session,
        organization_id=principal.organization_id,
        type="zone.created",
        subject_type="zone",
        subject_id=zone.id,
        actor=principal.actor,
        payload={"name": zone.name, "area_m2": zone.area_m2},
    )
    return zone


async def get_zone(session: AsyncSession, *, organization_id: UUID, zone_id: UUID) -> Zone:
    zone = await repository.get_zone(session, organization_id=organization_id, zone_id=zone_id)
    if zone is None:
        raise ZoneNotFound()
    return zone


async def delete_zone(session: AsyncSession, *, principal: Principal, zone_id: UUID) -> None:
    zone = await get_zone(session, organization_id=principal.organization_id, zone_id=zone_id)
    await session.delete(zone)
    events.record(
        session,
        organization_id=principal.organization_id,
        type="zone.deleted",
        subject_type="zone",
        subject_id=zone_id,
        actor=principal.actor,
        payload={"name": zone.name},
    )


async def list_zones(session: AsyncSession, *, principal: Principal, limit: int, offset: int) -> tuple[list[Zone], int]:
    return await repository.list_zones(session, organization_id=principal.organization_id, limit=limit, offset=offset)


def zone_contains(zone: Zone, *, lat: float, lon: float) -> bool:
    return bool(parse_zone_geometry(zone.geometry).covers(Point(lon, lat)))


async def locations_by_id(session: AsyncSession, *, principal: Principal) -> dict[UUID, Location]:
    rows, _ = await repository.list_locations(
        session, organization_id=principal.organization_id, kind=None, limit=10_000, offset=0
    )
    return {location.id: location for location in rows}
