"""HTTP surface of the orders domain: CRUD, lifecycle transitions, history and import."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import ClientException
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts import service as accounts
from backend.accounts.auth import STAFF, requires
from backend.accounts.principal import Principal
from backend.inventory import service as inventory
from backend.kit.body import read_limited
from backend.kit.idempotency import IdempotencyKey
from backend.kit.pagination import DEFAULT_LIMIT, LimitParam, OffsetParam, Page
from backend.orders import importing, lifecycle, schemas, service
from backend.orders.models import Order, OrderKind, OrderStatus
from backend.orders.tracking import tracking_url
from backend.settings import Settings

SETTINGS_KEY = "settings"


async def stock_lines(session: AsyncSession, order: Order) -> list[schemas.OrderLine]:
    """What a store pickup takes from its store's stock (other kinds carry no lines)."""
    if order.kind is not OrderKind.store_pickup:
        return []
    lines = await inventory.order_lines(session, organization_id=order.organization_id, order_id=order.id)
    return [schemas.OrderLine(sku=code, quantity=quantity) for code, quantity in lines]


def order_view(order: Order, settings: Settings, lines: list[schemas.OrderLine] | None = None) -> schemas.Order:
    return schemas.Order(
        id=order.id,
        kind=order.kind,
        status=order.status,
        allowed_transitions=sorted(lifecycle.allowed(order.kind, order.status)),
        external_ref=order.external_ref,
        recipient_name=order.recipient_name,
        recipient_phone=order.recipient_phone,
        recipient_email=order.recipient_email,
        address=order.address,
        lat=order.lat,
        lon=order.lon,
        window_start_at=order.window_start_at,
        window_end_at=order.window_end_at,
        service_s=order.service_s,
        weight_kg=order.weight_kg,
        volume_l=order.volume_l,
        parcel_count=order.parcel_count,
        priority=order.priority,
        required_skills=list(order.required_skills),
        notes=order.notes,
        geofence_radius_m=order.geofence_radius_m,
        store_id=order.store_id,
        id_check_required=order.id_check_required,
        carrier_id=order.carrier_id,
        parcels=[schemas.Parcel(id=p.id, barcode=p.barcode, weight_kg=p.weight_kg) for p in order.parcels],
        tracking_url=tracking_url(settings.public_base_url, settings.secret_key, order.id),
        created_at=order.created_at,
        updated_at=order.updated_at,
        lines=lines or [],
    )


def _summary(order: Order) -> schemas.OrderSummary:
    return schemas.OrderSummary(
        id=order.id,
        kind=order.kind,
        status=order.status,
        external_ref=order.external_ref,
        recipient_name=order.recipient_name,
        address=order.address,
        lat=order.lat,
        lon=order.lon,
        window_start_at=order.window_start_at,
        window_end_at=order.window_end_at,
        parcel_count=order.parcel_count,
        priority=order.priority,
        created_at=order.created_at,
    )


class OrderController(Controller):
    path = "/api/orders"
    tags = ["orders"]
    guards = [requires(*STAFF)]

    @get("", operation_id="list_orders")
    async def list_orders(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        limit: LimitParam = DEFAULT_LIMIT,
        offset: OffsetParam = 0,
        status: Annotated[OrderStatus | None, QueryParameter(name="status")] = None,
        kind: Annotated[OrderKind | None, QueryParameter(name="kind")] = None,
        q: Annotated[
            str | None, QueryParameter(name="q", max_length=100, description="Search name, address, reference")
        ] = None,
    ) -> Page[schemas.OrderSummary]:
        rows, total = await service.list_orders(
            db_session, principal=principal, status=status, kind=kind, search=q, limit=limit, offset=offset
        )
        return Page(items=[_summary(r) for r in rows], total=total, limit=limit, offset=offset)

    @post("", operation_id="create_order", status_code=HTTP_201_CREATED)
    async def create_order(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        state: State,
        data: JSONBody[schemas.OrderCreate],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[schemas.Order]:
        settings: Settings = state[SETTINGS_KEY]
        organization = await accounts.get_organization(db_session, organization_id=principal.organization_id)
        created = await service.create_order(
            db_session,
            principal=principal,
            organization=organization,
            data=data,
            secret_key=settings.secret_key,
            idempotency_key=idempotency_key,
        )
        return Response(
            order_view(created.order, settings, await stock_lines(db_session, created.order)),
            status_code=HTTP_200_OK if created.replayed else HTTP_201_CREATED,
        )

    @get("/{order_id:uuid}", operation_id="get_order")
    async def get_order(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        state: State,
        order_id: FromPath[UUID],
    ) -> schemas.Order:
        order = await service.get_order(db_session, principal=principal, order_id=order_id)
        return order_view(order, state[SETTINGS_KEY], await stock_lines(db_session, order))

    @patch("/{order_id:uuid}", operation_id="update_order")
    async def update_order(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        state: State,
        order_id: FromPath[UUID],
        data: JSONBody[schemas.OrderUpdate],
    ) -> schemas.Order:
        organization = await accounts.get_organization(db_session, organization_id=principal.organization_id)
        order = await service.update_order(
            db_session, principal=principal, organization=organization, order_id=order_id, data=data
        )
        return order_view(order, state[SETTINGS_KEY], await stock_lines(db_session, order))

    @post(
        "/{order_id:uuid}/transitions",
        operation_id="transition_order",
        status_code=HTTP_200_OK,
        summary="Move the order to another state (409 names the current state and the allowed ones)",
    )
    async def transition_order(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        state: State,
        order_id: FromPath[UUID],
        data: JSONBody[schemas.TransitionRequest],
    ) -> schemas.Order:
        order = await service.transition(
            db_session,
            principal=principal,
            order_id=order_id,
            to=data.to,
            reason=data.reason,
            occurred_at=data.occurred_at,
        )
        order = await service.get_order(db_session, principal=principal, order_id=order.id)
        return order_view(order, state[SETTINGS_KEY], await stock_lines(db_session, order))

    @get("/{order_id:uuid}/events", operation_id="list_order_events", summary="The order's history, oldest first")
    async def list_order_events(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal], order_id: FromPath[UUID]
    ) -> list[schemas.OrderEvent]:
        rows = await service.order_events(db_session, principal=principal, order_id=order_id)
        return [
            schemas.OrderEvent(
                id=e.id,
                type=e.type,
                payload=e.payload,
                actor=e.actor,
                occurred_at=e.occurred_at,
                recorded_at=e.recorded_at,
            )
            for e in rows
        ]

    @post(
        "/import",
        operation_id="import_orders",
        status_code=HTTP_200_OK,
        request_max_body_size=None,  # read_limited enforces DOORSTEP_MAX_IMPORT_BYTES while streaming
        summary="Import orders from CSV (text/csv) or a JSON array (application/json)",
        description=importing.__doc__,
    )
    async def import_orders(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        state: State,
        partial: Annotated[
            bool, QueryParameter(name="partial", description="Import the valid rows, report the rest")
        ] = False,
    ) -> schemas.ImportResult:
        settings: Settings = state[SETTINGS_KEY]
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in ("text/csv", "application/csv", "text/plain", "application/json"):
            raise ClientException(
                status_code=415,
                detail=(
                    "Send the file as text/csv or application/json "
                    "(curl --data-binary @orders.csv -H 'Content-Type: text/csv')"
                ),
            )
        body = await read_limited(request, settings.max_import_bytes, what="Imports")
        raw_rows = importing.read_rows(body, content_type, max_rows=settings.max_import_rows)
        organization = await accounts.get_organization(db_session, organization_id=principal.organization_id)
        return await importing.import_orders(
            db_session,
            principal=principal,
            organization=organization,
            raw_rows=raw_rows,
            partial=partial,
            secret_key=settings.secret_key,
        )
