"""Settings from the environment, and clear errors naming the variable."""

from __future__ import annotations

import pytest

from bot.config import Settings, load_settings
from bot.errors import ConfigurationError
from bot.languages import normalise_code


def test_defaults_and_overrides() -> None:
    settings = load_settings({"DATABASE_URL": "postgresql://127.0.0.1/test", "ACTION_SERVER_PORT": "6000"})
    assert settings.resolved_database_url() == "postgresql://127.0.0.1/test"
    assert settings.action_server_port == 6000
    assert Settings().resolved_database_url().endswith("var/veiviser.db")


def test_env_file_is_read_and_environment_wins(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = tmp_path / "veiviser.env"
    env.write_text("# comment\nDEFAULT_LANGUAGE=nb\nACTION_SERVER_PORT=7000\n")
    settings = load_settings({"ACTION_SERVER_PORT": "7100"}, env_file=env)
    assert (settings.default_language, settings.action_server_port) == ("nb", 7100)


@pytest.mark.parametrize("token", [None, "", "not-a-token", "123:short"])
def test_missing_or_malformed_token_names_the_variable(token: str | None) -> None:
    with pytest.raises(ConfigurationError, match="TELEGRAM_BOT_TOKEN"):
        Settings(telegram_bot_token=token).require_token()


def test_bad_number_names_the_variable() -> None:
    with pytest.raises(ConfigurationError, match="ACTION_SERVER_PORT"):
        load_settings({"ACTION_SERVER_PORT": "many"})


@pytest.mark.parametrize(("tag", "code"), [("nb-NO", "nb"), ("no", "nb"), ("ar-SY", "ar"), ("prs", "fa"), ("de", None), (None, None)])
def test_telegram_language_codes_map_to_ours(tag: str | None, code: str | None) -> None:
    assert normalise_code(tag) == code


def test_run_with_a_malformed_token_stops_before_starting_anything() -> None:
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "12345:not-a-real-token"}
    done = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is malformed" in done.stderr


def test_webhook_mode_without_a_secret_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="TELEGRAM_WEBHOOK_SECRET"):
        Settings(telegram_webhook_url="https://example.org/hook").require_webhook_secret()


@pytest.mark.parametrize("workers", ["0", "-1"])
def test_workers_below_one_are_refused(workers: str) -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": "123456789:AAH-test_token_for_the_fake_bot_api_x", "WORKERS": workers})
    with pytest.raises(ConfigurationError, match="WORKERS must be 1 or more"):
        settings.check_telegram()
