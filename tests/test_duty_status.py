"""Status of a duty occurrence (dates around the 7-day edge, done on time or late) and its storage
(undo, history, keys that survive a re-ingest)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.state import BotState
from bot.tracking.completions import DutyTracker
from bot.tracking.duty_status import (
    DONE_LATE,
    DONE_ON_TIME,
    DUE_SOON,
    NOT_DUE,
    OVERDUE,
    SOON_DAYS,
    count_statuses,
    duty_key,
    on_time_share,
    status_of,
)

DUE = date(2026, 12, 15)


@pytest.mark.parametrize(("today", "expected"), [
    (date(2026, 12, 7), NOT_DUE),  # 8 days left
    (date(2026, 12, 8), DUE_SOON),  # exactly 7 days left
    (date(2026, 12, 14), DUE_SOON),
    (DUE, DUE_SOON),  # the last day is still on time
    (date(2026, 12, 16), OVERDUE),
    (date(2027, 3, 1), OVERDUE),
])
def test_status_from_the_date(today: date, expected: str) -> None:
    assert status_of(DUE, today) == expected


def test_seven_day_edge_is_the_constant() -> None:
    assert SOON_DAYS == 7
    assert status_of(DUE, date(2026, 12, 15 - SOON_DAYS)) == DUE_SOON
    assert status_of(DUE, date(2026, 12, 15 - SOON_DAYS - 1)) == NOT_DUE


@pytest.mark.parametrize(("done_on", "expected"), [
    (date(2026, 12, 1), DONE_ON_TIME),
    (DUE, DONE_ON_TIME),
    (date(2026, 12, 16), DONE_LATE),
])
def test_done_on_time_or_late_whatever_today_is(done_on: date, expected: str) -> None:
    for today in (date(2026, 12, 1), DUE, date(2027, 1, 10)):
        assert status_of(DUE, today, done_on) == expected


def test_counts_and_on_time_share() -> None:
    counts = count_statuses([DONE_ON_TIME, DONE_ON_TIME, DONE_LATE, OVERDUE, NOT_DUE, DUE_SOON])
    assert counts == {OVERDUE: 1, DUE_SOON: 1, NOT_DUE: 1, DONE_LATE: 1, DONE_ON_TIME: 2}
    assert on_time_share(counts) == pytest.approx(0.5)  # 2 of 4 decided; not-yet-due items left out
    assert on_time_share(count_statuses([NOT_DUE])) is None


ROW = {"doc_id": "cv-1234", "doc_identity": "ubnd tinh son ha|1234/ubnd-kt|2026-11-20", "task": "Báo cáo  giải ngân",
       "due": {"every": "month", "day": 20}, "relation": "before", "agencies": ["Sở Tài chính"], "section": "Mục II"}


def test_key_survives_reingest_and_renumbering_but_not_a_changed_duty() -> None:
    on = date(2026, 12, 20)
    key = duty_key(ROW, on)
    assert key.startswith("ubnd tinh son ha|1234/ubnd-kt|2026-11-20#") and key.endswith("@2026-12-20")
    assert duty_key({**ROW, "id": 99, "section": "Mục III", "doc_id": "renamed-file"}, on) == key
    assert duty_key({**ROW, "task": "Báo cáo giải ngân"}, on) == key  # spacing only
    assert duty_key({**ROW, "agencies": ["Kho bạc Nhà nước"]}, on) != key
    assert duty_key({**ROW, "due": {"every": "month", "day": 25}}, on) != key
    assert duty_key(ROW, date(2027, 1, 20)) != key  # each period of a recurring duty on its own
    unnumbered = {**ROW, "doc_identity": "text:abc"}
    assert duty_key(unnumbered, on).startswith("cv-1234#")


def test_mark_undo_and_history(tmp_path: Path) -> None:
    tracker = DutyTracker(BotState(tmp_path / "state.sqlite"))
    key = duty_key(ROW, date(2026, 12, 20))
    assert tracker.completion(key) is None and not tracker.undo(key)
    done = tracker.mark_done(key, date(2026, 12, 18), by_id=5, by_name="Lan", chat_id=-100, note="")
    assert done.done_on == date(2026, 12, 18) and done.by_name == "Lan"
    assert tracker.status(ROW, date(2026, 12, 20), date(2026, 12, 30)) == DONE_ON_TIME
    noted = tracker.set_note(key, "Báo cáo số 12/BC-STC", by_id=5)
    assert noted is not None and noted.note == "Báo cáo số 12/BC-STC" and noted.done_on == done.done_on
    assert tracker.undo(key, by_id=6, by_name="Minh")
    assert tracker.completion(key) is None and key not in tracker.completions()
    assert tracker.status(ROW, date(2026, 12, 20), date(2026, 12, 30)) == OVERDUE
    tracker.mark_done(key, date(2026, 12, 22), by_name="Minh")
    assert tracker.status(ROW, date(2026, 12, 20), date(2026, 12, 30)) == DONE_LATE
    history = tracker.history(key)
    assert [e["action"] for e in history] == ["done", "done", "undo", "done"]
    assert [e["by_name"] for e in history] == ["Lan", "Lan", "Minh", "Minh"]
    other = duty_key(ROW, date(2027, 1, 20))
    assert set(DutyTracker(BotState(tmp_path / "state.sqlite")).completions()) == {key}
    assert tracker.completions([other]) == {}


def test_a_new_version_of_a_directive_keeps_the_status_of_unchanged_duties(tmp_path: Path) -> None:
    """Two duties marked done; the new version moves one's deadline: that one starts afresh, the other stays."""
    from bot.config import Settings
    from bot.library import ingest_bytes
    from bot.tracking.duty_report import Period, build_report
    from knowledge.store import FactStore
    from tests.test_bot_e2e import NEW_DIRECTIVE

    settings = Settings(data_dir=tmp_path)
    ingest_bytes(settings, "cv-77.txt", NEW_DIRECTIVE.encode("utf-8"), index=False)
    store, tracker = FactStore(settings.store_target), DutyTracker(settings.open_state())
    period, today = Period(date(2026, 11, 1), date(2026, 12, 31)), date(2026, 12, 20)
    rows = build_report(store, tracker, period, today).rows
    assert {r.due for r in rows} == {date(2026, 12, 1), date(2026, 12, 5)}
    for r in rows:
        tracker.mark_done(r.key, date(2026, 11, 30))
    changed = NEW_DIRECTIVE.replace("trước ngày 01/12/2026", "trước ngày 10/12/2026")
    report = ingest_bytes(settings, "cv-77-ban-sua.txt", changed.encode("utf-8"), index=False, replace=True)
    assert report.doc_id == "cv-77"
    after = {r.due: r.status for r in build_report(store, tracker, period, today).rows}
    assert after == {date(2026, 12, 5): DONE_ON_TIME, date(2026, 12, 10): OVERDUE}


@pytest.mark.parametrize(("text", "start", "end", "rest"), [
    ("", date(2026, 12, 1), date(2026, 12, 31), ""),
    ("tháng 11/2026", date(2026, 11, 1), date(2026, 11, 30), ""),
    ("Sở Tài chính quý IV/2026", date(2026, 10, 1), date(2026, 12, 31), "so tai chinh"),
    ("so tai chinh nam 2025", date(2025, 1, 1), date(2025, 12, 31), "so tai chinh"),
    ("Kho bạc", date(2026, 12, 1), date(2026, 12, 31), "kho bac"),
])
def test_report_period_and_agency_from_the_command(text: str, start: date, end: date, rest: str) -> None:
    from bot.tracking.duty_report import parse_period

    period, left = parse_period(text, date(2026, 12, 16))
    assert (period.start, period.end, left) == (start, end, rest)
