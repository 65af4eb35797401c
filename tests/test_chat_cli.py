"""The terminal chat, driven through stdin/stdout as a person would use it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.engine import Assistant
from tests.conftest import ROOT


def test_a_whole_conversation_in_the_terminal(assistant: Assistant, fast_model: Path, tmp_path: Path) -> None:
    assert assistant.action_server is not None
    env = {
        **os.environ,
        "RASA_MODEL": str(fast_model),
        "ACTION_SERVER_URL": assistant.action_server.url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'cli-rasa.db'}",
    }
    env.pop("TELEGRAM_BOT_TOKEN", None)
    typed = "\n".join(["7", "jak założyć firmę w Norwegii", "1", "dziękuję, to wszystko", "/quit"]) + "\n"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, input=typed, capture_output=True,
        text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "[7] Polski" in out and "[3] العربية" in out and "[5] ትግርኛ" in out
    expected = [
        assistant.render("utter_greet", "pl").text,
        assistant.render("utter_start_business", "pl").text,
        assistant.render("utter_business_structure", "pl").text,
    ]
    for text in expected:
        assert f"Veiviser: {text}" in out
    positions = [out.index(text) for text in expected]
    assert positions == sorted(positions)
    assert out.count("Veiviser: ") == 4
