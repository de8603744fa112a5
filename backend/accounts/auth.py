"""Authentication (session cookie or API key), CSRF for cookie-authenticated writes, and role guards.

Litestar's CSRF middleware is a double-submit cookie applied to every unsafe request, so it would also
demand a CSRF cookie from API-key clients that never had one. Here the token is bound to the login
session instead (synchronizer token), and only cookie-authenticated writes must echo it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.accounts import service
from backend.accounts.errors import CsrfFailed
from backend.accounts.models import Role
from backend.accounts.principal import Principal
from backend.db.session import SESSION_FACTORY_KEY, transaction
from backend.kit.secrets import same
from backend.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_EXEMPT_PATHS = frozenset({"/api/auth/login"})
# the tracking link's token is the credential there, not the cookie: a forged cross-site request cannot know it
CSRF_EXEMPT_PREFIXES = ("/api/track/",)


def session_cookie_name(settings: Settings) -> str:
    # the __Host- prefix makes browsers insist on Secure, Path=/ and no Domain; it needs https, so not in dev
    return "doorstep_session" if settings.is_dev else "__Host-doorstep_session"


def _credentials(headers: Headers, cookies: dict[str, str], cookie_name: str) -> tuple[str | None, str | None]:
    api_key = headers.get("x-api-key")
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        api_key = authorization[7:].strip()
    return cookies.get(cookie_name), api_key


class AuthenticationMiddleware(ASGIMiddleware):
    """Puts a Principal (or None) in scope["user"]; guards decide what a route needs."""

    def __init__(self, settings: Settings) -> None:
        self.cookie_name = session_cookie_name(settings)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["type"] not in ("http", "websocket"):
            await next_app(scope, receive, send)
            return
        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        cookie_token, api_key = _credentials(connection.headers, connection.cookies, self.cookie_name)
        principal: Principal | None = None
        if cookie_token or api_key:
            factory: async_sessionmaker[AsyncSession] = connection.app.state[SESSION_FACTORY_KEY]
            async with transaction(factory) as session:
                if api_key:
                    principal = await service.principal_from_api_key(session, api_key)
                elif cookie_token:
                    principal = await service.principal_from_session_token(session, cookie_token)
        scope["user"] = principal
        if (
            scope["type"] == ScopeType.HTTP
            and principal is not None
            and principal.via == "session"
            and scope.get("method", "GET") not in SAFE_METHODS
            and scope["path"] not in CSRF_EXEMPT_PATHS
            and not scope["path"].startswith(CSRF_EXEMPT_PREFIXES)
        ):
            sent = connection.headers.get(CSRF_HEADER, "")
            if not sent or not principal.csrf_token or not same(sent, principal.csrf_token):
                raise CsrfFailed("Send the X-CSRF-Token header you got at sign-in with every change.")
        await next_app(scope, receive, send)


def current_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    principal = connection.scope.get("user")
    if not isinstance(principal, Principal):
        raise NotAuthorizedException("Sign in, or send an API key")
    return principal


def requires(*roles: Role) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]:
    """A guard: the caller is signed in and holds one of these roles."""
    allowed = frozenset(roles)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
        principal = current_principal(connection)
        if principal.role not in allowed:
            raise PermissionDeniedException(f"Your role ({principal.role.value}) may not do this")

    guard.__name__ = "requires_" + "_or_".join(r.value for r in roles)
    return guard


def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    current_principal(connection)


def provide_principal(request: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    return current_principal(request)


STAFF = (Role.admin, Role.dispatcher)
ADMIN = (Role.admin,)
