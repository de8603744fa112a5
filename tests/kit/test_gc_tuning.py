"""A server process freezes what exists once the app has started and what survives a middle collection,
collects its youngest objects less often and frees frozen garbage in an hourly reclaim (kit/gc_tuning.py); an
app made without `server=True` (every test's) leaves the collector alone. The cases that touch the collector
run in a child process: freezing is for the whole process, and this one holds the suite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import structlog.testing

from backend.settings import PROJECT_ROOT

CHILD = """
import gc, json, sys
from pathlib import Path
from litestar.testing import TestClient
from backend.app import create_app
from backend.db import migrations
from backend.settings import Settings

tmp, server = Path(sys.argv[1]), sys.argv[2] == "server"
url = f"sqlite+aiosqlite:///{tmp}/gc.db"
migrations.upgrade(url)
settings = Settings(env="dev", instance_dir=tmp, media_dir=tmp / "media", database_url=url, log_level="WARNING",
                    secret_key="gc-test-secret-0123456789abcdef", travel_provider="straight_line")
def hooked():
    return any(getattr(c, "__name__", "") == "freeze_survivors" for c in gc.callbacks)
before = {"frozen": gc.get_freeze_count(), "threshold": gc.get_threshold(), "hooked": hooked()}
with TestClient(create_app(settings, server=server)) as client:
    healthy = client.get("/health").status_code
    after = {"frozen": gc.get_freeze_count(), "threshold": gc.get_threshold(), "hooked": hooked()}
print(json.dumps({"before": before, "after": after, "health": healthy}))
"""


# a server's collector after a middle collection, a full one, and a reclaim (by hand, then by the Reclaimer)
SURVIVORS = """
import asyncio, gc, json, weakref
from backend.kit import gc_tuning

class Node:
    pass

def cycle():
    node = Node()
    node.me = node
    return node

gc_tuning.tune_for_server()
seen = {}
node = cycle()
frozen = gc.get_freeze_count()
seen["tracked_before"] = any(o is node for o in gc.get_objects())
gc.collect(1)  # a middle collection: the node survives it and is frozen right after
seen["frozen_grew"] = gc.get_freeze_count() > frozen
seen["tracked_after"] = any(o is node for o in gc.get_objects())
ref = weakref.ref(node)
del node
gc.collect()  # a full collection no longer sees frozen objects, garbage or not
seen["alive_after_full"] = ref() is not None
seen["found"] = gc_tuning.reclaim()
seen["alive_after_reclaim"] = ref() is not None
seen["frozen_after_reclaim"] = gc.get_freeze_count()

async def hourly():
    node = cycle()
    gc.collect(1)
    ref = weakref.ref(node)
    del node
    reclaimer = gc_tuning.Reclaimer(every_s=0.05)
    reclaimer.start()
    alive = ref() is not None
    await asyncio.sleep(0.3)
    await reclaimer.stop()
    return alive, ref() is not None

seen["reclaimer"] = asyncio.run(hourly())
print(json.dumps(seen))
"""


def run_child(tmp_path: Path, mode: str, code: str = CHILD) -> dict[str, object]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DOORSTEP_")}
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path), mode],
        capture_output=True,
        text=True,
        env=environment,
        cwd=PROJECT_ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_server_app_freezes_what_it_started_with_and_collects_young_objects_less_often(tmp_path: Path) -> None:
    seen = run_child(tmp_path, "server")
    assert seen["health"] == 200
    assert seen["before"] == {"frozen": 0, "threshold": [700, 10, 10], "hooked": False}
    after = seen["after"]
    assert isinstance(after, dict)
    assert after["frozen"] > 50_000  # the modules, the app and SQLAlchemy's mappers
    assert after["threshold"] == [10_000, 10, 10]
    assert after["hooked"] is True


def test_what_survives_a_middle_collection_is_frozen_and_a_reclaim_frees_frozen_garbage(tmp_path: Path) -> None:
    seen = run_child(tmp_path, "server", SURVIVORS)
    assert seen["tracked_before"] is True
    assert seen["frozen_grew"] is True
    assert seen["tracked_after"] is False  # out of every later collection
    assert seen["alive_after_full"] is True  # a full collection does not walk it: the cost it saves
    assert isinstance(seen["found"], int) and seen["found"] >= 1  # the node
    assert seen["alive_after_reclaim"] is False
    assert isinstance(seen["frozen_after_reclaim"], int) and seen["frozen_after_reclaim"] > 0  # what lives
    assert seen["reclaimer"] == [True, False]  # frozen garbage lives until the Reclaimer's pass, not after


def test_an_app_made_for_tests_leaves_the_collector_alone(tmp_path: Path) -> None:
    seen = run_child(tmp_path, "test")
    assert seen["health"] == 200
    assert seen["after"] == {"frozen": 0, "threshold": [700, 10, 10], "hooked": False}


def test_doorstep_serve_makes_its_app_as_a_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import signal

    import uvicorn
    from uvicorn.importer import import_from_string

    from backend import cli
    from backend.app import create_server_app
    from backend.settings import Settings

    calls: list[tuple[tuple[object, ...], dict[str, object]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    monkeypatch.setattr(signal, "signal", lambda *_: None)
    cli._serve(Settings(instance_dir=tmp_path), host="127.0.0.1", port=8000, workers=2)
    [(args, kwargs)] = calls
    assert kwargs["factory"] is True
    assert import_from_string(str(args[0])) is create_server_app


async def test_a_failed_reclaim_is_logged_and_the_next_one_still_comes(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from backend.kit import gc_tuning

    passes: list[int] = []

    def reclaim() -> int:  # no real collection: this process holds the suite
        passes.append(len(passes))
        if len(passes) == 1:
            raise RuntimeError("a finalizer raised")
        return 0

    monkeypatch.setattr(gc_tuning, "reclaim", reclaim)
    reclaimer = gc_tuning.Reclaimer(every_s=0.01)
    with structlog.testing.capture_logs() as logs:
        reclaimer.start()
        async with asyncio.timeout(10):
            while len(passes) < 3:
                await asyncio.sleep(0.01)
        await reclaimer.stop()  # and the failure is not raised again at shutdown
    assert len(passes) >= 3  # the passes after the failed one came (before, the loop ended with it)
    # the failure is logged at error level; "gc_reclaimed" is info, which the suite's log level may filter out
    assert [entry["event"] for entry in logs if entry["log_level"] == "error"] == ["gc_reclaim_failed"]
