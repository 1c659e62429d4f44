"""users, roles and token scopes; hash-chained audit trail (122号 Art.4, Art.19, Art.27)

Revision ID: 0006
Revises: 0005
"""
import hashlib
import json
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _canonical(value: object) -> bytes:  # same bytes as xinyong.archive.chain.canonical (frozen here)
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def upgrade() -> None:
    # 122号 第四条 职责分工, 第二十七条: staff accounts bound to a role and a department; subject accounts.
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("department", sa.String(length=40), nullable=True),
        sa.Column("subject_code", sa.String(length=40), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["department"], ["departments.code"], name=op.f("fk_users_department_departments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "login_attempts",
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=True),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_login_attempts")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=10), nullable=False, server_default="api"))
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("subject_code", sa.String(length=40), nullable=True))
        batch_op.create_foreign_key(op.f("fk_api_tokens_user_id_users"), "users", ["user_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_audit_events_seq", ["seq"])

    # Chain the events written before this revision, in id order (xinyong.auth.audit.event_hash).
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT id, at, actor, role, action, target, origin, detail FROM audit_events ORDER BY id")).all()
    prev = GENESIS
    for seq, row in enumerate(rows, start=1):
        at = datetime.fromisoformat(row.at) if isinstance(row.at, str) else row.at  # SQLite returns text
        at_text = at.isoformat(timespec="milliseconds")
        body = {"seq": seq, "at": at_text, "actor": row.actor, "role": row.role, "action": row.action,
                "target": row.target, "origin": row.origin or "", "detail": row.detail or ""}
        digest = hashlib.sha256(prev.encode() + _canonical(body)).hexdigest()
        conn.execute(sa.text("UPDATE audit_events SET seq = :seq, prev_hash = :prev, hash = :hash WHERE id = :id"),
                     {"seq": seq, "prev": prev, "hash": digest, "id": row.id})
        prev = digest


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint("uq_audit_events_seq", type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))
        batch_op.drop_constraint(op.f("fk_api_tokens_user_id_users"), type_="foreignkey")
        batch_op.drop_column("subject_code")
        batch_op.drop_column("user_id")
        batch_op.drop_column("kind")
    op.drop_table("login_attempts")
    op.drop_table("users")
