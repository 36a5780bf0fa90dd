"""Admin handlers: uploads of directives (with confirmation before a replacement) and /reindex.

A file that is the same directive as a stored one, a new version of it, or no directive at all is
not written at once: it waits in the bot state (table parked_uploads) and the admin answers with a button
(`Thay thế` / `Vẫn lưu` / `Hủy`). Ingest and index work runs in worker threads under the write lock.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import logging
import re
import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot import messages
from bot.chat.chat_context import BotServices, Context, is_admin, services
from bot.chat.chat_io import edit_or_reply, reply, send_html
from bot.chat.notices import confirmation_question, plan_notifications, stored_label, upload_summary
from bot.config import Settings
from bot.formatting import esc
from bot.library import (
    DUPLICATE,
    NEW_VERSION,
    UNCHANGED,
    IngestReport,
    RejectedFile,
    finish_interrupted,
    ingest_bytes,
    reindex,
)
from bot.state import BotState
from bot.tracking.reminders import deliver

log = logging.getLogger(__name__)

UPLOAD_CALLBACK = re.compile(r"^up:(replace|force|cancel):([A-Za-z0-9_-]{1,40})$")
UPLOAD_KEEP_SECONDS = 2 * 24 * 3600  # an unanswered confirmation: long enough for a weekend


# ---------------------------------------------------------------------------------------- waiting files


def _park(svc: BotServices, chat_id: int, name: str, data: bytes) -> str:
    """Keep an upload until the admin confirms (in the bot state: any front end can take it back)."""
    return svc.state.park_upload(chat_id, name, data)


def _unpark(svc: BotServices, token: str, chat_id: int) -> tuple[str, bytes] | None:
    """The waiting upload of this chat with this token, removed; None when gone."""
    return svc.state.take_upload(chat_id, token)


def prune_inbox(state: BotState) -> int:
    """Forget unanswered uploads older than UPLOAD_KEEP_SECONDS (their buttons then say "expired")."""
    return state.prune_uploads(UPLOAD_KEEP_SECONDS)


def _buttons(kind: str, token: str) -> InlineKeyboardMarkup:
    label = messages.BUTTON_STORE_ANYWAY if kind == "force" else messages.BUTTON_REPLACE
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(label, callback_data=f"up:{kind}:{token}"),
        InlineKeyboardButton(messages.BUTTON_CANCEL, callback_data=f"up:cancel:{token}"),
    ]])


# ---------------------------------------------------------------------------------------- storing


class _PageProgress:
    """Edits the "received" message as OCR reads pages (`trang 3/12…`).

    OCR calls it from the worker thread; each edit is scheduled on the event loop, and `settle()`
    waits for them, so a late page edit never overwrites the summary that follows.
    """

    def __init__(self, message: Message | None, name: str) -> None:
        self._message = message
        self._name = name
        self._loop = asyncio.get_running_loop()
        self._pending: list[concurrent.futures.Future[None]] = []

    async def _edit(self, done: int, total: int) -> None:
        assert self._message is not None
        with contextlib.suppress(TelegramError):
            await self._message.edit_text(messages.UPLOAD_PROGRESS.format(name=esc(self._name), done=done,
                                                                          total=total), parse_mode=ParseMode.HTML)

    def __call__(self, done: int, total: int) -> None:
        if self._message is not None:
            self._pending.append(asyncio.run_coroutine_threadsafe(self._edit(done, total), self._loop))

    async def settle(self) -> None:
        for future in self._pending:
            with contextlib.suppress(Exception):
                await asyncio.wrap_future(future)


async def _ingest(
    update: Update, context: Context, progress: Message | None, name: str, data: bytes, *,
    replace: bool = False, force: bool = False,
) -> None:
    """Store one file under the write lock, then tell the admin and the subscribed chats."""
    svc = services(context)
    chat = update.effective_chat
    assert chat is not None
    pages = _PageProgress(progress, name)
    mark = json.dumps({"chat": chat.id, "message": progress.message_id if progress else None, "name": name})
    async with svc.write_lock:
        await asyncio.to_thread(svc.state.set_meta, upload_mark(svc.settings), mark)  # read back if the bot dies
        try:
            report = await asyncio.to_thread(ingest_bytes, svc.settings, name, data, replace=replace, force=force,
                                             progress=pages)
        except RejectedFile as exc:
            await pages.settle()
            log.info("upload rejected: %s", exc)
            reason = messages.REJECT_REASONS.get(exc.code, messages.REJECT_UNKNOWN)
            if exc.code == "not_directive":
                token = await asyncio.to_thread(_park, svc, chat.id, name, data)
                await edit_or_reply(update, context, progress, messages.UPLOAD_NOT_DIRECTIVE.format(
                    name=esc(name), reason=esc(reason)), reply_markup=_buttons("force", token))
                return
            await edit_or_reply(update, context, progress,
                                messages.UPLOAD_REJECTED.format(name=esc(name), reason=esc(reason)))
            return
        finally:
            await asyncio.to_thread(svc.state.set_meta, upload_mark(svc.settings), "")
        if report.changed:
            await asyncio.to_thread(svc.answerer.reload)
    await pages.settle()
    if report.status in (DUPLICATE, UNCHANGED) and replace:
        await _nothing_changed(update, context, progress, report)
        return
    if report.status in (DUPLICATE, NEW_VERSION, UNCHANGED):
        await _ask_replace(update, context, progress, report, name, data)
        return
    await _announce(update, context, progress, report)


async def _nothing_changed(update: Update, context: Context, progress: Message | None, report: IngestReport) -> None:
    """`Thay thế` pressed on the same content: nothing was written, so the admin hears that and nobody else."""
    svc = services(context)
    assert report.existing is not None
    label = await asyncio.to_thread(stored_label, svc.store, report.existing)
    await edit_or_reply(update, context, progress,
                        messages.UPLOAD_NOTHING_CHANGED.format(name=esc(report.file_name), source=esc(label)))


async def _ask_replace(
    update: Update, context: Context, progress: Message | None, report: IngestReport, name: str, data: bytes
) -> None:
    svc = services(context)
    chat = update.effective_chat
    assert chat is not None and report.existing is not None
    label = await asyncio.to_thread(stored_label, svc.store, report.existing)
    token = await asyncio.to_thread(_park, svc, chat.id, name, data)
    await edit_or_reply(update, context, progress, confirmation_question(report, label),
                        reply_markup=_buttons("replace", token))


async def _announce(update: Update, context: Context, progress: Message | None, report: IngestReport) -> None:
    svc = services(context)
    chat = update.effective_chat
    notes = await asyncio.to_thread(
        plan_notifications, svc.store, svc.state, report, svc.settings.today(), chat.id if chat else None
    )
    summary = upload_summary(report)
    if notes:
        summary += "\n" + messages.UPLOAD_NOTIFYING.format(count=len(notes))
    await edit_or_reply(update, context, progress, summary)
    await _review_after_upload(context, chat.id if chat else None, report.doc_id)
    for chat_id, html in notes:
        await deliver(context.bot, svc.state, chat_id, html)


async def _review_after_upload(context: Context, chat_id: int | None, doc_id: str) -> None:
    """The deadlines to check first, each with its buttons (bot/chat/review_handlers.py), under the summary."""
    if chat_id is None:
        return
    from bot.chat.review_handlers import send_items
    from bot.review import waiting_items

    items = await asyncio.to_thread(waiting_items, services(context).store, [doc_id])
    if items:
        await send_html(context, chat_id, messages.REVIEW_UPLOAD_HINT)
        await send_items(context, chat_id, items)


# ---------------------------------------------------------------------------------------- handlers


UPLOAD_MARK = "upload_in_progress"  # state meta: the upload being stored and indexed (chat, message, file)


def upload_mark(settings: Settings) -> str:
    """The meta key of this front end's upload in progress: front ends sharing one database each resume
    only their own (BOT_INSTANCE names them)."""
    return f"{UPLOAD_MARK}:{settings.instance}" if settings.database_url else UPLOAD_MARK


async def resume_upload_job(context: Context) -> None:
    """At start-up: an upload the bot died in is finished (indexed) or reported as lost, and the admin who
    sent it is told, by editing the `⏳` message it was left at."""
    svc = services(context)
    raw = await asyncio.to_thread(svc.state.get_meta, upload_mark(svc.settings))
    async with svc.write_lock:
        indexed = await asyncio.to_thread(finish_interrupted, svc.settings)
        if indexed:
            await asyncio.to_thread(svc.answerer.reload)
        await asyncio.to_thread(svc.state.set_meta, upload_mark(svc.settings), "")
    if not raw:
        return
    mark = json.loads(raw)
    text = (messages.UPLOAD_RESUMED if indexed else messages.UPLOAD_LOST).format(name=esc(mark.get("name") or ""))
    try:
        if mark.get("message"):
            await context.bot.edit_message_text(text, mark["chat"], mark["message"], parse_mode="HTML")
            return
    except TelegramError:
        pass
    await send_html(context, mark["chat"], text)


def _too_large_text(svc: BotServices, name: str, size: int) -> str:
    """Sizes in MB with a Vietnamese decimal comma, like the limit the admin set."""
    return messages.UPLOAD_TOO_LARGE.format(name=esc(name), size=f"{size / 1024 / 1024:.1f}".replace(".", ","),
                                            limit=f"{svc.settings.max_file_mb:g}".replace(".", ","))


async def on_document(update: Update, context: Context) -> None:
    """Admin upload: size check before download, then store (or ask first) and notify subscribers."""
    svc = services(context)
    message = update.effective_message
    if message is None or message.document is None:
        return
    if not is_admin(context, update):
        await reply(update, context, messages.UPLOAD_NOT_ADMIN)
        return
    document = message.document
    name = document.file_name or "van-ban"
    limit = int(svc.settings.max_file_mb * 1024 * 1024)

    async def too_large(size: int) -> None:
        await reply(update, context, _too_large_text(svc, name, size))

    if document.file_size and document.file_size > limit:
        await too_large(document.file_size)
        return
    progress = await reply(update, context, messages.UPLOAD_RECEIVED.format(name=esc(name)))
    try:
        data = bytes(await (await document.get_file()).download_as_bytearray())
    except BadRequest as exc:
        if "too big" not in exc.message.lower():
            raise
        await too_large(document.file_size or limit + 1)
        return
    if len(data) > limit:
        await too_large(len(data))
        return
    await _ingest(update, context, progress, name, data)


async def on_photo(update: Update, context: Context) -> None:
    """Admin sends a photographed page as a Telegram photo: read like an image file (OCR)."""
    svc = services(context)
    message = update.effective_message
    if message is None or not message.photo:
        return
    if not is_admin(context, update):
        await reply(update, context, messages.UPLOAD_NOT_ADMIN)
        return
    photo = message.photo[-1]  # Telegram lists the sizes smallest first; OCR wants the largest
    name = f"anh-{message.message_id}.jpg"
    limit = int(svc.settings.max_file_mb * 1024 * 1024)
    if photo.file_size and photo.file_size > limit:
        await reply(update, context, _too_large_text(svc, name, photo.file_size))
        return
    progress = await reply(update, context, messages.UPLOAD_RECEIVED.format(name=esc(name)))
    data = bytes(await (await photo.get_file()).download_as_bytearray())
    await _ingest(update, context, progress, name, data)


async def on_upload_button(update: Update, context: Context) -> None:
    """`Thay thế` / `Vẫn lưu` / `Hủy` under a waiting upload; only admins may answer."""
    query = update.callback_query
    if query is None:
        return
    match = UPLOAD_CALLBACK.match(query.data or "")
    message = query.message if isinstance(query.message, Message) else None
    if match is None or message is None:
        await query.answer(messages.CALLBACK_EXPIRED, show_alert=True)
        return
    if not is_admin(context, update):
        await query.answer(messages.ADMIN_ONLY, show_alert=True)
        return
    svc = services(context)
    waiting = await asyncio.to_thread(_unpark, svc, match.group(2), message.chat.id)
    if waiting is None:
        await query.answer(messages.CALLBACK_EXPIRED, show_alert=True)
        return
    await query.answer()
    action = match.group(1)
    if action == "cancel":
        await edit_or_reply(update, context, message, messages.UPLOAD_CANCELLED)
        return
    name, data = waiting
    await _ingest(update, context, message, name, data, replace=action == "replace", force=True)


def _counts_text(counts: dict[str, object]) -> str:
    parts = [f"{value} {label}" for key, label in messages.COUNT_LABELS.items()
             if isinstance(value := counts.get(key), int)]
    return f"\n{esc(', '.join(parts))}." if parts else ""


async def cmd_reindex(update: Update, context: Context) -> None:
    svc = services(context)
    if not is_admin(context, update):
        await reply(update, context, messages.ADMIN_ONLY)
        return
    if svc.write_lock.locked():
        await reply(update, context, messages.REINDEX_BUSY)
        return
    await reply(update, context, messages.REINDEX_STARTED)
    context.application.create_task(_reindex_task(update, context), update=update)


async def _reindex_task(update: Update, context: Context) -> None:
    """Full rebuild in a thread; the answerer keeps serving the old index until reload() swaps it."""
    svc = services(context)
    started = time.monotonic()
    async with svc.write_lock:
        try:
            counts = await asyncio.to_thread(reindex, svc.settings)
            await asyncio.to_thread(svc.answerer.reload)
        except Exception:
            log.exception("reindex failed")
            await reply(update, context, messages.REINDEX_FAILED)
            return
    seconds = f"{time.monotonic() - started:.1f}".replace(".", ",")
    await reply(update, context, messages.REINDEX_DONE.format(seconds=seconds, counts=_counts_text(counts)))

