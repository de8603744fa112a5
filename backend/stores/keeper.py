"""The store's clock: reminders for pickups left waiting, a last reminder before expiry, expiry itself (the
parcels go back to the depot on a return order the planner routes), and the store screens' live channel."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import structlog
from litestar.channels import ChannelsPlugin
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.accounts import service as accounts
from backend.accounts.principal import Principal
from backend.db.session import transaction
from backend.events import service as events
from backend.events.models import Event
from backend.events.relay import EventHandler
from backend.kit.clock import utcnow
from backend.orders import service as orders
from backend.orders.models import Order, OrderKind, OrderStatus
from backend.orders.schemas import OrderCreate
from backend.places.models import Location
from backend.settings import Settings
from backend.stores.models import Pickup

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
        """One pass: reminders, last reminders, expiries; returns how many of each."""
        now = self.clock()
        done = {"reminded": 0, "warned": 0, "expired": 0}
        async with transaction(self._session_factory) as session:
            rows = await session.execute(
                select(Pickup, Order)
                .join(Order, Order.id == Pickup.order_id)
                .where(Order.status == OrderStatus.ready_for_pickup)
                .with_for_update(of=Pickup, skip_locked=True)
            )
            for pickup, order in rows:
                if pickup.expires_at is not None and pickup.expires_at <= now:
                    await self._expire(session, pickup, order, now)
                    done["expired"] += 1
                    continue
                expires = pickup.expires_at
                warn_at = expires - timedelta(hours=self._settings.pickup_expiry_warning_h) if expires else None
                if expires is not None and warn_at is not None and pickup.expiry_warned_at is None and warn_at <= now:
                    pickup.expiry_warned_at = now
                    self._record(session, pickup, "pickup.expiry_warning", expires_at=expires.isoformat())
                    done["warned"] += 1
                elif (
                    pickup.ready_at is not None
                    and pickup.reminded_at is None
                    and pickup.ready_at + timedelta(hours=self._settings.pickup_reminder_after_h) <= now
                ):
                    pickup.reminded_at = now
                    self._record(session, pickup, "pickup.reminder", code=pickup.code)
                    done["reminded"] += 1
        return done

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
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                done = await self.tick()
                if any(done.values()):
                    log.info("pickups_kept", **done)
            except Exception:
                log.exception("pickup_keeper_failed")
            await asyncio.sleep(TICK_S)


async def _returned_to_depot(session: AsyncSession, event: Event) -> None:
    """The return order of an expired pickup was received at the depot: the pickup's order is closed there."""
    pickup = await session.scalar(select(Pickup).where(Pickup.return_order_id == event.subject_id))
    if pickup is None:
        return
    order = await session.get(Order, pickup.order_id)
    if order is not None and order.status == OrderStatus.expired:
        await orders.transition(
            session,
            principal=Principal.system(order.organization_id),
            order_id=order.id,
            to=OrderStatus.returned_to_depot,
            reason="its return shipment was received at the depot",
        )
