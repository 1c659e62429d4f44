"""objection and credit-repair cases (122号 Art.18; spec D1-36, G1-07)

- cases, case_steps (the timeline), case_evidence (证明材料, content-addressed), case_overdue_notices (one notice
  per overdue step)
- record_disputes: a record under objection while its case is open (G1-07: it still counts)
- records.effect_ends_on: the last day of a record's effect (e.g. 公示期); automatic repair after it (44号 Task 14)

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("listing_id", sa.Integer(), nullable=True),
        sa.Column("industry", sa.String(length=40), nullable=True),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=24), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=40), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("routed_on", sa.Date(), nullable=True),
        sa.Column("opinion_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("due_provisional", sa.Boolean(), nullable=False),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.Column("opinion", sa.Text(), nullable=True),
        sa.Column("remedy", sa.String(length=12), nullable=True),
        sa.Column("correction", sa.Text(), nullable=True),
        sa.Column("result_record_id", sa.Integer(), nullable=True),
        sa.Column("filed_by", sa.String(length=100), nullable=False),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], name=op.f("fk_cases_subject_id_subjects")),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"], name=op.f("fk_cases_record_id_records")),
        sa.ForeignKeyConstraint(["listing_id"], ["list_memberships.id"],
                                name=op.f("fk_cases_listing_id_list_memberships")),
        sa.ForeignKeyConstraint(["department"], ["departments.code"], name=op.f("fk_cases_department_departments")),
        sa.ForeignKeyConstraint(["result_record_id"], ["records.id"],
                                name=op.f("fk_cases_result_record_id_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    op.create_index("ix_cases_subject_id", "cases", ["subject_id"])
    op.create_index("ix_cases_record_id", "cases", ["record_id"])
    op.create_index("ix_cases_queue", "cases", ["department", "state", "due_on"])

    op.create_table(
        "case_steps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_steps_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_steps")),
    )
    op.create_index("ix_case_steps_case_id", "case_steps", ["case_id"])

    op.create_table(
        "case_evidence",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_evidence_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_evidence")),
        sa.UniqueConstraint("case_id", "sha256", name="uq_case_evidence_case_sha256"),
    )
    op.create_index("ix_case_evidence_case_id", "case_evidence", ["case_id"])
    op.create_index("ix_case_evidence_sha256", "case_evidence", ["sha256"])

    op.create_table(
        "case_overdue_notices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("notified_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_overdue_notices_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_overdue_notices")),
        sa.UniqueConstraint("case_id", "state", "due_on", name="uq_case_overdue_notices_step"),
    )

    op.create_table(
        "record_disputes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"], name=op.f("fk_record_disputes_record_id_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_disputes")),
        sa.UniqueConstraint("case_id", name=op.f("uq_record_disputes_case_id")),
    )
    op.create_index("ix_record_disputes_record_id", "record_disputes", ["record_id"])

    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("effect_ends_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_column("effect_ends_on")
    op.drop_table("record_disputes")
    op.drop_table("case_overdue_notices")
    op.drop_table("case_evidence")
    op.drop_table("case_steps")
    op.drop_table("cases")
