"""Status of one deadline occurrence, and the key it is tracked under: pure functions, no storage.

Three statuses follow from the date alone (not yet due, due within a week, overdue); the two
"done" statuses need a stored completion and compare its date with the due date. Kept apart from
bot/tracking/completions.py (the tables) so reminders, answers, reports and charts all compute it one way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from knowledge.corrections import document_part, wording_digest

NOT_DUE = "chưa đến hạn"
DUE_SOON = "sắp đến hạn"
OVERDUE = "quá hạn"
DONE_ON_TIME = "hoàn thành đúng hạn"
DONE_LATE = "hoàn thành quá hạn"
# Report and chart order: open work first, from the most to the least urgent, then what is done.
STATUSES: tuple[str, ...] = (OVERDUE, DUE_SOON, NOT_DUE, DONE_LATE, DONE_ON_TIME)
DONE_STATUSES = frozenset({DONE_ON_TIME, DONE_LATE})
SOON_DAYS = 7  # "sắp đến hạn": due within this many days (the first reminder stage)


def status_of(due: date, today: date, done_on: date | None = None) -> str:
    """The status of an occurrence due on `due`, seen on `today`, completed on `done_on` (if it was).

    A duty done on its last day is on time; one done later is late, however it was reminded.
    """
    if done_on is not None:
        return DONE_ON_TIME if done_on <= due else DONE_LATE
    days_left = (due - today).days
    if days_left < 0:
        return OVERDUE
    return DUE_SOON if days_left <= SOON_DAYS else NOT_DUE


def on_time_share(counts: dict[str, int]) -> float | None:
    """Share of decided items done on time: on time / (done on time + done late + overdue).

    Items not yet due are left out (nobody can be late on them yet); None when nothing is decided.
    """
    decided = counts.get(DONE_ON_TIME, 0) + counts.get(DONE_LATE, 0) + counts.get(OVERDUE, 0)
    return counts.get(DONE_ON_TIME, 0) / decided if decided else None


def duty_key(row: dict[str, Any], on: date) -> str:
    """Stable identity of the occurrence of deadline `row` on `on`: directive + wording + date.

    The wording is the task, due time, relation and lead agencies (knowledge.corrections.wording_digest,
    the digest review corrections use too), so a new version of a directive keeps the status of duties
    it did not change, and a duty whose agency or deadline changed starts afresh.
    """
    return occurrence_key(duty_prefix(row), on)


def duty_prefix(row: dict[str, Any]) -> str:
    """The part of duty_key that is the same for every occurrence of `row` (a list of many occurrences
    digests each row once)."""
    digest = wording_digest(row.get("task"), row.get("due"), row.get("relation"), row.get("agencies"))
    return f"{document_part(row.get('doc_identity'), str(row['doc_id']))}#{digest}"


def occurrence_key(prefix: str, on: date) -> str:
    return f"{prefix}@{on.isoformat()}"


def count_statuses(statuses: Iterable[str]) -> dict[str, int]:
    """Counts in STATUSES order (every status present, zeros included)."""
    counts = dict.fromkeys(STATUSES, 0)
    for status in statuses:
        counts[status] += 1
    return counts
