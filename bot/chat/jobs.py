"""Jobs of the running bot: daily reminders (with a catch-up after downtime) and nightly compaction."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from bot.chat.admin_handlers import prune_inbox
from bot.chat.chat_context import Context, services
from bot.chat.health import beat
from bot.config import Settings
from bot.library import compact, sync_index
from bot.state import BotState
from bot.tracking.reminders import LAST_RUN_KEY, send_reminders

log = logging.getLogger(__name__)

PENDING_KEEP_DAYS = 30  # button texts older than this answer "expired"


def reminder_missed(settings: Settings, state: BotState, now: datetime | None = None) -> bool:
    """Today's reminder time has passed and no run was recorded for today (the bot was down)."""
    now = now or datetime.now(settings.tz)
    last = state.get_meta(LAST_RUN_KEY)
    today = settings.today()
    return (last is None or last < today.isoformat()) and now.astimezone(settings.tz).time() >= settings.reminder_time


async def reminder_job(context: Context) -> None:
    """Daily run (and the start-up catch-up): one message per subscribed chat with new reminder stages."""
    svc = services(context)
    async with svc.reminder_lock:
        await send_reminders(context.bot, svc.settings, svc.settings.today(), store=svc.store, state=svc.state)
        await asyncio.to_thread(svc.state.prune_pending, PENDING_KEEP_DAYS)
        await asyncio.to_thread(prune_inbox, svc.state)


async def compaction_job(context: Context) -> None:
    """Nightly: fold the day's uploads (the index's delta segment) into the base, then reload."""
    svc = services(context)
    async with svc.write_lock:
        try:
            result = await asyncio.to_thread(compact, svc.settings)
            if result is not None:
                await asyncio.to_thread(svc.answerer.reload)
                log.info("index compacted: %s", result)
        except Exception:
            log.exception("nightly index compaction failed; the current index keeps serving")


async def sync_index_job(context: Context) -> None:
    """Front ends sharing one PostgreSQL database: index the directives another front end stored (or
    drop those it removed), then answer from them. The store is the truth; this front end's index
    catches up within BOT_SYNC_SECONDS, reusing the embeddings kept in the database."""
    svc = services(context)
    async with svc.write_lock:
        try:
            added = await asyncio.to_thread(sync_index, svc.settings)
        except Exception:
            log.exception("index sync with the shared store failed; the current index keeps serving")
            return
        if added is not None:
            await asyncio.to_thread(svc.answerer.reload)
            log.info("index synced with the shared store: %d directive(s) added", len(added))


async def heartbeat_job(context: Context) -> None:
    """Every BEAT_INTERVAL_S while updates are being received (polling or webhook): the Docker health
    check (`directive-bot health`) reads the file's age, so a hung loop or a stopped updater shows."""
    updater = context.application.updater
    if updater is not None and updater.running:
        await asyncio.to_thread(beat, services(context).settings.data_dir)


async def catch_up_job(context: Context) -> None:
    svc = services(context)
    if await asyncio.to_thread(reminder_missed, svc.settings, svc.state):
        log.info("reminder time passed while the bot was down: sending today's reminders now")
        await reminder_job(context)
