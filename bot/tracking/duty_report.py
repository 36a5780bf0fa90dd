"""What a progress report holds: one row per duty occurrence due in a period, with its status, and
counts per lead agency. Shared by the `.xlsx` report (bot/tracking/report_xlsx.py), the `/tiendo` chart
(bot/tracking/progress_chart.py) and `directive-bot report`, so all three count the same way.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from bot import messages
from bot.answering.question import parse_window
from bot.labels import document_label, fmt_date
from bot.tracking.completions import DutyTracker
from bot.tracking.duty_status import count_statuses
from bot.tracking.open_duties import DutyOccurrence, occurrences
from knowledge.store import FactStore
from knowledge.text import fold

_YEAR = re.compile(r"(?<![\d/])(?:nam\s+)?(20\d\d)(?![\d/])")


@dataclass
class Period:
    start: date
    end: date

    @property
    def label(self) -> str:
        return messages.REPORT_PERIOD.format(start=fmt_date(self.start), end=fmt_date(self.end))


def month_of(day: date) -> Period:
    return Period(day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1]))


def parse_period(text: str, today: date) -> tuple[Period, str]:
    """The period a command names (`tháng 11/2026`, `quý IV/2026`, `năm 2026`; default this month)
    and what is left of the text (the agency), folded. Months and quarters are read by
    bot.answering.question.parse_window, the same parser questions use.
    """
    folded = " ".join(fold(text).split())
    window = parse_window(folded, today)
    if window is not None:
        return Period(window.start, window.end), " ".join(folded.replace(window.phrase, " ", 1).split())
    year = _YEAR.search(folded)
    if year:
        y = int(year.group(1))
        return Period(date(y, 1, 1), date(y, 12, 31)), " ".join((folded[:year.start()] + folded[year.end():]).split())
    return month_of(today), folded


@dataclass
class DutyRow:
    """One occurrence of a duty in the report."""

    key: str
    document: str
    section: str
    lead: list[str]
    cooperating: list[str]
    task: str
    due: date
    status: str
    done_on: date | None = None
    marked_by: str = ""
    note: str = ""


@dataclass
class Report:
    period: Period
    today: date
    agency: str | None
    rows: list[DutyRow] = field(default_factory=list)

    def by_agency(self) -> dict[str, dict[str, int]]:
        """Status counts per lead agency (an occurrence with two leads counts for both), by name."""
        statuses: dict[str, list[str]] = {}
        for r in self.rows:
            for who in r.lead or [messages.DUTY_NO_AGENCY]:
                statuses.setdefault(who, []).append(r.status)
        return {who: count_statuses(statuses[who]) for who in sorted(statuses)}

    def totals(self) -> dict[str, int]:
        return count_statuses(r.status for r in self.rows)


def build_report(store: FactStore, tracker: DutyTracker, period: Period, today: date,
                 agency_ids: list[int] | None = None, agency: str | None = None) -> Report:
    """Every occurrence due in the period (recurring duties once per period they fall in), with status,
    from the open-duties service (bot.tracking.open_duties), so /xong, /quahan and reminders count alike.

    `agency` narrows to the duties it leads or supports (its other names and the collectives holding it
    included); `agency_ids` is kept for callers that pass store ids (an empty list: nothing).
    """
    report = Report(period, today, agency)
    if agency_ids == [] and not agency:
        return report
    found = occurrences(store, tracker, period.start, period.end, today, agency or None)
    if agency_ids and not agency:
        found = [o for o in found if set(o.deadline.get("agency_ids") or []) & set(agency_ids)]
    report.rows = [_row(o) for o in found]
    report.rows.sort(key=lambda r: (r.due, r.lead, r.document, r.task))
    return report


def _row(o: DutyOccurrence) -> DutyRow:
    d, done = o.deadline, o.done
    return DutyRow(
        key=o.key,
        document=document_label(d.get("doc_type"), d.get("doc_number"), d.get("issued_date"), d.get("issuer"),
                                name=d["doc_id"]),
        section=d.get("section") or "",
        lead=list(d.get("agencies") or []),
        cooperating=list(d.get("cooperating") or []),
        task=d.get("task") or "",
        due=o.on,
        status=o.status,
        done_on=done.done_on if done else None,
        marked_by=done.by_name if done else "",
        note=done.note if done else "",
    )
