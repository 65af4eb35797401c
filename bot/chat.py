"""Veiviser in a terminal: the same pipeline as on Telegram (NLU, policies,
custom actions, Babel NLG), for trying it out without a bot token.

Buttons are numbered: type the number to press one. /language changes the
language, /quit (or Ctrl-D) ends the chat.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.engine import Assistant, Button, Reply
from bot.languages import CODES, LANGUAGES

PROMPT = "> "


def _print_reply(reply: Reply, out: TextIO) -> list[Button]:
    out.write(f"Veiviser: {reply.text}\n")
    for number, button in enumerate(reply.buttons, start=1):
        out.write(f"  [{number}] {button.title}\n")
    out.flush()
    return reply.buttons


def _pick_language(inp: TextIO, out: TextIO) -> str | None:
    out.write("Velg språk / Choose your language:\n")
    for number, lang in enumerate(LANGUAGES.values(), start=1):
        out.write(f"  [{number}] {lang.native_name}\n")
    out.write(PROMPT)
    out.flush()
    line = inp.readline()
    if not line:
        return None
    choice = line.strip()
    if choice.isdigit() and 1 <= int(choice) <= len(CODES):
        return CODES[int(choice) - 1]
    return choice if choice in CODES else "en"


async def chat(assistant: Assistant, language: str | None, inp: TextIO = sys.stdin, out: TextIO = sys.stdout,
               sender_id: str = "terminal") -> None:
    loop = asyncio.get_running_loop()
    if language is None:
        language = await loop.run_in_executor(None, _pick_language, inp, out)
        if language is None:
            return
    assistant.set_language(sender_id, language, chosen=True)
    buttons = _print_reply(assistant.render("utter_greet", language), out)
    while True:
        out.write(PROMPT)
        out.flush()
        line = await loop.run_in_executor(None, inp.readline)
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        if text in ("/quit", "/exit"):
            break
        if text == "/language":
            text = "/change_language"
        if text.isdigit() and 1 <= int(text) <= len(buttons):
            text = buttons[int(text) - 1].payload
        buttons = []
        for reply in await assistant.handle(sender_id, text):
            buttons = _print_reply(reply, out) or buttons
    out.write("\n")
    out.flush()
