"""Replies as Telegram messages: HTML-escaped text, split under 4,096
characters at sentence boundaries, Rasa buttons as inline keyboards."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.engine import Button

LIMIT = 4096
_SENTENCE_END = re.compile(r"(?<=[.!?؟።।])\s+|\n")


def split_text(text: str, limit: int = LIMIT) -> list[str]:
    """Chunks of at most ``limit`` characters (after HTML escaping), cut after a
    sentence or line where possible, else at a space, else hard."""
    chunks: list[str] = []
    rest = text
    while len(html.escape(rest, quote=False)) > limit:
        window = rest[: limit]
        while len(html.escape(window, quote=False)) > limit:
            window = window[: int(len(window) * 0.9)]
        cuts = [m.end() for m in _SENTENCE_END.finditer(window)]
        cut = cuts[-1] if cuts and cuts[-1] > len(window) // 3 else window.rfind(" ") + 1 or len(window)
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest.strip():
        chunks.append(rest)
    return chunks


def escape(text: str) -> str:
    """Text for parse_mode HTML: links stay plain URLs, which Telegram links."""
    return html.escape(text, quote=False)


def keyboard(buttons: list[Button], key_for: Callable[[str], str]) -> InlineKeyboardMarkup | None:
    """One button per row (labels in eight languages vary a lot in length)."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.title, callback_data=f"p:{key_for(b.payload)}")] for b in buttons]
    )
