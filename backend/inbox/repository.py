"""All SQL of the inbox: read-only queries over the tables that own what goes wrong (stops, routes, positions,
the driver app's sync commands, webhooks), always within one organization, and the acknowledgements it owns.

As analytics does, it selects the columns it needs across domains instead of loading whole objects through each
domain's service one at a time: the inbox is a read model, and writes only its acknowledgements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from backend.accounts.models import Organization, User
from backend.events.models import Event
from backend.fleet.models import Vehicle
from backend.inbox.models import InboxAcknowledgement
from backend.integrations.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from backend.orders.models import Order, OrderKind
from backend.routing.models import Route, RouteStatus, Stop, StopKind, StopStatus
from backend.sync.models import CommandOutcome, SyncCommand
from backend.tracking.models import Position

# a phone's clock may run this far behind the server's and its points still count as the route's
POSITION_CLOCK_SLACK = timedelta(hours=12)


@dataclass(frozen=True)
class StopRow:
    stop_id: UUID
    route_id: UUID
    route_status: RouteStatus
    service_date: date
    stop_kind: StopKind
    status: StopStatus
    planned_arrival_at: datetime | None
    arrived_at: datetime | None
    completed_at: datetime | None
    eta_at: datetime | None
    order_id: UUID | None
    order_kind: OrderKind | None
    recipient_name: str | None
    address: str | None
    window_end_at: datetime | None
    vehicle_name: str
    driver_id: UUID | None
    driver_name: str | None


@dataclass(frozen=True)
class RouteRow:
    route_id: UUID
    service_date: date
    started_at: datetime | None
    vehicle_name: str
    driver_id: UUID | None
    driver_name: str | None
    open_stops: int


@dataclass(frozen=True)
class RejectedRow:
    command_id: UUID
    type: str
    reason: str | None
    message: str | None
    recorded_at: datetime
    driver_id: UUID | None
    driver_name: str | None
    route_id: UUID | None
    stop_id: UUID | None
    order_id: UUID | None
    recipient_name: str | None
    service_date: date | None


@dataclass(frozen=True)
class FailedDeliveriesRow:
    endpoint_id: UUID
    url: str
    failed: int
    last_failed_at: datetime
    last_error: str | None


@dataclass(frozen=True)
class DisabledEndpointRow:
    endpoint_id: UUID
    url: str
    disabled_at: datetime
    disabled_reason: str | None


@dataclass(frozen=True)
class AcknowledgementRow:
    item_key: str
    acknowledged_at: datetime
    acknowledged_by_name: str | None


async def organization_timezone(session: AsyncSession, *, organization_id: UUID) -> str:
    zone = await session.scalar(select(Organization.timezone).where(Organization.id == organization_id))
    return zone or "UTC"


# -- stops: failed attempts and late visits


async def stops_of_day(session: AsyncSession, *, organization_id: UUID, day: date) -> list[StopRow]:
    """The day's order stops that failed, or whose order has a time window, on routes that were published."""
    driver = aliased(User)
    query = (
        select(
            Stop.id.label("stop_id"),
            Route.id.label("route_id"),
            Route.status.label("route_status"),
            Route.service_date,
            Stop.kind.label("stop_kind"),
            Stop.status,
            Stop.planned_arrival_at,
            Stop.arrived_at,
            Stop.completed_at,
            Stop.eta_at,
            Stop.order_id,
            Order.kind.label("order_kind"),
            Order.recipient_name,
            Order.address,
            Order.window_end_at,
            Vehicle.name.label("vehicle_name"),
            Route.driver_id,
            driver.name.label("driver_name"),
        )
        .join(Route, and_(Route.id == Stop.route_id, Route.organization_id == organization_id))
        .join(Vehicle, Vehicle.id == Route.vehicle_id)
        .join(Order, and_(Order.id == Stop.order_id, Order.organization_id == organization_id))
        .outerjoin(driver, driver.id == Route.driver_id)
        .where(
            Stop.organization_id == organization_id,
            Route.service_date == day,
            Route.status != RouteStatus.draft,
            (Stop.status == StopStatus.failed) | Order.window_end_at.is_not(None),
        )
    )
    return [StopRow(**row._asdict()) for row in await session.execute(query)]


async def failure_reasons(
    session: AsyncSession, *, organization_id: UUID, route_ids: set[UUID]
) -> dict[UUID, str | None]:
    """stop id → the reason the driver gave for a failed attempt, from the routes' `stop.completed` events."""
    if not route_ids:
        return {}
    rows = await session.scalars(
        select(Event.payload)
        .where(
            Event.organization_id == organization_id,
            Event.subject_id.in_(route_ids),
            Event.type == "stop.completed",
        )
        .order_by(Event.id)
    )
    reasons: dict[UUID, str | None] = {}
    for payload in rows:
        if payload.get("outcome") == "failed" and payload.get("stop_id"):
            reasons[UUID(str(payload["stop_id"]))] = payload.get("reason")
    return reasons


async def stop_day(session: AsyncSession, *, organization_id: UUID, stop_id: UUID) -> date | None:
    return await session.scalar(
        select(Route.service_date)
        .join(Stop, Stop.route_id == Route.id)
        .where(Stop.id == stop_id, Stop.organization_id == organization_id, Route.organization_id == organization_id)
    )


# -- routes under way: drivers not heard from


async def routes_in_progress(
    session: AsyncSession, *, organization_id: UUID, day: date, with_earlier_days: bool = False
) -> list[RouteRow]:
    """The day's routes in progress; with_earlier_days (for today) also those started on an earlier day and not
    finished yet (a route out past midnight is still on the road)."""
    driver = aliased(User)
    open_stops = (
        select(func.count())
        .where(
            Stop.route_id == Route.id,
            Stop.order_id.is_not(None),
            Stop.status.in_((StopStatus.pending, StopStatus.arrived)),
        )
        .correlate(Route)
        .scalar_subquery()
    )
    query = (
        select(
            Route.id.label("route_id"),
            Route.service_date,
            Route.started_at,
            Vehicle.name.label("vehicle_name"),
            Route.driver_id,
            driver.name.label("driver_name"),
            open_stops.label("open_stops"),
        )
        .join(Vehicle, Vehicle.id == Route.vehicle_id)
        .outerjoin(driver, driver.id == Route.driver_id)
        .where(
            Route.organization_id == organization_id,
            Route.service_date <= day if with_earlier_days else Route.service_date == day,
            Route.status == RouteStatus.in_progress,
        )
    )
    return [RouteRow(**row._asdict()) for row in await session.execute(query)]


async def route_day(session: AsyncSession, *, organization_id: UUID, route_id: UUID) -> date | None:
    return await session.scalar(
        select(Route.service_date).where(Route.id == route_id, Route.organization_id == organization_id)
    )


async def last_positions(
    session: AsyncSession, *, organization_id: UUID, driver_ids: set[UUID], since: datetime
) -> dict[UUID, datetime]:
    """driver → when the server last received a position from their phone (points dated from `since`)."""
    if not driver_ids:
        return {}
    rows = await session.execute(
        select(Position.driver_id, func.max(Position.received_at))
        .where(
            Position.organization_id == organization_id,
            Position.driver_id.in_(driver_ids),
            Position.recorded_at >= since - POSITION_CLOCK_SLACK,
        )
        .group_by(Position.driver_id)
    )
    return {driver_id: at for driver_id, at in rows if at is not None}


async def last_syncs(
    session: AsyncSession, *, organization_id: UUID, driver_ids: set[UUID], since: datetime
) -> dict[UUID, datetime]:
    """driver → when the server last answered a command from their phone's offline queue."""
    if not driver_ids:
        return {}
    rows = await session.execute(
        select(SyncCommand.principal_id, func.max(SyncCommand.recorded_at))
        .where(
            SyncCommand.organization_id == organization_id,
            SyncCommand.recorded_at >= since,
            SyncCommand.principal_id.in_(driver_ids),
        )
        .group_by(SyncCommand.principal_id)
    )
    return {driver_id: at for driver_id, at in rows if driver_id is not None and at is not None}


async def last_route_actions(
    session: AsyncSession, *, organization_id: UUID, route_actors: dict[UUID, str]
) -> dict[UUID, datetime]:
    """route → when its driver last acted on it directly (arrived, delivered... over HTTP rather than sync)."""
    if not route_actors:
        return {}
    rows = await session.execute(
        select(Event.subject_id, Event.actor, func.max(Event.recorded_at))
        .where(
            Event.organization_id == organization_id,
            Event.subject_id.in_(list(route_actors)),
            Event.actor.in_(set(route_actors.values())),
        )
        .group_by(Event.subject_id, Event.actor)
    )
    return {route_id: at for route_id, actor, at in rows if at is not None and route_actors.get(route_id) == actor}


# -- the driver app's refused actions


async def rejected_commands(
    session: AsyncSession,
    *,
    organization_id: UUID,
    start: datetime,
    end: datetime,
    command_id: UUID | None = None,
) -> list[RejectedRow]:
    """Commands the server refused, recorded in [start, end); the ids the phone sent are kept only when they
    name this organization's objects."""
    driver = aliased(User)
    query = (
        select(
            SyncCommand.id.label("command_id"),
            SyncCommand.type,
            SyncCommand.reason,
            SyncCommand.message,
            SyncCommand.recorded_at,
            SyncCommand.principal_id.label("driver_id"),
            driver.name.label("driver_name"),
            Route.id.label("route_id"),
            Stop.id.label("stop_id"),
            Order.id.label("order_id"),
            Order.recipient_name,
            Route.service_date,
        )
        .outerjoin(driver, driver.id == SyncCommand.principal_id)
        .outerjoin(Route, and_(Route.id == SyncCommand.route_id, Route.organization_id == organization_id))
        .outerjoin(Stop, and_(Stop.id == SyncCommand.stop_id, Stop.organization_id == organization_id))
        .outerjoin(Order, and_(Order.id == SyncCommand.order_id, Order.organization_id == organization_id))
        .where(
            SyncCommand.organization_id == organization_id,
            SyncCommand.outcome == CommandOutcome.rejected,
            SyncCommand.recorded_at >= start,
            SyncCommand.recorded_at < end,
        )
    )
    if command_id is not None:
        query = query.where(SyncCommand.id == command_id)
    return [RejectedRow(**row._asdict()) for row in await session.execute(query)]


async def command_recorded_at(session: AsyncSession, *, organization_id: UUID, command_id: UUID) -> datetime | None:
    return await session.scalar(
        select(SyncCommand.recorded_at).where(
            SyncCommand.id == command_id, SyncCommand.organization_id == organization_id
        )
    )


# -- webhooks


async def failed_deliveries(
    session: AsyncSession, *, organization_id: UUID, start: datetime, end: datetime
) -> list[FailedDeliveriesRow]:
    """Per endpoint: deliveries that failed for good with their last attempt in [start, end)."""
    grouped = await session.execute(
        select(
            WebhookDelivery.endpoint_id,
            WebhookEndpoint.url,
            func.count(),
            func.max(WebhookDelivery.last_attempt_at),
        )
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(
            WebhookDelivery.organization_id == organization_id,
            WebhookEndpoint.organization_id == organization_id,
            WebhookDelivery.status == DeliveryStatus.failed,
            WebhookDelivery.last_attempt_at >= start,
            WebhookDelivery.last_attempt_at < end,
        )
        .group_by(WebhookDelivery.endpoint_id, WebhookEndpoint.url)
    )
    found: list[FailedDeliveriesRow] = []
    for endpoint_id, url, count, last_at in grouped:
        if last_at is None:
            continue
        last_error = await session.scalar(
            select(WebhookDelivery.last_error)
            .where(
                WebhookDelivery.endpoint_id == endpoint_id,
                WebhookDelivery.status == DeliveryStatus.failed,
                WebhookDelivery.last_attempt_at == last_at,
            )
            .limit(1)
        )
        found.append(FailedDeliveriesRow(endpoint_id, url, int(count), last_at, last_error))
    return found


async def disabled_endpoints(
    session: AsyncSession, *, organization_id: UUID, before: datetime
) -> list[DisabledEndpointRow]:
    """Endpoints switched off (by the sender, or by their owner) before `before` and still off."""
    rows = await session.execute(
        select(
            WebhookEndpoint.id.label("endpoint_id"),
            WebhookEndpoint.url,
            WebhookEndpoint.disabled_at,
            WebhookEndpoint.disabled_reason,
        ).where(
            WebhookEndpoint.organization_id == organization_id,
            WebhookEndpoint.enabled.is_(False),
            WebhookEndpoint.disabled_at.is_not(None),
            WebhookEndpoint.disabled_at < before,
        )
    )
    return [DisabledEndpointRow(**row._asdict()) for row in rows]


async def endpoint_disabled_at(session: AsyncSession, *, organization_id: UUID, endpoint_id: UUID) -> datetime | None:
    return await session.scalar(
        select(WebhookEndpoint.disabled_at).where(
            WebhookEndpoint.id == endpoint_id, WebhookEndpoint.organization_id == organization_id
        )
    )


# -- acknowledgements


async def acknowledgements(
    session: AsyncSession, *, organization_id: UUID, keys: set[str]
) -> dict[str, AcknowledgementRow]:
    if not keys:
        return {}
    rows = await session.execute(
        select(InboxAcknowledgement.item_key, InboxAcknowledgement.acknowledged_at, User.name)
        .outerjoin(User, User.id == InboxAcknowledgement.acknowledged_by)
        .where(InboxAcknowledgement.organization_id == organization_id, InboxAcknowledgement.item_key.in_(keys))
    )
    return {key: AcknowledgementRow(key, at, name) for key, at, name in rows}


async def acknowledge(
    session: AsyncSession, *, organization_id: UUID, item_key: str, user_id: UUID | None, actor: str, at: datetime
) -> None:
    """Record it handled at `at`; a second acknowledgement of the same key moves the time on (a reopened item is
    handled again), and two racing ones end as one row."""
    existing = await session.scalar(
        select(InboxAcknowledgement)
        .where(InboxAcknowledgement.organization_id == organization_id, InboxAcknowledgement.item_key == item_key)
        .with_for_update()
    )
    if existing is not None:
        existing.acknowledged_at, existing.acknowledged_by, existing.actor = at, user_id, actor
        return
    row = InboxAcknowledgement(
        organization_id=organization_id, item_key=item_key, acknowledged_by=user_id, actor=actor, acknowledged_at=at
    )
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        pass  # acknowledged by someone else at the same moment: handled either way
