"""Doorstep's VROOM configuration for a time budget: a level-0 VROOM solve, then an iterated local search with
VROOM as its engine on sub-problems of a few routes, in two chains when there are two threads.

1. a probe at level 0 (VROOM's 4 construction heuristics and their local searches, no ruin-and-recreate),
   capped at half the budget: 0.06-0.46 s for a 100-task Solomon day on the 2-core machine, 2 threads (C1
   fastest, R2 / RC2 slowest). Its 4 different starts matter: 2 searches instead of 4 (half the time, more
   polish) did worse (subset of 18 instances: 2.10 % vs 1.38 %).
2. no deeper level (DEEPER_SHARE = 0; level_that_fits and LEVEL_COST below say which level would fit, as
   measured: level L over level 0 took 2.7 / 4.5 / 7.7 / 15 / 21x for L = 1..5). At 1 s a 100-task day got
   level 0-1 from it, and the polish makes better use of that time.
3. the polish, until the deadline: a round takes a random task and, walking its nearest tasks, removes a
   string of 1-STRING_MAX consecutive stops around each from up to ROUTES_MAX routes (SISR-like, RUIN_MIN-
   RUIN_MAX tasks in all; a third route only while the round's tasks stay within SUB_TASKS_MAX), and re-solves
   just those routes' tasks on just those vehicles, plus one unused vehicle when there is one, as a sub-problem:
   one VROOM search warm-started with the ruined routes (VROOM inserts the removed tasks and runs its local
   search). The routes VROOM returns replace the old ones when the plan gets no new unassigned task and is
   no costlier than the best by more than the chain's record-to-record threshold, which decreases to 0 at
   the deadline; the best plan is always kept. Measured on Solomon's 100-task days (bench/optimize.py):
   a warm-started solve of the WHOLE plan takes 10-35 ms (of it 4 ms building the vroom.Input in Python,
   1 ms reading the answer; VROOM's local search is the rest, and its 4 searches from one warm start are
   identical, so 1 search costs the same); a sub-problem round of 2-4 routes takes a few ms, so the two
   chains run about 150-850 rounds in 1 s (R2 fewest, C1 most) where the whole-plan polish ran about 10.
   What makes the rounds cheap: VROOM's task objects, warm-start steps and matrices are made once (_Inputs) and a
   round's input adds them (it builds only its vehicles), and the plan keeps each route's tasks (_Plan.replaced);
   building every task again was about half of a round's Python. An unused vehicle in every sub-problem (it was in
   30 % of them) lets a pair of long routes become three: the distance-only best plans of R2 / RC2 use more vehicles
   than VROOM's (5.4 against 4.4 on R2). Measured on the 2x slower 2-CPU machine, Solomon at 1 s, 3 interleaved runs:
   mean gap 2.07 % before (151 rounds an instance), 1.80 % with the tasks' objects made once and no level-1 solves
   from scratch (464 rounds), 1.70 % with the unused vehicle too (437 rounds; 29 instances better, 8 worse); 3 more
   runs: 2.08 % before (158 rounds), 1.69 % (458), 1.64 % with the warm-start steps made once too (493 rounds; 31
   instances better, 7 worse). The level-1 solves from scratch, dropped, were on 30 % of the small sub-problems:
   35-55 ms each against 5-10 ms for a warm search, half the polish time on R2 / RC2. Tried and dropped too: the two
   chains swapping their best plans halfway and going on from the better (+0.00 +- 0.09 points, 56 pairs; +0.04 and
   +0.18 on R / RC); a level-0 probe capped at 0.3 of the budget instead of 0.5 (+0.13 on R / RC, 1 run); a third
   route in sub-problems of up to 60 tasks (-0.05, 1 run, R2 +0.5 with fewer rounds). A subclass of Problem that
   builds its own input (the bench's pickup-and-delivery problem) cannot be cut into sub-problems: its rounds
   re-solve the whole plan.
4. with threads >= 2, two chains with different seeds and thresholds (THRESHOLDS), the second in a forked
   process, and the better answer wins: pyvroom holds the GIL through a solve (two Python threads solving
   took as long as one after the other), so a thread would not run beside. The fork is cheap (copy on write)
   and the child exits as the deadline comes, before the answer is returned; in the server the solve already
   runs in a solver process (workers.py), which has no event loop or threads to trouble a fork.
5. on a day of long routes (SPREAD_FROM_STOPS stops or more per route of the probe's, and SPREAD_ROUTES vehicles to
   spare), the second chain starts from a spread plan instead of the probe's: a level-0 solve with every vehicle
   capped at an even share of the day's stops over SPREAD_ROUTES more routes than the probe made (_spread), solved in
   the second chain's process on one thread, so the first chain, which still starts from the probe's plan, never
   waits for it, and a child past the deadline is killed as before. It is no start when it leaves more tasks
   unassigned than the probe or costs over SPREAD_COST_MAX times as much. Why: on R2 / RC2 the probe makes 3-5 routes
   of 20-33 stops, fewer than the distance-only best plans use (5.4 on R2), and the polish could not leave that
   basin: one chain polished for 3 s stalled at 3-10 % on R206, R209, RC206, RC208. Polished 0.6 s from a start on 2
   more routes, the same chain ended at 2.32 % mean on R2 + RC2 against 3.99 % from the probe's start (19 instances;
   1 more route: 3.07 %), and a capped solve is 2-5x faster (0.06-0.19 s against 0.2-0.57 s: shorter routes for
   VROOM's local search). At 1 s, 2 interleaved runs each: R2 + RC2 3.3 % -> 1.6 %. Measured beside it: the first
   chain from the spread start and the second from the probe's, 1.9 %; both chains from spread starts (3 and 2 more
   routes), R2 2.1 % against 1.6; 3 more routes, R2 even (1.7 against 1.8) and RC2 worse (1.5 against 1.1); 1 more
   route, R2 2.1 and RC2 2.1. On short routes (C1, R1, RC1) it did nothing good (R1 +0.07, within the noise), hence
   SPREAD_FROM_STOPS. Nor on C2 (tight clusters, 3 routes of 33 stops), where a spread plan costs 1.16-1.29x the
   probe's (0.93-1.08x on R2 / RC2) and the second chain's rounds, spent on it, no longer found C204's better plan
   (4.51 % against 1.01 or 0), hence SPREAD_COST_MAX. One chain (threads=1) keeps the probe's start.

What a 1 s budget gives on the benchmarks, against VROOM at level 5 and PyVRP, is in bench/README.md
(2026-11-27 run, 1 s, 2 threads: Solomon mean gap 1.15 %, 0.95-0.99 % in 3 doorstep-only runs; VROOM x5 1.63 % in
2.15 s, PyVRP 0.90 %; it was 1.48 % before the spread start, 1.92 % before the rounds got cheaper, 3.52 % before the
sub-problem search).

Deterministic enough to test: each solve is, and each chain draws its ruins from a fixed seed; what depends on
the clock is the number of rounds, so a slower or busier machine gets fewer.
"""

from __future__ import annotations

import copy
import math
import os
import pickle
import random
import select
import signal
import time
from dataclasses import dataclass, replace
from uuid import UUID

import numpy as np
import structlog
import vroom

from backend.routing.problem import PlanResult, Problem, RouteResult, solve, solve_warm

log = structlog.get_logger(__name__)

# wall time of a complete search at each exploration level over that of level 0 (upper end of the measured
# range, see the module docstring)
LEVEL_COST = (1.0, 2.7, 4.5, 7.7, 15.0, 21.0)
PROBE_SHARE = 0.5  # the level-0 probe never gets more than this share of the budget
DEEPER_SHARE = 0.0  # of what the probe leaves, for a deeper level; 0: none, the polish gets it all (measured)
RUIN_MIN, RUIN_MAX = 5, 25  # tasks taken out per round, drawn uniformly (5-15 did worse on R2 / RC2)
STRING_MAX = 20  # longest string of consecutive stops taken out of one route
ROUTES_MAX = 4  # routes ruined (and re-solved) in one round at most
SUB_TASKS_MAX = 40  # a third or later route joins a round only while its sub-problem stays within this many tasks
THRESHOLDS = (0.0, 0.005)  # record-to-record acceptance of each chain (above the best, decreasing to 0)
SEED = 20261125
CHILD_GRACE_S = 0.5  # past the deadline, the second chain's process is waited for this long, then killed
SAFETY_S = 0.02  # kept free at the end: reading the answer back and the thread hop take a few milliseconds
FAILED_ROUNDS_MAX = 50  # rounds in a row that VROOM refuses (input errors) before the polish stops
SPREAD_ROUTES = 2  # the second chain's start: a level-0 solve on this many more routes than the probe's
SPREAD_FROM_STOPS = 12  # ... when the day has this many stops per probe route or more (R2 / RC2, real vans)
SPREAD_SHARE = 0.5  # of the time the probe leaves, the spread solve's local search limit (its heuristics always run)
SPREAD_COST_MAX = 1.12  # a spread plan costlier than this times the probe's is no start (clustered days: C2 1.16-1.29)

Spread = dict[str, int] | None  # a spread solve as the plan's `searches` record it; None: the solve did not apply


def _better(a: PlanResult, b: PlanResult) -> PlanResult:
    return a if (len(a.unassigned), a.cost) <= (len(b.unassigned), b.cost) else b


def level_that_fits(probe_s: float, remaining_s: float) -> int | None:
    """The highest level whose full search is expected to finish in remaining_s, or None if not even level 1."""
    fitting = [level for level in range(1, len(LEVEL_COST)) if probe_s * LEVEL_COST[level] <= remaining_s]
    return fitting[-1] if fitting else None


@dataclass
class _Plan:
    """A plan as routes by vehicle (used vehicles only), the tasks no route serves and its cost, with each route's
    tasks in order (stops) and each served task's vehicle (route_of) kept beside: every round's ruin reads them,
    and a round changes a few routes of many, so `replaced` updates them instead of reading every route again."""

    routes: dict[UUID, RouteResult]
    unassigned: set[UUID]
    stops: dict[UUID, list[UUID]]
    route_of: dict[UUID, UUID]
    cost: int

    @classmethod
    def of(cls, routes: dict[UUID, RouteResult], unassigned: set[UUID]) -> _Plan:
        stops = {v: _tasks_of(r) for v, r in routes.items()}
        route_of = {t: v for v, tasks in stops.items() for t in tasks}
        return cls(routes, unassigned, stops, route_of, sum(r.cost for r in routes.values()))

    def replaced(self, vehicles: list[UUID], routes: list[RouteResult], unassigned: set[UUID]) -> _Plan:
        """This plan with the routes of `vehicles` (used or not) replaced by `routes`, and these unassigned."""
        new_routes, stops, route_of, cost = dict(self.routes), dict(self.stops), dict(self.route_of), self.cost
        for vehicle in vehicles:
            old = new_routes.pop(vehicle, None)
            if old is not None:
                cost -= old.cost
                for task in stops.pop(vehicle):
                    del route_of[task]
        for route in routes:
            new_routes[route.vehicle_id] = route
            cost += route.cost
            stops[route.vehicle_id] = _tasks_of(route)
            for task in stops[route.vehicle_id]:
                route_of[task] = route.vehicle_id
        return _Plan(new_routes, unassigned, stops, route_of, cost)

    def key(self) -> tuple[int, int]:
        return len(self.unassigned), self.cost


def _visits(route: RouteResult, jobs: set[UUID], removed: set[UUID]) -> list[tuple[str, UUID]]:
    """A route's stops as VROOM steps, without the removed tasks (breaks too: VROOM places them again)."""
    return [
        ("job" if s.order_id in jobs else s.kind, s.order_id)
        for s in route.steps
        if s.order_id is not None and s.order_id not in removed
    ]


def _cuttable(problem: Problem) -> bool:
    """Whether the problem's input is Problem.build's, which the search can cut into sub-problems and give other
    vehicles; a subclass that builds its own (the bench's pickup-and-delivery problem) cannot be."""
    return type(problem).build is Problem.build


def _tasks_of(route: RouteResult) -> list[UUID]:
    """The route's tasks in visiting order, each once (a shipment's first step counts)."""
    seen: dict[UUID, None] = {}
    for s in route.steps:
        if s.order_id is not None:
            seen.setdefault(s.order_id, None)
    return list(seen)


JOB_STEPS = (("job", "single"),)  # our visit kinds of a task as VROOM's step types (Problem._steps)
SHIPMENT_STEPS = (("pickup", "pickup"), ("delivery", "delivery"))


class _Inputs:
    """VROOM's objects for every task of the problem (and its warm-start steps), numbered as in the whole problem,
    and its matrices as VROOM reads them, made once: building them again in every round's input took about half of a
    warm-started round (Solomon, 2-4 routes: ~1.5 ms of Python around a 2-5 ms search)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.numbers = {t.order_id: number for number, t in enumerate(problem.tasks, start=1)}
        self.vehicle_numbers = {v.vehicle_id: number for number, v in enumerate(problem.vehicles, start=1)}
        self.tasks = [problem.vroom_task(number, t) for number, t in enumerate(problem.tasks, start=1)]
        self.steps = {
            (kind, t.order_id): vroom.VehicleStep(vroom_kind, self.numbers[t.order_id])
            for t in problem.tasks
            for kind, vroom_kind in (SHIPMENT_STEPS if t.is_shipment else JOB_STEPS)
        }
        self.ends = vroom.VehicleStep("start"), vroom.VehicleStep("end")
        profiles = {v.profile for v in problem.vehicles}
        self.durations = {p: np.ascontiguousarray(problem.durations[p], dtype=np.uint32) for p in profiles}
        self.distances = {p: np.ascontiguousarray(problem.distances[p], dtype=np.uint32) for p in profiles}

    def warm_steps(self, visits: list[tuple[str, UUID]] | None) -> list[vroom.VehicleStep]:
        """A vehicle's warm start as VROOM steps, from the steps made once (as Problem._steps makes them)."""
        if not visits:
            return []
        start, end = self.ends
        return [start, *(self.steps[visit] for visit in visits), end]


class _SubProblem(Problem):
    """Some vehicles and tasks of a problem, with the whole problem's numbering: its input is made of the objects
    _Inputs keeps, and VROOM's answer is read back by Problem.read against the whole problem's lists."""

    def __init__(self, inputs: _Inputs, vehicles: list[UUID], tasks: list[UUID]) -> None:
        # the whole problem's lists, matrices and skill numbers, shared (not Problem.__init__: a round would copy
        # the lists and number the skills again, and the cached vehicles' skills must keep the same numbers)
        whole = inputs.problem
        self.vehicles, self.tasks = whole.vehicles, whole.tasks
        self.durations, self.distances = whole.durations, whole.distances
        self.skill_ids = whole.skill_ids
        self.inputs = inputs
        chosen = set(vehicles)
        self.chosen_vehicles = [v for v in whole.vehicles if v.vehicle_id in chosen]  # in the problem's order
        self.chosen_tasks = tasks

    def build(self, warm_start: dict[UUID, list[tuple[str, UUID]]] | None = None) -> vroom.Input:
        inputs = self.inputs
        problem = vroom.Input()
        for profile in sorted({v.profile for v in self.chosen_vehicles}):
            problem.set_durations_matrix(profile, inputs.durations[profile])
            problem.set_distances_matrix(profile, inputs.distances[profile])
        for v in self.chosen_vehicles:
            steps = inputs.warm_steps(warm_start.get(v.vehicle_id)) if warm_start else []
            problem.add_vehicle(self.vroom_vehicle(inputs.vehicle_numbers[v.vehicle_id], v, steps))
        for task in self.chosen_tasks:
            problem.add_job(inputs.tasks[inputs.numbers[task] - 1])
        return problem


class _Polish:
    """Iterated local search with VROOM as the engine, on sub-problems of a few routes (see the docstring)."""

    def __init__(self, problem: Problem, seed: int) -> None:
        self.problem = problem
        self.rng = random.Random(seed)
        self.ids = [t.order_id for t in problem.tasks]
        self.jobs = {t.order_id for t in problem.tasks if not t.is_shipment}
        durations = problem.durations[problem.vehicles[0].profile]
        where = np.array([t.location_index for t in problem.tasks])
        between = durations[np.ix_(where, where)].astype(float)
        closeness = between + between.T
        self.neighbours: list[list[int]] = np.argsort(closeness, axis=1, kind="stable").tolist()
        # a subclass that builds its own input (the bench's pickup-and-delivery problem) gets whole-plan rounds
        self.split = _cuttable(problem)
        self.inputs = _Inputs(problem) if self.split else None

    def sub_problem(self, vehicles: list[UUID], tasks: list[UUID]) -> Problem:
        if self.inputs is None:
            return self.problem
        return _SubProblem(self.inputs, vehicles, tasks)

    def ruin(self, plan: _Plan) -> tuple[list[UUID], set[UUID]]:
        """Strings of consecutive stops from up to ROUTES_MAX routes near a random task: (routes, removed)."""
        rng = self.rng
        size = rng.randint(RUIN_MIN, RUIN_MAX)
        route_of = plan.route_of
        seed = rng.randrange(len(self.ids))
        ruined: list[UUID] = []
        removed: set[UUID] = set()
        sub_tasks = 0
        for index in self.neighbours[seed]:
            if len(removed) >= size:
                break
            task = self.ids[index]
            if task in removed:
                continue
            if task in plan.unassigned:
                removed.add(task)
                continue
            vehicle = route_of[task]
            if vehicle in ruined:
                continue
            stops = plan.stops[vehicle]
            if self.split and (
                len(ruined) >= ROUTES_MAX or (len(ruined) >= 2 and sub_tasks + len(stops) > SUB_TASKS_MAX)
            ):
                continue
            sub_tasks += len(stops)
            length = rng.randint(1, min(STRING_MAX, len(stops), max(size - len(removed), 1)))
            at = stops.index(task)
            first = rng.randint(max(0, at - length + 1), min(at, len(stops) - length))
            removed.update(stops[first : first + length])
            ruined.append(vehicle)
        return ruined, removed

    def round(self, plan: _Plan, *, timeout_s: float) -> _Plan | None:
        """One ruin and re-solve; the new plan, or None if VROOM gave a worse or incomplete one."""
        ruined, removed = self.ruin(plan)
        if not self.split:
            ruined = list(plan.routes)
        vehicles = list(ruined)
        if self.split:  # and an unused vehicle, if any: see the module docstring (3.)
            unused = [v.vehicle_id for v in self.problem.vehicles if v.vehicle_id not in plan.routes]
            if unused:
                vehicles.append(unused[self.rng.randrange(len(unused))])
        tasks = [t for v in ruined for t in plan.stops[v]]
        tasks += sorted((removed & plan.unassigned) if self.split else plan.unassigned, key=str)
        sub = self.sub_problem(vehicles, tasks)
        warm = {v: _visits(plan.routes[v], self.jobs, removed) for v in ruined}
        # one VROOM search (no ruin-and-recreate of its own) from the ruined routes
        answer = solve_warm(sub, warm, exploration_level=0, timeout_s=timeout_s, threads=1, searches=1)
        before_out = (removed & plan.unassigned) if self.split else plan.unassigned
        if not set(answer.unassigned) <= before_out:
            return None
        unassigned = (plan.unassigned - before_out) | set(answer.unassigned)
        return plan.replaced(vehicles, answer.routes, unassigned)


def _polish(problem: Problem, best: PlanResult, *, deadline: float, chain: int = 0) -> tuple[PlanResult, int]:
    """One chain: ruin and re-solve until the deadline, the best plan seen and the rounds run."""
    if len(problem.tasks) <= RUIN_MIN:
        return best, 0  # one ruin would empty the day: the searches above already did that
    search = _Polish(problem, SEED + chain)
    current = _Plan.of({r.vehicle_id: r for r in best.routes}, set(best.unassigned))
    record = current
    started = time.perf_counter()
    span = max(deadline - SAFETY_S - started, 1e-3)
    rounds = failures = 0
    while (now := time.perf_counter()) < deadline - SAFETY_S:
        try:
            candidate = search.round(current, timeout_s=max(deadline - now - SAFETY_S, 0.001))
        except Exception:  # VroomInputException (not exported): steps it refuses, e.g. max_travel_s
            failures += 1
            if failures >= FAILED_ROUNDS_MAX:
                break
            continue
        failures = 0
        rounds += 1
        if candidate is None:
            continue
        threshold = THRESHOLDS[chain % len(THRESHOLDS)] * max(0.0, 1 - (time.perf_counter() - started) / span)
        if candidate.key() < record.key():
            record = current = candidate
        elif len(candidate.unassigned) <= len(current.unassigned) and candidate.cost <= record.cost * (1 + threshold):
            current = candidate
    if record.key() >= (len(best.unassigned), best.cost):
        return best, rounds
    order = {v.vehicle_id: n for n, v in enumerate(problem.vehicles)}
    routes = sorted(record.routes.values(), key=lambda r: order[r.vehicle_id])
    return PlanResult(
        routes=routes, unassigned=sorted(record.unassigned, key=str), cost=record.cost, solve_ms=best.solve_ms
    ), rounds


def _polish_in_parallel(problem: Problem, best: PlanResult, *, deadline: float) -> tuple[PlanResult, int, Spread]:
    """Two polish chains with different seeds, one in a forked process (pyvroom holds the GIL through a solve,
    so a thread would not run beside), the cheaper answer wins. The first chain starts from best; the second from
    its spread plan when there is one (solved in the child, so the first chain never waits for it, and a child
    overrunning the deadline is killed as before), else from best. Also what the spread solve was, if it ran."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its chain, its answer pickled down the pipe, and out without any cleanup
        status = 1
        try:
            os.close(read_end)
            spread, entry = _spread(problem, best, timeout_s=(deadline - time.perf_counter() - SAFETY_S) * SPREAD_SHARE)
            answer = pickle.dumps(
                (*_polish(problem, best if spread is None else spread, deadline=deadline, chain=1), entry)
            )
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(answer)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    data = b""
    try:
        mine, rounds = _polish(problem, best, deadline=deadline, chain=0)
    finally:
        data, exited = _collect(pid, read_end, wait_until=deadline + CHILD_GRACE_S)
    if not exited or not data:
        log.warning("second_search_chain_lost", exited=exited)  # this chain's answer stands
        return mine, rounds, None
    try:
        theirs, their_rounds, entry = pickle.loads(data)  # noqa: S301 (our own child wrote it)
    except Exception:
        log.warning("second_search_chain_unreadable", exc_info=True)
        return mine, rounds, None
    return _better(mine, theirs), rounds + their_rounds, entry


def _collect(pid: int, read_end: int, *, wait_until: float) -> tuple[bytes, bool]:
    """The child's answer and whether it exited cleanly; a child still running at `wait_until` (VROOM's timeout is
    not a hard limit) is killed, so a solver process is never stuck behind it."""
    chunks: list[bytes] = []
    try:
        while True:
            left = wait_until - time.perf_counter()
            if left <= 0 or not select.select([read_end], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                break
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
    return b"".join(chunks), os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def _spread(problem: Problem, best: PlanResult, *, timeout_s: float) -> tuple[PlanResult | None, Spread]:
    """The second chain's start on days of long routes (see the module docstring, 5.): a level-0 solve on one thread
    with every vehicle capped at an even share of the day's stops over SPREAD_ROUTES more routes than best has.
    (plan, entry): the plan, or None when the solve does not apply (short routes, not enough vehicles, no time, a
    problem that builds its own input) or its plan leaves more tasks unassigned than best or costs more than
    SPREAD_COST_MAX times as much; the entry for `searches`, or None when it did not apply."""
    routes = len(best.routes) + SPREAD_ROUTES
    # every task of the day, served or not; VROOM counts a shipment's pickup and delivery as two of a vehicle's tasks
    stops = sum(2 if t.is_shipment else 1 for t in problem.tasks)
    if (
        not best.routes
        or stops < SPREAD_FROM_STOPS * len(best.routes)
        or routes > len(problem.vehicles)
        or timeout_s <= 0
        or not _cuttable(problem)
    ):
        return None, None
    cap = math.ceil(stops / routes)
    spread = copy.copy(problem)
    spread.vehicles = [
        replace(v, max_tasks=cap if v.max_tasks is None else min(cap, v.max_tasks)) for v in problem.vehicles
    ]
    answer = solve(spread, exploration_level=0, timeout_s=timeout_s, threads=1)
    used = len(answer.unassigned) <= len(best.unassigned) and answer.cost <= SPREAD_COST_MAX * best.cost
    entry = {"spread_routes": len(answer.routes), "solve_ms": answer.solve_ms, "cost": answer.cost, "used": int(used)}
    return (answer if used else None), entry


def solve_within_budget(
    problem: Problem,
    *,
    budget_s: float,
    threads: int = 1,
) -> PlanResult:
    """Blocking: call it in a solver process (workers.run), never in the server's (asyncio.to_thread would fork
    the server, its event loop and database threads, when threads >= 2). The best plan found in about budget_s
    seconds of wall time."""
    started = time.perf_counter()
    if not problem.tasks or not problem.vehicles:
        return PlanResult(routes=[], unassigned=[t.order_id for t in problem.tasks], cost=0, solve_ms=0)
    deadline = started + budget_s
    best = solve(problem, exploration_level=0, timeout_s=budget_s * PROBE_SHARE, threads=threads)
    probe_s = time.perf_counter() - started
    searches: list[dict[str, int]] = [{"exploration_level": 0, "solve_ms": best.solve_ms, "cost": best.cost}]
    remaining_s = deadline - time.perf_counter() - SAFETY_S
    level = level_that_fits(probe_s, remaining_s * DEEPER_SHARE)
    if level is not None:
        deeper = solve(problem, exploration_level=level, timeout_s=remaining_s, threads=threads)
        searches.append({"exploration_level": level, "solve_ms": deeper.solve_ms, "cost": deeper.cost})
        best = _better(deeper, best)
    if threads < 2 or not hasattr(os, "fork"):  # one chain, from the probe's plan
        best, rounds = _polish(problem, best, deadline=deadline)
    else:
        best, rounds, spread_entry = _polish_in_parallel(problem, best, deadline=deadline)
        if spread_entry is not None:
            searches.append(spread_entry)
    searches.append({"polish_rounds": rounds, "cost": best.cost})
    best.solve_ms = round((time.perf_counter() - started) * 1000)
    best.extra["searches"] = searches
    return best
