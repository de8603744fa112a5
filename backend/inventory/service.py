"""Rules of the inventory domain: SKUs, stock per location, its ledger, and order reservations. Never commits.

Every change of a stock level goes through `_move`: the level row is locked, the change is checked, exactly one
ledger row is appended and a `stock.changed` event recorded (plus `stock.low` when available falls below the
level's threshold), all in the caller's transaction. So a level always equals the sum of its ledger rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from backend.accounts.models import Role
from backend.accounts.principal import Principal
from backend.events import service as events
from backend.inventory import repository
from backend.inventory.errors import (
    InsufficientStock,
    SkuBarcodeTaken,
    SkuCodeTaken,
    SkuNotFound,
    StockLimitExceeded,
    TransferToItself,
    UnknownSkus,
)
from backend.inventory.models import MovementKind, OrderLine, Sku, StockLevel, StockMovement
from backend.inventory.schemas import SkuCreate, SkuUpdate
from backend.inventory.suggestions import Candidate, store_with_everything, stores_with_enough
from backend.kit.clock import utcnow
from backend.kit.problems import Conflict, Invalid, NotFound
from backend.places import service as places
from backend.places.models import Location
from backend.stores.models import StoreAssignment

MAX_ON_HAND = 1_000_000_000  # units of one SKU at one location: far above any shelf, well inside a 32-bit column


class BelowReserved(Conflict):
    type_slug = "below-reserved"
    title = "Stock cannot go below what orders have reserved"


@dataclass(frozen=True)
class TransferDone:
    transfer_id: UUID
    source: StockLevel
    destination: StockLevel


# -- SKUs ----------------------------------------------------------------------------------------------------------


async def create_sku(session: AsyncSession, *, principal: Principal, data: SkuCreate) -> Sku:
    organization_id = principal.organization_id
    if await repository.sku_code_taken(session, organization_id=organization_id, code=data.code):
        raise SkuCodeTaken(f"A SKU with code {data.code!r} exists")
    if data.barcode is not None and await repository.sku_barcode_taken(
        session, organization_id=organization_id, barcode=data.barcode
    ):
        raise SkuBarcodeTaken(f"Another SKU has barcode {data.barcode!r}")
    sku = Sku(organization_id=organization_id, code=data.code, name=data.name, barcode=data.barcode)
    session.add(sku)
    await session.flush()
    events.record(
        session,
        organization_id=organization_id,
        type="sku.created",
        subject_type="sku",
        subject_id=sku.id,
        actor=principal.actor,
        payload={"code": sku.code, "name": sku.name},
    )
    return sku


async def get_sku(session: AsyncSession, *, organization_id: UUID, sku_id: UUID) -> Sku:
    sku = await repository.get_sku(session, organization_id=organization_id, sku_id=sku_id)
    if sku is None:
        raise SkuNotFound()
    return sku


async def update_sku(session: AsyncSession, *, principal: Principal, sku_id: UUID, data: SkuUpdate) -> Sku:
    organization_id = principal.organization_id
    sku = await get_sku(session, organization_id=organization_id, sku_id=sku_id)
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    code = changes.get("code", sku.code)
    if code != sku.code and await repository.sku_code_taken(session, organization_id=organization_id, code=code):
        raise SkuCodeTaken(f"A SKU with code {code!r} exists")
    barcode = changes.get("barcode", sku.barcode)
    if (
        barcode is not None
        and barcode != sku.barcode
        and await repository.sku_barcode_taken(session, organization_id=organization_id, barcode=barcode)
    ):
        raise SkuBarcodeTaken(f"Another SKU has barcode {barcode!r}")
    for key, value in changes.items():
        setattr(sku, key, value)
    events.record(
        session,
        organization_id=organization_id,
        type="sku.updated",
        subject_type="sku",
        subject_id=sku.id,
        actor=principal.actor,
        payload={"changed": sorted(changes)},
    )
    return sku


async def list_skus(
    session: AsyncSession, *, principal: Principal, search: str | None, limit: int, offset: int
) -> tuple[list[Sku], int]:
    return await repository.list_skus(
        session, organization_id=principal.organization_id, search=search, limit=limit, offset=offset
    )


async def sku_by_code(session: AsyncSession, *, organization_id: UUID, code: str) -> Sku:
    found = await repository.skus_by_code(session, organization_id=organization_id, codes=[code])
    if code not in found:
        raise SkuNotFound(f"No SKU {code!r} in your organization")
    return found[code]


async def skus_by_codes(session: AsyncSession, *, organization_id: UUID, codes: Sequence[str]) -> dict[str, Sku]:
    """The organization's SKUs among these codes, by code (unknown codes are simply absent)."""
    return await repository.skus_by_code(session, organization_id=organization_id, codes=codes)


# -- reading stock -------------------------------------------------------------------------------------------------


async def list_levels(
    session: AsyncSession,
    *,
    principal: Principal,
    location_id: UUID | None = None,
    sku_code: str | None = None,
    low_only: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[StockLevel], int]:
    """Levels with their location and SKU loaded (limit None: all of them, for the export)."""
    await _own_store_only(session, principal, location_id)
    return await repository.levels_with_names(
        session,
        organization_id=principal.organization_id,
        location_id=location_id,
        sku_code=sku_code,
        low_only=low_only,
        limit=limit,
        offset=offset,
    )


async def list_movements(
    session: AsyncSession,
    *,
    principal: Principal,
    location_id: UUID | None = None,
    sku_code: str | None = None,
    order_id: UUID | None = None,
    transfer_id: UUID | None = None,
    kind: MovementKind | None = None,
    limit: int,
    offset: int,
) -> tuple[list[StockMovement], int]:
    await _own_store_only(session, principal, location_id)
    return await repository.list_movements(
        session,
        organization_id=principal.organization_id,
        location_id=location_id,
        sku_code=sku_code,
        order_id=order_id,
        transfer_id=transfer_id,
        kind=kind,
        limit=limit,
        offset=offset,
    )


async def _own_store_only(session: AsyncSession, principal: Principal, location_id: UUID | None) -> None:
    """Store staff read their own stores' stock only (one store at a time); the office reads everything."""
    if principal.role != Role.store_staff:
        return
    if location_id is None:
        raise Invalid("location_id: store staff see their own store's stock; name the store")
    assigned = await session.scalar(
        select(StoreAssignment.id).where(
            StoreAssignment.user_id == principal.user_id, StoreAssignment.location_id == location_id
        )
    )
    if assigned is None:
        raise NotFound("No such store among yours")


async def order_lines(session: AsyncSession, *, organization_id: UUID, order_id: UUID) -> list[tuple[str, int]]:
    """(SKU code, quantity) of an order's lines, by code."""
    return await repository.order_lines(session, organization_id=organization_id, order_id=order_id)


# -- changing stock ------------------------------------------------------------------------------------------------


async def receive(
    session: AsyncSession,
    *,
    principal: Principal,
    location_id: UUID,
    sku_code: str,
    quantity: int,
    reason: str | None = None,
) -> StockLevel:
    """Goods in at a location (a supplier's delivery): on hand + quantity."""
    return await _add(
        session,
        principal=principal,
        location_id=location_id,
        sku_code=sku_code,
        quantity=quantity,
        kind=MovementKind.receipt,
        reason=reason,
    )


async def restock_return(
    session: AsyncSession,
    *,
    principal: Principal,
    location_id: UUID,
    sku_code: str,
    quantity: int,
    order_id: UUID | None = None,
    reason: str | None = None,
) -> StockLevel:
    """A customer's return put back on the shelf at a location: on hand + quantity (order_id: the return)."""
    return await _add(
        session,
        principal=principal,
        location_id=location_id,
        sku_code=sku_code,
        quantity=quantity,
        kind=MovementKind.return_restock,
        reason=reason,
        order_id=order_id,
    )


async def adjust(
    session: AsyncSession, *, principal: Principal, location_id: UUID, sku_code: str, delta: int, reason: str
) -> StockLevel:
    """A correction of on hand (a count, damage, loss) with its reason; reserved units cannot be adjusted away."""
    if not reason.strip():
        raise Invalid("reason: an adjustment says why")
    if delta == 0:
        raise Invalid("delta: an adjustment adds or removes at least one unit")
    organization_id = principal.organization_id
    location = await places.get_location(session, organization_id=organization_id, location_id=location_id)
    sku = await sku_by_code(session, organization_id=organization_id, code=sku_code)
    if delta > 0:
        await repository.ensure_level(session, organization_id=organization_id, location_id=location.id, sku_id=sku.id)
    level = await repository.lock_level(session, organization_id=organization_id, location=location, sku=sku)
    available = level.available if level is not None else 0
    if level is None or -delta > available:
        raise await _insufficient(session, principal=principal, location=location, short=[(sku, -delta, available)])
    _check_limit(level, delta)
    await _move(
        session, principal=principal, level=level, kind=MovementKind.adjustment, on_hand_delta=delta, reason=reason
    )
    return level


async def count(
    session: AsyncSession,
    *,
    principal: Principal,
    location: Location,
    sku: Sku,
    on_hand: int,
    low_stock_threshold: int | msgspec.UnsetType | None = msgspec.UNSET,
    reason: str,
) -> bool:
    """Set on hand to a counted number (an adjustment by the difference) and optionally the threshold; checks
    everything before writing, so a refusal (BelowReserved, StockLimitExceeded) leaves nothing behind.
    Returns whether anything changed."""
    organization_id = principal.organization_id
    if not 0 <= on_hand <= MAX_ON_HAND:
        raise StockLimitExceeded(f"on_hand: between 0 and {MAX_ON_HAND}")
    level = await repository.lock_level(session, organization_id=organization_id, location=location, sku=sku)
    wants_threshold = low_stock_threshold is not msgspec.UNSET
    if level is None:
        if on_hand == 0 and (not wants_threshold or low_stock_threshold is None):
            return False
        await repository.ensure_level(session, organization_id=organization_id, location_id=location.id, sku_id=sku.id)
        level = await repository.lock_level(session, organization_id=organization_id, location=location, sku=sku)
        assert level is not None
    if on_hand < level.reserved:
        raise BelowReserved(f"on_hand: {level.reserved} units are reserved for orders here; count at least that many")
    changed = False
    if wants_threshold and low_stock_threshold != level.low_stock_threshold:
        assert not isinstance(low_stock_threshold, msgspec.UnsetType)
        _set_threshold(session, principal=principal, level=level, threshold=low_stock_threshold)
        changed = True
    if on_hand != level.on_hand:
        await _move(
            session,
            principal=principal,
            level=level,
            kind=MovementKind.adjustment,
            on_hand_delta=on_hand - level.on_hand,
            reason=reason,
        )
        changed = True
    return changed


async def transfer(
    session: AsyncSession,
    *,
    principal: Principal,
    from_location_id: UUID,
    to_location_id: UUID,
    sku_code: str,
    quantity: int,
    reason: str | None = None,
) -> TransferDone:
    """Move available units from one location to another: transfer_out there, transfer_in here, one transfer_id."""
    if from_location_id == to_location_id:
        raise TransferToItself("from_location_id and to_location_id are the same location")
    organization_id = principal.organization_id
    source = await places.get_location(session, organization_id=organization_id, location_id=from_location_id)
    destination = await places.get_location(session, organization_id=organization_id, location_id=to_location_id)
    sku = await sku_by_code(session, organization_id=organization_id, code=sku_code)
    await repository.ensure_level(session, organization_id=organization_id, location_id=destination.id, sku_id=sku.id)
    levels: dict[UUID, StockLevel | None] = {}
    for location in sorted((source, destination), key=lambda place: place.id):  # one lock order: no deadlock
        levels[location.id] = await repository.lock_level(
            session, organization_id=organization_id, location=location, sku=sku
        )
    out_level, in_level = levels[source.id], levels[destination.id]
    assert in_level is not None
    available = out_level.available if out_level is not None else 0
    if out_level is None or quantity > available:
        raise await _insufficient(session, principal=principal, location=source, short=[(sku, quantity, available)])
    _check_limit(in_level, quantity)
    transfer_id = uuid7()
    for level, kind, delta in (
        (out_level, MovementKind.transfer_out, -quantity),
        (in_level, MovementKind.transfer_in, quantity),
    ):
        await _move(
            session,
            principal=principal,
            level=level,
            kind=kind,
            on_hand_delta=delta,
            reason=reason,
            transfer_id=transfer_id,
        )
    return TransferDone(transfer_id=transfer_id, source=out_level, destination=in_level)


async def set_threshold(
    session: AsyncSession, *, principal: Principal, location_id: UUID, sku_code: str, threshold: int | None
) -> StockLevel:
    """The low-stock threshold of one SKU at one location (None: no alert); a level at zero is made if missing."""
    organization_id = principal.organization_id
    location = await places.get_location(session, organization_id=organization_id, location_id=location_id)
    sku = await sku_by_code(session, organization_id=organization_id, code=sku_code)
    await repository.ensure_level(session, organization_id=organization_id, location_id=location.id, sku_id=sku.id)
    level = await repository.lock_level(session, organization_id=organization_id, location=location, sku=sku)
    assert level is not None
    if threshold != level.low_stock_threshold:
        _set_threshold(session, principal=principal, level=level, threshold=threshold)
    return level


# -- orders --------------------------------------------------------------------------------------------------------


async def reserve_for_order(
    session: AsyncSession, *, principal: Principal, order_id: UUID, store_id: UUID, lines: Mapping[str, int]
) -> list[OrderLine]:
    """Hold each line (SKU code -> quantity) at the store for the order and record the lines. All or nothing:
    unknown codes are an UnknownSkus (422); any line short is an InsufficientStock (409) naming every short line
    and the nearest stores that have it, and nothing is reserved."""
    organization_id = principal.organization_id
    skus = await repository.skus_by_code(session, organization_id=organization_id, codes=list(lines))
    unknown = sorted(code for code in lines if code not in skus)
    if unknown:
        raise UnknownSkus(unknown)
    store = await places.get_location(session, organization_id=organization_id, location_id=store_id)
    wanted = sorted(((skus[code], quantity) for code, quantity in lines.items()), key=lambda line: line[0].id)
    levels: list[tuple[StockLevel | None, Sku, int]] = []
    for sku, quantity in wanted:  # locked in SKU id order: two orders for the same SKUs never deadlock
        level = await repository.lock_level(session, organization_id=organization_id, location=store, sku=sku)
        levels.append((level, sku, quantity))
    short = [
        (sku, quantity, level.available if level is not None else 0)
        for level, sku, quantity in levels
        if level is None or level.available < quantity
    ]
    if short:
        raise await _insufficient(
            session,
            principal=principal,
            location=store,
            short=short,
            wanted={sku.id: quantity for sku, quantity in wanted},
        )
    order_lines: list[OrderLine] = []
    for level, sku, quantity in levels:
        assert level is not None
        await _move(
            session,
            principal=principal,
            level=level,
            kind=MovementKind.reservation,
            reserved_delta=quantity,
            order_id=order_id,
        )
        order_lines.append(
            OrderLine(organization_id=organization_id, order_id=order_id, sku_id=sku.id, quantity=quantity)
        )
    session.add_all(order_lines)
    return order_lines


async def release_for_order(
    session: AsyncSession, *, principal: Principal, order_id: UUID, reason: str | None = None
) -> list[StockMovement]:
    """Give back what the order still holds (cancelled, expired): reserved - each. Does nothing when it holds
    nothing, so calling it twice, or for an order without lines, is harmless."""
    return await _settle(session, principal=principal, order_id=order_id, kind=MovementKind.release, reason=reason)


async def consume_for_order(
    session: AsyncSession, *, principal: Principal, order_id: UUID, reason: str | None = None
) -> list[StockMovement]:
    """The customer took the order's goods at the counter: on hand - and reserved - by what it holds (a
    pickup_handoff each). Does nothing when it holds nothing, so calling it twice is harmless."""
    return await _settle(
        session, principal=principal, order_id=order_id, kind=MovementKind.pickup_handoff, reason=reason
    )


async def _settle(
    session: AsyncSession, *, principal: Principal, order_id: UUID, kind: MovementKind, reason: str | None
) -> list[StockMovement]:
    organization_id = principal.organization_id
    held = await repository.outstanding_reservations(session, organization_id=organization_id, order_id=order_id)
    if not held:
        return []
    skus = await repository.skus_by_id(session, organization_id=organization_id, sku_ids=[s for _, s, _ in held])
    places_by_id: dict[UUID, Location] = {}
    levels: dict[tuple[UUID, UUID], StockLevel] = {}
    for location_id, sku_id, _ in sorted(held):  # one lock order: no deadlock with a reservation or a transfer
        if location_id not in places_by_id:
            places_by_id[location_id] = await places.get_location(
                session, organization_id=organization_id, location_id=location_id
            )
        level = await repository.lock_level(
            session, organization_id=organization_id, location=places_by_id[location_id], sku=skus[sku_id]
        )
        assert level is not None  # the order's reservation made it, and levels are never deleted
        levels[(location_id, sku_id)] = level
    # read again under the locks: a concurrent handoff or release of this order may have settled some of it
    held = await repository.outstanding_reservations(session, organization_id=organization_id, order_id=order_id)
    movements: list[StockMovement] = []
    for location_id, sku_id, units in sorted(held):
        movements.append(
            await _move(
                session,
                principal=principal,
                level=levels[(location_id, sku_id)],
                kind=kind,
                on_hand_delta=-units if kind is MovementKind.pickup_handoff else 0,
                reserved_delta=-units,
                order_id=order_id,
                reason=reason,
            )
        )
    return movements


# -- the one way a level changes -----------------------------------------------------------------------------------


async def _add(
    session: AsyncSession,
    *,
    principal: Principal,
    location_id: UUID,
    sku_code: str,
    quantity: int,
    kind: MovementKind,
    reason: str | None,
    order_id: UUID | None = None,
) -> StockLevel:
    if quantity <= 0:
        raise Invalid("quantity: at least 1")
    organization_id = principal.organization_id
    location = await places.get_location(session, organization_id=organization_id, location_id=location_id)
    sku = await sku_by_code(session, organization_id=organization_id, code=sku_code)
    await repository.ensure_level(session, organization_id=organization_id, location_id=location.id, sku_id=sku.id)
    level = await repository.lock_level(session, organization_id=organization_id, location=location, sku=sku)
    assert level is not None
    _check_limit(level, quantity)
    await _move(
        session, principal=principal, level=level, kind=kind, on_hand_delta=quantity, reason=reason, order_id=order_id
    )
    return level


def _check_limit(level: StockLevel, on_hand_delta: int) -> None:
    if level.on_hand + on_hand_delta > MAX_ON_HAND:
        raise StockLimitExceeded(
            f"{level.sku.code} at {level.location.name} would hold {level.on_hand + on_hand_delta} units; "
            f"at most {MAX_ON_HAND}"
        )


async def _move(
    session: AsyncSession,
    *,
    principal: Principal,
    level: StockLevel,
    kind: MovementKind,
    on_hand_delta: int = 0,
    reserved_delta: int = 0,
    reason: str | None = None,
    order_id: UUID | None = None,
    transfer_id: UUID | None = None,
) -> StockMovement:
    """Apply one change to a locked level: the guarded update, its ledger row, its events."""
    applied = await repository.shift_level(
        session, level=level, on_hand_delta=on_hand_delta, reserved_delta=reserved_delta, max_on_hand=MAX_ON_HAND
    )
    if not applied:  # the checks above ran on the locked row, so only a bug (or a lost lock) gets here
        raise await _insufficient(
            session,
            principal=principal,
            location=level.location,
            short=[(level.sku, max(-on_hand_delta, reserved_delta, 0), level.available)],
        )
    movement = StockMovement(
        organization_id=level.organization_id,
        location_id=level.location_id,
        sku_id=level.sku_id,
        kind=kind,
        on_hand_delta=on_hand_delta,
        reserved_delta=reserved_delta,
        reason=reason,
        order_id=order_id,
        transfer_id=transfer_id,
        actor=principal.actor,
        occurred_at=utcnow(),
    )
    session.add(movement)
    payload: dict[str, Any] = {
        **_level_payload(level),
        "kind": kind.value,
        "on_hand_delta": on_hand_delta,
        "reserved_delta": reserved_delta,
    }
    for key, value in (("reason", reason), ("order_id", order_id), ("transfer_id", transfer_id)):
        if value is not None:
            payload[key] = str(value)
    events.record(
        session,
        organization_id=level.organization_id,
        type="stock.changed",
        subject_type="stock_level",
        subject_id=level.id,
        actor=principal.actor,
        payload=payload,
    )
    threshold = level.low_stock_threshold
    available_before = level.available - on_hand_delta + reserved_delta
    if threshold is not None and available_before >= threshold > level.available:
        _record_low(session, principal=principal, level=level)
    return movement


def _set_threshold(session: AsyncSession, *, principal: Principal, level: StockLevel, threshold: int | None) -> None:
    previous = level.low_stock_threshold
    level.low_stock_threshold = threshold
    events.record(
        session,
        organization_id=level.organization_id,
        type="stock.threshold_changed",
        subject_type="stock_level",
        subject_id=level.id,
        actor=principal.actor,
        payload={**_level_payload(level), "previous_threshold": previous},
    )
    # a threshold raised above what is available is a crossing too: the alert goes out now, once
    was_low = previous is not None and level.available < previous
    if threshold is not None and level.available < threshold and not was_low:
        _record_low(session, principal=principal, level=level)


def _record_low(session: AsyncSession, *, principal: Principal, level: StockLevel) -> None:
    events.record(
        session,
        organization_id=level.organization_id,
        type="stock.low",
        subject_type="stock_level",
        subject_id=level.id,
        actor=principal.actor,
        payload=_level_payload(level),
    )


def _level_payload(level: StockLevel) -> dict[str, Any]:
    return {
        "location_id": str(level.location_id),
        "location": level.location.name,
        "sku_id": str(level.sku_id),
        "sku": level.sku.code,
        "on_hand": level.on_hand,
        "reserved": level.reserved,
        "available": level.available,
        "low_stock_threshold": level.low_stock_threshold,
    }


async def _insufficient(
    session: AsyncSession,
    *,
    principal: Principal,
    location: Location,
    short: Sequence[tuple[Sku, int, int]],
    wanted: Mapping[UUID, int] | None = None,
) -> InsufficientStock:
    """The refusal: each short (SKU, requested, available), the organization's other stores that have enough of
    it (nearest first), and the nearest store that has the whole request (`wanted`, default the short lines)."""
    wanted = wanted if wanted is not None else {sku.id: requested for sku, requested, _ in short}
    rows = await repository.store_availability(
        session, organization_id=principal.organization_id, sku_ids=list(wanted), exclude_location_id=location.id
    )
    candidates = [
        Candidate(location_id=store.id, name=store.name, lat=store.lat, lon=store.lon, sku_id=sku_id, available=units)
        for store, sku_id, units in rows
    ]
    origin = (location.lat, location.lon)
    shortages = [
        {
            "sku": sku.code,
            "requested": requested,
            "available": max(available, 0),
            "stores": stores_with_enough(candidates, sku_id=sku.id, quantity=requested, origin=origin),
        }
        for sku, requested, available in sorted(short, key=lambda line: line[0].code)
    ]
    suggested = store_with_everything(candidates, wanted=wanted, origin=origin)
    listed = "; ".join(f"{s['sku']}: {s['requested']} wanted, {s['available']} available" for s in shortages)
    detail = f"Not enough available at {location.name} ({listed})."
    if suggested is not None:
        detail += f" {suggested['name']} has it all, {suggested['distance_m'] / 1000:.1f} km away."
    elif any(s["stores"] for s in shortages):
        detail += " Other stores have some of it: see shortages[].stores."
    return InsufficientStock(detail, location_id=str(location.id), shortages=shortages, suggested_store=suggested)
