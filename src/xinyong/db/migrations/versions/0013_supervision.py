"""measures lists, decision log and rankings (122号 Art.17, 122号 Art.20–26)

- measures_lists / measures_entries: dated versions of each industry's punishment and incentive lists
  (draft → approved → filed, in force from a day; 122号 Art.20, 21, 24; G1-09, G1-10)
- decision_log: every answer of the decision service, with purpose and legal basis of social bodies
  (122号 Art.22, 23, 25, 26)
- rankings / ranking_entries: industry ranking snapshots, draft until the leader in charge publishes them
  (122号 Art.17; G1-11)

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "measures_lists",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("industry", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("drafted_by", sa.String(length=100), nullable=False),
        sa.Column("drafted_department", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("approved_by", sa.String(length=100), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("filed_by", sa.String(length=100), nullable=True),
        sa.Column("filed_at", sa.DateTime(), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measures_lists")),
        sa.UniqueConstraint("industry", "kind", "version", name="uq_measures_lists_industry_kind_version"),
    )
    op.create_index("ix_measures_lists_in_force", "measures_lists", ["industry", "kind", "status", "effective_from"])
    op.create_table(
        "measures_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=1), nullable=False),
        sa.Column("level", sa.String(length=2), nullable=True),
        sa.Column("process", sa.String(length=30), nullable=False),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=False),
        sa.Column("inspection_factor", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["list_id"], ["measures_lists.id"],
                                name=op.f("fk_measures_entries_list_id_measures_lists")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measures_entries")),
    )
    op.create_index(op.f("ix_measures_entries_list_id"), "measures_entries", ["list_id"])
    op.create_table(
        "decision_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("department", sa.String(length=40), nullable=True),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("process", sa.String(length=30), nullable=False),
        sa.Column("industry", sa.String(length=40), nullable=True),
        sa.Column("grade", sa.String(length=1), nullable=False),
        sa.Column("level", sa.String(length=2), nullable=False),
        sa.Column("fused", sa.Boolean(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], name=op.f("fk_decision_log_subject_id_subjects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_log")),
    )
    op.create_index("ix_decision_log_subject", "decision_log", ["subject_id", "at"])
    op.create_index("ix_decision_log_process", "decision_log", ["process", "at"])
    op.create_table(
        "rankings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("industry", sa.String(length=40), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("approved_by", sa.String(length=100), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["industry"], ["industries.code"], name=op.f("fk_rankings_industry_industries")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rankings")),
        sa.UniqueConstraint("industry", "month", name="uq_rankings_industry_month"),
    )
    op.create_index("ix_rankings_industry_status", "rankings", ["industry", "status"])
    op.create_table(
        "ranking_entries",
        sa.Column("ranking_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("subject_code", sa.String(length=18), nullable=False),
        sa.Column("subject_kind", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=1), nullable=False),
        sa.Column("level", sa.String(length=2), nullable=False),
        sa.Column("fused", sa.Boolean(), nullable=False),
        sa.Column("bad_records", sa.Integer(), nullable=False),
        sa.Column("last_bad_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["ranking_id"], ["rankings.id"], name=op.f("fk_ranking_entries_ranking_id_rankings")),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], name=op.f("fk_ranking_entries_subject_id_subjects")),
        sa.PrimaryKeyConstraint("ranking_id", "rank", name=op.f("pk_ranking_entries")),
    )


def downgrade() -> None:
    op.drop_table("ranking_entries")
    op.drop_index("ix_rankings_industry_status", table_name="rankings")
    op.drop_table("rankings")
    op.drop_index("ix_decision_log_process", table_name="decision_log")
    op.drop_index("ix_decision_log_subject", table_name="decision_log")
    op.drop_table("decision_log")
    op.drop_index(op.f("ix_measures_entries_list_id"), table_name="measures_entries")
    op.drop_table("measures_entries")
    op.drop_index("ix_measures_lists_in_force", table_name="measures_lists")
    op.drop_table("measures_lists")
