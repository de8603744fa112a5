"""The app's WebSocket class: Litestar's, without the reference cycle that outlived every closed connection.

Litestar's WebSocket wraps the ASGI `receive` and `send` in closures over the socket itself, and keeps them as its
own `receive` and `send`: socket -> closure -> socket. Reference counting never frees such a cycle, so each
closed connection (the socket, and through it uvicorn's protocol, transport, buffers and the scope: about 100
objects) stayed in memory until the collector's next full collection, and every full collection walked them.
Measured with bench/live.py's server: 78 unreachable objects per closed tracking page, all held by that 7-object
cycle. Here the closures hold the socket weakly, so a closed connection is freed as soon as its handler returns.
Only the socket and the sends and receives under way hold the closures, and whoever awaits one of those holds
the socket too (the handler, a fan-out listener, a subscription's sender), so no closure runs once the socket is
gone. A task started on `socket.receive()` alone, holding nothing else, would break that: there is none.
"""

from __future__ import annotations

import weakref
from typing import Any, cast

from litestar import WebSocket as LitestarWebSocket
from litestar.types import Receive, Send


class WebSocket(LitestarWebSocket[Any, Any, Any]):
    __slots__ = ("__weakref__",)

    def receive_wrapper(self, receive: Receive) -> Receive:
        return LitestarWebSocket.receive_wrapper(cast("WebSocket", weakref.proxy(self)), receive)

    def send_wrapper(self, send: Send) -> Send:
        return LitestarWebSocket.send_wrapper(cast("WebSocket", weakref.proxy(self)), send)
