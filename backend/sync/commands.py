"""What each offline command does, once the sync service has decided it is new: find the stop the driver
meant (following the order if a re-plan moved it within the driver's own day), refuse plainly when the world
changed while the phone was offline, and keep the driver's proof either way."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.models import Role
from backend.accounts.principal import Principal
from backend.events import service as events
from backend.orders import repository as orders_repository
from backend.orders.models import OrderStatus, Parcel
from backend.proof.models import Proof, ProofKind, ProofStatus
from backend.routing import execution, repository
from backend.routing.errors import RouteNotStartable, StopNotOpen
from backend.routing.models import OPEN_STOP_STATUSES, Route, RouteStatus, Stop, StopStatus
from backend.sync import schemas

LIVE_ROUTE = (RouteStatus.published, RouteStatus.in_progress)
PROOF_KINDS = {
    "stop.deliver": ProofKind.delivered,
    "stop.fail": ProofKind.failed,
    "stop.collect_return": ProofKind.return_collected,
}
MESSAGES = {
    "stop_cancelled": "This stop was cancelled by dispatch while you were offline.",
    "reassigned": "This stop was moved to another driver while you were offline.",
    "stop_closed": "This stop was already closed with another outcome.",
    "route_closed": "This route is no longer active.",
    "stops_open": "Some stops are still open: deliver or fail them before finishing the route.",
    "not_found": "This stop is no longer on any route.",
}


class Rejected(Exception):
    """The command will never apply; `reason` is a stable code, the message is for the driver."""

    def __init__(self, reason: str, message: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message or MESSAGES.get(reason, "The server refused this action.")


def _owns(principal: Principal, route: Route) -> bool:
    return principal.role != Role.driver or route.driver_id == principal.user_id


async def _current_stop(session: AsyncSession, organization_id: UUID, order_id: UUID) -> Stop | None:
    """The order's stop on a live route now (an open one first), wherever re-planning put it."""
    rows = await session.scalars(
        select(Stop)
        .join(Route, Route.id == Stop.route_id)
        .where(Stop.organization_id == organization_id, Stop.order_id == order_id, Route.status.in_(LIVE_ROUTE))
        .order_by(Stop.status.in_(OPEN_STOP_STATUSES).desc())
    )
    return rows.first()


async def _route_of(session: AsyncSession, principal: Principal, route_id: UUID) -> Route | None:
    return await repository.get_route(
        session, organization_id=principal.organization_id, route_id=route_id, for_update=True
    )


async def target(session: AsyncSession, principal: Principal, command: schemas.Command) -> tuple[Route, Stop]:
    """The route and stop a stop command is about, or a rejection saying why there is none. A stop the phone
    knew may have been re-planned onto another of the driver's routes of the same day that is under way: the
    action follows it there (never to another day, and never starting a route the driver did not name)."""
    org = principal.organization_id
    named = await _route_of(session, principal, command.route_id)
    route, stop = named, None
    if named is not None and _owns(principal, named):
        stop = next((s for s in named.stops if s.id == command.stop_id), None)
    if stop is not None and command.order_id is not None and stop.order_id != command.order_id:
        raise Rejected("invalid", "This stop belongs to another order; the app's copy of the route is out of date.")
    order_id = stop.order_id if stop is not None else command.order_id
    order = await orders_repository.get_order(session, organization_id=org, order_id=order_id) if order_id else None
    if stop is None and order is not None:
        current = await _current_stop(session, org, order.id)
        if current is not None:
            moved_to = await _route_of(session, principal, current.route_id)
            followable = (
                moved_to is not None
                and _owns(principal, moved_to)
                and (named is None or moved_to.service_date == named.service_date)
                and (moved_to.id == command.route_id or moved_to.status == RouteStatus.in_progress)
            )
            if followable and moved_to is not None:
                route, stop = moved_to, next(s for s in moved_to.stops if s.id == current.id)
            elif order.status != OrderStatus.cancelled:
                raise Rejected("reassigned")
    if order is not None and order.status == OrderStatus.cancelled:
        raise Rejected("stop_cancelled")
    if stop is None or route is None:
        if route is not None and not _owns(principal, route):
            raise Rejected("reassigned")
        raise Rejected("not_found")
    if route.status not in LIVE_ROUTE:
        raise Rejected("route_closed", f"This route is {route.status.value}.")
    return route, stop


async def known_ids(
    session: AsyncSession, principal: Principal, command: schemas.Command
) -> tuple[UUID | None, UUID | None]:
    """The command's route and order ids if they exist in the caller's organization (else None): what a kept
    conflicting proof may point at."""
    org = principal.organization_id
    route_id = await session.scalar(select(Route.id).where(Route.id == command.route_id, Route.organization_id == org))
    order_id = None
    if command.order_id is not None:
        order = await orders_repository.get_order(session, organization_id=org, order_id=command.order_id)
        order_id = order.id if order is not None else None
    return route_id, order_id


async def _started(session: AsyncSession, principal: Principal, route: Route, at: datetime) -> None:
    """A stop action on a route the driver forgot to start starts it (at the action's time)."""
    if route.status == RouteStatus.published:
        await execution.start_route(session, principal=principal, route_id=route.id, occurred_at=at)


async def _finish_route(session: AsyncSession, principal: Principal, command: schemas.Command, at: datetime) -> None:
    route = await _route_of(session, principal, command.route_id)
    if route is None or not _owns(principal, route):
        raise Rejected("reassigned" if route is not None else "not_found")
    try:
        await execution.finish_route(session, principal=principal, route_id=route.id, occurred_at=at)
    except StopNotOpen as exc:
        if route.status == RouteStatus.in_progress:
            raise Rejected("stops_open", str(exc.detail)) from exc
        raise Rejected("route_closed", f"This route is {route.status.value}.") from exc


async def _start_route(session: AsyncSession, principal: Principal, command: schemas.Command, at: datetime) -> None:
    route = await _route_of(session, principal, command.route_id)
    if route is None or not _owns(principal, route):
        raise Rejected("reassigned" if route is not None else "not_found")
    try:
        await execution.start_route(session, principal=principal, route_id=route.id, occurred_at=at)
    except RouteNotStartable as exc:
        raise Rejected("route_closed", str(exc.detail)) from exc


async def _scan(session: AsyncSession, principal: Principal, command: schemas.Command, at: datetime) -> None:
    payload = msgspec.convert(command.payload, schemas.ScanPayload)
    route = await repository.get_route(session, organization_id=principal.organization_id, route_id=command.route_id)
    if route is None or not _owns(principal, route):
        raise Rejected("reassigned" if route is not None else "not_found")
    order_ids = {s.order_id for s in route.stops if s.order_id is not None}
    expected = await session.scalar(
        select(Parcel.order_id)
        .where(Parcel.organization_id == principal.organization_id, Parcel.barcode == payload.barcode)
        .where(Parcel.order_id.in_(order_ids))
        .limit(1)
    )
    events.record(
        session,
        organization_id=principal.organization_id,
        type="parcel.scanned",
        subject_type="route",
        subject_id=route.id,
        actor=principal.actor,
        occurred_at=at,
        payload={
            "barcode": payload.barcode,
            "stage": payload.stage,
            "stop_id": str(command.stop_id) if command.stop_id else None,
            "on_route": expected is not None,
        },
    )


async def apply(session: AsyncSession, principal: Principal, command: schemas.Command, at: datetime) -> str | None:
    """Apply one command; returns a note for an applied no-op (None otherwise), raises Rejected."""
    if command.type == "route.start":
        await _start_route(session, principal, command, at)
        return None
    if command.type == "route.finish":
        await _finish_route(session, principal, command, at)
        return None
    if command.type == "parcel.scan":
        await _scan(session, principal, command, at)
        return None
    route, stop = await target(session, principal, command)
    if route.id == command.route_id:
        await _started(session, principal, route, at)
    if command.type == "stop.arrive":
        if stop.status not in OPEN_STOP_STATUSES:
            return "already_closed"
        await execution.arrive(session, principal=principal, route_id=route.id, stop_id=stop.id, occurred_at=at)
        return None
    if command.type == "stop.collect_return":
        command.stop_id, command.route_id, command.order_id = stop.id, route.id, stop.order_id
        return None  # the proof record is the whole effect
    outcome: execution.Outcome = "delivered" if command.type == "stop.deliver" else "failed"
    reason = command.payload.get("reason") if outcome == "failed" else None
    done = StopStatus.completed if outcome == "delivered" else StopStatus.failed
    if stop.status not in (*OPEN_STOP_STATUSES, done):
        raise Rejected("stop_closed", f"This stop was already closed as {stop.status.value}.")
    await execution.complete_stop(
        session, principal=principal, route_id=route.id, stop_id=stop.id, outcome=outcome, reason=reason, occurred_at=at
    )
    # the proof names where it really happened and whose order it proves (never what the phone claimed)
    command.stop_id, command.route_id, command.order_id = stop.id, route.id, stop.order_id
    return None


def _note(data: dict[str, Any]) -> str | None:
    """The driver's note, prefixed "ID checked" when they confirmed the recipient's photo ID (as the counter's)."""
    note = data.get("note")
    if not data.get("id_checked"):
        return note
    return f"ID checked. {note}" if note else "ID checked"


def proof_for(
    principal: Principal, command: schemas.Command, payload: msgspec.Struct, *, at: datetime, recorded_at: datetime
) -> Proof | None:
    """The proof a stop command carries, accepted or (when refused) kept as a conflict for the dispatcher."""
    kind = PROOF_KINDS.get(command.type)
    if kind is None:
        return None
    data: dict[str, Any] = msgspec.structs.asdict(payload)
    return Proof(
        organization_id=principal.organization_id,
        order_id=command.order_id,
        route_id=command.route_id,
        stop_id=command.stop_id,
        driver_id=principal.user_id,
        command_id=command.id,
        kind=kind,
        status=ProofStatus.accepted,
        recipient_name=data.get("recipient_name"),
        reason=data.get("reason"),
        note=_note(data),
        photos=list(data.get("photos") or []),
        signature=data.get("signature"),
        barcode=data.get("barcode"),
        condition=data.get("condition"),
        lat=data.get("lat"),
        lon=data.get("lon"),
        accuracy_m=data.get("accuracy_m"),
        occurred_at=at,
        recorded_at=recorded_at,
    )
