"""inventory

Revision ID: 75808f1abc52
Revises: a512c37e4497
Create Date: 2026-11-26 01:12:40.354692
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op


revision: str = "75808f1abc52"
down_revision: str | None = "a512c37e4497"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "skus",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("organization_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("barcode", sa.String(length=64), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_skus_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skus")),
        sa.UniqueConstraint("barcode", "organization_id", name=op.f("uq_skus_barcode")),
        sa.UniqueConstraint("code", "organization_id", name=op.f("uq_skus_code")),
    )
    with op.batch_alter_table("skus", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_skus_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "stock_levels",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("organization_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("location_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("sku_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("low_stock_threshold", sa.Integer(), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_stock_levels_on_hand_not_negative")),
        sa.CheckConstraint("reserved <= on_hand", name=op.f("ck_stock_levels_reserved_within_on_hand")),
        sa.CheckConstraint("reserved >= 0", name=op.f("ck_stock_levels_reserved_not_negative")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_stock_levels_location_id_locations"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_stock_levels_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_stock_levels_sku_id_skus"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_levels")),
        sa.UniqueConstraint("location_id", "sku_id", name=op.f("uq_stock_levels_location_id")),
    )
    with op.batch_alter_table("stock_levels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stock_levels_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stock_levels_sku_id"), ["sku_id"], unique=False)

    op.create_table(
        "order_lines",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("organization_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("order_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("sku_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_lines_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_order_lines_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_order_lines_sku_id_skus"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
        sa.UniqueConstraint("order_id", "sku_id", name=op.f("uq_order_lines_order_id")),
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_lines_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "stock_movements",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("organization_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("location_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("sku_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "receipt",
                "reservation",
                "release",
                "pickup_handoff",
                "transfer_out",
                "transfer_in",
                "return_restock",
                "adjustment",
                name="movement_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("on_hand_delta", sa.Integer(), nullable=False),
        sa.Column("reserved_delta", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("order_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("transfer_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("occurred_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_stock_movements_location_id_locations"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_stock_movements_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_stock_movements_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sku_id"], ["skus.id"], name=op.f("fk_stock_movements_sku_id_skus"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movements")),
    )
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.create_index("ix_stock_movements_location_sku", ["location_id", "sku_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stock_movements_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stock_movements_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stock_movements_sku_id"), ["sku_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stock_movements_transfer_id"), ["transfer_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_movements_transfer_id"))
        batch_op.drop_index(batch_op.f("ix_stock_movements_sku_id"))
        batch_op.drop_index(batch_op.f("ix_stock_movements_organization_id"))
        batch_op.drop_index(batch_op.f("ix_stock_movements_order_id"))
        batch_op.drop_index("ix_stock_movements_location_sku")

    op.drop_table("stock_movements")
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_lines_organization_id"))

    op.drop_table("order_lines")
    with op.batch_alter_table("stock_levels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_levels_sku_id"))
        batch_op.drop_index(batch_op.f("ix_stock_levels_organization_id"))

    op.drop_table("stock_levels")
    with op.batch_alter_table("skus", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_skus_organization_id"))

    op.drop_table("skus")
