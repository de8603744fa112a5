"""HTTP surface of carrier collaboration: the shipper's carriers, rules and assignments (office), and the
carrier's own view of the orders given to it with its idempotent status updates (carrier users and API keys)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post, put
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.auth import ADMIN, STAFF, requires
from backend.accounts.principal import Principal
from backend.carriers import schemas, service
from backend.carriers.models import CarrierLink, CarrierRule
from backend.kit.pagination import DEFAULT_LIMIT, LimitParam, OffsetParam, Page
from backend.kit.validation import FieldInvalid
from backend.orders.models import OrderStatus
from backend.proof.api import MEDIA_STORE_KEY

MAX_KEY = 200


def link_view(link: CarrierLink) -> schemas.Link:
    return schemas.Link(
        id=link.id, carrier_id=link.carrier_id, name=link.name, active=link.active, created_at=link.created_at
    )


def rule_view(rule: CarrierRule) -> schemas.Rule:
    return schemas.Rule(
        id=rule.id,
        link_id=rule.link_id,
        zone_id=rule.zone_id,
        max_weight_kg=rule.max_weight_kg,
        weekdays=list(rule.weekdays),
        position=rule.position,
    )


class CarrierLinkController(Controller):
    path = "/api/carriers"
    tags = ["carriers"]
    guards = [requires(*STAFF)]

    @get("", operation_id="list_carriers", summary="The carriers this organization gives orders to")
    async def list_links(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> list[schemas.Link]:
        return [link_view(link) for link in await service.list_links(db_session, principal=principal)]

    @post("", operation_id="add_carrier", status_code=HTTP_201_CREATED, guards=[requires(*ADMIN)])
    async def add_link(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        data: JSONBody[schemas.LinkCreate],
    ) -> schemas.Link:
        return link_view(await service.create_link(db_session, principal=principal, data=data))

    @get("/{link_id:uuid}", operation_id="get_carrier")
    async def get_link(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal], link_id: FromPath[UUID]
    ) -> schemas.Link:
        return link_view(await service.get_link(db_session, principal=principal, link_id=link_id))

    @delete(
        "/{link_id:uuid}", operation_id="remove_carrier", status_code=HTTP_204_NO_CONTENT, guards=[requires(*ADMIN)]
    )
    async def remove_link(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal], link_id: FromPath[UUID]
    ) -> None:
        await service.delete_link(db_session, principal=principal, link_id=link_id)

    @get("/{link_id:uuid}/rules", operation_id="list_carrier_rules")
    async def list_rules(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal], link_id: FromPath[UUID]
    ) -> list[schemas.Rule]:
        return [rule_view(r) for r in await service.list_rules(db_session, principal=principal, link_id=link_id)]

    @post(
        "/{link_id:uuid}/rules",
        operation_id="add_carrier_rule",
        status_code=HTTP_201_CREATED,
        summary="New orders matching this rule (zone, weight, weekdays) go to the carrier",
    )
    async def add_rule(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        link_id: FromPath[UUID],
        data: JSONBody[schemas.RuleCreate],
    ) -> schemas.Rule:
        return rule_view(await service.add_rule(db_session, principal=principal, link_id=link_id, data=data))

    @delete("/{link_id:uuid}/rules/{rule_id:uuid}", operation_id="remove_carrier_rule", status_code=HTTP_204_NO_CONTENT)
    async def remove_rule(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        link_id: FromPath[UUID],
        rule_id: FromPath[UUID],
    ) -> None:
        await service.delete_rule(db_session, principal=principal, link_id=link_id, rule_id=rule_id)

    @put(
        "/assignments/{order_id:uuid}",
        operation_id="assign_carrier",
        status_code=HTTP_200_OK,
        summary="Give an unplanned delivery to a carrier (link_id), or take it back (null)",
    )
    async def assign(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        order_id: FromPath[UUID],
        data: JSONBody[schemas.Assignment],
    ) -> schemas.AssignmentView:
        order = await service.assign(db_session, principal=principal, order_id=order_id, link_id=data.link_id)
        return schemas.AssignmentView(order_id=order.id, carrier_id=order.carrier_id)


class CarrierOrdersController(Controller):
    path = "/api/carrier/orders"
    tags = ["carriers"]
    guards = [requires(*STAFF)]

    @get("", operation_id="carrier_orders", summary="The orders shippers gave this carrier")
    async def list_orders(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        status: Annotated[list[OrderStatus] | None, QueryParameter(description="Only these statuses")] = None,
        limit: LimitParam = DEFAULT_LIMIT,
        offset: OffsetParam = 0,
    ) -> Page[schemas.CarrierOrder]:
        rows, total = await service.carrier_orders(
            db_session, principal=principal, statuses=status or [], limit=limit, offset=offset
        )
        return Page(items=[service.order_view(o, s) for o, s in rows], total=total, limit=limit, offset=offset)

    @get("/{order_id:uuid}", operation_id="carrier_order")
    async def get_order(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal], order_id: FromPath[UUID]
    ) -> schemas.CarrierOrder:
        order, shipper = await service.carrier_order(db_session, principal=principal, order_id=order_id)
        return service.order_view(order, shipper)

    @post(
        "/{order_id:uuid}/status",
        operation_id="carrier_status_update",
        status_code=HTTP_200_OK,
        summary=(
            "Picked up, delivered (with who took it) or failed (with why), with optional photos uploaded first "
            "with PUT /api/media/{sha256}; needs an Idempotency-Key header"
        ),
    )
    async def update_status(
        self,
        request: Request[Any, Any, Any],
        state: State,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        order_id: FromPath[UUID],
        data: JSONBody[schemas.StatusUpdate],
    ) -> schemas.StatusApplied:
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if not key or len(key) > MAX_KEY:
            raise FieldInvalid("Idempotency-Key", f"send a unique header of 1 to {MAX_KEY} characters with each update")
        return await service.update_status(
            db_session, principal=principal, order_id=order_id, update=data, key=key, media_store=state[MEDIA_STORE_KEY]
        )
