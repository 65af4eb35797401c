"""The bot as its own process (`python -m bot run`, as `make run` starts it)
against the fake Bot API: one process shared by every end-to-end test of the
session. Its own data is in a fresh PostgreSQL database (the scale-out
configuration); Rasa's tracker store in SQLite."""

from __future__ import annotations

import asyncio
import html
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.engine import Assistant
from tests.fake_telegram import FakeBotAPI, message, press

ROOT = Path(__file__).resolve().parent.parent

ADMIN_ID = 4242  # may register staff groups (ADMIN_IDS)

TOKEN = "123456789:AAH-test_token_for_the_fake_bot_api_x"


def children(pid: int) -> list[int]:
    """The process's child processes (a front's workers, the action server)."""
    return [int(c) for task in Path(f"/proc/{pid}/task").glob("*/children") for c in task.read_text().split()]


@dataclass
class BotProcess:
    env: dict[str, str]
    api: FakeBotAPI
    log: Path
    process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        since = len(self.api.calls)
        with self.log.open("a") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=ROOT, env=self.env,
                stdout=log, stderr=log, start_new_session=True,  # its own process group, as in a terminal
            )
        await self.api.wait_for(lambda calls: any(c.method == "getUpdates" for c in calls[since:]), timeout=300)

    async def stop(self, ctrl_c: bool = False) -> int:
        """SIGTERM to the bot, or ``ctrl_c``: SIGINT to its whole process group,
        as a terminal sends it."""
        assert self.process is not None
        if ctrl_c:
            os.killpg(self.process.pid, signal.SIGINT)
        else:
            self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), 60)
        self.process = None
        return code


@pytest.fixture(scope="session")
async def telegram(assistant: Assistant, fast_model: Path, tmp_path_factory: pytest.TempPathFactory, postgres_url: str) -> AsyncIterator[tuple[FakeBotAPI, BotProcess]]:
    api = FakeBotAPI(TOKEN)
    await api.start()
    var = tmp_path_factory.mktemp("telegram")
    assert assistant.action_server is not None
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "RASA_MODEL": str(fast_model),
        "ACTION_SERVER_URL": assistant.action_server.url,
        "DATABASE_URL": postgres_url,
        "TRACKER_STORE_URL": f"sqlite:///{var / 'rasa.db'}",
        "STAFF_CHATS": "-100777",
        "ADMIN_IDS": str(ADMIN_ID),
        "OFFICE_HOURS": "always",
        "HANDOVER_REANNOUNCE_SECONDS": "8",
        "HANDOVER_SWEEP_SECONDS": "1",
        "WORKERS": os.environ.get("VEIVISER_TEST_WORKERS", "1"),  # 2: every end-to-end test against the front and two workers
    }
    bot = BotProcess(env, api, var / "bot.log")
    await bot.start()
    yield api, bot
    assert await bot.stop() == 0
    await api.stop()


class Person:
    """A Telegram user talking to the bot through the fake server."""

    _next = 5000

    def __init__(self, api: FakeBotAPI, assistant: Assistant, language_code: str | None = None) -> None:
        Person._next += 1
        self.id = Person._next
        self.api = api
        self.assistant = assistant
        self.language_code = language_code

    async def send(self, update: dict[str, Any], count: int = 1) -> list[dict[str, Any]]:
        since = len(self.api.calls)
        await self.api.push(update)
        return [c.params for c in await self.api.replies(self.id, count, since)]

    async def say(self, text: str, count: int = 1) -> list[dict[str, Any]]:
        return await self.send(message(self.id, text, self.language_code), count)

    async def press(self, data: str, count: int = 1) -> list[dict[str, Any]]:
        return await self.send(press(self.id, data), count)

    @staticmethod
    def buttons(reply: dict[str, Any]) -> list[tuple[str, str]]:
        markup = reply.get("reply_markup") or {}
        return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row]

    def expect(self, reply: dict[str, Any], response: str, lang: str, **values: Any) -> None:
        rendered = self.assistant.render(response, lang, **values)
        assert reply["text"] == html.escape(rendered.text, quote=False)
        assert [t for t, _ in self.buttons(reply)] == [b.title for b in rendered.buttons]



async def until(condition: Any, timeout: float = 30.0) -> None:
    """Poll a condition the bot changes without telling the API (bounded)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.05)


