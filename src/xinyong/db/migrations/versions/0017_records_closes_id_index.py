"""index records.closes_id for the open-refusal check (122号 Art.16(2))

- ix_records_closes_id: partial (closes_id IS NOT NULL; almost every record closes nothing). `open_refusals` asks,
  for each refusal record, whether a counting record closes it (NOT EXISTS … closes_id = records.id). Without an
  index PostgreSQL answered that by hashing every record of the store once per statement: about 250 ms per chunk
  of a 200,000-record import and once per single re-evaluation (issue 10 item 1, bench/profiles.md); with it, one
  probe per refusal record.

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_records_closes_id", "records", ["closes_id"], unique=False,
                    postgresql_where=sa.text("closes_id IS NOT NULL"), sqlite_where=sa.text("closes_id IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_records_closes_id", table_name="records")
