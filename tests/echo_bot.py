"""`make bench`'s floor: the Telegram path with nothing behind it.

python-telegram-bot's Application, built as Veiviser builds it (retrying
requests, per-chat order) but without the rate limiter (one person answered
as fast as possible would hit Telegram's 30 messages/s and measure the
limiter), long polling the fake Bot API and answering every text with
itself: no Rasa, no database. The time from an
update to this bot's sendMessage is what any bot pays for Telegram's two
round trips (getUpdates, sendMessage) on this machine."""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.telegram.ordering import PerChatUpdateProcessor
from bot.telegram.request import RetryingRequest


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, update.effective_message.text or "")


def main() -> None:
    application = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .request(RetryingRequest(connection_pool_size=64, read_timeout=15.0))
        .get_updates_request(RetryingRequest(read_timeout=30.0))
        .concurrent_updates(PerChatUpdateProcessor(64))
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES, timeout=10)


if __name__ == "__main__":
    main()
