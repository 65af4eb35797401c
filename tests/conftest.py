"""Shared fixtures: one fast model per session (cached on disk by the hash of
its inputs), one action server, one Assistant on a throw-away database."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.engine import Assistant
from bot.training import fingerprint, train
from tests.databases import fresh_postgres

ROOT = Path(__file__).resolve().parent.parent
FAST_CONFIG = ROOT / "tests" / "config-fast.yml"
CACHE = ROOT / ".cache" / "test-models"

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


@pytest.fixture(scope="session")
def fast_model() -> Path:
    """The fast test model, trained at most once per change of its inputs."""
    name = f"fast-{fingerprint(ROOT, FAST_CONFIG)}"
    cached = CACHE / f"{name}.tar.gz"
    if cached.exists():
        return cached
    for stale in CACHE.glob("fast-*"):
        stale.unlink()
    return train(ROOT, FAST_CONFIG, CACHE, fixed_name=name)


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    var = tmp_path_factory.mktemp("var")
    return Settings(
        database_url=f"sqlite:///{var / 'veiviser.db'}",
        tracker_store_url=f"sqlite:///{var / 'rasa.db'}",
        action_server_port=0,
    )


@pytest.fixture(scope="session")
async def assistant(settings: Settings, fast_model: Path) -> AsyncIterator[Assistant]:
    """The whole dialogue pipeline, loaded once for the session."""
    assistant = await Assistant.create(settings, model=fast_model)
    yield assistant
    await assistant.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this session, dropped at the end."""
    with fresh_postgres() as url:
        yield url


from tests.botprocess import telegram  # noqa: E402,F401  (the shared bot process)
