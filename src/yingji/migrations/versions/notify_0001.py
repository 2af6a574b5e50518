"""notify: messages, delivery attempts, receipts

Revision ID: notify_0001
Revises: 0001_foundation
Create Date: 2026-12-02 14:07:04.885811
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.core.db

revision: str = "notify_0001"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("notify",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notify_attempt",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=False),
        sa.Column("elapsed_ms", sa.Integer(), nullable=False),
        sa.Column("next_try_at", yingji.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_attempt")),
    )
    with op.batch_alter_table("notify_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_notify_attempt_message", ["message_id", "attempt"], unique=False)

    op.create_table(
        "notify_message",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=500), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("source_type", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("source_kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("provider_ref", sa.String(length=100), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.Column("created_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", yingji.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", yingji.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_message")),
    )
    with op.batch_alter_table("notify_message", schema=None) as batch_op:
        batch_op.create_index("ix_notify_message_created", ["created_at"], unique=False)
        batch_op.create_index("ix_notify_message_provider_ref", ["provider_ref"], unique=False)
        batch_op.create_index(
            "ix_notify_message_source", ["source_type", "source_id"], unique=False
        )

    op.create_table(
        "notify_receipt",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=False),
        sa.Column("provider_ref", sa.String(length=100), nullable=False),
        sa.Column("reported_at", yingji.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("received_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_receipt")),
    )
    with op.batch_alter_table("notify_receipt", schema=None) as batch_op:
        batch_op.create_index("ix_notify_receipt_message", ["message_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notify_receipt", schema=None) as batch_op:
        batch_op.drop_index("ix_notify_receipt_message")

    op.drop_table("notify_receipt")
    with op.batch_alter_table("notify_message", schema=None) as batch_op:
        batch_op.drop_index("ix_notify_message_source")
        batch_op.drop_index("ix_notify_message_provider_ref")
        batch_op.drop_index("ix_notify_message_created")

    op.drop_table("notify_message")
    with op.batch_alter_table("notify_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_notify_attempt_message")

    op.drop_table("notify_attempt")
