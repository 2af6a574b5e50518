"""auth: failed logins, revoked tokens, TOTP, role policy; audit log purge past 184 days

Revision ID: auth_0001
Revises: 0001_foundation
Create Date: 2026-12-02 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.core.db

revision: str = "auth_0001"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("auth",)
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

# The audit log stays append-only, with one exception the database itself bounds: a row
# older than 184 days (the longest six calendar months; 网络安全法 第二十一条) may be deleted,
# by the audited purge (``audit/retention.py``). Younger rows, updates and TRUNCATE are
# refused whatever the caller.
_SQLITE_UP = (
    "DROP TRIGGER audit_log_no_delete",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "WHEN OLD.at >= datetime('now', '-184 days') "
    "BEGIN SELECT RAISE(ABORT, 'audit_log rows younger than 184 days are kept'); END",
)
_SQLITE_DOWN = (
    "DROP TRIGGER audit_log_no_delete",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)
_PG_UP = (
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
    "BEGIN "
    "IF TG_OP = 'DELETE' AND OLD.at < now() - interval '184 days' THEN RETURN OLD; END IF; "
    "RAISE EXCEPTION 'audit_log is append-only (rows younger than 184 days are kept)'; "
    "END; $$ LANGUAGE plpgsql",
)
_PG_DOWN = (
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql",
)


def _run(statements: tuple[str, ...]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "auth_login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_auth_login_failure_username_at", "auth_login_failure", ["username", "at"])
    op.create_index(
        "ix_auth_login_failure_address_at", "auth_login_failure", ["client_address", "at"]
    )
    op.create_index("ix_auth_login_failure_at", "auth_login_failure", ["at"])
    op.create_table(
        "auth_revoked_token",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["auth_user.id"]),
        sa.PrimaryKeyConstraint("jti"),
    )
    op.create_index(
        "ix_auth_revoked_token_expires_at", "auth_revoked_token", ["expires_at"], unique=False
    )
    op.create_table(
        "auth_totp",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("confirmed_at", yingji.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.BigInteger(), nullable=False),
        sa.Column("recovery_hashes", _JSON, nullable=False),
        sa.Column("created_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["auth_user.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "auth_role_policy",
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("totp_required", sa.Boolean(), nullable=False),
        sa.Column("updated_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("role"),
    )
    _run(_PG_UP if op.get_bind().dialect.name == "postgresql" else _SQLITE_UP)


def downgrade() -> None:
    _run(_PG_DOWN if op.get_bind().dialect.name == "postgresql" else _SQLITE_DOWN)
    op.drop_table("auth_role_policy")
    op.drop_table("auth_totp")
    op.drop_index("ix_auth_revoked_token_expires_at", table_name="auth_revoked_token")
    op.drop_table("auth_revoked_token")
    op.drop_index("ix_auth_login_failure_at", table_name="auth_login_failure")
    op.drop_index("ix_auth_login_failure_address_at", table_name="auth_login_failure")
    op.drop_index("ix_auth_login_failure_username_at", table_name="auth_login_failure")
    op.drop_table("auth_login_failure")
