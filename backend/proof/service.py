"""Storing media by content hash and keeping proof records; nothing here commits."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.principal import Principal
from backend.orders.models import Order, OrderStatus
from backend.proof import images
from backend.proof.errors import HashMismatch, MediaNotFound, MediaRefused
from backend.proof.models import Media, Proof, ProofKind, ProofStatus
from backend.proof.storage import MediaStore


async def put_media(
    session: AsyncSession, store: MediaStore, *, principal: Principal, sha256: str, data: bytes
) -> tuple[Media, bool]:
    """Keep an upload under its SHA-256; (media, created). The same bytes again are a no-op."""
    if hashlib.sha256(data).hexdigest() != sha256:
        raise HashMismatch("The SHA-256 of the body is not the one in the address; the upload was damaged")
    existing = await get_media(session, organization_id=principal.organization_id, sha256=sha256)
    if existing is not None:
        return existing, False
    try:
        image = await asyncio.to_thread(images.clean, data)
    except images.ImageRefused as exc:
        raise MediaRefused(str(exc)) from exc
    await store.write(principal.organization_id, sha256, image.content_type, image.data)
    values = {
        "organization_id": principal.organization_id,
        "sha256": sha256,
        "content_type": image.content_type,
        "size": len(image.data),
        "width": image.width,
        "height": image.height,
        "stored_sha256": hashlib.sha256(image.data).hexdigest(),
        "uploaded_by": principal.user_id,
    }
    # two uploads of one photo racing (a retry while the first is still in flight): one row, no error
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(Media).values(**values).on_conflict_do_nothing(index_elements=["organization_id", "sha256"])
    )
    media = await get_media(session, organization_id=principal.organization_id, sha256=sha256)
    assert media is not None
    return media, True


async def get_media(session: AsyncSession, *, organization_id: UUID, sha256: str) -> Media | None:
    return await session.scalar(select(Media).where(Media.organization_id == organization_id, Media.sha256 == sha256))


async def missing_media(session: AsyncSession, *, organization_id: UUID, hashes: Iterable[str]) -> list[str]:
    """Which of these hashes the server does not have yet (the phone must upload them before the command)."""
    wanted = set(hashes)
    if not wanted:
        return []
    have = set(
        await session.scalars(
            select(Media.sha256).where(Media.organization_id == organization_id, Media.sha256.in_(wanted))
        )
    )
    return sorted(wanted - have)


async def read_media(
    session: AsyncSession, store: MediaStore, *, organization_id: UUID, sha256: str
) -> tuple[Media, bytes]:
    media = await get_media(session, organization_id=organization_id, sha256=sha256)
    if media is None:
        raise MediaNotFound()
    data = await store.read(organization_id, sha256, media.content_type)
    if data is None:
        raise MediaNotFound("The file is missing from the media store")
    return media, data


async def proofs_for_order(session: AsyncSession, *, organization_id: UUID, order_id: UUID) -> list[Proof]:
    return list(
        await session.scalars(
            select(Proof)
            .where(Proof.organization_id == organization_id, Proof.order_id == order_id)
            .order_by(Proof.occurred_at, Proof.recorded_at)
        )
    )


async def conflicts(session: AsyncSession, *, organization_id: UUID, limit: int = 200) -> list[Proof]:
    """Proofs the server kept from refused actions, newest first: what the dispatcher must look at."""
    return list(
        await session.scalars(
            select(Proof)
            .where(Proof.organization_id == organization_id, Proof.status == ProofStatus.conflict)
            .order_by(Proof.recorded_at.desc())
            .limit(limit)
        )
    )


async def recent(session: AsyncSession, *, organization_id: UUID, limit: int) -> list[tuple[Proof, Order | None]]:
    """The latest proofs with their orders, newest first: what dispatch looks through during the day."""
    rows = await session.execute(
        select(Proof, Order)
        .outerjoin(Order, Order.id == Proof.order_id)
        .where(Proof.organization_id == organization_id)
        .order_by(Proof.recorded_at.desc(), Proof.occurred_at.desc())
        .limit(limit)
    )
    return [(proof, order) for proof, order in rows]


async def delivered_proof(session: AsyncSession, *, order: Order) -> Proof | None:
    """The accepted hand-over proof of a delivered order (what its customer may see), else None."""
    if order.status != OrderStatus.delivered:
        return None
    return await session.scalar(
        select(Proof)
        .where(
            Proof.organization_id == order.organization_id,
            Proof.order_id == order.id,
            Proof.kind == ProofKind.delivered,
            Proof.status == ProofStatus.accepted,
        )
        .order_by(Proof.occurred_at.desc())
        .limit(1)
    )
