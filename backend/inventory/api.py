"""HTTP surface of the inventory domain: SKUs, stock levels, the movement ledger, receipts, adjustments,
transfers, low-stock thresholds and CSV import/export. Admins and dispatchers change stock; store staff read it."""

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

from backend.accounts.auth import STAFF, requires
from backend.accounts.models import Role
from backend.accounts.principal import Principal
from backend.inventory import importing, schemas, service
from backend.inventory.models import MovementKind, Sku, StockLevel, StockMovement
from backend.kit.body import read_limited
from backend.kit.pagination import DEFAULT_LIMIT, LimitParam, OffsetParam, Page
from backend.settings import Settings

READERS = (*STAFF, Role.store_staff)
SETTINGS_KEY = "settings"
CSV_TYPES = ("text/csv", "application/csv", "text/plain")

SkuFilter = Annotated[
    str | None, QueryParameter(name="sku", min_length=1, max_length=64, description="Only this SKU code")
]
LocationFilter = Annotated[UUID | None, QueryParameter(name="location_id", description="Only this location")]


def sku_view(sku: Sku) -> schemas.Sku:
    return schemas.Sku(
        id=sku.id,
        code=sku.code,
        name=sku.name,
        barcode=sku.barcode,
        created_at=sku.created_at,
        updated_at=sku.updated_at,
    )


def level_view(level: StockLevel) -> schemas.StockLevel:
    threshold = level.low_stock_threshold
    return schemas.StockLevel(
        id=level.id,
        location_id=level.location_id,
        location_name=level.location.name,
        sku_id=level.sku_id,
        sku=level.sku.code,
        sku_name=level.sku.name,
        on_hand=level.on_hand,
        reserved=level.reserved,
        available=level.available,
        low_stock_threshold=threshold,
        low=threshold is not None and level.available < threshold,
        updated_at=level.updated_at,
    )


def movement_view(movement: StockMovement) -> schemas.Movement:
    return schemas.Movement(
        id=movement.id,
        kind=movement.kind,
        location_id=movement.location_id,
        sku_id=movement.sku_id,
        sku=movement.sku.code,
        on_hand_delta=movement.on_hand_delta,
        reserved_delta=movement.reserved_delta,
        reason=movement.reason,
        order_id=movement.order_id,
        transfer_id=movement.transfer_id,
        actor=movement.actor,
        occurred_at=movement.occurred_at,
    )


class SkuController(Controller):
    path = "/api/skus"
    tags = ["inventory"]
    guards = [requires(*READERS)]

    @get("", operation_id="list_skus")
    async def list_skus(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        limit: LimitParam = DEFAULT_LIMIT,
        offset: OffsetParam = 0,
        q: Annotated[
            str | None, QueryParameter(name="q", max_length=100, description="Search code and name; exact barcode")
        ] = None,
    ) -> Page[schemas.Sku]:
        rows, total = await service.list_skus(db_session, principal=principal, search=q, limit=limit, offset=offset)
        return Page(items=[sku_view(r) for r in rows], total=total, limit=limit, offset=offset)

    @post("", operation_id="create_sku", guards=[requires(*STAFF)], status_code=HTTP_201_CREATED)
    async def create_sku(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        data: JSONBody[schemas.SkuCreate],
    ) -> schemas.Sku:
        return sku_view(await service.create_sku(db_session, principal=principal, data=data))

    @get("/{sku_id:uuid}", operation_id="get_sku")
    async def get_sku(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal], sku_id: FromPath[UUID]
    ) -> schemas.Sku:
        return sku_view(await service.get_sku(db_session, organization_id=principal.organization_id, sku_id=sku_id))

    @patch("/{sku_id:uuid}", operation_id="update_sku", guards=[requires(*STAFF)])
    async def update_sku(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        sku_id: FromPath[UUID],
        data: JSONBody[schemas.SkuUpdate],
    ) -> schemas.Sku:
        return sku_view(await service.update_sku(db_session, principal=principal, sku_id=sku_id, data=data))


class StockController(Controller):
    path = "/api/stock"
    tags = ["inventory"]
    guards = [requires(*READERS)]

    @get("", operation_id="list_stock", summary="Stock levels: on hand, reserved, available, by location and SKU")
    async def list_stock(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        limit: LimitParam = DEFAULT_LIMIT,
        offset: OffsetParam = 0,
        location_id: LocationFilter = None,
        sku: SkuFilter = None,
        low: Annotated[bool, QueryParameter(name="low", description="Only levels below their threshold")] = False,
    ) -> Page[schemas.StockLevel]:
        rows, total = await service.list_levels(
            db_session,
            principal=principal,
            location_id=location_id,
            sku_code=sku,
            low_only=low,
            limit=limit,
            offset=offset,
        )
        return Page(items=[level_view(r) for r in rows], total=total, limit=limit, offset=offset)

    @get("/movements", operation_id="list_stock_movements", summary="The movement ledger, newest first")
    async def list_movements(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        limit: LimitParam = DEFAULT_LIMIT,
        offset: OffsetParam = 0,
        location_id: LocationFilter = None,
        sku: SkuFilter = None,
        order_id: Annotated[UUID | None, QueryParameter(name="order_id")] = None,
        transfer_id: Annotated[UUID | None, QueryParameter(name="transfer_id")] = None,
        kind: Annotated[MovementKind | None, QueryParameter(name="kind")] = None,
    ) -> Page[schemas.Movement]:
        rows, total = await service.list_movements(
            db_session,
            principal=principal,
            location_id=location_id,
            sku_code=sku,
            order_id=order_id,
            transfer_id=transfer_id,
            kind=kind,
            limit=limit,
            offset=offset,
        )
        return Page(items=[movement_view(r) for r in rows], total=total, limit=limit, offset=offset)

    @post(
        "/receipts",
        operation_id="create_stock_receipt",
        guards=[requires(*STAFF)],
        status_code=HTTP_201_CREATED,
        summary="Goods in at a location: on hand + quantity",
    )
    async def create_receipt(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        data: JSONBody[schemas.ReceiptCreate],
    ) -> schemas.StockLevel:
        level = await service.receive(
            db_session,
            principal=principal,
            location_id=data.location_id,
            sku_code=data.sku,
            quantity=data.quantity,
            reason=data.reason,
        )
        return level_view(level)

    @post(
        "/adjustments",
        operation_id="create_stock_adjustment",
        guards=[requires(*STAFF)],
        status_code=HTTP_201_CREATED,
        summary="Correct on hand by a signed delta, with a reason (409 if it would take reserved units)",
    )
    async def create_adjustment(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        data: JSONBody[schemas.AdjustmentCreate],
    ) -> schemas.StockLevel:
        level = await service.adjust(
            db_session,
            principal=principal,
            location_id=data.location_id,
            sku_code=data.sku,
            delta=data.delta,
            reason=data.reason,
        )
        return level_view(level)

    @post(
        "/transfers",
        operation_id="create_stock_transfer",
        guards=[requires(*STAFF)],
        status_code=HTTP_201_CREATED,
        summary="Move available units between locations (409 names stores that have them when short)",
    )
    async def create_transfer(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        data: JSONBody[schemas.TransferCreate],
    ) -> schemas.Transfer:
        done = await service.transfer(
            db_session,
            principal=principal,
            from_location_id=data.from_location_id,
            to_location_id=data.to_location_id,
            sku_code=data.sku,
            quantity=data.quantity,
            reason=data.reason,
        )
        return schemas.Transfer(
            transfer_id=done.transfer_id, source=level_view(done.source), destination=level_view(done.destination)
        )

    @patch(
        "/levels/{location_id:uuid}/{sku:str}",
        operation_id="update_stock_threshold",
        guards=[requires(*STAFF)],
        summary="Set or clear the low-stock threshold of one SKU at one location",
    )
    async def update_threshold(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        location_id: FromPath[UUID],
        sku: FromPath[str],
        data: JSONBody[schemas.ThresholdUpdate],
    ) -> schemas.StockLevel:
        level = await service.set_threshold(
            db_session,
            principal=principal,
            location_id=location_id,
            sku_code=sku,
            threshold=data.low_stock_threshold,
        )
        return level_view(level)

    @get(
        "/export.csv",
        operation_id="export_stock",
        media_type="text/csv",
        summary="Every stock level as CSV, in the columns the import reads",
    )
    async def export_stock(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        location_id: LocationFilter = None,
    ) -> Response[str]:
        levels, _ = await service.list_levels(db_session, principal=principal, location_id=location_id)
        return Response(
            importing.export_csv(levels),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="stock.csv"'},
        )

    @post(
        "/import",
        operation_id="import_stock",
        guards=[requires(*STAFF)],
        status_code=HTTP_200_OK,
        request_max_body_size=None,  # read_limited enforces DOORSTEP_MAX_IMPORT_BYTES while streaming
        summary="Set stock from a CSV count (text/csv): location,sku,on_hand[,low_stock_threshold]",
        description=importing.__doc__,
    )
    async def import_stock(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        state: State,
        partial: Annotated[
            bool, QueryParameter(name="partial", description="Import the valid rows, report the rest")
        ] = False,
    ) -> schemas.StockImportResult:
        settings: Settings = state[SETTINGS_KEY]
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in CSV_TYPES:
            raise ClientException(
                status_code=415,
                detail="Send the file as text/csv (curl --data-binary @stock.csv -H 'Content-Type: text/csv')",
            )
        body = await read_limited(request, settings.max_import_bytes, what="Imports")
        raw_rows, with_thresholds = importing.read_rows(body, max_rows=settings.max_import_rows)
        return await importing.import_stock(
            db_session, principal=principal, raw_rows=raw_rows, with_thresholds=with_thresholds, partial=partial
        )
