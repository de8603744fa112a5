"""Retention: the hourly purge removes what is older than each setting says, and only what is settled."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from backend.accounts.models import Role
from backend.integrations.models import DeliveryStatus, WebhookDelivery
from backend.kit.clock import utcnow
from backend.kit.retention import PurgeJob
from backend.notifications.models import ChannelName, Notification, NotificationStatus, PushSubscription, Rule
from backend.settings import Settings, SettingsError
from tests.factories import make_order, make_tenant, run_in_app, sign_in
from tests.tracking.conftest import settle


def _rows(client: Any, organization_id: uuid.UUID, order_id: uuid.UUID, endpoint_id: uuid.UUID) -> None:
    async def add(session: Any) -> None:
        now = utcnow()
        for status in (NotificationStatus.sent, NotificationStatus.failed, NotificationStatus.queued):
            session.add(
                Notification(
                    organization_id=organization_id,
                    order_id=order_id,
                    dedupe_key=f"k-{status}",
                    rule=Rule.delivered,
                    channel=ChannelName.email,
                    recipient="ada@example.com",
                    status=status,
                    next_attempt_at=now,
                    subject="Delivered",
                    body_text="Your parcel was delivered.",
                )
            )
        session.add(
            PushSubscription(
                organization_id=organization_id,
                order_id=order_id,
                endpoint="https://push.example.com/x",
                p256dh="k",
                auth="a",
            )
        )
        for status in (DeliveryStatus.succeeded, DeliveryStatus.failed, DeliveryStatus.pending):
            session.add(
                WebhookDelivery(
                    organization_id=organization_id,
                    endpoint_id=endpoint_id,
                    event_id=uuid.uuid4(),
                    event_type="order.delivered",
                    body={"type": "order.delivered"},
                    status=status,
                    give_up_at=now + timedelta(hours=24),
                )
            )

    run_in_app(client, add)


def _counts(client: Any) -> dict[str, int]:
    async def count(session: Any) -> dict[str, int]:
        return {
            "notifications": await session.scalar(select(func.count()).select_from(Notification)),
            "push_subscriptions": await session.scalar(select(func.count()).select_from(PushSubscription)),
            "webhook_deliveries": await session.scalar(select(func.count()).select_from(WebhookDelivery)),
        }

    return run_in_app(client, count)  # type: ignore[no-any-return]


def test_settled_notices_deliveries_and_old_subscriptions_go_after_their_retention(client: Any) -> None:
    tenant = make_tenant(client)
    admin = sign_in(client, tenant.users[Role.admin])
    order = make_order(admin)
    endpoint = admin.post("/api/webhooks", json={"url": "https://hooks.example.com/x", "event_types": ["order.*"]})
    assert endpoint.status_code == 201, endpoint.text

    async def clear(session: Any) -> None:  # what the app itself queued for this order is not this test's
        for model in (Notification, WebhookDelivery):
            for row in await session.scalars(select(model)):
                await session.delete(row)

    settle(client)  # the relay has turned the order's events into notices and deliveries: none come later
    run_in_app(client, clear)
    _rows(client, tenant.organization.id, uuid.UUID(order["id"]), uuid.UUID(endpoint.json()["endpoint"]["id"]))
    settings = client.app.state["settings"]
    retention = client.app.state["retention"]

    retention.clock = lambda: utcnow() + timedelta(days=settings.webhook_log_retention_days - 1)
    assert client.blocking_portal.call(retention.purge)["webhook_deliveries"] == 0

    retention.clock = lambda: utcnow() + timedelta(days=settings.webhook_log_retention_days + 1)
    removed = client.blocking_portal.call(retention.purge)
    assert removed["webhook_deliveries"] == 2, "succeeded and failed go; the pending one is still being retried"
    assert removed["notifications"] == 0 and removed["push_subscriptions"] == 0, "notices are kept longer"

    retention.clock = lambda: utcnow() + timedelta(days=settings.notification_retention_days + 1)
    retention.batch = 1  # one row a transaction: the purge goes on until a batch comes back short
    removed = client.blocking_portal.call(retention.purge)
    assert removed["notifications"] == 2, "sent and failed go; a queued notice waits for its send"
    assert removed["push_subscriptions"] == 1
    assert _counts(client) == {"notifications": 1, "push_subscriptions": 0, "webhook_deliveries": 1}


def test_a_failing_purge_does_not_stop_the_others(client: Any) -> None:
    retention = client.app.state["retention"]

    async def broken(_session: Any, _before: Any) -> int:
        raise RuntimeError("table locked")

    retention.jobs.insert(0, PurgeJob("broken", 1, broken))
    removed = client.blocking_portal.call(retention.purge)
    assert "broken" not in removed and {"positions", "sync_commands", "notifications"} <= set(removed)


def test_retention_settings_refuse_zero() -> None:
    for name in ("NOTIFICATION", "WEBHOOK_LOG", "POSITION", "SYNC_KEY"):
        with pytest.raises(SettingsError, match=f"{name}_RETENTION_DAYS"):
            Settings.from_env({f"DOORSTEP_{name}_RETENTION_DAYS": "0"})
