"""The /lich calendar file: deadlines of the next year as an iCalendar (.ics) file.

Why these choices: all-day events (directives give days, not hours); one VEVENT per one-off deadline
and one VEVENT with an RRULE per recurring duty, so calendars show every period without thousands of
events; UIDs derived from the deadline's content, so importing a newer export updates events instead
of duplicating them (database row ids change when a document is re-ingested). Month-end days use
BYMONTHDAY/BYSETPOS so "ngày 30 hằng tháng" falls on 28/2 like knowledge.recurrence expands it.
RRULEs are open (no UNTIL/COUNT): a stored recurring duty has no end, and ending it at the export
window made a quarterly duty occur once and then vanish from the person's calendar.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from icalendar import Alarm, Calendar, Event

from bot.formatting import one_line, shorten
from bot.labels import document_label
from knowledge.recurrence import describe_due, due_date, next_occurrence, occurrences, yearly_month

WINDOW_DAYS = 365
CALENDAR_NAME = "Hạn chót văn bản chỉ đạo"
_MONTH_STEP = {"month": 1, "quarter": 3, "half-year": 6}


def event_uid(row: dict[str, Any]) -> str:
    """Stable across exports and re-ingests: document id plus a digest of what the deadline says."""
    content = json.dumps(
        [row.get("doc_id"), row.get("section"), row.get("task"), row.get("due"), row.get("relation")],
        ensure_ascii=False,
    )
    return f"{hashlib.sha1(content.encode('utf-8')).hexdigest()[:24]}@directive-bot"


def _day_rule(day: int | None) -> dict[str, Any]:
    """BYMONTHDAY for `day` clamped to the month's length (None = last day)."""
    if day is None or day >= 31:
        return {"bymonthday": -1}
    if day <= 28:
        return {"bymonthday": day}
    return {"bymonthday": list(range(28, day + 1)), "bysetpos": -1}


def recurrence_rule(due: dict[str, Any], relation: str | None = None) -> dict[str, Any] | None:
    """Open RRULE matching knowledge.recurrence.occurrences for a recurring due time, or None if unknown.

    Due times carry no end of the duty, so the rule has none either (see the module docstring).
    """
    every = due.get("every")
    day = int(due["day"]) if due.get("day") else None
    if due.get("dates"):  # `trước ngày 05/6 và 05/12 hằng năm`: one rule when the day is the same
        days = {int(md[3:]) for md in due["dates"]}
        if len(days) != 1:
            return None
        return {"freq": "yearly", "bymonth": [int(md[:2]) for md in due["dates"]], "bymonthday": days.pop()}
    if every in _MONTH_STEP:
        rule: dict[str, Any] = {"freq": "monthly"}
        if _MONTH_STEP[every] > 1:
            rule["interval"] = _MONTH_STEP[every]
    elif every == "year":
        rule = {"freq": "yearly", "bymonth": yearly_month(due, relation)}
    elif every == "week":  # same default weekday (Friday) as knowledge.recurrence.occurrences
        weekday = int(due.get("weekday") or 5)
        return {"freq": "weekly", "byday": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][weekday - 1]}
    else:
        return None
    rule.update(_day_rule(day))
    return rule


def _summary(row: dict[str, Any]) -> str:
    who = ", ".join(row.get("agencies") or []) or "Chưa rõ cơ quan"
    return f"Hạn: {who} – {shorten(row.get('task') or '', 120)}"


def _description(row: dict[str, Any]) -> str:
    source = document_label(row.get("doc_type"), row.get("doc_number"), row.get("issued_date"), row.get("issuer"))
    if row.get("section"):
        source += f", {row['section']}"
    lines = [f"Thời hạn: {describe_due(row['due'], row.get('relation') or '')}"]
    if row.get("agencies"):
        lines.append(f"Chủ trì: {', '.join(row['agencies'])}")
    if row.get("cooperating"):
        lines.append(f"Phối hợp: {', '.join(row['cooperating'])}")
    lines.append(f"Nhiệm vụ: {one_line(row.get('task') or '')}")
    if row.get("quote"):
        lines.append(f"Trích: «{shorten(row['quote'], 800)}»")
    lines.append(f"Nguồn: {source}")
    return "\n".join(lines)


def build_calendar(
    rows: list[dict[str, Any]], today: date, *, days: int = WINDOW_DAYS, name: str = CALENDAR_NAME
) -> tuple[bytes, int]:
    """(.ics bytes, deadline dates in [today, today+days]) for the store deadline rows due in that window.

    A recurring duty is exported when it occurs in the window, and its event repeats beyond it.
    """
    end = today + timedelta(days=days)
    cal = Calendar()
    cal.add("prodid", "-//directive-bot//Han chot//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = datetime.now(UTC).replace(microsecond=0)
    count = 0
    seen: set[str] = set()
    for row in rows:
        due = row["due"]
        rule = None
        if isinstance(due, dict):
            first = next_occurrence(due, today, relation=row.get("relation"))
            rule = recurrence_rule(due, row.get("relation"))
            dates = occurrences(due, today, end, row.get("relation")) if rule else ([first] if first else [])
        else:
            first = due_date(due, row.get("relation"))
            dates = [first] if first else []
        if first is None or first < today or first > end or not dates:
            continue
        uid = event_uid(row)
        while uid in seen:
            uid = "x" + uid
        seen.add(uid)
        event = Event()
        event.add("uid", uid)
        event.add("dtstamp", stamp)
        event.add("summary", _summary(row))
        event.add("description", _description(row))
        event.add("dtstart", first)
        event.add("dtend", first + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        if rule:
            event.add("rrule", rule)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", _summary(row))
        alarm.add("trigger", timedelta(days=-1))
        event.add_component(alarm)
        cal.add_component(event)
        count += len(dates)
    return cal.to_ical(), count
