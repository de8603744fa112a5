"""HTTP surface of the routing domain: reading routes and their stops."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.auth import STAFF, requires
from backend.accounts.principal import Principal
from backend.kit.pagination import DEFAULT_LIMIT, LimitParam, OffsetParam, Page
from backend.routing import schemas, service
from backend.routing.models import Route


def _stops(route: Route) -> list[schemas.Stop]:
    return [
        schemas.Stop(
            id=s.id,
            sequence=s.sequence,
            kind=s.kind,
            status=s.status,
            order_id=s.order_id,
            lat=s.lat,
            lon=s.lon,
            planned_arrival_at=s.planned_arrival_at,
            planned_departure_at=s.planned_departure_at,
            arrived_at=s.arrived_at,
            completed_at=s.completed_at,
        )
        for s in route.stops
    ]


class RouteController(Controller):
    path = "/api/routes"
    tags = ["routing"]
    guards = [requires(*STAFF)]

    @get("", operation_id="list_routes")
    async def list_routes(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        limit: LimitParam = DEFAULT_LIMIT,
        offset: OffsetParam = 0,
        service_date: Annotated[date | None, QueryParameter(name="date")] = None,
    ) -> Page[schemas.RouteSummary]:
        rows, total = await service.list_routes(
            db_session,
            principal=principal,
            service_date=service_date,
            limit=limit,
            offset=offset,
        )
        items = [
            schemas.RouteSummary(
                id=r.id,
                vehicle_id=r.vehicle_id,
                driver_id=r.driver_id,
                service_date=r.service_date,
                status=r.status,
                plan_revision=r.plan_revision,
                distance_m=r.distance_m,
                duration_s=r.duration_s,
                stop_count=len(r.stops),
            )
            for r in rows
        ]
        return Page(items=items, total=total, limit=limit, offset=offset)

    @get("/{route_id:uuid}", operation_id="get_route")
    async def get_route(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal], route_id: FromPath[UUID]
    ) -> schemas.Route:
        route = await service.get_route(db_session, principal=principal, route_id=route_id)
        return schemas.Route(
            id=route.id,
            vehicle_id=route.vehicle_id,
            driver_id=route.driver_id,
            service_date=route.service_date,
            status=route.status,
            plan_revision=route.plan_revision,
            distance_m=route.distance_m,
            duration_s=route.duration_s,
            geometry=route.geometry,
            started_at=route.started_at,
            completed_at=route.completed_at,
            stops=_stops(route),
        )
