"""Rules of the accounts domain: sign-in, sessions, users and API keys. Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts import repository
from backend.accounts.errors import ApiKeyNameTaken, ApiKeyNotFound, EmailTaken, InvalidCredentials, UserNotFound
from backend.accounts.models import ApiKey, LoginSession, Organization, OrganizationKind, Role, User
from backend.accounts.passwords import hash_password, verify_password
from backend.accounts.principal import Principal
from backend.accounts.schemas import UserCreate, UserUpdate
from backend.events import service as events
from backend.kit.clock import utcnow
from backend.kit.secrets import new_token, token_hash
from backend.kit.validation import normalize_email, normalize_phone

_UNSET = msgspec.UNSET
API_KEY_PREFIX = "dsk_"
API_KEY_TOUCH_EVERY = timedelta(minutes=5)  # last_used_at is written at most this often, not on every call


@dataclass(frozen=True)
class SignedIn:
    user: User
    token: str
    login_session: LoginSession


async def create_organization(
    session: AsyncSession, *, name: str, kind: OrganizationKind, timezone: str = "UTC", country_code: str = "FI"
) -> Organization:
    organization = Organization(name=name, kind=kind, timezone=timezone, country_code=country_code)
    session.add(organization)
    await session.flush()
    return organization


async def create_user(session: AsyncSession, *, organization: Organization, data: UserCreate, actor: str) -> User:
    email = normalize_email(data.email)
    if await repository.find_user_by_email(session, email) is not None:
        raise EmailTaken(f"{email} already has an account")
    user = User(
        organization_id=organization.id,
        email=email,
        name=data.name,
        role=data.role,
        phone=normalize_phone(data.phone, region=organization.country_code) if data.phone else None,
        password_hash=hash_password(data.password),
    )
    session.add(user)
    await session.flush()
    events.record(
        session,
        organization_id=organization.id,
        type="user.created",
        subject_type="user",
        subject_id=user.id,
        actor=actor,
        payload={"email": email, "role": user.role.value},
    )
    return user


async def update_user(
    session: AsyncSession, *, principal: Principal, organization: Organization, user_id: UUID, data: UserUpdate
) -> User:
    user = await get_user(session, organization_id=principal.organization_id, user_id=user_id)
    changes: dict[str, object] = {}
    if data.name is not _UNSET:
        user.name = str(data.name)
        changes["name"] = data.name
    if data.role is not _UNSET:
        user.role = Role(data.role)
        changes["role"] = user.role.value
    if data.phone is not _UNSET:
        user.phone = normalize_phone(str(data.phone), region=organization.country_code) if data.phone else None
        changes["phone"] = user.phone
    if data.is_active is not _UNSET:
        user.is_active = bool(data.is_active)
        changes["is_active"] = user.is_active
    if data.password is not _UNSET:
        user.password_hash = hash_password(str(data.password))
        changes["password"] = "changed"
    if user.is_active is False or "password" in changes or "role" in changes:
        # revocation bites at once, on every worker: sessions are looked up in the database per request
        await repository.revoke_sessions_of(session, user_id=user.id, now=utcnow())
    events.record(
        session,
        organization_id=principal.organization_id,
        type="user.updated",
        subject_type="user",
        subject_id=user.id,
        actor=principal.actor,
        payload=changes,
    )
    return user


async def get_user(session: AsyncSession, *, organization_id: UUID, user_id: UUID) -> User:
    user = await repository.get_user(session, organization_id=organization_id, user_id=user_id)
    if user is None:
        raise UserNotFound()
    return user


async def sign_in(session: AsyncSession, *, email: str, password: str, ttl_s: int) -> SignedIn:
    user = await repository.find_user_by_email(session, email.strip())
    if not verify_password(user.password_hash if user else None, password) or user is None or not user.is_active:
        raise InvalidCredentials("Email or password is wrong")
    token = new_token()
    login_session = LoginSession(
        user_id=user.id,
        token_hash=token_hash(token),
        csrf_token=new_token(24),
        expires_at=utcnow() + timedelta(seconds=ttl_s),
    )
    session.add(login_session)
    await session.flush()
    return SignedIn(user=user, token=token, login_session=login_session)


async def sign_out(session: AsyncSession, *, principal: Principal) -> None:
    if principal.session_id is None:
        return
    login_session = await session.get(LoginSession, principal.session_id)
    if login_session is not None:
        login_session.revoked_at = utcnow()


async def principal_from_session_token(session: AsyncSession, token: str) -> Principal | None:
    login_session = await repository.find_live_session(session, token_hash=token_hash(token), now=utcnow())
    if login_session is None:
        return None
    user = await repository.get_user_with_org(session, login_session.user_id)
    if user is None or not user.is_active:
        return None
    return Principal(
        organization_id=user.organization_id,
        role=user.role,
        via="session",
        user_id=user.id,
        session_id=login_session.id,
        csrf_token=login_session.csrf_token,
    )


async def principal_from_api_key(session: AsyncSession, key: str) -> Principal | None:
    if not key.startswith(API_KEY_PREFIX):
        return None
    api_key = await repository.find_api_key(session, key_hash=token_hash(key))
    if api_key is None:
        return None
    now = utcnow()
    if api_key.last_used_at is None or now - api_key.last_used_at > API_KEY_TOUCH_EVERY:
        api_key.last_used_at = now
    return Principal(organization_id=api_key.organization_id, role=api_key.role, via="api_key", api_key_id=api_key.id)


async def create_api_key(session: AsyncSession, *, principal: Principal, name: str, role: Role) -> tuple[ApiKey, str]:
    if await repository.api_key_name_taken(session, organization_id=principal.organization_id, name=name):
        raise ApiKeyNameTaken(f"An API key named {name!r} exists; revoke it or pick another name")
    key = API_KEY_PREFIX + new_token(32)
    api_key = ApiKey(
        organization_id=principal.organization_id,
        name=name,
        role=role,
        prefix=key[: len(API_KEY_PREFIX) + 6],
        key_hash=token_hash(key),
        created_by_id=principal.user_id,
    )
    session.add(api_key)
    await session.flush()
    events.record(
        session,
        organization_id=principal.organization_id,
        type="api_key.created",
        subject_type="api_key",
        subject_id=api_key.id,
        actor=principal.actor,
        payload={"name": name, "role": role.value},
    )
    return api_key, key


async def revoke_api_key(session: AsyncSession, *, principal: Principal, api_key_id: UUID) -> ApiKey:
    api_key = await repository.get_api_key(session, organization_id=principal.organization_id, api_key_id=api_key_id)
    if api_key is None:
        raise ApiKeyNotFound()
    if api_key.revoked_at is None:
        api_key.revoked_at = utcnow()
        events.record(
            session,
            organization_id=principal.organization_id,
            type="api_key.revoked",
            subject_type="api_key",
            subject_id=api_key.id,
            actor=principal.actor,
        )
    return api_key


async def list_api_keys(session: AsyncSession, *, principal: Principal) -> list[ApiKey]:
    return await repository.list_api_keys(session, organization_id=principal.organization_id)


async def list_users(session: AsyncSession, *, principal: Principal, limit: int, offset: int) -> tuple[list[User], int]:
    return await repository.list_users(session, organization_id=principal.organization_id, limit=limit, offset=offset)


async def get_organization(session: AsyncSession, *, organization_id: UUID) -> Organization:
    organization = await repository.get_organization(session, organization_id)
    if organization is None:  # a principal always belongs to an organization; this is a deleted one
        raise UserNotFound("Your organization no longer exists")
    return organization


async def me(session: AsyncSession, *, principal: Principal) -> User:
    if principal.user_id is None:
        raise UserNotFound("API keys have no user profile")
    user = await repository.get_user_with_org(session, principal.user_id)
    if user is None:
        raise UserNotFound()
    return user
