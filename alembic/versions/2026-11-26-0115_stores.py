"""stores: staff assignments and in-store pickups

Revision ID: 5b0c4e2f7a11
Revises: 75808f1abc52
Create Date: 2026-11-26 01:15:00
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "5b0c4e2f7a11"
down_revision: str | None = "75808f1abc52"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GUID = advanced_alchemy.types.guid.GUID(length=16)
UTC_TIME = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def _audit() -> list[sa.Column]:
    return [
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "store_assignments",
        sa.Column("id", GUID, nullable=False),
        sa.Column("organization_id", GUID, nullable=False),
        sa.Column("user_id", GUID, nullable=False),
        sa.Column("location_id", GUID, nullable=False),
        *_audit(),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_store_assignments_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_store_assignments_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_store_assignments_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_assignments")),
        sa.UniqueConstraint("user_id", "location_id", name=op.f("uq_store_assignments_user_id")),
    )
    with op.batch_alter_table("store_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_store_assignments_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_store_assignments_user_id"), ["user_id"], unique=False)

    op.create_table(
        "pickups",
        sa.Column("id", GUID, nullable=False),
        sa.Column("organization_id", GUID, nullable=False),
        sa.Column("order_id", GUID, nullable=False),
        sa.Column("store_id", GUID, nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("shelf", sa.String(length=32), nullable=True),
        sa.Column("scanned", sa.JSON(), nullable=False),
        sa.Column("ready_at", UTC_TIME, nullable=True),
        sa.Column("expires_at", UTC_TIME, nullable=True),
        sa.Column("reminded_at", UTC_TIME, nullable=True),
        sa.Column("expiry_warned_at", UTC_TIME, nullable=True),
        sa.Column("customer_arrived_at", UTC_TIME, nullable=True),
        sa.Column("curbside", sa.Boolean(), nullable=False),
        sa.Column("parking_note", sa.Text(), nullable=True),
        sa.Column("handed_over_at", UTC_TIME, nullable=True),
        sa.Column("handed_over_by", GUID, nullable=True),
        sa.Column("expired_at", UTC_TIME, nullable=True),
        sa.Column("return_order_id", GUID, nullable=True),
        *_audit(),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_pickups_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_pickups_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["locations.id"], name=op.f("fk_pickups_store_id_locations"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["handed_over_by"], ["users.id"], name=op.f("fk_pickups_handed_over_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["return_order_id"], ["orders.id"], name=op.f("fk_pickups_return_order_id_orders"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pickups")),
        sa.UniqueConstraint("order_id", name=op.f("uq_pickups_order_id")),
        sa.UniqueConstraint("store_id", "code", name=op.f("uq_pickups_store_id")),
    )
    with op.batch_alter_table("pickups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pickups_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pickups_store_id"), ["store_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pickups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pickups_store_id"))
        batch_op.drop_index(batch_op.f("ix_pickups_organization_id"))
    op.drop_table("pickups")
    with op.batch_alter_table("store_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_store_assignments_user_id"))
        batch_op.drop_index(batch_op.f("ix_store_assignments_organization_id"))
    op.drop_table("store_assignments")
