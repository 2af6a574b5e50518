"""command: plans, activations, tasks, timers, duty, consultation, warnings, reviews

Revision ID: command_0001
Revises: 0001_foundation
Create Date: 2026-11-29 03:13:28.926889
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.core.db

revision: str = "command_0001"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("command",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "cmd_duty_handover",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("from_person", sa.String(length=64), nullable=False),
        sa.Column("to_person", sa.String(length=64), nullable=False),
        sa.Column("at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column(
            "open_items",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("recorded_by", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmd_duty_handover")),
    )
    with op.batch_alter_table("cmd_duty_handover", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cmd_duty_handover_department_code"), ["department_code"], unique=False
        )

    op.create_table(
        "cmd_duty_session",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "department_codes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("started_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", yingji.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_by", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmd_duty_session")),
    )
    op.create_table(
        "cmd_duty_shift",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("shift_name", sa.String(length=32), nullable=False),
        sa.Column("starts_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("person_name", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("post", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmd_duty_shift")),
    )
    with op.batch_alter_table("cmd_duty_shift", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cmd_duty_shift_dept", ["department_code", "starts_at"], unique=False
        )

    op.create_table(
        "cmd_message",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("author_id", sa.String(length=64), nullable=False),
        sa.Column("author_name", sa.String(length=128), nullable=False),
        sa.Column("author_scope", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "attachments",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmd_message")),
    )
    with op.batch_alter_table("cmd_message", schema=None) as batch_op:
        batch_op.create_index("ix_cmd_message_incident", ["incident_id", "id"], unique=False)

    op.create_table(
        "cmd_plan",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("headquarters_code", sa.String(length=32), nullable=True),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("created_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmd_plan")),
        sa.UniqueConstraint("code", name=op.f("uq_cmd_plan_code")),
    )
    op.create_table(
        "cmd_review",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "measured",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column(
            "lessons",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("finalised", sa.Boolean(), nullable=False),
        sa.Column("created_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmd_review")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_cmd_review_incident_id")),
    )
    op.create_table(
        "cmd_timer",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("ref_id", sa.BigInteger(), nullable=False),
        sa.Column("due_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", yingji.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("fired_at", yingji.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmd_timer")),
    )
    with op.batch_alter_table("cmd_timer", schema=None) as batch_op:
        batch_op.create_index("ix_cmd_timer_due", ["fired_at", "due_at"], unique=False)

    op.create_table(
        "cmd_warning",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("colour", sa.String(length=8), nullable=False),
        sa.Column("event", sa.String(length=100), nullable=False),
        sa.Column("headline", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("instruction", sa.Text(), nullable=False),
        sa.Column("area_desc", sa.String(length=200), nullable=False),
        sa.Column(
            "area",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("category_code", sa.String(length=8), nullable=True),
        sa.Column("issued_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", yingji.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lifted_at", yingji.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmd_warning")),
    )
    with op.batch_alter_table("cmd_warning", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cmd_warning_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "cmd_activation",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column(
            "snapshot",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("response_level", sa.String(length=4), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "incident_ref",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("activated_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("activated_by", sa.String(length=128), nullable=False),
        sa.Column("ended_at", yingji.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["cmd_plan.id"], name=op.f("fk_cmd_activation_plan_id_cmd_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmd_activation")),
    )
    with op.batch_alter_table("cmd_activation", schema=None) as batch_op:
        batch_op.create_index("ix_cmd_activation_incident", ["incident_id"], unique=False)

    op.create_table(
        "cmd_duty_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=True),
        sa.Column("author", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["cmd_duty_session.id"],
            name=op.f("fk_cmd_duty_log_session_id_cmd_duty_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmd_duty_log")),
    )
    with op.batch_alter_table("cmd_duty_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cmd_duty_log_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "cmd_plan_revision",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("lesson_index", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("from_version", sa.Integer(), nullable=False),
        sa.Column("to_version", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=128), nullable=False),
        sa.Column("closed_at", yingji.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["cmd_plan.id"], name=op.f("fk_cmd_plan_revision_plan_id_cmd_plan")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["cmd_review.id"], name=op.f("fk_cmd_plan_revision_review_id_cmd_review")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmd_plan_revision")),
    )
    with op.batch_alter_table("cmd_plan_revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cmd_plan_revision_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "cmd_plan_version",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "body",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["cmd_plan.id"], name=op.f("fk_cmd_plan_version_plan_id_cmd_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmd_plan_version")),
        sa.UniqueConstraint("plan_id", "version", name="uq_cmd_plan_version"),
    )
    with op.batch_alter_table("cmd_plan_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cmd_plan_version_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "cmd_warning_message",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "warning_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("identifier", sa.String(length=64), nullable=False),
        sa.Column("msg_type", sa.String(length=8), nullable=False),
        sa.Column("sent_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["warning_id"],
            ["cmd_warning.id"],
            name=op.f("fk_cmd_warning_message_warning_id_cmd_warning"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmd_warning_message")),
        sa.UniqueConstraint("identifier", name=op.f("uq_cmd_warning_message_identifier")),
    )
    with op.batch_alter_table("cmd_warning_message", schema=None) as batch_op:
        batch_op.create_index("ix_cmd_warning_message_warning", ["warning_id", "id"], unique=False)

    op.create_table(
        "cmd_task",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "activation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("action_key", sa.String(length=128), nullable=True),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("response_level", sa.String(length=4), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("party_type", sa.String(length=16), nullable=False),
        sa.Column("party_code", sa.String(length=64), nullable=False),
        sa.Column("party_name", sa.String(length=200), nullable=False),
        sa.Column("scope_type", sa.String(length=16), nullable=False),
        sa.Column("scope_code", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("deadline_at", yingji.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deadline_for", sa.String(length=16), nullable=False),
        sa.Column("assigned_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", yingji.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("en_route_at", yingji.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("on_scene_at", yingji.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", yingji.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("refused_reason", sa.String(length=500), nullable=False),
        sa.Column("escalation_stage", sa.Integer(), nullable=False),
        sa.Column(
            "resources",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "notify",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "attached",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("reassigned_from", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["activation_id"],
            ["cmd_activation.id"],
            name=op.f("fk_cmd_task_activation_id_cmd_activation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmd_task")),
        sa.UniqueConstraint("activation_id", "action_key", name="uq_cmd_task_action"),
    )
    with op.batch_alter_table("cmd_task", schema=None) as batch_op:
        batch_op.create_index("ix_cmd_task_incident", ["incident_id", "seq"], unique=False)
        batch_op.create_index(
            "ix_cmd_task_scope", ["scope_type", "scope_code", "status"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("cmd_task", schema=None) as batch_op:
        batch_op.drop_index("ix_cmd_task_scope")
        batch_op.drop_index("ix_cmd_task_incident")

    op.drop_table("cmd_task")
    with op.batch_alter_table("cmd_warning_message", schema=None) as batch_op:
        batch_op.drop_index("ix_cmd_warning_message_warning")

    op.drop_table("cmd_warning_message")
    with op.batch_alter_table("cmd_plan_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cmd_plan_version_plan_id"))

    op.drop_table("cmd_plan_version")
    with op.batch_alter_table("cmd_plan_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cmd_plan_revision_plan_id"))

    op.drop_table("cmd_plan_revision")
    with op.batch_alter_table("cmd_duty_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cmd_duty_log_session_id"))

    op.drop_table("cmd_duty_log")
    with op.batch_alter_table("cmd_activation", schema=None) as batch_op:
        batch_op.drop_index("ix_cmd_activation_incident")

    op.drop_table("cmd_activation")
    with op.batch_alter_table("cmd_warning", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cmd_warning_incident_id"))

    op.drop_table("cmd_warning")
    with op.batch_alter_table("cmd_timer", schema=None) as batch_op:
        batch_op.drop_index("ix_cmd_timer_due")

    op.drop_table("cmd_timer")
    op.drop_table("cmd_review")
    op.drop_table("cmd_plan")
    with op.batch_alter_table("cmd_message", schema=None) as batch_op:
        batch_op.drop_index("ix_cmd_message_incident")

    op.drop_table("cmd_message")
    with op.batch_alter_table("cmd_duty_shift", schema=None) as batch_op:
        batch_op.drop_index("ix_cmd_duty_shift_dept")

    op.drop_table("cmd_duty_shift")
    op.drop_table("cmd_duty_session")
    with op.batch_alter_table("cmd_duty_handover", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cmd_duty_handover_department_code"))

    op.drop_table("cmd_duty_handover")
