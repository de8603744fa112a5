"""Benchmark: travel-time matrices on the Helsinki road graph, and the graph's build time, against their peers.

Scenarios, each repeated --repeat times (median, fastest and slowest run reported):
  graph build, cold        RoadGraph.load_or_build into an empty cache dir: sha256, pyosmium parse, four profile
                           graphs (strongly connected components), the .npz written
  graph build, from cache  the same call once the .npz exists: sha256, np.load, CSR + KD-tree set-up
  matrix NxN <profile>     RoadGraphTravelTimes.matrix on N random points in the graph's bounding box, a new point
                           set per run (so the LRU never answers): validation, snapping, Dijkstra with
                           predecessors, metres along the fastest paths, snap legs, the worker-thread hop
Peers, timed on the same point sets in the same run:
  scipy dijkstra alone     scipy.sparse.csgraph.dijkstra from the already snapped, de-duplicated nodes, times only:
                           the floor under our matrix (no snapping, no distances, no caching, no thread)
  straight line            StraightLineTravelTimes.matrix on the same points

    .venv/bin/python bench/travel_times.py [--points N] [--repeat K]

Results: a table on stdout and bench/results/travel_times.json.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import structlog  # noqa: E402
from common import machine_info, run_line, write_results  # noqa: E402
from scipy.sparse.csgraph import dijkstra  # noqa: E402

from backend.fleet.models import VehicleProfile  # noqa: E402
from backend.routing.road_graph import RoadGraph, RoadGraphTravelTimes  # noqa: E402
from backend.routing.travel import StraightLineTravelTimes  # noqa: E402

EXTRACT = ROOT / "backend" / "demo" / "data" / "Helsinki.osm.pbf"
PACKAGES = ("numpy", "scipy", "osmium")
GOAL_MATRIX_S = 1.0
SEED = 20261125


def summarize(seconds: list[float]) -> dict[str, Any]:
    return {
        "median_s": statistics.median(seconds),
        "min_s": min(seconds),
        "max_s": max(seconds),
        "runs_s": seconds,
    }


async def timed(repeat: int, run: Callable[[int], Awaitable[object]]) -> dict[str, Any]:
    seconds = []
    for k in range(repeat):
        started = time.perf_counter()
        await run(k)
        seconds.append(time.perf_counter() - started)
    return summarize(seconds)


def point_sets(graph: RoadGraph, n: int, repeat: int) -> list[list[tuple[float, float]]]:
    """Uniform points in the car graph's bounding box (central Helsinki: every one within 500 m of a street)."""
    car = graph.graphs[VehicleProfile.car]
    rng = np.random.default_rng(SEED)
    sets = []
    for _ in range(repeat):
        lat = rng.uniform(car.lat.min(), car.lat.max(), n)
        lon = rng.uniform(car.lon.min(), car.lon.max(), n)
        sets.append([(float(a), float(b)) for a, b in zip(lat, lon, strict=True)])
    return sets


async def bench(n: int, repeat: int, workdir: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    cold_dirs = [workdir / f"cold-{k}" for k in range(repeat)]
    results["build_cold"] = await timed(
        repeat, lambda k: asyncio.to_thread(RoadGraph.load_or_build, EXTRACT, cold_dirs[k])
    )
    results["build_from_cache"] = await timed(
        repeat, lambda k: asyncio.to_thread(RoadGraph.load_or_build, EXTRACT, cold_dirs[0])
    )
    graph = RoadGraph.load_or_build(EXTRACT, cold_dirs[0])
    results["graph"] = {p.value: {"nodes": g.node_count, "edges": g.edge_count} for p, g in graph.graphs.items()}
    results["cache_file_bytes"] = sum(f.stat().st_size for f in cold_dirs[0].glob("*.npz"))

    sets = point_sets(graph, n, repeat)
    provider = RoadGraphTravelTimes(EXTRACT, cache_dir=cold_dirs[0])
    await asyncio.to_thread(provider.graph)  # loaded before the clock: the build is timed above
    straight = StraightLineTravelTimes()
    results["straight_line"] = await timed(repeat, lambda k: straight.matrix(sets[k], VehicleProfile.car))
    results["matrix"] = {}
    for profile in VehicleProfile:
        ours = await timed(repeat, lambda k, p=profile: provider.matrix(sets[k], p))
        profile_graph = graph.graphs[profile]
        sources = [
            np.unique(profile_graph.snap(np.array(points), where="bench")[0]) for points in sets
        ]  # snapped before the clock

        async def scipy_alone(k: int, g: Any = profile_graph, s: list[Any] = sources) -> None:
            dijkstra(g.times, directed=True, indices=s[k])

        peer = await timed(repeat, scipy_alone)
        cached = await timed(repeat, lambda k, p=profile: provider.matrix(sets[k], p))
        results["matrix"][profile.value] = {
            "ours": ours,
            "scipy_dijkstra_alone": peer,
            "lru_hit": cached,
            "distinct_sources_median": statistics.median(len(s) for s in sources),
            "ratio_ours_over_scipy_dijkstra": ours["median_s"] / peer["median_s"],
            "ratio_ours_over_straight_line": ours["median_s"] / results["straight_line"]["median_s"],
        }
    return results


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def table(results: dict[str, Any], n: int) -> str:
    lines = [
        f"{'scenario':<40} {'median ms':>10} {'min ms':>9} {'max ms':>9}  vs peer",
        "-" * 84,
    ]

    def row(label: str, s: dict[str, Any], note: str = "") -> None:
        lines.append(f"{label:<40} {ms(s['median_s']):>10} {ms(s['min_s']):>9} {ms(s['max_s']):>9}  {note}")

    row("graph build, cold (parse + save)", results["build_cold"])
    cache_ratio = results["build_cold"]["median_s"] / results["build_from_cache"]["median_s"]
    row("graph build, from the disk cache", results["build_from_cache"], f"{cache_ratio:.1f}x faster than cold")
    row(f"straight line {n}x{n}", results["straight_line"])
    for profile, r in results["matrix"].items():
        row(
            f"road graph {n}x{n} {profile}",
            r["ours"],
            f"{r['ratio_ours_over_scipy_dijkstra']:.2f}x scipy alone, "
            f"{r['ratio_ours_over_straight_line']:.0f}x straight line",
        )
        row(f"  scipy dijkstra alone, {profile}", r["scipy_dijkstra_alone"])
        row(f"  the same matrix again (LRU hit), {profile}", r["lru_hit"])
    sizes = ", ".join(f"{p} {g['nodes']:,} nodes / {g['edges']:,} edges" for p, g in results["graph"].items())
    lines.append(f"graphs: {sizes}; cache file {results['cache_file_bytes'] / 1e6:.2f} MB")
    worst = max(r["ours"]["median_s"] for r in results["matrix"].values())
    verdict = "met" if worst <= GOAL_MATRIX_S else "NOT met"
    lines.append(f"goal: a {n}x{n} matrix <= {GOAL_MATRIX_S:.0f} s: {verdict} (slowest profile median {ms(worst)} ms)")
    return "\n".join(lines)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(30))  # the build logs at info

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="doorstep-bench-") as tmp:
        results = await bench(args.points, args.repeat, Path(tmp))
    report = {
        "benchmark": "travel-time matrices on the Helsinki road graph (backend/routing/road_graph.py)",
        "extract": str(EXTRACT.relative_to(ROOT)),
        "points": args.points,
        "repeat": args.repeat,
        "goal": {"matrix_s": GOAL_MATRIX_S},
        "machine": machine_info(PACKAGES),
        "results": results,
        "total_s": time.perf_counter() - started,
    }
    written = write_results("travel_times", report)
    print(table(results, args.points))
    m = report["machine"]
    print("\n" + run_line(m, f"Python {m['python']}, {m['packages']}", report["total_s"], written, decimals=1))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
