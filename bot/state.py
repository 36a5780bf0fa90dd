"""Bot state: subscriptions, the reminder log and texts behind inline buttons.

With BOT_DATABASE_URL these tables live in the shared PostgreSQL database, so every front end sees the
same subscriptions and claims each reminder once. Otherwise, why its own SQLite file (`bot_state.sqlite` next to `facts.sqlite`): an ingest holds the fact store's
write lock for as long as it stores a directive, and a chat must not wait for that to save the text
behind a button or a subscription. Stores of earlier versions kept these tables inside facts.sqlite;
they are copied over once, the first time the new file is created. Each thread gets its own
connection, like FactStore.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from knowledge.database import SqliteDatabase, Target, is_database_url, open_database
from knowledge.migrations import migrate

_TABLES = ("subscriptions", "reminder_log", "pending_texts", "bot_meta")
CLAIMED, SENT = "claimed", "sent"  # reminder_log.status


class _Taken(Exception):
    """A pair of the message was claimed or sent already."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class BotState:
    """Thread-safe access to the bot's tables: their own SQLite file, or the shared PostgreSQL database."""

    def __init__(self, target: Target, legacy: Path | None = None) -> None:
        """`target`: the state file's path or a `postgresql://` URL. `legacy`: the fact store file, whose
        bot tables (from earlier versions) seed a new state file."""
        fresh = not is_database_url(target) and not Path(target).exists()
        self.db = open_database(target)
        migrate(self.db, "state")
        if fresh and legacy is not None and Path(legacy).exists() and Path(legacy) != Path(target):
            self._copy_legacy(Path(legacy))

    def _copy_legacy(self, legacy: Path) -> None:
        """Rows of the bot tables earlier versions kept in facts.sqlite, by the columns both have (the old
        reminder_log had no status: its rows were all sent, the column's default)."""
        assert isinstance(self.db, SqliteDatabase)
        conn = self.db.conn
        conn.execute("attach database ? as legacy", [str(legacy)])
        try:
            have = {r[0] for r in conn.execute("select name from legacy.sqlite_master where type = 'table'")}
            with self.db.atomic():
                for table in _TABLES:
                    if table in have:
                        old = {r[1] for r in conn.execute(f"pragma legacy.table_info({table})")}
                        cols = ", ".join(c for c in self.db.columns(table) if c in old)
                        conn.execute(f"insert or ignore into main.{table} ({cols}) select {cols} from legacy.{table}")
        finally:
            conn.execute("detach database legacy")

    # ---- subscriptions
    def subscribe(self, chat_id: int, agency: str | None, *, by: int | None = None, linked: bool = False) -> None:
        """Subscribe (or change the agency filter of) a chat; `agency` None means every agency.

        `by`: the user who subscribed it; `linked`: that user was a bot admin and named one agency (the
        chat may mark that agency's duties done). A change replaces both: a link is never inherited."""
        self.db.execute(
            "insert into subscriptions (chat_id, agency, created_at, subscribed_by, linked) values (?, ?, ?, ?, ?)"
            " on conflict(chat_id) do update set agency = excluded.agency,"
            " subscribed_by = excluded.subscribed_by, linked = excluded.linked",
            [chat_id, agency, _now(), by, int(bool(linked and agency))],
        )

    def unsubscribe(self, chat_id: int) -> bool:
        return self.db.execute("delete from subscriptions where chat_id = ?", [chat_id]) > 0

    def subscription(self, chat_id: int) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from subscriptions where chat_id = ?", [chat_id]))
        return rows[0] if rows else None

    def subscriptions(self) -> list[dict[str, Any]]:
        return list(self.db.query("select * from subscriptions order by chat_id"))

    def move_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: keep its subscription and reminder history under the new id."""
        with self.db.atomic():
            if self.subscription(old_id) is not None:
                self.db.execute("delete from subscriptions where chat_id = ?", [new_id])
                self.db.execute("update subscriptions set chat_id = ? where chat_id = ?", [new_id, old_id])
            self.db.execute(  # a pair the new id already has stays under the old one
                "update reminder_log set chat_id = ? where chat_id = ? and not exists (select 1 from reminder_log n"
                " where n.chat_id = ? and n.occurrence_key = reminder_log.occurrence_key and n.stage = reminder_log.stage)",
                [new_id, old_id, new_id])

    # ---- reminder log
    def sent_reminders(self, chat_id: int) -> set[tuple[str, str]]:
        """(occurrence_key, stage) pairs already delivered to this chat."""
        rows = self.db.query("select occurrence_key, stage from reminder_log where chat_id = ?", [chat_id])
        return {(r["occurrence_key"], r["stage"]) for r in rows}

    def record_reminders(self, chat_id: int, items: Iterable[tuple[str, str]]) -> None:
        """Record delivered (occurrence_key, stage) pairs in one transaction; duplicates are ignored."""
        now = _now()
        self.db.executemany(
            "insert into reminder_log (chat_id, occurrence_key, stage, sent_at, status) values (?, ?, ?, ?, ?)"
            " on conflict do nothing",
            [(chat_id, key, stage, now, SENT) for key, stage in items],
        )

    def claim_reminders(self, chat_id: int, items: Iterable[tuple[str, str]]) -> bool:
        """Claim one message's (occurrence_key, stage) pairs before it is sent: all in one transaction, or
        none when any was claimed or sent already (then the message must not be sent).

        The unique key of reminder_log makes the claim the guard: a run killed after the claim never
        sends that message again, and two senders (the bot and a cron `remind`, or two front ends on one
        PostgreSQL database) never both send it."""
        now, pairs = _now(), list(items)
        try:
            with self.db.atomic():
                for key, stage in pairs:
                    if not self.db.execute(
                            "insert into reminder_log (chat_id, occurrence_key, stage, sent_at, status)"
                            " values (?, ?, ?, ?, ?) on conflict do nothing", [chat_id, key, stage, now, CLAIMED]):
                        raise _Taken  # rolls back this message's other claims
        except _Taken:
            return False
        return True

    def mark_reminders_sent(self, chat_ids: Iterable[int], items: Iterable[tuple[str, str]]) -> None:
        """Telegram accepted the message: its claimed pairs become sent (under any id the chat had)."""
        now = _now()
        self.db.executemany(
            "update reminder_log set status = ?, sent_at = ? where chat_id = ? and occurrence_key = ? and stage = ?",
            [(SENT, now, chat_id, key, stage) for chat_id in set(chat_ids) for key, stage in items],
        )

    def release_reminders(self, chat_ids: Iterable[int], items: Iterable[tuple[str, str]]) -> None:
        """Telegram refused the message: drop its claims so the next run tries again."""
        self.db.executemany(
            "delete from reminder_log where status = ? and chat_id = ? and occurrence_key = ? and stage = ?",
            [(CLAIMED, chat_id, key, stage) for chat_id in set(chat_ids) for key, stage in items],
        )

    def unsent_claims(self) -> list[dict[str, Any]]:
        """Claims never marked sent: a run died between claim and send's answer; each may be undelivered."""
        return list(self.db.query("select * from reminder_log where status = ? order by chat_id", [CLAIMED]))

    # ---- texts behind inline buttons
    def put_pending(self, chat_id: int, kind: str, html: str) -> str:
        """Store a text for a button and return its short id (fits Telegram's 64-byte callback_data)."""
        pending_id = secrets.token_urlsafe(9)
        self.db.execute("insert into pending_texts (id, chat_id, kind, html, created_at) values (?, ?, ?, ?, ?)",
                        [pending_id, chat_id, kind, html, _now()])
        return pending_id

    def update_pending(self, pending_id: str, html: str) -> None:
        """Replace a button's stored text (a review item learns the candidates it offers)."""
        self.db.execute("update pending_texts set html = ? where id = ?", [html, pending_id])

    def get_pending(self, pending_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from pending_texts where id = ?", [pending_id]))
        return rows[0] if rows else None

    def pending_of_kind(self, chat_id: int, kind: str) -> list[dict[str, Any]]:
        return list(self.db.query("select * from pending_texts where chat_id = ? and kind = ?", [chat_id, kind]))

    def drop_pending(self, pending_id: str) -> None:
        self.db.execute("delete from pending_texts where id = ?", [pending_id])

    def prune_pending(self, days: int = 30) -> int:
        """Forget button texts older than `days` (their buttons then answer "expired")."""
        cutoff = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
        return self.db.execute("delete from pending_texts where created_at < ?", [cutoff])

    # ---- uploads waiting for the admin's confirmation
    def park_upload(self, chat_id: int, name: str, data: bytes) -> str:
        """Keep an upload until the admin confirms; returns the short id its buttons carry."""
        token = secrets.token_urlsafe(9)
        self.db.execute("insert into parked_uploads (token, chat_id, name, data, created_at) values (?, ?, ?, ?, ?)",
                        [token, chat_id, name, data, _now()])
        return token

    def take_upload(self, chat_id: int, token: str) -> tuple[str, bytes] | None:
        """The waiting upload of this chat with this token, removed; None when gone (taken, pruned, other chat).
        Two presses on two front ends: the delete decides, so only one gets the file."""
        with self.db.atomic():
            rows = self.db.query("select name, data from parked_uploads where token = ? and chat_id = ?",
                                 [token, chat_id])
            if not rows or not self.db.execute("delete from parked_uploads where token = ?", [token]):
                return None
        return rows[0]["name"], bytes(rows[0]["data"])

    def prune_uploads(self, seconds: int) -> int:
        """Forget unanswered uploads older than `seconds` (their buttons then say "expired")."""
        cutoff = (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat(timespec="seconds")
        return self.db.execute("delete from parked_uploads where created_at < ?", [cutoff])

    # ---- small key/value facts (last reminder run)
    def get_meta(self, key: str) -> str | None:
        return self.db.scalar("select value from bot_meta where key = ?", [key])

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "insert into bot_meta (key, value) values (?, ?) on conflict(key) do update set value = excluded.value",
            [key, value],
        )
