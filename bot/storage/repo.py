"""Repositories: the only place that builds queries (bound parameters only)."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.storage.models import ButtonPayload, ProcessedUpdate, User


def insert_new(session: Session, model: type[Any], **values: Any) -> bool:
    """Insert a row unless one with its key exists, also when another process
    (a second worker) inserts it at the same moment; True when inserted."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    return bool(session.execute(insert(model).values(**values).on_conflict_do_nothing()).rowcount)


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
        return insert_new(self.session, ProcessedUpdate, update_id=update_id)


def payload_key(payload: str) -> str:
    """The short, stable key a button payload is stored under."""
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


class Payloads:
    """Short keys for button payloads (Telegram allows 64 bytes of callback data)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def key_for(self, payload: str) -> str:
        key = payload_key(payload)
        insert_new(self.session, ButtonPayload, key=key, payload=payload)  # nothing when it is stored already
        return key

    def payload_for(self, key: str) -> str | None:
        row = self.session.get(ButtonPayload, key)
        return row.payload if row else None
