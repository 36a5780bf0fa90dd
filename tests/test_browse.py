"""`directive-bot browse`: the real Datasette process over an ingested store answers the canned queries."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.library import ingest_bytes
from bot.tracking.completions import DutyTracker
from tests.conftest_shared import EXAMPLES

pytest.importorskip("datasette")
ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get_json(url: str, until: float) -> list[dict]:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > until:
                raise
            time.sleep(0.3)


def test_browse_serves_the_canned_queries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("BOT_", "TELEGRAM_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path))
    settings = load_settings()
    for path in sorted(EXAMPLES.glob("*.txt")):
        ingest_bytes(settings, path.name, path.read_bytes(), index=False)
    DutyTracker(settings.open_state()).mark_done("example#abc@2026-12-15", date(2026, 12, 14), by_name="Lan")
    port = _free_port()
    env = {**os.environ, "BOT_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "browse", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        until = time.monotonic() + START_TIMEOUT_S
        overdue = _get_json(f"{base}/facts/overdue_by_agency.json?today=2026-12-20&_shape=array", until)
        agencies = {r["Cơ quan chủ trì"]: r["Số việc quá hạn"] for r in overdue}
        assert agencies.get("Sở Kế hoạch và Đầu tư", 0) >= 1 and all(n >= 1 for n in agencies.values())
        month = _get_json(f"{base}/facts/deadlines_this_month.json?today=2026-12-20&_shape=array", until)
        assert month and all(r["Hạn"].startswith("2026-12") for r in month)
        done = _get_json(f"{base}/bot_state/completions.json?_shape=array", until)
        assert [r["Người đánh dấu"] for r in done] == ["Lan"]
    finally:
        process.terminate()
        process.wait(timeout=10)
