"""Bot state: subscriptions, the reminder log and texts behind inline buttons.

Why its own SQLite file (`bot_state.sqlite` next to `facts.sqlite`): an ingest holds the fact store's
write lock for as long as it stores a directive, and a chat must not wait for that to save the text
behind a button or a subscription. Stores of earlier versions kept these tables inside facts.sqlite;
they are copied over once, the first time the new file is created. Each thread gets its own
connection, like FactStore.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from knowledge.store import ThreadLocalDatabase

_SCHEMA = """
create table if not exists subscriptions (
    chat_id integer primary key,
    agency text,
    created_at text not null
);
create table if not exists reminder_log (
    chat_id integer not null,
    occurrence_key text not null,
    stage text not null,
    sent_at text not null,
    unique (chat_id, occurrence_key, stage)
);
create table if not exists pending_texts (
    id text primary key,
    chat_id integer not null,
    kind text not null,
    html text not null,
    created_at text not null
);
create table if not exists bot_meta (
    key text primary key,
    value text
);
"""


_TABLES = ("subscriptions", "reminder_log", "pending_texts", "bot_meta")
CLAIMED, SENT = "claimed", "sent"  # reminder_log.status


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class BotState(ThreadLocalDatabase):
    """Thread-safe access to the bot's tables, in their own file."""

    def __init__(self, path: Path, legacy: Path | None = None) -> None:
        """`legacy`: the fact store file, whose bot tables (from earlier versions) seed a new state file."""
        fresh = not Path(path).exists()
        super().__init__(path)
        with self.db.conn:
            self.db.conn.executescript(_SCHEMA)
        if fresh and legacy is not None and Path(legacy).exists() and Path(legacy) != Path(path):
            self._copy_legacy(Path(legacy))
        self._add_claim_status()
        self._add_subscription_authority()

    def _add_claim_status(self) -> None:
        """reminder_log.status: 'claimed' before a send, 'sent' after. Added to files of earlier versions
        (after the legacy copy, whose rows have four columns); their rows were all sent."""
        columns = {r[1] for r in self.db.conn.execute("pragma table_info(reminder_log)")}
        if "status" not in columns:
            with self.db.conn as conn:
                conn.execute(f"alter table reminder_log add column status text not null default '{SENT}'")

    def _add_subscription_authority(self) -> None:
        """subscriptions.subscribed_by (who typed /theodoi) and .linked (1 when a bot admin did, for one
        agency: the chat may then mark that agency's duties done). Added to files of earlier versions,
        whose subscriptions give no marking right until an admin subscribes the chat again."""
        columns = {r[1] for r in self.db.conn.execute("pragma table_info(subscriptions)")}
        with self.db.conn as conn:
            if "subscribed_by" not in columns:
                conn.execute("alter table subscriptions add column subscribed_by integer")
            if "linked" not in columns:
                conn.execute("alter table subscriptions add column linked integer not null default 0")

    def _copy_legacy(self, legacy: Path) -> None:
        conn = self.db.conn
        conn.execute("attach database ? as legacy", [str(legacy)])
        try:
            have = {r[0] for r in conn.execute("select name from legacy.sqlite_master where type = 'table'")}
            with conn:
                for table in _TABLES:
                    if table in have:
                        conn.execute(f"insert or ignore into main.{table} select * from legacy.{table}")
        finally:
            conn.execute("detach database legacy")

    # ---- subscriptions
    def subscribe(self, chat_id: int, agency: str | None, *, by: int | None = None, linked: bool = False) -> None:
        """Subscribe (or change the agency filter of) a chat; `agency` None means every agency.

        `by`: the user who subscribed it; `linked`: that user was a bot admin and named one agency (the
        chat may mark that agency's duties done). A change replaces both: a link is never inherited."""
        with self.db.conn as conn:
            conn.execute(
                "insert into subscriptions (chat_id, agency, created_at, subscribed_by, linked) values (?, ?, ?, ?, ?)"
                " on conflict(chat_id) do update set agency = excluded.agency,"
                " subscribed_by = excluded.subscribed_by, linked = excluded.linked",
                [chat_id, agency, _now(), by, int(bool(linked and agency))],
            )

    def unsubscribe(self, chat_id: int) -> bool:
        with self.db.conn as conn:
            return conn.execute("delete from subscriptions where chat_id = ?", [chat_id]).rowcount > 0

    def subscription(self, chat_id: int) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from subscriptions where chat_id = ?", [chat_id]))
        return rows[0] if rows else None

    def subscriptions(self) -> list[dict[str, Any]]:
        return list(self.db.query("select * from subscriptions order by chat_id"))

    def move_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: keep its subscription and reminder history under the new id."""
        with self.db.conn as conn:
            conn.execute("update or replace subscriptions set chat_id = ? where chat_id = ?", [new_id, old_id])
            conn.execute("update or ignore reminder_log set chat_id = ? where chat_id = ?", [new_id, old_id])

    # ---- reminder log
    def sent_reminders(self, chat_id: int) -> set[tuple[str, str]]:
        """(occurrence_key, stage) pairs already delivered to this chat."""
        rows = self.db.execute(
            "select occurrence_key, stage from reminder_log where chat_id = ?", [chat_id]
        ).fetchall()
        return {(r[0], r[1]) for r in rows}

    def record_reminders(self, chat_id: int, items: Iterable[tuple[str, str]]) -> None:
        """Record delivered (occurrence_key, stage) pairs in one transaction; duplicates are ignored."""
        now = _now()
        with self.db.conn as conn:
            conn.executemany(
                "insert or ignore into reminder_log (chat_id, occurrence_key, stage, sent_at, status)"
                " values (?, ?, ?, ?, ?)",
                [(chat_id, key, stage, now, SENT) for key, stage in items],
            )

    def claim_reminders(self, chat_id: int, items: Iterable[tuple[str, str]]) -> bool:
        """Claim one message's (occurrence_key, stage) pairs before it is sent: all in one transaction, or
        none when any was claimed or sent already (then the message must not be sent).

        The unique key of reminder_log makes the claim the guard: a run killed after the claim never
        sends that message again, and two senders (the bot and a cron `remind`) never both send it."""
        now = _now()
        try:
            with self.db.conn as conn:
                conn.executemany(
                    "insert into reminder_log (chat_id, occurrence_key, stage, sent_at, status) values (?, ?, ?, ?, ?)",
                    [(chat_id, key, stage, now, CLAIMED) for key, stage in items],
                )
        except sqlite3.IntegrityError:
            return False
        return True

    def mark_reminders_sent(self, chat_ids: Iterable[int], items: Iterable[tuple[str, str]]) -> None:
        """Telegram accepted the message: its claimed pairs become sent (under any id the chat had)."""
        now = _now()
        with self.db.conn as conn:
            conn.executemany(
                "update reminder_log set status = ?, sent_at = ? where chat_id = ? and occurrence_key = ?"
                " and stage = ?",
                [(SENT, now, chat_id, key, stage) for chat_id in set(chat_ids) for key, stage in items],
            )

    def release_reminders(self, chat_ids: Iterable[int], items: Iterable[tuple[str, str]]) -> None:
        """Telegram refused the message: drop its claims so the next run tries again."""
        with self.db.conn as conn:
            conn.executemany(
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
        with self.db.conn as conn:
            conn.execute(
                "insert into pending_texts (id, chat_id, kind, html, created_at) values (?, ?, ?, ?, ?)",
                [pending_id, chat_id, kind, html, _now()],
            )
        return pending_id

    def update_pending(self, pending_id: str, html: str) -> None:
        """Replace a button's stored text (a review item learns the candidates it offers)."""
        with self.db.conn as conn:
            conn.execute("update pending_texts set html = ? where id = ?", [html, pending_id])

    def get_pending(self, pending_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from pending_texts where id = ?", [pending_id]))
        return rows[0] if rows else None

    def pending_of_kind(self, chat_id: int, kind: str) -> list[dict[str, Any]]:
        return list(self.db.query("select * from pending_texts where chat_id = ? and kind = ?", [chat_id, kind]))

    def drop_pending(self, pending_id: str) -> None:
        with self.db.conn as conn:
            conn.execute("delete from pending_texts where id = ?", [pending_id])

    def prune_pending(self, days: int = 30) -> int:
        """Forget button texts older than `days` (their buttons then answer "expired")."""
        cutoff = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
        with self.db.conn as conn:
            return conn.execute("delete from pending_texts where created_at < ?", [cutoff]).rowcount

    # ---- small key/value facts (last reminder run)
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("select value from bot_meta where key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.db.conn as conn:
            conn.execute(
                "insert into bot_meta (key, value) values (?, ?) on conflict(key) do update set value = excluded.value",
                [key, value],
            )
