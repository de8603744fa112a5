"""The fan-out of a channel to this process's sockets: one subscription per channel, each frame to each socket
once, and a slow or vanished client never holds up the others."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import pytest
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend

from backend.events import fanout as fanout_module
from backend.events.channels import PrunedChannelsPlugin
from backend.events.fanout import FanOut


class CountingBackend(MemoryChannelsBackend):
    def __init__(self) -> None:
        super().__init__()
        self.subscribed: list[str] = []
        self.unsubscribed: list[str] = []

    async def subscribe(self, channels: Iterable[str]) -> None:
        channels = list(channels)
        self.subscribed.extend(channels)
        await super().subscribe(channels)

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        channels = list(channels)
        self.unsubscribed.extend(channels)
        await super().unsubscribe(channels)


class FakeSocket:
    """What the fan-out uses of a Litestar WebSocket: the ASGI send, close and the path."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []
        self.attempts = 0
        self.closed: tuple[int, str] | None = None
        self.url = type("Url", (), {"path": "/ws/track/x"})()

    async def send(self, message: dict[str, Any]) -> None:
        self.attempts += 1
        await self.transmit()
        self.frames.append(json.loads(message["text"]))

    async def transmit(self) -> None:
        return None  # the transport took the bytes at once

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)


class StuckSocket(FakeSocket):
    """A client that stopped reading: the server paused writing to it, and it never resumes."""

    async def transmit(self) -> None:
        await asyncio.Event().wait()


class PausedSocket(FakeSocket):
    """A client that reads again once `gate` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()

    async def transmit(self) -> None:
        await self.gate.wait()


class GoneSocket(FakeSocket):
    async def transmit(self) -> None:
        raise ConnectionResetError("client disconnected")


async def until(condition: Callable[[], bool], timeout_s: float = 2.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():
            await asyncio.sleep(0.005)


def run(test: Callable[[ChannelsPlugin, CountingBackend, FanOut], Awaitable[None]]) -> None:
    async def main() -> None:
        backend = CountingBackend()
        plugin = PrunedChannelsPlugin(backend=backend, arbitrary_channels_allowed=True)  # as the app makes it
        async with plugin:
            hub = FanOut(plugin, heartbeat_s=None)
            try:
                await test(plugin, backend, hub)
            finally:
                await hub.stop()

    asyncio.run(main())


def position(n: int) -> dict[str, Any]:
    return {"type": "position", "seq": n, "data": {"lat": 60.0 + n / 1000}}


def test_a_frame_reaches_every_local_socket_of_its_channel_once_through_one_subscription() -> None:
    async def test(plugin: ChannelsPlugin, backend: CountingBackend, hub: FanOut) -> None:
        mine = [FakeSocket() for _ in range(3)]
        other = FakeSocket()
        async with (
            hub.listen("order:a", mine[0]),  # type: ignore[arg-type]
            hub.listen("order:a", mine[1]),  # type: ignore[arg-type]
            hub.listen("order:a", mine[2]),  # type: ignore[arg-type]
            hub.listen("order:b", other),  # type: ignore[arg-type]
        ):
            assert backend.subscribed == ["order:a", "order:b"]
            assert hub.listeners("order:a") == 3
            plugin.publish(position(1), "order:a")
            plugin.publish(position(2), "order:a")
            await until(lambda: all(len(s.frames) == 2 for s in mine))
            await asyncio.sleep(0.05)  # nothing more arrives
            for socket in mine:
                assert socket.frames == [position(1), position(2)]
            assert other.frames == []

    run(test)


def test_a_stuck_socket_is_closed_while_the_others_get_their_frames_on_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fanout_module, "SEND_TIMEOUT_S", 2.0)

    async def test(plugin: ChannelsPlugin, backend: CountingBackend, hub: FanOut) -> None:
        stuck, fast = StuckSocket(), [FakeSocket(), FakeSocket()]
        loop = asyncio.get_running_loop()
        async with (
            hub.listen("order:a", fast[0]),  # type: ignore[arg-type]
            hub.listen("order:a", stuck),  # type: ignore[arg-type]
            hub.listen("order:a", fast[1]),  # type: ignore[arg-type]
        ):
            started = loop.time()
            for n in range(3):
                plugin.publish(position(n), "order:a")
            await until(lambda: all(len(s.frames) == 3 for s in fast))
            assert loop.time() - started < 1.0, "the others never wait for the stuck one"
            await until(lambda: stuck.closed is not None, timeout_s=5.0)
            assert stuck.closed == (1013, "too slow")
            assert loop.time() - started >= 2.0
            plugin.publish(position(3), "order:a")
            await until(lambda: all(len(s.frames) == 4 for s in fast))
            assert stuck.attempts == 1, "after the drop no frame is even attempted"

    run(test)


def test_a_socket_whose_backlog_fills_loses_its_oldest_frames_and_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    async def test(plugin: ChannelsPlugin, backend: CountingBackend, hub: FanOut) -> None:
        monkeypatch.setattr(fanout_module, "MAX_BACKLOG_FRAMES", 2)  # read when a socket joins
        paused, fast = PausedSocket(), FakeSocket()
        async with hub.listen("order:a", paused), hub.listen("order:a", fast):  # type: ignore[arg-type]
            for n in range(6):  # one in flight, then 1-5 behind it: only the newest two are kept
                plugin.publish(position(n), "order:a")
            await until(lambda: len(fast.frames) == 6)
            paused.gate.set()
            await until(lambda: len(paused.frames) == 3)
            await asyncio.sleep(0.05)
            assert [f["seq"] for f in paused.frames] == [0, 4, 5]
            assert paused.closed is None

    run(test)


def test_a_socket_that_pauses_gets_every_frame_in_order_once_it_reads_again() -> None:
    async def test(plugin: ChannelsPlugin, backend: CountingBackend, hub: FanOut) -> None:
        paused, fast = PausedSocket(), FakeSocket()
        async with hub.listen("order:a", paused), hub.listen("order:a", fast):  # type: ignore[arg-type]
            for n in range(4):
                plugin.publish(position(n), "order:a")
            await until(lambda: len(fast.frames) == 4)
            assert paused.frames == []
            paused.gate.set()
            await until(lambda: len(paused.frames) == 4)
            assert paused.frames == [position(n) for n in range(4)]
            plugin.publish(position(4), "order:a")  # back to sending inline
            await until(lambda: len(paused.frames) == 5)
            assert paused.closed is None

    run(test)


def test_a_socket_gone_mid_send_is_dropped_and_the_others_carry_on() -> None:
    async def test(plugin: ChannelsPlugin, backend: CountingBackend, hub: FanOut) -> None:
        gone, fast = GoneSocket(), FakeSocket()
        async with hub.listen("order:a", gone), hub.listen("order:a", fast):  # type: ignore[arg-type]
            for n in range(3):
                plugin.publish(position(n), "order:a")
            await until(lambda: len(fast.frames) == 3)
            assert gone.attempts == 1

    run(test)


def test_the_last_socket_leaving_a_channel_unsubscribes_the_process() -> None:
    async def test(plugin: ChannelsPlugin, backend: CountingBackend, hub: FanOut) -> None:
        first, second = FakeSocket(), FakeSocket()
        async with hub.listen("order:a", first):  # type: ignore[arg-type]
            async with hub.listen("order:a", second):  # type: ignore[arg-type]
                pass
            assert backend.unsubscribed == [], "one socket still follows the order"
            assert hub.channels == {"order:a"}
        assert backend.unsubscribed == ["order:a"]
        assert hub.channels == frozenset()
        assert "order:a" not in plugin._channels  # Litestar alone keeps an empty entry per channel for ever
        plugin.publish(position(1), "order:a")
        await asyncio.sleep(0.05)
        assert first.frames == [] and second.frames == []
        async with hub.listen("order:a", second):  # type: ignore[arg-type]  # and back again
            plugin.publish(position(2), "order:a")
            await until(lambda: len(second.frames) == 1)
        assert backend.subscribed == ["order:a", "order:a"]

    run(test)


def test_a_process_that_followed_many_orders_keeps_no_trace_of_them() -> None:
    async def test(plugin: ChannelsPlugin, backend: CountingBackend, hub: FanOut) -> None:
        for n in range(200):
            async with hub.listen(f"order:{n}", FakeSocket()):  # type: ignore[arg-type]
                pass
        async with hub.listen("order:kept", FakeSocket()):  # type: ignore[arg-type]
            assert set(plugin._channels) == {"order:kept"}
            assert len(backend.unsubscribed) == 200

    run(test)


def test_idle_sockets_get_heartbeats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fanout_module, "HEARTBEAT_CHECK_S", 0.02)

    async def main() -> None:
        async with ChannelsPlugin(backend=MemoryChannelsBackend(), arbitrary_channels_allowed=True) as plugin:
            hub = FanOut(plugin, heartbeat_s=0.1)
            socket = FakeSocket()
            try:
                async with hub.listen("order:a", socket):  # type: ignore[arg-type]
                    await until(lambda: len(socket.frames) >= 2)
            finally:
                await hub.stop()
            assert socket.frames[0] == {"type": "heartbeat", "seq": None, "data": {}}

    asyncio.run(main())
