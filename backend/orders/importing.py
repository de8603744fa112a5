"""Order import from CSV or a JSON array: every row validated, all-or-nothing unless partial, upsert by external_ref.

CSV columns (header row, any order; empty cells take the default):
external_ref, kind, recipient_name, recipient_phone, recipient_email, address, lat, lon, window_start_at,
window_end_at, service_s, weight_kg, volume_l, parcel_count, priority, required_skills, notes, store_id,
id_check_required (true/false), barcodes (barcodes and skills separated by ";"). JSON: an array of objects
with the same names (barcodes as a list).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.models import Organization
from backend.accounts.principal import Principal
from backend.kit.problems import DomainError
from backend.orders import lifecycle, repository, service
from backend.orders.errors import ImportRejected, ImportUnreadable
from backend.orders.models import Order
from backend.orders.schemas import ImportResult, OrderCreate, RowError

# stock lines are not imported: a reservation can be refused per order, which POST /api/orders answers one by one
COLUMNS = tuple(name for name in OrderCreate.__struct_fields__ if name != "lines")
LARGE_IMPORT_ROWS = 1_000  # from this size on, refresh the planner's statistics after the insert
MAX_LISTED_ERRORS = 1_000  # the answer lists this many row errors and counts the rest
_FIELD_IN_MESSAGE = re.compile(r"at `\$\.([a-z_]+)|field `([a-z_]+)`")
_UPDATABLE = (
    "recipient_name",
    "recipient_phone",
    "recipient_email",
    "address",
    "lat",
    "lon",
    "window_start_at",
    "window_end_at",
    "service_s",
    "weight_kg",
    "volume_l",
    "parcel_count",
    "priority",
    "required_skills",
    "notes",
    "id_check_required",
)


@dataclass
class _Row:
    number: int
    data: OrderCreate
    fields: dict[str, Any] = field(default_factory=dict)


def read_rows(body: bytes, content_type: str, *, max_rows: int) -> list[dict[str, Any]]:
    """Turn the upload into a list of raw row dicts; an unreadable file fails whole, with a clear reason."""
    if "json" in content_type:
        try:
            rows = msgspec.json.decode(body)
        except msgspec.DecodeError as exc:
            raise ImportUnreadable(f"Not valid JSON: {exc}") from exc
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ImportUnreadable("A JSON import is an array of order objects")
    else:
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportUnreadable("The CSV must be UTF-8") from exc
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(io.StringIO(text), dialect=dialect)
        header = [h.strip() for h in reader.fieldnames or []]
        if not header:
            raise ImportUnreadable("The CSV has no header row; see the documented column names")
        unknown = [h for h in header if h not in COLUMNS]
        if unknown:
            raise ImportUnreadable(
                f"Unknown column(s): {', '.join(unknown)}. Known: {', '.join(COLUMNS)}",
                extra={"unknown_columns": unknown},
            )
        reader.fieldnames = header
        rows = []
        try:
            for raw in reader:
                if None in raw:
                    raise ImportUnreadable(f"Row {reader.line_num - 1} has more cells than the header")
                row = {k: v.strip() for k, v in raw.items() if v is not None and v.strip() != ""}
                for list_column in ("barcodes", "required_skills"):
                    if list_column in row:
                        row[list_column] = [b.strip() for b in re.split(r"[;|]", row[list_column]) if b.strip()]
                rows.append(row)
                if len(rows) > max_rows:
                    break
        except csv.Error as exc:
            raise ImportUnreadable(f"The CSV could not be read: {exc}") from exc
    if not rows:
        raise ImportUnreadable("The import holds no rows")
    if len(rows) > max_rows:
        raise ImportUnreadable(f"At most {max_rows} rows per import; split the file")
    return rows


def _decode_row(number: int, raw: dict[str, Any], errors: list[RowError]) -> OrderCreate | None:
    try:
        # strict=False: CSV cells are strings; msgspec converts "60.17" and ISO datetimes to their types
        return msgspec.convert(raw, OrderCreate, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        match = _FIELD_IN_MESSAGE.search(message)
        reason = message.split(" - at `")[0]
        errors.append(
            RowError(
                row=number,
                field=(match.group(1) or match.group(2)) if match else None,
                reason=reason,
                external_ref=str(raw.get("external_ref")) if raw.get("external_ref") else None,
            )
        )
        return None


async def import_orders(
    session: AsyncSession,
    *,
    principal: Principal,
    organization: Organization,
    raw_rows: list[dict[str, Any]],
    partial: bool,
    secret_key: str,
) -> ImportResult:
    errors: list[RowError] = []
    rows: list[_Row] = []
    seen_refs: dict[str, int] = {}
    seen_barcodes: dict[str, int] = {}
    for number, raw in enumerate(raw_rows, start=1):
        data = _decode_row(number, raw, errors)
        if data is None:
            continue
        if data.lines:
            errors.append(
                RowError(
                    row=number,
                    field="lines",
                    reason="stock lines are not imported; create store pickups with lines through POST /api/orders",
                    external_ref=data.external_ref,
                )
            )
            continue
        ref_error = _duplicate_in_file(number, data, seen_refs, seen_barcodes)
        if ref_error is not None:
            errors.append(ref_error)
            continue
        try:
            fields = await service.normalized_fields(session, organization=organization, data=data)
        except DomainError as exc:
            errors.append(_row_error(number, data, exc))
            continue
        rows.append(_Row(number=number, data=data, fields=fields))

    refs = [r.data.external_ref for r in rows if r.data.external_ref]
    existing = await repository.orders_by_external_ref(session, organization_id=principal.organization_id, refs=refs)
    barcodes = [b for r in rows for b in r.data.barcodes]
    owners = await repository.barcode_owners(session, organization_id=principal.organization_id, barcodes=barcodes)

    to_create: list[_Row] = []
    to_update: list[tuple[_Row, Order]] = []
    for row in rows:
        current = existing.get(row.data.external_ref or "")
        foreign = [b for b in row.data.barcodes if b in owners and (current is None or owners[b] != current.id)]
        if foreign:
            errors.append(
                RowError(
                    row=row.number,
                    field="barcodes",
                    external_ref=row.data.external_ref,
                    reason=f"already on another order: {', '.join(foreign)}",
                )
            )
        elif current is None:
            to_create.append(row)
        elif current.status not in lifecycle.EDITABLE or current.kind is not row.data.kind:
            errors.append(
                RowError(
                    row=row.number,
                    field="external_ref",
                    external_ref=row.data.external_ref,
                    reason=(
                        f"order exists as a {current.kind.value} that is {current.status.value}; it cannot be updated"
                    ),
                )
            )
        else:
            to_update.append((row, current))

    rejected = len(raw_rows) - len(to_create) - len(to_update)
    errors.sort(key=lambda e: e.row)
    if errors and not partial:
        raise ImportRejected(
            f"{rejected} of {len(raw_rows)} rows are invalid; fix them, or send ?partial=true to import the rest.",
            extra={
                "rejected": rejected,
                "rows": len(raw_rows),
                "errors": [msgspec.to_builtins(e) for e in errors[:MAX_LISTED_ERRORS]],
            },
        )

    order_rows: list[dict[str, Any]] = []
    parcel_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    for row in to_create:
        order_row, parcels = service.new_order_rows(
            organization_id=principal.organization_id,
            fields=row.fields,
            barcodes=row.data.barcodes,
            secret_key=secret_key,
        )
        order_rows.append(order_row)
        parcel_rows.extend(parcels)
        event_rows.append(
            service.event_row(
                organization_id=principal.organization_id,
                type="order.created",
                order_id=order_row["id"],
                actor=principal.actor,
                payload={"status": order_row["status"].value, "external_ref": row.data.external_ref, "via": "import"},
            )
        )
    new_parcels: list[dict[str, Any]] = []
    for row, order in to_update:
        changes = {k: row.fields[k] for k in _UPDATABLE if row.fields[k] != getattr(order, k)}
        have = {p.barcode for p in order.parcels}
        added = [b for b in row.data.barcodes if b not in have]
        if added:
            _, parcels = service.new_order_rows(
                organization_id=principal.organization_id, fields=row.fields, barcodes=added, secret_key=secret_key
            )
            for parcel in parcels:
                parcel["order_id"] = order.id
            new_parcels.extend(parcels)
        if changes or added:
            service.apply_changes(order, changes)
            event_rows.append(
                service.event_row(
                    organization_id=principal.organization_id,
                    type="order.updated",
                    order_id=order.id,
                    actor=principal.actor,
                    payload={"changed": sorted(changes), "added_barcodes": added, "via": "import"},
                )
            )
    await repository.bulk_insert(session, orders=order_rows, parcels=parcel_rows + new_parcels)
    await repository.bulk_insert_events(session, event_rows)
    if len(order_rows) + len(new_parcels) >= LARGE_IMPORT_ROWS:
        await repository.refresh_statistics(session)
    return ImportResult(
        created=len(to_create),
        updated=len(to_update),
        rejected=rejected,
        errors=errors[:MAX_LISTED_ERRORS],
        order_ids=[r["id"] for r in order_rows] + [order.id for _, order in to_update],
    )


def _duplicate_in_file(
    number: int, data: OrderCreate, seen_refs: dict[str, int], seen_barcodes: dict[str, int]
) -> RowError | None:
    if data.external_ref is not None:
        if data.external_ref in seen_refs:
            return RowError(
                row=number,
                field="external_ref",
                external_ref=data.external_ref,
                reason=f"also on row {seen_refs[data.external_ref]}",
            )
        seen_refs[data.external_ref] = number
    for barcode in data.barcodes:
        if barcode in seen_barcodes:
            return RowError(
                row=number,
                field="barcodes",
                external_ref=data.external_ref,
                reason=f"barcode {barcode} also on row {seen_barcodes[barcode]}",
            )
    for barcode in data.barcodes:
        seen_barcodes[barcode] = number
    return None


def _row_error(number: int, data: OrderCreate, exc: DomainError) -> RowError:
    field_name = None
    extra_errors = exc.problem_extra.get("errors")
    if isinstance(extra_errors, list) and extra_errors:
        field_name = extra_errors[0].get("field")
    elif ":" in exc.detail:
        field_name = exc.detail.split(":", 1)[0]
    reason = exc.detail.split(": ", 1)[1] if field_name and exc.detail.startswith(f"{field_name}: ") else exc.detail
    return RowError(row=number, field=field_name, reason=reason, external_ref=data.external_ref)


__all__ = ["COLUMNS", "UUID", "import_orders", "read_rows"]
