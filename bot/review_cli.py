"""`directive-bot review`: the CLI mirror of the chat review (bot/review.py does the work)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.config import Settings

STATE_LABEL = {"needs_review": "NEEDS REVIEW", "unreviewed": "unreviewed", "reviewed": "reviewed",
               "dropped": "dropped", "orphan": "ORPHAN (its duty changed: re-apply or --dismiss)"}
REVIEW_ORDER = ("needs_review", "orphan", "unreviewed", "reviewed", "dropped")


def add_parser(sub: argparse._SubParsersAction, make: Callable[..., argparse.ArgumentParser]) -> None:
    p = make(sub, "review", "list what the bot understood of a directive and confirm or correct it",
             "  directive-bot review                       # documents and how many deadlines need review\n"
             "  directive-bot review kh-77 --json\n"
             "  directive-bot review kh-77 --confirm a3f9c2\n"
             "  directive-bot review kh-77 --set a3f9c2 agency=\"Sở Y tế\" due=2026-05-15\n"
             "  directive-bot review kh-77 --drop a3f9c2   # not a duty\n"
             "  directive-bot review kh-77 --undo a3f9c2\n"
             "  directive-bot review --export reviewed.jsonl", cmd_review)
    p.add_argument("doc_id", nargs="?", metavar="DOC", help="a stored document id (default: list documents)")
    p.add_argument("--json", action="store_true", help="print the deadlines with ids, confidence and evidence as JSON")
    act = p.add_mutually_exclusive_group()
    act.add_argument("--confirm", metavar="ID", help="the deadline is right as read")
    act.add_argument("--set", nargs="+", metavar=("ID", "FIELD=VALUE"),
                     help="correct it: agency=\"Sở Y tế\" (several: 'A; B') and/or due=2026-05-15 | 15/5/2026 | "
                          "'tháng 6/2026' | 'hằng tháng ngày 5'")
    act.add_argument("--drop", metavar="ID", help="it is not a duty")
    act.add_argument("--undo", metavar="ID", help="take back the last confirmation or correction of this deadline")
    act.add_argument("--dismiss", metavar="ID", help="forget the corrections of a deadline a new version changed")
    act.add_argument("--export", metavar="FILE.jsonl", type=Path,
                     help="write every reviewed document in the shared gold schema (for score_extraction.py)")
    p.add_argument("--who", default="cli", help="who makes the correction (kept in the history; default: cli)")


def _fields(pairs: list[str]) -> dict[str, str]:
    from bot.review import ReviewError

    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ReviewError(f"expected FIELD=VALUE, got {pair!r}")
        out[key.strip().lower()] = value.strip()
    return out


def _item_json(item: Any) -> dict[str, Any]:
    r = item.row
    return {"id": item.short_id, "state": item.state, "due": r.get("due"), "relation": r.get("relation"),
            "agencies": r.get("agencies"), "confidence": r.get("confidence"), "task": r.get("task"),
            "section": r.get("section"), "quote": r.get("quote"), "evidence": r.get("evidence"),
            "candidates": json.loads(r.get("candidates") or "[]")}


def _print_items(items: list[Any]) -> None:
    from bot.review import WAITING

    for item in sorted(items, key=lambda i: REVIEW_ORDER.index(i.state)):
        r = item.row
        conf = f" confidence {r['confidence']:.2f}" if r.get("confidence") is not None else ""
        print(f"{item.short_id} [{STATE_LABEL[item.state]}]{conf} {json.dumps(r.get('due'), ensure_ascii=False)} "
              f"{', '.join(r.get('agencies') or []) or '(no agency)'} — {(r.get('task') or '')[:100]}")
        if item.state in WAITING and r.get("evidence"):
            print("    " + "\n    ".join(str(r["evidence"]).splitlines()))


def _list_documents(settings: Settings) -> int:
    from bot.review import WAITING, review_items
    from knowledge.store import FactStore

    store = FactStore(settings.store_target)
    for doc in store.documents():
        items = review_items(store, doc["doc_id"])
        waiting = sum(i.state in WAITING for i in items)
        print(f"{doc['doc_id']}: {len(items)} deadlines, {waiting} to review")
    return 0


def cmd_review(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import _require_store
    from bot.review import ReviewError, correct, export_gold, review_items
    from knowledge.store import FactStore

    _require_store(settings)
    try:
        if args.export:
            print(f"wrote {export_gold(settings, args.export)} reviewed documents to {args.export}")
            return 0
        if not args.doc_id:
            return _list_documents(settings)
        for action in ("confirm", "drop", "undo", "dismiss"):
            if getattr(args, action):
                item = correct(settings, args.doc_id, getattr(args, action), action, args.who)
                print(f"{item.short_id}: {action} recorded ({item.state})")
                return 0
        if args.set:
            item = correct(settings, args.doc_id, args.set[0], "set", args.who, _fields(args.set[1:]))
            print(f"{item.short_id}: corrected to {json.dumps(item.row.get('due'), ensure_ascii=False)} "
                  f"{', '.join(item.row.get('agencies') or [])}")
            return 0
        items = review_items(FactStore(settings.store_target), args.doc_id)
    except ReviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([_item_json(i) for i in items], ensure_ascii=False, indent=1))
    else:
        _print_items(items)
    return 0
