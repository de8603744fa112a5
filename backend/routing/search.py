"""Doorstep's VROOM configuration for a time budget: which searches run, at which exploration level, for how long.

VROOM's timeout only cuts its local search: the construction heuristics always run, and at level L it splits
the timeout evenly over its 4 * (L + 1) (+4 at level 4, +8 at level 5) starts, so a high level under a short
timeout stops every start half-way and answers worse than a lower level that finishes. So the budget is spent
on searches that are expected to finish:

1. a probe at level 0 (4 starts, no ruin-and-recreate), capped at half the budget. Its time measures this
   problem on this machine under its current load, which the task count alone does not (windows, fleet
   size and the other work on the CPU matter as much);
2. the highest level whose full run is expected to fit in what is left, from the probe's time times
   LEVEL_COST below, with the rest of the budget as VROOM's timeout (a safety net, not the plan);
3. a polish of the best answer in what is left (an iterated local search with VROOM as its engine): take
   out a seeded random task and its RUIN_SIZE - 1 nearest neighbours, feed the rest back as each vehicle's
   steps (a warm start), re-solve at level 0 and keep the answer if it is cheaper. A warm-started solve
   of a 100-task day takes 30-60 ms, so a 1 s budget leaves room for about 10 of them;
4. the cheapest answer, fewer unassigned tasks first.

LEVEL_COST, the wall time of a full run at each level over that of level 0, measured on Solomon's
100-customer instances on the 2-core machine, 2 threads (bench/optimize.py; C101 / R101 / R205 / RC205 /
R210): level 1 1.7-2.7x, level 2 2.8-4.5x, level 3 4.0-7.7x, level 4 6.8-15x, level 5 11-21x. The upper
ends are used, so a chosen level finishes inside the budget. On the same machine a level-0 probe of a 100-task
Solomon day took 0.06-0.46 s (C1 fastest, R2 / RC2 slowest), so at a 1 s budget a 100-task day gets level 0-1
and the polish; a day of a few dozen tasks gets level 3-5. What a 1 s budget gives on the benchmarks, against
VROOM at level 5 and PyVRP, is in bench/README.md.

Deterministic enough to test: each solve is, and the polish draws its ruins from a fixed seed; what depends on
the clock is the level picked and the number of polish rounds, so a slower or busier machine gets fewer.
"""

from __future__ import annotations

import random
import time
from uuid import UUID

import numpy as np

from backend.routing.problem import PlanResult, Problem, solve

# wall time of a complete search at each exploration level over that of level 0 (upper end of the measured
# range, see the module docstring)
LEVEL_COST = (1.0, 2.7, 4.5, 7.7, 15.0, 21.0)
PROBE_SHARE = 0.5  # the level-0 probe never gets more than this share of the budget
DEEPER_SHARE = 0.5  # of what the probe leaves; the polish gets the rest
RUIN_SIZE = 8  # tasks taken out per polish round; on 12 Solomon instances 5 and 8 did about as well, 12 and 20 worse
SEED = 20261125
SAFETY_S = 0.02  # kept free at the end: reading the answer back and the thread hop take a few milliseconds


def _better(a: PlanResult, b: PlanResult) -> PlanResult:
    return a if (len(a.unassigned), a.cost) <= (len(b.unassigned), b.cost) else b


def level_that_fits(probe_s: float, remaining_s: float) -> int | None:
    """The highest level whose full search is expected to finish in remaining_s, or None if not even level 1."""
    fitting = [level for level in range(1, len(LEVEL_COST)) if probe_s * LEVEL_COST[level] <= remaining_s]
    return fitting[-1] if fitting else None


def _warm_start(problem: Problem, plan: PlanResult, removed: set[UUID]) -> dict[UUID, list[tuple[str, UUID]]]:
    """The plan's routes as VROOM steps, without the removed tasks (VROOM inserts them again)."""
    jobs = {t.order_id for t in problem.tasks if t.return_to_index is None and t.load_at_index is None}
    routes: dict[UUID, list[tuple[str, UUID]]] = {}
    for route in plan.routes:
        visits = []
        for step in route.steps:
            if step.order_id is None or step.order_id in removed:
                continue  # breaks too: VROOM places them again around the steps
            kind = "job" if step.order_id in jobs else step.kind
            visits.append((kind, step.order_id))
        routes[route.vehicle_id] = visits
    return routes


def _neighbourhood(problem: Problem, seed_task: int) -> set[UUID]:
    """A task and its RUIN_SIZE - 1 nearest tasks, by travel time both ways on the first vehicle's profile."""
    durations = problem.durations[problem.vehicles[0].profile]
    where = np.array([t.location_index for t in problem.tasks])
    centre = where[seed_task]
    closeness = durations[centre, where].astype(float) + durations[where, centre]
    nearest = np.argsort(closeness, kind="stable")[:RUIN_SIZE]
    return {problem.tasks[int(i)].order_id for i in nearest}


def _polish(problem: Problem, best: PlanResult, *, deadline: float, threads: int) -> tuple[PlanResult, int]:
    if len(problem.tasks) <= RUIN_SIZE:
        return best, 0  # one ruin would empty the day: the searches above already did that
    rng = random.Random(SEED)
    rounds = 0
    slowest_s = 0.0
    while time.perf_counter() + 1.5 * slowest_s < deadline - SAFETY_S:
        removed = _neighbourhood(problem, rng.randrange(len(problem.tasks)))
        started = time.perf_counter()
        try:
            candidate = solve(
                problem,
                exploration_level=0,
                timeout_s=max(deadline - started - SAFETY_S, 0.001),
                threads=threads,
                warm_start=_warm_start(problem, best, removed),
            )
        except (
            Exception
        ):  # VroomInputException (not exported): steps it refuses, e.g. max_travel_s on a non-metric matrix
            break
        slowest_s = max(slowest_s, time.perf_counter() - started)
        rounds += 1
        best = _better(candidate, best)
    return best, rounds


def solve_within_budget(
    problem: Problem,
    *,
    budget_s: float,
    threads: int = 1,
) -> PlanResult:
    """Blocking: call it through asyncio.to_thread. The best plan found in about budget_s seconds of wall time."""
    started = time.perf_counter()
    if not problem.tasks or not problem.vehicles:
        return PlanResult(routes=[], unassigned=[t.order_id for t in problem.tasks], cost=0, solve_ms=0)
    deadline = started + budget_s
    best = solve(problem, exploration_level=0, timeout_s=budget_s * PROBE_SHARE, threads=threads)
    probe_s = time.perf_counter() - started
    searches = [{"exploration_level": 0, "solve_ms": best.solve_ms, "cost": best.cost}]
    remaining_s = deadline - time.perf_counter() - SAFETY_S
    level = level_that_fits(probe_s, remaining_s * DEEPER_SHARE)
    if level is not None:
        deeper = solve(problem, exploration_level=level, timeout_s=remaining_s, threads=threads)
        searches.append({"exploration_level": level, "solve_ms": deeper.solve_ms, "cost": deeper.cost})
        best = _better(deeper, best)
    best, rounds = _polish(problem, best, deadline=deadline, threads=threads)
    searches.append({"polish_rounds": rounds, "cost": best.cost})
    best.solve_ms = round((time.perf_counter() - started) * 1000)
    best.extra["searches"] = searches
    return best
