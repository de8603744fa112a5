"""Stopping a background loop (the relay, the senders, the position writer, re-plans) without cutting a query.

A task cancelled while a query of its transaction is under way can leave that transaction open: the driver's
connection is dropped without its rollback. On SQLite the write lock then stays held, and every later writer
waits out the busy timeout (30 s) and fails; on PostgreSQL the rows it locked stay locked. So a loop is first
asked to stop (its own flag, and `wake` to end its wait), given `grace_s` to finish the pass under way, and
cancelled only if it has not ended by then.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

STOP_GRACE_S = 10.0


async def stop_between_passes(
    task: asyncio.Task[Any] | None, *, wake: Callable[[], None] | None = None, grace_s: float = STOP_GRACE_S
) -> None:
    if task is None:
        return
    if wake is not None:
        wake()
    try:
        if not task.done():
            with contextlib.suppress(Exception):  # TimeoutError, or the loop's own failure (it logs its own)
                async with asyncio.timeout(grace_s):
                    await asyncio.shield(task)
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise  # the caller itself is being cancelled; the task is cancelled below all the same
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def wait_or_timeout(event: asyncio.Event, seconds: float) -> None:
    """A loop's pause: `seconds`, or less when `event` is set (a wake-up, or a stop). asyncio.timeout, not
    wait_for: on Python 3.11 wait_for can swallow a cancellation that meets the event."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()


async def cancel_and_wait(task: asyncio.Task[Any] | None) -> None:
    """Cancel a task that holds no transaction (a fan-out pump, a heartbeat) and wait until it has ended."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
