"""Fast tests of the bot's pure parts: HTML rendering and splitting, calendar rules, state, reminders.

Why: the end-to-end tests show the pieces work together; these pin down the edge cases (hostile
text, month-end recurrences, re-runs, failing chats) cheaply and deterministically. The fact store is
filled from the example directives without building the search index.
"""

from __future__ import annotations

import asyncio
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Chat, Message, MessageEntity, User
from telegram.error import ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot import messages
from bot.answering.planner import Answer, Citation
from bot.chat.admin_handlers import _counts_text
from bot.chat.chat_context import QuestionLimiter
from bot.chat.jobs import reminder_missed
from bot.chat.question_handlers import addressed_text
from bot.chat.telegram_app import build_application
from bot.config import Settings
from bot.formatting import answer_html, citations_html, esc, shorten, split_html, text_html, utf16_len
from bot.library import ingest_bytes
from bot.state import BotState
from bot.tracking.calendar_export import build_calendar, event_uid
from bot.tracking.reminders import (
    MAX_REMINDER_ITEMS,
    MissingTokenError,
    occurrence_key,
    plan,
    remind_once,
    send_reminders,
    stage_for,
)
from knowledge.recurrence import occurrences
from knowledge.schedule import upcoming
from knowledge.store import FactStore
from tests.botapi_server import parse_html
from tests.conftest_shared import EXAMPLES

START = date(2026, 11, 25)


def _plain(html: str) -> str:
    return parse_html(html)[0]


def _squash(text: str) -> str:
    return "".join(text.split())


# ------------------------------------------------------------------------------------------ formatting


def test_escape_and_headline() -> None:
    assert esc("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    html = text_html("Tiêu đề <1>\n• dòng & 2\n\nĐoạn hai", bold_first=True)
    assert html == "<b>Tiêu đề &lt;1&gt;</b>\n• dòng &amp; 2\n\nĐoạn hai"
    assert shorten("một hai ba bốn năm", 9) == "một hai…"


def test_answer_html_is_valid_with_hostile_documents() -> None:
    cite = Citation("d", "Mục <II> & III", "«Trích» <b>x</b> & " * 40, "Công văn 804/UBND-CNN&XD ngày 13/2/2024")
    answer = Answer("q", "passage", True, "Kết quả <tốt> & đẹp\n\nChi tiết: a<b", [cite, cite], [], "")
    html = answer_html(answer)
    text = _plain(html)
    assert text.startswith("Kết quả <tốt> & đẹp") and "📄 Công văn 804/UBND-CNN&XD" in text
    assert text.count("📄") == 1 and "…" in text
    full = _plain(citations_html([cite], full=True))
    assert full.count("«Trích»") == 40
    quoted = Citation("d", "Mục I", "Câu đã trích trong câu trả lời.", "Kế hoạch 1/KH")
    compact = _plain(answer_html(Answer("q", "x", True, "Đầu\n\nTrích: «Câu đã trích trong câu trả lời.»", [quoted], [])))
    assert compact.count("Câu đã trích") == 1 and "📄 Kế hoạch 1/KH – Mục I" in compact


def test_missing_token_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MissingTokenError):
        build_application(Settings(data_dir=tmp_path))
    with pytest.raises(MissingTokenError):
        remind_once(Settings(data_dir=tmp_path), START)


_PIECES = [
    "chữ", "Điều", "<", ">", "&", "&amp;", "😀", "𝒜", "a" * 700, " ", " ", "\n", "\n\n", "số 1/2024", "Sở Tài chính",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(["", "b", "i", "code"])), max_size=400),
       st.integers(min_value=60, max_value=4096))
def test_split_html_parts_are_valid_and_lose_nothing(pieces: list[tuple[str, str]], limit: int) -> None:
    html_parts = []
    for text, tag in pieces:
        if "\n" in text or not tag:
            html_parts.append(esc(text) if text != "&amp;" else text)
        else:
            html_parts.append(f"<{tag}>{esc(text)}</{tag}>")
    html = "".join(html_parts)
    chunks = split_html(html, limit)
    for chunk in chunks:
        assert utf16_len(chunk) <= limit
        assert _plain(chunk).strip()
    if _plain(html).strip():
        assert _squash("".join(_plain(c) for c in chunks)) == _squash(_plain(html))


def test_split_prefers_paragraphs_and_keeps_tags_balanced() -> None:
    paras = [f"<b>Đoạn {i}</b>\n" + esc("nội dung & chi tiết " * 30) for i in range(20)]
    chunks = split_html("\n\n".join(paras), 4096)
    assert len(chunks) > 1
    assert all(c.startswith("<b>Đoạn") for c in chunks)
    long_line = "<i>" + esc("rất dài & " * 2000) + "</i>"
    parts = split_html(long_line, 4096)
    assert len(parts) >= 5
    assert all(p.startswith("<i>") and p.endswith("</i>") and utf16_len(p) <= 4096 for p in parts)


# ------------------------------------------------------------------------------------------ shared store


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    settings_ = Settings(data_dir=tmp_path_factory.mktemp("units"))
    for path in sorted(EXAMPLES.glob("*.txt")):
        ingest_bytes(settings_, path.name, path.read_bytes(), index=False)
    return settings_.data_dir


@pytest.fixture
def env(store_path: Path, tmp_path: Path) -> tuple[Settings, FactStore, BotState]:
    """Each test gets its own copy of the database so subscriptions and logs do not leak."""
    data = tmp_path / "data"
    data.mkdir()
    FactStore(store_path / "facts.sqlite").db.conn.execute(f"vacuum into '{data / 'facts.sqlite'}'")
    cfg = Settings(data_dir=data, telegram_token="1:x")
    return cfg, FactStore(cfg.db_path), cfg.open_state()


# ------------------------------------------------------------------------------------------ calendar


def test_calendar_rrules_expand_like_recurrence(env: tuple[Settings, FactStore, BotState]) -> None:
    _, store, _ = env
    rows = store.deadlines()
    extra = [
        {**rows[0], "id": 900 + i, "due": due, "task": f"nhiệm vụ {i}"}
        for i, due in enumerate([
            {"every": "month", "day": 30}, {"every": "month", "day": 29}, {"every": "month"},
            {"every": "quarter", "day": 31}, {"every": "half-year"}, {"every": "year", "month": 2, "day": 29},
            {"every": "week", "weekday": 4}, {"every": "week"}, {"relative": "15 ngày kể từ ngày nhận văn bản"},
            {"every": "half-year", "dates": ["06-05", "12-05"]},
        ])
    ]
    data, count = build_calendar(rows + extra, START)
    end = START + timedelta(days=365)
    cal = icalendar.Calendar.from_ical(data)
    by_uid = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    total = 0
    for row in rows + extra:
        expected = occurrences(row["due"], START, end)
        event = by_uid.get(event_uid(row))
        if not expected:
            assert event is None
            continue
        start = event.decoded("DTSTART")
        if "RRULE" in event:
            assert not {"UNTIL", "COUNT"} & set(event["RRULE"]), "a duty does not end with the export window"
            rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=datetime.combine(start, time()))
            got = [d.date() for d in rule.between(datetime.combine(START, time()), datetime.combine(end, time()),
                                                  inc=True)]
            later = START + timedelta(days=3 * 365)
            assert [d.date() for d in rule.between(datetime.combine(later, time()),
                                                   datetime.combine(later + timedelta(days=365), time()), inc=True)
                    ] == occurrences(row["due"], later, later + timedelta(days=365))
        else:
            got = [start]
        assert got == expected, (row["due"], got[:5], expected[:5])
        total += len(got)
    assert count == total
    again, _ = build_calendar(rows + extra, START)
    assert {str(e["UID"]) for e in icalendar.Calendar.from_ical(again).walk("VEVENT")} == set(by_uid)


# ------------------------------------------------------------------------------------------ state


def test_state_subscriptions_log_and_pending(env: tuple[Settings, FactStore, BotState]) -> None:
    _, _, state = env
    state.subscribe(1, None)
    state.subscribe(1, "Sở Tài chính")
    state.subscribe(2, None)
    assert [(s["chat_id"], s["agency"]) for s in state.subscriptions()] == [(1, "Sở Tài chính"), (2, None)]
    state.record_reminders(1, [("k@2026-12-01", "d7"), ("k@2026-12-01", "d7")])
    assert state.sent_reminders(1) == {("k@2026-12-01", "d7")}
    state.move_chat(1, -100)
    assert state.subscription(-100) is not None and state.sent_reminders(-100)
    assert state.unsubscribe(-100) and not state.unsubscribe(-100)
    pid = state.put_pending(5, "more", "<b>x</b>")
    assert len(f"more:{pid}".encode()) <= 64
    assert state.get_pending(pid)["html"] == "<b>x</b>"
    assert state.prune_pending(days=0) == 0 and state.get_pending("nope") is None
    state.set_meta("k", "1")
    state.set_meta("k", "2")
    assert state.get_meta("k") == "2" and state.get_meta("absent") is None


# ------------------------------------------------------------------------------------------ reminders


def test_stages() -> None:
    assert [stage_for(d) for d in (0, 1, 2, 3, 4, 7, 8)] == ["d0", "d1", "d3", "d3", "d7", "d7", None]


def collect(store: FactStore, state: BotState, today: date) -> dict[int, str]:
    """What each chat would be sent today (the reminder plan without sending)."""
    return {r.chat_id: r.html for r in plan(store, state, today)}


def test_collect_stages_are_sent_once(env: tuple[Settings, FactStore, BotState]) -> None:
    _, store, state = env
    state.subscribe(10, None)
    state.subscribe(11, "Kho bạc Nhà nước khu vực XV")
    state.subscribe(12, "Cơ quan đã bị xoá")
    # Nothing due within a week on 25/11; only monthly reports missed since the directives were issued
    # (18/11, 20/11) are overdue: a recurring duty's missed occurrence counts, as in /xong, /quahan, the report.
    first = plan(store, state, START)
    assert [r.chat_id for r in first] == [10] and {stage for _, stage in first[0].items} == {"overdue"}
    assert sorted(key.rsplit("@", 1)[1] for key, _ in first[0].items) == ["2026-11-18", "2026-11-20"]
    for reminder in first:
        state.record_reminders(reminder.chat_id, reminder.items)
    treasury = collect(store, state, date(2026, 12, 1))
    assert set(treasury) == {10, 11}
    assert _plain(treasury[11]).startswith("🔔 Nhắc hạn ngày Thứ Ba, 1/12/2026 – Kho bạc Nhà nước khu vực XV")
    assert "Còn 4 ngày – 5/12/2026" in _plain(treasury[11])
    day = date(2026, 12, 10)
    texts = collect(store, state, day)
    assert set(texts) == {10, 11}  # the treasury hears once that its 5/12 monthly reconciliation is overdue
    assert "Quá hạn 5 ngày – 5/12/2026" in _plain(texts[11])
    everything = _plain(texts[10])
    assert everything.startswith("🔔 Nhắc hạn ngày Thứ Năm, 10/12/2026")
    assert everything.index("Sở Kế hoạch và Đầu tư") < everything.index("UBND các huyện, thành phố")
    for reminder in plan(store, state, day):
        state.record_reminders(reminder.chat_id, reminder.items)
    assert collect(store, state, day) == {}
    tomorrow = _plain(collect(store, state, date(2026, 12, 14))[10])
    assert "Ngày mai – 15/12/2026" in tomorrow
    late = plan(store, state, date(2027, 1, 2))
    overdue = [item for r in late for item in r.items if item[1] == "overdue"]
    assert overdue and all(key.endswith("2026-12-31") or "@2026-12" in key for key, _ in overdue)


def test_a_crowded_day_stays_one_short_message(tmp_path: Path) -> None:
    """More due items than fit: the most urgent are shown, the rest wait for later runs (not lost)."""
    settings = Settings(data_dir=tmp_path / "data")
    duties = "\n".join(f"{i}. Sở Tài chính báo cáo nội dung số {i} trước ngày {1 + i % 7}/12/2026."
                       for i in range(1, 31))
    text = ("ỦY BAN NHÂN DÂN\nTỈNH SƠN HÀ\nSố: 77/UBND-TH\nSơn Hà, ngày 20 tháng 11 năm 2026\n"
            "V/v ví dụ nhiều hạn chót\n" + duties + "\n")
    ingest_bytes(settings, "vi-du-nhieu-han.txt", text.encode("utf-8"), index=False)
    store, state = FactStore(settings.store_target), settings.open_state()
    state.subscribe(7, None)
    first = plan(store, state, date(2026, 12, 1))
    assert len(first) == 1 and len(first[0].items) == MAX_REMINDER_ITEMS
    shown = _plain(first[0].html)
    assert messages.REMINDER_MORE.format(n=30 - MAX_REMINDER_ITEMS) in shown
    assert "Hôm nay – 1/12/2026" in shown and len(split_html(first[0].html)) == 1
    state.record_reminders(7, first[0].items)
    second = plan(store, state, date(2026, 12, 1))
    assert len(second[0].items) == 30 - MAX_REMINDER_ITEMS
    assert not set(second[0].items) & set(first[0].items)


def test_occurrence_key_survives_reingest(env: tuple[Settings, FactStore, BotState]) -> None:
    cfg, store, _ = env
    before = {occurrence_key(o) for o in upcoming(store, START, START + timedelta(days=60))}
    path = sorted(EXAMPLES.glob("*.txt"))[0]
    store.remove(path.stem)
    ingest_bytes(cfg, path.name, path.read_bytes(), index=False)
    after = {occurrence_key(o) for o in upcoming(store, START, START + timedelta(days=60))}
    assert before == after


class _FakeBot:
    """Records sends; per-chat scripted failures (exceptions raised before a send succeeds)."""

    def __init__(self, faults: dict[int, list[Exception]]) -> None:
        self.faults = faults
        self.sent: list[tuple[int, str]] = []

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> None:
        queue = self.faults.get(chat_id) or []
        if queue:
            raise queue.pop(0)
        self.sent.append((chat_id, text))


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_send_reminders_survives_failing_chats(env: tuple[Settings, FactStore, BotState]) -> None:
    cfg, store, state = env
    for chat in (20, 21, 22, 23):
        state.subscribe(chat, None)
    bot = _FakeBot({
        20: [Forbidden("Forbidden: bot was blocked by the user")],
        21: [RetryAfter(0), RetryAfter(0)],
        22: [NetworkError("connection reset")],
    })
    day = date(2026, 12, 10)
    stats = asyncio.run(send_reminders(bot, cfg, day, store=store, state=state))  # type: ignore[arg-type]
    assert stats == {"chats": 4, "sent": 2, "items": stats["items"], "failed": 1, "unsubscribed": 1}
    assert [chat for chat, _ in bot.sent] == [21, 23]
    assert state.subscription(20) is None and state.subscription(22) is not None
    again = asyncio.run(send_reminders(bot, cfg, day, store=store, state=state))  # type: ignore[arg-type]
    assert again["sent"] == 1 and [chat for chat, _ in bot.sent] == [21, 23, 22]
    assert state.get_meta("last_reminder_run") == "2026-12-10"
    bot.faults[23] = [RetryAfter(0)] * 4
    state.subscribe(24, None)
    bot.faults[24] = [RetryAfter(0)] * 4
    assert asyncio.run(send_reminders(bot, cfg, day, store=store, state=state))["failed"] == 1  # type: ignore[arg-type]


def test_migrated_group_keeps_subscription_and_log(env: tuple[Settings, FactStore, BotState]) -> None:
    cfg, store, state = env
    state.subscribe(-25, None)
    bot = _FakeBot({-25: [ChatMigrated(-10025)]})
    stats = asyncio.run(send_reminders(bot, cfg, date(2026, 12, 10), store=store, state=state))  # type: ignore[arg-type]
    assert stats["sent"] == 1 and [chat for chat, _ in bot.sent] == [-10025]
    assert state.subscription(-25) is None and state.subscription(-10025) is not None
    assert state.sent_reminders(-10025) and not state.sent_reminders(-25)


def test_reminder_missed_only_after_time_and_once(env: tuple[Settings, FactStore, BotState]) -> None:
    cfg, _, state = env
    cfg = Settings(data_dir=cfg.data_dir, reminder_time=time(7, 30), today_override=date(2026, 12, 10))
    early = datetime(2026, 12, 10, 7, 0, tzinfo=cfg.tz)
    late = datetime(2026, 12, 10, 9, 0, tzinfo=cfg.tz)
    assert not reminder_missed(cfg, state, early)
    assert reminder_missed(cfg, state, late)
    state.set_meta("last_reminder_run", "2026-12-10")
    assert not reminder_missed(cfg, state, late)


# ------------------------------------------------------------------------------------------ chat helpers


def test_question_limiter_tells_once_per_window() -> None:
    limiter = QuestionLimiter(2)
    assert limiter.hit(1, 0.0) == (True, 0.0, False)
    assert limiter.hit(1, 1.0)[0]
    assert limiter.hit(1, 2.0) == (False, 58.0, True)
    assert limiter.hit(1, 3.0)[2] is False
    assert limiter.hit(2, 3.0)[0]
    assert limiter.hit(1, 60.5)[0]
    assert QuestionLimiter(0).hit(1)[0]


def _group_message(text: str, entities: list[MessageEntity] | None = None, reply_from: User | None = None) -> Message:
    chat = Chat(-100, "supergroup")
    reply = Message(1, datetime.now(), chat, from_user=reply_from, text="trước") if reply_from else None
    return Message(2, datetime.now(), chat, from_user=User(5, "An", False), text=text,
                   entities=entities or [], reply_to_message=reply)


def test_group_addressing_rules() -> None:
    bot_user = User(999, "bot", True, username="chithi_bot")
    assert addressed_text(_group_message("chào mọi người"), 999, "chithi_bot") is None
    assert addressed_text(_group_message("hỏi @chithi_bot_2 nhé"), 999, "chithi_bot") is None
    assert addressed_text(_group_message("@ChiThi_Bot hạn nộp?"), 999, "chithi_bot") == "hạn nộp?"
    assert addressed_text(_group_message("thế còn Kho bạc?", reply_from=bot_user), 999, "chithi_bot") == \
        "thế còn Kho bạc?"
    assert addressed_text(_group_message("ok", reply_from=User(6, "Bình", False)), 999, "chithi_bot") is None
    mention = MessageEntity("text_mention", 0, 3, user=bot_user)
    assert addressed_text(_group_message("Bot hạn nộp?", [mention]), 999, "chithi_bot") == "Bot hạn nộp?"


def test_counts_text_shows_only_known_counts() -> None:
    text = _counts_text({"documents": 3, "passages": 80, "seconds": 1.5, "path": "/data/index"})
    assert text == "\n3 văn bản, 80 đoạn."
    assert _counts_text({}) == ""
    assert messages.REJECT_REASONS.keys() >= {"empty", "too_large", "binary", "no_text", "zip_bomb", "corrupt",
                                              "unsupported", "bad_name"}


def test_random_split_smoke() -> None:
    rng = random.Random(5)
    text = "\n\n".join(esc("".join(rng.choice("ab <&>😀\n") for _ in range(rng.randint(0, 3000))))
                       for _ in range(10))
    for chunk in split_html(text, 1000):
        assert utf16_len(chunk) <= 1000
        parse_html(chunk)
