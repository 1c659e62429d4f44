"""122号 to the letter (issue 7): list memberships, duplicates, record classes, dated national grades

- list_memberships: the list-status service (X-02): subject × list with listed_on / removed_on, source, reason
- records: unique per (subject_id, source_ref) instead of source_ref alone (one decision, several parties);
  decision_no (文书编号), info_class (第六条), admin_category (第七条), accident_grade (国务院令第493号; G1-06(c)),
  closes_id (a record that closes an open refusal, 第十六条(二))
- record_duplicates: the same decision arriving again under another source_ref is linked, counted once (G1-16)
- national_grades.source: where a dated national level came from (第六条 基础信用信息)

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "list_memberships",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("list_code", sa.String(length=40), nullable=False),
        sa.Column("listed_on", sa.Date(), nullable=False),
        sa.Column("removed_on", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("department", sa.String(length=40), nullable=True),
        sa.Column("source_ref", sa.String(length=200), nullable=False),
        sa.Column("removal_reason", sa.Text(), nullable=True),
        sa.Column("entered_by", sa.String(length=100), nullable=False),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.Column("removed_by", sa.String(length=100), nullable=True),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], name=op.f("fk_list_memberships_subject_id_subjects")),
        sa.ForeignKeyConstraint(["department"], ["departments.code"],
                                name=op.f("fk_list_memberships_department_departments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_memberships")),
        sa.UniqueConstraint("subject_id", "list_code", "source_ref", name="uq_list_memberships_subject_list_ref"),
    )
    op.create_index("ix_list_memberships_list_dates", "list_memberships", ["list_code", "listed_on"])
    op.create_index("ix_list_memberships_subject", "list_memberships", ["subject_id"])

    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_constraint("uq_records_source_ref", type_="unique")
        batch_op.create_unique_constraint("uq_records_subject_source_ref", ["subject_id", "source_ref"])
        batch_op.add_column(sa.Column("decision_no", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("info_class", sa.String(length=12), nullable=False, server_default="planning"))
        batch_op.add_column(sa.Column("admin_category", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("accident_grade", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("closes_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_records_closes_id_records", "records", ["closes_id"], ["id"])
        batch_op.create_index("ix_records_decision", ["subject_id", "department", "decision_no", "item"])

    op.create_table(
        "record_duplicates",
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("marked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"], name=op.f("fk_record_duplicates_record_id_records")),
        sa.ForeignKeyConstraint(["duplicate_of_id"], ["records.id"],
                                name=op.f("fk_record_duplicates_duplicate_of_id_records")),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_record_duplicates")),
    )

    with op.batch_alter_table("national_grades", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("national_grades", schema=None) as batch_op:
        batch_op.drop_column("source")
    op.drop_table("record_duplicates")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_decision")
        batch_op.drop_constraint("fk_records_closes_id_records", type_="foreignkey")
        for column in ("closes_id", "accident_grade", "admin_category", "info_class", "decision_no"):
            batch_op.drop_column(column)
        batch_op.drop_constraint("uq_records_subject_source_ref", type_="unique")
        batch_op.create_unique_constraint("uq_records_source_ref", ["source_ref"])
    op.drop_index("ix_list_memberships_subject", table_name="list_memberships")
    op.drop_index("ix_list_memberships_list_dates", table_name="list_memberships")
    op.drop_table("list_memberships")
