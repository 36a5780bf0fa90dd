"""The Telegram application: handlers and jobs wired together, the error handler, and the runner.

The handlers live by job in bot/chat/question_handlers.py, bot/chat/subscription_handlers.py and
bot/chat/admin_handlers.py, the jobs in bot/chat/jobs.py, what they share in bot/chat/chat_context.py. This module
only builds the Application the way python-telegram-bot expects (ApplicationBuilder, typed
ContextTypes, lifecycle hooks) and runs it by long polling or webhook.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import signal
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import messages
from bot.answering.planner import Answerer
from bot.chat.admin_handlers import (
    UPLOAD_CALLBACK,
    cmd_reindex,
    on_document,
    on_photo,
    on_upload_button,
    resume_upload_job,
)
from bot.chat.chat_context import (
    CONTEXT_TYPES,
    BotApplication,
    BotServices,
    Context,
    QuestionLimiter,
    services,
)
from bot.chat.feedback_handlers import FEEDBACK_CALLBACK, cancel_wait, on_feedback_button, take_reply
from bot.chat.health import BEAT_INTERVAL_S
from bot.chat.jobs import catch_up_job, compaction_job, heartbeat_job, reminder_job, sync_index_job
from bot.chat.question_handlers import (
    ANSWER_CALLBACK,
    cmd_ask,
    cmd_documents,
    cmd_help,
    cmd_start,
    cmd_unknown,
    on_answer_button,
    on_group_text,
    on_private_text,
    on_stale_button,
    query_command,
)
from bot.chat.review_handlers import REVIEW_CALLBACK, cmd_review, on_review_button
from bot.chat.subscription_handlers import cmd_calendar, cmd_subscribe, cmd_unsubscribe
from bot.chat.telegram_retry import RetryingRateLimiter
from bot.chat.tracking_handlers import cmd_done_list, cmd_progress, cmd_report, on_duty_button
from bot.config import Settings
from bot.feedback import FeedbackStore
from bot.tracking.completions import DutyTracker
from bot.tracking.duty_items import DUTY_CALLBACK
from bot.tracking.reminders import MissingTokenError
from knowledge.store import FactStore

__all__ = ["ALLOWED_UPDATES", "MissingTokenError", "build_application", "main_run", "run"]

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
WAITS_GROUP = -1  # runs before the commands and questions: takes a waited-for comment or note first
CATCH_UP_DELAY_S = 1  # the start-up reminder catch-up runs once the job queue is up
HEARTBEAT_FIRST_S = 1  # first beat right after start: healthy as soon as updates flow


async def on_error(update: object, context: Context) -> None:
    """Log the details for operators; users get a short apology, never a traceback, token or path.

    No apology after a timeout: Telegram usually carries the slow request out anyway, so the answer
    arrives and an apology next to it would only confuse.
    """
    error = context.error
    log.error("error while handling an update", exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None or isinstance(error, TimedOut):
        return
    if isinstance(error, Forbidden):
        await asyncio.to_thread(services(context).state.unsubscribe, update.effective_chat.id)
        return
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(update.effective_chat.id, messages.ERROR, parse_mode=ParseMode.HTML)


async def post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Menu commands in Vietnamese, and the catch-up reminder run once the job queue starts."""
    try:
        await application.bot.set_my_commands([BotCommand(c, d) for c, d in messages.COMMANDS])
    except TelegramError as exc:
        log.warning("could not set the command menu: %s", exc)
    if application.job_queue is not None:
        application.job_queue.run_once(resume_upload_job, when=0, name="resume-upload")
        application.job_queue.run_once(catch_up_job, when=CATCH_UP_DELAY_S, name="reminder-catch-up")


def _wait_handlers() -> list[Any]:
    """A command cancels a wait for a comment; a waited-for text is stored instead of answered."""
    message_only = filters.UpdateType.MESSAGE
    return [
        MessageHandler(message_only & filters.COMMAND, cancel_wait),
        MessageHandler(message_only & filters.TEXT & ~filters.COMMAND, take_reply),
    ]


def _handlers() -> list[Any]:
    message_only = filters.UpdateType.MESSAGE
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    commands: list[tuple[str, Callable[..., Any]]] = [
        ("start", cmd_start),
        ("help", cmd_help),
        ("hoi", cmd_ask),
        ("hanchot", query_command("deadlines")),
        ("quahan", query_command("overdue")),
        ("muctieu", query_command("targets")),
        ("coquan", query_command("agency", needs_arg=True)),
        ("vanban", cmd_documents),
        ("lich", cmd_calendar),
        ("theodoi", cmd_subscribe),
        ("huytheodoi", cmd_unsubscribe),
        ("xong", cmd_done_list),
        ("baocao", cmd_report),
        ("tiendo", cmd_progress),
        ("reindex", cmd_reindex),
        ("duyet", cmd_review),
    ]
    return [
        *(CommandHandler(name, callback, filters=message_only) for name, callback in commands),
        MessageHandler(message_only & private & filters.COMMAND, cmd_unknown),
        MessageHandler(message_only & private & filters.TEXT & ~filters.COMMAND, on_private_text),
        MessageHandler(message_only & groups & filters.TEXT & ~filters.COMMAND, on_group_text),
        MessageHandler(message_only & private & filters.Document.ALL, on_document),
        MessageHandler(message_only & private & filters.PHOTO, on_photo),
        CallbackQueryHandler(on_answer_button, pattern=ANSWER_CALLBACK),
        CallbackQueryHandler(on_upload_button, pattern=UPLOAD_CALLBACK),
        CallbackQueryHandler(on_duty_button, pattern=DUTY_CALLBACK),
        CallbackQueryHandler(on_feedback_button, pattern=FEEDBACK_CALLBACK),
        CallbackQueryHandler(on_review_button, pattern=REVIEW_CALLBACK),
        CallbackQueryHandler(on_stale_button),
    ]


def build_application(
    settings: Settings, answerer_factory: Callable[[Settings], Answerer] = Answerer
) -> BotApplication:
    """The configured Application (not started). Raises MissingTokenError without TELEGRAM_BOT_TOKEN."""
    if not settings.telegram_token:
        raise MissingTokenError("TELEGRAM_BOT_TOKEN is not set")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines contain the bot token
    application = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .context_types(CONTEXT_TYPES)
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
    state = settings.open_state()
    application.bot_data.services = BotServices(
        settings=settings,
        answerer=answerer_factory(settings),
        store=FactStore(settings.store_target),
        state=state,
        limiter=QuestionLimiter(settings.questions_per_minute),
        tracker=DutyTracker(state),
        feedback=FeedbackStore(state),
    )
    application.add_handlers(_wait_handlers(), group=WAITS_GROUP)
    application.add_handlers(_handlers())
    application.add_error_handler(on_error)
    if application.job_queue is not None:
        application.job_queue.run_daily(
            reminder_job, time=settings.reminder_time.replace(tzinfo=settings.tz), name="daily-reminders"
        )
        application.job_queue.run_daily(
            compaction_job, time=settings.compact_time.replace(tzinfo=settings.tz), name="nightly-compaction"
        )
        application.job_queue.run_repeating(heartbeat_job, interval=BEAT_INTERVAL_S, first=HEARTBEAT_FIRST_S,
                                            name="heartbeat")
        if settings.database_url and settings.sync_seconds > 0:  # other front ends store directives too
            application.job_queue.run_repeating(sync_index_job, interval=settings.sync_seconds,
                                                first=settings.sync_seconds, name="index-sync")
    return application


def _webhook_path(settings: Settings) -> str:
    return urlsplit(settings.webhook_url).path.strip("/")


def _webhook_secret(settings: Settings) -> str:
    """Stable per token, so Telegram's header check survives restarts without extra configuration."""
    return hashlib.sha256(f"webhook:{settings.telegram_token}".encode()).hexdigest()[:48]


def _webhook_options(settings: Settings) -> dict[str, Any]:
    """The same webhook server for `run` (PTB's runner) and `main_run` (the embeddable one)."""
    return {"listen": settings.webhook_listen, "port": settings.webhook_port, "url_path": _webhook_path(settings),
            "webhook_url": settings.webhook_url, "secret_token": _webhook_secret(settings),
            "allowed_updates": ALLOWED_UPDATES}


async def main_run(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    answerer_factory: Callable[[Settings], Answerer] = Answerer,
) -> None:
    """Run inside a running event loop until `stop` is set (or SIGINT/SIGTERM): long polling, or a
    webhook server when BOT_WEBHOOK_URL is set. For tests and for embedding the bot in another asyncio
    program; `directive-bot run` uses PTB's run_polling/run_webhook instead (see run)."""
    application = build_application(settings, answerer_factory)
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
    async with application:
        # run_polling()/run_webhook() would call the builder's post_init hook; this runner drives the
        # lifecycle itself (to stop on an event in tests and embeddings), so it calls the same hook.
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        updater = application.updater
        assert updater is not None
        if settings.webhook_url:
            await updater.start_webhook(**_webhook_options(settings))
            log.info("webhook server listening on %s:%s", settings.webhook_listen, settings.webhook_port)
        else:
            await updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            log.info("polling for updates")
        await stop.wait()
        await updater.stop()
        await application.stop()


def run(settings: Settings) -> None:
    """Blocking entry point for `directive-bot run`: PTB's own runners, which call the builder's
    lifecycle hooks and stop cleanly on SIGINT/SIGTERM."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    application = build_application(settings)
    if settings.webhook_url:
        log.info("webhook server listening on %s:%s", settings.webhook_listen, settings.webhook_port)
        application.run_webhook(**_webhook_options(settings))
    else:
        log.info("polling for updates")
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
