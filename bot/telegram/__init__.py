"""Veiviser on Telegram (python-telegram-bot 22)."""

from bot.telegram.app import build_application, serve

__all__ = ["build_application", "serve"]
