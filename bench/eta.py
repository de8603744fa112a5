"""Benchmark: ETA accuracy of backend.tracking.eta in a simulation with noise, against the static plan.

Pure and fast: no server, no database. For each seed, R routes of S stops are drawn (seeded RNG):

  provider legs    3-12 min each (what the travel provider predicts)
  driver           a true speed factor per driver, uniform 0.8-1.4 (observed / provider)
  leg noise        each actual leg = provider x driver factor x lognormal(0, 0.15)
  traffic          with probability 0.10 a leg also gets a hold-up of 2-10 min at a random point of the leg
  service          planned 1-5 min per stop; the actual dwell is planned x lognormal(0, 0.30)
  time windows     25 % of stops get a 2 h window opening between 20 min before and 40 min after the stop's
                   static planned arrival (an early driver waits for it to open)

The drive is simulated; at 60, 30 and 10 minutes before each stop's actual arrival (those at or after the route
start) the stop's ETA is computed four ways:

  static plan      `estimate(now=route start, all stops, provider legs, speed_factor=1.0)`, computed once at the
                   start and never updated: what a customer had without live tracking (the peer)
  doorstep         `estimate(now, remaining stops in order, ...)` as backend.tracking.live does it: the first leg
                   is the provider's time from the driver's current position (the rest of the leg by distance;
                   a traffic hold-up stops the van, so it shows as no progress), the later legs the provider's;
                   the driver's `SpeedFactor` starts at 1.0 and is learned online with `observe()` after every
                   completed leg (leg start = departure from the previous stop); a driver dwelling at a stop is
                   passed as `arrived_at`
  doorstep warm    the same, the SpeedFactor carried over from one previous day of the same driver (the live
                   tracker loads the stored factor: the steady state after the first day)
  live, no factor  the same live recomputation with speed_factor 1.0: how much the learned factor adds

Reported per horizon: MAE (minutes) and the 90th percentile of the absolute error, the mean signed error
(positive = ETA later than the actual arrival), the ratio MAE doorstep / MAE static, and the window coverage:
how often the actual arrival falls inside [earliest_at, latest_at] of that estimate. Medians over the seeds.

Goal (the issue): MAE at 30 min <= 0.5x the static plan's.

    .venv/bin/python bench/eta.py [--routes 200] [--stops 15] [--seeds 5] [--quick]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from common import machine_info, run_line, write_results  # noqa: E402

from backend.tracking.eta import RemainingStop, SpeedFactor, StopEta, estimate  # noqa: E402

HORIZONS_MIN = (60, 30, 10)
GOAL_RATIO_AT_30 = 0.5
VARIANTS = ("static", "doorstep", "doorstep_warm", "live_no_factor")
LABELS = {
    "static": "static plan (peer)",
    "doorstep": "doorstep",
    "doorstep_warm": "doorstep warm factor",
    "live_no_factor": "live, factor 1.0",
}
START_AT = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)


@dataclass
class Route:
    factor: float
    provider_s: list[float]  # leg into stop i
    actual_leg_s: list[float]  # driven time of leg i, hold-up included
    hold_at: list[float]  # fraction of leg i's moving time after which the hold-up starts
    hold_s: list[float]
    planned_service_s: list[int]
    actual_service_s: list[float]
    stops: list[RemainingStop]  # all stops with their windows (arrived_at unset)
    arrive_at: list[datetime]  # simulated actual arrivals
    depart_at: list[datetime]


def draw_route(rng: random.Random, n_stops: int, factor: float, start_at: datetime) -> Route:
    provider = [rng.uniform(180, 720) for _ in range(n_stops)]
    hold_s = [rng.uniform(120, 600) if rng.random() < 0.10 else 0.0 for _ in range(n_stops)]
    hold_at = [rng.random() for _ in range(n_stops)]
    moving = [p * factor * rng.lognormvariate(0, 0.15) for p in provider]
    actual_leg = [m + h for m, h in zip(moving, hold_s, strict=True)]
    planned_service = [rng.randint(60, 300) for _ in range(n_stops)]
    actual_service = [s * rng.lognormvariate(0, 0.30) for s in planned_service]
    ids = [UUID(int=rng.getrandbits(128)) for _ in range(n_stops)]
    plain = [
        RemainingStop(stop_id=i, order_id=i, lat=0.0, lon=0.0, service_s=s)
        for i, s in zip(ids, planned_service, strict=True)
    ]
    static = estimate(now=start_at, stops=plain, leg_s=provider, speed_factor=1.0)
    stops = []
    for stop, eta in zip(plain, static, strict=True):
        if rng.random() < 0.25:
            opens = eta.eta_at + timedelta(minutes=rng.uniform(-20, 40))
            stops.append(
                RemainingStop(
                    stop_id=stop.stop_id,
                    order_id=stop.order_id,
                    lat=0.0,
                    lon=0.0,
                    service_s=stop.service_s,
                    window_start_at=opens,
                    window_end_at=opens + timedelta(hours=2),
                )
            )
        else:
            stops.append(stop)
    arrive, depart = [], []
    clock = start_at
    for i, stop in enumerate(stops):
        at = clock + timedelta(seconds=actual_leg[i])
        service_start = at if stop.window_start_at is None or at >= stop.window_start_at else stop.window_start_at
        clock = service_start + timedelta(seconds=actual_service[i])
        arrive.append(at)
        depart.append(clock)
    return Route(factor, provider, actual_leg, hold_at, hold_s, planned_service, actual_service, stops, arrive, depart)


def remaining_provider_s(route: Route, leg: int, elapsed_s: float) -> float:
    """The provider's time from the van's position, `elapsed_s` into leg `leg`: the rest of the leg by distance
    covered (the van moves at a steady pace and stands still during a hold-up)."""
    moving_s = route.actual_leg_s[leg] - route.hold_s[leg]
    hold_start = route.hold_at[leg] * moving_s
    if elapsed_s <= hold_start:
        moved = elapsed_s
    elif elapsed_s <= hold_start + route.hold_s[leg]:
        moved = hold_start
    else:
        moved = elapsed_s - route.hold_s[leg]
    done = min(1.0, moved / moving_s) if moving_s > 0 else 1.0
    return route.provider_s[leg] * (1 - done)


def live_eta(route: Route, stop: int, now: datetime, factor: float) -> StopEta:
    """`estimate` as the live tracker calls it at `now`, for stop `stop` (which is still ahead or being served)."""
    n = len(route.stops)
    # the stop the driver is heading to or dwelling at: the first one not yet departed
    current = next(i for i in range(n) if route.depart_at[i] > now)
    assert current <= stop
    if route.arrive_at[current] <= now:  # dwelling at `current`
        first = route.stops[current]
        stops = [
            RemainingStop(
                stop_id=first.stop_id,
                order_id=first.order_id,
                lat=0.0,
                lon=0.0,
                service_s=first.service_s,
                window_start_at=first.window_start_at,
                window_end_at=first.window_end_at,
                arrived_at=route.arrive_at[current],
            ),
            *route.stops[current + 1 :],
        ]
        legs = [0.0, *route.provider_s[current + 1 :]]
    else:
        leg_start = route.depart_at[current - 1] if current > 0 else START_AT
        stops = list(route.stops[current:])
        legs = [
            remaining_provider_s(route, current, (now - leg_start).total_seconds()),
            *route.provider_s[current + 1 :],
        ]
    etas = estimate(now=now, stops=stops, leg_s=legs, speed_factor=factor)
    return etas[stop - current]


def learned_factor(route: Route, before: datetime, start: float) -> float:
    """The driver's SpeedFactor at `before`, learned from every leg completed by then."""
    speed = SpeedFactor(value=start)
    for i in range(len(route.stops)):
        if route.arrive_at[i] > before:
            break
        leg_start = route.depart_at[i - 1] if i > 0 else START_AT
        speed.observe(predicted_s=route.provider_s[i], observed_s=(route.arrive_at[i] - leg_start).total_seconds())
    return speed.value


def run_seed(seed: int, n_routes: int, n_stops: int) -> dict[str, Any]:
    rng = random.Random(seed)
    errors: dict[str, dict[int, list[float]]] = {v: {h: [] for h in HORIZONS_MIN} for v in VARIANTS}
    covered: dict[str, dict[int, int]] = {v: dict.fromkeys(HORIZONS_MIN, 0) for v in VARIANTS}
    evaluations = dict.fromkeys(HORIZONS_MIN, 0)
    route_hours = []
    for _ in range(n_routes):
        factor = rng.uniform(0.8, 1.4)
        yesterday = draw_route(rng, n_stops, factor, START_AT)
        warm_start = learned_factor(yesterday, yesterday.depart_at[-1], 1.0)
        route = draw_route(rng, n_stops, factor, START_AT)
        route_hours.append((route.depart_at[-1] - START_AT).total_seconds() / 3600)
        static = estimate(now=START_AT, stops=route.stops, leg_s=route.provider_s, speed_factor=1.0)
        for stop in range(n_stops):
            actual = route.arrive_at[stop]
            for horizon in HORIZONS_MIN:
                now = actual - timedelta(minutes=horizon)
                if now < START_AT:
                    continue
                evaluations[horizon] += 1
                estimates = {
                    "static": static[stop],
                    "doorstep": live_eta(route, stop, now, learned_factor(route, now, 1.0)),
                    "doorstep_warm": live_eta(route, stop, now, learned_factor(route, now, warm_start)),
                    "live_no_factor": live_eta(route, stop, now, 1.0),
                }
                for variant, eta in estimates.items():
                    errors[variant][horizon].append((eta.eta_at - actual).total_seconds() / 60)
                    covered[variant][horizon] += eta.earliest_at <= actual <= eta.latest_at
    out: dict[str, Any] = {
        "seed": seed,
        "evaluations": evaluations,
        "route_hours_median": statistics.median(route_hours),
    }
    for variant in VARIANTS:
        out[variant] = {}
        for horizon in HORIZONS_MIN:
            errs = errors[variant][horizon]
            absolute = sorted(abs(e) for e in errs)
            out[variant][horizon] = {
                "mae_min": statistics.fmean(absolute) if absolute else math.nan,
                "p90_abs_min": absolute[int(0.9 * (len(absolute) - 1))] if absolute else math.nan,
                "bias_min": statistics.fmean(errs) if errs else math.nan,
                "window_coverage": covered[variant][horizon] / len(errs) if errs else math.nan,
            }
    return out


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for variant in VARIANTS:
        summary[variant] = {
            str(h): {
                key: statistics.median(r[variant][h][key] for r in runs)
                for key in ("mae_min", "p90_abs_min", "bias_min", "window_coverage")
            }
            for h in HORIZONS_MIN
        }
    summary["ratio_doorstep_over_static"] = {
        str(h): statistics.median(r["doorstep"][h]["mae_min"] / r["static"][h]["mae_min"] for r in runs)
        for h in HORIZONS_MIN
    }
    summary["ratio_warm_over_static"] = {
        str(h): statistics.median(r["doorstep_warm"][h]["mae_min"] / r["static"][h]["mae_min"] for r in runs)
        for h in HORIZONS_MIN
    }
    return summary


def table(summary: dict[str, Any], runs: list[dict[str, Any]]) -> str:
    lines = [
        f"{'estimate':<22} {'horizon':>7} {'MAE min':>8} {'p90 |err|':>9} {'bias min':>9} {'in window':>10}"
        f" {'vs static':>9}",
        "-" * 80,
    ]
    for h in HORIZONS_MIN:
        static_mae = summary["static"][str(h)]["mae_min"]
        for variant in VARIANTS:
            s = summary[variant][str(h)]
            lines.append(
                f"{LABELS[variant]:<22} {h:>4} min {s['mae_min']:>8.2f} {s['p90_abs_min']:>9.2f} "
                f"{s['bias_min']:>+9.2f} {s['window_coverage']:>9.1%} {s['mae_min'] / static_mae:>9.2f}"
            )
        lines.append(
            f"{'':<22} {'':>7} evaluations per seed (median): "
            f"{statistics.median(r['evaluations'][h] for r in runs):,.0f}"
        )
    ratio = summary["ratio_doorstep_over_static"]["30"]
    verdict = "met" if ratio <= GOAL_RATIO_AT_30 else "NOT met"
    lines.append(
        f"goal MAE at 30 min <= {GOAL_RATIO_AT_30}x static: {verdict} (doorstep/static = {ratio:.2f}, "
        f"with a warm factor {summary['ratio_warm_over_static']['30']:.2f}; median over {len(runs)} seeds)"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--routes", type=int, default=200)
    parser.add_argument("--stops", type=int, default=15)
    parser.add_argument("--seeds", type=int, default=5, help="independent runs (seeds 1..K); medians reported")
    parser.add_argument("--quick", action="store_true", help="40 routes, 2 seeds")
    args = parser.parse_args()
    if args.quick:
        args.routes, args.seeds = 40, 2
    started = time.perf_counter()
    runs = [run_seed(seed, args.routes, args.stops) for seed in range(1, args.seeds + 1)]
    summary = summarize(runs)
    report = {
        "benchmark": "ETA accuracy of backend.tracking.eta.estimate in simulation vs the static plan",
        "routes": args.routes,
        "stops": args.stops,
        "seeds": args.seeds,
        "goal": {"mae_30_ratio_max": GOAL_RATIO_AT_30},
        "machine": machine_info([]),
        "summary": summary,
        "runs": runs,
        "total_s": time.perf_counter() - started,
    }
    written = write_results("eta", report)
    print(f"{args.routes} routes x {args.stops} stops, {args.seeds} seeds; medians over the seeds\n")
    print(table(summary, runs))
    m = report["machine"]
    print("\n" + run_line(m, f"Python {m['python']}", report["total_s"], written, decimals=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
