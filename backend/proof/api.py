"""HTTP surface of proof of delivery: media uploads by content hash, media downloads (staff, the uploading
driver, and the customer's tracking link once delivered), and the proof records of an order."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, put
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, Parameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.auth import STAFF, requires
from backend.accounts.models import Role
from backend.accounts.principal import Principal
from backend.kit.body import read_limited
from backend.kit.clock import utcnow
from backend.orders import service as orders
from backend.proof import schemas, service
from backend.proof.errors import MediaNotFound
from backend.proof.models import Media, Proof
from backend.settings import Settings
from backend.tracking import service as tracking

MEDIA_STORE_KEY = "media_store"
Sha256 = Annotated[str, Parameter(pattern="^[0-9a-f]{64}$", description="Lowercase hex SHA-256 of the bytes")]


def _info(media: Media) -> schemas.MediaInfo:
    return schemas.MediaInfo(
        sha256=media.sha256, content_type=media.content_type, size=media.size, width=media.width, height=media.height
    )


def image_response(media: Media, data: bytes) -> Response[bytes]:
    return Response(
        data,
        media_type=media.content_type,
        headers={
            "Content-Disposition": f'inline; filename="{media.sha256[:16]}.{media.content_type.split("/")[1]}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=86400, immutable",
        },
    )


def proof_out(proof: Proof) -> schemas.ProofOut:
    return schemas.ProofOut(
        id=proof.id,
        order_id=proof.order_id,
        route_id=proof.route_id,
        stop_id=proof.stop_id,
        driver_id=proof.driver_id,
        kind=proof.kind.value,
        status=proof.status.value,
        conflict_reason=proof.conflict_reason,
        recipient_name=proof.recipient_name,
        reason=proof.reason,
        note=proof.note,
        photos=list(proof.photos),
        signature=proof.signature,
        barcode=proof.barcode,
        condition=proof.condition,
        lat=proof.lat,
        lon=proof.lon,
        accuracy_m=proof.accuracy_m,
        occurred_at=proof.occurred_at,
        recorded_at=proof.recorded_at,
    )


class MediaController(Controller):
    path = "/api/media"
    tags = ["proof"]
    guards = [requires(*STAFF, Role.driver, Role.store_staff)]

    @put(
        "/{sha256:str}",
        operation_id="put_media",
        status_code=HTTP_201_CREATED,
        request_max_body_size=None,  # read_limited enforces DOORSTEP_MAX_MEDIA_BYTES while streaming
        summary="Upload a photo or signature (JPEG, PNG or WebP) under the SHA-256 of its bytes; again is harmless",
    )
    async def put_media(
        self,
        request: Request[Any, Any, Any],
        state: State,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        sha256: FromPath[Sha256],
    ) -> Response[schemas.MediaInfo]:
        settings: Settings = state["settings"]
        data = await read_limited(request, settings.max_media_bytes, what="Photos")
        media, created = await service.put_media(
            db_session, state[MEDIA_STORE_KEY], principal=principal, sha256=sha256, data=data
        )
        return Response(_info(media), status_code=HTTP_201_CREATED if created else HTTP_200_OK)

    @get("/{sha256:str}", operation_id="get_media", summary="A stored photo or signature", media_type="image/*")
    async def get_media(
        self,
        state: State,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        sha256: FromPath[Sha256],
    ) -> Response[bytes]:
        media, data = await service.read_media(
            db_session, state[MEDIA_STORE_KEY], organization_id=principal.organization_id, sha256=sha256
        )
        if principal.role in (Role.driver, Role.store_staff) and media.uploaded_by != principal.user_id:
            raise MediaNotFound()
        return image_response(media, data)


class ProofController(Controller):
    path = "/api"
    tags = ["proof"]
    guards = [requires(*STAFF)]

    @get("/orders/{order_id:uuid}/proofs", operation_id="order_proofs", summary="An order's proof records")
    async def order_proofs(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal], order_id: FromPath[UUID]
    ) -> list[schemas.ProofOut]:
        await orders.get_order(db_session, principal=principal, order_id=order_id)  # 404 across organizations
        proofs = await service.proofs_for_order(
            db_session, organization_id=principal.organization_id, order_id=order_id
        )
        return [proof_out(p) for p in proofs]

    @get("/proofs", operation_id="recent_proofs", summary="The latest proofs of delivery, newest first")
    async def recent(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> list[schemas.RecentProof]:
        rows = await service.recent(db_session, organization_id=principal.organization_id, limit=limit)
        return [
            schemas.RecentProof(
                proof=proof_out(proof),
                order_reference=(order.external_ref or str(order.id)[:8]) if order else None,
                recipient_name=order.recipient_name if order else None,
                address=order.address if order else None,
            )
            for proof, order in rows
        ]

    @get("/proofs/conflicts", operation_id="proof_conflicts", summary="Proofs kept from refused driver actions")
    async def conflicts(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> list[schemas.ProofOut]:
        proofs = await service.conflicts(db_session, organization_id=principal.organization_id)
        return [proof_out(p) for p in proofs]


@get(
    "/api/track/{token:str}/media/{sha256:str}",
    operation_id="tracking_media",
    tags=["tracking"],
    response_headers={"Referrer-Policy": "no-referrer"},
    summary="A delivery photo or signature, for the customer's tracking link once delivered",
)
async def tracking_media(
    state: State, db_session: NamedDependency[AsyncSession], token: FromPath[str], sha256: FromPath[Sha256]
) -> Response[bytes]:
    settings: Settings = state["settings"]
    order = await tracking.resolve(db_session, token=token, ttl_s=settings.tracking_link_ttl_s, now=utcnow())
    delivered = await service.delivered_proof(db_session, order=order)
    if delivered is None or sha256 not in (*delivered.photos, delivered.signature):
        raise MediaNotFound()
    media, data = await service.read_media(
        db_session, state[MEDIA_STORE_KEY], organization_id=order.organization_id, sha256=sha256
    )
    return image_response(media, data)
