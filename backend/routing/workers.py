"""Solving truly off the event loop: pyvroom holds the GIL for a whole solve, so a worker thread would still
freeze every request and websocket of the process for that long (measured: a 3 s solve starved another Python
thread for 3 s). Solves run in a small process pool instead, started on first use and kept."""

from __future__ import annotations

import asyncio
import atexit
import functools
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from backend.kit.problems import DomainError

T = TypeVar("T")

_pool: ProcessPoolExecutor | None = None


class SolverUnavailable(DomainError):
    status_code = 503
    type_slug = "solver-unavailable"
    title = "The route optimizer is not available"


def _get_pool() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        workers = max(1, min(2, os.cpu_count() or 1))
        # forkserver: no fork of a process that runs an event loop and database connections
        _pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"))
        atexit.register(shutdown)
    return _pool


def shutdown() -> None:
    """Stop the solver processes (idle ones exit at once). Waiting matters: workers left behind by a process
    that exits without joining them linger as orphans, one set per server or test run."""
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


async def run(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """`function(*args, **kwargs)` in a solver process; its arguments and result travel pickled."""
    global _pool
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_get_pool(), functools.partial(function, *args, **kwargs))
    except BrokenProcessPool as exc:
        _pool = None  # a solver process died (killed, out of memory): the next call starts a fresh pool
        raise SolverUnavailable("The optimizer process stopped; try again") from exc
