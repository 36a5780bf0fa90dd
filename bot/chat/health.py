"""Liveness heartbeat: the running bot touches a file, `directive-bot health` reads its age.

Why a file: the container's health check runs in a separate process, and "SQLite opens" says
nothing about whether the bot's event loop is still alive. The bot writes the current time every
30 s from a job on its own loop, so a hung or dead loop makes the heartbeat go stale.
The write is atomic (temporary file + rename), so a reader never sees half a number.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

HEARTBEAT_NAME = ".heartbeat"
BEAT_INTERVAL_S = 30.0  # how often the running bot calls beat()
# Three missed beats before the bot counts as unhealthy: one slow beat is not an outage.
DEFAULT_MAX_AGE_S = 3 * BEAT_INTERVAL_S


def heartbeat_path(data_dir: Path) -> Path:
    return Path(data_dir) / HEARTBEAT_NAME


def beat(data_dir: Path, now: float | None = None) -> None:
    """Record `now` (default: the current Unix time) as the bot's last sign of life."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.time() if now is None else now
    fd, tmp = tempfile.mkstemp(prefix=HEARTBEAT_NAME, suffix=".tmp", dir=data_dir)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(f"{stamp:.3f}\n")
        os.replace(tmp, heartbeat_path(data_dir))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def last_beat(data_dir: Path) -> float | None:
    """Unix time of the last beat, or None when there is none (or it cannot be read)."""
    try:
        return float(heartbeat_path(data_dir).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def age(data_dir: Path, now: float | None = None) -> float | None:
    """Seconds since the last beat, or None when the bot has not beaten yet."""
    stamp = last_beat(data_dir)
    if stamp is None:
        return None
    return (time.time() if now is None else now) - stamp


def check(data_dir: Path, max_age_s: float, now: float | None = None) -> tuple[bool, str]:
    """(healthy, one English line saying why) for a bot whose beats must be at most `max_age_s` old."""
    seconds = age(data_dir, now)
    if seconds is None:
        return False, f"no heartbeat yet in {heartbeat_path(data_dir)} (is `directive-bot run` running?)"
    if seconds > max_age_s:
        return False, (f"heartbeat stale by {seconds - max_age_s:.0f} s (last beat {seconds:.0f} s ago, "
                       f"allowed {max_age_s:.0f} s)")
    return True, f"ok: last heartbeat {seconds:.0f} s ago"
