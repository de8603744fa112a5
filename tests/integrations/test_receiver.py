"""The reference receiver (`doorstep receive-webhooks`), over real HTTP: it acts on what is signed and fresh,
drops a duplicate event id, and refuses the rest."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from backend.integrations.receiver import make_server
from backend.integrations.signing import SIGNATURE_HEADER, signature_header

SECRET = "whsec_test-secret"


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[str]]]:
    lines: list[str] = []
    server = make_server("127.0.0.1", 0, [SECRET], lines.append)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", lines
    server.shutdown()
    server.server_close()


def post(
    url: str, event: dict[str, Any], *, secret: str = SECRET, at: float | None = None, raw: bytes | None = None
) -> int:
    body = raw if raw is not None else json.dumps(event).encode()
    headers = {
        "Content-Type": "application/json",
        "Doorstep-Event-Id": str(event.get("id")),
        SIGNATURE_HEADER: signature_header([secret], int(at if at is not None else time.time()), body),
    }
    return httpx.post(url, content=body, headers=headers).status_code


def test_it_acts_once_on_a_signed_fresh_event_and_refuses_the_rest(receiver: tuple[str, list[str]]) -> None:
    url, lines = receiver
    event = {
        "id": "e1",
        "type": "order.status_changed",
        "subject": {"type": "order", "id": "o1"},
        "data": {"from": "planned", "to": "out_for_delivery"},
    }
    assert post(url, event) == 200
    assert post(url, event) == 200  # the same event again (a retry after a lost answer): dropped
    assert post(url, {**event, "id": "e2"}, secret="whsec_wrong") == 400
    assert post(url, {**event, "id": "e3"}, at=time.time() - 301) == 400  # a replay of an old request
    assert httpx.post(url, content=b"{}", headers={"Doorstep-Event-Id": "e4"}).status_code == 400  # unsigned
    assert post(url, {"id": "e5"}, raw=b"not json") == 200
    deadline = time.monotonic() + 5  # the server's thread logs a request after it has answered it
    while len(lines) < 6 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [line.split(" ", 2)[1:] for line in lines] == [
        ["200", "verified order.status_changed order o1 planned -> out_for_delivery (event e1)"],
        ["200", "duplicate e1: dropped"],
        ["400", "refused: bad or stale signature"],
        ["400", "refused: bad or stale signature"],
        ["400", "refused: bad or stale signature"],
        ["200", "verified an event whose body is not JSON"],
    ]


def test_the_command_wants_a_secret() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "backend.cli", "receive-webhooks", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "--secret" in done.stderr
