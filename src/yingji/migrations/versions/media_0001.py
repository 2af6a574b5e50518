"""media: stored objects and resumable upload sessions

Revision ID: media_0001
Revises: 0001_foundation
Create Date: 2026-12-02 14:00:30.293188
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import yingji.core.db

revision: str = "media_0001"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("media",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media_object",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("mime", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("thumbnail_key", sa.String(length=200), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("subdistrict_code", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_object")),
    )
    with op.batch_alter_table("media_object", schema=None) as batch_op:
        batch_op.create_index("ix_media_object_sha256", ["sha256"], unique=False)

    op.create_table(
        "media_upload",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("received_bytes", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("refusal", sa.String(length=64), nullable=False),
        sa.Column("media_id", sa.BigInteger(), nullable=True),
        sa.Column("subdistrict_code", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_upload")),
    )
    with op.batch_alter_table("media_upload", schema=None) as batch_op:
        batch_op.create_index("ix_media_upload_status", ["status", "expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("media_upload", schema=None) as batch_op:
        batch_op.drop_index("ix_media_upload_status")

    op.drop_table("media_upload")
    with op.batch_alter_table("media_object", schema=None) as batch_op:
        batch_op.drop_index("ix_media_object_sha256")

    op.drop_table("media_object")
