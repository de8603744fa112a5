"""A webhook receiver as an integrator would write one, on a real local HTTP server: it checks the signature with
the reference `verify` (5-minute window), drops a duplicate event id, and answers what the test scripts."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from backend.integrations.signing import SIGNATURE_HEADER, verify


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: bool
    duplicate: bool

    @property
    def event(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class Receiver:
    url: str
    secrets: list[str] = field(default_factory=list)
    # status codes to answer, in turn; 200 once they run out; "slow" sleeps past the sender's timeout
    script: list[int | str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    seen_events: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accepted(self) -> list[Received]:
        """What the integrator's system acted on: verified, and each event once."""
        return [r for r in self.received if r.verified and not r.duplicate]


def check(receiver: Receiver, headers: dict[str, str], body: bytes, *, now: float) -> tuple[bool, bool]:
    verified = verify(headers.get(SIGNATURE_HEADER), body, receiver.secrets, now=now)
    event_id = headers.get("Doorstep-Event-Id", "")
    duplicate = verified and event_id in receiver.seen_events
    if verified:
        receiver.seen_events.add(event_id)
    return verified, duplicate


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items()}
            with receiver.lock:
                verified, duplicate = check(receiver, headers, body, now=time.time())
                receiver.received.append(Received(headers, body, verified, duplicate))
                answer = receiver.script.pop(0) if receiver.script else 200
            if answer == "slow":
                time.sleep(1.5)
                answer = 200
            status = int(answer) if verified or answer != 200 else 400  # an unverifiable request is refused
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/doorstep"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
