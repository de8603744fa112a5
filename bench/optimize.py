"""Benchmark: route quality in a time budget on Solomon (VRPTW) and Li & Lim (PDPTW), against VROOM x5 and PyVRP.

For each instance, in the same run:
  doorstep    backend.routing.search.solve_within_budget at --budget seconds, --threads threads
  vroom x5    backend.routing.problem.solve at exploration level 5 with no timeout, --threads threads
  pyvrp       pyvrp.solve with MaxRuntime(--budget), seed 0 (PyVRP runs on one thread)
Gaps are to the best-known distance: for Solomon the distance-only best known (the least total distance,
whatever the vehicles), for Li & Lim the vroom-scripts BKS (fewest vehicles first, then distance; it agrees
with the SINTEF table), both from ../shared/bench/data/bks/vroom_scripts_bks.csv.

Integer costs: Euclidean distances x100, rounded, are every solver's travel times and costs; service times
and windows x100. Distances reported are recomputed from the unrounded Euclidean distances of the returned
routes, and every answer is checked in double precision: capacity, windows (a lateness within the rounding
of the legs driven so far, 0.005 a leg, is allowed and its maximum reported), depot return, every task served
once, pickups before their deliveries on the same route.

    .venv/bin/python bench/optimize.py [--data DIR] [--instances C101,lr104,...] [--budget S] [--repeat K]
                                       [--threads N] [--only doorstep,vroom5,pyvrp]

Needs the `bench` extra (pyvrp, vrplib). Results: a table on stdout and bench/results/optimize.json.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pyvrp  # noqa: E402
import vroom  # noqa: E402
import vrplib  # noqa: E402
from common import machine_info, run_line, write_results  # noqa: E402
from pyvrp.stop import MaxRuntime  # noqa: E402

from backend.routing.problem import PlanResult, Problem, TaskInput, VehicleInput, solve  # noqa: E402
from backend.routing.search import solve_within_budget  # noqa: E402

DEFAULT_DATA = (ROOT.parent / "shared" / "bench" / "data").resolve()
PACKAGES = ("pyvroom", "pyvrp", "vrplib", "numpy")
SCALE = 100
ROUNDING_PER_LEG = 0.5 / SCALE  # a rounded leg is at most this much shorter than the true one
GOAL_SOLOMON_GAP_PCT = 1.3
SOLVERS = ("doorstep", "vroom5", "pyvrp")


# ---------------------------------------------------------------- instances


@dataclass
class Instance:
    """Node 0 is the depot. pairs: (pickup node, delivery node) for PDPTW, empty for VRPTW."""

    name: str
    benchmark: str  # solomon | li_lim
    family: str
    vehicles: int
    capacity: int
    xy: np.ndarray
    demand: np.ndarray
    windows: np.ndarray
    service: np.ndarray
    pairs: list[tuple[int, int]] = field(default_factory=list)
    bks_distance: float = float("nan")
    bks_vehicles: int = 0

    @property
    def euclid(self) -> np.ndarray:
        delta = self.xy[:, None, :] - self.xy[None, :, :]
        return np.asarray(np.hypot(delta[..., 0], delta[..., 1]))

    @property
    def scaled(self) -> np.ndarray:
        return np.asarray(np.rint(self.euclid * SCALE).astype(np.int64))

    @property
    def task_nodes(self) -> list[int]:
        return [p for p, _ in self.pairs] if self.pairs else list(range(1, len(self.xy)))


def read_solomon(path: Path) -> Instance:
    data = vrplib.read_instance(path, instance_format="solomon")
    return Instance(
        name=path.stem.upper(),
        benchmark="solomon",
        family=path.stem.upper()[:-2],
        vehicles=int(data["vehicles"]),
        capacity=int(data["capacity"]),
        xy=np.asarray(data["node_coord"], dtype=float),
        demand=np.asarray(data["demand"], dtype=np.int64),
        windows=np.asarray(data["time_window"], dtype=np.int64),
        service=np.asarray(data["service_time"], dtype=np.int64),
    )


def read_li_lim(path: Path) -> Instance:
    """`K Q S`, then `id x y demand earliest latest service pickup delivery` per node (Li & Lim's format)."""
    lines = [line.split() for line in path.read_text().splitlines() if line.strip()]
    vehicles, capacity = int(lines[0][0]), int(lines[0][1])
    rows = np.array([[float(v) for v in line] for line in lines[1:]])
    pairs = [(int(r[0]), int(r[8])) for r in rows if r[3] > 0]
    return Instance(
        name=path.stem.lower(),
        benchmark="li_lim",
        family=path.stem.lower()[:-2],
        vehicles=vehicles,
        capacity=capacity,
        xy=rows[:, 1:3],
        demand=rows[:, 3].astype(np.int64),
        windows=rows[:, 4:6].astype(np.int64),
        service=rows[:, 6].astype(np.int64),
        pairs=pairs,
    )


def load_instances(data_dir: Path, wanted: set[str] | None) -> list[Instance]:
    bks = {}
    with (data_dir / "bks" / "vroom_scripts_bks.csv").open() as f:
        for row in csv.DictReader(f):
            if row["set"] == "solomon":
                bks[row["instance"].upper()] = (float(row["bks_distance_only"]), int(row["bks_distance_only_vehicles"]))
            elif row["set"] == "li_lim_100":
                bks[row["instance"].lower()] = (float(row["bks_distance"]), int(row["bks_vehicles"]))
    instances = [read_solomon(p) for p in sorted((data_dir / "solomon" / "txt").glob("*.txt"))]
    instances += [read_li_lim(p) for p in sorted((data_dir / "li_lim_100").glob("*.txt"))]
    if wanted:
        instances = [i for i in instances if i.name.lower() in wanted or i.family.lower() in wanted]
    for instance in instances:
        instance.bks_distance, instance.bks_vehicles = bks[instance.name]
    return instances


# ---------------------------------------------------------------- Doorstep's problem


class PickupDeliveryProblem(Problem):
    """Li & Lim's pairs as VROOM shipments with a window and a service time at both ends.

    Doorstep's own shipments have a window at one end only (returns, loads fetched at a depot), so the input
    is built here; the tasks keep Doorstep's shape, with return_to_index naming the delivery node, so
    Problem.read and the search's warm starts map the answer back unchanged."""

    def __init__(self, instance: Instance, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.instance = instance

    def build(self, warm_start: dict[uuid.UUID, list[tuple[str, uuid.UUID]]] | None = None) -> vroom.Input:
        i = self.instance
        numbers = {t.order_id: number for number, t in enumerate(self.tasks, start=1)}
        vroom_input = vroom.Input()
        vroom_input.set_durations_matrix("car", self.durations["car"].astype(np.uint32))
        vroom_input.set_distances_matrix("car", self.distances["car"].astype(np.uint32))
        for number, v in enumerate(self.vehicles, start=1):
            visits = (warm_start or {}).get(v.vehicle_id) or []
            steps = [vroom.VehicleStep(kind, numbers[order_id]) for kind, order_id in visits]
            vroom_input.add_vehicle(
                vroom.Vehicle(
                    number,
                    start=v.start_index,
                    end=v.end_index,
                    capacity=list(v.capacity),
                    time_window=vroom.TimeWindow(*v.shift),
                    steps=[vroom.VehicleStep("start"), *steps, vroom.VehicleStep("end")] if steps else [],
                )
            )
        for number, (pickup, delivery) in enumerate(i.pairs, start=1):
            vroom_input.add_shipment(
                vroom.ShipmentStep(
                    number,
                    location=pickup,
                    default_service=int(i.service[pickup]) * SCALE,
                    time_windows=[vroom.TimeWindow(*(int(w) * SCALE for w in i.windows[pickup]))],
                ),
                vroom.ShipmentStep(
                    number,
                    location=delivery,
                    default_service=int(i.service[delivery]) * SCALE,
                    time_windows=[vroom.TimeWindow(*(int(w) * SCALE for w in i.windows[delivery]))],
                ),
                amount=vroom.Amount([int(i.demand[pickup]), 0, 0]),
            )
        return vroom_input


def doorstep_problem(instance: Instance) -> Problem:
    i = instance
    matrix = {"car": i.scaled}
    vehicles = [
        VehicleInput(
            vehicle_id=uuid.UUID(int=number),
            profile="car",
            start_index=0,
            end_index=0,
            capacity=(i.capacity, 0, 0),
            skills=frozenset(),
            shift=(int(i.windows[0][0]) * SCALE, int(i.windows[0][1]) * SCALE),
        )
        for number in range(1, i.vehicles + 1)
    ]
    tasks = [
        TaskInput(
            order_id=uuid.UUID(int=100_000 + node),
            location_index=node,
            service_s=int(i.service[node]) * SCALE,
            amount=(int(i.demand[node]), 0, 0),
            windows=((int(i.windows[node][0]) * SCALE, int(i.windows[node][1]) * SCALE),),
            return_to_index=dict(i.pairs).get(node),
        )
        for node in i.task_nodes
    ]
    if i.pairs:
        return PickupDeliveryProblem(i, vehicles=vehicles, tasks=tasks, durations=matrix, distances=matrix)
    return Problem(vehicles=vehicles, tasks=tasks, durations=matrix, distances=matrix)


def plan_routes(result: PlanResult) -> list[list[int]]:
    return [[s.location_index for s in r.steps if s.kind in ("delivery", "pickup")] for r in result.routes]


# ---------------------------------------------------------------- PyVRP


def pyvrp_data(instance: Instance) -> tuple[pyvrp.ProblemData, Callable[[Any], list[list[int]]]]:
    i = instance
    locations = [pyvrp.Location(float(x), float(y)) for x, y in i.xy]
    depot = pyvrp.Depot(0, tw_early=int(i.windows[0][0]) * SCALE, tw_late=int(i.windows[0][1]) * SCALE)
    vehicle_type = pyvrp.VehicleType(
        i.vehicles, capacity=[i.capacity], tw_early=int(i.windows[0][0]) * SCALE, tw_late=int(i.windows[0][1]) * SCALE
    )

    def window(node: int) -> dict[str, int]:
        return {"tw_early": int(i.windows[node][0]) * SCALE, "tw_late": int(i.windows[node][1]) * SCALE}

    clients: list[pyvrp.Client] = []
    shipments: list[pyvrp.Shipment] = []
    if i.pairs:
        for p, d in i.pairs:
            shipments.append(
                pyvrp.Shipment(
                    p,
                    d,
                    pickup_tw_early=int(i.windows[p][0]) * SCALE,
                    pickup_tw_late=int(i.windows[p][1]) * SCALE,
                    pickup_service_duration=int(i.service[p]) * SCALE,
                    delivery_tw_early=int(i.windows[d][0]) * SCALE,
                    delivery_tw_late=int(i.windows[d][1]) * SCALE,
                    delivery_service_duration=int(i.service[d]) * SCALE,
                    amount=[int(i.demand[p])],
                )
            )
    else:
        clients = [
            pyvrp.Client(
                node, delivery=[int(i.demand[node])], service_duration=int(i.service[node]) * SCALE, **window(node)
            )
            for node in i.task_nodes
        ]
    matrix = i.scaled
    data = pyvrp.ProblemData(locations, clients, [depot], [vehicle_type], [matrix], [matrix], shipments=shipments)

    def routes(solution: Any) -> list[list[int]]:
        out = []
        for route in solution.routes():
            nodes = []
            for activity in route.schedule():
                if activity.is_client():
                    nodes.append(clients[activity.idx].location)
                elif activity.is_pickup():
                    nodes.append(i.pairs[activity.idx][0])
                elif activity.is_delivery():
                    nodes.append(i.pairs[activity.idx][1])
            out.append(nodes)
        return out

    return data, routes


# ---------------------------------------------------------------- checking an answer


def check(instance: Instance, routes: list[list[int]]) -> dict[str, Any]:
    """Distance in double precision and every rule of the instance, on the routes' node sequences."""
    i = instance
    e = i.euclid
    problems: list[str] = []
    distance = 0.0
    max_late = 0.0
    seen: list[int] = []
    delivery_of = dict(i.pairs)
    for route in routes:
        load = 0 if i.pairs else int(sum(i.demand[n] for n in route))
        peak = load
        t = float(i.windows[0][0])
        previous = 0
        picked: set[int] = set()
        for legs, node in enumerate([*route, 0], start=1):
            distance += e[previous, node]
            t = max(t + e[previous, node], float(i.windows[node][0]))
            late = t - float(i.windows[node][1])
            max_late = max(max_late, late)
            if late > ROUNDING_PER_LEG * legs + 1e-9:
                problems.append(f"late at {node} by {late:.4f}")
            t += float(i.service[node])
            if i.pairs and node:
                load += int(i.demand[node])
                if node in delivery_of:
                    picked.add(node)
                elif not any(delivery_of[p] == node for p in picked):
                    problems.append(f"delivery {node} before its pickup or on another route")
            peak = max(peak, load)
            previous = node
        if peak > i.capacity:
            problems.append(f"load {peak} > capacity {i.capacity}")
        seen += route
    expected = sorted(n for pair in i.pairs for n in pair) if i.pairs else list(range(1, len(i.xy)))
    missing = len(set(expected) - set(seen))
    if sorted(seen) != sorted(set(seen)):
        problems.append("a node visited twice")
    return {
        "distance": distance,
        "vehicles": sum(1 for r in routes if r),
        "unserved": missing,
        "feasible": not problems and not missing,
        "problems": problems[:5],
        "max_late": max_late,
    }


# ---------------------------------------------------------------- runs


def run_doorstep(instance: Instance, budget_s: float, threads: int) -> tuple[list[list[int]], dict[str, Any]]:
    result = solve_within_budget(doorstep_problem(instance), budget_s=budget_s, threads=threads)
    return plan_routes(result), {"searches": result.extra.get("searches")}


def run_vroom5(instance: Instance, budget_s: float, threads: int) -> tuple[list[list[int]], dict[str, Any]]:
    result = solve(doorstep_problem(instance), exploration_level=5, timeout_s=None, threads=threads)
    return plan_routes(result), {}


def run_pyvrp(instance: Instance, budget_s: float, threads: int) -> tuple[list[list[int]], dict[str, Any]]:
    data, routes = pyvrp_data(instance)
    result = pyvrp.solve(data, stop=MaxRuntime(budget_s), seed=0, display=False, collect_stats=False)
    return routes(result.best), {"pyvrp_feasible": result.best.is_feasible(), "iterations": result.num_iterations}


RUNNERS = {"doorstep": run_doorstep, "vroom5": run_vroom5, "pyvrp": run_pyvrp}


def measure(instance: Instance, solver: str, budget_s: float, threads: int) -> dict[str, Any]:
    started = time.perf_counter()
    routes, extra = RUNNERS[solver](instance, budget_s, threads)
    seconds = time.perf_counter() - started
    checked = check(instance, routes)
    gap = 100 * (checked["distance"] / instance.bks_distance - 1)
    return {"seconds": seconds, "gap_pct": gap, **checked, **extra}


# ---------------------------------------------------------------- report


def summarize(runs: list[dict[str, Any]], bks_vehicles: list[int]) -> dict[str, Any]:
    seconds = [r["seconds"] for r in runs]
    return {
        "runs": len(runs),
        "mean_gap_pct": statistics.mean(r["gap_pct"] for r in runs),
        "median_gap_pct": statistics.median(r["gap_pct"] for r in runs),
        "mean_vehicles": statistics.mean(r["vehicles"] for r in runs),
        "mean_bks_vehicles": statistics.mean(bks_vehicles),
        "mean_s": statistics.mean(seconds),
        "median_s": statistics.median(seconds),
        "max_s": max(seconds),
        "infeasible": sum(1 for r in runs if not r["feasible"]),
        "unserved": sum(r["unserved"] for r in runs),
        "max_late": max(r["max_late"] for r in runs),
    }


def summaries(results: list[dict[str, Any]], solvers: list[str]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        groups.setdefault(r["family"], []).append(r)
        groups.setdefault(f"all {r['benchmark']}", []).append(r)
    out: dict[str, dict[str, Any]] = {}
    for name, rows in groups.items():
        out[name] = {}
        for solver in solvers:
            runs = [run for r in rows for run in r["solvers"][solver]]
            bks = [r["bks_vehicles"] for r in rows for _ in r["solvers"][solver]]
            out[name][solver] = summarize(runs, bks)
    return out


def table(summary: dict[str, dict[str, Any]], solvers: list[str]) -> str:
    head = f"{'family':<14}" + "".join(f" {s + ' gap%':>13} {'veh':>5} {'mean s':>7} {'max s':>6}" for s in solvers)
    lines = [head + f" {'BKS veh':>7}", "-" * len(head + " BKS veh")]
    order = sorted(summary, key=lambda k: (k.startswith("all"), not k.startswith(("C", "R")), k))
    for name in order:
        row = summary[name]
        cells = "".join(
            f" {row[s]['mean_gap_pct']:>13.2f} {row[s]['mean_vehicles']:>5.1f}"
            f" {row[s]['mean_s']:>7.2f} {row[s]['max_s']:>6.2f}"
            for s in solvers
        )
        lines.append(f"{name:<14}{cells} {row[solvers[0]]['mean_bks_vehicles']:>7.1f}")
    for name in [n for n in order if n.startswith("all")]:
        row = summary[name]
        bad = ", ".join(f"{s} {row[s]['infeasible']} infeasible / {row[s]['unserved']} unserved" for s in solvers)
        lines.append(f"{name}: {bad}")
        if "doorstep" in row:
            d = row["doorstep"]
            for peer in (s for s in solvers if s != "doorstep"):
                p = row[peer]
                lines.append(
                    f"  doorstep vs {peer}: gap {d['mean_gap_pct']:.2f}% vs {p['mean_gap_pct']:.2f}% "
                    f"({d['mean_gap_pct'] - p['mean_gap_pct']:+.2f} points), "
                    f"mean time {d['mean_s'] / p['mean_s']:.2f}x, "
                    f"distance ratio {(100 + d['mean_gap_pct']) / (100 + p['mean_gap_pct']):.4f}"
                )
    if "all solomon" in summary and "doorstep" in summary["all solomon"]:
        gap = summary["all solomon"]["doorstep"]["mean_gap_pct"]
        verdict = "met" if gap <= GOAL_SOLOMON_GAP_PCT else "NOT met"
        lines.append(f"goal: Doorstep's mean gap on Solomon <= {GOAL_SOLOMON_GAP_PCT}%: {verdict} ({gap:.2f}%)")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--instances", help="comma-separated names or families (C101, R1, lr104, lrc2)")
    parser.add_argument("--budget", type=float, default=1.0, help="seconds, for doorstep and pyvrp")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2, help="VROOM threads, for doorstep and vroom x5")
    parser.add_argument("--only", help=f"comma-separated solvers among {', '.join(SOLVERS)}")
    args = parser.parse_args()
    solvers = [s for s in SOLVERS if not args.only or s in args.only.split(",")]
    wanted = {w.strip().lower() for w in args.instances.split(",")} if args.instances else None
    instances = load_instances(args.data, wanted)
    estimate = (
        len(instances)
        * args.repeat
        * (args.budget * (("doorstep" in solvers) + ("pyvrp" in solvers)) + 2.5 * ("vroom5" in solvers))
    )
    print(
        f"{len(instances)} instances x {args.repeat} x {', '.join(solvers)}: about {estimate / 60:.0f} min", flush=True
    )

    started = time.perf_counter()
    load_before = os.getloadavg()
    results = []
    for number, instance in enumerate(instances, start=1):
        row: dict[str, Any] = {
            "instance": instance.name,
            "benchmark": instance.benchmark,
            "family": instance.family,
            "bks_distance": instance.bks_distance,
            "bks_vehicles": instance.bks_vehicles,
            "solvers": {s: [] for s in solvers},
        }
        for _ in range(args.repeat):
            for solver in solvers:
                row["solvers"][solver].append(measure(instance, solver, args.budget, args.threads))
        results.append(row)
        cells = "  ".join(
            f"{s} {statistics.mean(r['gap_pct'] for r in runs):+6.2f}%"
            f" {statistics.mean(r['seconds'] for r in runs):5.2f}s"
            + ("" if all(r["feasible"] for r in runs) else " INFEASIBLE")
            for s, runs in row["solvers"].items()
        )
        print(f"[{number:>3}/{len(instances)}] {instance.name:<7} {cells}", flush=True)

    summary = summaries(results, solvers)
    report = {
        "benchmark": "route quality in a time budget: Solomon VRPTW and Li & Lim PDPTW (backend/routing/search.py)",
        "data": str(args.data),
        "bks": "Solomon: distance-only best known; Li & Lim: vroom-scripts BKS (vehicles first), = SINTEF",
        "scale": SCALE,
        "budget_s": args.budget,
        "threads": args.threads,
        "repeat": args.repeat,
        "goal": {"solomon_mean_gap_pct": GOAL_SOLOMON_GAP_PCT},
        "machine": {**machine_info(PACKAGES, load_average=True), "load_average_at_start": load_before},
        "summary": summary,
        "instances": results,
        "total_s": time.perf_counter() - started,
    }
    written = write_results("optimize", report)
    print()
    print(table(summary, solvers))
    m = report["machine"]
    details = (
        f"load {load_before[0]:.1f} at start / {m['load_average'][0]:.1f} at end, Python {m['python']}, {m['packages']}"
    )
    print("\n" + run_line(m, details, report["total_s"], written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
