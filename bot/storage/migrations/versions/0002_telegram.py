"""telegram: processed update ids, button payloads

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("processed_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "button_payloads",
        sa.Column("key", sa.String(24), primary_key=True),
        sa.Column("payload", sa.String(512), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("button_payloads")
    op.drop_table("processed_updates")
