"""Daily deadline reminders for subscribed chats, and robust delivery shared with notifications.

Stages: a deadline occurrence is announced when it first comes within 7 days ("d7"), again within 3
days ("d3"), the day before ("d1"), on the day ("d0") and once when overdue ("overdue"). A stage is
chosen by "days left ≤ threshold", not equality, so a day the bot was down is caught up the next run.
An occurrence marked done (bot.tracking.completions) is announced no more; each item of a message carries a
numbered `✅ Đã xong` button (bot.tracking.duty_items).

Delivery guarantee: at most once per (chat, occurrence, stage). Before a chat's message is sent its
(occurrence, stage) pairs are claimed in reminder_log in one transaction (unique key; bot.state
`claim_reminders`), and marked sent once Telegram accepts the message; a message Telegram refuses is
released, so the next run tries it again. So re-running the same day sends nothing twice, a process
killed mid-run (OOM killer, restart) never repeats the message that was in flight, and the bot's job
and a cron `remind` never both send one. The price, chosen over a duplicate: a kill between the claim
and Telegram's answer may lose that one message's stage (the next stage, e.g. "d1" after "d3", still
comes); each run logs such claims as a warning. A send whose answer is lost without a kill (a
timeout) is released like a refusal and may repeat once.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import warnings
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot import messages
from bot.config import Settings
from bot.formatting import esc, fmt_weekday_date, shorten, split_html
from bot.labels import document_label, fmt_date
from bot.state import BotState
from bot.tracking.completions import DutyTracker
from bot.tracking.duty_items import DutyItem, keyboard, store_items
from bot.tracking.open_duties import agency_scope, open_duties, trusted  # noqa: F401  (trusted: re-exported)
from knowledge.recurrence import describe_due
from knowledge.schedule import Occurrence
from knowledge.store import FactStore

log = logging.getLogger(__name__)

LOOKAHEAD_DAYS = 7
# One reminder stays one short message: the most urgent items first, the rest announced on later runs
# (they are not logged as sent). Without the cap, a chat following every agency of a large corpus got
# 200 items in 16 messages a day in the scale benchmark.
MAX_REMINDER_ITEMS = 20
_URGENCY = {"d0": 0, "d1": 1, "d3": 2, "d7": 3, "overdue": 4}
STAGES: tuple[tuple[str, int], ...] = (("d0", 0), ("d1", 1), ("d3", 3), ("d7", 7))
MAX_RETRIES = 3
MAX_RETRY_SLEEP = 60.0
LAST_RUN_KEY = "last_reminder_run"
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class MissingTokenError(RuntimeError):
    """TELEGRAM_BOT_TOKEN is not set; callers print one line for the operator."""


@dataclass
class ChatReminder:
    """What one chat should receive: the HTML message and the log entries it covers."""

    chat_id: int
    html: str
    items: list[tuple[str, str]] = field(default_factory=list)
    duties: list[DutyItem] = field(default_factory=list)  # in the numbered order of the message


def occurrence_key(occ: Occurrence) -> str:
    """Identity of an occurrence that survives re-ingesting its document (row ids do not)."""
    d = occ.deadline
    content = json.dumps([d.get("section"), d.get("task"), d.get("due"), d.get("relation")], ensure_ascii=False)
    digest = hashlib.sha1(content.encode("utf-8")).hexdigest()[:12]
    return f"{d['doc_id']}#{digest}@{occ.on.isoformat()}"


def stage_for(days_left: int) -> str | None:
    """The tightest reminder stage a deadline `days_left` days ahead falls in (None: too far)."""
    for stage, limit in STAGES:
        if days_left <= limit:
            return stage
    return None


def agency_ids(store: FactStore, agency: str | None) -> list[int] | None:
    """Store ids of a subscribed agency (every province, other names, collectives holding it, as the
    open-duties service scopes it); None = no filter, [] = unknown agency."""
    if not agency:
        return None
    return agency_scope(store, agency).ids


def _item_html(occ: Occurrence, stage: str, today: date, number: int) -> str:
    d = occ.deadline
    days = (occ.on - today).days
    if stage == "overdue":
        label = f"⚠️ <b>{messages.STAGE_OVERDUE.format(days=-days)}</b>"
    elif days == 0:
        label = f"<b>{messages.STAGE_D0}</b>"
    elif days == 1:
        label = f"<b>{messages.STAGE_D1}</b>"
    else:
        label = messages.STAGE_DAYS.format(days=days)
    wording = describe_due(d["due"], d.get("relation") or "")
    source = document_label(d.get("doc_type"), d.get("doc_number"), d.get("issued_date"), d.get("issuer"))
    if d.get("section"):
        source += f", {d['section']}"
    line = f"{number}. {label} – {fmt_date(occ.on)}: {esc(shorten(d.get('task') or '', 300))} ({esc(wording)})"
    return f"{line}\n  <i>{esc(source)}</i>"


def _candidates(store: FactStore, state: BotState, today: date,
                remind_unreviewed: bool = False) -> list[tuple[Occurrence, str]]:
    """Every (occurrence, stage) that could be announced today, computed once for all chats: the open
    duties of bot.tracking.open_duties (what /xong, /quahan and the report count), as their stage.

    Occurrences marked done are never announced again, at any stage; deadlines that wait for an
    admin's review are not announced unless BOT_REMIND_UNREVIEWED=1.
    """
    found = open_duties(store, DutyTracker(state), today, soon_days=LOOKAHEAD_DAYS)
    if not remind_unreviewed:
        found = found.trusted_only()
    due = [(o.occurrence, "overdue") for o in found.overdue]
    for o in found.due_soon:
        stage = stage_for((o.on - today).days)
        if stage:
            due.append((o.occurrence, stage))
    return due


def _chat_reminder(
    sub: dict[str, Any], mine: list[tuple[Occurrence, str]], keys: dict[int, str], done: set[tuple[str, str]],
    today: date,
) -> ChatReminder | None:
    due = [(occ, stage) for occ, stage in mine if (keys[id(occ)], stage) not in done]
    if not due:
        return None
    shown = sorted(due, key=lambda x: (_URGENCY[x[1]], x[0].on, x[0].deadline["id"]))[:MAX_REMINDER_ITEMS]
    extra = len(due) - len(shown)
    due = sorted(shown, key=lambda x: (x[0].on, x[0].deadline["id"]))
    groups: dict[str, list[tuple[Occurrence, str]]] = {}
    for occ, stage in due:
        who = ", ".join(occ.deadline.get("agencies") or []) or messages.REMINDER_NO_AGENCY
        groups.setdefault(who, []).append((occ, stage))
    if sub.get("agency"):
        title = messages.REMINDER_TITLE_AGENCY.format(date=fmt_weekday_date(today), agency=esc(sub["agency"]))
    else:
        title = messages.REMINDER_TITLE.format(date=fmt_weekday_date(today))
    blocks = [title]
    duties: list[DutyItem] = []
    for who in sorted(groups, key=lambda w: (w == messages.REMINDER_NO_AGENCY, w)):
        lines = [f"<b>{esc(who)}</b>"]
        for occ, stage in groups[who]:
            duties.append(DutyItem.of(occ.deadline, occ.on))
            lines.append(_item_html(occ, stage, today, len(duties)))
        blocks.append("\n".join(lines))
    if extra:
        blocks.append(messages.REMINDER_MORE.format(n=extra))
    blocks.append(messages.REMINDER_DONE_HINT)
    items = [(keys[id(occ)], stage) for occ, stage in due]
    return ChatReminder(sub["chat_id"], "\n\n".join(blocks), items, duties)


def _of_agency(store: FactStore, candidates: list[tuple[Occurrence, str]], by_agency: dict[int, list[int]],
               agency: str | None) -> list[tuple[Occurrence, str]]:
    """The candidates a chat following `agency` hears of: the agency's duties as the open-duties service
    scopes them (other spellings, renamings, collectives holding it); all of them without an agency."""
    if not agency:
        return candidates
    scope = agency_scope(store, agency)
    picked = sorted({k for i in scope.ids for k in by_agency.get(i, ())})
    return [candidates[k] for k in picked if scope.role(candidates[k][0].deadline) is not None]


def plan(store: FactStore, state: BotState, today: date, remind_unreviewed: bool = False) -> list[ChatReminder]:
    """One reminder per subscribed chat that has something not yet announced; none when nothing is due.

    The store is read once per run, not once per chat: a run costs one pass over the deadlines plus
    a lookup per chat (benchmarks/scale.py: planning for 1,000 chats over 2,000 directives takes 1.3 s).
    """
    candidates = _candidates(store, state, today, remind_unreviewed)
    if not candidates:
        return []
    keys = {id(occ): occurrence_key(occ) for occ, _ in candidates}  # hashed once, not once per chat
    by_agency: dict[int, list[int]] = {}
    for k, (occ, _) in enumerate(candidates):
        for agency_id in occ.deadline["agency_ids"]:
            by_agency.setdefault(agency_id, []).append(k)
    mine_of: dict[str | None, list[tuple[Occurrence, str]]] = {}
    out = []
    for sub in state.subscriptions():
        agency = sub.get("agency")
        if agency not in mine_of:
            mine_of[agency] = _of_agency(store, candidates, by_agency, agency)
        if not mine_of[agency]:
            continue
        reminder = _chat_reminder(sub, mine_of[agency], keys, state.sent_reminders(sub["chat_id"]), today)
        if reminder is not None:
            out.append(reminder)
    return out


def _retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    return min(max(seconds, 0.0), MAX_RETRY_SLEEP)


async def deliver(
    bot: Bot,
    state: BotState,
    chat_id: int,
    html: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> tuple[str, int]:
    """Send HTML (split under 4096) to a subscribed chat; returns (outcome, chat id it ended up in).

    Outcome is "ok", "forbidden" (the chat was unsubscribed) or "failed". RetryAfter is honoured up to
    MAX_RETRIES times; a group upgraded to a supergroup is followed (its subscription moves along).
    """
    chunks = split_html(html)
    for index, chunk in enumerate(chunks):
        attempt = 0
        while True:
            try:
                await bot.send_message(
                    chat_id,
                    chunk,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=_NO_PREVIEW,
                    reply_markup=reply_markup if index == len(chunks) - 1 else None,
                )
                break
            except RetryAfter as exc:
                attempt += 1
                if attempt > MAX_RETRIES:
                    log.warning("chat %s: still rate limited after %d retries", chat_id, MAX_RETRIES)
                    return "failed", chat_id
                await asyncio.sleep(_retry_seconds(exc))
            except ChatMigrated as exc:
                attempt += 1
                if attempt > MAX_RETRIES:
                    return "failed", chat_id
                log.info("chat %s migrated to %s", chat_id, exc.new_chat_id)
                await asyncio.to_thread(state.move_chat, chat_id, exc.new_chat_id)
                chat_id = exc.new_chat_id
            except Forbidden as exc:
                log.info("chat %s refused messages (%s): unsubscribed", chat_id, exc.message)
                await asyncio.to_thread(state.unsubscribe, chat_id)
                return "forbidden", chat_id
            except TelegramError as exc:
                log.warning("chat %s: sending failed: %s", chat_id, exc)
                return "failed", chat_id
    return "ok", chat_id


def _warn_unsent_claims(state: BotState) -> None:
    """Claims an earlier run left unconfirmed (killed between claim and answer): maybe never delivered."""
    unsent = state.unsent_claims()
    if unsent:
        chats = sorted({row["chat_id"] for row in unsent})
        log.warning("%d reminder item(s) of chats %s were claimed by a run that ended before Telegram answered; "
                    "they are not sent again (at most once)", len(unsent), chats[:20])


async def _send_claimed(bot: Bot, state: BotState, reminder: ChatReminder) -> str:
    """Claim, send, then mark sent (or release when Telegram refused): "ok", "forbidden", "failed", or
    "claimed" when another run already claimed or sent this message."""
    if not await asyncio.to_thread(state.claim_reminders, reminder.chat_id, reminder.items):
        return "claimed"
    markup = None
    if reminder.duties:
        pending_id = await asyncio.to_thread(store_items, state, reminder.chat_id, reminder.duties)
        markup = keyboard(pending_id, len(reminder.duties))
    outcome, chat_id = await deliver(bot, state, reminder.chat_id, reminder.html, markup)
    ids = (reminder.chat_id, chat_id)
    if outcome == "ok":
        await asyncio.to_thread(state.mark_reminders_sent, ids, reminder.items)
    else:
        await asyncio.to_thread(state.release_reminders, ids, reminder.items)
    return outcome


async def send_reminders(
    bot: Bot,
    settings: Settings,
    today: date,
    *,
    store: FactStore | None = None,
    state: BotState | None = None,
) -> dict[str, int]:
    """Send every due reminder (one message per chat) and log it; one failing chat never stops the rest."""
    store = store or FactStore(settings.store_target)
    state = state or settings.open_state()
    reminders = await asyncio.to_thread(plan, store, state, today, settings.remind_unreviewed)
    chats = len(await asyncio.to_thread(state.subscriptions))
    stats = {"chats": chats, "sent": 0, "items": 0, "failed": 0, "unsubscribed": 0}
    await asyncio.to_thread(_warn_unsent_claims, state)
    for reminder in reminders:
        outcome = await _send_claimed(bot, state, reminder)
        if outcome == "ok":
            stats["sent"] += 1
            stats["items"] += len(reminder.items)
        elif outcome == "forbidden":
            stats["unsubscribed"] += 1
        elif outcome == "failed":
            stats["failed"] += 1
    await asyncio.to_thread(state.set_meta, LAST_RUN_KEY, today.isoformat())
    digests = await _send_review_digest(bot, settings, store, state, today)
    log.info("reminders for %s: %s; review digests sent: %d", today.isoformat(), stats, digests)
    return stats


DIGEST_KEY = "review_digest"  # meta key: the last day the admins got the `cần xác nhận` digest


async def _send_review_digest(bot: Bot, settings: Settings, store: FactStore, state: BotState, today: date) -> int:
    """Once a day, each admin hears how many deadlines wait for review (they are not reminded meanwhile)."""
    if settings.remind_unreviewed or not settings.admin_ids:
        return 0
    if await asyncio.to_thread(state.get_meta, DIGEST_KEY) == today.isoformat():
        return 0
    from bot.review import waiting_counts

    counts = await asyncio.to_thread(waiting_counts, store)
    await asyncio.to_thread(state.set_meta, DIGEST_KEY, today.isoformat())
    if not counts:
        return 0
    lines = "\n".join(messages.REVIEW_DIGEST_LINE.format(source=esc(doc_id), count=n) for doc_id, n in counts)
    html = messages.REVIEW_DIGEST.format(count=sum(n for _, n in counts), lines=lines)
    sent = 0
    for admin in sorted(settings.admin_ids):
        try:
            await bot.send_message(admin, html, parse_mode=ParseMode.HTML)
            sent += 1
        except TelegramError as exc:  # an admin who never opened a chat with the bot
            log.warning("review digest to admin %s failed: %s", admin, exc)
    return sent


def remind_once(settings: Settings, today: date) -> dict[str, int]:
    """One reminder run for cron/CLI with a plain Bot (never calls getUpdates, so a running bot is unaffected)."""
    if not settings.telegram_token:
        raise MissingTokenError("TELEGRAM_BOT_TOKEN is not set")

    async def main() -> dict[str, int]:
        async with Bot(
            settings.telegram_token,
            base_url=settings.telegram_api_base_url,
            base_file_url=settings.telegram_api_file_url,
        ) as bot:
            return await send_reminders(bot, settings, today)

    return asyncio.run(main())
