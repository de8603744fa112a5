"""Tracking: driver positions, learned speed factors, live ETAs on stops, when an order closed, geofences.

Revision ID: aead51f79490
Revises: 3e93f3f0a50e
Create Date: 2026-11-25 22:12:45.633083
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op


revision: str = "aead51f79490"
down_revision: str | None = "3e93f3f0a50e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "driver_speeds",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("organization_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("driver_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("speed_factor", sa.Float(), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["driver_id"], ["users.id"], name=op.f("fk_driver_speeds_driver_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_driver_speeds_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_driver_speeds")),
        sa.UniqueConstraint("driver_id", name=op.f("uq_driver_speeds_driver_id")),
    )
    with op.batch_alter_table("driver_speeds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_driver_speeds_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "positions",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("organization_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("driver_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("route_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("speed_mps", sa.Float(), nullable=True),
        sa.Column("heading_deg", sa.Float(), nullable=True),
        sa.Column("recorded_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("received_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("for_eta", sa.Boolean(), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["driver_id"], ["users.id"], name=op.f("fk_positions_driver_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_positions_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["route_id"], ["routes.id"], name=op.f("fk_positions_route_id_routes"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_positions")),
    )
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.create_index("ix_positions_driver_recorded", ["driver_id", "recorded_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_positions_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_positions_recorded_at"), ["recorded_at"], unique=False)

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("closed_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("geofence_radius_m", sa.Float(), nullable=True))

    # orders already closed: their tracking links expire counted from their last change
    op.execute(
        "UPDATE orders SET closed_at = updated_at WHERE status IN "
        "('delivered', 'returned_to_depot', 'cancelled', 'picked_up', 'restocked', 'disposed')"
    )

    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("geofence", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("geofence_radius_m", sa.Float(), nullable=True))

    with op.batch_alter_table("stops", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("departed_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("eta_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("eta_earliest_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("eta_latest_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True)
        )



def downgrade() -> None:
    with op.batch_alter_table("stops", schema=None) as batch_op:
        batch_op.drop_column("eta_latest_at")
        batch_op.drop_column("eta_earliest_at")
        batch_op.drop_column("eta_at")
        batch_op.drop_column("departed_at")

    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_column("geofence_radius_m")
        batch_op.drop_column("geofence")

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("geofence_radius_m")
        batch_op.drop_column("closed_at")

    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_positions_recorded_at"))
        batch_op.drop_index(batch_op.f("ix_positions_organization_id"))
        batch_op.drop_index("ix_positions_driver_recorded")

    op.drop_table("positions")
    with op.batch_alter_table("driver_speeds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_driver_speeds_organization_id"))

    op.drop_table("driver_speeds")
