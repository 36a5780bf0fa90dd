"""`directive-bot migrate --to postgresql://…`: copy one office's SQLite store into PostgreSQL.

An office that grows from one machine to several front ends (issue "Serve a whole country") must not
re-ingest and re-embed its directives, nor lose its subscriptions, reminder claims, duty completions,
review corrections and votes. This copies the three SQLite files of BOT_DATA_DIR (facts.sqlite,
bot_state.sqlite, the embedding cache) table by table into a database the migrations have brought to
the current schema.

Row ids are kept (link tables refer to them) and rows go in with `insert … on conflict do nothing`:
running it again, or after a run that died midway, adds only what is missing. Each table is copied in
one transaction, and the fact tables all in one (a directive's rows span them: a directive in the
target always has all of its sections, deadlines, targets and duties, so a difference there is a real
change, not a run cut short). A row the target holds under the same key with other content (another
version of a directive, a deadline id another directive's deadline took) is a conflict: reported,
never overwritten, and the rows hanging from it are left out, so no directive gets two sets of facts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.state import BotState
from index.builder import cache_path
from knowledge.database import Database, DatabaseUnavailable, open_database, redact
from knowledge.migrations import COMPONENTS, migrate

BATCH_ROWS = 1000
MAX_PARAMS = 60_000  # PostgreSQL takes at most 65,535 parameters in one statement
MAX_LISTED_CONFLICTS = 100  # a wrong target can conflict on every row: the report lists the first ones
LOCK_NAME = "store-migration"
_FIRST_ROWID = -(2**63)
_IDENTITY_TABLE = re.compile(r"create table if not exists (\w+) \(\s*id \{id\}")


class NoSourceStore(RuntimeError):
    """BOT_DATA_DIR holds no SQLite fact store to copy; the message is meant for operators."""


@dataclass(frozen=True)
class TableCopy:
    """How one table is copied.

    `key`: what names a row (its primary or unique key). `same`: the columns that must agree when the
    target already holds that key (None: every column; (): none, for rows the bot changes in place, such
    as a subscription's agency or a vote, where the target's current row stands). `parents`: (column,
    table) pairs; a row whose parent was not copied is left out with it."""

    name: str
    key: tuple[str, ...]
    same: tuple[str, ...] | None = None
    parents: tuple[tuple[str, str], ...] = ()


_OF_DOCUMENT = (("doc_id", "documents"),)
# Foreign-key order: a table comes after every table its rows refer to.
TABLES: dict[str, tuple[TableCopy, ...]] = {
    "facts": (
        TableCopy("documents", ("doc_id",), ("sha256",)),
        TableCopy("sections", ("doc_id", "idx"), None, _OF_DOCUMENT),
        TableCopy("agencies", ("id",), ("province", "key")),
        TableCopy("agency_aliases", ("agency_id", "alias"), (), (("agency_id", "agencies"),)),
        TableCopy("deadlines", ("id",), None, _OF_DOCUMENT),
        TableCopy("deadline_agencies", ("deadline_id", "agency_id", "role"), None,
                  (("deadline_id", "deadlines"), ("agency_id", "agencies"))),
        TableCopy("targets", ("id",), None, _OF_DOCUMENT),
        TableCopy("duties", ("id",), None, _OF_DOCUMENT),
        TableCopy("duty_agencies", ("duty_id", "agency_id", "role"), None,
                  (("duty_id", "duties"), ("agency_id", "agencies"))),
        TableCopy("corrections", ("id",)),
    ),
    "state": (
        TableCopy("subscriptions", ("chat_id",), ()),
        TableCopy("reminder_log", ("chat_id", "occurrence_key", "stage"), ()),
        TableCopy("pending_texts", ("id",), ()),
        TableCopy("bot_meta", ("key",), ()),
        TableCopy("duty_events", ("id",)),
        TableCopy("answer_feedback", ("answer_id", "user_id"), ()),
        TableCopy("parked_uploads", ("token",), ()),
    ),
    # The key is a hash of the model and the text: the same key is the same vector.
    "embeddings": (TableCopy("vectors", ("key",), ()),),
}
# A directive's rows in these tables are copied with it or not at all (one transaction for the facts): a
# target holding other ones for a directive of the same hash means one side changed it since an earlier copy.
DOCUMENT_CHILDREN = (("sections", "idx"), ("deadlines", "id"), ("targets", "id"), ("duties", "id"))


@dataclass
class Counts:
    copied: int = 0
    already_there: int = 0
    skipped: int = 0  # left out because a row they hang from was a conflict
    conflicts: int = 0


@dataclass
class MigrationReport:
    target: str
    sources: dict[str, str | None]
    tables: dict[str, Counts] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)
    conflict_count: int = 0

    def conflict(self, table: str, message: str) -> None:
        self.tables[table].conflicts += 1
        self.conflict_count += 1
        if len(self.conflicts) < MAX_LISTED_CONFLICTS:
            self.conflicts.append(f"{table} {message}")

    def as_json(self) -> dict[str, Any]:
        return {"target": self.target, "sources": self.sources,
                "tables": {name: asdict(c) for name, c in self.tables.items()},
                "conflicts": self.conflicts, "conflict_count": self.conflict_count}


def identity_tables() -> list[str]:
    """Tables whose `id` the engine makes (`{id}` in the migrations): their sequences follow the copy."""
    return [m.group(1) for steps in COMPONENTS.values() for step in steps for sql in step.ddl
            if (m := _IDENTITY_TABLE.match(sql.strip()))]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def open_target(url: str) -> Database:
    """The PostgreSQL database at `url` at the current schema; opened before any source file is touched."""
    import psycopg

    try:
        target = open_database(url)
    except psycopg.ProgrammingError as exc:  # a malformed URL: psycopg's words may quote the password
        raise DatabaseUnavailable(f"cannot use {redact(url)}: not a valid PostgreSQL URL") from exc
    for component in COMPONENTS:
        migrate(target, component)
    return target


def component_paths(settings: Settings) -> dict[str, Path]:
    """Where each component's SQLite file lives in BOT_DATA_DIR (it may not exist)."""
    return {"facts": settings.db_path, "state": settings.state_path, "embeddings": cache_path(settings.index_dir)}


def _require_source(settings: Settings) -> None:
    """Checked before the target is opened: a mistyped BOT_DATA_DIR must not reach the network."""
    if not settings.db_path.exists():
        raise NoSourceStore(f"no SQLite fact store to copy at {settings.db_path} (BOT_DATA_DIR={settings.data_dir});"
                            " point BOT_DATA_DIR at the folder the bot ran from")


def _open_sources(settings: Settings) -> dict[str, Database]:
    """The source files at the current schema (an old file gains its missing tables and columns first).

    Bot tables of stores older than bot_state.sqlite are still in facts.sqlite: BotState moves them
    to their own file, as the bot itself would on its next start."""
    paths = component_paths(settings)
    facts = open_database(paths["facts"])
    migrate(facts, "facts")
    sources = {"facts": facts}
    if paths["state"].exists() or "subscriptions" in facts.tables():
        sources["state"] = BotState(paths["state"], legacy=paths["facts"]).db
    if paths["embeddings"].exists():
        sources["embeddings"] = open_database(paths["embeddings"])
        migrate(sources["embeddings"], "embeddings")
    return sources


def migrate_store(settings: Settings, url: str) -> MigrationReport:
    """Copy the SQLite store of `settings.data_dir` into the PostgreSQL database at `url`."""
    _require_source(settings)
    target = open_target(url)
    sources = _open_sources(settings)
    paths = component_paths(settings)
    report = MigrationReport(redact(url), {c: str(paths[c]) if c in sources else None for c in COMPONENTS})
    try:
        with target.exclusive(LOCK_NAME):  # two runs at once would each see the other's rows as conflicts
            for component, source in sources.items():
                _copy_component(source, target, component, report)
            _reset_identities(target)
    finally:
        for source in sources.values():
            source.close()
    return report


def _copy_component(source: Database, target: Database, component: str, report: MigrationReport) -> None:
    """Every table of one component, parents first, all read from one snapshot of the source file (a bot
    still writing to it cannot split a directive from its deadlines); the fact tables in one transaction."""
    left_out: dict[str, set[Any]] = {}
    with source.atomic(), target.atomic() if component == "facts" else nullcontext():
        diverged = _diverged_documents(source, target) if component == "facts" else {}
        for spec in TABLES[component]:
            preset = diverged if spec.name == "documents" else {}
            _copy_table(source, target, spec, report, left_out, preset)


def _keys_by_document(db: Database, table: str, key: str) -> dict[str, set[Any]]:
    found: dict[str, set[Any]] = {}
    for row in db.query(f"select doc_id, {_ident(key)} as k from {_ident(table)}"):
        found.setdefault(row["doc_id"], set()).add(row["k"])
    return found


def _diverged_documents(source: Database, target: Database) -> dict[str, str]:
    """Directives both sides hold at the same hash whose facts differ (reviewed or re-read on one side
    since an earlier copy): copying the source's rows would give them two sets of deadlines."""
    mine = {r["doc_id"]: r["sha256"] for r in source.query("select doc_id, sha256 from documents")}
    both = {r["doc_id"] for r in target.query("select doc_id, sha256 from documents")
            if r["doc_id"] in mine and mine[r["doc_id"]] == r["sha256"]}
    diverged: dict[str, str] = {}
    for table, key in DOCUMENT_CHILDREN:
        ours, theirs = _keys_by_document(source, table, key), _keys_by_document(target, table, key)
        for doc_id in both:
            if theirs.get(doc_id, set()) != ours.get(doc_id, set()):
                diverged.setdefault(doc_id, f"doc_id={doc_id}: its {table} in the target differ from the source's"
                                            " (changed on one side since an earlier copy); kept the target's")
    return diverged


def _column_types(target: Database, table: str) -> dict[str, str]:
    return {r["column_name"]: r["data_type"] for r in target.query(
        "select column_name, data_type from information_schema.columns where table_schema = current_schema()"
        " and table_name = ?", [table])}


def _coerce(value: Any, kind: str) -> Any:
    """A SQLite value as the PostgreSQL column takes it: SQLite keeps any type in any column (files
    written by earlier versions hold a number in a text column), PostgreSQL does not."""
    if value is None or isinstance(value, bool):
        return value
    if kind == "text" and not isinstance(value, str):
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    if kind == "bigint" and isinstance(value, float) and value.is_integer():
        return int(value)
    if kind == "bigint" and isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    if kind == "double precision" and isinstance(value, int):
        return float(value)
    return bytes(value) if isinstance(value, memoryview) else value


def _source_batches(source: Database, table: str, columns: list[str], size: int) -> Iterator[list[dict[str, Any]]]:
    """The table's rows in rowid order, `size` at a time: a country's vectors do not fit in memory at once."""
    last = _FIRST_ROWID
    names = ", ".join(map(_ident, columns))
    while rows := source.query(f'select rowid as "__rowid__", {names} from {_ident(table)}'
                               " where rowid > ? order by rowid limit ?", [last, size]):
        last = rows[-1]["__rowid__"]
        yield [{c: r[c] for c in columns} for r in rows]


def _copy_table(source: Database, target: Database, spec: TableCopy, report: MigrationReport,
                left_out: dict[str, set[Any]], preset: dict[Any, str]) -> None:
    """One table in one transaction; rows under a left-out parent, or preset as conflicts, are not copied."""
    types = _column_types(target, spec.name)
    columns = [c for c in target.columns(spec.name) if c in set(source.columns(spec.name))]
    counts = report.tables.setdefault(spec.name, Counts())
    gone = left_out.setdefault(spec.name, set())
    size = max(1, min(BATCH_ROWS, MAX_PARAMS // len(columns)))
    with target.atomic():
        for batch in _source_batches(source, spec.name, columns, size):
            rows = []
            for raw in batch:
                row = {c: _coerce(v, types.get(c, "")) for c, v in raw.items()}
                first = row[spec.key[0]]
                if any(row[col] in left_out.get(parent, ()) for col, parent in spec.parents):
                    counts.skipped += 1
                    gone.add(first)
                elif first in preset:
                    report.conflict(spec.name, preset[first])
                    gone.add(first)
                else:
                    rows.append(row)
            _copy_batch(target, spec, columns, rows, report, gone)


def _key(spec: TableCopy, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[k] for k in spec.key)


def _key_text(spec: TableCopy, row: dict[str, Any]) -> str:
    return " ".join(f"{k}={row[k]}" for k in spec.key)


def _existing(target: Database, spec: TableCopy, columns: list[str],
              rows: list[dict[str, Any]]) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The target's rows under the batch's keys, with the columns that must agree."""
    if not rows:
        return {}
    wanted = columns if spec.same is None else list(dict.fromkeys([*spec.key, *spec.same]))
    one = "(" + ", ".join("?" * len(spec.key)) + ")"
    where = f"({', '.join(map(_ident, spec.key))}) in ({', '.join([one] * len(rows))})"
    found = target.query(f"select {', '.join(map(_ident, wanted))} from {_ident(spec.name)} where {where}",
                         [row[k] for row in rows for k in spec.key])
    return {_key(spec, r): r for r in found}


def _same_value(a: Any, b: Any) -> bool:
    a, b = _coerce(a, ""), _coerce(b, "")
    return a == b or (isinstance(a, float) and isinstance(b, float) and a != a and b != b)  # NaN is itself


def _differing(spec: TableCopy, columns: list[str], row: dict[str, Any], there: dict[str, Any]) -> list[str]:
    compared = columns if spec.same is None else spec.same
    return [c for c in compared if not _same_value(there.get(c), row.get(c))]


def _insert(target: Database, spec: TableCopy, columns: list[str], rows: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    """Insert rows whose key is free; returns the keys actually inserted (another unique key may be taken)."""
    if not rows:
        return set()
    one = "(" + ", ".join("?" * len(columns)) + ")"
    sql = (f"insert into {_ident(spec.name)} ({', '.join(map(_ident, columns))}) values {', '.join([one] * len(rows))}"
           f" on conflict do nothing returning {', '.join(map(_ident, spec.key))}")
    return {_key(spec, r) for r in target.query(sql, [row[c] for row in rows for c in columns])}


def _copy_batch(target: Database, spec: TableCopy, columns: list[str], rows: list[dict[str, Any]],
                report: MigrationReport, gone: set[Any]) -> None:
    counts = report.tables[spec.name]
    existing = _existing(target, spec, columns, rows)
    fresh = []
    for row in rows:
        there = existing.get(_key(spec, row))
        if there is None:
            fresh.append(row)
        elif differing := _differing(spec, columns, row, there):
            report.conflict(spec.name, f"{_key_text(spec, row)}: the target holds another row under this key"
                                       f" (differs in {', '.join(differing)}); kept the target's")
            gone.add(row[spec.key[0]])
        else:
            counts.already_there += 1
    inserted = _insert(target, spec, columns, fresh)
    for row in fresh:
        if _key(spec, row) in inserted:
            counts.copied += 1
        else:
            report.conflict(spec.name, f"{_key_text(spec, row)}: another unique key of this row is taken in the"
                                       " target; not copied")
            gone.add(row[spec.key[0]])


def _reset_identities(target: Database) -> None:
    """Copied ids were given, not drawn from the sequences: move each past the largest id, or the next
    directive stored in PostgreSQL would be refused for an id a copied row holds."""
    for table in identity_tables():
        target.scalar(f"select setval(pg_get_serial_sequence(?, 'id'),"
                      f" coalesce((select max(id) from {_ident(table)}), 0) + 1, false)", [table])
