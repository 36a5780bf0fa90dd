"""The numbered duty items of a reminder or of `/xong`, and their `✅ Đã xong` / `↩️ Hoàn tác` buttons.

Telegram's callback_data holds 64 bytes, an occurrence key alone can be longer, so the items of one
message are stored once (bot.state pending texts, kind "duty") and each button carries only that
short id and the item's number: one SQLite write per message, not per item.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import messages
from bot.state import BotState
from bot.tracking.duty_status import duty_key

PENDING_KIND = "duty"
DUTY_CALLBACK = re.compile(r"^dt:(done|undo):([A-Za-z0-9_-]{1,40}):(\d{1,3})$")
BUTTONS_PER_ROW = 2
MAX_BUTTONS = 100  # Telegram's limit for one inline keyboard


@dataclass
class DutyItem:
    """One occurrence as a button knows it: its key, date, agencies (names and store ids) and task."""

    key: str
    on: str
    task: str
    agencies: list[str] = field(default_factory=list)
    agency_ids: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, row: dict[str, Any], on: date) -> DutyItem:
        return cls(duty_key(row, on), on.isoformat(), row.get("task") or "", list(row.get("agencies") or []),
                   list(row.get("agency_ids") or []))


def store_items(state: BotState, chat_id: int, items: list[DutyItem]) -> str:
    """Keep the items of one message behind a short id for its buttons."""
    return state.put_pending(chat_id, PENDING_KIND, json.dumps([asdict(i) for i in items], ensure_ascii=False))


def load_items(state: BotState, pending_id: str) -> tuple[int, list[DutyItem]] | None:
    """(chat id, items) stored under `pending_id`, or None when it is unknown, expired or not duty items."""
    row = state.get_pending(pending_id)
    if row is None or row["kind"] != PENDING_KIND:
        return None
    return row["chat_id"], [DutyItem(**item) for item in json.loads(row["html"])]


def keyboard(pending_id: str, count: int, done: set[int] | frozenset[int] = frozenset()) -> InlineKeyboardMarkup:
    """One button per item (1-based numbers): `✅ Đã xong n` while open, `↩️ Hoàn tác n` once done."""
    numbered = count > 1
    buttons = []
    for n in range(1, min(count, MAX_BUTTONS) + 1):
        action = "undo" if n in done else "done"
        label = messages.BUTTON_UNDO if action == "undo" else messages.BUTTON_DONE
        buttons.append(InlineKeyboardButton(f"{label} {n}" if numbered else label,
                                            callback_data=f"dt:{action}:{pending_id}:{n}"))
    return InlineKeyboardMarkup([buttons[i:i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)])
