"""Tracking duties to completion, end to end: the real Application polling the fake Bot API server.

A reminder's `✅ Đã xong` pressed by a member of a chat an admin linked to the agency marks the item;
the next reminder run and `/quahan` skip it, `/hanchot` shows it done; a press from a chat that is not
linked to the agency (even one following every agency) is refused; `↩️ Hoàn tác` restores it. Who may
mark, unsubscribe and read reports is tested further in tests/test_authority_e2e.py. `/baocao` sends a workbook openpyxl reads back, `/tiendo`
a PNG, and 👍/👎 votes with their comment are stored and exported. The CLI report over the shared
corpus counts per agency what was marked. Example directives of Sơn Hà, as in tests/test_bot_e2e.py.
"""

from __future__ import annotations

import argparse
import io
import json
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from telegram.ext import Application

from bot import messages
from bot.cli import cmd_feedback
from bot.cli import main as cli_main
from bot.config import load_settings
from bot.library import ingest_bytes
from bot.tracking.completions import DutyTracker
from bot.tracking.duty_items import load_items
from bot.tracking.duty_report import Period, build_report
from bot.tracking.duty_status import DONE_LATE, DONE_ON_TIME, DUE_SOON, NOT_DUE, OVERDUE, STATUSES, duty_key
from bot.tracking.reminders import remind_once
from knowledge.schedule import upcoming
from knowledge.store import FactStore
from tests.botapi_server import BotApiServer
from tests.conftest_shared import CORPUS, needs_shared
from tests.test_bot_e2e import (
    ADMIN,
    REMIND_DAY,
    TIMEOUT,
    TODAY,
    TOKEN,
    Env,
    assert_clean,
    buttons,
    examples_env,
    new_messages,
    plain,
    run_bot,
    say,
    settings_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")]

GROUP = -1008801  # follows every agency (a member subscribed it: no marking right)
KBNN_GROUP = -1008802  # follows only Kho bạc Nhà nước khu vực XV
PLANNING_GROUP = -1008805  # an admin linked it to Sở Kế hoạch và Đầu tư
OUTSIDER = 8803  # a private chat that follows nothing
MEMBER = 4242  # the fake server's default user in groups
PLANNING = "Sở Kế hoạch và Đầu tư"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Env:
    return examples_env(tmp_path_factory.mktemp("trackdata"))


@pytest.fixture
def server() -> Iterator[BotApiServer]:
    with BotApiServer(token=TOKEN) as srv:
        yield srv


def _reminder(server: BotApiServer, chat: int) -> tuple[dict[str, Any], int]:
    """The last reminder sent to `chat` and its message id."""
    index = max(i for i, p in enumerate(server.sent(chat)) if "Nhắc hạn" in p["text"])
    return server.sent(chat)[index], server.results(chat)[index]["message_id"]


def _item_number(text: str, agency: str) -> int:
    """Number of the first item under the agency's heading in a reminder."""
    block = next(b for b in plain(text).split("\n\n") if b.startswith(agency + "\n"))
    return int(block.split("\n")[1].split(".")[0])


def _button(params: dict[str, Any], action: str, number: int) -> str | None:
    """Callback data of item `number`'s button for `action` (done/undo); labels drop the number when alone."""
    return next((d for d in buttons(params).values() if d.startswith(f"dt:{action}:") and d.endswith(f":{number}")),
                None)


async def _answered(server: BotApiServer, before: int) -> dict[str, Any]:
    await server.wait_for(lambda s: len(s.sent(method="answerCallbackQuery")) > before, timeout=TIMEOUT)
    return server.sent(method="answerCallbackQuery")[before]


def test_done_from_the_reminder_skips_it_everywhere_and_undo_restores_it(env: Env, server: BotApiServer) -> None:
    state = env.settings.open_state()
    state.subscribe(GROUP, None, by=MEMBER)
    state.subscribe(KBNN_GROUP, "Kho bạc Nhà nước khu vực XV", by=ADMIN, linked=True)
    state.subscribe(PLANNING_GROUP, PLANNING, by=ADMIN, linked=True)
    settings = settings_for(env, server)
    tracker = DutyTracker(state)
    assert remind_once(settings, REMIND_DAY)["sent"] >= 1
    reminder, message_id = _reminder(server, PLANNING_GROUP)
    number = _item_number(reminder["text"], PLANNING)
    data = _button(reminder, "done", number)
    assert data is not None
    assert len(buttons(reminder)) == len([b for b in plain(reminder["text"]).split("\n") if b[:1].isdigit()])
    _, items = load_items(state, data.split(":")[2]) or (0, [])
    item = items[number - 1]
    assert item.agencies == [PLANNING] and item.on == "2026-12-15"
    late_day = date(2026, 12, 20)
    assert item.task[:40] in (lambda a: a.text + a.more)(env.answerer.overdue("", late_day))

    async def body(app: Application) -> None:
        answered = len(server.sent(method="answerCallbackQuery"))
        server.push_callback(OUTSIDER, OUTSIDER, data, 1)
        refused = await _answered(server, answered)
        assert refused["text"] == messages.DONE_NOT_LINKED and refused["show_alert"] is True
        server.push_callback(KBNN_GROUP, MEMBER, data, 1)  # the message forwarded to a chat of another agency
        assert (await _answered(server, answered + 1))["text"] == messages.DONE_NOT_LINKED
        server.push_callback(GROUP, MEMBER, data, 1)  # following every agency gives no marking right
        assert (await _answered(server, answered + 2))["text"] == messages.DONE_NOT_LINKED
        assert tracker.completion(item.key) is None

        before = len(server.sent(PLANNING_GROUP))
        server.push_callback(PLANNING_GROUP, MEMBER, data, message_id, first_name="Lan")
        assert (await _answered(server, answered + 3))["text"] == messages.DONE_TOAST
        notice = plain((await new_messages(server, PLANNING_GROUP, before))[0]["text"])
        assert notice.startswith(f"✅ {PLANNING} đã hoàn thành «") and "đánh dấu bởi Lan" in notice
        edits = await server.wait_for(lambda s: s.sent(PLANNING_GROUP, method="editMessageReplyMarkup"),
                                      timeout=TIMEOUT)
        assert _button(edits[-1], "undo", number) and not _button(edits[-1], "done", number)
        done = tracker.completion(item.key)
        assert done is not None and done.done_on == TODAY and done.by_name == "Lan"
        assert done.chat_id == PLANNING_GROUP

        notice_id = server.results(PLANNING_GROUP)[-1]["message_id"]
        saved = await say(server, PLANNING_GROUP, "Đã gửi Báo cáo số 45/BC-SKHĐT", reply_to_bot_message_id=notice_id)
        assert plain(saved[0]).startswith("📝 Đã lưu ghi chú")
        assert (tracker.completion(item.key) or done).note == "Đã gửi Báo cáo số 45/BC-SKHĐT"

        month = plain((await say(server, PLANNING_GROUP, "/hanchot tháng 12/2026"))[0])
        assert f"✅ 15/12/2026 — {PLANNING}" in month

    run_bot(settings, env.answerer, body)
    assert_clean(server)

    late = env.answerer.overdue("", late_day)
    assert item.task[:40] not in late.text + late.more
    remind_once(settings, date(2026, 12, 14))
    next_run = plain(_reminder(server, GROUP)[0]["text"])
    assert "Ngày mai" in next_run and PLANNING + "\n" not in next_run and "UBND các huyện, thành phố" in next_run

    reminder, message_id = _reminder(server, PLANNING_GROUP)
    later = settings_for(env, server, today_override=late_day)

    async def undo(app: Application) -> None:
        overdue = plain((await say(server, PLANNING_GROUP, f"/quahan {PLANNING}"))[0])
        assert "Không có việc nào quá hạn" in overdue  # its only overdue item is done
        answered = len(server.sent(method="answerCallbackQuery"))
        before = len(server.sent(PLANNING_GROUP))
        undo_data = data.replace("dt:done:", "dt:undo:")
        server.push_callback(GROUP, MEMBER, undo_data, message_id)  # undo needs the same right
        assert (await _answered(server, answered))["text"] == messages.DONE_NOT_LINKED
        server.push_callback(PLANNING_GROUP, MEMBER, undo_data, message_id)
        assert (await _answered(server, answered + 1))["text"] == messages.UNDO_TOAST
        assert "chưa hoàn thành" in plain((await new_messages(server, PLANNING_GROUP, before))[0]["text"])
        server.push_callback(PLANNING_GROUP, MEMBER, undo_data, message_id)
        assert (await _answered(server, answered + 2))["text"] == messages.UNDO_NOTHING
        overdue = plain((await say(server, PLANNING_GROUP, f"/quahan {PLANNING}"))[0])
        assert "15/12/2026" in overdue and item.task[:30] in overdue

    run_bot(later, env.answerer, undo)
    assert_clean(server)
    assert tracker.completion(item.key) is None
    assert [e["action"] for e in tracker.history(item.key)] == ["done", "done", "undo"]
    for chat in (GROUP, KBNN_GROUP, PLANNING_GROUP):
        state.unsubscribe(chat)


def test_done_list_command(env: Env, server: BotApiServer) -> None:
    state = env.settings.open_state()
    chat = -1008804
    state.subscribe(chat, "Sở Tài chính", by=ADMIN, linked=True)
    settings = settings_for(env, server, today_override=date(2026, 12, 16))

    async def body(app: Application) -> None:
        assert plain((await say(server, OUTSIDER, "/xong"))[0]) == plain(messages.DONE_NOT_SUBSCRIBED)
        listed = await say(server, chat, "/xong")
        text = plain(listed[0])
        assert text.startswith("📋 Nhiệm vụ đang mở – Sở Tài chính") and "20/12/2026" in text
        keys = buttons(server.sent(chat)[-1])
        numbered = [line for line in text.split("\n") if line[:1].isdigit()]
        assert len(keys) == len(numbered) >= 1
        first = next(iter(keys.values()))
        answered, before = len(server.sent(method="answerCallbackQuery")), len(server.sent(chat))
        server.push_callback(chat, MEMBER, first, server.results(chat)[-1]["message_id"])
        assert (await _answered(server, answered))["text"] == messages.DONE_TOAST
        assert "đánh dấu bởi Tester" in plain((await new_messages(server, chat, before))[0]["text"])
        again = plain((await say(server, chat, "/xong"))[0])
        assert len([line for line in again.split("\n") if line[:1].isdigit()]) == len(numbered) - 1 or (
            "Không còn nhiệm vụ" in again)

    run_bot(settings, env.answerer, body)
    assert_clean(server)
    state.unsubscribe(chat)
    for key in DutyTracker(state).completions():
        DutyTracker(state).undo(key)  # the module's other tests start from nothing done


def _sheet_rows(data: bytes, sheet: str) -> list[tuple[Any, ...]]:
    return list(openpyxl.load_workbook(io.BytesIO(data))[sheet].iter_rows(values_only=True))


def test_report_workbook_and_progress_chart(env: Env, server: BotApiServer) -> None:
    state = env.settings.open_state()
    tracker = DutyTracker(state)
    store = FactStore(env.settings.db_path)
    december = Period(date(2026, 12, 1), date(2026, 12, 31))
    today = date(2026, 12, 16)
    rows = build_report(store, tracker, december, today).rows
    first_key = next(r.key for r in rows if r.status == OVERDUE)
    tracker.mark_done(first_key, date(2026, 12, 16), by_name="Minh", note="CV 12/BC")
    settings = settings_for(env, server, today_override=today)

    async def body(app: Application) -> None:  # an admin reads every report (tests/test_authority_e2e.py)
        server.push_message(ADMIN, "/baocao tháng 12/2026")
        await server.wait_for(lambda s: s.sent(ADMIN, method="sendDocument"), timeout=TIMEOUT)
        server.push_message(ADMIN, "/baocao so tai chinh quý IV/2026")
        await server.wait_for(lambda s: len(s.sent(ADMIN, method="sendDocument")) == 2, timeout=TIMEOUT)
        server.push_message(ADMIN, "/tiendo tháng 12/2026")
        await server.wait_for(lambda s: s.sent(ADMIN, method="sendPhoto"), timeout=TIMEOUT)
        assert "Không tìm thấy cơ quan" in plain((await say(server, ADMIN, "/baocao Công ty ABC"))[0])
        assert "Không có nhiệm vụ nào" in plain((await say(server, ADMIN, "/baocao tháng 1/2020"))[0])

    run_bot(settings, env.answerer, body)
    assert_clean(server)
    whole, finance = server.sent(ADMIN, method="sendDocument")
    assert whole["document"]["filename"] == "bao-cao-tien-do-2026-12-01-2026-12-31.xlsx"
    assert finance["document"]["filename"].endswith("-so-tai-chinh.xlsx")
    table = _sheet_rows(whole["document"]["data"], messages.XLSX_SHEET_DUTIES)
    assert table[0] == messages.XLSX_HEADERS
    assert len(table) - 1 == len(upcoming(store, december.start, december.end)) == len(rows)
    by_status = {s: sum(1 for r in table[1:] if r[7] == s) for s in STATUSES}
    assert by_status == build_report(store, tracker, december, today).totals()
    assert by_status[DONE_LATE] == 1 and by_status[OVERDUE] >= 1 and by_status[DUE_SOON] >= 1
    assert by_status[NOT_DUE] >= 1
    done_row = next(r for r in table[1:] if r[7] == DONE_LATE)
    assert done_row[8].date() == date(2026, 12, 16) and done_row[9] == "Minh" and done_row[10] == "CV 12/BC"
    assert all(r[6].date() >= december.start for r in table[1:])
    wb = openpyxl.load_workbook(io.BytesIO(whole["document"]["data"]))
    assert wb[messages.XLSX_SHEET_DUTIES].freeze_panes == "A2" and wb[messages.XLSX_SHEET_DUTIES].auto_filter.ref
    summary = _sheet_rows(whole["document"]["data"], messages.XLSX_SHEET_SUMMARY)
    assert summary[0][0] == messages.XLSX_SUMMARY_AGENCY and summary[-1][0] == messages.XLSX_SUMMARY_ALL
    assert summary[-1][1:6] == tuple(by_status[s] for s in STATUSES) and summary[-1][6] == len(rows)
    finance_rows = _sheet_rows(finance["document"]["data"], messages.XLSX_SHEET_DUTIES)[1:]
    assert finance_rows and all("Sở Tài chính" in f"{r[3]} {r[4]} {r[5]}" for r in finance_rows)
    assert "Báo cáo tiến độ" in plain(whole["caption"])
    photo = server.sent(ADMIN, method="sendPhoto")[0]
    assert photo["photo"]["data"].startswith(PNG_SIGNATURE) and "Tiến độ" in plain(photo["caption"])
    tracker.undo(first_key)


def test_feedback_votes_comment_and_export(env: Env, server: BotApiServer, tmp_path: Path) -> None:
    chat = 702
    question = "Sở Tài chính phải báo cáo giải ngân trước ngày nào?"

    async def press(data: str, message_id: int) -> None:
        answered = len(server.sent(method="answerCallbackQuery"))
        server.push_callback(chat, chat, data, message_id)
        assert (await _answered(server, answered))["text"] == messages.FEEDBACK_THANKS

    async def body(app: Application) -> None:
        await say(server, chat, question)
        keys, message_id = buttons(server.sent(chat)[-1]), server.results(chat)[-1]["message_id"]
        assert messages.BUTTON_UP in keys and messages.BUTTON_DOWN in keys and messages.BUTTON_SOURCES in keys
        before = len(server.sent(chat))
        await press(keys[messages.BUTTON_DOWN], message_id)
        assert plain((await new_messages(server, chat, before))[0]["text"]) == plain(messages.FEEDBACK_ASK_COMMENT)
        edits = await server.wait_for(lambda s: s.sent(chat, method="editMessageReplyMarkup"), timeout=TIMEOUT)
        assert messages.BUTTON_UP not in buttons(edits[-1]) and messages.BUTTON_SOURCES in buttons(edits[-1])
        saved = await say(server, chat, "Thiếu hạn của Kho bạc")
        assert plain(saved[0]) == plain(messages.FEEDBACK_COMMENT_SAVED)
        assert "Sở Tài chính" in plain((await say(server, chat, question))[0])  # questions flow again

        keys, message_id = buttons(server.sent(chat)[-1]), server.results(chat)[-1]["message_id"]
        await press(keys[messages.BUTTON_UP], message_id)
        await say(server, chat, "/vanban")
        keys, message_id = buttons(server.sent(chat)[-1]), server.results(chat)[-1]["message_id"]
        before = len(server.sent(chat))
        await press(keys[messages.BUTTON_DOWN], message_id)
        await new_messages(server, chat, before)
        assert "/hanchot" in plain((await say(server, chat, "/help"))[0])  # a command cancels the wait
        answer = plain((await say(server, chat, "Kho bạc đối chiếu số liệu khi nào?"))[0])
        assert answer != plain(messages.FEEDBACK_COMMENT_SAVED)

    run_bot(settings_for(env, server), env.answerer, body)
    assert_clean(server)
    out = tmp_path / "feedback.jsonl"
    assert cmd_feedback(env.settings, argparse.Namespace(export=str(out))) == 0
    votes = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [v["vote"] for v in votes] == [-1, 1, -1]
    assert votes[0]["question"] == question and votes[0]["comment"] == "Thiếu hạn của Kho bạc"
    assert "Sở Tài chính" in votes[0]["answer"] and votes[0]["citations"][0]["doc_id"]
    assert votes[2]["comment"] is None


@needs_shared
def test_cli_report_counts_per_agency_on_the_shared_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Five real directives, March 2024 seen on 10/4/2024, three duties marked: one on time, one late."""
    for name in list(os.environ):
        if name.startswith(("BOT_", "TELEGRAM_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    settings = load_settings()
    for path in sorted(CORPUS.glob("*.txt")):
        ingest_bytes(settings, path.name, path.read_bytes(), index=False)
    store = FactStore(settings.store_target)
    tracker = DutyTracker(settings.open_state())
    march = upcoming(store, date(2024, 3, 1), date(2024, 3, 31))

    def mark(agency: str, on: date, done_on: date) -> None:
        occ = next(o for o in march if o.deadline["agencies"] == [agency] and o.on == on)
        tracker.mark_done(duty_key(occ.deadline, occ.on), done_on, by_name="Văn phòng")

    mark("Sở Kế hoạch và Đầu tư", date(2024, 3, 15), date(2024, 3, 14))
    mark("Sở Tài chính", date(2024, 3, 31), date(2024, 4, 2))
    mark("Kho bạc Nhà nước Thái Nguyên", date(2024, 3, 23), date(2024, 3, 20))
    out = tmp_path / "bao-cao.xlsx"
    assert cli_main(["report", "--xlsx", str(out), "--from", "2024-03-01", "--to", "2024-03-31",
                     "--today", "2024-04-10"]) == 0
    summary = {r[0]: r for r in _sheet_rows(out.read_bytes(), messages.XLSX_SHEET_SUMMARY)[1:]}
    columns = {s: i + 1 for i, s in enumerate(STATUSES)}

    def counts(agency: str) -> dict[str, int]:
        return {s: summary[agency][columns[s]] for s in STATUSES if summary[agency][columns[s]]}

    # Sở Tài chính: its March report (done late) and the monthly 25th report of 2019 it shares (overdue).
    assert counts("Sở Tài chính") == {DONE_LATE: 1, OVERDUE: 1} and summary["Sở Tài chính"][7] == 0
    # Sở KH&ĐT: 15/3 done on time; the end-of-March duty and two monthly 25th reports overdue.
    assert counts("Sở Kế hoạch và Đầu tư") == {DONE_ON_TIME: 1, OVERDUE: 3}
    assert summary["Sở Kế hoạch và Đầu tư"][7] == pytest.approx(0.25)
    assert counts("Kho bạc Nhà nước Thái Nguyên") == {DONE_ON_TIME: 1}
    total = summary[messages.XLSX_SUMMARY_ALL]
    assert total[6] == len(march) and total[columns[DONE_ON_TIME]] == 2 and total[columns[DONE_LATE]] == 1
    table = _sheet_rows(out.read_bytes(), messages.XLSX_SHEET_DUTIES)[1:]
    for agency, row in summary.items():
        if agency != messages.XLSX_SUMMARY_ALL:
            assert row[6] == sum(1 for r in table if agency in (r[3] or messages.DUTY_NO_AGENCY).split("; "))


def test_who_may_mark(env: Env) -> None:
    """Admins anywhere; chats an admin linked to an agency the duty names (lead or cooperating); nobody
    through a subscription a non-admin made, or one to every agency."""
    from types import SimpleNamespace

    from bot.chat.tracking_handlers import may_mark
    from bot.tracking.duty_items import DutyItem

    state = env.settings.open_state()
    store = FactStore(env.settings.db_path)
    row = next(r for r in store.deadlines() if r["agencies"] == [PLANNING] and r["cooperating"])
    item = DutyItem.of(row, date(2026, 12, 15))
    svc: Any = SimpleNamespace(settings=env.settings, state=state, store=store)
    linked = {-1008811: None, -1008812: PLANNING, -1008813: row["cooperating"][0], -1008814: "Sở Dân tộc và Tôn giáo"}
    for chat, agency in linked.items():
        state.subscribe(chat, agency, by=ADMIN, linked=True)
    state.subscribe(-1008815, PLANNING, by=MEMBER)
    try:
        assert [may_mark(svc, chat, MEMBER, item) for chat in linked] == [False, True, True, False]
        assert state.subscription(-1008811)["linked"] == 0  # every agency: never a link
        assert not may_mark(svc, -1008815, MEMBER, item)
        assert not may_mark(svc, OUTSIDER, OUTSIDER, item) and may_mark(svc, OUTSIDER, ADMIN, item)
        assert may_mark(svc, -1008815, ADMIN, item)
    finally:
        for chat in [*linked, -1008815]:
            state.unsubscribe(chat)
