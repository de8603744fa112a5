"""All SQL of the accounts domain."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from backend.accounts.models import ApiKey, LoginSession, Organization, User


async def get_organization(session: AsyncSession, organization_id: UUID) -> Organization | None:
    return await session.get(Organization, organization_id)


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(
        select(User).options(joinedload(User.organization)).where(func.lower(User.email) == email.lower())
    )


async def get_user(session: AsyncSession, *, organization_id: UUID, user_id: UUID) -> User | None:
    return await session.scalar(select(User).where(User.id == user_id, User.organization_id == organization_id))


async def list_users(
    session: AsyncSession, *, organization_id: UUID, limit: int, offset: int
) -> tuple[list[User], int]:
    where = User.organization_id == organization_id
    total = await session.scalar(select(func.count()).select_from(User).where(where)) or 0
    rows = await session.scalars(select(User).where(where).order_by(User.email).limit(limit).offset(offset))
    return list(rows), total


async def find_live_session(session: AsyncSession, *, token_hash: str, now: datetime) -> LoginSession | None:
    return await session.scalar(
        select(LoginSession).where(
            LoginSession.token_hash == token_hash,
            LoginSession.revoked_at.is_(None),
            LoginSession.expires_at > now,
        )
    )


async def get_user_with_org(session: AsyncSession, user_id: UUID) -> User | None:
    return await session.scalar(select(User).options(joinedload(User.organization)).where(User.id == user_id))


async def revoke_sessions_of(session: AsyncSession, *, user_id: UUID, now: datetime) -> None:
    rows = await session.scalars(
        select(LoginSession).where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
    )
    for row in rows:
        row.revoked_at = now


async def find_api_key(session: AsyncSession, *, key_hash: str) -> ApiKey | None:
    return await session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None)))


async def get_api_key(session: AsyncSession, *, organization_id: UUID, api_key_id: UUID) -> ApiKey | None:
    return await session.scalar(
        select(ApiKey).where(ApiKey.id == api_key_id, ApiKey.organization_id == organization_id)
    )


async def list_api_keys(session: AsyncSession, *, organization_id: UUID) -> list[ApiKey]:
    rows = await session.scalars(
        select(ApiKey).where(ApiKey.organization_id == organization_id).order_by(ApiKey.created_at)
    )
    return list(rows)


async def api_key_name_taken(session: AsyncSession, *, organization_id: UUID, name: str) -> bool:
    found = await session.scalar(
        select(ApiKey.id).where(ApiKey.organization_id == organization_id, ApiKey.name == name)
    )
    return found is not None
