"""Handlers for following duties to completion: `✅ Đã xong` / `↩️ Hoàn tác` buttons, /xong, /baocao, /tiendo.

Who may mark an item done (or undo it): bot admins anywhere, and members of a chat a bot admin linked
to an agency the duty names (lead or cooperating) by typing `/theodoi <cơ quan>` there. A subscription
made by anyone else, or to every agency, only brings reminders: a completion feeds the office's report
and is announced, so it must come from someone the office vouched for. The press is checked every
time, since subscriptions change. Every store, state and drawing call runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import io
import time
from datetime import date
from typing import Any

from telegram import InputFile, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot import messages
from bot.chat.chat_context import BotServices, Context, is_admin, services
from bot.chat.chat_io import allowed, command_arg, reply, thread_id
from bot.chat.feedback_handlers import AWAIT_SECONDS, Awaited, expect_reply
from bot.chat.subscription_handlers import resolve_agency, slug
from bot.formatting import esc, shorten
from bot.labels import fmt_date
from bot.tracking.duty_items import DUTY_CALLBACK, DutyItem, keyboard, load_items, store_items
from bot.tracking.duty_report import Report, build_report, parse_period
from bot.tracking.duty_status import DONE_LATE, DONE_STATUSES, OVERDUE, SOON_DAYS, status_of
from bot.tracking.open_duties import COOPERATING, NEEDS_REVIEW, DutyOccurrence, agency_scope, open_duties
from bot.tracking.progress_chart import progress_png
from bot.tracking.report_xlsx import build_workbook
from knowledge.agencies import agency_key

MAX_OPEN_ITEMS = 20  # one /xong message stays short; its buttons stay far below Telegram's 100
TASK_CHARS = 200
NOTE_KIND = "note"


def linked_agency(sub: dict[str, Any] | None) -> str | None:
    """The agency a bot admin linked the chat to, from its subscription (None: no link)."""
    if sub is None or not sub.get("linked") or not sub.get("agency"):
        return None
    return str(sub["agency"])


def covers(svc: BotServices, agency: str, names: list[str], ids: list[int]) -> bool:
    """Whether `agency` is one of the duty's agencies: by name, or by store id (the same agency named
    with its province, or by an abbreviation the resolver knows). A collective holding it (`Các sở,
    ngành`) does not count: one Sở must not mark the duty of all of them done."""
    wanted = agency_key(agency)
    if any(agency_key(name) == wanted for name in names):
        return True
    scope = agency_scope(svc.store, agency)
    own = [i for i in scope.ids if i in set(ids)]
    return bool(own) and bool(scope.names & set(names) or set(scope.aliases) & set(names))


def may_mark(svc: BotServices, chat_id: int, user_id: int | None, item: DutyItem) -> bool:
    """A bot admin, or a press from a chat an admin linked to one of the duty's agencies."""
    if user_id is not None and user_id in svc.settings.admin_ids:
        return True
    agency = linked_agency(svc.state.subscription(chat_id))
    return agency is not None and covers(svc, agency, item.agencies, item.agency_ids)


def _who(item: DutyItem) -> str:
    return ", ".join(item.agencies) or messages.DUTY_NO_AGENCY


async def on_duty_button(update: Update, context: Context) -> None:
    """`✅ Đã xong n` marks item n done (on today's date), `↩️ Hoàn tác n` takes it back; the chat is told."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.message is None:
        return
    svc = services(context)
    match = DUTY_CALLBACK.match(query.data or "")
    loaded = await asyncio.to_thread(load_items, svc.state, match.group(2)) if match else None
    number = int(match.group(3)) if match else 0
    if match is None or loaded is None or not 1 <= number <= len(loaded[1]):
        await query.answer(messages.CALLBACK_EXPIRED, show_alert=True)
        return
    _, items = loaded
    item = items[number - 1]
    chat_id = query.message.chat.id
    user_id = user.id if user else None
    if not await asyncio.to_thread(may_mark, svc, chat_id, user_id, item):
        await query.answer(messages.DONE_NOT_LINKED, show_alert=True)
        return
    name = user.full_name if user else ""
    today = svc.settings.today()
    due = date.fromisoformat(item.on)
    task = esc(shorten(item.task, TASK_CHARS))
    if match.group(1) == "done":
        if await asyncio.to_thread(svc.tracker.completion, item.key) is not None:
            await query.answer(messages.DONE_ALREADY)
            await _refresh(query.message, match.group(2), items, svc)
            return
        await asyncio.to_thread(svc.tracker.mark_done, item.key, today, by_id=user_id, by_name=name,
                                chat_id=chat_id)
        await query.answer(messages.DONE_TOAST)
        await _refresh(query.message, match.group(2), items, svc)
        template = messages.DONE_MARKED_LATE if status_of(due, today, today) == DONE_LATE else messages.DONE_MARKED
        text = template.format(who=esc(_who(item)), task=task, due=fmt_date(due), name=esc(name))
        notice = await reply(update, context, f"{text}\n{messages.DONE_NOTE_PROMPT}")
        if user is not None and notice is not None:
            expect_reply(context, user.id, Awaited(NOTE_KIND, item.key, item.task, time.monotonic() + AWAIT_SECONDS,
                                                   notice.message_id, replies_only=True))
        return
    if not await asyncio.to_thread(svc.tracker.undo, item.key, by_id=user_id, by_name=name, chat_id=chat_id):
        await query.answer(messages.UNDO_NOTHING, show_alert=True)
        await _refresh(query.message, match.group(2), items, svc)
        return
    await query.answer(messages.UNDO_TOAST)
    await _refresh(query.message, match.group(2), items, svc)
    await reply(update, context, messages.DONE_UNDONE.format(task=task, due=fmt_date(due), name=esc(name)))


async def _refresh(message: object, pending_id: str, items: list[DutyItem], svc: BotServices) -> None:
    """Show `↩️ Hoàn tác` on the done items and `✅ Đã xong` on the others, as stored now."""
    if not isinstance(message, Message):
        return
    done_keys = await asyncio.to_thread(svc.tracker.completions, [i.key for i in items])
    done = {n for n, item in enumerate(items, start=1) if item.key in done_keys}
    markup = keyboard(pending_id, len(items), done)
    if message.reply_markup != markup:
        try:
            await message.edit_reply_markup(markup)
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise


def _open_items(svc: BotServices, agency: str | None, today: date) -> tuple[list[tuple[DutyItem, str]], int]:
    """Open occurrences of the agency's duties (overdue in the last 90 days or due within a week), as the
    open-duties service counts them: one-off limits first, then recurring duties, each by date."""
    found = open_duties(svc.store, svc.tracker, today, agency)
    ordered = sorted(found.items, key=lambda o: (o.recurring, o.on, ", ".join(o.deadline.get("agencies") or []),
                                                 o.deadline.get("task") or ""))
    items = [(DutyItem.of(o.deadline, o.on), _status_label(o)) for o in ordered]
    return items[:MAX_OPEN_ITEMS], max(len(items) - MAX_OPEN_ITEMS, 0)


def _status_label(o: DutyOccurrence) -> str:
    """`quá hạn`, with `phối hợp` when the agency only cooperates and `chưa xác nhận` while it waits for review."""
    parts = [o.status]
    if o.role == COOPERATING:
        parts.append(messages.OPEN_ROLE_COOPERATING)
    if o.review == NEEDS_REVIEW:
        parts.append(messages.OPEN_NEEDS_REVIEW)
    return ", ".join(parts)


async def cmd_done_list(update: Update, context: Context) -> None:
    """/xong: the chat's open items, numbered, with a `✅ Đã xong` button each: for a bot admin (the
    chat's agency, or every agency) and in a chat an admin linked to an agency (that agency's items).
    A chat that only receives reminders is told how to get linked instead of buttons that would refuse."""
    svc = services(context)
    chat = update.effective_chat
    assert chat is not None
    sub = await asyncio.to_thread(svc.state.subscription, chat.id)
    admin = is_admin(context, update)
    if sub is None and not admin:
        await reply(update, context, messages.DONE_NOT_SUBSCRIBED)
        return
    agency = sub.get("agency") if sub else None
    scope = messages.DONE_LIST_SCOPE.format(agency=esc(agency)) if agency else ""
    if not admin and linked_agency(sub) is None:
        await reply(update, context, messages.DONE_LIST_NOT_LINKED.format(scope=scope))
        return
    today = svc.settings.today()
    items, extra = await asyncio.to_thread(_open_items, svc, agency, today)
    if not items:
        await reply(update, context, messages.DONE_LIST_EMPTY.format(scope=scope, days=SOON_DAYS))
        return
    lines = [messages.DONE_LIST_TITLE.format(scope=scope, days=SOON_DAYS)]
    for n, (item, status) in enumerate(items, start=1):
        lines.append(f"{n}. {fmt_date(date.fromisoformat(item.on))} – <b>{esc(_who(item))}</b>: "
                     f"{esc(shorten(item.task, TASK_CHARS))} <i>({esc(status)})</i>")
    if extra:
        lines.append(messages.DONE_LIST_MORE.format(n=extra))
    lines += ["", messages.DONE_LIST_HINT]
    pending_id = await asyncio.to_thread(store_items, svc.state, chat.id, [item for item, _ in items])
    await reply(update, context, "\n".join(lines), markup=keyboard(pending_id, len(items)))


async def _report_for(update: Update, context: Context) -> tuple[Report, str] | None:
    """The report the command's argument asks for (`[cơ quan] [tháng 11/2026 | quý IV/2026]`), and its scope
    text; None when the user is rate limited, may not read it, or was told why there is none.
    Who may read which report: see cmd_report."""
    if not await allowed(update, context):
        return None
    svc = services(context)
    today = svc.settings.today()
    period, rest = parse_period(command_arg(update), today)
    agency = None
    if rest:
        agency = await resolve_agency(update, context, rest)
        if agency is None:
            return None
    if not is_admin(context, update):
        chat = update.effective_chat
        assert chat is not None
        linked = linked_agency(await asyncio.to_thread(svc.state.subscription, chat.id))
        agency = agency or linked  # a linked chat's report is its agency's
        if agency is None:
            await reply(update, context, messages.REPORT_NOT_ALLOWED_ALL)
            return None
        if linked is None or agency_key(linked) != agency_key(agency):
            await reply(update, context, messages.REPORT_NOT_ALLOWED_AGENCY.format(agency=esc(agency)))
            return None

    def build() -> Report:
        return build_report(svc.store, svc.tracker, period, today, agency=agency)

    report = await asyncio.to_thread(build)
    scope = messages.REPORT_SCOPE.format(agency=esc(agency)) if agency else ""
    if not report.rows:
        await reply(update, context, messages.REPORT_EMPTY.format(period=period.label, scope=scope))
        return None
    return report, scope


async def cmd_report(update: Update, context: Context) -> None:
    """/baocao [cơ quan] [thời gian]: the follow-up table as an `.xlsx` file.

    Who may read it (the same for /tiendo, which draws the same report): a bot admin (BOT_ADMIN_IDS)
    reads any report, every agency's or one agency's, in any chat; a chat a bot admin linked to an
    agency (`/theodoi <cơ quan>` typed there by the admin) reads that agency's report, and plain
    `/baocao` there means that agency's; everyone else is refused, including chats that only receive
    reminders (a non-admin's subscription, or one to every agency). Why: the workbook names who marked
    what and their notes, and compares agencies: it is the office's follow-up record, not public data.
    """
    found = await _report_for(update, context)
    if found is None:
        return
    report, scope = found
    data = await asyncio.to_thread(build_workbook, report)
    totals = report.totals()
    done = sum(v for k, v in totals.items() if k in DONE_STATUSES)
    name = f"bao-cao-tien-do-{report.period.start.isoformat()}-{report.period.end.isoformat()}"
    if report.agency:
        name += f"-{slug(report.agency)}"
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_document(
        chat.id,
        InputFile(io.BytesIO(data), filename=f"{name}.xlsx"),
        caption=messages.REPORT_CAPTION.format(period=report.period.label, scope=scope, count=len(report.rows),
                                               done=done, overdue=totals[OVERDUE]),
        parse_mode=ParseMode.HTML,
        message_thread_id=thread_id(update.effective_message),
    )


async def cmd_progress(update: Update, context: Context) -> None:
    """/tiendo: statuses per lead agency as a PNG chart (drawn in a worker thread)."""
    found = await _report_for(update, context)
    if found is None:
        return
    report, scope = found
    png = await asyncio.to_thread(progress_png, report)
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_photo(
        chat.id,
        InputFile(io.BytesIO(png), filename="tien-do.png"),
        caption=messages.PROGRESS_CAPTION.format(period=report.period.label, scope=scope),
        parse_mode=ParseMode.HTML,
        message_thread_id=thread_id(update.effective_message),
    )
