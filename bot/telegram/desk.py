"""The handover desk on Telegram: users ask for a person, staff at the
regional founder centre take the case over (architecture §6).

- Cases live in the database (bot/handover/store.py); nothing here keeps
  state in memory, so a restart mid-case loses nothing.
- The staff group gets only case cards and changes of state (Telegram allows
  about 20 messages a minute per group, shared by its topics). Once a case is
  taken, the conversation runs in the staff member's private chat with the
  bot, which has its own limit; the group topic is only the fallback.
- Staff write Norwegian. What reaches the user from staff's buttons (ready
  replies, glossary) comes from the same catalogs as the bot's answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import html
import logging
from typing import Any

from sqlalchemy import select
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.centres import Centre, Centres
from bot.config import Settings
from bot.engine import Assistant, Reply, Turn
from bot.errors import ConfigurationError
from bot.geo import Gazetteer
from bot.handover.card import OUTCOMES, case_card, case_list, reading
from bot.handover.content import HandoverContent
from bot.handover.hours import OfficeHours, format_moment
from bot.handover.store import Cases, CentreChats, StaffRegistry
from bot.languages import LANGUAGES, STAFF
from bot.storage.models import Case, CentreChat, Staff, utcnow
from bot.storage.repo import Payloads, Users, payload_key
from bot.telegram.render import escape, keyboard, split_text

log = logging.getLogger(__name__)

PAYLOAD_PREFIX = "/handover_"


class LookUp:
    """A turn's callers pass the person's open case (or None) when they have
    just looked it up; by default it is looked up."""


LOOK_UP = LookUp()
ALWAYS = "always"

STAFF_HELP = (
    "<b>Veiviser for veiledere</b>\n"
    "Nye saker kommer som saks-kort i senterets gruppe. Trykk <b>Ta saken</b>; samtalen med brukeren "
    "fortsetter her i din private chat med boten.\n\n"
    "Skriv her → meldingen går til brukeren (tekst, bilder, dokumenter, talemeldinger).\n"
    "/svar – ferdige svar på brukerens språk\n"
    "/ordliste – forklar norske ord på brukerens språk\n"
    "/notat tekst – internt notat (brukeren ser det ikke)\n"
    "/saker – åpne saker · /sak 12 – bytt aktiv sak\n"
    "/vakt – slå vakt av/på (du blir varslet når saker venter)"
)


def _kind(message: Message) -> str:
    for kind in ("photo", "document", "voice", "video", "video_note", "audio", "sticker", "location", "contact"):
        if getattr(message, kind, None):
            return kind
    return "text" if message.text else "other"


def _buttons(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in row] for row in rows])


class Desk:
    def __init__(self, assistant: Assistant, settings: Settings, centres: Centres, content: HandoverContent,
                 gazetteer: Gazetteer) -> None:
        self.assistant = assistant
        self.database = assistant.database
        self.settings = settings
        self.centres = {c.id: c for c in centres}
        self.by_county = centres
        self.content = content
        self.gazetteer = gazetteer
        self.admins = settings.admin_user_ids()
        self.default_hours = settings.office_hours
        self.bot: Bot | None = None
        self._stored_payloads: set[str] = set()  # button payloads known to be in the database

    @classmethod
    def create(cls, assistant: Assistant, settings: Settings) -> Desk:
        root = settings.root / "content"
        if settings.office_hours.strip().lower() != ALWAYS:
            try:
                OfficeHours.parse(settings.office_hours)  # a typo stops the start, not a user's request
            except ValueError as exc:
                raise ConfigurationError(f"OFFICE_HOURS: {exc}") from exc
        return cls(assistant, settings, Centres.load(root / "centres.yml"), HandoverContent.load(root / "handover.yml"),
                   Gazetteer(root / "places"))

    # -- small helpers ------------------------------------------------------------
    def centre_label(self, centre_id: str) -> str:
        centre = self.centres.get(centre_id)
        if centre is None:
            return centre_id
        return centre.name or f"Etablerertjenesten {centre.county}"

    def centre_for(self, municipality_code: str | None) -> Centre | None:
        if not municipality_code:
            return None
        municipality = self.gazetteer.by_number(municipality_code)
        return self.by_county.for_county(municipality.county_number) if municipality else None

    def municipality_name(self, code: str | None) -> str | None:
        municipality = self.gazetteer.by_number(code) if code else None
        return f"{municipality.name} ({municipality.county})" if municipality else None

    def hours(self, chat: CentreChat | None) -> OfficeHours | None:
        """None means always open (a round-the-clock desk)."""
        text = (chat.hours if chat and chat.hours else None) or self.default_hours
        return None if text.strip().lower() == ALWAYS else OfficeHours.parse(text)

    def render(self, response: str, lang: str, **values: Any) -> Reply:
        return self.assistant.render(response, lang, **values)

    async def deliver(self, chat_id: int, replies: list[Reply]) -> bool:
        """Send replies to a user; False when the user has blocked the bot."""
        assert self.bot is not None
        unstored = {b.payload for reply in replies for b in reply.buttons} - self._stored_payloads
        if unstored:  # stored once, then known: most replies reuse the same few buttons
            with self.database.session() as session:
                payloads = Payloads(session)
                for payload in unstored:
                    payloads.key_for(payload)
            self._stored_payloads |= unstored
        markups = [keyboard(reply.buttons, payload_key) for reply in replies]
        for reply, markup in zip(replies, markups, strict=True):
            chunks = split_text(reply.text)
            for index, chunk in enumerate(chunks):
                try:
                    await self.bot.send_message(
                        chat_id, escape(chunk), parse_mode=ParseMode.HTML,
                        reply_markup=markup if index == len(chunks) - 1 else None,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                    )
                except Forbidden:
                    self.mark_inactive(str(chat_id))
                    return False
        return True

    def mark_inactive(self, sender: str) -> None:
        log.info("A user blocked the bot; marked inactive")
        with self.database.session() as session:
            user = Users(session).get(sender)
            if user is not None:
                user.active = False

    async def _to_staff(self, staff_telegram_id: int, text: str, markup: InlineKeyboardMarkup | None = None) -> bool:
        assert self.bot is not None
        try:
            await self.bot.send_message(staff_telegram_id, text, parse_mode=ParseMode.HTML, reply_markup=markup,
                                        link_preview_options=LinkPreviewOptions(is_disabled=True))
            return True
        except Forbidden:
            return False

    async def _to_group(self, case: Case, text: str, markup: InlineKeyboardMarkup | None = None) -> Message | None:
        assert self.bot is not None
        with self.database.session() as session:
            chat = CentreChats(session).get(case.centre_id)
        if chat is None:
            return None
        try:
            return await self.bot.send_message(
                chat.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup,
                message_thread_id=case.thread_id if chat.forum else None,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except TelegramError:
            log.exception("Could not post to the staff group of %s", case.centre_id)
            return None

    def _card(self, case: Case, header: str = "Ny sak") -> str:
        with self.database.session() as session:
            messages = Cases(session).messages(case.id, last=8)
            staff = session.get(Staff, case.staff_id) if case.staff_id else None
        return case_card(case, self.content, self.municipality_name(case.municipality_code),
                         self.centre_label(case.centre_id), messages, staff, header)

    @staticmethod
    def _card_buttons(case: Case) -> InlineKeyboardMarkup:
        if case.status == "taken":
            return _buttons([[("↩️ Slipp", f"c:release:{case.id}"), ("✅ Lukk", f"c:close:{case.id}")]])
        return _buttons([[("🙋 Ta saken", f"c:take:{case.id}")],
                         [("↩️ Slipp", f"c:release:{case.id}"), ("✅ Lukk", f"c:close:{case.id}")]])

    def _case(self, case_id: int) -> Case | None:
        with self.database.session() as session:
            return Cases(session).get(case_id)

    # -- announcing to staff --------------------------------------------------------
    async def announce(self, case: Case, again: bool = False) -> bool:
        """Post the case card in the centre's staff group (a topic of its own in a forum)."""
        assert self.bot is not None
        with self.database.session() as session:
            chat = CentreChats(session).get(case.centre_id)
            on_duty = [s for s in StaffRegistry(session).of_centre(case.centre_id) if s.on_duty]
        if chat is None:
            return False
        previous = case.announced_at
        with self.database.session() as session:
            if not Cases(session).claim_announcement(case.id, previous):
                return False  # taken, closed or being announced by someone else meanwhile
        thread_id = case.thread_id
        if chat.forum and thread_id is None:
            try:
                topic = await self.bot.create_forum_topic(
                    chat.chat_id, f"Sak #{case.id} · {case.language} · {self.municipality_name(case.municipality_code) or '?'}"[:128]
                )
                thread_id = case.thread_id = topic.message_thread_id
            except TelegramError:
                log.exception("Could not open a topic for case %d", case.id)
        header = "Ny sak"
        text = self._card(case, header)
        if again:
            pings = " ".join(f'<a href="tg://user?id={s.telegram_id}">{html.escape(s.first_name)}</a>' for s in on_duty)
            text = f"⏰ <b>Sak #{case.id} venter fortsatt.</b> {pings}\n\n" + text
        sent = await self._to_group(case, text, self._card_buttons(case))
        with self.database.session() as session:
            if sent is None:
                Cases(session).unclaim_announcement(case.id, previous, thread_id)
                return False
            Cases(session).announced(case.id, sent.message_id, thread_id)
            Cases(session).log(case.id, "bot", "announced" if not again else "reannounced")
        return True

    async def sweep(self) -> None:
        """Announce cases staff have not seen; re-announce untaken ones during office hours."""
        now = utcnow()
        cutoff = now - dt.timedelta(seconds=self.settings.handover_reannounce_seconds)
        with self.database.session() as session:
            chats = list(CentreChats(session).all())
        for chat in chats:
            hours = self.hours(chat)
            open_now = hours is None or hours.is_open(now.replace(tzinfo=dt.timezone.utc))
            with self.database.session() as session:
                due = list(Cases(session).due_for_announcement([chat.centre_id], cutoff))
            for case in due:
                if case.announced_at is None:
                    await self.announce(case)
                elif open_now:
                    await self.announce(case, again=True)

    async def sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.handover_sweep_seconds)
            try:
                await self.sweep()
            except Exception:
                log.exception("Handover sweep failed")

    # -- the user's side ------------------------------------------------------------------
    def open_case(self, sender: str) -> Case | None:
        with self.database.session() as session:
            return Cases(session).open_for(sender)

    async def before_turn(self, sender: str, text: str, lang: str, case: Case | None | LookUp = LOOK_UP
                          ) -> list[Reply] | None:
        """Replies instead of the dialogue's, or None to let Rasa answer.
        ``case``: the person's open case if the caller has just looked it up."""
        if text.startswith(PAYLOAD_PREFIX):
            return await self.user_payload(sender, text, lang)
        if isinstance(case, LookUp):
            case = self.open_case(sender)
        if case is None:
            return None
        if text == "/request_human":
            return self.status(sender, lang)
        if case.status == "waiting" and case.awaiting_contact and not text.startswith("/"):
            with self.database.session() as session:
                stored = Cases(session).get(case.id)
                assert stored is not None
                stored.contact_preference, stored.awaiting_contact = text[:500], False
                Cases(session).add_message(case.id, "user", text, intent="contact_preference")
                Cases(session).log(case.id, "user", "contact_preference")
            return [self.render("utter_handover_contact_saved", lang)]
        return None

    async def after_turn(self, sender: str, text: str, turn: Turn, lang: str, case: Case | None | LookUp = LOOK_UP
                         ) -> list[Reply]:
        """What the handover adds to a dialogue turn: an offer of a person, and
        the transcript of a case waiting for staff. ``case`` as in before_turn:
        the dialogue itself never opens or closes a case."""
        profile = turn.profile or self.assistant.profile(sender)
        if isinstance(case, LookUp):
            case = self.open_case(sender)
        if case is not None:
            with self.database.session() as session:
                cases = Cases(session)
                cases.add_message(case.id, "user", text, intent=turn.reading.intent,
                                  confidence=turn.reading.confidence, entities=turn.reading.entities)
                for reply in turn.replies:
                    cases.add_message(case.id, "bot", reply.text, intent=turn.reading.intent)
            return []
        intent = turn.reading.intent
        municipality = profile["municipality_code"]
        with self.database.session() as session:
            user = Users(session).get_or_create(sender)
            wanted = bool(user.handover_wanted)
            if intent == "request_human" and not municipality:
                user.handover_wanted = True
                return []
            if wanted and municipality:
                user.handover_wanted = False
        if (intent == "request_human" or wanted) and municipality:
            return [self._offer(municipality, lang)]
        if intent in self.content.topics_needing_a_person:
            return [self._offer(municipality, lang) if municipality else self.render("utter_handover_suggest", lang)]
        if turn.fallbacks_in_row >= 2:
            return [self.render("utter_handover_suggest", lang)]
        return []

    def _offer(self, municipality: str, lang: str) -> Reply:
        centre = self.centre_for(municipality)
        return self.render("utter_handover_offer", lang, centre=self.centre_label(centre.id) if centre else "?")

    async def user_payload(self, sender: str, text: str, lang: str) -> list[Reply]:
        action = text.removeprefix(PAYLOAD_PREFIX)
        if action == "yes":
            return await self.create_case(sender, lang)
        if action == "no":
            return [self.render("utter_handover_declined", lang)]
        if action == "cancel":
            return await self.cancel(sender, lang)
        if action == "contact_telegram":
            case = self.open_case(sender)
            if case is not None:
                with self.database.session() as session:
                    stored = Cases(session).get(case.id)
                    assert stored is not None
                    stored.contact_preference, stored.awaiting_contact = "Telegram", False
            return [self.render("utter_handover_contact_saved", lang)]
        if action.startswith("rate_") and action[5:].isdigit():
            with self.database.session() as session:
                cases = Cases(session)
                latest = cases.latest_for(sender)
                if latest is not None and latest.rating is None and cases.rate(latest.id, int(action[5:])):
                    return [self.render("utter_handover_rated", lang)]
            return []
        return []

    async def create_case(self, sender: str, lang: str) -> list[Reply]:
        if self.open_case(sender) is not None:
            return self.status(sender, lang)
        profile = self.assistant.profile(sender)
        centre = self.centre_for(profile["municipality_code"])
        if centre is None:
            with self.database.session() as session:
                Users(session).get_or_create(sender).handover_wanted = True
            return [self.render("utter_ask_municipality", lang)]
        exchange = await self.assistant.recent_exchange(sender)
        intents = [line.reading.intent for line in exchange if line.author == "user" and line.reading and line.reading.intent]
        with self.database.session() as session:
            cases = Cases(session)
            case = cases.create(sender, lang, profile["municipality_code"], centre.id,
                                self.content.topic_of(intents), self.content.stage_of(intents))
            for line in exchange:
                r = line.reading
                cases.add_message(case.id, line.author, line.text, intent=r.intent if r else None,
                                  confidence=r.confidence if line.author == "user" and r else None,
                                  entities=r.entities if line.author == "user" and r else None,
                                  at=dt.datetime.utcfromtimestamp(line.at))
            with self.database.session() as inner:
                chat = CentreChats(inner).get(centre.id)
        label = self.centre_label(centre.id)
        replies = [self.render("utter_handover_created", lang, case=f"#{case.id}", centre=label)]
        hours = self.hours(chat)
        now = utcnow().replace(tzinfo=dt.timezone.utc)
        if chat is None:
            replies.append(self.render("utter_handover_no_staff_chat", lang, centre=label, case=f"#{case.id}",
                                       contact=centre.contact))
        elif hours is not None and hours.closed:
            replies.append(self.render("utter_handover_closed_centre", lang, contact=centre.contact))
        elif hours is not None and not hours.is_open(now):
            opens = hours.next_open(now)
            assert opens is not None
            replies.append(self.render("utter_handover_after_hours", lang, opens=format_moment(opens, LANGUAGES[lang].locale)))
            replies.append(self.render("utter_handover_hours", lang, hours=hours.describe(LANGUAGES[lang].locale)))
            with self.database.session() as session:
                stored = Cases(session).get(case.id)
                assert stored is not None
                stored.awaiting_contact = True
        if chat is not None:
            await self.announce(case)
        return replies

    def status(self, sender: str, lang: str) -> list[Reply]:
        case = self.open_case(sender)
        if case is None:
            return [self.render("utter_handover_status_none", lang)]
        label = self.centre_label(case.centre_id)
        if case.status == "taken":
            with self.database.session() as session:
                staff = session.get(Staff, case.staff_id) if case.staff_id else None
            return [self.render("utter_handover_status_taken", lang, case=f"#{case.id}", centre=label,
                                staff_name=staff.first_name if staff else "?")]
        since = format_moment(case.created_at.replace(tzinfo=dt.timezone.utc), LANGUAGES[lang].locale)
        return [self.render("utter_handover_status_waiting", lang, case=f"#{case.id}", centre=label, since=since)]

    async def cancel(self, sender: str, lang: str) -> list[Reply]:
        case = self.open_case(sender)
        if case is None:
            return [self.render("utter_handover_status_none", lang)]
        with self.database.session() as session:
            if not Cases(session).cancel(case.id):
                return self.status(sender, lang)
            staff = session.get(Staff, case.staff_id) if case.staff_id else None
        note = f"🚪 Brukeren avsluttet sak #{case.id}."
        if staff is not None:
            await self._to_staff(staff.telegram_id, note)
            self._clear_active(case.id)
            return [self.render("utter_handover_ended_by_user", lang), self.render("utter_handover_rate", lang)]
        await self._to_group(case, note)
        return [self.render("utter_handover_cancelled", lang)]

    async def relay_from_user(self, update: Update, context: ContextTypes.DEFAULT_TYPE,
                              case: Case | None | LookUp = LOOK_UP) -> bool:
        """While staff have the case, the user's messages go to them; Rasa is not asked."""
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None:
            return False
        if isinstance(case, LookUp):
            case = self.open_case(str(user.id))
        if case is None or case.status != "taken":
            return False
        if update.edited_message is not None:
            return True  # the original went to staff already; an edit is not sent twice
        with self.database.session() as session:
            staff = session.get(Staff, case.staff_id) if case.staff_id else None
        kind = _kind(message)
        text = message.text or message.caption
        read = await self.assistant.read(message.text) if message.text else None
        with self.database.session() as session:
            Cases(session).add_message(case.id, "user", text, kind=kind, intent=read.intent if read else None,
                                       confidence=read.confidence if read else None,
                                       entities=read.entities if read else None)
        delivered = False
        if staff is not None:
            delivered = await self._forward_to_staff(case, staff, message, kind, read)
        if not delivered:
            lang = case.language
            await self.deliver(message.chat_id, [self.render("utter_handover_not_delivered", lang)])
        return True

    async def _forward_to_staff(self, case: Case, staff: Staff, message: Message, kind: str, read: Any) -> bool:
        assert self.bot is not None
        head = f"👤 <b>#{case.id}</b>"
        try:
            if kind == "text":
                body = f"{head} «{escape(message.text or '')}»\n🤖 <i>{escape(reading(self.content, read.intent, read.confidence, read.entities))}</i>"
                await self.bot.send_message(staff.telegram_id, body, parse_mode=ParseMode.HTML)
            else:
                await self.bot.copy_message(staff.telegram_id, message.chat_id, message.message_id)
                await self.bot.send_message(staff.telegram_id, f"{head} sendte {kind}.", parse_mode=ParseMode.HTML)
            return True
        except Forbidden:
            # The staff member has not opened a private chat with the bot: the group topic is the fallback.
            text = f"{head} (til {escape(staff.first_name)}; åpne en privat chat med boten for å svare der)\n"
            text += f"«{escape(message.text or '')}»" if kind == "text" else f"[{kind}]"
            return await self._to_group(case, text) is not None

    async def forget(self, sender: str) -> None:
        """Before a user's data is erased: tell staff of an open case."""
        case = self.open_case(sender)
        if case is None:
            return
        with self.database.session() as session:
            Cases(session).cancel(case.id, actor="user")
            staff = session.get(Staff, case.staff_id) if case.staff_id else None
        note = f"🗑 Brukeren i sak #{case.id} har slettet dataene sine. Saken er lukket og slettet."
        if staff is not None:
            await self._to_staff(staff.telegram_id, note)
        await self._to_group(case, note)
        self._clear_active(case.id)

    async def user_blocked(self, sender: str) -> None:
        case = self.open_case(sender)
        if case is None:
            return
        with self.database.session() as session:
            Cases(session).log(case.id, "user", "blocked_bot")
            staff = session.get(Staff, case.staff_id) if case.staff_id else None
        note = (f"⛔ Brukeren i sak #{case.id} har blokkert boten; meldinger kommer ikke fram. "
                "Lukk saken med utfallet «ikke svar».")
        if staff is None or not await self._to_staff(staff.telegram_id, note, self._controls(case.id)):
            await self._to_group(case, note)

    # -- the staff side ---------------------------------------------------------------------
    async def gate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Runs before the user handlers: staff buttons, staff groups and staff's
        private chats are handled here and go no further."""
        query = update.callback_query
        if query is not None and (query.data or "").startswith("c:"):
            await self.staff_button(update)
            raise ApplicationHandlerStop
        chat, user, message = update.effective_chat, update.effective_user, update.effective_message
        if chat is None or user is None or message is None:
            return
        if chat.type == ChatType.PRIVATE:
            with self.database.session() as session:
                memberships = list(StaffRegistry(session).memberships(user.id))
            if memberships:
                await self.staff_private(update, memberships)
                raise ApplicationHandlerStop
            return
        text = message.text or ""
        if text.startswith("/register_centre"):
            await self.register_centre(update)
            raise ApplicationHandlerStop
        with self.database.session() as session:
            centre_chat = CentreChats(session).by_chat(chat.id)
        if centre_chat is not None:
            await self.staff_group(update, centre_chat)
            raise ApplicationHandlerStop

    def _member(self, telegram_id: int, centre_id: str) -> Staff | None:
        with self.database.session() as session:
            return StaffRegistry(session).member(telegram_id, centre_id)

    def _clear_active(self, case_id: int) -> None:
        with self.database.session() as session:
            for member in StaffRegistry(session).all():
                if member.active_case_id == case_id:
                    member.active_case_id = None

    @staticmethod
    def _controls(case_id: int) -> InlineKeyboardMarkup:
        return _buttons([
            [("💬 Ferdige svar", f"c:canned:{case_id}"), ("📖 Ordliste", f"c:gloss:{case_id}")],
            [("↩️ Slipp", f"c:release:{case_id}"), ("➡️ Overfør", f"c:transfer:{case_id}"), ("✅ Lukk", f"c:close:{case_id}")],
        ])

    async def register_centre(self, update: Update) -> None:
        message, chat, user = update.effective_message, update.effective_chat, update.effective_user
        assert message is not None and chat is not None and user is not None
        if user.id not in self.admins:
            await message.reply_text("Bare administratorer (ADMIN_IDS) kan registrere en gruppe.")
            return
        parts = (message.text or "").split()
        centre_id = parts[1] if len(parts) > 1 else ""
        if centre_id not in self.centres:
            await message.reply_text("Bruk: /register_centre <senter-id>. Senter-id-er: " + ", ".join(self.centres))
            return
        with self.database.session() as session:
            CentreChats(session).set(centre_id, chat.id, forum=bool(chat.is_forum))
        await message.reply_text(
            f"Denne gruppen tar nå imot saker for {self.centre_label(centre_id)}"
            f"{' (ett emne per sak)' if chat.is_forum else ''}. Registrer veiledere med /staff_add som svar på en melding fra dem."
        )

    async def staff_group(self, update: Update, centre_chat: CentreChat) -> None:
        message, user = update.effective_message, update.effective_user
        assert message is not None and user is not None
        text = message.text or ""
        member = self._member(user.id, centre_chat.centre_id)
        if text.startswith("/"):
            command = text[1:].split()[0].split("@")[0].lower()
            if command in ("staff_add", "staff_remove"):
                await self._staff_admin(message, user.id, centre_chat.centre_id, command == "staff_add")
            elif member is None:
                await message.reply_text("Du er ikke registrert som veileder for dette senteret.")
            elif command in ("saker", "cases"):
                await message.reply_text(self._list(member), parse_mode=ParseMode.HTML)
            elif command == "vakt":
                await message.reply_text(self._toggle_duty(member))
            elif command in ("hjelp", "help", "start"):
                await message.reply_text(STAFF_HELP, parse_mode=ParseMode.HTML)
            return
        if member is None or update.edited_message is not None:
            return
        case = self._case_of_group_message(message, centre_chat)
        if case is not None and case.status == "taken" and case.staff_id == member.id:
            await self._relay_from_staff(case, member, message)

    def _case_of_group_message(self, message: Message, chat: CentreChat) -> Case | None:
        with self.database.session() as session:
            if chat.forum and message.message_thread_id:
                return session.execute(select(Case).where(Case.centre_id == chat.centre_id,
                                                          Case.thread_id == message.message_thread_id)).scalars().first()
            reply = message.reply_to_message
            if reply is not None:
                return session.execute(select(Case).where(Case.centre_id == chat.centre_id,
                                                          Case.card_message_id == reply.message_id)).scalars().first()
        return None

    async def _staff_admin(self, message: Message, admin_id: int, centre_id: str, add: bool) -> None:
        admin = self._member(admin_id, centre_id)
        if admin_id not in self.admins and not (admin and admin.admin):
            await message.reply_text("Bare administratorer kan registrere veiledere.")
            return
        target = message.reply_to_message.from_user if message.reply_to_message else None
        if target is None or target.is_bot:
            await message.reply_text("Svar på en melding fra personen med /staff_add eller /staff_remove.")
            return
        with self.database.session() as session:
            registry = StaffRegistry(session)
            if add:
                registry.add(target.id, centre_id, target.first_name)
            else:
                registry.remove(target.id, centre_id)
        verb = "registrert som veileder" if add else "fjernet som veileder"
        await message.reply_text(f"{target.first_name} er {verb} for {self.centre_label(centre_id)}.")

    def _toggle_duty(self, member: Staff) -> str:
        with self.database.session() as session:
            for row in StaffRegistry(session).memberships(member.telegram_id):
                row.on_duty = not member.on_duty
        return "Du er nå på vakt: du blir varslet når saker venter." if not member.on_duty else "Du er ikke lenger på vakt."

    def _list(self, member: Staff, memberships: list[Staff] | None = None) -> str:
        centres = [m.centre_id for m in memberships or [member]]
        with self.database.session() as session:
            cases = list(Cases(session).open_in(centres))
            names = {s.id: s.first_name for s in StaffRegistry(session).all()}
        mine = {m.id for m in memberships or [member]}
        return case_list(cases, self.content, names, next((c.staff_id for c in cases if c.staff_id in mine), None))

    async def staff_private(self, update: Update, memberships: list[Staff]) -> None:
        message = update.effective_message
        assert message is not None
        member = memberships[0]
        active = next((m for m in memberships if m.active_case_id), None)
        case = self._case(active.active_case_id) if active and active.active_case_id else None
        if case is not None and (case.status != "taken" or case.staff_id != active.id):  # type: ignore[union-attr]
            case = None
        text = message.text or ""
        if update.edited_message is not None:
            await message.reply_text("Endrede meldinger sendes ikke på nytt. Skriv en ny melding.")
            return
        if text.startswith("/"):
            command, _, argument = text[1:].partition(" ")
            command = command.split("@")[0].lower()
            if command in ("saker", "cases"):
                await message.reply_text(self._list(member, memberships), parse_mode=ParseMode.HTML)
            elif command == "vakt":
                await message.reply_text(self._toggle_duty(member))
            elif command == "sak" and argument.strip().lstrip("#").isdigit():
                await message.reply_text(self._switch(memberships, int(argument.strip().lstrip("#"))))
            elif command in ("notat", "svar", "ordliste") and case is None:
                await message.reply_text("Du har ingen aktiv sak. Se /saker.")
            elif command == "notat" and case is not None and argument.strip():
                with self.database.session() as session:
                    Cases(session).log(case.id, f"staff:{member.telegram_id}", "note", argument.strip())
                await message.reply_text(f"📝 Notat lagret på sak #{case.id}.")
            elif command == "svar" and case is not None:
                await message.reply_text(f"Ferdige svar til sak #{case.id}:", reply_markup=self._choices(case.id, "cn", self.content.canned))
            elif command == "ordliste" and case is not None:
                await message.reply_text(f"Ordliste for sak #{case.id}:", reply_markup=self._choices(case.id, "gl", self.content.glossary))
            else:
                await message.reply_text(STAFF_HELP, parse_mode=ParseMode.HTML)
            return
        if case is None:
            await message.reply_text("Du har ingen aktiv sak. Ta en sak i gruppen, eller se /saker.")
            return
        await self._relay_from_staff(case, active or member, message)

    def _switch(self, memberships: list[Staff], case_id: int) -> str:
        case = self._case(case_id)
        ids = {m.id for m in memberships}
        if case is None or case.status != "taken" or case.staff_id not in ids:
            return f"Sak #{case_id} er ikke din. Se /saker."
        with self.database.session() as session:
            for row in StaffRegistry(session).memberships(memberships[0].telegram_id):
                row.active_case_id = case_id if row.id == case.staff_id else None
        return f"Aktiv sak er nå #{case_id}. Det du skriver her, går til den brukeren."

    @staticmethod
    def _choices(case_id: int, verb: str, choices: tuple[Any, ...]) -> InlineKeyboardMarkup:
        return _buttons([[(choice.label, f"c:{verb}:{case_id}:{index}")] for index, choice in enumerate(choices)])

    async def _relay_from_staff(self, case: Case, member: Staff, message: Message) -> None:
        assert self.bot is not None
        kind = _kind(message)
        user_chat = int(case.sender_id)
        try:
            if kind == "text":
                await self.bot.send_message(user_chat, f"💬 {escape(member.first_name)}: {escape(message.text or '')}",
                                            parse_mode=ParseMode.HTML)
            else:
                await self.bot.copy_message(user_chat, message.chat_id, message.message_id)
        except Forbidden:
            self.mark_inactive(case.sender_id)
            await message.reply_text("⛔ Brukeren har blokkert boten; meldingen kom ikke fram. Lukk saken med «ikke svar».")
            return
        with self.database.session() as session:
            Cases(session).add_message(case.id, "staff", message.text or message.caption, kind=kind)

    async def staff_button(self, update: Update) -> None:
        query = update.callback_query
        assert query is not None
        parts = (query.data or "").split(":")
        verb, case_id, argument = parts[1], int(parts[2]), (parts[3] if len(parts) > 3 else "")
        case = self._case(case_id)
        if case is None:
            await query.answer("Saken finnes ikke lenger.", show_alert=True)
            return
        member = self._member(query.from_user.id, case.centre_id)
        if member is None:
            await query.answer("Du er ikke registrert som veileder for dette senteret.", show_alert=True)
            return
        handler = {
            "take": self._take, "release": self._release, "close": self._ask_outcome, "out": self._close,
            "transfer": self._ask_centre, "to": self._transfer, "canned": self._show_canned, "gloss": self._show_glossary,
            "cn": self._send_canned, "gl": self._send_glossary,
        }.get(verb)
        if handler is None:
            await query.answer()
            return
        await handler(query, case, member, argument)

    async def _take(self, query: Any, case: Case, member: Staff, _: str) -> None:
        with self.database.session() as session:
            won = Cases(session).take(case.id, member)
            if won:
                for row in StaffRegistry(session).memberships(member.telegram_id):
                    row.active_case_id = case.id if row.id == member.id else row.active_case_id
        if not won:
            fresh = self._case(case.id)
            with self.database.session() as session:
                holder = session.get(Staff, fresh.staff_id) if fresh and fresh.staff_id else None
            who = f"av {holder.first_name}" if holder else "allerede"
            await query.answer(f"Sak #{case.id} er tatt {who}.", show_alert=True)
            return
        await query.answer(f"Du har sak #{case.id}.")
        case = self._case(case.id) or case
        await self._refresh_card(case)
        lang = case.language
        if not await self.deliver(int(case.sender_id), [self.render(
                "utter_handover_taken", lang, staff_name=member.first_name, centre=self.centre_label(case.centre_id))]):
            await self._to_group(case, f"⛔ Brukeren i sak #{case.id} har blokkert boten.")
        intro = self._card(case, "Du har saken") + "\n\nSkriv her: meldingene går til brukeren. /hjelp viser alt."
        if not await self._to_staff(member.telegram_id, intro, self._controls(case.id)):
            await self._to_group(case, f"{escape(member.first_name)}: start en privat chat med boten for å svare der; "
                                       "til da kan du svare i denne tråden / som svar på saks-kortet.")

    async def _refresh_card(self, case: Case) -> None:
        assert self.bot is not None
        with self.database.session() as session:
            chat = CentreChats(session).get(case.centre_id)
        if chat is None or case.card_message_id is None:
            return
        with contextlib.suppress(BadRequest, Forbidden):
            await self.bot.edit_message_text(self._card(case), chat.chat_id, int(case.card_message_id),
                                             parse_mode=ParseMode.HTML,
                                             reply_markup=self._card_buttons(case) if case.status in ("waiting", "taken") else None)

    async def _release(self, query: Any, case: Case, member: Staff, _: str) -> None:
        with self.database.session() as session:
            holder = session.get(Staff, case.staff_id) if case.staff_id else None
            done = Cases(session).release(case.id, member)
        if not done:
            await query.answer(f"Sak #{case.id} er ikke tatt.", show_alert=True)
            return
        await query.answer(f"Sak #{case.id} er sluppet.")
        self._clear_active(case.id)
        case = self._case(case.id) or case
        await self.deliver(int(case.sender_id), [self.render(
            "utter_handover_released", case.language, staff_name=holder.first_name if holder else member.first_name,
            centre=self.centre_label(case.centre_id))])
        await self._refresh_card(case)
        await self.announce(case, again=True)

    async def _ask_outcome(self, query: Any, case: Case, member: Staff, _: str) -> None:
        await query.answer()
        assert self.bot is not None
        await query.message.reply_text(
            f"Lukke sak #{case.id} med hvilket utfall?",
            reply_markup=_buttons([[(label, f"c:out:{case.id}:{key}")] for key, label in OUTCOMES.items()]),
        )

    async def _close(self, query: Any, case: Case, member: Staff, outcome: str) -> None:
        if outcome not in OUTCOMES:
            await query.answer()
            return
        with self.database.session() as session:
            done = Cases(session).close(case.id, member, outcome)
        if not done:
            await query.answer(f"Sak #{case.id} er allerede lukket.", show_alert=True)
            return
        await query.answer(f"Sak #{case.id} er lukket.")
        self._clear_active(case.id)
        case = self._case(case.id) or case
        await self.deliver(int(case.sender_id), [
            self.render("utter_handover_closed", case.language, case=f"#{case.id}"),
            self.render("utter_handover_rate", case.language),
        ])
        await self._refresh_card(case)
        await query.message.reply_text(f"✅ Sak #{case.id} lukket ({OUTCOMES[outcome]}) av {member.first_name}.")

    async def _ask_centre(self, query: Any, case: Case, member: Staff, _: str) -> None:
        await query.answer()
        rows = [[(self.centre_label(cid), f"c:to:{case.id}:{cid}")] for cid in self.centres if cid != case.centre_id]
        await query.message.reply_text(f"Overføre sak #{case.id} til hvilket senter?", reply_markup=_buttons(rows))

    async def _transfer(self, query: Any, case: Case, member: Staff, centre_id: str) -> None:
        if centre_id not in self.centres or centre_id == case.centre_id:
            await query.answer()
            return
        with self.database.session() as session:
            done = Cases(session).transfer(case.id, member, centre_id)
        if not done:
            await query.answer(f"Sak #{case.id} er ikke åpen.", show_alert=True)
            return
        await query.answer(f"Sak #{case.id} er overført.")
        self._clear_active(case.id)
        old = case
        case = self._case(case.id) or case
        label = self.centre_label(centre_id)
        await self._to_group(old, f"➡️ Sak #{case.id} overført til {escape(label)} av {escape(member.first_name)}.")
        await query.message.reply_text(f"➡️ Sak #{case.id} er overført til {label}.")
        await self.deliver(int(case.sender_id), [self.render("utter_handover_transferred", case.language, centre=label)])
        with self.database.session() as session:
            chat = CentreChats(session).get(centre_id)
        if chat is not None:
            await self.announce(case)
        else:
            centre = self.centres[centre_id]
            await self.deliver(int(case.sender_id), [self.render(
                "utter_handover_no_staff_chat", case.language, centre=label, case=f"#{case.id}", contact=centre.contact)])

    async def _show_canned(self, query: Any, case: Case, member: Staff, _: str) -> None:
        await query.answer()
        await query.message.reply_text(f"Ferdige svar til sak #{case.id}:", reply_markup=self._choices(case.id, "cn", self.content.canned))

    async def _show_glossary(self, query: Any, case: Case, member: Staff, _: str) -> None:
        await query.answer()
        await query.message.reply_text(f"Ordliste for sak #{case.id}:", reply_markup=self._choices(case.id, "gl", self.content.glossary))

    async def _send_canned(self, query: Any, case: Case, member: Staff, index: str) -> None:
        await self._send_choice(query, case, member, index, self.content.canned, prefix=f"💬 {member.first_name}: ")

    async def _send_glossary(self, query: Any, case: Case, member: Staff, index: str) -> None:
        await self._send_choice(query, case, member, index, self.content.glossary, prefix="📖 ")

    async def _send_choice(self, query: Any, case: Case, member: Staff, index: str, choices: tuple[Any, ...], prefix: str) -> None:
        if case.status != "taken" or case.staff_id != member.id or not index.isdigit() or int(index) >= len(choices):
            await query.answer("Bare den som har saken, kan svare.", show_alert=True)
            return
        choice = choices[int(index)]
        theirs = self.render(choice.response, case.language)
        ours = self.render(choice.response, STAFF)
        sent = await self.deliver(int(case.sender_id), [Reply(prefix + theirs.text, case.language)])
        await query.answer("Sendt." if sent else "Ikke levert.")
        with self.database.session() as session:
            Cases(session).add_message(case.id, "staff", theirs.text, intent=choice.response)
        if sent:
            await query.message.reply_text(
                f"Sendt til brukeren ({LANGUAGES[case.language].native_name}):\n{escape(theirs.text)}\n\n"
                f"<i>På norsk:</i> {escape(ours.text)}", parse_mode=ParseMode.HTML)
        else:
            await query.message.reply_text("⛔ Brukeren har blokkert boten; meldingen kom ikke fram.")
