"""Expand stored due times (dates, months, quarters, years, recurrence rules) into concrete dates."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

_HALF_YEAR_MONTHS = (6, 12)
# `trước tháng 6/2024`, `trước quý III/2025`: before the period starts, so the last day allowed is
# the day before it (31/5/2024, 30/6/2025). `chậm nhất trong tháng 6` and `trong tháng 6` are
# "before"/"within" and allow the whole month.
BEFORE_START = "before_start"
_MONTH_WORDS = {BEFORE_START: "trước", "before": "chậm nhất trong"}
_WEEKDAY_NAMES = {1: "thứ Hai", 2: "thứ Ba", 3: "thứ Tư", 4: "thứ Năm", 5: "thứ Sáu", 6: "thứ Bảy", 7: "Chủ nhật"}


@lru_cache(maxsize=4096)
def _last_day(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def _clamp(y: int, m: int, d: int) -> date:
    return date(y, m, min(d, _last_day(y, m)))


def due_date(due: str | dict[str, Any], relation: str | None = None) -> date | None:
    """The last day a one-off due time allows: a date itself, the end of a month/quarter/year, or
    the day before the period for `trước tháng/quý …` (relation BEFORE_START)."""
    if isinstance(due, dict):
        return None
    if len(due) == 10:
        return date.fromisoformat(due)
    first = _period_start(due)
    if first is None:
        return None
    if relation == BEFORE_START:
        return first - timedelta(days=1)
    if len(due) == 7 and due[5] != "Q":
        return date(first.year, first.month, _last_day(first.year, first.month))
    if "-Q" in due:
        return date(first.year, first.month + 2, _last_day(first.year, first.month + 2))
    return date(first.year, 12, 31)


def _period_start(due: str) -> date | None:
    """First day of a month (`2024-06`), quarter (`2025-Q3`) or year (`2026`)."""
    if len(due) == 7 and due[4] == "-" and due[5] != "Q":
        return date(int(due[:4]), int(due[5:]), 1)
    if "-Q" in due:
        return date(int(due[:4]), int(due[-1]) * 3 - 2, 1)
    if len(due) == 4 and due.isdigit():
        return date(int(due), 1, 1)
    return None


def occurrences(due: str | dict[str, Any], start: date, end: date, relation: str | None = None) -> list[date]:
    """Concrete dates of a due time within [start, end]; recurring rules expand to every period.

    Monthly without a day falls on the last day of the month; quarterly on the last day of the
    quarter; half-yearly on 30/6 and 31/12; yearly on the given day/month (else 31/12), or on the
    last day of the month before for `trước tháng 6 hằng năm`.
    """
    if end < start:
        return []
    if not isinstance(due, dict):
        d = due_date(due, relation)
        return [d] if d and start <= d <= end else []
    every = due.get("every")
    if every == "week":  # weekly duties: on their weekday (1 = Monday), else on Fridays
        weekday = int(due.get("weekday") or 5) - 1
        first = start + timedelta(days=(weekday - start.weekday()) % 7)
        return [first + timedelta(days=7 * k) for k in range((end - first).days // 7 + 1)] if first <= end else []
    out: list[date] = []
    if due.get("dates"):  # `trước ngày 05/6 và 05/12 hằng năm`: {"every": "half-year", "dates": ["06-05", "12-05"]}
        pairs = [tuple(int(x) for x in md.split("-")) for md in due["dates"]]
        for y in range(start.year, end.year + 1):
            out += [d for d in (_clamp(y, mo, dd) for mo, dd in pairs) if start <= d <= end]
        return sorted(out)
    y, m = start.year, start.month
    while date(y, m, 1) <= end:
        falls = (
            every == "month"
            or (every == "quarter" and m % 3 == 0)
            or (every == "half-year" and m in _HALF_YEAR_MONTHS)
            or (every == "year" and m == yearly_month(due, relation))
        )
        candidate = _clamp(y, m, int(due.get("day") or 31)) if falls else None
        if candidate and start <= candidate <= end:
            out.append(candidate)
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out


def yearly_month(due: dict[str, Any], relation: str | None) -> int:
    """Month a yearly duty falls in: its own, or the one before for `trước tháng 3 hằng năm`."""
    month = int(due.get("month") or 12)
    if relation == BEFORE_START and not due.get("day"):
        return month - 1 or 12
    return month


def next_occurrence(due: str | dict[str, Any], after: date, horizon_days: int = 800,
                    relation: str | None = None) -> date | None:
    """First occurrence on or after `after` (one-off: its date if not yet past)."""
    found = occurrences(due, after, after + timedelta(days=horizon_days), relation)
    return found[0] if found else None


def describe_due(due: str | dict[str, Any], relation: str) -> str:
    """Vietnamese wording of a due time as officials write it: `trước ngày 15/3/2024`, `hằng quý`."""
    if isinstance(due, dict):
        if "relative" in due:  # counted from an event: shown as written, never reminded on
            return str(due["relative"])
        every = due.get("every")
        day = due.get("day")
        prefix = "trước ngày" if relation == "before" else "ngày"
        if every == "week":
            wd = due.get("weekday")
            name = _WEEKDAY_NAMES.get(wd) if isinstance(wd, int) else None
            return f"{'trước ' if relation == 'before' else ''}{name} hằng tuần" if name else "hằng tuần"
        if every == "month":
            return f"định kỳ {prefix} {day} hằng tháng" if day else "hằng tháng"
        if every == "quarter":
            return f"định kỳ {prefix} {day} tháng cuối quý" if day else "định kỳ hằng quý"
        if every == "half-year":
            if due.get("dates"):
                days = " và ".join(f"{int(md[3:])}/{int(md[:2])}" for md in due["dates"])
                return f"{prefix} {days} hằng năm"
            return "định kỳ 6 tháng"
        if every == "year":
            if day and due.get("month"):
                return f"{prefix} {day}/{due['month']} hằng năm"
            if due.get("month"):
                return f"{_MONTH_WORDS.get(relation, 'trong')} tháng {due['month']} hằng năm"
            return "hằng năm"
        return "định kỳ"
    if len(due) == 10:
        d = date.fromisoformat(due)
        word = {"before": "trước ngày", "on": "ngày", "within": "trong ngày"}.get(relation, "ngày")
        return f"{word} {d.day}/{d.month}/{d.year}"
    if "-Q" in due:
        roman = {1: "I", 2: "II", 3: "III", 4: "IV"}[int(due[-1])]
        return f"{_MONTH_WORDS.get(relation, 'trong')} quý {roman}/{due[:4]}"
    if len(due) == 7:
        return f"{_MONTH_WORDS.get(relation, 'trong')} tháng {int(due[5:])}/{due[:4]}"
    return f"trong năm {due}"
