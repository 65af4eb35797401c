"""Wiring: one place builds the Application from explicit settings, registers
the handlers and commands, and owns start-up and shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from telegram import BotCommand, Update
from telegram.constants import FloodLimit
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.engine import Assistant
from bot.languages import CODES
from bot.telegram.desk import Desk
from bot.telegram.handlers import Handlers
from bot.telegram.ordering import PerChatUpdateProcessor
from bot.telegram.request import RetryingRequest
from bot.telegram.updates import receive_updates, stop_on_signals

log = logging.getLogger(__name__)

COMMANDS = ("start", "language", "help", "human", "status", "privacy", "delete_me", "restart")


def build_application(settings: Settings, assistant: Assistant, *, workers: int = 1) -> Application:
    """The bot's Application. With ``workers`` > 1 it is one of several
    processes: it has no updater of its own (the front hands it its chats'
    updates) and sends at most its share of the bot's outgoing limit."""
    token = settings.require_token()
    desk = Desk.create(assistant, settings)
    handlers = Handlers(assistant, desk, settings.staff_chat_ids())

    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_file_base_url)
        .request(RetryingRequest(connection_pool_size=64, read_timeout=15.0))
        .get_updates_request(RetryingRequest(read_timeout=30.0))
        .rate_limiter(AIORateLimiter(overall_max_rate=FloodLimit.MESSAGES_PER_SECOND / workers, max_retries=5))
        .concurrent_updates(PerChatUpdateProcessor(64))
    )
    if workers > 1:
        builder = builder.updater(None)
    application = builder.build()
    private = filters.ChatType.PRIVATE
    application.add_handler(TypeHandler(Update, handlers.claim), group=-2)
    application.add_handler(TypeHandler(Update, desk.gate), group=-1)  # staff: their chats and buttons
    for name, callback in (
        ("start", handlers.start), ("language", handlers.language), ("help", handlers.help),
        ("human", handlers.human), ("privacy", handlers.privacy), ("delete_me", handlers.delete_me),
        ("restart", handlers.restart), ("status", handlers.status),
    ):
        application.add_handler(CommandHandler(name, callback, filters=private))
    application.add_handler(MessageHandler(private & filters.COMMAND, handlers.unknown_command))
    application.add_handler(MessageHandler(private & filters.TEXT, handlers.text))
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_handler(ChatMemberHandler(handlers.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(MessageHandler(filters.ChatType.GROUPS, handlers.group))
    application.add_handler(MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, handlers.unsupported))
    application.add_error_handler(handlers.error)
    application.bot_data["desk"] = desk
    desk.bot = application.bot
    return application


async def register_commands(application: Application, assistant: Assistant) -> None:
    """The command menu in every language (and English for everyone else)."""
    for code in (None, *CODES):
        lang = code or "en"
        commands = [BotCommand(name, assistant.render(f"utter_command_{name}", lang).text) for name in COMMANDS]
        await application.bot.set_my_commands(commands, language_code=code)


async def start_updates(application: Application, settings: Settings) -> None:
    """Receive updates by webhook when TELEGRAM_WEBHOOK_URL is set, else by long polling."""
    assert application.updater is not None
    await receive_updates(application.updater, settings)


@contextlib.asynccontextmanager
async def from_telegram(application: Application, settings: Settings) -> AsyncIterator[None]:
    """Updates straight from Telegram (long polling or webhook) while inside."""
    await start_updates(application, settings)
    try:
        yield
    finally:
        assert application.updater is not None
        await application.updater.stop()


async def serve(settings: Settings) -> None:
    """Run the bot in this process until Ctrl-C or SIGTERM, then stop
    everything cleanly (with WORKERS > 1 the command line runs the front of
    bot/telegram/workers.py instead)."""
    settings.check_telegram()
    assistant = await Assistant.create(settings)
    application = build_application(settings, assistant)
    await run_bot(application, assistant, settings, stop_on_signals(), from_telegram(application, settings))


async def run_bot(application: Application, assistant: Assistant, settings: Settings, stop: asyncio.Event,
                  receiving: contextlib.AbstractAsyncContextManager[Any], *, leader: bool = True) -> None:
    """Serve updates while ``receiving`` delivers them, until ``stop``. The
    leader (the only process, or worker 0) also registers the command menu and
    announces handover cases to staff."""
    desk: Desk = application.bot_data["desk"]
    try:
        async with application:
            if leader:
                await register_commands(application, assistant)
            await application.start()
            async with receiving:
                print("Veiviser is running. Stop with Ctrl-C.", flush=True)
                folder = Path(settings.rasa_model or settings.root / "models")
                tasks = [asyncio.create_task(assistant.watch_models(folder))] if folder.is_dir() else []
                if leader:
                    tasks.append(asyncio.create_task(desk.sweep_forever()))
                    await desk.sweep()  # cases left unannounced before a restart
                await stop.wait()
                for task in tasks:
                    task.cancel()
                log.info("Stopping")
            await application.stop()
    finally:
        await assistant.close()
