"""standards lifecycle and catalogue versions (122号 Art.12, Art.7)

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = (
    ("consultation_start", sa.Date()),
    ("consultation_end", sa.Date()),
    ("approved_by", sa.String(length=100)),
    ("approved_at", sa.DateTime()),
    ("created_by", sa.String(length=100)),
    ("created_department", sa.String(length=40)),
    ("created_at", sa.DateTime()),
    ("based_on", sa.String(length=60)),
)


def upgrade() -> None:
    # 122号 第十二条: draft → 公开征求意见(不少于15日) → 主管领导审定 → 实施; D1-08 approver and date recorded.
    with op.batch_alter_table("standards", schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("standards", schema=None) as batch_op:
        for name, _type in reversed(COLUMNS):
            batch_op.drop_column(name)
