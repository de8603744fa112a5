"""A reference webhook receiver (`doorstep receive-webhooks`): what an integrator's endpoint has to do, runnable.

It checks each request's `Doorstep-Signature` with `signing.verify` (HMAC-SHA256 over `<t>.<body>`, the
timestamp within 5 minutes), answers 400 to anything it cannot verify, drops a repeated event id (deliveries are
at least once) with a 200 so Doorstep stops retrying, and writes one line per request. The demo runs it and
registers it as the demo organization's endpoint."""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from backend.integrations.signing import SIGNATURE_HEADER, verify

MAX_BODY = 1_048_576
REMEMBERED_EVENTS = 10_000  # event ids kept for dropping duplicates


class _Seen:
    def __init__(self, size: int = REMEMBERED_EVENTS) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def first_time(self, event_id: str) -> bool:
        with self._lock:
            if event_id in self._ids:
                return False
            self._ids[event_id] = None
            if len(self._ids) > self._size:
                self._ids.popitem(last=False)
            return True


def make_server(
    host: str, port: int, secrets: Sequence[str], write: Callable[[str], None], clock: Callable[[], float] = time.time
) -> ThreadingHTTPServer:
    seen = _Seen()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # the http.server API's name
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._answer(413, "refused: body too large")
                return
            body = self.rfile.read(length)
            if not verify(self.headers.get(SIGNATURE_HEADER), body, secrets, now=clock()):
                self._answer(400, "refused: bad or stale signature")
                return
            event_id = self.headers.get("Doorstep-Event-Id", "")
            if not seen.first_time(event_id):
                self._answer(200, f"duplicate {event_id}: dropped")
                return
            self._answer(200, f"verified {_summary(body)}")

        def _answer(self, status: int, line: str) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            write(f"{time.strftime('%H:%M:%S')} {status} {line}")

        def log_message(self, *_args: Any) -> None:
            pass

    return ThreadingHTTPServer((host, port), Handler)


def _summary(body: bytes) -> str:
    try:
        event = json.loads(body)
        subject = event.get("subject") or {}
        data = event.get("data") or {}
        change = f" {data.get('from')} -> {data.get('to')}" if "to" in data else ""
        return f"{event.get('type')} {subject.get('type')} {subject.get('id')}{change} (event {event.get('id')})"
    except (ValueError, AttributeError):
        return "an event whose body is not JSON"
