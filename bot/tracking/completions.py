"""Which duty occurrences are done: an append-only event log in the bot's state file.

Why events and not a status column: undo must be possible and who marked what, when, stays on
record for the follow-up office. The current completion of an occurrence is its latest event when
that is a "done". Keys come from bot.tracking.duty_status.duty_key (directive + wording + date), never from
deadline row ids, so a re-ingested directive keeps the status of the duties it did not change.
Why the bot's state file: a press must not wait for an ingest holding the fact store's write lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from bot.state import BotState
from bot.tracking.duty_status import duty_key, status_of

EVENTS = "duty_events"
DONE = "done"
UNDO = "undo"


@dataclass(frozen=True)
class Completion:
    """The stored "done" of one occurrence: on which (local) day, by whom, with what note."""

    key: str
    done_on: date
    by_id: int | None
    by_name: str
    chat_id: int | None
    at: str
    note: str


class DutyTracker:
    """Completions of duty occurrences, over the bot state's thread-local connections."""

    def __init__(self, state: BotState) -> None:
        self.state = state  # its table comes with the state's schema (knowledge/migrations.py)

    def _append(self, key: str, action: str, done_on: date | None, by_id: int | None, by_name: str,
                chat_id: int | None, note: str) -> None:
        self.state.db.insert(EVENTS, {
            "occurrence_key": key, "action": action, "done_on": done_on.isoformat() if done_on else None,
            "by_id": by_id, "by_name": by_name, "chat_id": chat_id, "note": note,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        })

    def mark_done(self, key: str, done_on: date, *, by_id: int | None = None, by_name: str = "",
                  chat_id: int | None = None, note: str = "") -> Completion:
        """Record the occurrence as done on `done_on` (marking it again replaces the date and note)."""
        self._append(key, DONE, done_on, by_id, by_name, chat_id, note)
        completion = self.completion(key)
        assert completion is not None
        return completion

    def undo(self, key: str, *, by_id: int | None = None, by_name: str = "", chat_id: int | None = None) -> bool:
        """Take the completion back; False when the occurrence was not done (nothing is recorded)."""
        if self.completion(key) is None:
            return False
        self._append(key, UNDO, None, by_id, by_name, chat_id, "")
        return True

    def set_note(self, key: str, note: str, *, by_id: int | None = None, by_name: str = "",
                 chat_id: int | None = None) -> Completion | None:
        """Attach a note (the number of the report sent) to a done occurrence: a new "done" event."""
        current = self.completion(key)
        if current is None:
            return None
        return self.mark_done(key, current.done_on, by_id=by_id, by_name=by_name or current.by_name,
                              chat_id=chat_id, note=note)

    @staticmethod
    def _completion(row: dict[str, Any]) -> Completion:
        return Completion(row["occurrence_key"], date.fromisoformat(row["done_on"]), row["by_id"],
                          row["by_name"] or "", row["chat_id"], row["at"], row["note"] or "")

    def completion(self, key: str) -> Completion | None:
        rows = list(self.state.db.query(
            f"select * from {EVENTS} where occurrence_key = ? order by id desc limit 1", [key]))
        return self._completion(rows[0]) if rows and rows[0]["action"] == DONE else None

    def completions(self, keys: Iterable[str] | None = None) -> dict[str, Completion]:
        """Current completions (of `keys`, or all): each key's latest event, when it is a "done"."""
        sql = (f"select e.* from {EVENTS} e join (select occurrence_key, max(id) as last from {EVENTS}"
               " group by occurrence_key) m on e.id = m.last where e.action = ?")
        out = {r["occurrence_key"]: self._completion(r) for r in self.state.db.query(sql, [DONE])}
        if keys is None:
            return out
        wanted = set(keys)
        return {k: v for k, v in out.items() if k in wanted}

    def history(self, key: str) -> list[dict[str, Any]]:
        """Every event of an occurrence, oldest first (who marked, who undid, when)."""
        return list(self.state.db.query(f"select * from {EVENTS} where occurrence_key = ? order by id", [key]))

    def status(self, row: dict[str, Any], on: date, today: date,
               completions: dict[str, Completion] | None = None) -> str:
        """Status of deadline `row`'s occurrence on `on` (pass `completions` to avoid one query per row)."""
        key = duty_key(row, on)
        done = (completions if completions is not None else self.completions([key])).get(key)
        return status_of(on, today, done.done_on if done else None)
