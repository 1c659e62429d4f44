"""public comments on draft standards and the leader's scope (122号 Art.12)

- standard_comments: 公开征求意见 — comments from the public on a version under consultation, each with the
  drafting department's disposition (adopted | partly_adopted | not_adopted, reason); approval waits until every
  comment has one
- users.scope, api_tokens.scope: the standards a leader credential is in charge of (主管领导审定): a JSON list of
  industry codes and/or "general"; null = a credential from before the scope existed (docs/decisions.md)

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "standard_comments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("contact", sa.String(length=200), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("origin", sa.String(length=100), nullable=True),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["version"], ["standards.version"],
                                name=op.f("fk_standard_comments_version_standards")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standard_comments")),
        sa.UniqueConstraint("version", "content_hash", name="uq_standard_comments_version_content"),
    )
    op.create_index(op.f("ix_standard_comments_version"), "standard_comments", ["version"], unique=False)
    for table in ("users", "api_tokens"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("scope", sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in ("api_tokens", "users"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("scope")
    op.drop_index(op.f("ix_standard_comments_version"), table_name="standard_comments")
    op.drop_table("standard_comments")
