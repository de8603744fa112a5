"""Delivery KPIs: what each figure means, computed from plain rows (`compute` is pure, so it is checked by hand).

Definitions (the README's "Analytics" says the same in short):

- A **visit** is a stop at a door: a delivery's drop-off at the customer, a store transfer's drop at its store,
  a return collected from the customer. Depot legs (a van fetching a parcel at the depot, a return dropped back
  there), breaks and the route's end are not visits.
- **Days** are the organization's calendar days: a visit or a route belongs to its route's service date, a
  return request to the local day it was made, a pickup to the local day it was handed over.
- A visit's **arrival** is its `arrived_at`, or its `completed_at` when the driver never said "Arrived".
- **On-time rate** = visits arrived within their order's time window, widened by `ON_TIME_GRACE` on both sides
  (early is as wrong as late at a door), / visits with a window and an arrival. It measures punctuality,
  whatever the outcome: a failed attempt made on time is on time. Visits never reached are not counted.
- **First-attempt success** = delivery orders whose first attempt (their earliest delivered-or-failed
  delivery visit, on any day) was delivered / delivery orders whose first attempt falls in the period. A
  re-attempt on a later day counts nowhere: the order was counted with its first attempt.
- **Stops per hour** = visits completed / route hours, where a route's hours run from `started_at` to
  `completed_at` (to its last completed stop while it is still out). Routes that never started count nowhere.
- **Distance** is the route's `distance_m`: the plan's, re-timed by live re-planning until the van leaves; a
  driven distance from positions is not summed (positions are purged after a retention period).
  **CO2** = km x a per-profile factor (`CO2_KG_PER_KM`): tank-to-wheel, for a diesel light van and an average
  combustion car; bikes (cargo bikes included) and couriers on foot emit none. Electric vans would be near 0.
- **ETA error** = |arrival - the ETA the customer was shown when the driver set off for the stop|
  (`Stop.leg_start_eta_at`: the live ETA when the stop before was completed or the route started, else the
  plan's time, as the tracking page shows it), mean and median minutes. **Plan error** is the same against the
  plan's latest arrival time (`planned_arrival_at`, which live re-planning moves); it covers visits made before
  the shown ETA was kept, and tells what the plan alone would have promised.
- **Returns rate** = customers' return requests made in the period / delivery orders delivered in the period.
  Shipments that take an expired store pickup back are not returns. By driver or vehicle profile a return goes
  to whoever delivered the original order.
- **Pickup waiting** = `handed_over_at - ready_at` of in-store pickups handed over in the period: median and 90th
  percentile (nearest rank: the smallest value at least 90 % of them do not exceed), hours. By zone a pickup
  belongs to its store's zone; by driver or vehicle profile it belongs nowhere.
- A **zone** is the first zone, by name, whose polygon covers the point: the order's for a visit and a return,
  the store's for a pickup. Route figures are not split between zones.
- **By carrier**: orders are not assigned to carriers yet, so the organization itself is the one carrier.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import shapely
from shapely.geometry import shape
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.principal import Principal
from backend.analytics import repository
from backend.analytics.errors import PeriodInvalid
from backend.analytics.rows import Dataset, PickupRow, ReturnRow, RouteRow, Visit, ZoneShape
from backend.analytics.schemas import Grouping, KpiGroup, KpiReport, Kpis
from backend.fleet.models import VehicleProfile
from backend.orders.models import OrderKind
from backend.routing.models import StopKind, StopStatus

ON_TIME_GRACE = timedelta(minutes=5)  # a van at the door 5 min outside the slot is, for the customer, on time
MAX_PERIOD_DAYS = 366  # a year, leap day included; longer periods are exported year by year
FIRST_DAY = date(2000, 1, 1)  # the calendar the API accepts: wide enough, and never near datetime's limits
LAST_DAY = date(2099, 12, 31)
# kg CO2 per km, tank-to-wheel. Van: a diesel light commercial vehicle at about 7.6 l/100 km x 2.63 kg CO2 per
# litre of diesel (UK government GHG conversion factors, DEFRA/DESNZ) ≈ 0.20. Car: an average combustion car,
# about 7.3 l/100 km of petrol x 2.31 kg/l ≈ 0.17. Bike (cargo bikes too) and foot: 0.
CO2_KG_PER_KM: dict[VehicleProfile, float] = {
    VehicleProfile.van: 0.20,
    VehicleProfile.car: 0.17,
    VehicleProfile.bike: 0.0,
    VehicleProfile.foot: 0.0,
}
PROFILE_LABELS = {
    VehicleProfile.van: "Van",
    VehicleProfile.car: "Car",
    VehicleProfile.bike: "Bike",
    VehicleProfile.foot: "On foot",
}
NO_DRIVER = "No driver"
NO_ZONE = "Outside every zone"
NO_VEHICLE = "No vehicle"


@dataclass(frozen=True, slots=True)
class Period:
    first_day: date
    last_day: date
    timezone: ZoneInfo

    @property
    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range((self.last_day - self.first_day).days + 1)]

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.first_day, time(0), self.timezone).astimezone(UTC)

    @property
    def ends_at(self) -> datetime:
        """Exclusive: the next day's local midnight."""
        return datetime.combine(self.last_day + timedelta(days=1), time(0), self.timezone).astimezone(UTC)

    def day_of(self, at: datetime) -> date:
        return at.astimezone(self.timezone).date()


def check_period(first_day: date, last_day: date) -> None:
    if not (FIRST_DAY <= first_day <= LAST_DAY and FIRST_DAY <= last_day <= LAST_DAY):
        raise PeriodInvalid(f"Days must be between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}")
    if last_day < first_day:
        raise PeriodInvalid("`to` is before `from`")
    if (last_day - first_day).days + 1 > MAX_PERIOD_DAYS:
        raise PeriodInvalid(f"A period is at most {MAX_PERIOD_DAYS} days")


# -- what counts ---------------------------------------------------------------------------------------------


def is_visit(order_kind: OrderKind, stop_kind: StopKind) -> bool:
    """A stop at a door: deliveries and store transfers are dropped off, returns are collected."""
    if stop_kind is StopKind.delivery:
        return order_kind in (OrderKind.delivery, OrderKind.store_pickup)
    return stop_kind is StopKind.pickup and order_kind is OrderKind.return_


def is_delivery_attempt(visit: Visit) -> bool:
    return (
        visit.order_kind is OrderKind.delivery
        and visit.stop_kind is StopKind.delivery
        and visit.status in (StopStatus.completed, StopStatus.failed)
    )


def on_time(visit: Visit, grace: timedelta = ON_TIME_GRACE) -> bool | None:
    """None when it does not count: no window, or never reached."""
    arrival = visit.arrival_at
    if arrival is None or (visit.window_start_at is None and visit.window_end_at is None):
        return None
    early = visit.window_start_at is not None and arrival < visit.window_start_at - grace
    late = visit.window_end_at is not None and arrival > visit.window_end_at + grace
    return not (early or late)


def first_attempts(attempts: Iterable[Visit], period: Period) -> list[Visit]:
    """Each delivery order's earliest attempt, when it falls in the period."""
    first: dict[UUID, Visit] = {}
    for attempt in attempts:
        if not is_delivery_attempt(attempt):
            continue
        known = first.get(attempt.order_id)
        if known is None or _attempt_order(attempt) < _attempt_order(known):
            first[attempt.order_id] = attempt
    return [v for v in first.values() if period.first_day <= v.service_date <= period.last_day]


def _attempt_order(visit: Visit) -> tuple[date, datetime]:
    return visit.service_date, visit.completed_at or visit.arrived_at or datetime.max.replace(tzinfo=UTC)


def p90(values: Sequence[float]) -> float:
    """Nearest rank: the ceil(0.9 n)-th smallest."""
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def _minutes(a: datetime, b: datetime) -> float:
    return abs((a - b).total_seconds()) / 60


def _mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


# -- the figures ---------------------------------------------------------------------------------------------


def figures(
    *,
    visits: Sequence[Visit],
    first: Sequence[Visit],
    routes: Sequence[RouteRow] | None,
    returns: Sequence[ReturnRow],
    pickups: Sequence[PickupRow] | None,
) -> Kpis:
    """One set of KPIs; `routes` or `pickups` None when this grouping cannot split them (their figures are null)."""
    completed = [v for v in visits if v.status is StopStatus.completed]
    failed = [v for v in visits if v.status is StopStatus.failed]
    punctual = [p for p in (on_time(v) for v in visits) if p is not None]
    successes = sum(1 for v in first if v.status is StopStatus.completed)
    eta_errors = [
        _minutes(v.arrival_at, v.leg_start_eta_at)
        for v in visits
        if v.arrival_at is not None and v.leg_start_eta_at is not None
    ]
    plan_errors = [
        _minutes(v.arrival_at, v.planned_arrival_at)
        for v in visits
        if v.arrival_at is not None and v.planned_arrival_at is not None
    ]
    deliveries = len({v.order_id for v in completed if v.order_kind is OrderKind.delivery})
    route_hours = distance_km = co2_kg = stops_per_hour = None
    if routes is not None:
        route_hours = sum(r.hours for r in routes)
        distance_km = sum(r.distance_m for r in routes) / 1000
        co2_kg = sum(r.distance_m / 1000 * CO2_KG_PER_KM[r.profile] for r in routes)
        stops_per_hour = _ratio(len(completed), route_hours)
    waits = [(p.handed_over_at - p.ready_at).total_seconds() / 3600 for p in pickups or ()]
    return Kpis(
        stops_completed=len(completed),
        stops_failed=len(failed),
        stops_with_window=len(punctual),
        stops_on_time=sum(punctual),
        on_time_rate=_rounded(_ratio(sum(punctual), len(punctual)), 4),
        first_attempts=len(first),
        first_attempt_successes=successes,
        first_attempt_rate=_rounded(_ratio(successes, len(first)), 4),
        routes=None if routes is None else len(routes),
        route_hours=_rounded(route_hours, 2),
        stops_per_hour=_rounded(stops_per_hour, 2),
        distance_km=_rounded(distance_km, 2),
        co2_kg=_rounded(co2_kg, 2),
        eta_error_stops=len(eta_errors),
        eta_error_mean_min=_rounded(_mean(eta_errors), 1),
        eta_error_median_min=_rounded(_median(eta_errors), 1),
        plan_error_stops=len(plan_errors),
        plan_error_mean_min=_rounded(_mean(plan_errors), 1),
        plan_error_median_min=_rounded(_median(plan_errors), 1),
        deliveries=deliveries,
        returns=len(returns),
        returns_rate=_rounded(_ratio(len(returns), deliveries), 4),
        pickups_handed_over=None if pickups is None else len(pickups),
        pickup_wait_median_h=_rounded(_median(waits), 2),
        pickup_wait_p90_h=_rounded(p90(waits), 2) if waits else None,
    )


class Zones:
    """Which zone covers a point: the first by name (zones may overlap), or None."""

    def __init__(self, zones: Sequence[ZoneShape]) -> None:
        self._zones = []
        for zone in sorted(zones, key=lambda z: (z.name, str(z.id))):
            geometry = shape(zone.geometry)
            shapely.prepare(geometry)
            self._zones.append((zone, geometry))
        self._found: dict[tuple[float, float], UUID | None] = {}

    def of(self, lat: float, lon: float) -> UUID | None:
        key = (lat, lon)
        if key not in self._found:
            # intersects, not contains: a point on the boundary line is in the zone
            hit = next((z.id for z, g in self._zones if shapely.intersects_xy(g, lon, lat)), None)
            self._found[key] = hit
        return self._found[key]

    def name(self, zone_id: UUID) -> str:
        return next(z.name for z, _ in self._zones if z.id == zone_id)


NOT_SPLIT = object()  # a row this grouping cannot split (a route by zone, a pickup by driver)


def compute(
    data: Dataset,
    *,
    period: Period,
    by: Grouping,
    zones: Sequence[ZoneShape],
    driver_names: dict[UUID, str],
    organization: tuple[UUID, str],
) -> KpiReport:
    """The report: totals over everything, and one row per group (every day of the period when by day; the groups
    that have something otherwise)."""
    first = first_attempts(data.attempts, period)
    totals = figures(visits=data.visits, first=first, routes=data.routes, returns=data.returns, pickups=data.pickups)
    where = Zones(zones)
    keys = _key_functions(by, period, where, organization[0])
    split: dict[str, dict[Hashable, list[Any]]] = {}
    for name, rows in (
        ("visits", data.visits),
        ("first", first),
        ("routes", data.routes),
        ("returns", data.returns),
        ("pickups", data.pickups),
    ):
        buckets: dict[Hashable, list[Any]] = defaultdict(list)
        for row in rows:
            key = keys[name](row)
            if key is not NOT_SPLIT:
                buckets[key].append(row)
        split[name] = buckets
    found: set[Hashable] = {key for buckets in split.values() for key in buckets}
    if by is Grouping.day:
        found |= set(period.days)
    groups = [
        _group(
            key,
            _label(by, key, where, driver_names, organization),
            figures(
                visits=split["visits"].get(key, []),
                first=split["first"].get(key, []),
                routes=None if by is Grouping.zone else split["routes"].get(key, []),
                returns=split["returns"].get(key, []),
                pickups=None if by in (Grouping.driver, Grouping.profile) else split["pickups"].get(key, []),
            ),
        )
        for key in found
    ]
    groups.sort(key=lambda g: _sort_key(by, g))
    return KpiReport(
        from_date=period.first_day,
        to_date=period.last_day,
        by=by,
        timezone=period.timezone.key,
        totals=totals,
        groups=groups,
        on_time_grace_min=ON_TIME_GRACE.total_seconds() / 60,
        co2_kg_per_km={profile.value: factor for profile, factor in CO2_KG_PER_KM.items()},
    )


def _key_functions(
    by: Grouping, period: Period, zones: Zones, organization_id: UUID
) -> dict[str, Callable[[Any], Hashable]]:
    if by is Grouping.day:
        return {
            "visits": lambda v: v.service_date,
            "first": lambda v: v.service_date,
            "routes": lambda r: r.service_date,
            "returns": lambda r: period.day_of(r.requested_at),
            "pickups": lambda p: period.day_of(p.handed_over_at),
        }
    if by is Grouping.driver:
        return {
            "visits": lambda v: v.driver_id,
            "first": lambda v: v.driver_id,
            "routes": lambda r: r.driver_id,
            "returns": lambda r: r.driver_id,
            "pickups": lambda _p: NOT_SPLIT,
        }
    if by is Grouping.profile:
        return {
            "visits": lambda v: v.profile,
            "first": lambda v: v.profile,
            "routes": lambda r: r.profile,
            "returns": lambda r: r.profile,
            "pickups": lambda _p: NOT_SPLIT,
        }
    if by is Grouping.zone:
        return {
            "visits": lambda v: zones.of(v.lat, v.lon),
            "first": lambda v: zones.of(v.lat, v.lon),
            "routes": lambda _r: NOT_SPLIT,
            "returns": lambda r: zones.of(r.lat, r.lon),
            "pickups": lambda p: zones.of(p.lat, p.lon),
        }
    return {name: (lambda _row: organization_id) for name in ("visits", "first", "routes", "returns", "pickups")}


def _label(by: Grouping, key: Any, zones: Zones, driver_names: dict[UUID, str], organization: tuple[UUID, str]) -> str:
    if by is Grouping.day:
        return str(key.isoformat())
    if by is Grouping.driver:
        return driver_names.get(key, "Former driver") if key is not None else NO_DRIVER
    if by is Grouping.profile:
        return PROFILE_LABELS[key] if key is not None else NO_VEHICLE
    if by is Grouping.zone:
        return zones.name(key) if key is not None else NO_ZONE
    return organization[1]


def _group(key: Any, label: str, kpis: Kpis) -> KpiGroup:
    text = None if key is None else key.isoformat() if isinstance(key, date) else str(key)
    fields = {name: getattr(kpis, name) for name in Kpis.__struct_fields__}
    return KpiGroup(key=text, label=label, **fields)


def _sort_key(by: Grouping, group: KpiGroup) -> tuple[Any, ...]:
    if by is Grouping.day:
        return (group.key or "",)
    if by is Grouping.profile:
        order = list(VehicleProfile)
        return (group.key is None, order.index(VehicleProfile(group.key)) if group.key else 0)
    return (group.key is None, group.label.casefold(), group.key or "")


# -- reading and answering -----------------------------------------------------------------------------------


async def kpi_report(
    session: AsyncSession, *, principal: Principal, first_day: date, last_day: date, by: Grouping
) -> KpiReport:
    """The caller's organization's KPIs for the days `first_day`..`last_day` (its calendar), grouped `by`."""
    check_period(first_day, last_day)
    organization_id = principal.organization_id
    name, timezone = await repository.organization(session, organization_id=organization_id)
    period = Period(first_day, last_day, _zone_info(timezone))
    visits = await repository.visits(session, organization_id=organization_id, first_day=first_day, last_day=last_day)
    data = Dataset(
        visits=[v for v in visits if is_visit(v.order_kind, v.stop_kind)],
        attempts=await repository.delivery_attempts(
            session, organization_id=organization_id, first_day=first_day, last_day=last_day
        ),
        routes=await repository.started_routes(
            session, organization_id=organization_id, first_day=first_day, last_day=last_day
        ),
        returns=await repository.return_requests(
            session, organization_id=organization_id, starts_at=period.starts_at, ends_at=period.ends_at
        ),
        pickups=await repository.handed_over_pickups(
            session, organization_id=organization_id, starts_at=period.starts_at, ends_at=period.ends_at
        ),
    )
    driver_ids = {v.driver_id for v in data.visits} | {r.driver_id for r in data.routes}
    driver_ids |= {r.driver_id for r in data.returns}
    driver_names = await repository.user_names(
        session, organization_id=organization_id, user_ids={d for d in driver_ids if d is not None}
    )
    zones = await repository.zones(session, organization_id=organization_id) if by is Grouping.zone else []
    return compute(
        data, period=period, by=by, zones=zones, driver_names=driver_names, organization=(organization_id, name)
    )


def _zone_info(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):  # validated when set; an unknown zone on an old row reads as UTC
        return ZoneInfo("UTC")
