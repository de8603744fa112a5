"""Every websocket route of the app, opened by a stranger (no cookie, no key, unknown token), is closed with a
reason before any data flows (RELIABILITY.md 4: walk the route table, so a new socket cannot forget it)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.routes import WebSocketRoute

CLOSE_CODES = {4401, 4403, 4404}


def test_every_websocket_route_refuses_strangers(client: Any) -> None:
    paths = sorted({r.path for r in client.app.routes if isinstance(r, WebSocketRoute)})
    assert {"/ws/dispatch", "/ws/driver", "/ws/track/{token:str}"} <= set(paths)
    client.cookies.clear()
    for path in paths:
        url = re.sub(r"{\w+(:\w+)?}", "0" * 32, path)
        with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect(url) as socket:
            socket.receive_json(timeout=5)
        assert closed.value.code in CLOSE_CODES, f"{path} closed with {closed.value.code}"
