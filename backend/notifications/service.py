"""Customer notices: which rules an event or an ETA move sets off, one queued row per recipient and channel
(the delivery log), what a row becomes when its time comes (sent, held for quiet hours, skipped, retried),
and the organization's settings. Nothing here commits or touches the network."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from backend.accounts import service as accounts
from backend.accounts.principal import Principal
from backend.events.models import Event
from backend.kit.problems import DomainError
from backend.notifications import repository
from backend.notifications.errors import InvalidNotificationSettings, NotificationNotFound, NotRetryable
from backend.notifications.messages import Context, render
from backend.notifications.models import (
    ChannelName,
    Notification,
    NotificationSettings,
    NotificationStatus,
    NotifiedEta,
    Rule,
)
from backend.notifications.rules import (
    DEFAULT_ARRIVING_STOPS_AWAY,
    DEFAULT_ETA_CHANGE_MIN,
    DEFAULT_RULES,
    NOTIFIED_KINDS,
    TIME_SENSITIVE,
    event_rules,
    quiet_until,
    still_true,
)
from backend.notifications.schemas import NotificationSettingsUpdate
from backend.orders.models import Order, OrderKind
from backend.orders.tracking import tracking_url
from backend.places import service as places
from backend.routing import service as routing
from backend.routing.models import OPEN_STOP_STATUSES, StopKind
from backend.settings import Settings
from backend.stores import service as stores

STOPS_EVENTS = frozenset({"route.started", "stop.completed"})  # the events after which stops-away changes


# -- settings


@dataclass(frozen=True)
class Effective:
    """An organization's settings as they apply (defaults filled in)."""

    rules: dict[Rule, frozenset[ChannelName]]
    sender_name: str
    timezone: str
    quiet_start: str | None = None
    quiet_end: str | None = None
    arriving_stops_away: int = DEFAULT_ARRIVING_STOPS_AWAY
    arriving_within_min: int | None = None
    eta_change_min: int = DEFAULT_ETA_CHANGE_MIN
    row: NotificationSettings | None = field(default=None, compare=False)


def available_channels(settings: Settings) -> frozenset[ChannelName]:
    """What this server can send on: everything in outbox mode (nothing leaves), else what is configured."""
    if settings.notify_delivery == "outbox":
        return frozenset(ChannelName)
    channels = {ChannelName.push}  # the VAPID key is made on first use
    if settings.smtp_host and settings.mail_from:
        channels.add(ChannelName.email)
    if settings.sms_account_sid and settings.sms_auth_token and settings.sms_from:
        channels.add(ChannelName.sms)
    return frozenset(channels)


def _zone(value: str | None, default: str) -> str:
    try:
        ZoneInfo(value or default)
    except (ZoneInfoNotFoundError, ValueError):
        return default
    return value or default


async def effective_settings(session: AsyncSession, *, organization_id: UUID, settings: Settings) -> Effective:
    organization = await accounts.get_organization(session, organization_id=organization_id)
    row = await repository.get_settings(session, organization_id=organization_id)
    rules = DEFAULT_RULES if row is None else row.rules
    parsed: dict[Rule, frozenset[ChannelName]] = {}
    for name, channels in rules.items():
        if name in Rule.__members__:
            parsed[Rule(name)] = frozenset(ChannelName(c) for c in channels if c in ChannelName.__members__)
    zone = _zone(organization.timezone, settings.demo_timezone)
    if row is None:
        return Effective(rules=parsed, sender_name=organization.name, timezone=zone)
    return Effective(
        rules=parsed,
        sender_name=row.sender_name or organization.name,
        timezone=zone,
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
        arriving_stops_away=row.arriving_stops_away,
        arriving_within_min=row.arriving_within_min,
        eta_change_min=row.eta_change_min,
        row=row,
    )


async def update_settings(
    session: AsyncSession, *, principal: Principal, data: NotificationSettingsUpdate, settings: Settings
) -> Effective:
    if (data.quiet_start is None) != (data.quiet_end is None):
        raise InvalidNotificationSettings("quiet_start and quiet_end: give both, or neither for no quiet hours")
    if data.quiet_start is not None and data.quiet_start == data.quiet_end:
        raise InvalidNotificationSettings("quiet_start and quiet_end are the same time; leave both out instead")
    row = await repository.get_settings(session, organization_id=principal.organization_id)
    if row is None:
        row = NotificationSettings(organization_id=principal.organization_id)
        session.add(row)
    row.rules = {rule.value: sorted({c.value for c in channels}) for rule, channels in data.rules.items()}
    row.quiet_start = data.quiet_start
    row.quiet_end = data.quiet_end
    row.sender_name = data.sender_name.strip() if data.sender_name and data.sender_name.strip() else None
    row.arriving_stops_away = data.arriving_stops_away
    row.arriving_within_min = data.arriving_within_min
    row.eta_change_min = data.eta_change_min
    await session.flush()
    return await effective_settings(session, organization_id=principal.organization_id, settings=settings)


# -- enqueueing: the relay's handler and the ETA hook only add rows; the sender sends them


@dataclass(frozen=True)
class Trigger:
    rule: Rule
    dedupe_key: str
    event_id: UUID | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)


def local_time(at: datetime, zone: str, with_day: bool = False) -> str:
    """ "14:35", or "Fri 14:35" for a time within the coming week (a pickup's last day)."""
    local = at.astimezone(ZoneInfo(zone))
    return local.strftime("%a %H:%M") if with_day else local.strftime("%H:%M")


async def orders_by_id(session: AsyncSession, *, organization_id: UUID, order_ids: list[UUID]) -> dict[UUID, Order]:
    return await repository.orders_by_id(session, organization_id=organization_id, order_ids=order_ids)


async def _recipients(session: AsyncSession, order: Order, channel: ChannelName) -> list[tuple[str, UUID | None]]:
    if channel is ChannelName.email:
        return [(order.recipient_email, None)] if order.recipient_email else []
    if channel is ChannelName.sms:
        return [(order.recipient_phone, None)] if order.recipient_phone else []
    return [(str(s.id), s.id) for s in await repository.push_subscriptions_of(session, order_id=order.id)]


async def enqueue(
    session: AsyncSession,
    *,
    settings: Settings,
    effective: Effective,
    order: Order,
    trigger: Trigger,
    now: datetime,
) -> int:
    """One row per (channel, recipient) the rule is on for; those the dedupe key has already seen are left out.
    Inside quiet hours a time-sensitive notice is logged `skipped`, the others wait for the end of them."""
    if order.kind.value not in NOTIFIED_KINDS:
        return 0
    channels = effective.rules.get(trigger.rule, frozenset()) & available_channels(settings)
    if not channels or await repository.seen(session, dedupe_key=trigger.dedupe_key, rule=trigger.rule):
        return 0  # (seen: the constraint would refuse each row anyway; this spares rendering them)
    context = Context(
        sender=effective.sender_name,
        recipient_name=order.recipient_name,
        reference=order.external_ref or str(order.id)[:8],
        url=tracking_url(settings.public_base_url, settings.secret_key, order.id),
        **trigger.extras,
    )
    until = quiet_until(now, effective.timezone, effective.quiet_start, effective.quiet_end)
    status, next_attempt_at, note = NotificationStatus.queued, now, None
    if until is not None and trigger.rule in TIME_SENSITIVE:
        status, note = NotificationStatus.skipped, "quiet hours"
    elif until is not None:
        next_attempt_at, note = until, f"quiet hours: held until {local_time(until, effective.timezone)}"
    rows: list[dict[str, Any]] = []
    for channel in sorted(channels):
        rendered = render(trigger.rule, channel, context)
        for recipient, subscription_id in await _recipients(session, order, channel):
            rows.append(
                {
                    "id": uuid7(),
                    "organization_id": order.organization_id,
                    "order_id": order.id,
                    "event_id": trigger.event_id,
                    "dedupe_key": trigger.dedupe_key,
                    "rule": trigger.rule,
                    "channel": channel,
                    "recipient": recipient,
                    "push_subscription_id": subscription_id,
                    "status": status,
                    "attempts": 0,
                    "next_attempt_at": next_attempt_at,
                    "last_error": note,
                    "sent_at": None,
                    "subject": rendered.subject,
                    "body_text": rendered.text,
                    "body_html": rendered.html,
                    "link": rendered.link,
                    "context": trigger.context,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    return await repository.insert_notifications(session, rows)


async def _trip_key(session: AsyncSession, order: Order) -> str:
    """Arriving is told once per trip of the order, whatever said it first (the status, stops away, the ETA)."""
    departure = await repository.last_departure_event_id(
        session, organization_id=order.organization_id, order_id=order.id
    )
    return f"arriving:{order.id}:{departure or 'direct'}"


async def _pickup_extras(session: AsyncSession, order: Order, zone: str) -> dict[str, Any]:
    pickup = await stores.pickup_of(session, order_id=order.id)
    if pickup is None:
        return {}
    try:
        store = await places.get_location(session, organization_id=order.organization_id, location_id=pickup.store_id)
        store_name: str | None = store.name
    except DomainError:
        store_name = None
    until = local_time(pickup.expires_at, zone, with_day=True) if pickup.expires_at else None
    return {"code": pickup.code, "store_name": store_name, "until": until}


def may_notify(event: Event) -> bool:
    """Whether an event can set off a notice at all (the rest pass the handler without a query)."""
    return event.type in STOPS_EVENTS or bool(event_rules(event.type, event.payload))


async def hold_event(session: AsyncSession, *, event_id: UUID) -> None:
    """Lock the event being handled: PostgreSQL already holds it (the relay's SKIP LOCKED); on SQLite this
    takes the database's write lock now, waiting for it, so the writes that follow cannot fail as "locked"."""
    await repository.lock_event(session, event_id=event_id)


async def on_event(session: AsyncSession, *, settings: Settings, event: Event, now: datetime) -> int:
    """The relay's handler: the notices an order event calls for, queued (never sent here). Returns how many
    rows went in; a replayed event adds none."""
    if event.type in STOPS_EVENTS:
        return await _arriving_by_stops(session, settings=settings, event=event, now=now)
    rules = event_rules(event.type, event.payload)
    if event.type == "order.status_changed" and event.payload.get("to") == "out_for_delivery":
        await repository.forget_notified_eta(session, order_id=event.subject_id)  # a new trip: a new baseline
    if not rules or event.subject_type != "order":
        return 0
    order = (await orders_by_id(session, organization_id=event.organization_id, order_ids=[event.subject_id])).get(
        event.subject_id
    )
    if order is None or order.kind.value not in NOTIFIED_KINDS:
        return 0
    effective = await effective_settings(session, organization_id=event.organization_id, settings=settings)
    added = 0
    for rule in rules:
        extras: dict[str, Any] = {}
        key = str(event.id)
        if rule is Rule.arriving:
            key = await _trip_key(session, order)
        elif rule in (Rule.ready_for_pickup, Rule.pickup_reminder):
            extras = await _pickup_extras(session, order, effective.timezone)
        trigger = Trigger(rule=rule, dedupe_key=key, event_id=event.id, extras=extras)
        added += await enqueue(session, settings=settings, effective=effective, order=order, trigger=trigger, now=now)
    return added


async def _arriving_by_stops(session: AsyncSession, *, settings: Settings, event: Event, now: datetime) -> int:
    """After a stop is done (or the route starts), the customers now at most N stops away hear that the driver
    is close; N is the organization's arriving_stops_away."""
    effective = await effective_settings(session, organization_id=event.organization_id, settings=settings)
    if Rule.arriving not in effective.rules:
        return 0
    try:
        route = await routing.get_route(
            session, principal=Principal.system(event.organization_id), route_id=event.subject_id
        )
    except DomainError:
        return 0
    waiting = [s for s in route.stops if s.order_id is not None and s.status in OPEN_STOP_STATUSES]
    orders = await orders_by_id(
        session, organization_id=event.organization_id, order_ids=[s.order_id for s in waiting if s.order_id]
    )
    # the visits customers wait for: a delivery's delivery stop (a depot fetch for it is not at their door)
    visits = [
        s
        for s in waiting
        if s.kind == StopKind.delivery and s.order_id in orders and orders[s.order_id].kind == OrderKind.delivery
    ]
    added = 0
    for away, stop in enumerate(visits[: effective.arriving_stops_away + 1]):
        assert stop.order_id is not None
        order = orders[stop.order_id]
        if not still_true(Rule.arriving, order.status.value):
            continue
        trigger = Trigger(
            rule=Rule.arriving,
            dedupe_key=await _trip_key(session, order),
            event_id=event.id,
            extras={"stops_away": away},
            context={"stops_away": away},
        )
        added += await enqueue(session, settings=settings, effective=effective, order=order, trigger=trigger, now=now)
    return added


@dataclass(frozen=True)
class EtaMove:
    """A stop's new ETA from the live tracker, with how many stops are before it (0: it is the next)."""

    order_id: UUID
    eta_at: datetime
    stops_away: int | None = None


async def etas_moved(
    session: AsyncSession, *, settings: Settings, organization_id: UUID, moves: list[EtaMove], now: datetime
) -> int:
    """The live tracker's hook (ETAs never pass through the event outbox): an arriving notice when an order is
    at most N stops or M minutes away, and an eta_changed notice when its ETA has drifted more than the set
    minutes from the one the customer was last told (the first ETA seen on a trip is the baseline)."""
    if not moves:
        return 0
    effective = await effective_settings(session, organization_id=organization_id, settings=settings)
    orders = await orders_by_id(session, organization_id=organization_id, order_ids=[m.order_id for m in moves])
    told = await repository.notified_etas(session, order_ids=list(orders))
    added = 0
    for move in moves:
        order = orders.get(move.order_id)
        if order is None or order.kind != OrderKind.delivery or not still_true(Rule.arriving, order.status.value):
            continue
        minutes_away = max(0, round((move.eta_at - now).total_seconds() / 60))
        close_by_stops = move.stops_away is not None and move.stops_away <= effective.arriving_stops_away
        close_by_time = effective.arriving_within_min is not None and minutes_away <= effective.arriving_within_min
        if close_by_stops or close_by_time:
            extras = {"stops_away": move.stops_away} if close_by_stops else {"minutes_away": minutes_away}
            trigger = Trigger(
                rule=Rule.arriving, dedupe_key=await _trip_key(session, order), extras=extras, context=extras
            )
            added += await enqueue(
                session, settings=settings, effective=effective, order=order, trigger=trigger, now=now
            )
        baseline = told.get(order.id)
        if baseline is None:
            told[order.id] = NotifiedEta(organization_id=organization_id, order_id=order.id, eta_at=move.eta_at)
            session.add(told[order.id])
            continue
        if close_by_stops or close_by_time:  # "your driver is close" says it all; no ETA change on top of it
            baseline.eta_at = move.eta_at
            continue
        drift_min = abs((move.eta_at - baseline.eta_at).total_seconds()) / 60
        if drift_min <= effective.eta_change_min or order.status.value != "out_for_delivery":
            continue
        previous = baseline.eta_at
        baseline.eta_at = move.eta_at
        trigger = Trigger(
            rule=Rule.eta_changed,
            dedupe_key=f"eta:{order.id}:{move.eta_at.replace(second=0, microsecond=0).isoformat()}",
            extras={
                "eta": local_time(move.eta_at, effective.timezone),
                "previous_eta": local_time(previous, effective.timezone),
            },
            context={"eta_at": move.eta_at.isoformat(), "previous_eta_at": previous.isoformat()},
        )
        added += await enqueue(session, settings=settings, effective=effective, order=order, trigger=trigger, now=now)
    return added


async def eta_moved(
    session: AsyncSession,
    *,
    settings: Settings,
    organization_id: UUID,
    order_id: UUID,
    eta_at: datetime,
    stops_away: int | None = None,
    now: datetime,
) -> int:
    """One order's ETA moved (see etas_moved, which takes a route's worth at once)."""
    return await etas_moved(
        session,
        settings=settings,
        organization_id=organization_id,
        moves=[EtaMove(order_id=order_id, eta_at=eta_at, stops_away=stops_away)],
        now=now,
    )


# -- the delivery log


async def list_notifications(
    session: AsyncSession,
    *,
    principal: Principal,
    order_id: UUID | None,
    status: NotificationStatus | None,
    limit: int,
    offset: int,
) -> tuple[list[Notification], int]:
    return await repository.list_notifications(
        session,
        organization_id=principal.organization_id,
        order_id=order_id,
        status=status,
        limit=limit,
        offset=offset,
    )


async def retry(session: AsyncSession, *, principal: Principal, notification_id: UUID, now: datetime) -> Notification:
    """A dispatcher sends a failed (or skipped) notice again, now, with a fresh set of attempts."""
    row = await repository.get_notification(
        session, notification_id=notification_id, organization_id=principal.organization_id, for_update=True
    )
    if row is None:
        raise NotificationNotFound()
    if row.status not in (NotificationStatus.failed, NotificationStatus.skipped):
        raise NotRetryable(f"This notification is {row.status.value}")
    if row.channel is ChannelName.push and row.push_subscription_id is None:
        raise NotRetryable("The customer's browser dropped this push subscription")
    row.status = NotificationStatus.queued
    row.attempts = 0
    row.next_attempt_at = now
    row.last_error = f"retried by {principal.actor}"
    row.updated_at = now
    return row
