"""Refuses NUL characters in query strings and text bodies (400): PostgreSQL cannot store them in text, and no
Doorstep field has a use for them, so they are stopped at the door instead of failing deep in a query."""

from __future__ import annotations

import re

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

from backend.kit.problems import DomainError

_JSON_NUL = b"\\u0000"


class NulInInput(DomainError):
    status_code = 400
    type_slug = "nul-character"
    title = "NUL characters are not accepted"


_MEDIA_UPLOAD = re.compile(r"^/api/(media|track/[^/]+/media)/[^/]+$")


def _is_binary(scope: Scope) -> bool:
    """Photo uploads are binary: NUL bytes are their content (the media endpoints decode them as images). Only
    those two routes, by method and path: a JSON body labelled image/* elsewhere is still checked."""
    return scope.get("method") == "PUT" and bool(_MEDIA_UPLOAD.match(scope["path"]))


class NulGuardMiddleware(ASGIMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["type"] not in ("http", "websocket"):
            await next_app(scope, receive, send)
            return
        if b"%00" in scope.get("query_string", b"") or "\x00" in scope["path"]:
            raise NulInInput("Remove the NUL character (%00) from the address.")
        if scope["type"] != ScopeType.HTTP or _is_binary(scope):
            await next_app(scope, receive, send)
            return
        tail = b""

        async def guarded_receive() -> ReceiveMessage:
            nonlocal tail
            message = await receive()
            if message["type"] == "http.request":
                body = message.get("body", b"")
                window = tail + body  # an escape split across two chunks is still seen
                if b"\x00" in body or _JSON_NUL in window.lower():
                    raise NulInInput("Remove the NUL character (\\u0000) from the request body.")
                tail = window[-(len(_JSON_NUL) - 1) :]
            return message

        await next_app(scope, guarded_receive, send)
