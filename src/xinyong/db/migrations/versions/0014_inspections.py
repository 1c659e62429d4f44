"""inspection plans, inspectors, the whitelist and inspections (122号 Art.22, 122号 Art.25; 44号 Task 12)

- inspectors: 执法检查人员名录 per department (双随机: the inspectors are drawn too)
- inspection_plans: 监督检查计划, drawn once and kept whole (body, digest); a trigger refuses any UPDATE, so a
  published draw never changes (anyone re-computes it from its population and seed)
- inspection_whitelist: "无事不扰"白名单 entries (by rule or by hand, with reasons); open_key is unique while an
  entry holds (one open entry per subject and industry on every backend)
- inspections: each inspection, its exception code (44号 Task 12) and the credit record it flowed back as

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION inspection_plans_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'inspection plan % is immutable once drawn', OLD.id;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "inspectors",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("department", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["department"], ["departments.code"], name=op.f("fk_inspectors_department_departments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspectors")),
        sa.UniqueConstraint("department", "code", name="uq_inspectors_department_code"),
    )
    op.create_table(
        "inspection_plans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("department", sa.String(length=40), nullable=False),
        sa.Column("industry", sa.String(length=40), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("base_ratio", sa.String(length=40), nullable=False),
        sa.Column("seed", sa.String(length=32), nullable=False),
        sa.Column("drawn_on", sa.Date(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(), nullable=False),
        sa.Column("drawn_by", sa.String(length=100), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["department"], ["departments.code"],
                                name=op.f("fk_inspection_plans_department_departments")),
        sa.ForeignKeyConstraint(["industry"], ["industries.code"], name=op.f("fk_inspection_plans_industry_industries")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_plans")),
    )
    op.create_index("ix_inspection_plans_department_start", "inspection_plans", ["department", "period_start"],
                    unique=False)
    op.create_table(
        "inspection_whitelist",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("industry", sa.String(length=40), nullable=False),
        sa.Column("basis", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("added_on", sa.Date(), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("open_key", sa.String(length=60), nullable=True),
        sa.Column("removed_on", sa.Date(), nullable=True),
        sa.Column("removal_cause", sa.String(length=12), nullable=True),
        sa.Column("removal_reason", sa.Text(), nullable=True),
        sa.Column("removed_by", sa.String(length=100), nullable=True),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["industry"], ["industries.code"],
                                name=op.f("fk_inspection_whitelist_industry_industries")),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], name=op.f("fk_inspection_whitelist_subject_id_subjects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_whitelist")),
        sa.UniqueConstraint("open_key", name=op.f("uq_inspection_whitelist_open_key")),
    )
    op.create_index("ix_inspection_whitelist_industry", "inspection_whitelist", ["industry", "added_on"], unique=False)
    op.create_index(op.f("ix_inspection_whitelist_subject_id"), "inspection_whitelist", ["subject_id"], unique=False)
    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("grade", sa.String(length=1), nullable=True),
        sa.Column("whitelisted", sa.Boolean(), nullable=False),
        sa.Column("exception_code", sa.String(length=24), nullable=True),
        sa.Column("result", sa.String(length=4), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("entered_by", sa.String(length=100), nullable=False),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["department"], ["departments.code"], name=op.f("fk_inspections_department_departments")),
        sa.ForeignKeyConstraint(["plan_id"], ["inspection_plans.id"], name=op.f("fk_inspections_plan_id_inspection_plans")),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"], name=op.f("fk_inspections_record_id_records")),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], name=op.f("fk_inspections_subject_id_subjects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
    )
    op.create_index("ix_inspections_department_inspected_on", "inspections", ["department", "inspected_on"],
                    unique=False)
    op.create_index(op.f("ix_inspections_plan_id"), "inspections", ["plan_id"], unique=False)
    op.create_index(op.f("ix_inspections_subject_id"), "inspections", ["subject_id"], unique=False)
    # A drawn plan never changes (122号 Art.25; the draw is published to be re-computed): the database refuses it.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute("CREATE TRIGGER inspection_plans_no_update BEFORE UPDATE ON inspection_plans "
                   "FOR EACH ROW EXECUTE FUNCTION inspection_plans_immutable()")
    else:
        op.execute("CREATE TRIGGER inspection_plans_no_update BEFORE UPDATE ON inspection_plans "
                   "BEGIN SELECT RAISE(ABORT, 'inspection plan is immutable once drawn'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS inspection_plans_no_update ON inspection_plans")
        op.execute("DROP FUNCTION IF EXISTS inspection_plans_immutable()")
    else:
        op.execute("DROP TRIGGER IF EXISTS inspection_plans_no_update")
    op.drop_index(op.f("ix_inspections_subject_id"), table_name="inspections")
    op.drop_index(op.f("ix_inspections_plan_id"), table_name="inspections")
    op.drop_index("ix_inspections_department_inspected_on", table_name="inspections")
    op.drop_table("inspections")
    op.drop_index(op.f("ix_inspection_whitelist_subject_id"), table_name="inspection_whitelist")
    op.drop_index("ix_inspection_whitelist_industry", table_name="inspection_whitelist")
    op.drop_table("inspection_whitelist")
    op.drop_index("ix_inspection_plans_department_start", table_name="inspection_plans")
    op.drop_table("inspection_plans")
    op.drop_table("inspectors")
