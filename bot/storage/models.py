"""Tables of Veiviser's own data (Rasa keeps its conversations in its tracker store)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
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
    handover_wanted = Column(Boolean, nullable=False, default=False)  # asked for a person, municipality still unknown
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


# -- handover (architecture §6) ------------------------------------------------
class CentreChat(Base):
    """A centre's staff group in Telegram and its office hours (set by an administrator)."""

    __tablename__ = "centre_chats"

    centre_id = Column(String(32), primary_key=True)
    chat_id = Column(BigInteger, nullable=False, unique=True)
    forum = Column(Boolean, nullable=False, default=False)  # a supergroup with topics: one topic per case
    hours = Column(String(200), nullable=True)  # e.g. "mon-fri 08:00-15:30"; "closed"; None = the default
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class Staff(Base):
    """A registered staff member of one centre."""

    __tablename__ = "staff"
    __table_args__ = (UniqueConstraint("telegram_id", "centre_id"),)

    id = Column(Integer, primary_key=True)
    telegram_id = Column(BigInteger, nullable=False, index=True)
    centre_id = Column(String(32), nullable=False)
    first_name = Column(String(64), nullable=False)
    admin = Column(Boolean, nullable=False, default=False)
    on_duty = Column(Boolean, nullable=False, default=False)
    active_case_id = Column(Integer, nullable=True)  # the case their private-chat messages go to
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Case(Base):
    """One request for a person, from consent to closing."""

    __tablename__ = "cases"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(64), nullable=False, index=True)
    language = Column(String(8), nullable=False)
    municipality_code = Column(String(4), nullable=True)
    centre_id = Column(String(32), nullable=False, index=True)
    topic = Column(String(64), nullable=True)  # the intent that led here
    stage = Column(String(16), nullable=True)  # idea / registering / running / jobseeker
    status = Column(String(16), nullable=False, default="waiting", index=True)  # waiting taken closed cancelled
    staff_id = Column(Integer, ForeignKey("staff.id", ondelete="SET NULL"), nullable=True)
    consent_at = Column(DateTime, nullable=False)
    contact_preference = Column(Text, nullable=True)
    awaiting_contact = Column(Boolean, nullable=False, default=False)
    outcome = Column(String(16), nullable=True)  # answered referred no_response
    rating = Column(Integer, nullable=True)
    thread_id = Column(BigInteger, nullable=True)  # forum topic of the case in the staff group
    card_message_id = Column(BigInteger, nullable=True)
    announced_at = Column(DateTime, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    taken_at = Column(DateTime, nullable=True)
    closed_at = Column(DateTime, nullable=True)


class CaseMessage(Base):
    """The transcript: what the user, the bot and staff wrote, with timestamps."""

    __tablename__ = "case_messages"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(DateTime, nullable=False, default=utcnow)
    author = Column(String(8), nullable=False)  # user bot staff
    kind = Column(String(16), nullable=False, default="text")  # text photo document voice ...
    text = Column(Text, nullable=True)
    intent = Column(String(64), nullable=True)  # the bot's reading of a user's message
    confidence = Column(Float, nullable=True)
    entities = Column(Text, nullable=True)  # "name=value (0.93); ..."


class CaseEvent(Base):
    """Audit trail: who did what to a case and when (notes included)."""

    __tablename__ = "case_events"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(DateTime, nullable=False, default=utcnow)
    actor = Column(String(64), nullable=False)  # "staff:<telegram id>", "user", "bot"
    action = Column(String(32), nullable=False)  # created taken released transferred note closed cancelled rated ...
    detail = Column(Text, nullable=True)
