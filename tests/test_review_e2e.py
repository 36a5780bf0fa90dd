"""Review in chat, end to end: the real Application polling the fake Bot API server.

An admin's /duyet lists what the bot is unsure of with buttons; ✏️ Cơ quan and a reply with a name
correct the agency, which /coquan then shows and the next reminder run announces to that agency's
chat; a stranger can neither list nor press; a re-upload keeps the correction; an unconfirmed
deadline is not reminded until an admin confirms it (BOT_REMIND_UNREVIEWED=1 reminds everything).
Example directives of Sơn Hà plus one plan written for this test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from telegram.ext import Application

from bot import messages
from bot.library import ingest_bytes
from bot.review import review_items
from bot.tracking.reminders import plan
from knowledge.store import FactStore
from tests.botapi_server import BotApiServer
from tests.test_bot_e2e import (
    ADMIN,
    REMIND_DAY,
    TIMEOUT,
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

STRANGER = 8804
BUILDERS_GROUP = -1008805  # follows Sở Xây dựng
OFFICE_GROUP = -1008806  # follows every agency
PLAN = """ỦY BAN NHÂN DÂN
TỈNH SƠN HÀ
Số: 88/KH-UBND
Sơn Hà, ngày 20 tháng 11 năm 2026
KẾ HOẠCH
Hoàn thiện hồ sơ quy hoạch chung các xã năm 2026
1. Sở Tư pháp rà soát các quy định về quy hoạch, báo cáo UBND tỉnh trước ngày 14/12/2026.
2. Hoàn thiện hồ sơ thẩm định quy hoạch chung các xã trước ngày 15/12/2026.
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Env:
    env = examples_env(tmp_path_factory.mktemp("reviewdata"))
    ingest_bytes(env.settings, "kh-88.txt", PLAN.encode("utf-8"))
    return env


@pytest.fixture
def server() -> Iterator[BotApiServer]:
    with BotApiServer(token=TOKEN) as srv:
        yield srv


def _undated(env: Env) -> dict:
    store = FactStore(env.settings.db_path)
    return next(i.row for i in review_items(store, "kh-88") if not i.row.get("agencies"))


def test_an_unreviewed_deadline_waits_for_an_admin_before_it_is_reminded(env: Env) -> None:
    state = env.settings.open_state()
    state.subscribe(OFFICE_GROUP, None)
    store = FactStore(env.settings.db_path)
    everything = plan(store, state, REMIND_DAY, remind_unreviewed=True)
    trusted = plan(store, state, REMIND_DAY)
    hidden = "Hoàn thiện hồ sơ thẩm định"
    assert any(hidden in r.html for r in everything) and not any(hidden in r.html for r in trusted)


def test_admin_reviews_in_chat_and_the_correction_reaches_coquan_and_reminders(env: Env, server: BotApiServer) -> None:
    settings = settings_for(env, server)
    state = env.settings.open_state()
    state.subscribe(BUILDERS_GROUP, "Sở Xây dựng")

    async def body(app: Application) -> None:
        refused = await say(server, STRANGER, "/duyet kh-88")
        assert plain(refused[0]) == messages.REVIEW_ADMIN_ONLY
        before = len(server.sent(ADMIN))
        server.push_message(ADMIN, "/duyet kh-88")
        sent = await new_messages(server, ADMIN, before, 2)
        assert "Cần anh/chị kiểm tra" in plain(sent[0]["text"])
        item = next(p for p in sent[1:] if "Hoàn thiện hồ sơ thẩm định" in plain(p["text"]))
        keys = buttons(item)
        assert set(keys) == {messages.BUTTON_REVIEW_OK, messages.BUTTON_REVIEW_AGENCY, messages.BUTTON_REVIEW_DUE,
                             messages.BUTTON_REVIEW_DROP}
        message_id = server.results(ADMIN)[server.sent(ADMIN).index(item)]["message_id"]
        answered = len(server.sent(method="answerCallbackQuery"))
        server.push_callback(STRANGER, STRANGER, keys[messages.BUTTON_REVIEW_OK], message_id)
        await server.wait_for(lambda s: len(s.sent(method="answerCallbackQuery")) > answered, timeout=TIMEOUT)
        assert server.sent(method="answerCallbackQuery")[answered]["text"] == messages.REVIEW_ADMIN_ONLY
        assert _undated(env)["agencies"] == []

        before = len(server.sent(ADMIN))
        server.push_callback(ADMIN, ADMIN, keys[messages.BUTTON_REVIEW_AGENCY], message_id)
        [prompt] = await new_messages(server, ADMIN, before)
        assert "trả lời tin nhắn này" in plain(prompt["text"])
        prompt_id = server.results(ADMIN)[-1]["message_id"]
        done = await say(server, ADMIN, "Sở Xây dựng", reply_to_bot_message_id=prompt_id)
        assert "Đã sửa" in plain(done[0]) and "Sở Xây dựng" in plain(done[0])
        agency = await say(server, ADMIN, "/coquan Sở Xây dựng")
        assert "Hoàn thiện hồ sơ thẩm định" in plain(agency[0])

    run_bot(settings, env.answerer, body)
    assert_clean(server)
    row = next(r for r in FactStore(env.settings.db_path).deadlines(doc_ids=["kh-88"]) if r["due"] == "2026-12-15")
    assert row["agencies"] == ["Sở Xây dựng"] and row["reviewed"] == 1
    reminders = {r.chat_id: r.html for r in plan(FactStore(env.settings.db_path), state, REMIND_DAY)}
    assert "Hoàn thiện hồ sơ thẩm định" in reminders[BUILDERS_GROUP]
    ingest_bytes(env.settings, "kh-88.txt", (PLAN + "\n").encode("utf-8"), replace=True)  # a re-upload
    again = next(r for r in FactStore(env.settings.db_path).deadlines(doc_ids=["kh-88"]) if r["due"] == "2026-12-15")
    assert again["agencies"] == ["Sở Xây dựng"]


def test_the_admin_digest_counts_what_waits(env: Env, server: BotApiServer) -> None:
    from bot.tracking.reminders import remind_once

    settings = replace(settings_for(env, server), admin_ids=frozenset({ADMIN}))
    remind_once(settings, REMIND_DAY)
    digest = [p for p in server.sent(ADMIN) if "Cần xác nhận" in plain(p["text"])]
    assert len(digest) == 1 and "/duyet" in plain(digest[0]["text"])
    remind_once(settings, REMIND_DAY)  # once a day
    assert len([p for p in server.sent(ADMIN) if "Cần xác nhận" in plain(p["text"])]) == 1
