"""Customers' Web Push subscriptions, one order each: the browser's PushSubscription checked (a push service
URL we may post to, keys that are a P-256 point and a 16-byte secret), kept, replaced, removed."""

from __future__ import annotations

import base64
import ipaddress
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy.ext.asyncio import AsyncSession

from backend.notifications import repository
from backend.notifications.errors import InvalidPushSubscription, PushSubscriptionNotFound, TooManyPushSubscriptions
from backend.notifications.models import PushSubscription
from backend.notifications.schemas import PushSubscriptionCreate
from backend.orders.models import Order

MAX_PUSH_SUBSCRIPTIONS = 5  # per order: a customer's phone, laptop and a few more; never an unbounded list
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))


def check_endpoint(endpoint: str, *, allow_local_http: bool) -> str:
    """A push service URL: https (plain http only to this machine in development). In production also no
    loopback, private or link-local address: the server posts to it, so it must not reach inside our network."""
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError as exc:
        raise InvalidPushSubscription("endpoint: not a URL") from exc
    if not host or parts.username or parts.password:
        raise InvalidPushSubscription("endpoint: a push service URL with a host and no credentials")
    local = host in LOCAL_HOSTS
    if parts.scheme == "http" and not (allow_local_http and local):
        raise InvalidPushSubscription("endpoint: must be https")
    if parts.scheme not in ("http", "https"):
        raise InvalidPushSubscription("endpoint: must be https")
    if not allow_local_http:
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            address = None
        if local or (address is not None and not address.is_global):
            raise InvalidPushSubscription("endpoint: not a public push service")
    return endpoint


def check_keys(p256dh: str, auth: str) -> None:
    try:
        point = _decode(p256dh)
        secret = _decode(auth)
    except ValueError as exc:
        raise InvalidPushSubscription("keys: not base64url") from exc
    if len(secret) != 16:
        raise InvalidPushSubscription("keys.auth: a 16-byte secret")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError as exc:
        raise InvalidPushSubscription("keys.p256dh: not a P-256 public key") from exc


async def push_subscriptions(session: AsyncSession, *, order: Order) -> list[PushSubscription]:
    return await repository.push_subscriptions_of(session, order_id=order.id)


async def subscribe(
    session: AsyncSession, *, order: Order, data: PushSubscriptionCreate, allow_local_http: bool
) -> tuple[PushSubscription, bool]:
    """Keep a browser's subscription to this order's notices; the same endpoint again updates its keys.
    Returns (subscription, created)."""
    endpoint = check_endpoint(data.endpoint, allow_local_http=allow_local_http)
    check_keys(data.keys.p256dh, data.keys.auth)
    existing = await repository.push_subscriptions_of(session, order_id=order.id)
    for subscription in existing:
        if subscription.endpoint == endpoint:
            subscription.p256dh, subscription.auth = data.keys.p256dh, data.keys.auth
            return subscription, False
    if len(existing) >= MAX_PUSH_SUBSCRIPTIONS:
        raise TooManyPushSubscriptions(
            f"At most {MAX_PUSH_SUBSCRIPTIONS} browsers per order; unsubscribe one first",
            extra={"max_subscriptions": MAX_PUSH_SUBSCRIPTIONS},
        )
    subscription = PushSubscription(
        organization_id=order.organization_id,
        order_id=order.id,
        endpoint=endpoint,
        p256dh=data.keys.p256dh,
        auth=data.keys.auth,
    )
    session.add(subscription)
    await session.flush()
    return subscription, True


async def unsubscribe(session: AsyncSession, *, order: Order, endpoint: str) -> None:
    for subscription in await repository.push_subscriptions_of(session, order_id=order.id):
        if subscription.endpoint == endpoint:
            await repository.delete_push_subscription(session, subscription_id=subscription.id)
            return
    raise PushSubscriptionNotFound()
