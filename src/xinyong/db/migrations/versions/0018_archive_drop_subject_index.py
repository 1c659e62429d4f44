"""drop ix_archive_entries_subject_id: uq_archive_entries_subject_seq (subject_id, seq) serves every read by subject

- Every query of the archive by subject (a subject's file, its chain head, the chain-heads read of a bulk append)
  reads uq_archive_entries_subject_seq, whose leading column is subject_id; the single-column index only cost
  its upkeep. A first run appends 1.85·10^6 entries at 10^6 subjects: COPY of a 460,000-entry chunk took 8.3 s
  without it against 11.5 s with it, on the same data (issue 10 item 3, bench/profiles.md).

Revision ID: 0018
Revises: 0017
"""
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_archive_entries_subject_id", table_name="archive_entries")


def downgrade() -> None:
    op.create_index("ix_archive_entries_subject_id", "archive_entries", ["subject_id"], unique=False)
