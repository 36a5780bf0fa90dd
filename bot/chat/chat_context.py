"""What every handler shares: the services in `bot_data`, the typed context, the question rate limiter.

python-telegram-bot builds `bot_data` from the class given to `ContextTypes`, so handlers read
`context.bot_data.services` with its type instead of fishing a dict entry out by name.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.answering.planner import Answerer
from bot.config import Settings
from bot.feedback import FeedbackStore
from bot.state import BotState
from bot.tracking.completions import DutyTracker
from knowledge.store import FactStore

# Users remembered by the rate limiter at most; the oldest are forgotten first. A user idle for a
# window has no hits left to remember anyway, so this only bounds a flood of distinct senders.
MAX_TRACKED_USERS = 10_000
GROUP_ADMIN_STATUSES = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)

log = logging.getLogger(__name__)


class QuestionLimiter:
    """Sliding one-minute window per user; tells the user once per window instead of on every message.

    Bounded: users whose window has passed are dropped as others arrive, and never more than
    MAX_TRACKED_USERS are kept, so a long-running bot's memory does not grow with every sender.
    """

    def __init__(self, per_minute: int, window: float = 60.0, max_users: int = MAX_TRACKED_USERS) -> None:
        self.per_minute = per_minute
        self.window = window
        self.max_users = max_users
        self._hits: dict[int, deque[float]] = {}
        self._told_until: dict[int, float] = {}

    def __len__(self) -> int:
        return len(self._hits)

    def _prune(self, now: float) -> None:
        """Forget users with no hit inside the window (dicts keep insertion order: oldest first)."""
        for user_id in [u for u, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
            del self._hits[user_id]
            self._told_until.pop(user_id, None)
        while len(self._hits) >= self.max_users:
            user_id = next(iter(self._hits))
            del self._hits[user_id]
            self._told_until.pop(user_id, None)

    def hit(self, user_id: int, now: float | None = None) -> tuple[bool, float, bool]:
        """(allowed, seconds until allowed again, whether to tell the user now)."""
        if self.per_minute <= 0:
            return True, 0.0, False
        now = time.monotonic() if now is None else now
        if user_id not in self._hits:
            self._prune(now)
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
class BotServices:
    """Everything the handlers share; built once with the application."""

    settings: Settings
    answerer: Answerer
    store: FactStore
    state: BotState
    limiter: QuestionLimiter
    tracker: DutyTracker
    feedback: FeedbackStore
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    reminder_lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class BotData:
    """`application.bot_data`: PTB creates it without arguments; `build_application` fills it in."""

    services: BotServices


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
CONTEXT_TYPES = ContextTypes(bot_data=BotData)
BotApplication = Application[ExtBot[None], Context, dict[Any, Any], dict[Any, Any], BotData, Any]


def services(context: Context) -> BotServices:
    return context.bot_data.services


def is_admin(context: Context, update: Update) -> bool:
    """Checked on every privileged call (admin list may change between restarts, never cached per chat)."""
    user = update.effective_user
    return user is not None and user.id in services(context).settings.admin_ids


async def is_group_admin(context: Context, update: Update) -> bool:
    """The sender administers this group, as Telegram says now (asked on every call, never cached).

    A message sent anonymously on behalf of the group comes from one of its admins; a private chat
    has no group admin; when Telegram cannot answer, the sender is not taken for one.
    """
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or user is None or chat.type == ChatType.PRIVATE:
        return False
    if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        log.warning("getChatMember(%s, %s) failed: %s", chat.id, user.id, exc)
        return False
    return member.status in GROUP_ADMIN_STATUSES
