"""the lateness report's daily snapshot (122号 Art.8(1); issue 11: the dashboard under 300 ms at a million records)

- lateness_counts: first versions with id <= upto_id counted per act year, department and channel by the daily job
  `lateness_snapshot`; the report adds the records after upto_id

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lateness_counts",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("late", sa.Integer(), nullable=False),
        sa.Column("provisional", sa.Integer(), nullable=False),
        sa.Column("upto_id", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("year", "department", "channel", name=op.f("pk_lateness_counts")),
    )


def downgrade() -> None:
    op.drop_table("lateness_counts")
