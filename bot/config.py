"""The bot's settings: the data settings of knowledge/config.py plus Telegram, admins and reminder times.

Kept out of knowledge/ because only the bot talks to Telegram; read from the environment in one
place (every variable is documented in the README).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from bot.state import BotState
from knowledge.config import ConfigError, DataSettings, data_fields, env_int

__all__ = ["ConfigError", "Settings", "load_settings"]


@dataclass(frozen=True)
class Settings(DataSettings):
    telegram_token: str = ""
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str = "https://api.telegram.org/file/bot"
    webhook_url: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    admin_ids: frozenset[int] = field(default_factory=frozenset)
    reminder_time: time = time(7, 30)
    compact_time: time = time(2, 30)  # nightly fold of the index's delta segment into its base
    questions_per_minute: int = 20
    # Deadlines marked needs_review are reminded only once an admin confirmed or corrected them; 1 reminds all.
    remind_unreviewed: bool = False
    # BOT_INSTANCE: this front end's name among several sharing one database (its own upload in progress).
    instance: str = ""
    # BOT_SYNC_SECONDS: how often a front end on a shared database looks for directives another one stored.
    sync_seconds: int = 60

    @property
    def state_path(self) -> Path:
        """The bot's own tables (subscriptions, reminder log, button texts), apart from the facts."""
        return self.data_dir / "bot_state.sqlite"

    def open_state(self) -> BotState:
        if self.database_url:
            return BotState(self.database_url)
        return BotState(self.state_path, legacy=self.db_path)


def _clock(name: str, default: str) -> time:
    raw = os.environ.get(name, default).strip()
    try:
        return time.fromisoformat(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be HH:MM, got {raw!r}") from exc


def load_settings() -> Settings:
    """Build Settings from the environment; raises ConfigError with an operator-facing message."""
    admin_raw = os.environ.get("BOT_ADMIN_IDS", "")
    try:
        admins = frozenset(int(x) for x in admin_raw.replace(" ", "").split(",") if x)
    except ValueError as exc:
        raise ConfigError(f"BOT_ADMIN_IDS must be comma-separated Telegram user ids, got {admin_raw!r}") from exc
    return Settings(
        **data_fields(),  # type: ignore[arg-type]
        telegram_token=os.environ.get("TELEGRAM_BOT_TOKEN", "").strip(),
        telegram_api_base_url=os.environ.get("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot"),
        telegram_api_file_url=os.environ.get("TELEGRAM_API_FILE_URL", "https://api.telegram.org/file/bot"),
        webhook_url=os.environ.get("BOT_WEBHOOK_URL", "").strip(),
        webhook_listen=os.environ.get("BOT_WEBHOOK_LISTEN", "0.0.0.0"),
        webhook_port=env_int("BOT_WEBHOOK_PORT", 8443),
        admin_ids=admins,
        reminder_time=_clock("BOT_REMINDER_TIME", "07:30"),
        compact_time=_clock("BOT_COMPACT_TIME", "02:30"),
        questions_per_minute=env_int("BOT_QUESTIONS_PER_MINUTE", 20),
        remind_unreviewed=_flag("BOT_REMIND_UNREVIEWED"),
        instance=os.environ.get("BOT_INSTANCE", "").strip() or socket.gethostname(),
        sync_seconds=env_int("BOT_SYNC_SECONDS", 60),
    )


def _flag(name: str) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw not in ("", "0", "1", "true", "false", "yes", "no"):
        raise ConfigError(f"{name} must be 1 or 0, got {raw!r}")
    return raw in ("1", "true", "yes")
