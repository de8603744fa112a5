"""The fan-out of live channels to this process's websockets: one subscription per channel per process, and
each frame written to every local socket of the channel from one loop, without a queue and a task per socket.

Litestar's `Subscriber.run_in_background` gives every socket its own queue and task, so one frame to 10,000
tracking pages was 10,000 queue puts, task switches and awaited sends. Here the channel is subscribed through
the same ChannelsPlugin (memory or Redis backend, so a frame published by another process arrives just the
same), once, and each frame is handed to every socket's ASGI `send` in turn. A send that completes without
waiting (the transport took the bytes: nearly always) costs no task; only a socket whose send had to wait (its
client is not reading and the server paused writing) gets a task that finishes that send, and holds its next
frames in a bounded backlog meanwhile, losing the oldest when it is full (a dispatcher's map gets 250 positions a
second with 500 drivers: a Wi-Fi blip must not cost the socket). A client that cannot take a frame in
SEND_TIMEOUT_S is closed (1013); a client gone mid-send is dropped. Neither ever delays the others.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Generator
from dataclasses import dataclass, field
from typing import Any

import structlog
from litestar import WebSocket
from litestar.channels import ChannelsPlugin, Subscriber

from backend.kit.logging import redact_path
from backend.kit.tasks import cancel_and_wait

FANOUT_KEY = "fanout"  # app.state: this process's FanOut
SEND_TIMEOUT_S = 10.0  # a client that cannot take one frame in this long is dropped (1013), never waited for
MAX_BACKLOG_FRAMES = 1_000  # frames held for a socket whose send is still waiting; past this the oldest go
HEARTBEAT_S = 25.0  # below the 30-60 s idle timeouts of common proxies and mobile carriers
HEARTBEAT_CHECK_S = 1.0  # how often idle sockets are looked for: a heartbeat goes out 25-26 s after the last frame
HEARTBEAT_TEXT = '{"type":"heartbeat","seq":null,"data":{}}'

log = structlog.get_logger(__name__)


class _Resume:
    """Awaiting this finishes a send that was started by hand (`send.__await__().send(None)`) and suspended on
    `blocked_on`: what `yield from` would do had it started the coroutine itself. It lets the fan-out try
    every socket's send inline and pay for a task only for the few sends that must wait (what an eager task
    does on Python 3.12)."""

    def __init__(self, coro: Generator[Any, Any, None], blocked_on: Any) -> None:
        self._coro = coro
        self._blocked_on = blocked_on

    def __await__(self) -> Generator[Any, Any, None]:
        coro, waiting_for = self._coro, self._blocked_on
        while True:
            try:
                sent = yield waiting_for
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # a cancellation or timeout: it goes to the send, as `await` would do
                try:
                    waiting_for = coro.throw(exc)
                except StopIteration:
                    return
            else:
                try:
                    waiting_for = coro.send(sent)
                except StopIteration:
                    return


class Listener:
    """One local socket on a channel: its send in progress (if one had to wait) and the frames behind it."""

    def __init__(self, socket: WebSocket[Any, Any, Any], path: str) -> None:
        self.socket = socket
        self.path = redact_path(path)  # a tracking page's path holds its secret token
        self.dropped = False
        self.last_sent_at = asyncio.get_running_loop().time()
        self._backlog: deque[str] = deque(maxlen=MAX_BACKLOG_FRAMES)
        self._sending: asyncio.Task[None] | None = None
        self._closing: asyncio.Task[None] | None = None  # held: the loop keeps only a weak reference to a task

    def offer(self, text: str) -> None:
        """Write a text frame now if the socket takes it, else queue it behind the send that is waiting."""
        if self.dropped:
            return
        if self._sending is not None:
            self._backlog.append(text)  # full: the oldest frame goes (positions and ETAs are superseded anyway)
            return
        send = self.socket.send({"type": "websocket.send", "bytes": None, "text": text}).__await__()
        try:
            blocked_on = send.send(None)
        except StopIteration:
            self.last_sent_at = asyncio.get_running_loop().time()
            return
        except Exception:  # the client went away mid-send (uvicorn's ClientDisconnected, Litestar's disconnect)
            self.dropped = True
            return
        self._sending = asyncio.create_task(self._finish(_Resume(send, blocked_on)))

    async def _finish(self, waiting: _Resume) -> None:
        try:
            async with asyncio.timeout(SEND_TIMEOUT_S):
                await waiting
            while self._backlog and not self.dropped:
                text = self._backlog.popleft()
                async with asyncio.timeout(SEND_TIMEOUT_S):
                    await self.socket.send({"type": "websocket.send", "bytes": None, "text": text})
            self.last_sent_at = asyncio.get_running_loop().time()
        except TimeoutError:
            self._sending = None
            self.drop(slow=True)
        except Exception:
            self.dropped = True
        finally:
            self._sending = None

    def drop(self, *, slow: bool) -> None:
        """Stop sending to this socket; a slow one is also told why (1013), if it still takes a close frame."""
        if self.dropped:
            return
        self.dropped = True
        self._backlog.clear()
        if self._sending is not None:
            self._sending.cancel()
        if slow:
            log.info("slow_websocket_dropped", path=self.path)
            self._closing = asyncio.get_running_loop().create_task(self._close_slow())

    async def _close_slow(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.socket.close(code=1013, reason="too slow"), 1.0)

    async def stop(self) -> None:
        self.dropped = True
        if self._sending is not None:
            self._sending.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._sending


@dataclass
class _Channel:
    channel: str
    listeners: dict[Listener, None] = field(default_factory=dict)  # an ordered set: frames go out in join order
    subscriber: Subscriber | None = None
    pump: asyncio.Task[None] | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)


class FanOut:
    """This process's subscriptions for its busy sockets (customers' tracking pages, dispatchers' maps): a
    channel is subscribed while at least one local socket listens to it, and idle sockets get a heartbeat."""

    def __init__(self, channels: ChannelsPlugin, *, heartbeat_s: float | None = HEARTBEAT_S) -> None:
        self._plugin = channels
        self._channels: dict[str, _Channel] = {}
        self._subscribing = asyncio.Lock()  # a subscribe and an unsubscribe of one channel never interleave
        self._heartbeat_s = heartbeat_s
        self._heartbeats: asyncio.Task[None] | None = None

    @property
    def channels(self) -> frozenset[str]:
        """The channels this process is subscribed to for its sockets."""
        return frozenset(self._channels)

    def listeners(self, channel: str) -> int:
        found = self._channels.get(channel)
        return len(found.listeners) if found else 0

    @contextlib.asynccontextmanager
    async def listen(self, channel: str, socket: WebSocket[Any, Any, Any]) -> AsyncIterator[Listener]:
        """Send `channel`'s frames to `socket` while inside; leaving is the socket's unsubscription (and the
        process's, with its last socket)."""
        listener = Listener(socket, socket.url.path)
        found = self._channels.get(channel)
        first = found is None
        if found is None:
            found = self._channels[channel] = _Channel(channel)
        found.listeners[listener] = None
        try:
            if first:
                try:
                    async with self._subscribing:
                        found.subscriber = await self._plugin.subscribe([channel])
                    found.pump = asyncio.create_task(self._pump(channel, found))
                finally:
                    found.ready.set()  # a failed subscribe leaves no one waiting: they find no subscriber
            else:
                await found.ready.wait()  # frames published from here on are seen: the snapshot may be read now
                if found.subscriber is None:
                    raise RuntimeError(f"could not subscribe to {channel}")
            self._start_heartbeats()
            yield listener
        finally:
            await listener.stop()
            found.listeners.pop(listener, None)
            if not found.listeners and self._channels.get(channel) is found:
                del self._channels[channel]
                await self._unsubscribe(found)

    async def _unsubscribe(self, found: _Channel) -> None:
        await cancel_and_wait(found.pump)
        if found.subscriber is not None:
            async with self._subscribing:
                await self._plugin.unsubscribe(found.subscriber, found.channel)

    async def _pump(self, channel: str, found: _Channel) -> None:
        assert found.subscriber is not None
        async for payload in found.subscriber.iter_events():
            try:
                text = payload.decode()  # published as JSON bytes, encoded once by the plugin
                for listener in found.listeners:  # no await in this loop: no socket can join or leave during it
                    listener.offer(text)
            except Exception:  # never lose the channel for every socket over one bad frame
                log.exception("fanout_frame_failed", channel=channel)

    def _start_heartbeats(self) -> None:
        if self._heartbeat_s is not None and (self._heartbeats is None or self._heartbeats.done()):
            self._heartbeats = asyncio.create_task(self._beat(self._heartbeat_s))

    async def _beat(self, every_s: float) -> None:
        """One loop for every socket instead of a sleeping task each: a socket that got no frame for `every_s`
        gets a heartbeat (a socket whose channel is busy needs none)."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(min(HEARTBEAT_CHECK_S, every_s))
            now = loop.time()
            for found in list(self._channels.values()):
                for listener in found.listeners:
                    if now - listener.last_sent_at >= every_s:
                        listener.last_sent_at = now  # also when it waits: the next beat is a period later
                        listener.offer(HEARTBEAT_TEXT)

    async def stop(self) -> None:
        await cancel_and_wait(self._heartbeats)
        for found in list(self._channels.values()):
            for listener in list(found.listeners):
                await listener.stop()
            await cancel_and_wait(found.pump)
        self._channels.clear()
