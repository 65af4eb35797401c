"""Repositories: the only place that builds queries (bound parameters only)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import User


class Users:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, sender_id: str) -> User | None:
        return self.session.execute(select(User).where(User.sender_id == sender_id)).scalar_one_or_none()

    def get_or_create(self, sender_id: str) -> User:
        user = self.get(sender_id)
        if user is None:
            user = User(sender_id=sender_id, language_chosen=False, active=True)
            self.session.add(user)
            self.session.flush()
        return user
