"""Repositories: the only place that builds queries (bound parameters only)."""

from __future__ import annotations

import hashlib

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.models import ButtonPayload, ProcessedUpdate, User


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

    def delete(self, sender_id: str) -> bool:
        result = self.session.execute(delete(User).where(User.sender_id == sender_id))
        return bool(result.rowcount)


class Updates:
    """Claims update ids so that each update is handled once, across restarts."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, update_id: int) -> bool:
        """True when this update is new (and now marked), False when seen before."""
        if self.session.get(ProcessedUpdate, update_id) is not None:
            return False
        self.session.add(ProcessedUpdate(update_id=update_id))
        try:
            self.session.flush()
        except IntegrityError:
            return False
        return True


def payload_key(payload: str) -> str:
    """The short, stable key a button payload is stored under."""
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


class Payloads:
    """Short keys for button payloads (Telegram allows 64 bytes of callback data)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def key_for(self, payload: str) -> str:
        key = payload_key(payload)
        if self.session.get(ButtonPayload, key) is None:
            self.session.add(ButtonPayload(key=key, payload=payload))
        return key

    def payload_for(self, key: str) -> str | None:
        row = self.session.get(ButtonPayload, key)
        return row.payload if row else None
