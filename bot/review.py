"""The office reviews what the bot understood: list a document's deadlines with their evidence, record
a confirmation or a correction, and export reviewed documents as gold for the shared scorer.

Corrections are append-only events in the fact store (knowledge.corrections); applying one re-reads
the stored text and saves the document again, so the one save path applies every correction the
same way, for answers, /coquan, /hanchot, /quahan, reminders, reports and calendars alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.config import DataSettings, parse_day
from knowledge.corrections import SHORT_ID_CHARS, current_states, document_part
from knowledge.duetime import find_due_times
from knowledge.extract import parse_and_extract
from knowledge.store import FactStore

ACTION_OF_OPTION = {"confirm": "confirm", "set": "set", "drop": "drop", "undo": "undo", "dismiss": "dismiss"}


class ReviewError(ValueError):
    """A review request that cannot be carried out; the message says why (English, for the CLI)."""


@dataclass(frozen=True)
class ReviewItem:
    doc_id: str
    short_id: str
    duty_ref: str
    state: str  # unreviewed | needs_review | reviewed | dropped | orphan
    row: dict[str, Any]


def _document(store: FactStore, doc_id: str) -> dict[str, Any]:
    doc = store.document(doc_id)
    if doc is None:
        raise ReviewError(f"no stored document {doc_id!r} (see `directive-bot review` for the list)")
    return doc


def _doc_part(doc: dict[str, Any]) -> str:
    return document_part(doc.get("identity"), doc["doc_id"])


def review_items(store: FactStore, doc_id: str) -> list[ReviewItem]:
    """A document's deadlines as stored (corrections applied), then those the office dropped, then
    corrections whose duty a new version no longer has (orphans, to re-apply or dismiss)."""
    doc = _document(store, doc_id)
    rows = store.deadlines(doc_ids=[doc_id], evidence=True)
    items = [ReviewItem(doc_id, r["duty_ref"][:SHORT_ID_CHARS], r["duty_ref"],
                        "reviewed" if r.get("reviewed") else "needs_review" if r.get("needs_review") else "unreviewed",
                        r) for r in rows if r.get("duty_ref")]
    extracted = set(json.loads(doc.get("duty_refs") or "[]"))
    events = store.corrections(_doc_part(doc))
    last_before = {e["duty_ref"]: json.loads(e["before"] or "{}") for e in events}
    for ref, state in current_states(events).items():
        if ref not in extracted:
            items.append(ReviewItem(doc_id, ref[:SHORT_ID_CHARS], ref, "orphan", last_before.get(ref, {})))
        elif state.dropped:
            items.append(ReviewItem(doc_id, ref[:SHORT_ID_CHARS], ref, "dropped", last_before.get(ref, {})))
    return items


def _find(store: FactStore, doc_id: str, short_id: str) -> ReviewItem:
    found = [i for i in review_items(store, doc_id) if i.duty_ref.startswith(short_id.strip().lower())]
    refs = {i.duty_ref for i in found}
    if len(refs) != 1:
        what = "no deadline" if not refs else "more than one deadline"
        raise ReviewError(f"{what} of {doc_id} has the id {short_id!r} (see `directive-bot review {doc_id}`)")
    return found[0]


def parse_due(value: str, year_hint: int | None) -> tuple[str | dict[str, Any], str]:
    """(due, relation) from what an admin types: `2026-05-15`, `15/5/2026`, `hằng tháng ngày 5`,
    `tháng 6/2026`, `quý II/2026`, `trước ngày 20 hằng tháng`."""
    try:
        return parse_day(value).isoformat(), "before"
    except ValueError:
        pass
    for text in (value, f"trong {value}", f"trước {value}"):
        found = [m for m in find_due_times(text, year_hint) if "relative" not in m.due]
        if len(found) == 1:
            return found[0].due, found[0].relation
    words = value.split()
    if len(words) >= 3 and words[-2].lower() == "ngày" and words[-1].isdigit():  # `hằng tháng ngày 5`
        found = find_due_times(f"trước ngày {words[-1]} {' '.join(words[:-2])}", year_hint)
        if len(found) == 1:
            return found[0].due, found[0].relation
    raise ReviewError(f"not a due time: {value!r} (try 2026-05-15, 15/5/2026, 'tháng 6/2026', 'hằng tháng ngày 5')")


def _after(fields: dict[str, str], year_hint: int | None) -> dict[str, Any]:
    after: dict[str, Any] = {}
    for key, value in fields.items():
        if key in ("agency", "agencies"):
            names = [v.strip() for v in value.split(";") if v.strip()]
            if not names:
                raise ReviewError("agency= needs a name (several: 'Sở Y tế; Sở Tài chính')")
            after["agencies"] = names
        elif key == "due":
            after["due"], after["relation"] = parse_due(value, year_hint)
        else:
            raise ReviewError(f"unknown field {key!r}: use agency=… and/or due=…")
    if not after:
        raise ReviewError("--set needs agency=… and/or due=…")
    return after


def correct(settings: DataSettings, doc_id: str, short_id: str, action: str, who: str,
            fields: dict[str, str] | None = None) -> ReviewItem:
    """Record one review event and apply it; returns the item as it now stands."""
    store = FactStore(settings.store_target)
    doc = _document(store, doc_id)
    item = _find(store, doc_id, short_id)
    if action in ("confirm", "set", "drop") and item.state == "orphan":
        raise ReviewError(f"{short_id} no longer matches a deadline of {doc_id}: re-apply it on the new "
                          "deadline's id, or --dismiss it")
    if action == "undo" and not any(e["duty_ref"] == item.duty_ref for e in store.corrections(_doc_part(doc))):
        raise ReviewError(f"nothing to undo for {short_id} of {doc_id}")
    after = _after(fields or {}, doc.get("year_hint")) if action == "set" else None
    before = {k: item.row.get(k) for k in ("agencies", "due", "relation", "task", "quote")}
    store.add_correction(_doc_part(doc), doc_id, item.duty_ref, ACTION_OF_OPTION[action], before, after, who)
    reapply(store, doc_id)
    return next((i for i in review_items(store, doc_id) if i.duty_ref == item.duty_ref), item)


def reapply(store: FactStore, doc_id: str) -> None:
    """Read the stored text again and save it: the store applies the corrections as it saves."""
    doc = _document(store, doc_id)
    parsed, facts = parse_and_extract(doc_id, doc["text"], doc.get("source_name") or "", doc.get("format") or "txt")
    store.save(parsed, facts, doc["sha256"], {"ocr_confidence": doc.get("ocr_confidence"),
                                              "legacy_encoding": doc.get("legacy_encoding")})


def export_gold(settings: DataSettings, path: Path) -> int:
    """Every reviewed document in the shared gold schema (`id`, `file` or `text`, `deadlines`), so that
    `../shared/eval/score_extraction.py FILE.jsonl` scores the extractor against the office's word."""
    store = FactStore(settings.store_target)
    rows = []
    for doc_id in store.reviewed_doc_ids():
        doc = _document(store, doc_id)
        copies = sorted(settings.files_dir.glob(f"{doc_id}.*")) if settings.files_dir.exists() else []
        source = {"file": str(copies[0].resolve())} if len(copies) == 1 else {"text": doc["text"]}
        deadlines = [{"agencies": r["agencies"], "cooperating": r["cooperating"], "due": r["due"],
                      "relation": r["relation"], "task": r["task"], "quote": r["quote"]}
                     for r in store.deadlines(doc_ids=[doc_id])]
        rows.append({"id": doc_id, **source, "deadlines": deadlines})
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return len(rows)


WAITING = ("needs_review", "orphan")  # states that wait for an admin's word


def waiting_items(store: FactStore, doc_ids: list[str]) -> list[ReviewItem]:
    """The items an admin should look at, document by document: unsure deadlines, then orphans."""
    return [i for doc_id in doc_ids for i in review_items(store, doc_id) if i.state in WAITING]


def waiting_counts(store: FactStore) -> list[tuple[str, int]]:
    """(doc_id, deadlines waiting for an admin's word) for every document that has any: the daily digest."""
    out = []
    for doc in store.documents():
        count = len(waiting_items(store, [doc["doc_id"]]))
        if count:
            out.append((doc["doc_id"], count))
    return out
