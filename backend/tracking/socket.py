"""Websockets of tracking: `/ws/driver` (a driver's positions in, route changes and ETAs out) and
`/ws/track/{token}` (one customer's live tracking). Frames are JSON `{"type", "seq", "data"}`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated, Any
from uuid import UUID

import msgspec
import structlog
from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromPath
from litestar.stores.base import Store

from backend.accounts.models import Role
from backend.db.session import SESSION_FACTORY_KEY, transaction
from backend.events.channels import driver_channel, order_channel
from backend.events.fanout import FANOUT_KEY, HEARTBEAT_S, FanOut
from backend.events.socket import MAX_FRAME_BYTES, admit, refuse, sender
from backend.kit.clock import utcnow
from backend.kit.problems import DomainError
from backend.kit.tasks import cancel_and_wait
from backend.settings import Settings
from backend.tracking import service
from backend.tracking.errors import TrackingLinkExpired
from backend.tracking.ingest import MAX_BATCH_POINTS, PointIn
from backend.tracking.live import LiveTracker

MAX_DRIVER_FRAMES_PER_MINUTE = 240  # 1 Hz positions plus pings and backfill batches, with room for a burst
MAX_TRACK_FRAMES_PER_MINUTE = 60  # a tracking page only pings and resumes

log = structlog.get_logger(__name__)


class PositionFrame(PointIn, tag="position", tag_field="type"):
    pass


class PositionsFrame(msgspec.Struct, tag="positions", tag_field="type", forbid_unknown_fields=True):
    points: Annotated[list[PointIn], msgspec.Meta(min_length=1, max_length=MAX_BATCH_POINTS)]


class PingFrame(msgspec.Struct, tag="ping", tag_field="type"):
    pass


class ResumeFrame(msgspec.Struct, tag="resume", tag_field="type"):
    after: int | str | None = None


_driver_decoder = msgspec.json.Decoder(PositionFrame | PositionsFrame | PingFrame)
_track_decoder = msgspec.json.Decoder(PingFrame | ResumeFrame)


def _frame(type_: str, data: Any, seq: int | None = None) -> dict[str, Any]:
    return {"type": type_, "seq": seq, "data": data}


class _Budget:
    """Frames per minute for one connection: a client past it is disconnected (1008), the others never wait."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.left = per_minute
        self.window_started = asyncio.get_running_loop().time()

    def spend(self) -> bool:
        now = asyncio.get_running_loop().time()
        if now - self.window_started > 60:
            self.left, self.window_started = self.per_minute, now
        self.left -= 1
        return self.left >= 0


async def _frames(socket: WebSocket[Any, Any, Any], budget: _Budget) -> AsyncIterator[str]:
    """Text frames until the client leaves; closes on a flood or an oversized frame."""
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            message = await socket.receive()
            if message["type"] == "websocket.disconnect":
                return
            raw = message.get("text")
            if not isinstance(raw, str):  # a binary frame: this protocol is JSON text only
                await socket.close(code=1003, reason="send JSON text frames")
                return
            if not budget.spend():
                await socket.close(code=1008, reason="too many messages")
                return
            if len(raw) > MAX_FRAME_BYTES:
                await socket.close(code=1009, reason="frame too large")
                return
            yield raw


@contextlib.asynccontextmanager
async def _heartbeat(socket: WebSocket[Any, Any, Any]) -> AsyncIterator[None]:
    async def beat() -> None:
        with contextlib.suppress(Exception):
            while True:
                await asyncio.sleep(HEARTBEAT_S)
                await socket.send_json(_frame("heartbeat", {}))

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        await cancel_and_wait(task)


@websocket("/ws/driver", opt={"exclude_from_auth": False})
async def driver_socket(socket: WebSocket[Any, Any, Any], channels: NamedDependency[ChannelsPlugin]) -> None:
    tracker: LiveTracker = socket.app.state["tracker"]
    principal = await admit(socket, roles=(Role.driver,), who="drivers", signed_in_user=True)
    if principal is None or principal.user_id is None:
        return
    budget = _Budget(MAX_DRIVER_FRAMES_PER_MINUTE)
    async with (
        channels.start_subscription([driver_channel(principal.user_id)]) as subscriber,
        subscriber.run_in_background(sender(socket), join=False),
        _heartbeat(socket),
    ):
        await socket.send_json(_frame("ready", {"channel": "driver"}))
        async for raw in _frames(socket, budget):
            try:
                message = _driver_decoder.decode(raw)
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                await socket.send_json(_frame("error", {"detail": str(exc)}))
                continue
            if isinstance(message, PingFrame):
                await socket.send_json(_frame("pong", {}))
                continue
            points = [message] if isinstance(message, PositionFrame) else message.points
            try:
                result = await tracker.ingest(principal, points, background=True)  # ETAs after the ack
            except DomainError as exc:  # the database is away: say so, keep the socket (the phone buffers)
                await socket.send_json(_frame("error", {"detail": exc.detail, "retry": True}))
                continue
            for reason in dict.fromkeys(r.reason for r in result.rejected):  # one error per reason, not per point
                indexes = [r.index for r in result.rejected if r.reason == reason]
                await socket.send_json(_frame("error", {"detail": reason, "index": indexes[0], "count": len(indexes)}))
            await socket.send_json(
                _frame(
                    "ack",
                    {
                        "accepted": result.accepted,
                        "stored_only": result.stored_only,
                        "rejected": len(result.rejected),
                        "last_at": max(p.at for p in points).isoformat(),
                    },
                )
            )


async def _allowed(store: Store, key: str, per_minute: int) -> bool:
    """A fixed one-minute window per client address, in the shared store (Redis when configured)."""
    raw = await store.get(key)
    count = int(raw) + 1 if raw else 1
    left_s = await store.expires_in(key) if raw else None
    await store.set(key, str(count), expires_in=max(1, left_s) if left_s else 60)  # the window never stretches
    return count <= per_minute


@websocket("/ws/track/{token:str}", opt={"exclude_from_auth": True})
async def track_socket(socket: WebSocket[Any, Any, Any], token: FromPath[str]) -> None:
    settings: Settings = socket.app.state["settings"]
    tracker: LiveTracker = socket.app.state["tracker"]
    client = socket.client.host if socket.client else "unknown"
    store = socket.app.stores.get("tracking_rate_limit")
    if not await _allowed(store, f"track-ws:{client}", settings.tracking_rate_limit_per_minute):
        await refuse(socket, 1013, "too many tracking requests; try again in a minute")
        return
    factory = socket.app.state[SESSION_FACTORY_KEY]
    reads = tracker.page_reads

    async def snapshot() -> dict[str, Any]:
        async with reads, transaction(factory) as session:
            order = await service.resolve(session, token=token, ttl_s=settings.tracking_link_ttl_s, now=utcnow())
            view = await service.tracking_view(
                session, order=order, ttl_s=settings.tracking_link_ttl_s, tracker=tracker
            )
        return _frame("snapshot", msgspec.to_builtins(view), view.seq)

    async def order_id_of_token() -> UUID:  # its own frame: the session and order are not kept for the socket's life
        async with reads, transaction(factory) as session:
            order = await service.resolve(session, token=token, ttl_s=settings.tracking_link_ttl_s, now=utcnow())
            return order.id

    try:
        order_id = await order_id_of_token()
    except TrackingLinkExpired:
        await refuse(socket, 4410, "this tracking link has expired")
        return
    except DomainError:
        await refuse(socket, 4404, "unknown tracking link")
        return
    await socket.accept()
    budget = _Budget(MAX_TRACK_FRAMES_PER_MINUTE)
    fanout: FanOut = socket.app.state[FANOUT_KEY]
    # thousands of pages may follow one process: they share one subscription per order, and its heartbeats
    async with fanout.listen(order_channel(order_id), socket):
        await socket.send_json(await snapshot())
        async for raw in _frames(socket, budget):
            try:
                message = _track_decoder.decode(raw)
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                await socket.send_json(_frame("error", {"detail": str(exc)}))
                continue
            if isinstance(message, PingFrame):
                await socket.send_json(_frame("pong", {}))
            else:  # resume: live frames are not kept, so a returning client gets the whole picture again
                try:
                    await socket.send_json(await snapshot())
                except TrackingLinkExpired:
                    await socket.close(code=4410, reason="this tracking link has expired")
                    return
