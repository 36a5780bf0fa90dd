"""One data-access layer over two engines: SQLite files, the embedded default (one office, one machine),
and PostgreSQL, for several bot front ends on several machines sharing one store.

Callers write SQL with `?` placeholders in the subset both engines understand (`on conflict … do`,
`returning`, plain joins); the few things that differ (how a row id is made, binary columns, locks
across processes, reconnecting) live here. The fact store, the bot's state and the embedding cache
all go through it, and their schemas are versioned migrations (knowledge/migrations.py).
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

T = TypeVar("T")
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
# A lost PostgreSQL connection is reopened up to this many times, RETRY_PAUSE_S apart: enough to ride out
# a server restart or a proxy dropping idle connections, short enough that a dead server fails a command
# within seconds (chosen by hand; the fault tests kill connections and expect the next call to succeed).
CONNECT_ATTEMPTS = 3
RETRY_PAUSE_S = 0.5
CONNECT_TIMEOUT_S = 10
# SQLite: seconds a statement waits for another connection's lock. Switching a new file to WAL takes
# an exclusive lock that SQLite does not wait for, so that one step is retried within the same time.
SQLITE_BUSY_TIMEOUT_S = 30
WAL_RETRY_PAUSE_S = 0.02
Target = Path | str


class DatabaseUnavailable(RuntimeError):
    """The configured database cannot be reached; the message is meant for operators."""


def is_database_url(target: object) -> bool:
    return isinstance(target, str) and target.startswith(POSTGRES_SCHEMES)


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Database(ABC):
    """What the stores need of an engine. Rows come back as dicts; `?` marks a parameter."""

    dialect: str
    integrity_errors: tuple[type[BaseException], ...]

    @abstractmethod
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """All rows of a query."""

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; returns the number of rows it changed."""

    @abstractmethod
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement once per parameter row."""

    @abstractmethod
    def insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert one row of a table with an `id` made by the engine; returns that id."""

    @abstractmethod
    def insert_many(self, table: str, rows: Iterable[dict[str, Any]], *, ignore: bool = False) -> None:
        """Insert rows (all with the same columns); `ignore` skips rows whose key is taken."""

    @abstractmethod
    def upsert(self, table: str, row: dict[str, Any], pk: Sequence[str]) -> None:
        """Insert a row or update the one with the same primary key `pk`."""

    @abstractmethod
    def atomic(self) -> AbstractContextManager[Database]:
        """All writes inside happen or none does; nested blocks are savepoints."""

    @abstractmethod
    def columns(self, table: str) -> list[str]:
        """Column names of a table, in order (empty when it does not exist)."""

    @abstractmethod
    def tables(self) -> set[str]:
        """Names of the tables."""

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or None."""
        rows = self.query(sql, params)
        return next(iter(rows[0].values())) if rows else None

    def exclusive(self, name: str) -> AbstractContextManager[None]:
        """Only one process at a time inside (an ingest deciding whether a directive is new)."""
        return nullcontext()

    def retrying(self, work: Callable[[], T]) -> T:
        """Run `work` (one whole transaction) again after a lost connection; SQLite never loses it."""
        return work()

    @abstractmethod
    def close(self) -> None:
        """Close this thread's connection."""


def _set_wal(conn: sqlite3.Connection) -> None:
    """WAL lets readers go on while the bot writes. Two connections opening a brand-new file at once
    both try the switch; the loser gets "database is locked" at once (the busy timeout does not apply),
    so it waits and tries again: by then the file is in WAL and the switch is a no-op."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(WAL_RETRY_PAUSE_S)


class SqliteDatabase(Database):
    """One WAL-mode connection per thread to a SQLite file: the bot answers from several threads.

    Writes go through sqlite-utils' table API; one file is one machine's store, so `exclusive` is the
    caller's file lock (bot.library.write_lock) and SQLite's own write lock."""

    dialect = "sqlite"
    integrity_errors = (sqlite3.IntegrityError,)

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()

    @property
    def db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(self.path, timeout=SQLITE_BUSY_TIMEOUT_S, check_same_thread=False)
            _set_wal(conn)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            db = sqlite_utils.Database(conn)
            self._local.db = db
        return db

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, list(params)))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.db.execute(sql, list(params)).rowcount

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.atomic():
            self.conn.executemany(sql, [list(r) for r in rows])

    def insert(self, table: str, row: dict[str, Any]) -> int:
        return int(self.db[table].insert(row).last_pk)

    def insert_many(self, table: str, rows: Iterable[dict[str, Any]], *, ignore: bool = False) -> None:
        self.db[table].insert_all(rows, ignore=ignore)

    def upsert(self, table: str, row: dict[str, Any], pk: Sequence[str]) -> None:
        self.db[table].upsert(row, pk=pk[0] if len(pk) == 1 else tuple(pk))

    def atomic(self) -> AbstractContextManager[Database]:
        return self._atomic()

    @contextmanager
    def _atomic(self) -> Iterator[Database]:
        with self.db.atomic():
            yield self

    def columns(self, table: str) -> list[str]:
        return [r[1] for r in self.conn.execute(f"pragma table_info({_quoted(table)})")]

    def tables(self) -> set[str]:
        return set(self.db.table_names())

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None


class PostgresDatabase(Database):
    """Thread-local psycopg connections in autocommit mode: a statement outside `atomic()` commits
    alone, as in sqlite-utils. A connection found broken is reopened; a statement outside a
    transaction is retried once on the new one, and a transaction whose connection died was rolled
    back by the server, so nothing is ever half-written."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        self._psycopg = psycopg
        self.integrity_errors = (psycopg.errors.IntegrityError,)
        self._local = threading.local()
        self._conn()  # fail at start, not at the first question

    def _connect(self) -> Any:
        from psycopg.rows import dict_row

        last: Exception | None = None
        for attempt in range(CONNECT_ATTEMPTS):
            try:
                return self._psycopg.connect(self.url, autocommit=True, row_factory=dict_row,
                                             connect_timeout=CONNECT_TIMEOUT_S, application_name="directive-bot")
            except self._psycopg.OperationalError as exc:
                last = exc
                if attempt + 1 < CONNECT_ATTEMPTS:
                    time.sleep(RETRY_PAUSE_S)
        first_line = str(last).strip().splitlines()[0] if last and str(last).strip() else type(last).__name__
        raise DatabaseUnavailable(f"cannot reach the database at {redact(self.url)}: {first_line}")

    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.broken:
            if conn is not None and getattr(self._local, "locks", 0):
                # a new connection would not hold the lock: whatever was decided under it may be stale
                raise self._psycopg.OperationalError("the connection holding an exclusive lock was lost")
            conn = self._local.conn = self._connect()
        return conn

    def _idle(self, conn: Any) -> bool:
        return conn.info.transaction_status == self._psycopg.pq.TransactionStatus.IDLE

    def _lost(self, conn: Any) -> bool:
        return bool(conn.closed or conn.broken)

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    def _reconnecting(self, work: Callable[[Any], T], *, idle_only: bool) -> T:
        """`work(connection)`, run again on a reopened connection if the server dropped this one.

        With `idle_only`, only work begun outside a transaction is run again: inside one, the server
        rolled the transaction back, so only its caller can redo it whole (`retrying`)."""
        for attempt in range(CONNECT_ATTEMPTS):
            conn = self._conn()
            may_retry = self._idle(conn) or not idle_only
            try:
                return work(conn)
            except self._psycopg.OperationalError:
                if not (may_retry and self._lost(conn)) or attempt + 1 == CONNECT_ATTEMPTS:
                    raise
                time.sleep(RETRY_PAUSE_S)
        raise AssertionError("unreachable")

    def _run(self, sql: str, params: Sequence[Any], fetch: bool) -> Any:
        def run(conn: Any) -> Any:
            cur = conn.execute(self._sql(sql), list(params))
            return (cur.fetchall() if cur.description else []) if fetch else cur.rowcount

        return self._reconnecting(run, idle_only=True)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return list(self._run(sql, params, fetch=True))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return int(self._run(sql, params, fetch=False))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        data = [list(r) for r in rows]
        if data:
            with self.atomic(), self._conn().cursor() as cur:
                cur.executemany(self._sql(sql), data)

    def _insert_sql(self, table: str, columns: Sequence[str]) -> str:
        return (f"insert into {_quoted(table)} ({', '.join(map(_quoted, columns))})"
                f" values ({', '.join('?' * len(columns))})")

    def insert(self, table: str, row: dict[str, Any]) -> int:
        rows = self.query(self._insert_sql(table, list(row)) + " returning id", list(row.values()))
        return int(rows[0]["id"])

    def insert_many(self, table: str, rows: Iterable[dict[str, Any]], *, ignore: bool = False) -> None:
        items = list(rows)
        if not items:
            return
        columns = list(items[0])
        sql = self._insert_sql(table, columns) + (" on conflict do nothing" if ignore else "")
        self.executemany(sql, ([r.get(c) for c in columns] for r in items))

    def upsert(self, table: str, row: dict[str, Any], pk: Sequence[str]) -> None:
        updates = ", ".join(f"{_quoted(c)} = excluded.{_quoted(c)}" for c in row if c not in pk)
        action = f"do update set {updates}" if updates else "do nothing"
        self.execute(self._insert_sql(table, list(row)) + f" on conflict ({', '.join(map(_quoted, pk))}) {action}",
                     list(row.values()))

    def atomic(self) -> AbstractContextManager[Database]:
        return self._atomic()

    @contextmanager
    def _atomic(self) -> Iterator[Database]:
        def begin(conn: Any) -> Any:
            tx = conn.transaction()
            tx.__enter__()  # BEGIN (or a savepoint): a connection lost while idle fails here, before any write
            return tx

        tx = self._reconnecting(begin, idle_only=True)
        try:
            yield self
        except BaseException as exc:
            if not tx.__exit__(type(exc), exc, exc.__traceback__):
                raise
        else:
            tx.__exit__(None, None, None)

    def columns(self, table: str) -> list[str]:
        return [r["column_name"] for r in self.query(
            "select column_name from information_schema.columns where table_schema = current_schema()"
            " and table_name = ? order by ordinal_position", [table])]

    def tables(self) -> set[str]:
        return {r["table_name"] for r in self.query(
            "select table_name from information_schema.tables where table_schema = current_schema()")}

    @contextmanager
    def _exclusive(self, name: str) -> Iterator[None]:
        key = zlib.crc32(f"directive-bot:{name}".encode())
        self._run("select pg_advisory_lock(?)", [key], fetch=True)  # reconnects first if the server dropped us
        conn = self._conn()
        self._local.locks = getattr(self._local, "locks", 0) + 1
        try:
            yield
        finally:
            self._local.locks -= 1
            if not self._lost(conn):
                conn.execute("select pg_advisory_unlock(%s)", [key])

    def exclusive(self, name: str) -> AbstractContextManager[None]:
        """A session advisory lock: held by this thread's connection, freed if the process dies."""
        return self._exclusive(name)

    def retrying(self, work: Callable[[], T]) -> T:
        return self._reconnecting(lambda _conn: work(), idle_only=False)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


_SHARED: dict[str, PostgresDatabase] = {}
_SHARED_LOCK = threading.Lock()


def open_database(target: Target) -> Database:
    """The database at `target`: a PostgreSQL URL (one shared object per URL in a process, its
    connections per thread) or a SQLite file path (a new object, as each store had its own)."""
    if is_database_url(target):
        url = str(target)
        with _SHARED_LOCK:
            if url not in _SHARED:
                _SHARED[url] = PostgresDatabase(url)
            return _SHARED[url]
    return SqliteDatabase(Path(target))
