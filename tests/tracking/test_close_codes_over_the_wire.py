"""Over a real server (uvicorn, as a browser reaches it), a refused socket still says why: the handshake is
completed and then closed with the application's code, which is all a browser's WebSocket can see."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
import uvicorn
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

from backend.app import create_app


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
def test_refused_sockets_close_with_their_reason(stack: Any) -> None:
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(stack.settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )

    async def close_code(path: str, origin: str | None = None) -> int | str:
        headers = {"Origin": origin} if origin else None
        try:
            async with websockets.connect(f"ws://127.0.0.1:{port}{path}", additional_headers=headers) as ws:
                await asyncio.wait_for(ws.recv(), 5)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else "no close frame"
        except InvalidStatus as refused:
            return f"HTTP {refused.response.status_code}"
        return "open"

    async def run() -> dict[str, int | str]:
        task = asyncio.create_task(server.serve())
        while not server.started:
            assert not task.done(), "uvicorn stopped before it started (port taken?)"
            await asyncio.sleep(0.01)
        try:
            return {
                "unknown link": await close_code("/ws/track/" + "0" * 32),
                "no driver": await close_code("/ws/driver"),
                "no dispatcher": await close_code("/ws/dispatch"),
                "foreign origin": await close_code("/ws/dispatch", origin="https://evil.example"),
            }
        finally:
            server.should_exit = True
            await task

    codes = asyncio.run(run())
    assert codes == {
        "unknown link": 4404,
        "no driver": 4401,
        "no dispatcher": 4401,
        "foreign origin": "HTTP 403",  # no handshake is completed for another site
    }
