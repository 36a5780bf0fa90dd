"""The fact store's deadlines, undated duties, targets and agencies as answers read them, kept in memory
per store version: read and parsed once, filtered per question until the store changes.

Why: a window of deadlines, what is overdue or an agency's limits read, join and parse the same rows for
every question; at 2,000 passages that was most of a fact answer's 3–12 ms (issue 22 item 8). Filtering
rows already in memory costs a fraction of that.

How a change is seen, so that an answer never lists what the store no longer holds: SQLite's
`PRAGMA data_version` changes when any other connection (another thread, an ingest in another process,
`directive-bot review`) commits, and the connection's `total_changes` when it writes itself; both are
read on every call (microseconds), and any change drops the snapshot. An engine without such a signal
(PostgreSQL), a connection inside a write transaction and a store of more than CACHED_ROWS facts are read
directly, as before.

`FactCache(store).deadlines(...)`, `.undated_duties(...)` and `.targets(...)` take the store's arguments
and return the same rows in the same order (tests/test_fact_cache.py compares them); each call gets its
own row dicts, so a caller marking a row (`supporting`, `notes`) marks nothing shared (the lists and `due`
inside are shared: answers set a row's fields, never change those in place). Everything else is the
store's own method.
"""

from __future__ import annotations

import sqlite3
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import date
from typing import Any

from knowledge.store import FactStore

_ALWAYS_KINDS = ("recurring", "relative")  # due_between never filters these out (as the store's query)
# Deadlines, undated duties and targets held in memory at most. A row costs about 3.3 KB held (measured at
# 2,000 passages: 1,192 rows, 3.9 MB), so this bounds the cache near 33 MB; a larger store (beyond ~15,000
# passages) is read directly, as before, rather than holding hundreds of MB.
CACHED_ROWS = 10_000


def _connection(store: FactStore) -> sqlite3.Connection | None:
    """The calling thread's SQLite connection of the store; None for another engine."""
    conn = getattr(getattr(store, "db", None), "conn", None)
    return conn if isinstance(conn, sqlite3.Connection) else None


def _index(rows: list[dict[str, Any]], key: str) -> dict[Any, list[int]]:
    out: dict[Any, list[int]] = {}
    for i, r in enumerate(rows):
        out.setdefault(r.get(key), []).append(i)
    return out


def _row_count(store: FactStore) -> int:
    rows = list(store.db.query("select (select count(*) from deadlines) + (select count(*) from duties)"
                               " + (select count(*) from targets) as n"))
    return int(rows[0]["n"] or 0)


def _links(store: FactStore, sql: str) -> dict[int, set[int]]:
    """agency id → the row ids a link table gives it (`sql` selects row_id, agency_id)."""
    out: dict[int, set[int]] = {}
    for r in store.db.query(sql):
        out.setdefault(r["agency_id"], set()).add(r["row_id"])
    return out


class _Rows:
    """One table's rows (id order, as the store returns them) with the positions each filter selects."""

    def __init__(self, rows: list[dict[str, Any]], by_agency: dict[int, set[int]] | None = None) -> None:
        self.rows = rows
        position = {r["id"]: i for i, r in enumerate(rows)}
        self.by_doc = _index(rows, "doc_id")
        self.by_province = _index(rows, "province")
        self.by_agency = {a: {position[i] for i in ids if i in position} for a, ids in (by_agency or {}).items()}

    def select(self, doc_ids: Iterable[str] | None, provinces: Iterable[str] | None,
               agency_ids: Iterable[int] | None = None) -> set[int] | None:
        """Positions passing the filters given (None: no filter was given, every row)."""
        chosen: set[int] | None = None
        for index, values in ((self.by_doc, doc_ids), (self.by_province, provinces), (self.by_agency, agency_ids)):
            if values is None:
                continue
            found = {i for v in values if v is not None for i in index.get(v, ())}  # SQL `in` never matches NULL
            chosen = found if chosen is None else chosen & found
        return chosen

    def copies(self, positions: set[int] | None, keep: Any = None) -> list[dict[str, Any]]:
        picked = range(len(self.rows)) if positions is None else sorted(positions)
        return [dict(self.rows[i]) for i in picked if keep is None or keep(self.rows[i])]


class _Snapshot:
    """Everything FactCache serves, read from one version of the store."""

    def __init__(self, store: FactStore) -> None:
        deadlines = store.deadlines()
        self.deadlines = _Rows(deadlines, _links(
            store, "select deadline_id as row_id, agency_id from deadline_agencies where role = 'lead'"))
        # `role != 'report_to'`: the doers, as the store filters an agency's deadlines (receivers are not doers)
        position = {r["id"]: i for i, r in enumerate(deadlines)}
        self.doers: dict[int, set[int]] = {}
        for r in deadlines:
            for agency_id in r["agency_ids"]:
                self.doers.setdefault(agency_id, set()).add(position[r["id"]])
        self.duties = _Rows(store.undated_duties(),
                            _links(store, "select duty_id as row_id, agency_id from duty_agencies"))
        self.targets = _Rows(store.targets())
        self.agencies = list(store.db.query("select id, name, key from agencies"))
        # One-off deadlines by their last day, for `due_between`; the others always come.
        self.always = {i for i, r in enumerate(deadlines) if r["due_kind"] in _ALWAYS_KINDS or r["due_date"] is None}
        dated = sorted((r["due_date"], i) for i, r in enumerate(deadlines) if i not in self.always)
        self.dated_days = [d for d, _ in dated]
        self.dated_positions = [i for _, i in dated]

    def due_between(self, start: date, end: date) -> set[int]:
        lo = bisect_left(self.dated_days, start.isoformat())
        hi = bisect_right(self.dated_days, end.isoformat())
        return self.always | set(self.dated_positions[lo:hi])


class FactCache:
    """A FactStore whose fact reads come from a snapshot of the store's current version (see the module)."""

    def __init__(self, store: FactStore, max_rows: int = CACHED_ROWS) -> None:
        self.store = store
        self.max_rows = max_rows
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()
        self._seen = threading.local()  # per thread: (connection, data_version, total_changes) last read
        self._generation = 0
        self._snapshot: tuple[int, _Snapshot] | None = None
        self._too_big: int | None = None  # the version found to hold more than max_rows rows

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def _mark(self) -> tuple[sqlite3.Connection, int, int] | None:
        conn = _connection(self.store)
        if conn is None or conn.in_transaction:
            return None
        return conn, conn.execute("pragma data_version").fetchone()[0], conn.total_changes

    def _generation_now(self, mark: tuple[sqlite3.Connection, int, int]) -> int:
        """The store's version number as this process counts it: one more after any change a thread sees."""
        with self._lock:
            seen = getattr(self._seen, "mark", None)
            if seen is None or seen[0] is not mark[0] or seen[1:] != mark[1:]:
                self._generation += 1  # a change, or a thread that never looked: nothing cached may be trusted
                self._seen.mark = mark
            return self._generation

    def snapshot(self) -> _Snapshot | None:
        """The current version's snapshot (read now if the store changed); None: read the store directly."""
        mark = self._mark()
        if mark is None:
            return None
        generation = self._generation_now(mark)
        held = self._snapshot
        if held is not None and held[0] == generation:
            return held[1]
        with self._build_lock:
            held = self._snapshot
            if held is not None and held[0] == generation:
                return held[1]
            if self._too_big == generation:
                return None
            if _row_count(self.store) > self.max_rows:
                with self._lock:
                    self._snapshot, self._too_big = None, generation  # the old version's rows are let go too
                return None
            snap = _Snapshot(self.store)
            after = self._mark()
            if after is None or after[1:] != mark[1:]:
                return None  # written while it was read: this call reads the store, the next one builds again
            with self._lock:
                if self._generation == generation:
                    self._snapshot = (generation, snap)
            return snap

    # --- the store's fact reads, same arguments, same rows ---------------------------------------
    def deadlines(self, doc_ids: list[str] | None = None, agency_ids: list[int] | None = None,
                  provinces: list[str] | None = None, lead_only: bool = False,
                  due_between: tuple[date, date] | None = None, evidence: bool = False) -> list[dict[str, Any]]:
        snap = None if evidence else self.snapshot()
        if snap is None:
            return self.store.deadlines(doc_ids=doc_ids, agency_ids=agency_ids, provinces=provinces,
                                        lead_only=lead_only, due_between=due_between, evidence=evidence)
        rows = snap.deadlines
        # The store's filters: an empty list filters nothing, as `if values:` does there.
        chosen = rows.select(doc_ids or None, provinces or None)
        if agency_ids:
            index = rows.by_agency if lead_only else snap.doers
            found = {i for a in agency_ids for i in index.get(a, ())}
            chosen = found if chosen is None else chosen & found
        if due_between:
            window = snap.due_between(*due_between)
            chosen = window if chosen is None else chosen & window
        return rows.copies(chosen)

    def undated_duties(self, agency_ids: list[int] | None = None, doc_ids: list[str] | None = None,
                       provinces: list[str] | None = None) -> list[dict[str, Any]]:
        if agency_ids is not None and not agency_ids:
            return []
        snap = self.snapshot()
        if snap is None:
            return self.store.undated_duties(agency_ids, doc_ids=doc_ids, provinces=provinces)
        return snap.duties.copies(snap.duties.select(doc_ids or None, provinces or None, agency_ids))

    def targets(self, kind: str | None = None, doc_ids: list[str] | None = None,
                provinces: list[str] | None = None) -> list[dict[str, Any]]:
        snap = self.snapshot()
        if snap is None:
            return self.store.targets(kind=kind, doc_ids=doc_ids, provinces=provinces)
        return snap.targets.copies(snap.targets.select(doc_ids or None, provinces or None),
                                   (lambda r: r["kind"] == kind) if kind else None)

    def agency_rows(self) -> list[dict[str, Any]]:
        """id, name and key of every stored agency (bot.tracking.open_duties.agency_scope reads these)."""
        snap = self.snapshot()
        if snap is None:
            return list(self.store.db.query("select id, name, key from agencies"))
        return [dict(r) for r in snap.agencies]
