"""`/ws/dispatch`: an organization's events, live, for its dispatchers (with resume after a reconnect)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import msgspec
import structlog
from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect
from sqlalchemy import select

from backend.accounts.auth import STAFF
from backend.accounts.models import Role
from backend.accounts.principal import Principal
from backend.db.session import SESSION_FACTORY_KEY, transaction
from backend.events.fanout import FANOUT_KEY, SEND_TIMEOUT_S, FanOut
from backend.events.models import Event
from backend.events.relay import org_channel
from backend.events.service import to_message
from backend.settings import Settings

MAX_FRAME_BYTES = 64 * 1024  # a client frame larger than this closes the socket (1009)
MAX_RESUME_EVENTS = 500  # a client that missed more gets a "resync" and reloads by HTTP
MAX_CLIENT_MESSAGES_PER_MINUTE = 120  # pings and resumes; a client past this is disconnected (1008)

log = structlog.get_logger(__name__)


class ClientMessage(msgspec.Struct, tag_field="type"):
    pass


class Ping(ClientMessage, tag="ping"):
    pass


class Resume(ClientMessage, tag="resume"):
    after: str


_decoder = msgspec.json.Decoder(Ping | Resume)


def origin_allowed(origin: str | None, settings: Settings, host: str | None) -> bool:
    """Browsers send Origin on websocket handshakes; a foreign one is refused (CSRF does not cover sockets)."""
    if origin is None:
        return True  # not a browser (curl, a server): it authenticated with a cookie or key it holds itself
    allowed = {settings.public_base_url.rstrip("/"), *settings.cors_origins}
    if origin in allowed:
        return True
    parts = urlsplit(origin)
    return host is not None and parts.netloc == host and (settings.is_dev or parts.scheme == "https")


async def refuse(socket: WebSocket[Any, Any, Any], code: int, reason: str) -> None:
    """Complete the handshake, then close with the reason: a browser only sees a close code (4401 sign in,
    4403 wrong role, 4404 unknown link...) on an accepted socket; a refused handshake is a bare 1006 to it.
    A foreign Origin is refused before the handshake instead: nothing is completed for another site."""
    await socket.accept()
    await socket.close(code=code, reason=reason)


async def admit(
    socket: WebSocket[Any, Any, Any], *, roles: tuple[Role, ...], who: str, signed_in_user: bool = False
) -> Principal | None:
    """The signed-in caller of a staff or driver socket, accepted; None when it was refused (and closed)."""
    settings: Settings = socket.app.state["settings"]
    principal = socket.scope.get("user")
    if not origin_allowed(socket.headers.get("origin"), settings, socket.headers.get("host")):
        await socket.close(code=1008, reason="origin not allowed")
        return None
    if not isinstance(principal, Principal):
        await refuse(socket, 4401, "sign in first")
        return None
    if principal.role not in roles or (signed_in_user and principal.user_id is None):
        await refuse(socket, 4403, f"{who} only")
        return None
    await socket.accept()
    return principal


def sender(socket: WebSocket[Any, Any, Any]) -> Callable[[Any], Awaitable[None]]:
    """What a subscription sends frames with: a client too slow to take one in SEND_TIMEOUT_S is closed and
    its later frames are dropped, so it never holds a worker (its backlog is bounded by the plugin anyway); a
    client gone mid-send is dropped too. Use with `run_in_background(..., join=False)`: frames are at most once,
    and waiting to deliver the rest to a closed socket would never end."""
    dropped = False

    async def send(data: Any) -> None:
        nonlocal dropped
        if dropped:
            return
        try:
            # asyncio.timeout, not wait_for: on 3.11 wait_for makes a task per frame, a tenth of the fan-out's CPU
            async with asyncio.timeout(SEND_TIMEOUT_S):
                await socket.send_data(data)
        except TimeoutError:
            dropped = True
            log.info("slow_websocket_dropped", path=socket.url.path)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(socket.close(code=1013, reason="too slow"), 1.0)
        except Exception:  # the client went away mid-send: never kill the worker (its queue would never drain)
            dropped = True

    return send


async def _missed(socket: WebSocket[Any, Any, Any], organization_id: UUID, after: str) -> list[dict[str, Any]] | None:
    try:
        after_id = UUID(after)
    except ValueError:
        return None
    async with transaction(socket.app.state[SESSION_FACTORY_KEY]) as session:
        rows = list(
            await session.scalars(
                select(Event)
                .where(Event.organization_id == organization_id, Event.id > after_id, Event.published_at.is_not(None))
                .order_by(Event.id)
                .limit(MAX_RESUME_EVENTS + 1)
            )
        )
    if len(rows) > MAX_RESUME_EVENTS:
        return None
    return [to_message(e) for e in rows]


@websocket("/ws/dispatch", opt={"exclude_from_auth": False})
async def dispatch_socket(socket: WebSocket[Any, Any, Any]) -> None:
    principal = await admit(socket, roles=STAFF, who="dispatchers")
    if principal is None:
        return
    channel = org_channel(principal.organization_id)
    budget = MAX_CLIENT_MESSAGES_PER_MINUTE
    loop = asyncio.get_running_loop()
    window_started = loop.time()
    fanout: FanOut = socket.app.state[FANOUT_KEY]
    # every driver's position every 2 s, to every dispatcher of the organization: one subscription per process
    async with fanout.listen(channel, socket):
        await socket.send_json({"type": "ready", "seq": None, "data": {"channel": "dispatch"}})
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                raw = await socket.receive_data(mode="text")
                if loop.time() - window_started > 60:
                    budget, window_started = MAX_CLIENT_MESSAGES_PER_MINUTE, loop.time()
                budget -= 1
                if budget < 0:
                    await socket.close(code=1008, reason="too many messages")
                    return
                if len(raw) > MAX_FRAME_BYTES:
                    await socket.close(code=1009, reason="frame too large")
                    return
                try:
                    message = _decoder.decode(raw)
                except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                    await socket.send_json({"type": "error", "seq": None, "data": {"detail": str(exc)}})
                    continue
                if isinstance(message, Ping):
                    await socket.send_json({"type": "pong", "seq": None, "data": {}})
                else:
                    missed = await _missed(socket, principal.organization_id, message.after)
                    if missed is None:
                        await socket.send_json({"type": "resync", "seq": None, "data": {}})
                    else:
                        for frame in missed:
                            await socket.send_json(frame)
