"""What an upload tells people: the admin's summary, and subscribed chats' new-directive notices.

Pure functions over the store and the bot state (no Telegram calls), so they run in a worker
thread and are tested without a bot.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot import messages
from bot.formatting import esc
from bot.labels import document_label, fmt_date
from bot.library import CHANGES_SHOWN, REPLACED, IngestReport
from bot.state import BotState
from bot.tracking.reminders import agency_ids
from knowledge.review import review_counts
from knowledge.schedule import upcoming
from knowledge.store import FactStore

NEAREST_DEADLINES = 5
NOTIFY_HORIZON_DAYS = 365
REVIEW_QUOTES_SHOWN = 3  # per kind: enough to act on, short enough for one Telegram message


def report_source(report: IngestReport) -> str:
    """The document as answers and confirmations name it (stored_label): by its file, with its year."""
    return document_label(report.type, report.number, report.issued_date, report.issuer,
                          name=report.file_name or report.doc_id, year=report.year_hint)


def stored_label(store: FactStore, doc_id: str) -> str:
    row = store.document(doc_id) or {}
    return document_label(row.get("type"), row.get("number"), row.get("issued_date"), row.get("issuer"),
                          name=row.get("source_name") or doc_id, year=row.get("year_hint"))


def _nearest_lines(store: FactStore, doc_id: str, today: date, ids: list[int] | None) -> list[str]:
    """The next occurrence of each of the document's deadlines (optionally one agency's), soonest first."""
    filters: dict[str, Any] = {"doc_ids": [doc_id]}
    if ids:
        filters["agency_ids"] = ids
    seen: set[int] = set()
    lines = []
    for occ in upcoming(store, today, today + timedelta(days=NOTIFY_HORIZON_DAYS), **filters):
        if occ.deadline["id"] in seen:
            continue
        seen.add(occ.deadline["id"])
        who = ", ".join(occ.deadline.get("agencies") or []) or messages.REMINDER_NO_AGENCY
        task = occ.deadline.get("task") or ""
        lines.append(f"• {fmt_date(occ.on)} – <b>{esc(who)}</b>: {esc(task[:200])}")
        if len(lines) >= NEAREST_DEADLINES:
            break
    return lines


def _document_notice(report: IngestReport, nearest: list[str]) -> str:
    head = messages.UPDATED_DOCUMENT if report.status == REPLACED else messages.NEW_DOCUMENT
    parts = [head.format(source=esc(report_source(report)))]
    if report.title:
        parts[0] += "\n" + messages.NEW_DOCUMENT_TITLE.format(title=esc(report.title))
    if nearest:
        parts.append("\n".join([messages.NEW_DOCUMENT_NEAREST, *nearest]))
    else:
        parts.append(messages.NEW_DOCUMENT_NO_DEADLINE)
    parts.append(messages.NEW_DOCUMENT_HINT)
    return "\n\n".join(parts)


def plan_notifications(
    store: FactStore, state: BotState, report: IngestReport, today: date, exclude: int | None = None
) -> list[tuple[int, str]]:
    """(chat, HTML) for each subscribed chat the new directive concerns (its agency filter respected).

    Only what was written is announced: the same directive uploaded again tells nobody anything.
    """
    if not report.changed:
        return []
    out = []
    for sub in state.subscriptions():
        if sub["chat_id"] == exclude:
            continue
        ids = agency_ids(store, sub.get("agency"))
        if ids is not None and not (ids and store.deadlines(doc_ids=[report.doc_id], agency_ids=ids)):
            continue
        out.append((sub["chat_id"], _document_notice(report, _nearest_lines(store, report.doc_id, today, ids))))
    return out


def _changes_lines(report: IngestReport) -> list[str]:
    changes = report.changes
    if changes is None:
        return []
    if not changes.added and not changes.removed:
        return [messages.UPLOAD_CHANGES_NONE]
    lines = []
    for head, items in ((messages.UPLOAD_CHANGES_ADDED, changes.added),
                        (messages.UPLOAD_CHANGES_REMOVED, changes.removed)):
        if items:
            lines.append(head.format(count=len(items)))
            lines += [messages.UPLOAD_CHANGE_LINE.format(line=esc(line)) for line in items[:CHANGES_SHOWN]]
            if len(items) > CHANGES_SHOWN:
                lines.append(messages.UPLOAD_REVIEW_MORE.format(count=len(items) - CHANGES_SHOWN))
    return lines


def upload_summary(report: IngestReport) -> str:
    """The admin's reply after a directive was stored: counts, what changed, what needs a person's eye."""
    head = messages.UPLOAD_REPLACED if report.status == REPLACED else messages.UPLOAD_OK
    lines = [head.format(source=esc(report_source(report)))]
    if report.title:
        lines.append(messages.UPLOAD_TITLE.format(title=esc(report.title)))
    lines.append(
        messages.UPLOAD_COUNTS.format(deadlines=report.deadlines, targets=report.targets, results=report.results)
    )
    lines += _changes_lines(report)
    if report.ocr_confidence is not None:
        lines.append(messages.UPLOAD_OCR.format(confidence=f"{report.ocr_confidence:.0f}"))
        if report.low_confidence_pages:
            lines.append(messages.UPLOAD_OCR_LOW.format(pages=", ".join(map(str, report.low_confidence_pages))))
    if report.legacy_encoding:
        lines.append(messages.UPLOAD_LEGACY.format(encoding=esc(report.legacy_encoding.upper())))
    for kind, count in review_counts(report.review).items():
        lines.append(messages.UPLOAD_REVIEW[kind].format(count=count))
        quotes = [i.quote for i in report.review if i.kind == kind]
        lines += [messages.UPLOAD_REVIEW_QUOTE.format(quote=esc(q)) for q in quotes[:REVIEW_QUOTES_SHOWN]]
        if len(quotes) > REVIEW_QUOTES_SHOWN:
            lines.append(messages.UPLOAD_REVIEW_MORE.format(count=len(quotes) - REVIEW_QUOTES_SHOWN))
    return "\n".join(lines)


def confirmation_question(report: IngestReport, existing_label: str) -> str:
    """Asked before a stored directive is replaced by the same one again or by a new version."""
    template = messages.UPLOAD_NEW_VERSION if report.changes is not None else messages.UPLOAD_DUPLICATE
    lines = [template.format(source=esc(existing_label))]
    lines += _changes_lines(report)
    return "\n".join(lines)
