"""👍 / 👎 under answers, and the one-line reply the bot waits for after a 👎 (or after `✅ Đã xong`).

Waiting for a reply uses python-telegram-bot's `chat_data` (per chat, keyed by user) and handlers in
an earlier group: a waited-for text is taken there and ApplicationHandlerStop keeps it from being
answered as a question; any command cancels the wait; anything else flows on to the question
handlers untouched. A 👎 comment is the user's next message in that chat (or a reply to the prompt);
a note on a done duty only a reply to the bot's notice, so a group's next question is never
swallowed as a note.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop

from bot import messages
from bot.chat.chat_context import Context, services
from bot.chat.chat_io import reply
from bot.feedback import DOWN, UP
from bot.formatting import esc, shorten

FEEDBACK_CALLBACK = re.compile(r"^fb:(up|down):([A-Za-z0-9_-]{1,40})$")
FEEDBACK_KIND = "fb"
AWAIT_SECONDS = 15 * 60  # a comment typed much later is a new question, not an answer to the prompt
AWAITING = "awaiting"  # chat_data key: {user_id: Awaited}
TASK_CHARS = 120


@dataclass
class Awaited:
    """What a user's next text in this chat completes: a 👎 comment ("fb") or a done duty's note ("note")."""

    kind: str
    ref: str
    label: str
    until: float
    prompt_id: int | None = None
    replies_only: bool = False


def expect_reply(context: Context, user_id: int, awaited: Awaited) -> None:
    context.chat_data.setdefault(AWAITING, {})[user_id] = awaited


def _taken(context: Context, update: Update) -> Awaited | None:
    """The wait this message completes (removed from chat_data), or None."""
    message, user = update.effective_message, update.effective_user
    waits: dict[int, Awaited] = context.chat_data.get(AWAITING, {}) if context.chat_data is not None else {}
    if message is None or user is None or user.id not in waits:
        return None
    awaited = waits[user.id]
    if awaited.until < time.monotonic():
        del waits[user.id]
        return None
    replied_to = message.reply_to_message.message_id if message.reply_to_message is not None else None
    if awaited.replies_only and (replied_to is None or replied_to != awaited.prompt_id):
        return None
    del waits[user.id]
    return awaited


async def cancel_wait(update: Update, context: Context) -> None:
    """Any command ends a wait (and then runs as usual: this handler sits in an earlier group)."""
    user = update.effective_user
    if user is not None and context.chat_data is not None:
        context.chat_data.get(AWAITING, {}).pop(user.id, None)


async def take_reply(update: Update, context: Context) -> None:
    """Store a waited-for comment or note; other texts go on to the question handlers."""
    awaited = _taken(context, update)
    message, user = update.effective_message, update.effective_user
    if awaited is None or message is None or user is None or not (message.text or "").strip():
        return
    svc = services(context)
    text = message.text.strip()
    if awaited.kind.startswith("rv-"):  # a name or a due time for a review item (bot/chat/review_handlers.py)
        from bot.chat.review_handlers import take_review_reply

        await take_review_reply(update, context, awaited, text)
    elif awaited.kind == FEEDBACK_KIND:
        await asyncio.to_thread(svc.feedback.comment, awaited.ref, user.id, text)
        await reply(update, context, messages.FEEDBACK_COMMENT_SAVED)
    else:
        chat_id = update.effective_chat.id if update.effective_chat else None
        await asyncio.to_thread(svc.tracker.set_note, awaited.ref, text, by_id=user.id, by_name=user.full_name,
                                chat_id=chat_id)
        await reply(update, context, messages.DONE_NOTE_SAVED.format(task=esc(shorten(awaited.label, TASK_CHARS))))
    raise ApplicationHandlerStop


def without_buttons(message: Message | None, prefix: str) -> InlineKeyboardMarkup | None:
    """The message's keyboard less the buttons whose data starts with `prefix` (None when nothing is left)."""
    if message is None or message.reply_markup is None:
        return None
    rows = [[b for b in row if not str(b.callback_data or "").startswith(prefix)]
            for row in message.reply_markup.inline_keyboard]
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


async def on_feedback_button(update: Update, context: Context) -> None:
    """👍 / 👎: store the vote with the answer; a 👎 asks for an optional one-line comment."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    svc = services(context)
    match = FEEDBACK_CALLBACK.match(query.data or "")
    item = await asyncio.to_thread(svc.state.get_pending, match.group(2)) if match else None
    chat_id = query.message.chat.id if query.message is not None else None
    if match is None or item is None or item["kind"] != FEEDBACK_KIND or item["chat_id"] != chat_id:
        await query.answer(messages.CALLBACK_EXPIRED, show_alert=True)
        return
    answer_id = match.group(2)
    vote = UP if match.group(1) == "up" else DOWN
    await asyncio.to_thread(svc.feedback.vote, answer_id, user.id, item["chat_id"], vote, item["html"])
    await query.answer(messages.FEEDBACK_THANKS)
    message = query.message if isinstance(query.message, Message) else None
    if message is not None and message.reply_markup is not None:
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(without_buttons(message, "fb:"))
    if vote == DOWN:
        prompt = await reply(update, context, messages.FEEDBACK_ASK_COMMENT)
        expect_reply(context, user.id, Awaited(FEEDBACK_KIND, answer_id, "", time.monotonic() + AWAIT_SECONDS,
                                               prompt.message_id if prompt else None))

