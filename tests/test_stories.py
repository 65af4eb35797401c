"""The multi-turn flows as Rasa test stories in three languages (nb, ar, ti),
evaluated on the session's model with Rasa's own story evaluation."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.test import test as evaluate_stories

from bot.engine import Assistant
from tests.conftest import ROOT

STORY_FILES = sorted((ROOT / "tests" / "stories").glob("test_*.yml"))


@pytest.mark.parametrize("stories", STORY_FILES, ids=lambda p: p.stem)
async def test_flows_predict_every_action(assistant: Assistant, stories: Path, tmp_path: Path) -> None:
    result = await evaluate_stories(
        str(stories), assistant.agent, out_directory=str(tmp_path), disable_plotting=True, errors=True
    )
    failed = (tmp_path / "failed_test_stories.yml").read_text(encoding="utf-8")
    assert "None of the test stories failed" in failed, failed
    assert result["accuracy"] == 1.0
