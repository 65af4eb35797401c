"""Shared fixtures: one fast model per session (cached on disk by the hash of
its inputs), one action server, one Assistant on a throw-away database."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.engine import Assistant
from bot.training import TRAINING_DATA, train

ROOT = Path(__file__).resolve().parent.parent
FAST_CONFIG = ROOT / "tests" / "config-fast.yml"
CACHE = ROOT / ".cache" / "test-models"

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


def _fingerprint() -> str:
    """Hash of everything the model depends on: config, domain, data, our NLU code."""
    digest = hashlib.sha256()
    files = [FAST_CONFIG, ROOT / "domain.yml"]
    for name in TRAINING_DATA:
        files += sorted((ROOT / name).rglob("*.yml"))
    files += sorted((ROOT / "bot" / "nlu").glob("*.py"))
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def fast_model() -> Path:
    """The fast test model, trained at most once per change of its inputs."""
    name = f"fast-{_fingerprint()}"
    cached = CACHE / f"{name}.tar.gz"
    if cached.exists():
        return cached
    for stale in CACHE.glob("fast-*.tar.gz"):
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
