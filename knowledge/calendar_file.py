"""iCalendar export of deadlines (one event per concrete date; recurring duties as RRULE)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from icalendar import Calendar, Event

from knowledge.recurrence import describe_due, due_date, next_occurrence

_RRULE = {"month": "MONTHLY", "quarter": "MONTHLY", "half-year": "MONTHLY", "year": "YEARLY"}
_INTERVAL = {"month": 1, "quarter": 3, "half-year": 6, "year": 1}


def calendar_bytes(rows: list[dict[str, Any]], start: date, end: date) -> bytes:
    """An .ics file that Google Calendar and Outlook import: all-day events with stable UIDs."""
    cal = Calendar()
    cal.add("prodid", "-//directive-bot//vi//")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Hạn chót văn bản chỉ đạo")
    for row in rows:
        due = row["due"]
        first = next_occurrence(due, start) if isinstance(due, dict) else due_date(due)
        if first is None or first > end or (not isinstance(due, dict) and first < start):
            continue
        event = Event()
        who = ", ".join(row.get("agencies") or []) or "Chưa rõ cơ quan"
        event.add("uid", f"deadline-{row['doc_id']}-{row['id']}@directive-bot")
        event.add("summary", f"{who}: {row['task'][:120]}")
        event.add("description", f"{describe_due(due, row['relation'])}\n{row['quote'][:800]}\n"
                                 f"Nguồn: {row['doc_id']}, {row['section']}")
        event.add("dtstart", first)
        event.add("dtend", first + timedelta(days=1))
        if isinstance(due, dict) and due.get("every") in _RRULE:
            rule: dict[str, Any] = {"freq": _RRULE[due["every"]], "interval": _INTERVAL[due["every"]]}
            if due["every"] == "month" and not due.get("day"):
                rule["bymonthday"] = -1
            event.add("rrule", rule)
        cal.add_component(event)
    return cal.to_ical()
