"""HTTP and websocket surface of stores: the counter's endpoints (staff of that store, or the office), the
store screen's live socket, and the customer's side of a pickup through their tracking link."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Response, WebSocket, get, post, put, websocket
from litestar.channels import ChannelsPlugin
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.auth import STAFF, requires
from backend.accounts.models import Role
from backend.accounts.principal import Principal
from backend.db.session import SESSION_FACTORY_KEY, transaction
from backend.events.socket import admit, sender
from backend.kit.clock import utcnow
from backend.kit.problems import NotFound
from backend.kit.qr import qr_svg
from backend.orders.models import Order, OrderStatus
from backend.proof import service as proof
from backend.settings import Settings
from backend.stores import schemas, service
from backend.stores.errors import StoreNotFound
from backend.stores.keeper import store_channel
from backend.stores.models import Pickup
from backend.tracking import service as tracking

COUNTER = (Role.store_staff, *STAFF)


def _store(store: Any) -> schemas.StoreView:
    return schemas.StoreView(
        id=store.id,
        name=store.name,
        address=store.address,
        lat=store.lat,
        lon=store.lon,
        opening_hours=store.opening_hours or {},
    )


def pickup_view(pickup: Pickup, order: Order) -> schemas.PickupView:
    return schemas.PickupView(
        order_id=order.id,
        reference=order.external_ref or str(order.id)[:8],
        status=order.status.value,
        recipient_name=order.recipient_name,
        recipient_phone=order.recipient_phone,
        shelf=pickup.shelf,
        code=pickup.code,
        parcels=[p.barcode for p in order.parcels],
        scanned=list(pickup.scanned),
        ready_at=pickup.ready_at,
        expires_at=pickup.expires_at,
        customer_arrived_at=pickup.customer_arrived_at,
        curbside=pickup.curbside,
        parking_note=pickup.parking_note,
        handed_over_at=pickup.handed_over_at,
        id_check_required=order.id_check_required,
        customer_distance_m=pickup.customer_distance_m,
    )


class StoreController(Controller):
    path = "/api/stores"
    tags = ["stores"]
    guards = [requires(*COUNTER)]

    @get("", operation_id="list_stores", summary="The stores the caller works at (every store for the office)")
    async def stores(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> list[schemas.StoreView]:
        return [_store(s) for s in await service.visible_stores(db_session, principal=principal)]

    @put(
        "/{store_id:uuid}/staff",
        operation_id="assign_store_staff",
        guards=[requires(Role.admin)],
        summary="Who works at this store (store_staff users; replaces the list)",
    )
    async def assign(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        store_id: FromPath[UUID],
        data: JSONBody[schemas.StaffAssignment],
    ) -> schemas.StaffAssignment:
        users = await service.assign_staff(db_session, principal=principal, store_id=store_id, user_ids=data.user_ids)
        return schemas.StaffAssignment(user_ids=users)

    @post(
        "/{store_id:uuid}/scan-in",
        operation_id="scan_in_parcel",
        status_code=HTTP_200_OK,
        summary="A parcel arrived at the store: put it on a shelf (the order is ready when all its parcels are in)",
    )
    async def scan_in(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        state: State,
        store_id: FromPath[UUID],
        data: JSONBody[schemas.ScanIn],
    ) -> schemas.PickupView:
        settings: Settings = state["settings"]
        pickup, order = await service.scan_in(
            db_session,
            principal=principal,
            store_id=store_id,
            barcode=data.barcode.strip(),
            shelf=data.shelf.strip(),
            hold_days=settings.pickup_hold_days,
        )
        return pickup_view(pickup, order)

    @get("/{store_id:uuid}/pickups", operation_id="list_pickups", summary="The counter's lists")
    async def pickups(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        store_id: FromPath[UUID],
        which: Annotated[
            service.PickupList,
            QueryParameter(name="list", description="waiting (ready), arrived (customer here), overdue, all"),
        ] = "waiting",
    ) -> list[schemas.PickupView]:
        rows = await service.list_pickups(db_session, principal=principal, store_id=store_id, which=which, now=utcnow())
        return [pickup_view(p, o) for p, o in rows]

    @post(
        "/{store_id:uuid}/pickups/lookup",
        operation_id="lookup_pickup",
        status_code=HTTP_200_OK,
        summary="The pickup behind a customer's QR or short code (404 unknown, 409 used or not ready)",
    )
    async def lookup(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        store_id: FromPath[UUID],
        data: JSONBody[schemas.CodeLookup],
    ) -> schemas.PickupView:
        pickup, order = await service.lookup(db_session, principal=principal, store_id=store_id, code=data.code)
        return pickup_view(pickup, order)

    @post(
        "/{store_id:uuid}/pickups/{order_id:uuid}/handover",
        operation_id="hand_over_pickup",
        status_code=HTTP_200_OK,
        summary="Hand the parcels over: picked_up, with a proof record (exactly one clerk succeeds)",
    )
    async def handover(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        store_id: FromPath[UUID],
        order_id: FromPath[UUID],
        data: JSONBody[schemas.Handover],
    ) -> schemas.PickupView:
        if data.signature is not None and await proof.missing_media(
            db_session, organization_id=principal.organization_id, hashes=[data.signature]
        ):
            raise NotFound("signature: upload it first with PUT /api/media/{sha256}")
        pickup, order = await service.hand_over(
            db_session,
            principal=principal,
            store_id=store_id,
            order_id=order_id,
            code=data.code,
            recipient_name=data.recipient_name,
            signature=data.signature,
            id_checked=data.id_checked,
        )
        return pickup_view(pickup, order)


@websocket("/ws/store/{store_id:uuid}", opt={"exclude_from_auth": False})
async def store_socket(
    socket: WebSocket[Any, Any, Any], channels: NamedDependency[ChannelsPlugin], store_id: FromPath[UUID]
) -> None:
    """A store's counter screen: every pickup event of this store, live (scan-ins, ready, arrivals, hand-overs)."""
    principal = await admit(socket, roles=COUNTER, who="store staff")
    if principal is None:
        return
    async with transaction(socket.app.state[SESSION_FACTORY_KEY]) as session:
        try:
            await service.require_store(session, principal=principal, store_id=store_id)
        except StoreNotFound:
            await socket.close(code=4404, reason="no such store")
            return
    async with (
        channels.start_subscription([store_channel(store_id)]) as subscriber,
        subscriber.run_in_background(sender(socket), join=False),
    ):
        await socket.send_json({"type": "ready", "seq": None, "data": {"channel": "store"}})
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                raw = await socket.receive_data(mode="text")
                if len(raw) > 1024:
                    await socket.close(code=1009, reason="frame too large")
                    return
                await socket.send_json({"type": "pong", "seq": None, "data": {}})


# -- the customer's side, through the tracking link (the token is the credential; rate limited with it)


async def _ready_order(db_session: AsyncSession, state: State, token: str) -> tuple[Order, Pickup]:
    settings: Settings = state["settings"]
    order = await tracking.resolve(db_session, token=token, ttl_s=settings.tracking_link_ttl_s, now=utcnow())
    pickup = await service.pickup_of(db_session, order_id=order.id)
    if pickup is None or order.status != OrderStatus.ready_for_pickup:
        raise NotFound("This order has no pickup code (yet): it is shown once the order is ready at the store")
    return order, pickup


@get(
    "/api/track/{token:str}/pickup-qr.svg",
    operation_id="pickup_qr",
    tags=["tracking"],
    media_type="image/svg+xml",
    response_headers={"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"},
    summary="The customer's pickup QR code (SVG), while the order waits at the store",
)
async def pickup_qr(state: State, db_session: NamedDependency[AsyncSession], token: FromPath[str]) -> Response[bytes]:
    _order, pickup = await _ready_order(db_session, state, token)
    svg = qr_svg(service.qr_payload(pickup.code))
    return Response(svg, media_type="image/svg+xml", headers={"X-Content-Type-Options": "nosniff"})


@post(
    "/api/track/{token:str}/here",
    operation_id="customer_here",
    tags=["tracking"],
    status_code=HTTP_200_OK,
    response_headers={"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"},
    summary="\"I'm here\": the store's screen shows the customer at once, so the parcel is fetched",
)
async def customer_here(
    state: State, db_session: NamedDependency[AsyncSession], token: FromPath[str], data: JSONBody[schemas.CustomerHere]
) -> dict[str, Any]:
    order, _pickup = await _ready_order(db_session, state, token)
    pickup = await service.customer_here(
        db_session,
        order=order,
        curbside=data.curbside,
        parking_note=(data.parking_note or "").strip() or None,
        position=(data.lat, data.lon) if data.lat is not None and data.lon is not None else None,
    )
    return {
        "arrived_at": pickup.customer_arrived_at,
        "curbside": pickup.curbside,
        "distance_m": pickup.customer_distance_m,
    }
