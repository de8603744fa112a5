"""carriers: shippers' carrier links and rules, orders given to a carrier, carriers' idempotent updates

Revision ID: f1c9a6e3b7d4
Revises: e4b8c1d7a253
Create Date: 2026-11-26 02:10:00
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "f1c9a6e3b7d4"
down_revision: str | None = "e4b8c1d7a253"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GUID = advanced_alchemy.types.guid.GUID(length=16)
UTC_TIME = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def _audit() -> list[sa.Column[object]]:
    return [
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "carrier_links",
        sa.Column("id", GUID, nullable=False),
        sa.Column("organization_id", GUID, nullable=False),
        sa.Column("carrier_id", GUID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_audit(),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_carrier_links_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["carrier_id"],
            ["organizations.id"],
            name=op.f("fk_carrier_links_carrier_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carrier_links")),
        sa.UniqueConstraint("organization_id", "carrier_id", name=op.f("uq_carrier_links_organization_id")),
    )
    with op.batch_alter_table("carrier_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_carrier_links_carrier_id"), ["carrier_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_carrier_links_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "carrier_rules",
        sa.Column("id", GUID, nullable=False),
        sa.Column("organization_id", GUID, nullable=False),
        sa.Column("link_id", GUID, nullable=False),
        sa.Column("zone_id", GUID, nullable=True),
        sa.Column("max_weight_kg", sa.Float(), nullable=True),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *_audit(),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_carrier_rules_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["link_id"], ["carrier_links.id"], name=op.f("fk_carrier_rules_link_id_carrier_links"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["zone_id"], ["zones.id"], name=op.f("fk_carrier_rules_zone_id_zones"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carrier_rules")),
    )
    with op.batch_alter_table("carrier_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_carrier_rules_link_id"), ["link_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_carrier_rules_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "carrier_updates",
        sa.Column("id", GUID, nullable=False),
        sa.Column("carrier_id", GUID, nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("order_id", GUID, nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        *_audit(),
        sa.ForeignKeyConstraint(
            ["carrier_id"],
            ["organizations.id"],
            name=op.f("fk_carrier_updates_carrier_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carrier_updates")),
        sa.UniqueConstraint("carrier_id", "idempotency_key", name=op.f("uq_carrier_updates_carrier_id")),
    )
    with op.batch_alter_table("carrier_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_carrier_updates_carrier_id"), ["carrier_id"], unique=False)

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("carrier_id", GUID, nullable=True))
        batch_op.create_index(batch_op.f("ix_orders_carrier_id"), ["carrier_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_orders_carrier_id_organizations"),
            "organizations",
            ["carrier_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_orders_carrier_id_organizations"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_orders_carrier_id"))
        batch_op.drop_column("carrier_id")
    with op.batch_alter_table("carrier_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_carrier_updates_carrier_id"))
    op.drop_table("carrier_updates")
    with op.batch_alter_table("carrier_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_carrier_rules_organization_id"))
        batch_op.drop_index(batch_op.f("ix_carrier_rules_link_id"))
    op.drop_table("carrier_rules")
    with op.batch_alter_table("carrier_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_carrier_links_organization_id"))
        batch_op.drop_index(batch_op.f("ix_carrier_links_carrier_id"))
    op.drop_table("carrier_links")
