"""Persistence: SQLAlchemy models, repositories and Alembic migrations."""

from bot.storage.db import Database
from bot.storage.models import User

__all__ = ["Database", "User"]
