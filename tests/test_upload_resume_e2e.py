"""A bot killed during an upload: at the next start the stored-but-unindexed directive is indexed and
the admin's `⏳` message becomes the outcome; an upload that died before it was stored is reported
as lost, with nothing changed. The state a kill leaves is made by running the same library steps the
upload runs, stopped where the kill would stop them; then the real bot starts against the fake
Bot API server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from telegram.ext import Application

from bot import messages
from bot.chat.admin_handlers import UPLOAD_MARK
from bot.chat.telegram_app import post_init
from bot.library import _index_in_sync, ingest_bytes
from knowledge.store import FactStore
from tests.botapi_server import BotApiServer
from tests.test_bot_e2e import (
    ADMIN,
    TIMEOUT,
    TOKEN,
    Env,
    assert_clean,
    examples_env,
    plain,
    run_bot,
    settings_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")]

LATE = """ỦY BAN NHÂN DÂN
TỈNH SƠN HÀ
Số: 91/UBND-KT
Sơn Hà, ngày 21 tháng 11 năm 2026
V/v rà soát hồ sơ xã đạt chuẩn
Kính gửi: Sở Nông nghiệp và Môi trường.
Đề nghị Sở Nông nghiệp và Môi trường rà soát hồ sơ các xã đạt chuẩn, báo cáo UBND tỉnh trước ngày 18/12/2026.
"""


@pytest.fixture
def env(tmp_path: Path) -> Env:
    return examples_env(tmp_path / "data")


@pytest.fixture
def server() -> Iterator[BotApiServer]:
    with BotApiServer(token=TOKEN) as srv:
        yield srv


def _killed_during(env: Env, stored: bool) -> None:
    """What a kill leaves: the upload's mark in the bot's state, and the document stored but not indexed
    (`stored`) or not stored at all."""
    if stored:
        ingest_bytes(env.settings, "cv-91.txt", LATE.encode("utf-8"), index=False)
    mark = {"chat": ADMIN, "message": None, "name": "cv-91.txt"}
    env.settings.open_state().set_meta(UPLOAD_MARK, json.dumps(mark))


def test_a_stored_upload_is_indexed_at_start_and_the_admin_told(env: Env, server: BotApiServer) -> None:
    _killed_during(env, stored=True)
    assert not _index_in_sync(env.settings, FactStore(env.settings.db_path))

    async def body(app: Application) -> None:
        await post_init(app)  # what `directive-bot run` calls once the application starts
        await server.wait_for(lambda s: any("lập chỉ mục xong" in plain(p["text"]) for p in s.sent(ADMIN)),
                              timeout=TIMEOUT)

    run_bot(settings_for(env, server), env.answerer, body)
    assert_clean(server)
    assert _index_in_sync(env.settings, FactStore(env.settings.db_path))
    assert not env.settings.open_state().get_meta(UPLOAD_MARK)


def test_an_upload_lost_before_it_was_stored_is_reported(env: Env, server: BotApiServer) -> None:
    _killed_during(env, stored=False)
    documents = FactStore(env.settings.db_path).document_hashes()

    async def body(app: Application) -> None:
        await post_init(app)
        lost = messages.UPLOAD_LOST.format(name="cv-91.txt")
        await server.wait_for(lambda s: any(plain(p["text"]) == plain(lost) for p in s.sent(ADMIN)), timeout=TIMEOUT)

    run_bot(settings_for(env, server), env.answerer, body)
    assert FactStore(env.settings.db_path).document_hashes() == documents
