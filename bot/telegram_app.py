"""The Telegram front end: handlers, admin uploads, reminders job and the polling/webhook runner.

Why it is shaped like this: answering is CPU-bound, so it runs in worker threads while
`concurrent_updates` keeps other chats served; every text shown to users goes through
bot.formatting (escaped HTML, split under 4096) and bot.messages (Vietnamese wording); this module
never parses documents itself, it calls knowledge.ingest and bot.answering.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import logging
import re
import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import messages
from bot.answering import ECHO_CHARS, Answer, Answerer
from bot.calendar_export import build_calendar
from bot.formatting import (
    answer_html,
    citations_html,
    document_label,
    esc,
    fmt_date,
    more_html,
    shorten,
    split_html,
)
from bot.reminders import LAST_RUN_KEY, MissingTokenError, agency_ids, deliver, send_reminders
from bot.state import BotState
from bot.telegram_retry import RetryingRateLimiter
from knowledge.agencies import agency_key
from knowledge.config import Settings
from knowledge.ingest import IngestReport, RejectedFile, compact, ingest_bytes, reindex
from knowledge.review import review_counts
from knowledge.schedule import upcoming
from knowledge.store import FactStore

__all__ = ["ALLOWED_UPDATES", "MissingTokenError", "build_application", "main_run", "run"]

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
NEAREST_DEADLINES = 5
NOTIFY_HORIZON_DAYS = 365
PENDING_KEEP_DAYS = 30
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_CALLBACK = re.compile(r"^(more|src):([A-Za-z0-9_-]{1,40})$")


class QuestionLimiter:
    """Sliding one-minute window per user; tells the user once per window instead of on every message."""

    def __init__(self, per_minute: int, window: float = 60.0) -> None:
        self.per_minute = per_minute
        self.window = window
        self._hits: dict[int, deque[float]] = {}
        self._told_until: dict[int, float] = {}

    def hit(self, user_id: int, now: float | None = None) -> tuple[bool, float, bool]:
        """(allowed, seconds until allowed again, whether to tell the user now)."""
        if self.per_minute <= 0:
            return True, 0.0, False
        now = time.monotonic() if now is None else now
        hits = self._hits.setdefault(user_id, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) < self.per_minute:
            hits.append(now)
            return True, 0.0, False
        wait = max(hits[0] + self.window - now, 1.0)
        tell = now >= self._told_until.get(user_id, 0.0)
        if tell:
            self._told_until[user_id] = now + wait
        return False, wait, tell


@dataclass
class BotContext:
    """Everything the handlers share, kept in application.bot_data["ctx"]."""

    settings: Settings
    answerer: Answerer
    store: FactStore
    state: BotState
    limiter: QuestionLimiter
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    reminder_lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def _ctx(context: ContextTypes.DEFAULT_TYPE) -> BotContext:
    return context.application.bot_data["ctx"]


def _is_admin(ctx: BotContext, update: Update) -> bool:
    """Checked on every privileged call (admin list may change between restarts, never cached per chat)."""
    user = update.effective_user
    return user is not None and user.id in ctx.settings.admin_ids


def _command_arg(message: Message) -> str:
    """Everything after the command (keeps the user's spacing; `/hoi@bot câu hỏi` works too)."""
    parts = (message.text or message.caption or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) == 2 else ""


def _thread_id(message: Message | None) -> int | None:
    return message.message_thread_id if message is not None and message.is_topic_message else None


async def send_html(
    context: ContextTypes.DEFAULT_TYPE,
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
            message_thread_id=_thread_id(reply_to),
            reply_markup=markup if index == len(chunks) - 1 else None,
        )
    return last


async def _reply(update: Update, context: ContextTypes.DEFAULT_TYPE, html: str, **kwargs: Any) -> Message | None:
    chat = update.effective_chat
    if chat is None:
        return None
    return await send_html(context, chat.id, html, reply_to=update.effective_message, **kwargs)


async def _typing(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is not None:
        with contextlib.suppress(TelegramError):
            await context.bot.send_chat_action(
                chat.id, ChatAction.TYPING, message_thread_id=_thread_id(update.effective_message)
            )


async def _allowed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Per-user question rate limit; answers politely (once per window) when exceeded."""
    ctx = _ctx(context)
    user = update.effective_user
    if user is None:
        return True
    ok, wait, tell = ctx.limiter.hit(user.id)
    if not ok and tell:
        text = messages.RATE_LIMITED.format(limit=ctx.settings.questions_per_minute, seconds=int(wait + 0.999))
        await _reply(update, context, text)
    return ok


def _keyboard(ctx: BotContext, chat_id: int, answer: Answer) -> InlineKeyboardMarkup | None:
    """"Thêm" for further results and "Xem nguồn" for whole quotes; texts wait in SQLite under a short id."""
    buttons = []
    if answer.more.strip():
        pid = ctx.state.put_pending(chat_id, "more", more_html(answer.more))
        buttons.append(InlineKeyboardButton(messages.BUTTON_MORE, callback_data=f"more:{pid}"))
    if answer.citations:
        pid = ctx.state.put_pending(chat_id, "src", citations_html(answer.citations, full=True))
        buttons.append(InlineKeyboardButton(messages.BUTTON_SOURCES, callback_data=f"src:{pid}"))
    return InlineKeyboardMarkup([buttons]) if buttons else None


async def _answer_with(
    update: Update, context: ContextTypes.DEFAULT_TYPE, call: Callable[[], Answer]
) -> None:
    """Rate-limit, run the answerer in a worker thread, reply with HTML and buttons."""
    if not await _allowed(update, context):
        return
    await _typing(update, context)
    answer = await asyncio.to_thread(call)
    chat = update.effective_chat
    assert chat is not None
    markup = _keyboard(_ctx(context), chat.id, answer)
    await _reply(update, context, answer_html(answer), markup=markup)


async def _ask(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    ctx = _ctx(context)
    await _answer_with(update, context, lambda: ctx.answerer.answer(question, ctx.settings.today()))


# ---------------------------------------------------------------------------------------- commands


def _mention(context: ContextTypes.DEFAULT_TYPE) -> str:
    return esc(f"@{context.bot.username}")


async def cmd_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _reply(update, context, messages.START)


async def cmd_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _reply(update, context, messages.HELP.format(mention=_mention(context)))


async def cmd_ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    question = _command_arg(update.effective_message) if update.effective_message else ""
    if not question:
        await _reply(update, context, messages.ASK_USAGE)
        return
    await _ask(update, context, question)


def _query_command(method: str, *, needs_arg: bool = False) -> Callable[..., Any]:
    """Handler for /hanchot, /quahan, /muctieu, /coquan: the argument goes to Answerer.<method>."""

    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        ctx = _ctx(context)
        arg = _command_arg(update.effective_message) if update.effective_message else ""
        if needs_arg and not arg:
            await _reply(update, context, messages.AGENCY_USAGE)
            return
        func = getattr(ctx.answerer, method)
        await _answer_with(update, context, lambda: func(arg, ctx.settings.today()))

    handler.__name__ = f"cmd_{method}"
    return handler


async def cmd_documents(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    ctx = _ctx(context)
    await _answer_with(update, context, ctx.answerer.documents)


async def _resolve_agency(update: Update, context: ContextTypes.DEFAULT_TYPE, arg: str) -> str | None:
    """Canonical agency for the user's wording, or a reply saying it is unknown (then None)."""
    name = await asyncio.to_thread(_ctx(context).answerer.resolve_agency, arg)
    if name is None:
        await _reply(update, context, messages.AGENCY_NOT_FOUND.format(query=esc(shorten(arg, ECHO_CHARS))))
    return name


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", agency_key(text)).strip("-")[:40] or "co-quan"


async def cmd_calendar(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    ctx = _ctx(context)
    if not await _allowed(update, context):
        return
    arg = _command_arg(update.effective_message) if update.effective_message else ""
    agency = None
    if arg:
        agency = await _resolve_agency(update, context, arg)
        if agency is None:
            return
    ids = agency_ids(ctx.store, agency)
    scope = messages.CALENDAR_SCOPE.format(agency=esc(agency)) if agency else ""

    def build() -> tuple[bytes, int]:
        rows = ctx.store.deadlines(agency_ids=ids) if ids != [] else []
        name = f"Hạn chót – {agency}" if agency else "Hạn chót văn bản chỉ đạo"
        return build_calendar(rows, ctx.settings.today(), name=name)

    data, count = await asyncio.to_thread(build)
    if count == 0:
        await _reply(update, context, messages.CALENDAR_EMPTY.format(scope=scope))
        return
    chat = update.effective_chat
    assert chat is not None
    filename = f"han-chot-{_slug(agency)}.ics" if agency else "han-chot.ics"
    await context.bot.send_document(
        chat.id,
        InputFile(io.BytesIO(data), filename=filename),
        caption=messages.CALENDAR_CAPTION.format(count=count, scope=scope),
        parse_mode=ParseMode.HTML,
        message_thread_id=_thread_id(update.effective_message),
    )


async def cmd_subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    ctx = _ctx(context)
    chat = update.effective_chat
    assert chat is not None
    arg = _command_arg(update.effective_message) if update.effective_message else ""
    agency = None
    if arg:
        agency = await _resolve_agency(update, context, arg)
        if agency is None:
            return
    ctx.state.subscribe(chat.id, agency)
    when = ctx.settings.reminder_time.strftime("%H:%M")
    if agency:
        text = messages.SUBSCRIBED_AGENCY.format(agency=esc(agency), time=when)
    else:
        text = messages.SUBSCRIBED_ALL.format(time=when)
    await _reply(update, context, text)


async def cmd_unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    assert chat is not None
    removed = _ctx(context).state.unsubscribe(chat.id)
    await _reply(update, context, messages.UNSUBSCRIBED if removed else messages.NOT_SUBSCRIBED)


def _counts_text(counts: dict[str, Any]) -> str:
    parts = [f"{value} {label}" for key, label in messages.COUNT_LABELS.items()
             if isinstance(value := counts.get(key), int)]
    return f"\n{esc(', '.join(parts))}." if parts else ""


async def cmd_reindex(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    ctx = _ctx(context)
    if not _is_admin(ctx, update):
        await _reply(update, context, messages.ADMIN_ONLY)
        return
    if ctx.write_lock.locked():
        await _reply(update, context, messages.REINDEX_BUSY)
        return
    await _reply(update, context, messages.REINDEX_STARTED)
    context.application.create_task(_reindex_task(update, context), update=update)


async def _reindex_task(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Full rebuild in a thread; the answerer keeps serving the old index until reload() swaps it."""
    ctx = _ctx(context)
    started = time.monotonic()
    async with ctx.write_lock:
        try:
            counts = await asyncio.to_thread(reindex, ctx.settings)
            await asyncio.to_thread(ctx.answerer.reload)
        except Exception:
            log.exception("reindex failed")
            await _reply(update, context, messages.REINDEX_FAILED)
            return
    seconds = f"{time.monotonic() - started:.1f}".replace(".", ",")
    await _reply(update, context, messages.REINDEX_DONE.format(seconds=seconds, counts=_counts_text(counts)))


async def cmd_unknown(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _reply(update, context, messages.UNKNOWN_COMMAND)


# ---------------------------------------------------------------------------------------- free text


async def on_private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text and message.text.strip():
        await _ask(update, context, message.text.strip())


def addressed_text(message: Message, bot_id: int, username: str) -> str | None:
    """The question in a group message, or None when the message is not for the bot.

    For the bot: it mentions @username (entity or plain text) or replies to one of the bot's messages.
    """
    text = message.text or ""
    mention = re.compile(rf"(?<![\w@])@{re.escape(username)}(?!\w)", re.IGNORECASE)
    mentioned = bool(username) and mention.search(text) is not None
    mentioned = mentioned or any(
        e.type == "text_mention" and e.user is not None and e.user.id == bot_id for e in message.entities
    )
    replied = message.reply_to_message is not None and (
        message.reply_to_message.from_user is not None and message.reply_to_message.from_user.id == bot_id
    )
    if not (mentioned or replied):
        return None
    return " ".join(mention.sub(" ", text).split()) if username else text.strip()


async def on_group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    question = addressed_text(message, context.bot.id, context.bot.username or "")
    if question is None:
        return
    if not question:
        await _reply(update, context, messages.ASK_EMPTY_MENTION.format(mention=_mention(context)))
        return
    await _ask(update, context, question)


# ---------------------------------------------------------------------------------------- buttons


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    ctx = _ctx(context)
    match = _CALLBACK.match(query.data or "")
    item = ctx.state.get_pending(match.group(2)) if match else None
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


# ---------------------------------------------------------------------------------------- uploads


def _report_source(report: IngestReport) -> str:
    return document_label(report.type, report.number, report.issued_date, report.issuer)


def _nearest_lines(store: FactStore, doc_id: str, today: date, ids: list[int] | None) -> list[str]:
    """The next occurrence of each of the document's deadlines (optionally one agency's), soonest first."""
    filters: dict[str, Any] = {"doc_ids": [doc_id]}
    if ids:
        filters["agency_ids"] = ids
    seen: set[int] = set()
    lines = []
    for occ in upcoming(store, today, today + timedelta(days=NOTIFY_HORIZON_DAYS), **filters):
        if occ.deadline["id"] in seen:
            continue
        seen.add(occ.deadline["id"])
        who = ", ".join(occ.deadline.get("agencies") or []) or messages.REMINDER_NO_AGENCY
        task = occ.deadline.get("task") or ""
        lines.append(f"• {fmt_date(occ.on)} – <b>{esc(who)}</b>: {esc(task[:200])}")
        if len(lines) >= NEAREST_DEADLINES:
            break
    return lines


def _new_document_html(report: IngestReport, nearest: list[str]) -> str:
    parts = [messages.NEW_DOCUMENT.format(source=esc(_report_source(report)))]
    if report.title:
        parts[0] += "\n" + messages.NEW_DOCUMENT_TITLE.format(title=esc(report.title))
    if nearest:
        parts.append("\n".join([messages.NEW_DOCUMENT_NEAREST, *nearest]))
    else:
        parts.append(messages.NEW_DOCUMENT_NO_DEADLINE)
    parts.append(messages.NEW_DOCUMENT_HINT)
    return "\n\n".join(parts)


def plan_notifications(
    store: FactStore, state: BotState, report: IngestReport, today: date, exclude: int | None = None
) -> list[tuple[int, str]]:
    """(chat, HTML) for each subscribed chat the new directive concerns (its agency filter respected)."""
    out = []
    for sub in state.subscriptions():
        if sub["chat_id"] == exclude:
            continue
        ids = agency_ids(store, sub.get("agency"))
        if ids is not None and not (ids and store.deadlines(doc_ids=[report.doc_id], agency_ids=ids)):
            continue
        out.append((sub["chat_id"], _new_document_html(report, _nearest_lines(store, report.doc_id, today, ids))))
    return out


REVIEW_QUOTES_SHOWN = 3  # per kind: enough to act on, short enough for one Telegram message


def _upload_summary(report: IngestReport) -> str:
    lines = [messages.UPLOAD_OK.format(source=esc(_report_source(report)))]
    if report.title:
        lines.append(messages.UPLOAD_TITLE.format(title=esc(report.title)))
    lines.append(
        messages.UPLOAD_COUNTS.format(deadlines=report.deadlines, targets=report.targets, results=report.results)
    )
    for kind, count in review_counts(report.review).items():
        lines.append(messages.UPLOAD_REVIEW[kind].format(count=count))
        quotes = [i.quote for i in report.review if i.kind == kind]
        lines += [messages.UPLOAD_REVIEW_QUOTE.format(quote=esc(q)) for q in quotes[:REVIEW_QUOTES_SHOWN]]
        if len(quotes) > REVIEW_QUOTES_SHOWN:
            lines.append(messages.UPLOAD_REVIEW_MORE.format(count=len(quotes) - REVIEW_QUOTES_SHOWN))
    return "\n".join(lines)


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admin upload: size check before download, ingest in a thread, reload, summary, notify subscribers."""
    ctx = _ctx(context)
    message = update.effective_message
    if message is None or message.document is None:
        return
    if not _is_admin(ctx, update):
        await _reply(update, context, messages.UPLOAD_NOT_ADMIN)
        return
    document = message.document
    name = document.file_name or "van-ban"
    limit = int(ctx.settings.max_file_mb * 1024 * 1024)

    async def too_large(size: int) -> None:
        await _reply(update, context, messages.UPLOAD_TOO_LARGE.format(
            name=esc(name), size=f"{size / 1024 / 1024:.1f}".replace(".", ","),
            limit=f"{ctx.settings.max_file_mb:g}".replace(".", ",")))

    if document.file_size and document.file_size > limit:
        await too_large(document.file_size)
        return
    await _reply(update, context, messages.UPLOAD_RECEIVED.format(name=esc(name)))
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
    async with ctx.write_lock:
        try:
            report = await asyncio.to_thread(ingest_bytes, ctx.settings, name, data)
        except RejectedFile as exc:
            log.info("upload rejected: %s", exc)
            reason = messages.REJECT_REASONS.get(exc.code, messages.REJECT_UNKNOWN)
            await _reply(update, context, messages.UPLOAD_REJECTED.format(name=esc(name), reason=esc(reason)))
            return
        await asyncio.to_thread(ctx.answerer.reload)
    if not report.changed:
        await _reply(update, context, messages.UPLOAD_UNCHANGED.format(name=esc(name)))
        return
    chat = update.effective_chat
    notes = await asyncio.to_thread(
        plan_notifications, ctx.store, ctx.state, report, ctx.settings.today(), chat.id if chat else None
    )
    summary = _upload_summary(report)
    if notes:
        summary += "\n" + messages.UPLOAD_NOTIFYING.format(count=len(notes))
    await _reply(update, context, summary)
    for chat_id, html in notes:
        await deliver(context.bot, ctx.state, chat_id, html)


# ---------------------------------------------------------------------------------------- errors


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the details for operators; users get a short apology, never a traceback, token or path.

    No apology after a timeout: Telegram usually carries the slow request out anyway, so the answer
    arrives and an apology next to it would only confuse.
    """
    error = context.error
    log.error("error while handling an update", exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None or isinstance(error, TimedOut):
        return
    if isinstance(error, Forbidden):
        _ctx(context).state.unsubscribe(update.effective_chat.id)
        return
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(update.effective_chat.id, messages.ERROR, parse_mode=ParseMode.HTML)


# ---------------------------------------------------------------------------------------- reminders


def reminder_missed(settings: Settings, state: BotState, now: datetime | None = None) -> bool:
    """Today's reminder time has passed and no run was recorded for today (the bot was down)."""
    now = now or datetime.now(settings.tz)
    last = state.get_meta(LAST_RUN_KEY)
    today = settings.today()
    return (last is None or last < today.isoformat()) and now.astimezone(settings.tz).time() >= settings.reminder_time


async def reminder_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Daily run (and the start-up catch-up): one message per subscribed chat with new reminder stages."""
    ctx = _ctx(context)
    async with ctx.reminder_lock:
        await send_reminders(context.bot, ctx.settings, ctx.settings.today(), store=ctx.store, state=ctx.state)
        await asyncio.to_thread(ctx.state.prune_pending, PENDING_KEEP_DAYS)


async def compaction_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Nightly: fold the day's uploads (the index's delta segment) into the base, then reload."""
    ctx = _ctx(context)
    async with ctx.write_lock:
        try:
            result = await asyncio.to_thread(compact, ctx.settings)
            if result is not None:
                await asyncio.to_thread(ctx.answerer.reload)
                log.info("index compacted: %s", result)
        except Exception:
            log.exception("nightly index compaction failed; the current index keeps serving")


async def catch_up_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    ctx = _ctx(context)
    if reminder_missed(ctx.settings, ctx.state):
        log.info("reminder time passed while the bot was down: sending today's reminders now")
        await reminder_job(context)


async def post_init(application: Application) -> None:
    """Menu commands in Vietnamese, and the catch-up reminder run once the job queue starts."""
    try:
        await application.bot.set_my_commands([BotCommand(c, d) for c, d in messages.COMMANDS])
    except TelegramError as exc:
        log.warning("could not set the command menu: %s", exc)
    if application.job_queue is not None:
        application.job_queue.run_once(catch_up_job, when=1, name="reminder-catch-up")


# ---------------------------------------------------------------------------------------- building


def build_application(
    settings: Settings, answerer_factory: Callable[[Settings], Answerer] = Answerer
) -> Application:
    """The configured Application (not started). Raises MissingTokenError without TELEGRAM_BOT_TOKEN."""
    if not settings.telegram_token:
        raise MissingTokenError("TELEGRAM_BOT_TOKEN is not set")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines contain the bot token
    application = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .rate_limiter(RetryingRateLimiter(max_retries=3))
        .concurrent_updates(True)
        .connect_timeout(10)
        .read_timeout(30)
        .write_timeout(60)
        .pool_timeout(30)
        .get_updates_read_timeout(40)
        .post_init(post_init)
        .build()
    )
    application.bot_data["ctx"] = BotContext(
        settings=settings,
        answerer=answerer_factory(settings),
        store=FactStore(settings.db_path),
        state=BotState(settings.db_path),
        limiter=QuestionLimiter(settings.questions_per_minute),
    )
    message_only = filters.UpdateType.MESSAGE
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    commands: list[tuple[str, Callable[..., Any]]] = [
        ("start", cmd_start),
        ("help", cmd_help),
        ("hoi", cmd_ask),
        ("hanchot", _query_command("deadlines")),
        ("quahan", _query_command("overdue")),
        ("muctieu", _query_command("targets")),
        ("coquan", _query_command("agency", needs_arg=True)),
        ("vanban", cmd_documents),
        ("lich", cmd_calendar),
        ("theodoi", cmd_subscribe),
        ("huytheodoi", cmd_unsubscribe),
        ("reindex", cmd_reindex),
    ]
    for name, callback in commands:
        application.add_handler(CommandHandler(name, callback, filters=message_only))
    application.add_handler(MessageHandler(message_only & private & filters.COMMAND, cmd_unknown))
    application.add_handler(MessageHandler(message_only & private & filters.TEXT & ~filters.COMMAND, on_private_text))
    application.add_handler(MessageHandler(message_only & groups & filters.TEXT & ~filters.COMMAND, on_group_text))
    application.add_handler(MessageHandler(message_only & private & filters.Document.ALL, on_document))
    application.add_handler(CallbackQueryHandler(on_callback))
    application.add_error_handler(on_error)
    if application.job_queue is not None:
        application.job_queue.run_daily(
            reminder_job, time=settings.reminder_time.replace(tzinfo=settings.tz), name="daily-reminders"
        )
        application.job_queue.run_daily(
            compaction_job, time=settings.compact_time.replace(tzinfo=settings.tz), name="nightly-compaction"
        )
    return application


def _webhook_path(settings: Settings) -> str:
    return urlsplit(settings.webhook_url).path.strip("/")


def _webhook_secret(settings: Settings) -> str:
    """Stable per token, so Telegram's header check survives restarts without extra configuration."""
    return hashlib.sha256(f"webhook:{settings.telegram_token}".encode()).hexdigest()[:48]


async def main_run(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    answerer_factory: Callable[[Settings], Answerer] = Answerer,
) -> None:
    """Run until SIGINT/SIGTERM (or `stop` is set): long polling, or a webhook server when BOT_WEBHOOK_URL is set."""
    application = build_application(settings, answerer_factory)
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
    async with application:
        await post_init(application)
        await application.start()
        updater = application.updater
        assert updater is not None
        if settings.webhook_url:
            await updater.start_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=_webhook_path(settings),
                webhook_url=settings.webhook_url,
                secret_token=_webhook_secret(settings),
                allowed_updates=ALLOWED_UPDATES,
            )
            log.info("webhook server listening on %s:%s", settings.webhook_listen, settings.webhook_port)
        else:
            await updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            log.info("polling for updates")
        await stop.wait()
        await updater.stop()
        await application.stop()


def run(settings: Settings) -> None:
    """Blocking entry point for `directive-bot run`."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(main_run(settings))
