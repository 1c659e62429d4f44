"""downstream sync (44号 Task 14 及时共享、及时更新: outbox, receivers, deliveries) and notifications

- outbox_events: every shared change, numbered (seq) at commit by one sequencer (xinyong.outbox)
- receivers: downstream platforms, their encrypted secret, position, back-off and lease
- receiver_dead_letters: changes not acknowledged within the horizon (default 3 days)
- notifications: the in-app list and the e-mail/SMS delivery state; notification_contacts: where to send them

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

Long = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("recipient_kind", sa.String(length=12), nullable=False),
        sa.Column("recipient", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.Column("send_state", sa.String(length=12), nullable=False, server_default="pending"),
        sa.Column("channel", sa.String(length=8), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("send_attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_send_at", sa.DateTime(), nullable=True),
        sa.Column("send_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notifications_recipient", "notifications", ["recipient_kind", "recipient", "id"])
    op.create_index("ix_notifications_unsent", "notifications", ["send_state", "id"])

    op.create_table(
        "notification_contacts",
        sa.Column("recipient_kind", sa.String(length=12), nullable=False),
        sa.Column("recipient", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("recipient_kind", "recipient", name=op.f("pk_notification_contacts")),
    )

    op.create_table(
        "outbox_events",
        sa.Column("id", Long, autoincrement=True, nullable=False),
        sa.Column("seq", Long, nullable=True),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("subject_code", sa.String(length=40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
    )
    op.create_index("uq_outbox_events_seq", "outbox_events", ["seq"], unique=True)
    op.create_index("ix_outbox_events_type_seq", "outbox_events", ["type", "seq"])

    op.create_table(
        "receivers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("secret_ciphertext", sa.Text(), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("disabled_at", sa.DateTime(), nullable=True),
        sa.Column("position", Long, nullable=False),
        sa.Column("delivered", Long, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receivers")),
        sa.UniqueConstraint("name", name=op.f("uq_receivers_name")),
    )

    op.create_table(
        "receiver_dead_letters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("receiver_id", sa.Integer(), nullable=False),
        sa.Column("seq", Long, nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("dead_at", sa.DateTime(), nullable=False),
        sa.Column("redelivered_at", sa.DateTime(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["receiver_id"], ["receivers.id"],
                                name=op.f("fk_receiver_dead_letters_receiver_id_receivers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receiver_dead_letters")),
    )
    op.create_index("ix_receiver_dead_letters_receiver", "receiver_dead_letters", ["receiver_id", "state", "seq"])


def downgrade() -> None:
    op.drop_table("receiver_dead_letters")
    op.drop_table("receivers")
    op.drop_table("outbox_events")
    op.drop_table("notification_contacts")
    op.drop_table("notifications")
