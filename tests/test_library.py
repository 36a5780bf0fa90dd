"""The library of directives: one directive stored once, new versions replaced only when asked, notes
refused, no orphaned agencies, stores of earlier versions upgraded, reading commands never create a
store. Real SQLite and the real index; the directives are written here.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from bot.answering.planner import Answerer
from bot.chat.chat_context import QuestionLimiter
from bot.config import Settings
from bot.library import DUPLICATE, NEW_VERSION, REPLACED, UNCHANGED, ingest_bytes
from bot.state import BotState
from knowledge.identity import document_identity
from knowledge.reader import RejectedFile
from knowledge.store import FactStore

ROOT = Path(__file__).resolve().parents[1]

DIRECTIVE = """ỦY BAN NHÂN DÂN
TỈNH HÒA BÌNH NAM

Số: {number}/UBND-NV
Hòa Bình Nam, ngày 3 tháng 2 năm 2026

CÔNG VĂN
V/v rà soát hộ nghèo đầu năm 2026

1. Sở Nội vụ chủ trì rà soát danh sách hộ nghèo, báo cáo UBND tỉnh trước ngày 20/3/2026.
2. {second} hoàn thành trước ngày 30/4/2026.
"""


def _text(number: int = 41, second: str = "Sở Du lịch tổ chức hội nghị triển khai") -> bytes:
    return DIRECTIVE.format(number=number, second=second).encode("utf-8")


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", today_override=date(2026, 3, 1))


def test_the_same_directive_under_another_name_is_stored_once(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    first = ingest_bytes(settings, "cv-41.txt", _text(), index=False)
    again = ingest_bytes(settings, "cv-41.txt", _text(), index=False)
    renamed = ingest_bytes(settings, "ban sao gui lai.txt", _text().replace(b"\n1.", b"\n\n1."), index=False)
    assert (first.status, again.status, renamed.status) == ("added", UNCHANGED, DUPLICATE)
    assert renamed.existing == "cv-41" and not renamed.changed
    assert [d["doc_id"] for d in FactStore(settings.store_target).documents()] == ["cv-41"]


def test_another_directive_under_a_taken_file_name_gets_its_own_id(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    a = ingest_bytes(settings, "CV.txt", _text(41), index=False)
    b = ingest_bytes(settings, "CV.txt", _text(42), index=False)
    assert a.doc_id == "CV" and b.doc_id.startswith("CV-") and b.status == "added"
    numbers = {d["number"] for d in FactStore(settings.store_target).documents()}
    assert numbers == {"41/UBND-NV", "42/UBND-NV"}


def test_a_new_version_replaces_only_when_asked_and_says_what_changed(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    ingest_bytes(settings, "cv-41.txt", _text(), index=False)
    newer = _text().replace(b"30/4/2026", b"15/5/2026")
    asked = ingest_bytes(settings, "cv-41-sua.txt", newer, index=False)
    store = FactStore(settings.store_target)
    assert asked.status == NEW_VERSION and asked.existing == "cv-41" and not asked.changed
    assert {r["due"] for r in store.deadlines(doc_ids=["cv-41"])} == {"2026-03-20", "2026-04-30"}
    assert asked.changes is not None
    assert any("15/5/2026" in line for line in asked.changes.added)
    assert any("30/4/2026" in line for line in asked.changes.removed)
    done = ingest_bytes(settings, "cv-41-sua.txt", newer, index=False, replace=True)
    assert done.status == REPLACED and done.doc_id == "cv-41"
    assert {r["due"] for r in store.deadlines(doc_ids=["cv-41"])} == {"2026-03-20", "2026-05-15"}
    assert len(store.documents()) == 1


def test_a_note_is_refused_unless_forced(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    note = "Chiều nay nhớ mua cà phê, sữa tươi và bánh mì cho cả nhà; gọi điện cho bác Tư.".encode()
    with pytest.raises(RejectedFile) as exc:
        ingest_bytes(settings, "ghi-chu.txt", note, index=False)
    assert exc.value.code == "not_directive" and "--force" in str(exc.value)
    assert not FactStore(settings.store_target).documents()
    assert ingest_bytes(settings, "ghi-chu.txt", note, index=False, force=True).status == "added"


def test_an_agency_dropped_by_a_new_version_is_gone_and_never_crashes_coquan(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    ingest_bytes(settings, "cv-41.txt", _text(), index=False)
    store = FactStore(settings.store_target)
    assert "Sở Du lịch" in {a["name"] for a in store.agencies()}
    ingest_bytes(settings, "cv-41.txt", _text(second="Sở Nội vụ chủ trì, phối hợp với Sở Y tế tuyên truyền về chính sách"),
                 index=False, replace=True)
    names = {a["name"] for a in store.agencies()}
    assert "Sở Du lịch" not in names and "Sở Y tế" in names
    answerer = Answerer(settings)
    gone = answerer.agency("Sở Du lịch", date(2026, 3, 1))
    assert not gone.found
    support_only = answerer.agency("Sở Y tế", date(2026, 3, 1))
    assert support_only.found and "Phối hợp" in support_only.text, support_only.text


def test_a_store_of_an_earlier_version_gets_identities(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    ingest_bytes(settings, "cv-41.txt", _text(), index=False)
    db = sqlite_utils.Database(settings.db_path)
    db.execute("drop index idx_documents_identity")
    db["documents"].transform(drop={"identity"})
    db["schema_migrations"].drop()  # stores of earlier versions had no record of their schema
    db.conn.close()
    rows = FactStore(settings.store_target).documents_with_identity(
        document_identity("UBND tỉnh Hòa Bình Nam", "41/UBND-NV", "2026-02-03", ""))
    assert [r["doc_id"] for r in rows] == ["cv-41"]
    again = ingest_bytes(settings, "khac-ten.txt", _text(), index=False)
    assert (again.status, again.existing) == (DUPLICATE, "cv-41")


def test_bot_tables_of_an_earlier_version_move_to_their_own_file(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    settings.data_dir.mkdir(parents=True)
    with sqlite3.connect(settings.db_path) as conn:
        conn.execute("create table subscriptions (chat_id integer primary key, agency text, created_at text not null)")
        conn.execute("insert into subscriptions values (-100123, 'Sở Nội vụ', '2026-01-01T00:00:00')")
    state = settings.open_state()
    assert settings.state_path.exists()
    assert [(s["chat_id"], s["agency"]) for s in state.subscriptions()] == [(-100123, "Sở Nội vụ")]
    assert BotState(settings.state_path, legacy=settings.db_path).subscriptions() == state.subscriptions()


def test_the_question_limiter_forgets_idle_users_and_stays_bounded() -> None:
    limiter = QuestionLimiter(per_minute=2, window=60.0, max_users=100)
    for user in range(1000):
        assert limiter.hit(user, now=float(user))[0]
    assert len(limiter) <= 100
    assert limiter.hit(5000, now=2000.0)[0] and len(limiter) == 1  # everyone else idle for a window
    assert limiter.hit(5000, now=2001.0)[0] and not limiter.hit(5000, now=2002.0)[0]


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BOT_DATA_DIR": str(data_dir), "BOT_TODAY": "2026-03-01"}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


def test_cli_refuses_a_missing_store_and_handles_duplicates(tmp_path: Path) -> None:
    typo = tmp_path / "dta"
    for args in (("ask", "Sở Nội vụ phải làm gì?"), ("search", "hộ nghèo"), ("deadlines",)):
        out = _cli(typo, *args)
        assert out.returncode == 1 and "no fact store" in out.stderr and "ingest" in out.stderr, out.stderr
        assert len(out.stderr.strip().splitlines()) == 1
    assert not typo.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    out = _cli(tmp_path / "data", "ingest", str(empty))
    assert out.returncode == 1 and "no .txt, .md, .docx or .pdf file" in out.stderr
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "cv-41.txt").write_bytes(_text())
    (folder / "ban-sao.txt").write_bytes(_text())
    out = _cli(tmp_path / "data", "ingest", str(folder))
    assert out.returncode == 0, out.stderr
    assert "already stored as" in out.stderr
    newer = tmp_path / "cv-41-moi.txt"
    newer.write_bytes(_text().replace(b"30/4/2026", b"15/5/2026"))
    out = _cli(tmp_path / "data", "ingest", str(newer))
    assert "not replaced, use --replace" in out.stderr and "deadline added" in out.stderr
    out = _cli(tmp_path / "data", "ingest", "--replace", str(newer))
    assert "(replaced" in out.stdout, out.stdout + out.stderr
    stored = FactStore(tmp_path / "data" / "facts.sqlite").documents()
    assert len(stored) == 1
    out = _cli(tmp_path / "data", "remove", stored[0]["doc_id"])
    assert out.returncode == 0 and not FactStore(tmp_path / "data" / "facts.sqlite").documents()


UNDATED = """ỦY BAN NHÂN DÂN
TỈNH HÒA BÌNH NAM

Số: 57/UBND-KGVX
Hòa Bình Nam, ngày 9 tháng 3 năm 2026

CÔNG VĂN
V/v bảo đảm an toàn thực phẩm tại chợ nông thôn

1. Sở Y tế thường xuyên kiểm tra an toàn thực phẩm tại các chợ nông thôn, xử lý nghiêm vi phạm.
2. Công an tỉnh chủ trì, phối hợp với Sở Công Thương bảo đảm an ninh trật tự tại các chợ đầu mối.
3. Sở Nông nghiệp và Môi trường báo cáo kết quả kiểm tra trước ngày 30/6/2026.
"""


def test_duties_without_a_limit_are_listed_for_their_agency_but_are_no_deadlines(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    report = ingest_bytes(settings, "cv-57.txt", UNDATED.encode("utf-8"), index=False)
    assert report.deadlines == 1
    answerer = Answerer(settings)
    health = answerer.agency("Sở Y tế", date(2026, 3, 10))
    assert health.found and "Việc thường xuyên" in health.text
    assert "kiểm tra an toàn thực phẩm tại các chợ nông thôn" in health.text, health.text
    police = answerer.agency("Công an tỉnh", date(2026, 3, 10))
    assert "bảo đảm an ninh trật tự" in police.text
    trade = answerer.agency("Sở Công Thương", date(2026, 3, 10))
    assert trade.found and "bảo đảm an ninh trật tự" in trade.text
    assert {r["due"] for r in FactStore(settings.store_target).deadlines()} == {"2026-06-30"}
