"""indexes and archive columns for the pages at 100,000 subjects (issue 11: under 300 ms server time)

- archive_entries.ev_scope / ev_move / ev_new_grade / ev_old_grade: an evaluation change's scope, move and grades
  copied out of its payload (outside the hash), filled for the entries already there; ix_archive_entries_trend
  lets the dashboard trend count them by month from the index alone
- ix_evaluations_scope_grade, ix_evaluations_scope_score: the distribution, the score histogram and the subject
  list's grade filter read one scope
- ix_records_lateness: the lateness report counts a year's first versions by department and channel

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_MOVE = """CASE WHEN {old} IS NULL THEN 'new'
    WHEN COALESCE({new_score}, 0) > COALESCE({old_score}, 0) THEN 'up'
    WHEN COALESCE({new_score}, 0) < COALESCE({old_score}, 0) THEN 'down' ELSE 'same' END"""

_BACKFILL = {
    "postgresql": (
        "UPDATE archive_entries SET ev_scope = payload->>'scope', ev_new_grade = payload#>>'{new,grade}', "
        "ev_old_grade = payload#>>'{old,grade}', ev_move = " + _MOVE.format(
            old="payload->>'old'", new_score="(payload#>>'{new,score}')::numeric",
            old_score="(payload#>>'{old,score}')::numeric")
        + " WHERE kind = 'evaluation_changed'"),
    "sqlite": (
        "UPDATE archive_entries SET ev_scope = json_extract(payload, '$.scope'), "
        "ev_new_grade = json_extract(payload, '$.new.grade'), ev_old_grade = json_extract(payload, '$.old.grade'), "
        "ev_move = " + _MOVE.format(old="json_extract(payload, '$.old')",
                                    new_score="json_extract(payload, '$.new.score')",
                                    old_score="json_extract(payload, '$.old.score')")
        + " WHERE kind = 'evaluation_changed'"),
}


def upgrade() -> None:
    with op.batch_alter_table("archive_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ev_scope", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("ev_move", sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column("ev_new_grade", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("ev_old_grade", sa.String(length=8), nullable=True))
    op.execute(_BACKFILL[op.get_bind().dialect.name])
    op.create_index("ix_archive_entries_trend", "archive_entries",
                    ["ev_scope", "at", "ev_move", "ev_new_grade", "ev_old_grade"])
    op.create_index("ix_evaluations_scope_grade", "evaluations", ["scope", "grade", "level", "fused"])
    op.create_index("ix_evaluations_scope_score", "evaluations", ["scope", "score"])
    op.create_index("ix_records_lateness", "records",
                    ["act_date", "department", "channel", "late", "due_provisional", "supersedes_id"])


def downgrade() -> None:
    op.drop_index("ix_records_lateness", table_name="records")
    op.drop_index("ix_evaluations_scope_score", table_name="evaluations")
    op.drop_index("ix_evaluations_scope_grade", table_name="evaluations")
    op.drop_index("ix_archive_entries_trend", table_name="archive_entries")
    with op.batch_alter_table("archive_entries", schema=None) as batch_op:
        batch_op.drop_column("ev_old_grade")
        batch_op.drop_column("ev_new_grade")
        batch_op.drop_column("ev_move")
        batch_op.drop_column("ev_scope")
