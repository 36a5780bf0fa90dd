"""Several front ends on one PostgreSQL database, each with its own empty data folder (issue 23).

A stores the shared corpus; B, which never saw the files, builds its index from the database without
embedding and answers the dev questions exactly as a SQLite store does; both storing the same five
files at once store five documents; no SQLite store file is written anywhere. Real processes, the
real CLI, a real throwaway PostgreSQL cluster.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from knowledge.store import FactStore
from tests.conftest_shared import SHARED, needs_shared, require_shared

ROOT = Path(__file__).resolve().parents[1]
CORPUS = SHARED / "corpus"
QUESTIONS = SHARED / "eval" / "questions.jsonl"


def _cli(data: Path, url: str | None, *args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(BOT_DATA_DIR=str(data), PYTHONPATH=str(ROOT))
    if url:
        env["BOT_DATABASE_URL"] = url
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def _ok(run: subprocess.CompletedProcess[str]) -> str:
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


def _answers(data: Path, url: str | None, batch: Path) -> dict[str, dict]:
    out = _ok(_cli(data, url, "ask", "--batch", str(batch), "--json"))
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return {r["id"]: {"answer": r.get("answer"), "found": r.get("found"),
                      "citations": [(c.get("doc_id"), c.get("section")) for c in r.get("citations") or []]}
            for r in rows}


def _sqlite_files(*folders: Path) -> list[Path]:
    return [f for folder in folders for f in folder.rglob("*.sqlite")]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_shared(QUESTIONS)
    path = tmp_path_factory.mktemp("questions") / "batch.jsonl"
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    path.write_text("".join(json.dumps({"id": q["id"], "q": q["q"], "today": q.get("today")}, ensure_ascii=False)
                            + "\n" for q in rows), encoding="utf-8")
    return path


@needs_shared
def test_a_second_front_end_reindexes_from_the_database_and_answers_like_sqlite(
        tmp_path: Path, pg_url: str, batch: Path) -> None:
    a, b, lone = tmp_path / "a", tmp_path / "b", tmp_path / "sqlite"
    _ok(_cli(a, pg_url, "ingest", str(CORPUS)))
    built = json.loads(_ok(_cli(b, pg_url, "reindex")).strip().splitlines()[-1])
    assert built["documents"] == 5 and built["passages"] > 0
    assert built["embedded"] == 0, "B must reuse the embeddings A stored in the database"
    _ok(_cli(lone, None, "ingest", str(CORPUS)))
    from_postgres, from_sqlite = _answers(b, pg_url, batch), _answers(lone, None, batch)
    assert len(from_postgres) == 20
    assert from_postgres == from_sqlite
    assert _sqlite_files(a, b) == [], "a front end on PostgreSQL writes no SQLite store"
    assert not (b / "files").exists(), "B never had the original files"


@needs_shared
def test_two_front_ends_storing_the_same_files_at_once_store_each_once(tmp_path: Path, pg_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    procs = [subprocess.Popen([sys.executable, "-m", "bot.cli", "ingest", str(CORPUS)], cwd=ROOT, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env={**env, "PYTHONPATH": str(ROOT), "BOT_DATABASE_URL": pg_url,
                                   "BOT_DATA_DIR": str(tmp_path / name)})
             for name in ("a", "b")]
    outputs = [p.communicate(timeout=900) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-1500:] for _, err in outputs]
    store = FactStore(pg_url)
    docs = store.documents()
    assert len(docs) == 5, [d["doc_id"] for d in docs]
    assert len({d["doc_id"] for d in docs}) == 5
    said = "\n".join(out + err for out, err in outputs)
    assert said.count("already stored") + said.count("unchanged") >= 5, said  # the later one stored nothing
    assert _sqlite_files(tmp_path / "a", tmp_path / "b") == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _post_update(port: int, secret: str, chat: int, text: str, update_id: int) -> None:
    """Telegram's delivery through the load balancer to one front end's webhook (retried until it listens)."""
    body = json.dumps({"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "text": text,
        "chat": {"id": chat, "type": "private", "first_name": "Lan"},
        "from": {"id": chat, "is_bot": False, "first_name": "Lan"}}}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/hook", data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret})
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200
                return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_two_webhook_front_ends_on_one_database_send_each_reminder_once(tmp_path: Path, pg_url: str) -> None:
    """Two bot processes behind one webhook URL (as behind a load balancer), each with its own data folder.
    Both start after the reminder time with no run recorded (BOT_REMINDER_TIME 00:00), so both run the
    catch-up: the claims in the shared reminder_log let one message per chat through. Each answers a
    question from the shared store, B without ever having seen the files."""
    from bot.chat.telegram_app import _webhook_secret
    from bot.config import Settings
    from bot.state import BotState
    from tests.botapi_server import BotApiServer
    from tests.test_bot_e2e import REMIND_DAY, TOKEN

    _ok(_cli(tmp_path / "a", pg_url, "ingest", str(ROOT / "examples")))
    _ok(_cli(tmp_path / "b", pg_url, "reindex"))
    chats = (-1009901, -1009902, 9903)
    state = BotState(pg_url)
    for chat in chats:
        state.subscribe(chat, None)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    ports = {"a": _free_port(), "b": _free_port()}
    with BotApiServer(token=TOKEN) as server:
        common = {**env, "PYTHONPATH": str(ROOT), "BOT_DATABASE_URL": pg_url, "TELEGRAM_BOT_TOKEN": TOKEN,
                  "TELEGRAM_API_BASE_URL": server.base_url, "TELEGRAM_API_FILE_URL": server.base_file_url,
                  "BOT_TODAY": REMIND_DAY.isoformat(), "BOT_REMINDER_TIME": "00:00",
                  "BOT_WEBHOOK_URL": "https://bot.example.org/hook", "BOT_WEBHOOK_LISTEN": "127.0.0.1"}
        bots = {name: subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True, env={**common, "BOT_DATA_DIR": str(tmp_path / name), "BOT_INSTANCE": name,
                            "BOT_WEBHOOK_PORT": str(port)}) for name, port in ports.items()}
        try:
            server.wait_for(lambda s: all(any("Nhắc hạn" in p["text"] for p in s.sent(c)) for c in chats),
                            timeout=120)
            server.wait_for(lambda s: not state.unsent_claims(), timeout=30)
            secret = _webhook_secret(Settings(telegram_token=TOKEN))
            for n, port in enumerate(ports.values(), start=1):
                _post_update(port, secret, 9900 + n, "Hạn chót nào vào tháng 12/2026?", n)
                server.wait_for(lambda s, c=9900 + n: s.texts(c), timeout=120)
            for bot in bots.values():  # both still serve: neither crashed on the other's claims
                assert bot.poll() is None
        finally:
            for bot in bots.values():
                bot.terminate()
            logs = {name: bot.communicate(timeout=60)[1] for name, bot in bots.items()}
        reminders = {c: [p["text"] for p in server.sent(c) if "Nhắc hạn" in p["text"]] for c in chats}
        answers = [server.texts(9900 + n)[0] for n in (1, 2)]
    assert all(len(texts) == 1 for texts in reminders.values()), ({c: len(t) for c, t in reminders.items()}, logs)
    assert len({texts[0] for texts in reminders.values()}) == 1  # every chat follows every agency: one text
    assert answers[0] == answers[1] and "12/2026" in answers[0], answers
    assert all("Traceback" not in log for log in logs.values()), logs
    assert _sqlite_files(tmp_path / "a", tmp_path / "b") == []


def test_a_running_front_end_indexes_what_another_stored(tmp_path: Path, pg_url: str) -> None:
    """The bot's index-sync job (bot.chat.jobs.sync_index_job) calls sync_index every BOT_SYNC_SECONDS."""
    from bot.library import ingest_paths, remove_document, sync_index
    from index.builder import read_manifest
    from index.store import current_build
    from knowledge.config import DataSettings

    a = DataSettings(data_dir=tmp_path / "a", database_url=pg_url)
    b = DataSettings(data_dir=tmp_path / "b", database_url=pg_url)
    first, second = sorted((ROOT / "examples").glob("*.txt"))[:2]
    ingest_paths(a, [first])
    assert sync_index(b) == [first.stem]
    assert sync_index(b) is None  # in sync: nothing done
    ingest_paths(a, [second])
    assert sync_index(b) == [second.stem]
    remove_document(a, first.stem)
    assert sync_index(b) == []
    build = current_build(b.index_dir)
    assert build is not None and set(read_manifest(build) or {}) == {second.stem}


def test_an_upload_waiting_for_confirmation_can_be_confirmed_on_the_other_front_end(pg_url: str) -> None:
    """The admin's press may reach either front end behind the load balancer: the waiting file is in the
    shared state, and the first press takes it (a second press, anywhere, finds it gone)."""
    from bot.state import BotState

    a, b = BotState(pg_url), BotState(f"{pg_url}?application_name=front-b")  # two connections, one database
    data = "Công văn mẫu của anh/chị".encode() * 1000
    token = a.park_upload(-5001, "cv-mau.txt", data)
    assert b.take_upload(-5002, token) is None  # another chat's press takes nothing
    assert b.take_upload(-5001, token) == ("cv-mau.txt", data)
    assert a.take_upload(-5001, token) is None
    assert a.prune_uploads(0) == 0
