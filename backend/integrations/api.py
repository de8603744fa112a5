"""HTTP surface of outbound webhooks (administrators): endpoints, their secrets, the delivery log, redelivery."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.auth import ADMIN, requires
from backend.accounts.principal import Principal
from backend.integrations import schemas, service
from backend.integrations.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from backend.integrations.sender import WebhookSender
from backend.kit.clock import utcnow
from backend.kit.pagination import DEFAULT_LIMIT, LimitParam, OffsetParam, Page

SENDER_KEY = "webhook_sender"


def endpoint_view(endpoint: WebhookEndpoint) -> schemas.Endpoint:
    rotating = endpoint.previous_secret_expires_at
    return schemas.Endpoint(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        event_types=list(endpoint.event_types),
        enabled=endpoint.enabled,
        disabled_at=endpoint.disabled_at,
        disabled_reason=endpoint.disabled_reason,
        consecutive_failures=endpoint.consecutive_failures,
        last_success_at=endpoint.last_success_at,
        created_at=endpoint.created_at,
        secret_rotating_until=rotating if rotating is not None and rotating > utcnow() else None,
    )


def delivery_view(delivery: WebhookDelivery) -> schemas.Delivery:
    return schemas.Delivery(
        id=delivery.id,
        endpoint_id=delivery.endpoint_id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        status=delivery.status,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
        give_up_at=delivery.give_up_at,
        last_attempt_at=delivery.last_attempt_at,
        last_status_code=delivery.last_status_code,
        last_error=delivery.last_error,
        delivered_at=delivery.delivered_at,
        created_at=delivery.created_at,
        body=delivery.body,
    )


class WebhookController(Controller):
    path = "/api/webhooks"
    tags = ["webhooks"]
    guards = [requires(*ADMIN)]

    @get("", operation_id="list_webhooks", summary="The organization's webhook endpoints")
    async def list_webhooks(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> list[schemas.Endpoint]:
        return [endpoint_view(e) for e in await service.list_endpoints(db_session, principal=principal)]

    @post(
        "",
        operation_id="create_webhook",
        status_code=HTTP_201_CREATED,
        summary="Register an endpoint; its signing secret is in this answer only",
    )
    async def create_webhook(
        self,
        state: State,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        data: JSONBody[schemas.EndpointCreate],
    ) -> schemas.EndpointCreated:
        sender: WebhookSender = state[SENDER_KEY]
        endpoint, secret = await service.create_endpoint(
            db_session, principal=principal, data=data, allow_private=sender.allow_private
        )
        return schemas.EndpointCreated(endpoint=endpoint_view(endpoint), secret=secret)

    @get("/{endpoint_id:uuid}", operation_id="get_webhook")
    async def get_webhook(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        endpoint_id: FromPath[UUID],
    ) -> schemas.Endpoint:
        return endpoint_view(await service.get_endpoint(db_session, principal=principal, endpoint_id=endpoint_id))

    @patch("/{endpoint_id:uuid}", operation_id="update_webhook", summary="Change the URL or events; re-enable")
    async def update_webhook(
        self,
        state: State,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        endpoint_id: FromPath[UUID],
        data: JSONBody[schemas.EndpointUpdate],
    ) -> schemas.Endpoint:
        sender: WebhookSender = state[SENDER_KEY]
        endpoint = await service.update_endpoint(
            db_session, principal=principal, endpoint_id=endpoint_id, data=data, allow_private=sender.allow_private
        )
        return endpoint_view(endpoint)

    @delete("/{endpoint_id:uuid}", operation_id="delete_webhook", status_code=HTTP_204_NO_CONTENT)
    async def delete_webhook(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        endpoint_id: FromPath[UUID],
    ) -> None:
        await service.delete_endpoint(db_session, principal=principal, endpoint_id=endpoint_id)

    @post(
        "/{endpoint_id:uuid}/rotate-secret",
        operation_id="rotate_webhook_secret",
        status_code=HTTP_201_CREATED,
        summary="A new signing secret; the old one keeps signing for 24 hours beside it",
    )
    async def rotate(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        endpoint_id: FromPath[UUID],
    ) -> schemas.SecretRotated:
        secret, until = await service.rotate_secret(
            db_session, principal=principal, endpoint_id=endpoint_id, now=utcnow()
        )
        return schemas.SecretRotated(secret=secret, previous_valid_until=until)

    @post(
        "/{endpoint_id:uuid}/ping",
        operation_id="ping_webhook",
        status_code=HTTP_202_ACCEPTED,
        summary="Queue a webhook.ping to this endpoint (see its delivery log for the outcome)",
    )
    async def ping(
        self,
        state: State,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        endpoint_id: FromPath[UUID],
    ) -> schemas.Delivery:
        sender: WebhookSender = state[SENDER_KEY]
        delivery = await service.ping(
            db_session, principal=principal, endpoint_id=endpoint_id, now=utcnow(), retry_window=sender.retry_window
        )
        return delivery_view(delivery)

    @get("/{endpoint_id:uuid}/deliveries", operation_id="list_webhook_deliveries", summary="The delivery log")
    async def deliveries(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        endpoint_id: FromPath[UUID],
        status: Annotated[list[DeliveryStatus] | None, QueryParameter(description="Only these statuses")] = None,
        limit: LimitParam = DEFAULT_LIMIT,
        offset: OffsetParam = 0,
    ) -> Page[schemas.Delivery]:
        rows, total = await service.list_deliveries(
            db_session, principal=principal, endpoint_id=endpoint_id, statuses=status or [], limit=limit, offset=offset
        )
        return Page(items=[delivery_view(d) for d in rows], total=total, limit=limit, offset=offset)

    @post(
        "/{endpoint_id:uuid}/deliveries/{delivery_id:uuid}/redeliver",
        operation_id="redeliver_webhook",
        status_code=HTTP_202_ACCEPTED,
        summary="Send a delivery again now (same body and event id)",
    )
    async def redeliver(
        self,
        state: State,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        endpoint_id: FromPath[UUID],
        delivery_id: FromPath[UUID],
    ) -> schemas.Delivery:
        sender: WebhookSender = state[SENDER_KEY]
        delivery = await service.redeliver(
            db_session,
            principal=principal,
            endpoint_id=endpoint_id,
            delivery_id=delivery_id,
            now=utcnow(),
            retry_window=sender.retry_window,
        )
        return delivery_view(delivery)
