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

from bot.chat import health
from bot.cli import build_parser, main, parse_date
from bot.config import Settings
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


CHUONG = """ỦY BAN NHÂN DÂN
TỈNH HÒA BÌNH NAM

Số: {number}/UBND-KT
Hòa Bình Nam, ngày 2 tháng 3 năm 2026

CÔNG VĂN
V/v {subject}

1. {agency} chủ trì {task}, báo cáo UBND tỉnh trước ngày {due}.
2. UBND các huyện phối hợp thực hiện, gửi số liệu trước ngày 15/3/2026.
"""


def _write_directive(folder: Path, name: str, **fields: str) -> Path:
    path = folder / name
    path.write_text(CHUONG.format(**fields), encoding="utf-8")
    return path


def test_a_removed_directive_is_no_longer_found_or_cited(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    kept = _write_directive(folder, "cv-61.txt", number="61", subject="kiểm tra hồ chứa nước trước mùa mưa",
                            agency="Sở Nông nghiệp và Môi trường", task="kiểm tra an toàn các hồ chứa nước",
                            due="10/4/2026")
    gone = _write_directive(folder, "cv-62.txt", number="62", subject="sửa chữa trường học vùng cao",
                            agency="Sở Giáo dục và Đào tạo", task="sửa chữa phòng học tạm ở các trường vùng cao",
                            due="25/4/2026")
    assert _run(tmp_path, "ingest", str(kept), str(gone)).returncode == 0
    question = "Công văn 62/UBND-KT giao sửa chữa phòng học vùng cao trước ngày nào?"
    before = json.loads(_run(tmp_path, "ask", question, "--json").stdout)
    assert before["found"] and "25/4/2026" in before["answer"], before
    removed = _run(tmp_path, "remove", "cv-62")
    assert removed.returncode == 0 and removed.stdout == "removed cv-62\n", removed.stderr
    after = _run(tmp_path, "ask", question, "--json")
    answer = json.loads(after.stdout)
    assert not answer["found"] and "62/UBND-KT" in answer["answer"], answer
    assert not any("62" in json.dumps(c, ensure_ascii=False) for c in answer["citations"])
    hits = json.loads(_run(tmp_path, "search", "sửa chữa phòng học tạm vùng cao", "-k", "5", "--json").stdout)
    assert hits["results"] and {r["doc_id"] for r in hits["results"]} == {"cv-61"}
    assert _run(tmp_path, "remove", "cv-61").returncode == 0
    empty = _run(tmp_path, "ask", "Sở Nông nghiệp và Môi trường phải làm gì?")
    assert empty.returncode == 1 and empty.stdout == "", empty.stdout
    assert empty.stderr.startswith("error: no directive is stored in") and len(empty.stderr.splitlines()) == 1
    searched = _run(tmp_path, "search", "hồ chứa nước")
    assert searched.returncode == 1 and "no directive is stored" in searched.stderr


def test_reindex_refuses_a_folder_without_a_store_and_an_empty_index_loads(tmp_path: Path) -> None:
    out = _run(tmp_path, "reindex")
    assert out.returncode == 2 and out.stdout == "", out.stdout
    assert out.stderr.startswith("error: no fact store at") and "nothing to reindex" in out.stderr
    assert len(out.stderr.splitlines()) == 1 and not (tmp_path / "data").exists()
    assert _run(tmp_path, "reindex", "--compact").returncode == 2 and not (tmp_path / "data").exists()
    # A store that exists but holds nothing (every directive removed): the index it gets must load.
    from bot.library import reindex
    from index.search import Searcher
    from knowledge.store import FactStore

    settings = Settings(data_dir=tmp_path / "data")
    FactStore(settings.store_target)
    assert reindex(settings)["documents"] == 0
    assert Searcher.load(settings.index_dir, settings=settings).search("hồ chứa nước", k=3) == []


def test_a_reader_that_stops_early_ends_the_cli_quietly(tmp_path: Path) -> None:
    """`directive-bot ask … | head -1`: the pipe closes before the answer is written."""
    assert _run(tmp_path, "ingest", str(EXAMPLES)).returncode == 0
    env = {**os.environ, "BOT_DATA_DIR": str(tmp_path / "data"), "BOT_TODAY": "2026-11-25"}
    for args in (("ask", "Sở Tài chính phải làm gì?", "--all"), ("search", "giải ngân", "-k", "20")):
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # long before the answer is ready: the model loads first
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=600) == 141 and err == "", err
    head = subprocess.run(["bash", "-c", "python -m bot.cli ask 'Sở Tài chính phải làm gì?' --all | head -1"],
                          cwd=ROOT, env={**env, "PATH": f"{Path(sys.executable).parent}:{env['PATH']}"},
                          capture_output=True, text=True, timeout=600)
    assert head.returncode == 0 and len(head.stdout.splitlines()) == 1 and head.stderr == "", head.stderr
