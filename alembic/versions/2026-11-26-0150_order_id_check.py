"""order_id_check: orders that need photo ID at hand-over; how far away an arriving pickup customer is

Revision ID: b81f0c6a2d57
Revises: 9d3e51c0b7a2
Create Date: 2026-11-26 01:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b81f0c6a2d57"
down_revision: str | None = "9d3e51c0b7a2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("id_check_required", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("pickups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customer_distance_m", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pickups", schema=None) as batch_op:
        batch_op.drop_column("customer_distance_m")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("id_check_required")
