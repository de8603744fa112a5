"""Location ingest: what a position point must hold, which points feed ETAs, and the batched writer."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db.session import transaction
from backend.kit.tasks import stop_between_passes, wait_or_timeout
from backend.tracking import repository
from backend.tracking.geofence import haversine_m

MAX_DEVICE_AHEAD_S = 120  # a phone's clock may run a little fast; further ahead is a broken clock
MAX_BACKFILL_AGE = timedelta(days=2)  # an offline phone backfills its day; older points are refused
MAX_ETA_ACCURACY_M = 100.0  # worse fixes are stored but never move an ETA or a geofence
MAX_SPEED_KMH = 200.0  # faster between two fixes is a GPS jump, not a van
MAX_BATCH_POINTS = 1_000
FLUSH_EVERY_S = 1.0
FLUSH_AT_POINTS = 500
MAX_BUFFERED_POINTS = 50_000  # while the database is away; older points go first past this

log = structlog.get_logger(__name__)


class PointIn(msgspec.Struct, forbid_unknown_fields=True):
    """One fix as a phone reports it (Geolocation API fields)."""

    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)]
    at: Annotated[datetime, msgspec.Meta(tz=True)]
    """The device's time of the fix (ISO 8601 with a zone)."""
    accuracy: Annotated[float, msgspec.Meta(ge=0, le=100_000)] | None = None
    """Metres (68 % radius)."""
    speed: Annotated[float, msgspec.Meta(ge=0, le=150)] | None = None
    """Metres per second."""
    heading: Annotated[float, msgspec.Meta(ge=0, le=360)] | None = None
    """Degrees clockwise from north."""


class PositionBatch(msgspec.Struct, forbid_unknown_fields=True):
    points: Annotated[list[PointIn], msgspec.Meta(min_length=1, max_length=MAX_BATCH_POINTS)]


class Rejected(msgspec.Struct):
    index: int
    reason: str


class IngestResult(msgspec.Struct):
    accepted: int
    """Stored and used for ETAs and arrival detection."""
    stored_only: int
    """Stored, but too inaccurate or an impossible jump: not used for ETAs."""
    rejected: list[Rejected]


Verdict = Literal["use", "store", "reject"]


@dataclass(frozen=True)
class Checked:
    point: PointIn
    verdict: Verdict
    reason: str | None = None


def check(point: PointIn, *, previous: PointIn | None, now: datetime) -> Checked:
    """Sort a point into used, stored only, or refused. `previous` is the driver's last used point."""
    if point.at > now + timedelta(seconds=MAX_DEVICE_AHEAD_S):
        return Checked(point, "reject", f"device time is more than {MAX_DEVICE_AHEAD_S} s ahead of the server's")
    if point.at < now - MAX_BACKFILL_AGE:
        return Checked(point, "reject", "older than 2 days")
    if point.accuracy is not None and point.accuracy > MAX_ETA_ACCURACY_M:
        return Checked(point, "store", "accuracy worse than 100 m")
    if previous is not None and point.at > previous.at:
        hours = (point.at - previous.at).total_seconds() / 3600
        if haversine_m(previous.lat, previous.lon, point.lat, point.lon) / 1000 / hours > MAX_SPEED_KMH:
            return Checked(point, "store", "impossible jump (over 200 km/h)")
    return Checked(point, "use")


def position_row(
    checked: Checked, *, organization_id: UUID, driver_id: UUID, route_id: UUID | None, received_at: datetime
) -> dict[str, Any]:
    p = checked.point
    return {
        "organization_id": organization_id,
        "driver_id": driver_id,
        "route_id": route_id,
        "lat": p.lat,
        "lon": p.lon,
        "accuracy_m": p.accuracy,
        "speed_mps": p.speed,
        "heading_deg": p.heading,
        "recorded_at": p.at,
        "received_at": received_at,
        "for_eta": checked.verdict == "use",
    }


class PositionWriter:
    """Buffers rows and writes them in one executemany every second or every 500 points."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self._rows: list[dict[str, Any]] = []
        self._full = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.written = 0

    def add(self, rows: list[dict[str, Any]]) -> None:
        self._rows.extend(rows)
        if len(self._rows) >= FLUSH_AT_POINTS:
            self._full.set()

    @property
    def pending(self) -> int:
        return len(self._rows)

    async def flush(self) -> int:
        async with self._lock:
            rows, self._rows = self._rows, []
            self._full.clear()
            if not rows:
                return 0
            try:
                async with transaction(self._session_factory) as session:
                    await repository.insert_positions(session, rows)
            except BaseException:
                # the database is away, or the writer is being stopped mid-write (CancelledError): keep the
                # points for the next round rather than lose them (bounded)
                self._rows = (rows + self._rows)[-MAX_BUFFERED_POINTS:]
                raise
            self.written += len(rows)
            return len(rows)

    async def run(self) -> None:
        while not self._stopping:
            await wait_or_timeout(self._full, FLUSH_EVERY_S)
            try:
                await self.flush()
            except Exception:
                log.exception("position_flush_failed")
                await asyncio.sleep(FLUSH_EVERY_S)

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self.run(), name="position-writer")

    async def stop(self) -> None:
        """The write under way finishes (kit/tasks.py), then what is left is written."""
        self._stopping = True
        await stop_between_passes(self._task, wake=self._full.set)
        self._task = None
        with contextlib.suppress(Exception):
            await self.flush()
