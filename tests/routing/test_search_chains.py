"""The second search chain runs in a forked child: whatever happens to the child, the parent's answer stands and
no process is left behind."""

from __future__ import annotations

import os
import time

import pytest

from backend.routing.search import _collect


def _child(body: bytes, *, status: int = 0, sleep_s: float = 0.0) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        time.sleep(sleep_s)
        os.write(write_end, body)
        os._exit(status)
    os.close(write_end)
    return pid, read_end


def test_a_child_that_answers_is_read_whole() -> None:
    body = b"x" * 300_000  # larger than a pipe's buffer
    pid, read_end = _child(body)
    assert _collect(pid, read_end, wait_until=time.perf_counter() + 5) == (body, True)


def test_a_child_that_fails_is_not_believed() -> None:
    pid, read_end = _child(b"half an answ", status=1)
    _, exited = _collect(pid, read_end, wait_until=time.perf_counter() + 5)
    assert not exited


def test_a_child_past_the_deadline_is_killed_and_reaped() -> None:
    pid, read_end = _child(b"late", sleep_s=30)
    started = time.perf_counter()
    data, exited = _collect(pid, read_end, wait_until=started + 0.3)
    assert (data, exited) == (b"", False)
    assert time.perf_counter() - started < 5
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped: no zombie
