"""proof and sync

Revision ID: a512c37e4497
Revises: aead51f79490
Create Date: 2026-11-26 01:03:21.825232
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op


revision: str = "a512c37e4497"
down_revision: str | None = "aead51f79490"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("organization_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("stored_sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_media_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name=op.f("fk_media_uploaded_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media")),
        sa.UniqueConstraint("organization_id", "sha256", name=op.f("uq_media_organization_id")),
    )
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_media_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "sync_commands",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("organization_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("principal_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("route_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("stop_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("order_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "applied", "rejected", name="command_outcome", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("occurred_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("recorded_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sync_commands_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["principal_id"], ["users.id"], name=op.f("fk_sync_commands_principal_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_commands")),
    )
    with op.batch_alter_table("sync_commands", schema=None) as batch_op:
        batch_op.create_index("ix_sync_commands_org_recorded", ["organization_id", "recorded_at"], unique=False)

    op.create_table(
        "proofs",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("organization_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("order_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("route_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("stop_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("driver_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("command_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "delivered",
                "failed",
                "return_collected",
                "picked_up",
                name="proof_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("accepted", "conflict", name="proof_status", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("conflict_reason", sa.String(length=32), nullable=True),
        sa.Column("recipient_name", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=True),
        sa.Column("barcode", sa.String(length=64), nullable=True),
        sa.Column("condition", sa.String(length=16), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("occurred_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("recorded_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["driver_id"], ["users.id"], name=op.f("fk_proofs_driver_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_proofs_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_proofs_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["route_id"], ["routes.id"], name=op.f("fk_proofs_route_id_routes"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proofs")),
    )
    with op.batch_alter_table("proofs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proofs_command_id"), ["command_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proofs_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proofs_organization_id"), ["organization_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("proofs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proofs_organization_id"))
        batch_op.drop_index(batch_op.f("ix_proofs_order_id"))
        batch_op.drop_index(batch_op.f("ix_proofs_command_id"))

    op.drop_table("proofs")
    with op.batch_alter_table("sync_commands", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_commands_org_recorded")

    op.drop_table("sync_commands")
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_organization_id"))

    op.drop_table("media")
