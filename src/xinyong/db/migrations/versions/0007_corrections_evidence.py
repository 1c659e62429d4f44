"""corrections and evidence files (122号 Art.10, Art.19)

- record_withdrawals.kind: error | objection | repair (objection/repair withdrawals are hidden from public views)
- record_corrections: a correction is a new record version; this table says why, on whose authority, who, when
- evidence_files: 证明材料, content-addressed by SHA-256, linked to records

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("record_withdrawals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=12), nullable=False, server_default="error"))

    op.create_table(
        "record_corrections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("authority_ref", sa.String(length=200), nullable=True),
        sa.Column("corrected_by", sa.String(length=100), nullable=False),
        sa.Column("corrected_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"], name=op.f("fk_record_corrections_record_id_records")),
        sa.ForeignKeyConstraint(["supersedes_id"], ["records.id"],
                                name=op.f("fk_record_corrections_supersedes_id_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_corrections")),
        sa.UniqueConstraint("record_id", name=op.f("uq_record_corrections_record_id")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_record_corrections_supersedes_id")),
    )

    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"], name=op.f("fk_evidence_files_record_id_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_files")),
        sa.UniqueConstraint("record_id", "sha256", name="uq_evidence_files_record_sha256"),
    )
    with op.batch_alter_table("evidence_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_files_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_files_record_id"), ["record_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("evidence_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_files_record_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_files_sha256"))
    op.drop_table("evidence_files")
    op.drop_table("record_corrections")
    with op.batch_alter_table("record_withdrawals", schema=None) as batch_op:
        batch_op.drop_column("kind")
