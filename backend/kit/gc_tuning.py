"""The garbage collector of a long-running server process holding thousands of sockets.

CPython's full (generation 2) collection walks every tracked object while the event loop waits. bench/live.py
measured it: at 1,000 tracking sockets the process holds about 500,000 objects and a full collection took
0.15-0.32 s; at 10,000 sockets (about 170 objects each) one took 1.7 s, and every frame waited for it. CPython
starts one whenever the objects that reached the oldest generation since the last one number a quarter of
those that were there: over and over while sockets open, and again after every quarter of them has been
replaced. From the server's start:

- what exists once the app has started (modules, the app, SQLAlchemy's mappers: about 270,000 objects) lives
  as long as the process: `gc.freeze()` takes it out of every later collection;
- the youngest generation is collected after 10,000 new objects instead of 700 (the middle one every 10 of
  those, as by default). Frames, messages and rows die by reference counting long before that, so they are
  never promoted;
- what survives a middle (or full) collection is mostly long-lived: an open socket, a cached route. It is frozen as
  well, right after that collection (a `gc.callbacks` hook), so the oldest generation never holds more than
  what arrived since, and a full collection costs milliseconds whatever the number of sockets. Frozen objects
  are still freed by reference counting when they die (a closed socket: kit/websocket.py makes sure nothing of
  it is left in a cycle). The middle generation was collected every 50 young collections until survivors were
  frozen (to make full collections rare); back at 10, each of its collections walks a fifth as many objects:
  the longest young pause at 10,000 sockets was 204 ms at 50 and 109 ms at 10 (bench/live.py, one run each);
- cyclic garbage among frozen objects is not collected by those: `Reclaimer` collects everything once an hour
  (RECLAIM_EVERY_S), the one pause left (about 1.7 s at 10,000 sockets), and logs what it found. Until then
  such garbage holds its memory, and its finalizers and weakref callbacks wait too (SQLAlchemy returning a
  connection that was dropped without being closed, asyncio's "exception never retrieved"): an object that
  died outside a cycle is freed at once as always. How much builds up in an hour of real churn is not measured
  yet; `gc_reclaimed` logs it.

Only servers do this (`create_app(server=True)`, which `doorstep serve` and `doorstep demo` use): the test
suite creates hundreds of apps in one process and must not freeze any of them.
"""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Any

import structlog

from backend.kit.tasks import cancel_and_wait

YOUNG_THRESHOLD = 10_000
MIDDLE_THRESHOLD = 10
RECLAIM_EVERY_S = 3600.0

log = structlog.get_logger(__name__)


def freeze_survivors(phase: str, info: dict[str, Any]) -> None:
    """A `gc.callbacks` hook: once a middle or full collection has ended, what it left in the oldest generation
    (the younger ones are empty then) is frozen."""
    if phase == "stop" and info["generation"] >= 1:
        gc.freeze()


def tune_for_server() -> None:
    gc.collect()  # what is garbage now must not be frozen for ever
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, gc.get_threshold()[2])
    if freeze_survivors not in gc.callbacks:
        gc.callbacks.append(freeze_survivors)


def reclaim() -> int:
    """Everything back into the collector, one full collection, everything still alive frozen again: the
    cyclic garbage that died frozen is freed. Returns the number of unreachable objects found."""
    gc.unfreeze()
    found = gc.collect()
    gc.freeze()
    return found


class Reclaimer:
    """A server's hourly `reclaim`, on its event loop (the collection stops the loop whichever thread runs it)."""

    def __init__(self, every_s: float = RECLAIM_EVERY_S) -> None:
        self.every_s = every_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        task, self._task = self._task, None
        await cancel_and_wait(task)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.every_s)
            started = time.perf_counter()
            try:  # a failed pass (a finalizer raising, say) is logged; the next one comes all the same
                found = reclaim()
            except Exception:
                log.exception("gc_reclaim_failed")
                continue
            log.info(
                "gc_reclaimed",
                unreachable=found,
                frozen=gc.get_freeze_count(),
                took_ms=round((time.perf_counter() - started) * 1000, 1),
            )
