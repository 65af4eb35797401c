"""Scale-out on one machine: `python -m bot run` with WORKERS=2 (a front and two
bot workers) on PostgreSQL, against the fake Bot API. Each chat stays with one
worker; a worker that dies is started again and the message sent meanwhile
is answered, in the person's language, continuing their conversation; Ctrl-C
stops them all."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.engine import Assistant
from bot.processes import free_port
from tests.botprocess import TOKEN, BotProcess, Person, children
from tests.databases import fresh_postgres
from tests.fake_telegram import FakeBotAPI, message, press


def command_line(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")


def workers_of(front: int) -> dict[int, int]:
    """Worker index -> pid, from the front's child processes."""
    found = {}
    for pid in children(front):
        line = command_line(pid)
        if "worker" in line:
            found[int(line[line.index("--index") + 1])] = pid
    return found


@pytest.fixture
async def two_workers(fast_model: Path, tmp_path: Path) -> AsyncIterator[tuple[FakeBotAPI, BotProcess]]:
    api = FakeBotAPI(TOKEN)
    await api.start()
    with fresh_postgres() as url:
        env = {
            **os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url, "RASA_MODEL": str(fast_model),
            "DATABASE_URL": url, "TRACKER_STORE_URL": url, "WORKERS": "2",
            "ACTION_SERVER_PORT": str(free_port()),  # the front starts the action server, as `make run` does
        }
        bot = BotProcess(env, api, tmp_path / "bot.log")
        await bot.start()
        assert bot.process is not None
        front = bot.process.pid
        yield api, bot
        left = list(workers_of(front).values())
        assert left and await bot.stop(ctrl_c=True) == 0  # Ctrl-C: the front stops its workers in order
        assert not any(Path(f"/proc/{pid}").exists() for pid in left)
        assert bot.log.read_text().count("starting it again") == 1  # the crash in the test; none on Ctrl-C
    await api.stop()


async def test_two_workers_share_the_chats_and_survive_a_crash(two_workers: tuple[FakeBotAPI, BotProcess], assistant: Assistant) -> None:
    api, bot = two_workers
    assert bot.process is not None
    workers = workers_of(bot.process.pid)
    assert sorted(workers) == [0, 1]
    assert "tensorflow" not in Path(f"/proc/{bot.process.pid}/maps").read_text()  # the front stays light; workers load Rasa
    first, second = Person(api, assistant, "ar"), Person(api, assistant, "ti")
    people = {p.id % 2: p for p in (first, second)}  # consecutive ids: one chat on each worker
    assert sorted(people) == [0, 1]

    for person, lang in ((people[0], "ar"), (people[1], "ti")):
        await person.say("/start")
        changed, privacy = await person.press(f"lang:{lang}", count=2)
        person.expect(privacy, "utter_privacy", lang)
        await person.press(person.buttons(privacy)[0][1])
    grant = {"ar": "شو هي منحة NAV لخلق الوظائف", "ti": "NAV jobbskaping ሓገዝ እንታይ እዩ"}
    answers = await asyncio.gather(people[0].say(grant["ar"]), people[1].say(grant["ti"]))  # at the same time
    people[0].expect(answers[0][0], "utter_job_creation_grant", "ar")
    people[1].expect(answers[1][0], "utter_job_creation_grant", "ti")

    crashed = workers[1]
    os.kill(crashed, signal.SIGKILL)
    since = len(api.calls)
    await api.push(press(people[1].id, people[1].buttons(answers[1][0])[0][1]))  # while worker 1 is down
    await api.push(message(people[0].id, grant["ar"], "ar"))  # worker 0 answers meanwhile
    (other,) = [c.params for c in await api.replies(people[0].id, 1, since)]
    people[0].expect(other, "utter_job_creation_grant", "ar")
    (asked,) = [c.params for c in await api.replies(people[1].id, 1, since, timeout=600)]
    people[1].expect(asked, "utter_grant_eligibility_ask", "ti")  # the dialogue went on where it was
    restarted = workers_of(bot.process.pid)
    assert restarted[0] == workers[0] and restarted[1] != crashed
    assert len(api.sent(people[1].id, since)) == 1  # answered once
