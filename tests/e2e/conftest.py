"""Browser-test fixtures: the real server (`doorstep demo`) on a free port, and Debian's headless Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.factories import midday_zone

CHROMIUM = Path(os.environ.get("DOORSTEP_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_TIMEOUT_S = 60
SCREENSHOTS = Path(__file__).parent / "screenshots"
PWA_DIST = Path(__file__).resolve().parents[2] / "pwa" / "dist"

# Phone-sized, as a driver holds it: the shell must work at 360 px wide.
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def _missing(reason: str) -> None:
    """Skip when a service the browser tests need is absent, unless CI says they are required."""
    if os.environ.get("DOORSTEP_TEST_SERVICES") == "required":
        pytest.fail(f"{reason} (DOORSTEP_TEST_SERVICES=required)", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _health_status(base_url: str) -> int | None:
    try:
        with urllib.request.urlopen(f"{base_url}/health", timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


@dataclass(frozen=True)
class Server:
    url: str
    """The environment the server runs with (its instance directory, so its database), for `doorstep`
    commands that set up data the API cannot, such as a new organization; None for a server we did not start."""
    env: dict[str, str] | None


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`doorstep demo` serving the built PWA and the API; stopped when the session ends.

    DOORSTEP_E2E_BASE_URL=http://host:port runs the tests against a demo server already running instead.
    """
    running = os.environ.get("DOORSTEP_E2E_BASE_URL")
    if running:
        yield Server(url=running.rstrip("/"), env=None)
        return
    if not (PWA_DIST / "index.html").is_file():
        _missing(f"the PWA is not built: run `npm ci && npm run build` in {PWA_DIST.parent}")
    doorstep = Path(sys.executable).parent / "doorstep"
    if not doorstep.exists():
        _missing(f"{doorstep} is missing: install the project (`pip install -e .[test]`)")

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    instance_dir = tmp_path_factory.mktemp("doorstep-instance")
    log_path = instance_dir / "server.log"
    env = {**os.environ, "DOORSTEP_INSTANCE_DIR": str(instance_dir), "DOORSTEP_ENV": "dev"}
    # ETAs follow each position within a second, so a tracking page shows the change while the test waits.
    env.setdefault("DOORSTEP_ETA_INTERVAL_S", "1")
    # The demo organization's clock at about midday, so simulated days never run into midnight during a test.
    env.setdefault("DOORSTEP_DEMO_TIMEZONE", midday_zone())
    # Every test module signs in several people from 127.0.0.1 within the same minute (the default is 10).
    env.setdefault("DOORSTEP_LOGIN_RATE_LIMIT_PER_MINUTE", "120")
    command = [str(doorstep), "demo", "--host", "127.0.0.1", "--port", str(port)]
    # No simulated drivers moving orders about while a test looks at the page; older CLIs have no
    # simulator and no such flag.
    demo_help = subprocess.run([str(doorstep), "demo", "--help"], capture_output=True, text=True, timeout=60, env=env)
    if "--no-simulate" in demo_help.stdout:
        command.append("--no-simulate")
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while _health_status(url) != 200:
            if server.poll() is not None:
                pytest.fail(f"`{' '.join(command)}` exited with {server.returncode}:\n{_tail(log_path)}", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(
                    f"GET {url}/health did not answer 200 within {SERVER_START_TIMEOUT_S} s:\n{_tail(log_path)}",
                    pytrace=False,
                )
            time.sleep(0.25)
        yield Server(url=url, env=env)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@pytest.fixture(scope="session")
def base_url(server: Server) -> str:
    return server.url


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module. Not for the session: Playwright's sync API keeps an event loop running
    in the main thread while it is open, and pytest-asyncio cannot run the async tests of later modules
    ("Runner.run() cannot be called from a running event loop")."""
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing: `apt-get install -y chromium` (Debian's; Playwright never downloads one)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Python playwright is not installed: `pip install -e .[test]`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh profile for each test: no cookies, no service worker, no cache."""
    context = browser.new_context(base_url=base_url, **PHONE)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    """A page in the phone context; an uncaught script error in it fails the test."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    if errors:
        pytest.fail("uncaught errors in the page:\n" + "\n".join(errors), pytrace=False)


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Any:
    """Saves a full-page screenshot to tests/e2e/screenshots/<test>-<name>.png for a person to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
