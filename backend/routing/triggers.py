"""What sets live re-planning off, and the scheduler that runs it: the fast insertion at once, then one
warm-started re-solve per burst of changes (debounced), one day of one organization at a time.

Triggers are committed events, handed over by the outbox relay (so a change that rolled back never re-plans):
an order created or put back to wait (re-attempt) → placed; an order cancelled or taken off → its stop goes;
a route withdrawn (driver unavailable, vehicle broken down) → its open stops go to the others; a route
delayed past the threshold (recorded by the tracking ETA engine) → re-timed and re-solved.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import structlog
from litestar.channels import ChannelsPlugin
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db.session import after_commit, transaction
from backend.events.channels import driver_channel
from backend.events.models import Event
from backend.kit.clock import utcnow
from backend.kit.tasks import stop_between_passes
from backend.routing import replanning, repository
from backend.routing.live import Diff, assignment, diff
from backend.routing.travel import TravelTimes

log = structlog.get_logger(__name__)

ORDER_EVENTS = frozenset({"order.created", "order.status_changed", "order.updated"})
ROUTE_EVENTS = frozenset({"route.withdrawn", "route.delayed"})
# an edit re-plans only when it touches what the solver sees; a new phone number or "ID required" does not
PLANNED_FIELDS = frozenset(
    {
        "lat",
        "lon",
        "window_start_at",
        "window_end_at",
        "service_s",
        "weight_kg",
        "volume_l",
        "parcel_count",
        "priority",
        "required_skills",
    }
)


@dataclass
class _Day:
    reasons: list[str] = field(default_factory=list)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


class Replanner:
    """In-process scheduler of live re-plans. In a scaled-out deployment each event reaches one relay (SKIP
    LOCKED), and the plan row lock serializes two processes re-planning the same day."""

    def __init__(
        self,
        *,
        session_factory: async_sessionmaker[AsyncSession],
        travel: TravelTimes,
        fallback: TravelTimes,
        debounce_s: float,
        resolve_timeout_s: float,
        max_moved: int = 2,
        on_commit: list[Callable[[], Any]] | None = None,
        channels: ChannelsPlugin | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._channels = channels
        self._session_factory = session_factory
        self._travel = travel
        self._fallback = fallback
        self._debounce_s = debounce_s
        self._resolve_timeout_s = resolve_timeout_s
        self._max_moved = max_moved
        self._on_commit = on_commit
        self.clock = clock  # tests set the time of day the re-planner sees
        self._days: dict[tuple[UUID, date], _Day] = {}
        self._stopping = False

    def request(self, organization_id: UUID, service_date: date, reason: str) -> None:
        key = (organization_id, service_date)
        day = self._days.setdefault(key, _Day())
        day.reasons.append(reason)
        day.wake.set()
        if day.task is None and not self._stopping:
            day.task = asyncio.create_task(self._run(key, day), name=f"replan:{organization_id}:{service_date}")

    async def settle(self) -> None:
        """Wait until every requested re-plan has run (tests, shutdown)."""
        while tasks := [d.task for d in self._days.values() if d.task is not None]:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def stop(self) -> None:
        """Shutdown: no new pass starts; a pass under way finishes (kit/tasks.py: cancelling one mid-query could
        leave its transaction open), and is cancelled only past the grace period. The live plan stays as it was."""
        self._stopping = True
        days = list(self._days.values())
        for day in days:
            day.wake.set()
        for day in days:
            await stop_between_passes(day.task)
        self._days.clear()

    async def _run(self, key: tuple[UUID, date], day: _Day) -> None:
        try:
            while day.reasons and not self._stopping:
                reasons, day.reasons = day.reasons, []
                day.wake.clear()
                await self._guarded(self.fast, key, "; ".join(dict.fromkeys(reasons)))
                # a burst of changes: each gets its fast pass, the re-solve waits until it has been quiet
                while not self._stopping:
                    try:  # asyncio.timeout: 3.11's wait_for can swallow a cancellation
                        async with asyncio.timeout(self._debounce_s):
                            await day.wake.wait()
                    except TimeoutError:
                        break
                    day.wake.clear()
                    if day.reasons and not self._stopping:
                        reasons, day.reasons = day.reasons, []
                        await self._guarded(self.fast, key, "; ".join(dict.fromkeys(reasons)))
                if not self._stopping:
                    await self._guarded(self.resolve, key, "re-optimized")
        finally:
            day.task = None
            if not day.reasons:
                self._days.pop(key, None)

    async def _guarded(self, step: Callable[[tuple[UUID, date], str], Any], key: tuple[UUID, date], why: str) -> None:
        try:
            await step(key, why)
        except Exception:  # a failed re-plan leaves the live plan as it was; the next change tries again
            log.exception("replan_failed", organization_id=str(key[0]), service_date=str(key[1]), reason=why)

    async def fast(self, key: tuple[UUID, date], reason: str) -> Diff | None:
        """Drop what went, place what came by cheapest insertion, re-time: the ETAs move at once."""
        async with transaction(self._session_factory, on_commit=self._on_commit) as session:
            loaded = await self._load(session, key)
            if loaded is None:
                return None
            after = await replanning.insert_new_orders(loaded)
            change, event = await replanning.write(session, loaded, after, reason=reason)
        await self.after_write(event, loaded.lines)
        return change

    async def after_write(self, event: Event | None, lines: dict[UUID, tuple[list[tuple[float, float]], str]]) -> None:
        """After a change of the live plan committed (a re-plan, a stop moved by hand): the drivers hear of it at
        once, then the changed routes' lines along the streets are drawn, outside the transaction that held the
        day's locks (the routing service may be slow; drivers' actions must not wait for it)."""
        self.tell_drivers(event)
        if lines:
            async with transaction(self._session_factory, on_commit=self._on_commit) as session:
                await replanning.draw_lines(session, lines, self._travel)

    def tell_drivers(self, event: Event | None) -> None:
        """After the commit, straight to each affected driver's channel: new ETAs are live data and do not
        wait for the outbox relay (the `plan.revised` event still goes through it, to the dispatch feed)."""
        if event is None or self._channels is None:
            return
        for route in event.payload.get("routes", []):
            if route.get("driver_id"):
                self._channels.publish(
                    {
                        "type": "route.updated",
                        "seq": str(event.id),
                        "data": {
                            "route_id": route["route_id"],
                            "revision": event.payload.get("revision"),
                            "reason": event.payload.get("reason"),
                            "stops": route["stops"],
                        },
                    },
                    channels=[driver_channel(route["driver_id"])],
                )

    async def resolve(self, key: tuple[UUID, date], reason: str) -> Diff | None:
        """The warm-started re-solve; written only if it is feasible and no worse, and it changed something."""
        async with transaction(self._session_factory, on_commit=self._on_commit) as session:
            loaded = await self._load(session, key)
            if loaded is None:
                return None
            better = await replanning.warm_resolve(
                loaded.state, timeout_s=self._resolve_timeout_s, max_moved=self._max_moved
            )
            if better is None:
                return None
            change = diff(assignment(loaded.state), assignment(better))
            if change.empty and not loaded.dirty:
                return change
            change, event = await replanning.write(session, loaded, better, reason=reason)
        await self.after_write(event, loaded.lines)
        return change

    async def _load(self, session: AsyncSession, key: tuple[UUID, date]) -> replanning.Loaded | None:
        return await replanning.load(
            session,
            organization_id=key[0],
            service_date=key[1],
            now=self.clock(),
            travel=self._travel,
            fallback=self._fallback,
        )


def event_handler(replanner: Replanner) -> Callable[[AsyncSession, Event], Any]:
    """The relay handler: which committed events re-plan which day."""

    async def on_event(session: AsyncSession, event: Event) -> None:
        def request(service_date: date, reason: str) -> None:
            # once the relay's transaction has committed: a re-plan started inside it waits for that write lock on
            # SQLite, and SQLite's busy handler polls for it in growing sleeps (it got it up to 15 ms late)
            after_commit(session, functools.partial(replanner.request, event.organization_id, service_date, reason))

        if event.type in ROUTE_EVENTS:
            service_date = event.payload.get("service_date")
            if service_date:
                request(date.fromisoformat(service_date), event.type)
            return
        if event.type not in ORDER_EVENTS:
            return
        if event.type == "order.status_changed" and event.payload.get("to") not in ("cancelled", "created", "planned"):
            return  # delivered, failed, out for delivery…: the stop's own status carries it, nothing to re-plan
        if event.payload.get("by_planner"):
            return  # publishing or re-planning moved it: our own doing
        if event.type == "order.updated" and not PLANNED_FIELDS.intersection(event.payload.get("changed") or ()):
            return  # contact details, notes, the ID check: the routes stay as they are
        days = await repository.live_service_dates(
            session, organization_id=event.organization_id, since=event.occurred_at.date() - timedelta(days=1)
        )
        for day in days[:3]:  # the loader takes an order only into the plan of the day it is for
            request(day, event.type.replace("order.", "order "))

    return on_event
