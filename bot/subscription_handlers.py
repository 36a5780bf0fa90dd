"""Handlers for following an agency: /theodoi, /huytheodoi and the /lich calendar file.

Every store and state call is a SQLite read or write, so it runs in a worker thread: an ingest
holding the write lock must never freeze the other chats.
"""

from __future__ import annotations

import asyncio
import io
import re

from telegram import InputFile, Update
from telegram.constants import ParseMode

from bot import messages
from bot.answering import ECHO_CHARS
from bot.calendar_export import build_calendar
from bot.chat_context import Context, services
from bot.chat_io import allowed, command_arg, reply, thread_id
from bot.formatting import esc, shorten
from bot.reminders import agency_ids
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


async def cmd_subscribe(update: Update, context: Context) -> None:
    svc = services(context)
    chat = update.effective_chat
    assert chat is not None
    found, agency = await _agency_argument(update, context)
    if not found:
        return
    await asyncio.to_thread(svc.state.subscribe, chat.id, agency)
    when = svc.settings.reminder_time.strftime("%H:%M")
    if agency:
        text = messages.SUBSCRIBED_AGENCY.format(agency=esc(agency), time=when)
    else:
        text = messages.SUBSCRIBED_ALL.format(time=when)
    await reply(update, context, text)


async def cmd_unsubscribe(update: Update, context: Context) -> None:
    chat = update.effective_chat
    assert chat is not None
    removed = await asyncio.to_thread(services(context).state.unsubscribe, chat.id)
    await reply(update, context, messages.UNSUBSCRIBED if removed else messages.NOT_SUBSCRIBED)
