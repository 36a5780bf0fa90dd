"""Sending to a chat: HTML split under Telegram's limit, replies in the right topic, the typing hint."""

from __future__ import annotations

import contextlib
from typing import Any

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import TelegramError

from bot import messages
from bot.chat.chat_context import Context, services
from bot.formatting import MAX_MESSAGE, esc, split_html

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def command_arg(update: Update) -> str:
    """Everything after the command (keeps the user's spacing; `/hoi@bot câu hỏi` works too)."""
    message = update.effective_message
    if message is None:
        return ""
    parts = (message.text or message.caption or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) == 2 else ""


def thread_id(message: Message | None) -> int | None:
    return message.message_thread_id if message is not None and message.is_topic_message else None


def mention(context: Context) -> str:
    return esc(f"@{context.bot.username}")


async def send_html(
    context: Context,
    chat_id: int,
    html: str,
    *,
    reply_to: Message | None = None,
    markup: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """Send HTML split under Telegram's limit; the keyboard goes on the last part. Returns the last message."""
    last = None
    chunks = split_html(html)
    for index, chunk in enumerate(chunks):
        reply = None
        if reply_to is not None and index == 0 and reply_to.chat.type != ChatType.PRIVATE:
            reply = ReplyParameters(reply_to.message_id, allow_sending_without_reply=True)
        last = await context.bot.send_message(
            chat_id,
            chunk,
            parse_mode=ParseMode.HTML,
            link_preview_options=_NO_PREVIEW,
            reply_parameters=reply,
            message_thread_id=thread_id(reply_to),
            reply_markup=markup if index == len(chunks) - 1 else None,
        )
    return last


async def reply(update: Update, context: Context, html: str, **kwargs: Any) -> Message | None:
    chat = update.effective_chat
    if chat is None:
        return None
    return await send_html(context, chat.id, html, reply_to=update.effective_message, **kwargs)


async def edit_or_reply(
    update: Update, context: Context, message: Message | None, html: str, **kwargs: Any
) -> Message | None:
    """Replace a progress message's text; a new reply when there is none or it cannot be edited."""
    if message is not None and len(html) <= MAX_MESSAGE:
        with contextlib.suppress(TelegramError):
            edited = await message.edit_text(html, parse_mode=ParseMode.HTML, link_preview_options=_NO_PREVIEW,
                                             **kwargs)
            return edited if isinstance(edited, Message) else message
    return await reply(update, context, html, **kwargs)


async def typing(update: Update, context: Context) -> None:
    chat = update.effective_chat
    if chat is not None:
        with contextlib.suppress(TelegramError):
            await context.bot.send_chat_action(
                chat.id, ChatAction.TYPING, message_thread_id=thread_id(update.effective_message)
            )


async def allowed(update: Update, context: Context) -> bool:
    """Per-user question rate limit; a question over the limit is not answered but always gets a reply.

    Why every one: silence reads as a broken bot (a probe sent 30 questions and got nothing for 9), and
    the user then asks again. The first refusal in a window carries the whole notice (the limit and the
    wait); each further one a single short line saying that question was not answered and when to send
    it again. Replies stay bounded by what the user sends, and Telegram's own flood limits are kept by
    the application's rate limiter (bot.chat.telegram_retry).
    """
    svc = services(context)
    user = update.effective_user
    if user is None:
        return True
    ok, wait, tell = svc.limiter.hit(user.id)
    if not ok:
        seconds = int(wait + 0.999)
        text = (messages.RATE_LIMITED.format(limit=svc.settings.questions_per_minute, seconds=seconds) if tell
                else messages.RATE_LIMITED_AGAIN.format(seconds=seconds))
        await reply(update, context, text)
    return ok
