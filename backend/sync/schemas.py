"""The sync endpoint's wire format: a batch of commands in, one result per command out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

MAX_COMMANDS = 100
MAX_PHOTOS = 10

CommandType = Literal[
    "route.start", "route.finish", "stop.arrive", "stop.deliver", "stop.fail", "stop.collect_return", "parcel.scan"
]
Outcome = Literal["applied", "duplicate", "rejected", "retry"]

Sha256 = Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}$")]
Barcode = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Note = Annotated[str, msgspec.Meta(max_length=1000)]
Lat = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Lon = Annotated[float, msgspec.Meta(ge=-180, le=180)]
Accuracy = Annotated[float, msgspec.Meta(ge=0, le=100_000)]


class Command(msgspec.Struct, forbid_unknown_fields=True):
    id: UUID
    """The idempotency key, made on the phone when the driver acted."""
    type: CommandType
    route_id: UUID
    occurred_at: datetime
    """The phone's clock when the driver acted (with its offset)."""
    payload: dict[str, Any] = msgspec.field(default_factory=dict)
    stop_id: UUID | None = None
    order_id: UUID | None = None


class SyncRequest(msgspec.Struct, forbid_unknown_fields=True):
    commands: Annotated[list[Command], msgspec.Meta(min_length=1, max_length=MAX_COMMANDS)]


class CommandResult(msgspec.Struct):
    id: UUID
    outcome: Outcome
    reason: str | None = None
    message: str | None = None


class SyncResponse(msgspec.Struct):
    results: list[CommandResult]
    server_time: datetime


# payloads, by command type (checked after the envelope, so one bad payload rejects one command, not the batch)


class NoPayload(msgspec.Struct, forbid_unknown_fields=True):
    pass


class ArrivePayload(msgspec.Struct, forbid_unknown_fields=True):
    lat: Lat | None = None
    lon: Lon | None = None
    accuracy_m: Accuracy | None = None


class DeliverPayload(msgspec.Struct, forbid_unknown_fields=True):
    recipient_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    photos: Annotated[list[Sha256], msgspec.Meta(max_length=MAX_PHOTOS)] = []
    signature: Sha256 | None = None
    lat: Lat | None = None
    lon: Lon | None = None
    accuracy_m: Accuracy | None = None
    scanned: Annotated[list[Barcode], msgspec.Meta(max_length=200)] = []
    note: Note | None = None
    id_checked: bool = False
    """The driver checked the recipient's photo ID (the app asks when the order needs it)."""


class FailPayload(msgspec.Struct, forbid_unknown_fields=True):
    reason: Literal["not_home", "no_access", "refused", "damaged", "wrong_address", "other"]
    note: Note | None = None
    photos: Annotated[list[Sha256], msgspec.Meta(max_length=MAX_PHOTOS)] = []
    lat: Lat | None = None
    lon: Lon | None = None
    accuracy_m: Accuracy | None = None


class ReturnPayload(msgspec.Struct, forbid_unknown_fields=True):
    barcode: Barcode
    condition: Literal["intact", "damaged", "opened"]
    photos: Annotated[list[Sha256], msgspec.Meta(max_length=MAX_PHOTOS)] = []
    note: Note | None = None


class ScanPayload(msgspec.Struct, forbid_unknown_fields=True):
    barcode: Barcode
    stage: Literal["loading", "stop"]


PAYLOADS: dict[str, type[msgspec.Struct]] = {
    "route.start": NoPayload,
    "route.finish": NoPayload,
    "stop.arrive": ArrivePayload,
    "stop.deliver": DeliverPayload,
    "stop.fail": FailPayload,
    "stop.collect_return": ReturnPayload,
    "parcel.scan": ScanPayload,
}
