"""What the analytics endpoints answer: the KPIs of a period, in total and per group (definitions in service.py)."""

from __future__ import annotations

import enum
from datetime import date

import msgspec


class Grouping(enum.StrEnum):
    day = "day"
    driver = "driver"
    zone = "zone"
    profile = "profile"
    carrier = "carrier"


class Kpis(msgspec.Struct, kw_only=True):
    """One set of figures. A rate is a fraction (0.95 is 95 %) and null when there is nothing to divide by; a
    route figure (routes, hours, km, CO2, stops per hour) is null in zone rows, and a pickup figure in driver and
    vehicle-profile rows, where they cannot be split."""

    stops_completed: int
    """Visits (a delivery's drop-off, a store transfer's drop at the store, a return collected) done."""
    stops_failed: int
    """Visits attempted without success."""
    stops_with_window: int
    """Visits reached (arrived) whose order has a time window."""
    stops_on_time: int
    on_time_rate: float | None
    first_attempts: int
    """Delivery orders whose first attempt ever falls in the period (and group)."""
    first_attempt_successes: int
    first_attempt_rate: float | None
    routes: int | None
    """Routes that started."""
    route_hours: float | None
    """From each route's start to its finish (or its last completed stop while still out)."""
    stops_per_hour: float | None
    distance_km: float | None
    """The routes' planned distance (the live plan's latest figure)."""
    co2_kg: float | None
    """distance_km x the vehicle profile's factor (co2_kg_per_km)."""
    eta_error_stops: int
    eta_error_mean_min: float | None
    """|arrival - the ETA the customer was shown when the driver set off for the stop|, minutes."""
    eta_error_median_min: float | None
    plan_error_stops: int
    plan_error_mean_min: float | None
    """|arrival - the plan's latest arrival time|, minutes."""
    plan_error_median_min: float | None
    deliveries: int
    """Delivery orders delivered."""
    returns: int
    """Customers' return requests made."""
    returns_rate: float | None
    """returns / deliveries."""
    pickups_handed_over: int | None
    pickup_wait_median_h: float | None
    """From ready at the store to handed over, hours."""
    pickup_wait_p90_h: float | None
    """90th percentile (nearest rank), hours."""


class KpiGroup(Kpis, kw_only=True):
    key: str | None
    """The day (YYYY-MM-DD), the driver's or zone's or organization's id, the vehicle profile; null for what
    belongs to none (no driver, outside every zone)."""
    label: str


class KpiReport(msgspec.Struct):
    from_date: date = msgspec.field(name="from")
    to_date: date = msgspec.field(name="to")
    by: Grouping
    timezone: str
    """The organization's: the days are its calendar days."""
    totals: Kpis
    groups: list[KpiGroup]
    on_time_grace_min: float
    """How late (or early) an arrival may be and still be on time."""
    co2_kg_per_km: dict[str, float]
    """The factor used for each vehicle profile."""
