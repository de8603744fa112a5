"""The ways a notice reaches a customer, behind one small protocol: e-mail over SMTP, SMS through a provider's
HTTP API, and Web Push. A channel without its configuration is simply not used."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from backend.notifications.models import ChannelName


@dataclass(frozen=True)
class PushTarget:
    """A browser's PushSubscription: where to post, and the keys to encrypt for."""

    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class Outgoing:
    recipient: str  # an e-mail address or an E.164 phone number (push: the subscription's id)
    sender_name: str
    subject: str
    text: str
    html: str | None = None
    link: str | None = None
    push: PushTarget | None = None


class SendFailed(Exception):
    """A send that did not go through. `retry`: worth trying again later (a timeout, a 5xx, a rate limit);
    `gone`: the address will never work again (a push subscription the browser dropped)."""

    def __init__(self, reason: str, *, retry: bool, gone: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.gone = gone


class Channel(Protocol):
    name: ChannelName

    async def send(self, message: Outgoing) -> None:
        """Deliver or raise SendFailed; never anything else for a failure of the other side."""
        ...


def short(text: str, limit: int = 300) -> str:
    """A provider's answer trimmed for the delivery log."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
