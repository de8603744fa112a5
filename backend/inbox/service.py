"""The dispatcher's exceptions inbox: what needs a person today, computed from the tables that own it each time
it is asked (no copy to drift), plus which items someone marked handled.

What is listed for a day (the organization's calendar day; a route belongs to its service date):

- **failed_attempt**: a stop of the day's routes the driver failed, with the reason they gave.
- **late_stop**: a customer visit (a delivery, a return collected at the door) whose order has a time window,
  and either the driver arrived after the window's end, or the stop is still to do and its current ETA (the live
  one, else the plan's) is past the window's end, or the window is over and no one came. Visits on superseded or
  withdrawn routes are left out (the order is on another route now).
- **driver_offline**: a route of the day in progress whose driver was last heard from (a position received, an
  offline action synced, an action on the route, or the start) `offline_after` ago or longer. Each silence is its
  own item: a driver back online and silent again is listed anew.
- **rejected_action**: an action the driver app queued offline that the server refused (sync commands recorded
  that day), with the reason the driver was shown.
- **webhook_failed**: per endpoint, the deliveries that failed for good that day (their last attempt). An
  acknowledged group opens again when another delivery fails after the acknowledgement.
- **endpoint_disabled**: a webhook endpoint switched off by the end of the day and still off.

An item's key names what it is about, so acknowledging it holds however often the inbox is computed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.principal import Principal
from backend.inbox import repository
from backend.inbox.errors import InboxDayInvalid, InboxItemNotFound
from backend.inbox.models import ITEM_KEY_MAX_LENGTH
from backend.inbox.repository import RejectedRow, RouteRow, StopRow
from backend.inbox.schemas import Inbox, InboxItem, ItemKind, Severity
from backend.orders.models import OrderKind
from backend.routing.models import OPEN_STOP_STATUSES, RouteStatus, StopKind, StopStatus
from backend.tracking.live import at_customer  # the visit a customer waits for (not a depot fetch or drop)

FIRST_DAY = date(2000, 1, 1)  # the calendar the API accepts: wide enough, and never near datetime's limits
LAST_DAY = date(2099, 12, 31)
SEVERITY_ORDER = {Severity.critical: 0, Severity.warning: 1, Severity.info: 2}

FAILURE_REASONS = {  # backend/routing/execution.py FAILURE_REASONS, as a dispatcher says them
    "not_home": "nobody home",
    "no_access": "no access",
    "refused": "refused by the customer",
    "damaged": "parcel damaged",
    "wrong_address": "wrong address",
    "other": "other reason",
}
REFUSAL_REASONS = {  # backend/sync/commands.py: why an offline action was refused
    "stop_cancelled": "the stop had been cancelled",
    "reassigned": "the stop had moved to another driver",
    "stop_closed": "the stop was already closed",
    "route_closed": "the route was no longer active",
    "stops_open": "some stops were still open",
    "not_found": "the stop was no longer on any route",
    "invalid": "the app sent something the server could not read",
}
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
KEY_PATTERNS: dict[ItemKind, re.Pattern[str]] = {
    ItemKind.failed_attempt: re.compile(rf"failed_attempt:(?P<id>{_UUID})"),
    ItemKind.late_stop: re.compile(rf"late_stop:(?P<id>{_UUID})"),
    ItemKind.driver_offline: re.compile(rf"driver_offline:(?P<id>{_UUID}):(?P<since>\d{{1,15}})"),
    ItemKind.rejected_action: re.compile(rf"rejected_action:(?P<id>{_UUID})"),
    ItemKind.webhook_failed: re.compile(rf"webhook_failed:(?P<id>{_UUID}):(?P<day>\d{{4}}-\d{{2}}-\d{{2}})"),
    ItemKind.endpoint_disabled: re.compile(rf"endpoint_disabled:(?P<id>{_UUID}):(?P<since>\d{{1,15}})"),
}


@dataclass(frozen=True)
class Period:
    """One calendar day of the organization, and the moment the inbox is computed."""

    day: date
    zone: ZoneInfo
    now: datetime

    @property
    def start(self) -> datetime:
        return datetime.combine(self.day, time(0), self.zone).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.day + timedelta(days=1), time(0), self.zone).astimezone(UTC)

    def clock(self, at: datetime) -> str:
        return at.astimezone(self.zone).strftime("%H:%M")

    def local_day(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()


@dataclass
class Draft:
    """An item before its acknowledgement is looked up. `changed_at`: news after an acknowledgement reopens it."""

    key: str
    kind: ItemKind
    severity: Severity
    occurred_at: datetime
    title: str
    detail: str | None = None
    order_id: UUID | None = None
    stop_id: UUID | None = None
    route_id: UUID | None = None
    driver_id: UUID | None = None
    endpoint_id: UUID | None = None
    service_date: date | None = None
    changed_at: datetime | None = field(default=None, compare=False)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _check_day(day: date) -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InboxDayInvalid(f"The day must be between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}")


def _parts(*parts: str | None) -> str | None:
    kept = [p for p in parts if p]
    return " · ".join(kept) if kept else None


def _minutes(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def _epoch_ms(at: datetime) -> int:
    """A moment in a key: milliseconds, so two switch-offs or silences in one second stay two items."""
    return round(at.timestamp() * 1000)


def _driver(name: str | None) -> str:
    return name or "A driver"


def _visit(row: StopRow) -> str:
    """What the stop was for, as a dispatcher says it: "Delivery to Aino Virtanen"."""
    whom = row.recipient_name or "an order no longer on file"
    if row.order_kind == OrderKind.return_:
        return f"Return collection from {whom}" if row.stop_kind == StopKind.pickup else f"Return drop for {whom}"
    if row.stop_kind == StopKind.pickup:
        return f"Depot fetch for {whom}"
    return f"Delivery to {whom}"


# -- one collector per kind


def _failed_attempts(rows: list[StopRow], reasons: dict[UUID, str | None], period: Period) -> list[Draft]:
    drafts = []
    for row in rows:
        if row.status is not StopStatus.failed:
            continue
        reason = reasons.get(row.stop_id)
        why = FAILURE_REASONS.get(reason or "", reason) if reason else "no reason given"
        at = row.completed_at or row.arrived_at or period.start
        drafts.append(
            Draft(
                key=f"failed_attempt:{row.stop_id}",
                kind=ItemKind.failed_attempt,
                severity=Severity.warning,
                occurred_at=at,
                title=f"{_visit(row)} failed at {period.clock(at)}: {why}",
                detail=_parts(row.address, row.vehicle_name, row.driver_name),
                order_id=row.order_id,
                stop_id=row.stop_id,
                route_id=row.route_id,
                driver_id=row.driver_id,
                service_date=row.service_date,
            )
        )
    return drafts


def _late_stops(rows: list[StopRow], period: Period) -> list[Draft]:
    drafts = []
    for row in rows:
        end = row.window_end_at
        if (
            end is None
            or row.route_status in (RouteStatus.superseded, RouteStatus.withdrawn)
            or not at_customer(row.stop_kind, row.order_kind)
            or row.status in (StopStatus.failed, StopStatus.skipped)
        ):
            continue
        visit, window = _visit(row), f"the window ended at {period.clock(end)}"
        if row.arrived_at is not None:
            if row.arrived_at <= end:
                continue
            severity, at = Severity.info, row.arrived_at
            title = (
                f"{visit}: arrived {_minutes(row.arrived_at - end)} late at {period.clock(row.arrived_at)}, {window}"
            )
        elif row.status in OPEN_STOP_STATUSES:
            expected = row.eta_at or row.planned_arrival_at
            if expected is not None and expected > end and expected >= period.now:
                severity, at = Severity.warning, end
                ends = window if end <= period.now else f"the window ends at {period.clock(end)}"
                title = f"{visit} will be late: expected at {period.clock(expected)}, {ends}"
            elif end < period.now:
                severity, at = Severity.warning, end
                title = f"{visit} is late: {window} and no one has arrived"
            else:
                continue
        else:
            continue
        drafts.append(
            Draft(
                key=f"late_stop:{row.stop_id}",
                kind=ItemKind.late_stop,
                severity=severity,
                occurred_at=at,
                title=title,
                detail=_parts(row.address, row.vehicle_name, row.driver_name),
                order_id=row.order_id,
                stop_id=row.stop_id,
                route_id=row.route_id,
                driver_id=row.driver_id,
                service_date=row.service_date,
            )
        )
    return drafts


async def _offline_drivers(
    session: AsyncSession, principal: Principal, period: Period, offline_after: timedelta
) -> list[Draft]:
    org = principal.organization_id
    today = period.local_day(period.now) == period.day
    routes = await repository.routes_in_progress(session, organization_id=org, day=period.day, with_earlier_days=today)
    routes = [r for r in routes if r.started_at is not None]
    if not routes:
        return []
    drivers = {r.driver_id for r in routes if r.driver_id is not None}
    since = min(r.started_at for r in routes if r.started_at is not None)
    positions = await repository.last_positions(session, organization_id=org, driver_ids=drivers, since=since)
    syncs = await repository.last_syncs(session, organization_id=org, driver_ids=drivers, since=since)
    actions = await repository.last_route_actions(
        session,
        organization_id=org,
        route_actors={r.route_id: f"user:{r.driver_id}" for r in routes if r.driver_id is not None},
    )
    drafts = []
    for route in routes:
        assert route.started_at is not None
        heard = [route.started_at, actions.get(route.route_id)]
        if route.driver_id is not None:
            heard += [positions.get(route.driver_id), syncs.get(route.driver_id)]
        last_heard = max(at for at in heard if at is not None)
        if period.now - last_heard < offline_after:
            continue
        seen = positions.get(route.driver_id) if route.driver_id is not None else None
        drafts.append(_offline(route, last_heard, period, seen_position=seen))
    return drafts


def _offline(route: RouteRow, last_heard: datetime, period: Period, *, seen_position: datetime | None) -> Draft:
    who = route.driver_name or f"The driver of {route.vehicle_name}"
    position = f"last position received at {period.clock(seen_position)}" if seen_position else "no position yet"
    to_go = f"{route.open_stops} stop{'' if route.open_stops == 1 else 's'} to go"
    return Draft(
        key=f"driver_offline:{route.route_id}:{_epoch_ms(last_heard)}",
        kind=ItemKind.driver_offline,
        severity=Severity.critical,
        occurred_at=last_heard,
        title=f"{who} not heard from for {_minutes(period.now - last_heard)} (since {period.clock(last_heard)})",
        detail=_parts(route.vehicle_name, to_go, position),
        route_id=route.route_id,
        driver_id=route.driver_id,
        service_date=route.service_date,
    )


COMMAND_WORDS = {
    "stop.deliver": "delivery to {whom}",
    "stop.fail": "failed attempt at {whom}",
    "stop.arrive": "arrival at {whom}",
    "stop.collect_return": "return collected from {whom}",
    "route.start": "start of the route",
    "route.finish": "end of the route",
    "parcel.scan": "parcel scan",
}


def _rejected(rows: list[RejectedRow], period: Period) -> list[Draft]:
    drafts = []
    for row in rows:
        whom = row.recipient_name or "a stop"
        action = COMMAND_WORDS.get(row.type, row.type).format(whom=whom)
        why = REFUSAL_REASONS.get(row.reason or "") or row.message or "the server refused it"
        drafts.append(
            Draft(
                key=f"rejected_action:{row.command_id}",
                kind=ItemKind.rejected_action,
                severity=Severity.warning,
                occurred_at=row.recorded_at,
                title=f"{_driver(row.driver_name)}'s {action} was refused: {why}",
                detail=f"The driver was told: {row.message}" if row.message and row.message != why else None,
                order_id=row.order_id,
                stop_id=row.stop_id if row.route_id is not None else None,
                route_id=row.route_id,
                driver_id=row.driver_id,
                service_date=row.service_date,
            )
        )
    return drafts


async def _webhooks(session: AsyncSession, principal: Principal, period: Period) -> list[Draft]:
    org = principal.organization_id
    drafts = []
    for group in await repository.failed_deliveries(session, organization_id=org, start=period.start, end=period.end):
        what = (
            "A webhook delivery" if group.failed == 1 else f"{group.failed} webhook deliveries"
        ) + f" to {group.url} failed for good"
        drafts.append(
            Draft(
                key=f"webhook_failed:{group.endpoint_id}:{period.day.isoformat()}",
                kind=ItemKind.webhook_failed,
                severity=Severity.warning,
                occurred_at=group.last_failed_at,
                title=f"{what} (last at {period.clock(group.last_failed_at)})",
                detail=_parts(f"Last error: {group.last_error}" if group.last_error else None),
                endpoint_id=group.endpoint_id,
                changed_at=group.last_failed_at,
            )
        )
    for endpoint in await repository.disabled_endpoints(session, organization_id=org, before=period.end):
        drafts.append(
            Draft(
                key=f"endpoint_disabled:{endpoint.endpoint_id}:{_epoch_ms(endpoint.disabled_at)}",
                kind=ItemKind.endpoint_disabled,
                severity=Severity.critical,
                occurred_at=endpoint.disabled_at,
                title=f"Webhooks to {endpoint.url} are switched off: {endpoint.disabled_reason or 'turned off'}",
                detail="Nothing is sent to it until an administrator turns it back on (and redelivers what failed).",
                endpoint_id=endpoint.endpoint_id,
            )
        )
    return drafts


async def _drafts(
    session: AsyncSession,
    principal: Principal,
    period: Period,
    offline_after: timedelta,
    kinds: frozenset[ItemKind] = frozenset(ItemKind),
) -> list[Draft]:
    org = principal.organization_id
    drafts: list[Draft] = []
    if kinds & {ItemKind.failed_attempt, ItemKind.late_stop}:
        stops = await repository.stops_of_day(session, organization_id=org, day=period.day)
        if ItemKind.failed_attempt in kinds:
            failed_routes = {r.route_id for r in stops if r.status is StopStatus.failed}
            reasons = await repository.failure_reasons(session, organization_id=org, route_ids=failed_routes)
            drafts += _failed_attempts(stops, reasons, period)
        if ItemKind.late_stop in kinds:
            drafts += _late_stops(stops, period)
    if ItemKind.driver_offline in kinds:
        drafts += await _offline_drivers(session, principal, period, offline_after)
    if ItemKind.rejected_action in kinds:
        rows = await repository.rejected_commands(session, organization_id=org, start=period.start, end=period.end)
        drafts += _rejected(rows, period)
    if kinds & {ItemKind.webhook_failed, ItemKind.endpoint_disabled}:
        drafts += [d for d in await _webhooks(session, principal, period) if d.kind in kinds]
    return drafts


async def _with_acknowledgements(session: AsyncSession, principal: Principal, drafts: list[Draft]) -> list[InboxItem]:
    acks = await repository.acknowledgements(
        session, organization_id=principal.organization_id, keys={d.key for d in drafts}
    )
    items = []
    for draft in drafts:
        ack = acks.get(draft.key)
        handled = ack is not None and (draft.changed_at is None or ack.acknowledged_at >= draft.changed_at)
        items.append(
            InboxItem(
                key=draft.key,
                kind=draft.kind,
                severity=draft.severity,
                occurred_at=draft.occurred_at,
                title=draft.title,
                detail=draft.detail,
                order_id=draft.order_id,
                stop_id=draft.stop_id,
                route_id=draft.route_id,
                driver_id=draft.driver_id,
                endpoint_id=draft.endpoint_id,
                service_date=draft.service_date,
                acknowledged=handled,
                acknowledged_at=ack.acknowledged_at if handled and ack else None,
                acknowledged_by=ack.acknowledged_by_name if handled and ack else None,
            )
        )
    items.sort(key=lambda i: (i.occurred_at, SEVERITY_ORDER[i.severity] * -1, i.key), reverse=True)
    return items


async def _period(session: AsyncSession, principal: Principal, day: date | None, now: datetime) -> Period:
    zone = _zone(await repository.organization_timezone(session, organization_id=principal.organization_id))
    if day is None:
        day = now.astimezone(zone).date()
    _check_day(day)
    return Period(day=day, zone=zone, now=now)


async def inbox(
    session: AsyncSession, *, principal: Principal, day: date | None, now: datetime, offline_after: timedelta
) -> Inbox:
    """The day's items (the organization's today by default), newest first, acknowledged ones flagged."""
    period = await _period(session, principal, day, now)
    items = await _with_acknowledgements(session, principal, await _drafts(session, principal, period, offline_after))
    return Inbox(
        date=period.day,
        timezone=period.zone.key,
        generated_at=now,
        offline_after_min=int(offline_after.total_seconds() // 60),
        open_count=sum(1 for i in items if not i.acknowledged),
        items=items,
    )


async def _day_of_key(
    session: AsyncSession, principal: Principal, item_key: str, zone: ZoneInfo
) -> tuple[ItemKind, date]:
    """Which kind of item a key names and the day it is listed on, or InboxItemNotFound."""
    org = principal.organization_id
    if len(item_key) <= ITEM_KEY_MAX_LENGTH:
        for kind, pattern in KEY_PATTERNS.items():
            match = pattern.fullmatch(item_key)
            if match is None:
                continue
            object_id = UUID(match["id"])
            day: date | None = None
            if kind in (ItemKind.failed_attempt, ItemKind.late_stop):
                day = await repository.stop_day(session, organization_id=org, stop_id=object_id)
            elif kind is ItemKind.driver_offline:
                day = await repository.route_day(session, organization_id=org, route_id=object_id)
            elif kind is ItemKind.rejected_action:
                at = await repository.command_recorded_at(session, organization_id=org, command_id=object_id)
                day = at.astimezone(zone).date() if at else None
            elif kind is ItemKind.webhook_failed:
                try:
                    day = date.fromisoformat(match["day"])
                except ValueError:
                    day = None
            else:
                at = await repository.endpoint_disabled_at(session, organization_id=org, endpoint_id=object_id)
                day = at.astimezone(zone).date() if at else None
            if day is not None and FIRST_DAY <= day <= LAST_DAY:
                return kind, day
            break
    raise InboxItemNotFound("Nothing in the inbox has this key (it may have been resolved meanwhile).")


async def acknowledge(
    session: AsyncSession, *, principal: Principal, item_key: str, now: datetime, offline_after: timedelta
) -> InboxItem:
    """Mark an item handled; it stays handled (a second call changes nothing) until there is news about it."""
    zone = _zone(await repository.organization_timezone(session, organization_id=principal.organization_id))
    kind, day = await _day_of_key(session, principal, item_key, zone)
    period = Period(day=day, zone=zone, now=now)
    drafts = [
        d for d in await _drafts(session, principal, period, offline_after, frozenset({kind})) if d.key == item_key
    ]
    if not drafts:
        raise InboxItemNotFound("Nothing in the inbox has this key (it may have been resolved meanwhile).")
    [item] = await _with_acknowledgements(session, principal, drafts)
    if item.acknowledged:
        return item
    await repository.acknowledge(
        session,
        organization_id=principal.organization_id,
        item_key=item_key,
        user_id=principal.user_id,
        actor=principal.actor,
        at=now,
    )
    [item] = await _with_acknowledgements(session, principal, drafts)
    return item
