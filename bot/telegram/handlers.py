"""What Veiviser does with each kind of Telegram update.

Every callback is small: it reads who wrote and in which language, asks the
Assistant (or renders a notice), and sends the replies. Nothing here knows
about Rasa beyond the payloads of its buttons.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import unicodedata
from collections.abc import AsyncIterator
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ChatMemberStatus, ChatType, ParseMode
from telegram.error import Forbidden
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.engine import Assistant, Reply
from bot.languages import CODES, DEFAULT, LANGUAGES, normalise_code
from bot.storage.models import Case
from bot.storage.repo import Payloads, Updates, Users
from bot.telegram.desk import LOOK_UP, Desk, LookUp
from bot.telegram.render import escape

log = logging.getLogger(__name__)

MAX_INPUT = 4000  # longer messages are cut before understanding
UNDERSTOOD_PREFIX = 1000  # what Rasa reads of a long message
TYPING_AFTER = 1.0  # seconds before "typing…" is shown
DELETE_CONFIRMED = "/delete_confirmed"
DELETE_CANCELLED = "/delete_cancelled"
CONSENT = "/consent"


def is_emoji_only(text: str) -> bool:
    return not any(unicodedata.category(c)[0] in "LN" for c in text)


class Handlers:
    def __init__(self, assistant: Assistant, desk: Desk, staff_chats: frozenset[int] = frozenset()) -> None:
        self.assistant = assistant
        self.desk = desk
        self.staff_chats = staff_chats

    # -- helpers -------------------------------------------------------------
    def _sender(self, update: Update) -> str:
        assert update.effective_user is not None
        return str(update.effective_user.id)

    def _language(self, update: Update, profile: dict[str, Any] | None = None) -> str:
        profile = profile or self.assistant.profile(self._sender(update))
        if profile["language"]:
            return str(profile["language"])
        hinted = normalise_code(update.effective_user.language_code if update.effective_user else None)
        return hinted or DEFAULT

    async def send(self, update: Update, context: ContextTypes.DEFAULT_TYPE, replies: list[Reply]) -> None:
        chat = update.effective_chat
        assert chat is not None
        await self.desk.deliver(chat.id, replies)

    @contextlib.asynccontextmanager
    async def typing(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> AsyncIterator[None]:
        """Shows "typing…" only when the answer takes longer than about a second
        (every sendChatAction counts against Telegram's limits)."""
        chat = update.effective_chat

        async def show() -> None:
            await asyncio.sleep(TYPING_AFTER)
            while True:
                with contextlib.suppress(Exception):
                    await context.bot.send_chat_action(chat.id, ChatAction.TYPING)  # type: ignore[union-attr]
                await asyncio.sleep(4.5)

        task = asyncio.create_task(show())
        try:
            yield
        finally:
            task.cancel()

    async def _say(self, update: Update, context: ContextTypes.DEFAULT_TYPE, text: str,
                   case: Case | None | LookUp = LOOK_UP) -> None:
        """Answer one text or button press. ``case``: the open case, if just looked up."""
        sender = self._sender(update)
        profile = self.assistant.profile(sender, active=True)  # whoever writes can be reached again
        lang = self._language(update, profile)
        async with self.typing(update, context):
            if text in (DELETE_CONFIRMED, DELETE_CANCELLED):
                replies = await self._delete(sender, text == DELETE_CONFIRMED, lang)
            elif text == CONSENT:
                replies = self._consent(sender, lang)
            else:
                if isinstance(case, LookUp):
                    case = self.desk.open_case(sender)
                handover = await self.desk.before_turn(sender, text, lang, case)
                if handover is not None:
                    replies = handover
                else:
                    turn = await self.assistant.handle_turn(sender, text, profile)
                    lang = turn.replies[0].language if turn.replies else self._language(update, turn.profile)
                    replies = turn.replies + await self.desk.after_turn(sender, text, turn, lang, case)
            await self.send(update, context, replies)  # a slow send counts as waiting too

    # -- updates -------------------------------------------------------------
    async def claim(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Runs first for every update: stop here if it was handled before."""
        with self.assistant.database.session() as session:
            fresh = Updates(session).claim(update.update_id)
        if not fresh:
            log.info("Update %d seen before; skipped", update.update_id)
            raise ApplicationHandlerStop

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        welcome = " / ".join(dict.fromkeys(self.assistant.render("utter_welcome", lang).text for lang in ("nb", "en")))
        pick = " / ".join(dict.fromkeys(self.assistant.render("utter_pick_language", lang).text for lang in ("nb", "en")))
        await self._picker(update, context, f"{welcome}\n\n{pick}")

    async def language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self._language(update)
        await self._picker(update, context, self.assistant.render("utter_choose_language", lang).text)

    async def _picker(self, update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
        profile = self.assistant.profile(self._sender(update))
        current = profile["language"] or normalise_code(
            update.effective_user.language_code if update.effective_user else None
        )
        rows = [
            [InlineKeyboardButton(("✓ " if code == current else "") + LANGUAGES[code].native_name, callback_data=f"lang:{code}")]
            for code in CODES
        ]
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, escape(text), parse_mode=ParseMode.HTML,
                                       reply_markup=InlineKeyboardMarkup(rows))

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.send(update, context, [self.assistant.render("utter_help", self._language(update))])

    async def privacy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.send(update, context, [self.assistant.render("utter_privacy", self._language(update))])

    async def delete_me(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.send(update, context, [self.assistant.render("utter_delete_confirm", self._language(update))])

    async def human(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._say(update, context, "/request_human")

    async def status(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.send(update, context, self.desk.status(self._sender(update), self._language(update)))

    async def restart(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        sender = self._sender(update)
        await self.assistant.restart(sender)
        await self.send(update, context, [self.assistant.render("utter_restarted", self._language(update))])

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.send(update, context, [self.assistant.render("utter_unknown_command", self._language(update))])

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        case = self.desk.open_case(self._sender(update))  # looked up once for the whole turn
        if await self.desk.relay_from_user(update, context, case):
            return
        text = message.text.strip()
        if is_emoji_only(text):
            await self.send(update, context, [self.assistant.render("utter_emoji_only", self._language(update))])
            return
        if len(text) > UNDERSTOOD_PREFIX:
            await self.send(update, context, [self.assistant.render("utter_too_long", self._language(update))])
            text = text[:UNDERSTOOD_PREFIX]
        await self._say(update, context, text, case)

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        data = query.data or ""
        with contextlib.suppress(Exception):  # the old keyboard goes, so it is not pressed twice
            await query.edit_message_reply_markup(reply_markup=None)
        if data.startswith("lang:"):
            await self._chosen_language(update, context, data.removeprefix("lang:"))
            return
        if data.startswith("p:"):
            with self.assistant.database.session() as session:
                payload = Payloads(session).payload_for(data.removeprefix("p:"))
            if payload:
                await self._say(update, context, payload)

    async def _chosen_language(self, update: Update, context: ContextTypes.DEFAULT_TYPE, code: str) -> None:
        if code not in CODES:
            return
        sender = self._sender(update)
        first_time = self.assistant.profile(sender)["consent_at"] is None
        self.assistant.set_language(sender, code, chosen=True)
        replies = [self.assistant.render("utter_language_changed", code, language_name=LANGUAGES[code].native_name)]
        if first_time:
            replies.append(self.assistant.render("utter_privacy", code))
        await self.send(update, context, replies)

    def _consent(self, sender: str, lang: str) -> list[Reply]:
        self.assistant.give_consent(sender)
        return [self.assistant.render("utter_greet", lang)]

    async def _delete(self, sender: str, confirmed: bool, lang: str) -> list[Reply]:
        if not confirmed:
            return [self.assistant.render("utter_delete_cancelled", lang)]
        await self.desk.forget(sender)
        await self.assistant.forget(sender)
        return [self.assistant.render("utter_deleted", lang)]

    async def unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        if await self.desk.relay_from_user(update, context):
            return
        if message.sticker:
            response = "utter_unsupported_sticker"
        elif message.voice or message.video_note or message.audio:
            response = "utter_unsupported_voice"
        elif message.location or message.venue:
            response = "utter_unsupported_location"
        elif message.photo or message.video or message.document or message.animation:
            response = "utter_unsupported_media"
        else:
            response = "utter_unsupported_other"
        await self.send(update, context, [self.assistant.render(response, self._language(update))])

    async def group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """In a group that is not a staff group: answer only when addressed."""
        message = update.effective_message
        chat = update.effective_chat
        if message is None or chat is None or chat.id in self.staff_chats:
            return
        me = context.bot.username or ""
        addressed = (message.text and f"@{me}".casefold() in message.text.casefold()) or (
            message.reply_to_message and message.reply_to_message.from_user
            and message.reply_to_message.from_user.id == context.bot.id
        )
        if addressed:
            lang = normalise_code(update.effective_user.language_code if update.effective_user else None) or DEFAULT
            await message.reply_text(escape(self.assistant.render("utter_group_hint", lang).text), parse_mode=ParseMode.HTML)

    async def membership(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The user blocked (or unblocked) the bot in their private chat."""
        change = update.my_chat_member
        if change is None or change.chat.type != ChatType.PRIVATE:
            return
        sender = str(change.from_user.id)
        blocked = change.new_chat_member.status == ChatMemberStatus.BANNED
        with self.assistant.database.session() as session:
            user = Users(session).get(sender)
            if user is not None:
                user.active = not blocked
        if blocked:
            log.info("A user blocked the bot; marked inactive")
            await self.desk.user_blocked(sender)

    async def error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("Error while handling an update", exc_info=context.error)
        if not isinstance(update, Update) or update.effective_user is None:
            return
        if isinstance(context.error, Forbidden):
            self.desk.mark_inactive(str(update.effective_user.id))
        elif update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE:
            with contextlib.suppress(Exception):  # say so rather than stay silent; the error is logged above
                await self.send(update, context, [self.assistant.render("utter_error", self._language(update))])
