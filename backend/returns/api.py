"""HTTP surface of returns: the customer's side through the tracking link (options, start, photo, QR), the
store's intake, and receipt with a disposition."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.auth import STAFF, requires
from backend.accounts.models import Role
from backend.accounts.principal import Principal
from backend.events import service as events
from backend.events.models import Event
from backend.inventory import service as inventory
from backend.kit.body import read_limited
from backend.kit.clock import utcnow
from backend.kit.problems import NotFound
from backend.kit.qr import qr_svg
from backend.orders import repository as orders_repository
from backend.orders.models import Order, OrderKind
from backend.orders.tracking import tracking_url
from backend.proof import service as proof
from backend.proof.api import MEDIA_STORE_KEY, Sha256
from backend.proof.schemas import MediaInfo
from backend.returns import schemas, service
from backend.returns.errors import ReturnNotAllowed
from backend.returns.models import ReturnRequest
from backend.settings import Settings
from backend.tracking import service as tracking

TRACK_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
MAX_CUSTOMER_PHOTO_BYTES = 8_388_608


def return_view(request: ReturnRequest, order: Order) -> schemas.ReturnView:
    return schemas.ReturnView(
        return_order_id=request.return_order_id,
        original_order_id=request.original_order_id,
        status=order.status.value,
        method=request.method,
        reason=request.reason,
        comment=request.comment,
        items=request.items,
        photos=list(request.photos),
        code=request.code,
        store_id=request.store_id,
        dropped_at=request.dropped_at,
        received_at=request.received_at,
        received_location_id=request.received_location_id,
        disposition=request.disposition,
        reference=order.external_ref,
        recipient_name=order.recipient_name,
        created_at=order.created_at,
    )


async def _order(db_session: AsyncSession, state: State, token: str) -> Order:
    settings: Settings = state["settings"]
    return await tracking.resolve(db_session, token=token, ttl_s=settings.tracking_link_ttl_s, now=utcnow())


@get(
    "/api/track/{token:str}/return-options",
    operation_id="return_options",
    tags=["returns"],
    response_headers=TRACK_HEADERS,
    summary="What the customer may return and how: the order's parcels and items, reasons, nearby stores",
)
async def return_options(
    state: State, db_session: NamedDependency[AsyncSession], token: FromPath[str]
) -> schemas.ReturnOptions:
    order = await _order(db_session, state, token)
    now = utcnow()
    why_not = service.returnable(order, now)
    parcels: list[str] = []
    items: list[schemas.ReturnItem] = []
    stores: list[schemas.StoreOption] = []
    if why_not is None:
        with_parcels = await orders_repository.get_order(
            db_session, organization_id=order.organization_id, order_id=order.id
        )
        parcels = [p.barcode for p in with_parcels.parcels] if with_parcels else []
        items = [
            schemas.ReturnItem(sku=code, quantity=quantity)
            for code, quantity in await inventory.order_lines(
                db_session, organization_id=order.organization_id, order_id=order.id
            )
        ]
        stores = [
            schemas.StoreOption(
                id=n.store.id,
                name=n.store.name,
                address=n.store.address,
                lat=n.store.lat,
                lon=n.store.lon,
                distance_m=round(n.distance_m),
                open_now=n.open_now,
                opening_hours=n.store.opening_hours or {},
            )
            for n in await service.nearby_stores(db_session, order=order, now=now)
        ]
    return schemas.ReturnOptions(
        returnable=why_not is None,
        why_not=why_not,
        parcels=parcels,
        items=items,
        reasons=list(schemas.REASONS),
        stores=stores,
    )


@post(
    "/api/track/{token:str}/returns",
    operation_id="start_return",
    tags=["returns"],
    status_code=HTTP_201_CREATED,
    response_headers=TRACK_HEADERS,
    summary="Start a return of a delivered order: a driver pickup in a window, or a drop-off at a store",
)
async def start_return(
    state: State, db_session: NamedDependency[AsyncSession], token: FromPath[str], data: JSONBody[schemas.ReturnStart]
) -> schemas.ReturnCreated:
    settings: Settings = state["settings"]
    order = await _order(db_session, state, token)
    if data.photos and await proof.missing_media(db_session, organization_id=order.organization_id, hashes=data.photos):
        raise NotFound("photos: upload each first with PUT /api/track/{token}/media/{sha256}")
    request, return_order = await service.start_return(
        db_session, order=order, data=data, secret_key=settings.secret_key, now=utcnow()
    )
    store_name = None
    if request.store_id is not None:
        from backend.places.models import Location

        store = await db_session.get(Location, request.store_id)
        store_name = store.name if store else None
    return schemas.ReturnCreated(
        return_order_id=return_order.id,
        tracking_url=tracking_url(settings.public_base_url, settings.secret_key, return_order.id),
        code=request.code,
        method=request.method,
        store_name=store_name,
    )


@put(
    "/api/track/{token:str}/media/{sha256:str}",
    operation_id="put_return_photo",
    tags=["returns"],
    status_code=HTTP_201_CREATED,
    request_max_body_size=None,
    response_headers=TRACK_HEADERS,
    summary="A photo for a return (JPEG, PNG or WebP under the SHA-256 of its bytes), while one may be started",
)
async def put_return_photo(
    request: Request[Any, Any, Any],
    state: State,
    db_session: NamedDependency[AsyncSession],
    token: FromPath[str],
    sha256: FromPath[Sha256],
) -> Response[MediaInfo]:
    order = await _order(db_session, state, token)
    why_not = service.returnable(order, utcnow())
    if why_not is not None:
        raise ReturnNotAllowed(why_not)
    uploaded = await db_session.scalar(
        select(func.count())
        .select_from(Event)
        .where(Event.organization_id == order.organization_id, Event.subject_id == order.id)
        .where(Event.type == "return.photo_uploaded")
    )
    if (uploaded or 0) >= service.MAX_CUSTOMER_PHOTOS:
        raise ReturnNotAllowed(f"At most {service.MAX_CUSTOMER_PHOTOS} photos can be added to this order's returns")
    data = await read_limited(request, MAX_CUSTOMER_PHOTO_BYTES, what="Photos")
    customer = Principal.system(order.organization_id)
    media, created = await proof.put_media(
        db_session, state[MEDIA_STORE_KEY], principal=customer, sha256=sha256, data=data
    )
    if created:
        events.record(
            db_session,
            organization_id=order.organization_id,
            type="return.photo_uploaded",
            subject_type="order",
            subject_id=order.id,
            actor="customer",
            payload={"sha256": sha256},
        )
    return Response(
        MediaInfo(
            sha256=media.sha256,
            content_type=media.content_type,
            size=media.size,
            width=media.width,
            height=media.height,
        ),
        status_code=HTTP_201_CREATED if created else HTTP_200_OK,
    )


@get(
    "/api/track/{token:str}/return-qr.svg",
    operation_id="return_qr",
    tags=["returns"],
    media_type="image/svg+xml",
    response_headers=TRACK_HEADERS,
    summary="The return's QR code for the store counter (on the return's own tracking link)",
)
async def return_qr(state: State, db_session: NamedDependency[AsyncSession], token: FromPath[str]) -> Response[bytes]:
    order = await _order(db_session, state, token)
    request = (
        await service.request_for(db_session, return_order_id=order.id) if order.kind == OrderKind.return_ else None
    )
    if request is None:
        raise NotFound("This link is not a return's")
    svg = qr_svg(service.QR_PREFIX + request.code)
    return Response(svg, media_type="image/svg+xml", headers={"X-Content-Type-Options": "nosniff"})


class ReturnController(Controller):
    path = "/api"
    tags = ["returns"]
    guards = [requires(Role.store_staff, *STAFF)]

    @get("/returns", operation_id="list_returns", summary="The receiving desk's lists of returns")
    async def list_returns(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        which: Annotated[service.ReturnList, QueryParameter(description="to_receive, on_the_way or decided")] = (
            "to_receive"
        ),
    ) -> list[schemas.ReturnView]:
        rows = await service.list_returns(db_session, principal=principal, which=which, now=utcnow())
        return [return_view(request, order) for request, order in rows]

    @post(
        "/stores/{store_id:uuid}/returns/intake",
        operation_id="return_intake",
        status_code=HTTP_200_OK,
        summary="A customer drops a return at the store: scan its QR (or type its code)",
    )
    async def intake(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        store_id: FromPath[UUID],
        data: JSONBody[schemas.StoreIntake],
    ) -> schemas.ReturnView:
        request, order = await service.store_intake(db_session, principal=principal, store_id=store_id, code=data.code)
        return return_view(request, order)

    @post(
        "/returns/{order_id:uuid}/receive",
        operation_id="receive_return",
        status_code=HTTP_200_OK,
        summary="Receive a return at a depot or store and decide: restock (back in stock there), repair, dispose",
    )
    async def receive(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        order_id: FromPath[UUID],
        data: JSONBody[schemas.ReturnReceive],
    ) -> schemas.ReturnView:
        request, order = await service.receive(
            db_session,
            principal=principal,
            return_order_id=order_id,
            location_id=data.location_id,
            disposition=data.disposition,
        )
        return return_view(request, order)
