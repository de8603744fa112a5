"""Applying a batch of offline commands at most once each: every command is recorded under its own id (the
phone's idempotency key) in the same savepoint as its effect, so a replay finds the record and is answered
`duplicate`, and two replays racing collide on the primary key and only one applies."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from uuid import UUID

import msgspec
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.principal import Principal
from backend.events import service as events
from backend.kit.clock import utcnow
from backend.kit.problems import DomainError
from backend.proof import service as proof
from backend.proof.models import ProofStatus
from backend.sync import commands, schemas
from backend.sync.models import CommandOutcome, SyncCommand


def _fingerprint(command: schemas.Command) -> str:
    """The command minus its id, canonically encoded: the same key must always carry the same command."""
    canonical = msgspec.json.encode(
        [
            command.type,
            str(command.route_id),
            str(command.stop_id),
            str(command.order_id),
            command.occurred_at.isoformat(),
            command.payload,
        ],
        order="sorted",
    )
    return hashlib.sha256(canonical).hexdigest()


def _media_of(payload: msgspec.Struct) -> list[str]:
    photos = list(getattr(payload, "photos", []) or [])
    signature = getattr(payload, "signature", None)
    return photos + ([signature] if signature else [])


async def apply_batch(
    session: AsyncSession, *, principal: Principal, batch: list[schemas.Command]
) -> list[schemas.CommandResult]:
    """One result per command, in request order; applied in device-time order (stable for ties)."""
    results: list[schemas.CommandResult | None] = [None] * len(batch)
    first: dict[UUID, schemas.CommandResult] = {}
    for position in sorted(range(len(batch)), key=lambda i: _sort_key(batch[i].occurred_at)):
        command = batch[position]
        if command.id in first:  # the same command twice in one batch: once
            results[position] = _duplicate(first[command.id])
            continue
        first[command.id] = results[position] = await _apply_one(session, principal, command)
    return [r for r in results if r is not None]


def _sort_key(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # a naive time is refused, but sorted first


def _duplicate(first: schemas.CommandResult) -> schemas.CommandResult:
    return schemas.CommandResult(id=first.id, outcome="duplicate", reason=first.reason, message=first.message)


async def _apply_one(session: AsyncSession, principal: Principal, command: schemas.Command) -> schemas.CommandResult:
    fingerprint = _fingerprint(command)
    seen = await session.get(SyncCommand, command.id)
    if seen is not None:
        return _replayed(principal, seen, fingerprint)
    if command.occurred_at.tzinfo is None:
        return schemas.CommandResult(
            id=command.id, outcome="rejected", reason="invalid", message="occurred_at needs a UTC offset"
        )
    try:
        payload = msgspec.convert(command.payload, schemas.PAYLOADS[command.type])
    except msgspec.ValidationError as exc:
        # nothing to apply or keep: recorded, so the phone's retries are answered the same way
        return await _record(session, principal, command, fingerprint, "rejected", "invalid", f"Invalid payload: {exc}")
    missing = await proof.missing_media(session, organization_id=principal.organization_id, hashes=_media_of(payload))
    if missing:
        return schemas.CommandResult(
            id=command.id,
            outcome="retry",
            reason="media_missing",
            message="Upload these first: " + ", ".join(missing),
        )
    now = utcnow()
    at = min(command.occurred_at, now)  # a phone clock running ahead never dates an event in the future
    try:
        async with session.begin_nested():
            row = _row(principal, command, fingerprint, CommandOutcome.applied, now)
            session.add(row)
            await session.flush()  # a racing replay of the same id fails here, before any effect
            note: str | None = None
            try:
                async with session.begin_nested():
                    note = await commands.apply(session, principal, command, at)
                    evidence = commands.proof_for(principal, command, payload, at=at, recorded_at=now)
                    if evidence is not None:
                        session.add(evidence)
            except DomainError as error:  # a transition the lifecycle refuses: never stall the phone's queue
                refusal = commands.Rejected("refused", str(error.detail))
                row.outcome, row.reason, row.message = CommandOutcome.rejected, refusal.reason, refusal.message
                await _keep_conflicting_proof(session, principal, command, payload, refusal, at=at, now=now)
            except commands.Rejected as refusal:
                row.outcome, row.reason, row.message = CommandOutcome.rejected, refusal.reason, refusal.message
                await _keep_conflicting_proof(session, principal, command, payload, refusal, at=at, now=now)
            else:
                row.reason = note
            await session.flush()
    except IntegrityError:
        seen = await session.get(SyncCommand, command.id, populate_existing=True)
        if seen is None:
            raise
        return _replayed(principal, seen, fingerprint)
    outcome: schemas.Outcome = "applied" if row.outcome == CommandOutcome.applied else "rejected"
    return schemas.CommandResult(id=command.id, outcome=outcome, reason=row.reason, message=row.message)


async def _keep_conflicting_proof(
    session: AsyncSession,
    principal: Principal,
    command: schemas.Command,
    payload: msgspec.Struct,
    refusal: commands.Rejected,
    *,
    at: datetime,
    now: datetime,
) -> None:
    """A refused delivery still happened on the doorstep: its proof is kept and the dispatcher is told. The ids
    the phone sent are kept only if they exist in the caller's organization (a stale or foreign id must neither
    fail the batch nor file the proof under someone else's order)."""
    route_id, order_id = await commands.known_ids(session, principal, command)
    evidence = commands.proof_for(principal, command, payload, at=at, recorded_at=now)
    if evidence is None:
        return
    evidence.route_id, evidence.order_id = route_id, order_id
    evidence.status = ProofStatus.conflict
    evidence.conflict_reason = refusal.reason
    session.add(evidence)
    events.record(
        session,
        organization_id=principal.organization_id,
        type="proof.conflict",
        subject_type="order" if order_id else "route",
        subject_id=order_id or command.route_id,
        actor=principal.actor,
        occurred_at=at,
        payload={
            "command_id": str(command.id),
            "command": command.type,
            "reason": refusal.reason,
            "route_id": str(command.route_id),
            "stop_id": str(command.stop_id) if command.stop_id else None,
            "driver_id": str(principal.user_id) if principal.user_id else None,
        },
    )


def _replayed(principal: Principal, seen: SyncCommand, fingerprint: str) -> schemas.CommandResult:
    if seen.organization_id != principal.organization_id or seen.principal_id != principal.user_id:
        return schemas.CommandResult(
            id=seen.id, outcome="rejected", reason="key_reused", message="This command id belongs to someone else."
        )
    if seen.payload_hash != fingerprint:
        return schemas.CommandResult(
            id=seen.id,
            outcome="rejected",
            reason="key_reused",
            message="This command id was already used for a different action.",
        )
    return schemas.CommandResult(id=seen.id, outcome="duplicate", reason=seen.reason, message=seen.message)


def _row(
    principal: Principal, command: schemas.Command, fingerprint: str, outcome: CommandOutcome, now: datetime
) -> SyncCommand:
    return SyncCommand(
        id=command.id,
        organization_id=principal.organization_id,
        principal_id=principal.user_id,
        type=command.type,
        route_id=command.route_id,
        stop_id=command.stop_id,
        order_id=command.order_id,
        payload_hash=fingerprint,
        outcome=outcome,
        occurred_at=command.occurred_at,
        recorded_at=now,
    )


async def _record(
    session: AsyncSession,
    principal: Principal,
    command: schemas.Command,
    fingerprint: str,
    outcome: str,
    reason: str,
    message: str,
) -> schemas.CommandResult:
    try:
        async with session.begin_nested():
            row = _row(principal, command, fingerprint, CommandOutcome.rejected, utcnow())
            row.reason, row.message = reason, message
            session.add(row)
    except IntegrityError:
        seen = await session.get(SyncCommand, command.id, populate_existing=True)
        if seen is None:
            raise
        return _replayed(principal, seen, fingerprint)
    return schemas.CommandResult(id=command.id, outcome="rejected", reason=reason, message=message)
