"""The app's WebSocket (kit/websocket.py): a closed connection is freed by reference counting, not left in a
cycle for the collector's next full collection, and the socket still tracks its connection state."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import WebSocket as LitestarWebSocket
from litestar.exceptions import WebSocketDisconnect

from backend.kit.websocket import WebSocket

SCOPE: dict[str, Any] = {"type": "websocket", "path": "/ws/x", "headers": [], "query_string": b"", "app": None}


@pytest.fixture
def no_collections() -> Iterator[None]:
    """Only reference counting frees anything while a test runs."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


async def receive_nothing() -> dict[str, Any]:
    return {"type": "websocket.connect"}


async def send_nothing(message: Any) -> None:
    return None


def left_for_the_collector(kind: type[LitestarWebSocket[Any, Any, Any]]) -> int:
    """The unreachable objects a collection finds after a socket of `kind` lost its last reference."""
    while gc.collect():  # earlier tests' leftovers (and what their finalizers leave) first
        pass
    socket = kind(dict(SCOPE), receive_nothing, send_nothing)  # type: ignore[arg-type]
    del socket
    return gc.collect()


def test_a_dropped_socket_is_freed_at_once(no_collections: None) -> None:
    socket = WebSocket(dict(SCOPE), receive_nothing, send_nothing)  # type: ignore[arg-type]
    ref = weakref.ref(socket)
    del socket
    assert ref() is None
    assert left_for_the_collector(WebSocket) == 0


def test_litestars_own_socket_outlives_its_last_reference(no_collections: None) -> None:
    """What the subclass is for: Litestar's keeps itself alive through its wrappers until a collection."""
    assert left_for_the_collector(LitestarWebSocket) >= 7  # the socket, two closures, their cells and tuples


async def test_the_socket_still_tracks_its_connection_state() -> None:
    messages = iter([{"type": "websocket.connect"}, {"type": "websocket.receive", "text": "hi"}])
    sent: list[Any] = []

    async def receive() -> Any:
        return next(messages, {"type": "websocket.disconnect", "code": 1000})

    async def send(message: Any) -> None:
        sent.append(message)

    socket = WebSocket(dict(SCOPE), receive, send)  # type: ignore[arg-type]
    await socket.accept()
    assert socket.connection_state == "connect"
    assert sent == [{"type": "websocket.accept", "subprotocol": None, "headers": []}]
    assert await socket.receive_text() == "hi"
    assert socket.connection_state == "receive"
    with pytest.raises(WebSocketDisconnect):
        await socket.receive_text()
    assert socket.connection_state == "disconnect"
    with pytest.raises(WebSocketDisconnect):  # nothing is sent on a connection the client closed
        await socket.send_text("late")
    assert len(sent) == 1


def test_the_app_makes_its_sockets_with_it(app: Any) -> None:
    assert app.websocket_class is WebSocket
