"""Follow-ups, end to end against the fake Bot API server: a reply to the bot's answer inherits the
answered question's document, agency and time when it leaves them out (`còn năm 2027 thì sao?` after
Sở Tài chính's limits asks about Sở Tài chính in 2027); the same words not sent as a reply do not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from telegram.ext import Application

from tests.botapi_server import BotApiServer
from tests.test_bot_e2e import (
    TODAY,
    TOKEN,
    Env,
    assert_clean,
    examples_env,
    plain,
    run_bot,
    say,
    settings_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")]
CHAT = 3101
GROUP = -1003102


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Env:
    return examples_env(tmp_path_factory.mktemp("followups"))


@pytest.fixture
def server() -> Iterator[BotApiServer]:
    with BotApiServer(token=TOKEN) as srv:
        yield srv


def _expected(env: Env, question: str) -> str:
    return env.answerer.answer(question, TODAY).text.split("\n")[1]


def test_a_reply_inherits_agency_time_and_document(env: Env, server: BotApiServer) -> None:
    async def body(app: Application) -> None:
        first = plain((await say(server, CHAT, "Sở Tài chính phải làm gì trong tháng 12/2026?"))[0])
        assert first.startswith("Hạn chót từ 1/12/2026 đến 31/12/2026") and "Sở Tài chính" in first
        answer_id = server.results(CHAT)[-1]["message_id"]

        later = plain((await say(server, CHAT, "còn tháng 1/2027 thì sao?", reply_to_bot_message_id=answer_id))[0])
        assert later.startswith("Hạn chót từ 1/1/2027 đến 31/1/2027")
        assert _expected(env, "Sở Tài chính phải làm gì trong tháng 1/2027?") in later
        bullets = [line for line in later.split("\n") if line.startswith("• ")]
        assert bullets and all("Sở Tài chính" in line for line in bullets)
        second_id = server.results(CHAT)[-1]["message_id"]

        other = plain((await say(server, CHAT, "còn Sở Kế hoạch và Đầu tư thì sao?",
                                 reply_to_bot_message_id=second_id))[0])  # the time of the reply chain
        assert other.startswith("Hạn chót từ 1/1/2027 đến 31/1/2027") and "Sở Kế hoạch và Đầu tư" in other

        alone = plain((await say(server, CHAT, "còn tháng 1/2027 thì sao?"))[0])  # not a reply: nothing inherited
        assert alone != later

        document = plain((await say(server, CHAT, "CV 1234 yêu cầu gì?"))[0])
        assert "1234/UBND-KT" in document
        doc_id = server.results(CHAT)[-1]["message_id"]
        finance = plain((await say(server, CHAT, "Sở Tài chính thì sao?", reply_to_bot_message_id=doc_id))[0])
        assert "Sở Tài chính" in finance and "1234/UBND-KT" in finance

    run_bot(settings_for(env, server), env.answerer, body)
    assert_clean(server)


def test_a_reply_in_a_group_inherits_too(env: Env, server: BotApiServer) -> None:
    async def body(app: Application) -> None:
        first = plain((await say(server, GROUP, "/hoi Sở Tài chính phải làm gì trong tháng 12/2026?"))[0])
        assert "Sở Tài chính" in first
        answer_id = server.results(GROUP)[-1]["message_id"]
        later = plain((await say(server, GROUP, "còn tháng 1/2027 thì sao?", reply_to_bot_message_id=answer_id))[0])
        assert later.startswith("Hạn chót từ 1/1/2027 đến 31/1/2027") and "Sở Tài chính" in later

    run_bot(settings_for(env, server), env.answerer, body)
    assert_clean(server)
