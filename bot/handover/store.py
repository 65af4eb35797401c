"""Cases, staff and centre chats in the database. Every change of a case's
state is one conditional UPDATE, so two staff pressing Take at the same
moment cannot both win, on SQLite or PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.storage.models import Case, CaseEvent, CaseMessage, CentreChat, Staff, utcnow

OPEN = ("waiting", "taken")


class CentreChats:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, centre_id: str) -> CentreChat | None:
        return self.session.get(CentreChat, centre_id)

    def by_chat(self, chat_id: int) -> CentreChat | None:
        return self.session.execute(select(CentreChat).where(CentreChat.chat_id == chat_id)).scalar_one_or_none()

    def set(self, centre_id: str, chat_id: int, forum: bool = False, hours: str | None = None) -> CentreChat:
        self.session.execute(delete(CentreChat).where(CentreChat.chat_id == chat_id, CentreChat.centre_id != centre_id))
        row = self.get(centre_id)
        if row is None:
            row = CentreChat(centre_id=centre_id, chat_id=chat_id)
            self.session.add(row)
        row.chat_id, row.forum, row.hours = chat_id, forum, hours
        self.session.flush()
        return row

    def remove(self, centre_id: str) -> bool:
        return bool(self.session.execute(delete(CentreChat).where(CentreChat.centre_id == centre_id)).rowcount)

    def all(self) -> Sequence[CentreChat]:
        return self.session.execute(select(CentreChat).order_by(CentreChat.centre_id)).scalars().all()


class StaffRegistry:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, telegram_id: int, centre_id: str, first_name: str, admin: bool = False) -> Staff:
        member = self.member(telegram_id, centre_id)
        if member is None:
            member = Staff(telegram_id=telegram_id, centre_id=centre_id, on_duty=False)
            self.session.add(member)
        member.first_name, member.admin = first_name, admin or bool(member.admin)
        self.session.flush()
        return member

    def remove(self, telegram_id: int, centre_id: str | None = None) -> int:
        query = delete(Staff).where(Staff.telegram_id == telegram_id)
        if centre_id:
            query = query.where(Staff.centre_id == centre_id)
        return int(self.session.execute(query).rowcount or 0)

    def member(self, telegram_id: int, centre_id: str) -> Staff | None:
        return self.session.execute(
            select(Staff).where(Staff.telegram_id == telegram_id, Staff.centre_id == centre_id)
        ).scalar_one_or_none()

    def memberships(self, telegram_id: int) -> Sequence[Staff]:
        return self.session.execute(select(Staff).where(Staff.telegram_id == telegram_id).order_by(Staff.id)).scalars().all()

    def of_centre(self, centre_id: str) -> Sequence[Staff]:
        return self.session.execute(select(Staff).where(Staff.centre_id == centre_id).order_by(Staff.first_name)).scalars().all()

    def all(self) -> Sequence[Staff]:
        return self.session.execute(select(Staff).order_by(Staff.centre_id, Staff.first_name)).scalars().all()


class Cases:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- reading ---------------------------------------------------------------
    def get(self, case_id: int) -> Case | None:
        return self.session.get(Case, case_id)

    def open_for(self, sender_id: str) -> Case | None:
        return self.session.execute(
            select(Case).where(Case.sender_id == sender_id, Case.status.in_(OPEN)).order_by(Case.id.desc())
        ).scalars().first()

    def latest_for(self, sender_id: str) -> Case | None:
        return self.session.execute(
            select(Case).where(Case.sender_id == sender_id).order_by(Case.id.desc())
        ).scalars().first()

    def open_in(self, centre_ids: Sequence[str]) -> Sequence[Case]:
        return self.session.execute(
            select(Case).where(Case.centre_id.in_(centre_ids), Case.status.in_(OPEN)).order_by(Case.created_at)
        ).scalars().all()

    def due_for_announcement(self, centre_ids: Sequence[str], older_than: dt.datetime) -> Sequence[Case]:
        """Waiting cases never announced, or announced before ``older_than``."""
        return self.session.execute(
            select(Case).where(
                Case.centre_id.in_(centre_ids), Case.status == "waiting",
                (Case.announced_at.is_(None)) | (Case.announced_at < older_than),
            ).order_by(Case.created_at)
        ).scalars().all()

    def messages(self, case_id: int, last: int | None = None) -> list[CaseMessage]:
        query = select(CaseMessage).where(CaseMessage.case_id == case_id).order_by(CaseMessage.id.desc())
        if last:
            query = query.limit(last)
        return list(reversed(self.session.execute(query).scalars().all()))

    def events(self, case_id: int) -> Sequence[CaseEvent]:
        return self.session.execute(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
        ).scalars().all()

    # -- changing ----------------------------------------------------------------
    def create(self, sender_id: str, language: str, municipality_code: str | None, centre_id: str,
               topic: str | None, stage: str | None) -> Case:
        now = utcnow()
        case = Case(sender_id=sender_id, language=language, municipality_code=municipality_code, centre_id=centre_id,
                    topic=topic, stage=stage, status="waiting", consent_at=now, awaiting_contact=False, created_at=now)
        self.session.add(case)
        self.session.flush()
        self.log(case.id, "user", "created", f"centre={centre_id}")
        return case

    def _transition(self, case_id: int, allowed: tuple[str, ...], _where: Any = None, **values: object) -> bool:
        condition = [Case.id == case_id, Case.status.in_(allowed)] + ([_where] if _where is not None else [])
        result = self.session.execute(
            update(Case).where(*condition).values(**values)
            .execution_options(synchronize_session="fetch")
        )
        return result.rowcount == 1

    def take(self, case_id: int, staff: Staff) -> bool:
        """Exactly one of several staff pressing Take at once gets True."""
        won = self._transition(case_id, ("waiting",), status="taken", staff_id=staff.id, taken_at=utcnow())
        if won:
            self.log(case_id, f"staff:{staff.telegram_id}", "taken", staff.first_name)
        return won

    def release(self, case_id: int, staff: Staff) -> bool:
        done = self._transition(case_id, ("taken",), status="waiting", staff_id=None, taken_at=None, announced_at=None)
        if done:
            self.log(case_id, f"staff:{staff.telegram_id}", "released", staff.first_name)
        return done

    def transfer(self, case_id: int, staff: Staff, centre_id: str) -> bool:
        done = self._transition(case_id, OPEN, status="waiting", staff_id=None, taken_at=None, centre_id=centre_id,
                                announced_at=None, thread_id=None, card_message_id=None)
        if done:
            self.log(case_id, f"staff:{staff.telegram_id}", "transferred", f"to={centre_id}")
        return done

    def close(self, case_id: int, staff: Staff, outcome: str) -> bool:
        done = self._transition(case_id, OPEN, status="closed", outcome=outcome, closed_at=utcnow())
        if done:
            self.log(case_id, f"staff:{staff.telegram_id}", "closed", outcome)
        return done

    def cancel(self, case_id: int, actor: str = "user") -> bool:
        done = self._transition(case_id, OPEN, status="cancelled", closed_at=utcnow())
        if done:
            self.log(case_id, actor, "cancelled")
        return done

    def rate(self, case_id: int, rating: int) -> bool:
        if not 1 <= rating <= 5:
            raise ValueError("a rating is 1-5")
        done = self._transition(case_id, ("closed", "cancelled"), rating=rating)
        if done:
            self.log(case_id, "user", "rated", str(rating))
        return done

    def claim_announcement(self, case_id: int, previous: dt.datetime | None) -> bool:
        """Atomically claim the right to post a waiting case's card, so the sweep and a
        user's turn never both post it; ``previous`` is the ``announced_at`` the caller saw."""
        seen = Case.announced_at.is_(None) if previous is None else Case.announced_at == previous
        return self._transition(case_id, ("waiting",), announced_at=utcnow(), _where=seen)

    def unclaim_announcement(self, case_id: int, previous: dt.datetime | None, thread_id: int | None) -> None:
        """The card could not be posted: let the sweep try again (in the topic already opened, if any)."""
        values: dict[str, object] = {"announced_at": previous}
        if thread_id is not None:
            values["thread_id"] = thread_id
        self.session.execute(update(Case).where(Case.id == case_id).values(**values)
                             .execution_options(synchronize_session="fetch"))

    def announced(self, case_id: int, card_message_id: int | None, thread_id: int | None) -> None:
        values: dict[str, object] = {"announced_at": utcnow()}
        if card_message_id is not None:
            values["card_message_id"] = card_message_id
        if thread_id is not None:
            values["thread_id"] = thread_id
        self.session.execute(update(Case).where(Case.id == case_id).values(**values)
                             .execution_options(synchronize_session="fetch"))

    def add_message(self, case_id: int, author: str, text: str | None, kind: str = "text", intent: str | None = None,
                    confidence: float | None = None, entities: str | None = None, at: dt.datetime | None = None) -> None:
        self.session.add(CaseMessage(case_id=case_id, author=author, text=text, kind=kind, intent=intent,
                                     confidence=confidence, entities=entities, at=at or utcnow()))

    def log(self, case_id: int, actor: str, action: str, detail: str | None = None) -> None:
        self.session.add(CaseEvent(case_id=case_id, actor=actor, action=action, detail=detail, at=utcnow()))
        self.session.flush()

    def delete_for_sender(self, sender_id: str) -> list[int]:
        """Erase a person's cases, transcripts and audit rows (GDPR erasure)."""
        ids = list(self.session.execute(select(Case.id).where(Case.sender_id == sender_id)).scalars())
        if ids:
            self.session.execute(delete(CaseMessage).where(CaseMessage.case_id.in_(ids)))
            self.session.execute(delete(CaseEvent).where(CaseEvent.case_id.in_(ids)))
            self.session.execute(delete(Case).where(Case.id.in_(ids)))
        return ids
