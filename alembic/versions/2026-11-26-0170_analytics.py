"""analytics: the ETA a stop's customer was shown when the driver set off for it (for the ETA error KPI)

Revision ID: d3a7f9b2c610
Revises: 7e2b9c4d1f60
Create Date: 2026-11-26 (after order_id_check)
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "d3a7f9b2c610"
down_revision: str | None = "7e2b9c4d1f60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stops", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("leg_start_eta_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("stops", schema=None) as batch_op:
        batch_op.drop_column("leg_start_eta_at")
