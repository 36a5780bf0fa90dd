"""Deadline occurrences in a period: recurring duties expanded, one-off ones by their last day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from knowledge.recurrence import due_date, next_occurrence, occurrences
from knowledge.store import FactStore

OVERDUE_LOOKBACK_DAYS = 90


@dataclass(frozen=True)
class Occurrence:
    """One concrete date on which a stored deadline falls due."""

    on: date
    deadline: dict[str, Any]

    @property
    def key(self) -> str:
        """Stable identity of this occurrence, for the reminder log."""
        return f"{self.deadline['id']}@{self.on.isoformat()}"


def next_of(row: dict[str, Any], today: date) -> date | None:
    """The next occurrence of a deadline row on or after `today`, never before its directive's date."""
    return next_occurrence(row["due"], since(row, today), relation=row.get("relation"))


def since(row: dict[str, Any], start: date) -> date:
    """A recurring duty starts with its directive: no occurrence before the document's own date, or the
    first of its month when a working copy leaves the day blank (`ngày    tháng 12 năm 2025`)."""
    issued = row.get("issued_date") or (f"{row['issued_month']}-01" if row.get("issued_month") else None)
    if isinstance(row["due"], dict) and issued:
        issued_on = issued if isinstance(issued, date) else date.fromisoformat(str(issued)[:10])
        return max(start, issued_on)
    return start


def expand(rows: list[dict[str, Any]], start: date, end: date) -> list[Occurrence]:
    out = [Occurrence(d, row) for row in rows for d in occurrences(row["due"], since(row, start), end, row.get("relation"))]
    out.sort(key=lambda o: (o.on, o.deadline.get("agencies") or [""], o.deadline["id"]))
    return out


def upcoming(store: FactStore, start: date, end: date, **filters: Any) -> list[Occurrence]:
    """Occurrences in [start, end] of deadlines matching the store filters (agency_ids, provinces …)."""
    return expand(store.deadlines(**filters), start, end)


def overdue(store: FactStore, today: date, lookback_days: int = OVERDUE_LOOKBACK_DAYS,
            **filters: Any) -> list[Occurrence]:
    """One-off deadlines whose last day passed within the lookback window (no completion is tracked);
    the store reads only the one-off deadlines of that window."""
    between = (today - timedelta(days=lookback_days), today)
    return overdue_of(store.deadlines(due_between=between, **filters), today, lookback_days)


def overdue_of(rows: list[dict[str, Any]], today: date,
               lookback_days: int = OVERDUE_LOOKBACK_DAYS) -> list[Occurrence]:
    """overdue() over rows already loaded (a caller that also expands them reads the store once)."""
    start = today - timedelta(days=lookback_days)
    out = []
    for r in rows:
        d = None if isinstance(r["due"], dict) else due_date(r["due"], r.get("relation"))
        if d and start <= d < today:
            out.append(Occurrence(d, r))
    out.sort(key=lambda o: (o.on, o.deadline["id"]))
    return out
