"""Stock import and export as CSV: each row sets one SKU at one location to a counted number.

Columns (header row, any order): location (its name or id), sku (its code), on_hand (the counted units), and
optionally low_stock_threshold (an empty cell clears it; without the column thresholds are left as they are).
reserved and available, which the export writes too, are read-only and ignored. on_hand is reached through an
adjustment movement by the difference, so the ledger keeps the history; it cannot go below what orders have
reserved there. Every row is checked; one bad row rejects the file unless partial=true.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.principal import Principal
from backend.inventory import service
from backend.inventory.errors import StockImportRejected, StockImportUnreadable
from backend.inventory.models import Sku, StockLevel
from backend.inventory.schemas import MAX_QUANTITY, StockImportResult, StockRowError
from backend.kit.problems import DomainError
from backend.kit.spreadsheet import read_text, text_cell
from backend.places import service as places
from backend.places.models import Location

REQUIRED_COLUMNS = ("location", "sku", "on_hand")
EXPORT_COLUMNS = ("location", "sku", "on_hand", "reserved", "available", "low_stock_threshold")
READ_ONLY_COLUMNS = ("reserved", "available")
IMPORT_REASON = "stock count (CSV import)"
MAX_LISTED_ERRORS = 1_000  # the answer lists this many row errors and counts the rest
_WHOLE_NUMBER = re.compile(r"^\d{1,10}$")


@dataclass
class _Row:
    number: int
    location: Location
    sku: Sku
    on_hand: int
    low_stock_threshold: int | msgspec.UnsetType | None


def read_rows(body: bytes, *, max_rows: int) -> tuple[list[dict[str, str]], bool]:
    """The upload as raw rows, and whether it has a low_stock_threshold column; an unreadable file fails whole."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StockImportUnreadable("The CSV must be UTF-8") from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    try:
        header = [h.strip() for h in reader.fieldnames or []]
    except csv.Error as exc:
        raise StockImportUnreadable(f"The CSV could not be read: {exc}") from exc
    if not header:
        raise StockImportUnreadable(f"The CSV has no header row; use {','.join(EXPORT_COLUMNS)}")
    unknown = [h for h in header if h not in EXPORT_COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if unknown or missing or len(set(header)) != len(header):
        raise StockImportUnreadable(
            f"The columns are {', '.join(REQUIRED_COLUMNS)} and optionally low_stock_threshold"
            + (f"; unknown: {', '.join(unknown)}" if unknown else "")
            + (f"; missing: {', '.join(missing)}" if missing else ""),
            extra={"unknown_columns": unknown, "missing_columns": missing},
        )
    reader.fieldnames = header
    rows: list[dict[str, str]] = []
    try:
        for raw in reader:
            if None in raw:
                raise StockImportUnreadable(f"Row {len(rows) + 1} has more cells than the header")
            rows.append({k: read_text((v or "").strip()) for k, v in raw.items() if k not in READ_ONLY_COLUMNS})
            if len(rows) > max_rows:
                raise StockImportUnreadable(f"At most {max_rows} rows per import; split the file")
    except csv.Error as exc:
        raise StockImportUnreadable(f"The CSV could not be read: {exc}") from exc
    if not rows:
        raise StockImportUnreadable("The import holds no rows")
    return rows, "low_stock_threshold" in header


def _whole_number(raw: str, *, limit: int) -> int | None:
    if not _WHOLE_NUMBER.match(raw) or int(raw) > limit:
        return None
    return int(raw)


async def import_stock(
    session: AsyncSession,
    *,
    principal: Principal,
    raw_rows: list[dict[str, str]],
    with_thresholds: bool,
    partial: bool,
) -> StockImportResult:
    locations = await places.locations_by_id(session, principal=principal)
    by_name = {location.name: location for location in locations.values()}
    skus = await service.skus_by_codes(
        session, organization_id=principal.organization_id, codes=sorted({r.get("sku", "") for r in raw_rows})
    )
    errors: list[StockRowError] = []
    rows: list[_Row] = []
    seen: dict[tuple[UUID, UUID], int] = {}
    for number, raw in enumerate(raw_rows, start=1):
        location_ref, code = raw.get("location", ""), raw.get("sku", "")

        def error(field: str, reason: str, number: int = number, where: str = location_ref, code: str = code) -> None:
            errors.append(
                StockRowError(row=number, field=field, reason=reason, location=where or None, sku=code or None)
            )

        location = by_name.get(location_ref) or _by_id(locations, location_ref)
        if location is None:
            error("location", "no such location in your organization (give its name or id)")
            continue
        sku = skus.get(code)
        if sku is None:
            error("sku", "no such SKU in your organization")
            continue
        on_hand = _whole_number(raw.get("on_hand", ""), limit=service.MAX_ON_HAND)
        if on_hand is None:
            error("on_hand", f"a whole number from 0 to {service.MAX_ON_HAND}")
            continue
        threshold: int | msgspec.UnsetType | None = msgspec.UNSET
        if with_thresholds:
            cell = raw.get("low_stock_threshold", "")
            threshold = None if cell == "" else _whole_number(cell, limit=MAX_QUANTITY)
            if cell != "" and threshold is None:
                error("low_stock_threshold", f"empty (no alert) or a whole number from 0 to {MAX_QUANTITY}")
                continue
        key = (location.id, sku.id)
        if key in seen:
            error("sku", f"{code} at {location.name} is also on row {seen[key]}")
            continue
        seen[key] = number
        rows.append(_Row(number, location, sku, on_hand, threshold))

    changed = 0
    # applied in (location, SKU) order: the order every stock change locks levels in, so no deadlock
    for row in sorted(rows, key=lambda r: (r.location.id, r.sku.id)):
        try:
            changed += await service.count(
                session,
                principal=principal,
                location=row.location,
                sku=row.sku,
                on_hand=row.on_hand,
                low_stock_threshold=row.low_stock_threshold,
                reason=IMPORT_REASON,
            )
        except DomainError as exc:
            field, _, reason = exc.detail.partition(": ")
            errors.append(
                StockRowError(
                    row=row.number,
                    field=field if reason else None,
                    reason=reason or exc.detail,
                    location=row.location.name,
                    sku=row.sku.code,
                )
            )
    errors.sort(key=lambda e: e.row)
    rejected = len({e.row for e in errors})
    if errors and not partial:
        raise StockImportRejected(
            f"{rejected} of {len(raw_rows)} rows are invalid; fix them, or send ?partial=true to import the rest.",
            extra={
                "rejected": rejected,
                "rows": len(raw_rows),
                "errors": [msgspec.to_builtins(e) for e in errors[:MAX_LISTED_ERRORS]],
            },
        )
    return StockImportResult(
        rows=len(raw_rows),
        changed=changed,
        unchanged=len(raw_rows) - rejected - changed,
        rejected=rejected,
        errors=errors[:MAX_LISTED_ERRORS],
    )


def _by_id(locations: dict[UUID, Location], raw: str) -> Location | None:
    try:
        return locations.get(UUID(raw))
    except ValueError:
        return None


def export_csv(levels: list[StockLevel]) -> str:
    """The levels as CSV in the import's columns (plus reserved and available, which an import ignores)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for level in levels:
        threshold: Any = "" if level.low_stock_threshold is None else level.low_stock_threshold
        writer.writerow(
            [
                text_cell(level.location.name),
                text_cell(level.sku.code),
                level.on_hand,
                level.reserved,
                level.available,
                threshold,
            ]
        )
    return out.getvalue()
