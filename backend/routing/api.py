"""HTTP surface of the routing domain: planning a day, publishing a plan, reading routes and their stops."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts import service as accounts
from backend.accounts.auth import STAFF, requires
from backend.accounts.models import Role
from backend.accounts.principal import Principal
from backend.kit.clock import utcnow
from backend.kit.idempotency import IdempotencyKey
from backend.kit.pagination import DEFAULT_LIMIT, LimitParam, OffsetParam, Page
from backend.orders.models import Order
from backend.routing import execution, reassign, schemas, service
from backend.routing.models import Plan, Route


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
            departed_at=s.departed_at,
            eta_at=s.eta_at,
            eta_earliest_at=s.eta_earliest_at,
            eta_latest_at=s.eta_latest_at,
            pinned=s.pinned,
        )
        for s in route.stops
    ]


def _route(route: Route) -> schemas.Route:
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


def _driver_order(order: Order) -> schemas.DriverOrder:
    return schemas.DriverOrder(
        id=order.id,
        kind=order.kind.value,
        status=order.status.value,
        reference=order.external_ref,
        recipient_name=order.recipient_name,
        recipient_phone=order.recipient_phone,
        address=order.address,
        lat=order.lat,
        lon=order.lon,
        window_start_at=order.window_start_at,
        window_end_at=order.window_end_at,
        notes=order.notes,
        parcels=[schemas.DriverParcel(barcode=p.barcode) for p in order.parcels],
        id_check_required=order.id_check_required,
    )


def _route_summary(r: Route) -> schemas.RouteSummary:
    return schemas.RouteSummary(
        id=r.id,
        vehicle_id=r.vehicle_id,
        driver_id=r.driver_id,
        service_date=r.service_date,
        status=r.status,
        plan_revision=r.plan_revision,
        distance_m=r.distance_m,
        duration_s=r.duration_s,
        stop_count=sum(1 for s in r.stops if s.order_id is not None),
    )


async def _plan(session: AsyncSession, principal: Principal, plan: Plan, routes: list[Route]) -> schemas.Plan:
    late, route_s = await service.plan_facts(session, principal=principal, routes=routes)
    return schemas.Plan(
        id=plan.id,
        service_date=plan.service_date,
        revision=plan.revision,
        status=plan.status,
        summary={**plan.summary, "late_stops": len(late), "route_s": route_s},
        late_stop_ids=late,
        unassigned=[
            schemas.Unassigned(order_id=UUID(u["order_id"]), reason=u["reason"], detail=u["detail"])
            for u in plan.unassigned
        ],
        routes=[_route_summary(r) for r in routes],
        created_at=plan.created_at,
        published_at=plan.published_at,
    )


class PlanController(Controller):
    path = "/api/plans"
    tags = ["routing"]
    guards = [requires(*STAFF)]

    @post(
        "",
        operation_id="create_plan",
        status_code=HTTP_201_CREATED,
        summary="Plan a day with VROOM: routes with timed stops, and why any order was left out",
    )
    async def create_plan(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        state: State,
        data: JSONBody[schemas.PlanCreate],
    ) -> Response[schemas.Plan]:
        organization = await accounts.get_organization(db_session, organization_id=principal.organization_id)
        plan = await service.create_plan(
            db_session,
            principal=principal,
            organization=organization,
            service_date=data.service_date,
            order_ids=data.order_ids,
            vehicle_ids=data.vehicle_ids,
            time_budget_s=data.time_budget_s,
            travel=state["travel"],
            fallback=state["travel_fallback"],
        )
        if data.publish or state["settings"].auto_publish_plans:
            plan = await service.publish_plan(db_session, principal=principal, plan_id=plan.id)
        plan, routes = await service.get_plan(db_session, principal=principal, plan_id=plan.id)
        return Response(await _plan(db_session, principal, plan, routes), status_code=HTTP_201_CREATED)

    @get("", operation_id="list_plans")
    async def list_plans(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        limit: LimitParam = DEFAULT_LIMIT,
        offset: OffsetParam = 0,
        service_date: Annotated[date | None, QueryParameter(name="date")] = None,
    ) -> Page[schemas.PlanSummary]:
        rows, total = await service.list_plans(
            db_session, principal=principal, service_date=service_date, limit=limit, offset=offset
        )
        items = [
            schemas.PlanSummary(
                id=p.id,
                service_date=p.service_date,
                revision=p.revision,
                status=p.status,
                summary=p.summary,
                created_at=p.created_at,
                published_at=p.published_at,
            )
            for p in rows
        ]
        return Page(items=items, total=total, limit=limit, offset=offset)

    @get("/{plan_id:uuid}", operation_id="get_plan")
    async def get_plan(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal], plan_id: FromPath[UUID]
    ) -> schemas.Plan:
        plan, routes = await service.get_plan(db_session, principal=principal, plan_id=plan_id)
        return await _plan(db_session, principal, plan, routes)

    @post(
        "/{plan_id:uuid}/publish",
        operation_id="publish_plan",
        status_code=HTTP_200_OK,
        summary="Make this draft the day's live plan (its orders become planned)",
    )
    async def publish_plan(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal], plan_id: FromPath[UUID]
    ) -> schemas.Plan:
        await service.publish_plan(db_session, principal=principal, plan_id=plan_id)
        plan, routes = await service.get_plan(db_session, principal=principal, plan_id=plan_id)
        return await _plan(db_session, principal, plan, routes)


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
        items = [_route_summary(r) for r in rows]
        return Page(items=items, total=total, limit=limit, offset=offset)

    @post(
        "/{route_id:uuid}/withdraw",
        operation_id="withdraw_route",
        status_code=HTTP_200_OK,
        summary="Take a live route out (driver unavailable, vehicle broken down); its open stops are re-planned",
    )
    async def withdraw_route(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        route_id: FromPath[UUID],
        data: JSONBody[schemas.RouteWithdraw],
    ) -> schemas.RouteSummary:
        route = await service.withdraw_route(db_session, principal=principal, route_id=route_id, reason=data.reason)
        return _route_summary(route)

    @post(
        "/{route_id:uuid}/stops/{stop_id:uuid}/reassign",
        operation_id="reassign_stop",
        status_code=HTTP_200_OK,
        summary="Move an open stop (with its pair) to another live route of the day; re-plans keep it there",
    )
    async def reassign_stop(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        state: State,
        route_id: FromPath[UUID],
        stop_id: FromPath[UUID],
        data: JSONBody[schemas.StopReassign],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[schemas.StopReassigned]:
        replanner = state["replanner"]
        moved = await reassign.reassign_stop(
            db_session,
            principal=principal,
            route_id=route_id,
            stop_id=stop_id,
            to_route_id=data.to_route_id,
            now=replanner.clock(),
            travel=state["travel"],
            fallback=state["travel_fallback"],
            idempotency_key=idempotency_key,
        )
        body = schemas.StopReassigned(
            order_id=moved.order_id,
            stop_ids=moved.stop_ids,
            from_route=_route(moved.source),
            to_route=_route(moved.target),
            replayed=moved.replayed,
        )
        # the drivers' apps hear of it after the commit, as after any re-plan (the dispatch feed via the relay)
        background = (
            BackgroundTask(replanner.after_write, moved.event, moved.lines) if moved.event is not None else None
        )
        return Response(body, background=background)

    @get("/{route_id:uuid}", operation_id="get_route")
    async def get_route(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal], route_id: FromPath[UUID]
    ) -> schemas.Route:
        route = await service.get_route(db_session, principal=principal, route_id=route_id)
        return _route(route)


class DrivingController(Controller):
    """What a driver does on the road (the driver app and the simulator); staff may act for a driver."""

    path = "/api"
    tags = ["driving"]
    guards = [requires(Role.driver, *STAFF)]

    @get("/driver/route", operation_id="my_route", summary="The signed-in driver's live route (204 when none)")
    async def my_route(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> Response[schemas.Route | None]:
        route = await execution.todays_route(db_session, principal=principal)
        if route is None:
            return Response(None, status_code=HTTP_204_NO_CONTENT)
        return Response(_route(route))

    @get(
        "/driver/day",
        operation_id="my_day",
        summary="The signed-in driver's route with its orders, parcels and depot (what the app keeps offline)",
    )
    async def my_day(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> Response[schemas.DriverDay | None]:
        found = await execution.driver_day(db_session, principal=principal)
        if found is None:
            return Response(None, status_code=HTTP_204_NO_CONTENT)
        route, orders, depot = found
        return Response(
            schemas.DriverDay(
                route=_route(route),
                orders=[_driver_order(o) for o in sorted(orders, key=lambda o: str(o.id))],
                depot=schemas.Depot(name=depot.name, address=depot.address, lat=depot.lat, lon=depot.lon)
                if depot is not None
                else None,
                server_time=utcnow(),
            )
        )

    @get("/routes/{route_id:uuid}/stops", operation_id="route_stops", summary="A route with its stops")
    async def route_stops(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal], route_id: FromPath[UUID]
    ) -> schemas.Route:
        return _route(await execution.route_for_action(db_session, principal=principal, route_id=route_id))

    @post("/routes/{route_id:uuid}/start", operation_id="start_route", status_code=HTTP_200_OK)
    async def start_route(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        route_id: FromPath[UUID],
        data: JSONBody[schemas.RouteAction],
    ) -> schemas.Route:
        route = await execution.start_route(
            db_session, principal=principal, route_id=route_id, occurred_at=data.occurred_at
        )
        return _route(route)

    @post("/routes/{route_id:uuid}/finish", operation_id="finish_route", status_code=HTTP_200_OK)
    async def finish_route(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        route_id: FromPath[UUID],
        data: JSONBody[schemas.RouteAction],
    ) -> schemas.Route:
        route = await execution.finish_route(
            db_session, principal=principal, route_id=route_id, occurred_at=data.occurred_at
        )
        return _route(route)

    @post("/routes/{route_id:uuid}/stops/{stop_id:uuid}/arrive", operation_id="arrive_at_stop", status_code=HTTP_200_OK)
    async def arrive(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        route_id: FromPath[UUID],
        stop_id: FromPath[UUID],
        data: JSONBody[schemas.RouteAction],
    ) -> schemas.Route:
        route = await execution.arrive(
            db_session, principal=principal, route_id=route_id, stop_id=stop_id, occurred_at=data.occurred_at
        )
        return _route(route)

    @post(
        "/routes/{route_id:uuid}/stops/{stop_id:uuid}/complete",
        operation_id="complete_stop",
        status_code=HTTP_200_OK,
        summary="Delivered, or failed with a reason",
    )
    async def complete(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        route_id: FromPath[UUID],
        stop_id: FromPath[UUID],
        data: JSONBody[schemas.StopOutcome],
    ) -> schemas.Route:
        if data.outcome == "failed" and data.reason not in execution.FAILURE_REASONS:
            raise ValidationException(
                detail=f"A failed stop needs a reason, one of {', '.join(execution.FAILURE_REASONS)}"
            )
        route = await execution.complete_stop(
            db_session,
            principal=principal,
            route_id=route_id,
            stop_id=stop_id,
            outcome=data.outcome,
            reason=data.reason,
            occurred_at=data.occurred_at,
        )
        return _route(route)
