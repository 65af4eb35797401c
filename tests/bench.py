"""`make bench`: Veiviser on Telegram against bare Rasa, same model, same run.

The bot runs as `python -m bot run` starts it against the fake Bot API on
loopback, twice: as one process on SQLite (the default) and as two workers
behind the front on PostgreSQL (WORKERS=2, the scale-out configuration).
Measured: time from an update becoming available to the reply's sendMessage,
for 1 user and for 50 concurrent users; the most messages per second it
sustains (50 people who write again as soon as they are answered) and the CPU
time each message costs; latency at the issue's target load (50 people
writing 30 messages/s between them, each at a steady pace); peak memory of the
bot's processes. Then the same messages through bare ``Agent.handle_text`` on
the same model in this process.
Timings are printed and written to docs/benchmarks.md by hand, never asserted.
"""

from __future__ import annotations

import asyncio
import os
import platform
import resource
import signal
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.cli import quiet_libraries
from bot.engine import ActionServer, latest_model, speed_up_rasa
from tests.botprocess import children
from tests.databases import fresh_postgres
from tests.fake_telegram import FakeBotAPI, message

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:AAH-bench_token_for_the_fake_bot_api_x"
MESSAGES = [
    "do I need to register for MVA", "hva er tilskudd til jobbskapingsprosjekter", "كيف ابدأ مشروع في النرويج",
    "sidee loo furaa ganacsi", "ዲግሪየይ ኣብ ኖርወይ ክፍለጥ ከመይ", "що таке ENK чи AS", "jak założyć firmę w Norwegii",
    "مالیات شرکت در نروژ چطور است", "thanks a lot", "can I keep dagpenger while starting a business",
]


TARGET_RATE = 30.0  # messages/s: Telegram's limit for one bot's outgoing messages, the target
PACED_SECONDS = 20.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def one_round_trip(api: FakeBotAPI, uid: int, text: str) -> float:
    since = len(api.calls)
    started = time.perf_counter()
    await api.push(message(uid, text, "en"))
    await api.replies(uid, 1, since, timeout=120)
    return time.perf_counter() - started


async def users(api: FakeBotAPI, count: int, per_user: int, first_uid: int) -> tuple[list[float], float]:
    async def person(uid: int) -> list[float]:
        return [await one_round_trip(api, uid, MESSAGES[(uid + i) % len(MESSAGES)]) for i in range(per_user)]

    started = time.perf_counter()
    results = await asyncio.gather(*(person(first_uid + i) for i in range(count)))
    wall = time.perf_counter() - started
    return [t for r in results for t in r], count * per_user / wall


async def paced(send: Callable[[int, str], Awaitable[float]], people: int, first_uid: int,
                rate: float = TARGET_RATE, seconds: float = PACED_SECONDS) -> tuple[list[float], float]:
    """``people`` write ``rate`` messages/s between them: each one every
    people/rate seconds, staggered, never before the previous answer (a
    person waits for it). Returns the latencies and the rate achieved."""
    loop = asyncio.get_running_loop()
    interval, turns = people / rate, round(seconds * rate / people)
    begin = loop.time()

    async def person(k: int) -> list[float]:
        uid, out = first_uid + k, []
        for i in range(turns):
            await asyncio.sleep(max(0.0, begin + (k / people + i) * interval - loop.time()))  # pacing, not waiting for the bot
            out.append(await send(uid, MESSAGES[(uid + i) % len(MESSAGES)]))
        return out

    results = await asyncio.gather(*(person(k) for k in range(people)))
    return [t for r in results for t in r], people * turns / (loop.time() - begin)


async def bare_rasa(model: Path, action_url: str, sqlite_file: Path | None = None) -> dict[str, float]:
    """Bare ``Agent.handle_text``: Rasa's in-memory tracker store, or Rasa's own
    SQL tracker store on an SQLite file (as Rasa configures it; Veiviser's
    adds a connection pool and serves a conversation from memory while the
    database agrees).
    Both render replies with Veiviser's NLG, so both produce the same texts
    (Rasa's template NLG would log an error with a traceback for every figure
    placeholder, slowing bare Rasa down for nothing)."""
    from rasa.core.agent import Agent
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.utils.endpoints import EndpointConfig

    from bot.content import Facts
    from bot.i18n.catalog import Catalogs
    from bot.nlg import BabelNaturalLanguageGenerator, ResponseTexts

    domain = Domain.load(str(ROOT / "domain.yml"))
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(sqlite_file)) if sqlite_file else None
    nlg = BabelNaturalLanguageGenerator(ResponseTexts(ROOT / "domain.yml"), Catalogs(ROOT / "locales"),
                                        Facts.load(ROOT / "content" / "facts.yml"))
    agent = Agent.load(str(model), generator=nlg, action_endpoint=EndpointConfig(url=action_url), tracker_store=store)
    for i in range(10):
        await agent.handle_text(MESSAGES[i % len(MESSAGES)], sender_id="warm")
    single = []
    for i in range(100):
        started = time.perf_counter()
        await agent.handle_text(MESSAGES[i % len(MESSAGES)], sender_id="bare-1")
        single.append(time.perf_counter() - started)

    async def person(uid: int) -> list[float]:
        out = []
        for i in range(10):
            started = time.perf_counter()
            await agent.handle_text(MESSAGES[(uid + i) % len(MESSAGES)], sender_id=f"bare-{uid}")
            out.append(time.perf_counter() - started)
        return out

    started, cpu = time.perf_counter(), time.process_time()
    many = [t for r in await asyncio.gather(*(person(100 + u) for u in range(50))) for t in r]
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu

    async def send(uid: int, text: str) -> float:
        started = time.perf_counter()
        await agent.handle_text(text, sender_id=f"bare-paced-{uid}")
        return time.perf_counter() - started

    cpu_before = time.process_time()
    at_target, achieved = await paced(send, 50, 2000)
    paced_cpu = (time.process_time() - cpu_before) / len(at_target)
    return {"median1": statistics.median(single), "p95_1": pct(single, 0.95), "median50": statistics.median(many),
            "p95_50": pct(many, 0.95), "throughput": 500 / wall, "cpu": cpu / 500, "paced_rate": achieved, "paced_cpu": paced_cpu,
            "paced_median": statistics.median(at_target), "paced_p95": pct(at_target, 0.95),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (the front's workers)."""
    return [pid, *(p for child in children(pid) for p in process_tree(child))]


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return total


async def through_telegram(model: Path, action_url: str, tmp: Path, workers: int, database_url: str,
                           tracker_store_url: str) -> dict[str, float]:
    """The bot as `python -m bot run` starts it, against the fake Bot API."""
    api = FakeBotAPI(TOKEN)
    await api.start()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url, "RASA_MODEL": str(model),
           "ACTION_SERVER_URL": action_url, "DATABASE_URL": database_url, "TRACKER_STORE_URL": tracker_store_url,
           "WORKERS": str(workers), "RASA_TELEMETRY_ENABLED": "false"}
    log = (tmp / f"bot-{workers}.log").open("wb")  # the bot's own log, for when a figure looks wrong
    profile = os.environ.get("BENCH_PROFILE")  # a file name: the bot runs under cProfile (figures then not comparable)
    under = ["-m", "cProfile", "-o", profile] if profile and workers == 1 else []
    bot = await asyncio.create_subprocess_exec(sys.executable, *under, "-m", "bot", "run", cwd=ROOT, env=env,
                                               stdout=log, stderr=asyncio.subprocess.STDOUT)
    await api.wait_for(lambda calls: any(c.method == "getUpdates" for c in calls), timeout=900)
    try:
        for i in range(10):  # warm-up
            await one_round_trip(api, 1, MESSAGES[i])
        single = [await one_round_trip(api, 2, MESSAGES[i % len(MESSAGES)]) for i in range(100)]
        processes = process_tree(bot.pid)
        cpu_before = cpu_seconds(processes)
        many, throughput = await users(api, 50, 10, 1000)
        cpu = (cpu_seconds(processes) - cpu_before) / 500
        cpu_before = cpu_seconds(processes)
        at_target, achieved = await paced(lambda uid, text: one_round_trip(api, uid, text), 50, 2000)
        paced_cpu = (cpu_seconds(processes) - cpu_before) / len(at_target)
        peak = sum(peak_rss_mb(pid) for pid in processes)
    finally:
        bot.send_signal(signal.SIGTERM)
        await bot.wait()
        log.close()
        await api.stop()
    return {"median1": statistics.median(single), "p95_1": pct(single, 0.95), "median50": statistics.median(many),
            "p95_50": pct(many, 0.95), "throughput": throughput, "cpu": cpu, "paced_rate": achieved, "paced_cpu": paced_cpu,
            "paced_median": statistics.median(at_target), "paced_p95": pct(at_target, 0.95), "peak_mb": peak}


async def telegram_floor() -> dict[str, float]:
    """One person through an echo bot (tests/echo_bot.py): what Telegram's
    round trips cost any bot here, before Rasa or a database."""
    api = FakeBotAPI(TOKEN)
    await api.start()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url}
    echo = await asyncio.create_subprocess_exec(sys.executable, "-m", "tests.echo_bot", cwd=ROOT, env=env,
                                                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    await api.wait_for(lambda calls: any(c.method == "getUpdates" for c in calls), timeout=120)
    try:
        for i in range(10):  # warm-up
            await one_round_trip(api, 1, MESSAGES[i])
        single = [await one_round_trip(api, 2, MESSAGES[i % len(MESSAGES)]) for i in range(100)]
    finally:
        echo.send_signal(signal.SIGINT)
        await echo.wait()
        await api.stop()
    return {"median1": statistics.median(single), "p95_1": pct(single, 0.95)}


async def main() -> int:
    quiet_libraries()  # as in the bot's process: Rasa's debug logging would slow bare Rasa down
    model = latest_model(ROOT / "models")
    actions = ActionServer(0, ROOT)
    await actions.start()
    tmp = ROOT / "var" / "bench"
    tmp.mkdir(parents=True, exist_ok=True)
    for stale in tmp.glob("*.db"):
        stale.unlink()
    ours = await through_telegram(model, actions.url, tmp, 1, f"sqlite:///{tmp / 'veiviser.db'}",
                                  f"sqlite:///{tmp / 'rasa.db'}")
    with fresh_postgres("veiviser_bench") as url:
        scaled = await through_telegram(model, actions.url, tmp, 2, url, url)
    floor = await telegram_floor()
    speed_up_rasa()  # bare Rasa gets Veiviser's fix to Rasa too: the ratios are the cost of Veiviser's own layer
    bare = await bare_rasa(model, actions.url)
    bare_sql = await bare_rasa(model, actions.url, tmp / "bare-rasa.db")
    actions.stop()

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.0f} ms"

    def rate(value: float) -> str:
        return f"{value:.1f}"

    measures = [
        ("1 user: median", "median1", ms),
        ("1 user: p95", "p95_1", ms),
        ("50 users: median", "median50", ms),
        ("50 users: p95", "p95_50", ms),
        ("50 users: messages/s", "throughput", rate),
        ("50 users: CPU per message (all bot processes)", "cpu", ms),
        (f"{TARGET_RATE:.0f} msg/s offered by 50 users: achieved", "paced_rate", rate),
        (f"{TARGET_RATE:.0f} msg/s offered: median", "paced_median", ms),
        (f"{TARGET_RATE:.0f} msg/s offered: p95", "paced_p95", ms),
        (f"{TARGET_RATE:.0f} msg/s offered: CPU per message", "paced_cpu", ms),
        ("peak memory (RSS)", "peak_mb", lambda v: f"{v:.0f} MB"),
    ]
    print(f"Model {model.name}; {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("| measure | Veiviser, 1 process (SQLite) | Veiviser, 2 workers (PostgreSQL) | bare Rasa, in-memory tracker "
          "| ratio | bare Rasa, Rasa's SQLite tracker store | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, key, show in measures:
        def ratio(bare_value: float, key: str = key) -> str:
            return f"{bare_value / ours[key]:.2f}" if key in ("throughput", "paced_rate") else f"{ours[key] / bare_value:.2f}"
        print(f"| {name} | {show(ours[key])} | {show(scaled[key])} | {show(bare[key])} | {ratio(bare[key])} "
              f"| {show(bare_sql[key])} | {ratio(bare_sql[key])} |")
    print(f"Telegram's round trips alone (echo bot, 1 user): median {ms(floor['median1'])}, p95 {ms(floor['p95_1'])}; "
          f"Veiviser in 1 process less that: median {ms(ours['median1'] - floor['median1'])} "
          f"({(ours['median1'] - floor['median1']) / bare['median1']:.2f} of bare Rasa in memory)")
    print("(ratio: Veiviser in 1 process against bare Rasa; > 1 means Veiviser is slower or bigger. "
          "The bare runs share one process, so their peak RSS is cumulative. Veiviser sends at most 30 messages/s, "
          "Telegram's limit for a bot, so its messages/s cannot exceed about 30.)")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
