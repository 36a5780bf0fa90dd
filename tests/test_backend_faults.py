"""Faults of the PostgreSQL backend (issue 23): connections cut between and during calls, an unreachable
or misnamed database at start, and a process killed in the middle of an ingest.

A cut connection is made the way a server restart or a network cut makes it: the session cluster ends
the backends (`pg_cluster.terminate_connections`, from its own connection). Expected: the next call
reconnects and succeeds, a transaction cut midway leaves the old rows whole and runs again once, and an
operator starting a command against a database that cannot be reached reads one line naming
BOT_DATABASE_URL (exit 2). Real server, real CLI subprocesses; no mock of the database.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pytest

from bot.state import BotState
from bot.tracking.completions import DutyTracker
from index.cache import EmbeddingCache
from knowledge.database import CONNECT_ATTEMPTS, open_database
from knowledge.extract import parse_and_extract
from knowledge.recurrence import due_date as real_due_date
from knowledge.store import FactStore
from tests.test_database_backends import CHI_THI, CONG_VAN, CT, CV, other_front_end, parsed, save

ROOT = Path(__file__).resolve().parents[1]

# A new version of CONG_VAN (same number and date: the same directive) with four deadlines, not two.
CONG_VAN_V2 = CONG_VAN.replace(
    "4. Sở Nội vụ theo dõi, đôn đốc việc thực hiện kỷ luật, kỷ cương trong công tác giải ngân.",
    "4. Sở Nội vụ theo dõi, đôn đốc việc thực hiện kỷ luật, kỷ cương trong công tác giải ngân, báo cáo "
    "Chủ tịch UBND tỉnh trước ngày 20/5/2026.\n\n"
    "5. Kho bạc Nhà nước khu vực XV kiểm soát, thanh toán kịp thời hồ sơ đề nghị thanh toán của các chủ "
    "đầu tư, tổng hợp số liệu giải ngân gửi Sở Tài chính trước ngày 05 hàng tháng.",
)


def dbname(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?")[0]


def backend_pid(db: Any) -> int:
    return int(db.scalar("select pg_backend_pid()"))


def shape(store: FactStore, doc_id: str) -> tuple[Any, ...]:
    """What a stored document is made of: (hash, sections, deadlines, deadline-agency links, targets, duties)."""
    q = store.db.scalar
    return (store.sha256_of(doc_id),
            q("select count(*) from sections where doc_id = ?", [doc_id]),
            q("select count(*) from deadlines where doc_id = ?", [doc_id]),
            q("select count(*) from deadline_agencies where deadline_id in (select id from deadlines where doc_id = ?)",
              [doc_id]),
            q("select count(*) from targets where doc_id = ?", [doc_id]),
            q("select count(*) from duties where doc_id = ?", [doc_id]))


def expected_shape(doc_id: str, text: str, sha: str) -> tuple[Any, ...]:
    doc, facts = parsed(doc_id, text)
    links = sum(len(d.agencies) + len(d.cooperating) + len(d.report_to) for d in facts.deadlines)
    return (sha, len(doc.sections), len(facts.deadlines), links, len(facts.targets) + len(facts.results),
            len(facts.duties))


# ---------------------------------------------------------------------------------------------------
# (a) connections cut between two calls


def test_every_kind_of_call_reconnects_after_the_server_ended_the_connection(pg_cluster: Any, pg_url: str) -> None:
    """Idle connections dropped (server restart, proxy timeout): each next call, read or write, single
    statement or transaction, reconnects and succeeds."""
    store, state = FactStore(pg_url), BotState(pg_url)
    tracker = DutyTracker(state)
    save(store, CV, CONG_VAN)
    state.subscribe(-100, "Sở Tài chính")
    name = dbname(pg_url)

    def cut() -> None:
        assert pg_cluster.terminate_connections(name) >= 1, "the store's connection should have been there"

    pid = backend_pid(store.db)
    cut()
    assert [d["doc_id"] for d in store.documents()] == [CV]  # query
    assert backend_pid(store.db) != pid
    cut()
    assert state.subscription(-100)["agency"] == "Sở Tài chính"
    cut()
    state.subscribe(-200, None)  # execute outside a transaction
    cut()
    assert state.claim_reminders(-100, [("k@2026-03-15", "d7")])  # executemany in a transaction
    cut()
    state.move_chat(-100, -1000100)  # atomic()
    assert state.sent_reminders(-1000100) == {("k@2026-03-15", "d7")}
    cut()
    assert tracker.mark_done("cv-212|x@2026-03-15", date(2026, 3, 14), by_name="Chị Mai").by_name == "Chị Mai"
    cut()
    save(store, CT, CHI_THI)  # retrying() + atomic()
    assert shape(store, CT) == expected_shape(CT, CHI_THI, f"sha-{CT}")
    cut()
    store.remove(CV)
    assert [d["doc_id"] for d in store.documents()] == [CT]
    cut()
    with EmbeddingCache(pg_url) as cache:
        cut()
        cache.put_many([("khóa", np.ones(4, dtype=np.float32))])
        cut()
        assert np.array_equal(cache.get_many(["khóa"], 4)["khóa"], np.ones(4, dtype=np.float32))


def test_exclusive_after_the_server_ended_the_idle_connection(pg_cluster: Any, pg_url: str) -> None:
    """The connection dropped while nothing was being asked of it, then `exclusive` is the next call:
    `ingest_paths` opens the store once and, for each file, reads it (OCR of a scan takes minutes)
    before `_store_raw` enters `store.exclusive("ingest")`; a server restart meanwhile must not fail it:
    the lock is taken through the reconnecting path, like every other call."""
    store = FactStore(pg_url)
    save(store, CV, CONG_VAN)
    assert pg_cluster.terminate_connections(dbname(pg_url)) >= 1
    with store.exclusive("ingest"):
        assert [d["doc_id"] for d in store.documents()] == [CV]


def test_exclusive_is_not_silently_lost_with_its_connection(pg_cluster: Any, pg_url: str) -> None:
    """The ingest lock of one front end is an advisory lock held by its connection; when that
    connection is cut inside the block, the block must not go on as if it still held the lock while
    another front end gets in (both would then decide "new directive" and store it twice). A new
    connection would hold no lock, so the next call inside the block fails instead of reconnecting;
    taking the lock again on the new connection would also pass this test."""
    store = FactStore(pg_url)
    save(store, CV, CONG_VAN)
    other = open_database(other_front_end(pg_url))
    entered = threading.Event()

    def second_front_end() -> None:
        with other.exclusive("ingest"):
            entered.set()

    thread = threading.Thread(target=second_front_end)
    try:
        with store.exclusive("ingest"):
            assert pg_cluster.terminate_connections(dbname(pg_url)) >= 1
            store.documents_with_identity("whatever")  # reconnects, or reports the lost lock
            thread.start()
            assert not entered.wait(1.5), "another front end got the ingest lock while this one was inside"
    except psycopg.OperationalError:
        pass  # the lost lock was reported: the ingest fails and is run again, which is safe
    finally:
        if not thread.is_alive() and not entered.is_set():
            thread.start()
        thread.join(timeout=30)
    assert entered.is_set(), "the second front end never got the lock after the first left"


# ---------------------------------------------------------------------------------------------------
# (b) a connection cut in the middle of FactStore.save


def _cutting_due_date(pg_cluster: Any, url: str, when: Callable[[int], bool]) -> tuple[Callable[..., Any], list[int]]:
    """knowledge.store.due_date that ends the store's connections (from the cluster's own connection) on
    the calls `when` picks; returns it and the list of call numbers that cut."""
    calls = {"n": 0}
    cuts: list[int] = []

    def due_date(due: Any, relation: str | None = None) -> date | None:
        calls["n"] += 1
        if when(calls["n"]):
            assert pg_cluster.terminate_connections(dbname(url)) >= 1
            cuts.append(calls["n"])
        return real_due_date(due, relation)

    due_date.calls = calls  # type: ignore[attr-defined]
    return due_date, cuts


def test_connection_cut_mid_save_rolls_back_and_the_save_runs_again_once(
        pg_cluster: Any, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FactStore(pg_url)
    save(store, CV, CONG_VAN, "old")
    save(store, CT, CHI_THI)
    old, new = expected_shape(CV, CONG_VAN, "old"), expected_shape(CV, CONG_VAN_V2, "new")
    assert shape(store, CV) == old and old != new
    doc, facts = parsed(CV, CONG_VAN_V2)
    assert len(facts.deadlines) >= 3, "the cut is made on the third deadline"
    fake, cuts = _cutting_due_date(pg_cluster, pg_url, lambda n: n == 3)
    monkeypatch.setattr("knowledge.store.due_date", fake)

    store.save(doc, facts, "new")

    assert cuts == [3]
    assert fake.calls["n"] == 3 + len(facts.deadlines), "the whole save ran once more, and only once"
    assert shape(store, CV) == new
    assert shape(store, CT) == expected_shape(CT, CHI_THI, f"sha-{CT}")
    assert store.db.scalar("select count(*) from documents") == 2
    names = [a["name"] for a in store.agencies()]
    assert len(names) == len(set(names)), "the agencies of the cut attempt were rolled back"


def test_connection_cut_on_every_attempt_keeps_the_previous_version_whole(
        pg_cluster: Any, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FactStore(pg_url)
    save(store, CV, CONG_VAN, "old")
    old = expected_shape(CV, CONG_VAN, "old")
    doc, facts = parsed(CV, CONG_VAN_V2)
    fake, cuts = _cutting_due_date(pg_cluster, pg_url, lambda n: n >= 3)
    monkeypatch.setattr("knowledge.store.due_date", fake)

    with pytest.raises(psycopg.OperationalError):
        store.save(doc, facts, "new")

    assert len(cuts) == CONNECT_ATTEMPTS, "each attempt was cut once, then the error reached the caller"
    monkeypatch.setattr("knowledge.store.due_date", real_due_date)
    assert shape(store, CV) == old
    assert [d["doc_id"] for d in store.documents()] == [CV]


# ---------------------------------------------------------------------------------------------------
# (c), (d) a database that cannot be reached, or is not PostgreSQL, when a command starts


def cli(data_dir: Path, *args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**clean, "BOT_DATA_DIR": str(data_dir), **env})


@pytest.mark.parametrize("command", [["ingest", "FILE"], ["deadlines"], ["ask", "Sở Tài chính phải làm gì?"]])
def test_unreachable_database_at_start_is_one_line_and_exit_2(tmp_path: Path, command: list[str]) -> None:
    directive = tmp_path / "cv-212.txt"
    directive.write_text(CONG_VAN, encoding="utf-8")
    args = [str(directive) if a == "FILE" else a for a in command]
    started = time.monotonic()
    out = cli(tmp_path / "data", *args, BOT_DATABASE_URL="postgresql://postgres:topsecret@127.0.0.1:1/nothing")
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("error: BOT_DATABASE_URL") and "127.0.0.1:1/nothing" in lines[0]
    assert "topsecret" not in out.stderr + out.stdout, "the password must not be printed"
    assert time.monotonic() - started < 60


@pytest.mark.parametrize("url", ["mysql://x", "mysql://root:hunter2@db.example/directives", "sqlite:///facts.db"])
def test_a_url_that_is_not_postgresql_is_refused_with_exit_2(tmp_path: Path, url: str) -> None:
    out = cli(tmp_path / "data", "deadlines", BOT_DATABASE_URL=url)
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "BOT_DATABASE_URL" in lines[0] and "postgresql://" in lines[0]
    assert "hunter2" not in out.stderr
    assert not (tmp_path / "data" / "facts.sqlite").exists(), "no SQLite store made in its place"


# ---------------------------------------------------------------------------------------------------
# (e) SIGKILL in the middle of an ingest into PostgreSQL

_SO = ["Sở Tài chính", "Sở Xây dựng", "Sở Y tế", "Sở Nội vụ", "Sở Giáo dục và Đào tạo", "Sở Công Thương",
       "Sở Nông nghiệp và Môi trường", "Sở Văn hóa, Thể thao và Du lịch"]
_VIEC = ["kiểm tra hiện trạng các công trình", "lập danh sách hộ gia đình cần hỗ trợ",
         "hướng dẫn các xã hoàn thiện hồ sơ", "tổng hợp nhu cầu kinh phí", "tổ chức tập huấn cho cán bộ cơ sở"]
_CHU_DE = ["phòng chống thiên tai mùa mưa bão", "sắp xếp đơn vị hành chính cấp xã", "chuyển đổi số trong trường học",
           "bảo đảm an toàn thực phẩm dịp Tết", "phát triển du lịch cộng đồng"]
STORED_SQL = "select count(*) from documents"


def generated_directive(i: int) -> str:
    """A short directive of its own number, with three dated duties and one monthly report."""
    rng = random.Random(1000 + i)
    so = rng.sample(_SO, 3)
    chu_de = _CHU_DE[i % len(_CHU_DE)]
    items = [f"{n}. {ten} chủ trì, phối hợp với {so[(n) % 3]} {rng.choice(_VIEC)} về {chu_de}, "
             f"hoàn thành trước ngày {rng.randint(1, 28)}/{rng.randint(1, 12)}/2027."
             for n, ten in enumerate(so, start=1)]
    items.append(f"4. UBND các xã, phường gửi báo cáo tiến độ về {so[0]} trước ngày {rng.randint(5, 25)} hàng tháng.")
    return (f"ỦY BAN NHÂN DÂN\nTỈNH SƠN HÀ\n\nSố: {300 + i}/UBND-TH\n\nSơn Hà, ngày {1 + i % 28} tháng 10 năm 2026\n\n"
            f"V/v triển khai công tác {chu_de} (lần {i + 1})\n\nKính gửi: {'; '.join(so)}.\n\n"
            f"Chủ tịch UBND tỉnh giao nhiệm vụ như sau:\n\n" + "\n\n".join(items)
            + "\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nĐặng Quốc Bảo\n")


def assert_every_document_whole(url: str) -> set[str]:
    """Each stored document has the sections and the deadlines, targets and duties its own text gives."""
    store = FactStore(url)
    ids = set()
    for row in store.document_texts():
        doc, facts = parse_and_extract(row["doc_id"], row["text"], row["source_name"], row["format"])
        assert facts.deadlines, f"{doc.doc_id}: a directive without deadlines proves nothing"
        assert store.db.scalar("select count(*) from sections where doc_id = ?", [doc.doc_id]) == len(doc.sections)
        assert store.counts(doc.doc_id) == {"deadlines": len(facts.deadlines), "targets": len(facts.targets),
                                            "results": len(facts.results)}, doc.doc_id
        assert store.db.scalar("select count(*) from duties where doc_id = ?", [doc.doc_id]) == len(facts.duties)
        ids.add(doc.doc_id)
    return ids


@pytest.mark.slow
def test_sigkill_mid_ingest_into_postgresql_never_half_stores_and_rerun_converges(
        pg_url: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    total = 60
    for i in range(total):
        (corpus / f"son-ha-2026-cv-{300 + i}-ubnd-th.txt").write_text(generated_directive(i), encoding="utf-8")
    expected = {p.stem for p in corpus.glob("*.txt")}
    data = tmp_path / "data"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    env = {**clean, "BOT_DATA_DIR": str(data), "BOT_DATABASE_URL": pg_url, "BOT_TODAY": "2026-11-25"}
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "ingest", str(corpus)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with psycopg.connect(pg_url, autocommit=True) as watcher:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                out, err = proc.communicate()
                pytest.fail(f"ingest ended (rc={proc.returncode}) before it was killed:\n{out}\n{err}")
            assert time.monotonic() < deadline, "the ingest never stored its first documents"
            try:
                stored = watcher.execute(STORED_SQL).fetchone()[0]
            except psycopg.errors.UndefinedTable:
                stored = 0
            if stored >= 4:
                break
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
        assert proc.returncode == -signal.SIGKILL

    stored_ids = assert_every_document_whole(pg_url)
    assert 4 <= len(stored_ids) < total, f"{len(stored_ids)} of {total} stored: the kill should land while storing"
    assert stored_ids <= expected

    # The killed process's advisory lock died with its connection: the next run is not blocked, stores
    # the rest once (the stored ones are unchanged) and builds the index.
    out = cli(data, "ingest", str(corpus), timeout=900, BOT_DATABASE_URL=pg_url, BOT_TODAY="2026-11-25")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("(unchanged)") == len(stored_ids), out.stdout
    assert assert_every_document_whole(pg_url) == expected
    assert FactStore(pg_url).db.scalar(STORED_SQL) == total
