"""Tables of Veiviser's own data (Rasa keeps its conversations in its tracker store)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, DateTime, Integer, String
from sqlalchemy.orm import declarative_base

Base: Any = declarative_base()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class User(Base):
    """A person talking to Veiviser: what we keep is only what the dialogue needs."""

    __tablename__ = "users"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(64), unique=True, nullable=False, index=True)  # Telegram user id or "cli-..."
    language = Column(String(8), nullable=True)
    language_chosen = Column(Boolean, nullable=False, default=False)  # chosen by the user, not detected
    municipality_code = Column(String(4), nullable=True)
    consent_at = Column(DateTime, nullable=True)  # when the privacy notice was accepted
    active = Column(Boolean, nullable=False, default=True)  # False once the user blocked the bot
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class ProcessedUpdate(Base):
    """Telegram update ids already handled: an update is never processed twice."""

    __tablename__ = "processed_updates"

    update_id = Column(BigInteger, primary_key=True, autoincrement=False)
    processed_at = Column(DateTime, nullable=False, default=utcnow)


class ButtonPayload(Base):
    """Rasa button payloads behind Telegram's 64-byte callback data."""

    __tablename__ = "button_payloads"

    key = Column(String(24), primary_key=True)
    payload = Column(String(512), nullable=False)
