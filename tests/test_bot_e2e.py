"""End-to-end tests: the real Application, polling a fake Bot API server that validates like Telegram.

Why: escaping, splitting, retries, group addressing and admin checks only count when exercised
through python-telegram-bot against an API that rejects what Telegram rejects. The fact store and
index are built once per module from the three example directives (Sơn Hà, BOT_TODAY=2026-11-25);
each test gets a fresh fake server and its own chat ids, since subscriptions persist in the module's
database.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from datetime import time as dtime
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import icalendar
import pytest
from telegram.ext import Application

import bot.chat.admin_handlers as admin_handlers
import bot.chat.telegram_app as telegram_app
from bot import messages
from bot.answering.planner import Answer, Answerer, Citation
from bot.chat.telegram_app import ALLOWED_UPDATES, build_application, main_run
from bot.config import Settings, load_settings
from bot.library import ingest_bytes
from bot.tracking.reminders import remind_once
from knowledge.store import FactStore
from tests.botapi_server import BotApiServer, parse_html
from tests.conftest_shared import EXAMPLES
from tests.sample_directive import son_ha

pytestmark = [
    pytest.mark.slow,
    # PTB itself reads RetryAfter.retry_after as an int (deprecated in 22.2) when a 429 arrives.
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]

TOKEN = "123456:TEST-e2e-token"
ADMIN = 7001
USER = 7002
TODAY = date(2026, 11, 25)
REMIND_DAY = date(2026, 12, 10)  # the 15/12/2026 deadlines are 5 days away: stage "d7"
TIMEOUT = 30.0
T = TypeVar("T")

NEW_DIRECTIVE = son_ha(
    "77/UBND-VX", "ngày 24 tháng 11 năm 2026",
    "V/v tổ chức tập huấn cán bộ làm công tác giảm nghèo cấp xã năm 2026", """
Kính gửi:
- Sở Nông nghiệp và Môi trường;
- Sở Tài chính;
- UBND các huyện, thành phố.

Để nâng cao năng lực cán bộ làm công tác giảm nghèo cấp xã, Chủ tịch UBND tỉnh chỉ đạo như sau:

1. Sở Nông nghiệp và Môi trường chủ trì tổ chức lớp tập huấn cán bộ làm công tác giảm nghèo cấp xã, \
hoàn thành trước ngày 05/12/2026.

2. Sở Tài chính bố trí kinh phí tổ chức lớp tập huấn, hoàn thành trước ngày 01/12/2026.

3. UBND các huyện, thành phố cử cán bộ tham gia lớp tập huấn đầy đủ, đúng thành phần.
""", signer="Trần Minh Khang")


@dataclass
class Env:
    settings: Settings
    answerer: Answerer


def examples_env(data: Path) -> Env:
    """Settings from the environment the way `directive-bot run` reads them, and the examples ingested."""
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith(("BOT_", "TELEGRAM_")):
                mp.delenv(name)
        mp.setenv("BOT_DATA_DIR", str(data))
        mp.setenv("BOT_TODAY", TODAY.isoformat())
        mp.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        mp.setenv("BOT_ADMIN_IDS", str(ADMIN))
        mp.setenv("BOT_QUESTIONS_PER_MINUTE", "50")
        settings = load_settings()
    for path in sorted(EXAMPLES.glob("*.txt")):
        ingest_bytes(settings, path.name, path.read_bytes())
    return Env(settings, Answerer(settings))


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Env:
    return examples_env(tmp_path_factory.mktemp("botdata"))


@pytest.fixture
def server() -> Iterator[BotApiServer]:
    with BotApiServer(token=TOKEN) as srv:
        yield srv


def settings_for(env: Env, server: BotApiServer, **changes: Any) -> Settings:
    return replace(
        env.settings, telegram_api_base_url=server.base_url, telegram_api_file_url=server.base_file_url, **changes
    )


def run_bot(
    settings: Settings,
    answerer: Any,
    body: Callable[[Application], Awaitable[T]],
) -> T:
    """Start the real Application with long polling, run `body`, stop it cleanly; all in a fresh loop."""

    async def main() -> T:
        app = build_application(settings, answerer_factory=lambda _settings: answerer)
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.05, timeout=1, allowed_updates=ALLOWED_UPDATES)
            try:
                return await body(app)
            finally:
                await app.updater.stop()
                await app.stop()

    return asyncio.run(main())


async def new_messages(server: BotApiServer, chat_id: int, before: int, count: int = 1) -> list[dict[str, Any]]:
    """Wait until the bot sent `count` more messages to `chat_id`; return the new sendMessage params."""
    await server.wait_for(lambda s: len(s.sent(chat_id)) >= before + count, timeout=TIMEOUT)
    return server.sent(chat_id)[before:]


async def upload_reply(server: BotApiServer, chat_id: int, before: int) -> dict[str, Any]:
    """The upload's reply as it ends up: the "received" message edited into the summary or question."""
    await server.wait_for(lambda s: len(s.sent(chat_id, method="editMessageText")) > before, timeout=TIMEOUT)
    return server.sent(chat_id, method="editMessageText")[before]


def edits(server: BotApiServer, chat_id: int) -> int:
    return len(server.sent(chat_id, method="editMessageText"))


async def say(server: BotApiServer, chat_id: int, text: str, count: int = 1, **kwargs: Any) -> list[str]:
    before = len(server.sent(chat_id))
    server.push_message(chat_id, text, **kwargs)
    return [p["text"] for p in await new_messages(server, chat_id, before, count)]


def assert_clean(server: BotApiServer, injected: tuple[int, ...] = ()) -> None:
    """Nothing the bot sent was refused (except faults the test injected), and all of it is valid HTML."""
    refused = [r for r in server.rejected if r["method"] != "getUpdates" and r["status"] not in injected]
    assert not refused, server.dump()
    for method in ("sendMessage", "editMessageText"):
        for params in server.sent(method=method):
            plain, _ = parse_html(params["text"]) if params.get("parse_mode") == "HTML" else (params["text"], [])
            assert len(plain.encode("utf-16-le")) // 2 <= 4096
    for params in server.sent(method="sendDocument"):
        if params.get("caption"):
            parse_html(params["caption"])


def plain(html: str) -> str:
    return parse_html(html)[0]


def buttons(params: dict[str, Any]) -> dict[str, str]:
    rows = (params.get("reply_markup") or {}).get("inline_keyboard") or []
    return {b["text"]: b["callback_data"] for row in rows for b in row}


# ------------------------------------------------------------------------------------------ tests


def test_private_question_with_and_without_diacritics(env: Env, server: BotApiServer) -> None:
    async def body(app: Application) -> None:
        start = await say(server, 101, "/start")
        assert "Xin chào" in plain(start[0])
        help_text = plain((await say(server, 101, "/help"))[0])
        assert "/hanchot" in help_text and "@chithi_bot" in help_text

        with_marks = await say(server, 101, "Sở Tài chính phải báo cáo giải ngân trước ngày nào?")
        first = server.sent(101)[-1]
        text = plain(with_marks[0])
        assert text.startswith("Các hạn chót") and "Sở Tài chính" in text and "20" in text
        assert "<b>" in with_marks[0] and "📄 Công văn 1234/UBND-KT" in text
        assert messages.BUTTON_SOURCES in buttons(first)

        without = plain((await say(server, 101, "So Tai chinh phai bao cao giai ngan truoc ngay nao?"))[0])
        assert "Sở Tài chính" in without and "định kỳ trước ngày 20" in without

        before = len(server.sent(101))
        message_id = server.results(101)[-1]["message_id"]
        server.push_callback(101, None, buttons(server.sent(101)[-1])[messages.BUTTON_SOURCES], message_id)
        sources = plain((await new_messages(server, 101, before))[0]["text"])
        assert sources.startswith("📚 Nguồn trích dẫn đầy đủ") and "«" in sources
        await server.wait_for(lambda s: s.sent(method="answerCallbackQuery"), timeout=TIMEOUT)

    run_bot(settings_for(env, server), env.answerer, body)
    assert_clean(server)


def test_more_button_and_commands(env: Env, server: BotApiServer) -> None:
    async def body(app: Application) -> None:
        duties = await say(server, 102, "/coquan UBND các huyện, thành phố")
        params = server.sent(102)[-1]
        assert plain(duties[0]).startswith("Nhiệm vụ của UBND các huyện, thành phố")
        more_data = buttons(params)[messages.BUTTON_MORE]
        before = len(server.sent(102))
        server.push_callback(102, None, more_data, server.results(102)[-1]["message_id"])
        more = plain((await new_messages(server, 102, before))[0]["text"])
        assert more.startswith("Kết quả tiếp theo") and "•" in more
        edits = await server.wait_for(lambda s: s.sent(102, method="editMessageReplyMarkup"), timeout=TIMEOUT)
        assert messages.BUTTON_MORE not in buttons(edits[-1])

        before = len(server.sent(102))
        server.push_callback(102, None, "more:doesnotexist", server.results(102)[-1]["message_id"])
        answered = await server.wait_for(
            lambda s: [p for p in s.sent(method="answerCallbackQuery") if p.get("show_alert")], timeout=TIMEOUT
        )
        assert answered[0]["text"] == messages.CALLBACK_EXPIRED
        assert len(server.sent(102)) == before

        assert plain((await say(server, 102, "/hanchot"))[0]).startswith("Hạn chót từ 25/11/2026")
        assert "quá hạn" in plain((await say(server, 102, "/quahan"))[0])
        assert plain((await say(server, 102, "/muctieu nông thôn mới"))[0]).startswith("Mục tiêu")
        docs = plain((await say(server, 102, "/vanban"))[0])
        assert docs.index("456/TB-UBND") < docs.index("1234/UBND-KT") < docs.index("287/KH-UBND")
        assert "tên cơ quan" in plain((await say(server, 102, "/coquan"))[0])
        assert "chưa hiểu lệnh" in plain((await say(server, 102, "/khongco"))[0])

    run_bot(settings_for(env, server), env.answerer, body)
    assert_clean(server)


def test_calendar_file(env: Env, server: BotApiServer) -> None:
    async def body(app: Application) -> None:
        server.push_message(103, "/lich")
        await server.wait_for(lambda s: s.sent(103, method="sendDocument"), timeout=TIMEOUT)
        server.push_message(103, "/lich so tai chinh")
        await server.wait_for(lambda s: len(s.sent(103, method="sendDocument")) == 2, timeout=TIMEOUT)
        unknown = await say(server, 103, "/lich Công ty ABC")
        assert "Không tìm thấy cơ quan" in plain(unknown[0])

    run_bot(settings_for(env, server), env.answerer, body)
    assert_clean(server)
    everything, finance = server.sent(103, method="sendDocument")
    assert everything["document"]["filename"] == "han-chot.ics"
    assert finance["document"]["filename"] == "han-chot-so-tai-chinh.ics"
    cal = icalendar.Calendar.from_ical(everything["document"]["data"])
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) >= 20
    assert len({str(e["UID"]) for e in events}) == len(events)
    assert any("RRULE" in e for e in events)
    assert all(e.decoded("DTSTART") >= TODAY for e in events)
    fin_events = icalendar.Calendar.from_ical(finance["document"]["data"]).walk("VEVENT")
    assert 0 < len(fin_events) < len(events)
    assert all("Sở Tài chính" in str(e["DESCRIPTION"]) for e in fin_events)
    assert "Lịch" in plain(everything["caption"])


def test_group_addressing(env: Env, server: BotApiServer) -> None:
    group = -1002001
    question = "hạn giải ngân vốn năm 2026"

    async def body(app: Application) -> None:
        answer = await say(server, group, f"/hoi@chithi_bot {question}")
        assert "Các hạn chót" in plain(answer[0])
        assert server.sent(group)[-1]["reply_parameters"]["allow_sending_without_reply"] is True
        assert "Các hạn chót" in plain((await say(server, group, f"/hoi {question}"))[0])
        assert "nhập câu hỏi" in plain((await say(server, group, "/hoi@chithi_bot"))[0])
        assert "/hanchot" in plain((await say(server, group, "/help@chithi_bot"))[0])

        before = len(server.sent(group))
        server.push_message(group, "Chào cả nhóm, chiều nay họp lúc 14 giờ nhé")
        server.push_message(group, "/hoi@other_bot giá vàng hôm nay")
        server.push_message(group, "Sở Tài chính báo cáo giải ngân khi nào?")
        mention = await say(server, group, "@chithi_bot Sở Tài chính phải báo cáo giải ngân trước ngày nào?")
        assert "Sở Tài chính" in plain(mention[0])
        bot_message = server.results(group)[-1]["message_id"]
        reply = await say(server, group, "Còn Kho bạc thì sao, hạn đối chiếu số liệu?",
                          reply_to_bot_message_id=bot_message)
        assert "Kho bạc" in plain(reply[0])
        await asyncio.sleep(0.5)
        assert len(server.sent(group)) == before + 2, server.dump()

    run_bot(settings_for(env, server), env.answerer, body)
    assert_clean(server)


def test_reindex_admin_only_and_questions_keep_flowing(
    env: Env, server: BotApiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_reindex = admin_handlers.reindex

    def slow_reindex(settings: Settings) -> dict[str, Any]:
        time.sleep(1.5)
        return real_reindex(settings)

    monkeypatch.setattr(admin_handlers, "reindex", slow_reindex)
    group = -1002002

    async def body(app: Application) -> None:
        refused = await say(server, USER, "/reindex")
        assert plain(refused[0]) == plain(messages.ADMIN_ONLY)
        refused = await say(server, group, "/reindex@chithi_bot", user_id=USER)
        assert plain(refused[0]) == plain(messages.ADMIN_ONLY)

        started = await say(server, ADMIN, "/reindex")
        assert plain(started[0]) == plain(messages.REINDEX_STARTED)
        busy = await say(server, ADMIN, "/reindex")
        assert plain(busy[0]) == plain(messages.REINDEX_BUSY)
        during = await say(server, USER, "Sở Tài chính phải báo cáo giải ngân trước ngày nào?")
        assert "Sở Tài chính" in plain(during[0])
        assert not any("chỉ mục xong" in t for t in server.texts(ADMIN)), "answer should not wait for reindex"
        done = await server.wait_for(lambda s: [t for t in s.texts(ADMIN) if "chỉ mục xong" in t], timeout=TIMEOUT)
        assert "3 văn bản" in plain(done[0])
        group_done = await say(server, group, "/reindex@chithi_bot", user_id=ADMIN, count=2)
        assert plain(group_done[0]) == plain(messages.REINDEX_STARTED)
        assert "chỉ mục xong" in plain(group_done[1])

    run_bot(settings_for(env, server), env.answerer, body)
    assert_clean(server)


def test_admin_upload_then_question_and_notifications(env: Env, server: BotApiServer) -> None:
    state = env.settings.open_state()
    state.subscribe(303, None)
    state.subscribe(304, "Kho bạc Nhà nước khu vực XV")
    name = "son-ha-2026-cv-77-tap-huan.txt"

    async def body(app: Application) -> None:
        before = edits(server, ADMIN)
        server.push_document(ADMIN, ADMIN, name, NEW_DIRECTIVE.encode("utf-8"), "text/plain")
        summary = plain((await upload_reply(server, ADMIN, before))["text"])
        assert summary.startswith("✅ Đã nạp văn bản: Công văn 77/UBND-VX ngày 24/11/2026")
        assert "2 hạn chót" in summary and "1 cuộc trò chuyện" in summary
        note = plain((await new_messages(server, 303, 0))[0]["text"])
        assert "Văn bản mới" in note and "77/UBND-VX" in note and "1/12/2026" in note

        answer = plain((await say(server, USER, "Lớp tập huấn cán bộ giảm nghèo cấp xã phải hoàn thành khi nào?"))[0])
        assert "5/12/2026" in answer and "77/UBND-VX" in answer

        before = edits(server, ADMIN)
        server.push_document(ADMIN, ADMIN, name, NEW_DIRECTIVE.encode("utf-8"), "text/plain")
        again = await upload_reply(server, ADMIN, before)
        assert "Văn bản này đã có (Công văn 77/UBND-VX ngày 24/11/2026" in plain(again["text"])
        assert list(buttons(again)) == ["Thay thế", "Hủy"]

    run_bot(settings_for(env, server), env.answerer, body)
    assert_clean(server)
    assert server.sent(304) == []
    assert len(server.sent(303)) == 1
    state.unsubscribe(303)
    state.unsubscribe(304)


def test_the_same_directive_a_new_version_and_a_note_are_confirmed_first(
    env: Env, server: BotApiServer
) -> None:
    """Another file name, same directive: asked, not stored twice. A new version replaces the old only
    after `Thay thế`, and says which deadlines changed. A note is refused unless the admin insists.
    Nobody else may press the admin's buttons."""
    store = FactStore(env.settings.db_path)
    state = env.settings.open_state()
    state.subscribe(313, None)
    first = "cv-88-kiem-tra.txt"
    directive = NEW_DIRECTIVE.replace("77/UBND-VX", "88/UBND-VX")
    changed = directive.replace("trước ngày 01/12/2026", "trước ngày 10/12/2026")

    async def press(data: str, message_id: int, user: int = ADMIN) -> dict[str, Any]:
        before = edits(server, ADMIN)
        server.push_callback(ADMIN, user, data, message_id)
        return await upload_reply(server, ADMIN, before)

    async def upload(name: str, text: str) -> dict[str, Any]:
        before = edits(server, ADMIN)
        server.push_document(ADMIN, ADMIN, name, text.encode("utf-8"), "text/plain")
        return await upload_reply(server, ADMIN, before)

    async def body(app: Application) -> None:
        assert plain((await upload(first, directive))["text"]).startswith("✅ Đã nạp văn bản")
        docs = len(store.documents())
        await server.wait_for(lambda s: s.sent(313), timeout=TIMEOUT)
        notes = len(server.sent(313))

        asked = await upload("ban-sao-khac-ten.txt", directive)
        assert "Văn bản này đã có (Công văn 88/UBND-VX" in plain(asked["text"])
        cancel = buttons(asked)["Hủy"]
        answered = len(server.sent(method="answerCallbackQuery"))
        server.push_callback(ADMIN, USER, cancel, asked["message_id"])
        await server.wait_for(lambda s: len(s.sent(method="answerCallbackQuery")) > answered, timeout=TIMEOUT)
        assert server.sent(method="answerCallbackQuery")[-1]["text"] == messages.ADMIN_ONLY
        assert "Đã hủy" in plain((await press(cancel, asked["message_id"]))["text"])
        assert len(store.documents()) == docs

        asked = await upload("cv-88-ban-sua.txt", changed)
        text = plain(asked["text"])
        assert "nội dung khác" in text and "10/12/2026" in text and "1/12/2026" in text, text
        done = plain((await press(buttons(asked)["Thay thế"], asked["message_id"]))["text"])
        assert done.startswith("✅ Đã thay thế văn bản: Công văn 88/UBND-VX"), done
        assert len(store.documents()) == docs
        dues = {json.dumps(r["due"]) for r in store.deadlines(doc_ids=["cv-88-kiem-tra"])}
        assert '"2026-12-10"' in dues and '"2026-12-01"' not in dues
        await server.wait_for(lambda s: len(s.sent(313)) > notes, timeout=TIMEOUT)
        assert "Văn bản được cập nhật" in plain(server.sent(313)[-1]["text"])

        asked = await upload("ghi-chu.txt", "Mua giấy in, mực in và bìa hồ sơ cho phòng họp tầng hai tuần sau.")
        assert "không giống một văn bản chỉ đạo" in plain(asked["text"])
        assert list(buttons(asked)) == ["Vẫn lưu", "Hủy"]
        stored = plain((await press(buttons(asked)["Vẫn lưu"], asked["message_id"]))["text"])
        assert stored.startswith("✅ Đã nạp văn bản"), stored
        assert len(store.documents()) == docs + 1

    run_bot(settings_for(env, server), env.answerer, body)
    assert_clean(server)
    state.unsubscribe(313)


def test_replacing_with_unchanged_content_tells_the_admin_and_nobody_else(env: Env, server: BotApiServer) -> None:
    """The same file again and `Thay thế`: nothing was written, so no `Văn bản được cập nhật` goes out."""
    store = FactStore(env.settings.db_path)
    state = env.settings.open_state()
    state.subscribe(323, None)
    name = "cv-99-khong-doi.txt"
    directive = NEW_DIRECTIVE.replace("77/UBND-VX", "99/UBND-VX")

    async def upload() -> dict[str, Any]:
        before = edits(server, ADMIN)
        server.push_document(ADMIN, ADMIN, name, directive.encode("utf-8"), "text/plain")
        return await upload_reply(server, ADMIN, before)

    async def body(app: Application) -> None:
        assert plain((await upload())["text"]).startswith("✅ Đã nạp văn bản")
        await server.wait_for(lambda s: s.sent(323), timeout=TIMEOUT)
        notes = len(server.sent(323))
        stored_at = store.document("cv-99-khong-doi")["ingested_at"]
        asked = await upload()
        assert "nội dung không khác" in plain(asked["text"]) and list(buttons(asked)) == ["Thay thế", "Hủy"]
        before = edits(server, ADMIN)
        server.push_callback(ADMIN, ADMIN, buttons(asked)["Thay thế"], asked["message_id"])
        done = plain((await upload_reply(server, ADMIN, before))["text"])
        assert "không có gì thay đổi" in done and "99/UBND-VX" in done, done
        assert "cập nhật" not in done and not buttons(server.sent(ADMIN, method="editMessageText")[-1])
        await asyncio.sleep(1.0)  # a notice would be sent right after the summary
        assert len(server.sent(323)) == notes
        assert store.document("cv-99-khong-doi")["ingested_at"] == stored_at

    run_bot(settings_for(env, server), env.answerer, body)
    assert_clean(server)
    assert not any("Văn bản được cập nhật" in plain(p["text"]) for p in server.sent(323))
    state.unsubscribe(323)


LOCK_HOLDER = """
import fcntl, sqlite3, sys, time
data = sys.argv[1]
with open(data + "/.write.lock", "w") as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)
    conn = sqlite3.connect(data + "/facts.sqlite", isolation_level=None)
    conn.execute("begin immediate")
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    conn.execute("commit")
"""
LOCK_HELD_S = 10.0
ANSWER_LIMIT_S = 1.0  # the bound: a chat must not notice an ingest running elsewhere


def test_questions_are_answered_while_another_process_holds_the_write_lock(env: Env, server: BotApiServer) -> None:
    """An ingest in another process holds the store's write lock for 10 s: questions, buttons and
    subscriptions keep being answered within a second (store reads and state writes never wait for it)."""
    questions = ["Sở Tài chính phải làm gì trong tháng 12/2026?", "Hạn chót tuần tới là gì?", "/theodoi",
                 "Kho bạc Nhà nước khu vực XV báo cáo khi nào?", "/huytheodoi"]

    async def body(app: Application) -> None:
        await say(server, 611, "Mục tiêu giảm nghèo năm 2026 là gì?")  # warm: model and index loaded
        holder = await asyncio.create_subprocess_exec(
            sys.executable, "-c", LOCK_HOLDER, str(env.settings.data_dir), str(LOCK_HELD_S),
            stdout=asyncio.subprocess.PIPE)
        assert holder.stdout is not None
        assert (await holder.stdout.readline()).strip() == b"locked"
        started = time.monotonic()
        for question in questions:
            asked = time.monotonic()
            reply = plain((await say(server, 611, question))[0])
            assert time.monotonic() - asked < ANSWER_LIMIT_S, (question, time.monotonic() - asked)
            assert messages.ERROR not in reply
        assert time.monotonic() - started < LOCK_HELD_S, "the lock must still have been held"
        assert holder.returncode is None
        await holder.wait()

    run_bot(settings_for(env, server), env.answerer, body)
    assert_clean(server)


def test_rejected_uploads_change_nothing(env: Env, server: BotApiServer) -> None:
    store = FactStore(env.settings.db_path)
    docs_before = [d["doc_id"] for d in store.documents()]
    index_before = sorted(p.name for p in env.settings.index_dir.iterdir())
    garbage = bytes(range(256)) * 40

    async def body(app: Application) -> None:
        before = len(server.sent(USER))
        server.push_document(USER, USER, "chi-thi.txt", NEW_DIRECTIVE.encode("utf-8"))
        assert plain((await new_messages(server, USER, before))[0]["text"]) == plain(messages.UPLOAD_NOT_ADMIN)

        before = edits(server, ADMIN)
        server.push_document(ADMIN, ADMIN, "scan.pdf", garbage, "application/pdf")
        rejected = plain((await upload_reply(server, ADMIN, before))["text"])
        assert rejected.startswith("❌ Không nạp được tệp «scan.pdf»") and "không thay đổi" in rejected
        assert "Traceback" not in rejected and str(env.settings.data_dir) not in rejected

    run_bot(settings_for(env, server), env.answerer, body)
    assert_clean(server)
    assert len(server.downloads) == 1 and server.downloads[0].endswith(".pdf")
    assert [d["doc_id"] for d in store.documents()] == docs_before
    assert sorted(p.name for p in env.settings.index_dir.iterdir()) == index_before


def test_oversized_upload_refused_before_download(env: Env, server: BotApiServer) -> None:
    async def body(app: Application) -> None:
        before = len(server.sent(ADMIN))
        server.push_document(ADMIN, ADMIN, "lon.txt", NEW_DIRECTIVE.encode("utf-8") * 20)
        reply = plain((await new_messages(server, ADMIN, before))[0]["text"])
        assert "quá lớn" in reply

    run_bot(settings_for(env, server, max_file_mb=0.01), env.answerer, body)
    assert_clean(server)
    assert server.downloads == []


def test_subscribe_then_remind_once_twice_sends_one_message(env: Env, server: BotApiServer) -> None:
    async def body(app: Application) -> None:
        assert "Đã đăng ký" in plain((await say(server, 505, "/theodoi"))[0])
        finance = await say(server, 506, "/theodoi so tai chinh")
        assert "Sở Tài chính" in plain(finance[0])
        assert "Không tìm thấy" in plain((await say(server, 507, "/theodoi Công ty ABC"))[0])

    settings = settings_for(env, server)
    run_bot(settings, env.answerer, body)
    after_bot = len(server.requests)
    first = remind_once(settings, REMIND_DAY)
    second = remind_once(settings, REMIND_DAY)
    assert first["sent"] >= 2 and second["sent"] == 0
    reminders = [t for t in server.texts(505) if "Nhắc hạn" in t]
    assert len(reminders) == 1
    text = plain(reminders[0])
    assert "Sở Kế hoạch và Đầu tư" in text and "15/12/2026" in text and "Còn 5 ngày" in text
    finance = plain([t for t in server.texts(506) if "Nhắc hạn" in t][0])
    assert "Sở Tài chính" in finance and "UBND các huyện, thành phố\n" not in finance
    assert server.sent(507) and not [t for t in server.texts(507) if "Nhắc hạn" in t]
    assert not any(r["method"] == "getUpdates" for r in server.requests[after_bot:])
    assert_clean(server)

    assert remind_once(settings, date(2026, 12, 14))["sent"] >= 1
    assert len([t for t in server.texts(505) if "Nhắc hạn" in t]) == 2
    assert "Ngày mai" in plain(server.texts(505)[-1])
    env.settings.open_state().unsubscribe(505)
    env.settings.open_state().unsubscribe(506)


def test_blocked_chat_is_unsubscribed_and_429_retried(env: Env, server: BotApiServer) -> None:
    state = env.settings.open_state()
    for chat in (606, 607, 608):
        state.subscribe(chat, None)
    server.block_chat(606)
    server.fail_next("sendMessage", 429, retry_after=1, chat_id=607)
    stats = remind_once(settings_for(env, server), REMIND_DAY)
    assert state.subscription(606) is None
    assert state.subscription(607) is not None
    assert stats["unsubscribed"] >= 1
    assert [t for t in server.texts(607) if "Nhắc hạn" in t] and [t for t in server.texts(608) if "Nhắc hạn" in t]
    assert [r for r in server.rejected if r["status"] == 429]
    assert_clean(server, injected=(403, 429))
    for chat in (607, 608):
        state.unsubscribe(chat)


def test_429_on_answer_is_retried(env: Env, server: BotApiServer) -> None:
    async def body(app: Application) -> None:
        server.fail_next("sendMessage", 429, retry_after=1)
        started = time.monotonic()
        answer = await say(server, 108, "Sở Tài chính phải báo cáo giải ngân trước ngày nào?")
        assert "Sở Tài chính" in plain(answer[0])
        assert time.monotonic() - started >= 1.0

    run_bot(settings_for(env, server), env.answerer, body)
    assert len([r for r in server.rejected if r["status"] == 429]) == 1
    assert_clean(server, injected=(429,))


class _StubAnswerer:
    """Answers with hostile, very long text: checks escaping and splitting through the real PTB path."""

    def __init__(self, fail: bool = False, short: bool = False) -> None:
        self.fail = fail
        self.short = short

    def answer(self, question: str, today: date) -> Answer:
        if self.fail:
            raise RuntimeError(f"boom at /secret/path with token {TOKEN}")
        if self.short:
            return Answer(question, "passage", True, f"Tiêu đề\n\nĐã nhận: {question}", [])
        para = "Điều <1> & điều 2 > 3: <b>không phải thẻ</b> &amp; ký tự đặc biệt " * 12
        text = "Tiêu đề <quan trọng> & khẩn\n\n" + "\n\n".join(f"{i}. {para}" for i in range(14))
        cite = Citation("doc&1", "Mục <II>", "Trích «dẫn» <i>" * 30, "Công văn 804/UBND-CNN&XD")
        return Answer(question, "passage", True, text, [cite] * 3, [], more="Thêm <1> & 2")

    def resolve_agency(self, text: str) -> str | None:
        return None

    def reload(self) -> None:
        return None


def test_long_hostile_answer_is_escaped_and_split(env: Env, server: BotApiServer) -> None:
    async def body(app: Application) -> None:
        await say(server, 109, "câu hỏi bất kỳ", count=2)
        await asyncio.sleep(0.3)

    run_bot(settings_for(env, server), _StubAnswerer(), body)
    assert_clean(server)
    sent = server.sent(109)
    assert len(sent) >= 3
    joined = "\n\n".join(plain(p["text"]) for p in sent)
    assert joined.startswith("Tiêu đề <quan trọng> & khẩn") and "<b>không phải thẻ</b> &amp;" in joined
    assert "reply_markup" in sent[-1] and all("reply_markup" not in p for p in sent[:-1])


def test_errors_and_rate_limit(env: Env, server: BotApiServer) -> None:
    async def body(app: Application) -> None:
        reply = plain((await say(server, 110, "câu hỏi làm hỏng"))[0])
        assert reply == plain(messages.ERROR)

    run_bot(settings_for(env, server), _StubAnswerer(fail=True), body)
    assert_clean(server)
    assert all(TOKEN not in t and "/secret" not in t for t in server.texts())

    async def flood(app: Application) -> None:
        for i in range(2):
            await say(server, 111, f"câu hỏi {i}")
        limited = await say(server, 111, "câu hỏi thứ ba")
        assert "tối đa 2 câu/phút" in plain(limited[0])
        server.push_message(111, "câu hỏi thứ tư")
        await asyncio.sleep(0.5)
        assert not [t for t in server.texts(111) if "câu hỏi thứ tư" in t]
        assert plain((await say(server, 112, "người khác hỏi"))[0]).startswith("Tiêu đề")

    server.clear_requests()
    run_bot(settings_for(env, server, questions_per_minute=2), _StubAnswerer(short=True), flood)
    assert len([t for t in server.texts(111) if "câu/phút" in t]) == 1
    assert_clean(server)


def test_start_up_sets_commands_and_catches_up_missed_reminder(
    env: Env, server: BotApiServer, tmp_path: Any
) -> None:
    settings = settings_for(env, server, data_dir=tmp_path, reminder_time=dtime(0, 0))
    for path in sorted(EXAMPLES.glob("*.txt")):
        ingest_bytes(settings, path.name, path.read_bytes(), index=False)
    settings.open_state().subscribe(120, None)
    settings = replace(settings, today_override=REMIND_DAY)

    async def body(app: Application) -> None:
        assert app.job_queue is not None
        daily = app.job_queue.get_jobs_by_name("daily-reminders")[0]
        assert daily.next_t is not None and daily.next_t.astimezone(settings.tz).time() == dtime(0, 0)
        await telegram_app.post_init(app)
        await server.wait_for(lambda s: s.texts(120), timeout=TIMEOUT)

    run_bot(settings, _StubAnswerer(), body)
    assert [c["command"] for c in server.commands()] == [c for c, _ in messages.COMMANDS]

    async def restart(app: Application) -> None:
        await telegram_app.post_init(app)
        await asyncio.sleep(1.5)

    run_bot(settings, _StubAnswerer(), restart)
    assert len(server.texts(120)) == 1
    assert "Nhắc hạn" in plain(server.texts(120)[0])
    assert_clean(server)


def test_webhook_mode_through_main_run(env: Env, server: BotApiServer, tmp_path: Any) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = settings_for(env, server, data_dir=tmp_path, webhook_url="https://bot.example.org/hook/abc",
                            webhook_listen="127.0.0.1", webhook_port=port)
    url = f"http://127.0.0.1:{port}/hook/abc"
    update = {"update_id": 1, "message": {
        "message_id": 1, "date": int(time.time()), "text": "xin chào",
        "chat": {"id": 130, "type": "private", "first_name": "Lan"},
        "from": {"id": 130, "is_bot": False, "first_name": "Lan"}}}

    async def post(session: aiohttp.ClientSession, headers: dict[str, str]) -> int:
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                async with session.post(url, json=update, headers=headers) as response:
                    return response.status
            except aiohttp.ClientConnectionError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.05)

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(main_run(settings, stop=stop, answerer_factory=lambda _s: _StubAnswerer(short=True)))
        await server.wait_for(lambda s: s.webhook_url, timeout=TIMEOUT)
        async with aiohttp.ClientSession() as session:
            assert await post(session, {}) == 403
            secret = {"X-Telegram-Bot-Api-Secret-Token": telegram_app._webhook_secret(settings)}
            assert await post(session, secret) == 200
        await server.wait_for(lambda s: s.texts(130), timeout=TIMEOUT)
        stop.set()
        await asyncio.wait_for(task, TIMEOUT)

    asyncio.run(main())
    assert server.webhook_url == "https://bot.example.org/hook/abc"
    assert server.webhook_calls[-1]["allowed_updates"] == ALLOWED_UPDATES
    assert plain(server.texts(130)[0]) == "Tiêu đề\n\nĐã nhận: xin chào"
    assert server.commands()
    assert not [r for r in server.requests if r["method"] == "getUpdates"]
    assert_clean(server)


def test_the_running_bot_beats_for_the_health_check(env: Env, server: BotApiServer) -> None:
    """`directive-bot health` (the Docker HEALTHCHECK) passes while the bot polls and fails once it stopped."""
    from bot.chat.health import check, heartbeat_path

    heartbeat_path(env.settings.data_dir).unlink(missing_ok=True)
    assert not check(env.settings.data_dir, 90)[0]

    async def body(app: Application) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not heartbeat_path(env.settings.data_dir).exists() and time.monotonic() < deadline:
            await asyncio.sleep(0.2)

    run_bot(settings_for(env, server), env.answerer, body)
    healthy, line = check(env.settings.data_dir, 90)
    assert healthy, line
    time.sleep(1.2)
    assert not check(env.settings.data_dir, 1.0)[0], "a stopped bot's heartbeat goes stale"
