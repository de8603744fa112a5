"""returns: the request behind each return order

Revision ID: 9d3e51c0b7a2
Revises: 5b0c4e2f7a11
Create Date: 2026-11-26 01:30:00
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "9d3e51c0b7a2"
down_revision: str | None = "5b0c4e2f7a11"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GUID = advanced_alchemy.types.guid.GUID(length=16)
UTC_TIME = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    op.create_table(
        "return_requests",
        sa.Column("id", GUID, nullable=False),
        sa.Column("organization_id", GUID, nullable=False),
        sa.Column("return_order_id", GUID, nullable=False),
        sa.Column("original_order_id", GUID, nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "pickup", "store_dropoff", name="return_method", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("store_id", GUID, nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("dropped_at", UTC_TIME, nullable=True),
        sa.Column("received_at", UTC_TIME, nullable=True),
        sa.Column("received_location_id", GUID, nullable=True),
        sa.Column(
            "disposition",
            sa.Enum(
                "restock",
                "repair",
                "dispose",
                name="return_disposition",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_return_requests_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["return_order_id"],
            ["orders.id"],
            name=op.f("fk_return_requests_return_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["original_order_id"],
            ["orders.id"],
            name=op.f("fk_return_requests_original_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["locations.id"], name=op.f("fk_return_requests_store_id_locations"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["received_location_id"],
            ["locations.id"],
            name=op.f("fk_return_requests_received_location_id_locations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_requests")),
        sa.UniqueConstraint("return_order_id", name=op.f("uq_return_requests_return_order_id")),
        sa.UniqueConstraint("organization_id", "code", name=op.f("uq_return_requests_organization_id")),
    )
    with op.batch_alter_table("return_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_return_requests_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_return_requests_original_order_id"), ["original_order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("return_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_return_requests_original_order_id"))
        batch_op.drop_index(batch_op.f("ix_return_requests_organization_id"))
    op.drop_table("return_requests")
