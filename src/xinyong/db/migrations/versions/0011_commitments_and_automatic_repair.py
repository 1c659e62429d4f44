"""commitments (122号 Art.8, 122号 Art.16(3)), the end of a listing's or record's effect and automatic repair
(44号 Task 14; spec G3-01), and the daily jobs' runs

- commitments: 信用承诺 items with their due day, the notice and grace, fulfilment or the breach record
- list_memberships: ends_on (the last day of a fixed listing period), removal_automatic and removal_rule
  (removed by the system without any application, 44号 Task 14)
- job_runs: one row per daily job and day (`xinyong jobs run` is idempotent)

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("licence_ref", sa.String(length=200), nullable=False),
        sa.Column("department", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("notice_on", sa.Date(), nullable=True),
        sa.Column("grace_ends_on", sa.Date(), nullable=True),
        sa.Column("fulfilled_on", sa.Date(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("breached_on", sa.Date(), nullable=True),
        sa.Column("breach_reason", sa.Text(), nullable=True),
        sa.Column("breach_automatic", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("breach_record_id", sa.Integer(), nullable=True),
        sa.Column("entered_by", sa.String(length=100), nullable=False),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], name=op.f("fk_commitments_subject_id_subjects")),
        sa.ForeignKeyConstraint(["department"], ["departments.code"],
                                name=op.f("fk_commitments_department_departments")),
        sa.ForeignKeyConstraint(["breach_record_id"], ["records.id"],
                                name=op.f("fk_commitments_breach_record_id_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitments")),
        sa.UniqueConstraint("subject_id", "department", "licence_ref", "content_sha256",
                            name="uq_commitments_subject_licence_content"),
    )
    op.create_index("ix_commitments_state_due", "commitments", ["state", "due_on"])
    op.create_index("ix_commitments_subject", "commitments", ["subject_id"])

    with op.batch_alter_table("list_memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ends_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("removal_automatic", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("removal_rule", sa.String(length=60), nullable=True))
        batch_op.create_index("ix_list_memberships_ends_on", ["ends_on"])

    op.create_table(
        "job_runs",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", "day", name=op.f("pk_job_runs")),
    )


def downgrade() -> None:
    op.drop_table("job_runs")
    with op.batch_alter_table("list_memberships", schema=None) as batch_op:
        batch_op.drop_index("ix_list_memberships_ends_on")
        for column in ("removal_rule", "removal_automatic", "ends_on"):
            batch_op.drop_column(column)
    op.drop_index("ix_commitments_subject", table_name="commitments")
    op.drop_index("ix_commitments_state_due", table_name="commitments")
    op.drop_table("commitments")
