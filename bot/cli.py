"""`directive-bot` command line: ingest, remove, extract, deadlines, search, reindex, ask, remind, report,
feedback, browse, run, health, migrate.

Errors for operators are one English line on stderr: exit code 1 (2 for bad usage or configuration);
`--debug` adds the traceback of unexpected errors.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import traceback
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import review_cli
from bot.config import ConfigError, Settings, load_settings
from knowledge.config import parse_day
from knowledge.database import DatabaseUnavailable

if TYPE_CHECKING:
    from bot.answering.answer_model import Answer
    from knowledge.model import Facts

Command = Callable[[Settings, argparse.Namespace], int]

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE
DEFAULT_K = 5
DEFAULT_WINDOW_DAYS = 90
SEARCH_PREVIEW_CHARS = 200
MISSING_TOKEN_MESSAGE = (
    "error: TELEGRAM_BOT_TOKEN is not set. Create a bot with @BotFather (/newbot), then "
    "export TELEGRAM_BOT_TOKEN=<token> and run `directive-bot run` again; for group chats make the bot "
    "an admin or turn its privacy off with @BotFather /setprivacy (it still only answers /hoi, "
    "mentions and replies to itself)."
)
DATE_FORMATS = "YYYY-MM-DD, D/M/YYYY or DD/MM/YYYY"


class UsageError(Exception):
    """A request the command cannot serve as given (empty query, conflicting options): exit 2."""


def parse_date(value: str) -> date:
    """A date as officials write it (20/12/2026, 5/1/2027) or in ISO form (2026-12-20)."""
    try:
        return parse_day(value)
    except ValueError as exc:
        raise ValueError(f"not a valid date ({DATE_FORMATS}): {value!r}") from exc


def _date(value: str) -> date:
    try:
        return parse_date(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _query(text: str | None, what: str) -> str:
    """The query as given; an empty or blank one is a usage error, not an empty answer."""
    if text is None or not text.strip():
        raise UsageError(f"the {what} is empty: give it as an argument (in quotes) or use --batch FILE.jsonl")
    return text


def _batch_items(path: str, what: str) -> list[dict]:
    """The JSON objects of a .jsonl batch file; each needs a non-empty "q"."""
    items = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise UsageError(f"{path}, line {number}: not JSON ({exc.msg})") from exc
        if not isinstance(item, dict) or not str(item.get("q") or "").strip():
            raise UsageError(f'{path}, line {number}: the {what} "q" is missing or empty')
        items.append(item)
    return items


def _batch_or_query(args: argparse.Namespace, text: str | None, what: str) -> None:
    if args.batch and text is not None:
        raise UsageError(f"give either a {what} or --batch FILE.jsonl, not both")
    if not args.batch:
        _query(text, what)


class MissingStore(RuntimeError):
    """A command that only reads was pointed at a data folder holding no store."""


def _require_store(settings: Settings) -> None:
    """Reading commands never create an empty store (a mistyped BOT_DATA_DIR would answer "not found")."""
    if not settings.has_store():
        raise MissingStore(_no_store_message(settings))


def _no_store_message(settings: Settings) -> str:
    return (f"no fact store at {settings.db_path} (BOT_DATA_DIR={settings.data_dir}); "
            "run `directive-bot ingest PATH` first")


def _require_documents(settings: Settings) -> None:
    """Questions and searches over a store holding nothing say so, instead of answering "not found"."""
    from knowledge.store import FactStore

    _require_store(settings)
    if not FactStore(settings.store_target).document_hashes():
        where = "the database at BOT_DATABASE_URL" if settings.database_url else f"{settings.db_path}"
        raise MissingStore(f"no directive is stored in {where} (BOT_DATA_DIR={settings.data_dir}); "
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
        stream = sys.stdout if r.changed or r.status == UNCHANGED else sys.stderr
        print(r.summary(), file=stream)
        for line in r.review_lines():
            print(line, file=stream)
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


def _print_decisions(facts: Facts) -> None:
    """`extract --explain`: each time expression's decision record, deadlines first, then the times left out."""
    for d in facts.deadlines:
        review = " NEEDS REVIEW" if d.needs_review else ""
        print(f"{json.dumps(d.due, ensure_ascii=False)} {d.kind} {', '.join(d.agencies) or '(no agency)'} "
              f"[{d.section}] confidence {d.confidence:.2f}{review}")
        print(d.decision.explain() if d.decision else f"  why: {d.why}")
        print(f"  quote: {d.quote[:200]}")
    for section, decision in facts.left_out:
        print(f"left out [{section}]: `{decision.due_words}` is {decision.kind}")


def cmd_extract(settings: Settings, args: argparse.Namespace) -> int:
    from knowledge.extract import facts_json, parse_and_extract
    from knowledge.reader import RejectedFile, read_path

    try:
        raw = read_path(Path(args.file), int(settings.max_file_mb * 1024 * 1024))
    except (RejectedFile, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    doc, facts = parse_and_extract(raw.doc_id, raw.text, raw.name, raw.format)
    data = facts_json(doc, facts)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=1))
    elif args.explain:
        _print_decisions(facts)
    else:
        print(f"{doc.doc_id}: {doc.type} {doc.number or ''} {data['issued_date'] or ''} — {doc.issuer or ''}")
        for d in facts.deadlines:
            print(f"  deadline {json.dumps(d.due, ensure_ascii=False)} {d.relation}: {', '.join(d.agencies)} — {d.task}")
        for t in facts.targets:
            print(f"  target {t.value}: {t.metric} ({t.year})")
    return 0


def cmd_deadlines(settings: Settings, args: argparse.Namespace) -> int:
    from bot.labels import fmt_date
    from bot.tracking.calendar_export import build_calendar
    from knowledge.agencies import resolve_agency
    from knowledge.schedule import upcoming
    from knowledge.store import FactStore

    _require_store(settings)
    store = FactStore(settings.store_target)
    start = args.from_date or settings.today()
    end = args.to_date or start + timedelta(days=DEFAULT_WINDOW_DAYS)
    ids = None
    if args.agency:
        names = set(resolve_agency(args.agency, [a["name"] for a in store.agencies()]))
        ids = [a["id"] for a in store.agencies() if a["name"] in names]
        if not ids:
            print(f"error: no known agency matches {args.agency!r}", file=sys.stderr)
            return EXIT_FAILURE
    if end < start:
        raise UsageError(f"--to {end.isoformat()} is before --from {start.isoformat()}")
    if args.ics:
        rows = store.deadlines(agency_ids=ids)
        data, _ = build_calendar(rows, start, days=(end - start).days)
        Path(args.ics).write_bytes(data)
        events = data.count(b"BEGIN:VEVENT")
        print(f"wrote {events} events to {args.ics} (deadlines from {fmt_date(start)} to {fmt_date(end)})")
        return 0
    for o in upcoming(store, start, end, agency_ids=ids):
        d = o.deadline
        print(f"{fmt_date(o.on)}\t{', '.join(d['agencies']) or '-'}\t{d['task']}\t[{d['doc_id']}, {d['section']}]")
    return 0


def _search_rows(searcher, query: str, k: int) -> list[dict]:
    return [{"doc_id": h.doc_id, "section": h.section, "text": h.text, "score": round(h.score, 4)}
            for h in searcher.search(query, k=k)]


def _batch_heading(item: dict, number: int) -> str:
    """The line that introduces one batch item in readable output."""
    return f"# {item['id'] if item.get('id') is not None else number}: {item['q']}"


def _print_search(rows: list[dict], as_json: bool, ident: object = None) -> None:
    if as_json:
        print(json.dumps({"id": ident, "results": rows}, ensure_ascii=False))
        return
    for r in rows:
        print(f"{r['score']:.3f}  {r['doc_id']} — {r['section']}\n    {r['text'][:SEARCH_PREVIEW_CHARS]}")


def cmd_search(settings: Settings, args: argparse.Namespace) -> int:
    from index.search import Searcher

    _batch_or_query(args, args.query, "search query")
    if args.k <= 0:
        raise UsageError(f"-k must be at least 1, not {args.k}")
    items = _batch_items(args.batch, "query") if args.batch else []
    _require_documents(settings)
    searcher = Searcher.load(settings.index_dir, settings=settings)
    if args.batch:
        for n, item in enumerate(items, start=1):
            if not args.json:
                print(("\n" if n > 1 else "") + _batch_heading(item, n))
            _print_search(_search_rows(searcher, item["q"], args.k), args.json, item.get("id"))
        return 0
    _print_search(_search_rows(searcher, args.query, args.k), args.json)
    return 0


def cmd_reindex(settings: Settings, args: argparse.Namespace) -> int:
    """Rebuild from the stored documents; a folder without a store is a mistake to report, not to fill."""
    from bot.library import compact, reindex

    if not settings.has_store():
        print(f"error: {_no_store_message(settings)}; nothing to reindex", file=sys.stderr)
        return EXIT_USAGE
    result = (compact(settings) or {"compacted": False}) if args.compact else reindex(settings)
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _print_answer(ans: Answer, args: argparse.Namespace, ident: object = None, batch: bool = False) -> None:
    """Text as the bot words it, or JSON: indented for one answer, one line per answer in a batch."""
    if args.json:
        print(json.dumps(ans.as_json(ident), ensure_ascii=False, indent=None if batch else 1))
        return
    print(ans.text)
    if args.all and ans.more.strip():
        print(ans.more)
    for c in ans.citations:
        print(f"  📄 {c.source} — {c.section}")


def _print_failure(args: argparse.Namespace, ident: object, number: int, exc: Exception) -> None:
    """A batch item that raised: one JSON line (or text line) in its place, the traceback under --debug."""
    if args.debug:
        traceback.print_exception(exc)
    message = f"{type(exc).__name__}: {exc}"
    if args.json:
        print(json.dumps({"id": ident, "error": message}, ensure_ascii=False))
    else:
        print(f"error: item {number}: {message}")


def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    from bot.answering.planner import Answerer

    _batch_or_query(args, args.question, "question")
    items = _batch_items(args.batch, "question") if args.batch else []
    for number, item in enumerate(items, start=1):
        if item.get("today"):
            try:
                item["today"] = parse_date(str(item["today"]))
            except ValueError as exc:
                raise UsageError(f"{args.batch}, item {number}: {exc}") from exc
    _require_documents(settings)
    answerer = Answerer(settings)
    default_today = args.today or settings.today()
    if args.batch:
        failed = 0
        for n, item in enumerate(items, start=1):
            if not args.json:
                print(("\n" if n > 1 else "") + _batch_heading(item, n))
            try:
                ans = answerer.answer(item["q"], item.get("today") or default_today)
            except Exception as exc:  # one question's fault must not lose the answers after it
                failed += 1
                _print_failure(args, item.get("id"), n, exc)
                continue
            _print_answer(ans, args, item.get("id"), batch=True)
        return 1 if failed else 0
    _print_answer(answerer.answer(args.question, default_today), args)
    return 0


def cmd_remind(settings: Settings, args: argparse.Namespace) -> int:
    from bot.tracking.reminders import remind_once

    if not settings.telegram_token:
        print("error: TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)", file=sys.stderr)
        return EXIT_USAGE
    _require_store(settings)
    stats = remind_once(settings, args.today or settings.today())
    print(json.dumps(stats, ensure_ascii=False, default=str))
    return 0


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    """The progress workbook (and chart) of /baocao and /tiendo, for a period; counts per agency on stdout."""
    from bot.tracking.completions import DutyTracker
    from bot.tracking.duty_report import Period, build_report, month_of
    from bot.tracking.duty_status import STATUSES, on_time_share
    from bot.tracking.reminders import agency_ids
    from knowledge.agencies import resolve_agency
    from knowledge.store import FactStore

    _require_store(settings)
    store = FactStore(settings.store_target)
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
        from bot.tracking.report_xlsx import build_workbook

        Path(args.xlsx).write_bytes(build_workbook(report))
        print(f"wrote {args.xlsx} ({len(report.rows)} duty occurrences)", file=sys.stderr)
    if args.png:
        from bot.tracking.progress_chart import progress_png

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
    if settings.database_url:
        print("error: browse reads SQLite files; with BOT_DATABASE_URL set, open the database with psql or another"
              " PostgreSQL client", file=sys.stderr)
        return 2
    if not settings.db_path.exists():
        print(f"error: no fact store in {settings.data_dir}: run `directive-bot ingest` first", file=sys.stderr)
        return 1
    files = [settings.db_path] + ([settings.state_path] if settings.state_path.exists() else [])
    command = [sys.executable, "-m", "datasette", "serve", *map(str, files), "--metadata", str(BROWSE_METADATA),
               "--host", args.host, "--port", str(args.port)]
    sys.stdout.flush()
    os.execv(command[0], command)  # datasette takes this process's place: a stop signal reaches the server itself


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.telegram_token:
        print(MISSING_TOKEN_MESSAGE, file=sys.stderr)
        return EXIT_USAGE
    _require_store(settings)
    from bot.chat.telegram_app import run

    run(settings)
    return 0


def cmd_health(settings: Settings, args: argparse.Namespace) -> int:
    from bot.chat.health import check

    healthy, why = check(settings.data_dir, args.max_age)
    print(why, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else EXIT_FAILURE


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    """Copy this data folder's SQLite store into PostgreSQL: counts per table as JSON on stdout; rows the
    target holds otherwise are conflicts, listed there, never overwritten (exit 1)."""
    from bot.store_migration import NoSourceStore, migrate_store
    from knowledge.database import is_database_url, redact

    if not is_database_url(args.to):
        raise UsageError(f"--to must be a postgresql:// or postgres:// URL, got {redact(args.to)!r}")
    try:
        report = migrate_store(settings, args.to)
    except NoSourceStore as exc:
        raise MissingStore(str(exc)) from exc
    except DatabaseUnavailable as exc:  # main() would blame BOT_DATABASE_URL: the URL came from --to
        print(f"error: --to: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(json.dumps(report.as_json(), ensure_ascii=False))
    if report.conflict_count:
        print(f"error: {report.conflict_count} row(s) conflict with what {report.target} already holds"
              " (listed under \"conflicts\"); they were left as the target has them", file=sys.stderr)
        return EXIT_FAILURE
    return 0


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the examples' line breaks; option help states its own defaults."""


def _sub(sub: argparse._SubParsersAction, name: str, help_text: str, examples: str,
         func: Command) -> argparse.ArgumentParser:
    """A command's parser: description, examples epilog and --debug (also accepted after the command)."""
    p = sub.add_parser(name, help=help_text, description=help_text[:1].upper() + help_text[1:] + ".",
                       epilog="examples:\n" + examples, formatter_class=_HelpFormatter)
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="print the full traceback of unexpected errors")
    p.set_defaults(func=func)
    return p


def build_parser() -> argparse.ArgumentParser:
    from bot.chat.health import DEFAULT_MAX_AGE_S, HEARTBEAT_NAME

    parser = argparse.ArgumentParser(
        prog="directive-bot", description=__doc__, formatter_class=_HelpFormatter,
        epilog="Configuration comes from environment variables (BOT_DATA_DIR, TELEGRAM_BOT_TOKEN, ...; "
               "see README.md).\nDates: " + DATE_FORMATS + ". `directive-bot COMMAND --help` shows a command's options.",
    )
    parser.add_argument("--debug", action="store_true",
                        help="print the full traceback of unexpected errors (default: one line)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = _sub(sub, "ingest", "read, extract, store and index directive files or folders",
             "  directive-bot ingest examples\n  directive-bot ingest cv-1234.docx qd-56.pdf", cmd_ingest)
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help=".txt, .md, .docx, .doc, .pdf, .png or .jpg files, or folders (read recursively)")
    p.add_argument("--replace", action="store_true",
                   help="replace a stored directive by this file when it is the same directive (same issuer, "
                        "number and date) with other text; default: such a file is reported and skipped")
    p.add_argument("--force", action="store_true",
                   help="store a file even when it shows no sign of a directive (no official header — issuer, "
                        "Số:, place and date, type, Kính gửi, Nơi nhận — and no agency asked to act by a date), "
                        "or looks like code or English prose; default: refused")

    p = _sub(sub, "remove", "take a directive out of the store and the index",
             "  directive-bot remove son-ha-2026-cv-1234-ctmtqg", cmd_remove)
    p.add_argument("doc_id", metavar="DOC_ID", help="the document id printed by `ingest` (the file name without "
                                                   "extension, or with a short tag when another directive has it)")

    p = _sub(sub, "extract", "print the facts of one file without storing them",
             "  directive-bot extract cv-1234.docx\n  directive-bot extract cv-1234.docx --json > facts.json",
             cmd_extract)
    p.add_argument("file", metavar="FILE", help="a .txt, .md, .docx or .pdf directive")
    p.add_argument("--json", action="store_true",
                   help="print the facts as one JSON object (the shape of gold_facts.json) instead of text")
    p.add_argument("--explain", action="store_true",
                   help="print, per deadline, which rule gave its agency and due time")

    p = _sub(sub, "deadlines", "list deadlines in a period (recurring ones expanded), or write them as .ics",
             "  directive-bot deadlines --from 1/12/2026 --to 31/12/2026\n"
             "  directive-bot deadlines --agency 'so tai chinh' --ics han-chot.ics", cmd_deadlines)
    p.add_argument("--from", dest="from_date", type=_date, metavar="DATE",
                   help=f"first day ({DATE_FORMATS}); default: today (BOT_TODAY if set)")
    p.add_argument("--to", dest="to_date", type=_date, metavar="DATE",
                   help=f"last day ({DATE_FORMATS}); default: {DEFAULT_WINDOW_DAYS} days after --from. "
                        "Every deadline in the period is printed (nothing is cut)")
    p.add_argument("--agency", metavar="NAME",
                   help="only this agency's duties; abbreviations and missing diacritics work ('KBNN', 'so tai chinh')")
    p.add_argument("--ics", metavar="FILE",
                   help="write an iCalendar file (RRULE for recurring duties) instead of the list; "
                        "prints one line: how many events went to FILE")

    p = _sub(sub, "search", "passage search (dense + BM25, fused); prints score, document, section and text",
             "  directive-bot search 'báo cáo giải ngân' -k 3\n"
             "  directive-bot search --batch queries.jsonl --json   # lines like {\"id\": \"a\", \"q\": \"...\"}",
             cmd_search)
    p.add_argument("query", nargs="?", metavar="QUERY", help="the search text (in quotes); not with --batch")
    p.add_argument("-k", type=int, default=DEFAULT_K, metavar="N", help=f"passages per query (default {DEFAULT_K})")
    p.add_argument("--json", action="store_true",
                   help='print JSON ({"id", "results": [{doc_id, section, text, score}]}), one line per query')
    p.add_argument("--batch", metavar="FILE.jsonl",
                   help='run every query of a JSON-lines file ({"id": ..., "q": ...} per line); '
                        "readable text, or JSON lines with --json")

    p = _sub(sub, "reindex", "rebuild the search index from stored documents (atomic swap)",
             "  directive-bot reindex\n  directive-bot reindex --compact   # what the bot does nightly", cmd_reindex)
    p.add_argument("--compact", action="store_true",
                   help="only fold the delta segment of recent uploads into the base, reusing passages "
                        "(default: cut every passage afresh)")

    p = _sub(sub, "ask", "answer a question in Vietnamese, with citations",
             "  directive-bot ask 'Sở Tài chính phải làm gì trong tháng 12/2026?' --today 25/11/2026\n"
             "  directive-bot ask 'kbnn bao cao giai ngan khi nao' --json\n"
             "  directive-bot ask --batch questions.jsonl --json   # lines like {\"id\": 1, \"q\": \"...\"}",
             cmd_ask)
    p.add_argument("question", nargs="?", metavar="QUESTION", help="the question (in quotes); not with --batch")
    p.add_argument("--today", type=_date, metavar="DATE",
                   help=f"answer as if today were DATE ({DATE_FORMATS}); default: today (BOT_TODAY if set)")
    p.add_argument("--json", action="store_true",
                   help="print the answer as JSON (id, question, intent, found, answer, citations, facts)")
    p.add_argument("--all", action="store_true",
                   help="also print the items past the first screen (`… và N mục khác`); default: first screen")
    p.add_argument("--batch", metavar="FILE.jsonl",
                   help='answer every question of a JSON-lines file ({"id": ..., "q": ..., "today": DATE} per line, '
                        '"today" optional); readable text, or JSON lines with --json')

    p = _sub(sub, "remind", "send due reminders once (for cron and tests; needs TELEGRAM_BOT_TOKEN)",
             "  directive-bot remind\n  directive-bot remind --today 20/12/2026", cmd_remind)
    p.add_argument("--today", type=_date, metavar="DATE",
                   help=f"send as if today were DATE ({DATE_FORMATS}); default: today (BOT_TODAY if set)")

    p = _sub(sub, "report", "progress of duties in a period: .xlsx workbook, PNG chart, counts per agency",
             "  directive-bot report --xlsx bao-cao.xlsx --from 1/11/2026 --to 30/11/2026\n"
             "  directive-bot report --png tien-do.png --agency 'so tai chinh'", cmd_report)
    p.add_argument("--xlsx", metavar="FILE", help="write the workbook of /baocao here")
    p.add_argument("--png", metavar="FILE", help="write the chart of /tiendo here")
    p.add_argument("--agency", metavar="NAME", help="only duties this agency leads or supports")
    p.add_argument("--from", dest="from_date", type=_date, metavar="DATE",
                   help=f"first due date ({DATE_FORMATS}); default: this month's first day")
    p.add_argument("--to", dest="to_date", type=_date, metavar="DATE",
                   help=f"last due date ({DATE_FORMATS}); default: the end of --from's month")
    p.add_argument("--today", type=_date, metavar="DATE",
                   help=f"the day statuses are computed on ({DATE_FORMATS}); default: today")

    p = _sub(sub, "feedback", "export the 👍/👎 votes on answers",
             "  directive-bot feedback --export feedback.jsonl", cmd_feedback)
    p.add_argument("--export", required=True, metavar="FILE.jsonl",
                   help="JSON-lines file: question, answer, citations, vote, comment")

    p = _sub(sub, "browse", "Datasette over the fact store with canned queries (needs the .[browse] extra)",
             "  directive-bot browse --port 8001", cmd_browse)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8001, help="port (default 8001)")

    _sub(sub, "run", "run the Telegram bot (needs TELEGRAM_BOT_TOKEN; webhook mode if BOT_WEBHOOK_URL is set)",
         "  TELEGRAM_BOT_TOKEN=123:abc directive-bot run", cmd_run)

    p = _sub(sub, "health", f"exit 0 if the running bot's heartbeat ({HEARTBEAT_NAME} in BOT_DATA_DIR) is fresh, "
                            "else 1 with one line why",
             "  directive-bot health\n  directive-bot health --max-age 120   # the Docker HEALTHCHECK", cmd_health)
    p.add_argument("--max-age", type=float, default=DEFAULT_MAX_AGE_S, metavar="SECONDS",
                   help=f"oldest heartbeat that still counts as alive (default {DEFAULT_MAX_AGE_S:.0f}; "
                        "the bot beats every 30 s)")
    p = _sub(sub, "migrate", "copy this data folder's SQLite store (facts, bot state, embeddings) into PostgreSQL",
             "  directive-bot migrate --to postgresql://bot:secret@db.example/directives\n"
             "  BOT_DATA_DIR=/srv/bot/data directive-bot migrate --to postgresql:///directives   # again: adds"
             " only what is missing", cmd_migrate)
    p.add_argument("--to", required=True, metavar="URL",
                   help="the PostgreSQL database (postgresql:// or postgres:// URL) to copy into; its schema is "
                        "created or brought up to date. Safe to run again: rows already there are not copied twice, "
                        "and rows the target holds otherwise (another version of a directive) are reported, "
                        "never overwritten")
    review_cli.add_parser(sub, _sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        status = int(args.func(settings, args))
        sys.stdout.flush()  # a closed pipe is noticed here, not in the interpreter's flush at exit
        return status
    except BrokenPipeError:
        return _reader_went_away()
    except MissingStore as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except (ConfigError, UsageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseUnavailable as exc:
        print(f"error: BOT_DATABASE_URL: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        else:
            print(f"error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_FAILURE


def _reader_went_away() -> int:
    """`directive-bot ask … | head -1`: the reader closed the pipe, which is no error to report.

    Python's documented way: point stdout at /dev/null so the flush at exit does not fail again, and
    exit quietly with the status of a process ended by SIGPIPE (128 + 13), as `cat` or `grep` do.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_BROKEN_PIPE


def _one_line(exc: BaseException) -> str:
    """The exception as one line; types whose message stands alone for an operator keep just the message."""
    from index.segments import ManifestError
    from index.vector_index import IndexMismatch

    message = " ".join(str(exc).split())
    if isinstance(exc, FileNotFoundError | IndexMismatch | ManifestError) and message:
        return message
    hint = " (run with --debug for the traceback)"
    return f"{type(exc).__name__}: {message}{hint}" if message else f"{type(exc).__name__}{hint}"


if __name__ == "__main__":
    sys.exit(main())
