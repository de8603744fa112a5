"""Expected arrival times for a route's remaining stops: the ETA engine, its window and the learned speed factor."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID


@dataclass(frozen=True)
class RemainingStop:
    """A stop still ahead of the driver, in plan order."""

    stop_id: UUID
    order_id: UUID | None
    lat: float
    lon: float
    service_s: int
    window_start_at: datetime | None = None
    window_end_at: datetime | None = None
    arrived_at: datetime | None = None  # set when the driver is at this stop now: the dwell is in progress
    # the plan's breaks on the way into this stop: the driver reaches it this much later, and a break does not
    # start before break_from (its planned start: a driver ahead of the plan waits for it)
    break_s: float = 0
    break_from: datetime | None = None


@dataclass(frozen=True)
class StopEta:
    stop_id: UUID
    order_id: UUID | None
    eta_at: datetime  # expected arrival, never clipped to the time window: a late ETA is shown late
    earliest_at: datetime
    latest_at: datetime
    departure_at: datetime
    wait_s: float  # waiting at the stop for its time window to open


@dataclass(frozen=True)
class EtaWindow:
    """The uncertainty shown around an ETA: narrow at the next stop, wider further down the route.

    It grows with the horizon because travel-time errors compound leg by leg (each leg's error and each
    service time's spread add up), and it is capped so a late stop still shows a useful slot.
    """

    base_s: float = 120  # ±2 min at the very next stop
    per_hour_s: float = 600  # +10 min per hour of horizon
    max_s: float = 1800  # never wider than ±30 min

    def half_width_s(self, horizon_s: float) -> float:
        return min(self.max_s, self.base_s + self.per_hour_s * max(0.0, horizon_s) / 3600)


def estimate(
    *,
    now: datetime,
    stops: Sequence[RemainingStop],
    leg_s: Sequence[float],
    speed_factor: float = 1.0,
    window: EtaWindow = EtaWindow(),
) -> list[StopEta]:
    """ETAs for the remaining stops in plan order; leg_s[i] is the provider's travel time into stops[i]."""
    _require_aware(now, "now")
    if len(leg_s) != len(stops):
        raise ValueError(f"{len(leg_s)} legs for {len(stops)} stops: one leg into each stop")
    if not (math.isfinite(speed_factor) and speed_factor > 0):
        raise ValueError(f"speed_factor must be a positive number, not {speed_factor}")
    etas: list[StopEta] = []
    clock_at = now  # when the driver leaves the previous stop (or now, from the current position)
    for index, (stop, travel_s) in enumerate(zip(stops, leg_s, strict=True)):
        if not (math.isfinite(travel_s) and travel_s >= 0):
            raise ValueError(f"leg {index} has no usable travel time: {travel_s}")
        if index == 0 and stop.arrived_at is not None:
            # The driver is dwelling here: the arrival is a fact, only the remaining dwell is estimated
            # (a dwell that overruns its service time ends no earlier than now).
            eta_at = stop.arrived_at
            service_start_at = _not_before(eta_at, stop.window_start_at)
            departure_at = max(now, service_start_at + timedelta(seconds=stop.service_s))
            # A known arrival has no uncertainty; the formula below would put earliest_at after eta_at.
            earliest_at = latest_at = eta_at
        else:
            eta_at = clock_at + timedelta(seconds=travel_s * speed_factor)
            if stop.break_s > 0:  # taken on the way, as the plan times it: from break_from, or once underway
                eta_at = max(eta_at, stop.break_from or eta_at) + timedelta(seconds=stop.break_s)
            service_start_at = _not_before(eta_at, stop.window_start_at)
            departure_at = service_start_at + timedelta(seconds=stop.service_s)
            half = timedelta(seconds=window.half_width_s((eta_at - now).total_seconds()))
            earliest_at, latest_at = max(now, eta_at - half), eta_at + half
        etas.append(
            StopEta(
                stop_id=stop.stop_id,
                order_id=stop.order_id,
                eta_at=eta_at,
                earliest_at=earliest_at,
                latest_at=latest_at,
                departure_at=departure_at,
                wait_s=(service_start_at - eta_at).total_seconds(),
            )
        )
        clock_at = departure_at
    return etas


def _not_before(at: datetime, window_start_at: datetime | None) -> datetime:
    """Service starts on arrival, or when the time window opens if the driver is early."""
    return at if window_start_at is None or at >= window_start_at else window_start_at


def _require_aware(at: datetime, name: str) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


class SpeedFactor:
    """A driver's observed / predicted travel time, learned leg by leg (EWMA), multiplied into every leg.

    alpha 0.3 follows a change of pace within a few legs without one odd leg (a missed turn, a
    level crossing) swinging every ETA; the clamp keeps a GPS glitch from making a driver 10x slow.
    """

    def __init__(
        self,
        value: float = 1.0,
        alpha: float = 0.3,
        low: float = 0.5,
        high: float = 2.5,
        min_leg_s: float = 60,
    ) -> None:
        if not 0 < low <= high:
            raise ValueError(f"need 0 < low <= high, got low={low}, high={high}")
        if not low <= value <= high:
            raise ValueError(f"value {value} is outside [{low}, {high}]")
        if not 0 < alpha <= 1:
            raise ValueError(f"alpha must be in (0, 1], not {alpha}")
        self.value = value
        self.alpha = alpha
        self.low = low
        self.high = high
        self.min_leg_s = min_leg_s  # shorter legs are mostly GPS and stop-detection noise
        self.samples = 0

    def observe(self, *, predicted_s: float, observed_s: float) -> float:
        """Blend in one completed leg and return the factor; short or nonsensical legs are ignored."""
        usable = math.isfinite(predicted_s) and math.isfinite(observed_s) and observed_s > 0
        if not usable or predicted_s <= 0 or predicted_s < self.min_leg_s:
            return self.value
        ratio = min(self.high, max(self.low, observed_s / predicted_s))
        blended = (1 - self.alpha) * self.value + self.alpha * ratio
        self.value = min(self.high, max(self.low, blended))
        self.samples += 1
        return self.value

    def __repr__(self) -> str:
        return f"SpeedFactor(value={self.value:.3f}, samples={self.samples})"


def moved(previous: datetime | None, current: datetime, threshold_s: float = 60) -> bool:
    """Whether an ETA moved enough to publish: smaller moves would only make the customer's screen flicker."""
    if previous is None:
        return True
    return abs((current - previous).total_seconds()) >= threshold_s
