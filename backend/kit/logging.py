"""Structured JSON logs with a request id on every line of a request."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

import structlog
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = b"x-request-id"
_SAFE_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._\-]{8,64}$")
# tokens in paths (customer tracking links) never reach the logs
_TOKEN_IN_PATH = re.compile(r"/(track|ws/track)/[^/]+")


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(format="%(message)s", stream=sys.stdout, level=level, force=True)
    for noisy in ("uvicorn.access",):  # our middleware logs each request once, with its id
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping().get(level, logging.INFO)),
        logger_factory=structlog.PrintLoggerFactory(),
        cache_logger_on_first_use=False,
    )


def redact_path(path: str) -> str:
    return _TOKEN_IN_PATH.sub(lambda m: f"/{m.group(1)}/<token>", path)


class RequestLogMiddleware(ASGIMiddleware):
    """Binds a request id (the caller's X-Request-ID if well-formed, else a new one), echoes it, logs one line."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["type"] not in ("http", "websocket"):
            await next_app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(REQUEST_ID_HEADER, b"")
        request_id = incoming.decode() if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (REQUEST_ID_HEADER, request_id.encode())]
            await send(message)

        log = structlog.get_logger("doorstep.request")
        try:
            # a socket's frames go straight out: only an HTTP answer carries the id, and wrapping every frame costs
            await next_app(scope, receive, send if scope["type"] == ScopeType.WEBSOCKET else send_with_id)
        finally:
            log.info(
                "request",
                method=scope.get("method", "WS"),
                path=redact_path(scope["path"]),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
            structlog.contextvars.unbind_contextvars("request_id")
