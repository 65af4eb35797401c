"""Shared fixtures: one fast model per session (cached on disk by the hash of
its inputs), one action server, one Assistant on a throw-away database."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.engine import Assistant
from bot.training import fingerprint, train

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


POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this session (PostgreSQL runs on every
    machine and in CI), dropped at the end."""
    import psycopg2
    from sqlalchemy.engine import make_url

    name = f"veiviser_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(POSTGRES)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = make_url(POSTGRES).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


from tests.botprocess import telegram  # noqa: E402,F401  (the shared bot process)
