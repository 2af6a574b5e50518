"""intake: reports, incidents, links, timeline, routing, events

Revision ID: intake_0001
Revises: 0001_foundation
Create Date: 2026-11-29 02:48:31.875709
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.core.db

revision: str = "intake_0001"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("intake",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intake_event",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column(
            "incident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("subdistrict_code", sa.String(length=32), nullable=True),
        sa.Column("headquarters_code", sa.String(length=32), nullable=True),
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_event")),
    )
    op.create_table(
        "intake_incident",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column("needs_assessment", sa.Boolean(), nullable=False),
        sa.Column("grading_rule", sa.String(length=32), nullable=False),
        sa.Column("category_code", sa.String(length=8), nullable=True),
        sa.Column("category_group", sa.String(length=8), nullable=True),
        sa.Column("category_confidence", sa.Float(), nullable=False),
        sa.Column("category_source", sa.String(length=8), nullable=False),
        sa.Column("low_confidence", sa.Boolean(), nullable=False),
        sa.Column("occurred_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_report_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("address", sa.String(length=256), nullable=False),
        sa.Column("subdistrict_code", sa.String(length=32), nullable=True),
        sa.Column(
            "location",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("deaths", sa.Integer(), nullable=True),
        sa.Column("missing", sa.Integer(), nullable=True),
        sa.Column("serious_injuries", sa.Integer(), nullable=True),
        sa.Column("injuries", sa.Integer(), nullable=True),
        sa.Column("trapped", sa.Integer(), nullable=True),
        sa.Column("direct_loss_cny", sa.Float(), nullable=True),
        sa.Column("affected_people", sa.Integer(), nullable=True),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column(
            "channels",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("headquarters_code", sa.String(length=32), nullable=True),
        sa.Column("trusted", sa.Boolean(), nullable=False),
        sa.Column("production_safety", sa.Boolean(), nullable=False),
        sa.Column(
            "deadlines",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "deadlines_done",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_incident")),
    )
    with op.batch_alter_table("intake_incident", schema=None) as batch_op:
        batch_op.create_index("ix_intake_incident_created_at", ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_intake_incident_headquarters_code"), ["headquarters_code"], unique=False
        )
        batch_op.create_index(
            "ix_intake_incident_merge", ["category_group", "occurred_at"], unique=False
        )
        batch_op.create_index("ix_intake_incident_status", ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_intake_incident_subdistrict_code"), ["subdistrict_code"], unique=False
        )

    op.create_table(
        "intake_report",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=128), nullable=False),
        sa.Column("body_hash", sa.String(length=64), nullable=False),
        sa.Column("raw_body", sa.Text(), nullable=False),
        sa.Column("received_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("occurred_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reported_at", yingji.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("category_code", sa.String(length=8), nullable=True),
        sa.Column("category_source", sa.String(length=8), nullable=False),
        sa.Column("category_confidence", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("input_crs", sa.String(length=8), nullable=True),
        sa.Column("address", sa.String(length=256), nullable=False),
        sa.Column("subdistrict_code", sa.String(length=32), nullable=True),
        sa.Column("reporter_name", sa.String(length=64), nullable=False),
        sa.Column("reporter_phone", sa.String(length=32), nullable=False),
        sa.Column(
            "casualties",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("direct_loss_cny", sa.Float(), nullable=True),
        sa.Column("affected_people", sa.Integer(), nullable=True),
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column("sender_type", sa.String(length=16), nullable=False),
        sa.Column("sender_id", sa.String(length=64), nullable=False),
        sa.Column("sender_name", sa.String(length=128), nullable=False),
        sa.Column(
            "incident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("merged", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["intake_incident.id"],
            name=op.f("fk_intake_report_incident_id_intake_incident"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_report")),
        sa.UniqueConstraint("channel", "source_id", name="uq_intake_report_channel_source"),
    )
    with op.batch_alter_table("intake_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_intake_report_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index("ix_intake_report_received_at", ["received_at"], unique=False)

    op.create_table(
        "intake_routing",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "incident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("target_type", sa.String(length=16), nullable=False),
        sa.Column("target_code", sa.String(length=32), nullable=False),
        sa.Column("target_name", sa.String(length=128), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("routed_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["intake_incident.id"],
            name=op.f("fk_intake_routing_incident_id_intake_incident"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_routing")),
        sa.UniqueConstraint("incident_id", "target_type", "target_code", name="uq_intake_routing"),
    )
    with op.batch_alter_table("intake_routing", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_intake_routing_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "intake_incident_report",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "incident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "report_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("merged", sa.Boolean(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("linked_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["intake_incident.id"],
            name=op.f("fk_intake_incident_report_incident_id_intake_incident"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["intake_report.id"],
            name=op.f("fk_intake_incident_report_report_id_intake_report"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_incident_report")),
        sa.UniqueConstraint("report_id", name=op.f("uq_intake_incident_report_report_id")),
    )
    with op.batch_alter_table("intake_incident_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_intake_incident_report_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "intake_timeline",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "incident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("report_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=True),
        sa.Column("actor_type", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("actor_name", sa.String(length=128), nullable=False),
        sa.Column("message", sa.String(length=1000), nullable=False),
        sa.Column("message_en", sa.String(length=1000), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["intake_incident.id"],
            name=op.f("fk_intake_timeline_incident_id_intake_incident"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["intake_report.id"],
            name=op.f("fk_intake_timeline_report_id_intake_report"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_timeline")),
    )
    with op.batch_alter_table("intake_timeline", schema=None) as batch_op:
        batch_op.create_index("ix_intake_timeline_incident", ["incident_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("intake_timeline", schema=None) as batch_op:
        batch_op.drop_index("ix_intake_timeline_incident")

    op.drop_table("intake_timeline")
    with op.batch_alter_table("intake_incident_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_incident_report_incident_id"))

    op.drop_table("intake_incident_report")
    with op.batch_alter_table("intake_routing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_routing_incident_id"))

    op.drop_table("intake_routing")
    with op.batch_alter_table("intake_report", schema=None) as batch_op:
        batch_op.drop_index("ix_intake_report_received_at")
        batch_op.drop_index(batch_op.f("ix_intake_report_incident_id"))

    op.drop_table("intake_report")
    with op.batch_alter_table("intake_incident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_incident_subdistrict_code"))
        batch_op.drop_index("ix_intake_incident_status")
        batch_op.drop_index("ix_intake_incident_merge")
        batch_op.drop_index(batch_op.f("ix_intake_incident_headquarters_code"))
        batch_op.drop_index("ix_intake_incident_created_at")

    op.drop_table("intake_incident")
    op.drop_table("intake_event")
