"""Moving one open stop of a live route to another live route of the same day, by hand (Dispatch's "Move to…").

Nothing new is solved here. The day is read as live re-planning reads it (replanning.load: done stops and the
stop a driver is heading to are fixed), the order's visits leave their route, the order goes into the chosen
route at its cheapest feasible gap (live.cheapest_insertion on that route alone: capacity, windows, shift end,
skills, maximum stops), and the new state is written in place with a `plan.revised` event (replanning.write):
both routes re-timed and redrawn, stop ids kept, done stops untouched. The order is pinned to its new vehicle
(Stop.pinned), so the warm re-solve and a later re-plan of the whole day keep it there. Never commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.principal import Principal
from backend.events import service as events
from backend.events.models import Event
from backend.kit.idempotency import IdempotencyKeyReused
from backend.routing import live, replanning, repository
from backend.routing.errors import (
    RouteNotFound,
    RouteNotLive,
    SameRoute,
    StopDoesNotFit,
    StopNotFound,
    StopNotMovable,
    StopNotOpen,
)
from backend.routing.live import LiveState, LiveVehicle
from backend.routing.models import Route, RouteStatus, StopStatus
from backend.routing.travel import TravelTimes

LIVE = frozenset({RouteStatus.published, RouteStatus.in_progress})
EVENT = "stop.reassigned"
REASON = "stop moved by a dispatcher"


@dataclass
class Moved:
    order_id: UUID
    source: Route
    target: Route
    event: Event | None  # the `plan.revised` to tell the drivers after the commit; None for a repeated request
    replayed: bool = False
    # the two routes' street lines to draw after the commit (no routing-service call while the day is locked)
    lines: dict[UUID, tuple[list[tuple[float, float]], str]] = field(default_factory=dict)

    @property
    def stop_ids(self) -> list[UUID]:
        """The order's stops on the target route (a delivery fetched from the depot has two)."""
        return [s.id for s in self.target.stops if s.order_id == self.order_id]


async def reassign_stop(
    session: AsyncSession,
    *,
    principal: Principal,
    route_id: UUID,
    stop_id: UUID,
    to_route_id: UUID,
    now: datetime,
    travel: TravelTimes,
    fallback: TravelTimes,
    idempotency_key: str | None = None,
) -> Moved:
    organization_id = principal.organization_id
    asked = {"from_route_id": str(route_id), "stop_id": str(stop_id), "to_route_id": str(to_route_id)}
    source = await repository.route_header(session, organization_id=organization_id, route_id=route_id)
    if source is None:
        raise RouteNotFound()
    if to_route_id == route_id:
        raise SameRoute("The stop is on this route already; choose another route")
    if await repository.route_header(session, organization_id=organization_id, route_id=to_route_id) is None:
        raise RouteNotFound("The route to move the stop to was not found")

    # the day's plan first (as every re-plan), then the two routes (as a driver's action); everything below is
    # read under those locks, so a route finished, withdrawn or changed meanwhile is seen as it is now
    plan = await repository.published_plan(
        session, organization_id=organization_id, service_date=source.service_date, for_update=True
    )
    await repository.lock_routes(session, [route_id, to_route_id])
    if idempotency_key is not None:
        previous = await events.find_by_idempotency_key(session, organization_id=organization_id, key=idempotency_key)
        if previous is not None:
            if previous.type != EVENT or any(previous.payload.get(k) != v for k, v in asked.items()):
                raise IdempotencyKeyReused("Send a new Idempotency-Key for a different request")
            return await _as_now(session, organization_id, route_id, to_route_id, UUID(previous.payload["order_id"]))
    source = await repository.route_header(session, organization_id=organization_id, route_id=route_id)
    target = await repository.route_header(session, organization_id=organization_id, route_id=to_route_id)
    if source is None or target is None:  # locked rows do not vanish; kept for the type checker
        raise RouteNotFound()
    stop = await repository.stop_header(session, organization_id=organization_id, stop_id=stop_id)
    if stop is None or stop.route_id not in (route_id, to_route_id):
        raise StopNotFound()
    if stop.route_id == to_route_id and stop.order_id is not None and stop.status is StopStatus.pending:
        return await _as_now(session, organization_id, route_id, to_route_id, stop.order_id)  # a retry that got there
    if source.status not in LIVE:
        raise RouteNotLive(f"This route is {source.status.value}; only a published or started route's stops can move")
    if target.status not in LIVE:
        raise RouteNotLive(
            f"The chosen route is {target.status.value}; stops can only move to a published or started route"
        )
    if target.plan_id != source.plan_id or target.service_date != source.service_date:
        raise StopNotMovable(
            "The chosen route is not on this day's live plan; a stop can only move to a route of the same day",
            extra={"reason": "other_day"},
        )
    if stop.order_id is None:
        raise StopNotMovable("Only a stop that serves an order can move", extra={"reason": "not_an_order"})
    _open(stop.status)
    if plan is None or plan.id != source.plan_id:
        raise RouteNotLive("This route's plan is no longer the day's live plan; open the newest revision")
    loaded = await replanning.load(
        session,
        organization_id=organization_id,
        service_date=source.service_date,
        now=now,
        travel=travel,
        fallback=fallback,
    )
    if loaded is None:  # the plan row was just locked: it cannot have gone
        raise RouteNotLive("This day has no live plan")
    after, order_id = _moved_state(loaded, source.vehicle_id, target.vehicle_id, stop_id)
    _, event = await replanning.write(session, loaded, after, reason=REASON)
    events.record(
        session,
        organization_id=organization_id,
        type=EVENT,
        subject_type="route",
        subject_id=to_route_id,
        actor=principal.actor,
        idempotency_key=idempotency_key,
        payload={
            **asked,
            "service_date": source.service_date.isoformat(),
            "order_id": str(order_id),
            "from_vehicle_id": str(source.vehicle_id),
            "to_vehicle_id": str(target.vehicle_id),
        },
    )
    await session.flush()
    moved = await _as_now(session, organization_id, route_id, to_route_id, order_id)
    moved.event, moved.replayed, moved.lines = event, False, dict(loaded.lines)
    return moved


def _open(status: StopStatus) -> None:
    if status is StopStatus.arrived:
        raise StopNotOpen("The driver is at this stop now; it stays on their route")
    if status is not StopStatus.pending:
        raise StopNotOpen(f"The stop is {status.value}; only a stop still to do can move")


def _moved_state(loaded: replanning.Loaded, source_id: UUID, target_id: UUID, stop_id: UUID) -> tuple[LiveState, UUID]:
    """The live state with the stop's order (all its visits) out of the source route and into the target's
    cheapest feasible gap, pinned there; or the problem that says why not."""
    state = loaded.state
    names = {v.id: v.name for v in loaded.vehicles.values()}
    source_stops = loaded.stops.get(source_id, [])
    row = next((s for s in source_stops if s.id == stop_id), None)
    if row is None or row.order_id is None:
        raise StopNotFound()
    _open(row.status)
    order_id = row.order_id
    lives = {lv.vehicle.vehicle_id: lv for lv in state.vehicles}
    source, target = lives.get(source_id), lives.get(target_id)
    if target is None:
        raise StopNotMovable(
            "The chosen route's vehicle is not available (inactive, or without a depot)",
            extra={"reason": "vehicle_unavailable"},
        )
    committed = loaded.committed.get(source_id, 0)
    heading_to = [s for s in source_stops if s.sequence <= committed and s.status not in replanning.DONE]
    if any(s.order_id == order_id for s in heading_to):
        raise StopNotMovable(
            "The driver is already on the way to this stop; it stays on their route", extra={"reason": "committed"}
        )
    visits = [kind for kind, o in (source.visits if source is not None else ()) if o == order_id]
    if not visits:
        raise StopNotMovable(
            "This order is no longer to be served on this route (cancelled or taken off)",
            extra={"reason": "not_on_route"},
        )
    on_board = ("job" in visits and source is not None and source.departed) or (
        "delivery" in visits and "pickup" not in visits
    )
    if on_board:
        raise StopNotMovable(
            f"The order is on board {names.get(source_id, 'the vehicle')}, which has left the depot; only it can "
            "deliver the order",
            extra={"reason": "on_board"},
        )
    task = state.tasks[order_id]
    if task.return_to_index is None:
        task = replace(task, load_at_index=None)  # loaded at the depot or fetched from it: the target decides
    without = replace(
        state,
        vehicles=tuple(lv.without(order_id) if lv.vehicle.vehicle_id == source_id else lv for lv in state.vehicles),
        tasks={**state.tasks, order_id: task},
        new=(order_id,),
    )
    target = next(lv for lv in without.vehicles if lv.vehicle.vehicle_id == target_id)
    found = live.cheapest_insertion(replace(without, vehicles=(target,)), order_id)
    if found is None:
        reason, detail = why_it_does_not_fit(without, target, order_id, names.get(target_id, "That vehicle"))
        raise StopDoesNotFit(detail, extra={"reason": reason})
    after = live.apply_insertion(without, found)
    # other orders still waiting are the re-planner's business, not this move's
    return replace(after, new=(), pinned={**state.pinned, order_id: target_id}), order_id


def why_it_does_not_fit(state: LiveState, target: LiveVehicle, order_id: UUID, name: str) -> tuple[str, str]:
    """The first rule that rules out every gap of the target route, in the dispatcher's words."""
    task = state.tasks[order_id]
    v = target.vehicle
    missing = sorted(task.skills - v.skills)
    if missing:
        return "skills", f"{name} lacks what this order needs: {', '.join(missing)}"
    capacity = np.array(v.capacity, dtype=np.int64)
    amount = np.array(task.amount, dtype=np.int64)
    if (amount > capacity).any():
        return "capacity", f"The order is larger than {name} can carry"
    added = 2 if (task.return_to_index is not None or target.departed) else 1
    if v.max_tasks is not None and len(target.visits) + added > v.max_tasks:
        return "max_stops", f"{name} already has its most stops ({v.max_tasks})"
    if not live.time_route(state, target, list(target.visits)).feasible:
        return "route_late", f"{name}'s route already misses a time window or its shift end; it takes no more stops"
    loads = live.loads_after(state, target, list(target.visits))
    if not (loads[:-1] + amount <= capacity).all(axis=1).any():
        return "capacity", f"{name} is too full to take the order"
    unbroken = replace(state, vehicles=(target.without_breaks(),))
    if v.breaks and live.cheapest_insertion(unbroken, order_id) is not None:
        return "break", f"Every place on {name}'s route that would fit pushes the driver's break past its window"
    return (
        "time_window",
        f"No place on {name}'s route keeps every stop within its time window and the driver's shift",
    )


async def _as_now(
    session: AsyncSession, organization_id: UUID, source_id: UUID, target_id: UUID, order_id: UUID
) -> Moved:
    routes = await repository.fresh_routes(session, organization_id=organization_id, route_ids=[source_id, target_id])
    return Moved(order_id=order_id, source=routes[source_id], target=routes[target_id], event=None, replayed=True)
