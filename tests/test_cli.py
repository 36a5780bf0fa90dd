"""The `directive-bot` command line, run as a real process on a temporary data directory."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time as time_module
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from bot import health
from bot.cli import build_parser, main, parse_date
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
    listed = _run(tmp_path, "deadlines", "--to", "31/3/2027", "--agency", "so tai chinh")
    assert listed.returncode == 0, listed.stderr
    assert "Sở Tài chính" in listed.stdout and "20/12/2026" in listed.stdout
    assert _run(tmp_path, "deadlines", "--to", "2027-03-31", "--agency", "so tai chinh").stdout == listed.stdout
    ics = tmp_path / "han.ics"
    out = _run(tmp_path, "deadlines", "--to", "31/03/2027", "--agency", "so tai chinh", "--ics", str(ics))
    assert out.returncode == 0, out.stderr
    cal = Calendar.from_ical(ics.read_bytes())
    events = [c for c in cal.walk("VEVENT")]
    assert out.stdout == f"wrote {len(events)} events to {ics} (deadlines from 25/11/2026 to 31/3/2027)\n"
    _assert_recurring_events_outlive_the_window(events)
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
    readable = _run(tmp_path, "search", "--batch", str(batch), "-k", "3")
    assert readable.returncode == 0, readable.stderr
    assert readable.stdout.startswith("# a: Sở Tài chính Sơn Hà phải làm gì?\n") and "\n\n# b: kho bac nha nuoc\n" in readable.stdout
    assert not any(line.startswith("{") for line in readable.stdout.splitlines())
    asked = _run(tmp_path, "ask", "Sở Tài chính Sơn Hà phải hoàn thành việc gì trước ngày 20/12/2026?", "--json")
    answer = json.loads(asked.stdout)
    assert answer["found"] and "20/12/2026" in answer["answer"]
    assert set(answer) == {"id", "question", "intent", "found", "answer", "citations", "facts"}
    questions = tmp_path / "ask.jsonl"
    questions.write_text('{"id": "x", "q": "Sở Tài chính Sơn Hà phải làm gì trong tháng 12/2026?", "today": "25/11/2026"}\n'
                         '{"id": "y", "q": "Sơn Hà có những hạn chót nào?"}\n', encoding="utf-8")
    as_json = _run(tmp_path, "ask", "--batch", str(questions), "--json")
    assert as_json.returncode == 0, as_json.stderr
    assert [json.loads(line)["id"] for line in as_json.stdout.splitlines()] == ["x", "y"]
    as_text = _run(tmp_path, "ask", "--batch", str(questions))
    assert as_text.returncode == 0, as_text.stderr
    assert as_text.stdout.startswith("# x: Sở Tài chính") and "\n\n# y: Sơn Hà" in as_text.stdout
    assert "20/12/2026" in as_text.stdout and not as_text.stdout.lstrip().startswith("{")
    broken = tmp_path / "data" / "facts.sqlite"
    broken.write_bytes(b"not a database, just bytes " * 100)
    for wal in broken.parent.glob("facts.sqlite-*"):
        wal.unlink()
    failed = _run(tmp_path, "deadlines")
    assert failed.returncode == 1 and failed.stderr.count("\n") == 1, failed.stderr
    assert failed.stderr.startswith("error: ") and "Traceback" not in failed.stderr
    debug = _run(tmp_path, "--debug", "deadlines")
    assert debug.returncode == 1 and "Traceback (most recent call last)" in debug.stderr


def _assert_recurring_events_outlive_the_window(events: list) -> None:
    """The .ics repeats a recurring duty for as long as the duty lasts, not only within the export window."""
    recurring = [e for e in events if e.get("rrule")]
    assert recurring
    for event in recurring:
        assert not {"UNTIL", "COUNT"} & set(event["rrule"])
        start = datetime.combine(event.decoded("DTSTART"), time())
        rule = rrulestr(event["rrule"].to_ical().decode(), dtstart=start)
        assert rule.after(start + timedelta(days=2 * 365)) is not None


def test_run_without_token_is_one_line_as_the_readme_quotes_it(tmp_path: Path) -> None:
    out = _run(tmp_path, "run")
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "TELEGRAM_BOT_TOKEN" in out.stderr and "Traceback" not in out.stderr
    assert "/setprivacy" in out.stderr and "/newbot" in out.stderr
    assert out.stderr.strip() in (ROOT / "README.md").read_text(encoding="utf-8")


def _main(monkeypatch, capsys, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    """bot.cli.main in process, on a temporary data directory: (exit code, stdout, stderr)."""
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOT_TODAY", "2026-11-25")
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_every_option_of_every_command_is_explained() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert {"ingest", "extract", "deadlines", "search", "reindex", "ask", "remind", "run", "health"} <= set(
        commands.choices)
    for name, sub in commands.choices.items():
        assert sub.epilog and "examples:" in sub.epilog, name
        for action in sub._actions:
            assert action.help, (name, action.dest)
        help_text = sub.format_help()
        assert "directive-bot " + name in help_text
    ask_help = commands.choices["ask"].format_help()
    assert "D/M/YYYY" in ask_help and "--all" in ask_help and "--batch" in ask_help
    assert "default 5" in commands.choices["search"].format_help()


def test_dates_as_officials_write_them() -> None:
    assert parse_date("5/1/2027") == parse_date("05/01/2027") == parse_date("2027-01-05") == date(2027, 1, 5)
    for bad in ("31/2/2027", "2027/01/05", "5-1-2027", "hôm nay", ""):
        with pytest.raises(ValueError, match="YYYY-MM-DD, D/M/YYYY or DD/MM/YYYY"):
            parse_date(bad)
    parser = build_parser()
    assert parser.parse_args(["ask", "q", "--today", "25/11/2026"]).today == date(2026, 11, 25)
    assert parser.parse_args(["deadlines", "--from", "1/12/2026", "--to", "31/12/2026"]).to_date == date(2026, 12, 31)
    assert parser.parse_args(["remind", "--today", "2026-12-20"]).today == date(2026, 12, 20)


@pytest.mark.parametrize("args", [("ask", ""), ("ask", "   "), ("ask",), ("search", " \t "), ("search",)])
def test_an_empty_query_is_a_usage_error(monkeypatch, capsys, tmp_path: Path, args: tuple[str, ...]) -> None:
    code, out, err = _main(monkeypatch, capsys, tmp_path, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and "empty" in err


def test_a_batch_with_an_empty_question_is_a_usage_error(monkeypatch, capsys, tmp_path: Path) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": 1, "q": "Sở Tài chính?"}\n{"id": 2, "q": "  "}\n', encoding="utf-8")
    code, _, err = _main(monkeypatch, capsys, tmp_path, "ask", "--batch", str(batch))
    assert code == 2 and err == f"error: {batch}, line 2: the question \"q\" is missing or empty\n"
    code, _, err = _main(monkeypatch, capsys, tmp_path, "search", "q", "--batch", str(batch))
    assert code == 2 and "not both" in err


def test_health_reads_the_heartbeat(monkeypatch, capsys, tmp_path: Path) -> None:
    data = tmp_path / "data"
    code, out, err = _main(monkeypatch, capsys, tmp_path, "health")
    assert code == 1 and out == "" and err.startswith("no heartbeat yet") and err.count("\n") == 1
    health.beat(data, now=time_module.time() - 200)
    code, _, err = _main(monkeypatch, capsys, tmp_path, "health", "--max-age", "60")
    assert code == 1 and err.startswith("heartbeat stale by 14") and err.count("\n") == 1
    health.beat(data)
    code, out, err = _main(monkeypatch, capsys, tmp_path, "health", "--max-age", "60")
    assert code == 0 and out.startswith("ok: last heartbeat") and err == ""
    assert (data / health.HEARTBEAT_NAME).is_file() and not list(data.glob("*.tmp"))


def test_heartbeat_age_and_check(tmp_path: Path) -> None:
    assert health.age(tmp_path) is None
    assert health.check(tmp_path, 90) == (False, f"no heartbeat yet in {tmp_path / '.heartbeat'} "
                                                 "(is `directive-bot run` running?)")
    health.beat(tmp_path, now=1000.0)
    assert health.age(tmp_path, now=1030.0) == pytest.approx(30.0)
    assert health.check(tmp_path, 90, now=1030.0)[0]
    healthy, why = health.check(tmp_path, 90, now=1100.5)
    assert not healthy and why.startswith("heartbeat stale by 10 s")
    (tmp_path / ".heartbeat").write_text("garbage", encoding="ascii")
    assert health.age(tmp_path) is None


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
