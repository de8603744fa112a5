"""A websocket client that stops reading is closed and its later frames dropped; it never holds the sender."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from backend.events import socket as sockets


class StuckSocket:
    """A peer whose TCP window is full: every send waits forever."""

    def __init__(self) -> None:
        self.closed: tuple[int, str] | None = None
        self.sends = 0
        self.url = type("Url", (), {"path": "/ws/test"})()

    async def send_data(self, data: Any) -> None:
        self.sends += 1
        await asyncio.Event().wait()

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)


def test_a_stuck_client_is_closed_and_its_later_frames_are_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sockets, "SEND_TIMEOUT_S", 0.05)
    stuck = StuckSocket()
    send = sockets.sender(stuck)  # type: ignore[arg-type]

    async def run() -> float:
        loop = asyncio.get_running_loop()
        started = loop.time()
        await send({"type": "position"})
        for _ in range(100):
            await send({"type": "position"})
        return loop.time() - started

    elapsed = asyncio.run(run())
    assert stuck.closed == (1013, "too slow")
    assert stuck.sends == 1, "after the drop no frame is even attempted"
    assert elapsed < 1.0


class GoneSocket(StuckSocket):
    """A peer that disconnected: sending raises, as uvicorn's ClientDisconnected does."""

    async def send_data(self, data: Any) -> None:
        self.sends += 1
        raise ConnectionResetError("client disconnected")


def test_a_client_gone_mid_send_is_dropped_without_killing_the_sender() -> None:
    gone = GoneSocket()
    send = sockets.sender(gone)  # type: ignore[arg-type]

    async def run() -> None:
        for _ in range(5):
            await send({"type": "position"})  # never raises: the worker that calls it keeps draining its queue

    asyncio.run(run())
    assert gone.sends == 1
