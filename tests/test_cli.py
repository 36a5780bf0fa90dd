"""The `directive-bot` command line, run as a real process on a temporary data directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from icalendar import Calendar

from tests.conftest_shared import CORPUS, EXAMPLES, needs_shared

ROOT = Path(__file__).resolve().parents[1]


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BOT_DATA_DIR": str(tmp_path / "data"), "BOT_TODAY": "2026-11-25"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


@needs_shared
def test_extract_json_has_the_gold_shape(tmp_path: Path) -> None:
    out = _run(tmp_path, "extract", str(CORPUS / "thai-nguyen-2024-cv-804-ctmtqg.txt"), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["number"] == "804/UBND-CNN&XD" and data["issued_date"] == "2024-02-13"
    assert {"agencies", "cooperating", "due", "relation", "task", "quote", "section"} <= set(data["deadlines"][0])
    assert {"every": "month", "day": 23} in [d["due"] for d in data["deadlines"]]
    assert not (tmp_path / "data" / "facts.sqlite").exists()


def test_ingest_deadlines_ics_and_errors(tmp_path: Path) -> None:
    bad = tmp_path / "rong.txt"
    bad.write_bytes(b"")
    out = _run(tmp_path, "ingest", str(EXAMPLES), str(bad))
    assert out.returncode == 1
    assert "rong.txt: rejected: the file is empty" in out.stderr
    summaries = [ln for ln in out.stdout.splitlines() if not ln.startswith("  review:")]
    assert len(summaries) == 3 and "son-ha-2026-cv-1234-ctmtqg: Công văn 1234/UBND-KT" in out.stdout
    assert "  review: limit relative to an event (no reminder):" in out.stdout
    ics = tmp_path / "han.ics"
    out = _run(tmp_path, "deadlines", "--to", "2027-03-31", "--agency", "so tai chinh", "--ics", str(ics))
    assert out.returncode == 0, out.stderr
    assert "Sở Tài chính" in out.stdout and "20/12/2026" in out.stdout
    cal = Calendar.from_ical(ics.read_bytes())
    events = [c for c in cal.walk("VEVENT")]
    assert events and any(e.get("rrule") for e in events)
    again = _run(tmp_path, "ingest", str(EXAMPLES))
    assert again.returncode == 0 and "(unchanged)" in again.stdout
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": "a", "q": "Sở Tài chính Sơn Hà phải làm gì?"}\n{"id": "b", "q": "kho bac nha nuoc"}\n',
                     encoding="utf-8")
    out = _run(tmp_path, "search", "--batch", str(batch), "-k", "3", "--json")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [x["id"] for x in lines] == ["a", "b"]
    assert all(len(x["results"]) == 3 and set(x["results"][0]) == {"doc_id", "section", "text", "score"}
               for x in lines)
    asked = _run(tmp_path, "ask", "Sở Tài chính Sơn Hà phải hoàn thành việc gì trước ngày 20/12/2026?", "--json")
    answer = json.loads(asked.stdout)
    assert answer["found"] and "20/12/2026" in answer["answer"]
    assert set(answer) == {"id", "question", "intent", "found", "answer", "citations", "facts"}


def test_run_without_token_is_one_line(tmp_path: Path) -> None:
    out = _run(tmp_path, "run")
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "TELEGRAM_BOT_TOKEN" in out.stderr and "Traceback" not in out.stderr


def test_reindex_compact_folds_an_upload_into_the_base(tmp_path: Path) -> None:
    *first, last = sorted(EXAMPLES.glob("*.txt"))
    assert _run(tmp_path, "ingest", *map(str, first)).returncode == 0
    assert _run(tmp_path, "ingest", str(last)).returncode == 0  # into the delta segment
    assert (tmp_path / "data" / "index" / "builds").is_dir()
    out = _run(tmp_path, "reindex", "--compact")
    assert out.returncode == 0, out.stderr
    folded = json.loads(out.stdout)
    assert folded["documents"] == 3 and folded["delta"] == 0 and folded["embedded"] == 0
    again = _run(tmp_path, "reindex", "--compact")
    assert again.returncode == 0 and json.loads(again.stdout) == {"compacted": False}
    ask = _run(tmp_path, "ask", "Sở Tài chính phải báo cáo giải ngân trước ngày nào?")
    assert ask.returncode == 0 and "Sở Tài chính" in ask.stdout
