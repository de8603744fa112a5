"""HTTP surface of the accounts domain: sign-in, the caller's profile, users, API keys, organization."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post
from litestar.datastructures import Cookie, State
from litestar.di import NamedDependency
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts import schemas, service
from backend.accounts.auth import ADMIN, STAFF, requires, session_cookie_name, signed_in
from backend.accounts.models import User
from backend.accounts.principal import Principal
from backend.kit.pagination import DEFAULT_LIMIT, LimitParam, OffsetParam, Page
from backend.settings import Settings

SETTINGS_KEY = "settings"
LOGIN_PATH = "/api/auth/login"


def _me(user: User) -> schemas.Me:
    return schemas.Me(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        organization_id=user.organization_id,
        organization_name=user.organization.name,
        organization_kind=user.organization.kind,
    )


def _user(user: User) -> schemas.User:
    return schemas.User(
        id=user.id,
        email=user.email,
        name=user.name,
        phone=user.phone,
        role=user.role,
        is_active=user.is_active,
        created_at=user.created_at,
    )


def _api_key(api_key: Any) -> schemas.ApiKey:
    return schemas.ApiKey(
        id=api_key.id,
        name=api_key.name,
        role=api_key.role,
        prefix=api_key.prefix,
        created_at=api_key.created_at,
        last_used_at=api_key.last_used_at,
        revoked_at=api_key.revoked_at,
    )


def login_rate_limit(settings: Settings) -> RateLimitConfig:
    # keyed on the client address (uvicorn rewrites it from X-Forwarded-For for trusted proxies only);
    # counts live in the "rate_limit" store, which is Redis when DOORSTEP_REDIS_URL is set
    return RateLimitConfig(
        rate_limit=("minute", settings.login_rate_limit_per_minute),
        store="rate_limit",
        check_throttle_handler=lambda request: request.url.path == LOGIN_PATH,
    )


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post("/login", operation_id="login", status_code=HTTP_200_OK, summary="Sign in with email and password")
    async def login(
        self, db_session: NamedDependency[AsyncSession], state: State, data: JSONBody[schemas.LoginRequest]
    ) -> Response[schemas.SessionInfo]:
        settings: Settings = state[SETTINGS_KEY]
        signed = await service.sign_in(
            db_session, email=data.email, password=data.password, ttl_s=settings.session_ttl_s
        )
        cookie = Cookie(
            key=session_cookie_name(settings),
            value=signed.token,
            path="/",
            httponly=True,
            secure=not settings.is_dev,
            samesite="lax",
            max_age=settings.session_ttl_s,
        )
        return Response(
            schemas.SessionInfo(user=_me(signed.user), csrf_token=signed.login_session.csrf_token), cookies=[cookie]
        )

    @get("/me", operation_id="me", guards=[signed_in], summary="Who is signed in, with the CSRF token")
    async def me(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> schemas.SessionInfo:
        user = await service.me(db_session, principal=principal)
        return schemas.SessionInfo(user=_me(user), csrf_token=principal.csrf_token or "")

    @post("/logout", operation_id="logout", guards=[signed_in], status_code=HTTP_204_NO_CONTENT)
    async def logout(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal], state: State
    ) -> Response[None]:
        await service.sign_out(db_session, principal=principal)
        settings: Settings = state[SETTINGS_KEY]
        return Response(
            None,
            status_code=HTTP_204_NO_CONTENT,
            cookies=[
                Cookie(
                    key=session_cookie_name(settings),
                    value="",
                    path="/",
                    max_age=0,
                    expires=0,
                    httponly=True,
                    secure=not settings.is_dev,
                    samesite="lax",
                )
            ],
        )


class OrganizationController(Controller):
    path = "/api/organization"
    tags = ["accounts"]
    guards = [signed_in]

    @get("", operation_id="get_organization", summary="The caller's organization")
    async def get_organization(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> schemas.Organization:
        org = await service.get_organization(db_session, organization_id=principal.organization_id)
        return schemas.Organization(id=org.id, name=org.name, kind=org.kind, timezone=org.timezone)


class UserController(Controller):
    path = "/api/users"
    tags = ["accounts"]
    guards = [requires(*STAFF)]

    @get("", operation_id="list_users")
    async def list_users(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        limit: LimitParam = DEFAULT_LIMIT,
        offset: OffsetParam = 0,
    ) -> Page[schemas.User]:
        users, total = await service.list_users(db_session, principal=principal, limit=limit, offset=offset)
        return Page(items=[_user(u) for u in users], total=total, limit=limit, offset=offset)

    @get("/{user_id:uuid}", operation_id="get_user")
    async def get_user(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal], user_id: FromPath[UUID]
    ) -> schemas.User:
        return _user(await service.get_user(db_session, organization_id=principal.organization_id, user_id=user_id))

    @post("", operation_id="create_user", guards=[requires(*ADMIN)], status_code=HTTP_201_CREATED)
    async def create_user(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        data: JSONBody[schemas.UserCreate],
    ) -> schemas.User:
        org = await service.get_organization(db_session, organization_id=principal.organization_id)
        return _user(await service.create_user(db_session, organization=org, data=data, actor=principal.actor))

    @patch("/{user_id:uuid}", operation_id="update_user", guards=[requires(*ADMIN)])
    async def update_user(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        user_id: FromPath[UUID],
        data: JSONBody[schemas.UserUpdate],
    ) -> schemas.User:
        org = await service.get_organization(db_session, organization_id=principal.organization_id)
        user = await service.update_user(db_session, principal=principal, organization=org, user_id=user_id, data=data)
        return _user(user)


class ApiKeyController(Controller):
    path = "/api/api-keys"
    tags = ["accounts"]
    guards = [requires(*ADMIN)]

    @get("", operation_id="list_api_keys")
    async def list_api_keys(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> list[schemas.ApiKey]:
        return [_api_key(k) for k in await service.list_api_keys(db_session, principal=principal)]

    @post(
        "",
        operation_id="create_api_key",
        status_code=HTTP_201_CREATED,
        summary="Create an API key; the secret is in this answer only",
    )
    async def create_api_key(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        data: JSONBody[schemas.ApiKeyCreate],
    ) -> schemas.ApiKeyCreated:
        api_key, key = await service.create_api_key(db_session, principal=principal, name=data.name, role=data.role)
        return schemas.ApiKeyCreated(api_key=_api_key(api_key), key=key)

    @delete("/{api_key_id:uuid}", operation_id="revoke_api_key", status_code=HTTP_204_NO_CONTENT)
    async def revoke_api_key(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        api_key_id: FromPath[UUID],
    ) -> None:
        await service.revoke_api_key(db_session, principal=principal, api_key_id=api_key_id)
