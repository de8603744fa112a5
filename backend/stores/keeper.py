"""The store's clock: reminders for pickups left waiting, a last reminder before expiry, expiry itself (the
parcels go back to the depot on a return order the planner routes), and the store screens' live channel."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import structlog
from litestar.channels import ChannelsPlugin
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.accounts import service as accounts
from backend.accounts.principal import Principal
from backend.db.session import transaction
from backend.events import service as events
from backend.events.models import Event
from backend.events.relay import EventHandler
from backend.inventory import service as inventory
from backend.kit.clock import utcnow
from backend.kit.problems import DomainError
from backend.kit.tasks import stop_between_passes, wait_or_timeout
from backend.orders import service as orders
from backend.orders.models import Order, OrderKind, OrderStatus
from backend.orders.schemas import OrderCreate
from backend.places.models import Location, LocationKind
from backend.settings import Settings
from backend.stores.models import Pickup
from backend.tracking.geofence import haversine_m

TICK_S = 60.0
STORE_EVENTS = ("pickup.",)

log = structlog.get_logger(__name__)


def store_channel(store_id: object) -> str:
    """A store's counter screens: pickups scanned in, ready, customers arriving, hand-overs."""
    return f"store:{store_id}"


class PickupKeeper:
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], channels: ChannelsPlugin, settings: Settings
    ) -> None:
        self._session_factory = session_factory
        self._channels = channels
        self._settings = settings
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._wake = asyncio.Event()
        self.clock: Callable[[], datetime] = utcnow

    # -- live: the relay hands every committed event here once

    def event_handler(self) -> EventHandler:
        async def on_store_event(session: AsyncSession, event: Event) -> None:
            if event.type.startswith(STORE_EVENTS) and event.payload.get("store_id"):
                self._channels.publish(
                    {
                        "type": "event",
                        "seq": None,
                        "data": {"id": str(event.id), "type": event.type, "payload": event.payload},
                    },
                    channels=[store_channel(event.payload["store_id"])],
                )
            if event.type == "order.status_changed" and event.payload.get("to") == OrderStatus.received.value:
                await _returned_to_depot(session, event)

        return on_store_event

    # -- the clock

    async def tick(self) -> dict[str, int]:
        """One pass: reminders, last reminders, expiries; returns how many of each. Each pickup is kept in its own
        transaction, locking its order first as the counter's hand-over does (no deadlock with a clerk), so one
        that fails is logged and the rest go on; another process doing the same pass finds them done."""
        now = self.clock()
        done = {"reminded": 0, "warned": 0, "expired": 0}
        warn = timedelta(hours=self._settings.pickup_expiry_warning_h)
        remind = timedelta(hours=self._settings.pickup_reminder_after_h)
        async with transaction(self._session_factory) as session:
            due = list(
                await session.execute(
                    select(Pickup.id, Pickup.order_id)
                    .join(Order, Order.id == Pickup.order_id)
                    .where(Order.status == OrderStatus.ready_for_pickup)
                    .where(
                        or_(
                            Pickup.expires_at <= now + warn,
                            and_(Pickup.reminded_at.is_(None), Pickup.ready_at <= now - remind),
                        )
                    )
                )
            )
        for pickup_id, order_id in due:
            try:
                async with transaction(self._session_factory) as session:
                    kept = await self._keep(session, pickup_id, order_id, now)
            except Exception:
                log.exception("pickup_keeping_failed", pickup_id=str(pickup_id))
                continue
            if kept is not None:
                done[kept] += 1
        return done

    async def _keep(self, session: AsyncSession, pickup_id: UUID, order_id: UUID, now: datetime) -> str | None:
        # the order first, as the counter's hand-over locks it
        order = await session.get(Order, order_id, with_for_update=True, populate_existing=True)
        pickup = await session.scalar(
            select(Pickup).where(Pickup.id == pickup_id).with_for_update().execution_options(populate_existing=True)
        )
        if order is None or pickup is None or order.status != OrderStatus.ready_for_pickup:
            return None  # handed over (or expired by another process) meanwhile
        expires = pickup.expires_at
        if expires is not None and expires <= now:
            await self._expire(session, pickup, order, now)
            return "expired"
        warn_at = expires - timedelta(hours=self._settings.pickup_expiry_warning_h) if expires else None
        if expires is not None and warn_at is not None and pickup.expiry_warned_at is None and warn_at <= now:
            pickup.expiry_warned_at = now
            self._record(session, pickup, "pickup.expiry_warning", expires_at=expires.isoformat())
            return "warned"
        remind = timedelta(hours=self._settings.pickup_reminder_after_h)
        remind_at = pickup.ready_at + remind if pickup.ready_at else None
        if remind_at is not None and pickup.reminded_at is None and remind_at <= now:
            pickup.reminded_at = now
            self._record(session, pickup, "pickup.reminder", code=pickup.code)
            return "reminded"
        return None

    def _record(self, session: AsyncSession, pickup: Pickup, type_: str, **payload: Any) -> None:
        events.record(
            session,
            organization_id=pickup.organization_id,
            type=type_,
            subject_type="order",
            subject_id=pickup.order_id,
            actor="system:stores",
            payload={"store_id": str(pickup.store_id), "order_id": str(pickup.order_id), **payload},
        )

    async def _expire(self, session: AsyncSession, pickup: Pickup, order: Order, now: datetime) -> None:
        """Not collected in time: `expired`, and a return order collects the parcels from the store for the
        depot (the planner routes it like any return)."""
        system = Principal.system(order.organization_id)
        await orders.transition(session, principal=system, order_id=order.id, to=OrderStatus.expired, occurred_at=now)
        store = await session.get(Location, pickup.store_id)
        assert store is not None
        organization = await accounts.get_organization(session, organization_id=order.organization_id)
        reference = order.external_ref or str(order.id)[:8]
        created = await orders.create_order(
            session,
            principal=system,
            organization=organization,
            data=OrderCreate(
                kind=OrderKind.return_,
                recipient_name=store.name,
                address=store.address,
                lat=store.lat,
                lon=store.lon,
                external_ref=f"EXPIRED-{reference}"[:100],
                parcel_count=max(1, len(pickup.scanned)),
                notes=f"Uncollected pickup {reference} from shelf {pickup.shelf or '?'}: back to the depot",
            ),
            secret_key=self._settings.secret_key,
        )
        pickup.expired_at = now
        pickup.return_order_id = created.order.id
        self._record(session, pickup, "pickup.expired", return_order_id=str(created.order.id))

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="pickup-keeper")

    async def stop(self) -> None:
        if self._task is not None:  # the pass under way finishes (kit/tasks.py)
            self._stopping = True
            await stop_between_passes(self._task, wake=self._wake.set)
            self._task = None

    async def _loop(self) -> None:
        self._stopping = False
        self._wake.clear()
        while not self._stopping:
            try:
                done = await self.tick()
                if any(done.values()):
                    log.info("pickups_kept", **done)
            except Exception:
                log.exception("pickup_keeper_failed")
            await wait_or_timeout(self._wake, TICK_S)


async def _returned_to_depot(session: AsyncSession, event: Event) -> None:
    """The return order of an expired pickup was received at the depot: the pickup's order is closed there, and
    its goods (released at expiry, still counted at the store) move to the nearest depot's stock."""
    pickup = await session.scalar(select(Pickup).where(Pickup.return_order_id == event.subject_id))
    if pickup is None:
        return
    order = await session.get(Order, pickup.order_id)
    if order is None or order.status != OrderStatus.expired:
        return
    system = Principal.system(order.organization_id)
    await orders.transition(
        session,
        principal=system,
        order_id=order.id,
        to=OrderStatus.returned_to_depot,
        reason="its return shipment was received at the depot",
    )
    store = await session.get(Location, pickup.store_id)
    depots = list(
        await session.scalars(
            select(Location).where(
                Location.organization_id == order.organization_id, Location.kind == LocationKind.depot
            )
        )
    )
    if store is None or not depots:
        return
    depot = min(depots, key=lambda d: haversine_m(store.lat, store.lon, d.lat, d.lon))
    for sku, quantity in await inventory.order_lines(session, organization_id=order.organization_id, order_id=order.id):
        try:
            async with session.begin_nested():
                await inventory.transfer(
                    session,
                    principal=system,
                    from_location_id=store.id,
                    to_location_id=depot.id,
                    sku_code=sku,
                    quantity=quantity,
                    reason=f"uncollected pickup {order.external_ref or order.id}",
                )
        except DomainError as exc:  # sold at the store meanwhile: the count there is the dispatcher's to settle
            log.warning("expired_pickup_stock_not_moved", order_id=str(order.id), sku=sku, detail=str(exc.detail))
