"""users: language, municipality, consent

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("language_chosen", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("municipality_code", sa.String(4), nullable=True),
        sa.Column("consent_at", sa.DateTime, nullable=True),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_users_sender_id", "users", ["sender_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_users_sender_id", table_name="users")
    op.drop_table("users")
