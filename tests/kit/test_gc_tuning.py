"""A server process freezes what exists once the app has started and collects its youngest objects less often
(kit/gc_tuning.py); an app made without `server=True` (every test's) leaves the collector alone. Each case runs in
a child process: freezing is for the whole process, and this one holds the suite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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
before = {"frozen": gc.get_freeze_count(), "threshold": gc.get_threshold()}
with TestClient(create_app(settings, server=server)) as client:
    healthy = client.get("/health").status_code
    after = {"frozen": gc.get_freeze_count(), "threshold": gc.get_threshold()}
print(json.dumps({"before": before, "after": after, "health": healthy}))
"""


def run_child(tmp_path: Path, mode: str) -> dict[str, object]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DOORSTEP_")}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path), mode],
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
    assert seen["before"] == {"frozen": 0, "threshold": [700, 10, 10]}
    after = seen["after"]
    assert isinstance(after, dict)
    assert after["frozen"] > 50_000  # the modules, the app and SQLAlchemy's mappers
    assert after["threshold"] == [10_000, 50, 10]


def test_an_app_made_for_tests_leaves_the_collector_alone(tmp_path: Path) -> None:
    seen = run_child(tmp_path, "test")
    assert seen["health"] == 200
    assert seen["after"] == {"frozen": 0, "threshold": [700, 10, 10]}


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
