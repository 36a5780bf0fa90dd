"""`directive-bot` command line: ingest, extract, deadlines, search, reindex, ask, remind, report, feedback,
browse, run.

Errors for operators are one English line on stderr; exit code 1 (2 for bad configuration).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bot.config import ConfigError, Settings, load_settings


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {value!r}") from exc


class MissingStore(RuntimeError):
    """A command that only reads was pointed at a data folder holding no store."""


def _require_store(settings: Settings) -> None:
    """Reading commands never create an empty store (a mistyped BOT_DATA_DIR would answer "not found")."""
    if not settings.db_path.exists():
        raise MissingStore(f"no fact store at {settings.db_path} (BOT_DATA_DIR={settings.data_dir}); "
                           "run `directive-bot ingest PATH` first")


class _PageBars:
    """One tqdm bar per scanned file while OCR reads its pages (only when a person watches stderr)."""

    def __init__(self) -> None:
        self._name = ""
        self._bar: Any = None

    def __call__(self, name: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if name != self._name:
            self.close()
            self._name, self._bar = name, tqdm(total=total, desc=f"OCR {name}", unit="page", file=sys.stderr)
        self._bar.n = done
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def cmd_ingest(settings: Settings, args: argparse.Namespace) -> int:
    from bot.library import UNCHANGED, ingest_paths, supported_files

    paths = [Path(p) for p in args.paths]
    if not supported_files(paths):
        print(f"error: no .txt, .md, .docx or .pdf file in {', '.join(args.paths)}", file=sys.stderr)
        return 1
    bars = _PageBars() if sys.stderr.isatty() else None
    try:
        reports, errors = ingest_paths(settings, paths, replace=args.replace, force=args.force, pages=bars)
    finally:
        if bars is not None:
            bars.close()
    for r in reports:
        print(r.summary(), file=sys.stdout if r.changed or r.status == UNCHANGED else sys.stderr)
        for line in r.review_lines():
            print(line)
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    return 0 if reports and not errors else 1


def cmd_remove(settings: Settings, args: argparse.Namespace) -> int:
    from bot.library import remove_document

    _require_store(settings)
    if not remove_document(settings, args.doc_id):
        print(f"error: no stored document {args.doc_id!r} (see the ids printed by `ingest`)", file=sys.stderr)
        return 1
    print(f"removed {args.doc_id}")
    return 0


def cmd_extract(settings: Settings, args: argparse.Namespace) -> int:
    from knowledge.extract import facts_json, parse_and_extract
    from knowledge.reader import RejectedFile, read_path

    try:
        raw = read_path(Path(args.file), int(settings.max_file_mb * 1024 * 1024))
    except (RejectedFile, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    doc, facts = parse_and_extract(raw.doc_id, raw.text, raw.name, raw.format)
    data = facts_json(doc, facts)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=1))
    elif args.explain:
        for d in facts.deadlines:
            print(f"{json.dumps(d.due, ensure_ascii=False)} {', '.join(d.agencies) or '(no agency)'} [{d.section}]")
            print(f"  why: {d.why}")
            print(f"  quote: {d.quote[:200]}")
    else:
        print(f"{doc.doc_id}: {doc.type} {doc.number or ''} {data['issued_date'] or ''} — {doc.issuer or ''}")
        for d in facts.deadlines:
            print(f"  deadline {json.dumps(d.due, ensure_ascii=False)} {d.relation}: {', '.join(d.agencies)} — {d.task}")
        for t in facts.targets:
            print(f"  target {t.value}: {t.metric} ({t.year})")
    return 0


def cmd_deadlines(settings: Settings, args: argparse.Namespace) -> int:
    from bot.calendar_export import build_calendar
    from bot.labels import fmt_date
    from knowledge.agencies import resolve_agency
    from knowledge.schedule import upcoming
    from knowledge.store import FactStore

    _require_store(settings)
    store = FactStore(settings.db_path)
    start = args.from_date or settings.today()
    end = args.to_date or start + timedelta(days=90)
    ids = None
    if args.agency:
        names = set(resolve_agency(args.agency, [a["name"] for a in store.agencies()]))
        ids = [a["id"] for a in store.agencies() if a["name"] in names]
        if not ids:
            print(f"error: no known agency matches {args.agency!r}", file=sys.stderr)
            return 1
    occ = upcoming(store, start, end, agency_ids=ids)
    for o in occ:
        d = o.deadline
        print(f"{fmt_date(o.on)}\t{', '.join(d['agencies']) or '-'}\t{d['task']}\t[{d['doc_id']}, {d['section']}]")
    if args.ics:
        rows = store.deadlines(agency_ids=ids)
        data, _ = build_calendar(rows, start, days=(end - start).days)
        Path(args.ics).write_bytes(data)
        print(f"wrote {args.ics}", file=sys.stderr)
    return 0


def _search_rows(searcher, query: str, k: int) -> list[dict]:
    return [{"doc_id": h.doc_id, "section": h.section, "text": h.text, "score": round(h.score, 4)}
            for h in searcher.search(query, k=k)]


def cmd_search(settings: Settings, args: argparse.Namespace) -> int:
    from index.search import Searcher

    _require_store(settings)
    searcher = Searcher.load(settings.index_dir, settings=settings)
    if args.batch:
        for line in Path(args.batch).read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                print(json.dumps({"id": item.get("id"), "results": _search_rows(searcher, item["q"], args.k)},
                                 ensure_ascii=False))
        return 0
    rows = _search_rows(searcher, args.query or "", args.k)
    if args.json:
        print(json.dumps({"id": None, "results": rows}, ensure_ascii=False))
    else:
        for r in rows:
            print(f"{r['score']:.3f}  {r['doc_id']} — {r['section']}\n    {r['text'][:200]}")
    return 0


def cmd_reindex(settings: Settings, args: argparse.Namespace) -> int:
    from bot.library import compact, reindex

    result = (compact(settings) or {"compacted": False}) if args.compact else reindex(settings)
    print(json.dumps(result, ensure_ascii=False))
    return 0


def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    from bot.answering import Answerer

    _require_store(settings)
    answerer = Answerer(settings)
    if args.batch:
        for line in Path(args.batch).read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                today = date.fromisoformat(item["today"]) if item.get("today") else settings.today()
                print(json.dumps(answerer.answer(item["q"], today).as_json(item.get("id")), ensure_ascii=False))
        return 0
    today = args.today or settings.today()
    ans = answerer.answer(args.question or "", today)
    if args.json:
        print(json.dumps(ans.as_json(), ensure_ascii=False, indent=1))
    else:
        print(ans.text)
        if args.all and ans.more.strip():
            print(ans.more)
        for c in ans.citations:
            print(f"  📄 {c.source} — {c.section}")
    return 0


def cmd_remind(settings: Settings, args: argparse.Namespace) -> int:
    from bot.reminders import remind_once

    if not settings.telegram_token:
        print("error: TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)", file=sys.stderr)
        return 2
    _require_store(settings)
    stats = remind_once(settings, args.today or settings.today())
    print(json.dumps(stats, ensure_ascii=False, default=str))
    return 0


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    """The progress workbook (and chart) of /baocao and /tiendo, for a period; counts per agency on stdout."""
    from bot.duty_report import Period, build_report, month_of
    from bot.duty_status import STATUSES, on_time_share
    from bot.reminders import agency_ids
    from bot.tracking import DutyTracker
    from knowledge.agencies import resolve_agency
    from knowledge.store import FactStore

    store = FactStore(settings.db_path)
    today = args.today or settings.today()
    start = args.from_date or month_of(today).start
    end = args.to_date or month_of(start).end
    if end < start:
        print("error: --to is before --from", file=sys.stderr)
        return 1
    agency = None
    if args.agency:
        names = resolve_agency(args.agency, sorted({a["name"] for a in store.agencies()}))
        if not names:
            print(f"error: no known agency matches {args.agency!r}", file=sys.stderr)
            return 1
        agency = names[0]
    report = build_report(store, DutyTracker(settings.open_state()), Period(start, end), today,
                          agency_ids=agency_ids(store, agency), agency=agency)
    if args.xlsx:
        from bot.report_xlsx import build_workbook

        Path(args.xlsx).write_bytes(build_workbook(report))
        print(f"wrote {args.xlsx} ({len(report.rows)} duty occurrences)", file=sys.stderr)
    if args.png:
        from bot.progress_chart import progress_png

        Path(args.png).write_bytes(progress_png(report))
        print(f"wrote {args.png}", file=sys.stderr)
    print("\t".join(["agency", *STATUSES, "on time"]))
    for name, counts in report.by_agency().items():
        share = on_time_share(counts)
        print("\t".join([name, *(str(counts[s]) for s in STATUSES), "" if share is None else f"{share:.0%}"]))
    return 0


def cmd_feedback(settings: Settings, args: argparse.Namespace) -> int:
    from bot.feedback import FeedbackStore

    count = FeedbackStore(settings.open_state()).export_jsonl(Path(args.export))
    print(f"wrote {count} votes to {args.export}", file=sys.stderr)
    return 0


BROWSE_METADATA = Path(__file__).with_name("browse_metadata.json")


def cmd_browse(settings: Settings, args: argparse.Namespace) -> int:
    """Datasette over the fact store (and the bot state) with the canned queries of browse_metadata.json."""
    try:
        import datasette  # noqa: F401  (only checked: it runs in its own process)
    except ImportError:
        print("error: datasette is not installed: pip install -c constraints.txt -e '.[browse]'", file=sys.stderr)
        return 2
    if not settings.db_path.exists():
        print(f"error: no fact store in {settings.data_dir}: run `directive-bot ingest` first", file=sys.stderr)
        return 1
    files = [settings.db_path] + ([settings.state_path] if settings.state_path.exists() else [])
    command = [sys.executable, "-m", "datasette", "serve", *map(str, files), "--metadata", str(BROWSE_METADATA),
               "--host", args.host, "--port", str(args.port)]
    return subprocess.call(command)


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.telegram_token:
        print("error: TELEGRAM_BOT_TOKEN is not set. Create a bot with @BotFather (/newbot), then "
              "export TELEGRAM_BOT_TOKEN=<token> and run `directive-bot run` again.", file=sys.stderr)
        return 2
    _require_store(settings)
    from bot.telegram_app import run

    run(settings)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="directive-bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ingest", help="read, extract, store and index directive files or folders")
    p.add_argument("paths", nargs="+")
    p.add_argument("--replace", action="store_true",
                   help="replace a stored directive by this file when it is the same directive (same issuer, "
                        "number and date) with other text; without it such a file is reported and skipped")
    p.add_argument("--force", action="store_true",
                   help="store a file even when it shows no sign of a directive (no issuer, number, date, type, "
                        "deadline or target)")
    p.set_defaults(func=cmd_ingest)
    p = sub.add_parser("remove", help="take a directive out of the store and the index")
    p.add_argument("doc_id", help="the document id printed by `ingest` (the file name without extension)")
    p.set_defaults(func=cmd_remove)
    p = sub.add_parser("extract", help="print the facts of one file without storing them")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.add_argument("--explain", action="store_true",
                   help="print, per deadline, which rule gave its agency and due time")
    p.set_defaults(func=cmd_extract)
    p = sub.add_parser("deadlines", help="list deadlines in a period, optionally as an .ics file")
    p.add_argument("--from", dest="from_date", type=_date)
    p.add_argument("--to", dest="to_date", type=_date)
    p.add_argument("--agency")
    p.add_argument("--ics")
    p.set_defaults(func=cmd_deadlines)
    p = sub.add_parser("search", help="passage search")
    p.add_argument("query", nargs="?")
    p.add_argument("-k", type=int, default=5)
    p.add_argument("--json", action="store_true")
    p.add_argument("--batch")
    p.set_defaults(func=cmd_search)
    p = sub.add_parser("reindex", help="rebuild the search index from stored documents")
    p.add_argument("--compact", action="store_true",
                   help="only fold the delta segment of recent uploads into the base, reusing passages")
    p.set_defaults(func=cmd_reindex)
    p = sub.add_parser("ask", help="answer a question in Vietnamese")
    p.add_argument("question", nargs="?")
    p.add_argument("--today", type=_date)
    p.add_argument("--json", action="store_true")
    p.add_argument("--all", action="store_true", help="also print the items past the first screen (`… và N mục khác`)")
    p.add_argument("--batch")
    p.set_defaults(func=cmd_ask)
    p = sub.add_parser("remind", help="send due reminders once (for cron and tests)")
    p.add_argument("--today", type=_date)
    p.set_defaults(func=cmd_remind)
    p = sub.add_parser("report", help="progress of duties in a period: .xlsx workbook, PNG chart, counts per agency")
    p.add_argument("--xlsx", help="write the workbook of /baocao here")
    p.add_argument("--png", help="write the chart of /tiendo here")
    p.add_argument("--agency")
    p.add_argument("--from", dest="from_date", type=_date, help="first due date (default: this month's first day)")
    p.add_argument("--to", dest="to_date", type=_date, help="last due date (default: the end of --from's month)")
    p.add_argument("--today", type=_date, help="the day statuses are computed on (default: today)")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("feedback", help="export the 👍/👎 votes on answers")
    p.add_argument("--export", required=True, help="JSONL file: question, answer, citations, vote, comment")
    p.set_defaults(func=cmd_feedback)
    p = sub.add_parser("browse", help="Datasette over the fact store with canned queries (needs .[browse])")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8001)
    p.set_defaults(func=cmd_browse)
    p = sub.add_parser("run", help="run the Telegram bot")
    p.set_defaults(func=cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        return int(args.func(settings, args))
    except (FileNotFoundError, MissingStore) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        from index.vector_index import IndexMismatch

        if isinstance(exc, IndexMismatch):
            print(f"error: {exc}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
