"""HTTP surface of notifications: the office's settings and delivery log (also the development outbox), and
the customer's Web Push subscription through their tracking link."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, post, put
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.auth import STAFF, requires
from backend.accounts.principal import Principal
from backend.kit.clock import utcnow
from backend.kit.pagination import DEFAULT_LIMIT, LimitParam, OffsetParam, Page
from backend.notifications import schemas, service, subscriptions
from backend.notifications.models import Notification, NotificationStatus
from backend.notifications.sender import NotificationSender
from backend.orders.models import Order
from backend.settings import Settings
from backend.tracking import service as tracking

SENDER_KEY = "notification_sender"
TRACK_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}

Endpoint = Annotated[
    str, QueryParameter(name="endpoint", min_length=1, max_length=1024, description="The browser's push endpoint")
]


def settings_view(effective: service.Effective, settings: Settings) -> schemas.NotificationSettings:
    row = effective.row
    return schemas.NotificationSettings(
        rules={rule: sorted(channels) for rule, channels in effective.rules.items()},
        quiet_start=effective.quiet_start,
        quiet_end=effective.quiet_end,
        sender_name=row.sender_name if row is not None else None,
        effective_sender_name=effective.sender_name,
        arriving_stops_away=effective.arriving_stops_away,
        arriving_within_min=effective.arriving_within_min,
        eta_change_min=effective.eta_change_min,
        timezone=effective.timezone,
        delivery=settings.notify_delivery,
        channels_available=sorted(service.available_channels(settings)),
    )


def notification_view(row: Notification) -> schemas.Notification:
    return schemas.Notification(
        id=row.id,
        order_id=row.order_id,
        event_id=row.event_id,
        rule=row.rule,
        channel=row.channel,
        recipient=row.recipient,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        sent_at=row.sent_at,
        created_at=row.created_at,
        subject=row.subject,
        body_text=row.body_text,
        body_html=row.body_html,
        link=row.link,
    )


class NotificationController(Controller):
    path = "/api/notifications"
    tags = ["notifications"]
    guards = [requires(*STAFF)]

    @get("/settings", operation_id="get_notification_settings", summary="Which notices go out, how and when")
    async def get_settings(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal], state: State
    ) -> schemas.NotificationSettings:
        settings: Settings = state["settings"]
        effective = await service.effective_settings(
            db_session, organization_id=principal.organization_id, settings=settings
        )
        return settings_view(effective, settings)

    @put(
        "/settings",
        operation_id="update_notification_settings",
        summary="Replace the settings: rules and their channels, quiet hours, sender name, thresholds",
    )
    async def update_settings(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        state: State,
        data: JSONBody[schemas.NotificationSettingsUpdate],
    ) -> schemas.NotificationSettings:
        settings: Settings = state["settings"]
        effective = await service.update_settings(db_session, principal=principal, data=data, settings=settings)
        return settings_view(effective, settings)

    @get(
        "",
        operation_id="list_notifications",
        summary="The delivery log, newest first (in outbox mode: every notice that would have gone out)",
    )
    async def list_notifications(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        limit: LimitParam = DEFAULT_LIMIT,
        offset: OffsetParam = 0,
        order_id: Annotated[UUID | None, QueryParameter(name="order_id", description="Only this order's")] = None,
        status: Annotated[
            NotificationStatus | None, QueryParameter(name="status", description="Only in this state")
        ] = None,
    ) -> Page[schemas.Notification]:
        rows, total = await service.list_notifications(
            db_session, principal=principal, order_id=order_id, status=status, limit=limit, offset=offset
        )
        return Page(items=[notification_view(r) for r in rows], total=total, limit=limit, offset=offset)

    @post(
        "/{notification_id:uuid}/retry",
        operation_id="retry_notification",
        status_code=HTTP_200_OK,
        summary="Send a failed or skipped notice again, now (409 for one that is queued or went out)",
    )
    async def retry(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        state: State,
        notification_id: FromPath[UUID],
    ) -> schemas.Notification:
        row = await service.retry(db_session, principal=principal, notification_id=notification_id, now=utcnow())
        sender: NotificationSender = state[SENDER_KEY]
        sender.wake()
        return notification_view(row)


# -- the customer's side, through the tracking link (the token is the credential; rate limited with it)


async def _order(db_session: AsyncSession, state: State, token: str) -> Order:
    settings: Settings = state["settings"]
    return await tracking.resolve(db_session, token=token, ttl_s=settings.tracking_link_ttl_s, now=utcnow())


@get(
    "/api/track/{token:str}/push",
    operation_id="push_status",
    tags=["notifications"],
    response_headers=TRACK_HEADERS,
    summary="What the tracking page needs to offer notices: the VAPID public key, and whether it is subscribed",
)
async def push_status(
    state: State,
    db_session: NamedDependency[AsyncSession],
    token: FromPath[str],
    endpoint: Annotated[
        str | None,
        QueryParameter(name="endpoint", max_length=1024, description="This browser's endpoint, if it has one"),
    ] = None,
) -> schemas.PushStatus:
    order = await _order(db_session, state, token)
    kept = await subscriptions.push_subscriptions(db_session, order=order)
    sender: NotificationSender = state[SENDER_KEY]
    subscribed = any(s.endpoint == endpoint for s in kept) if endpoint else bool(kept)
    return schemas.PushStatus(
        public_key=sender.vapid().public_key,
        subscribed=subscribed,
        subscriptions=len(kept),
        max_subscriptions=subscriptions.MAX_PUSH_SUBSCRIPTIONS,
    )


@post(
    "/api/track/{token:str}/push-subscriptions",
    operation_id="subscribe_push",
    tags=["notifications"],
    response_headers=TRACK_HEADERS,
    summary="Notices about this order in this browser: its PushSubscription JSON (201; 200 when already known)",
)
async def subscribe_push(
    state: State,
    db_session: NamedDependency[AsyncSession],
    token: FromPath[str],
    data: JSONBody[schemas.PushSubscriptionCreate],
) -> Response[schemas.PushSubscription]:
    settings: Settings = state["settings"]
    order = await _order(db_session, state, token)
    subscription, created = await subscriptions.subscribe(
        db_session, order=order, data=data, allow_local_http=settings.is_dev
    )
    view = schemas.PushSubscription(
        id=subscription.id, endpoint=subscription.endpoint, created_at=subscription.created_at
    )
    return Response(view, status_code=HTTP_201_CREATED if created else HTTP_200_OK)


@delete(
    "/api/track/{token:str}/push-subscriptions",
    operation_id="unsubscribe_push",
    tags=["notifications"],
    status_code=HTTP_204_NO_CONTENT,
    response_headers=TRACK_HEADERS,
    summary="No more notices in this browser (by its endpoint)",
)
async def unsubscribe_push(
    state: State, db_session: NamedDependency[AsyncSession], token: FromPath[str], endpoint: Endpoint
) -> None:
    order = await _order(db_session, state, token)
    await subscriptions.unsubscribe(db_session, order=order, endpoint=endpoint)
