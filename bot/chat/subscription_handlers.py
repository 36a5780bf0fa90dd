"""Handlers for following an agency: /theodoi, /huytheodoi and the /lich calendar file.

Who subscribed a chat is recorded: a bot admin naming one agency links the chat to that agency (its
members may then mark the agency's duties done and read its report, bot/chat/tracking_handlers.py); anyone
else's subscription only brings reminders and notices. In a group, a subscription is cancelled or
changed only by the member who made it, a group admin (Telegram is asked each time) or a bot admin,
so one member cannot silence the group or undo an admin's link; in a private chat the user decides.
Every store and state call is a SQLite read or write, so it runs in a worker thread: an ingest
holding the write lock must never freeze the other chats.
"""

from __future__ import annotations

import asyncio
import io
import re
from typing import Any

from telegram import InputFile, Update
from telegram.constants import ChatType, ParseMode

from bot import messages
from bot.answering.planner import ECHO_CHARS
from bot.chat.chat_context import Context, is_admin, is_group_admin, services
from bot.chat.chat_io import allowed, command_arg, reply, thread_id
from bot.formatting import esc, shorten
from bot.tracking.calendar_export import build_calendar
from bot.tracking.reminders import agency_ids
from knowledge.agencies import agency_key


async def resolve_agency(update: Update, context: Context, arg: str) -> str | None:
    """Canonical agency for the user's wording, or a reply saying it is unknown (then None)."""
    name = await asyncio.to_thread(services(context).answerer.resolve_agency, arg)
    if name is None:
        await reply(update, context, messages.AGENCY_NOT_FOUND.format(query=esc(shorten(arg, ECHO_CHARS))))
    return name


async def _agency_argument(update: Update, context: Context) -> tuple[bool, str | None]:
    """(usable, agency): no argument means every agency; an unknown one was answered (usable False)."""
    arg = command_arg(update)
    if not arg:
        return True, None
    agency = await resolve_agency(update, context, arg)
    return agency is not None, agency


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", agency_key(text)).strip("-")[:40] or "co-quan"


async def cmd_calendar(update: Update, context: Context) -> None:
    svc = services(context)
    if not await allowed(update, context):
        return
    found, agency = await _agency_argument(update, context)
    if not found:
        return
    scope = messages.CALENDAR_SCOPE.format(agency=esc(agency)) if agency else ""

    def build() -> tuple[bytes, int]:
        ids = agency_ids(svc.store, agency)
        rows = svc.store.deadlines(agency_ids=ids) if ids != [] else []
        name = messages.CALENDAR_NAME_AGENCY.format(agency=agency) if agency else messages.CALENDAR_NAME
        return build_calendar(rows, svc.settings.today(), name=name)

    data, count = await asyncio.to_thread(build)
    if count == 0:
        await reply(update, context, messages.CALENDAR_EMPTY.format(scope=scope))
        return
    chat = update.effective_chat
    assert chat is not None
    filename = f"han-chot-{slug(agency)}.ics" if agency else "han-chot.ics"
    await context.bot.send_document(
        chat.id,
        InputFile(io.BytesIO(data), filename=filename),
        caption=messages.CALENDAR_CAPTION.format(count=count, scope=scope),
        parse_mode=ParseMode.HTML,
        message_thread_id=thread_id(update.effective_message),
    )


def _same_agency(a: str | None, b: str | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and agency_key(a) == agency_key(b))


async def may_manage(update: Update, context: Context, sub: dict[str, Any]) -> bool:
    """Whether the sender may cancel or change the chat's subscription `sub` (see the module docstring)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is not None and chat.type == ChatType.PRIVATE:
        return True
    if is_admin(context, update):
        return True
    if user is not None and sub.get("subscribed_by") == user.id:
        return True
    return await is_group_admin(context, update)


def _subscribed_text(update: Update, context: Context, agency: str | None, linked: bool) -> str:
    when = services(context).settings.reminder_time.strftime("%H:%M")
    if not agency:
        return messages.SUBSCRIBED_ALL.format(time=when)
    text = messages.SUBSCRIBED_AGENCY.format(agency=esc(agency), time=when)
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return text  # nobody but the user marks there: the user is an admin or no link can help
    hint = messages.SUBSCRIBED_LINKED.format(agency=esc(agency)) if linked else messages.SUBSCRIBED_NOT_LINKED
    return f"{text}\n{hint}"


async def cmd_subscribe(update: Update, context: Context) -> None:
    """/theodoi [cơ quan]: reminders for the chat; by a bot admin for one agency, also the chat's link to it.

    The same agency again changes nothing (a member repeating it keeps the admin's link); another agency
    replaces the subscription, and its link, only for those who may cancel it."""
    svc = services(context)
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None
    found, agency = await _agency_argument(update, context)
    if not found:
        return
    admin = is_admin(context, update)
    current = await asyncio.to_thread(svc.state.subscription, chat.id)
    upgrade = admin and agency is not None and not (current or {}).get("linked")  # an admin links it
    if current is not None and _same_agency(current.get("agency"), agency) and not upgrade:  # nothing changes
        await reply(update, context, _subscribed_text(update, context, agency, bool(current.get("linked"))))
        return
    if current is not None and not await may_manage(update, context, current):
        old = current.get("agency")
        scope = (messages.SUBSCRIPTION_SCOPE_AGENCY.format(agency=esc(old)) if old
                 else messages.SUBSCRIPTION_SCOPE_ALL)
        await reply(update, context, messages.SUBSCRIPTION_CHANGE_NOT_ALLOWED.format(scope=scope))
        return
    linked = admin and agency is not None
    await asyncio.to_thread(svc.state.subscribe, chat.id, agency, by=user.id if user else None, linked=linked)
    await reply(update, context, _subscribed_text(update, context, agency, linked))


async def cmd_unsubscribe(update: Update, context: Context) -> None:
    """/huytheodoi: stop the chat's reminders (in a group: the subscriber, a group admin or a bot admin)."""
    svc = services(context)
    chat = update.effective_chat
    assert chat is not None
    sub = await asyncio.to_thread(svc.state.subscription, chat.id)
    if sub is None:
        await reply(update, context, messages.NOT_SUBSCRIBED)
        return
    if not await may_manage(update, context, sub):
        await reply(update, context, messages.UNSUBSCRIBE_NOT_ALLOWED)
        return
    removed = await asyncio.to_thread(svc.state.unsubscribe, chat.id)
    await reply(update, context, messages.UNSUBSCRIBED if removed else messages.NOT_SUBSCRIBED)
