"""Scale-out on one machine (architecture §5): WORKERS bot processes behind a front.

The front is the only process that talks to Telegram for updates: it receives
them (long polling, or Telegram's webhook with its secret) and hands every
update of a chat to the same worker, over that worker's local webhook with a
secret of the run. Each worker is a whole Veiviser (Rasa in process, the
handlers, the desk) serving its share of the chats and sending its replies
itself. One chat, one worker: a person's messages stay in order, and their
conversation stays in that worker's memory between messages. What the workers
share (people, cases, processed updates, Rasa's trackers) is in the databases,
so with several workers DATABASE_URL and TRACKER_STORE_URL should name
PostgreSQL (SQLite works, one writer at a time).

The front never loses an update it has taken from Telegram: it keeps each
worker's updates in order and retries until the worker has taken them; a
worker that dies is started again. On Ctrl-C or SIGTERM it stops taking
updates, lets the workers take what it holds, and stops them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from telegram import Bot, Update
from telegram.ext import Application, Updater

from bot.config import Settings
from bot.errors import VeiviserError
from bot.processes import ActionServer, die_with_parent, free_port
from bot.telegram.request import RetryingRequest
from bot.telegram.updates import receive_updates, stop_on_signals

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Veiviser-Worker-Secret"
SECRET_VARIABLE = "VEIVISER_WORKER_SECRET"
START_TIMEOUT = 600.0  # seconds for a worker to load its model and answer
RETRY_DELAYS = (0.1, 0.5, 1.0, 2.0, 5.0)  # seconds between attempts to hand over an update


def chat_of(update: Update) -> int:
    """The key that keeps a conversation with one worker."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return 0


def worker_for(update: Update, workers: int) -> int:
    return chat_of(update) % workers


# -- a worker ------------------------------------------------------------------------------
@contextlib.asynccontextmanager
async def from_front(application: Application, port: int, secret: str) -> AsyncIterator[None]:
    """Updates from the front on 127.0.0.1:``port`` while inside: POST /update
    with the run's secret; GET /health answers once the worker serves."""

    async def take(request: web.Request) -> web.Response:
        if not secrets.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            return web.Response(status=403)
        update = Update.de_json(await request.json(), application.bot)
        await application.update_queue.put(update)
        return web.Response(text="ok")

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/update", take)
    app.router.add_get("/health", health)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield
    finally:
        await runner.cleanup()


async def serve_worker(settings: Settings, index: int, workers: int, port: int) -> None:
    """One worker (``python -m bot worker``, started by the front)."""
    from bot.engine import Assistant
    from bot.telegram.app import build_application, run_bot

    secret = os.environ.get(SECRET_VARIABLE, "")  # from the front, never on a command line
    if not secret:
        raise VeiviserError(f"{SECRET_VARIABLE} is not set: workers are started by `python -m bot run` with WORKERS > 1.")
    stop = stop_on_signals()
    assistant = await Assistant.create(settings)
    application = build_application(settings, assistant, workers=workers)
    await run_bot(application, assistant, settings, stop, from_front(application, port, secret), leader=index == 0)


# -- the front -----------------------------------------------------------------------------
@dataclass
class Worker:
    index: int
    port: int
    process: asyncio.subprocess.Process | None = None
    updates: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class Front:
    """Receives Telegram's updates and hands each chat's to its worker."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.secret = secrets.token_urlsafe(32)
        self.workers = [Worker(k, free_port()) for k in range(settings.workers)]
        self.stopping = False

    async def _prepare_databases(self) -> None:
        """Migrate and create the tables once, before workers start side by
        side (in a child process: the front itself never loads Rasa)."""
        migrate = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "migrate", cwd=self.settings.root)
        if await migrate.wait() != 0:
            raise VeiviserError(f"Preparing the databases failed (`python -m bot migrate` exited with {migrate.returncode}).")

    async def _start(self, worker: Worker, env: dict[str, str], http: aiohttp.ClientSession) -> None:
        worker.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "worker", "--index", str(worker.index),
            "--workers", str(len(self.workers)), "--port", str(worker.port),
            cwd=self.settings.root, env=env, preexec_fn=die_with_parent,
            start_new_session=True,  # Ctrl-C reaches the front only: it stops the workers in order
        )
        deadline = asyncio.get_running_loop().time() + START_TIMEOUT
        while asyncio.get_running_loop().time() < deadline:
            if worker.process.returncode is not None:
                raise VeiviserError(f"Worker {worker.index} exited with status {worker.process.returncode} while starting.")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"{worker.url}/health") as response:
                    if response.status == 200:
                        log.info("Worker %d of %d serving on port %d", worker.index, len(self.workers), worker.port)
                        return
            await asyncio.sleep(0.5)  # the worker is loading its model
        raise VeiviserError(f"Worker {worker.index} did not start within {START_TIMEOUT:.0f} s.")

    async def _keep(self, worker: Worker, env: dict[str, str], http: aiohttp.ClientSession) -> None:
        """Start the worker again when it dies (its updates wait in the front)."""
        while not self.stopping:
            assert worker.process is not None
            code = await worker.process.wait()
            if self.stopping:
                return
            log.error("Worker %d exited with status %d; starting it again", worker.index, code)
            try:
                await self._start(worker, env, http)
            except VeiviserError:
                log.exception("Worker %d could not be started again", worker.index)
                await asyncio.sleep(RETRY_DELAYS[-1])

    async def _hand_over(self, worker: Worker, http: aiohttp.ClientSession) -> None:
        """Give the worker its updates in order; retry until it has taken each."""
        while True:
            update = await worker.updates.get()
            attempt = 0
            while True:
                try:
                    async with http.post(f"{worker.url}/update", json=update,
                                         headers={SECRET_HEADER: self.secret}) as response:
                        if response.status == 200:
                            break
                        problem = f"status {response.status}"
                except aiohttp.ClientError as exc:
                    problem = type(exc).__name__
                delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)]
                log.warning("Worker %d did not take update %s (%s); again in %.1f s",
                            worker.index, update.get("update_id"), problem, delay)
                attempt += 1
                await asyncio.sleep(delay)
            worker.updates.task_done()

    async def _dispatch(self, queue: asyncio.Queue[object]) -> None:
        while True:
            update = await queue.get()
            if isinstance(update, Update):
                self.workers[worker_for(update, len(self.workers))].updates.put_nowait(update.to_dict())
            queue.task_done()

    async def run(self, stop: asyncio.Event) -> None:
        settings = self.settings
        token = settings.require_token()
        await self._prepare_databases()
        actions = None
        action_url = settings.action_server_url
        if not action_url:
            actions = ActionServer(settings.action_server_port, settings.root)
            await actions.start()
            action_url = actions.url
        env = {**os.environ, "ACTION_SERVER_URL": action_url, SECRET_VARIABLE: self.secret}
        bot = Bot(token, base_url=settings.telegram_api_base_url,
                  base_file_url=settings.telegram_file_base_url,
                  request=RetryingRequest(), get_updates_request=RetryingRequest(read_timeout=30.0))
        queue: asyncio.Queue[object] = asyncio.Queue()
        updater = Updater(bot, queue)
        tasks: list[asyncio.Task[None]] = []
        try:
            async with aiohttp.ClientSession() as http:
                await asyncio.gather(*(self._start(w, env, http) for w in self.workers))
                tasks += [asyncio.create_task(self._keep(w, env, http)) for w in self.workers]
                tasks += [asyncio.create_task(self._hand_over(w, http)) for w in self.workers]
                tasks.append(asyncio.create_task(self._dispatch(queue)))
                async with updater:
                    await receive_updates(updater, settings)
                    print(f"Veiviser is running with {len(self.workers)} workers. Stop with Ctrl-C.", flush=True)
                    await stop.wait()
                    log.info("Stopping")
                    await updater.stop()
                with contextlib.suppress(asyncio.TimeoutError):  # what the front holds goes to the workers first
                    await asyncio.wait_for(self._drain(queue), 60)
        finally:
            self.stopping = True
            for task in tasks:
                task.cancel()
            await self._stop_workers()
            if actions:
                actions.stop()

    async def _drain(self, queue: asyncio.Queue[object]) -> None:
        await queue.join()
        for worker in self.workers:
            await worker.updates.join()

    async def _stop_workers(self) -> None:
        running = [w.process for w in self.workers if w.process is not None and w.process.returncode is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        for process in running:
            try:
                await asyncio.wait_for(process.wait(), 60)
            except asyncio.TimeoutError:
                process.kill()


async def serve_front(settings: Settings) -> None:
    """`python -m bot run` with WORKERS > 1: the front and its workers until Ctrl-C or SIGTERM."""
    await Front(settings).run(stop_on_signals())
