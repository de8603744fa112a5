"""HTTP surface of tracking: drivers' position batches, the dispatch map's latest positions, and the
customer's tracking link (public: the 128-bit token is the credential; rate limited per client address)."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, patch, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.auth import STAFF, requires
from backend.accounts.models import Role
from backend.accounts.principal import Principal
from backend.kit.clock import utcnow
from backend.settings import Settings
from backend.tracking import schemas, service
from backend.tracking.ingest import IngestResult, PositionBatch
from backend.tracking.live import LiveTracker

TRACKER_KEY = "tracker"
TRACK_PREFIX = "/api/track/"


def tracking_rate_limit(settings: Settings) -> RateLimitConfig:
    """Tracking-link lookups per client address (a guessing run gets 429s long before a hit); its own store, so
    customers and logins never share a budget."""
    return RateLimitConfig(
        rate_limit=("minute", settings.tracking_rate_limit_per_minute),
        store="tracking_rate_limit",
        check_throttle_handler=lambda request: request.url.path.startswith(TRACK_PREFIX),
    )


class PositionController(Controller):
    path = "/api/positions"
    tags = ["tracking"]

    @post(
        "",
        operation_id="send_positions",
        status_code=HTTP_200_OK,
        guards=[requires(Role.driver)],
        summary="A batch of up to 1,000 positions (an offline phone's backfill), placed by device time",
    )
    async def send_positions(
        self, principal: NamedDependency[Principal], state: State, data: JSONBody[PositionBatch]
    ) -> IngestResult:
        tracker: LiveTracker = state[TRACKER_KEY]
        return await tracker.ingest(principal, data.points)

    @get(
        "/latest",
        operation_id="latest_positions",
        guards=[requires(*STAFF)],
        summary="Every driver's last position (the last hour), for a dispatch map that just opened",
    )
    async def latest(self, principal: NamedDependency[Principal], state: State) -> list[schemas.LatestPosition]:
        tracker: LiveTracker = state[TRACKER_KEY]
        return [
            msgspec.convert(entry, schemas.LatestPosition)
            for entry in await tracker.latest_positions(principal.organization_id)
        ]


class TrackingController(Controller):
    path = "/api/track"
    tags = ["tracking"]

    @get(
        "/{token:str}",
        operation_id="track_order",
        summary="The customer's view of one delivery: status, ETA window, stops away, the driver while next",
        response_headers={"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"},
    )
    async def track(
        self, db_session: NamedDependency[AsyncSession], state: State, token: FromPath[str]
    ) -> schemas.TrackingView:
        settings: Settings = state["settings"]
        order = await service.resolve(db_session, token=token, ttl_s=settings.tracking_link_ttl_s, now=utcnow())
        return await service.tracking_view(
            db_session, order=order, ttl_s=settings.tracking_link_ttl_s, tracker=state[TRACKER_KEY]
        )

    @patch(
        "/{token:str}",
        operation_id="update_delivery_instructions",
        summary="The customer's delivery instructions (until the order is out for delivery; 409 after)",
        response_headers={"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"},
    )
    async def update(
        self,
        db_session: NamedDependency[AsyncSession],
        state: State,
        token: FromPath[str],
        data: JSONBody[schemas.InstructionsUpdate],
    ) -> schemas.TrackingView:
        settings: Settings = state["settings"]
        order = await service.resolve(db_session, token=token, ttl_s=settings.tracking_link_ttl_s, now=utcnow())
        order = await service.update_instructions(db_session, order_id=order.id, instructions=data.instructions)
        return await service.tracking_view(
            db_session, order=order, ttl_s=settings.tracking_link_ttl_s, tracker=state[TRACKER_KEY]
        )
