"""`directive-bot migrate --to postgresql://…`: an office's SQLite store (the five directives of
../shared/corpus, its bot state, its embedding cache) copied into a real throwaway PostgreSQL
database. The copy holds every row under the same ids, a second run or a run after a crash adds
nothing twice, a front end on the copy neither re-embeds nor collides with copied ids, and rows the
target holds otherwise are reported, never overwritten.
"""

from __future__ import annotations

import json
import socket
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.config import Settings
from bot.feedback import UP, FeedbackStore
from bot.library import ingest_bytes, ingest_paths, reindex
from bot.state import BotState
from bot.store_migration import TABLES, component_paths, identity_tables
from bot.tracking.completions import DutyTracker
from index.cache import EmbeddingCache
from knowledge.corrections import document_part
from knowledge.database import Database, open_database
from knowledge.migrations import COMPONENTS
from knowledge.store import FactStore
from tests.conftest_shared import CORPUS, needs_shared

TODAY = date(2026, 3, 1)
CHAT, USER = -100123, 4242
OCCURRENCE = "duty-abc|2026-02-28"
NEW_DIRECTIVE = """ỦY BAN NHÂN DÂN
TỈNH HÒA BÌNH NAM

Số: 77/UBND-NV
Hòa Bình Nam, ngày 3 tháng 2 năm 2026

CÔNG VĂN
V/v rà soát hộ nghèo đầu năm 2026

1. Sở Nội vụ chủ trì rà soát danh sách hộ nghèo, báo cáo UBND tỉnh trước ngày 20/3/2026.
2. Sở Du lịch tổ chức hội nghị triển khai, hoàn thành trước ngày 30/4/2026.
"""


def _record() -> str:
    return json.dumps({"question": "Ai báo cáo?", "answer": "Sở Nội vụ", "intent": "who", "citations": []},
                      ensure_ascii=False)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """One office's SQLite store, built once: the corpus ingested and indexed, one row of each kind of state."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("office") / "data", today_override=TODAY)
    reports, errors = ingest_paths(settings, [CORPUS])
    assert len(reports) == 5 and not errors
    assert reindex(settings)["passages"] > 0
    store, state = FactStore(settings.db_path), settings.open_state()
    deadline = next(d for d in store.deadlines() if d["agencies"])
    state.subscribe(CHAT, deadline["agencies"][0], by=USER, linked=True)
    assert state.claim_reminders(CHAT, [(OCCURRENCE, "due")])
    DutyTracker(state).mark_done(OCCURRENCE, date(2026, 2, 27), by_id=USER, by_name="Chị Lan", chat_id=CHAT)
    store.add_correction(document_part(deadline["doc_identity"], deadline["doc_id"]), deadline["doc_id"],
                         deadline["duty_ref"], "confirm", {"task": deadline["task"]}, None, "admin")
    FeedbackStore(state).vote("answer-1", USER, CHAT, UP, _record())
    return settings


def _sources(settings: Settings) -> dict[str, Database]:
    return {c: open_database(p) for c, p in component_paths(settings).items()}


def _migrate(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data_dir: Path,
             url: str) -> tuple[int, dict[str, Any], str]:
    """`directive-bot migrate --to URL` in process: (exit code, the JSON report, stderr)."""
    monkeypatch.setenv("BOT_DATA_DIR", str(data_dir))
    monkeypatch.delenv("BOT_DATABASE_URL", raising=False)
    code = main(["migrate", "--to", url])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else {}, err


def _rows(db: Database, table: str, key: tuple[str, ...]) -> list[dict[str, Any]]:
    order = ", ".join(f'"{k}"' for k in key)
    return [{c: bytes(v) if isinstance(v, memoryview) else v for c, v in r.items()}
            for r in db.query(f"select * from {table} order by {order}")]


def _assert_same_tables(settings: Settings, url: str) -> None:
    """Every table of every component holds the same rows on both sides (row order aside)."""
    target = open_database(url)
    for component, source in _sources(settings).items():
        for spec in TABLES[component]:
            assert _rows(target, spec.name, spec.key) == _rows(source, spec.name, spec.key), spec.name


def _source_counts(settings: Settings) -> dict[str, int]:
    return {spec.name: int(db.scalar(f"select count(*) from {spec.name}"))
            for component, db in _sources(settings).items() for spec in TABLES[component]}


@needs_shared
def test_the_copy_holds_every_row_and_a_second_run_adds_nothing(
        office: Settings, pg_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, report, err = _migrate(monkeypatch, capsys, office.data_dir, pg_url)
    assert (code, err, report["conflicts"]) == (0, "", [])
    counts = _source_counts(office)
    assert all(counts[t] > 0 for t in ("documents", "deadlines", "deadline_agencies", "targets", "corrections",
                                       "subscriptions", "reminder_log", "duty_events", "answer_feedback", "vectors"))
    assert {t: c["copied"] for t, c in report["tables"].items()} == counts
    _assert_same_tables(office, pg_url)
    sqlite_store, pg_store = FactStore(office.db_path), FactStore(pg_url)
    assert pg_store.deadlines(evidence=True) == sqlite_store.deadlines(evidence=True)
    assert pg_store.targets() == sqlite_store.targets()
    assert pg_store.undated_duties() == sqlite_store.undated_duties()
    assert pg_store.documents() == sqlite_store.documents()
    state = BotState(pg_url)
    assert state.subscription(CHAT)["linked"] == 1
    assert not state.claim_reminders(CHAT, [(OCCURRENCE, "due")])  # claimed already: a front end does not resend
    assert DutyTracker(state).completion(OCCURRENCE).done_on == date(2026, 2, 27)
    assert [r["vote"] for r in FeedbackStore(state).rows()] == [UP]
    with EmbeddingCache(pg_url) as copied, EmbeddingCache(cache_path_of(office)) as original:
        assert copied.count() == original.count() == counts["vectors"]

    code, again, err = _migrate(monkeypatch, capsys, office.data_dir, pg_url)
    assert (code, err, again["conflicts"]) == (0, "", [])
    assert {t: (c["copied"], c["already_there"]) for t, c in again["tables"].items()} == {
        t: (0, n) for t, n in counts.items()}
    _assert_same_tables(office, pg_url)


def cache_path_of(settings: Settings) -> Path:
    return component_paths(settings)["embeddings"]


@needs_shared
def test_a_front_end_on_the_copy_embeds_nothing_and_new_rows_take_fresh_ids(
        office: Settings, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert _migrate(monkeypatch, capsys, office.data_dir, pg_url)[0] == 0
    front = Settings(data_dir=tmp_path / "front-end", database_url=pg_url, today_override=TODAY)
    built = reindex(front)
    assert (built["embedded"], built["documents"]) == (0, 5) and built["passages"] > 0

    target = open_database(pg_url)
    before = {t: target.scalar(f"select max(id) from {t}") for t in identity_tables()}
    assert ingest_bytes(front, "cv-77.txt", NEW_DIRECTIVE.encode(), index=False).status == "added"
    store, tracker = FactStore(pg_url), DutyTracker(front.open_state())
    tracker.mark_done("duty-new|2026-03-20", date(2026, 3, 19), by_name="Anh Nam")
    new = store.deadlines(doc_ids=["cv-77"])
    correction = store.add_correction("cv-77", "cv-77", new[0]["duty_ref"], "confirm", {}, None, "admin")
    assert len(new) == 2 and min(d["id"] for d in new) > before["deadlines"]
    assert min(a for d in new for a in d["agency_ids"]) > before["agencies"]
    assert correction > before["corrections"]
    assert target.scalar("select max(id) from duty_events") > before["duty_events"]

    code, again, _ = _migrate(monkeypatch, capsys, office.data_dir, pg_url)
    assert (code, again["conflicts"], again["tables"]["documents"]["already_there"]) == (0, [], 5)
    assert len(store.documents()) == 6 and len(store.deadlines(doc_ids=["cv-77"])) == 2


@needs_shared
def test_rows_the_target_holds_otherwise_are_reported_and_kept(
        office: Settings, pg_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert _migrate(monkeypatch, capsys, office.data_dir, pg_url)[0] == 0
    target = open_database(pg_url)
    other_version, refined = [r["doc_id"] for r in target.query(
        "select distinct doc_id from deadlines order by doc_id")][:2]
    target.execute("update documents set sha256 = 'another-version' where doc_id = ?", [other_version])
    dropped = target.scalar("select max(id) from deadlines where doc_id = ?", [refined])
    target.execute("delete from deadline_agencies where deadline_id = ?", [dropped])
    target.execute("delete from deadlines where id = ?", [dropped])
    deadlines = target.scalar("select count(*) from deadlines")

    code, report, err = _migrate(monkeypatch, capsys, office.data_dir, pg_url)
    assert code == 1 and "conflict" in err and len(err.strip().splitlines()) == 1
    assert report["conflict_count"] == report["tables"]["documents"]["conflicts"] == 2, report["conflicts"]
    assert any(other_version in c and "sha256" in c for c in report["conflicts"])
    assert any(refined in c and "deadlines" in c for c in report["conflicts"])
    assert report["tables"]["deadlines"]["skipped"] > 0 and report["tables"]["deadlines"]["copied"] == 0
    assert target.scalar("select sha256 from documents where doc_id = ?", [other_version]) == "another-version"
    assert target.scalar("select count(*) from deadlines") == deadlines  # nothing added twice, nothing put back


@needs_shared
@pytest.mark.parametrize("dies_at", ["targets", "duty_events"])
def test_a_run_that_died_midway_is_finished_by_the_next(
        dies_at: str, office: Settings, pg_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Dying among the fact tables leaves no fact (they are one transaction); among the state tables, the
    tables before it copied. Either way the next run copies the rest, and nothing twice."""
    import bot.store_migration as migration

    real = migration._copy_batch

    def dies(target: Database, spec: migration.TableCopy, *args: Any) -> None:
        real(target, spec, *args)
        if spec.name == dies_at:
            raise ConnectionResetError("the network went away")

    monkeypatch.setattr(migration, "_copy_batch", dies)
    code, _, err = _migrate(monkeypatch, capsys, office.data_dir, pg_url)
    assert code == 1 and "network went away" in err
    target = open_database(pg_url)
    copied = {t: target.scalar(f"select count(*) from {t}") for t in ("documents", "subscriptions", dies_at)}
    assert copied == ({"documents": 0, "subscriptions": 0, "targets": 0} if dies_at == "targets"
                      else {"documents": 5, "subscriptions": 1, "duty_events": 0})

    monkeypatch.setattr(migration, "_copy_batch", real)
    code, report, _ = _migrate(monkeypatch, capsys, office.data_dir, pg_url)
    assert (code, report["conflicts"]) == (0, [])
    assert report["tables"][dies_at]["copied"] > 0
    assert report["tables"]["subscriptions"]["already_there"] == int(dies_at == "duty_events")
    _assert_same_tables(office, pg_url)


def test_an_old_store_gets_its_current_schema_before_the_copy(
        tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A facts.sqlite from before versioned schemas: columns added since missing, a year kept as text."""
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / "facts.sqlite") as conn:
        conn.execute("create table documents (doc_id text primary key, type text, number text, issuer text,"
                     " province text, issued_date text, year_hint text, signer text, signer_title text, title text,"
                     " source_name text, format text, sha256 text, ingested_at text, text text, addressees text,"
                     " recipients text, footnotes text)")
        conn.execute("insert into documents (doc_id, type, number, issuer, issued_date, year_hint, sha256, text)"
                     " values ('cv-9', 'CÔNG VĂN', '9/UBND', 'UBND tỉnh', '2019-05-02', '2019', 'abc', 'Số: 9/UBND')")
    code, report, _ = _migrate(monkeypatch, capsys, data, pg_url)
    assert (code, report["tables"]["documents"]["copied"], report["sources"]["state"]) == (0, 1, None)
    row = FactStore(pg_url).document("cv-9")
    assert row["year_hint"] == 2019 and row["identity"]
    code, report, _ = _migrate(monkeypatch, capsys, data, pg_url)
    assert (code, report["conflicts"], report["tables"]["documents"]["already_there"]) == (0, [], 1)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("url", ["sqlite:///srv/bot/facts.sqlite", "/srv/bot/facts.sqlite",
                                 "mysql://bot:secret@db/directives"])
def test_a_target_that_is_no_postgresql_url_is_a_usage_error(
        url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    FactStore(tmp_path / "data" / "facts.sqlite")
    code, report, err = _migrate(monkeypatch, capsys, tmp_path / "data", url)
    assert (code, report) == (2, {})
    assert "postgresql://" in err and "secret" not in err and len(err.strip().splitlines()) == 1


def test_an_unreachable_target_is_one_line_without_the_password(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    FactStore(tmp_path / "data" / "facts.sqlite")
    for url in (f"postgresql://bot:secret@127.0.0.1:{_closed_port()}/directives", "postgresql://bot:sec ret@[db/x"):
        code, report, err = _migrate(monkeypatch, capsys, tmp_path / "data", url)
        assert (code, report) == (2, {})
        assert "postgresql://bot:***@" in err and "secret" not in err and "sec ret" not in err
        assert err.startswith("error: --to: ") and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "data" / "bot_state.sqlite").exists()  # the source was not touched


def test_a_data_folder_without_a_store_is_reported_and_left_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "mistyped"
    code, report, err = _migrate(monkeypatch, capsys, missing, f"postgresql://bot@127.0.0.1:{_closed_port()}/x")
    assert (code, report) == (1, {})
    assert "facts.sqlite" in err and "BOT_DATA_DIR" in err and len(err.strip().splitlines()) == 1
    assert not missing.exists()


def test_every_table_of_the_migrations_is_copied_parents_first() -> None:
    for component, steps in COMPONENTS.items():
        created = {sql.split("create table if not exists ")[1].split()[0]
                   for step in steps for sql in step.ddl if sql.startswith("create table")}
        names = [spec.name for spec in TABLES[component]]
        assert set(names) == created, component
        for position, spec in enumerate(TABLES[component]):
            assert all(parent in names[:position] for _, parent in spec.parents), spec.name
    assert set(identity_tables()) == {"agencies", "deadlines", "targets", "duties", "corrections", "duty_events"}
