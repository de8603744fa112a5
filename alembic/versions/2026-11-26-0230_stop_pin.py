"""stop_pin: a stop a dispatcher moved to another route by hand keeps its order on that vehicle in re-plans

Revision ID: b6f2d4e0c183
Revises: a5e1c3d9b072
Create Date: 2026-11-26 07:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b6f2d4e0c183"
down_revision: str | None = "a5e1c3d9b072"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pinned", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("stops", schema=None) as batch_op:
        batch_op.drop_column("pinned")
