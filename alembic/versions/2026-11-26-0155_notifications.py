"""notifications: each organization's notice settings, customers' push subscriptions, the delivery log (one row
per message; unique per trigger, rule, channel and recipient) and the ETA each customer was last told

Revision ID: 7e2b9c4d1f60
Revises: b81f0c6a2d57
Create Date: 2026-11-26 01:40:00
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "7e2b9c4d1f60"
down_revision: str | None = "b81f0c6a2d57"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GUID = advanced_alchemy.types.guid.GUID(length=16)
UTC_TIME = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    op.create_table(
        "notification_settings",
        sa.Column("id", GUID, nullable=False),
        sa.Column("organization_id", GUID, nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("quiet_start", sa.String(length=5), nullable=True),
        sa.Column("quiet_end", sa.String(length=5), nullable=True),
        sa.Column("sender_name", sa.String(length=60), nullable=True),
        sa.Column("arriving_stops_away", sa.Integer(), nullable=False),
        sa.Column("arriving_within_min", sa.Integer(), nullable=True),
        sa.Column("eta_change_min", sa.Integer(), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_notification_settings_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_settings")),
        sa.UniqueConstraint("organization_id", name=op.f("uq_notification_settings_organization_id")),
    )
    op.create_table(
        "notified_etas",
        sa.Column("id", GUID, nullable=False),
        sa.Column("organization_id", GUID, nullable=False),
        sa.Column("order_id", GUID, nullable=False),
        sa.Column("eta_at", UTC_TIME, nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_notified_etas_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_notified_etas_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notified_etas")),
        sa.UniqueConstraint("order_id", name=op.f("uq_notified_etas_order_id")),
    )
    with op.batch_alter_table("notified_etas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notified_etas_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "push_subscriptions",
        sa.Column("id", GUID, nullable=False),
        sa.Column("organization_id", GUID, nullable=False),
        sa.Column("order_id", GUID, nullable=False),
        sa.Column("endpoint", sa.String(length=1024), nullable=False),
        sa.Column("p256dh", sa.String(length=128), nullable=False),
        sa.Column("auth", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_push_subscriptions_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_push_subscriptions_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_subscriptions")),
        sa.UniqueConstraint("order_id", "endpoint", name=op.f("uq_push_subscriptions_order_id")),
    )
    with op.batch_alter_table("push_subscriptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_push_subscriptions_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_push_subscriptions_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", GUID, nullable=False),
        sa.Column("organization_id", GUID, nullable=False),
        sa.Column("order_id", GUID, nullable=False),
        sa.Column("event_id", GUID, nullable=True),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column(
            "rule",
            sa.Enum(
                "confirmed",
                "out_for_delivery",
                "arriving",
                "delivered",
                "failed",
                "eta_changed",
                "ready_for_pickup",
                "pickup_reminder",
                name="notification_rule",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "channel",
            sa.Enum(
                "email",
                "sms",
                "push",
                name="notification_channel",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("push_subscription_id", GUID, nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "sending",
                "sent",
                "outboxed",
                "failed",
                "skipped",
                name="notification_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC_TIME, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", UTC_TIME, nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_notifications_event_id_events"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_notifications_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_notifications_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["push_subscription_id"],
            ["push_subscriptions.id"],
            name=op.f("fk_notifications_push_subscription_id_push_subscriptions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("dedupe_key", "rule", "channel", "recipient", name=op.f("uq_notifications_dedupe_key")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notifications_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            "ix_notifications_organization_id_created_at", ["organization_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_organization_id_created_at")
        batch_op.drop_index(batch_op.f("ix_notifications_order_id"))
        batch_op.drop_index("ix_notifications_due")

    op.drop_table("notifications")
    with op.batch_alter_table("push_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_push_subscriptions_organization_id"))
        batch_op.drop_index(batch_op.f("ix_push_subscriptions_order_id"))

    op.drop_table("push_subscriptions")
    with op.batch_alter_table("notified_etas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notified_etas_organization_id"))

    op.drop_table("notified_etas")
    op.drop_table("notification_settings")
