"""Handlers for questions: free text in private chats, mentions in groups, /hoi and the query commands.

Answering is CPU-bound, so it runs in a worker thread while `concurrent_updates` keeps other chats
served; storing the texts behind the buttons is a SQLite write, so it runs off the loop too.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot import messages
from bot.answering.followups import Followup, from_dict
from bot.answering.planner import Answer
from bot.chat.chat_context import BotServices, Context, services
from bot.chat.chat_io import allowed, command_arg, mention, reply, send_html, typing
from bot.chat.feedback_handlers import FEEDBACK_KIND
from bot.feedback import answer_record
from bot.formatting import answer_html, citations_html, more_html

# Buttons under an answer: "more" items past the first screen, "src" whole quotes.
ANSWER_CALLBACK = re.compile(r"^(more|src):([A-Za-z0-9_-]{1,40})$")
FOLLOWUPS_KEY = "followups"  # chat_data: {answer message id: the answered question's parts (Followup.as_dict)}
MAX_FOLLOWUPS = 50


def _keyboard(svc: BotServices, chat_id: int, answer: Answer) -> InlineKeyboardMarkup:
    """"Thêm" for further results and "Xem nguồn" for whole quotes; texts wait in SQLite under a short id.

    A second row has 👍 / 👎: the answer itself waits behind their id, so a vote is stored with it.
    """
    buttons = []
    if answer.more.strip():
        pid = svc.state.put_pending(chat_id, "more", more_html(answer.more))
        buttons.append(InlineKeyboardButton(messages.BUTTON_MORE, callback_data=f"more:{pid}"))
    if answer.citations:
        pid = svc.state.put_pending(chat_id, "src", citations_html(answer.citations, full=True))
        buttons.append(InlineKeyboardButton(messages.BUTTON_SOURCES, callback_data=f"src:{pid}"))
    fid = svc.state.put_pending(chat_id, FEEDBACK_KIND, answer_record(answer))
    votes = [InlineKeyboardButton(messages.BUTTON_UP, callback_data=f"fb:up:{fid}"),
             InlineKeyboardButton(messages.BUTTON_DOWN, callback_data=f"fb:down:{fid}")]
    return InlineKeyboardMarkup([buttons, votes] if buttons else [votes])


async def answer_with(update: Update, context: Context, call: Callable[[], Answer]) -> Message | None:
    """Rate-limit, run the answerer in a worker thread, reply with HTML and buttons; the reply sent."""
    if not await allowed(update, context):
        return None
    await typing(update, context)
    svc = services(context)
    chat = update.effective_chat
    assert chat is not None

    def work() -> tuple[Answer, InlineKeyboardMarkup]:
        answer = call()
        return answer, _keyboard(svc, chat.id, answer)

    answer, markup = await asyncio.to_thread(work)
    return await reply(update, context, answer_html(answer), markup=markup)


def replied_context(update: Update, context: Context) -> Followup | None:
    """The parts of the question whose answer this message replies to (None: not a reply to a kept answer)."""
    message = update.effective_message
    replied = message.reply_to_message if message is not None else None
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return None
    kept = context.chat_data.get(FOLLOWUPS_KEY, {}) if context.chat_data is not None else {}
    return from_dict(kept.get(replied.message_id))


def remember(context: Context, message: Message | None, parts: Followup) -> None:
    """Keep the answered question's parts under the answer's message id, the newest MAX_FOLLOWUPS per chat."""
    if message is None or context.chat_data is None:
        return
    kept: dict[int, dict[str, Any]] = context.chat_data.setdefault(FOLLOWUPS_KEY, {})
    kept[message.message_id] = parts.as_dict()
    while len(kept) > MAX_FOLLOWUPS:
        kept.pop(next(iter(kept)))


async def ask(update: Update, context: Context, question: str) -> None:
    """Answer a question; a reply to an earlier answer inherits what it leaves out (bot.answering.followups)."""
    svc = services(context)
    today = svc.settings.today()
    inherited = replied_context(update, context)
    holder: list[Followup] = []

    def call() -> Answer:
        if hasattr(svc.answerer, "parse"):
            holder.append(Followup.of(svc.answerer.parse(question, today, inherited)))
        if inherited is None:
            return svc.answerer.answer(question, today)
        return svc.answerer.answer(question, today, inherited)

    sent = await answer_with(update, context, call)
    if holder:
        remember(context, sent, holder[0])


async def cmd_start(update: Update, context: Context) -> None:
    await reply(update, context, messages.START)


async def cmd_help(update: Update, context: Context) -> None:
    await reply(update, context, messages.HELP.format(mention=mention(context)))


async def cmd_ask(update: Update, context: Context) -> None:
    question = command_arg(update)
    if not question:
        await reply(update, context, messages.ASK_USAGE)
        return
    await ask(update, context, question)


def query_command(method: str, *, needs_arg: bool = False) -> Callable[[Update, Context], Any]:
    """Handler for /hanchot, /quahan, /muctieu, /coquan: the argument goes to Answerer.<method>."""

    async def handler(update: Update, context: Context) -> None:
        svc = services(context)
        arg = command_arg(update)
        if needs_arg and not arg:
            await reply(update, context, messages.AGENCY_USAGE)
            return
        func = getattr(svc.answerer, method)
        await answer_with(update, context, lambda: func(arg, svc.settings.today()))

    handler.__name__ = f"cmd_{method}"
    return handler


async def cmd_documents(update: Update, context: Context) -> None:
    await answer_with(update, context, services(context).answerer.documents)


async def cmd_unknown(update: Update, context: Context) -> None:
    await reply(update, context, messages.UNKNOWN_COMMAND)


async def on_private_text(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is not None and message.text and message.text.strip():
        await ask(update, context, message.text.strip())


def addressed_text(message: Message, bot_id: int, username: str) -> str | None:
    """The question in a group message, or None when the message is not for the bot.

    For the bot: it mentions @username (entity or plain text) or replies to one of the bot's messages.
    """
    text = message.text or ""
    pattern = re.compile(rf"(?<![\w@])@{re.escape(username)}(?!\w)", re.IGNORECASE)
    mentioned = bool(username) and pattern.search(text) is not None
    mentioned = mentioned or any(
        e.type == "text_mention" and e.user is not None and e.user.id == bot_id for e in message.entities
    )
    replied = message.reply_to_message is not None and (
        message.reply_to_message.from_user is not None and message.reply_to_message.from_user.id == bot_id
    )
    if not (mentioned or replied):
        return None
    return " ".join(pattern.sub(" ", text).split()) if username else text.strip()


async def on_group_text(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None:
        return
    question = addressed_text(message, context.bot.id, context.bot.username or "")
    if question is None:
        return
    if not question:
        await reply(update, context, messages.ASK_EMPTY_MENTION.format(mention=mention(context)))
        return
    await ask(update, context, question)


async def on_answer_button(update: Update, context: Context) -> None:
    """"Thêm" / "Xem nguồn": send the stored text once and take the pressed button away."""
    query = update.callback_query
    if query is None:
        return
    svc = services(context)
    match = ANSWER_CALLBACK.match(query.data or "")
    item = await asyncio.to_thread(svc.state.get_pending, match.group(2)) if match else None
    chat_id = query.message.chat.id if query.message is not None else None
    if item is None or match is None or item["kind"] != match.group(1) or item["chat_id"] != chat_id:
        await query.answer(messages.CALLBACK_EXPIRED, show_alert=True)
        return
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    if message is not None and message.reply_markup is not None:
        rows = [[b for b in row if b.callback_data != query.data] for row in message.reply_markup.inline_keyboard]
        rows = [row for row in rows if row]
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(InlineKeyboardMarkup(rows) if rows else None)
    await send_html(context, chat_id, item["html"], reply_to=message)


async def on_stale_button(update: Update, context: Context) -> None:
    """A button no handler knows (an older version's, or forged data): say it has expired."""
    if update.callback_query is not None:
        await update.callback_query.answer(messages.CALLBACK_EXPIRED, show_alert=True)
