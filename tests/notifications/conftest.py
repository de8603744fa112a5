"""Real transports for notification tests: an SMTP server (aiosmtpd) and one local HTTP endpoint that plays the
SMS provider and the browsers' push service; the app is configured to send to them (DOORSTEP_NOTIFY_DELIVERY=send)
unless a test module overrides `delivery_mode`. The sender's background loop is stopped, so each test ticks it."""

from __future__ import annotations

import base64
import json
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from backend.accounts import service as accounts
from backend.accounts.models import Role
from backend.accounts.principal import Principal
from backend.notifications.api import SENDER_KEY
from backend.notifications.sender import NotificationSender
from backend.settings import Settings
from tests.conftest import Stack
from tests.factories import Api, Tenant, run_in_app
from tests.tracking.conftest import settle

SMS_SID = "AC0123456789abcdef0123456789abcdef"
SMS_TOKEN = "sms-auth-token"
SMS_FROM = "+15005550006"
MAIL_FROM = "notices@doorstep.test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- SMTP


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


@dataclass
class SmtpServer:
    host: str
    port: int
    mailbox: Mailbox


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, mailbox)
    finally:
        controller.stop()


# -- HTTP: the SMS provider and the push service


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class HttpSink:
    url: str
    requests: list[Request] = field(default_factory=list)
    # path prefix → status to answer (default 201 for SMS, 201 for push)
    answers: dict[str, int] = field(default_factory=dict)

    def to(self, prefix: str) -> list[Request]:
        return [r for r in self.requests if r.path.startswith(prefix)]


@pytest.fixture
def sink() -> Iterator[HttpSink]:
    holder: dict[str, HttpSink] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            target = holder["sink"]
            target.requests.append(Request("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            status = next((s for p, s in target.answers.items() if self.path.startswith(p)), 201)
            payload = json.dumps({"sid": "SM1", "status": "queued"} if status < 300 else {"message": "nope"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["sink"] = HttpSink(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder["sink"]
    finally:
        server.shutdown()
        server.server_close()


# -- the app, configured to send to them


@pytest.fixture
def delivery_mode() -> str:
    return "send"


@pytest.fixture
def settings(stack: Stack, smtp: SmtpServer, sink: HttpSink, delivery_mode: str) -> Settings:
    return replace(
        stack.settings,
        notify_delivery=delivery_mode,
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        smtp_starttls=False,
        mail_from=MAIL_FROM,
        sms_api_url=sink.url,
        sms_account_sid=SMS_SID,
        sms_auth_token=SMS_TOKEN,
        sms_from=SMS_FROM,
        vapid_subject="mailto:ops@doorstep.test",
    )


@pytest.fixture
def sender(client: Any) -> NotificationSender:
    sender: NotificationSender = client.app.state[SENDER_KEY]
    client.blocking_portal.call(sender.stop)
    sender.rng.seed(7)
    return sender


def tick(client: Any, sender: NotificationSender) -> dict[str, int]:
    settle(client)
    return dict(client.blocking_portal.call(sender.tick))


def office(client: Any, tenant: Tenant, role: Role = Role.dispatcher) -> Api:
    """The office by API key, so it keeps working while the client's cookie is a driver's."""

    async def make(session: Any) -> str:
        _row, key = await accounts.create_api_key(
            session, principal=Principal.system(tenant.organization.id), name=f"office-{os.urandom(4).hex()}", role=role
        )
        return key

    return Api(client, headers={"X-API-Key": run_in_app(client, make)})


def log(api: Any, **params: Any) -> list[dict[str, Any]]:
    response = api.get("/api/notifications", params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


# -- a browser's push subscription


@dataclass
class Browser:
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    endpoint: str

    def subscription(self) -> dict[str, Any]:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)},
        }


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def browser(sink: HttpSink, name: str = "phone") -> Browser:
    return Browser(ec.generate_private_key(ec.SECP256R1()), os.urandom(16), f"{sink.url}/push/{name}")
