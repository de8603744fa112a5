"""inbox: which of the dispatcher's exceptions were marked handled (the items are computed, not stored)

Revision ID: a5e1c3d9b072
Revises: f1c9a6e3b7d4
Create Date: 2026-11-26 07:30:00
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "a5e1c3d9b072"
down_revision: str | None = "f1c9a6e3b7d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GUID = advanced_alchemy.types.guid.GUID(length=16)
UTC_TIME = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inbox_acknowledgements",
        sa.Column("id", GUID, nullable=False),
        sa.Column("organization_id", GUID, nullable=False),
        sa.Column("item_key", sa.String(length=120), nullable=False),
        sa.Column("acknowledged_by", GUID, nullable=True),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("acknowledged_at", UTC_TIME, nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_inbox_acknowledgements_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"],
            ["users.id"],
            name=op.f("fk_inbox_acknowledgements_acknowledged_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_acknowledgements")),
        sa.UniqueConstraint("organization_id", "item_key", name=op.f("uq_inbox_acknowledgements_organization_id")),
    )


def downgrade() -> None:
    op.drop_table("inbox_acknowledgements")
