"""handover: centre chats, staff, cases, transcript, audit trail

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("handover_wanted", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_table(
        "centre_chats",
        sa.Column("centre_id", sa.String(32), primary_key=True),
        sa.Column("chat_id", sa.BigInteger, nullable=False, unique=True),
        sa.Column("forum", sa.Boolean, nullable=False),
        sa.Column("hours", sa.String(200), nullable=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("telegram_id", sa.BigInteger, nullable=False, index=True),
        sa.Column("centre_id", sa.String(32), nullable=False),
        sa.Column("first_name", sa.String(64), nullable=False),
        sa.Column("admin", sa.Boolean, nullable=False),
        sa.Column("on_duty", sa.Boolean, nullable=False),
        sa.Column("active_case_id", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("telegram_id", "centre_id"),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(64), nullable=False, index=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("municipality_code", sa.String(4), nullable=True),
        sa.Column("centre_id", sa.String(32), nullable=False, index=True),
        sa.Column("topic", sa.String(64), nullable=True),
        sa.Column("stage", sa.String(16), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id", ondelete="SET NULL"), nullable=True),
        sa.Column("consent_at", sa.DateTime, nullable=False),
        sa.Column("contact_preference", sa.Text, nullable=True),
        sa.Column("awaiting_contact", sa.Boolean, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("rating", sa.Integer, nullable=True),
        sa.Column("thread_id", sa.BigInteger, nullable=True),
        sa.Column("card_message_id", sa.BigInteger, nullable=True),
        sa.Column("announced_at", sa.DateTime, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("taken_at", sa.DateTime, nullable=True),
        sa.Column("closed_at", sa.DateTime, nullable=True),
    )
    op.create_table(
        "case_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("author", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("intent", sa.String(64), nullable=True),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("entities", sa.Text, nullable=True),
    )
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("case_events")
    op.drop_table("case_messages")
    op.drop_table("cases")
    op.drop_table("staff")
    op.drop_table("centre_chats")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("handover_wanted")
