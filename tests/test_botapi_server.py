"""Tests of the fake Bot API server itself, driven by a real python-telegram-bot Bot.

Why: end-to-end bot tests are only as good as the fake they run against, so its wire compatibility with
PTB and its Telegram-like rejections are pinned down here.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, RetryAfter, TimedOut
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

try:
    from tests.botapi_server import BOT_ID, BotApiServer, parse_html
except ImportError:
    from botapi_server import BOT_ID, BotApiServer, parse_html

TOKEN = "123456:TEST-fake-token"
T = TypeVar("T")


@pytest.fixture
def server() -> Iterator[BotApiServer]:
    with BotApiServer() as srv:
        yield srv


def run_with_bot(server: BotApiServer, body: Callable[[Bot], Awaitable[T]]) -> T:
    """Run `body(bot)` in a fresh event loop, as a sync test would."""

    async def main() -> T:
        async with Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url) as bot:
            return await body(bot)

    return asyncio.run(main())


def test_get_me(server: BotApiServer) -> None:
    me = run_with_bot(server, lambda bot: bot.get_me())
    assert me.id == BOT_ID
    assert me.username == "chithi_bot"
    assert me.is_bot and me.can_join_groups and not me.can_read_all_group_messages
    assert me.first_name == "Chỉ thị bot"
    assert server.requests[0]["method"] == "getMe"
    assert server.requests[0]["token"] == TOKEN


def test_send_message_is_recorded_with_decoded_params(server: BotApiServer) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Xem", callback_data="view:1")]])

    async def body(bot: Bot) -> Any:
        first = await bot.send_message(
            42, "<b>Chỉ thị</b> số 1 &amp; 2", parse_mode="HTML", reply_markup=keyboard
        )
        reply = await bot.send_message(42, "trả lời", reply_to_message_id=first.message_id)
        group = await bot.send_message(-1001, "nhóm")
        return first, reply, group

    first, reply, group = run_with_bot(server, body)
    assert first.text == "Chỉ thị số 1 & 2"
    assert first.chat.type == "private" and first.from_user.id == BOT_ID
    assert first.entities[0].type == "bold" and first.entities[0].length == len("Chỉ thị")
    assert first.reply_markup.inline_keyboard[0][0].callback_data == "view:1"
    assert reply.reply_to_message.message_id == first.message_id
    assert group.chat.type == "supergroup"

    params = server.sent(chat_id=42)[0]
    assert params["chat_id"] == 42
    assert params["parse_mode"] == "HTML"
    assert params["reply_markup"] == {"inline_keyboard": [[{"text": "Xem", "callback_data": "view:1"}]]}
    assert server.texts() == ["<b>Chỉ thị</b> số 1 &amp; 2", "trả lời", "nhóm"]


def test_reply_to_unknown_message_is_rejected(server: BotApiServer) -> None:
    with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
        run_with_bot(server, lambda bot: bot.send_message(42, "x", reply_to_message_id=777))


def test_too_long_and_empty_text_rejected(server: BotApiServer) -> None:
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        run_with_bot(server, lambda bot: bot.send_message(42, "a" * 4097))
    with pytest.raises(BadRequest, match="(?i)text is empty"):
        run_with_bot(server, lambda bot: bot.send_message(42, "   "))
    run_with_bot(server, lambda bot: bot.send_message(42, "a" * 4096))
    assert [r["status"] for r in server.requests if r["method"] == "sendMessage"] == [400, 400, 200]
    assert len(server.rejected) == 2
    assert len(server.sent(42)) == 1


def test_length_counts_text_after_html_parsing(server: BotApiServer) -> None:
    message = run_with_bot(
        server, lambda bot: bot.send_message(42, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    )
    assert len(message.text) == 4096


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("<foo>x</foo>", 'Unsupported start tag "foo"'),
        ("<b>x", "Can't find end tag"),
        ("<b>x</i>", "Unmatched end tag"),
        ("a < b", "Unsupported start tag"),
        ("AT&T", '"&"'),
        ("x</b>", "Unexpected end tag"),
        ('<span class="other">x</span>', "tg-spoiler"),
        ("<b", "Unclosed start tag"),
    ],
)
def test_invalid_html_rejected(server: BotApiServer, text: str, fragment: str) -> None:
    with pytest.raises(BadRequest, match="(?i)can't parse entities") as info:
        run_with_bot(server, lambda bot: bot.send_message(42, text, parse_mode="HTML"))
    assert fragment.lower() in str(info.value).lower()
    assert server.rejected[-1]["params"]["text"] == text


def test_valid_html_accepted_with_entities() -> None:
    text = (
        '&lt;1&gt; &quot;q&quot; &#39;s&#x27; <a href="https://x.vn/?a=1&b=2">link</a> '
        '<span class="tg-spoiler">s</span> <tg-spoiler>t</tg-spoiler> <blockquote expandable>q</blockquote> '
        '<pre><code class="language-python">print(1)</code></pre> a > b'
    )
    plain, entities = parse_html(text)
    assert plain.startswith("<1> \"q\" 's' link s t q print(1) a > b")
    kinds = {e["type"]: e for e in entities}
    assert kinds["text_link"]["url"] == "https://x.vn/?a=1&b=2"
    assert kinds["pre"]["language"] == "python"
    assert {"spoiler", "expandable_blockquote"} <= set(kinds)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_retry_after_fault(server: BotApiServer) -> None:
    server.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter, match="(?i)Retry in 7"):
        run_with_bot(server, lambda bot: bot.send_message(42, "x"))
    run_with_bot(server, lambda bot: bot.send_message(42, "x"))
    failed = server.rejected[-1]
    assert failed["status"] == 429 and failed["description"] == "Too Many Requests: retry after 7"
    assert len(server.sent(42)) == 1


def test_fault_only_for_given_chat_and_count(server: BotApiServer) -> None:
    server.fail_next("sendMessage", 400, description="Bad Request: chat not found", count=2, chat_id=7)

    async def body(bot: Bot) -> list[str]:
        outcomes = []
        for chat in (8, 7, 7, 7):
            try:
                await bot.send_message(chat, "x")
                outcomes.append("ok")
            except BadRequest as exc:
                outcomes.append(exc.message)
        return outcomes

    assert run_with_bot(server, body) == ["ok", "Chat not found", "Chat not found", "ok"]


def test_blocked_chat_is_forbidden(server: BotApiServer) -> None:
    server.block_chat(42)
    with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
        run_with_bot(server, lambda bot: bot.send_message(42, "x"))
    with pytest.raises(Forbidden):
        run_with_bot(server, lambda bot: bot.send_chat_action(42, "typing"))
    run_with_bot(server, lambda bot: bot.send_message(43, "x"))
    server.unblock_chat(42)
    run_with_bot(server, lambda bot: bot.send_message(42, "x"))
    assert [r["status"] for r in server.requests if r["method"] != "getMe"] == [403, 403, 200, 200]


def test_hang_makes_client_time_out(server: BotApiServer) -> None:
    server.hang_next("sendMessage", 2.0)
    with pytest.raises(TimedOut):
        run_with_bot(server, lambda bot: bot.send_message(42, "chậm", read_timeout=0.3))
    # Like Telegram, the slow request is still carried out after the client gave up.
    assert server.wait_for(lambda s: s.texts(42)) == ["chậm"]


def test_get_file_download_round_trip(server: BotApiServer) -> None:
    payload = "Công văn số 12/UBND — nội dung".encode()
    server.add_file("file-1", payload, file_path="documents/cong van.txt")

    async def body(bot: Bot) -> tuple[Any, bytearray]:
        tg_file = await bot.get_file("file-1")
        return tg_file, await tg_file.download_as_bytearray()

    tg_file, data = run_with_bot(server, body)
    assert bytes(data) == payload
    assert tg_file.file_size == len(payload)
    assert server.downloads == ["documents/cong van.txt"]
    with pytest.raises(BadRequest, match="(?i)invalid file_id"):
        run_with_bot(server, lambda bot: bot.get_file("nope"))


def test_get_updates_returns_pushed_command_and_honours_offset(server: BotApiServer) -> None:
    first = server.push_message(42, "/start@chithi_bot hỏi @chithi_bot")
    second = server.push_message(-100500, "chào", user_id=5, reply_to_bot_message_id=3)

    async def body(bot: Bot) -> tuple[tuple[Update, ...], tuple[Update, ...]]:
        updates = await bot.get_updates(timeout=0)
        after = await bot.get_updates(offset=updates[0].update_id + 1, timeout=0)
        return updates, after

    updates, after = run_with_bot(server, body)
    assert [u.update_id for u in updates] == [first, second]
    message = updates[0].message
    assert message.chat.type == "private" and message.from_user.id == 42
    assert message.entities[0].type == "bot_command" and message.entities[0].length == len(
        "/start@chithi_bot"
    )
    assert message.entities[1].type == "mention"
    assert message.text[message.entities[1].offset :].startswith("@chithi_bot")
    assert [u.update_id for u in after] == [second]
    group_message = after[0].message
    assert group_message.chat.type == "supergroup" and group_message.from_user.id == 5
    assert group_message.reply_to_message.from_user.id == BOT_ID
    assert [u["update_id"] for u in server.pending_updates] == [second]


def test_long_poll_wakes_on_push_from_other_thread() -> None:
    with BotApiServer(long_poll_cap=5.0) as server:
        threading.Timer(0.2, server.push_message, args=(42, "muộn")).start()
        started = time.monotonic()
        updates = run_with_bot(server, lambda bot: bot.get_updates(timeout=5, read_timeout=10))
        assert time.monotonic() - started < 2.5
        assert updates[0].message.text == "muộn"


def test_document_and_callback_updates(server: BotApiServer) -> None:
    server.push_document(42, None, "bao cao.pdf", b"%PDF-1.4 fake", caption="báo cáo")

    async def body(bot: Bot) -> tuple[bytearray, Any]:
        (update,) = await bot.get_updates()
        document = update.message.document
        data = await (await document.get_file()).download_as_bytearray()
        sent = await bot.send_message(
            42,
            "Chọn",
            reply_markup=InlineKeyboardMarkup.from_button(InlineKeyboardButton("OK", callback_data="ok")),
        )
        server.push_callback(42, 42, "ok", sent.message_id)
        (press,) = await bot.get_updates(offset=update.update_id + 1)
        await press.callback_query.answer("Đã nhận")
        edited = await press.callback_query.edit_message_text("Đã chọn")
        return data, (document, press, edited)

    data, (document, press, edited) = run_with_bot(server, body)
    assert bytes(data) == b"%PDF-1.4 fake"
    assert document.file_name == "bao cao.pdf" and document.mime_type == "application/pdf"
    assert press.callback_query.data == "ok" and press.callback_query.message.text == "Chọn"
    assert edited.text == "Đã chọn" and edited.edit_date is not None
    assert server.sent(method="answerCallbackQuery")[0]["text"] == "Đã nhận"


def test_edit_not_modified_and_callback_id_checked(server: BotApiServer) -> None:
    async def body(bot: Bot) -> None:
        sent = await bot.send_message(42, "giống")
        with pytest.raises(BadRequest, match="(?i)message is not modified"):
            await bot.edit_message_text("giống", chat_id=42, message_id=sent.message_id)
        with pytest.raises(BadRequest, match="(?i)query is too old"):
            await bot.answer_callback_query("123")
        with pytest.raises(BadRequest, match="(?i)Button_data_invalid"):
            await bot.send_message(
                42,
                "x",
                reply_markup=InlineKeyboardMarkup.from_button(
                    InlineKeyboardButton("x", callback_data="d" * 65)
                ),
            )

    run_with_bot(server, body)


def test_send_document_upload_recorded(server: BotApiServer) -> None:
    async def body(bot: Bot) -> Any:
        return await bot.send_document(
            42, b"noi dung", filename="ket_qua.txt", caption="<i>Kết quả</i>", parse_mode="HTML"
        )

    message = run_with_bot(server, body)
    (params,) = server.sent(42, method="sendDocument")
    assert params["document"]["filename"] == "ket_qua.txt"
    assert params["document"]["data"] == b"noi dung"
    assert message.caption == "Kết quả" and message.document.file_name == "ket_qua.txt"


def test_commands_and_webhook(server: BotApiServer) -> None:
    async def body(bot: Bot) -> Any:
        await bot.set_my_commands([("start", "Bắt đầu"), ("help", "Trợ giúp")])
        with pytest.raises(BadRequest, match="(?i)Bot_command_invalid"):
            await bot.set_my_commands([("Start", "x")])
        commands = await bot.get_my_commands()
        await bot.set_webhook("https://example.org/hook")
        with pytest.raises(Conflict):
            await bot.get_updates()
        await bot.delete_webhook()
        info = await bot.get_webhook_info()
        return commands, info

    commands, info = run_with_bot(server, body)
    assert [c.command for c in commands] == ["start", "help"]
    assert server.commands_calls == [
        {
            "commands": [
                {"command": "start", "description": "Bắt đầu"},
                {"command": "help", "description": "Trợ giúp"},
            ],
            "scope": None,
            "language_code": "",
        }
    ]
    assert info.url == "" and server.webhook_url == ""


def test_wait_for_timeout_has_dump(server: BotApiServer) -> None:
    run_with_bot(server, lambda bot: bot.send_message(42, "đã gửi"))
    with pytest.raises(TimeoutError, match="(?i)đã gửi"):
        server.wait_for(lambda s: s.texts(43)[0], timeout=0.1)


def test_wait_for_from_sync_code_while_bot_runs_in_thread(server: BotApiServer) -> None:
    worker = threading.Thread(target=run_with_bot, args=(server, lambda bot: bot.send_message(5, "nền")))
    worker.start()
    assert server.wait_for(lambda s: s.texts(5), timeout=10) == ["nền"]
    worker.join(10)


def test_application_polling_end_to_end(server: BotApiServer) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(
            f"<b>Xin chào</b> {update.effective_user.first_name}", parse_mode="HTML"
        )

    async def main() -> None:
        app = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(server.base_url)
            .base_file_url(server.base_file_url)
            .build()
        )
        app.add_handler(CommandHandler("start", start))
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            server.push_message(42, "/start", first_name="Lan")
            await server.wait_for(lambda s: s.sent(chat_id=42), timeout=10)
            await app.updater.stop()
            await app.stop()

    asyncio.run(main())
    assert server.texts(42) == ["<b>Xin chào</b> Lan"]
    assert server.pending_updates == []
