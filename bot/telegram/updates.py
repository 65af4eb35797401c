"""Receiving updates from Telegram, and stopping on a signal: shared by the
bot in one process (app.py) and the front of several workers (workers.py),
which must not load Rasa."""

from __future__ import annotations

import asyncio
import logging
import signal

from telegram import Update
from telegram.ext import Updater

from bot.config import Settings

log = logging.getLogger(__name__)


async def receive_updates(updater: Updater, settings: Settings) -> None:
    """By webhook when TELEGRAM_WEBHOOK_URL is set, else by long polling."""
    if settings.telegram_webhook_url:
        await updater.start_webhook(
            listen=settings.telegram_webhook_listen,
            port=settings.telegram_webhook_port,
            url_path=settings.telegram_webhook_path,
            webhook_url=settings.telegram_webhook_url,
            secret_token=settings.require_webhook_secret(),
            allowed_updates=Update.ALL_TYPES,
        )
        log.info("Serving Telegram by webhook on port %d", settings.telegram_webhook_port)
    else:
        await updater.start_polling(allowed_updates=Update.ALL_TYPES, timeout=10)
        log.info("Serving Telegram by long polling")


def stop_on_signals() -> asyncio.Event:
    """An event set by Ctrl-C or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop
