"""Content the actions read, loaded once per action-server process on first use."""

from __future__ import annotations

from functools import lru_cache

from bot.centres import Centres
from bot.geo import Gazetteer
from bot.paths import project_root


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer(project_root() / "content" / "places")


@lru_cache(maxsize=1)
def centres() -> Centres:
    return Centres.load(project_root() / "content" / "centres.yml")
