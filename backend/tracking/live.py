"""The live side of tracking, one per process: each driver's route in progress, arrival detection, ETAs, and
what is published to whom (dispatch, the driver, and only the next customer sees the driver's position).

State lives in memory and is rebuilt from the database: a driver's route is reloaded after every change to it,
whichever process made it (each process follows the organization channel of the drivers it serves, where the
relay publishes every event), and every half-minute or so as a safety net for a change that published no route
event (an order's window edited). Reloads and ETA passes are due at a per-driver jittered time, so 500 drivers
who started together do not all reload in the same second every period.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import shapely.geometry
import structlog
from litestar.channels import ChannelsPlugin
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.accounts.principal import Principal
from backend.db.session import transaction
from backend.events import service as events
from backend.events.channels import driver_channel, order_channel, org_channel
from backend.events.models import Event
from backend.fleet.models import VehicleProfile
from backend.kit.clock import utcnow
from backend.kit.problems import DomainError
from backend.kit.tasks import cancel_and_wait, stop_between_passes
from backend.notifications import service as notifications
from backend.orders.models import OrderKind
from backend.routing import execution
from backend.routing.models import OPEN_STOP_STATUSES, StopKind, StopStatus
from backend.routing.travel import TravelError, TravelTimes, TravelUnavailable
from backend.settings import Settings
from backend.tracking import repository
from backend.tracking.eta import EtaWindow, RemainingStop, SpeedFactor, StopEta, estimate, moved
from backend.tracking.geofence import Arrived, Arriving, Departed, Fence, GeofenceTracker, Point, Yard
from backend.tracking.ingest import IngestResult, PointIn, PositionWriter, Rejected, check, position_row

ROUTE_RELOAD_S = 30.0  # the safety-net reload: route events invalidate at once, through the organization channel
RELOAD_SPREAD = (0.5, 1.0)  # each reload is due after this share of ROUTE_RELOAD_S, drawn per reload
ETA_SPREAD = (0.8, 1.2)  # each periodic ETA pass is due after this share of settings.eta_interval_s
WATCH_RETRY_S = 1.0  # a lost organization subscription (Redis restarting) is taken again after this
# drivers' follow-ups (reloads, ETA passes and their writes) using the database at once, per process: the others
# wait their turn without holding a connection. With 500 drivers on SQLite's 15 pooled connections, the
# follow-ups held them all while the event loop was busy, and the ones left waiting past the pool's 30 s timeout
# failed (391 in one bench run), with the position writer and the outbox relay starved beside them
FOLLOW_UPS_AT_ONCE = 6
# tracking pages reading the database at once, per process (`page_reads`, taken by tracking/socket.py): a burst of
# pages opening (a text to every customer at 8 a.m.) waits its turn here instead of taking the whole connection
# pool, which starved the drivers' ETA passes and arrivals for 30 s and more (bench/live.py: 5,000 pages opening
# beside 500 drivers, "QueuePool limit reached" on SQLite's 15 connections)
TRACKING_READS_AT_ONCE = 4
ORG_POSITION_EVERY_S = 2.0  # dispatch maps get one "positions" frame this often: each driver's newest point since
# the last one (customers get every point). One frame per organization instead of one per driver: with 500 drivers
# 20 dispatch maps took 5,000 frames a second, a third of the server's socket writes, and a browser redrew its map
# 250 times a second
LATEST_TTL_S = 3600  # a driver not heard from for an hour drops off the dispatch map
ETA_JUMP_CONFIRM_S = 180.0  # the next stop's ETA moving later by more than this waits for a second fix to agree
DEPOT_RADIUS_M = 100.0  # a depot without a drawn yard: this circle around its point
ROUTE_EVENTS = frozenset(
    {"plan.revised", "route.withdrawn", "route.started", "route.completed", "stop.arrived", "stop.completed"}
)

log = structlog.get_logger(__name__)


def seq_now() -> int:
    """Live frames are not stored, so their seq is the publish time in ms: a client resumes by asking for a
    fresh snapshot, which is all any of them needs."""
    return time.time_ns() // 1_000_000


@dataclass
class StopView:
    stop_id: UUID
    order_id: UUID
    sequence: int
    status: StopStatus
    lat: float
    lon: float
    service_s: int
    window_start_at: datetime | None
    window_end_at: datetime | None
    arrived_at: datetime | None
    departed_at: datetime | None
    planned_arrival_at: datetime | None = None
    geofence_radius_m: float | None = None
    at_customer: bool = True
    """False for a depot fetch (live re-planning sends a van that is out back for a parcel): its customer is
    not being visited yet, so they do not see the van or an "arriving"."""


@dataclass(frozen=True)
class BreakView:
    """A break stop of the plan: the driver's break on the way to the next stop, at its planned times."""

    sequence: int
    starts_at: datetime
    ends_at: datetime


@dataclass
class RouteView:
    route_id: UUID
    profile: VehicleProfile
    stops: list[StopView]
    service_date: date | None = None
    yard: Yard | None = None
    breaks: list[BreakView] = field(default_factory=list)

    def break_before(self, stop_id: UUID) -> bool:
        """Whether the plan has a break on the way into this stop."""
        stop = next((s for s in self.stops if s.stop_id == stop_id), None)
        return stop is not None and bool(self._breaks_between(self._previous(stop.sequence), stop.sequence))

    def breaks_on_the_way(self, remaining: list[StopView], now: datetime) -> list[tuple[float, datetime | None]]:
        """Per remaining stop, the plan's breaks on the way into it (from the remaining stop before it): (seconds,
        not before). On the way to the first, only what the clock leaves of them: the driver may be on a break
        now, or past it."""
        lower = self._previous(remaining[0].sequence)
        found: list[tuple[float, datetime | None]] = []
        for index, stop in enumerate(remaining):
            seconds, start = 0.0, None
            for b in self._breaks_between(lower, stop.sequence):
                begins = b.starts_at if index else max(now, b.starts_at)
                left = (b.ends_at - begins).total_seconds()
                if left > 0:
                    seconds, start = seconds + left, min(start or begins, begins)
            found.append((seconds, start))
            lower = stop.sequence
        return found

    def _previous(self, sequence: int) -> int:
        """The sequence of the stop before this one (-1: none)."""
        return max((s.sequence for s in self.stops if s.sequence < sequence), default=-1)

    def _breaks_between(self, lower: int, upper: int) -> list[BreakView]:
        return [b for b in self.breaks if lower < b.sequence < upper]

    @property
    def remaining(self) -> list[StopView]:
        return [s for s in self.stops if s.status in OPEN_STOP_STATUSES]


@dataclass
class DriverState:
    principal: Principal
    route: RouteView | None = None
    reload_at: float = -math.inf  # loop time the safety-net reload is due
    stale: bool = True
    generation: int = 0  # bumped by every invalidation: a reload that raced one leaves the route stale
    last_point: PointIn | None = None
    geofence: GeofenceTracker | None = None
    speed: SpeedFactor = field(default_factory=SpeedFactor)
    speed_loaded: bool = False
    eta_due_at: float = -math.inf  # loop time the next periodic ETA pass is due
    force_eta: bool = True
    published: dict[UUID, datetime] = field(default_factory=dict)
    stops_away: dict[UUID, int] = field(default_factory=dict)
    arriving_sent: set[UUID] = field(default_factory=set)
    leg: tuple[UUID, datetime, float] | None = None  # (stop, leg start, provider's seconds from there)
    delay_reported_at: float = -math.inf
    jump_held: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # route reloads and stop events, one at a time
    follow_task: asyncio.Task[None] | None = None  # the reload/ETA follow-up running for this driver, if any
    follow_again: bool = False  # asked for while it ran: it runs once more


class LiveTracker:
    def __init__(
        self,
        *,
        session_factory: async_sessionmaker[AsyncSession],
        channels: ChannelsPlugin,
        travel: TravelTimes,
        fallback: TravelTimes,
        settings: Settings,
        redis: Any = None,
        on_commit: list[Callable[[], Any]] | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._channels = channels
        self._travel = travel
        self._fallback = fallback
        self._settings = settings
        self._redis = redis
        self._on_commit = on_commit
        self.writer = PositionWriter(session_factory)
        self._drivers: dict[UUID, DriverState] = {}
        self._latest: dict[UUID, dict[UUID, dict[str, Any]]] = {}  # organization → driver → position
        self._watches: dict[UUID, asyncio.Task[None]] = {}  # organization → its channel, followed for route events
        self._org_pending: dict[UUID, dict[UUID, dict[str, Any]]] = {}  # organization → driver → newest, not yet sent
        self._org_flusher: asyncio.Task[None] | None = None
        self._follow_up_slots = asyncio.Semaphore(FOLLOW_UPS_AT_ONCE)
        self.page_reads = asyncio.Semaphore(TRACKING_READS_AT_ONCE)
        self.clock: Callable[[], datetime] = utcnow

    # -- lifecycle

    def start(self) -> None:
        self.writer.start()
        self._org_flusher = asyncio.create_task(self._flush_org_positions(), name="org-positions")

    async def stop(self) -> None:
        await cancel_and_wait(self._org_flusher)  # it only publishes: nothing is left half-done
        self._org_flusher = None
        for task in list(self._watches.values()):
            await cancel_and_wait(task)
        self._watches.clear()
        # a follow-up in the middle of a write finishes it (a task cancelled mid-query can leave its transaction
        # open), within kit/tasks.py's grace
        await asyncio.gather(*(stop_between_passes(s.follow_task) for s in self._drivers.values()))
        await self.writer.stop()

    # -- route changes from every process

    def _watch(self, organization_id: UUID) -> None:
        task = self._watches.get(organization_id)
        if task is None or task.done():
            self._watches[organization_id] = asyncio.create_task(
                self._follow(organization_id), name=f"route-watch:{organization_id}"
            )

    async def _follow(self, organization_id: UUID) -> None:
        """The organization's channel (memory or Redis: the relay of any process publishes every event there):
        a route event marks that driver's route (a re-plan: every route) stale in this process too."""
        while True:
            try:
                async with self._channels.start_subscription([org_channel(organization_id)]) as subscriber:
                    async for raw in subscriber.iter_events():
                        self.on_org_frame(organization_id, raw)
            except asyncio.CancelledError:
                raise
            except Exception:  # the backend is away: reloads fall back to the safety-net period meanwhile
                log.warning("route_watch_lost", organization_id=str(organization_id), exc_info=True)
            await asyncio.sleep(WATCH_RETRY_S)

    def on_org_frame(self, organization_id: UUID, raw: bytes) -> None:
        try:
            message = json.loads(raw)
            if message.get("type") != "event":
                return  # positions (every driver every 2 s) and anything else that is not a stored event
            data = message["data"]
            kind = str(data.get("type") or "")
            payload = data.get("payload") or {}
            if not isinstance(payload, dict):
                raise TypeError("payload")
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("route_watch_bad_frame", organization_id=str(organization_id))
            return
        self.on_route_event(organization_id, kind, payload)

    # -- ingest

    async def ingest(
        self, principal: Principal, points: Sequence[PointIn], *, background: bool = False
    ) -> IngestResult:
        """Store every acceptable point (batched), and let the usable ones move the map, arrivals and ETAs.

        The position goes out before anything waits, unless the route is stale (the first point, a route event)
        or the points bring a stop event: then they wait until the route is read again. What may wait on the
        database afterwards (the safety-net reload, an ETA pass and its writes) is the driver's follow-up:
        awaited here for a backfill over HTTP (its answer means the ETAs are done), left running for a live
        socket (`background`), whose next frame is read only once this returns: a write waiting for SQLite's
        lock held a driver's next positions back by seconds (bench/live.py, 500 drivers). An arrival or a depot
        move is recorded before returning."""
        assert principal.user_id is not None, "positions come from a signed-in driver"
        state = self._drivers.get(principal.user_id)
        if state is None or state.principal.organization_id != principal.organization_id:
            state = self._drivers[principal.user_id] = DriverState(principal=principal)
            self._watch(principal.organization_id)
        if state.stale or state.route is None:
            async with state.lock:  # a route that changed is read before points are placed on it
                await self._ensure_route(state)
        route = state.route
        if route is None:
            # positions are collected only while the driver's route is in progress (on duty)
            reason = "off duty: no route in progress (start your route first)"
            return IngestResult(accepted=0, stored_only=0, rejected=[Rejected(i, reason) for i in range(len(points))])
        now = self.clock()
        rows: list[dict[str, Any]] = []
        used: list[PointIn] = []
        rejected: list[Rejected] = []
        previous = state.last_point
        for index, point in enumerate(points):
            checked = check(point, previous=previous, now=now)
            if checked.verdict == "reject":
                rejected.append(Rejected(index, checked.reason or "rejected"))
                continue
            rows.append(
                position_row(
                    checked,
                    organization_id=principal.organization_id,
                    driver_id=principal.user_id,
                    route_id=route.route_id,
                    received_at=now,
                )
            )
            if checked.verdict == "use":
                used.append(point)
                if previous is None or point.at > previous.at:
                    previous = point
        self.writer.add(rows)
        result = IngestResult(accepted=len(used), stored_only=len(rows) - len(used), rejected=rejected)
        if not used:
            return result
        newest = max(used, key=lambda p: p.at)
        is_newer = state.last_point is None or newest.at > state.last_point.at
        # nothing below awaits until the position is out: another frame of this driver cannot come in between
        events: list[Any] = []
        if state.geofence is not None:
            events = state.geofence.feed_many([Point(p.lat, p.lon, p.at, p.accuracy) for p in used])
        moves: list[tuple[str, datetime]] = []
        if is_newer and route.yard is not None:
            fresh = sorted(
                (p for p in used if state.last_point is None or p.at > state.last_point.at), key=lambda p: p.at
            )
            moves = [(move, p.at) for p in fresh if (move := route.yard.feed(Point(p.lat, p.lon, p.at, p.accuracy)))]
        entry: dict[str, Any] | None = None  # the dispatch map's entry for the newest point, once published
        if is_newer:
            state.last_point = newest
            if not events:  # the common case: nothing happened at a stop, so the route stands
                entry = self._publish_position(state, newest)
        if events:
            state.stale = True  # the driver's next points wait until these are recorded and the route read again
            state.force_eta = True
        if events or moves:
            async with state.lock:
                await self._record_stop_and_depot_events(state, events, moves)
                if is_newer and events and state.route is not None:
                    entry = self._publish_position(state, newest)  # to the customer next after the events
        if is_newer:
            await self._remember(state, entry or self._latest_entry(state, newest))
        follow_up = self._follow_up(state)
        if follow_up is not None and not background:
            await asyncio.shield(follow_up)  # a request cut short must not cancel a write half-way (kit/tasks.py)
        return result

    async def _record_stop_and_depot_events(
        self, state: DriverState, events: list[Any], moves: list[tuple[str, datetime]]
    ) -> None:
        principal = state.principal
        if moves:
            try:
                await self._yard_moves(state, moves)
            except Exception:  # a depot move is a record for the dispatcher, never a reason to lose the points
                log.exception("yard_move_not_recorded", driver_id=str(principal.user_id))
        if events:
            try:
                await self._apply_fence_events(state, events)
            except Exception:
                # not recorded (the database is away): rebuild the tracker from what the database says, so
                # the next points find the arrival again instead of it being lost with this transaction
                log.exception("geofence_events_not_recorded", driver_id=str(principal.user_id))
                state.geofence = None
                state.stale = True
            await self._ensure_route(state)

    def _follow_up(self, state: DriverState) -> asyncio.Task[None] | None:
        """The driver's work that may wait on the database: the safety-net reload when due, and an ETA pass when
        due or forced. One at a time per driver; asked again while one runs, it runs once more after it. Most
        points find nothing due (a 1 Hz phone, passes every few seconds): no task, or the one running."""
        running = state.follow_task if state.follow_task is not None and not state.follow_task.done() else None
        loop_now = asyncio.get_running_loop().time()
        due = state.stale or loop_now >= state.reload_at or state.force_eta or loop_now >= state.eta_due_at
        if not due:
            return running
        state.follow_again = True
        if running is not None:
            return running
        state.follow_task = asyncio.create_task(self._run_follow_ups(state), name="tracking-follow-up")
        return state.follow_task

    async def _run_follow_ups(self, state: DriverState) -> None:
        while state.follow_again:
            state.follow_again = False
            try:
                async with self._follow_up_slots:
                    async with state.lock:
                        await self._ensure_route(state)  # returns at once unless due or stale
                    loop_now = asyncio.get_running_loop().time()
                    if state.route is not None and (state.force_eta or loop_now >= state.eta_due_at):
                        await self._update_etas(state)
            except Exception:  # the database is away: the next position tries again
                log.exception("tracking_follow_up_failed", driver_id=str(state.principal.user_id))

    # -- the route being driven

    async def _ensure_route(self, state: DriverState) -> None:
        loop_now = asyncio.get_running_loop().time()
        if not state.stale and loop_now < state.reload_at:
            return
        principal = state.principal
        assert principal.user_id is not None
        generation = state.generation
        async with transaction(self._session_factory) as session:
            route = await repository.route_in_progress(
                session, organization_id=principal.organization_id, driver_id=principal.user_id
            )
            profile = None
            depot = None
            orders: dict[UUID, Any] = {}
            if route is not None:
                profile = await repository.vehicle_profile(session, vehicle_id=route.vehicle_id)
                if state.route is None or state.route.route_id != route.id:
                    depot = await repository.vehicle_depot(session, vehicle_id=route.vehicle_id)
                orders = await repository.orders_for_eta(
                    session, order_ids=[s.order_id for s in route.stops if s.order_id is not None]
                )
            if not state.speed_loaded:
                row = await repository.driver_speed(session, driver_id=principal.user_id)
                if row is not None:
                    state.speed.value, state.speed.samples = row.speed_factor, row.samples
                state.speed_loaded = True
        state.reload_at = loop_now + ROUTE_RELOAD_S * random.uniform(*RELOAD_SPREAD)
        # a route event that came in while this read ran may postdate what it read: read again at the next point
        state.stale = state.generation != generation
        if route is None:
            state.route, state.geofence = None, None
            return
        stops = [
            StopView(
                stop_id=s.id,
                order_id=s.order_id,
                sequence=s.sequence,
                status=s.status,
                lat=s.lat,
                lon=s.lon,
                service_s=orders[s.order_id].service_s if s.order_id in orders else 0,
                window_start_at=orders[s.order_id].window_start_at if s.order_id in orders else None,
                window_end_at=orders[s.order_id].window_end_at if s.order_id in orders else None,
                arrived_at=s.arrived_at,
                departed_at=s.departed_at,
                planned_arrival_at=s.planned_arrival_at,
                geofence_radius_m=orders[s.order_id].geofence_radius_m if s.order_id in orders else None,
                at_customer=at_customer(s.kind, orders[s.order_id].kind if s.order_id in orders else None),
            )
            for s in route.stops
            if s.order_id is not None
        ]
        changed_route = state.route is None or state.route.route_id != route.id
        if changed_route:
            state.published.clear()
            state.stops_away.clear()
            state.arriving_sent.clear()
            state.leg = None
        yard = state.route.yard if state.route is not None and not changed_route else _yard(depot)
        fresh = RouteView(
            route_id=route.id,
            profile=VehicleProfile(profile or "van"),
            service_date=route.service_date,
            stops=stops,
            yard=yard,
            breaks=[
                BreakView(s.sequence, s.planned_arrival_at, s.planned_departure_at)
                for s in route.stops
                if s.kind is StopKind.break_ and s.planned_arrival_at and s.planned_departure_at
            ],
        )
        if fresh == state.route and state.geofence is not None:
            return  # the safety-net reload found the route as it was: its fences and ETAs stand
        state.route = fresh
        fences = [
            Fence(s.stop_id, s.lat, s.lon, radius_m=s.geofence_radius_m or self._settings.geofence_radius_m)
            for s in stops
        ]
        # a stop closed while the driver is still at it stays current until they drive off, for its dwell time
        staying = state.geofence.current if state.geofence and state.geofence.arrived_at is not None else None
        done = {
            s.stop_id
            for s in stops
            if s.departed_at is not None or (s.status not in OPEN_STOP_STATUSES and s.stop_id != staying)
        }
        if state.geofence is None or changed_route:
            state.geofence = GeofenceTracker(fences, done=done)
        else:
            state.geofence.set_fences(fences, done=done)
        state.force_eta = True

    async def _apply_fence_events(self, state: DriverState, events: list[Any]) -> None:
        route = state.route
        assert route is not None
        by_stop = {s.stop_id: s for s in route.stops}
        principal = state.principal
        learned = False
        async with transaction(self._session_factory, on_commit=self._on_commit) as session:
            for event in events:
                stop = by_stop.get(event.stop_id)
                if stop is None:
                    continue
                try:
                    if isinstance(event, Arriving):
                        if stop.at_customer and await execution.mark_arriving(
                            session, principal=principal, route_id=route.route_id, order_id=stop.order_id, at=event.at
                        ):
                            state.arriving_sent.add(stop.stop_id)
                    elif isinstance(event, Arrived):
                        await execution.arrive(
                            session,
                            principal=principal,
                            route_id=route.route_id,
                            stop_id=stop.stop_id,
                            occurred_at=event.at,
                            source="geofence",
                        )
                        learned = self._learn_speed(state, stop.stop_id, event.at) or learned
                    elif isinstance(event, Departed):
                        await execution.depart(
                            session,
                            principal=principal,
                            route_id=route.route_id,
                            stop_id=stop.stop_id,
                            occurred_at=event.at,
                            dwell_s=event.dwell_s,
                        )
                except DomainError as exc:  # the stop was closed by hand meanwhile: nothing to do
                    log.info("geofence_event_ignored", stop_id=str(stop.stop_id), detail=exc.detail)
        state.stale = True
        if learned:
            await self._save_speed(state)

    async def _yard_moves(self, state: DriverState, moves: list[tuple[str, datetime]]) -> None:
        """Leaving and coming back to the depot (plan against actual: when the van really left, came back)."""
        route = state.route
        assert route is not None
        async with transaction(self._session_factory, on_commit=self._on_commit) as session:
            for move, at in moves:
                events.record(
                    session,
                    organization_id=state.principal.organization_id,
                    type="route.left_depot" if move == "left" else "route.back_at_depot",
                    subject_type="route",
                    subject_id=route.route_id,
                    actor=state.principal.actor,
                    occurred_at=at,
                    payload={"driver_id": str(state.principal.user_id)},
                )

    def _learn_speed(self, state: DriverState, stop_id: UUID, arrived_at: datetime) -> bool:
        """The leg just driven, against what the provider predicted from where it started: the driver's factor.
        Returns whether it changed (saved after the arrival commits, in a transaction of its own)."""
        if state.leg is None or state.leg[0] != stop_id:
            return False
        _, started_at, predicted_s = state.leg
        state.leg = None
        if state.route is not None and state.route.break_before(stop_id):
            return False  # a leg with the driver's break in it says nothing of their pace
        before = state.speed.samples
        state.speed.observe(predicted_s=predicted_s, observed_s=(arrived_at - started_at).total_seconds())
        return state.speed.samples != before

    async def _save_speed(self, state: DriverState) -> None:
        assert state.principal.user_id is not None
        try:
            async with transaction(self._session_factory) as session:
                await repository.save_driver_speed(
                    session,
                    organization_id=state.principal.organization_id,
                    driver_id=state.principal.user_id,
                    speed_factor=state.speed.value,
                    samples=state.speed.samples,
                )
        except Exception:  # two processes saving a new driver's first factor at once: the next leg saves again
            log.warning("speed_factor_not_saved", driver_id=str(state.principal.user_id), exc_info=True)

    # -- ETAs

    async def _legs(self, profile: VehicleProfile, points: list[tuple[float, float]]) -> list[float]:
        """Provider seconds along the points in order (falling back to straight lines off the graph)."""
        try:
            matrix = await self._travel.matrix(points, profile)
        except (TravelError, TravelUnavailable):
            matrix = await self._fallback.matrix(points, profile)
        return [float(matrix.durations_s[i, i + 1]) for i in range(len(points) - 1)]

    async def _update_etas(self, state: DriverState) -> None:
        route, point = state.route, state.last_point
        assert route is not None
        state.eta_due_at = asyncio.get_running_loop().time() + self._settings.eta_interval_s * random.uniform(
            *ETA_SPREAD
        )
        state.force_eta = False
        remaining = route.remaining
        if not remaining or point is None:
            return
        now = max(self.clock(), point.at)
        first = remaining[0]
        at_first = first.status == StopStatus.arrived and first.departed_at is None
        stop_points = [(s.lat, s.lon) for s in remaining]
        between = await self._legs(route.profile, stop_points) if len(stop_points) > 1 else []
        lead = 0.0 if at_first else (await self._legs(route.profile, [(point.lat, point.lon), stop_points[0]]))[0]
        if state.route is not route:  # read again meanwhile (a stop event): this pass would speak of the old one
            state.force_eta = True
            return
        if not at_first and (state.leg is None or state.leg[0] != first.stop_id):
            state.leg = (first.stop_id, point.at, lead)
        breaks = route.breaks_on_the_way(remaining, now)
        etas = estimate(
            now=now,
            stops=[
                RemainingStop(
                    stop_id=s.stop_id,
                    order_id=s.order_id,
                    lat=s.lat,
                    lon=s.lon,
                    service_s=s.service_s,
                    window_start_at=s.window_start_at,
                    window_end_at=s.window_end_at,
                    arrived_at=(s.arrived_at or now) if index == 0 and at_first else None,
                    break_s=breaks[index][0],
                    break_from=breaks[index][1],
                )
                for index, s in enumerate(remaining)
            ],
            leg_s=[lead, *between],
            speed_factor=state.speed.value,
            window=EtaWindow(),
        )
        shown = state.published.get(etas[0].stop_id)
        if shown is not None and (etas[0].eta_at - shown).total_seconds() > ETA_JUMP_CONFIRM_S and not state.jump_held:
            # one fix snapped to the wrong street (the other side of a one-way block) can add minutes; a real
            # hold-up shows again at the very next fix, so a jump later is published only once confirmed
            state.jump_held = True
            state.force_eta = True
            return
        state.jump_held = False
        changed = [e for e in etas if moved(state.published.get(e.stop_id), e.eta_at)]
        away = {s.stop_id: index for index, s in enumerate(remaining)}
        order_of = {s.stop_id: s.order_id for s in remaining}
        recount = {stop_id for stop_id, n in away.items() if state.stops_away.get(stop_id) != n}
        if changed:
            async with transaction(self._session_factory) as session:
                await repository.write_stop_etas(
                    session, [(e.stop_id, e.eta_at, e.earliest_at, e.latest_at) for e in changed]
                )
            if state.route is not route:  # the write waited while a stop event reloaded the route: the next pass
                state.force_eta = True  # publishes and notifies from the route as it is now
                return
        changed_ids = {e.stop_id for e in changed}
        for eta in etas:
            if eta.stop_id in recount or eta.stop_id in changed_ids:
                self._channels.publish(
                    {"type": "eta", "seq": seq_now(), "data": _eta_data(eta, order_of[eta.stop_id], away[eta.stop_id])},
                    channels=[order_channel(order_of[eta.stop_id])],
                )
        for e in changed:
            state.published[e.stop_id] = e.eta_at
        state.stops_away = away
        moved_ids = recount | changed_ids
        customers = {s.stop_id for s in remaining if s.at_customer}
        if changed:
            message = {
                "type": "etas",
                "seq": seq_now(),
                "data": {
                    "route_id": str(route.route_id),
                    "driver_id": str(state.principal.user_id),
                    "stops": [
                        {
                            "stop_id": str(e.stop_id),
                            **_eta_data(e, order_of[e.stop_id], away[e.stop_id]),
                            "late": _late(e, remaining),
                        }
                        for e in etas
                    ],
                },
            }
            self._channels.publish(
                message,
                channels=[org_channel(state.principal.organization_id), driver_channel(state.principal.user_id)],
            )
        # the notices' bookkeeping (a transaction) only after every live frame is out
        await self._tell_customers(
            state,
            [
                notifications.EtaMove(order_id=order_of[e.stop_id], eta_at=e.eta_at, stops_away=away[e.stop_id])
                for e in etas
                if e.stop_id in moved_ids and e.stop_id in customers
            ],
            now,
        )
        await self._report_delay(state, remaining[0], etas[0])
        next_eta = etas[0]
        if (
            not at_first
            and first.at_customer
            and first.stop_id not in state.arriving_sent
            and (next_eta.eta_at - now).total_seconds() <= self._settings.arriving_within_s
        ):
            state.arriving_sent.add(first.stop_id)
            try:
                async with transaction(self._session_factory, on_commit=self._on_commit) as session:
                    await execution.mark_arriving(
                        session, principal=state.principal, route_id=route.route_id, order_id=first.order_id, at=now
                    )
            except DomainError as exc:  # the stop moved on meanwhile; nothing to announce
                log.info("arriving_not_marked", stop_id=str(first.stop_id), detail=exc.detail)

    async def _tell_customers(self, state: DriverState, moves: list[notifications.EtaMove], now: datetime) -> None:
        """Customers' notices that follow the ETA (arriving N stops or M minutes away, an ETA that moved by more
        than the set minutes): ETAs never pass through the event outbox, so the notifications service is told
        here. It only queues rows; a failure is logged and never holds up the live view."""
        if not moves:
            return
        try:
            async with transaction(self._session_factory) as session:
                await notifications.etas_moved(
                    session,
                    settings=self._settings,
                    organization_id=state.principal.organization_id,
                    moves=moves,
                    now=now,
                )
        except Exception:
            log.exception("eta_notices_failed", driver_id=str(state.principal.user_id))

    async def _report_delay(self, state: DriverState, stop: StopView, eta: StopEta) -> None:
        """A driver running later than the plan by the set minutes: `route.delayed` makes live re-planning
        re-time the route from now (and move work to others if windows can no longer be met)."""
        route = state.route
        threshold_s = self._settings.late_replan_min * 60
        if route is None or stop.planned_arrival_at is None or route.service_date is None or threshold_s <= 0:
            return
        late_s = (eta.eta_at - stop.planned_arrival_at).total_seconds()
        loop_now = asyncio.get_running_loop().time()
        if late_s < threshold_s or loop_now - state.delay_reported_at < threshold_s:
            return  # once per threshold at most: the re-plan re-times the stops, and the next report needs new news
        state.delay_reported_at = loop_now
        async with transaction(self._session_factory, on_commit=self._on_commit) as session:
            events.record(
                session,
                organization_id=state.principal.organization_id,
                type="route.delayed",
                subject_type="route",
                subject_id=route.route_id,
                actor="system:tracking",
                payload={
                    "service_date": route.service_date.isoformat(),
                    "minutes": round(late_s / 60),
                    "stop_id": str(stop.stop_id),
                    "driver_id": str(state.principal.user_id),
                },
            )

    # -- positions out

    def _publish_position(self, state: DriverState, point: PointIn) -> dict[str, Any]:
        """To the next customer at once, and into the organization's next "positions" frame; returns that entry."""
        route = state.route
        assert route is not None
        data = {
            "lat": point.lat,
            "lon": point.lon,
            "heading": point.heading,
            "speed": point.speed,
            "at": point.at.isoformat(),
        }
        remaining = route.remaining
        if remaining and remaining[0].at_customer:
            # privacy: only the customer whose stop is next sees where the driver is (not while the van goes
            # back to the depot to fetch their parcel: that is not their visit yet)
            self._channels.publish(
                {"type": "position", "seq": seq_now(), "data": data}, channels=[order_channel(remaining[0].order_id)]
            )
        pending = self._org_pending.setdefault(state.principal.organization_id, {})
        entry = pending[state.principal.user_id] = self._latest_entry(state, point)  # type: ignore[index]
        return entry

    async def _flush_org_positions(self) -> None:
        """Every ORG_POSITION_EVERY_S, one "positions" frame per organization with each driver that moved."""
        while True:
            await asyncio.sleep(ORG_POSITION_EVERY_S)
            try:
                self.flush_org_positions()
            except Exception:  # never lose the dispatch maps' positions for good over one failed publish
                log.exception("org_positions_not_published")

    def flush_org_positions(self) -> None:
        batches, self._org_pending = self._org_pending, {}
        for organization_id, by_driver in batches.items():
            if by_driver:
                self._channels.publish(
                    {"type": "positions", "seq": seq_now(), "data": {"positions": list(by_driver.values())}},
                    channels=[org_channel(organization_id)],
                )

    def _latest_entry(self, state: DriverState, point: PointIn) -> dict[str, Any]:
        return {
            "driver_id": str(state.principal.user_id),
            "route_id": str(state.route.route_id) if state.route else None,
            "lat": point.lat,
            "lon": point.lon,
            "heading": point.heading,
            "speed": point.speed,
            "accuracy": point.accuracy,
            "at": point.at.isoformat(),
        }

    async def _remember(self, state: DriverState, entry: dict[str, Any]) -> None:
        organization_id = state.principal.organization_id
        self._latest.setdefault(organization_id, {})[state.principal.user_id] = entry  # type: ignore[index]
        if self._redis is not None:
            key = self._latest_key(organization_id)
            try:
                async with self._redis.pipeline(transaction=False) as pipe:  # one round trip per point
                    await (
                        pipe.hset(key, str(state.principal.user_id), json.dumps(entry))
                        .expire(key, LATEST_TTL_S)
                        .execute()
                    )
            except Exception:  # Redis away: the live map degrades to this process's drivers, nothing is lost
                log.warning("latest_position_not_shared", exc_info=True)

    def _latest_key(self, organization_id: UUID) -> str:
        return f"{self._settings.redis_namespace}:positions:{organization_id}"

    async def latest_positions(self, organization_id: UUID) -> list[dict[str, Any]]:
        """Every driver's last position, for a dispatch map that just opened (and the tracking snapshot)."""
        entries = dict(self._latest.get(organization_id, {}))
        if self._redis is not None:
            try:
                shared = await self._redis.hgetall(self._latest_key(organization_id))
                for driver, raw in shared.items():
                    entries[UUID(driver.decode() if isinstance(driver, bytes) else driver)] = json.loads(raw)
            except Exception:
                log.warning("latest_positions_not_read", exc_info=True)
        cutoff = self.clock() - timedelta(seconds=LATEST_TTL_S)
        return [e for e in entries.values() if datetime.fromisoformat(e["at"]) >= cutoff]

    async def latest_position(self, organization_id: UUID, driver_id: UUID) -> dict[str, Any] | None:
        """One driver's last position (a tracking snapshot): this process's, else the shared one."""
        entry = self._latest.get(organization_id, {}).get(driver_id)
        if entry is None and self._redis is not None:
            try:
                raw = await self._redis.hget(self._latest_key(organization_id), str(driver_id))
                entry = json.loads(raw) if raw else None
            except Exception:
                log.warning("latest_position_not_read", exc_info=True)
        cutoff = self.clock() - timedelta(seconds=LATEST_TTL_S)
        return entry if entry is not None and datetime.fromisoformat(entry["at"]) >= cutoff else None

    # -- events from the relay

    def event_handler(self) -> Callable[[AsyncSession, Event], Any]:
        async def on_event(session: AsyncSession, event: Event) -> None:
            if event.type == "order.status_changed":
                self._channels.publish(
                    {
                        "type": "status",
                        "seq": seq_now(),
                        "data": {"status": event.payload.get("to"), "at": event.occurred_at.isoformat()},
                    },
                    channels=[order_channel(event.subject_id)],
                )
            else:
                self.on_route_event(event.organization_id, event.type, event.payload)

        on_event.__name__ = "tracking_on_event"
        return on_event

    def on_route_event(self, organization_id: UUID, kind: str, payload: dict[str, Any]) -> None:
        """An event from this process's relay or the organization's channel: a route event marks the routes it
        changed stale (`affected_drivers`); any other changes nothing."""
        if kind in ROUTE_EVENTS or kind.startswith("route."):
            self.invalidate(organization_id, affected_drivers(kind, payload))

    def invalidate(self, organization_id: UUID, drivers: frozenset[str] | None = None) -> None:
        """A plan or a stop changed: those drivers' routes (None: every route of the organization) reload at their
        next position: called by this process's relay, and by `on_org_frame` for every process."""
        for user_id, state in self._drivers.items():
            if state.principal.organization_id == organization_id and (drivers is None or str(user_id) in drivers):
                state.stale = True
                state.generation += 1


def affected_drivers(kind: str, payload: dict[str, Any]) -> frozenset[str] | None:
    """The drivers whose route an event changed (their ids as strings); None when it does not say: all of them.

    A live re-plan (`plan.revised`) lists the routes it rewrote (`routing/replanning.py` touches no other): only
    their drivers reload. Marking every route stale made every driver's next position wait for a reload, 500 of
    them through a 15-connection pool at once, at each re-plan (a driver reported late re-plans the day)."""
    if kind == "plan.revised" and isinstance(payload.get("routes"), list):
        return frozenset(
            str(route["driver_id"]) for route in payload["routes"] if isinstance(route, dict) and route.get("driver_id")
        )
    driver_id = payload.get("driver_id")
    return frozenset({str(driver_id)}) if driver_id else None


def _eta_data(eta: StopEta, order_id: UUID, stops_away: int) -> dict[str, Any]:
    return {
        "order_id": str(order_id),
        "eta_at": eta.eta_at.isoformat(),
        "earliest_at": eta.earliest_at.isoformat(),
        "latest_at": eta.latest_at.isoformat(),
        "stops_away": stops_away,
    }


def _late(eta: StopEta, remaining: list[StopView]) -> bool:
    for stop in remaining:
        if stop.stop_id == eta.stop_id:
            return stop.window_end_at is not None and eta.eta_at > stop.window_end_at
    return False


def at_customer(kind: StopKind, order_kind: OrderKind | None) -> bool:
    """Whether a stop is the visit its customer waits for: a delivery, or collecting a return at their door
    (a delivery order's pickup stop is a depot fetch; a return's delivery stop is the drop at the depot)."""
    if order_kind == OrderKind.return_:
        return kind == StopKind.pickup
    return kind == StopKind.delivery


def _yard(depot: Any) -> Yard | None:
    if depot is None:
        return None
    polygon = shapely.geometry.shape(depot.geofence) if depot.geofence else None
    return Yard(lat=depot.lat, lon=depot.lon, radius_m=depot.geofence_radius_m or DEPOT_RADIUS_M, polygon=polygon)
