"""Child processes Veiviser starts (the action server, bot workers). Light:
the front of several workers imports this without loading Rasa."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

from bot.errors import VeiviserError


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def die_with_parent() -> None:
    """In the child: ask Linux to end it when Veiviser's process ends."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class ActionServer:
    """The Rasa SDK action server as a child process on a local port."""

    def __init__(self, port: int, root: Path) -> None:
        self.port = port
        self.root = root
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    async def start(self, timeout: float = 120.0) -> None:
        if self.port == 0:
            self.port = free_port()
        env = {**os.environ, "VEIVISER_HOME": str(self.root), "RASA_TELEMETRY_ENABLED": "false"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "rasa_sdk", "--actions", "bot.actions", "--port", str(self.port)],
            cwd=self.root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
            start_new_session=True,  # Ctrl-C reaches Veiviser only: it stops the action server last
        )
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise VeiviserError(f"The action server exited with status {self.process.returncode}.")
                try:
                    async with http.get(f"http://127.0.0.1:{self.port}/health") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        raise VeiviserError(f"The action server did not answer on port {self.port} within {timeout:.0f} s.")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None
