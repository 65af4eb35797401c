"""Settings: one table of name, default and help; read from the environment
(and an optional ``.env``-style file) by the command line, never at import."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields
from pathlib import Path

from bot.errors import ConfigurationError
from bot.paths import project_root

TOKEN_PATTERN = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")


@dataclass(frozen=True)
class Settings:
    """Every setting, its environment variable, default and meaning."""

    telegram_bot_token: str | None = None  # TELEGRAM_BOT_TOKEN: from @BotFather; unset = terminal chat
    telegram_api_base_url: str = "https://api.telegram.org/bot"  # TELEGRAM_API_BASE_URL: Bot API server (ends in /bot)
    database_url: str = ""  # DATABASE_URL: SQLAlchemy URL; default SQLite in var/veiviser.db
    tracker_store_url: str = ""  # TRACKER_STORE_URL: Rasa's tracker store; default SQLite in var/rasa.db
    rasa_model: str = ""  # RASA_MODEL: model file or folder; default the newest in models/
    action_server_url: str = ""  # ACTION_SERVER_URL: an action server already running; default start one
    action_server_port: int = 5055  # ACTION_SERVER_PORT: port of the action server we start
    default_language: str = "en"  # DEFAULT_LANGUAGE: language before the user chooses one
    telegram_webhook_url: str = ""  # TELEGRAM_WEBHOOK_URL: public https URL; unset = long polling
    telegram_webhook_listen: str = "127.0.0.1"  # TELEGRAM_WEBHOOK_LISTEN: address the webhook server binds
    telegram_webhook_port: int = 8443  # TELEGRAM_WEBHOOK_PORT: port the webhook server binds
    telegram_webhook_path: str = "telegram"  # TELEGRAM_WEBHOOK_PATH: URL path of the webhook
    telegram_webhook_secret: str = ""  # TELEGRAM_WEBHOOK_SECRET: checked on every webhook call
    staff_chats: str = ""  # STAFF_CHATS: comma-separated chat ids of staff groups (also registered in the database)
    admin_ids: str = ""  # ADMIN_IDS: comma-separated Telegram user ids allowed to register staff groups and staff
    office_hours: str = "mon-fri 08:00-15:30"  # OFFICE_HOURS: default staff hours, Europe/Oslo, closed on public holidays
    handover_reannounce_seconds: int = 1800  # HANDOVER_REANNOUNCE_SECONDS: re-announce an untaken case after this long
    workers: int = 1  # WORKERS: bot processes sharing the chats on this machine (use PostgreSQL for both databases when > 1)
    handover_sweep_seconds: int = 60  # HANDOVER_SWEEP_SECONDS: how often waiting cases are looked at

    @property
    def root(self) -> Path:
        return project_root()

    @property
    def telegram_file_base_url(self) -> str:
        """Where the Bot API server serves files (beside ``.../bot``)."""
        return self.telegram_api_base_url.removesuffix("/bot") + "/file/bot"

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.root / 'var' / 'veiviser.db'}"

    def resolved_tracker_store_url(self) -> str:
        return self.tracker_store_url or f"sqlite:///{self.root / 'var' / 'rasa.db'}"

    def require_token(self) -> str:
        token = self.telegram_bot_token
        if not token:
            raise ConfigurationError("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather).")
        if not TOKEN_PATTERN.match(token):
            raise ConfigurationError(
                "TELEGRAM_BOT_TOKEN is malformed: expected '<digits>:<35 letters, digits, - or _>'."
            )
        return token

    def require_webhook_secret(self) -> str:
        secret = self.telegram_webhook_secret
        if not secret or not SECRET_PATTERN.match(secret):
            raise ConfigurationError(
                "TELEGRAM_WEBHOOK_SECRET must be set in webhook mode: 16-256 letters, digits, - or _."
            )
        return secret

    def check_telegram(self) -> None:
        """Everything the Telegram bot needs, checked before anything starts."""
        self.require_token()
        if self.telegram_webhook_url:
            self.require_webhook_secret()
        if self.workers < 1:
            raise ConfigurationError(f"WORKERS must be 1 or more, got {self.workers}.")

    def admin_user_ids(self) -> frozenset[int]:
        try:
            return frozenset(int(part) for part in self.admin_ids.split(",") if part.strip())
        except ValueError as exc:
            raise ConfigurationError("ADMIN_IDS must be comma-separated Telegram user ids (integers)") from exc

    def staff_chat_ids(self) -> frozenset[int]:
        try:
            return frozenset(int(part) for part in self.staff_chats.split(",") if part.strip())
        except ValueError as exc:
            raise ConfigurationError("STAFF_CHATS must be comma-separated chat ids (integers)") from exc


SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,256}$")


def load_settings(environ: dict[str, str] | None = None, env_file: Path | None = None) -> Settings:
    """Settings from an optional KEY=VALUE file, overridden by the environment."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.exists():
        for line in env_file.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, _, value = line.partition("=")
                values[key.strip()] = value.strip().strip("'\"")
    values.update(environ if environ is not None else os.environ)
    kwargs: dict[str, object] = {}
    for field in fields(Settings):
        raw = values.get(field.name.upper())
        if raw is None or raw == "":
            continue
        if field.type in ("int", int):
            try:
                kwargs[field.name] = int(raw)
            except ValueError as exc:
                raise ConfigurationError(f"{field.name.upper()} must be a whole number, got {raw!r}") from exc
        else:
            kwargs[field.name] = raw
    return Settings(**kwargs)  # type: ignore[arg-type]
