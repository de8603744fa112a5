"""retention_indexes: the hourly purge finds old rows by time without reading whole tables

Revision ID: c7a3e5f1d294
Revises: b6f2d4e0c183
Create Date: 2026-11-26 08:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c7a3e5f1d294"
down_revision: str | None = "b6f2d4e0c183"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_notifications_created_at", "notifications", "created_at"),
    ("ix_push_subscriptions_created_at", "push_subscriptions", "created_at"),
    ("ix_webhook_deliveries_created_at", "webhook_deliveries", "created_at"),
    ("ix_sync_commands_recorded_at", "sync_commands", "recorded_at"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column])


def downgrade() -> None:
    for name, table, _column in INDEXES:
        op.drop_index(name, table_name=table)
