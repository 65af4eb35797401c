"""Wiring: one place builds the Application from explicit settings, registers
the handlers and commands, and owns start-up and shutdown."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

from telegram import BotCommand, Update
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

log = logging.getLogger(__name__)

COMMANDS = ("start", "language", "help", "human", "status", "privacy", "delete_me", "restart")


def build_application(settings: Settings, assistant: Assistant) -> Application:
    token = settings.require_token()
    desk = Desk.create(assistant, settings)
    handlers = Handlers(assistant, desk, settings.staff_chat_ids())

    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_base_url.removesuffix("/bot") + "/file/bot")
        .request(RetryingRequest(connection_pool_size=64, read_timeout=15.0))
        .get_updates_request(RetryingRequest(read_timeout=30.0))
        .rate_limiter(AIORateLimiter(max_retries=5))
        .concurrent_updates(PerChatUpdateProcessor(64))
        .build()
    )
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
    if settings.telegram_webhook_url:
        await application.updater.start_webhook(
            listen=settings.telegram_webhook_listen,
            port=settings.telegram_webhook_port,
            url_path=settings.telegram_webhook_path,
            webhook_url=settings.telegram_webhook_url,
            secret_token=settings.require_webhook_secret(),
            allowed_updates=Update.ALL_TYPES,
        )
        log.info("Serving Telegram by webhook on port %d", settings.telegram_webhook_port)
    else:
        await application.updater.start_polling(allowed_updates=Update.ALL_TYPES, timeout=10)
        log.info("Serving Telegram by long polling")


async def serve(settings: Settings) -> None:
    """Run the bot until Ctrl-C or SIGTERM, then stop everything cleanly."""
    settings.require_token()
    if settings.telegram_webhook_url:
        settings.require_webhook_secret()  # before anything starts
    assistant = await Assistant.create(settings)
    application = build_application(settings, assistant)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with application:
            await register_commands(application, assistant)
            await application.start()
            await start_updates(application, settings)
            print("Veiviser is running. Stop with Ctrl-C.", flush=True)
            folder = Path(settings.rasa_model or settings.root / "models")
            watcher = asyncio.create_task(assistant.watch_models(folder)) if folder.is_dir() else None
            sweeper = asyncio.create_task(application.bot_data["desk"].sweep_forever())
            await application.bot_data["desk"].sweep()  # cases left unannounced before a restart
            await stop.wait()
            sweeper.cancel()
            if watcher:
                watcher.cancel()
            log.info("Stopping")
            if application.updater is not None:
                await application.updater.stop()
            await application.stop()
    finally:
        await assistant.close()
