"""Review in chat: /duyet lists what the bot is unsure of, and the buttons under each item confirm it
(✅ Đúng), correct its agency (✏️ Cơ quan: a candidate found in the text, or a reply with a name) or its
due time (📅 Hạn: a reply such as `15/5/2026` or `hằng tháng ngày 5`), or drop it (🗑 Không phải nhiệm
vụ). Only admins correct. The work is bot/review.py's, run in a worker thread.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot import messages
from bot.chat.chat_context import Context, is_admin, services
from bot.chat.chat_io import command_arg, reply, send_html
from bot.chat.feedback_handlers import AWAIT_SECONDS, Awaited, expect_reply
from bot.formatting import esc, shorten
from bot.labels import document_label
from bot.review import ReviewError, ReviewItem, correct, waiting_items
from knowledge.recurrence import describe_due
from knowledge.store import FactStore

REVIEW_CALLBACK = re.compile(r"^rv:(ok|ag|due|drop|pick):([A-Za-z0-9_-]{1,40})(?::(\d{1,2}))?$")
REVIEW_KIND = "review"  # pending_texts kind: the JSON {doc, ref} behind a review message's buttons
AWAIT_AGENCY, AWAIT_DUE = "rv-ag", "rv-due"
REVIEW_PAGE = 5  # items sent at once: each is a message with buttons, more would flood the chat
QUOTE_CHARS = 300
MAX_CANDIDATES = 6


def _source(store: FactStore, doc_id: str) -> str:
    d = store.document(doc_id) or {}
    return document_label(d.get("type"), d.get("number"), d.get("issued_date"), d.get("issuer"), name=doc_id)


def item_html(item: ReviewItem) -> str:
    r = item.row
    due = describe_due(r["due"], r.get("relation") or "") if r.get("due") is not None else "?"
    agencies = esc(", ".join(r.get("agencies") or []) or messages.REVIEW_NO_AGENCY)
    quote = esc(shorten(" ".join(str(r.get("quote") or "").split()), QUOTE_CHARS))
    if item.state == "orphan":
        return messages.REVIEW_ORPHAN_ITEM.format(due=esc(due), agencies=agencies, quote=quote)
    why = (str(r.get("evidence") or "").splitlines() or [""])[-1].strip()
    return messages.REVIEW_ITEM.format(mark="❓", due=esc(due), agencies=agencies, quote=quote,
                                       confidence=f"{r.get('confidence') or 0:.2f}", why=esc(why))


def keyboard(pending_id: str, orphan: bool = False) -> InlineKeyboardMarkup:
    if orphan:
        return InlineKeyboardMarkup([[InlineKeyboardButton(messages.BUTTON_REVIEW_DISMISS,
                                                           callback_data=f"rv:drop:{pending_id}")]])
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(messages.BUTTON_REVIEW_OK, callback_data=f"rv:ok:{pending_id}"),
         InlineKeyboardButton(messages.BUTTON_REVIEW_AGENCY, callback_data=f"rv:ag:{pending_id}"),
         InlineKeyboardButton(messages.BUTTON_REVIEW_DUE, callback_data=f"rv:due:{pending_id}")],
        [InlineKeyboardButton(messages.BUTTON_REVIEW_DROP, callback_data=f"rv:drop:{pending_id}")],
    ])


async def send_items(context: Context, chat_id: int, items: list[ReviewItem]) -> None:
    """One message per item (up to REVIEW_PAGE), each with its buttons; then how many are left."""
    svc = services(context)
    for item in items[:REVIEW_PAGE]:
        payload = json.dumps({"doc": item.doc_id, "ref": item.duty_ref, "state": item.state})
        pending_id = await asyncio.to_thread(svc.state.put_pending, chat_id, REVIEW_KIND, payload)
        await send_html(context, chat_id, item_html(item), markup=keyboard(pending_id, item.state == "orphan"))
    if len(items) > REVIEW_PAGE:
        await send_html(context, chat_id, messages.REVIEW_MORE.format(n=len(items) - REVIEW_PAGE,
                                                                      doc=esc(items[REVIEW_PAGE].doc_id)))


def _matching_docs(store: FactStore, query: str) -> list[str]:
    ids = [d["doc_id"] for d in store.documents()]
    if not query:
        return ids
    folded = query.strip().lower()
    return [i for i in ids if i.lower() == folded] or [i for i in ids if folded in i.lower()]


async def cmd_review(update: Update, context: Context) -> None:
    """/duyet [văn bản]: the deadlines waiting for an admin's word, with buttons."""
    if not is_admin(context, update):
        await reply(update, context, messages.REVIEW_ADMIN_ONLY)
        return
    svc = services(context)
    query = command_arg(update)
    doc_ids = await asyncio.to_thread(_matching_docs, svc.store, query)
    if query and not doc_ids:
        await reply(update, context, messages.REVIEW_NO_DOCUMENT.format(query=esc(query)))
        return
    items = await asyncio.to_thread(waiting_items, svc.store, doc_ids)
    if not items:
        await reply(update, context, messages.REVIEW_NOTHING.format(scope=f" trong «{esc(query)}»" if query else ""))
        return
    first = items[0].doc_id
    source = await asyncio.to_thread(_source, svc.store, first)
    await reply(update, context, messages.REVIEW_TITLE.format(count=len(items), source=esc(source)))
    await send_items(context, update.effective_chat.id, items)


def _apply(context: Context, payload: dict[str, Any], action: str, user: Any,
           fields: dict[str, str] | None = None) -> ReviewItem:
    """Record and apply the correction, then let the answerer see agencies it may have added."""
    svc = services(context)
    item = correct(svc.settings, payload["doc"], payload["ref"], action, f"telegram:{user.id} {user.full_name}", fields)
    svc.answerer.reload()
    return item


def _done_text(item: ReviewItem, action: str) -> str:
    r = item.row
    due = describe_due(r["due"], r.get("relation") or "") if r.get("due") is not None else "?"
    agencies = esc(", ".join(r.get("agencies") or []) or messages.REVIEW_NO_AGENCY)
    template = {"confirm": messages.REVIEW_CONFIRMED, "set": messages.REVIEW_CORRECTED}.get(action)
    if template is None:
        return messages.REVIEW_DISMISSED if action == "dismiss" else messages.REVIEW_DROPPED
    return template.format(due=esc(due), agencies=agencies)


async def on_review_button(update: Update, context: Context) -> None:
    """The buttons under a review item: only admins act; the message shows the outcome."""
    query = update.callback_query
    match = REVIEW_CALLBACK.match(query.data or "") if query else None
    if query is None or match is None:
        return
    if not is_admin(context, update):
        await query.answer(messages.REVIEW_ADMIN_ONLY, show_alert=True)
        return
    action, pending_id, number = match.groups()
    pending = await asyncio.to_thread(services(context).state.get_pending, pending_id)
    if pending is None:
        await query.answer(messages.REVIEW_EXPIRED, show_alert=True)
        return
    payload = json.loads(pending["html"])
    await query.answer()
    if action == "ag":
        await _ask_agency(update, context, pending_id, payload)
    elif action == "due":
        await _ask(update, context, pending_id, AWAIT_DUE, messages.REVIEW_ASK_DUE)
    else:
        chosen = "dismiss" if payload.get("state") == "orphan" else {"ok": "confirm", "drop": "drop"}.get(action, "set")
        fields = {"agency": _candidate(payload, int(number or 0))} if action == "pick" else None
        await _settle(update, context, pending_id, payload, chosen, fields)


def _candidate(payload: dict[str, Any], number: int) -> str:
    names = payload.get("candidates") or []
    return "; ".join(names[number]) if 0 <= number < len(names) else ""


async def _settle(update: Update, context: Context, pending_id: str, payload: dict[str, Any], action: str,
                  fields: dict[str, str] | None) -> None:
    user = update.effective_user
    try:
        item = await asyncio.to_thread(_apply, context, payload, action, user, fields)
    except ReviewError:
        await reply(update, context, messages.REVIEW_EXPIRED)
        return
    await asyncio.to_thread(services(context).state.drop_pending, pending_id)
    message = update.effective_message
    text = _done_text(item, action)
    try:
        if update.callback_query is not None and message is not None:
            await message.edit_text(f"{message.text_html}\n\n{text}", parse_mode="HTML")
            return
    except BadRequest:
        pass
    await reply(update, context, text)


async def _ask_agency(update: Update, context: Context, pending_id: str, payload: dict[str, Any]) -> None:
    """Candidates found in the text as buttons, and a reply with a name for any other agency."""
    svc = services(context)
    rows = await asyncio.to_thread(lambda: svc.store.deadlines([payload["doc"]], evidence=True))
    row = next((r for r in rows if r.get("duty_ref") == payload["ref"]), {})
    candidates = [c for c in json.loads(row.get("candidates") or "[]") if c][:MAX_CANDIDATES]
    payload = {**payload, "candidates": candidates}
    await asyncio.to_thread(svc.state.update_pending, pending_id, json.dumps(payload))
    buttons = [[InlineKeyboardButton(shorten(", ".join(c), 60), callback_data=f"rv:pick:{pending_id}:{n}")]
               for n, c in enumerate(candidates)]
    await _ask(update, context, pending_id, AWAIT_AGENCY, messages.REVIEW_PICK_AGENCY,
               InlineKeyboardMarkup(buttons) if buttons else None)


async def _ask(update: Update, context: Context, pending_id: str, kind: str, prompt: str,
               markup: InlineKeyboardMarkup | None = None) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    sent = await send_html(context, chat.id, prompt, markup=markup)
    expect_reply(context, user.id, Awaited(kind, pending_id, "", time.monotonic() + AWAIT_SECONDS,
                                           sent.message_id if sent else None, replies_only=chat.type != "private"))


async def take_review_reply(update: Update, context: Context, awaited: Awaited, text: str) -> None:
    """A name for ✏️ Cơ quan or a due time for 📅 Hạn, typed in reply to the bot's prompt."""
    if not is_admin(context, update):
        await reply(update, context, messages.REVIEW_ADMIN_ONLY)
        return
    pending = await asyncio.to_thread(services(context).state.get_pending, awaited.ref)
    if pending is None:
        await reply(update, context, messages.REVIEW_EXPIRED)
        return
    payload = json.loads(pending["html"])
    field = "agency" if awaited.kind == AWAIT_AGENCY else "due"
    try:
        item = await asyncio.to_thread(_apply, context, payload, "set", update.effective_user, {field: text})
    except ReviewError:
        await reply(update, context, messages.REVIEW_BAD_DUE.format(value=esc(text)))
        expect_reply(context, update.effective_user.id, awaited)
        return
    await asyncio.to_thread(services(context).state.drop_pending, awaited.ref)
    await reply(update, context, _done_text(item, "set"))
