"""measures lists, decision log and rankings (122号 Art.17, 122号 Art.20–26)

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
